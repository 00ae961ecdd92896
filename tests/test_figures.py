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
from octavo.pagesetup import page_geometry

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
    more = "\n\n".join([TEXT[:400]] * 6)  # paragraphs that can fill the gap a figure leaves
    chapter = (f"# Prices\n\n{TEXT}\n\n![A tall chart of prices, 1202 to 1829](images/tall.png)\n\n{more}\n\n"
               f"![A wide chart of rents](images/wide.png)\n\n{more}\n")
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


def test_text_fills_the_gap_a_figure_would_leave(tmp_path):
    """A figure half a page high, after text that fills most of a page: the text after the
    figure fills the rest of that page, and the figure follows it."""
    from octavo.floats import stranded_figures
    from octavo.pagesetup import print_setup
    from octavo.weasy import render_document
    from octavo.styles import find_styles

    book = load_book(make_book(tmp_path, 'title: "Prices"\n', {"pic.png": _picture(900, 700)}))
    paragraph = "<p>" + TEXT[:420] + "</p>\n"
    opening = "<p>" + TEXT + "</p>\n"  # about two thirds of the first page
    html = ("<html lang='en'><body><section class='chapter'>\n" + opening
            + '<figure>\n<img src="pic.png" alt="A chart" />\n<figcaption>A chart</figcaption>\n</figure>\n'
            + paragraph * 6 + "</section></body></html>")
    styles = find_styles(book)
    page = print_setup(book).css(book)
    document = render_document(html, book.root, styles, page)
    stranded, gap = stranded_figures(document)
    assert stranded == [], f"a figure still opens a page below {gap:.0f} px of white"
    # The control: the same page without moving the figure leaves the gap.
    from weasyprint import HTML

    from octavo.weasy import parsed_stylesheets, styles_stamp

    fetcher, fonts, profiles, sheets = parsed_stylesheets(book.root, styles, page, "print", styles_stamp(styles))
    plain = HTML(string=html, base_url=str(book.root) + "/", url_fetcher=fetcher).render(
        stylesheets=sheets, font_config=fonts)
    assert stranded_figures(plain)[0] == [0]
