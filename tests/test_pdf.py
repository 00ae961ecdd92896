"""The print PDF, read back page by page (issue 2, acceptance 3 and 4)."""

from __future__ import annotations

import pytest
import yaml

from conftest import CORPORA, ROOT
from pdfcheck import PageMap, font_programs, norm

pytestmark = pytest.mark.slow

BOOKS = ["sample", "small", "medium"]


def book_yaml(name: str) -> dict:
    folder = ROOT if name == "sample" else CORPORA / name
    return yaml.safe_load((folder / "book.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=BOOKS)
def book(request, built_pdf):
    name = request.param
    return name, PageMap(built_pdf(name)), book_yaml(name)


def test_page_size_is_the_trim_size(book):
    _, pages, _ = book
    # 6 × 9 in is the default trim: 432 × 648 pt, no bleed for a text-only book.
    assert set(pages.media_boxes) == {(0.0, 0.0, 432.0, 648.0)}


def test_every_font_is_embedded(book):
    _, pages, _ = book
    assert pages.unembedded_fonts == []


def test_whole_fonts_are_the_font_files_and_carry_no_subset_tag(book):
    """KDP gets whole fonts: each embedded program is one of the book's font files byte
    for byte, and its name has no ABCDEF+ subset tag (ISO 32000-1 §9.6.4; pdffonts says
    `sub no`) (issue 9, item 8)."""
    import hashlib
    import shutil
    import subprocess

    from octavo.config import load_book
    from octavo.preflight import SUBSET
    from octavo.styles import find_styles

    name, pages, _ = book
    files = {hashlib.sha256(path.read_bytes()).hexdigest()
             for path in find_styles(load_book(ROOT if name == "sample" else CORPORA / name)).fonts}
    programs = font_programs(pages.path)
    assert programs
    for font, digests in programs.items():
        assert not SUBSET.match(font), f"{name}: the whole font {font} is named like a subset"
        assert digests <= files, f"{name}: {font} is not a whole font file"
    if shutil.which("pdffonts"):
        listing = subprocess.run(["pdffonts", str(pages.path)], capture_output=True, text=True, check=True).stdout
        rows = [line.split() for line in listing.splitlines()[2:]]
        assert rows and all(row[-4] == "no" for row in rows), listing  # emb sub uni object ID: sub


def test_page_count_is_even(book):
    _, pages, _ = book
    assert len(pages.pages) % 2 == 0


def test_every_note_starts_on_the_page_of_its_call(book):
    name, pages, _ = book
    calls = [n for p in pages.pages for n in p.calls]
    assert calls, "no note calls found"
    for page in pages.pages:
        assert sorted(page.calls) == sorted(page.notes), (
            f"{name} page {page.label}: calls {page.calls} but notes {page.notes}")
    if name == "sample":
        # 36 notes, numbered straight through (book.yaml: footnotes.numbering: continuous).
        assert calls == list(range(1, 37))


def test_contents_page_numbers_point_at_the_headings(book):
    name, pages, _ = book
    entries = pages.toc_entries()
    assert len(entries) >= 2
    for title, number in entries:
        page = pages.page_with_heading(title, pages.body_start)
        assert page is not None, f"{name}: heading '{title}' not found"
        assert page.label == number, f"{name}: '{title}' listed on p. {number}, printed on p. {page.label}"
        assert page.folio == number  # the folio printed on the page agrees with the label


def test_chapters_open_on_rectos_with_a_dropped_folio_and_no_head(book):
    _, pages, _ = book
    for title, number in pages.toc_entries():
        page = pages.page_with_heading(title, pages.body_start)
        assert int(number) % 2 == 1, f"'{title}' opens on a verso"
        assert page.head is None
        assert page.folio_position == "center"
    assert pages.pages[pages.body_start].label == "1"
    assert pages.body_start % 2 == 0  # index 0-based even = a right-hand page


def test_running_heads_and_folios(book):
    _, pages, config = book
    openers = {pages.page_with_heading(t, pages.body_start).index: t for t, _ in pages.toc_entries()}
    chapter = None
    for page in pages.pages[pages.body_start:]:
        if page.index in openers:
            chapter = openers[page.index]
            continue
        if page.is_blank:
            continue
        assert page.folio == page.label, f"page {page.label}: folio {page.folio!r}"
        if int(page.label) % 2 == 0:  # verso: the book's title, folio outside (left)
            assert norm(page.head or "") == norm(config["title"])
            assert page.folio_position == "left"
        else:  # recto: the chapter's title (long ones cut at a word, with "…"), folio right
            head = norm(page.head or "")
            assert head == norm(chapter) or (head.endswith("...") and norm(chapter).startswith(head[:-3]))
            assert page.folio_position == "right"


def test_front_matter_is_roman_and_blank_pages_are_blank(book):
    _, pages, config = book
    front = pages.pages[: pages.body_start]
    assert [p.label for p in front][:4] == ["i", "ii", "iii", "iv"]
    assert norm(config["title"]) in norm(front[0].text())  # half-title
    assert norm(config["title"]) in norm(front[2].text())  # title page
    for page in front[:4]:
        assert page.folio is None  # display pages carry no folio (Chicago 1.5)
    contents = pages.page_with_heading("Contents")
    assert contents.folio == contents.label
    for page in pages.pages:
        if page.is_blank:
            assert page.head is None and page.folio is None


def test_bookmarks_and_metadata(book):
    name, pages, config = book
    titles = [t for t, _ in pages.toc_entries()]
    assert [norm(t) for t in titles] == [norm(t) for t in pages.outline if norm(t) in map(norm, titles)]
    assert all(any(norm(t) == norm(o) for o in pages.outline) for t in titles)
    assert pages.metadata["/Title"] == config["title"]
    authors = config.get("author")
    if authors:
        names = [authors] if isinstance(authors, str) else authors
        assert all(n in pages.metadata["/Author"] for n in names)
    assert pages.lang == config.get("language", "en")
