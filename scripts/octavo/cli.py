"""Command line: `octavo build`, `check`, `preflight`, `cover`, `new`, `dist`, `proof`, `watch`, `octavo --version`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from pathlib import Path

from . import __version__
from .errors import (EXIT_CODES, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK,
                     OctavoError)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    # Timings help when asking what took long (-v); a writer's terminal gets plain lines.
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="octavo: %(relativeCreated)6.0f ms %(message)s" if args.verbose else "octavo: %(message)s")
    if not args.debug:
        # WeasyPrint logs every unsupported CSS property; the user cannot act on those.
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
    # fontTools narrates every font subset at INFO level; pikepdf announces itself.
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    logging.getLogger("pikepdf").setLevel(logging.WARNING)
    if args.version:
        return _version()
    if not args.command:
        parser.print_help()
        return EXIT_INPUT
    try:
        return args.run(args)
    except OctavoError as exc:
        print(str(exc), file=sys.stderr)
        if args.verbose and exc.detail:
            print(exc.detail.rstrip(), file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return exc.exit_code
    except KeyboardInterrupt:
        print("octavo: interrupted; outputs from earlier builds are unchanged", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug in octavo, not the user's fault
        if args.debug:
            traceback.print_exc()
        print(f"octavo: internal error: {type(exc).__name__}: {exc} "
              "(run again with --debug for the traceback, and please report it)", file=sys.stderr)
        return EXIT_INTERNAL


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="octavo", description="Build a book's PDF and EPUB from Markdown.",
                                     epilog="exit codes: " + "; ".join(f"{code} {meaning}"
                                                                       for code, meaning in EXIT_CODES.items()))
    parser.add_argument("--version", action="store_true", help="show octavo, pandoc and WeasyPrint versions")
    parser.add_argument("-v", "--verbose", action="store_true", help="show progress and tool output")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command")
    build = sub.add_parser("build", help="build the PDF and/or EPUB")
    build.add_argument("book_dir", nargs="?", default=".", type=Path, help="folder with book.yaml (default: .)")
    build.add_argument("--format", type=_formats, default="all", metavar="FORMATS",
                       help="pdf (print interior), epub, screen (PDF for reading on a device), or all; "
                            "several with commas: pdf,epub (default: all)")
    build.add_argument("--out", type=Path, default=None, help="output folder (default: BOOK_DIR/build)")
    build.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                       help="chapters converted and laid out at once (default: CPU count)")
    build.add_argument("--single-pass", action="store_true",
                       help="lay the whole book out in one pass instead of chapter by chapter")
    build.add_argument("--validate", action="store_true",
                       help="run EPUBCheck on the EPUB (needs Java; skipped with a hint when it is missing)")
    build.add_argument("--no-check", action="store_true",
                       help="build even when the manuscript checks find errors")
    build.set_defaults(run=_build)
    check = sub.add_parser("check", help="check the manuscript: footnotes, links, images, structure, text, "
                                         "spelling")
    check.add_argument("paths", nargs="*", type=Path, default=[Path(".")],
                       help="a book folder (default: .) or chapter files in it")
    check.add_argument("--format", choices=["text", "json"], default="text")
    check.set_defaults(run=_check)
    preflight = sub.add_parser("preflight", help="check a print PDF against a printer's rules, measured from "
                                                 "the PDF itself")
    preflight.add_argument("pdf", nargs="?", type=Path, help="the PDF (default: build/<slug>.pdf of the book here)")
    preflight.add_argument("--printer", choices=["kdp", "ingramspark", "lulu", "generic"], default=None,
                           help="the printer's rules to check (default: book.yaml's printer, else kdp)")
    preflight.add_argument("--format", choices=["text", "json"], default="text")
    preflight.set_defaults(run=_preflight)
    cover = sub.add_parser("cover", help="build the print cover: back, spine and front in one PDF, with bleed")
    cover.add_argument("book_dir", nargs="?", default=".", type=Path, help="folder with book.yaml (default: .)")
    cover.add_argument("--pages", type=int, default=None,
                       help="interior page count (default: read from the built <slug>.pdf)")
    cover.add_argument("--out", type=Path, default=None,
                       help="folder with the built PDF; the cover is written there (default: BOOK_DIR/build)")
    cover.set_defaults(run=_cover)
    _add_preview_commands(sub)
    shipping = _add_shipping_commands(sub)
    for p in (build, check, preflight, cover, *shipping):
        p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                       help="say what was redone, list every check finding, show tools' output on errors")
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show the traceback of an error")
    return parser


def _add_shipping_commands(sub) -> list[argparse.ArgumentParser]:
    """`octavo new` (start a book) and `octavo dist` (the files to upload)."""
    new = sub.add_parser("new", help="start a new book: book.yaml, a sample chapter, a Makefile")
    new.add_argument("book_dir", type=Path, help="the folder to create (must be new or empty)")
    new.set_defaults(run=_new)
    dist = sub.add_parser("dist", help="build if needed, check, and put the files to upload into dist/ with "
                                       "SHA256SUMS and a MANIFEST")
    dist.add_argument("book_dir", nargs="?", default=".", type=Path, help="folder with book.yaml (default: .)")
    dist.add_argument("--out", type=Path, default=None, help="build folder (default: BOOK_DIR/build)")
    dist.add_argument("--dist", type=Path, default=None, help="where the files go (default: BOOK_DIR/dist)")
    dist.set_defaults(run=_dist)
    return [new, dist]


def _new(args: argparse.Namespace) -> int:
    from .errors import shown_path
    from .newbook import new_book

    new_book(args.book_dir)
    print(f"octavo: new book in {shown_path(args.book_dir)}: edit book.yaml and manuscript/, "
          f"then run make -C {shown_path(args.book_dir)}")
    return EXIT_OK


def _dist(args: argparse.Namespace) -> int:
    from .dist import make_dist

    result = make_dist(args.book_dir, out=args.out, dist=args.dist)
    for line in result.messages:
        print(f"octavo: {line}", file=sys.stderr)
    if result.problems:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(f"octavo: dist: refused: {len(result.problems)} problem{'s' if len(result.problems) > 1 else ''} "
              "to fix first", file=sys.stderr)
        return EXIT_FINDINGS
    print(f"octavo: dist: {len(result.files)} files in {result.folder}")
    return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    from .build import build

    formats = args.format
    try:
        with _Progress(enabled=sys.stderr.isatty() and not args.verbose) as progress:
            report = build(args.book_dir, formats=formats, out_dir=args.out, jobs=max(1, args.jobs),
                           single_pass=args.single_pass, check=not args.no_check, progress=progress)
    except OctavoError as exc:
        for diagnostic in getattr(exc, "errors", []):
            print(diagnostic, file=sys.stderr)
        raise
    paths = ", ".join(str(p) for p in report.outputs.values())
    if report.up_to_date and not args.validate:
        print(f"octavo: nothing to do: {paths} up to date")
        return EXIT_OK
    if report.diagnostics:
        from .checks import summary

        if args.verbose:
            for diagnostic in report.diagnostics:
                print(diagnostic, file=sys.stderr)
        print(f"octavo: check: {summary(report.diagnostics)}"
              + ("" if args.verbose else " (octavo check lists them)"), file=sys.stderr)
    if args.verbose:
        print(f"octavo: converted with pandoc: {_chapters(report.converted)}", file=sys.stderr)
        if "pdf" in report.outputs:
            print(f"octavo: layout {report.layout}; laid out: {_chapters(report.laid_out)}", file=sys.stderr)
        made = ", ".join(f"{kind} ×{count}" for kind, count in sorted(report.redone.items()))
        print(f"octavo: made again (not from the cache): {made or 'nothing'}", file=sys.stderr)
    for note in report.notes:
        print(f"octavo: {note}", file=sys.stderr)
    if report.preflight:
        _report_preflight(report)
    pages = f", {report.pages} pages" if report.pages else ""
    print(f"octavo: built {paths}{pages} in {report.seconds:.1f} s")
    if args.validate and "epub" in report.outputs:
        from .validate import epubcheck

        print(f"octavo: {epubcheck(report.outputs['epub'])}")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from .checks import check_book, summary, to_json
    from .config import CONFIG_NAME, load_book
    from .errors import ConfigError
    from .manuscript import read_manuscript

    book_dir, only = _book_of(args.paths)
    if book_dir is None:
        raise ConfigError(f"no {CONFIG_NAME} in {args.paths[0]} or any folder above it",
                          hint="run octavo check in the book's folder, or pass the folder")
    book = load_book(book_dir)
    manuscript = read_manuscript(book)
    diagnostics = check_book(book, manuscript, disabled=set(book.schema.checks.disable))
    if only:
        wanted = {p.resolve() for p in only}
        shown = {c.display: c.path.resolve() for c in manuscript.chapters}
        diagnostics = [d for d in diagnostics if shown.get(d.path) in wanted]
    if args.format == "json":
        print(to_json(diagnostics))
    else:
        for diagnostic in diagnostics:
            print(diagnostic)
        print(summary(diagnostics, files=len(manuscript.chapters) if not only else len(only)))
    return EXIT_FINDINGS if any(d.severity == "error" for d in diagnostics) else EXIT_OK


def _preflight(args: argparse.Namespace) -> int:
    from .errors import ConfigError
    from .preflight import PRINTERS, failed, preflight, table, to_json

    from .config import load_book

    pdf, printer = args.pdf, args.printer
    book_dir, _ = _book_of([pdf if pdf is not None else Path(".")])
    if pdf is None:
        if book_dir is None:
            raise ConfigError("no PDF given and no book.yaml here", hint="octavo preflight path/to/book.pdf")
        pdf = book_dir / "build" / f"{load_book(book_dir).slug}.pdf"
    if not pdf.is_file():
        raise ConfigError(f"'{pdf}' does not exist", hint="build it first: make pdf")
    if printer is None:  # the printer the PDF was made for (octavo writes it), or the book's
        printer = _printer_of(pdf) or (load_book(book_dir).schema.printer if book_dir is not None else None)
    if printer is None:
        raise ConfigError(f"'{pdf}' does not say which printer it is for",
                          hint="name it: octavo preflight FILE --printer kdp (or ingramspark, lulu, generic)")
    findings = preflight(pdf, PRINTERS[printer])
    if args.format == "json":
        print(to_json(findings))
    else:
        print(f"{pdf}: preflight for {printer}\n{table(findings)}")
    return EXIT_FINDINGS if failed(findings) else EXIT_OK


def _printer_of(pdf: Path) -> str | None:
    """The printer an octavo print PDF names in its document information, if any."""
    import pikepdf

    from .finish import PRINTER_KEY
    from .printers import PRINTERS

    try:
        with pikepdf.open(pdf) as document:
            name = str(document.docinfo.get(PRINTER_KEY, ""))
    except pikepdf.PdfError:
        return None
    return name if name in PRINTERS else None


def _cover(args: argparse.Namespace) -> int:
    from .config import load_book
    from .cover import build_print_cover, cover_geometry
    from .errors import ConfigError, shown_path
    from .printers import PRINTERS
    from .styles import find_styles

    book = load_book(args.book_dir)
    styles = find_styles(book)
    out = args.out if args.out is not None else book.root / "build"
    pages = args.pages
    if pages is None:
        interior = out / f"{book.slug}.pdf"
        if not interior.is_file():
            raise ConfigError(f"'{interior}' does not exist; the cover's spine needs its page count",
                              hint="build the interior first: make pdf (or pass --pages N)")
        import pikepdf

        try:
            with pikepdf.open(interior) as pdf:
                pages = len(pdf.pages)
        except pikepdf.PdfError as exc:
            raise ConfigError(f"'{interior}' cannot be read as a PDF ({exc})",
                              hint="build the interior again: make pdf") from None
    elif pages < 1:
        raise ConfigError(f"--pages must be a positive number (got {pages})", hint="pass the interior page count")
    target = build_print_cover(book, styles, pages, out / f"{book.slug}-cover.pdf")
    g = cover_geometry(book, pages)
    spine_text = ("spine text set" if g.spine_text
                  else f"no spine text (fewer than {g.spine_text_min_pages} pages)")
    printer = PRINTERS[g.printer]
    note = ("" if printer.min_pages <= pages <= printer.max_pages
            else f"; note: {g.printer} prints {printer.min_pages}-{printer.max_pages} pages")
    print(f"octavo: cover {shown_path(target)}: {g.width:.3f} × {g.height:.3f} in, spine {g.spine:.3f} in "
          f"({g.printer}, {g.paper} paper), {pages} pages, {spine_text}{note}")
    return EXIT_OK


def _add_preview_commands(sub) -> None:
    """`octavo proof` and `octavo watch`: seeing the pages while writing."""
    proof = sub.add_parser("proof", help="render the print PDF's spreads to PNG proof sheets in BUILD/proof")
    proof.set_defaults(run=_proof)
    watch = sub.add_parser("watch", help="rebuild the screen PDF on every save and preview it in a browser")
    watch.set_defaults(run=_watch)
    for p in (proof, watch):  # what both take, as `octavo build` does
        p.add_argument("book_dir", nargs="?", default=".", type=Path, help="folder with book.yaml (default: .)")
        p.add_argument("--out", type=Path, default=None, help="output folder (default: BOOK_DIR/build)")
        p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                       help="chapters converted and laid out at once (default: CPU count)")
        p.add_argument("--no-check", action="store_true", help="build even when the manuscript checks find errors")
        p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                       help="say what was redone, show tools' output on errors")
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show the traceback of an error")
    watch.add_argument("--port", type=int, default=8000,
                       help="serve the preview on http://127.0.0.1:PORT (default: 8000; 0: any free port)")


def _proof(args: argparse.Namespace) -> int:
    from .errors import shown_path
    from .proof import SPREADS_PER_SHEET, proof_book

    try:
        proof = proof_book(args.book_dir, args.out, jobs=max(1, args.jobs), check=not args.no_check)
    except OctavoError as exc:
        for diagnostic in getattr(exc, "errors", []):
            print(diagnostic, file=sys.stderr)
        raise
    state = "up to date" if proof.up_to_date else "written"
    print(f"octavo: proof: {len(proof.sheets)} sheet{'s' if len(proof.sheets) != 1 else ''} of "
          f"{SPREADS_PER_SHEET} spreads ({proof.pages} pages, {proof.spreads} spreads) and the overview "
          f"{state} in {shown_path(proof.overview.parent)}")
    return EXIT_OK


def _watch(args: argparse.Namespace) -> int:
    from .config import CONFIG_NAME
    from .errors import ConfigError
    from .watch import Watcher

    if not (args.book_dir / CONFIG_NAME).is_file():
        raise ConfigError(f"no {CONFIG_NAME} in {args.book_dir}", hint="run octavo watch in the book's folder, "
                                                                      "or pass the folder")
    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port must be 0 to 65535 (got {args.port})", hint="--port 8000, or 0 for any free port")
    try:
        from .config import load_book

        title = load_book(args.book_dir).schema.title
    except OctavoError:  # a broken book.yaml: the first build shows why, and the watcher waits for a fix
        title = ""
    return Watcher(args.book_dir, args.out, args.port, title=title, jobs=max(1, args.jobs),
                   check=not args.no_check).run()


def _formats(text: str) -> tuple[str, ...]:
    from .build import FORMATS

    if text == "all":
        return FORMATS
    chosen = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(unknown) or repr(text)}; "
                                         f"choose from {', '.join(FORMATS)}, all")
    return chosen


def _report_preflight(report) -> None:
    """One line when the print PDF passes the printer's checks; the problems when not."""
    problems = [f for f in report.preflight if f.status != "pass"]
    fails = [f for f in problems if f.status == "fail"]
    if not problems:
        print(f"octavo: preflight for {report.printer}: all {len(report.preflight)} checks pass", file=sys.stderr)
        return
    for finding in problems:
        where = f" (page {finding.page})" if finding.page and f"page {finding.page}" not in finding.message else ""
        print(f"octavo: preflight: {finding.status}: {finding.check}: {finding.message}{where}", file=sys.stderr)
    verdict = f"{len(fails)} fail" if fails else "passes, with warnings"
    print(f"octavo: preflight for {report.printer}: {verdict} (octavo preflight shows the table)", file=sys.stderr)


def _book_of(paths: list[Path]) -> tuple[Path | None, list[Path]]:
    """The book folder for the given paths, and the chapter files to limit the report to."""
    first = paths[0].resolve()
    start = first if first.is_dir() else first.parent
    for folder in (start, *start.parents):
        if (folder / "book.yaml").is_file():
            return folder, [p for p in paths if p.is_file()]
    return None, []


class _Progress:
    """A progress bar per stage on a terminal; silent otherwise (CI logs, pipes)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None
        self.tasks: dict[str, int] = {}

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("octavo: {task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), transient=True)
            self.bar.start()
        return self

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.bar is None:
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=total)
        self.bar.update(self.tasks[stage], completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _chapters(paths: list[str]) -> str:
    if not paths:
        return "none (all from the cache)"
    return f"{len(paths)} chapter{'s' if len(paths) > 1 else ''} ({', '.join(Path(p).name for p in paths)})"


def _version() -> int:
    from .tools import find_pandoc, weasyprint_version

    try:
        pandoc = find_pandoc()
        pandoc_text = f"pandoc {pandoc.version_text} ({pandoc.source}: {pandoc.path})"
    except OctavoError as exc:
        pandoc_text = f"pandoc: not found ({exc.message})"
    print(f"octavo {__version__}\n{pandoc_text}\nWeasyPrint {weasyprint_version()}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
