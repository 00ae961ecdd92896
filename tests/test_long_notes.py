"""A note longer than the room left continues on the next page(s) (issue 9, point 9):
no text outside the text block, no text over text, nothing of the note lost, and the
numbering of the notes after it unchanged."""

from __future__ import annotations

import pdfplumber
import pytest

from conftest import make_book
from pdfcheck import PageMap

from octavo.build import build

pytestmark = pytest.mark.slow

PARAGRAPH = ("The duties upon the importation of grain were imposed by several acts, and the merchants "
             "complained of them in every session of Parliament. ") * 6
LONG = " ".join(f"Sentence {i} of the long note tells of the duties on grain under Charles the Second, and of "
                "what the merchants paid at the ports." for i in range(60)) + " The last words of the long note."
TABLE = "| Grain | Duty | Then |\n|---|---|---|\n| Beans | 28s. per qr. | 19s. 10d. |\n| Rye | 36s. | 19s. 10d. |"


@pytest.fixture(scope="module")
def long_note(tmp_path_factory):
    root = tmp_path_factory.mktemp("long-notes")
    table_note = "Before the 13th of the present king, the duties were:\n\n    " + TABLE.replace("\n", "\n    ")
    text = ("# Corn\n\n" + "\n\n".join([PARAGRAPH] * 3) + f"\n\nThe bounty was paid on exportation.[^1] {PARAGRAPH}\n\n"
            + "\n\n".join([PARAGRAPH] * 6) + "\n\nAnother note follows.[^2] And one with a table.[^3]\n\n" + PARAGRAPH
            + f"\n\n[^1]: {LONG}\n\n[^2]: A short note, number two.\n\n[^3]: {table_note}\n")
    book = make_book(root / "book", 'title: "Corn"\nprinter: kdp\n', {"manuscript/01-corn.md": text})
    report = build(book, formats=("pdf",), out_dir=root / "out", check=False)
    return report, PageMap(report.outputs["pdf"])


def test_the_note_continues_and_nothing_is_lost(long_note):
    report, pages = long_note
    with pdfplumber.open(report.outputs["pdf"]) as pdf:
        text = " ".join((page.extract_text() or "").replace("\n", " ") for page in pdf.pages)
    assert "The last words of the long note." in text.replace("- ", "").replace("\u2010 ", "")
    for i in range(60):
        assert f"Sentence {i} of" in text, i
    # The note's parts sit on more than one page, and the notes after it keep their numbers.
    parts = [p for p in pages.pages if any("Sentence" in line.text for line in p.lines)]
    assert len(parts) >= 2
    calls = [n for p in pages.pages for n in p.calls]
    assert calls == [1, 2, 3]
    for page in pages.pages:
        assert sorted(page.calls) == sorted(page.notes), page.label


def test_a_table_in_a_note_keeps_its_text(long_note):
    report, _ = long_note
    with pdfplumber.open(report.outputs["pdf"]) as pdf:
        text = " ".join((page.extract_text() or "") for page in pdf.pages)
    for cell in ("Beans", "28s. per qr.", "Rye", "36s."):
        assert cell in text


def test_no_text_outside_the_page_and_preflight_passes(long_note):
    report, _ = long_note
    assert not [f for f in report.preflight if f.status == "fail"], report.preflight
    with pdfplumber.open(report.outputs["pdf"]) as pdf:
        for page in pdf.pages:
            for char in page.chars:
                assert 0 <= char["top"] and char["bottom"] <= page.height, page.page_number
