"""The manuscript checker: fixture books with one problem each, exact positions, the sample's slips."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from octavo.checks import RULES, Diagnostic, check_book, summary, to_json
from octavo.checks.scan import auto_identifier, scan
from octavo.config import load_book
from octavo.errors import OctavoError
from octavo.manuscript import read_manuscript

ROOT = Path(__file__).resolve().parents[1]
BAD = Path(__file__).parent / "fixtures" / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if (p / "expected.txt").is_file())


def check_dir(root: Path, **kwargs) -> list[Diagnostic]:
    book = load_book(root)
    return check_book(book, read_manuscript(book), **kwargs)


def check_text(tmp_path: Path, text: str, *, yaml: str = 'title: "T"\n', files: dict[str, str] | None = None,
               **kwargs) -> list[Diagnostic]:
    """Check a one-chapter book whose chapter is `text`; paths shown relative to the book."""
    (tmp_path / "book.yaml").write_text(yaml, encoding="utf-8")
    (tmp_path / "manuscript").mkdir(exist_ok=True)
    (tmp_path / "manuscript" / "01-a.md").write_text(text, encoding="utf-8")
    for name, content in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        return check_dir(tmp_path, **kwargs)
    finally:
        os.chdir(cwd)


def where(diagnostics: list[Diagnostic], rule: str | None = None) -> list[tuple[int, int, str]]:
    return [(d.line, d.column, d.rule) for d in diagnostics if rule is None or d.rule == rule]


# --- the fixture corpus ----------------------------------------------------------------------

def test_corpus_is_large_and_covers_every_rule():
    assert len(CASES) >= 20
    covered = set()
    for case in CASES:
        for line in (BAD / case / "expected.txt").read_text(encoding="utf-8").splitlines():
            covered.add(line.rsplit("[", 1)[1].rstrip("]"))
    assert not set(RULES) - covered, f"rules without a fixture: {set(RULES) - covered}"


@pytest.mark.parametrize("case", CASES)
def test_fixture(case, monkeypatch):
    folder = BAD / case
    monkeypatch.chdir(folder)
    expected = (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
    try:
        found = [str(d) for d in check_dir(Path("."))]
    except OctavoError as exc:  # a case whose book.yaml or chapter cannot even be read
        found = [str(exc)]
    assert found == expected


# --- exact positions ---------------------------------------------------------------------------

def test_columns_count_characters_not_bytes(tmp_path):
    # 'Zhōu Ēnlái' and the em dash are multi-byte in UTF-8; the 𝄞 is outside the BMP.
    text = "# Zhōu\n\nÉcrit — par Zhōu 𝄞 on on the quay.\n"
    found = check_text(tmp_path, text, files={"manuscript/words.txt": "Zhōu\nÉcrit\n"})
    # the second 'on' is the 23rd character (and the 30th byte) of the line; the 𝄞 (which
    # EB Garamond lacks) is the 18th, one column although two UTF-16 units and four bytes
    assert where(found) == [(3, 18, "glyph-missing"), (3, 23, "doubled-word")]
    line = text.splitlines()[2]
    assert line[23 - 1:].startswith("on the") and line.encode().index(b"on the") + 1 == 30


def test_problem_inside_a_footnote_definition(tmp_path):
    text = "# Title\n\nThe boats came in.[^1]\n\n[^1]: See the the harbour log.\n"
    assert where(check_text(tmp_path, text)) == [(5, 15, "doubled-word")]


def test_problem_in_a_footnote_continuation_line(tmp_path):
    text = "# Title\n\nThe boats came in.[^1]\n\n[^1]: See the harbour log.\n\n    It says:  nothing.\n"
    assert where(check_text(tmp_path, text)) == [(7, 13, "two-spaces")]


def test_problem_inside_a_block_quote(tmp_path):
    text = "# Title\n\n> The boats came in.\n> > The nets were  full.\n"
    assert where(check_text(tmp_path, text)) == [(4, 18, "two-spaces")]


def test_problem_after_a_footnote_call_and_a_link(tmp_path):
    text = "# Title\n\n## Quay\n\nThe [boats](#quay) came.[^1] in at dawn.\n\n[^1]: Log.\n"
    assert where(check_text(tmp_path, text)) == [(5, 24, "lowercase-after-sentence")]


def test_crlf_and_bom_do_not_shift_positions(tmp_path):
    (tmp_path / "book.yaml").write_text('title: "T"\n', encoding="utf-8")
    (tmp_path / "manuscript").mkdir()
    (tmp_path / "manuscript" / "01-a.md").write_bytes(
        "\ufeff# Title\r\n\r\nThe boats came in at at dawn.\r\n".encode("utf-8"))
    assert where(check_dir(tmp_path)) == [(3, 22, "doubled-word")]


def test_list_item_positions(tmp_path):
    text = "# Title\n\n1.  The boats came in ,\n2.  the nets were full.\n"
    # the list markers are not sentence ends; the stray space before the comma is a problem
    assert where(check_text(tmp_path, text)) == [(3, 22, "space-before-punctuation")]


# --- what is not prose ---------------------------------------------------------------------------

def test_code_urls_attributes_and_comments_are_not_checked(tmp_path):
    text = ("# Title {#top}\n\n"
            "Run `octavo  chek ,on on` now.\n\n"
            "```\nteh  boats ,, on on...\n```\n\n"
            "    indented  code teh teh\n\n"
            "See <https://example.com/a--b...c> and https://example.org/x,,y and [the top](#top).\n\n"
            "<!-- a note to self: teh  TODO -->\n\n"
            "![A quay](q.png){width=1in}\n\n"
            "| Left   | Right  |\n|--------|--------|\n| one    | two    |\n")
    from PIL import Image

    (tmp_path / "manuscript").mkdir(exist_ok=True)
    Image.new("L", (300, 10)).save(tmp_path / "manuscript" / "q.png")
    assert check_text(tmp_path, text) == []


def test_abbreviations_do_not_end_sentences(tmp_path):
    text = ("# Title\n\nTools, e.g. nets, i.e. lines, etc. and more. Mr. and Mrs. Lee saw it, cf. the log, "
            "vs. the chart, see p. 12 and vol. ii of the book.\n")
    assert where(check_text(tmp_path, text, files={"manuscript/words.txt": "Lee\n"})) == []


def test_page_lists_are_not_split_numbers(tmp_path):
    text = "# Title\n\nSee pp. 204, 205 and §§ 19, 312 and pages 100, 101.\n"
    assert check_text(tmp_path, text) == []


# --- footnotes, links, structure ---------------------------------------------------------------------

def test_labels_restart_in_every_chapter(tmp_path):
    (tmp_path / "manuscript").mkdir()
    (tmp_path / "manuscript" / "02-b.md").write_text("# Two\n\nA call.[^1]\n\n[^1]: Its note.\n", encoding="utf-8")
    found = check_text(tmp_path, "# One\n\nA call.[^1]\n")
    assert [(d.path, d.line, d.column, d.rule) for d in found] == [
        (str(Path("manuscript/01-a.md")), 3, 8, "footnote-undefined")]


def test_inline_notes_count_as_footnotes(tmp_path):
    text = "# Title\n\nThe boats.^[As the log says.] The nets (3) were full.[4]\n"
    # '(3)' after a space reads as an enumeration; '[4]' glued to the sentence is a typed note number
    assert where(check_text(tmp_path, text)) == [(3, 54, "note-marker")]


def test_explicit_ids_and_spans_are_link_targets(tmp_path):
    text = ("# Title\n\n## Quay {#the-quay}\n\nA [marked]{#mark} word.\n\n::: {#box}\nText.\n:::\n\n"
            "See [1](#the-quay), [2](#mark), [3](#box), [4](#title) and [5](#quay).\n")
    assert where(check_text(tmp_path, text)) == [(11, 64, "link-target")]


def test_heading_ids_match_pandoc():
    from octavo.tools import find_pandoc

    headings = ["Maoist economics 1.0, the Great Leap Forward", "A -- B --- C... and \"quotes\" 'single'",
                "*Emph* and `code_x` and snake_case and _under_", "[Link](http://x.com) and ![alt](y.png)",
                "1984: Orwell's Ch’aoying Café — über", "123", "Escaped \\* star &amp; <b>bold</b>",
                "¿Qué pasa? Ñandú", "Dots. In. Heading.", "I: Of the Division of Labour[^1]",
                "Another^[inline note] x", "x² and ½", "Title with [span]{.sc} here"]
    markdown = "\n\n".join(f"# {h}" for h in headings) + "\n\n[^1]: n\n"
    out = subprocess.run([find_pandoc().path, "-f", "markdown+smart", "-t", "json"], input=markdown,
                         capture_output=True, text=True, check=True).stdout
    pandoc_ids = [b["c"][1][0] for b in json.loads(out)["blocks"] if b["t"] == "Header"]
    assert [auto_identifier(h) for h in headings] == pandoc_ids


def test_duplicate_auto_ids_in_one_chapter_are_numbered_like_pandoc():
    ids = [h.id for h in scan("# Same\n\n## Same\n\n## Same\n").headings]
    assert ids == ["same", "same-1", "same-2"]


def test_image_width_attribute_changes_the_needed_pixels(tmp_path):
    from PIL import Image

    (tmp_path / "manuscript").mkdir()
    Image.new("L", (600, 10)).save(tmp_path / "manuscript" / "p.png")
    text = "# T\n\n![A](p.png)\n\n![B](p.png){width=2in}\n\n![C](p.png){width=45%}\n\n![D](p.png){width=6cm}\n"
    found = check_text(tmp_path, text)
    assert where(found) == [(3, 1, "image-resolution"), (9, 1, "image-resolution")]
    # 6x9 (the default trim): the text block is 4.44 in wide, 1332 px at 300 dpi.
    assert "needs 1332 px" in found[0].message and "needs 709 px" in found[1].message


@pytest.mark.parametrize("trim, width, needed", [("5x8", "3.65", 1095), ("6x9", "4.44", 1332),
                                                  ("8.5x11", "6.29", 1887)])
def test_image_without_width_prints_at_the_text_width_of_the_trim(tmp_path, trim, width, needed):
    # The pixels a full-width picture needs follow the trim's text block (pagesetup.text_width),
    # not one fixed width for every book: a 1200 px picture is enough for 5x8, not for 8.5x11.
    from PIL import Image

    from octavo.pagesetup import text_width

    (tmp_path / "manuscript").mkdir()
    Image.new("L", (1200, 10)).save(tmp_path / "manuscript" / "p.png")
    found = check_text(tmp_path, "# T\n\n![A](p.png)\n\n![B](p.png){width=50%}\n", yaml=f'title: "T"\ntrim: "{trim}"\n')
    assert f"{text_width(load_book(tmp_path)):.2f}" == width
    wanted = [(3, 1, "image-resolution")] if needed > 1200 else []
    assert where(found) == wanted
    if wanted:
        assert f"at the text width ({width} in)" in found[0].message and f"needs {needed} px" in found[0].message


def test_images_outside_the_project(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    (tmp_path / "secret.png").write_bytes(b"x")
    text = "# T\n\n![A](/etc/passwd) ![B](../../secret.png) ![C](file:///etc/hosts)\n"
    found = check_text(book, text)
    assert where(found) == [(3, 6, "image-outside"), (3, 24, "image-outside"), (3, 47, "image-outside")]


def test_remote_images_when_book_yaml_allows_them(tmp_path):
    text = "# T\n\n![A quay](https://example.com/q.png)\n"
    assert where(check_text(tmp_path, text)) == [(3, 11, "image-remote")]
    assert check_text(tmp_path, text, yaml='title: "T"\nresources:\n  remote: true\n') == []


# --- spelling -------------------------------------------------------------------------------------

def test_word_list_beside_book_yaml_and_possessives(tmp_path):
    text = "# Title\n\nOduya’s boats and the Oduyas reached Tembe’s harbour.\n"
    assert check_text(tmp_path, text, files={"words.txt": "# names\nOduya\nTembe\n"}) == []


def test_british_spelling_in_en_gb_and_american_in_en_us(tmp_path):
    text = "# Title\n\nThe colour of the harbour was recognised by the labourers.\n"
    assert check_text(tmp_path, text, yaml='title: "T"\nlanguage: en-GB\n') == []
    found = check_text(tmp_path, text, yaml='title: "T"\nlanguage: en-US\n')
    assert [d.message.split("'")[1] for d in found] == ["colour", "harbour", "recognised", "labourers"]


def test_foreign_passages_use_their_own_dictionary(tmp_path):
    text = "# Title\n\nShe said [merci beaucoup]{lang=fr} and [mrci]{lang=fr}.\n"
    assert where(check_text(tmp_path, text)) == [(3, 41, "spelling")]


def test_spelling_skips_acronyms_numbers_and_roman_numerals(tmp_path):
    text = "# Title\n\nThe USSR and NATO sent 3rd-class B52s in the 1950s, see vol. iii and Book IV.\n"
    assert check_text(tmp_path, text) == []


FRENCH = 'title: "T"\nlanguage: fr\n'


def test_french_elisions_and_inflected_forms_are_words(tmp_path):
    # elided articles and conjunctions with ' and ’; literary tenses and rarer verb forms
    # that pyspellchecker's frequency list lacks (eût, eussent, trottinait, voletaient)
    text = ("# Titre\n\nD'abord, jusqu'à l’aube, lorsqu'il eut l'aide d’un ami, qu'elle eût voulu "
            "qu’ils eussent vu : la chienne trottinait, les oiseaux voletaient, aujourd'hui comme hier.\n")
    assert where(check_text(tmp_path, text, yaml=FRENCH), "spelling") == []


def test_french_misspellings_are_still_found(tmp_path):
    # 'beaucoups', 'parmis', 'malgrés' are the classic French slips; a rule that strips
    # endings to find a known word (beaucoup + s) would let them through
    text = "# Titre\n\nIl y avait beaucoups de monde parmis eux, malgrés la pluie, et il mangait.\n"
    found = [d.message.split("'")[1] for d in check_text(tmp_path, text, yaml=FRENCH) if d.rule == "spelling"]
    assert found == ["beaucoups", "parmis", "malgrés", "mangait"]


def test_hyphenated_compounds_are_checked_part_by_part(tmp_path):
    text = "# Titel\n\nDie Donau-Dampfschiff-Gesellschaft fuhr nach Wien-Umgebung, nicht nach Wein-Umgbeung.\n"
    found = [d.message.split("'")[1] for d in check_text(tmp_path, text, yaml='title: "T"\nlanguage: de\n')
             if d.rule == "spelling"]
    assert found == ["Umgbeung"]


def test_a_compound_in_the_word_list_covers_its_parts(tmp_path):
    text = "# Titre\n\nLe baron de Thunder-ten-tronckh enseignait la métaphysico-théologo-cosmolo-nigologie.\n"
    words = {"manuscript/words.txt": "Thunder-ten-tronckh\nmétaphysico-théologo-cosmolo-nigologie\n"}
    assert check_text(tmp_path, text, yaml=FRENCH, files=words) == []


def test_names_used_in_mid_sentence_are_listed_once_not_reported_as_misspellings(tmp_path):
    text = ("# Titre\n\nLe soir, Lison tricotait. On appelait Lison pour le dîner.\n\n"
            "Lison se leva. Jeanne vit Alberte.\n")
    found = check_text(tmp_path, text, yaml=FRENCH)
    assert where(found) == [(3, 10, "spelling-names"), (5, 27, "spelling")]
    assert "'Lison' (3 times)" in found[0].message and "'Alberte'" in found[1].message


@pytest.mark.parametrize("text, why", [
    ("# T\n\nGoverment. Goverment. The Goverment fell.\n", "only one use in mid-sentence"),
    ("# T\n\nThe Goverment fell; the goverment rose; the Goverment sat.\n", "also written in lower case"),
])
def test_what_is_not_taken_for_a_name(tmp_path, text, why):
    found = check_text(tmp_path, text)
    assert {d.rule for d in found} == {"spelling"}, why


def test_german_capitals_do_not_make_names(tmp_path):
    # every German noun is capitalised: a misspelled noun used twice is still misspelled
    text = "# Titel\n\nDie Maschiene lief. Er sah die Maschiene und die Maschiene stand.\n"
    found = check_text(tmp_path, text, yaml='title: "T"\nlanguage: de\n')
    assert [d.rule for d in found] == ["spelling"] * 3


# --- the interface -----------------------------------------------------------------------------------

def test_disabled_rules_are_not_reported(tmp_path):
    text = "# Title\n\nThe boats  came in at at dawn.\n"
    assert {d.rule for d in check_text(tmp_path, text)} == {"two-spaces", "doubled-word"}
    assert {d.rule for d in check_text(tmp_path, text, disabled={"two-spaces"})} == {"doubled-word"}


def test_diagnostic_format_sorting_summary_and_json():
    a = Diagnostic("m/02-b.md", 3, 4, "warning", "two spaces", "two-spaces")
    b = Diagnostic("m/01-a.md", 10, 2, "error", "no note", "footnote-undefined")
    c = Diagnostic("m/01-a.md", 9, 30, "info", "dash", "typography")
    assert str(a) == "m/02-b.md:3:4: warning: two spaces [two-spaces]"
    assert sorted([a, b, c]) == [c, b, a]
    assert summary([a, b, c]) == "1 error, 1 warning, 1 note in 2 files"
    assert summary([a, a]) == "2 warnings in 1 file"
    assert summary([], files=2) == "no problems found in 2 files"
    data = json.loads(to_json([a, b, c]))
    assert data["counts"] == {"error": 1, "warning": 1, "info": 1}
    assert data["diagnostics"][0] == {"path": "m/01-a.md", "line": 9, "column": 30, "severity": "info",
                                      "message": "dash", "rule": "typography"}


def test_rule_catalogue():
    for rule, (severity, description) in RULES.items():
        assert severity in ("error", "warning", "info") and description and rule == rule.lower()


def test_check_never_writes_the_manuscript(tmp_path):
    text = "# Title\n\nThe boats  came in at at dawn.[^1]\n"
    path = tmp_path / "manuscript" / "01-a.md"
    check_text(tmp_path, text)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    check_dir(tmp_path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


# --- the sample book ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample():
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return check_dir(ROOT)
    finally:
        os.chdir(cwd)


def _lines_of(path: str) -> list[str]:
    return (ROOT / path).read_text(encoding="utf-8").split("\n")


def _at(d: Diagnostic, length: int) -> str:
    return _lines_of(d.path)[d.line - 1][d.column - 1:d.column - 1 + length]


def test_sample_placeholder_notes_are_warnings(sample):
    notes = [d for d in sample if d.rule == "footnote-placeholder"]
    assert len(notes) == 36
    assert all(d.severity == "warning" and _at(d, 12) == "not supplied" for d in notes)


def test_sample_slips_are_found(sample):
    chapter2 = "manuscript/02-great-leap.md"
    found = {(d.rule, _at(d, 12)) for d in sample if d.path == chapter2}
    assert ("doubled-word", "on the basis") in found
    assert ("split-number", "10, 559 peas") in found
    assert ("lowercase-after-sentence", ". and a numb") in found
    assert ("doubled-punctuation", ".. The manag") in found
    words = {d.message.split("'")[1] for d in sample if d.rule == "spelling"}
    assert {"foorting", "transfered", "disasterous", "Abut", "amature", "reoccurs"} <= words
    runs = [d for d in sample if d.rule == "two-spaces"]
    assert len(runs) >= 15 and all(_at(d, 2) in ("\u00a0 ", "  ") for d in runs)
    assert any(d.path.endswith("01-from-great-leap-to-flying-leap.md") for d in runs)


def test_sample_names_in_the_word_list_are_not_reported(sample):
    listed = {w.strip().lower() for w in (ROOT / "manuscript" / "words.txt").read_text(encoding="utf-8").splitlines()
              if w.strip() and not w.startswith("#")}
    reported = {d.message.split("'")[1].lower() for d in sample if d.rule == "spelling"}
    assert not listed & reported
    assert not {"foorting", "transfered", "disasterous", "abut", "amature", "reoccurs"} & listed


def test_sample_has_no_errors(sample):
    assert [d for d in sample if d.severity == "error"] == []


# --- robustness -----------------------------------------------------------------------------------

PIECES = ["#", "## ", " ", "  ", "\n", "\n\n", "> ", "- ", "1. ", "*", "_", "`", "```", "~~~", "[", "]", "(", ")",
          "{", "}", "^[", "[^1]", "[^1]: ", "![", "](", "http://x.y", "<", ">", "<!--", "-->", "$", "\\", "| ",
          "---", "...", "--", ":::", "word", "on on", "é", "𝄞", "\u00a0", "\t", "    ", ".", ",", "?", "\"", "'",
          "“", "’", "10, 559", "&amp;", "@key", "{#id}", "{width=50%}", "===", "+---+", "[x]{lang=fr}", "#id",
          "x.md#a", "|---|---|"]


def test_arbitrary_markdown_never_crashes_the_checker(tmp_path):
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import strategies as st

    from octavo.manuscript import Chapter, Manuscript

    (tmp_path / "book.yaml").write_text('title: "T"\n', encoding="utf-8")
    (tmp_path / "manuscript").mkdir()
    book = load_book(tmp_path)

    @hypothesis.settings(max_examples=150, deadline=None, derandomize=True)
    @hypothesis.given(st.lists(st.sampled_from(PIECES), max_size=60))
    def run(pieces):
        text = "".join(pieces)
        chapter = Chapter(1, tmp_path / "manuscript" / "01-a.md", "manuscript/01-a.md", "a", text, "")
        lines = text.split("\n")
        for d in check_book(book, Manuscript((chapter,))):
            assert 1 <= d.line <= max(1, len(lines))
            assert 1 <= d.column <= len(lines[d.line - 1]) + 1 or d.rule == "chapter-empty"
            assert d.rule in RULES and d.severity == RULES[d.rule][0]

    run()


@pytest.mark.parametrize("language, text, expected", [
    ("fr", "Nous nous levons tôt, et vous vous trompez.", []),
    ("de", "Das Haus, das das Dorf überragt, ist alt.", []),
    ("fr", "Il est parti parti hier.", [(3, 14, "doubled-word")]),  # a real slip is still found
    ("en", "We know that vous vous is French.", [(3, 19, "doubled-word")]),  # not in an English book
])
def test_doubled_words_that_the_language_allows(tmp_path, language, text, expected):
    found = check_text(tmp_path, f"# T\n\n{text}\n", yaml=f'title: "T"\nlanguage: "{language}"\n',
                       disabled={"spelling"})
    assert where(found, "doubled-word") == expected
