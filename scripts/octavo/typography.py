"""Quotation marks and punctuation spacing in the book's language (both editions).

pandoc turns straight quotes into `Quoted` nodes and would print English “ ” in any book.
octavo prints each language's own marks, chosen by how deep a quotation is nested (not
by which key the writer typed: a British writer's 'single' and an American's "double"
outer quotes both come out as the language's outer marks), and in French the spaces the
rules ask for: a narrow no-break space (U+202F) inside « » and before ; ! ? and a no-break
space (U+00A0) before : (the Imprimerie nationale's rules), so a colon never starts a line
and a guillemet never ends one. Guillemets the writer typed get the same spaces, and a
space typed before the mark is replaced, never doubled. A passage marked as another
language (`[…]{lang=de}`, `::: {lang=fr}`) follows its own language.

Vulgar fractions (½, ⅘, …) are set from the font's own figures: each becomes its Unicode
decomposition (4⁄5, with the fraction slash) in a `fraction` span that the stylesheet sets
with `font-variant-numeric: diagonal-fractions` (OpenType `frac`). A text face rarely has
all nineteen precomposed fractions (EB Garamond lacks ⅕ ⅖ ⅗ ⅘ ⅙ ⅚ ⅐ ⅑ ⅒), and one it lacks
was drawn from whatever system font had it; composed, every fraction of the book is drawn
in the same face and looks the same.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

AST = dict[str, Any]

NNBSP, NBSP = "\u202f", "\u00a0"

#: language (or language-region) -> (outer open, outer close, inner open, inner close).
#: Sources: CLDR's delimiters (quotationStart/End, alternateQuotationStart/End) unless said.
QUOTES = {
    "en": ("“", "”", "‘", "’"),  # CLDR en; Chicago 6.9
    "en-gb": ("‘", "’", "“", "”"),  # New Hart's Rules 9.2 (CLDR gives “ ”, British books do not)
    # CLDR fr gives « » at both levels; the Imprimerie nationale's Lexique sets a quotation
    # inside a quotation in “ ”, so that the reader sees where each one ends
    "fr": ("«" + NNBSP, NNBSP + "»", "“", "”"),
    "de": ("„", "“", "‚", "‘"),  # CLDR de; Duden
    "de-ch": ("«", "»", "‹", "›"),  # CLDR de_CH
    "es": ("«", "»", "“", "”"),  # RAE, Ortografía (2010) 3.4.8 (CLDR gives “ ” ‘ ’)
    "it": ("«", "»", "“", "”"),  # CLDR it
    "pt": ("“", "”", "‘", "’"),  # CLDR pt (Brazil)
    "pt-pt": ("«", "»", "“", "”"),  # CLDR pt_PT
    "nl": ("‘", "’", "“", "”"),  # CLDR nl (‘ ’ at both levels; “ ” inside keeps the levels apart)
}

#: French: the space each punctuation mark takes before it.
_FRENCH_SPACE = {":": NBSP, ";": NNBSP, "!": NNBSP, "?": NNBSP}
#: Spaces a writer may type that a line may break at (the plain space is pandoc's `Space`).
_BREAKING = "\u2000-\u200a"
#: Inside text: a run of ; : ! ? typed against what comes before (su?, 1789?, »?, su ?!), or
#: after a breaking thin space, and followed by a space, a closing mark or the end (not
#: 10:15 or a:b).
_PUNCT = re.compile(rf"(?<=[^\s{NBSP}{NNBSP}«(\[{{“‘'\"/—–;:!?-])[{_BREAKING}]*([;:!?]+)(?=[\s»”’)\]}}.,…]|$)")
_AFTER_OPEN = re.compile(rf"«[{_BREAKING}]*(?![{NBSP}{NNBSP}]|$)")
_BEFORE_CLOSE = re.compile(rf"(?<=[^\s{NBSP}{NNBSP}])[{_BREAKING}]*»")
_SPACES = ("Space", "SoftBreak")
#: The precomposed vulgar fractions (Unicode's Number Forms and Latin-1's ¼ ½ ¾).
FRACTIONS = "\u00bc\u00bd\u00be\u2150\u2151\u2152\u2153\u2154\u2155\u2156\u2157\u2158\u2159\u215a\u215b\u215c\u215d\u215e\u2189"
_FRACTION = re.compile(f"[{FRACTIONS}]")


def quotes_for(language: str) -> tuple[str, str, str, str]:
    tag = language.lower().replace("_", "-")
    return QUOTES.get(tag) or QUOTES.get(tag.split("-")[0]) or QUOTES["en"]


def localize(blocks: list[AST], language: str) -> list[AST]:
    """`blocks` with quotes and (in French) punctuation spacing set for `language`."""
    return _walk(blocks, language.lower())


def _walk(node: Any, language: str, depth: int = 0) -> Any:
    if isinstance(node, list):
        items = [_walk(item, language, depth) for item in node]
        return _french_spacing(items) if _french(language) else items
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
        # The nesting decides the marks: outer, inner, outer again, …
        outer_open, outer_close, inner_open, inner_close = quotes_for(language)
        opening, closing = (outer_open, outer_close) if depth % 2 == 0 else (inner_open, inner_close)
        content = _walk(node["c"][1], language, depth + 1)
        return {"t": "Span", "c": [["", ["quoted"], []],
                                   [{"t": "Str", "c": opening}, *content, {"t": "Str", "c": closing}]]}
    if kind == "Str" and _french(language) and "://" not in node["c"]:
        node = {"t": "Str", "c": _french_text(node["c"])}
    if kind == "Str" and _FRACTION.search(node["c"]):
        return _fractions(node["c"])
    if kind == "Str":
        return node
    if "c" in node:
        return {**node, "c": _walk(node["c"], language, depth)}
    return node


def fraction_text(char: str) -> str:
    """⅘ -> 4⁄5: the fraction written with the fraction slash (its compatibility decomposition)."""
    return unicodedata.normalize("NFKD", char)


def _fractions(text: str) -> AST:
    """A Str holding vulgar fractions: the text around them, each fraction a `fraction` span."""
    pieces: list[AST] = []
    for part in re.split(f"([{FRACTIONS}])", text):
        if part and _FRACTION.fullmatch(part):
            pieces.append({"t": "Span", "c": [["", ["fraction"], []], [{"t": "Str", "c": fraction_text(part)}]]})
        elif part:
            pieces.append({"t": "Str", "c": part})
    return {"t": "Span", "c": [["", [], []], pieces]}


def _french(language: str) -> bool:
    return language.startswith("fr")


def _french_text(text: str) -> str:
    text = _PUNCT.sub(lambda m: _FRENCH_SPACE[m.group(1)[0]] + m.group(1), text)
    text = _AFTER_OPEN.sub("«" + NNBSP, text)
    return _BEFORE_CLOSE.sub(NNBSP + "»", text)


def _french_spacing(items: list[Any]) -> list[Any]:
    """The spaces French sets between one inline and the next: a space typed before
    : ; ! ? or » becomes the no-break space French sets there, one after « likewise, and
    where the writer typed none (*Candide* ?, «*Candide*») it is added."""
    out: list[Any] = []
    for item in items:
        previous = out[-1] if out and isinstance(out[-1], dict) else None
        kind = item.get("t") if isinstance(item, dict) else None
        if previous is not None and previous.get("t") == "Str" and previous["c"].endswith("«"):
            # « then a space, or « then italics: the space after « binds it to the word
            if kind in _SPACES:
                out[-1] = {"t": "Str", "c": previous["c"] + NNBSP}
                continue
            if kind not in ("LineBreak", None):
                out[-1] = {"t": "Str", "c": previous["c"] + NNBSP}
        if kind == "Str" and item["c"][:1] in (*_FRENCH_SPACE, "»") and previous is not None:
            space = _FRENCH_SPACE.get(item["c"][0], NNBSP)
            if previous.get("t") in _SPACES:
                out.pop()
                item = {"t": "Str", "c": space + item["c"]}
            elif previous.get("t") not in ("LineBreak",) and not (
                    previous.get("t") == "Str" and previous["c"][-1:] in f" {NBSP}{NNBSP}«(["):
                item = {"t": "Str", "c": space + item["c"]}
        out.append(item)
    return out
