"""Raw HTML as an author writes it (HTML5), made into XHTML an EPUB accepts.

pandoc reads HTML5 in Markdown and copies it verbatim; an EPUB's content documents are
XML, where `<br>`, `<img src=a.png>`, `<details open>` and `&nbsp;` are errors. Tag by
tag (pandoc hands over a tag at a time: `<span>` and `</span>` arrive apart), every raw
HTML fragment is rewritten the way an HTML5 parser reads it: void elements closed,
attribute values quoted, a bare attribute given its own name as value, an image's
`width=` given as a style too (so print honours it, as the checker assumes), and named
character references written as the characters. What HTML5 allows and XML cannot say
otherwise (an implied `</p>`) is left to the check after pandoc, which names the chapter.
"""

from __future__ import annotations

import html
import re

#: HTML5's void elements: they have no content and no end tag.
VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())

_TOKEN = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<![^>]*>|<[^>]*>|[^<]+|<", re.S)
_START = re.compile(r"<\s*([a-zA-Z][\w:.-]*)(.*?)(/?)\s*>\Z", re.S)
_ATTRIBUTE = re.compile(r"""\s*([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
#: Named references XML knows; every other one becomes its character.
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_REFERENCE = re.compile(r"&([a-zA-Z][a-zA-Z0-9]*);?")


def as_xhtml(raw: str) -> str:
    """`raw` (a fragment of HTML5) written as XHTML; well-formed input comes back as it is."""
    return "".join(_token(token) for token in _TOKEN.findall(raw))


def _token(token: str) -> str:
    if token.startswith("<!") or token.startswith("</"):
        return token
    if token == "<":
        return "&lt;"
    if not token.startswith("<"):
        return _text(token)
    match = _START.match(token)
    if match is None:
        return _text(token)
    name, rest, slash = match.groups()
    attributes = []
    for attribute in _ATTRIBUTE.finditer(rest):
        key, value = attribute.group(1), attribute.group(2)
        if value is None:
            value = f'"{key.lower()}"'  # <details open>: open="open"
        elif value[0] not in "\"'":
            value = '"' + value.replace('"', "&quot;") + '"'
        else:
            value = value[0] + _text(value[1:-1]) + value[-1]
        attributes.append(f" {key}={value}")
    if name.lower() == "img":
        attributes = _sized(attributes)
    closing = "/" if slash or name.lower() in VOID else ""
    return f"<{name}{''.join(attributes)}{closing}>"


def _sized(attributes: list[str]) -> list[str]:
    """An image's `width="200"` as a style too: WeasyPrint, like the checker, then prints it
    200 CSS px (2.08 in) wide; without it the print edition would ignore the attribute."""
    found = dict(re.match(r' ([^=]+)="(.*)"\Z', a, re.S).groups() for a in attributes if a.count('"') >= 2)
    width = found.get("width", "")
    if not re.fullmatch(r"\d+(?:\.\d+)?%?", width) or any(a.startswith(" style=") for a in attributes):
        return attributes
    return [*attributes, f' style="width: {width}{"" if width.endswith("%") else "px"}; height: auto"']


def _text(text: str) -> str:
    """Named references as characters (XML knows five), and a bare & escaped."""
    def reference(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES and match.group(0).endswith(";"):
            return match.group(0)
        character = html.unescape(match.group(0))
        if character == match.group(0):  # not a reference HTML knows: a literal ampersand
            return "&amp;" + match.group(0)[1:]
        return html.escape(character, quote=False) if character in "&<>" else character

    return _REFERENCE.sub(reference, text)
