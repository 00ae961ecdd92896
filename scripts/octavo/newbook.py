"""`octavo new DIR`: a book folder that builds as it is, and shows by example what a
chapter may hold (notes, a figure, a table, verse) and what book.yaml may say."""

from __future__ import annotations

import shutil
import sys
from importlib import resources
from pathlib import Path

from .errors import ConfigError, Location

#: The template's files -> where they go in the new book. (`.gitignore` is kept as
#: `gitignore` in the package: tools that build wheels may leave dotfiles out.)
TEMPLATE = {
    "book.yaml": "book.yaml",
    "Makefile": "Makefile",
    "gitignore": ".gitignore",
    "manuscript/01-a-first-chapter.md": "manuscript/01-a-first-chapter.md",
    "manuscript/words.txt": "manuscript/words.txt",
    "manuscript/images/octavo-sheet.png": "manuscript/images/octavo-sheet.png",
}


def new_book(target: Path) -> list[Path]:
    """Write the template book into `target` (absent or an empty folder); return its files."""
    if target.exists() and not target.is_dir():
        raise ConfigError(f"'{target}' is a file, not a folder", where=Location(target),
                          hint="name a new folder: octavo new my-book")
    if target.is_dir() and any(target.iterdir()):
        raise ConfigError(f"'{target}' is not empty; octavo new never writes over files", where=Location(target),
                          hint="name a new or empty folder: octavo new my-book")
    template = resources.files("octavo") / "data" / "newbook"
    title = _title_of(target)
    written = []
    for source, name in TEMPLATE.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = template.joinpath(source).read_bytes()
        if name == "book.yaml":
            data = data.replace(b"@TITLE@", title.replace('"', "'").encode())
        elif name == "Makefile":
            data = data.replace(b"@OCTAVO@", _this_octavo().encode())
        path.write_bytes(data)
        written.append(path)
    return written


def _title_of(target: Path) -> str:
    """A working title from the folder's name: my-first-novel -> My First Novel."""
    words = target.resolve().name.replace("_", " ").replace("-", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words) or "Untitled"


def _this_octavo() -> str:
    """The octavo command that is running, for a Makefile run where octavo is not on PATH
    (a virtual environment that is not activated)."""
    beside = Path(sys.executable).parent / "octavo"
    if beside.is_file():
        return str(beside)
    return shutil.which("octavo") or "octavo"
