"""Find the book's chapters and read them as text."""

from __future__ import annotations

import glob
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .config import Book, resolve_inside
from .errors import ConfigError, Location, ManuscriptError, shown_path

CHAPTER_FILE = re.compile(r"^(\d+)-(.+)\.md$")


@dataclass(frozen=True)
class Chapter:
    """One Markdown chapter file: the unit of conversion and caching."""

    index: int  # 1-based position in reading order
    path: Path  # absolute
    display: str  # path as the writer would type it (relative to the current folder)
    slug: str  # file name without number and extension, e.g. "great-leap"
    text: str  # decoded, BOM removed, line ends normalised to \n
    digest: str  # sha256 of the raw bytes

    @property
    def anchor(self) -> str:
        """The id of the chapter's section in HTML/EPUB: unique and stable."""
        return f"ch{self.index:02d}"


@dataclass(frozen=True)
class Manuscript:
    chapters: tuple[Chapter, ...]


def read_manuscript(book: Book) -> Manuscript:
    paths = _chapter_paths(book)
    if not paths:
        folder = book.root / "manuscript" if (book.root / "manuscript").is_dir() else book.root
        raise ManuscriptError(f"no chapters found in {folder}", where=Location(folder),
                              hint="name chapter files like 01-opening.md, or list them under chapters: in book.yaml")
    chapters = tuple(_read_chapter(book, index, path) for index, path in enumerate(paths, start=1))
    return Manuscript(chapters=chapters)


def _chapter_paths(book: Book) -> list[Path]:
    listed = book.schema.chapters
    if listed is None:
        folder = book.root / "manuscript"
        if not folder.is_dir():
            folder = book.root
        found = [p for p in folder.iterdir() if CHAPTER_FILE.match(p.name) and p.is_file()]
        found.sort(key=_reading_order)
        for path in found:
            resolve_inside(book.root, str(path.relative_to(book.root)), where=Location(path))
        return found
    paths: list[Path] = []
    for position, entry in enumerate(listed):
        where = book.locate(f"chapters.{position}")
        if any(ch in entry for ch in "*?["):
            matches = sorted(glob.glob(entry, root_dir=book.root), key=lambda m: _reading_order(Path(m)))
            if not matches:
                raise ConfigError(f"chapter pattern '{entry}' matches no file", where=where,
                                  hint="check the pattern against the files in the project")
            paths.extend(resolve_inside(book.root, m, where=where) for m in matches)
            continue
        path = resolve_inside(book.root, entry, where=where)
        if not path.is_file():
            close = _close_file(book.root, entry, exclude=set(listed))
            raise ConfigError(f"chapter file '{entry}' does not exist", where=where,
                              hint=f"did you mean '{close}'?" if close else "fix the path or create the file")
        paths.append(path)
    return paths


def _reading_order(path: Path) -> tuple[int, str]:
    """02-x before 10-x: by the chapter number, then by name."""
    match = CHAPTER_FILE.match(path.name)
    return (int(match.group(1)) if match else 10**9, path.name)


def _close_file(root: Path, entry: str, exclude: set[str]) -> str | None:
    import difflib

    candidates = [str(p.relative_to(root)) for p in root.rglob("*.md")
                  if ".venv" not in p.parts and str(p.relative_to(root)) not in exclude]
    close = difflib.get_close_matches(entry, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


def _read_chapter(book: Book, index: int, path: Path) -> Chapter:
    display = shown_path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ManuscriptError(
            f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start} cannot be decoded",
            where=Location(display, line, column),
            hint="save the file as UTF-8 (most editors: 'Save with encoding')") from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    match = CHAPTER_FILE.match(path.name)
    slug = match.group(2) if match else path.stem
    return Chapter(index=index, path=path, display=display, slug=slug, text=text,
                   digest=hashlib.sha256(raw).hexdigest())
