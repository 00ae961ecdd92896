"""Tables in print stay in the measure (issue 9, item 11).

A table is as wide as its columns' narrowest widths (a cell breaks only between words,
and a number not at all), and a 12-column table of prices is wider than an octavo page.
octavo measures each printed table's narrowest width from the words in its cells, with
the book face's own advance widths, and sets the table at the largest of three sizes at
which it fits (print.css: `table`, `table.wide`, `table.very-wide`). A table that fits at
none of them is turned: set on a page of its own, rotated a quarter turn anticlockwise
(its top to the left, as Chicago asks), where the text block's height is its measure, if
it fits there at one of the sizes and is short enough to stay on that page. A table too
wide only for a long word (an identifier in code, a path) keeps its size and has that word
broken (`table.break-words`) instead of being turned. Otherwise it
is set at the smallest size, as wide as the measure, and its cells may break inside words
(`table.too-wide`). Either way it never runs off the page.
"""

from __future__ import annotations

import functools
import html
import re

#: Print sizes, largest first: the class print.css gives the table, its font size (in
#: the body's em) and the padding each side of a cell (in the table's em).
SIZES = (("", 0.9, 0.5), ("wide", 0.75, 0.3), ("very-wide", 0.62, 0.2))
#: The widest a table may be, as a share of the measure: the estimate leaves out kerning,
#: rules and small caps, so keep a little in hand.
SLACK = 0.96
#: A word longer than this (in the table's ems: some twenty letters) may be broken in a
#: table that is too wide only for it.
LONG_WORD = 10.0
#: Header cells are set in the semibold, a little wider than the regular.
HEADER = 1.07
#: Digits are lining and tabular (print.css): about half an em in EB Garamond.
DIGIT = 0.5
#: A row's height in the table's ems: print.css's line height, and the cell padding above
#: and below; a turned table's rows are reckoned a fifth taller, for cells that wrap.
LINE, PADDING, ROW_SLACK = 1.3, 0.3, 1.2

_TABLE = re.compile(r"<table\b([^>]*)>(.*?)</table>", re.S)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)
_CELL = re.compile(r"<(t[hd])\b([^>]*)>(.*?)</\1>", re.S)
_CLASS = re.compile(r'\sclass="([^"]*)"')
_SPAN = re.compile(r'\scolspan="(\d+)"')
_BREAK = re.compile(r"<br\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
#: Where a line may break in a cell: spaces, and after a hyphen or a dash.
_WORDS = re.compile(r"[^\s\-\u2010\u2013\u2014]+[\-\u2010\u2013\u2014]?|[\-\u2010\u2013\u2014]")


def fit_tables(text: str, measure_em: float, indents: dict[int, float] | None = None,
               page_em: float | None = None) -> str:
    """`text` (a chapter's HTML) with every table too wide for `measure_em` (the measure
    in ems of the body size), less its indent (by offset in `text`), set smaller, or
    turned onto a page of its own when `page_em` (the text block's height) is given."""
    if "<table" not in text:
        return text
    indents = indents or {}
    return _TABLE.sub(lambda m: _fit(m, measure_em - indents.get(m.start(), 0.0),
                                     page_em if not indents.get(m.start()) else None), text)


def _fit(match: re.Match[str], measure_em: float, page_em: float | None) -> str:
    attributes, inner = match.groups()
    if "<table" in inner:  # a table in a table: the regular expression cannot see its end
        return match.group(0)
    widths = narrowest_columns(inner)
    size = _size(widths, measure_em)
    if size == "":
        return match.group(0)
    if size is None:
        # Too wide for one long word (an identifier, a path): that word is broken where it
        # must be, as in running text, rather than the table turned.
        soft = _size(narrowest_columns(inner, LONG_WORD), measure_em)
        if soft is not None:
            return f"<table{_classed(attributes, (soft + ' break-words').strip())}>{inner}</table>"
    if size is None and page_em is not None:
        turned = _size(widths, page_em)
        if turned is not None and _height(inner, turned) <= measure_em * SLACK:
            return (f'<figure class="turned" style="height: {page_em - 0.2:.2f}em">'
                    f'<div style="width: {page_em:.2f}em; height: {measure_em:.2f}em; '
                    f'transform: translateY({page_em:.2f}em) rotate(-90deg)">'
                    f"<table{_classed(attributes, turned)}>{inner}</table></div></figure>")
    return f"<table{_classed(attributes, 'too-wide' if size is None else size)}>{inner}</table>"


def _size(widths: list[float], measure_em: float) -> str | None:
    """The class of the largest size at which columns this narrow fit (None: none)."""
    for name, size, padding in SIZES:
        if (sum(widths) + 2 * padding * len(widths)) * size <= measure_em * SLACK:
            return name
    return None


def _height(inner: str, name: str) -> float:
    """About how tall the table is, in ems of the body size, set at size `name`: its rows'
    lines (a `<br>` starts one) and the caption's two."""
    size = next(s for n, s, _ in SIZES if n == name)
    rows = _ROW.findall(inner)
    lines = sum(max([1, *(len(_BREAK.findall(content)) + 1 for _, _, content in _CELL.findall(row))]) for row in rows)
    caption = 2 if "<caption" in inner else 0
    return ((lines + caption) * LINE + len(rows) * PADDING) * ROW_SLACK * size


def _classed(attributes: str, name: str) -> str:
    if not name:
        return attributes
    found = _CLASS.search(attributes)
    if found:
        return attributes[:found.start(1)] + f"{found.group(1)} {name}".strip() + attributes[found.end(1):]
    return attributes + f' class="{name}"'


def narrowest_columns(inner: str, longest: float | None = None) -> list[float]:
    """Each column's narrowest width in ems of the table's size: its widest unbreakable
    run (a word, or a whole number in a `num` cell); words counted at most `longest` wide."""
    widths: list[float] = []
    for row in _ROW.findall(inner):
        column = 0
        for kind, attributes, content in _CELL.findall(row):
            span = _SPAN.search(attributes)
            span = int(span.group(1)) if span else 1
            found = _CLASS.search(attributes)
            whole = found is not None and "num" in found.group(1).split()
            lines = html.unescape(_TAG.sub("", _BREAK.sub("\n", content))).split("\n")
            runs = [line.strip() for line in lines] if whole else [w for line in lines for w in _WORDS.findall(line)]
            width = max((advance(run) if whole or longest is None else min(advance(run), longest) for run in runs),
                        default=0.0) * (HEADER if kind == "th" else 1)
            while len(widths) < column + span:
                widths.append(0.0)
            if span == 1:
                widths[column] = max(widths[column], width)
            column += span
    return widths


def advance(text: str) -> float:
    """The width of `text` in ems, set in the book face (EB Garamond's advances)."""
    widths = _advances()
    return sum(DIGIT if ch.isdigit() else widths.get(ord(ch), 0.6) for ch in text)


@functools.lru_cache(maxsize=1)
def _advances() -> dict[int, float]:
    from fontTools.ttLib import TTFont

    from .styles import DEFAULT_STYLES

    with TTFont(str(DEFAULT_STYLES / "fonts" / "EBGaramond-Regular.ttf"), lazy=True) as font:
        units, metrics = font["head"].unitsPerEm, font["hmtx"]
        return {code: metrics[glyph][0] / units for code, glyph in font.getBestCmap().items()}
