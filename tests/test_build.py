"""The build as a whole: it never touches the manuscript, and it replaces outputs atomically."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from octavo.build import build
from octavo.errors import ConfigError

pytestmark = pytest.mark.slow


def copy_sample(tmp_path: Path) -> Path:
    book = tmp_path / "book"
    book.mkdir()
    shutil.copy(ROOT / "book.yaml", book / "book.yaml")
    shutil.copytree(ROOT / "manuscript", book / "manuscript")
    return book


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_leaves_the_manuscript_untouched_and_no_scratch_files(tmp_path: Path) -> None:
    book = copy_sample(tmp_path)
    before = snapshot(book / "manuscript")
    config_before = (book / "book.yaml").read_bytes()
    report = build(book, formats=("pdf", "epub"))
    assert snapshot(book / "manuscript") == before
    assert (book / "book.yaml").read_bytes() == config_before
    out = book / "build"
    visible = sorted(p.name for p in out.iterdir() if p.name != ".cache")
    assert visible == sorted(p.name for p in report.outputs.values())  # no scratch files left behind
    assert set(report.outputs) == {"pdf", "epub"}


def test_a_failed_build_keeps_the_last_good_output(tmp_path: Path) -> None:
    book = copy_sample(tmp_path)
    first = build(book, formats=("epub",)).outputs["epub"]
    good = first.read_bytes()
    (book / "book.yaml").write_text((book / "book.yaml").read_text() + "trim: 9x99\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        build(book, formats=("epub",))
    assert first.read_bytes() == good
    # a failure late in the build (the EPUB writer) leaves no partial file either
    (book / "book.yaml").write_text(ROOT.joinpath("book.yaml").read_text(), encoding="utf-8")
    (book / "manuscript" / "02-great-leap.md").write_text("# Only a title\n", encoding="utf-8")
    import octavo.epub as epub

    original = epub.finish_epub
    epub.finish_epub = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("simulated crash"))
    try:
        with pytest.raises(RuntimeError):
            build(book, formats=("epub",))
    finally:
        epub.finish_epub = original
    assert first.read_bytes() == good
    assert [p.name for p in (book / "build").iterdir() if p.name != ".cache"] == [first.name]


def test_styles_outside_the_project_are_refused(tmp_path: Path) -> None:
    book = copy_sample(tmp_path)
    (book / "book.yaml").write_text((book / "book.yaml").read_text() + "styles: ../elsewhere\n",
                                    encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        build(book, formats=("epub",))
    assert "outside the project" in str(caught.value)


def test_two_builds_at_once_do_not_corrupt_each_other(tmp_path: Path) -> None:
    import subprocess
    import sys
    import zipfile

    from pypdf import PdfReader

    book = copy_sample(tmp_path)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "octavo", "build", str(book), "--out", str(out)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    epub = sorted(out.glob("*.epub"))
    pdf = sorted(out.glob("*.pdf"), key=lambda p: p.name.endswith("-screen.pdf"))  # print, then screen
    assert len(epub) == 1 and [p.name.endswith("-screen.pdf") for p in pdf] == [False, True]
    with zipfile.ZipFile(epub[0]) as archive:
        assert archive.testzip() is None
    assert len(PdfReader(str(pdf[0])).pages) == 24  # 20, padded to KDP's minimum
    assert len(PdfReader(str(pdf[1])).pages) == 18
    assert [p.name for p in out.iterdir() if p.name.startswith(".octavo-")] == []


def test_a_pandoc_failure_is_one_translated_line(tmp_path: Path) -> None:
    from octavo.errors import ToolError
    from octavo.pandoc import run_pandoc
    from octavo.tools import find_pandoc

    with pytest.raises(ToolError) as caught:
        run_pandoc(find_pandoc(), ["--from", "no-such-format"], stdin="x", what="chapter 1")
    text = str(caught.value)
    assert text.startswith("error: pandoc failed on chapter 1: ") and "\n" not in text
    assert "--verbose" in text and caught.value.detail  # the full message, for -v
