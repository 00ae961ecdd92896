"""The EPUB stays valid whatever the manuscript says (issue 14, point 7): an image whose
name lies about its type, obsolete HTML attributes, links to files the book does not hold.
The checker reports each at its line; the build repairs them (epubfix.py, urls.py)."""

from __future__ import annotations

import io
import re
import zipfile

import pikepdf
import pytest
from PIL import Image

from conftest import make_book

from octavo.build import build

pytestmark = pytest.mark.slow


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1800, 1200), (240, 240, 230)).save(out, "PNG")
    return out.getvalue()


CHAPTER_A = """# The Harbour

![A map of the harbour](images/map.jpg)

See [the lessons](/fr/lecons/port), [the notes](notes.html), [the nets](02-b.md#nets) and
[the site](https://example.org/port).

<img src="images/map.jpg" alt="The map again" align="left" width="50%" border="0"/>
"""
CHAPTER_B = "# The Boats\n\n## Nets and Lines {#nets}\n\nThe nets were mended every night.\n"


@pytest.fixture(scope="module")
def hygiene(tmp_path_factory):
    root = tmp_path_factory.mktemp("hygiene")
    book = make_book(root / "book", 'title: "The Harbour"\n',
                     {"manuscript/01-a.md": CHAPTER_A, "manuscript/02-b.md": CHAPTER_B,
                      "manuscript/images/map.jpg": _png()})
    return build(book, formats=("epub", "screen"), out_dir=root / "out")


def test_the_checker_names_each_problem(hygiene):
    rules = sorted(d.rule for d in hygiene.diagnostics)
    assert rules.count("image-type") == 2 and rules.count("link-local") == 2  # the image, named twice


def test_the_epub_is_valid_anyway(hygiene):
    from validators import epubcheck_problems

    assert epubcheck_problems(hygiene.outputs["epub"]) == []


def test_what_the_epub_holds(hygiene):
    with zipfile.ZipFile(hygiene.outputs["epub"]) as epub:
        names = epub.namelist()
        first = epub.read("EPUB/text/ch001.xhtml").decode()
        opf = epub.read(next(n for n in names if n.endswith(".opf"))).decode()
    media = [n for n in names if "/media/" in n]
    assert media and all(n.endswith(".png") for n in media)
    assert 'media-type="image/png"' in opf and ".jpg" not in opf
    assert 'href="ch002.xhtml#nets"' in first  # another chapter's file: that chapter
    assert "/fr/lecons" not in first and "notes.html" not in first and "the lessons" in first
    assert "https://example.org/port" in first
    assert not re.search(r"\salign=|\sborder=", first) and "width: 50%" in first


def test_no_dead_file_links_in_the_pdf(hygiene):
    with pikepdf.open(hygiene.outputs["screen"]) as pdf:
        uris = [str(a.A.URI) for page in pdf.pages for a in page.obj.get("/Annots", [])
                if "/A" in a and "/URI" in a.A]
    assert "https://example.org/port" in uris
    assert not [u for u in uris if u.startswith("file:")], uris
