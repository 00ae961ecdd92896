"""The screen edition's page content, repaired for a screen reader (see structure.py).

Run on the finished tagged PDF (one pass, or assembled from chapters), from what the file
says, not from how it was made:

- **Running heads and folios are artifacts.** Marked content that no structure element
  reachable from the root claims (WeasyPrint 70 gives its margin boxes MCIDs and elements
  but never links those into the tree) is read by nobody but extractors: it becomes
  `/Artifact <</Type /Pagination /Subtype /Header|/Footer>>` (above or below the page's
  tagged text), its MCID and its parent-tree entry gone.
- **Word spaces at line ends.** A line broken at a space loses the space (it hangs past the
  measure and is dropped), so the text reads "China'sCountryside". Where a line ends a
  word, a space glyph of the line's font is shown at its end, drawn back over it by a TJ
  adjustment of its width: nothing moves, and every extractor and reader gets a space.
- **Hyphens of hyphenation are soft.** WeasyPrint shows its hyphenate-character, U+2010
  (CSS's default; `styles/*.css` never sets another), at a line broken inside a word; an
  author's hyphen is U+002D. The first is wrapped in `/Span <</ActualText (U+00AD)>>`
  (ISO 32000-1 14.9.4, as PDF/UA asks) and gets no space: the word reads whole.
- **Link descriptions.** A link annotation's `/Contents` is its text (the text its `Link`
  element claims; "Note 3" for a note call), not the id of its target.
"""

from __future__ import annotations

import re
from binascii import unhexlify
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from .weasyfix import ELEMENT_KEY

#: The number weasyfix.mark_structure_elements gives each HTML element's structure elements.
ELEMENT_NUMBER = "/" + ELEMENT_KEY
#: WeasyPrint's hyphenate-character (CSS `hyphenate-character: auto` in WeasyPrint 70).
HYPHENATION_HYPHEN = "\u2010"
SOFT_HYPHEN = "\u00ad"
#: Characters after which a line breaks without a space: a typed hyphen or slash ("well-" /
#: "known", "and/" / "or").
_JOINED_AFTER = frozenset("-/\u00ad")
_DASHES = frozenset("\u2013\u2014")
#: Where urls.py lets a URL break (a `<wbr>`: no space in the text).
_URL_JOINTS = frozenset("._?=&#")
_URL = re.compile(r"(?:https?|ftp)://|www\.|mailto:")
#: Scripts written without spaces between words: a line breaks between characters.
_UNSPACED = ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x2E80, 0x2FDF), (0x3000, 0x30FF),
             (0x3100, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFF60),
             (0x20000, 0x3134F))


def _unspaced(char: str) -> bool:
    code = ord(char)
    return code >= 0x0E00 and any(low <= code <= high for low, high in _UNSPACED)


# ---- fonts ---------------------------------------------------------------------------

@dataclass
class _Font:
    code_length: int
    unicode: dict[bytes, str]
    widths: dict[int, float]
    default_width: float
    space: bytes | None
    code_widths: dict[bytes, float] = field(default_factory=dict)

    def __post_init__(self):
        self.code_widths = {code.to_bytes(self.code_length, "big"): width for code, width in self.widths.items()
                            if code < 256 ** self.code_length}

    def text(self, data: bytes) -> str:
        step = self.code_length
        return "".join(self.unicode.get(data[i:i + step], "") for i in range(0, len(data), step))

    def width(self, code: bytes) -> float:
        return self.widths.get(int.from_bytes(code, "big"), self.default_width)


_HEX = re.compile(rb"<([0-9A-Fa-f]*)>")


def _unhex(token: bytes) -> bytes:
    return bytes.fromhex(token.decode("ascii"))


def _utf16(data: bytes) -> str:
    return data.decode("utf-16-be", errors="replace")


def _to_unicode(cmap: bytes) -> tuple[dict[bytes, str], int]:
    """A ToUnicode CMap's code -> text (bfchar and bfrange), and its code length."""
    mapping: dict[bytes, str] = {}
    length = 0
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        tokens = _HEX.findall(block)
        for source, target in zip(tokens[::2], tokens[1::2]):
            mapping[_unhex(source)] = _utf16(_unhex(target))
            length = length or len(source) // 2
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for line in re.finditer(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]*>)", block):
            low, high, target = line.groups()
            length = length or len(low) // 2
            first, last = int(low, 16), int(high, 16)
            if target.startswith(b"["):
                targets = [_utf16(_unhex(t)) for t in _HEX.findall(target)]
            else:
                start = _unhex(target[1:-1])
                stem, tail = start[:-2], int.from_bytes(start[-2:], "big")
                targets = [_utf16(stem + (tail + i).to_bytes(2, "big")) for i in range(last - first + 1)]
            for i, text in zip(range(first, last + 1), targets):
                mapping[i.to_bytes(len(low) // 2, "big")] = text
    return mapping, length


def _font(font: Dictionary) -> _Font | None:
    to_unicode = font.get("/ToUnicode")
    if not isinstance(to_unicode, pikepdf.Stream):
        return None
    mapping, length = _to_unicode(to_unicode.read_bytes())
    widths: dict[int, float] = {}
    if font.get("/Subtype") == "/Type0":
        length = 2 if str(font.get("/Encoding", "")) in ("/Identity-H", "/Identity-V") else length
        descendant = font.DescendantFonts[0]
        default = float(descendant.get("/DW", 1000))
        entries = list(descendant.get("/W", []))
        i = 0
        while i + 1 < len(entries):
            first = int(entries[i])
            if isinstance(entries[i + 1], Array):
                for offset, width in enumerate(entries[i + 1]):
                    widths[first + offset] = float(width)
                i += 2
            else:
                for code in range(first, int(entries[i + 1]) + 1):
                    widths[code] = float(entries[i + 2])
                i += 3
    else:
        length, default = 1, 0.0
        first = int(font.get("/FirstChar", 0))
        for offset, width in enumerate(font.get("/Widths", [])):
            widths[first + offset] = float(width)
    if not length:
        return None
    space = next((code for code, text in mapping.items() if text == " " and len(code) == length), None)
    return _Font(length, mapping, widths, default, space)


# ---- the text runs of a page ------------------------------------------------------------

def _multiply(m: tuple, n: tuple) -> tuple:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


@dataclass
class _Run:
    """One text-showing operator outside artifacts."""
    span: tuple[int, int]  # where it is in the page's content
    operator: bytes
    font: _Font
    font_name: bytes
    size: float  # in device units
    x: float
    y: float
    scale_x: float  # device units per text-space unit along the line
    font_size: float  # Tf's size
    mcid: int | None
    operand: bytes  # the operator's string, or array of strings and numbers
    ending: str | None = None  # what _mend gave it: "space" or "soft"
    actual: str | None = None  # what it reads as, inside an ActualText span
    _pieces: list | None = None
    _strings: list | None = None

    @property
    def pieces(self) -> list:
        """The strings (bytes) and numbers (floats) it shows."""
        if self._pieces is None:
            self._pieces = _pieces(self.operand)
        return self._pieces

    def codes(self, reverse: bool = False):
        """The character codes it shows, decoded from the end asked for only as far as
        they are read (most runs are only asked for their first or last character)."""
        step = self.font.code_length
        if self._strings is None:
            self._strings = _STRING.findall(self.operand)
        strings = self._strings
        for string in (reversed(strings) if reverse else strings):
            if isinstance(string, tuple):
                string = _string(*string)
            starts = range(0, len(string), step)
            for i in (reversed(starts) if reverse else starts):
                yield string[i:i + step]

    def chars(self, reverse: bool = False):
        if self.actual is not None:  # inside an ActualText span (the repair run before, say)
            yield from (reversed(self.actual) if reverse else self.actual)
            return
        for code in self.codes(reverse):
            text = self.font.unicode.get(code, "")
            yield from (reversed(text) if reverse else text)

    def text(self) -> str:
        return "".join(self.chars())

    def end_x(self) -> float:
        advance = 0.0
        step, widths, default = self.font.code_length, self.font.code_widths, self.font.default_width
        for piece in self.pieces:
            if isinstance(piece, bytes):
                if len(piece) == step:
                    advance += widths.get(piece, default)
                else:
                    advance += sum(widths.get(piece[i:i + step], default) for i in range(0, len(piece), step))
            else:
                advance -= piece
        return self.x + advance / 1000 * self.font_size * self.scale_x


_PIECE = re.compile(rb"<([0-9A-Fa-f\s]*)>|\(((?:[^\\()]++|\\.|\((?:[^\\()]++|\\.)*+\))*+)\)|([-+]?[0-9]*\.?[0-9]+)",
                    re.S)
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"\n": b""}


def _pieces(operand: bytes) -> list:
    """A TJ array's (or a Tj string's) strings (bytes) and numbers (floats)."""
    pieces: list = []
    for hexadecimal, literal, number in _PIECE.findall(operand):
        pieces.append(float(number) if number else _string(hexadecimal, literal))
    return pieces


def _string(hexadecimal: bytes, literal: bytes) -> bytes:
    if hexadecimal:
        if len(hexadecimal) % 2 or not hexadecimal.isalnum():
            hexadecimal = re.sub(rb"\s", b"", hexadecimal)
            hexadecimal += b"0" * (len(hexadecimal) % 2)
        return unhexlify(hexadecimal)
    return _ESCAPE.sub(_unescape, literal) if b"\\" in literal else literal


def _unescape(match: re.Match) -> bytes:
    escaped = match.group(1)
    if escaped[:1].isdigit():
        return bytes([int(escaped, 8) & 0xFF])
    return _ESCAPES.get(escaped, escaped)


# A content stream read instruction by instruction with one regular expression (QPDF's
# parser builds an object per operand: too slow for a 1,100-page book). Every operand that
# can hold a string is matched whole, so no match starts inside a string.
# Possessive quantifiers (Python 3.11): a well-formed stream never needs to backtrack.
_LITERAL = rb"\((?:[^\\()]++|\\.|\((?:[^\\()]++|\\.)*+\))*+\)"
_HEXSTRING = rb"<[0-9A-Fa-f\s]*+>"
_DICTIONARY = (rb"<<(?:[^<>()]++|" + _LITERAL + rb"|" + _HEXSTRING + rb"|<<(?:[^<>()]++|" + _LITERAL + rb"|" +
               _HEXSTRING + rb")*+>>)*+>>")
_ARRAY = rb"\[(?:[^\[\]()<]++|" + _HEXSTRING + rb"|" + _LITERAL + rb"|" + _DICTIONARY + rb")*+\]"
_OPERAND = (rb"(?:[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)|/[^\s/\[\]()<>{}%]*+|" + _ARRAY + rb"|" + _HEXSTRING + rb"|" +
            _DICTIONARY + rb"|" + _LITERAL + rb")")
_INSTRUCTION = re.compile(rb"((?:" + _OPERAND + rb"\s*)*+)([A-Za-z'\"*][A-Za-z0-9*]*)", re.S)
#: The strings of a TJ array or Tj operand: hexadecimal or literal.
_STRING = re.compile(rb"<([0-9A-Fa-f\s]*)>|\(((?:[^\\()]++|\\.|\((?:[^\\()]++|\\.)*+\))*+)\)", re.S)
_NUMBER = re.compile(rb"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
_NAME = re.compile(rb"/[^\s/\[\]()<>{}%]*")
_MCID = re.compile(rb"/MCID\s+([0-9]+)")
_TWO_NUMBERS = re.compile(rb"^\s*" + _NUMBER.pattern + rb"\s+" + _NUMBER.pattern + rb"\s*")
_SHOW = frozenset((b"TJ", b"Tj", b"'", b'"'))
_INTERESTING = _SHOW | {b"BDC", b"BMC", b"EMC", b"q", b"Q", b"cm", b"BT", b"Tm", b"Td", b"TD", b"T*",
                        b"TL", b"Tf", b"Do", b"BI"}


@dataclass
class _Page:
    data: bytes
    runs: list[_Run]
    artifacts: dict[tuple[int, int], list[float]]  # span of an unclaimed BDC -> baselines inside it
    splices: dict[tuple[int, int], bytes]  # span of the stream -> what replaces it
    dropped_mcids: list[int]
    media_box: list


def _numbers(operands: bytes) -> list[float]:
    return [float(n) for n in _NUMBER.findall(operands)]


_ACTUAL_TEXT = re.compile(rb"/ActualText\s*(?:<([0-9A-Fa-f\s]*)>|\(((?:[^\\()]++|\\.)*+)\))", re.S)


def _actual_text(operands: bytes) -> list | None:
    found = _ACTUAL_TEXT.search(operands)
    if not found:
        return None
    data = _string(*found.groups())
    text = data[2:].decode("utf-16-be", "replace") if data.startswith(b"\xfe\xff") else data.decode("latin-1")
    return [text, False]


def _read_page(page: pikepdf.Page, claimed: set[int], fonts: dict) -> _Page | None:
    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, Array) else [contents] if contents is not None else []
    data = b"\n".join(stream.read_bytes() for stream in streams if isinstance(stream, pikepdf.Stream))
    resources = page.obj.get("/Resources", Dictionary())
    page_fonts = resources.get("/Font", Dictionary())
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    ctm, stack = identity, []
    tm = tlm = identity
    leading = 0.0
    font: _Font | None = None
    font_name, font_size = b"", 0.0
    marks: list = []  # per open marked content: ("mcid", n) | ("artifact", span or None) | None
    actuals: list = []  # per open marked content: [its ActualText, whether a run read it] or None
    runs: list[_Run] = []
    artifacts: dict = {}
    splices: dict = {}
    dropped: list[int] = []
    for match in _INSTRUCTION.finditer(data):
        op = match.group(2)
        if op not in _INTERESTING:
            continue
        operands = match.group(1)
        if op in _SHOW:
            if font is None:
                continue
            if op in (b"'", b'"'):
                tlm = _multiply((1, 0, 0, 1, 0, -leading), tlm)
                tm = tlm
            matrix = _multiply(tm, ctm)
            artifact = next((mark[1] for mark in reversed(marks) if mark and mark[0] == "artifact"), False)
            if artifact is not False:
                if artifact is not None:
                    artifacts[artifact].append(matrix[5])
                continue
            mcid = next((mark[1] for mark in reversed(marks) if mark and mark[0] == "mcid"), None)
            actual = next((holder for holder in reversed(actuals) if holder is not None), None)
            text = operands.strip()
            if op == b'"':  # aw ac string: the string is the last operand
                text = _TWO_NUMBERS.sub(b"", text, count=1)
            runs.append(_Run(match.span(), op, font, font_name, font_size * (matrix[2] ** 2 + matrix[3] ** 2) ** 0.5,
                             matrix[4], matrix[5], (matrix[0] ** 2 + matrix[1] ** 2) ** 0.5, font_size, mcid,
                             text))
            if actual is not None:  # the span's ActualText is read once, for all it holds
                runs[-1].actual = "" if actual[1] else actual[0]
                actual[1] = True
        elif op == b"BDC" or op == b"BMC":
            actuals.append(_actual_text(operands) if op == b"BDC" and b"/ActualText" in operands else None)
            tag = _NAME.match(operands.lstrip())
            tag = tag.group(0) if tag else b"/Span"
            mcid = None
            if op == b"BDC":
                found = _MCID.search(operands)
                if found:
                    mcid = int(found.group(1))
                else:
                    names = _NAME.findall(operands)
                    properties = resources.get("/Properties", Dictionary()).get(names[1].decode("latin-1")) \
                        if len(names) > 1 and b"<<" not in operands else None
                    if isinstance(properties, Dictionary) and "/MCID" in properties:
                        mcid = int(properties.MCID)
            inside_artifact = any(mark and mark[0] == "artifact" for mark in marks)
            if tag == b"/Artifact":
                marks.append(("artifact", None))
            elif mcid is not None and (inside_artifact or mcid not in claimed):
                dropped.append(mcid)
                if inside_artifact:  # tagged content has no place in an artifact
                    splices[match.span()] = tag + b" BMC"
                    marks.append(None)
                else:
                    artifacts[match.span()] = []
                    marks.append(("artifact", match.span()))
            else:
                marks.append(("mcid", mcid) if mcid is not None else None)
        elif op == b"EMC":
            if marks:
                marks.pop()
                actuals.pop()
        elif op == b"q":
            stack.append(ctm)
        elif op == b"Q":
            ctm = stack.pop() if stack else identity
        elif op == b"cm":
            numbers = _numbers(operands)
            if len(numbers) == 6:
                ctm = _multiply(tuple(numbers), ctm)
        elif op == b"BT":
            tm = tlm = identity
        elif op == b"Tm":
            numbers = _numbers(operands)
            if len(numbers) == 6:
                tm = tlm = tuple(numbers)
        elif op in (b"Td", b"TD"):
            numbers = _numbers(operands)
            if len(numbers) == 2:
                tx, ty = numbers
                if op == b"TD":
                    leading = -ty
                tlm = _multiply((1, 0, 0, 1, tx, ty), tlm)
                tm = tlm
        elif op == b"T*":
            tlm = _multiply((1, 0, 0, 1, 0, -leading), tlm)
            tm = tlm
        elif op == b"TL":
            numbers = _numbers(operands)
            leading = numbers[0] if numbers else leading
        elif op == b"Tf":
            name = _NAME.search(operands)
            numbers = _numbers(operands[name.end():]) if name else []
            font = None
            if name and numbers:
                font_name, font_size = name.group(0), numbers[0]
                source = page_fonts.get(font_name.decode("latin-1"))
                if isinstance(source, Dictionary):
                    key = source.objgen if source.is_indirect else id(source)
                    if key not in fonts:
                        fonts[key] = _font(source)
                    font = fonts[key]
        elif op == b"Do":
            artifact = next((mark[1] for mark in reversed(marks) if mark and mark[0] == "artifact"), None)
            if artifact is not None:
                artifacts[artifact].append(ctm[5])
        elif op == b"BI":  # an inline image's data is not PDF syntax: leave the page alone
            return None
    return _Page(data, runs, artifacts, splices, dropped, list(page.mediabox))


# ---- what a line end needs ----------------------------------------------------------------

def _line_break(a: _Run, b: _Run | None) -> str | None:
    """How run `b` follows run `a`: "line" (on another line), "gap" (on the same line but
    apart: another cell, a leader) or None (the same line, touching)."""
    if b is None:
        return "line"
    size = max(a.size, b.size)
    if abs(b.y - a.y) > size / 2 or b.x < a.x - size / 4:
        return "line"
    if b.x > a.x and b.x > a.end_x() + size / 2:
        return "gap"
    return None


def _ending(a: _Run, b: _Run | None, last_word, kind: str) -> str | None:
    """What the end of run `a` needs before `b`: "space", "soft" (its last glyph is a
    hyphen of hyphenation) or None."""
    tail = a.chars(reverse=True)
    last = next(tail, "")
    if not last or last.isspace():
        return None
    first = next(b.chars(), "") if b is not None else ""
    if first.isspace():
        return None
    if _unspaced(last) or (first and _unspaced(first)):
        return None
    if kind == "gap":
        return "space"
    if last == HYPHENATION_HYPHEN:
        return "soft"
    if last in _JOINED_AFTER:
        return None
    if last in _DASHES:  # a spaced dash ("word —") lost its space; a closed one ("word—word") had none
        before = next(tail, "")
        return "space" if before.isspace() else None
    if last in _URL_JOINTS and _URL.search(last_word()):
        return None
    return "space"


def _hex(data: bytes) -> bytes:
    return b"<" + data.hex().encode("ascii") + b">"


def _number(value: float) -> bytes:
    return (f"{value:.3f}".rstrip("0").rstrip(".") or "0").encode("ascii")


def _with_space(run: _Run, original: bytes, space_font: tuple | None) -> bytes:
    """The run's operator, then a space glyph drawn back over the line's end: the TJ moves
    back by the space's width before showing it, so nothing after it moves and the line's
    box (where a tool measures the text block) ends where it did."""
    if run.font.space is not None:
        return original + b"\n[" + _number(run.font.width(run.font.space)) + b" " + _hex(run.font.space) + b"] TJ"
    name, font = space_font  # the run's font has no space: borrow one, then set the run's back
    return (original + b"\n" + name + b" " + _number(run.font_size) + b" Tf [" + _number(font.width(font.space)) +
            b" " + _hex(font.space) + b"] TJ " + run.font_name + b" " + _number(run.font_size) + b" Tf")


def _with_soft_hyphen(run: _Run, original: bytes) -> bytes:
    """The run's operator with its last glyph (a hyphen of hyphenation) read as U+00AD.
    The operand's bytes are cut, not written anew: every number stays as it was, so every
    glyph stays where it was."""
    operand = run.operand
    last = None
    if b"(" not in operand:  # hexadecimal strings only: look back from the end
        end = len(operand)
        while last is None or not last.group(1).strip():
            last = _STRING.match(operand, operand.rindex(b"<", 0, end))
            end = last.start()
    else:
        for match in _STRING.finditer(operand):
            if match.group(1) and match.group(1).strip() or match.group(2):
                last = match
    data = _string(*last.groups())
    step = run.font.code_length
    head = _hex(data[:-step]) if len(data) > step else b""
    if operand.startswith(b"["):
        shown = operand[:last.start()] + head + b"]"
        hyphen = b"[" + _hex(data[-step:]) + operand[last.end():]
    else:
        shown = b"[" + head + b"]" if head else b"[]"
        hyphen = b"[" + _hex(data[-step:]) + b"]"
    before = b""
    if run.operator == b"'":
        before = b"T* "
    elif run.operator == b'"':
        numbers = _NUMBER.findall(original)[:2]
        before = numbers[0] + b" Tw " + numbers[1] + b" Tc T* "
    return before + shown + b" TJ /Span <</ActualText <feff00ad>>> BDC " + hyphen + b" TJ EMC"


# ---- the document ---------------------------------------------------------------------------

def _number_tree(node: Dictionary, found: dict[int, object], depth: int = 0) -> None:
    nums = node.get("/Nums")
    if isinstance(nums, Array):
        for i in range(0, len(nums) - 1, 2):
            found[int(nums[i])] = nums[i + 1]
    for kid in node.get("/Kids", []) if depth < 32 else []:
        _number_tree(kid, found, depth + 1)


def _claimed(root: Dictionary) -> dict[tuple, set[int]]:
    """Page (objgen) -> the MCIDs that structure elements reachable from the root claim."""
    claimed: dict[tuple, set[int]] = {}
    seen: set[tuple] = set()
    stack = [(kid, None) for kid in _kids(root)]
    while stack:
        node, page = stack.pop()
        if isinstance(node, int):
            if page is not None:
                claimed.setdefault(page, set()).add(node)
            continue
        if not isinstance(node, Dictionary):
            continue
        if "/MCID" in node:  # a marked-content reference
            target = node.get("/Pg")
            target = target.objgen if isinstance(target, Dictionary) else page
            if target is not None and "/Stm" not in node:
                claimed.setdefault(target, set()).add(int(node.MCID))
            continue
        key = node.objgen
        if key in seen or "/Obj" in node:  # an annotation's reference holds no content
            continue
        seen.add(key)
        own = node.get("/Pg")
        if own is not None:
            page = own.objgen
        stack.extend((kid, page) for kid in _kids(node))
    return claimed


def _kids(node: Dictionary) -> list:
    kids = node.get("/K")
    if isinstance(kids, Array):
        return [int(kid) if isinstance(kid, int) else kid for kid in kids]
    if kids is None:
        return []
    return [int(kids) if isinstance(kids, int) else kids]


def repair_text(pdf: pikepdf.Pdf) -> None:
    """Running heads and folios as artifacts, word spaces, soft hyphens, link descriptions."""
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, Dictionary):
        return
    parent_tree: dict[int, object] = {}
    if isinstance(root.get("/ParentTree"), Dictionary):
        _number_tree(root.ParentTree, parent_tree)
    claimed = _claimed(root)
    fonts: dict = {}
    texts: dict[tuple, dict[int, list[str]]] = {}  # page -> MCID -> what it reads
    for page in pdf.pages:
        read = _read_page(page, claimed.get(page.obj.objgen, set()), fonts)
        if read is None:
            continue
        _mend(read)
        _mark_artifacts(read)
        if read.splices:
            pieces, at = [], 0
            for (start, end), replacement in sorted(read.splices.items()):
                pieces += [read.data[at:start], replacement]
                at = end
            pieces.append(read.data[at:])
            page.obj.Contents = pdf.make_stream(b"".join(pieces))
        if read.dropped_mcids and "/StructParents" in page.obj:
            entries = parent_tree.get(int(page.obj.StructParents))
            if isinstance(entries, Array):
                for mcid in read.dropped_mcids:
                    if mcid < len(entries):
                        entries[mcid] = None
        if "/Annots" in page.obj:
            texts[page.obj.objgen] = _mcid_texts(read)
    _describe_links(pdf, parent_tree, texts)


def _mend(read: _Page) -> None:
    """Spaces at line ends, soft hyphens (into `read.splices`)."""
    runs = [run for run in read.runs if run.font is not None and next(run.codes(), None) is not None]
    space_font = _space_font(read)
    for position, run in enumerate(runs):
        after = runs[position + 1] if position + 1 < len(runs) else None
        kind = _line_break(run, after)
        if kind is None:
            continue
        ending = _ending(run, after, lambda: _last_word(runs, position), kind)
        original = read.data[run.span[0]:run.span[1]]
        if ending == "space" and (run.font.space is not None or space_font is not None):
            read.splices[run.span] = _with_space(run, original, space_font)
            run.ending = ending
        elif ending == "soft":
            read.splices[run.span] = _with_soft_hyphen(run, original)
            run.ending = ending


def _last_word(runs: list[_Run], position: int) -> str:
    """The text since the last space, up to the end of run `position` (a URL broken over
    lines is one word)."""
    parts: list[str] = []
    for run in reversed(runs[max(0, position - 40):position + 1]):
        if run.ending == "space" and run is not runs[position]:
            break
        text = run.text()
        parts.append(re.split(r"\s", text)[-1])
        if re.search(r"\s", text):
            break
    return "".join(reversed(parts))


def _space_font(read: _Page) -> tuple | None:
    """A font of the page that shows a space, for lines set in one that has none."""
    for run in read.runs:
        if run.font is not None and run.font.space is not None:
            return run.font_name, run.font
    return None


def _mark_artifacts(read: _Page) -> None:
    """Unclaimed marked content -> pagination artifacts, header or footer by where it lies."""
    if not read.artifacts:
        return
    body = [run.y for run in read.runs]
    top, bottom = (max(body), min(body)) if body else (None, None)
    for span, baselines in read.artifacts.items():
        if baselines and top is not None and min(baselines) > top:
            marked = b"/Artifact <</Type /Pagination /Subtype /Header>> BDC"
        elif baselines and bottom is not None and max(baselines) < bottom:
            marked = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC"
        elif baselines and top is None:  # a page with no tagged text: by the page's half
            box = [float(v) for v in read.media_box]
            middle = (box[1] + box[3]) / 2
            marked = (b"/Artifact <</Type /Pagination /Subtype /Header>> BDC" if min(baselines) > middle else
                      b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC")
        else:  # inside the text, or no text at all: not pagination, but nobody's content either
            marked = b"/Artifact BMC"
        read.splices[span] = marked


def _mcid_texts(read: _Page) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for run in read.runs:
        if run.mcid is None or run.font is None:
            continue
        text = run.text()
        if run.ending == "soft":
            text = text[:-1]
        elif run.ending == "space":
            text += " "
        found.setdefault(run.mcid, []).append(text)
    return found


def _element_text(element: Dictionary, page: tuple | None, texts: dict, seen: set) -> tuple[str, str | None]:
    """The text an element's content reads, and the first Alt found under it."""
    own = element.get("/Pg")
    page = own.objgen if isinstance(own, Dictionary) else page
    parts: list[str] = []
    alt = str(element.Alt) if "/Alt" in element else None
    for kid in _kids(element):
        if isinstance(kid, int):
            parts.extend(texts.get(page, {}).get(kid, []))
        elif isinstance(kid, Dictionary):
            if kid.get("/Type") == "/MCR" and "/MCID" in kid:
                target = kid.get("/Pg")
                target = target.objgen if isinstance(target, Dictionary) else page
                parts.extend(texts.get(target, {}).get(int(kid.MCID), []))
            elif kid.get("/Type") != "/OBJR" and kid.objgen not in seen:
                seen.add(kid.objgen)
                text, inner = _element_text(kid, page, texts, seen)
                parts.append(text)
                alt = alt or inner
    return "".join(parts), alt


def _describe_links(pdf: pikepdf.Pdf, parent_tree: dict[int, object], texts: dict) -> None:
    """Each link annotation's /Contents: the text of its link. A link broken over lines
    or pages is one Link element per piece, the pieces of one HTML element sharing its
    number (weasyfix.mark_structure_elements): each piece is described by the whole."""
    links = []  # (annotation, element, text, alt), in the order of the pages
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", []):
            if not isinstance(annotation, Dictionary) or annotation.get("/Subtype") != "/Link":
                continue
            element = parent_tree.get(int(annotation.StructParent)) if "/StructParent" in annotation else None
            if not isinstance(element, Dictionary):
                continue
            text, alt = _element_text(element, None, texts, {element.objgen})
            links.append((annotation, element, text, alt))
    whole: dict[int, list[str]] = {}
    counted: set[tuple] = set()
    for _, element, text, _ in links:
        number = element.get(ELEMENT_NUMBER)
        if number is not None and element.objgen not in counted:
            counted.add(element.objgen)
            whole.setdefault(int(number), []).append(text)
    for annotation, element, text, alt in links:
        number = element.get(ELEMENT_NUMBER)
        if number is not None:
            text = "".join(whole[int(number)])
        description = " ".join(text.replace(SOFT_HYPHEN, "").split()) or alt
        if not description:
            continue
        if re.fullmatch(r"[0-9*†‡§]+", description) and _is_note_target(annotation):
            description = f"Note {description}"
        annotation.Contents = String(description)


def _is_note_target(annotation: Dictionary) -> bool:
    """Whether a link goes to a note (pandoc's `#fn3`, a `…note…` id)."""
    target = annotation.get("/Dest")
    action = annotation.get("/A")
    if target is None and isinstance(action, Dictionary):
        target = action.get("/D") if action.get("/S") == "/GoTo" else None
    if isinstance(target, (String, Name)):
        name = str(target).lstrip("/").lower()
        return bool(re.match(r"fn\d|fn-|footnote|note", name) or "note" in name)
    return False
