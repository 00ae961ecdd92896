"""Quotation marks and punctuation spacing in the book's language (both editions).

pandoc turns straight quotes into `Quoted` nodes and would print English “ ” in any book.
octavo prints each language's own marks (outer, then inner), as CLDR and the national
style guides give them, and in French the spaces the rules ask for: a narrow no-break
space (U+202F) inside « » and before ; ! ? and a no-break space (U+00A0) before : (the
Imprimerie nationale's rules), so a colon never starts a line. A passage marked as
another language (`[…]{lang=de}`, `::: {lang=fr}`) follows its own language.
"""

from __future__ import annotations

import re
from typing import Any

AST = dict[str, Any]

NNBSP, NBSP = "\u202f", "\u00a0"

#: language (or language-region) -> (outer open, outer close, inner open, inner close).
QUOTES = {
    "en": ("“", "”", "‘", "’"),
    "en-gb": ("‘", "’", "“", "”"),  # Hart's Rules / New Oxford Style Manual
    "fr": ("«" + NNBSP, NNBSP + "»", "“", "”"),  # Imprimerie nationale: inner “ ”
    "de": ("„", "“", "‚", "‘"),
    "de-ch": ("«", "»", "‹", "›"),
    "es": ("«", "»", "“", "”"),  # RAE
    "it": ("«", "»", "“", "”"),
    "pt": ("“", "”", "‘", "’"),  # CLDR pt (Brazil)
    "pt-pt": ("«", "»", "“", "”"),
    "nl": ("“", "”", "‘", "’"),
}

#: French: the space a punctuation mark takes before it.
_FRENCH_SPACE = {":": NBSP, ";": NNBSP, "!": NNBSP, "?": NNBSP}
#: Punctuation typed against a word in French ("su:"), not in a URL or a time (10:15).
_TIGHT = re.compile(r"(?<=[^\W\d_])([;:!?])(?=\s|$|[»)\]”’])")


def quotes_for(language: str) -> tuple[str, str, str, str]:
    tag = language.lower().replace("_", "-")
    return QUOTES.get(tag) or QUOTES.get(tag.split("-")[0]) or QUOTES["en"]


def localize(blocks: list[AST], language: str) -> list[AST]:
    """`blocks` with quotes and (in French) punctuation spacing set for `language`."""
    return _walk(blocks, language.lower())


def _walk(node: Any, language: str, depth: int = 0) -> Any:
    if isinstance(node, list):
        items = [_walk(item, language, depth) for item in node]
        return _french_spacing(items) if language.startswith("fr") else items
    if not isinstance(node, dict):
        return node
    kind = node.get("t")
    if kind in ("Code", "CodeBlock", "RawInline", "RawBlock", "Math"):
        return node
    if kind in ("Span", "Div"):
        attrs = dict(node["c"][0][2])
        inner = attrs.get("lang", language).lower()
        return {**node, "c": [node["c"][0], _walk(node["c"][1], inner, depth)]}
    if kind == "Quoted":
        outer = node["c"][0]["t"] == "DoubleQuote"
        opening, closing, inner_open, inner_close = quotes_for(language)
        if not outer or depth:  # a quotation inside a quotation, or single quotes
            opening, closing = inner_open, inner_close
        content = _walk(node["c"][1], language, depth + 1)
        return {"t": "Span", "c": [["", ["quoted"], []],
                                   [{"t": "Str", "c": opening}, *content, {"t": "Str", "c": closing}]]}
    if kind == "Str" and language.startswith("fr") and "://" not in node["c"]:
        return {"t": "Str", "c": _TIGHT.sub(lambda m: _FRENCH_SPACE[m.group(1)] + m.group(1), node["c"])}
    if "c" in node:
        return {**node, "c": _walk(node["c"], language, depth)}
    return node


def _french_spacing(items: list[Any]) -> list[Any]:
    """A space typed before : ; ! ? becomes the no-break space French sets there."""
    out: list[Any] = []
    for item in items:
        if (isinstance(item, dict) and item.get("t") == "Str" and item["c"][:1] in _FRENCH_SPACE
                and out and isinstance(out[-1], dict) and out[-1].get("t") in ("Space", "SoftBreak")):
            out.pop()
            item = {"t": "Str", "c": _FRENCH_SPACE[item["c"][0]] + item["c"]}
        out.append(item)
    return out
