"""What real manuscripts hold (issue 9, acceptance 5): a 300-character code line, a
12-column table, raw HTML5 (<br>, <img> without '/', <details>), a figure with a caption,
German and French text. It builds; nothing runs out of the text block; the code face is
embedded; the EPUB passes EPUBCheck and DAISY Ace."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from octavo.build import build
from octavo.config import load_book
from octavo.pagesetup import page_geometry

pytestmark = pytest.mark.slow

MIXED = Path(__file__).parent / "fixtures" / "mixed"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    return build(MIXED, formats=("pdf", "epub"), out_dir=tmp_path_factory.mktemp("mixed") / "out")


def test_it_builds_clean(mixed):
    assert set(mixed.outputs) == {"pdf", "epub"}
    assert not [d for d in mixed.diagnostics if d.severity == "error"]


def test_nothing_runs_out_of_the_text_block(mixed):
    g = page_geometry(load_book(MIXED), mixed.pages)
    checked = 0
    with pdfplumber.open(mixed.outputs["pdf"]) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            # Versos and rectos mirror their margins; a glyph may overhang by a hair.
            left = (g.outer if number % 2 == 0 else g.inner) * 72 - 1.5
            right = page.width - (g.inner if number % 2 == 0 else g.outer) * 72 + 1.5
            for char in page.chars:
                checked += 1
                assert left <= char["x0"] and char["x1"] <= right, (number, char["text"], char["x0"], char["x1"])
            for image in page.images:
                assert left <= image["x0"] and image["x1"] <= right, (number, image)
    assert checked > 1000


def test_the_code_face_is_embedded(mixed):
    with pikepdf.open(mixed.outputs["pdf"]) as pdf:
        names = {str(font.get("/BaseFont")) for page in pdf.pages for font in _fonts(page.obj.get("/Resources"))}
    assert any("Inconsolata" in name for name in names), names


def _fonts(resources, seen=None):
    seen = set() if seen is None else seen
    for font in (resources or {}).get("/Font", {}).values():
        yield font
    for xobject in (resources or {}).get("/XObject", {}).values():
        if xobject.objgen not in seen and xobject.get("/Subtype") == "/Form":
            seen.add(xobject.objgen)
            yield from _fonts(xobject.get("/Resources"), seen)


def test_the_epub_passes_epubcheck_and_ace(mixed):
    from validators import ace_violations, epubcheck_problems

    assert epubcheck_problems(mixed.outputs["epub"]) == []
    assert ace_violations(mixed.outputs["epub"]) == []


# --- Code and tables, measured from the PDF (issue 9, items 10 and 11) --------------------

MANUSCRIPT = MIXED / "manuscript"


def _cells(page) -> list[str]:
    """The runs of text on a page that no wider gap divides: a table's cells, upright or
    turned (a turned table reads bottom to top)."""
    words = page.extract_words(keep_blank_chars=True, x_tolerance=1.5, line_dir_rotated="ltr", char_dir_rotated="btt")
    return [w["text"].strip() for w in words]


def test_no_number_in_a_table_is_broken(mixed):
    # The prices (twelve columns: turned) and the ledger's tonnage and dues (upright, over
    # several pages). Each cell's number must be one run of text on one line.
    import re

    wanted = []
    for name in ("01-records.md", "03-ledger.md"):
        for line in (MANUSCRIPT / name).read_text(encoding="utf-8").splitlines():
            if line.startswith("| ") and not line.startswith(("| Year", "| Ship")):
                cells = [c.strip() for c in line.strip("|").split("|")]
                wanted += [c for c in cells if re.fullmatch(r"[\d,]+|\d+s\. \d+d\.", c)]
    assert len(wanted) > 250
    with pdfplumber.open(mixed.outputs["pdf"]) as pdf:
        found = [cell for page in pdf.pages for cell in _cells(page)]
    missing = [w for w in wanted if w not in found]
    assert not missing, missing[:10]


def test_a_table_too_wide_to_stand_is_turned_on_its_page(mixed):
    with pdfplumber.open(mixed.outputs["pdf"]) as pdf:
        turned = [page for page in pdf.pages if any(not c["upright"] for c in page.chars)]
        assert len(turned) == 1
        page = turned[0]
        g = page_geometry(load_book(MIXED), mixed.pages)
        rotated = [c for c in page.chars if not c["upright"]]
        # Its top to the left (anticlockwise), inside the text block top to bottom too.
        assert g.top * 72 - 1 <= min(c["top"] for c in rotated)
        assert max(c["bottom"] for c in rotated) <= page.height - g.bottom * 72 + 1
        assert "Prices at the quay, shillings and pence per quarter" in _cells(page)


def test_the_header_row_is_repeated_on_every_page_of_a_table(mixed):
    ships = {"Mary Ann", "Good Intent", "Hopewell", "Providence", "Swallow", "Dove"}
    with pdfplumber.open(mixed.outputs["pdf"]) as pdf:
        pages = [_cells(page) for page in pdf.pages]
    spanned = [cells for cells in pages if ships & set(cells)]
    assert len(spanned) >= 3
    assert all("Dues (pence)" in cells for cells in spanned)


def test_figures_in_tables_are_tabular(mixed):
    # Each digit of a column of figures is as wide as every other (lining tabular figures);
    # EB Garamond's default figures are old-style and proportional (a 1 is narrower than a 0).
    # The ledger's years, tons and dues (not the folio: old-style, as in the text).
    numbers = {c.strip() for line in (MANUSCRIPT / "03-ledger.md").read_text(encoding="utf-8").splitlines()
               if line.startswith("| ") for c in line.strip("|").split("|")[1:]}
    with pdfplumber.open(mixed.outputs["pdf"]) as pdf:
        for page in pdf.pages:
            if "Dues (pence)" not in _cells(page):
                continue
            words = page.extract_words(x_tolerance=1.5, return_chars=True)
            digits = [c for w in words if w["text"] in numbers for c in w["chars"]
                      if c["text"].isdigit() and "Garamond" in c["fontname"]]
            # At the table's size: a folio ("4", smaller) may be one of the numbers too.
            size = Counter(round(c["size"], 2) for c in digits).most_common(1)[0][0]
            digits = [c for c in digits if round(c["size"], 2) == size]
            assert len(digits) > 100
            assert len({round(c["width"], 1) for c in digits}) == 1, sorted({round(c["width"], 2) for c in digits})


def _code_lines(markdown: str) -> list[str]:
    """The lines of every fenced code block in a chapter, quotation marks and list
    indents taken off."""
    lines, inside = [], False
    for line in markdown.splitlines():
        bare = line.lstrip("> ").strip() if line.lstrip().startswith(">") else line.strip()
        if bare.startswith("```"):
            inside = not inside
        elif inside and bare:
            lines.append(bare)
    return lines


def test_every_code_line_breaks_with_a_mark_and_a_hanging_indent(mixed):
    # Wherever it stands (running text, a quotation, a list item), a code line too long for
    # its line is broken with a mark and goes on indented: read back from the PDF, the
    # pieces make the author's lines again, and none starts back at the line's own edge.
    squeeze = lambda s: "".join(s.split())  # noqa: E731  (spaces at a break are not printed)
    wanted = [squeeze(line) for name in sorted(MANUSCRIPT.glob("*.md"))
              for line in _code_lines(name.read_text(encoding="utf-8"))]
    found, starts, pieces = [], [], 0
    with pdfplumber.open(mixed.outputs["pdf"]) as pdf:
        for page in pdf.pages:
            for line in page.extract_text_lines(return_chars=True):
                text, x0 = squeeze(line["text"]), line["chars"][0]["x0"]
                if found and found[-1].endswith("\u2192"):
                    assert x0 > starts[-1] + 5, (found[-1], text)  # hangs: two columns in
                    found[-1] = found[-1][:-1] + text
                    pieces += 1
                elif len(found) < len(wanted) and text and wanted[len(found)].startswith(text.rstrip("\u2192")):
                    found.append(text)  # the next code line begins (other lines are not code)
                    starts.append(x0)
    assert pieces >= 8
    assert found == wanted


def test_the_epub_sets_code_in_the_code_face(mixed):
    import re
    import zipfile

    with zipfile.ZipFile(mixed.outputs["epub"]) as epub:
        names = epub.namelist()
        chapter = epub.read("EPUB/text/ch003.xhtml").decode()
        linked = [epub.read(posixpath_join("EPUB/text", href)).decode()
                  for href in re.findall(r'<link rel="stylesheet"[^>]*href="([^"]+)"', chapter)]
    assert "EPUB/fonts/Inconsolata.otf" in names
    face = r'@font-face\s*{[^}]*"Inconsolata"[^}]*url\(\.\./fonts/Inconsolata\.otf\)'
    assert any(re.search(face, css) for css in linked)
    # Every line of code hangs its continuation (the screen wraps it, not octavo).
    assert re.search(r'<span class="code-line" style="padding-left: 2ch; text-indent: -2ch">tally --from', chapter)


def posixpath_join(folder: str, href: str) -> str:
    import posixpath

    return posixpath.normpath(posixpath.join(folder, href))


def test_a_book_without_code_carries_no_code_face(tmp_path):
    import zipfile

    from conftest import make_book

    book = make_book(tmp_path / "book", 'title: "Plain"\n', {"manuscript/01-a.md": "# One\n\nNo code here.\n"})
    report = build(book, formats=("epub",), out_dir=tmp_path / "out")
    with zipfile.ZipFile(report.outputs["epub"]) as epub:
        fonts = [n for n in epub.namelist() if n.startswith("EPUB/fonts/")]
    assert fonts and not [n for n in fonts if "Inconsolata" in n]


def test_a_note_called_in_a_header_cell_is_set_as_a_note(mixed):
    # Its text is the note's (regular), not the header cell's (semibold).
    with pdfplumber.open(mixed.outputs["pdf"]) as pdf:
        words = [w for page in pdf.pages for w in page.extract_words(extra_attrs=["fontname"])
                 if w["text"] in ("reckoned", "shilling,")]
    assert len(words) == 2 and not [w for w in words if "Bold" in w["fontname"]], words
