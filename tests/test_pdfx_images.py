"""A PDF/X job holds no RGB image and no transparency (issue 14, point 10): the images are
converted to the printer's CMYK and flattened on white before WeasyPrint embeds them."""

from __future__ import annotations

import io

import pikepdf
import pytest
from PIL import Image, ImageDraw

from conftest import make_book
from test_editions import minimal_cmyk_icc, statuses

from octavo.build import build
from octavo.preflight import failed

pytestmark = pytest.mark.slow


def _rgba_png() -> bytes:
    image = Image.new("RGBA", (1500, 900), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse([100, 100, 1400, 800], fill=(200, 30, 30, 200))
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(300, 300))
    return out.getvalue()


def test_pdfx_images_are_cmyk_without_transparency(tmp_path):
    text = "The harbour at dawn, the boats coming in. " * 40
    book = make_book(tmp_path / "book", 'title: "Harbour"\nprinter: ingramspark\noutput_profile: printer.icc\n',
                     {"printer.icc": minimal_cmyk_icc("Stand-in CMYK"), "manuscript/images/red.png": _rgba_png(),
                      "manuscript/01-a.md": f"# The Harbour\n\n{text}\n\n![A red sun](images/red.png){{width=4in}}\n\n{text}\n"})
    report = build(book, formats=("pdf",), out_dir=tmp_path / "out")
    checks = statuses(report.preflight)
    assert checks["colour"] == checks["transparency"] == "pass", [f for f in report.preflight if f.status == "fail"]
    assert not failed(report.preflight)
    with pikepdf.open(report.outputs["pdf"]) as pdf:
        images = [x for page in pdf.pages for x in _images(page.obj.get("/Resources"))]
        assert images and all(x.ColorSpace == "/DeviceCMYK" and "/SMask" not in x for x in images)


def _images(resources, seen=None) -> list:
    """Every image XObject reachable from `resources`, inside form XObjects too (the
    chapter-wise PDF puts each chapter page in one)."""
    seen = set() if seen is None else seen
    found = []
    for xobject in (resources or {}).get("/XObject", {}).values():
        if xobject.objgen in seen:
            continue
        seen.add(xobject.objgen)
        if xobject.get("/Subtype") == "/Image":
            found.append(xobject)
        elif xobject.get("/Subtype") == "/Form":
            found += _images(xobject.get("/Resources"), seen)
    return found
