"""The whole build, stage by stage: config -> manuscript -> pandoc -> epub | pdf."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .config import Book, load_book
from .errors import ConfigError
from .manuscript import read_manuscript
from .pandoc import chapter_html, parse_chapter, prepare_chapters
from .styles import Styles, find_styles
from .tools import find_pandoc

log = logging.getLogger(__name__)

FORMATS = ("pdf", "epub")


@dataclass
class BuildReport:
    outputs: dict[str, Path] = field(default_factory=dict)
    pages: int | None = None
    seconds: float = 0.0


def build(book_dir: Path, *, formats: tuple[str, ...] = FORMATS, out_dir: Path | None = None) -> BuildReport:
    """Build the requested formats of the book in `book_dir` into `out_dir` (default BOOK/build)."""
    started = time.monotonic()
    report = BuildReport()
    # 1. Configuration: book.yaml, validated before any work is done.
    book = load_book(book_dir)
    # 2. Manuscript: the chapter files, in reading order.
    manuscript = read_manuscript(book)
    styles = find_styles(book)
    # 3. pandoc: each chapter parsed on its own (labels cannot collide), ids made book-unique.
    pandoc = find_pandoc()
    log.info("converting %d chapters with pandoc %s", len(manuscript.chapters), pandoc.version_text)
    docs = prepare_chapters([(chapter, parse_chapter(pandoc, chapter)) for chapter in manuscript.chapters])
    out = (out_dir or book.root / "build").resolve()
    with _workdir(out) as work:
        # 4. EPUB: pandoc's writer, then the accessibility and footnote post-pass.
        if "epub" in formats:
            from .cover import typographic_cover
            from .epub import build_epub

            cover = _cover(book, styles, work, typographic_cover)
            target = work / f"{book.slug}.epub"
            build_epub(book, docs, pandoc=pandoc, styles_base=styles.base, styles_epub=styles.epub,
                       fonts=styles.fonts, cover=cover, workdir=work, target=target)
            report.outputs["epub"] = _publish(target, out)
        # 5. PDF: chapter HTML with notes in the flow, front matter, WeasyPrint.
        if "pdf" in formats:
            from .pdf import print_html, render_pdf

            fragments = [chapter_html(pandoc, doc) for doc in docs]
            target = work / f"{book.slug}.pdf"
            result = render_pdf(book, print_html(book, docs, fragments), styles, target)
            report.pages = result.pages
            report.outputs["pdf"] = _publish(target, out)
    report.seconds = time.monotonic() - started
    return report


def _cover(book: Book, styles: Styles, work: Path, draw) -> Path:
    if book.schema.cover:
        path = book.project_path(book.schema.cover, key="cover")
        if not path.is_file():
            raise ConfigError(f"cover image '{book.schema.cover}' does not exist", where=book.locate("cover"),
                              hint="fix the path, or remove 'cover' to get a typographic cover")
        return path
    by_name = {p.name.lower(): p for p in styles.fonts}
    regular = next((p for n, p in by_name.items() if "regular" in n), styles.fonts[0])
    italic = next((p for n, p in by_name.items() if "italic" in n and "bold" not in n), regular)
    return draw(book, regular, italic, work / "cover.png")


@contextmanager
def _workdir(out: Path) -> Iterator[Path]:
    """A private scratch folder beside the outputs: renames into `out` are atomic, and
    two builds running at once never write into each other's files."""
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".octavo-", dir=out))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _publish(built: Path, out: Path) -> Path:
    """Move a finished file into place in one step: readers see the old file or the new one."""
    final = out / built.name
    os.replace(built, final)
    return final
