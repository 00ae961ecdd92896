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
                    if last is not None and char["x0"] - last > 1.0:
                        out.append(" ")
                    out.append(char["text"])
                    last = char["x1"]
                out.append(" ")
            return "".join(out)

        first = tokens(text(main))[:WORDS] or tokens(text(notes))[:WORDS]
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
    pdf, epub = paginated
    pages = pdf_pages(pdf)
    markers = {m["label"]: m for m in epub_markers(epub)}
    wrong = []
    compared = 0
    for previous, page in zip([None, *pages], pages):
        if not page["first"] or "Set in" in page["text"]:  # blank; the copyright page (see the docstring)
            continue
        after = markers[page["label"]]["after"]
        first, rest = page["first"][0], page["first"][1:]
        joined = previous is not None and previous["hyphen"] and after[:1] == [previous["last"] + first]
        if not ((after[:1] == [first] or joined) and after[1:len(page["first"])] == rest):
            wrong.append(f"page {page['label']}: PDF {page['first']}, EPUB {after}")
        compared += 1
    assert compared > len(pages) // 2
    assert wrong == []
