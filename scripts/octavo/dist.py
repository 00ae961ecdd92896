"""`octavo dist` (`make dist`): the files to upload, named with the book's version, with
their checksums and a MANIFEST, in dist/. Refuses when the manuscript checks find an error
or the print PDF fails the printer's preflight: a release is never made of a broken book."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .config import Book, load_book
from .errors import ToolError

SUMS = "SHA256SUMS"
MANIFEST = "MANIFEST"
STORE_COVER = (1600, 2560)  # px: what ebook stores ask for (KDP's ideal, 1:1.6)
NO_VERSION = "0.0.0"


@dataclass
class DistResult:
    folder: Path
    files: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # why it refused; empty when it did not
    messages: list[str] = field(default_factory=list)  # warnings and notes for the terminal


def make_dist(book_dir: Path, *, out: Path | None = None, dist: Path | None = None) -> DistResult:
    """Check, build (through the cache: a no-op when nothing changed), preflight, then write
    the release into `dist` (default BOOK/dist)."""
    from .build import build
    from .checks import check_book
    from .manuscript import read_manuscript
    from .preflight import PRINTERS, preflight

    book = load_book(book_dir)
    result = DistResult(folder=(dist or book.root / "dist").resolve())
    manuscript = read_manuscript(book)
    # The checks run here even when the build is up to date: an earlier build may have
    # been made with --no-check.
    diagnostics = check_book(book, manuscript, disabled=set(book.schema.checks.disable))
    result.problems += [str(d) for d in diagnostics if d.severity == "error"]
    if result.problems:
        return result
    report = build(book.root, out_dir=out, check=False)
    outputs = report.outputs
    # A fresh build has preflighted its PDF; an up-to-date one is measured again.
    findings = report.preflight or preflight(outputs["pdf"], PRINTERS[book.schema.printer])
    result.problems += [f"{outputs['pdf']}: error: preflight for {book.schema.printer}: {f.check}: {f.message}"
                        + (f" (page {f.page})" if f.page and f"page {f.page}" not in f.message else "")
                        + " [preflight]" for f in findings if f.status == "fail"]
    if result.problems:
        return result
    version = _version(book, result)
    _write_release(book, manuscript, outputs, version, result)
    return result


def _write_release(book: Book, manuscript, outputs: dict[str, Path], version: str, result: DistResult) -> None:
    import pikepdf

    folder, stem = result.folder, f"{book.slug}-{version}"
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob(f"{book.slug}-*"), folder / SUMS, folder / MANIFEST]:  # an earlier release's
        if old.is_file():
            old.unlink()
    copies = {"epub": f"{stem}.epub", "pdf": f"{stem}-print.pdf", "screen": f"{stem}-screen.pdf"}
    for kind, name in copies.items():
        shutil.copyfile(outputs[kind], folder / name)
        result.files.append(folder / name)
    with pikepdf.open(outputs["pdf"]) as pdf:
        pages = len(pdf.pages)
    cover = _print_cover(book, pages, folder / f"{stem}-cover.pdf", result)
    if cover is not None:
        result.files.append(cover)
    store = folder / f"{stem}-cover.jpg"
    _store_cover(outputs["epub"], store)
    result.files.append(store)
    manifest = folder / MANIFEST
    manifest.write_text(_manifest(book, manuscript, version, pages, result.files), encoding="utf-8")
    result.files.append(manifest)
    # The format `sha256sum -c` reads: the digest, two spaces, the file name.
    lines = [f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n"
             for path in sorted(result.files, key=lambda p: p.name)]
    (folder / SUMS).write_text("".join(lines), encoding="utf-8")
    result.files.append(folder / SUMS)


def _version(book: Book, result: DistResult) -> str:
    """book.yaml's `version`, else the git tag (`git describe --tags`), else 0.0.0."""
    if book.schema.version:
        return book.schema.version
    try:
        done = subprocess.run(["git", "describe", "--tags"], cwd=book.root, capture_output=True, text=True,
                              timeout=10, check=False)
        described = done.stdout.strip() if done.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        described = ""
    # A tag names files: keep what is safe in a file name (v1.2.0 -> 1.2.0).
    described = re.sub(r"[^0-9A-Za-z._+-]", "-", described.removeprefix("v"))
    if described:
        return described
    result.messages.append(f"warning: no version in book.yaml and no git tag; the files are named "
                           f"{NO_VERSION} (add version: 1.0.0 to book.yaml, or tag the release: git tag v1.0.0)")
    return NO_VERSION


def _print_cover(book: Book, pages: int, target: Path, result: DistResult) -> Path | None:
    """The print cover wrap, when one can be made for this book (octavo cover)."""
    from .cover import build_print_cover
    from .errors import OctavoError
    from .styles import find_styles

    try:
        return build_print_cover(book, find_styles(book), pages, target)
    except OctavoError as exc:
        result.messages.append(f"note: no print cover in the release: {exc}")
        return None


def _store_cover(epub: Path, target: Path) -> None:
    """The EPUB's cover image as a 1600 × 2560 JPEG, for store listings."""
    from PIL import Image

    from .cover import fit_whole

    with zipfile.ZipFile(epub) as book:
        opf_name = next(n for n in book.namelist() if n.endswith(".opf"))
        opf = book.read(opf_name).decode()
        item = (re.search(r'<item\b[^>]*properties="[^"]*cover-image[^"]*"[^>]*>', opf) or [None])[0]
        href = re.search(r'href="([^"]+)"', item) if item else None
        if href is None:
            raise ToolError(f"'{epub}' names no cover image", hint="build the EPUB again: make epub")
        name = str(Path(opf_name).parent / href[1]) if "/" in opf_name else href[1]
        data = book.read(name)
    with Image.open(io.BytesIO(data)) as image:
        picture = image.convert("RGB")
    if picture.size != STORE_COVER:
        picture = fit_whole(picture, STORE_COVER)
    # No EXIF or time in the file: the same cover gives the same bytes.
    picture.save(target, "JPEG", quality=92, optimize=True)


def _manifest(book: Book, manuscript, version: str, pages: int, files: list[Path]) -> str:
    from . import __version__, sourcedate
    from .config import TRIM_SIZES
    from .tools import find_pandoc, weasyprint_version

    s = book.schema
    width, height = TRIM_SIZES[s.trim]
    epoch = sourcedate.source_epoch(book, (c.path for c in manuscript.chapters))
    pandoc = find_pandoc()
    rows = [
        ("title", s.title + (f": {s.subtitle}" if s.subtitle else "")),
        ("author", ", ".join(book.authors) or "-"),
        ("version", version),
        ("isbn-print", s.identifiers.isbn_print or "-"),
        ("isbn-ebook", s.identifiers.isbn_ebook or "-"),
        ("identifier", book.identifier),
        ("pages", str(pages)),
        ("printer", s.printer),
        ("trim", f"{s.trim} ({width:g} × {height:g} in)"),
        ("paper", s.paper),
        ("date", sourcedate.iso(epoch)),
        ("tools", f"octavo {__version__}, pandoc {pandoc.version_text}, WeasyPrint {weasyprint_version()}"),
        *(("file", path.name) for path in files),
    ]
    width_of = max(len(key) for key, _ in rows)
    return "".join(f"{key + ':':<{width_of + 1}} {value}\n" for key, value in rows)
