"""The screen edition's structure tree, repaired for a screen reader (see structure.py)."""

from __future__ import annotations

import pikepdf

from .weasyfix import ELEMENT_KEY


def repair_tree(pdf: pikepdf.Pdf) -> None:
    """Rewrite the tree a reader walks; drop the private element numbers."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    seen: set = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if not isinstance(node, pikepdf.Dictionary) or node.objgen in seen and node.objgen != (0, 0):
            continue
        seen.add(node.objgen)
        if "/" + ELEMENT_KEY in node:
            del node["/" + ELEMENT_KEY]
        kids = node.get("/K")
        if isinstance(kids, pikepdf.Array):
            stack.extend(kids)
        elif isinstance(kids, pikepdf.Dictionary):
            stack.append(kids)
