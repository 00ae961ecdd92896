"""Chapter discovery and reading: order, explicit lists, paths that leave the project, encodings."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from conftest import make_book

from octavo.config import load_book
from octavo.errors import ConfigError, ManuscriptError
from octavo.manuscript import read_manuscript




def rel(chapter) -> str:
    """A chapter's path relative to its book folder (tmp_path differs per test)."""
    return str(chapter.path.relative_to(_root_of(chapter)))


def _root_of(chapter) -> Path:
    path = chapter.path
    for parent in path.parents:
        if (parent / "book.yaml").is_file():
            return parent
    raise AssertionError(f"no book.yaml above {path}")


def chapters_of(root: Path):
    return read_manuscript(load_book(root)).chapters


# --- discovery ---------------------------------------------------------------------------

def test_manuscript_folder_in_numeric_order(tmp_path: Path) -> None:
    root = make_book(tmp_path / "book", "title: T\n", {
        "manuscript/10-ten.md": "# Ten\n",
        "manuscript/2-two.md": "# Two\n",
        "manuscript/01-one.md": "# One\n",
        "manuscript/notes.md": "not a chapter\n",
        "manuscript/README.txt": "not a chapter\n",
        "99-beside.md": "ignored: manuscript/ exists\n",
    })
    chapters = chapters_of(root)
    assert [rel(c) for c in chapters] == ["manuscript/01-one.md", "manuscript/2-two.md", "manuscript/10-ten.md"]
    assert [c.index for c in chapters] == [1, 2, 3]
    assert [c.slug for c in chapters] == ["one", "two", "ten"]
    assert [c.anchor for c in chapters] == ["ch01", "ch02", "ch03"]
    assert chapters[2].text == "# Ten\n"
    assert chapters[0].path == (root / "manuscript" / "01-one.md").resolve()


def test_chapters_beside_book_yaml_without_manuscript_folder(tmp_path: Path) -> None:
    root = make_book(tmp_path / "book", "title: T\n", {
        "10-c.md": "# C\n", "02-b.md": "# B\n", "1-a.md": "# A\n", "README.md": "# not a chapter\n",
    })
    assert [rel(c) for c in chapters_of(root)] == ["1-a.md", "02-b.md", "10-c.md"]


def test_no_chapters_is_an_error(tmp_path: Path) -> None:
    root = make_book(tmp_path / "book", "title: T\n", {"manuscript/notes.md": "x\n"})
    with pytest.raises(ManuscriptError) as info:
        chapters_of(root)
    assert "no chapters found" in str(info.value)
    assert "manuscript" in str(info.value)


def test_chapters_list_order_respected(tmp_path: Path) -> None:
    root = make_book(tmp_path / "book", "title: T\nchapters:\n  - text/b.md\n  - text/a.md\n  - 01-c.md\n", {
        "text/a.md": "# A\n", "text/b.md": "# B\n", "01-c.md": "# C\n", "02-unlisted.md": "# U\n",
    })
    chapters = chapters_of(root)
    assert [rel(c) for c in chapters] == ["text/b.md", "text/a.md", "01-c.md"]
    assert [c.slug for c in chapters] == ["b", "a", "c"]
    assert [c.text for c in chapters] == ["# B\n", "# A\n", "# C\n"]


def test_missing_chapter_file_names_book_yaml_and_entry_line(tmp_path: Path) -> None:
    root = make_book(tmp_path / "book", "title: T\nchapters:\n  - 01-a.md\n  - 02-missing.md\n  - 03-c.md\n", {
        "01-a.md": "# A\n", "03-c.md": "# C\n",
    })
    with pytest.raises(ConfigError) as info:
        chapters_of(root)
    text = str(info.value)
    assert f"{root.resolve() / 'book.yaml'}:4:5" in text
    assert "chapter file '02-missing.md' does not exist" in text
    assert info.value.where.line == 4


def test_missing_chapter_suggests_close_file(tmp_path: Path) -> None:
    root = make_book(tmp_path / "book", "title: T\nchapters:\n  - chapters/openning.md\n", {
        "chapters/opening.md": "# A\n",
    })
    with pytest.raises(ConfigError) as info:
        chapters_of(root)
    assert "book.yaml:3:5" in str(info.value)
    assert "did you mean 'chapters/opening.md'" in str(info.value)


def test_chapter_outside_project_is_refused_with_line(tmp_path: Path) -> None:
    (tmp_path / "outside.md").write_text("# Outside\n", encoding="utf-8")
    root = make_book(tmp_path / "book", "title: T\nchapters:\n  - 01-a.md\n  - ../outside.md\n", {
        "01-a.md": "# A\n",
    })
    with pytest.raises(ConfigError) as info:
        chapters_of(root)
    text = str(info.value)
    assert "book.yaml:4:5" in text
    assert "'../outside.md' is outside the project" in text


def test_absolute_chapter_path_outside_project_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("# Outside\n", encoding="utf-8")
    root = make_book(tmp_path / "book", f"title: T\nchapters:\n  - {outside}\n", {})
    with pytest.raises(ConfigError) as info:
        chapters_of(root)
    assert "book.yaml:3:5" in str(info.value)
    assert "outside the project" in str(info.value)


def test_symlink_in_manuscript_pointing_outside_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n", encoding="utf-8")
    root = make_book(tmp_path / "book", "title: T\n", {"manuscript/01-ok.md": "# OK\n"})
    link = root / "manuscript" / "02-link.md"
    try:
        os.symlink(secret, link)
    except OSError as exc:  # pragma: no cover - e.g. Windows without privileges
        pytest.skip(f"cannot create symlinks here: {exc}")
    with pytest.raises(ConfigError) as info:
        chapters_of(root)
    text = str(info.value)
    assert "02-link.md" in text
    assert "outside the project" in text


def test_symlink_inside_project_is_allowed(tmp_path: Path) -> None:
    root = make_book(tmp_path / "book", "title: T\n", {"drafts/one.md": "# One\n", "manuscript/.keep": ""})
    try:
        os.symlink(root / "drafts" / "one.md", root / "manuscript" / "01-one.md")
    except OSError as exc:  # pragma: no cover
        pytest.skip(f"cannot create symlinks here: {exc}")
    chapters = chapters_of(root)
    assert [c.text for c in chapters] == ["# One\n"]


def test_glob_in_chapters_list(tmp_path: Path) -> None:
    root = make_book(tmp_path / "book", "title: T\nchapters:\n  - front.md\n  - parts/*.md\n", {
        "front.md": "# F\n", "parts/b.md": "# B\n", "parts/a.md": "# A\n",
    })
    assert [rel(c) for c in chapters_of(root)] == ["front.md", "parts/a.md", "parts/b.md"]


def test_glob_matching_nothing_is_an_error_with_line(tmp_path: Path) -> None:
    root = make_book(tmp_path / "book", "title: T\nchapters:\n  - front.md\n  - parts/*.md\n", {"front.md": "# F\n"})
    with pytest.raises(ConfigError) as info:
        chapters_of(root)
    assert "book.yaml:4:5" in str(info.value)
    assert "matches no file" in str(info.value)


# --- reading -----------------------------------------------------------------------------

def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    raw = "\ufeff# Title\r\n\r\nFirst line.\r\nSecond — line.\rThird.\r\n".encode("utf-8")
    root = make_book(tmp_path / "book", "title: T\n", {"manuscript/01-a.md": raw})
    (chapter,) = chapters_of(root)
    assert chapter.text == "# Title\n\nFirst line.\nSecond — line.\nThird.\n"
    assert "\r" not in chapter.text
    assert not chapter.text.startswith("\ufeff")
    assert chapter.digest == hashlib.sha256(raw).hexdigest()  # of the raw bytes, as written


def test_non_utf8_reports_file_line_column_and_offset(tmp_path: Path) -> None:
    raw = b"# Title\n\nCaf\xe9 au lait.\n"  # Latin-1 e-acute on line 3, column 4
    root = make_book(tmp_path / "book", "title: T\n", {"manuscript/01-latin.md": raw})
    with pytest.raises(ManuscriptError) as info:
        chapters_of(root)
    text = str(info.value)
    assert "manuscript/01-latin.md:3:4" in text
    assert "offset 12" in text
    assert "0xe9" in text
    assert (info.value.where.line, info.value.where.column) == (3, 4)


def test_non_utf8_on_first_line_after_multibyte_text(tmp_path: Path) -> None:
    # Column counts bytes; the bad byte is the 8th byte of the line (after 'é' = 2 bytes).
    raw = "# é".encode("utf-8") + b"abc\xff\n"
    root = make_book(tmp_path / "book", "title: T\n", {"01-x.md": raw})
    with pytest.raises(ManuscriptError) as info:
        chapters_of(root)
    assert "01-x.md:1:8" in str(info.value)
    assert "offset 7" in str(info.value)
    assert "0xff" in str(info.value)


def test_truncated_utf8_sequence_at_end_of_file(tmp_path: Path) -> None:
    raw = "Line one\nLine two ".encode("utf-8") + "é".encode("utf-8")[:1]
    root = make_book(tmp_path / "book", "title: T\n", {"01-x.md": raw})
    with pytest.raises(ManuscriptError) as info:
        chapters_of(root)
    assert "01-x.md:2:10" in str(info.value)
    assert f"offset {len(raw) - 1}" in str(info.value)
