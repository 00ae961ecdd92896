"""Every character of the manuscript has a glyph in the book's fonts [glyph-missing].

The build reads no font outside the project: the PDFs are set in the fonts the stylesheets
load with @font-face (from styles/fonts/). A character none of them has would print as an
empty box (tofu), or, on a machine that happens to have some system font for it, in a
face the book does not ship, so that the same sources give another book elsewhere. So it
is measured before anything is laid out: the characters of each chapter against the cmaps
of the book's font stack, read with fontTools.

The font stack of the print and screen editions is every @font-face font whose family a
`font-family` declaration names (or book.yaml's `fonts: family`). A face declared but
named by no rule is left out: WeasyPrint reaches it only through the system's fallback
order, which may prefer a system font. A passage in another language gets its font from
a rule such as `:lang(zh) { font-family: "Noto Serif SC", "EB Garamond"; }`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

from ..styles import DEFAULT_STYLES, Styles, font_family
from ..typography import FRACTIONS, fraction_text
from .scan import _MATH

Emit = Callable[[int, int, str, str], None]

#: At most this many places a chapter: past them one line says how many more there are.
MOST_PER_CHAPTER = 10

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_FACE = re.compile(r"@font-face\s*\{([^}]*)\}", re.I)
_FAMILY = re.compile(r"font-family\s*:\s*([^;}]+)", re.I)
_URL = re.compile(r"""url\(\s*['"]?([^'")]+?)['"]?\s*\)""")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "inherit", "initial"}


@dataclass(frozen=True)
class FontStack:
    """The fonts the PDFs are set in, and those the project holds but no rule names."""

    text_family: str  # book.yaml's fonts: family, the face of the running text
    fonts: tuple[tuple[str, Path], ...]  # (family, file) of every face in the stack
    #: faces declared but named by no font-family, and fonts in fonts/ no @font-face loads (None)
    unused: tuple[tuple[str | None, Path], ...]
    own_styles: bool = True  # the book has its own styles/ (else octavo's are used)
    covered: frozenset[int] = frozenset()  # every code point a font of the stack maps

    @property
    def families(self) -> list[str]:
        names = dict.fromkeys(family for family, _ in self.fonts)
        return sorted(names, key=lambda name: _name(name) != _name(self.text_family))

    def covers(self, char: str) -> bool:
        if char in FRACTIONS:  # set from its figures and the fraction slash (typography.py)
            return all(ord(part) in self.covered for part in fraction_text(char))
        return ord(char) in self.covered

    def holders(self, chars: str) -> list[tuple[str | None, Path]]:
        """Project fonts outside the stack that have every one of `chars`: (the family its
        @font-face gives it, or None when no @font-face loads it; the file)."""
        return [(family, path) for family, path in self.unused if all(ord(c) in _cmap(*_stat(path)) for c in chars)]


def font_stack(styles: Styles, family: str) -> FontStack:
    """The @font-face faces of the print and screen stylesheets whose family a rule uses."""
    faces: list[tuple[str, Path]] = []
    used = {_name(family)}
    for sheet in dict.fromkeys((styles.base, styles.print, styles.screen)):
        if not sheet.is_file():
            continue
        text = _COMMENT.sub("", sheet.read_text(encoding="utf-8"))
        for body in _FACE.findall(text):
            names = _FAMILY.findall(body)
            for url in _URL.findall(body):
                path = (sheet.parent / unquote(url)).resolve()
                if names and ":" not in url.split("/")[0] and path.is_file():
                    faces.append((names[0].strip().strip("'\"").strip(), path))
        for value in _FAMILY.findall(_FACE.sub("", text)):
            used |= {_name(part) for part in value.split(",")} - _GENERIC
    stack = tuple(face for face in faces if _name(face[0]) in used)
    in_stack = {path for _, path in stack}
    unused = [face for face in faces if face[1] not in in_stack]
    unused += [(None, path) for path in styles.fonts
               if path.resolve() not in in_stack and all(path.resolve() != p for _, p in unused)]
    covered = frozenset().union(*(_cmap(*_stat(path)) for _, path in stack))
    return FontStack(text_family=family, fonts=stack, unused=tuple(unused),
                     own_styles=styles.directory != DEFAULT_STYLES, covered=covered)


def check_glyphs(lines: list[str], kinds: list[str], langs: list[tuple[int, int, int, str]],
                 stack: FontStack, root: Path, emit: Emit) -> None:
    """A `glyph-missing` error at each run of characters no font of the stack has."""
    # Most chapters hold no such character: find that out on the set of their characters.
    lacking = {char for char in set("".join(lines)) if _needs_glyph(char) and not stack.covers(char)}
    if not lacking:
        return
    found = 0
    missing_chars, first_unlisted = 0, (0, 0)
    for number, (line, kind) in enumerate(zip(lines, kinds), start=1):
        if kind in ("meta", "comment", "blank") or lacking.isdisjoint(line):
            continue
        # Comments are not printed; math is drawn as outlines (ziamath), not set in a font.
        line = _MATH.sub(_blank, _HTML_COMMENT.sub(_blank, line))
        for start, run in _runs(line, stack):
            if found == MOST_PER_CHAPTER:
                first_unlisted = first_unlisted if missing_chars else (number, start + 1)
                missing_chars += len(run)
                continue
            found += 1
            around = [(first, lang) for row, first, end, lang in langs if row == number and first <= start < end]
            lang = max(around)[1] if around else ""  # the innermost passage
            emit(number, start + 1, "glyph-missing", _message(run, lang, stack, root))
    if missing_chars:
        emit(*first_unlisted, "glyph-missing", f"from here on, {missing_chars} more characters in this chapter "
                                               "have no glyph in the book's fonts; the places listed above say "
                                               "how to give them one")


#: book.yaml's keys whose values are printed (title page, copyright page, running heads,
#: contents, cover): their characters need glyphs as much as the chapters' do.
PRINTED_KEYS = ("title", "subtitle", "author", "translator", "editor", "publisher", "edition", "rights",
                "description", "series", "toc", "phrases")


def check_config_glyphs(text: str, positions: dict[str, tuple[int, int]], stack: FontStack, root: Path,
                        emit: Emit) -> None:
    """`glyph-missing` in book.yaml: each line belongs to the last key before it (a block
    scalar's lines to its key); the lines of printed keys are checked, comments left out."""
    starts = sorted((line, key) for key, (line, _) in positions.items())
    lines = text.splitlines()
    owners: list[str] = []
    for number in range(1, len(lines) + 1):
        owned = [key for line, key in starts if line <= number]
        owners.append(owned[-1].split(".")[0] if owned else "")
    kinds = ["text" if owner in PRINTED_KEYS else "blank" for owner in owners]
    check_glyphs([_without_yaml_comment(line) for line in lines], kinds, [], stack, root, emit)


def _without_yaml_comment(line: str) -> str:
    """The line with a `# comment` blanked (a # inside quotes is text)."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i] + " " * (len(line) - i)
    return line


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def _runs(line: str, stack: FontStack):
    """(column, characters) of each run of characters the stack lacks on `line`."""
    start, run = -1, ""
    for i, char in enumerate(line):
        if _needs_glyph(char) and not stack.covers(char):
            if not run:
                start = i
            run += char
        elif run and not char.isspace():
            yield start, run
            run = ""
    if run:
        yield start, run


def _needs_glyph(char: str) -> bool:
    # Spaces, controls, soft hyphens, joiners and variation selectors are drawn by no glyph
    # of their own (Pango handles them).
    return not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf", "Mn") \
        and not 0xFE00 <= ord(char) <= 0xFE0F


def _message(run: str, lang: str, stack: FontStack, root: Path) -> str:
    points = " ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(run))
    families = ", ".join(stack.families) or "none"
    what = (f"'{run}' ({points}) {'is' if len(run) == 1 else 'are'} in none of the book's fonts ({families}): "
            "empty boxes in print, or a font of this computer only")
    text = stack.text_family
    # A passage in its own language gets its own face; anything else a fallback after the text face.
    rule = f':lang({lang}) {{ font-family: "…", "{text}"; }}' if lang else f'body {{ font-family: "{text}", "…"; }}'
    holders = stack.holders(run)
    if holders:
        family, path = holders[0]
        missing = "no font-family names it" if family is not None else "no @font-face loads it"
        return (f"{what}; {_shown(path, root)} has them but {missing}: load it with @font-face and add "
                f"{rule.replace('…', family or font_family(path))} to print.css and epub.css")
    copy = "" if stack.own_styles else "copy octavo's styles/ folder into the book, "
    return (f"{what}; {copy}put a font that has them in styles/fonts/, load it with @font-face and add "
            f"{rule} to print.css and epub.css")


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return path.name


def _name(family: str) -> str:
    return family.strip().strip("'\"").strip().lower()


def _stat(path: Path) -> tuple[Path, int, int]:
    info = path.stat()
    return path, info.st_size, info.st_mtime_ns


@functools.lru_cache(maxsize=64)
def _cmap(path: Path, size: int, mtime: int) -> frozenset[int]:
    """The code points a font file maps, read again when its size or time changes (a
    replaced font is measured anew, in a long-lived `octavo watch` too)."""
    from fontTools.ttLib import TTFont

    try:
        with TTFont(str(path), lazy=True, fontNumber=0) as font:
            return frozenset(font.getBestCmap() or {})
    except Exception:  # not a font fontTools reads: WeasyPrint will say so
        return frozenset()
