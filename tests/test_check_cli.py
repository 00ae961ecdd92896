"""`octavo check` and the checks at the start of a build, seen from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "octavo", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def book(tmp_path: Path, chapter: str) -> Path:
    folder = tmp_path / "book"
    (folder / "manuscript").mkdir(parents=True)
    (folder / "book.yaml").write_text('title: "Checked"\n', encoding="utf-8")
    (folder / "manuscript" / "01-one.md").write_text(chapter, encoding="utf-8")
    return folder


def test_errors_exit_1_with_linter_lines_and_a_summary(tmp_path: Path) -> None:
    folder = book(tmp_path, "# One\n\nA call to nowhere.[^9]\n")
    result = run("check", cwd=folder)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("manuscript/01-one.md:3:")
    assert lines[0].endswith("[footnote-undefined]") and ": error: " in lines[0]
    assert "1 error" in lines[-1]


def test_warnings_only_exit_0_and_json_format(tmp_path: Path) -> None:
    folder = book(tmp_path, "# One\n\nIt was on on the table.\n")
    result = run("check", "--format", "json", cwd=folder)
    assert result.returncode == 0
    found = json.loads(result.stdout)
    items = found if isinstance(found, list) else found["diagnostics"]
    assert any(d["rule"] == "doubled-word" and d["line"] == 3 for d in items)


def test_rules_can_be_switched_off_in_book_yaml(tmp_path: Path) -> None:
    folder = book(tmp_path, "# One\n\nIt was on on the table.\n")
    (folder / "book.yaml").write_text('title: "Checked"\nchecks:\n  disable: [doubled-word]\n', encoding="utf-8")
    result = run("check", cwd=folder)
    assert "doubled-word" not in result.stdout
    (folder / "book.yaml").write_text('title: "Checked"\nchecks:\n  disable: [doubled-wrod]\n', encoding="utf-8")
    result = run("check", cwd=folder)
    assert result.returncode == 2 and "did you mean 'doubled-word'" in result.stderr


@pytest.mark.slow
def test_a_build_stops_on_check_errors_unless_told_otherwise(tmp_path: Path) -> None:
    folder = book(tmp_path, "# One\n\nA call to nowhere.[^9]\n")
    result = run("build", "--format", "epub", cwd=folder)
    assert result.returncode == 1
    assert "manuscript/01-one.md:3:" in result.stderr and "--no-check" in result.stderr
    assert not (folder / "build").exists() or not list((folder / "build").glob("*.epub"))
    result = run("build", "--format", "epub", "--no-check", cwd=folder)
    assert result.returncode == 0 and list((folder / "build").glob("*.epub"))


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


def test_check_never_writes_the_manuscript() -> None:
    before = snapshot(ROOT / "manuscript")
    result = run("check", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert snapshot(ROOT / "manuscript") == before
    assert result.stdout.splitlines()[-1].endswith("warnings in 2 files")


@pytest.mark.slow
def test_validate_runs_epubcheck_or_says_how_to_get_java(tmp_path: Path) -> None:
    import os
    import shutil

    folder = book(tmp_path, "# One\n\nText.\n")
    if shutil.which("java"):
        result = run("build", "--format", "epub", "--validate", cwd=folder)
        assert result.returncode == 0, result.stderr
        assert "is valid (0 errors, 0 warnings)" in result.stdout
    # Without Java on PATH: one line that says how to install it, and the build still succeeds.
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    result = subprocess.run([sys.executable, "-m", "octavo", "build", "--format", "epub", "--validate"],
                            capture_output=True, text=True, cwd=folder, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "EPUBCheck skipped: Java is not installed" in result.stdout and "apt install" in result.stdout


@pytest.mark.slow
def test_preflight_command_exit_codes_and_json(built_pdf) -> None:
    pdf = built_pdf("sample")  # made for KDP; not the PDF/X-1a that IngramSpark asks for
    result = run("preflight", str(pdf), "--printer", "ingramspark", cwd=ROOT)
    assert result.returncode == 1
    assert any(line.startswith("FAIL") and "output-intent" in line for line in result.stdout.splitlines())
    assert run("preflight", str(pdf), "--printer", "kdp", cwd=ROOT).returncode == 0
    result = run("preflight", str(pdf), "--printer", "generic", "--format", "json", cwd=ROOT)
    assert result.returncode == 0
    checks = {f["check"]: f["status"] for f in json.loads(result.stdout)}
    assert checks["trim"] == "pass" and checks["fonts-embedded"] == "pass" and checks["margin-inside"] == "pass"


#: Markdown pandoc warns about while it converts: a link reference defined twice, a note
#: never called, a div never closed.
PANDOC_WARNS = ("# One\n\nSee the [chart] and the note.[^1]\n\n[chart]: https://example.org/1850\n"
                "[chart]: https://example.org/1900\n\n[^1]: Called.\n\n[^2]: Never called.\n\n"
                "::: aside\nAn aside never closed.\n")


def test_pandoc_warnings_become_checks_at_their_line(tmp_path: Path) -> None:
    """What pandoc warns about reaches the writer as octavo's own findings, at the line in
    the chapter file; a normal build shows none of pandoc's lines, -v shows them at their
    place in the file instead of pandoc's '[WARNING] … at line 6 column 1'."""
    folder = book(tmp_path, PANDOC_WARNS)
    checked = run("check", cwd=folder)
    assert [line.rsplit("[", 1)[1] for line in checked.stdout.splitlines()[:-1]] == [
        "link-reference-duplicate]", "footnote-unused]", "div-unclosed]"]
    assert [line.split(": ")[0] for line in checked.stdout.splitlines()[:-1]] == [
        "manuscript/01-one.md:6:1", "manuscript/01-one.md:10:1", "manuscript/01-one.md:12:1"]

    built = run("build", "--format", "epub", "--out", str(tmp_path / "out"), cwd=folder)
    assert built.returncode == 0, built.stderr
    assert built.stderr.splitlines() == ["octavo: check: 3 warnings in 1 file (octavo check lists them)",
                                         # an EPUB alone, with no print layout to take page numbers from
                                         "octavo: the EPUB has no page-list: the print PDF is not built or has "
                                         "changed since (build it too: make, or --format pdf,epub)"]

    verbose = run("-v", "build", "--format", "epub", "--out", str(tmp_path / "out-v"), cwd=folder)
    assert "[WARNING]" not in verbose.stderr and " at line " not in verbose.stderr.replace("unclosed at line", "")
    assert "manuscript/01-one.md:6:1: pandoc: Duplicate link reference '[chart]'" in verbose.stderr
