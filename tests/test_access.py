"""One answer to "may the build read this?", for the checker and the build alike (issue 10, item 5)."""
from __future__ import annotations

import pytest
from conftest import make_book

from octavo.access import resolve
from octavo.checks import check_book
from octavo.config import load_book
from octavo.errors import ResourceError
from octavo.manuscript import read_manuscript
from octavo.resources import vet_path

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8ffff3f0005fe02fe"
                    "a7d6a4d00000000049454e44ae426082")

URLS = ["images/map.png", "images/my%20map.png", "images/my map.png", "../outside.png", "images/gone.png",
        "https://example.org/map.png", "data:image/png;base64,AAAA", "javascript:alert(1)", "/etc/passwd",
        "file:///etc/passwd", "images/map.png#part", "images/link-out.png"]


@pytest.fixture
def book(tmp_path):
    root = make_book(tmp_path / "book", 'title: "T"\n', {
        "manuscript/01-a.md": "# A\n\nText.\n", "manuscript/images/map.png": PNG,
        "manuscript/images/my map.png": PNG})
    (tmp_path / "outside.png").write_bytes(PNG)
    (root / "manuscript/images/link-out.png").symlink_to(tmp_path / "outside.png")
    return root


@pytest.mark.parametrize("url", URLS)
def test_the_checker_refuses_exactly_what_the_build_refuses(book, url) -> None:
    chapter_file = book / "manuscript/01-a.md"
    written = f"<{url}>" if " " in url else url  # (Markdown's way to write a space in a path)
    chapter_file.write_text(f"# A\n\n![A map]({written})\n", encoding="utf-8")
    loaded = load_book(book)
    manuscript = read_manuscript(loaded)
    findings = [d for d in check_book(loaded, manuscript) if d.rule.startswith("image-") and d.severity == "error"]
    try:
        vet_path(loaded, manuscript.chapters[0], url, allow_remote=False)
        refused = False
    except ResourceError:
        refused = True
    assert bool(findings) == refused, (url, findings)
    if not url.startswith("https:"):
        assert resolve(loaded.root, chapter_file.parent, url).readable == (not refused)


def test_a_refused_path_is_reported_where_the_image_is_not_where_the_prose_names_it(book) -> None:
    (book / "manuscript/01-a.md").write_text("# A\n\nThe old file gone.png is lost.\n\n![A map](gone.png)\n",
                                             encoding="utf-8")
    loaded = load_book(book)
    chapter = read_manuscript(loaded).chapters[0]
    with pytest.raises(ResourceError) as error:
        vet_path(loaded, chapter, "gone.png", allow_remote=False)
    assert (error.value.where.line, error.value.where.column) == (5, 10)
