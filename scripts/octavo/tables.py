"""Tables set as tables, not as running text (both editions).

- A column whose cells are numbers is set flush right (unless the author aligned it), so
  units line up under units; the stylesheets give cells lining, tabular figures.
- A header cell over several columns is centred over them.
- Its cells that are numbers are classed `num`: print keeps a number on one line
  ("40s. 10d.", "1 234,5 kg"), and sizes the table to fit the measure with it (tablefit.py).
"""

from __future__ import annotations

import re
from typing import Any

AST = dict[str, Any]

#: A quantity: digits with separators, a sign, currency, per cent or a short unit.
_QUANTITY = r"[-+−–(]?[£$€¥]?\s?\d[\d.,'’\u00a0\u202f]*(?:\s?(?:%|‰|[a-zA-Z]{1,3}\.?))?\)?"
#: A cell that is a number: quantities one after another ("40s. 10d.", "1 234", "3 ft. 4 in.")
#: or a range ("1600–1610"); a note call does not count.
NUMBER = re.compile(rf"{_QUANTITY}(?:(?:\s+|\s?[–/-]\s?){_QUANTITY})*")
#: A cell that says "nothing" in a column of figures (a dash, dots): it does not vote.
NIL = re.compile(r"[-‐‒–—―.…·]+")


def set_tables(blocks: list[AST]) -> None:
    """Right-align numeric columns and class their numbers, in place, anywhere in `blocks`."""
    for block in _tables(blocks):
        _attr, _caption, colspecs, head, bodies, _foot = block["c"]
        # A heading over several columns stands over their middle, not over the last or
        # first figure (Smith's "Price of the quarter of wheat each year" over £ s. d.).
        for row in head[1]:
            for cell in row[1]:
                if cell[3] > 1 and cell[1]["t"] == "AlignDefault":
                    cell[1] = {"t": "AlignCenter"}
        columns: list[list[tuple[str, AST]]] = [[] for _ in colspecs]
        for body in bodies:
            for row in [*body[2], *body[3]]:
                position = 0
                for cell in row[1]:
                    text = _text([i for b in cell[4] for i in _inlines(b)]).strip()
                    if position < len(columns) and text and cell[3] == 1 and not NIL.fullmatch(text):
                        columns[position].append((text, cell))
                    position += max(1, cell[3])
        for spec, cells in zip(colspecs, columns):
            numeric = [cell for text, cell in cells if NUMBER.fullmatch(text)]
            if not cells or len(numeric) < 0.6 * len(cells):
                continue
            if spec[0]["t"] == "AlignDefault":
                spec[0] = {"t": "AlignRight"}
            for cell in numeric:
                cell[0][1] = [*cell[0][1], "num"]


def _tables(node: Any):
    if isinstance(node, list):
        for item in node:
            yield from _tables(item)
    elif isinstance(node, dict):
        if node.get("t") == "Table":
            yield node
        if "c" in node and node.get("t") not in ("Str", "Code", "CodeBlock", "RawBlock", "RawInline", "Math"):
            yield from _tables(node["c"])


def _inlines(block: AST) -> list[AST]:
    return block["c"] if block.get("t") in ("Plain", "Para") else []


def _text(inlines: list[AST]) -> str:
    """The plain text of a cell's inlines (enough to tell a number)."""
    out: list[str] = []
    for node in inlines:
        kind = node.get("t")
        if kind == "Str":
            out.append(node["c"])
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in ("Emph", "Strong", "Span", "SmallCaps", "Strikeout", "Underline", "Superscript", "Subscript"):
            out.append(_text(node["c"][-1] if kind == "Span" else node["c"]))
        elif kind == "Note":
            continue  # a note call is not part of the number
        else:
            out.append("x")  # code, links, images: not a number
    return "".join(out)
