"""`octavo build` on broken books: exit code, one line on stderr that says where, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import make_book

from octavo import __version__
from octavo.cli import main




def run_octavo(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "octavo", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    assert result.stderr.endswith("\n")
    assert "error:" in lines[0]
    assert "internal error" not in lines[0]
    assert result.stdout == ""
    return lines[0]


CASES = {
    "malformed-yaml": (
        'title: "Broken\nlanguage: en\n', {"01-a.md": "# A\n"},
        "book.yaml:1:8", "not valid YAML"),
    "unknown-key": (
        "# My book\nlanguage: en\ntitel: My Book\n", {"01-a.md": "# A\n"},
        "book.yaml:3:1", "unknown key 'titel'; did you mean 'title'?"),
    "missing-chapter": (
        "title: T\nchapters:\n  - 01-a.md\n  - 02-gone.md\n", {"01-a.md": "# A\n"},
        "book.yaml:4:5", "chapter file '02-gone.md' does not exist"),
    "chapter-outside-project": (
        "title: T\nchapters:\n  - 01-a.md\n  - ../outside.md\n", {"01-a.md": "# A\n"},
        "book.yaml:4:5", "'../outside.md' is outside the project"),
    "wrong-type": (
        "title: T\nseries: 5\n", {"01-a.md": "# A\n"},
        "book.yaml:2:1", "'series'"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_build_error_is_one_line_with_location(tmp_path: Path, case: str) -> None:
    yaml_text, files, where, message = CASES[case]
    (tmp_path / "outside.md").write_text("# Outside\n", encoding="utf-8")
    book = make_book(tmp_path / "book", yaml_text, files)
    result = run_octavo("build", str(book), cwd=tmp_path)
    line = assert_one_line_error(result)
    assert result.returncode == 2  # ConfigError
    # Paths are shown as the writer would type them: relative to the current folder.
    assert line.startswith("book/book.yaml:")
    assert where in line
    assert message in line
    assert line.endswith("[config]")
    assert not (book / "build").exists()  # nothing is written before the book is valid


def test_build_without_book_yaml(tmp_path: Path) -> None:
    book = make_book(tmp_path / "empty", None)
    result = run_octavo("build", str(book), cwd=tmp_path)
    line = assert_one_line_error(result)
    assert result.returncode == 2
    assert f"no book.yaml in {book.resolve()}" in line


def test_build_default_folder_is_cwd(tmp_path: Path) -> None:
    result = run_octavo("build", cwd=tmp_path)
    line = assert_one_line_error(result)
    assert f"no book.yaml in {tmp_path.resolve()}" in line


def test_build_non_utf8_chapter(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book", "title: T\n", {"manuscript/01-a.md": b"# A\n\nCaf\xe9\n"})
    result = run_octavo("build", str(book), cwd=tmp_path)
    line = assert_one_line_error(result)
    assert result.returncode == 2
    assert "manuscript/01-a.md:3:4" in line
    assert "offset 8" in line
    assert line.endswith("[manuscript]")


def test_main_returns_exit_code_and_prints_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = make_book(tmp_path / "book", "titel: X\n")
    assert main(["build", str(book)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "book.yaml:1:1: error: unknown key 'titel'" in captured.err


def test_version_reports_tools() -> None:
    from importlib.metadata import version

    from octavo.tools import find_pandoc

    result = subprocess.run([sys.executable, "-m", "octavo", "--version"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"octavo {__version__}"
    pandoc = find_pandoc()
    assert lines[1].startswith(f"pandoc {pandoc.version_text} ({pandoc.source}: ")
    assert pandoc.version >= (3, 1, 2)
    assert lines[2] == f"WeasyPrint {version('weasyprint')}"
    assert version("weasyprint") == "70.0"  # the pinned release the layout tests rely on
    assert "Traceback" not in result.stderr
