"""What real manuscripts hold (issue 9, acceptance 5): a 300-character code line, a
12-column table, raw HTML5 (<br>, <img> without '/', <details>), a figure with a caption,
German and French text. It builds; nothing runs out of the text block; the code face is
embedded; the EPUB passes EPUBCheck and DAISY Ace."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from octavo.build import build
from octavo.config import load_book
from octavo.pdf import page_geometry

pytestmark = pytest.mark.slow

MIXED = Path(__file__).parent / "fixtures" / "mixed"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    return build(MIXED, formats=("pdf", "epub"), out_dir=tmp_path_factory.mktemp("mixed") / "out")


def test_it_builds_clean(mixed):
    assert set(mixed.outputs) == {"pdf", "epub"}
    assert not [d for d in mixed.diagnostics if d.severity == "error"]


def test_nothing_runs_out_of_the_text_block(mixed):
    g = page_geometry(load_book(MIXED), mixed.pages)
    checked = 0
    with pdfplumber.open(mixed.outputs["pdf"]) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            # Versos and rectos mirror their margins; a glyph may overhang by a hair.
            left = (g.outer if number % 2 == 0 else g.inner) * 72 - 1.5
            right = page.width - (g.inner if number % 2 == 0 else g.outer) * 72 + 1.5
            for char in page.chars:
                checked += 1
                assert left <= char["x0"] and char["x1"] <= right, (number, char["text"], char["x0"], char["x1"])
            for image in page.images:
                assert left <= image["x0"] and image["x1"] <= right, (number, image)
    assert checked > 1000


def test_the_code_face_is_embedded(mixed):
    with pikepdf.open(mixed.outputs["pdf"]) as pdf:
        names = {str(font.get("/BaseFont")) for page in pdf.pages for font in _fonts(page.obj.get("/Resources"))}
    assert any("Inconsolata" in name for name in names), names


def _fonts(resources, seen=None):
    seen = set() if seen is None else seen
    for font in (resources or {}).get("/Font", {}).values():
        yield font
    for xobject in (resources or {}).get("/XObject", {}).values():
        if xobject.objgen not in seen and xobject.get("/Subtype") == "/Form":
            seen.add(xobject.objgen)
            yield from _fonts(xobject.get("/Resources"), seen)


def test_the_epub_passes_epubcheck_and_ace(mixed):
    from validators import ace_violations, epubcheck_problems

    assert epubcheck_problems(mixed.outputs["epub"]) == []
    assert ace_violations(mixed.outputs["epub"]) == []
