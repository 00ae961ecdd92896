"""Tables are set as tables, not as running text (issue 9, item 11): numbers right-aligned
and never broken, a table too wide for the measure set smaller or turned, never over the
fore-edge. The whole-book checks (a real PDF) are in test_mixed_manuscript.py."""

from __future__ import annotations

import json

import pypandoc
import pytest

from conftest import ROOT
from pdfcheck import weasyprint_lines

from octavo.config import load_book
from octavo.indents import indents
from octavo.pagesetup import fit_measure, measure_em, page_em, print_setup
from octavo.weasy import render_document
from octavo.styles import find_styles
from octavo.tablefit import fit_tables
from octavo.tables import set_tables

PRICES = ("| Year | Wheat | Barley | Note |\n|---|---|---|---|\n"
          "| 1600 | 10s. 0d. | 13s. 1d. | dear |\n| 1610 | 17s. 1d. | 40s. 10d. | cheap |\n"
          "| 1620 | 24s. 2d. | 27s. 3d. | a wet year |\n")


def _ast(markdown: str) -> dict:
    return json.loads(pypandoc.convert_text(markdown, "json", format="markdown"))


def _html(ast: dict) -> str:
    return pypandoc.convert_text(json.dumps(ast), "html5", format="json", extra_args=["--wrap=none"])


def _table(columns: int, rows: int = 6, cell=lambda r, c: f"{10 + r + c}s. {c % 12}d.") -> str:
    head = "| Year | " + " | ".join(f"Col {c}" for c in range(1, columns)) + " |\n"
    rule = "|" + "---|" * columns + "\n"
    body = "".join(f"| {1600 + 10 * r} | " + " | ".join(cell(r, c) for c in range(1, columns)) + " |\n"
                   for r in range(rows))
    return head + rule + body


def test_numeric_columns_are_set_right_and_their_numbers_classed():
    ast = _ast(PRICES)
    set_tables(ast["blocks"])
    specs = ast["blocks"][0]["c"][2]
    assert [s[0]["t"] for s in specs] == ["AlignRight", "AlignRight", "AlignRight", "AlignDefault"]
    html = _html(ast)
    assert html.count('class="num"') == 9  # pounds, shillings and pence are numbers too
    assert '<td class="num" style="text-align: right;">40s. 10d.</td>' in html
    assert "<td>a wet year</td>" in html


def test_an_authors_alignment_is_kept():
    ast = _ast("| Year | Price |\n|:-:|---|\n| 1600 | 10 |\n| 1610 | 12 |\n")
    set_tables(ast["blocks"])
    assert [s[0]["t"] for s in ast["blocks"][0]["c"][2]] == ["AlignCenter", "AlignRight"]


def test_a_table_that_fits_is_left_alone():
    html = _html(_ast(PRICES))
    assert fit_tables(html, 27.8) == html


@pytest.mark.parametrize("columns", [4, 6, 8, 10, 12, 16])
def test_every_table_stays_in_the_measure_as_weasyprint_sets_it(columns):
    """Laid out by WeasyPrint with the print styles: an upright table is no wider than
    the text block; a turned one no taller than it is wide, and its rows unbroken."""
    from weasyprint.formatting_structure import boxes

    book = load_book(ROOT)
    ast = _ast(_table(columns))
    set_tables(ast["blocks"])
    section = fit_measure(book, _html(ast))
    page = print_setup(book).css(book)
    document = render_document(f"<html lang='en-GB'><body><section class='chapter'>{section}</section></body></html>",
                               ROOT, find_styles(book), page)
    measure = measure_em(book) * 11.5 * 4 / 3  # CSS px
    found = []

    def walk(box, turned=False):
        turned = turned or "turned" in (box.element.get("class", "") if box.element is not None else "")
        if isinstance(box, boxes.TableBox):
            found.append((box, turned))
        for child in getattr(box, "children", []):
            walk(child, turned)

    for laid in document.pages:
        walk(laid._page_box)
    assert found
    for table, turned in found:
        if turned:
            assert table.margin_height() <= measure + 0.5, (columns, table.margin_height(), measure)
            assert table.margin_width() <= page_em(book) * 11.5 * 4 / 3 + 0.5
        else:
            assert table.margin_width() <= measure + 0.5, (columns, table.margin_width(), measure)
    if columns == 16:  # sixteen columns of prices do not fit upright at any readable size
        assert "figure class=\"turned\"" in section
    # Whichever way, no sum of money is broken across lines.
    for laid in document.pages:
        lines = weasyprint_lines(laid._page_box)
        assert not [line for line in lines if line.strip().endswith("s.") and not line.strip()[:1].isalpha()], lines


def test_a_table_too_wide_even_turned_is_set_to_the_measure_with_its_cells_wrapped():
    ast = _ast(_table(30, cell=lambda r, c: "1,234,567.89"))
    set_tables(ast["blocks"])
    html = fit_tables(_html(ast), 27.8, page_em=46.0)
    assert 'class="too-wide"' in html and "turned" not in html


def test_a_long_table_is_not_turned():
    # Turned, it would have to break across pages, each turned on its own: it is set
    # upright at the smallest size instead, its header repeated on every page.
    ast = _ast(_table(16, rows=80))
    set_tables(ast["blocks"])
    html = fit_tables(_html(ast), 27.8, page_em=46.0)
    assert "turned" not in html and 'class="too-wide"' in html


def test_a_table_or_code_in_a_quotation_or_list_has_a_shorter_line():
    html = ("<p>x</p><blockquote><ul><li><pre><code>a</code></pre></li></ul></blockquote>"
            "<table><tr><td>1</td></tr></table>")
    found = indents(html)
    assert found == {html.index("<pre"): 4.5, html.index("<table"): 0.0}


def test_a_dash_in_a_column_of_figures_does_not_make_it_text():
    # Smith's table of wheat prices: "—" where a year has no shillings or pence.
    ast = _ast("| Year | s. | d. |\n|---|---|---|\n| 1202 | 12 | — |\n| 1205 | — | 4 |\n| 1223 | — | — |\n")
    set_tables(ast["blocks"])
    assert [s[0]["t"] for s in ast["blocks"][0]["c"][2]] == ["AlignRight"] * 3


def test_a_heading_over_several_columns_is_centred_over_them():
    grid = ("+------+------+------+\n|      | Price       |\n+------+------+------+\n| Year | s.   | d.   |\n"
            "+======+======+======+\n| 1202 | 12   | 4    |\n+------+------+------+\n| 1205 | 13   | 5    |\n"
            "+------+------+------+\n")
    ast = _ast(grid)
    set_tables(ast["blocks"])
    html = _html(ast)
    assert '<th colspan="2" style="text-align: center;">Price</th>' in html, html


def test_a_table_too_wide_only_for_one_long_word_breaks_the_word_instead_of_turning():
    name = "HARBOUR_LEDGER_TOTALS_BY_QUAY_AND_YEAR_IN_PENCE_SINCE_THE_ORDINANCE_OF_1640"
    html = _html(_ast(f"| Setting | Value |\n|---|---|\n| `{name}` | on |\n| `rate` | 4 |\n"))
    fitted = fit_tables(html, 27.8, page_em=46.0)
    assert "turned" not in fitted and "break-words" in fitted
