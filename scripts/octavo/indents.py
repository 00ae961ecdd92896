"""How much narrower than the measure a block is, in print, for the blocks around it.

Code is broken and tables are sized to fit the line they are set on; a code block in a
quotation or a list item has less room than one in the running text. The indents are
those of base.css (a quotation's margins, a list's padding) and the browser's own (a
definition's margin, 40px).
"""

from __future__ import annotations

import re

#: Ems of the body size each open element takes from the line (both sides counted).
INDENT = {"blockquote": 3.0, "ul": 1.5, "ol": 1.5, "dd": 30 / 11.5}

_TAG = re.compile(r"<(/?)(blockquote|ul|ol|dd|pre|table)\b[^>]*?(/?)>", re.I)


def indents(html: str) -> dict[int, float]:
    """For every `<pre>` and `<table>` start tag in `html`, by its offset: the ems of the
    body size that the elements around it take from the measure."""
    stack: list[str] = []
    found: dict[int, float] = {}
    for match in _TAG.finditer(html):
        closing, name, empty = match.group(1), match.group(2).lower(), match.group(3)
        if name in ("pre", "table"):
            if not closing:
                found[match.start()] = sum(INDENT[n] for n in stack)
        elif closing:
            if name in stack:  # close it and whatever was left open inside it
                del stack[len(stack) - 1 - stack[::-1].index(name):]
        elif not empty:
            stack.append(name)
    return found
