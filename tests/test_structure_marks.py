"""weasyfix.mark_structure_elements: the same HTML element has the same number on every
page of WeasyPrint's per-page structure tree, and `lang` becomes `/Lang` (issues 11, 12)."""

from __future__ import annotations

import io

import pikepdf

from octavo.structtree import repair_tree
from octavo.weasy import apply_fixes
from octavo.weasyfix import ELEMENT_KEY


def _elements(pdf):
    found, stack = [], [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Dictionary) and node.get("/Type") == "/StructElem":
            found.append(node)
        kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
        if isinstance(kids, pikepdf.Array):
            stack.extend(reversed(list(kids)))
        elif isinstance(kids, pikepdf.Dictionary):
            stack.append(kids)
    return found


def test_a_paragraph_broken_by_a_page_turn_has_one_number_and_lang_is_kept():
    import weasyprint

    apply_fixes()
    words = " ".join(f"word{i}" for i in range(900))
    html = (f'<html lang="en"><head><title>t</title><style>@page {{ size: 3in 3in }}</style></head><body>'
            f'<p>{words}</p><p>Le <span lang="fr">mot juste</span>, and <span lang="zh">大跃进</span>.</p></body></html>')
    data = weasyprint.HTML(string=html).write_pdf(pdf_tags=True)
    pdf = pikepdf.open(io.BytesIO(data))
    paragraphs = [e for e in _elements(pdf) if e.S == "/P"]
    pages_of_first = {int(p.get(f"/{ELEMENT_KEY}")) for p in paragraphs[:-1]}
    assert len(paragraphs) > 2 and len(pages_of_first) == 1  # one number for the parts of one <p>
    assert int(paragraphs[-1].get(f"/{ELEMENT_KEY}")) not in pages_of_first
    langs = sorted(str(e.Lang) for e in _elements(pdf) if "/Lang" in e)
    assert langs == ["fr", "zh"]
    repair_tree(pdf)
    assert not any(f"/{ELEMENT_KEY}" in e for e in _elements(pdf))  # private: gone from what we ship
