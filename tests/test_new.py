"""`octavo new DIR`: the template book builds as it is, valid and clean (issue 13,
acceptance 1), and its book.yaml shows every key the schema has."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from octavo.config import BookSchema
from validators import epubcheck_problems

OCTAVO = str(Path(sys.executable).parent / "octavo")


def octavo(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([OCTAVO, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """`octavo new tmp/x`, then `make -C tmp/x` with this venv's octavo (not on PATH here)."""
    folder = tmp_path_factory.mktemp("new") / "my-first-book"
    created = octavo("new", str(folder))
    assert created.returncode == 0, created.stderr
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    built = subprocess.run(["make", "-C", str(folder), f"OCTAVO={OCTAVO}"], capture_output=True, text=True,
                           env=env, timeout=900)
    return folder, built


def test_new_writes_the_book_folder(made) -> None:
    folder, _ = made
    for name in ("book.yaml", "Makefile", ".gitignore", "manuscript/words.txt",
                 "manuscript/01-a-first-chapter.md", "manuscript/images/octavo-sheet.png"):
        assert (folder / name).is_file(), name
    assert set((folder / ".gitignore").read_text().split()) == {"build/", "dist/"}
    assert 'title: "My First Book"' in (folder / "book.yaml").read_text()
    chapter = (folder / "manuscript/01-a-first-chapter.md").read_text()
    assert "[^first]" in chapter and "\n[^first]:" in chapter          # a note
    assert re.search(r"!\[[^\]]+\]\(images/octavo-sheet\.png\)\{[^}]*alt=", chapter)  # a figure with alt text
    assert "|-------:" in chapter or "-------:|" in chapter            # a table
    assert "\n| The sheet is folded" in chapter                        # verse, as a line block


def test_make_builds_a_valid_book(made) -> None:
    folder, built = made
    assert built.returncode == 0, built.stdout + built.stderr
    epub = folder / "build" / "my-first-book.epub"
    for name in ("my-first-book.pdf", "my-first-book-screen.pdf"):
        assert (folder / "build" / name).is_file()
    assert epubcheck_problems(epub) == []
    assert "preflight for kdp: all" in built.stderr and "fail" not in built.stderr


def test_the_new_book_passes_preflight_and_the_checks(made) -> None:
    folder, _ = made
    checked = octavo("check", str(folder))
    assert checked.returncode == 0 and "error" not in checked.stdout, checked.stdout
    assert "no problems found" in checked.stdout  # not even a warning: it is the example to follow
    preflight = octavo("preflight", cwd=folder)
    assert preflight.returncode == 0, preflight.stdout
    assert " FAIL " not in preflight.stdout


def test_new_refuses_a_folder_with_files(tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    refused = octavo("new", str(tmp_path))
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "is not empty" in lines[0] and "error:" in lines[0], refused.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_new_accepts_an_empty_folder(tmp_path) -> None:
    assert octavo("new", str(tmp_path)).returncode == 0
    assert (tmp_path / "book.yaml").is_file()


def schema_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every key book.yaml may hold, nested ones dotted (identifiers.isbn_print)."""
    keys = []
    for name, info in model.model_fields.items():
        keys.append(prefix + name)
        nested = [a for a in (info.annotation, *getattr(info.annotation, "__args__", ()))
                  if isinstance(a, type) and issubclass(a, BaseModel)]
        if nested:
            keys += schema_keys(nested[0], prefix + name + ".")
    return keys


def test_the_template_shows_every_book_yaml_key(tmp_path) -> None:
    """A key added to config.py must be added, with its comment, to the template too."""
    assert octavo("new", str(tmp_path / "b")).returncode == 0
    text = (tmp_path / "b" / "book.yaml").read_text()
    shown, parent = set(), ""
    for line in text.splitlines():
        nested = line.startswith(("  ", "#   "))
        m = re.match(r"^(\w+):", line.lstrip("#").strip())
        if not m:
            continue
        if nested:  # identifiers:\n#   isbn_print: …
            shown.add(f"{parent}.{m[1]}")
            continue
        parent = m[1]
        shown.add(m[1])
        shown.update(f"{m[1]}.{inner}" for inner in re.findall(r"[{,]\s*(\w+):", line))  # { family: …, directory: … }
    missing = [key for key in schema_keys(BookSchema) if key not in shown]
    assert not missing, f"book.yaml template lacks {missing}"
    for line in text.splitlines():  # every key is explained
        if re.match(r"^#? ?\w+:", line) and not line.startswith("#   "):
            assert "#" in line.lstrip("#"), f"no comment on: {line}"
