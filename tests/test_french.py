"""A real French text (issue 9, acceptance 6): the checker reads French as French (elisions,
the spaces before : ; ! ?, running on after ? and !), and the print edition sets « » and
never starts a line with : ; ! or ?. The texts are Voltaire's and Zola's (SOURCE.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest

from octavo.build import build
from octavo.checks import check_book
from octavo.config import load_book
from octavo.manuscript import read_manuscript

FRENCH = Path(__file__).parent / "fixtures" / "french"


def test_fewer_than_one_spelling_warning_per_500_words(monkeypatch):
    monkeypatch.chdir(FRENCH)
    book = load_book(Path("."))
    manuscript = read_manuscript(book)
    words = sum(len(re.findall(r"\w+", c.text)) for c in manuscript.chapters)
    found = check_book(book, manuscript)
    spelling = [d for d in found if d.rule == "spelling"]
    assert words > 1500
    assert len(spelling) / words * 500 < 1, [str(d) for d in spelling]
    assert not [d for d in found if d.rule in ("space-before-punctuation", "lowercase-after-sentence")]


@pytest.mark.slow
def test_the_print_edition_sets_french_quotes_and_spaces(tmp_path):
    report = build(FRENCH, formats=("pdf",), out_dir=tmp_path / "out", check=False)
    with pdfplumber.open(report.outputs["pdf"]) as pdf:
        lines = [line["text"] for page in pdf.pages for line in page.extract_text_lines()]
    text = "\n".join(lines)
    assert "«" in text and "»" in text and "“" not in text  # "Il est démontré…" is quoted
    starts = [line for line in lines if line.lstrip()[:1] in (":", ";", "!", "?", "»")]
    assert starts == []
