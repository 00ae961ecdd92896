"""Tables set as tables, not as running text (both editions).

- A column whose cells are numbers is set flush right (unless the author aligned it), so
  units line up under units; the stylesheets give cells lining, tabular figures.
- A table with many columns is marked `wide` (7 or more) or `very-wide` (10 or more): the
  print stylesheet sets it smaller, so it fits the measure instead of running off it.
"""

from __future__ import annotations

import re
from typing import Any

AST = dict[str, Any]

#: A cell that is a number: digits with separators, signs, currency, per cent, footnote-free.
NUMBER = re.compile(r"[-+−–(]?[£$€¥]?\s*\d[\d\s.,'’]*(?:%|[a-z]{0,3}\.?)?\)?")
WIDE, VERY_WIDE = 7, 10


def set_tables(blocks: list[AST]) -> None:
    """Right-align numeric columns and mark wide tables, in place, anywhere in `blocks`."""
    for block in _tables(blocks):
        attr, _caption, colspecs, _head, bodies, _foot = block["c"]
        columns: list[list[str]] = [[] for _ in colspecs]
        for body in bodies:
            for row in [*body[2], *body[3]]:
                position = 0
                for cell in row[1]:
                    text = _text([i for b in cell[4] for i in _inlines(b)]).strip()
                    if position < len(columns) and text:
                        columns[position].append(text)
                    position += max(1, cell[3])
        for spec, cells in zip(colspecs, columns):
            numeric = [c for c in cells if NUMBER.fullmatch(c)]
            if spec[0]["t"] == "AlignDefault" and cells and len(numeric) >= 0.6 * len(cells):
                spec[0] = {"t": "AlignRight"}
        if len(colspecs) >= WIDE:
            attr[1] = [*attr[1], "very-wide" if len(colspecs) >= VERY_WIDE else "wide"]


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
