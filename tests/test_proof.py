"""Proof sheets (octavo.proof, `octavo proof`): the print PDF's spreads as the book opens."""

from __future__ import annotations

import math
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from conftest import make_book
from octavo import proof
from octavo.cli import main

YAML = """title: "Proof Fixture"
author: "Ann Example"
trim: "5x8"
printer: kdp
"""
PARAGRAPH = ("The harbour lights came on one by one, and the boats that had been out since morning "
             "turned for home in the long grey swell. ") * 6
CHAPTERS = {f"manuscript/0{n}-part.md": f"# Part {n}\n\n" + "\n\n".join([PARAGRAPH] * 8) + "\n"
            for n in range(1, 4)}
DPI = proof.SHEET_DPI
PAGE = (5 * DPI, 8 * DPI)  # a 5 × 8 in page at the sheets' resolution, in pixels


def test_spreads_open_like_a_book():
    assert proof.spreads(1) == [(None, 0)]
    assert proof.spreads(4) == [(None, 0), (1, 2), (3, None)]  # an even last page stands alone on the left
    assert proof.spreads(5) == [(None, 0), (1, 2), (3, 4)]


@pytest.fixture(scope="module")
def proofed(tmp_path_factory):
    """The fixture book proofed once from nothing: `octavo proof` builds the PDF first."""
    base = tmp_path_factory.mktemp("proof")
    book = make_book(base / "book", YAML, CHAPTERS)
    out = base / "out"
    assert main(["proof", str(book), "--out", str(out)]) == 0
    return book, out


@pytest.mark.slow
def test_sheets_hold_eight_spreads_each_at_a_readable_size(proofed):
    _, out = proofed
    with pikepdf.open(out / "proof-fixture.pdf") as pdf:
        pages = len(pdf.pages)
    spreads = 1 + pages // 2  # page 1 alone, then pairs (an even count ends with a lone verso)
    sheets = sorted((out / "proof").glob("sheet-*.png"))
    assert len(sheets) == math.ceil(spreads / 8) >= 2
    # two spreads across, four down, each at 100 dpi, with margins, gaps and a band for the folios
    width = 2 * proof.MARGIN + 2 * 2 * PAGE[0] + proof.COLUMN_GAP
    height = 2 * proof.MARGIN + proof.HEADER_BAND + 4 * (PAGE[1] + proof.LABEL_BAND) + 3 * proof.ROW_GAP
    for sheet in sheets:
        with Image.open(sheet) as image:
            assert image.format == "PNG"
            assert image.size == (width, height) == proof.sheet_size(*PAGE)


@pytest.mark.slow
def test_first_spread_has_page_one_alone_on_the_right(proofed):
    _, out = proofed
    with Image.open(out / "proof" / "sheet-01.png") as image:
        sheet = image.convert("RGB")
    top = proof.MARGIN + proof.HEADER_BAND
    verso = sheet.crop((proof.MARGIN, top, proof.MARGIN + PAGE[0] - 2, top + PAGE[1]))
    recto = sheet.crop((proof.MARGIN + PAGE[0] + 2, top, proof.MARGIN + 2 * PAGE[0] - 2, top + PAGE[1]))
    # the left half is the bare table (no page, no ink); the right half is page 1: paper with type on it
    assert verso.getcolors() == [(verso.width * verso.height, proof.BACKGROUND)]
    recto_colours = dict((colour, count) for count, colour in recto.getcolors(recto.width * recto.height))
    assert recto_colours.get((255, 255, 255), 0) > 0.8 * recto.width * recto.height
    assert min(sum(colour) for colour in recto_colours) < 200  # dark type
    # the second spread is pages 2 and 3: paper on both sides of the gutter
    second_x = proof.MARGIN + 2 * PAGE[0] + proof.COLUMN_GAP
    for left in (second_x, second_x + PAGE[0]):
        half = sheet.crop((left + 2, top + 2, left + PAGE[0] - 2, top + PAGE[1] - 2))
        assert (255, 255, 255) in {colour for _, colour in half.getcolors(half.width * half.height)}


@pytest.mark.slow
def test_overview_shows_every_page_on_one_image(proofed):
    _, out = proofed
    with Image.open(out / "proof" / "overview.png") as image:
        assert image.format == "PNG"
        assert image.width <= proof.OVERVIEW_WIDTH and image.height <= proof.OVERVIEW_HEIGHT
        assert image.width >= 600  # not a stamp: a short book's pages are shown large


@pytest.mark.slow
def test_proof_follows_the_manuscript(proofed, capsys):
    book, out = proofed
    capsys.readouterr()
    assert main(["proof", str(book), "--out", str(out)]) == 0
    assert "up to date" in capsys.readouterr().out
    pdf = out / "proof-fixture.pdf"
    before = pdf.stat().st_mtime_ns, (out / "proof" / "overview.png").read_bytes()
    chapter = book / "manuscript" / "04-part.md"
    chapter.write_text("# Part 4\n\n" + "\n\n".join([PARAGRAPH] * 30) + "\n", encoding="utf-8")
    try:
        assert main(["proof", str(book), "--out", str(out)]) == 0
        assert "written" in capsys.readouterr().out
        assert pdf.stat().st_mtime_ns != before[0]  # the stale PDF was built again first
        assert (out / "proof" / "overview.png").read_bytes() != before[1]
    finally:
        chapter.unlink()
