"""Shared fixtures: books built once per test session, into a temporary folder."""

from __future__ import annotations

import functools
import shutil
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
sys.path.insert(0, str(Path(__file__).parent))  # tests/pdfcheck.py


def make_book(root: Path, yaml_text: str | None, files: dict[str, str | bytes] | None = None) -> Path:
    """A fixture book: book.yaml (unless None) and the given files, text or bytes."""
    root.mkdir(parents=True, exist_ok=True)
    if yaml_text is not None:
        (root / "book.yaml").write_text(yaml_text, encoding="utf-8")
    for name, content in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def corpus(name: str) -> Path:
    path = CORPORA / name
    if not (path / "book.yaml").is_file():
        pytest.skip(f"corpus '{name}' not found at {path} (clone this repo beside ../shared)")
    return path


def corpus_for(name: str, printer: str, folder: Path) -> Path:
    """A copy of a corpus book whose book.yaml names `printer` (the corpora are read-only)."""
    import shutil

    copy = folder / name
    shutil.copytree(corpus(name), copy)
    with (copy / "book.yaml").open("a", encoding="utf-8") as config:
        config.write(f"\nprinter: {printer}\n")
    return copy


@pytest.fixture(scope="session")
def built_pdf(tmp_path_factory):
    """Build a book's print PDF once per session, for KDP (the sample's own book.yaml
    says kdp; the corpora get it added); returns a function name -> PDF path."""
    from octavo.build import build

    cache: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in cache:
            out = tmp_path_factory.mktemp(f"pdf-{name}")
            source = ROOT if name == "sample" else corpus_for(name, "kdp", out)
            report = build(source, formats=("pdf",), out_dir=out / "build")
            cache[name] = report.outputs["pdf"]
            cache[name + ":preflight"] = report.preflight
        return cache[name]

    get.preflight = lambda name: (get(name), cache[name + ":preflight"])[1]
    return get


@pytest.fixture(scope="session")
def large_kdp(tmp_path_factory):
    """The whole large corpus (about 1,140 pages) built for KDP, once per session: the
    slowest build of the suite (about 90 s), for every test that needs a real long book
    (keep them in test_large_kdp.py: `make test` runs a file per worker, so a second
    file using it could build it again in the other worker). Returns (book, BuildReport)."""
    from octavo.build import build

    folder = tmp_path_factory.mktemp("large-kdp")
    book = corpus_for("large", "kdp", folder)
    return book, build(book, formats=("pdf",), out_dir=folder / "out", check=False)


# --- Ghostscript reads every PDF octavo writes (issue 9, acceptance 3) -------------------
#
# A printer's RIP is closer to Ghostscript than to the libraries octavo itself reads PDFs
# with (qpdf, PDFium), and Ghostscript notices things they forgive (an empty stream marked
# /FlateDecode). So every PDF a test has octavo publish — print, screen and cover, from the
# shared fixtures and from single tests alike — is read by Ghostscript the moment it is
# published (a test may delete its folder before it ends), and the test that built it
# errors at teardown if Ghostscript printed anything. PDFs a test writes itself (the
# deliberately broken ones in test_preflight.py) are not octavo's outputs and are not
# checked. Files written by an octavo run in a child process (CLI tests) are not seen;
# the same code writes them in-process elsewhere.

_ghostscript_found: list[tuple[Path, list[str]]] = []  # (pdf, problem lines), as published
_ghostscript_reported = 0


def _ghostscript_lines(pdf: Path) -> list[str]:
    from validators import ghostscript_problems

    return ghostscript_problems(pdf)


def _read_by_ghostscript(write):
    """Wrap a function that returns the path of a file octavo has published."""
    @functools.wraps(write)
    def published(*args, **kwargs):
        path = write(*args, **kwargs)
        if Path(path).suffix.lower() != ".pdf":
            return path
        if shutil.which("gs"):
            _ghostscript_found.append((Path(path), _ghostscript_lines(Path(path))))
        else:
            warnings.warn("Ghostscript is not installed, so the PDFs octavo built were not read by it; "
                          "`make tools` installs it (Debian: apt-get install ghostscript)", stacklevel=2)
        return path

    published.ghostscript_checked = True
    return published


def _watch_published_pdfs() -> None:
    import octavo.build
    import octavo.cover

    if not getattr(octavo.build._publish, "ghostscript_checked", False):
        octavo.build._publish = _read_by_ghostscript(octavo.build._publish)  # every build's outputs
    if not getattr(octavo.cover.build_print_cover, "ghostscript_checked", False):
        octavo.cover.build_print_cover = _read_by_ghostscript(octavo.cover.build_print_cover)


_watch_published_pdfs()  # before the test modules import build_print_cover by name


@pytest.fixture(autouse=True)
def ghostscript_reads_every_published_pdf():
    """After each test: every PDF published since the last check read cleanly. (A PDF a
    session fixture builds for this test is published before the test runs, and so is
    checked here too.)"""
    global _ghostscript_reported
    yield
    new, _ghostscript_reported = _ghostscript_found[_ghostscript_reported:], len(_ghostscript_found)
    bad = [f"{pdf}:\n    " + "\n    ".join(line.strip() for line in lines) for pdf, lines in new if lines]
    if bad:
        pytest.fail("Ghostscript (gs -o /dev/null -sDEVICE=nullpage) reported problems in what octavo "
                    "published:\n" + "\n".join(bad), pytrace=False)

