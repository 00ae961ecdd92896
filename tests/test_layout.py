"""Chapter-wise layout and the cache (issue 3, acceptance 1 and 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT, corpus
from octavo.build import build
from pdfcheck import PageMap, font_programs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["small", "medium"])
def both_layouts(request, tmp_path_factory):
    source = corpus(request.param)
    out = tmp_path_factory.mktemp(f"layouts-{request.param}")
    split = build(source, formats=("pdf",), out_dir=out / "split")
    whole = build(source, formats=("pdf",), out_dir=out / "whole", single_pass=True)
    assert split.layout == "chapter-wise" and whole.layout.startswith("single-pass")
    return PageMap(split.outputs["pdf"]), PageMap(whole.outputs["pdf"])


def test_same_pages_and_text_on_every_page(both_layouts):
    split, whole = both_layouts
    assert len(split.pages) == len(whole.pages)
    for a, b in zip(split.pages, whole.pages):
        assert a.text() == b.text(), f"page {b.label} differs"


def test_same_contents_bookmarks_and_page_labels(both_layouts):
    split, whole = both_layouts
    assert split.toc_entries() == whole.toc_entries()
    assert split.outline_pages == whole.outline_pages
    assert [p.label for p in split.pages] == [p.label for p in whole.pages]


def test_chapterwise_keeps_every_note_with_its_call_and_embeds_fonts(both_layouts):
    split, _ = both_layouts
    assert all(sorted(p.calls) == sorted(p.notes) for p in split.pages)
    assert split.unembedded_fonts == []


def test_every_font_subset_has_a_name_of_its_own(both_layouts):
    """ISO 32000-1 §9.6.4: different subsets of a font need different tags, or a RIP that
    finds fonts by name may draw one subset's glyphs with another's (issue 9, item 8). A
    chapter-wise book joins the subsets of many documents; the corpora print with the
    generic printer, so their fonts are subsets."""
    from octavo.preflight import SUBSET

    for layout in both_layouts:
        programs = font_programs(layout.path)
        assert programs and all(SUBSET.match(name) for name in programs), sorted(programs)
        shared = {name: len(digests) for name, digests in programs.items() if len(digests) > 1}
        assert shared == {}, f"{layout.path.name}: different subsets under one name: {shared}"


# --- the cache -------------------------------------------------------------------------

def copy_book(tmp_path: Path) -> Path:
    """The sample book with its own styles and fonts, so tests can edit them."""
    book = tmp_path / "book"
    book.mkdir()
    shutil.copy(ROOT / "book.yaml", book / "book.yaml")
    shutil.copytree(ROOT / "manuscript", book / "manuscript")
    shutil.copytree(ROOT / "styles", book / "styles")
    return book


def names(paths: list[str]) -> list[str]:
    return [Path(p).name for p in paths]


def test_edit_one_chapter_reconverts_and_relays_only_that_chapter(tmp_path: Path) -> None:
    book = copy_book(tmp_path)
    first = build(book, formats=("pdf", "epub"))
    assert names(first.converted) == names(first.laid_out) == ["01-from-great-leap-to-flying-leap.md",
                                                                 "02-great-leap.md"]
    chapter = book / "manuscript" / "02-great-leap.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    second = build(book, formats=("pdf", "epub"))
    assert names(second.converted) == ["02-great-leap.md"]
    assert names(second.laid_out) == ["02-great-leap.md"]
    assert "One more paragraph." in "".join(page.text() for page in PageMap(second.outputs["pdf"]).pages[-6:])


def test_nothing_changed_means_no_work(tmp_path: Path) -> None:
    book = copy_book(tmp_path)
    first = build(book, formats=("pdf", "epub"))
    again = build(book, formats=("pdf", "epub"))
    assert again.up_to_date
    assert again.outputs == first.outputs
    (book / "manuscript" / "03-new.md").write_text("# New\n\nText.\n", encoding="utf-8")
    third = build(book, formats=("pdf", "epub"))
    assert not third.up_to_date and names(third.converted) == ["03-new.md"]


@pytest.mark.parametrize("change", ["style", "font", "book.yaml"])
def test_style_font_or_config_change_relays_out_without_reconverting(tmp_path: Path, change: str) -> None:
    book = copy_book(tmp_path)
    build(book, formats=("pdf",))
    if change == "style":
        with (book / "styles" / "print.css").open("a", encoding="utf-8") as css:
            css.write("\nblockquote { margin-left: 2em; }\n")
    elif change == "font":
        font = book / "styles" / "fonts" / "EBGaramond-Italic.ttf"
        font.write_bytes(font.read_bytes() + b"\0")  # a different file, still a usable font
    else:
        text = (book / "book.yaml").read_text(encoding="utf-8")
        (book / "book.yaml").write_text(text.replace("Countryside”", "Countryside”").replace(
            'trim: "6x9"', 'trim: "5.5x8.5"'), encoding="utf-8")
    report = build(book, formats=("pdf",))
    assert report.converted == []  # Markdown unchanged: pandoc's work is reused
    assert len(report.laid_out) == 2  # everything that depends on the change is redone


def test_damaged_cache_entries_are_detected_and_rebuilt(tmp_path: Path) -> None:
    book = copy_book(tmp_path)
    good = build(book, formats=("pdf",))
    good_text = [p.text() for p in PageMap(good.outputs["pdf"]).pages]
    cache = book / "build" / ".cache"
    layouts = sorted(cache.glob("layout-pdf-*"))  # chapters' pages
    folios = sorted(cache.glob("folios-meta-*"))  # the folio skeleton's
    asts = sorted(cache.glob("ast-*"))
    assert len(layouts) == 2 and folios and len(asts) == 2
    layouts[0].write_bytes(layouts[0].read_bytes()[:1000])  # truncated
    folios[0].write_bytes(b"")  # emptied
    damaged = bytearray(asts[0].read_bytes())
    damaged[-5] ^= 0xFF  # one flipped byte
    asts[0].write_bytes(bytes(damaged))
    (book / "book.yaml").touch()  # force a build past the up-to-date check
    report = build(book, formats=("pdf",))
    assert len(report.converted) == 1 and len(report.laid_out) == 1
    assert [p.text() for p in PageMap(report.outputs["pdf"]).pages] == good_text


def test_editing_a_chapter_rewrites_only_its_epub_document(tmp_path: Path, monkeypatch) -> None:
    import re
    import zipfile

    import octavo.epub as epub

    source = corpus("small")
    book = tmp_path / "book"
    shutil.copytree(source, book)
    build(book, formats=("epub",), out_dir=tmp_path / "out")
    chapter = sorted(book.glob("0*.md"))[3]
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    converted = []
    original = epub._pandoc_epub
    monkeypatch.setattr(epub, "_pandoc_epub", lambda docs, *a, **k: converted.append(
        [d.chapter.path.name for d in docs]) or original(docs, *a, **k))
    spliced = build(book, formats=("epub",), out_dir=tmp_path / "out").outputs["epub"]
    assert converted == [[chapter.name]]  # pandoc saw only the edited chapter
    whole = build(book, formats=("epub",), out_dir=tmp_path / "fresh").outputs["epub"]
    assert len(converted) == 2 and len(converted[1]) == 6  # a fresh build converts them all
    with zipfile.ZipFile(spliced) as a, zipfile.ZipFile(whole) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            left, right = a.read(name), b.read(name)
            if name.endswith(".opf"):  # the build time differs, nothing else
                left, right = (re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"T", x) for x in (left, right))
            assert left == right, name
        assert b"One more sentence." in a.read(f"EPUB/text/ch{4:03d}.xhtml")
