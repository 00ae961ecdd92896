"""Links and URLs in the print edition: URLs broken where a reader expects, never
hyphenated; links to files the book does not hold printed as text.

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
    """The same AST with every URL and link set for print (see the module's docstring)."""
    if isinstance(node, list):
        if any(isinstance(item, dict) and item.get("t") == "Str" and URL.search(item["c"]) for item in node):
            node = [piece for item in node for piece in _split_str(item)]
        return [breakable_urls(item) for item in node]
    if isinstance(node, dict):
        if node.get("t") in ("Code", "CodeBlock", "RawInline", "RawBlock", "Math") or _is_url_span(node):
            return node
        if node.get("t") == "Link":
            (ident, classes, attrs), inlines, (href, title) = node["c"]
            local = _local_target(href)
            if local is None:  # a file the book does not hold: its text, without a link
                return {"t": "Span", "c": [[ident, classes, attrs], breakable_urls(inlines)]}
            if _is_url_text(inlines):
                return {"t": "Link", "c": [[ident, [*classes, "url"], attrs], _with_joints(inlines), [local, title]]}
            return {"t": "Link", "c": [[ident, classes, attrs], breakable_urls(inlines), [local, title]]}
        if "c" in node:
            return {**node, "c": breakable_urls(node["c"])}
    return node


def _local_target(href: str) -> str | None:
    """Where a link goes in the print HTML: addresses and #ids as they are, another
    chapter's `02-b.md#nets` to `#nets` (one document holds every chapter), and None for
    a file the book does not hold (a site-relative `/fr/lecons/…`, `notes.html`), which
    WeasyPrint would turn into a dead `file:///` link."""
    if href.startswith("#") or re.match(r"[a-zA-Z][\w+.-]*:", href):
        return href
    path, _, fragment = href.partition("#")
    if path.lower().endswith(".md") and fragment:
        return "#" + fragment
    return None


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
