"""The EPUB's page-list from the print layout (issue 12, acceptance 1-3).

Every page of the print PDF has exactly one page-break marker in the EPUB, in order, with
the page's folio; the first three words after each marker are the first three words of
that page in the PDF (read back from the PDF itself, running head, folio and note calls
aside). Pages with no words are marked too, and only their order is checked: blank pages
(versos before chapter openings, the printer's padding at the end), and the copyright
page, whose EPUB counterpart is the title page's rights line.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, corpus
from octavo.build import build
from pdfcheck import NOTE_SIZE, PageMap

pytestmark = pytest.mark.slow

XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_NS = "{http://www.idpf.org/2007/ops}"
WORDS = 3
INLINE = {"a", "span", "em", "strong", "i", "b", "code", "sup", "sub", "small", "abbr", "cite", "q", "mark", "s", "u",
          "bdi", "bdo", "kbd", "var", "samp", "dfn", "time", "data"}


def tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.findall(r"[^\W_]+", text)


# --- the PDF: each page's first words ---------------------------------------------------

def pdf_pages(path: Path) -> list[dict]:
    """For each page: its label, its first words (main text, else a note's), the last word
    of its main text as printed (to join a word hyphenated across the page break)."""
    pages = []
    for page in PageMap(path).pages:
        body = [line for line in page.body if line.text not in (page.head, page.folio)]
        main = [line for line in body if abs(line.size - NOTE_SIZE) >= 0.3]
        notes = [line for line in body if abs(line.size - NOTE_SIZE) < 0.3]

        def text(lines) -> str:
            out = []
            for line in lines:
                last = None
                for char in line.chars:
                    if char["text"].isdigit() and char["size"] < line.size * 0.8:
                        continue  # a note call: raised and smaller, not the author's words
                    if last is not None and (char["x0"], char["text"]) == last[1:]:
                        continue  # the same glyph twice at one place (pdfplumber reads some ligatures so)
                    if last is not None and char["x0"] - last[0] > 1.0:
                        out.append(" ")
                    out.append(char["text"])
                    last = (char["x1"], char["x0"], char["text"])
                out.append(" ")
            return "".join(out)

        first = tokens(text(main))[:WORDS + 1] or tokens(text(notes))[:WORDS + 1]
        last_line = main[-1].text.rstrip() if main else ""
        pages.append({"label": page.label, "first": first, "hyphen": last_line.endswith(("\u2010", "-")),
                      "last": (tokens(last_line) or [""])[-1], "text": page.text()})
    return pages


# --- the EPUB: its markers and the words after each ---------------------------------------

def spine_documents(epub: Path) -> tuple[list[tuple[str, ET.Element]], zipfile.ZipFile]:
    book = zipfile.ZipFile(epub)
    opf_name = next(n for n in book.namelist() if n.endswith(".opf"))
    opf = ET.fromstring(book.read(opf_name))
    ns = {"o": "http://www.idpf.org/2007/opf"}
    hrefs = {item.get("id"): item.get("href") for item in opf.find("o:manifest", ns)}
    folder = opf_name.rpartition("/")[0]
    names = [f"{folder}/{hrefs[ref.get('idref')]}" for ref in opf.find("o:spine", ns)]
    return [(name, ET.fromstring(book.read(name))) for name in names], book


def epub_markers(epub: Path) -> list[dict]:
    """Each page-break marker in reading order: its label, id, document, and the words
    that follow it (note calls, back links and MathML aside), across documents."""
    stream: list = []  # ("marker", dict) or ("text", str), in reading order

    def walk(element: ET.Element, name: str) -> None:
        tag = element.tag.replace(XHTML, "")
        classes = (element.get("class") or "").split()
        skip = tag in ("head", "math", "svg") or (tag == "a" and ("footnote-ref" in classes or "footnote-back" in classes)) \
            or tag.endswith("math") or element.get("hidden") is not None
        if element.get(f"{EPUB_NS}type") == "pagebreak":
            stream.append(("marker", {"label": element.get("aria-label"), "id": element.get("id"), "doc": name,
                                      "role": element.get("role")}))
        elif not skip and element.text:
            stream.append(("text", element.text))
        if not skip:
            for child in element:
                walk(child, name)
        if tag not in INLINE:
            stream.append(("text", " "))  # a block ends a word
        if element.tail:
            stream.append(("text", element.tail))

    documents, _ = spine_documents(epub)
    for name, root in documents:
        walk(root, name)
        stream.append(("text", " "))
    markers = []
    for position, (kind, value) in enumerate(stream):
        if kind != "marker":
            continue
        following = "".join(v for k, v in stream[position + 1:position + 400] if k == "text")
        markers.append({**value, "after": tokens(following)[:WORDS]})
    return markers


# --- the books ----------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["sample", "small", "medium"])
def paginated(request, tmp_path_factory):
    """A book's print PDF and EPUB, built together once."""
    source = ROOT if request.param == "sample" else corpus(request.param)
    out = tmp_path_factory.mktemp(f"pagelist-{request.param}")
    report = build(source, formats=("pdf", "epub"), out_dir=out, check=False)
    return report.outputs["pdf"], report.outputs["epub"]


def test_every_printed_page_has_one_marker_in_order(paginated):
    pdf, epub = paginated
    labels = [page["label"] for page in pdf_pages(pdf)]
    markers = epub_markers(epub)
    assert [m["label"] for m in markers] == labels
    assert all(m["id"] == f"page-{m['label']}" and m["role"] == "doc-pagebreak" for m in markers)


def test_each_marker_is_followed_by_the_words_its_page_begins_with(paginated):
    """Compared where the EPUB has the page's text: not on the copyright page (the EPUB's
    title page holds only its rights line), nor on the contents' later pages (the EPUB's
    contents is one list, which no marker may interrupt: all its pages are marked before
    it), and not the contents' page numbers (the EPUB's contents has none)."""
    pdf, epub = paginated
    wrong, compared, pages = word_mismatches(pdf, epub)
    assert compared > pages // 2
    assert wrong == []


def word_mismatches(pdf: Path, epub: Path) -> tuple[list[str], int, int]:
    """The pages whose marker is not followed by the page's first words; how many pages
    were compared, of how many."""
    pages = pdf_pages(pdf)
    markers = {m["label"]: m for m in epub_markers(epub)}
    wrong = []
    compared = 0
    contents_seen = False
    for previous, page in zip([None, *pages], pages):
        front = not page["label"].isdigit()
        printed = [w for w in page["first"] if not (front and w.isdigit())]
        if not printed or "Set in" in page["text"] or (front and contents_seen):
            continue  # blank, the copyright page, the contents' later pages
        contents_seen = contents_seen or (front and printed[0] == "contents")
        after = markers[page["label"]]["after"]
        if printed[0].isdigit() and after[:1] != printed[:1]:
            printed = printed[1:]  # a list item's number: generated by the list in both editions
        printed = printed[:WORDS]
        first, rest = printed[0], printed[1:]
        joined = previous is not None and previous["hyphen"] and after[:1] == [previous["last"] + first]
        if not ((after[:1] == [first] or joined) and after[1:len(printed)] == rest):
            wrong.append(f"page {page['label']}: PDF {printed}, EPUB {after}")
        compared += 1
    return wrong, compared, len(pages)


def test_page_list_links_resolve_and_the_package_names_the_print_edition(paginated):
    """The nav's page-list (and the NCX's pageList) point at the markers; the package says
    which edition the page numbers come from, and what the page-list gives a reader."""
    pdf, epub = paginated
    documents, book = spine_documents(epub)
    names = book.namelist()
    ids = {name: {e.get("id") for e in ET.fromstring(book.read(name)).iter() if e.get("id")}
           for name in names if name.endswith(".xhtml")}
    nav_name = next(n for n in names if n.endswith("nav.xhtml"))
    nav = ET.fromstring(book.read(nav_name))
    page_list = [n for n in nav.iter(f"{XHTML}nav") if n.get(f"{EPUB_NS}type") == "page-list"]
    assert len(page_list) == 1
    links = [(a.get("href"), a.text) for a in page_list[0].iter(f"{XHTML}a")]
    labels = [page["label"] for page in pdf_pages(pdf)]
    assert [text for _, text in links] == labels
    folder = nav_name.rpartition("/")[0]
    for href, text in links:
        target, _, fragment = href.partition("#")
        assert fragment in ids[f"{folder}/{target}"], href
    ncx_name = next(n for n in names if n.endswith(".ncx"))
    ncx = book.read(ncx_name).decode()
    assert re.findall(r"<text>([^<]*)</text></navLabel><content", ncx.split("<pageList>")[1]) == labels
    for src in re.findall(r'<pageTarget[^>]*>.*?<content src="([^"]+)"', ncx, flags=re.S):
        target, _, fragment = src.partition("#")
        assert fragment in ids[f"{folder}/{target}"], src
    opf = book.read(next(n for n in names if n.endswith(".opf"))).decode()
    assert re.search(r'<meta property="pageBreakSource">[^<]+, print edition, [^<]+ trim \((kdp|generic)\)</meta>',
                     opf), opf
    for feature in ("pageNavigation", "pageBreakMarkers", "printPageNumbers"):
        assert f'<meta property="schema:accessibilityFeature">{feature}</meta>' in opf


def test_epubcheck_and_ace_find_nothing_with_the_page_list(paginated):
    from validators import ace_violations, epubcheck_problems

    _, epub = paginated
    assert epubcheck_problems(epub) == []
    assert ace_violations(epub) == []


# --- the page-list follows the printer; an EPUB built alone -----------------------------------

def copy_sample(folder: Path) -> Path:
    book = folder / "book"
    shutil.copytree(ROOT / "manuscript", book / "manuscript")
    shutil.copy(ROOT / "book.yaml", book / "book.yaml")
    return book


def page_labels(epub: Path) -> list[str]:
    return [m["label"] for m in epub_markers(epub)]


def test_an_epub_built_alone_uses_the_current_print_layout_or_says_it_has_none(tmp_path: Path) -> None:
    book = copy_sample(tmp_path)
    alone = build(book, formats=("epub",), check=False)
    assert page_labels(alone.outputs["epub"]) == []
    assert any("no page-list" in note for note in alone.notes), alone.notes
    printed = build(book, formats=("pdf",), check=False)
    again = build(book, formats=("epub",), check=False)  # the same request as the first: not "nothing to do"
    assert not again.up_to_date
    assert page_labels(again.outputs["epub"]) == [p["label"] for p in pdf_pages(printed.outputs["pdf"])]
    assert not any("no page-list" in note for note in again.notes)
    # An edited chapter: the cached layout is not that of the text any more.
    chapter = book / "manuscript" / "02-great-leap.md"
    original = chapter.read_text(encoding="utf-8")
    chapter.write_text(original + "\n\nOne more sentence.\n", encoding="utf-8")
    edited = build(book, formats=("epub",), check=False)
    assert page_labels(edited.outputs["epub"]) == []
    assert any("no page-list" in note for note in edited.notes)
    chapter.write_text(original, encoding="utf-8")
    # Another trim is another print edition: the cached layout is not current any more.
    config = book / "book.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace('trim: "6x9"', 'trim: "5x8"'), encoding="utf-8")
    stale = build(book, formats=("epub",), check=False)
    assert page_labels(stale.outputs["epub"]) == []
    assert any("no page-list" in note for note in stale.notes)


def test_the_page_list_follows_the_printer_and_trim(tmp_path: Path) -> None:
    book = copy_sample(tmp_path)
    six_by_nine = build(book, formats=("pdf", "epub"), out_dir=tmp_path / "a", check=False)
    text = (book / "book.yaml").read_text(encoding="utf-8").replace('trim: "6x9"', 'trim: "5x8"')
    (book / "book.yaml").write_text(text + '\nidentifiers: {isbn_print: "978-1-23456-789-7"}\n', encoding="utf-8")
    five_by_eight = build(book, formats=("pdf", "epub"), out_dir=tmp_path / "b", check=False)
    small = pdf_pages(five_by_eight.outputs["pdf"])
    assert [p["first"] for p in small] != [p["first"] for p in pdf_pages(six_by_nine.outputs["pdf"])]
    assert page_labels(five_by_eight.outputs["epub"]) == [p["label"] for p in small]
    wrong, compared, _ = word_mismatches(five_by_eight.outputs["pdf"], five_by_eight.outputs["epub"])
    assert wrong == [] and compared > 10
    opf = zipfile.ZipFile(five_by_eight.outputs["epub"]).read("EPUB/content.opf").decode()
    assert '<meta property="pageBreakSource">urn:isbn:9781234567897</meta>' in opf


# --- an edit that adds a page -----------------------------------------------------------------

def test_an_edit_that_adds_a_page_renumbers_the_later_chapters_without_pandoc(tmp_path: Path) -> None:
    book = copy_sample(tmp_path)
    first = build(book, formats=("pdf", "epub"), check=False)
    before = epub_markers(first.outputs["epub"])
    texts_before = {p["label"] for p in pdf_pages(first.outputs["pdf"]) if p["first"]}  # rebuilt in place below
    chapter = book / "manuscript" / "01-from-great-leap-to-flying-leap.md"
    # Enough text for the first chapter to take two more pages (one more spread): the
    # second chapter then opens two pages later.
    paragraph = ("An added paragraph, long enough to fill some lines of the page, so that the chapter grows "
                 "and the pages after it move. ") * 6
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n\n" + "\n\n".join([paragraph] * 6) + "\n",
                       encoding="utf-8")
    second = build(book, formats=("pdf", "epub"), check=False)
    assert [Path(p).name for p in second.converted] == [chapter.name]  # pandoc saw only the edited chapter
    pdf = pdf_pages(second.outputs["pdf"])
    after = epub_markers(second.outputs["epub"])
    assert [m["label"] for m in after] == [p["label"] for p in pdf]
    # The second chapter's pages with text (the blank pages a printer's minimum adds at the
    # end are marked there too, and there are fewer of them in a longer book).
    texts_after = {p["label"] for p in pdf if p["first"]}
    old_second = [m for m in before if m["doc"].endswith("ch002.xhtml") and m["label"] in texts_before]
    new_second = [m for m in after if m["doc"].endswith("ch002.xhtml") and m["label"] in texts_after]
    assert len(old_second) == len(new_second) and old_second
    shift = int(new_second[0]["label"]) - int(old_second[0]["label"])
    assert shift >= 2
    assert [int(m["label"]) for m in new_second] == [int(m["label"]) + shift for m in old_second]
    assert [m["after"] for m in new_second] == [m["after"] for m in old_second]
    wrong, _, _ = word_mismatches(second.outputs["pdf"], second.outputs["epub"])
    assert wrong == []


def test_a_page_that_holds_only_a_continued_note_is_marked_inside_the_note(tmp_path: Path) -> None:
    """A long note called at the end of a chapter runs on over pages with no text of their
    own: those pages are marked in the EPUB's note, where the continuation begins."""
    from conftest import make_book

    sentences = " ".join(f"Sentence number {k} of the long note tells of item {k} and of nothing else at all."
                         for k in range(1, 140))
    book = make_book(tmp_path / "book", 'title: "Notes"\nlanguage: "en"\n', {
        "01-one.md": "# One\n\n" + "A paragraph of the chapter's own text, with words. " * 40
                     + "\n\nThe last paragraph calls a long note.[^1]\n\n[^1]: " + sentences + "\n",
        "02-two.md": "# Two\n\nThe second chapter.\n",
    })
    report = build(book, formats=("pdf", "epub"), check=False)
    pdf, epub = report.outputs["pdf"], report.outputs["epub"]
    pages = pdf_pages(pdf)
    note_only = [p["label"] for p in pages if p["first"] and p["label"].isdigit()
                 and p["first"][0] in ("sentence", "number", "of", "the", "long", "note", "tells", "item")]
    assert note_only, "the fixture should make a page with only the note on it"
    wrong, compared, _ = word_mismatches(pdf, epub)
    assert wrong == []
    text = zipfile.ZipFile(epub).read("EPUB/text/ch001.xhtml").decode()
    for label in note_only:
        at = text.index(f'id="page-{label}"')
        assert text.rfind("<aside", 0, at) > text.rfind("</aside>", 0, at), f"page {label} is not marked in the note"
