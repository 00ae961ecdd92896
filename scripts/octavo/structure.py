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


def repair(pdf: pikepdf.Pdf, *, after_heading: int = 0, ids: str = "") -> tuple[int, int]:
    """Repair the structure of a tagged PDF in place (the content first, then the tree);
    return the level of its first heading as written (0: none) and of its last as
    repaired. A chapter can be repaired on its own before it joins the book (screen.py):
    `after_heading` and `ids` are what it needs of the book (structtree.repair_tree)."""
    from .structtext import repair_text
    from .structtree import repair_tree

    repair_text(pdf)
    return repair_tree(pdf, after_heading=after_heading, ids=ids)
