"""Passages in other languages (issue 12, acceptance 4): `[大跃进]{lang=zh}` spans and a
`::: {lang=fr}` block carry their language into the EPUB (`lang` and `xml:lang`) and the
screen PDF's structure (`/Lang`); the print edition hyphenates the French in French and
sets the Chinese in a font the book provides. No glyph is missing: measured in the PDFs
(every character drawn from a font of the book that has it, no .notdef), and a character
no font of the book has is a `glyph-missing` error at its line and column.

The fixture (tests/fixtures/languages) is an author's book: octavo's styles copied in, with
a CJK font added to styles/fonts/ and a `:lang(zh)` rule (add-to-styles/)."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest

from conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "languages"
CHINESE = "大跃进人民公社毛泽东"


def author_book(folder: Path, *, with_font: bool = True) -> Path:
    """The fixture as an author would set it up: octavo's styles copied into the book, and
    (with_font) the CJK font in styles/fonts/ with its @font-face and :lang(zh) rules."""
    book = folder / "book"
    shutil.copytree(FIXTURE, book, ignore=shutil.ignore_patterns("add-to-styles"))
    shutil.copytree(ROOT / "styles", book / "styles")
    if with_font:
        for font in (FIXTURE / "add-to-styles" / "fonts").iterdir():
            shutil.copy(font, book / "styles" / "fonts" / font.name)
        for sheet in ("print.css", "epub.css"):
            with (book / "styles" / sheet).open("a", encoding="utf-8") as out:
                out.write((FIXTURE / "add-to-styles" / sheet).read_text(encoding="utf-8"))
    return book


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One build of all three editions; returns (book folder, outputs)."""
    from octavo.build import build

    folder = tmp_path_factory.mktemp("lang")
    book = author_book(folder)
    report = build(book, out_dir=folder / "out")
    assert [str(d) for d in report.diagnostics if d.rule == "glyph-missing"] == []
    return book, report.outputs


# --- EPUB -------------------------------------------------------------------------------

def _chapters(epub: Path) -> dict[str, str]:
    with zipfile.ZipFile(epub) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if re.search(r"text/ch\d+\.xhtml$", n)}


@pytest.mark.slow
def test_epub_passages_carry_lang_and_xml_lang(built):
    _, outputs = built
    text = "".join(_chapters(outputs["epub"]).values())
    tags = re.findall(r"<(span|div)\b([^>]*\slang=[^>]*)>", text)
    langs = [(name, re.search(r'\slang="([^"]*)"', attrs).group(1),
              (re.search(r'xml:lang="([^"]*)"', attrs) or [None, None])[1]) for name, attrs in tags]
    assert langs.count(("span", "zh", "zh")) == 5
    assert ("div", "fr", "fr") in langs
    assert all(lang == xml_lang for _, lang, xml_lang in langs), langs  # both, and equal


@pytest.mark.slow
def test_epub_with_passages_is_valid_and_accessible(built):
    from validators import ace_violations, epubcheck_problems

    _, outputs = built
    assert epubcheck_problems(outputs["epub"]) == []
    assert ace_violations(outputs["epub"]) == []


# --- screen PDF: the structure says which language each passage is in -----------------------

def _structure_langs(pdf: pikepdf.Pdf) -> list[tuple[str, str]]:
    found, stack = [], [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        if not isinstance(node, pikepdf.Dictionary):
            continue
        if node.get("/Type") == "/StructElem" and "/Lang" in node:
            found.append((str(node.S), str(node.Lang)))
        kids = node.get("/K")
        if isinstance(kids, pikepdf.Array):
            stack.extend(reversed(list(kids)))
        elif isinstance(kids, pikepdf.Dictionary):
            stack.append(kids)
    return found


@pytest.mark.slow
def test_screen_pdf_structure_has_the_passages_lang(built):
    _, outputs = built
    with pikepdf.open(outputs["screen"]) as pdf:
        langs = _structure_langs(pdf)
        assert str(pdf.Root.Lang) == "en"
    assert langs.count(("/Span", "zh")) == 5
    assert ("/Div", "fr") in langs
    assert {lang for _, lang in langs} == {"zh", "fr"}


# --- no glyph missing, measured in the PDFs -------------------------------------------------

def _to_unicode(font: pikepdf.Dictionary) -> dict[int, str]:
    """CID -> text, from the font's ToUnicode CMap (WeasyPrint writes bfchar and bfrange)."""
    data = font.ToUnicode.read_bytes().decode("latin-1")
    found: dict[int, str] = {}

    def text(hexes: str) -> str:
        raw = bytes.fromhex(hexes)
        return raw.decode("utf-16-be")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for cid, value in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            found[int(cid, 16)] = text(value)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, start in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = ord(text(start))
            for offset, cid in enumerate(range(int(low, 16), int(high, 16) + 1)):
                found[cid] = chr(first + offset)
    return found


def _pdf_fonts(pdf: pikepdf.Pdf):
    """Every font dictionary the pages (and their form XObjects) use, once."""
    seen, stack = set(), [page.obj.get("/Resources") for page in pdf.pages]
    while stack:
        resources = stack.pop()
        if not isinstance(resources, pikepdf.Dictionary):
            continue
        for font in dict(resources.get("/Font", {})).values():
            if font.objgen not in seen:
                seen.add(font.objgen)
                yield font
        for xobject in dict(resources.get("/XObject", {})).values():
            stack.append(xobject.get("/Resources"))


def glyph_problems(pdf_path: Path, book_fonts: list[Path]) -> list[str]:
    """What the PDF draws that the book's fonts do not provide: a font that is not one of
    `book_fonts` (a system font Pango fell back to), a .notdef glyph (WeasyPrint's missing
    glyph: CID 0, or an encoding other than Identity-H that maps to it), or a character
    drawn with a glyph that is not the same glyph in the book's font file (same advance
    width and outline; WeasyPrint keeps glyph ids when it subsets)."""
    from fontTools.ttLib import TTFont

    books = [TTFont(str(path)) for path in book_fonts]
    problems: list[str] = []
    with pikepdf.open(pdf_path) as pdf:
        for font in _pdf_fonts(pdf):
            name = str(font.BaseFont)
            if font.get("/Encoding") != "/Identity-H":
                problems.append(f"{name}: encoding {font.get('/Encoding')!r} (WeasyPrint maps missing glyphs to .notdef so)")
            descendant = font.DescendantFonts[0]
            embedded = TTFont(io.BytesIO(descendant.FontDescriptor.FontFile2.read_bytes()))
            glyphs = _to_unicode(font)
            if 0 in glyphs:
                problems.append(f"{name}: .notdef drawn for {glyphs[0]!r}")
            source = next((book for book in books if _same_glyphs(embedded, book, glyphs)), None)
            if source is None:
                problems.append(f"{name}: not a font of the book (its glyphs for "
                                f"{''.join(sorted(set(''.join(glyphs.values()))))[:40]!r} are in no file of styles/fonts/)")
                continue
            cmap = source.getBestCmap()
            lacking = {c for text in glyphs.values() for c in text if not c.isspace() and ord(c) not in cmap}
            if lacking:
                problems.append(f"{name}: {''.join(sorted(lacking))!r} drawn with a font that has no such character")
    return problems


def _same_glyphs(embedded, book, glyphs: dict[int, str]) -> bool:
    order, metrics = embedded.getGlyphOrder(), embedded["hmtx"]
    book_order, book_metrics = book.getGlyphOrder(), book["hmtx"]
    for cid in glyphs:
        if cid >= len(order) or cid >= len(book_order):
            return False
        if metrics[order[cid]][0] != book_metrics[book_order[cid]][0]:
            return False
        if "glyf" in embedded and "glyf" in book:
            mine, theirs = embedded["glyf"][order[cid]], book["glyf"][book_order[cid]]
            if mine.getCoordinates(embedded["glyf"])[0] != theirs.getCoordinates(book["glyf"])[0]:
                return False
    return True


@pytest.mark.slow
@pytest.mark.parametrize("edition", ["pdf", "screen"])
def test_every_character_is_drawn_from_a_book_font_that_has_it(built, edition):
    import pdfplumber

    book, outputs = built
    fonts = sorted((book / "styles" / "fonts").glob("*.[ot]tf"))
    assert glyph_problems(outputs[edition], fonts) == []
    with pdfplumber.open(outputs[edition]) as pdf:
        drawn = [(c["text"], c["fontname"]) for page in pdf.pages for c in page.chars if c["text"] in CHINESE]
    assert {text for text, _ in drawn} == set(CHINESE)  # every Chinese character is on a page…
    assert {font.split("+")[-1] for _, font in drawn} == {"Droid-Sans-Fallback-Subset"}  # …in the book's CJK face


@pytest.mark.slow
def test_the_measure_sees_a_font_from_outside_the_book(tmp_path):
    """Without the CJK font (and with the check switched off) the Chinese is set in whatever
    the system has (Droid Sans Fallback here) or as .notdef boxes: the measure must say so."""
    from octavo.build import build

    book = author_book(tmp_path, with_font=False)
    report = build(book, formats=("pdf",), out_dir=tmp_path / "out", check=False)
    fonts = sorted((book / "styles" / "fonts").glob("*.[ot]tf"))
    problems = glyph_problems(report.outputs["pdf"], fonts)
    # Here: "…+Droid-Sans-Fallback: not a font of the book (its glyphs for '东人公大毛民泽社跃进' …)";
    # on a machine without a CJK font, .notdef instead.
    assert problems, "the measure found nothing wrong in a book whose fonts have no Chinese"
    assert all(set(CHINESE) & set(p) or "notdef" in p or "encoding" in p for p in problems), problems


# --- print: the French block is hyphenated in French ---------------------------------------

def hyphenated_breaks(pdf_path: Path, words: set[str]) -> list[tuple[str, int]]:
    """(word, letters before the break) for each line of the PDF that ends in a break
    WeasyPrint hyphenated (U+2010, not a hyphen typed in the text) inside one of `words`."""
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        lines = [line for page in pdf.pages for line in (page.extract_text() or "").splitlines()]
    breaks = []
    for line, following in zip(lines, lines[1:]):
        if not line.endswith("\u2010") or not following.split():
            continue
        head = re.findall(r"\w+", line)[-1]
        tail = re.match(r"\w*", following.split()[0]).group(0)
        if head + tail in words:
            breaks.append((head + tail, len(head)))
    return breaks


def check_french_hyphenation(breaks: list[tuple[str, int]]) -> None:
    import pyphen

    fr, en = pyphen.Pyphen(lang="fr"), pyphen.Pyphen(lang="en_US")
    assert len(breaks) >= 4, breaks
    for word, at in breaks:
        assert at in fr.positions(word), f"{word} broken after {word[:at]!r}, not a French hyphenation point"
    # French patterns, not English ones that happen to agree: some break English would not make.
    assert any(at not in en.positions(word) for word, at in breaks), breaks


@pytest.mark.slow
def test_french_block_hyphenates_with_french_patterns(built):
    book, outputs = built
    source = (book / "manuscript" / "02-candide.md").read_text(encoding="utf-8")
    french = source.split("::: {lang=fr}")[1].split(":::")[0]
    check_french_hyphenation(hyphenated_breaks(outputs["pdf"], set(re.findall(r"\w+", french))))


# --- the check: a character no font of the book has -----------------------------------------

def test_glyph_missing_names_the_place_the_characters_and_the_fix(tmp_path):
    from octavo.checks import check_book
    from octavo.config import load_book
    from octavo.manuscript import read_manuscript

    book_dir = author_book(tmp_path, with_font=False)
    book = load_book(book_dir)
    found = [d for d in check_book(book, read_manuscript(book)) if d.rule == "glyph-missing"]
    assert [(Path(d.path).name, d.line, d.column) for d in found] == [
        ("01-the-leap.md", 3, 34), ("01-the-leap.md", 4, 38), ("01-the-leap.md", 6, 11),
        ("01-the-leap.md", 7, 23), ("01-the-leap.md", 8, 52)]
    first = found[0]
    assert first.severity == "error"
    assert "'大跃进' (U+5927 U+8DC3 U+8FDB)" in first.message
    assert "styles/fonts/" in first.message and ':lang(zh) { font-family: "…", "EB Garamond"; }' in first.message


def test_glyph_check_reads_the_fonts_bytes_again(tmp_path):
    """The check keeps nothing a changed font could outlive: the same file name with other
    bytes (a font without the characters) is measured again."""
    from octavo.checks import check_book
    from octavo.config import load_book
    from octavo.manuscript import read_manuscript

    book_dir = author_book(tmp_path)
    book = load_book(book_dir)

    def missing() -> int:
        return sum(d.rule == "glyph-missing" for d in check_book(book, read_manuscript(book)))

    assert missing() == 0
    cjk = book_dir / "styles" / "fonts" / "DroidSansFallbackSubset.ttf"
    shutil.copy(book_dir / "styles" / "fonts" / "EBGaramond-Regular.ttf", cjk)
    assert missing() == 5


def test_a_font_in_the_folder_but_not_in_the_stack_is_pointed_at(tmp_path):
    """The font is in styles/fonts/ but no @font-face loads it, or no font-family names it:
    WeasyPrint would not set the text in it, and the message says which file has the
    characters and what is left to do."""
    from octavo.checks import check_book
    from octavo.config import load_book
    from octavo.manuscript import read_manuscript

    book_dir = author_book(tmp_path, with_font=False)
    shutil.copy(FIXTURE / "add-to-styles" / "fonts" / "DroidSansFallbackSubset.ttf", book_dir / "styles" / "fonts")
    book = load_book(book_dir)
    found = [d for d in check_book(book, read_manuscript(book)) if d.rule == "glyph-missing"]
    assert len(found) == 5
    assert "styles/fonts/DroidSansFallbackSubset.ttf has them but no @font-face loads it" in found[0].message
    assert ':lang(zh) { font-family: "Droid Sans Fallback Subset", "EB Garamond"; }' in found[0].message
    # Loaded with @font-face but named by no rule: WeasyPrint reaches it only by the system's
    # fallback order, so it is not counted either, and the message says what is left to do.
    with (book_dir / "styles" / "print.css").open("a", encoding="utf-8") as sheet:
        sheet.write('@font-face { font-family: "CJK"; src: url(fonts/DroidSansFallbackSubset.ttf); }\n')
    found = [d for d in check_book(book, read_manuscript(book)) if d.rule == "glyph-missing"]
    assert len(found) == 5 and "has them but no font-family names it" in found[0].message
    assert ':lang(zh) { font-family: "CJK", "EB Garamond"; }' in found[0].message


@pytest.mark.slow
def test_a_build_after_a_font_is_replaced_checks_the_glyphs_again(tmp_path):
    """The no-op stamp and the checks see a font's bytes: the same font file with other
    bytes (one without the Chinese) stops the next build at its check."""
    from octavo.build import build
    from octavo.errors import ChecksFailed

    book = author_book(tmp_path)
    assert build(book, formats=("epub",), out_dir=tmp_path / "out").outputs["epub"].is_file()
    shutil.copy(book / "styles" / "fonts" / "EBGaramond-Regular.ttf",
                book / "styles" / "fonts" / "DroidSansFallbackSubset.ttf")
    with pytest.raises(ChecksFailed) as failed:
        build(book, formats=("epub",), out_dir=tmp_path / "out")
    assert {d.rule for d in failed.value.errors} == {"glyph-missing"} and len(failed.value.errors) == 5


def test_a_chapter_in_a_script_the_fonts_lack_is_reported_in_a_few_lines(tmp_path):
    """Ten places, then one line for the rest: a chapter of Chinese without a Chinese font
    is one problem, not hundreds of lines."""
    from conftest import make_book
    from octavo.checks import check_book
    from octavo.config import load_book
    from octavo.manuscript import read_manuscript

    body = "\n\n".join(f"Line {n}: [大跃进]{{lang=zh}} and [人民公社]{{lang=zh}}." for n in range(1, 13))
    book = load_book(make_book(tmp_path, 'title: "T"\n', {"manuscript/01-a.md": f"# A\n\n{body}\n"}))
    found = [d for d in check_book(book, read_manuscript(book)) if d.rule == "glyph-missing"]
    assert len(found) == 11
    assert [(d.line, d.column) for d in found[:2]] == [(3, 10), (3, 29)]
    # places 11 to 24 (lines 13 to 25, two runs a line: 7 × 3 + 7 × 4 characters) are summed up at the first
    assert (found[-1].line, found[-1].column) == (13, 10)
    assert found[-1].message.startswith("from here on, 49 more characters in this chapter have no glyph")


def test_book_yaml_printed_values_are_checked_too(tmp_path):
    """The title page prints book.yaml's values: a name no font has is found there, at its
    line and column (a comment and a key that is not printed are left alone)."""
    from conftest import make_book
    from octavo.checks import check_book
    from octavo.config import load_book
    from octavo.manuscript import read_manuscript

    yaml_text = ('title: "The Leap"   # 大跃进 in a comment is not printed\n'
                 'author: ["Jane Writer", "毛泽东"]\n'
                 'description: |\n  A book about\n  the 大跃进.\n')
    book = load_book(make_book(tmp_path, yaml_text, {"manuscript/01-a.md": "# A\n\nText.\n"}))
    found = [d for d in check_book(book, read_manuscript(book)) if d.rule == "glyph-missing"]
    assert [(Path(d.path).name, d.line, d.column) for d in found] == [("book.yaml", 2, 26), ("book.yaml", 5, 7)]
    assert "'毛泽东'" in found[0].message


@pytest.mark.slow
def test_an_edited_chapter_spliced_into_the_cached_epub_keeps_xml_lang(tmp_path):
    """After an edit the changed chapter's document replaces the old one in the cached EPUB
    (epub._splice): it must carry xml:lang as a whole build's does."""
    from octavo.build import build

    book = author_book(tmp_path)
    build(book, formats=("epub",), out_dir=tmp_path / "out")
    chapter = book / "manuscript" / "01-the-leap.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("fifteen", "fifteen short"), encoding="utf-8")
    spliced = build(book, formats=("epub",), out_dir=tmp_path / "out")
    assert spliced.redone.get("ast") == 1  # one chapter converted again, and spliced
    whole = build(book, formats=("epub",), out_dir=tmp_path / "whole")
    edited = _chapters(spliced.outputs["epub"])["EPUB/text/ch001.xhtml"]
    assert "fifteen short" in edited and edited.count('xml:lang="zh"') == 5
    assert edited == _chapters(whole.outputs["epub"])["EPUB/text/ch001.xhtml"]


def test_xml_lang_is_added_once_beside_every_lang():
    from octavo.epubfix import xml_lang

    text = ('<html lang="en" xml:lang="en"><p>The <span lang="zh">大跃进</span>, <i class="x" lang="de">Ding</i>'
            '<br lang="fr"/><span data-lang="x">y</span></p></html>')
    assert xml_lang(text) == ('<html lang="en" xml:lang="en"><p>The <span lang="zh" xml:lang="zh">大跃进</span>, '
                              '<i class="x" lang="de" xml:lang="de">Ding</i><br lang="fr" xml:lang="fr"/>'
                              '<span data-lang="x">y</span></p></html>')
    assert xml_lang(xml_lang(text)) == xml_lang(text)


def test_raw_html_lang_gets_xml_lang_in_the_epub():
    from octavo.epubfix import repair

    page = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" '
            'lang="en" xml:lang="en"><head><title>x</title></head><body><p>a <span lang=fr>b</span></p></body></html>')
    fixed = repair({"EPUB/text/ch001.xhtml": page.encode()}, {})["EPUB/text/ch001.xhtml"].decode()
    assert '<span lang="fr" xml:lang="fr">b</span>' in fixed
