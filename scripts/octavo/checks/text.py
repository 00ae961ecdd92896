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
    cp tom pt pts bk bks cap caps lib sess stat ser viz sc scil ms mss fol fols col cols illus
    qr cwt lb lbs oz yd yds hhd gal doz sq cent bush sh abt esq temp incert
""".split())

#: A lower-case Roman numeral ("pt. iii", "vol. ii"), which may follow an abbreviation.
ROMAN = re.compile(r"m{0,4}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})")

#: Pairs that are grammatical when doubled ("had had", "that that").
DOUBLES_OK = frozenset({"had", "that", "bye", "ha", "no", "yes", "very", "so", "tut", "chop", "knock",
                        "pooh", "boo", "there", "now", "well", "far", "many", "more", "again", "round",
                        "over", "by", "hush", "murmur", "tick", "tock", "pom", "la", "blah"})

#: Per language (the primary subtag of book.yaml's `language`), pairs that grammar doubles:
#: reflexive and pronominal verbs ("nous nous levons", "vous vous trompez"), a relative
#: after its article or demonstrative ("das, das" without the comma, "die die"), "que que"…
DOUBLES_OK_BY_LANGUAGE = {
    "en": DOUBLES_OK,
    "fr": frozenset({"nous", "vous", "que", "qui", "si", "non", "oui", "très", "bien", "là", "ah", "oh",
                     "eh", "tout", "plus", "encore", "toc", "pan", "chut"}),
    "de": frozenset({"das", "die", "der", "dem", "den", "des", "ja", "nein", "so", "sehr", "nun", "na",
                     "immer", "wieder", "mehr", "ach", "oh"}),
    "es": frozenset({"que", "no", "sí", "si", "ya", "muy", "más", "bien", "nos", "os"}),
    "it": frozenset({"che", "no", "sì", "si", "già", "molto", "più", "bene", "ci", "vi", "piano"}),
    "pt": frozenset({"que", "não", "sim", "já", "muito", "mais", "bem", "nos", "se"}),
    "nl": frozenset({"dat", "die", "ja", "nee", "zo", "heel", "nu", "weer", "meer"}),
}

_TWO_SPACES = re.compile(rf"(?<=[^\s{BLOCK}])[ \u00a0]{{2,}}(?=[^\s{BLOCK}])")
_SPACE_PUNCT = re.compile(rf"(?<=[^\s{_M}(\[{{“‘\"'—–-])([ \u00a0]+)([,.;:!?])(?![\w.…])")
_DOUBLE_WORD = re.compile(r"(?<![\w'’-])([^\W\d_]+)(?= (\1)(?![\w'’-]))", re.IGNORECASE)
_DOUBLE_PUNCT = re.compile(r"(?<![.…])\.\.(?![.…])|,,|;;|,\.(?!\.)|,;|;,")
_SPLIT_NUMBER = re.compile(r"(?<![\d.,–-])\d{1,3}(?:,\d{3})*,[ \u00a0]\d{3}(?:,\d{3})*(?![\d–-])")
_LOWER_AFTER = re.compile(rf"(?<![.…])([.!?])[{_M}]*[ \u00a0]+[{_M}]*([a-z][a-z'’]*)")
_MISSING_SPACE = re.compile(r"(?<=[^\W_]{2})([.!?])([”’\"')\]]?)([A-Z][a-z])")
_STRAIGHT = re.compile(r"(?<!\d)[\"']|(?<=\d)\"(?=\w)|(?<=\d)'(?=[a-zA-Z])")
_CURLY = re.compile(r"[“”‘’]")
_DASHES = re.compile(r"(?<!-)-{2,3}(?!-)|(?<![.])\.\.\.(?![.])")
_STRAY_HYPHEN = re.compile(r"(?<=[^\W\d_]) -(?=[^\W\d_])")
_MANUAL_NOTE = re.compile(r"\[(\d{1,3})\](?![(\[:{])|"  # [12]
                          r"(?<=[^\s(\[\d])\((\d{1,3})\)|"  # word(12), not an enumeration " (1)"
                          r"(?<=[^\W\d_]|[.,;:!?”’)\]])\^(\d{1,3})\^|"  # word^12^, not 2^10^
                          r"(?<![¹²³⁴⁵⁶⁷⁸⁹⁰])[¹²³⁴⁵⁶⁷⁸⁹⁰]{1,3}(?![¹²³⁴⁵⁶⁷⁸⁹⁰⁄/])")  # word¹², see below
_PLACEHOLDER_TEXT = re.compile(r"\b(?:TODO|TBD|FIXME|XXX+)\b|(?i:\[citation needed\]|\blorem ipsum\b)")

#: Kinds of line (see scan.py) that hold no running text.
_NOT_TEXT = ("blank", "code", "meta", "linkdef", "rule", "underline", "div", "comment")


def check_text(scan: Scan, *, has_notes: bool, curly_book: bool, emit: Emit,
               note_regions: dict[int, list[tuple[int, int]]], language: str = "en") -> None:
    """Run every text rule on every line of running text. A line marked as another
    language as a whole (`::: {lang=fr}`) follows that language's rules."""
    french = language.lower().startswith("fr")
    french_punct = re.compile(_SPACE_PUNCT.pattern.replace(",.;:!?", ",."))
    whole_lines = {line: lang for line, start, end, lang in scan.langs
                   if start == 0 and end >= len(scan.lines[line - 1].rstrip())}
    for index, prose in enumerate(scan.prose):
        if scan.kinds[index] in _NOT_TEXT:
            continue
        line = index + 1
        lang = whole_lines.get(line, language).lower().split("-")[0]
        doubles_ok = DOUBLES_OK_BY_LANGUAGE.get(lang, frozenset()) | DOUBLES_OK
        # French sets a (thin) space before : ; ! ? by rule.
        space_punct = french_punct if (french if line not in whole_lines else lang == "fr") else _SPACE_PUNCT

        def at(column: int, rule: str, message: str) -> None:
            emit(line, column, rule, message)

        if line not in scan.spaced:
            _two_spaces(prose, at)
        _space_before_punctuation(prose, at, space_punct)
        _doubled_words(prose, at, doubles_ok)
        _doubled_punctuation(prose, at)
        _split_numbers(prose, at)
        _sentence_ends(prose, at, french=(french if line not in whole_lines else lang == "fr"))
        _stray_hyphens(prose, at)
        if curly_book:
            _straight_quotes(prose, at)
        _typography(prose, at)
        if has_notes:
            _manual_note_markers(prose, at)
        _placeholders(prose, at, note_regions.get(line, []))


At = Callable[[int, str, str], None]  # (column, rule, message) on the current line


def _two_spaces(prose: str, at: At) -> None:
    for m in _TWO_SPACES.finditer(prose):
        run = m.group(0)
        if "\u00a0" not in run:
            at(m.start() + 1, "two-spaces", f"{len(run)} spaces in a row; keep one")
        elif len(run) == 2:
            at(m.start() + 1, "two-spaces", "a no-break space and a space in a row; keep one space")
        else:
            at(m.start() + 1, "two-spaces", f"{len(run)} spaces (one a no-break space) in a row; keep one")


def _space_before_punctuation(prose: str, at: At, pattern: re.Pattern[str]) -> None:
    for m in pattern.finditer(prose):
        mark = m.group(2)
        if mark == "." and prose[m.end():m.end() + 3].startswith((" .", ". ")):
            continue  # a spaced ellipsis ". . ."
        at(m.start() + 1, "space-before-punctuation", f"space before '{mark}'; delete the space")


def _doubled_words(prose: str, at: At, doubles_ok: frozenset[str] = DOUBLES_OK) -> None:
    for m in _DOUBLE_WORD.finditer(prose):
        word, second = m.group(1), m.group(2)
        if word.lower() in doubles_ok or second[0].isupper():
            continue  # "had had"; "Bora Bora"
        at(m.end() + 2, "doubled-word", f"'{word} {second}': the word is doubled; delete one")


def _doubled_punctuation(prose: str, at: At) -> None:
    for m in _DOUBLE_PUNCT.finditer(prose):
        extra = " (or type '…' for an ellipsis)" if m.group(0) == ".." else ""
        at(m.start() + 1, "doubled-punctuation", f"'{m.group(0)}': doubled punctuation; keep one mark{extra}")


def _split_numbers(prose: str, at: At) -> None:
    for m in _SPLIT_NUMBER.finditer(prose):
        number = m.group(0)
        if _number_list(prose, m.start(), number):
            continue
        joined = number.replace(" ", "").replace("\u00a0", "")
        at(m.start() + 1, "split-number", f"'{number}' looks like one number split by a space; write '{joined}'")


def _sentence_ends(prose: str, at: At, french: bool = False) -> None:
    for m in _LOWER_AFTER.finditer(prose):
        mark, word = m.group(1), m.group(2)
        if _is_abbreviation(prose, m.start(1)) or ROMAN.fullmatch(word):
            continue
        if french and mark in "!?":
            continue  # « à quoi bon ? il n'y aurait pas… »: French runs on after ? and !
        at(m.start(1) + 1, "lowercase-after-sentence",
           f"'{mark}' ends a sentence but '{word}' starts in lower case; capitalize it, or change the '{mark}'")
    for m in _MISSING_SPACE.finditer(prose):
        if _is_abbreviation(prose, m.start(1)) or _looks_like_name(prose, m.start(1)):
            continue
        following = m.group(3) + _word_rest(prose, m.end(3))
        at(m.start(1) + 1, "missing-space", f"no space after '{m.group(1)}{m.group(2)}' before '{following}'; add one")


def _stray_hyphens(prose: str, at: At) -> None:
    for m in _STRAY_HYPHEN.finditer(prose):
        at(m.start() + 1, "stray-hyphen", f"space before the hyphen in ' -{_word_rest(prose, m.end())}'; "
                                          "delete the space or the hyphen (a dash is '—')")


def _straight_quotes(prose: str, at: At) -> None:
    for m in _STRAIGHT.finditer(prose):
        quote = m.group(0)
        want = "“ or ”" if quote == '"' else "‘ or ’ (’ for an apostrophe)"
        at(m.start() + 1, "straight-quote", f"straight quote {quote} in a book that uses curly quotes; type {want}")


def _typography(prose: str, at: At) -> None:
    for m in _DASHES.finditer(prose):
        found = m.group(0)
        if found == "--":
            message = "'--' will print as an en dash (–); for an em dash (—) type '---'"
        elif found == "---":
            message = "'---' will print as an em dash (—)"
        else:
            message = "'...' will print as an ellipsis (…)"
        at(m.start() + 1, "typography", message)


def _manual_note_markers(prose: str, at: At) -> None:
    for m in _MANUAL_NOTE.finditer(prose):
        marker = m.group(0)
        if marker[0] in "¹²³⁴⁵⁶⁷⁸⁹⁰" and not _superscript_call(prose, m.start(), marker):
            continue
        number = m.group(1) or m.group(2) or m.group(3) or _from_superscript(marker)
        at(m.start() + 1, "note-marker", f"'{marker}' looks like a note number typed by hand; the chapter has "
                                         f"footnotes, so make it a footnote call such as [^{number}] (or delete it)")


def _placeholders(prose: str, at: At, regions: list[tuple[int, int]]) -> None:
    for m in _PLACEHOLDER_TEXT.finditer(prose):
        if any(start <= m.start() < end for start, end in regions):
            continue  # inside a note: reported as footnote-placeholder
        at(m.start() + 1, "placeholder",
           f"placeholder '{m.group(0)}' left in the text; write the passage or remove the marker")


_LIST_INTRO = re.compile(
    r"(?:\b(?:pp?|cp|vols?|nos?|ll|ff|tom|pts?|chaps?|ch|cap|lib|sect?|arts?|cols?|fols?|pages?|lines?|"
    r"numbers|verses?)\.?|§+)[ \u00a0]*(?:[\divxlc]+(?:[–-]\d+)?[ \u00a0]*(?:,|;|and|&)[ \u00a0]*)*$",
    re.IGNORECASE)


def _number_list(prose: str, start: int, number: str) -> bool:
    """'pp. 204, 205', '§§ 19, 20', 'pages 257, 258': a list of numbers, not one split number."""
    if _LIST_INTRO.search(prose[max(0, start - 60):start]):
        return True
    parts = [int(p) for p in re.split(r",[ \u00a0]?", number)]
    return len(parts) == 2 and parts[1] == parts[0] + 1


def _is_abbreviation(prose: str, dot: int) -> bool:
    if prose[dot] != ".":
        return False
    k = dot
    while k > 0 and (prose[k - 1].isalpha() or prose[k - 1] == "."):
        k -= 1
    token = prose[k:dot]
    if not token or (k > 0 and prose[k - 1].isnumeric()):
        return True  # "1.", "’.", "10s.", "6½d.": not a plain word, do not guess
    lower = token.lower()
    if lower in ABBREVIATIONS or "." in token or ROMAN.fullmatch(lower):
        return True
    return len(token) == 1  # an initial: "J. smith" is rare, "p. 3" common


def _looks_like_name(prose: str, dot: int) -> bool:
    """'Node.Js', 'Mr.Smith' are slips, but file names and domains ('index.Html') are not prose."""
    before = re.search(r"(\S+)$", prose[:dot])
    return bool(before and ("/" in before.group(1) or "@" in before.group(1)))


def _word_rest(prose: str, k: int) -> str:
    m = re.match(r"[\w'’-]*", prose[k:])
    return m.group(0) if m else ""


def _superscript_call(prose: str, start: int, marker: str) -> bool:
    """'word¹²' or 'end.³' is a typed note call; 'm²', '14⁵⁸⁰³⁄₁₂₂₇₉' and '6¹⁹⁄₃₂d' are not."""
    before = prose[start - 1] if start else " "
    if before in ".,;:!?”’)]":
        return True
    return before.isalpha() and marker not in ("²", "³")


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
