"""Reproducible builds (issue 13, acceptance 3): the same sources, built in two different
folders, give byte-identical EPUB, print PDF and screen PDF; the dates in them come from
book.yaml's date, else SOURCE_DATE_EPOCH, else the last git commit — never the clock, the
files' times or the paths."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pikepdf
import pytest

from conftest import ROOT, make_book
from octavo.config import load_book
from octavo.sourcedate import iso, pdf_date, source_epoch

OCTAVO = str(Path(sys.executable).parent / "octavo")
SLUG = "socialism-and-reversal-in-chinas-countryside"
COMMITTED = "2024-01-02T03:04:05Z"  # the sample's commit, in both copies
OTHER_EPOCH = "1234567890"          # 2009-02-13T23:31:30Z
GIT = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.org", "GIT_COMMITTER_NAME": "a",
       "GIT_COMMITTER_EMAIL": "a@example.org", "GIT_AUTHOR_DATE": COMMITTED, "GIT_COMMITTER_DATE": COMMITTED}


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return {**env, **extra}


def _checkout(folder: Path, mtime: int) -> Path:
    """The sample book as a fresh clone would have it: same commit, its own file times."""
    book = folder / "book"
    book.mkdir(parents=True)
    shutil.copy(ROOT / "book.yaml", book / "book.yaml")
    shutil.copytree(ROOT / "manuscript", book / "manuscript")
    for command in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "the sample"]):
        subprocess.run(command, cwd=book, env=_environment(**GIT), check=True, capture_output=True)
    for path in [book / "book.yaml", *(book / "manuscript").rglob("*")]:
        os.utime(path, (mtime, mtime))
    return book


def _build(book: Path, out: Path, env: dict[str, str]) -> dict[str, bytes]:
    done = subprocess.run([OCTAVO, "build", str(book), "--out", str(out)], capture_output=True, text=True,
                          env=env, cwd=book.parent, timeout=1200)
    assert done.returncode == 0, done.stderr
    return {kind: (out / f"{SLUG}{suffix}").read_bytes()
            for kind, suffix in (("epub", ".epub"), ("pdf", ".pdf"), ("screen", "-screen.pdf"))}


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    base = tmp_path_factory.mktemp("reproducible")
    one = _checkout(base / "one", mtime=1_600_000_000)
    two = _checkout(base / "somewhere" / "else", mtime=1_700_000_000)
    first = _build(one, base / "out-one", _environment())
    second = _build(two, base / "elsewhere" / "out-two", _environment())
    # The first copy again, from its cache, with another SOURCE_DATE_EPOCH.
    redated = _build(one, base / "out-one", _environment(SOURCE_DATE_EPOCH=OTHER_EPOCH))
    return first, second, redated


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["epub", "pdf", "screen"])
def test_two_folders_give_the_same_bytes(builds, kind) -> None:
    first, second, _ = builds
    assert first[kind] == second[kind], f"the {kind} differs between two folders: {_first_difference(first[kind], second[kind])}"


def _first_difference(a: bytes, b: bytes) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"at byte {at}: {a[max(0, at - 40):at + 40]!r} vs {b[max(0, at - 40):at + 40]!r}"


def _epub_modified(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as epub:
        opf = epub.read(next(n for n in epub.namelist() if n.endswith(".opf"))).decode()
    return re.search(r'<meta property="dcterms:modified">([^<]*)</meta>', opf)[1]


def _pdf_dates(data: bytes) -> tuple[str, str, list[str]]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        xmp = []
        if "/Metadata" in pdf.Root:
            meta = pdf.open_metadata()
            xmp = [str(meta.get(key)) for key in ("xmp:CreateDate", "xmp:ModifyDate") if key in meta]
        return str(pdf.docinfo.get("/CreationDate")), str(pdf.docinfo.get("/ModDate")), xmp


@pytest.mark.slow
def test_the_dates_are_the_last_commits(builds) -> None:
    first, _, _ = builds
    epoch = 1704164645  # COMMITTED
    assert _epub_modified(first["epub"]) == COMMITTED
    assert _pdf_dates(first["pdf"])[:2] == (pdf_date(epoch), pdf_date(epoch))
    created, modified, xmp = _pdf_dates(first["screen"])
    assert created.startswith("D:20240102030405") and modified.startswith("D:20240102030405")
    assert all(value.startswith("2024-01-02T03:04:05") for value in xmp) and xmp


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["epub", "pdf", "screen"])
def test_source_date_epoch_changes_the_dates(builds, kind) -> None:
    first, _, redated = builds
    assert redated[kind] != first[kind]
    if kind == "epub":
        assert _epub_modified(redated["epub"]) == "2009-02-13T23:31:30Z"
    else:
        created, modified, _ = _pdf_dates(redated[kind])
        assert created.startswith("D:20090213233130") and modified.startswith("D:20090213233130")


# Where the date comes from (sourcedate.py), without building.

def _book(tmp_path: Path, date: str | None = None) -> Path:
    return make_book(tmp_path / "b", 'title: "B"\n' + (f"date: {date}\n" if date else ""),
                     {"manuscript/01-one.md": "# One\n\nText.\n"})


def test_book_yaml_date_comes_first(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", OTHER_EPOCH)
    book = load_book(_book(tmp_path, "2021-06"))
    assert iso(source_epoch(book)) == "2021-06-01T00:00:00Z"


def test_free_text_dates_fall_through(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", OTHER_EPOCH)
    book = load_book(_book(tmp_path, '"Spring 2021"'))
    assert source_epoch(book) == int(OTHER_EPOCH)


def test_then_the_last_commit_then_the_files(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = _book(tmp_path)
    chapter = root / "manuscript" / "01-one.md"
    os.utime(chapter, (1_500_000_000, 1_500_000_000))
    os.utime(root / "book.yaml", (1_400_000_000, 1_400_000_000))
    assert source_epoch(load_book(root), [chapter]) == 1_500_000_000  # no git: the newest file
    for command in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "x"]):
        subprocess.run(command, cwd=root, env=_environment(**GIT), check=True, capture_output=True)
    assert iso(source_epoch(load_book(root), [chapter])) == COMMITTED


@pytest.mark.slow
def test_a_pdf_x_job_carries_the_source_date_not_the_clock(tmp_path, monkeypatch) -> None:
    """WeasyPrint writes the time of the build into a PDF/X's Info and XMP; both must say
    the sources' date (and agree, as PDF/X asks)."""
    from octavo.build import build
    from test_editions import minimal_cmyk_icc

    monkeypatch.setenv("SOURCE_DATE_EPOCH", OTHER_EPOCH)
    book = make_book(tmp_path / "x", 'title: "Harbour"\nprinter: ingramspark\noutput_profile: printer.icc\n',
                     {"manuscript/01-one.md": "# One\n\nThe tide came in at dusk.\n",
                      "printer.icc": minimal_cmyk_icc("Stand-in CMYK")})
    pdf_bytes = build(book, formats=("pdf",)).outputs["pdf"].read_bytes()
    created, modified, xmp = _pdf_dates(pdf_bytes)
    assert created == modified == pdf_date(int(OTHER_EPOCH))
    assert xmp == [iso(int(OTHER_EPOCH))] * 2
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        meta = pdf.open_metadata()
        assert str(meta.get("xmp:MetadataDate", iso(int(OTHER_EPOCH)))) == iso(int(OTHER_EPOCH))
        assert meta.get("pdfxid:GTS_PDFXVersion") or meta.get("pdfx:GTS_PDFXVersion")  # still a PDF/X


@pytest.mark.slow
def test_a_release_with_a_figure_is_the_same_from_two_folders(tmp_path) -> None:
    """The new-book template shows a figure: WeasyPrint named its image after its file's
    path, so every PDF (and the print cover) differed by folder. The whole release
    compares equal, file by file, through its SHA256SUMS."""
    first = tmp_path / "first" / "book"
    done = subprocess.run([OCTAVO, "new", str(first)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    second = shutil.copytree(first, tmp_path / "second" / "deeper" / "book")  # file times kept
    sums = []
    for book in (first, second):
        done = subprocess.run([OCTAVO, "dist", str(book), "--out", str(book.parent / "out")], capture_output=True,
                              text=True, env=_environment(), timeout=900)
        assert done.returncode == 0, done.stderr
        sums.append((book / "dist" / "SHA256SUMS").read_text())
    assert sums[0] == sums[1]
    assert len(sums[0].splitlines()) == 6  # EPUB, print and screen PDF, cover PDF and JPEG, MANIFEST
