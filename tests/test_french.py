"""A real French text (issue 9, acceptance 6): the checker reads French as French (elisions,
the spaces before : ; ! ?, running on after ? and !), and the print edition sets « » and
never starts a line with : ; ! or ?. The texts are Voltaire's and Zola's (SOURCE.md)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pytest

from conftest import make_book
from octavo.build import build
from octavo.checks import check_book
from octavo.checks.spelling import read_word_list
from octavo.config import load_book
from octavo.manuscript import read_manuscript

FRENCH = Path(__file__).parent / "fixtures" / "french"


def _check_french(monkeypatch, root: Path):
    monkeypatch.chdir(root)
    book = load_book(Path("."))
    manuscript = read_manuscript(book)
    words = sum(len(re.findall(r"\w+(?:['’]\w+)*", c.text)) for c in manuscript.chapters)
    return words, check_book(book, manuscript)


def test_fewer_than_one_spelling_warning_per_500_words(monkeypatch):
    words, found = _check_french(monkeypatch, FRENCH)
    spelling = [d for d in found if d.rule == "spelling"]
    assert words > 1500
    assert len(spelling) / words * 500 < 1, [str(d) for d in spelling]
    assert not [d for d in found if d.rule in ("space-before-punctuation", "lowercase-after-sentence")]


def test_without_the_word_list_only_names_and_rare_terms_are_reported(monkeypatch, tmp_path):
    """The word list holds only what a writer would put there (names, Voltaire's coinage,
    the mine's trades): without it the checker reports exactly those, and no common French
    word, elision or verb form; names used in mid-sentence are listed once per chapter."""
    listed = read_word_list(FRENCH / "manuscript" / "words.txt")
    shutil.copytree(FRENCH, tmp_path / "book", ignore=shutil.ignore_patterns("words.txt"))
    _, found = _check_french(monkeypatch, tmp_path / "book")
    reported = {d.message.split("'")[1] for d in found if d.rule == "spelling"}
    named = {name for d in found if d.rule == "spelling-names" for name in re.findall(r"'([^']+)'", d.message)}
    parts = {part for entry in listed for part in entry.split("-")}
    assert reported <= parts, reported - parts  # nothing but the listed words
    needed = reported | named
    assert [e for e in listed if e not in needed and not set(e.split("-")) <= needed] == []  # no padding


def _print_lines(book: Path, out: Path) -> list[str]:
    report = build(book, formats=("pdf",), out_dir=out, check=False)
    with pdfplumber.open(report.outputs["pdf"]) as pdf:
        return [line["text"] for page in pdf.pages for line in page.extract_text_lines()]


def _badly_broken(lines: list[str]) -> list[str]:
    """Lines that start with a mark French keeps on the line before, or end with «."""
    return [line for line in lines if line.lstrip()[:1] in (":", ";", "!", "?", "»") or line.rstrip().endswith("«")]


@pytest.mark.slow
def test_the_print_edition_sets_french_quotes_and_spaces(tmp_path):
    lines = _print_lines(FRENCH, tmp_path / "out")
    text = "\n".join(lines)
    assert "«" in text and "»" in text and "“" not in text  # "Il est démontré…" is quoted
    assert _badly_broken(lines) == []


#: Dialogue as French writers type it: guillemets with plain spaces or none, ? and ! against
#: the word or after a plain space, italics before a mark. Words of many lengths, so that
#: the lines break in many places.
_DIALOGUE = [
    "« Tu viens{i} ? » demanda{j} le père ; «{w}» répondit l'enfant : « Non ! »",
    "Il relut *Candide*? puis *Zadig*! et dit : « Encore{i}?! » ; la mère rit{j}.",
    "« Pourquoi{w} ? » — « Parce que ! » ; on se tut, et l'on attendit{i} : rien.",
]


@pytest.mark.slow
def test_typed_guillemets_and_marks_never_start_or_end_a_line(tmp_path):
    words = ["a", "oui", "vraiment", "certainement", "là", "jamais", "toujours", "bien", "encore"]
    paragraphs = []
    for n in range(60):
        sentence = _DIALOGUE[n % 3].format(i="".join(" " + w for w in words[: n % 7]),
                                           j=" " + words[n % 9] if n % 2 else "", w=words[(n * 5) % 9])
        paragraphs.append(" ".join([sentence] * 3))
    book = make_book(tmp_path / "book", 'title: "Dialogues"\nlanguage: fr\n',
                     {"manuscript/01-a.md": "# Dialogues\n\n" + "\n\n".join(paragraphs) + "\n"})
    lines = _print_lines(book, tmp_path / "out")
    assert len(lines) > 150
    assert _badly_broken(lines) == []


@pytest.mark.slow
def test_changing_the_language_redoes_the_quotes_of_cached_chapters(tmp_path):
    """The prepared chapters are cached; the book's language is part of their key."""
    import zipfile

    def quotes_in_epub(language: str) -> str:
        (book / "book.yaml").write_text(f'title: "Q"\nlanguage: {language}\n', encoding="utf-8")
        report = build(book, formats=("epub",), out_dir=tmp_path / "out", check=False)
        with zipfile.ZipFile(report.outputs["epub"]) as epub:
            text = "".join(epub.read(n).decode() for n in epub.namelist() if n.endswith("ch001.xhtml"))
        return "".join(ch for ch in text if ch in "«»‘’“”„")

    book = make_book(tmp_path / "book", None, {"manuscript/01-a.md": '# Q\n\nShe said "yes".\n'})
    assert quotes_in_epub("en-GB") == "‘’"
    assert quotes_in_epub("fr") == "«»"
    assert quotes_in_epub("de") == "„“"
