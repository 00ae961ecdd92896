"""The whole build, stage by stage: config -> manuscript -> pandoc -> epub | pdf."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from . import __version__, stamp
from .cache import Cache, code_fingerprint, digest
from .config import Book, load_book
from .errors import ChecksFailed, OctavoError
from .manuscript import Chapter, read_manuscript
from .pandoc import ChapterDoc, Heading, chapters_html, parse_chapter, prepare_chapter
from .resources import vet_chapter
from .styles import Styles, find_styles
from .tools import Pandoc, find_pandoc, weasyprint_version

log = logging.getLogger(__name__)

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


def build(book_dir: Path, *, formats: tuple[str, ...] = FORMATS, out_dir: Path | None = None,
          **options) -> BuildReport:
    """Build the requested formats of the book in `book_dir` into `out_dir` (default BOOK/build)."""
    opts = BuildOptions(formats=formats, out_dir=out_dir, **options)
    started = time.monotonic()
    report = BuildReport()
    out = (opts.out_dir or Path(book_dir) / "build").resolve()
    request = {"book": str(Path(book_dir).resolve()), "formats": ",".join(sorted(formats)),
               "single_pass": opts.single_pass, "octavo": code_fingerprint()}
    previous = stamp.current_outputs(out, request)
    if previous is not None:
        report.up_to_date, report.seconds = True, time.monotonic() - started
        report.outputs = previous
        return report
    # 1. Configuration: book.yaml, validated before any work is done.
    book = load_book(Path(book_dir))
    # 2. Manuscript: the chapter files, in reading order.
    manuscript = read_manuscript(book)
    # 2b. Checks: a broken footnote is found here, not by a reader. They run in a process
    #     of their own beside conversion and layout; nothing is published if they fail.
    checks = _start_checks(book, manuscript, Cache(out / ".cache")) if opts.check else None
    pool = None
    try:
        styles = find_styles(book)
        pandoc = find_pandoc()
        cache = Cache(out / ".cache")
        # Most chapters unchanged (an edit): the EPUB is patched, not rebuilt, so it can run
        # beside the layout, and a layout worker is started now, to be ready when the
        # changed chapter is. Otherwise each big step runs when the one before it has let
        # go of its memory (pandoc needs ~0.7 GB to write a 1,100-page book's EPUB).
        edit = _mostly_cached(manuscript.chapters, pandoc, cache)
        if edit and "pdf" in formats:
            pool = _start_layout_pool(book, styles, opts)
        # 3. pandoc: each chapter parsed on its own (labels cannot collide), from the cache
        #    when its text is unchanged; ids are then made unique across the book.
        parsed, report.converted = _parse_all(manuscript.chapters, pandoc, cache, opts.jobs, opts.progress)
        docs = _prepare(book, manuscript.chapters, parsed, cache)
        del parsed
        with _workdir(out) as work, ThreadPoolExecutor(max_workers=2) as formats_pool:
            printed = "pdf" in formats or "screen" in formats
            fragments = _fragments(docs, pandoc, cache, opts.jobs) if printed else []
            for doc in docs:  # from here on the chapters are needed as JSON text only
                doc.release()
            _give_back_memory()
            cover = _cover(book, styles, cache, work) if ("epub" in formats or "screen" in formats) else None
            epub: Future | None = None
            if "epub" in formats and (edit or "pdf" not in formats):
                # 4. The EPUB, in the background, while 5. the PDF is laid out.
                epub = formats_pool.submit(_build_epub, book, docs, pandoc, styles, work, cache, cover)
            built: dict[str, Path] = {}
            if "pdf" in formats:
                if pool is None:
                    pool = _start_layout_pool(book, styles, opts)
                result = _build_pdf(book, docs, fragments, pandoc, styles, work, cache, opts, report, pool)
                if pool is not None:
                    pool.close()  # the workers' memory goes back before the EPUB's pandoc starts
                    pool = None
                _give_back_memory()
                report.pages = result.pages
                built["pdf"] = result.path
                report.printer = book.schema.printer
            if "epub" in formats and epub is None:
                epub = formats_pool.submit(_build_epub, book, docs, pandoc, styles, work, cache, cover)
                if "pdf" in formats:  # a whole EPUB: its pandoc has the memory to itself first
                    epub.result()
            if "pdf" in formats:
                # 6. Preflight: the finished file measured against the printer's rules
                #    (in the background, while the screen edition or the EPUB finish).
                from .preflight import PRINTERS, preflight

                checked = formats_pool.submit(preflight, result.path, PRINTERS[book.schema.printer], cache,
                                              result.fingerprints)
            if "screen" in formats:
                built["screen"] = _build_screen(book, docs, fragments, styles, work, cache, cover, opts, report)
            if epub is not None:
                built["epub"] = epub.result()
            if "pdf" in built:
                report.preflight = checked.result()
            if checks is not None:
                report.diagnostics = _finish_checks(checks)

            for kind, path in built.items():
                report.outputs[kind] = _publish(path, out)
    except OctavoError:
        if checks is not None:
            _finish_checks(checks)  # errors in the manuscript are the likelier cause: report those
        raise
    finally:
        if pool is not None:
            pool.close()
    stamp.record(out, request, inputs=_inputs(book, manuscript.chapters, styles),
                 folders=_folders(book, styles), outputs=report.outputs)
    report.seconds = time.monotonic() - started
    return report


def _start_checks(book: Book, manuscript, cache: Cache):
    from concurrent.futures import ProcessPoolExecutor

    from .checks import check_book

    # Pure-Python work: a process, not a thread. Its answer is needed only at the end, so
    # it runs at a lower priority than the conversion and layout it shares the CPUs with.
    pool = ProcessPoolExecutor(max_workers=1, initializer=os.nice, initargs=(5,))
    future = pool.submit(check_book, book, manuscript, disabled=set(book.schema.checks.disable), cache=cache)
    pool.shutdown(wait=False)
    return future


def _finish_checks(future) -> list:
    diagnostics = future.result()
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:
        raise ChecksFailed(errors)
    return diagnostics


@dataclass
class _Parsed:
    key: str          # the cache key of the chapter's AST
    text: bytes       # the AST as JSON
    ast: dict | None  # the AST, when it was just made (else parsed only if needed)
    outside: bool     # refers to images or has raw HTML: resources.vet_chapter must see it


def _give_back_memory() -> None:
    """Return the memory of the chapters' trees to the system (a long book's are
    hundreds of MB of small objects; glibc keeps freed memory unless asked)."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the memory is reused, just not returned
        pass


def _ast_key(chapter: Chapter, pandoc: Pandoc) -> str:
    return digest("ast", chapter.text, pandoc.version_text, __version__)


def _mostly_cached(chapters: tuple[Chapter, ...], pandoc: Pandoc, cache: Cache) -> bool:
    """Whether at least three chapters in four were parsed before (an edit, not a new book)."""
    cached = sum(cache.path("ast", _ast_key(chapter, pandoc)).is_file() for chapter in chapters)
    return cached * 4 >= len(chapters) * 3


def _parse_all(chapters: tuple[Chapter, ...], pandoc: Pandoc, cache: Cache, jobs: int,
               progress: Callable[[str, int, int], None]) -> tuple[list[_Parsed], list[str]]:
    keys = [_ast_key(chapter, pandoc) for chapter in chapters]
    parsed: list = [None] * len(chapters)
    missing = []
    for i, key in enumerate(keys):
        hit = cache.get("ast", key)
        if hit is not None:
            parsed[i] = _Parsed(key, hit, None, _points_outside(hit))
        else:
            missing.append(i)
    progress("converting chapters", len(chapters) - len(missing), len(chapters))
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:  # pandoc runs as a subprocess
        for done, (i, ast) in enumerate(zip(missing, pool.map(lambda i: parse_chapter(pandoc, chapters[i]),
                                                               missing)), start=1):
            text = orjson.dumps(ast)
            cache.put("ast", keys[i], text)
            parsed[i] = _Parsed(keys[i], text, ast, _points_outside(text))
            progress("converting chapters", len(chapters) - len(missing) + done, len(chapters))
    return parsed, [chapters[i].display for i in missing]


def _prepare(book: Book, chapters: tuple[Chapter, ...], parsed: list[_Parsed], cache: Cache) -> list[ChapterDoc]:
    """Vet each chapter's resources and make its ids unique in the book (pandoc.prepare_chapter).

    A prepared chapter depends only on its AST and on the heading ids of the chapters
    before it, so it is cached under those; an unchanged chapter is then not even parsed
    into Python objects. Chapters with images or raw HTML are vetted on every build (the
    files they point at may have changed)."""
    used: set[str] = set()
    docs = []
    for chapter, item in zip(chapters, parsed):
        key = digest("prepared", item.key, chapter.anchor, chapter.slug, "\0".join(sorted(used)), __version__,
                     book.schema.language)
        hit = None if item.outside else cache.get("prepared", key)
        if hit is not None:
            head, _, text = hit.partition(b"\n")
            meta = orjson.loads(head)
            doc = ChapterDoc(chapter=chapter, source=text.decode(), single_part=meta["single_part"],
                             headings=[Heading(*h) for h in meta["headings"]])
            used.update(h.id for h in doc.headings)
        else:
            ast = item.ast if item.ast is not None else orjson.loads(item.text)
            if item.outside:
                ast = vet_chapter(book, chapter, ast)
            doc = prepare_chapter(chapter, ast, used, book.schema.language)
            if not item.outside:
                meta = {"single_part": doc.single_part, "headings": [[h.level, h.id, h.title] for h in doc.headings]}
                cache.put("prepared", key, orjson.dumps(meta) + b"\n" + doc.ast_json.encode())
        docs.append(doc)
    return docs


def _points_outside(ast_json: bytes) -> bool:
    """Whether a chapter has anything resources.vet_chapter must look at (images, raw
    HTML); most chapters have neither, and walking a 400,000-word book costs seconds."""
    return any(tag in ast_json for tag in (b'"Image"', b'"RawBlock"', b'"RawInline"'))


def _fragments(docs: list[ChapterDoc], pandoc: Pandoc, cache: Cache, jobs: int) -> list[str]:
    """Each chapter's print HTML, from the cache or from one pandoc run for all the rest."""
    keys = [digest("html", doc.ast_json, pandoc.version_text, __version__) for doc in docs]
    fragments: list = [cache.get("html", key) for key in keys]
    missing = [docs[i] for i, hit in enumerate(fragments) if hit is None]
    converted = iter(chapters_html(pandoc, missing, jobs=jobs)) if missing else iter(())
    for i, hit in enumerate(fragments):
        if hit is None:
            html = next(converted)
            cache.put("html", keys[i], html.encode())
            fragments[i] = html
        else:
            fragments[i] = hit.decode()
    return fragments


def _start_layout_pool(book: Book, styles: Styles, opts: BuildOptions):
    from .layout import LayoutPool, splittable
    from .pagesetup import chapter_css, print_setup

    if opts.single_pass or not splittable(styles):
        return None
    return LayoutPool(opts.jobs, book.root, styles, chapter_css(book, print_setup(book)))


def _build_pdf(book: Book, docs: list[ChapterDoc], fragments: list[str], pandoc: Pandoc, styles: Styles, work: Path,
               cache: Cache, opts: BuildOptions, report: BuildReport, pool=None):
    from .pagesetup import print_setup

    setup = print_setup(book)
    result = _lay_out(book, docs, fragments, pandoc, styles, work, cache, opts, report, setup, pool)
    # The printer's minimum gutter grows with the page count (KDP: 0.375 in up to 150
    # pages … 0.875 in over 700): when the finished count needs a wider one, lay out again.
    for attempt in ("second", "third"):  # a wider gutter can only add pages: this settles fast
        wider = print_setup(book, pages=result.pages)
        if wider.geometry.inner <= setup.geometry.inner:
            break
        report.notes.append(f"{attempt} layout pass: {result.pages} pages need a {wider.geometry.inner} in gutter "
                            f"for {book.schema.printer} (was {setup.geometry.inner} in)")
        setup = wider
        result = _lay_out(book, docs, fragments, pandoc, styles, work, cache, opts, report, setup, pool)
    if result.padded:
        report.notes.append(f"added {result.padded} blank pages at the end: {book.schema.printer} prints "
                            f"at least {setup.min_pages}")
    return result


def _lay_out(book: Book, docs: list[ChapterDoc], fragments: list[str], pandoc: Pandoc, styles: Styles, work: Path,
             cache: Cache, opts: BuildOptions, report: BuildReport, setup, pool=None):
    from .layout import splittable
    from .pdf import render_chapterwise, render_single_pass

    target = work / f"{book.slug}.pdf"
    if opts.single_pass or not splittable(styles):
        reason = "asked for" if opts.single_pass else "the stylesheet prints page references (target-counter)"
        report.layout = f"single-pass ({reason})"
        report.laid_out = [doc.chapter.display for doc in docs]
        opts.progress("laying out the book in one pass", 0, 1)
        result = render_single_pass(book, docs, fragments, styles, target, setup)
        opts.progress("laying out the book in one pass", 1, 1)
        return result
    report.layout = "chapter-wise"
    versions = f"{__version__} {weasyprint_version()} {pandoc.version_text}"
    result, laid_out = render_chapterwise(book, docs, fragments, styles, target, setup, cache=cache,
                                          jobs=opts.jobs, tool_versions=versions, progress=opts.progress,
                                          pool=pool)
    report.laid_out = [doc.chapter.display for doc in docs if doc.chapter.index in laid_out]
    return result


def _build_screen(book: Book, docs: list[ChapterDoc], fragments: list[str], styles: Styles, work: Path,
                  cache: Cache, cover: Path, opts: BuildOptions, report: BuildReport) -> Path:
    """The screen edition: one pass (a tagged PDF cannot be pieced together), cached whole."""
    from .pdf import render_screen

    opts.progress("laying out the screen edition", 0, 1)
    target = work / f"{book.slug}-screen.pdf"
    report.screen_pages = render_screen(book, docs, fragments, styles, cover, target, cache=cache,
                                        tool_versions=f"{__version__} {weasyprint_version()}")
    opts.progress("laying out the screen edition", 1, 1)
    return target


def _build_epub(book: Book, docs: list[ChapterDoc], pandoc: Pandoc, styles: Styles, work: Path,
                cache: Cache, cover: Path) -> Path:
    from .epub import build_epub

    target = work / f"{book.slug}.epub"
    build_epub(book, docs, pandoc=pandoc, styles_base=styles.base, styles_epub=styles.epub,
               fonts=styles.fonts, cover=cover, workdir=work, target=target, cache=cache)
    return target


def _cover(book: Book, styles: Styles, cache: Cache, work: Path) -> Path:
    """The cover image (EPUB cover, screen edition's first page): the author's art fitted
    to 1600×2560, or a typographic cover; drawn once and kept in the cache."""
    from .cover import cover_art, epub_cover

    art = cover_art(book)
    key = digest("cover", book.schema.model_dump_json(), art.read_bytes() if art else b"",
                 *(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in styles.fonts), __version__)
    suffix = ".jpg" if art is not None and art.suffix.lower() not in (".png",) else ".png"
    cached = cache.get("cover" + suffix, key)
    if cached is not None:
        target = work / ("cover" + suffix)
        target.write_bytes(cached)
        return target
    target = epub_cover(book, styles, work / "cover.png")
    cache.put("cover" + target.suffix, key, target.read_bytes())
    return target


def _inputs(book: Book, chapters: tuple[Chapter, ...], styles: Styles) -> list[Path]:
    files = [book.config_path, *(c.path for c in chapters), *styles.fonts]
    files += [p for p in styles.directory.iterdir() if p.is_file()]
    if book.schema.cover:
        files.append(book.project_path(book.schema.cover, key="cover"))
    if book.schema.output_profile:
        files.append(book.project_path(book.schema.output_profile, key="output_profile"))
    # The images the chapters show, and the word list the checks read: inputs too.
    from .cache import IMAGE_NAME

    for chapter in chapters:
        for name in set(IMAGE_NAME.findall(chapter.text)):
            for base in (chapter.path.parent, book.root):
                path = (base / name).resolve()
                if path.is_file() and path.is_relative_to(book.root.resolve()):
                    files.append(path)
    files += [p for p in (book.root / "manuscript" / "words.txt", book.root / "words.txt") if p.is_file()]
    return files


def _folders(book: Book, styles: Styles) -> list[Path]:
    """Folders whose listing decides what is read: a new chapter file changes their mtime."""
    folders = [book.root, styles.directory, styles.fonts[0].parent]
    if (book.root / "manuscript").is_dir():
        folders.append(book.root / "manuscript")
    return folders


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
