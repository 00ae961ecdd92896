"""Rules about the running text: spacing, punctuation, doubled words, quotes, typography.

Every rule reads the *prose mask* of a line (see scan.py), in which markup, code,
URLs and footnote calls are masked out, so a match is always in text the reader sees
and its index is the column in the file.
"""

from __future__ import annotations

import re
from typing import Callable

from .scan import BLOCK, MASK, Scan

Emit = Callable[[int, int, str, str], None]  # (line, column, rule, message)

_M = MASK + BLOCK

#: Words before a full stop that do not end a sentence (compared in lower case, without the dot).
ABBREVIATIONS = frozenset("""
    e.g i.e etc cf vs viz al ca approx esp incl resp lit orig repr trans transl ed eds comp
    mr mrs ms messrs dr prof rev st sr jr hon gen col capt lt sgt gov pres sen rep fr mt ft
    p pp ch chap vol vols no nos fig figs sec sect art para n nn ff ll l ibid op cit loc id
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
    a.m p.m inc ltd co corp bros dept univ assn est approx min max
""".split())

#: Pairs that are grammatical when doubled ("had had", "that that").
DOUBLES_OK = frozenset({"had", "that", "bye", "ha", "no", "yes", "very", "so", "tut", "chop", "knock",
                        "pooh", "boo", "there", "now", "well", "far", "many", "more", "again", "round",
                        "over", "by", "hush", "murmur", "tick", "tock", "pom", "la", "blah"})

_TWO_SPACES = re.compile(rf"(?<=[^\s{BLOCK}])[ \u00a0]{{2,}}(?=[^\s{BLOCK}])")
_SPACE_PUNCT = re.compile(rf"(?<=[^\s{_M}(\[{{“‘\"'—–-])([ \u00a0]+)([,.;:!?])(?![\w.…])")
_DOUBLE_WORD = re.compile(r"(?<![\w'’-])([^\W\d_]+)(?= (\1)(?![\w'’-]))", re.IGNORECASE)
_DOUBLE_PUNCT = re.compile(r"(?<![.…])\.\.(?![.…])|,,|;;|,\.(?!\.)|,;|;,")
_SPLIT_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})*,[ \u00a0]\d{3}(?:,\d{3})*(?![\d])")
_LOWER_AFTER = re.compile(rf"(?<![.…])([.!?])[{_M}]*[ \u00a0]+[{_M}]*([a-z][a-z'’]*)")
_MISSING_SPACE = re.compile(r"(?<=[^\W_]{2})([.!?])([”’\"')\]]?)([A-Z][a-z])")
_STRAIGHT = re.compile(r"(?<!\d)[\"']|(?<=\d)\"(?=\w)|(?<=\d)'(?=[a-zA-Z])")
_CURLY = re.compile(r"[“”‘’]")
_DASHES = re.compile(r"(?<!-)-{2,3}(?!-)|(?<![.])\.\.\.(?![.])")
_STRAY_HYPHEN = re.compile(r"(?<=[^\W\d_]) -(?=[^\W\d_])")
_MANUAL_NOTE = re.compile(r"\[(\d{1,3})\](?![(\[:{])|(?<=[^\s(\[\d])\((\d{1,3})\)|\^(\d{1,3})\^|"
                          r"(?<=[.,;:!?”’)\]])[¹²³⁴⁵⁶⁷⁸⁹⁰]+|"
                          r"(?<=[^\W\d_])(?![²³](?![¹²³⁴⁵⁶⁷⁸⁹⁰]))[¹²³⁴⁵⁶⁷⁸⁹⁰]+")
_PLACEHOLDER_TEXT = re.compile(r"\b(?:TODO|TBD|FIXME|XXX+)\b|\[citation needed\]|\blorem ipsum\b",
                               re.IGNORECASE)
_PLACEHOLDER_CASE = re.compile(r"\b(?:TODO|TBD|FIXME|XXX+)\b")


def check_text(scan: Scan, *, has_notes: bool, curly_book: bool, french: bool, emit: Emit,
               note_regions: dict[int, list[tuple[int, int]]]) -> None:
    space_punct = _SPACE_PUNCT if not french else re.compile(_SPACE_PUNCT.pattern.replace(",.;:!?", ",."))
    for index, prose in enumerate(scan.prose):
        kind = scan.kinds[index]
        if kind in ("blank", "code", "meta", "linkdef", "rule", "underline", "div", "comment"):
            continue
        line = index + 1
        if line not in scan.spaced:
            for m in _TWO_SPACES.finditer(prose):
                run = m.group(0)
                if "\u00a0" in run:
                    what = "a no-break space and a space in a row" if len(run) == 2 else f"{len(run)} spaces (one a no-break space) in a row"
                    emit(line, m.start() + 1, "two-spaces", f"{what}; keep one space")
                else:
                    emit(line, m.start() + 1, "two-spaces", f"{len(run)} spaces in a row; keep one")
        for m in space_punct.finditer(prose):
            mark = m.group(2)
            if mark == "." and prose[m.end():m.end() + 3].startswith((" .", ". ")):
                continue  # a spaced ellipsis ". . ."
            emit(line, m.start() + 1, "space-before-punctuation",
                 f"space before '{mark}'; delete the space")
        for m in _DOUBLE_WORD.finditer(prose):
            word, second = m.group(1), m.group(2)
            if word.lower() in DOUBLES_OK or second[0].isupper() or prose[m.start() - 1:m.start()] in ("'", "’"):
                continue
            emit(line, m.end() + 2, "doubled-word", f"'{word} {second}': the word is doubled; delete one")
        for m in _DOUBLE_PUNCT.finditer(prose):
            emit(line, m.start() + 1, "doubled-punctuation",
                 f"'{m.group(0)}': doubled punctuation; keep one mark" +
                 (" (or type '…' for an ellipsis)" if m.group(0) == ".." else ""))
        for m in _SPLIT_NUMBER.finditer(prose):
            number = m.group(0)
            joined = number.replace(" ", "").replace("\u00a0", "")
            emit(line, m.start() + 1, "split-number",
                 f"'{number}' looks like one number split by a space; write '{joined}'")
        for m in _LOWER_AFTER.finditer(prose):
            if _is_abbreviation(prose, m.start(1)):
                continue
            word = m.group(2)
            emit(line, m.start(1) + 1, "lowercase-after-sentence",
                 f"'{m.group(1)}' ends a sentence but '{word}' starts in lower case; "
                 f"capitalize it, or change the '{m.group(1)}'")
        for m in _MISSING_SPACE.finditer(prose):
            if _is_abbreviation(prose, m.start(1)) or _looks_like_name(prose, m.start(1)):
                continue
            following = m.group(3) + _word_rest(prose, m.end(3))
            emit(line, m.start(1) + 1, "missing-space",
                 f"no space after '{m.group(1)}{m.group(2)}' before '{following}'; add one")
        for m in _STRAY_HYPHEN.finditer(prose):
            emit(line, m.start() + 1, "stray-hyphen",
                 f"space before the hyphen in ' -{_word_rest(prose, m.end())}'; "
                 "delete the space or the hyphen (a dash is '—')")
        if curly_book:
            for m in _STRAIGHT.finditer(prose):
                quote = m.group(0)
                want = "“ or ”" if quote == '"' else "‘ or ’ (’ for an apostrophe)"
                emit(line, m.start() + 1, "straight-quote",
                     f"straight quote {quote} in a book that uses curly quotes; type {want}")
        for m in _DASHES.finditer(prose):
            found = m.group(0)
            if found.startswith("-"):
                shown = "an en dash (–)" if len(found) == 2 else "an em dash (—)"
                fix = "–" if len(found) == 2 else "—"
                emit(line, m.start() + 1, "typography",
                     f"'{found}' will print as {shown}; type '{fix}' to make it visible in the manuscript, "
                     f"or '\\-' to keep hyphens")
            else:
                emit(line, m.start() + 1, "typography",
                     f"'{found}' will print as an ellipsis (…); type '…' to make it visible in the manuscript")
        if has_notes:
            for m in _MANUAL_NOTE.finditer(prose):
                marker = m.group(0)
                number = m.group(1) or m.group(2) or m.group(3) or _from_superscript(marker)
                emit(line, m.start() + 1, "note-marker",
                     f"'{marker}' looks like a note number typed by hand; the chapter has footnotes, "
                     f"so make it a footnote call such as [^{number}] (or delete it)")
        regions = note_regions.get(line, [])
        for m in _PLACEHOLDER_TEXT.finditer(prose):
            if m.group(0).upper() in ("TODO", "TBD", "FIXME") or m.group(0).upper().startswith("XXX"):
                if not _PLACEHOLDER_CASE.fullmatch(m.group(0)):
                    continue
            if any(start <= m.start() < end for start, end in regions):
                continue  # reported as footnote-placeholder
            emit(line, m.start() + 1, "placeholder",
                 f"placeholder '{m.group(0)}' left in the text; write the passage or remove the marker")


def _is_abbreviation(prose: str, dot: int) -> bool:
    if prose[dot] != ".":
        return False
    m = re.search(r"([^\W\d_]+(?:\.[^\W\d_]+)*)$", prose[:dot])
    if not m:
        return True  # "1.", "’." and the like: not a plain word, do not guess
    token = m.group(1)
    lower = token.lower()
    if lower in ABBREVIATIONS or "." in token:
        return True
    if len(token) == 1:
        return True  # an initial: "J. smith" is rare, "p. 3" common
    return False


def _looks_like_name(prose: str, dot: int) -> bool:
    """'Node.Js', 'Mr.Smith' are slips, but file names and domains ('index.Html') are not prose."""
    before = re.search(r"(\S+)$", prose[:dot])
    return bool(before and ("/" in before.group(1) or "@" in before.group(1)))


def _word_rest(prose: str, k: int) -> str:
    m = re.match(r"[\w'’-]*", prose[k:])
    return m.group(0) if m else ""


_SUPERSCRIPTS = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰", "1234567890")


def _from_superscript(marker: str) -> str:
    return marker.translate(_SUPERSCRIPTS)


def curly_counts(scan: Scan) -> tuple[int, int]:
    """(curly, straight) quote marks in the chapter's prose."""
    curly = straight = 0
    for index, prose in enumerate(scan.prose):
        if scan.kinds[index] in ("code", "meta", "linkdef", "comment"):
            continue
        curly += len(_CURLY.findall(prose))
        straight += len(_STRAIGHT.findall(prose))
    return curly, straight
