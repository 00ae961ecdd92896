"""URLs in the print edition: broken where a reader expects, never hyphenated.

A URL is not a word: a hyphen added by hyphenation ("onthis‐day") changes the address,
and a line that ends inside one must end at a visible joint. The print HTML gets each
URL in a `.url` span or link (print.css: `hyphens: none`), with a break opportunity
(`<wbr>`, no glyph, no character in the PDF's text) after `.`, `_`, `?`, `=`, `&` and
`#`; Unicode's line breaking already allows a break after `/` and `-`. The EPUB keeps
its URLs as written: a reading system sets them itself.
"""

from __future__ import annotations

import re
from typing import Any

AST = dict[str, Any]

#: What looks like a URL in running text or as a link's text.
URL = re.compile(r"(?:https?|ftp)://\S+|www\.\S+\.\S+|mailto:\S+")
_JOINTS = re.compile(r"(?<=[._?=&#])(?=.)")
#: Trailing punctuation that belongs to the sentence, not the URL.
_TRAILING = ".,;:!?)]}’”»"


def breakable_urls(node: Any) -> Any:
    """The same AST with every URL set for print (see the module's docstring)."""
    if isinstance(node, list):
        if any(isinstance(item, dict) and item.get("t") == "Str" and URL.search(item["c"]) for item in node):
            node = [piece for item in node for piece in _split_str(item)]
        return [breakable_urls(item) for item in node]
    if isinstance(node, dict):
        if node.get("t") in ("Code", "CodeBlock", "RawInline", "RawBlock", "Math") or _is_url_span(node):
            return node
        if node.get("t") == "Link" and _is_url_text(node["c"][1]):
            (ident, classes, attrs), inlines, target = node["c"]
            return {"t": "Link", "c": [[ident, [*classes, "url"], attrs], _with_joints(inlines), target]}
        if "c" in node:
            return {**node, "c": breakable_urls(node["c"])}
    return node


def _is_url_span(node: AST) -> bool:
    return node.get("t") == "Span" and "url" in node["c"][0][1]


def _is_url_text(inlines: list[AST]) -> bool:
    return len(inlines) == 1 and inlines[0].get("t") == "Str" and bool(URL.fullmatch(inlines[0]["c"]))


def _with_joints(inlines: list[AST]) -> list[AST]:
    out: list[AST] = []
    for item in inlines:
        if item.get("t") != "Str":
            out.append(item)
            continue
        for i, part in enumerate(_JOINTS.split(item["c"])):
            if i:
                out.append({"t": "RawInline", "c": ["html", "<wbr>"]})
            out.append({"t": "Str", "c": part})
    return out


def _split_str(item: Any) -> list[Any]:
    """A Str holding a bare URL: the text before, the URL in a `.url` span, the text after."""
    if not (isinstance(item, dict) and item.get("t") == "Str"):
        return [item]
    text = item["c"]
    match = URL.search(text)
    if match is None:
        return [item]
    url = match.group(0).rstrip(_TRAILING)
    start, end = match.start(), match.start() + len(url)
    pieces: list[Any] = []
    if start:
        pieces.append({"t": "Str", "c": text[:start]})
    pieces.append({"t": "Span", "c": [["", ["url"], []], _with_joints([{"t": "Str", "c": url}])]})
    if end < len(text):
        pieces.extend(_split_str({"t": "Str", "c": text[end:]}))
    return pieces
