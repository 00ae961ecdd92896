"""What a reader of the print edition gets, page by page: how each page looks (a hash of
its rendering), its text, its links, and the preflight findings. Two print PDFs with the
same signature are the same print edition (test_screen_assembly.py compares the build
against a signature recorded from the code before the screen edition was assembled from
the print edition's chapter layouts)."""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from pathlib import Path

#: Low enough to be quick, high enough that a moved word or a changed glyph shows.
DPI = 36


def signature(pdf: Path, preflight: list) -> dict:
    import pikepdf

    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", str(pdf), f"{scratch}/p"], check=True)
        looks = [hashlib.sha256(p.read_bytes()).hexdigest()[:16] for p in sorted(Path(scratch).glob("p-*.pgm"))]
    texts = []
    with pikepdf.open(pdf) as doc:
        count = len(doc.pages)
        links = []
        for page in doc.pages:
            found = []
            for annotation in page.obj.get("/Annots", []):
                target = None
                if "/Dest" in annotation:
                    target = ["page", doc.pages.index(pikepdf.Page(annotation.Dest[0]))]
                elif "/A" in annotation:
                    target = ["uri", str(annotation.A.URI)]
                found.append([round(float(v)) for v in annotation.Rect] + [target])
            links.append(found)
        boxes = [{name: [round(float(v), 2) for v in page.obj[name]] for name in
                  ("/MediaBox", "/TrimBox", "/BleedBox") if name in page.obj} for page in doc.pages]
    for number in range(1, count + 1):
        text = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        texts.append(text)
    return {"pages": count, "looks": looks, "text": texts, "links": links, "boxes": boxes,
            "preflight": sorted([f.check, f.status, f.measured, f.limit, f.page] for f in preflight)}
