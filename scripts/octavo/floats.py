"""Figures float to the next page instead of leaving a hole (print and screen PDFs).

A figure is never split from its caption, so one too tall for the rest of a page goes to
the next, and WeasyPrint 70 (which has no page floats) leaves the rest of the page white.
A typesetter lets the text run on and sets the figure at the top of the next page. We do
that in the HTML: after a layout, every figure that opens a page below a gap of more than
MAX_GAP of the text block is moved after the paragraph that follows it, and the document
is laid out again (at most MAX_PASSES times, moving past 1, 2, then 4 paragraphs). The text fills the gap; the figure comes
right after it. The EPUB keeps the author's order (a reflowable book has no pages).
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: A gap above a page-opening figure worth filling, as a share of the text block's height.
MAX_GAP = 0.12
#: Layouts after the first, at most (each moves every such figure by one paragraph).
MAX_PASSES = 3

_FIGURE = re.compile(r"<figure\b")
#: A top-level figure (pandoc writes it on lines of its own), any figures right after it
#: (they keep their order: they float together), and the paragraph after them (one line:
#: the print HTML is written with --wrap=none).
_FIGURES_THEN_PARAGRAPH = re.compile(r"((?:<figure\b(?:(?!</figure>).)*</figure>\n)+)(<p\b[^\n]*</p>\n)", re.S)


def float_figures(html: str, document, render: Callable[[str], object]):
    """The laid-out `document` of `html`, or a new layout where figures that left a gap
    have moved after the paragraphs that follow them: of the layouts tried, the one with
    the least white space above page-opening figures (never worse than the first)."""
    stranded, gap = stranded_figures(document)
    best = (gap, document)
    for attempt in range(MAX_PASSES):
        if not stranded:
            break
        # Past 1, then 2, then 4 more paragraphs: a tall figure after short paragraphs
        # needs several to fill its gap, and every pass is a layout.
        moved = move_after_paragraphs(html, stranded, 2 ** attempt)
        if moved == html:
            break
        html, document = moved, render(moved)
        stranded, gap = stranded_figures(document)
        if gap < best[0]:
            best = (gap, document)
    return best[1]


def stranded_figures(document) -> tuple[list[int], float]:
    """Document-order numbers of the figures that open a page whose previous page ends
    more than MAX_GAP of its text block above the bottom, and those gaps' total height."""
    from weasyprint.formatting_structure import boxes

    order: dict[int, int] = {}
    stranded: list[int] = []
    total = 0.0
    previous_gap = 0.0
    for page in document.pages:
        page_box = page._page_box
        flow = page_box.children[0] if page_box.children else None
        if flow is None:
            previous_gap = 0.0
            continue
        if not order:  # number the figures of the whole document once, in document order
            root = flow.element
            if root is not None:
                figures = [e for e in root.iter() if isinstance(e.tag, str) and e.tag.rsplit("}", 1)[-1] == "figure"]
                order = {id(e): i for i, e in enumerate(figures)}
        top, height = page_box.content_box_y(), page_box.height
        content = [b for b in _walk(flow) if isinstance(b, (boxes.LineBox, boxes.ReplacedBox))]
        opening = next((b for b in _walk(flow) if b.element_tag == "figure" and isinstance(b, boxes.BlockBox)
                        and b.position_y <= top + 1), None)
        if opening is not None and previous_gap > MAX_GAP * height and id(opening.element) in order:
            stranded.append(order[id(opening.element)])
            total += previous_gap
        bottom = max((b.position_y + b.margin_height() for b in content), default=None)
        previous_gap = 0.0 if bottom is None else top + height - bottom
    return stranded, total


def move_after_paragraphs(html: str, figures: list[int], count: int = 1) -> str:
    """`html` with the given figures (document-order numbers) each moved, with the figures
    right after it, past up to `count` paragraphs that follow them; a figure followed by
    anything else (a heading, a list) stays."""
    starts = [m.start() for m in _FIGURE.finditer(html)]
    for number in sorted(figures, reverse=True):  # from the end: earlier offsets stay valid
        if number >= len(starts):
            continue
        start = starts[number]
        for _ in range(count):
            match = _FIGURES_THEN_PARAGRAPH.match(html, start)
            if match is None:
                break
            html = html[:match.start()] + match.group(2) + match.group(1) + html[match.end():]
            start += len(match.group(2))
    return html


def _walk(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _walk(child)
