"""What one build shares between its stages: the options asked for, the report being
written, and the `BuildContext` (book, styles, tools, cache, scratch folder, workers)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .cache import Cache
from .config import Book
from .keys import Toolchain
from .styles import Styles
from .tools import Pandoc

FORMATS = ("pdf", "epub", "screen")  # print interior, EPUB 3, screen PDF


@dataclass
class BuildOptions:
    formats: tuple[str, ...] = FORMATS
    out_dir: Path | None = None
    jobs: int = os.cpu_count() or 1
    single_pass: bool = False
    check: bool = True  # run the manuscript checks first; errors stop the build
    #: Called as progress(stage, done, total) while the build runs (the CLI draws a bar).
    progress: Callable[[str, int, int], None] = lambda stage, done, total: None


@dataclass
class BuildReport:
    outputs: dict[str, Path] = field(default_factory=dict)
    pages: int | None = None
    seconds: float = 0.0
    up_to_date: bool = False
    converted: list[str] = field(default_factory=list)  # chapters pandoc had to parse
    laid_out: list[str] = field(default_factory=list)  # chapters WeasyPrint had to lay out
    layout: str = ""  # "chapter-wise" or "single-pass (reason)"
    diagnostics: list = field(default_factory=list)  # from the manuscript checks
    printer: str = ""  # the printer the print PDF was made and preflighted for
    preflight: list = field(default_factory=list)  # preflight findings on the print PDF
    screen_pages: int | None = None
    notes: list[str] = field(default_factory=list)  # what the build decided and why (padding, second pass)
    #: What was made again rather than taken from the cache, by kind of artifact
    #: ("ast", "layout", "epub-book", "cover.png", "check-spelling", …) and count.
    redone: Counter = field(default_factory=Counter)


@dataclass
class Converted:
    """The book after conversion, as the editions take it."""

    docs: list  # list[pandoc.ChapterDoc], in reading order
    fragments: list[str]  # each chapter's print HTML ([] when no printed edition is made)
    cover: Path | None  # the cover image (EPUB cover, screen edition's first page)
    #: The print edition's final setup and chapter layouts (editions.PrintLayout), once it
    #: is laid out: the screen edition is assembled from them.
    print_layout: object = None


@dataclass
class BuildContext:
    """Everything the stages of one build share; each stage takes it and its own data."""

    book: Book
    styles: Styles
    pandoc: Pandoc
    tools: Toolchain
    cache: Cache
    work: Path  # private scratch folder beside the outputs
    options: BuildOptions
    report: BuildReport
    #: The cache key of the print page map the EPUB's page-list comes from (pagelist.py).
    page_map_key: str = ""

    @property
    def jobs(self) -> int:
        return self.options.jobs

    def progress(self, stage: str, done: int, total: int) -> None:
        self.options.progress(stage, done, total)
