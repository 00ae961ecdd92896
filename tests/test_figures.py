"""Figures in print (issue 14, point 4): a picture fits the text block's width and height,
keeps its proportions, and its caption stays on its page. Measured from the PDF."""

from __future__ import annotations

import io

import pdfplumber
import pytest
from PIL import Image, ImageDraw

from conftest import make_book

from octavo.build import build
from octavo.config import load_book
from octavo.pdf import page_geometry

pytestmark = pytest.mark.slow

TEXT = ("The price of the quarter of wheat, as the registers of the Exchequer record it, "
        "rose and fell with the harvests of the kingdom. ") * 12


def _picture(width: int, height: int) -> bytes:
    image = Image.new("RGB", (width, height), (200, 220, 240))
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 100):
        draw.line([(0, y), (width, y)], fill=(0, 0, 120), width=4)
    draw.rectangle([0, height - 100, width - 1, height - 1], fill=(200, 0, 0))  # the foot must print
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(300, 300))
    return out.getvalue()


@pytest.fixture(scope="module")
def figure_book(tmp_path_factory):
    root = tmp_path_factory.mktemp("figures")
    chapter = (f"# Prices\n\n{TEXT}\n\n![A tall chart of prices, 1202 to 1829](images/tall.png)\n\n{TEXT}\n\n"
               f"![A wide chart of rents](images/wide.png)\n\n{TEXT}\n")
    book = make_book(root / "book", 'title: "Prices"\nprinter: kdp\n',
                     {"manuscript/01-prices.md": chapter, "manuscript/images/tall.png": _picture(900, 3600),
                      "manuscript/images/wide.png": _picture(3000, 900)})
    report = build(book, formats=("pdf",), out_dir=root / "out", check=False)
    return load_book(book), report


def test_pictures_fit_the_text_block_and_keep_their_proportions(figure_book):
    book, report = figure_book
    g = page_geometry(book, report.pages)
    found = []
    with pdfplumber.open(report.outputs["pdf"]) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            for image in page.images:
                found.append(number)
                # 0.5 pt of slack for rounding; the inner margin is the smaller of the two.
                left, right = min(g.inner, g.outer) * 72, page.width - min(g.inner, g.outer) * 72
                assert image["x0"] >= left - 0.5 and image["x1"] <= right + 0.5, (number, image)
                assert image["top"] >= g.top * 72 - 0.5, (number, image)
                assert image["bottom"] <= page.height - g.bottom * 72 + 0.5, (number, image)
                ratio = (image["x1"] - image["x0"]) / (image["bottom"] - image["top"])
                source = image["srcsize"][0] / image["srcsize"][1]
                assert abs(ratio - source) / source < 0.02, (number, ratio, source)
    assert len(found) == 2


def test_a_caption_stays_with_its_picture(figure_book):
    _, report = figure_book
    with pdfplumber.open(report.outputs["pdf"]) as pdf:
        for caption in ("A tall chart of prices", "A wide chart of rents"):
            pages = [page for page in pdf.pages if caption in (page.extract_text() or "").replace("\n", " ")]
            assert len(pages) == 1 and pages[0].images, f"'{caption}' is not on its picture's page"
