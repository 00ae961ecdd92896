"""What a writer sees (issue 14, point 15): plain lines, no tool's log leaking through, and
`octavo preflight FILE` checking a PDF against the printer it was made for."""

from __future__ import annotations

import subprocess
import sys

import pikepdf
import pytest

from conftest import make_book

pytestmark = pytest.mark.slow

OCTAVO = [sys.executable, "-m", "octavo"]


@pytest.fixture(scope="module")
def lulu_book(tmp_path_factory):
    root = tmp_path_factory.mktemp("output")
    picture = root / "pic.png"
    from PIL import Image

    Image.new("RGB", (900, 600), (120, 140, 160)).save(picture, dpi=(300, 300))
    book = make_book(root / "book", 'title: "Harbour"\nprinter: lulu\n',
                     {"manuscript/01-a.md": "# The Harbour\n\n![](images/pic.png){width=2in}\n\nThe boats came in.\n",
                      "manuscript/images/pic.png": picture.read_bytes()})
    out = root / "out"
    run = subprocess.run([*OCTAVO, "build", str(book), "--out", str(out)], capture_output=True, text=True,
                         cwd=root, timeout=600)
    assert run.returncode == 0, run.stderr
    return root, out, run.stderr


def test_normal_output_is_plain_lines(lulu_book):
    _, _, stderr = lulu_book
    lines = stderr.splitlines()
    assert lines and all(line.startswith("octavo: ") for line in lines), stderr
    assert " ms " not in stderr  # timings only with -v
    assert "alt description" not in stderr  # WeasyPrint's; the checker says it at the line [image-alt]


def test_preflight_of_a_file_uses_the_printer_it_was_made_for(lulu_book):
    root, out, _ = lulu_book
    pdf = next(out.glob("harbour.pdf"))
    run = subprocess.run([*OCTAVO, "preflight", str(pdf)], capture_output=True, text=True, cwd=root, timeout=300)
    assert "preflight for lulu" in run.stdout, run.stdout + run.stderr


def test_preflight_asks_for_the_printer_of_a_pdf_that_does_not_say(lulu_book, tmp_path):
    _, out, _ = lulu_book
    anonymous = tmp_path / "other.pdf"
    with pikepdf.open(next(out.glob("harbour.pdf"))) as pdf:
        del pdf.docinfo["/OctavoPrinter"]
        pdf.save(anonymous)
    run = subprocess.run([*OCTAVO, "preflight", str(anonymous)], capture_output=True, text=True, cwd=tmp_path,
                         timeout=300)
    assert run.returncode == 2 and "--printer" in run.stderr and "Traceback" not in run.stderr
