"""The pandoc stage: chapters parsed one by one, book-unique heading ids, clean heading titles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from octavo.config import load_book
from octavo.errors import ToolError
from octavo.manuscript import read_manuscript
from octavo.pandoc import ChapterDoc, parse_chapter, prepare_chapters, stringify, walk_blocks, walk_inlines
from octavo.tools import find_pandoc


@pytest.fixture(scope="module")
def pandoc():
    try:
        return find_pandoc()
    except ToolError as exc:
        pytest.skip(f"pandoc is not available: {exc}")


def prepare(pandoc, root: Path, files: dict[str, str]) -> list[ChapterDoc]:
    root.mkdir(parents=True, exist_ok=True)
    (root / "book.yaml").write_text("title: Test Book\n", encoding="utf-8")
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    manuscript = read_manuscript(load_book(root))
    return prepare_chapters([(chapter, parse_chapter(pandoc, chapter)) for chapter in manuscript.chapters])


def note_texts(doc: ChapterDoc) -> list[str]:
    return [stringify(_note_inlines(node)) for node in walk_inlines(doc.ast["blocks"]) if node["t"] == "Note"]


def _note_inlines(note: dict) -> list:
    return [inline for block in note["c"] for inline in block["c"]]


def headers(doc: ChapterDoc) -> list[tuple[int, str, dict[str, str]]]:
    return [(b["c"][0], b["c"][1][0], dict(b["c"][1][2])) for b in walk_blocks(doc.ast["blocks"]) if b["t"] == "Header"]


def link_targets(doc: ChapterDoc) -> list[str]:
    return [node["c"][2][0] for node in walk_inlines(doc.ast["blocks"]) if node["t"] == "Link"]


def test_same_note_label_in_two_chapters_keeps_each_text(pandoc, tmp_path: Path) -> None:
    docs = prepare(pandoc, tmp_path, {
        "01-one.md": "# One\n\nFirst claim.[^1] Second claim.[^2]\n\n[^1]: Alpha note of chapter one.\n"
                     "[^2]: Gamma note of chapter one.\n",
        "02-two.md": "# Two\n\nAnother claim.[^1]\n\n[^1]: Beta note of chapter two.\n",
    })
    assert [doc.chapter.path.name for doc in docs] == ["01-one.md", "02-two.md"]
    assert note_texts(docs[0]) == ["Alpha note of chapter one.", "Gamma note of chapter one."]
    assert note_texts(docs[1]) == ["Beta note of chapter two."]
    first, second = json.dumps(docs[0].ast), json.dumps(docs[1].ast)
    assert "Beta" not in first
    assert "Alpha" not in second and "Gamma" not in second


def test_duplicate_headings_get_unique_ids_and_links_follow(pandoc, tmp_path: Path) -> None:
    docs = prepare(pandoc, tmp_path, {
        "01-first.md": "# Introduction\n\nSee [here](#introduction) and [out](https://example.org/#introduction).\n",
        "02-second.md": "# Introduction\n\nBack to [the start](#introduction).[^1]\n\n## Details\n\n"
                        "[^1]: Also [in a note](#introduction).\n",
        "03-third.md": "# Introduction\n\n## Details\n\nSee [details](#details).\n",
    })
    assert headers(docs[0])[0][1] == "introduction"
    assert [h[1] for h in headers(docs[1])] == ["second-introduction", "details"]
    assert [h[1] for h in headers(docs[2])] == ["third-introduction", "third-details"]
    # Links inside each chapter follow its own renamed heading; external URLs are untouched.
    assert link_targets(docs[0]) == ["#introduction", "https://example.org/#introduction"]
    assert link_targets(docs[1]) == ["#second-introduction", "#second-introduction"]
    assert link_targets(docs[2]) == ["#third-details"]
    # The collected headings agree with the AST.
    assert [(h.level, h.id, h.title) for h in docs[1].headings] == [
        (1, "second-introduction", "Introduction"), (2, "details", "Details")]
    all_ids = [h.id for doc in docs for h in doc.headings]
    assert len(all_ids) == len(set(all_ids)) == 5


def test_slug_prefixed_id_collision_gets_a_number(pandoc, tmp_path: Path) -> None:
    root = tmp_path / "book"
    (root / "manuscript").mkdir(parents=True)
    (root / "book.yaml").write_text("title: T\nchapters:\n  - a/01-part.md\n  - b/02-part.md\n  - c/03-part.md\n")
    for folder, number in (("a", "01"), ("b", "02"), ("c", "03")):
        (root / folder).mkdir()
        (root / folder / f"{number}-part.md").write_text("# Summary\n", encoding="utf-8")
    manuscript = read_manuscript(load_book(root))
    docs = prepare_chapters([(c, parse_chapter(pandoc, c)) for c in manuscript.chapters])
    assert [doc.headings[0].id for doc in docs] == ["summary", "part-summary", "part-summary-2"]


def test_heading_title_leaves_out_footnote(pandoc, tmp_path: Path) -> None:
    docs = prepare(pandoc, tmp_path, {
        "01-noted.md": "# The *“Great”* Leap[^1]\n\nText.\n\n## Section with a note[^2] inside\n\n"
                       "[^1]: A note in the chapter heading.\n[^2]: A note in a section heading.\n",
    })
    (doc,) = docs
    assert [(h.level, h.title) for h in doc.headings] == [
        (1, "The “Great” Leap"), (2, "Section with a note inside")]
    assert doc.title == "The “Great” Leap"
    # The title is stored on the heading for later stages (TOC, running heads).
    assert [attrs["data-title"] for _, _, attrs in headers(doc)] == ["The “Great” Leap",
                                                                     "Section with a note inside"]
    # ...while the notes themselves stay in the AST.
    assert note_texts(doc) == ["A note in the chapter heading.", "A note in a section heading."]


def test_chapter_without_heading_takes_title_from_file_name(pandoc, tmp_path: Path) -> None:
    (doc,) = prepare(pandoc, tmp_path, {"01-a-quiet-start.md": "Just text, no heading.\n"})
    assert doc.headings == []
    assert doc.title == "A Quiet Start"


def test_stringify_handles_quotes_code_and_links() -> None:
    inlines = [
        {"t": "Quoted", "c": [{"t": "SingleQuote"}, [{"t": "Str", "c": "one"}]]},
        {"t": "Space"},
        {"t": "Code", "c": [["", [], []], "x = 1"]},
        {"t": "SoftBreak"},
        {"t": "Link", "c": [["", [], []], [{"t": "Emph", "c": [{"t": "Str", "c": "two"}]}], ["#a", ""]]},
        {"t": "Note", "c": [{"t": "Para", "c": [{"t": "Str", "c": "hidden"}]}]},
        {"t": "RawInline", "c": ["html", "<br/>"]},
    ]
    assert stringify(inlines) == "‘one’ x = 1 two"


def test_a_note_after_a_long_italic_phrase_does_not_glue_the_phrase() -> None:
    """Found in the large corpus: a call after a long quotation in italics tied the whole
    quotation into one unbreakable run, which ran off the page."""
    from octavo.pandoc import notes_in_flow

    long = {"t": "Emph", "c": [{"t": "Str", "c": "stabilissimusque,"}, {"t": "Space"},
                               {"t": "Str", "c": "minimeque"}, {"t": "Space"}, {"t": "Str", "c": "invidiosus"}]}
    short = {"t": "Emph", "c": [{"t": "Str", "c": "Cato"}]}
    note = {"t": "Note", "c": [{"t": "Para", "c": [{"t": "Str", "c": "A"}]}]}
    out = notes_in_flow([{"t": "Para", "c": [long, note]}])[0]["c"]
    assert out[0] == long and out[1]["t"] == "Span" and out[1]["c"][1][0]["c"][0][1] == ["footnote"]
    out = notes_in_flow([{"t": "Para", "c": [short, note]}])[0]["c"]
    assert len(out) == 1 and out[0]["c"][1][0] == short  # a short styled word stays with its call


# --- quotation marks and French spacing (octavo.typography, applied in prepare_chapter) ------------

def localized(pandoc, tmp_path: Path, text: str, language: str) -> str:
    """`text` as a chapter in a book in `language`, back as plain text; U+202F shows as
    '⍽' and U+00A0 as '~'."""
    import subprocess

    from octavo.pandoc import prepare_chapter, to_json

    root = tmp_path / language
    root.mkdir(parents=True, exist_ok=True)
    (root / "book.yaml").write_text(f"title: T\nlanguage: {language}\n", encoding="utf-8")
    (root / "01-a.md").write_text(f"# T\n\n{text}\n", encoding="utf-8")
    chapter = read_manuscript(load_book(root)).chapters[0]
    doc = prepare_chapter(chapter, parse_chapter(pandoc, chapter), set(), language)
    ast = {**doc.ast, "blocks": doc.ast["blocks"][1:]}
    plain = subprocess.run([pandoc.path, "--from", "json", "--to", "plain", "--wrap=none"], input=to_json(ast),
                           capture_output=True, text=True, check=True).stdout.strip()
    return plain.replace("\u202f", "⍽").replace("\u00a0", "~")


@pytest.mark.parametrize("language, text, expected", [
    # the nesting decides the marks, whichever quote the writer typed
    ("en-GB", "'Hello \"there\" she said'", "‘Hello “there” she said’"),
    ("en-GB", "\"Hello 'there' she said\"", "‘Hello “there” she said’"),
    ("en-US", "'Hello \"there\" she said'", "“Hello ‘there’ she said”"),
    ("en", "\"a 'b \"c\" d' e\"", "“a ‘b “c” d’ e”"),
    ("de", "\"Er sagte 'nein' dort\"", "„Er sagte ‚nein‘ dort“"),
    ("de-CH", "\"Er sagte 'nein'\"", "«Er sagte ‹nein›»"),
    ("es", "\"Dijo 'no'\"", "«Dijo “no”»"),
    ("it", "\"Disse 'no'\"", "«Disse “no”»"),
    ("pt-PT", "\"Disse 'não'\"", "«Disse “não”»"),
    ("pt", "\"Disse 'não'\"", "“Disse ‘não’”"),
    ("nl", "\"Hij zei 'nee'\"", "‘Hij zei “nee”’"),
    ("fr", "\"Il a dit 'non' hier\"", "«⍽Il a dit “non” hier⍽»"),
])
def test_quotes_follow_the_language(pandoc, tmp_path, language, text, expected):
    assert localized(pandoc, tmp_path, text, language) == expected


@pytest.mark.parametrize("text, expected", [
    ("« Bonjour », dit-il.", "«⍽Bonjour⍽», dit-il."),  # typed with plain spaces: they would break
    ("«Bonjour» dit-il.", "«⍽Bonjour⍽» dit-il."),  # typed without spaces
    ("«*Candide*» et « *Zadig* »", "«⍽Candide⍽» et «⍽Zadig⍽»"),
    ("Quoi ? Quoi?! *Candide*? en 1789? (vraiment)?", "Quoi⍽? Quoi⍽?! Candide⍽? en 1789⍽? (vraiment)⍽?"),
    ("mot : suite; fin ! et mot:suite", "mot~: suite⍽; fin⍽! et mot:suite"),
    ("il dit « oui » ? puis [lien](http://x.fr): fin", "il dit «⍽oui⍽»⍽? puis lien~: fin"),
    ("déjà\u00a0: et\u202f; et\u2009!", "déjà~: et⍽; et⍽!"),  # typed no-break spaces kept, never doubled
    ("à 10:15, 3:2 et http://x.fr/?a=1: voir", "à 10:15, 3:2 et http://x.fr/?a=1: voir"),
    ("Bonjour\n» dit-il", "Bonjour⍽» dit-il"),
    ("une note[^1] : là\n\n[^1]: Texte.", "une note[1]~: là"),
])
def test_french_spacing(pandoc, tmp_path, text, expected):
    assert localized(pandoc, tmp_path, text, "fr").split("\n")[0] == expected


def test_a_passage_in_another_language_follows_its_own_rules(pandoc, tmp_path):
    text = "He said [«bonjour» : \"oui\"]{lang=fr} and \"ok\": fine?"
    assert localized(pandoc, tmp_path, text, "en-GB") == "He said «⍽bonjour⍽»~: «⍽oui⍽» and ‘ok’: fine?"
