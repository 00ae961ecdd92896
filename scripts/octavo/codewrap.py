"""Code in print: a long line is broken to stay in the measure, never run off the page.

A printed code line that runs past the fore-edge loses its end; one that wraps back to
column 0 reads as a new line (and in Python, as a new statement). octavo breaks a line
longer than the measure itself (the code face is monospaced, so the measure is a number
of characters), preferring a space, marks the break with an arrow at the end of the
broken line, and indents the continuation under the line's own indent plus two.
"""

from __future__ import annotations

import re
from typing import Callable

#: The mark at the end of a broken code line (EB Garamond has it; the code face does not).
MARK = '<span class="code-wrap" aria-hidden="true">\u2192</span>'
#: Continuation lines start this many columns deeper than the line they continue.
HANG = 2

_PRE = re.compile(r"(<pre\b[^>]*>)(.*?)(</pre>)", re.S)
_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|[^<&]|[<&]")


def wrap_code(html: str, columns: int | Callable[[int], int]) -> str:
    """`html` with every line of every <pre> longer than `columns` characters broken;
    `columns` may be a function of the <pre>'s offset in `html` (a quotation is narrower)."""
    if "<pre" not in html:
        return html

    def wrap(match: re.Match[str]) -> str:
        width = columns(match.start()) if callable(columns) else columns
        if width < 20:  # too narrow to read as code: WeasyPrint wraps it (pre-wrap)
            return match.group(0)
        lines = (_wrap_line(line, width) for line in match.group(2).split("\n"))
        return match.group(1) + "\n".join(lines) + match.group(3)

    return _PRE.sub(wrap, html)


def _wrap_line(line: str, columns: int) -> str:
    tokens = _TOKEN.findall(line)
    visible = [not t.startswith("<") or t in ("<",) for t in tokens]
    if sum(visible) <= columns:
        return line
    text = "".join(t for t, v in zip(tokens, visible) if v)
    indent = len(text) - len(text.lstrip(" "))
    out: list[str] = []
    width = columns - 1  # room for the mark
    count, segment_start = 0, 0
    last_space = None  # token index after which a break is best
    i = 0
    while i < len(tokens):
        token, shows = tokens[i], visible[i]
        if shows and count >= width:
            cut = last_space if last_space is not None and last_space > segment_start else i
            out.extend(tokens[segment_start:cut])
            out.append(MARK + "\n" + " " * min(indent + HANG, columns // 2))
            count = min(indent + HANG, columns // 2)
            # What was cut off the end comes with us; recount it.
            count += sum(1 for t, v in zip(tokens[cut:i], visible[cut:i]) if v)
            segment_start, last_space = cut, None
            width = columns - 1
            continue
        if shows:
            count += 1
            if token == " " and count > width * 0.6:
                last_space = i + 1
        i += 1
    out.extend(tokens[segment_start:])
    return "".join(out)


# --- The EPUB: the reader's screen sets the measure --------------------------------------
#
# A reflowable book cannot break its code lines ahead of time: the screen decides. Each
# line is made a box of its own (pandoc does so for highlighted code; octavo does it for
# the rest) with a hanging indent, so a line the screen wraps continues under its own
# indent plus two, never at column 0. epub.css: `pre > code > span { display: inline-block }`.

_CODE = re.compile(r"(<pre\b[^>]*>\s*<code\b[^>]*>)(.*?)(</code>\s*</pre>)", re.S)
_LINE_SPAN = re.compile(r'<span id="[^"]*">')


def hang_code_lines(xhtml: str) -> str:
    """`xhtml` with every line of every code block in a span that hangs its continuation."""
    if "<pre" not in xhtml:
        return xhtml
    return _CODE.sub(lambda m: m.group(1) + "\n".join(_hang(line) for line in m.group(2).split("\n")) + m.group(3),
                     xhtml)


def _hang(line: str) -> str:
    text = re.sub(r"<[^>]*>", "", line)
    if not text.strip():
        return line
    indent = len(text) - len(text.lstrip(" "))
    style = f' style="padding-left: {indent + HANG}ch; text-indent: -{indent + HANG}ch"'
    opening = _LINE_SPAN.match(line)
    if opening and line.endswith("</span>"):  # pandoc's own line (highlighted code)
        return line[:opening.end() - 1] + style + line[opening.end() - 1:]
    return f'<span class="code-line"{style}>{line}</span>'
