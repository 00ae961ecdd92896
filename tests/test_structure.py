"""A chapter file makes one chapter (issue 14, point 8): a leading HTML comment opens no
empty chapter, and a second level-1 heading becomes a section, not a chapter."""

from __future__ import annotations

import re
import zipfile

from conftest import make_book

from octavo.build import build

CHAPTER = """<!-- Draft 3, after the editor's notes. -->

# The Harbour

The boats came in at dawn.

# The Market

By noon the fish were sold.
"""


def test_one_file_one_chapter_in_the_epub(tmp_path):
    book = make_book(tmp_path / "book", 'title: "Harbour Days"\n',
                     {"manuscript/01-harbour.md": CHAPTER, "manuscript/02-night.md": "# Night\n\nThe lamps.\n"})
    report = build(book, formats=("epub",), out_dir=tmp_path / "out")
    assert [d.rule for d in report.diagnostics] == ["chapter-several-titles"]
    with zipfile.ZipFile(report.outputs["epub"]) as epub:
        chapters = sorted(n for n in epub.namelist() if re.search(r"text/ch\d+\.xhtml$", n))
        nav = epub.read(next(n for n in epub.namelist() if n.endswith("nav.xhtml"))).decode()
        first = epub.read(chapters[0]).decode()
    assert len(chapters) == 2  # not an empty one for the comment, nor one for "The Market"
    toc = nav[nav.index('epub:type="toc"'):nav.index("</nav>")]
    assert re.findall(r"<a [^>]*>([^<]*)</a>", toc) == ["The Harbour", "Night"]
    assert "<h2" in first and "The Market" in first and "Draft 3" not in first
