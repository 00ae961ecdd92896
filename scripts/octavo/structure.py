"""The screen edition's structure tree, repaired for a screen reader (issue 11).

WeasyPrint 70 tags the screen PDF page by page. `repair` is run on the finished, tagged
file — one pass or assembled from chapters — and rewrites what a reader needs:
- `structtext`: the page's content (running heads and folios as artifacts, word spaces
  at line ends, hyphens of hyphenation as soft hyphens, link descriptions);
- `structtree`: the tree (one element per HTML element across page turns, list bodies,
  notes after the paragraph that calls them, the contents as a TOC), and it drops the
  private keys weasyfix.mark_structure_elements wrote.
"""

from __future__ import annotations

import pikepdf


def repair(pdf: pikepdf.Pdf, *, text: bool = True) -> None:
    """Repair the structure of a tagged PDF in place (the content first, then the tree).
    `text=False`: the pages' content was repaired already (screen.py does it chapter by
    chapter, cached, so that an edit repairs one chapter's pages, not the book's)."""
    from .structtext import repair_text
    from .structtree import repair_tree

    if text:
        repair_text(pdf)
    repair_tree(pdf)
