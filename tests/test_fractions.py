"""Vulgar fractions are set from the text face's own figures (typography.py): `large` (Adam
Smith) writes ⅘ ⅙ ⅑, which EB Garamond lacks; they were drawn from the system's DejaVu
Serif, a font the book does not ship, and `glyph-missing` stopped the build."""

from __future__ import annotations

import subprocess

from conftest import make_book

from octavo.build import build
from octavo.typography import localize

TEXT = "# One\n\nRent of ⅘ of the land, ⅙ and ⅑ and ½ and 2¾ bushels; ⅕ more.\n"


def test_a_fraction_becomes_its_figures_in_a_fraction_span():
    para = localize([{"t": "Para", "c": [{"t": "Str", "c": "2¾lb"}]}], "en")[0]
    pieces = para["c"][0]["c"][1]
    assert pieces == [{"t": "Str", "c": "2"},
                      {"t": "Span", "c": [["", ["fraction"], []], [{"t": "Str", "c": "3\u20444"}]]},
                      {"t": "Str", "c": "lb"}]


def test_fractions_the_font_lacks_are_drawn_in_the_book_face(tmp_path):
    book = make_book(tmp_path / "book", 'title: "Fractions"\nauthor: "A. B."\n', {"manuscript/01-one.md": TEXT})
    report = build(book, formats=("pdf", "epub"), out_dir=tmp_path / "out")
    assert not [d for d in report.diagnostics if d.rule == "glyph-missing"]
    fonts = subprocess.run(["pdffonts", str(report.outputs["pdf"])], capture_output=True, text=True,
                           check=True).stdout
    faces = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]}
    assert faces == {"EB-Garamond", "EB-Garamond-Italic"}, faces  # no DejaVu, no fallback face
    text = subprocess.run(["pdftotext", str(report.outputs["pdf"]), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "4\u20445 of the land" in text and "2" + "3\u20444 bushels" in text
