"""The whole build, as one recipe: stamp -> config -> manuscript -> checks -> convert ->
each requested edition -> publish. The stages live in their own modules; `Schedule`
decides which of them run side by side."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path

from . import keys, sourcedate, stamp
from .cache import Cache, code_fingerprint
from .config import Book, load_book
from .context import FORMATS, BuildContext, BuildOptions, BuildReport, Converted
from .convert import convert, mostly_cached, print_fragments
from .editions import EDITIONS, Edition, cover_image
from .errors import ChecksFailed, OctavoError
from .manuscript import Manuscript, read_manuscript
from .memory import give_back_memory
from .styles import find_styles
from .tools import find_pandoc

__all__ = ["FORMATS", "BuildOptions", "BuildReport", "ChecksFailed", "build"]


def build(book_dir: Path, *, formats: tuple[str, ...] = FORMATS, out_dir: Path | None = None,
          **options) -> BuildReport:
    """Build the requested formats of the book in `book_dir` into `out_dir` (default BOOK/build)."""
    opts = BuildOptions(formats=formats, out_dir=out_dir, **options)
    started, report = time.monotonic(), BuildReport()
    out = (opts.out_dir or Path(book_dir) / "build").resolve()
    request = {"book": str(Path(book_dir).resolve()), "formats": ",".join(sorted(formats)),
               "single_pass": opts.single_pass, "octavo": code_fingerprint(),
               "dated": sourcedate.outside_inputs(Path(book_dir))}  # the files' dates (sourcedate.py)
    # 0. Nothing that the last build read has changed: nothing to do (milliseconds).
    if (previous := stamp.current_outputs(out, request)) is not None:
        report.up_to_date, report.outputs, report.seconds = True, previous, time.monotonic() - started
        return report
    book = load_book(Path(book_dir))  # 1. book.yaml, validated before any work is done
    manuscript = read_manuscript(book)  # 2. the chapter files, in reading order
    cache = Cache(out / ".cache")
    # 3. The checks run in a process of their own beside the rest; an error stops publishing.
    checks = _Checks(book, manuscript, cache) if opts.check else None
    try:
        with _workdir(out) as work:
            styles, pandoc = find_styles(book), find_pandoc()
            ctx = BuildContext(book, styles, pandoc, keys.toolchain(pandoc), cache, work, opts, report)
            with Schedule(ctx, [EDITIONS[name]() for name in formats], manuscript) as schedule:
                docs = convert(ctx, manuscript.chapters)  # 4. pandoc, chapter by chapter, cached
                built = schedule.run(docs)  # 5. each edition (and the print preflight)
            if checks is not None:
                report.diagnostics = checks.finish(report)
            for kind, path in built.items():  # 6. publish: every file at once, atomically
                report.outputs[kind] = _publish(path, out)
    except OctavoError:
        if checks is not None:
            checks.finish(report)  # errors in the manuscript are the likelier cause: report those
        raise
    report.redone.update(cache.made)
    from .pagelist import stamp_files  # the cached page map an EPUB's page-list came from, or would

    stamp.record(out, request, inputs=keys.stamp_inputs(book, manuscript.chapters, styles) + stamp_files(ctx),
                 folders=keys.stamp_folders(book, styles), outputs=report.outputs)
    report.seconds = time.monotonic() - started
    return report


class Schedule:
    """Which step runs beside which, and when memory is given back.

    Two cores and a long book: pandoc writing a 1,100-page EPUB needs ~0.7 GB, every
    WeasyPrint worker as much. So:
    - an edit (three chapters in four already converted): a layout worker starts before
      conversion, to be warm when the changed chapter is ready, and the EPUB (patched,
      not rebuilt) is made in the background beside the print layout;
    - a new book: each big step runs when the one before it has let go of its memory:
      print layout, then the workers close, then the EPUB's pandoc, then the rest;
    - the layout workers repair the screen edition's parts while this process assembles
      the print edition (after an edit they also put it together), and they close when
      both are done; a new book's screen edition is put together here after the EPUB;
    - the print preflight runs in the background while the screen edition and the EPUB
      finish.
    """

    def __init__(self, ctx: BuildContext, editions: list[Edition], manuscript: Manuscript) -> None:
        self.ctx, self.editions = ctx, {edition.format: edition for edition in editions}
        self.edit = mostly_cached(ctx, manuscript.chapters)
        self.pool = self._layout_pool() if self.edit else None
        if self.pool is not None:
            self.pool.assembles_screen = True  # an edit: small workers, and time is what counts
        self.background = ThreadPoolExecutor(max_workers=2)

    def __enter__(self) -> Schedule:
        return self

    def __exit__(self, *exc) -> None:
        self._close_pool()
        self.background.shutdown(wait=True)

    def run(self, docs) -> dict[str, Path]:
        ctx, editions = self.ctx, self.editions
        printed = any(e.needs_print_html for e in editions.values())
        fragments = print_fragments(ctx, docs) if printed else []
        for doc in docs:  # from here on the chapters are needed as JSON text only
            doc.release()
        give_back_memory()
        cover = cover_image(ctx) if any(e.needs_cover for e in editions.values()) else None
        book = Converted(docs, fragments, cover)
        started: dict[str, Future] = {}
        if "epub" in editions and (self.edit or "pdf" not in editions):
            started["epub"] = self.background.submit(editions["epub"].build, ctx, book)
        built: dict[str, Path] = {}
        verified: dict[str, Future] = {}
        if "pdf" in editions:
            self.pool = self.pool or self._layout_pool()
            built["pdf"] = editions["pdf"].build(ctx, book, self.pool)
            if book.print_layout is not None and book.print_layout.screen is not None:
                give_back_memory()  # the print edition's assembly, while the screen edition's goes on
                wait([book.print_layout.screen])  # the workers assemble the screen edition (screen.py)
            self._close_pool()  # the workers' memory goes back before the EPUB's pandoc starts
            if "epub" in editions and "epub" not in started:  # a whole EPUB: its pandoc has the memory first
                started["epub"] = self.background.submit(editions["epub"].build, ctx, book)
                started["epub"].result()
            verified["pdf"] = self.background.submit(editions["pdf"].verify, ctx, built["pdf"])
        for name, edition in editions.items():
            if name not in built and name not in started:
                built[name] = edition.build(ctx, book)
        for name, future in started.items():
            built[name] = future.result()
        if "epub" in built:  # the print edition's page numbers in the EPUB (pagelist.py)
            from .pagelist import paginate_epub

            paginate_epub(ctx, book.docs, built["epub"], getattr(editions.get("pdf"), "page_map", None),
                          printed="pdf" in built)
        if "pdf" in verified:
            ctx.report.preflight = verified["pdf"].result()
        return {name: built[name] for name in editions}

    def _layout_pool(self):
        from .layout import LayoutPool, splittable
        from .pagesetup import chapter_css, print_setup

        ctx = self.ctx
        if "pdf" not in self.editions or ctx.options.single_pass or not splittable(ctx.styles):
            return None
        return LayoutPool(ctx.jobs, ctx.book.root, ctx.styles, chapter_css(ctx.book, print_setup(ctx.book)))

    def _close_pool(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        give_back_memory()


class _Checks:
    """The manuscript checks, in a process of their own: pure-Python work, needed only at
    the end, so at a lower priority than the conversion and layout beside it."""

    def __init__(self, book: Book, manuscript: Manuscript, cache: Cache) -> None:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=1, initializer=os.nice, initargs=(5,))
        self.future = pool.submit(_run_checks, book, manuscript, cache)
        pool.shutdown(wait=False)

    def finish(self, report: BuildReport) -> list:
        diagnostics, made = self.future.result()
        report.redone.update(made)
        errors = [d for d in diagnostics if d.severity == "error"]
        if errors:
            raise ChecksFailed(errors)
        return diagnostics


def _run_checks(book: Book, manuscript: Manuscript, cache: Cache):
    from .checks import check_book

    diagnostics = check_book(book, manuscript, disabled=set(book.schema.checks.disable), cache=cache)
    return diagnostics, cache.made


@contextmanager
def _workdir(out: Path) -> Iterator[Path]:
    """A private scratch folder beside the outputs: renames into `out` are atomic, and
    two builds running at once never write into each other's files."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".octavo-*-*"):  # left by a build that was killed
        if not _running(stale.name.split("-")[1]):
            shutil.rmtree(stale, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=f".octavo-{os.getpid()}-", dir=out))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _running(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _publish(built: Path, out: Path) -> Path:
    """Move a finished file into place in one step: readers see the old file or the new one."""
    final = out / built.name
    os.replace(built, final)
    return final
