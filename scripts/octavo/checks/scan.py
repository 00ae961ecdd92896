"""A line-based reader for pandoc Markdown that keeps every position exact.

The checker needs line and column in the file the writer edits, so it does not go
through pandoc's AST (which has no source positions). This scanner walks the chapter
line by line, recognises the block structure that matters for checking (code, YAML,
comments, quotes, lists, footnote definitions, tables, headings) and, for every line,
produces a *prose mask*: the line with everything that is not running text (markup,
code, URLs, footnote calls, attributes, HTML tags, math) replaced by MASK. The mask has
the same length as the line, so a column found in the mask is a column in the file.

It also collects what the structural rules need: headings and their ids, footnote
calls and definitions (with the extent of each note's text), links and images.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

#: Stands for masked inline markup (a footnote call, code, a URL): not a letter, digit,
#: space or punctuation mark.
MASK = "\x00"
#: Stands for masked block markup (quote and list markers, indentation, whole code lines).
BLOCK = "\x01"


@dataclass
class Heading:
    line: int
    column: int  # of the first '#' (or of the text, for setext headings)
    level: int
    text: str  # heading text without the closing #s and attributes
    id: str  # the id pandoc gives it in this chapter (explicit or derived)
    explicit: bool


@dataclass
class NoteRef:
    label: str
    line: int
    column: int


@dataclass
class NoteDef:
    label: str
    line: int
    column: int  # of the '['
    #: the note's text as (line, start, end) spans; start/end are 0-based string indices
    spans: list[tuple[int, int, int]] = field(default_factory=list)


@dataclass
class InlineNote:
    line: int
    column: int  # of the '^'
    span: tuple[int, int, int]


@dataclass
class Link:
    dest: str
    line: int
    column: int  # of the destination


@dataclass
class Image:
    line: int
    column: int  # of the '!' (or '<' of an <img>)
    alt: str
    dest: str
    dest_column: int
    attrs: dict[str, str]


#: The shape of a Scan, for the check cache: a pickled Scan of another shape is not reused.
SCAN_FORMAT = 2


@dataclass
class Scan:
    lines: list[str]
    prose: list[str]  # masked lines, same lengths as `lines`
    kinds: list[str]  # per line: blank, code, meta, heading, table, text, ...
    headings: list[Heading] = field(default_factory=list)
    refs: list[NoteRef] = field(default_factory=list)
    defs: list[NoteDef] = field(default_factory=list)
    inline_notes: list[InlineNote] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    ids: dict[str, tuple[int, int]] = field(default_factory=dict)  # explicit non-heading ids
    #: lines whose spacing is layout (tables): spacing rules skip them
    spaced: set[int] = field(default_factory=set)
    #: text in another language ([text]{lang=fr}, ::: {lang=la}): (line, start, end, language)
    langs: list[tuple[int, int, int, str]] = field(default_factory=list)
    #: link reference definitions ([label]: url): (label as typed, line, column)
    refdefs: list[tuple[str, int, int]] = field(default_factory=list)
    #: fenced divs (::: name) never closed: (line, column) of their opening fence
    unclosed_divs: list[tuple[int, int]] = field(default_factory=list)

    @property
    def has_content(self) -> bool:
        return any(kind not in ("blank", "meta", "comment") for kind in self.kinds)


# --- block patterns ------------------------------------------------------------------------

_QUOTE = re.compile(r" {0,3}> ?")
_FENCE = re.compile(r"( {0,3})(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"( {0,3})(#{1,6})(?=[ \t]|$)(.*)$")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*$")
_HR = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LIST = re.compile(r"( {0,3})([-*+]|\d{1,9}[.)]|#[.)]|\(\d{1,9}\)|[a-zA-Z][.)]|\([a-zA-Z]\)|[ivxlcdmIVXLCDM]+[.)])"
                   r"([ \t]+|$)")
_DEFLIST = re.compile(r"( {0,3})([:~])([ \t]+)")
_FOOTDEF = re.compile(r"( {0,3})\[\^([^\]\s]+)\]:[ \t]*")
_REFDEF = re.compile(r" {0,3}\[([^\]^][^\]]*)\]:[ \t]*(<[^>]*>|\S+)")
_DIV = re.compile(r" {0,3}:{3,}")
_LINEBLOCK = re.compile(r"\|(?: |$)")
_PIPE_SEP = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_DASH_SEP = re.compile(r"[ \t]*-{3,}([ \t]+-{3,})*[ \t]*$")
_GRID_SEP = re.compile(r"[ \t]*\+[-=:+]+\+[ \t]*$")
_ATTR_ID = re.compile(r"(?:^|[\s{])#([^\s}#.]+)")


def _indent(text: str) -> int:
    width = 0
    for ch in text:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _strip_indent(text: str, width: int) -> int:
    """How many characters of `text` make up `width` columns of leading indentation."""
    used = 0
    count = 0
    for ch in text:
        if used >= width or ch not in " \t":
            break
        used += 1 if ch == " " else 4 - used % 4
        count += 1
    return count


def _mask_comments(text: str) -> str:
    """HTML comments may span lines; they are not text. Newlines are kept."""
    def blank(match: re.Match[str]) -> str:
        return "".join(ch if ch == "\n" else MASK for ch in match.group(0))
    return re.sub(r"<!--.*?(-->|\Z)", blank, text, flags=re.S)


def scan(text: str) -> Scan:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    work = _mask_comments("\n".join(lines)).split("\n") if lines else []
    result = Scan(lines=lines, prose=list(work), kinds=["blank"] * len(lines))
    refdefs = _reference_definitions(work)
    _Blocks(result, work, refdefs).run()
    return result


def _reference_definitions(work: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in work:
        body = line
        while (m := _QUOTE.match(body)):
            body = body[m.end():]
        m = _REFDEF.match(body)
        if m:
            found.setdefault(_ref_key(m.group(1)), m.group(2).strip("<>"))
    return found


def _ref_key(label: str) -> str:
    return " ".join(label.lower().split())


class _Blocks:
    """The block-level pass: decides what each line is and masks its markup."""

    def __init__(self, result: Scan, work: list[str], refdefs: dict[str, str]) -> None:
        self.r = result
        self.work = work
        self.refdefs = refdefs
        self.masks: list[list[str]] = [list(line) for line in work]
        self.fence: tuple[str, int] | None = None
        self.fence_depth = 0
        self.container: int = 0  # content indent of the list item / note we are in (0 = none)
        self.note: NoteDef | None = None  # the footnote definition whose text we are in
        self.prev_blank = True
        self.prev_kind = "blank"
        self.para_start = True  # this line starts a paragraph
        self.heading_ids: set[str] = set()
        self.divs: list[str] = []  # the lang= of each open ::: div ("" when none)
        self.div_starts: list[tuple[int, int]] = []  # where each open ::: div opened
        self.left_container = False  # this line ended a list item or note

    # -- helpers
    def mask(self, line: int, start: int, end: int, char: str = BLOCK) -> None:
        row = self.masks[line]
        for i in range(start, min(end, len(row))):
            row[i] = char

    def run(self) -> None:
        work = self.work
        n = len(work)
        tables = self._table_lines()
        index = 0
        if n and work[0].rstrip() == "---" and n > 1 and work[1].strip():
            # A YAML metadata block at the top of the chapter.
            end = next((i for i in range(1, n) if work[i].rstrip() in ("---", "...")), None)
            if end is not None:
                for i in range(0, end + 1):
                    self.mask(i, 0, len(work[i]))
                    self.r.kinds[i] = "meta"
                index = end + 1
        for i in range(index, n):
            self._line(i, tables)
        self.r.unclosed_divs = list(self.div_starts)
        for i, row in enumerate(self.masks):
            self.r.prose[i] = "".join(row)

    def _line(self, i: int, tables: set[int]) -> None:
        line = self.work[i]
        pos = 0
        depth = 0
        while (m := _QUOTE.match(line, pos)) and (self.fence is None or depth < self.fence_depth):
            self.mask(i, pos, m.end())
            pos = m.end()
            depth += 1
        rest = line[pos:]
        if self.fence is not None:
            self.mask(i, 0, len(line))
            self.r.kinds[i] = "code"
            char, length = self.fence
            stripped = rest.strip()
            if stripped and set(stripped) == {char} and len(stripped) >= length:
                self.fence = None
            return
        if not rest.strip(" \t" + MASK + BLOCK):
            # blank, or only (part of) an HTML comment
            self.r.kinds[i] = "blank" if not rest.strip() else "comment"
            self.mask(i, 0, len(line))
            self.prev_blank = True
            self.para_start = True
            if self.prev_kind != "code":
                self.prev_kind = "blank"
            return
        indent = _indent(rest)
        if self.container:
            if indent >= self.container:
                cut = _strip_indent(rest, self.container)
                self.mask(i, pos, pos + cut)
                pos += cut
                rest = line[pos:]
                indent = _indent(rest)
            elif not self.prev_blank and not self._starts_block(rest):
                pass  # a lazy continuation line of the item's (or note's) paragraph
            else:
                self.left_container = True  # e.g. the next item of the same list
                self.container = 0
                self.note = None
        if indent >= 4 and (self.prev_blank or self.prev_kind == "code") and self.prev_kind in ("blank", "code"):
            self.mask(i, 0, len(line))
            self.r.kinds[i] = "code"
            self.prev_kind = "code"
            self.prev_blank = False
            return
        self._block(i, pos, rest, depth, tables)
        self.prev_blank = False
        self.left_container = False

    def _starts_block(self, rest: str) -> bool:
        return bool(_FOOTDEF.match(rest) or _ATX.match(rest) or _LIST.match(rest) or _FENCE.match(rest)
                    or _HR.match(rest) or _QUOTE.match(rest))

    def _block(self, i: int, pos: int, rest: str, depth: int, tables: set[int]) -> None:
        r = self.r
        line = self.work[i]
        kind = "text"
        m = _FENCE.match(rest)
        if m and not (m.group(2)[0] == "`" and "`" in m.group(3)):
            self.fence = (m.group(2)[0], len(m.group(2)))
            self.fence_depth = depth
            self._collect_ids(m.group(3), i, pos + m.start(3))
            self.mask(i, 0, len(line))
            r.kinds[i] = "code"
            self.prev_kind = "code"
            return
        if _SETEXT.match(rest) and not self.para_start and self.prev_kind == "text" \
                and i not in tables and self._setext_ok(i):
            level = 1 if rest.strip()[0] == "=" else 2
            self.mask(i, 0, len(line))
            r.kinds[i] = "underline"
            self._setext(i - 1, level)
            self.prev_kind = "underline"
            self.para_start = True
            return
        if _HR.match(rest) and i not in tables:
            self.mask(i, 0, len(line))
            r.kinds[i] = "rule"
            self.prev_kind = "rule"
            self.para_start = True
            return
        start = pos  # where inline content starts
        if (m := _FOOTDEF.match(rest)) is not None:
            note = NoteDef(label=m.group(2), line=i + 1, column=pos + m.start(1) + len(m.group(1)) + 1)
            r.defs.append(note)
            self.note = note
            self.mask(i, pos, pos + m.end())
            start = pos + m.end()
            self.container = 4
            kind = "note"
        elif (m := _REFDEF.match(rest)) is not None:
            dest = m.group(2).strip("<>")
            r.links.append(Link(dest, i + 1, pos + m.start(2) + 1))
            r.refdefs.append((m.group(1), i + 1, pos + m.start() + 1))
            self.mask(i, 0, len(line))
            r.kinds[i] = "linkdef"
            self.prev_kind = "linkdef"
            self.para_start = True
            return
        elif (m := _ATX.match(rest)) is not None:
            self._atx(i, pos, m)
            self.prev_kind = "heading"
            self.para_start = True
            return
        elif _DIV.match(rest):
            self._collect_ids(rest, i, pos)
            after = rest.strip().lstrip(":").strip()
            if after:
                self.divs.append(parse_attrs(after.strip("{} ")).get("lang", ""))
                self.div_starts.append((i + 1, pos + len(rest) - len(rest.lstrip()) + 1))
            elif self.divs:
                self.divs.pop()
                self.div_starts.pop()
            self.mask(i, 0, len(line))
            r.kinds[i] = "div"
            self.prev_kind = "div"
            self.para_start = True
            return
        elif i in tables:
            kind = "table"
            r.spaced.add(i + 1)
            if _PIPE_SEP.match(rest) or _DASH_SEP.match(rest) or _GRID_SEP.match(rest) or \
                    set(rest.strip()) <= set("-=+:| \t"):
                self.mask(i, 0, len(line))
                r.kinds[i] = "table"
                self.prev_kind = "table"
                return
            for j, ch in enumerate(line):
                if ch in "|+" and j >= pos:
                    self.masks[i][j] = MASK
        elif (m := _LIST.match(rest)) is not None and self._is_item(m):
            self.mask(i, pos, pos + m.end())
            start = pos + m.end()
            spaces = m.group(3).replace("\t", "    ")
            self.container = len(m.group(1)) + len(m.group(2)) + (min(len(spaces), 4) if spaces else 1)
            kind = "item"
        elif (m := _DEFLIST.match(rest)) is not None and not self.para_start:
            self.mask(i, pos, pos + m.end())
            start = pos + m.end()
            self.container = 4
        elif _LINEBLOCK.match(rest):
            self.mask(i, pos, pos + 2)
            start = pos + 2
            kind = "lineblock"
            r.spaced.add(i + 1)
        r.kinds[i] = kind
        lang = next((lang for lang in reversed(self.divs) if lang), "")
        if lang:
            r.langs.append((i + 1, 0, len(line), lang))
        _Inline(self, i, start).run()
        if self.note is not None:
            self.note.spans.append((i + 1, start, len(line)))
        self.prev_kind = "text" if kind in ("text", "item", "note", "lineblock") else kind
        self.para_start = False

    def _is_item(self, m: re.Match[str]) -> bool:
        marker, spaces = m.group(2), m.group(3)
        if marker in ("-", "*", "+"):
            return True
        if not (self.para_start or self.container or self.left_container):
            return False  # an ordered marker does not interrupt a paragraph
        if marker[0].isupper() and marker.endswith(".") and 0 < len(spaces) < 2:
            return False  # "A. Smith", "I. Kant": pandoc wants two spaces after such markers
        return True

    def _setext_ok(self, i: int) -> bool:
        """A setext underline follows exactly one line of paragraph text."""
        return i >= 1 and (i < 2 or not self.work[i - 2].strip() or self.r.kinds[i - 2] != "text")

    def _setext(self, j: int, level: int) -> None:
        r = self.r
        text = self.work[j]
        lead = len(text) - len(text.lstrip())
        body, attrs, attr_start = _split_attrs(text.rstrip())
        if attrs is not None:
            self.mask(j, attr_start, len(text))
        explicit = _attr_id(attrs)
        hid = explicit or self._auto_id(body)
        if explicit:
            self.heading_ids.add(explicit)
        r.kinds[j] = "heading"
        r.headings.append(Heading(j + 1, lead + 1, level, body.strip(), hid, bool(explicit)))

    def _atx(self, i: int, pos: int, m: re.Match[str]) -> None:
        r = self.r
        line = self.work[i]
        level = len(m.group(2))
        content = m.group(3)
        lead = len(content) - len(content.lstrip())
        content_start = pos + m.start(3) + lead
        content = content[lead:]
        self.mask(i, pos, content_start)
        body, attrs, attr_start = _split_attrs(content.rstrip())
        if attrs is not None:
            self.mask(i, content_start + attr_start, len(line))
        # closing #s
        closing = re.search(r"[ \t]+#+[ \t]*$", body)
        if closing:
            self.mask(i, content_start + closing.start(), content_start + len(body))
            body = body[:closing.start()]
        if re.fullmatch(r"#+", body.strip()):
            self.mask(i, content_start, content_start + len(body))
            body = ""
        explicit = _attr_id(attrs)
        hid = explicit or self._auto_id(body)
        if explicit:
            self.heading_ids.add(explicit)
        r.kinds[i] = "heading"
        r.headings.append(Heading(i + 1, pos + len(m.group(1)) + 1, level, body.strip(), hid, bool(explicit)))
        _Inline(self, i, content_start, end=content_start + len(body)).run()

    def _auto_id(self, body: str) -> str:
        base = auto_identifier(body)
        hid = base
        n = 0
        while hid in self.heading_ids:
            n += 1
            hid = f"{base}-{n}"
        self.heading_ids.add(hid)
        return hid

    def _collect_ids(self, attrs: str, i: int, col: int) -> None:
        for m in _ATTR_ID.finditer(attrs):
            self.r.ids.setdefault(m.group(1), (i + 1, col + m.start(1)))

    def _table_lines(self) -> set[int]:
        """Lines that belong to pipe, simple, multiline or grid tables."""
        work = self.work
        tables: set[int] = set()
        group: list[int] = []

        def close() -> None:
            if not group:
                return
            bodies = [_unquote(work[j]) for j in group]
            is_table = False
            for k, body in enumerate(bodies):
                if _GRID_SEP.match(body):
                    is_table = True
                elif _PIPE_SEP.match(body) and "|" in body and k >= 1:
                    is_table = True
                elif _DASH_SEP.match(body) and len(group) > 1:
                    groups = len(body.split())
                    if groups > 1 or k == 0:
                        is_table = True
            if is_table:
                tables.update(group)

        for j, line in enumerate(work):
            if _unquote(line).strip():
                group.append(j)
            else:
                close()
                group = []
        close()
        return tables


def _unquote(line: str) -> str:
    while (m := _QUOTE.match(line)):
        line = line[m.end():]
    return line


def _split_attrs(text: str) -> tuple[str, str | None, int]:
    """'Title {#id .x}' -> ('Title', '#id .x', index of '{')."""
    m = re.search(r"[ \t]*\{([^{}]*)\}[ \t]*$", text)
    if m and (m.group(1).strip().startswith(("#", ".", "-")) or "=" in m.group(1)):
        return text[:m.start()], m.group(1), m.start()
    return text, None, len(text)


def _attr_id(attrs: str | None) -> str:
    if not attrs:
        return ""
    m = _ATTR_ID.search(attrs)
    return m.group(1) if m else ""


# --- heading ids, as pandoc derives them -----------------------------------------------------

def heading_plain(text: str) -> str:
    """The plain text pandoc's identifier algorithm sees for a heading's Markdown."""
    s = text
    s = re.sub(r"\^\[[^\]]*\]", "", s)  # inline notes contribute nothing
    s = re.sub(r"\[\^([^\]\s]+)\]", r"\1", s)  # ... but a note call's label does (pandoc quirk)
    s = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", s)
    s = re.sub(r"!?\[([^\]]*)\]\[[^\]]*\]", r"\1", s)
    s = re.sub(r"\[([^\]]*)\]\{[^}]*\}", r"\1", s)
    s = re.sub(r"(`+)(.*?)\1", r"\2", s)
    s = re.sub(r"</?[A-Za-z][^<>]*>", "", s)
    s = html.unescape(s)
    s = s.replace("---", "—").replace("--", "–").replace("...", "…")
    s = re.sub(r"\\(.)", r"\1", s)
    # emphasis underscores (not those inside words, which pandoc keeps)
    s = re.sub(r"(?<![^\W_])_+|_+(?![^\W_])", "", s)
    return s


def auto_identifier(text: str) -> str:
    plain = heading_plain(text).lower()
    kept = "".join(ch for ch in plain if ch.isalnum() or ch in "_-." or ch.isspace())
    ident = "-".join(kept.split())
    k = 0
    while k < len(ident) and not unicodedata.category(ident[k]).startswith("L"):
        k += 1
    return ident[k:] or "section"


# --- inline pass ---------------------------------------------------------------------------

_URL = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*://|www\.|mailto:)[^\s<>\"“”]*[^\s<>\"“”.,;:!?)\]'’]")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_AUTOLINK = re.compile(r"<((?:[a-zA-Z][a-zA-Z0-9+.-]*:|#)[^\s<>]*|[\w.+-]+@[\w.-]+)>")
_TAG = re.compile(r"</?[A-Za-z][\w:-]*(?:\s+[^<>]*?)?/?>")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_CITE = re.compile(r"(?<![\w@])-?@[\w][\w:.#$%&+?<>~/-]*")
_TEX = re.compile(r"\\[A-Za-z]+\*?")
_MATH = re.compile(r"\$\$.+?\$\$|\$(?=\S)(?:[^$\\]|\\.)*?(?<=\S)\$(?!\d)")
_ATTRS = re.compile(r"\{[ \t]*([#.-][^{}]*|[\w-]+=[^{}]*)\}")
_HTML_ATTR = re.compile(r"([\w:-]+)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+)")


class _Inline:
    """Masks inline markup on one line and records calls, links and images."""

    def __init__(self, blocks: _Blocks, i: int, start: int, end: int | None = None) -> None:
        self.b = blocks
        self.r = blocks.r
        self.i = i
        self.line = blocks.work[i]
        self.start = start
        self.end = len(self.line) if end is None else end

    def mask(self, start: int, end: int) -> None:
        self.b.mask(self.i, start, end, MASK)

    def run(self) -> None:
        line = self.line
        end = self.end
        k = self.start
        while k < end:
            ch = line[k]
            if ch == "\\" and k + 1 < end:
                if line[k + 1] in "\\`*_{}[]()#+-.!<>|~^$\"'@:;,=?&%/":
                    self.mask(k, k + 1)
                    k += 2
                    continue
                if _TEX.match(line, k):
                    m = _TEX.match(line, k)
                    self.mask(k, m.end())
                    k = m.end()
                    continue
                k += 1
                continue
            if ch == "`":
                run = len(line[k:]) - len(line[k:].lstrip("`"))
                ticks = "`" * run
                close = line.find(ticks, k + run)
                while close != -1 and close + run < len(line) and line[close + run] == "`":
                    close = line.find(ticks, close + run + 1)
                if close == -1:
                    k += run
                    continue
                self.mask(k, close + run)
                k = close + run
                k = self._attrs_after(k)
                continue
            if ch == "<":
                m = _AUTOLINK.match(line, k) or _TAG.match(line, k)
                if m:
                    self.mask(k, m.end())
                    if m.re is _TAG:
                        self._html_tag(k, m.group(0))
                    elif m.group(1).startswith("#"):
                        self.r.links.append(Link(m.group(1), self.i + 1, k + 2))
                    k = m.end()
                    continue
            if ch == "&":
                m = _ENTITY.match(line, k)
                if m:
                    self.mask(k, m.end())
                    k = m.end()
                    continue
            if ch == "$":
                m = _MATH.match(line, k)
                if m:
                    self.mask(k, m.end())
                    k = m.end()
                    continue
            if ch == "{":
                m = _ATTRS.match(line, k)
                if m:
                    self._attrs(k, m)
                    k = m.end()
                    continue
            if ch == "^" and k + 1 < end and line[k + 1] == "[":
                close = _match_bracket(line, k + 1, end)
                if close != -1:
                    self.r.inline_notes.append(InlineNote(self.i + 1, k + 1, (self.i + 1, k + 2, close)))
                    self.mask(k, k + 2)
                    self.mask(close, close + 1)
                    _Inline(self.b, self.i, k + 2, close).run()
                    k = close + 1
                    continue
            if ch == "!" and k + 1 < end and line[k + 1] == "[":
                done = self._bracket(k + 1, image=True)
                if done:
                    k = done
                    continue
            if ch == "[":
                m = re.match(r"\[\^([^\]\s]+)\]", line[k:end])
                if m:
                    self.r.refs.append(NoteRef(m.group(1), self.i + 1, k + 1))
                    self.mask(k, k + m.end())
                    k += m.end()
                    continue
                done = self._bracket(k, image=False)
                if done:
                    k = done
                    continue
            if ch.isalpha() and (k == 0 or not line[k - 1].isalnum()) and _looks_like_url(line, k):
                m = _URL.match(line, k)
                if m:
                    self.mask(k, m.end())
                    k = m.end()
                    continue
            if ch == "@" or (ch == "-" and line.startswith("-@", k)):
                m = _CITE.match(line, k)
                if m and (k == 0 or not line[k - 1].isalnum()):
                    self.mask(k, m.end())
                    k = m.end()
                    continue
            if ch.isalnum() and (k == 0 or not line[k - 1].isalnum()) and "@" in line[k:k + 80]:
                m = _EMAIL.match(line, k)
                if m:
                    self.mask(k, m.end())
                    k = m.end()
                    continue
            k += 1

    def _attrs_after(self, k: int) -> int:
        m = _ATTRS.match(self.line, k)
        if m:
            self._attrs(k, m)
            return m.end()
        return k

    def _attrs(self, k: int, m: re.Match[str]) -> dict[str, str]:
        self.mask(k, m.end())
        text = m.group(1)
        for idm in _ATTR_ID.finditer(" " + text):
            self.r.ids.setdefault(idm.group(1), (self.i + 1, k + idm.start(1)))
        return parse_attrs(text)

    def _bracket(self, k: int, *, image: bool) -> int:
        """A [...] at k: link, image, span or reference; returns the index after it (0 = text)."""
        line = self.line
        close = _match_bracket(line, k, self.end)
        if close == -1:
            return 0
        start = k - 1 if image else k
        after = close + 1
        label = line[k + 1:close]
        dest = None
        dest_col = 0
        end = after
        inline = False
        if after < len(line) and line[after] == "(":
            inline = True
            paren = _match_paren(line, after)
            if paren == -1:
                return 0
            inner = line[after + 1:paren]
            lead = len(inner) - len(inner.lstrip())
            dm = re.match(r"<([^>]*)>|(\S*)", inner.lstrip())
            dest = dm.group(1) if dm.group(1) is not None else dm.group(2)
            dest_col = after + 1 + lead + (1 if dm.group(1) is not None else 0) + 1
            end = paren + 1
        elif after < len(line) and line[after] == "[":
            rclose = line.find("]", after)
            if rclose == -1:
                return 0
            key = _ref_key(line[after + 1:rclose] or label)
            dest = self.b.refdefs.get(key)
            if dest is None:
                return 0
            dest_col = after + 2
            end = rclose + 1
        elif after < len(line) and line[after] == "{" and not image:
            m = _ATTRS.match(line, after)
            if m:
                self.mask(k, k + 1)
                self.mask(close, close + 1)
                _Inline(self.b, self.i, k + 1, close).run()
                attrs = self._attrs(after, m)
                if attrs.get("lang"):
                    self.r.langs.append((self.i + 1, k + 1, close, attrs["lang"]))
                return m.end()
            return 0
        else:
            key = _ref_key(label)
            if key in self.b.refdefs:
                dest = self.b.refdefs[key]
                dest_col = k + 2
            else:
                return 0  # literal brackets: editorial text like [sic]
        # mask the markup, keep the link text / alt text as prose
        self.mask(start, k + 1)
        self.mask(close, end)
        attrs: dict[str, str] = {}
        m = _ATTRS.match(line, end)
        if m:
            attrs = self._attrs(end, m)
            end = m.end()
        _Inline(self.b, self.i, k + 1, close).run()
        if image:
            self.r.images.append(Image(self.i + 1, start + 1, label, dest or "", dest_col, attrs))
        elif inline:
            # a reference link's target is checked once, at its definition line
            self.r.links.append(Link(dest or "", self.i + 1, dest_col))
        return end

    def _html_tag(self, k: int, tag: str) -> None:
        name = re.match(r"</?([A-Za-z][\w:-]*)", tag).group(1).lower()
        attrs = {m.group(1).lower(): m.group(2).strip("\"'") for m in _HTML_ATTR.finditer(tag)}
        if "id" in attrs:
            self.r.ids.setdefault(attrs["id"], (self.i + 1, k + 1))
        if name == "img" and "src" in attrs:
            col = k + 1 + tag.find(attrs["src"])
            self.r.images.append(Image(self.i + 1, k + 1, attrs.get("alt", ""), attrs["src"], col,
                                       {key: v for key, v in attrs.items() if key in ("width", "height")}))
        elif name == "a" and attrs.get("href", "").startswith("#"):
            self.r.links.append(Link(attrs["href"], self.i + 1, k + 1 + tag.find(attrs["href"])))


def _looks_like_url(line: str, k: int) -> bool:
    head = line[k:k + 24].lower()
    return head.startswith(("www.", "mailto:")) or bool(re.match(r"[a-z][a-z0-9+.-]*://", head))


def parse_attrs(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2).strip("\"'") for m in _HTML_ATTR.finditer(text)}


def _match_bracket(line: str, k: int, end: int) -> int:
    depth = 0
    j = k
    while j < end:
        ch = line[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "`":
            run = len(line[j:]) - len(line[j:].lstrip("`"))
            close = line.find("`" * run, j + run)
            if close != -1:
                j = close + run
                continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return -1


def _match_paren(line: str, k: int) -> int:
    depth = 0
    quote = None
    j = k
    while j < len(line):
        ch = line[j]
        if ch == "\\":
            j += 2
            continue
        if quote:
            if ch == quote:
                quote = None
        elif ch == '"' and depth == 1 and j > k + 1 and line[j - 1].isspace():
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return -1
