"""TeX math (issue 14, point 6): MathML in the EPUB, drawn formulas in the PDF."""

from __future__ import annotations

import re
import zipfile

import pdfplumber
import pytest

from conftest import make_book

from octavo.build import build
from octavo.mathsvg import formula_html

CHAPTER = r"""# Motion

The energy of a body at rest is $E = mc^2$, a result that surprised its author.

$$\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2}$$

The integral above is Gauss's.
"""


def test_a_formula_becomes_an_svg_on_the_baseline_with_its_tex_as_name():
    html = formula_html(r"\frac{a}{b}", display=False)
    assert html.startswith('<span class="math inline"><svg') and 'aria-label="\\frac{a}{b}"' in html
    assert re.search(r"vertical-align: -[\d.]+em", html) and "<path" in html


def test_tex_that_cannot_be_read_is_printed_as_tex():
    assert formula_html(r"\frac{", display=True).startswith('<code class="math display">')


@pytest.mark.slow
def test_math_in_both_editions(tmp_path):
    book = make_book(tmp_path / "book", 'title: "Motion"\n', {"manuscript/01-motion.md": CHAPTER})
    report = build(book, formats=("pdf", "epub"), out_dir=tmp_path / "out", check=False)
    with zipfile.ZipFile(report.outputs["epub"]) as epub:
        text = epub.read("EPUB/text/ch001.xhtml").decode()
    assert text.count("<math") == 2
    from validators import epubcheck_problems

    assert epubcheck_problems(report.outputs["epub"]) == []
    with pdfplumber.open(report.outputs["pdf"]) as pdf:
        page = next(p for p in pdf.pages if "Gauss" in (p.extract_text() or ""))
        words = page.extract_text()
        assert "\\int" not in words and "\\frac" not in words and "mc^2" not in words
        assert len(page.curves) + len(page.rects) + len(page.lines) > 5  # the formulas' outlines


def test_a_formula_that_cannot_be_drawn_is_named_at_its_line(caplog) -> None:
    from octavo.mathsvg import math_as_svg
    from octavo.pandoc import _where

    class _Chapter:  # what _where reads of a chapter
        display = "manuscript/01-a.md"
        text = "# A\n\nFirst line.\n\nThe sum $x^{$ is broken.\n"

    ast = [{"t": "Para", "c": [{"t": "Math", "c": [{"t": "InlineMath"}, "x^{"]}]}]
    with caplog.at_level("WARNING"):
        math_as_svg(ast, lambda tex: _where(_Chapter, tex))
    assert "manuscript/01-a.md:5:10: warning: the formula 'x^{' could not be drawn" in caplog.text
    assert caplog.text.rstrip().endswith("[math]")
