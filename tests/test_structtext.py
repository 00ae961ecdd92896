"""The screen PDF's content reads right to a screen reader (issue 11, "The structure must
be right"): running heads and folios are artifacts, line ends keep their word spaces,
hyphens of hyphenation are soft, links are described by their text (structtext.py).

The text is read as a reader without layout heuristics reads it: the ToUnicode text of the
page's content in order, an `/ActualText` span read as its ActualText, artifacts left out."""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from conftest import ROOT, make_book

from octavo.build import build
from octavo.structtext import repair_text
from octavo.weasy import apply_fixes

# ---- reading a page as a reader does -----------------------------------------------------------


def _cmap(font) -> tuple[dict[bytes, str], int]:
    data = font.ToUnicode.read_bytes()
    mapping: dict[bytes, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        pairs = re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block)
        mapping.update((bytes.fromhex(a.decode()), bytes.fromhex(b.decode()).decode("utf-16-be")) for a, b in pairs)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, start in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            for offset in range(int(high, 16) - int(low, 16) + 1):
                code = (int(low, 16) + offset).to_bytes(len(low) // 2, "big")
                mapping[code] = chr(int(start, 16) + offset)
    return mapping, len(next(iter(mapping), b"\0\0")) or 2


def page_text(page, fonts: dict, artifacts: bool = False, actual_text: bool = True, between: str = "") -> str:
    """The page's text in content order: tagged content (or, with `artifacts`, only the
    artifacts), ActualText spans read as their ActualText unless `actual_text` is False;
    `between` is put between the text of two text-showing operators (WeasyPrint shows
    each box of text with one). Forms drawn on the page (the assembled screen edition's
    skeleton) are read where they are drawn, inside the marks around them."""
    out: list[str] = []
    _read(page, page.obj.get("/Resources", {}), [], out, fonts, (artifacts, actual_text, between))
    return "".join(out)


def _read(content, resources, marks: list, out: list, fonts: dict, how: tuple) -> None:
    artifacts, actual_text, between = how
    cmap = None
    for instruction in pikepdf.parse_content_stream(content):
        op, operands = str(instruction.operator), instruction.operands
        if op in ("BDC", "BMC"):
            properties = operands[1] if op == "BDC" else None
            actual = (str(properties.ActualText) if actual_text and isinstance(properties, pikepdf.Dictionary)
                      and "/ActualText" in properties else None)
            inside = any(tag == "/Artifact" for tag, _ in marks) or str(operands[0]) == "/Artifact"
            if actual is not None and inside == artifacts:
                out.append(actual)
            marks.append((str(operands[0]), actual))
        elif op == "EMC":
            marks.pop()
        elif op == "Do":
            form = resources.get("/XObject", {}).get(operands[0])
            if form is not None and form.get("/Subtype") == "/Form":
                _read(form, form.get("/Resources", resources), marks, out, fonts, how)
        elif op == "Tf":
            font = resources.Font[operands[0]]
            cmap = fonts.setdefault(font.objgen, _cmap(font))
        elif op in ("TJ", "Tj") and cmap is not None:
            if any(actual is not None for _, actual in marks):
                continue
            if any(tag == "/Artifact" for tag, _ in marks) != artifacts:
                continue
            mapping, step = cmap
            items = operands[0] if op == "TJ" else [operands[0]]
            out.append(between)
            for item in items:
                if isinstance(item, pikepdf.String):
                    data = bytes(item)
                    out.extend(mapping.get(data[i:i + step], "") for i in range(0, len(data), step))


def document_text(pdf: pikepdf.Pdf, **options) -> str:
    fonts: dict = {}
    return "".join(page_text(page, fonts, **options) for page in pdf.pages)  # a paragraph goes on


def words(text: str) -> list[str]:
    """Letter runs, an apostrophe or hyphen inside a word kept ("China’s", "well-known")."""
    return [w.lower() for w in re.findall(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", text.replace("\u00ad", ""))]


# ---- the books ---------------------------------------------------------------------------------

LONG_WORDS = ["incomprehensibilities", "internationalization", "counterrevolutionaries",
              "characteristically", "telecommunications", "responsibilities", "well-known"]
SHORT_WORDS = ["the", "harbour", "boats", "came", "in", "at", "dawn", "and", "a", "net", "of", "was", "sold"]


def _paragraphs() -> list[str]:
    chooser = random.Random(11)
    paragraphs = []
    for _ in range(6):
        picks = [chooser.choice(LONG_WORDS if chooser.random() < 0.4 else SHORT_WORDS) for _ in range(110)]
        paragraphs.append(" ".join(picks).capitalize() + ".")
    return paragraphs


LONG_LINK = "the chapter about the night, its lamps, its boats and the harbour when the net was sold at dawn"
FIXTURE = {
    "manuscript/01-harbour.md": "# The Harbour\n\n" + "\n\n".join(_paragraphs()) +
    "\n\nAs [the second chapter](#second) says, and <https://example.com/a/very/long/address> too, and as "
    f"[{LONG_LINK}](#second) says at more length.\n",
    "manuscript/02-night.md": "# Night {#second}\n\nThe lamps.\n\n" + "\n\n".join(_paragraphs()[:2]) + "\n",
}


@pytest.fixture(scope="module")
def fixture_screen(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("structtext")
    book = make_book(folder / "book", 'title: "Harbour Days"\nlanguage: en\n', FIXTURE)
    return build(book, formats=("screen",), out_dir=folder / "out", check=False).outputs["screen"]


@pytest.fixture(scope="module")
def sample_screen(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("structtext-sample")
    return build(ROOT, formats=("screen",), out_dir=folder / "out", check=False).outputs["screen"]


def _claimed(pdf: pikepdf.Pdf) -> dict[tuple, set[int]]:
    """Page -> the MCIDs that elements reachable from the StructTreeRoot claim."""
    claimed: dict[tuple, set[int]] = {}

    def kids(node):
        k = node.get("/K")
        return list(k) if isinstance(k, pikepdf.Array) else [] if k is None else [k]

    stack = [(kid, None) for kid in kids(pdf.Root.StructTreeRoot)]
    while stack:
        node, page = stack.pop()
        if isinstance(node, int):
            claimed.setdefault(page, set()).add(int(node))
        elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") == "/MCR":
            claimed.setdefault(node.Pg.objgen if "/Pg" in node else page, set()).add(int(node.MCID))
        elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") != "/OBJR":
            own = node.Pg.objgen if "/Pg" in node else page
            stack.extend((kid, own) for kid in kids(node))
    return claimed


def _marked(page) -> list[tuple[str, pikepdf.Object]]:
    return [(str(i.operands[0]), i.operands[1]) for i in pikepdf.parse_content_stream(page)
            if str(i.operator) == "BDC"]


# ---- 1. running heads and folios ----------------------------------------------------------------

def test_every_mcid_is_claimed_and_running_heads_and_folios_are_pagination_artifacts(sample_screen):
    with pikepdf.open(sample_screen) as pdf:
        claimed = _claimed(pdf)
        fonts: dict = {}
        body_pages = headed_pages = 0
        for number, page in enumerate(pdf.pages):
            marked = _marked(page)
            mcids = {int(props.MCID) for _, props in marked if isinstance(props, pikepdf.Dictionary)
                     and "/MCID" in props}
            assert mcids <= claimed.get(page.obj.objgen, set()), f"page {number + 1}: unclaimed MCIDs"
            heads = {str(props.get("/Subtype")) for tag, props in marked if tag == "/Artifact"
                     and isinstance(props, pikepdf.Dictionary) and props.get("/Type") == "/Pagination"}
            artifact_text = page_text(page, fonts, artifacts=True)
            # The one-pass file marks heads and folios apart (/Header, /Footer); the assembled
            # one draws its skeleton as one pagination artifact (Subtype is optional).
            drawn = re.sub(r"(?:\. ?)+", "", artifact_text).strip()  # not the contents' leaders
            if "/Footer" in heads or "None" in heads and drawn:
                body_pages += 1
                assert re.search(r"(\d+|\b[ivxlc]+)$", artifact_text.strip()), f"page {number + 1}: no folio"
            if "/Header" in heads:
                assert "Leap" in artifact_text  # the chapter title over the page
            headed_pages += "Leap" in artifact_text
        assert body_pages >= 10 and headed_pages >= 5
        tagged = document_text(pdf)
    # The running head is read once, as the chapter's heading, not on every page.
    assert tagged.count("Maoist economics 1.0, the Great Leap Forward") <= 3


# ---- 2. word spaces -------------------------------------------------------------------------------

def _vocabulary(book: Path) -> set[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((book / "manuscript").glob("*.md")))
    text += (book / "book.yaml").read_text(encoding="utf-8")
    return set(words(text))


def test_line_ends_keep_their_word_spaces(sample_screen):
    vocabulary = _vocabulary(ROOT)
    with pikepdf.open(sample_screen) as pdf:
        found = words(document_text(pdf))
    glued = sorted({w for w in found if w not in vocabulary and any(
        w[:i] in vocabulary and w[i:] in vocabulary for i in range(1, len(w)))})
    assert len(found) > 4000
    assert not glued, f"{len(glued)} words glued at line ends: {glued[:10]}"
    unknown = [w for w in found if w not in vocabulary]
    assert len(unknown) < len(found) / 200, unknown[:20]  # the text reads as the manuscript's words


# ---- 3. hyphens of hyphenation -----------------------------------------------------------------

def test_hyphens_of_hyphenation_are_soft_and_typed_hyphens_stay(fixture_screen):
    with pikepdf.open(fixture_screen) as pdf:
        shown = document_text(pdf, actual_text=False, between="\n")  # what is drawn, box by box
        read = document_text(pdf)  # what a reader reads
    # The fixture really breaks words by hyphenation and compounds at their hyphen.
    assert re.search("[a-z]\n*\u2010\n+[a-z]", shown)  # (the repaired file shows the hyphen alone)
    assert re.search("well-\n+known", shown), "no compound broken at its hyphen: make the fixture longer"
    assert "\u2010" not in read.replace("\u00ad", "")
    manuscript = " ".join(FIXTURE.values())
    vocabulary = set(words(manuscript))
    fragments = [w for w in words(read) if w not in vocabulary and any(w in v for v in vocabulary)]
    assert not fragments, f"words read in pieces: {fragments[:10]}"
    assert read.count("well-known") == manuscript.count("well-known")


# ---- 4. link descriptions ----------------------------------------------------------------------

def test_links_are_described_by_their_text(fixture_screen):
    with pikepdf.open(fixture_screen) as pdf:
        links = [a for page in pdf.pages for a in page.obj.get("/Annots", []) if a.get("/Subtype") == "/Link"]
        described = [str(a.get("/Contents", "")) for a in links]
        targets = [str(a.get("/Dest", a.get("/A", {}).get("/D", ""))) for a in links]
    assert links and all(described)
    assert not any(d == t.lstrip("/") for d, t in zip(described, targets)), list(zip(described, targets))
    assert "the second chapter" in described
    assert described.count(LONG_LINK) >= 2  # a link broken over lines: each piece says all of it
    assert {"The Harbour", "Night"} <= set(described)  # the contents' entries


def _weasy_pdf(html: str) -> pikepdf.Pdf:
    import weasyprint

    apply_fixes()
    return pikepdf.open(io.BytesIO(weasyprint.HTML(string=html).write_pdf(pdf_tags=True)))


def test_a_note_call_is_described_as_a_note():
    pdf = _weasy_pdf('<html lang="en"><head><title>t</title></head><body><p>The boats came in'
                     '<a href="#fn3"><sup>3</sup></a> at dawn.</p><aside id="fn3">3. Before six.</aside></body></html>')
    repair_text(pdf)
    described = {str(a.Contents) for a in pdf.pages[0].Annots}
    assert described == {"Note 3"}


# ---- safe and invisible ------------------------------------------------------------------------

def test_a_pdf_without_a_structure_tree_is_left_alone():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].Contents = pdf.make_stream(b"BT /F1 12 Tf (a) Tj ET")
    before = pdf.pages[0].Contents.read_bytes()
    repair_text(pdf)
    assert pdf.pages[0].Contents.read_bytes() == before


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm (poppler-utils) is not installed")
def test_nothing_visible_moves_and_a_second_repair_changes_nothing(tmp_path):
    chooser = random.Random(3)
    words_ = " ".join(chooser.choice(LONG_WORDS + SHORT_WORDS) for _ in range(500))
    html = ('<html lang="en"><head><title>t</title><style>@page { size: 4in 5in; margin: 0.8in 0.6in;'
            ' @top-center { content: "Running head" } @bottom-center { content: counter(page) } }'
            ' p { hyphens: auto; text-align: justify }</style></head><body>'
            f'<p>{words_} <a href="#x">a link</a>.</p><p id="x">End.</p></body></html>')
    pdf = _weasy_pdf(html)
    pdf.save(tmp_path / "before.pdf")
    repair_text(pdf)
    pdf.save(tmp_path / "after.pdf")
    repaired = [page.Contents.read_bytes() for page in pdf.pages]
    repair_text(pdf)  # a file repaired already (a rebuilt piece, say) is left as it is
    assert [page.Contents.read_bytes() for page in pdf.pages] == repaired
    with pikepdf.open(tmp_path / "after.pdf") as after:
        assert len(after.pages) >= 2 and "\u00ad" in document_text(after)  # it did change the content
    for name in ("before", "after"):
        subprocess.run(["pdftoppm", "-r", "60", "-png", tmp_path / f"{name}.pdf", tmp_path / name], check=True)
    pages = sorted(p.name.split("-", 1)[1] for p in tmp_path.glob("before-*.png"))
    assert pages
    for page in pages:
        assert (tmp_path / f"before-{page}").read_bytes() == (tmp_path / f"after-{page}").read_bytes(), page
