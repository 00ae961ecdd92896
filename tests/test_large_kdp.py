"""The large corpus built for KDP (issue 9, acceptance 4), measured from the PDF with PDFium:
no glyph outside the page, preflight (which measures every page's text against its margins)
failing nothing but the page count, and every note's last words printed (long notes
continue across pages)."""

from __future__ import annotations

import re

import pytest

from conftest import corpus_for

from octavo.build import build

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    folder = tmp_path_factory.mktemp("large-kdp")
    book = corpus_for("large", "kdp", folder)
    return book, build(book, formats=("pdf",), out_dir=folder / "out", check=False)


def _boxes(path):
    """Per page: (width, height, [(char, left, bottom, right, top), ...])."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        for page in document:
            width, height = page.get_size()
            text = page.get_textpage()
            chars = []
            for i in range(text.count_chars()):
                char = text.get_text_range(i, 1)
                if char.strip():
                    chars.append((char, *text.get_charbox(i)))
            yield width, height, chars, text.get_text_range()
    finally:
        document.close()


def test_only_the_page_count_fails_preflight(large):
    _, report = large
    assert [f.check for f in report.preflight if f.status == "fail"] == ["page-count"]


def test_no_glyph_outside_the_page(large):
    """A note drawn over the page (the old page 670) had glyphs above the page's top edge;
    text over the running head or out of the text block fails preflight's margins."""
    _, report = large
    outside = []
    for number, (width, height, chars, _) in enumerate(_boxes(report.outputs["pdf"]), 1):
        for char, left, bottom, right, top in chars:
            if left < 0 or bottom < 0 or right > width or top > height:
                outside.append((number, char))
    assert outside == []


def test_every_note_ends_on_a_page(large):
    book, report = large
    printed = " ".join(page[3] for page in _boxes(report.outputs["pdf"]))
    printed = re.sub(r"[\u2010-]\s+", "", printed)  # words hyphenated at a line end
    printed = " ".join(re.findall(r"[A-Za-z]{4,}", printed))
    missing = []
    for chapter in sorted((book / "manuscript").glob("*.md")) or sorted(book.glob("[0-9]*.md")):
        for match in re.finditer(r"^\[\^[^\]]+\]: ?((?:.*\n?)(?:(?:    .*|)\n?)*)", chapter.read_text(encoding="utf-8"), re.M):
            words = re.findall(r"[A-Za-z]{4,}", match.group(1))
            if len(words) >= 3 and " ".join(words[-3:]) not in printed:
                missing.append((chapter.name, match.group(1)[:60]))
    assert missing == []
