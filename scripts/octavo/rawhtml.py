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
from dataclasses import dataclass

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


# --- A whole content document, read as HTML5 ---------------------------------------------
#
# Tag by tag is not enough: HTML5 also closes what an author leaves open (`<p>One<p>Two`,
# `<li>a<li>b`, `<td>a<td>b`, an unclosed `<b>`), ignores a stray `</span>` and knows
# `<B>` is `<b>`; none of that is XML. So a content document that is not XHTML after
# pandoc is read whole, as a browser (and WeasyPrint, for the print edition) reads it, and
# its body is written back as XHTML: the EPUB shows what the print edition shows. A
# document that already is XHTML is left as it is.

XHTML = "http://www.w3.org/1999/xhtml"
_XML_NS, _XLINK_NS = "http://www.w3.org/XML/1998/namespace", "http://www.w3.org/1999/xlink"
#: Attribute prefixes a content document declares (pandoc's <html> declares epub:).
_PREFIXES = {"epub", "xml"}
_NAME = re.compile(r"[A-Za-z_][-A-Za-z0-9_.]*(?::[A-Za-z_][-A-Za-z0-9_.]*)?\Z")
#: Characters XML 1.0 cannot hold at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BODY = re.compile(r"(<body\b[^>]*>)(.*)(</body>)", re.S)
#: Elements that hold text only (phrasing content), and elements that are blocks. An
#: unclosed `<b>` is reopened by an HTML5 parser around whatever follows, blocks too;
#: XHTML lets no `<b>` hold a paragraph, so the `<b>` is moved inside each block (the
#: text is as bold as a browser shows it, and the markup is valid).
_PHRASING = frozenset("abbr b bdi bdo big cite code data dfn em font i kbd mark nobr q s samp small span strike "
                      "strong sub sup time tt u var".split())
_BLOCK = frozenset("address article aside blockquote caption dd details dialog div dl dt fieldset figcaption "
                   "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main menu nav ol p pre section summary "
                   "table tbody td tfoot th thead tr ul".split())
_TRANSPARENT = frozenset("a ins del map".split())
#: Blocks that hold text only (phrasing content).
_LINES = frozenset("h1 h2 h3 h4 h5 h6 p pre summary".split())
#: The elements of HTML (XHTML) a content document may hold; the obsolete ones an author
#: may still write become their modern equivalents, any other is left out (its content kept).
HTML_ELEMENTS = frozenset("""a abbr address area article aside audio b bdi bdo blockquote body br button canvas
    caption cite code col colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend li link
    main map mark menu meta meter nav noscript object ol optgroup option output p param picture pre progress q rp
    rt ruby s samp script search section select slot small source span strong style sub summary sup table tbody td
    template textarea tfoot th thead time title tr track u ul var video wbr""".split())
OBSOLETE = {"acronym": "abbr", "big": "span", "blink": "span", "center": "div", "dir": "ul", "font": "span",
            "listing": "pre", "marquee": "span", "nobr": "span", "plaintext": "pre", "strike": "s", "tt": "code",
            "xmp": "pre"}
#: What HTML counts as space (a no-break space is text).
_SPACES = " \t\n\r\f"
#: Elements that stand only in certain parents: the element made around them, and the
#: parents they may stand in.
_LIST_WRAP = {"li": ("ul", "ol", "menu"), "dt": ("dl", "div"), "dd": ("dl", "div")}
#: What resources.py removes before pandoc, removed again here: the HTML5 reading must not
#: make a script out of pieces the tag-by-tag removal did not see as one.
_UNSAFE = frozenset("applet base button embed form frame frameset iframe input link meta object script style".split())


@dataclass
class _Node:
    """An element: `tag` is its local name in XHTML, `{namespace}name` elsewhere;
    `children` are _Nodes, text (str) and comments (_Comment)."""
    tag: str
    attributes: dict[str, str]
    children: list


class _Comment(str):
    pass


def xhtml_document(text: str) -> str:
    """A content document as XHTML: `text` itself when it is XHTML already (well-formed,
    element and attribute names as XHTML spells them); else its body as HTML5 reads it."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError:
        pass
    else:
        if not any(_miscased(element) for element in root.iter()) and not _misplaced(root):
            return text
    body = _BODY.search(text)
    if body is None:
        return text
    import tinyhtml5

    element = tinyhtml5.parse(text).find(f"{{{XHTML}}}body")
    if element is None:
        return text
    node = _settle(_node(element))
    out: list[str] = []
    for child in node.children:
        _write(child, XHTML, out)
    return text[:body.end(1)] + "".join(out) + text[body.start(3):]


def _miscased(element) -> bool:
    """An XHTML element or attribute spelt with capitals (`<B>`, `SRC=`), or no element
    XHTML has (`<center>`, `<foo>`): well-formed XML, but not XHTML."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if not tag.startswith("{" + XHTML + "}"):
        return False
    return (tag != tag.lower() or tag[len(XHTML) + 2:] not in HTML_ELEMENTS
            or any(not key.startswith("{") and key != key.lower() for key in element.attrib))


def _misplaced(root) -> bool:
    """Whether well-formed XHTML still has an element where XHTML does not let it stand
    (`<span><p>…</p></span>` closes every tag and is no more valid for it)."""
    def local(element) -> str:
        tag = element.tag if isinstance(element.tag, str) else ""
        return tag[len(XHTML) + 2:] if tag.startswith("{" + XHTML + "}") else ""

    for parent in root.iter():
        name = local(parent)
        for child in parent:
            inner = local(child)
            if inner in _BLOCK and name in _PHRASING | _LINES:
                return True
            if inner in _LIST_WRAP and name not in _LIST_WRAP[inner]:
                return True
            if inner == "a" and any(local(e) == "a" for e in child.iter() if e is not child):
                return True
        if name == "details" and (not len(parent) or local(parent[0]) != "summary"):
            return True
        if name in ("ul", "ol") and ((parent.text or "").strip(_SPACES) or any(
                local(c) not in ("li", "script", "template") or (c.tail or "").strip(_SPACES) for c in parent)):
            return True
    return False


def _node(element) -> _Node:
    """The parser's tree (ElementTree: text and tails) as _Nodes (children in order)."""
    tag = element.tag
    node = _Node(tag[len(XHTML) + 2:] if tag.startswith("{" + XHTML + "}") else tag, dict(element.attrib), [])
    if node.tag in OBSOLETE:
        if node.tag == "center":
            node.attributes["style"] = "text-align: center; " + node.attributes.get("style", "")
        for presentational in ("color", "face", "size"):  # <font>'s: the stylesheet's business
            node.attributes.pop(presentational, None)
        node.tag = OBSOLETE[node.tag]
    if element.text:
        node.children.append(element.text)
    for child in element:
        if isinstance(child.tag, str):
            inner = _node(child)
            if child.tag.startswith("{" + XHTML + "}") and inner.tag not in HTML_ELEMENTS:
                node.children.extend(inner.children)  # <foo>: no element XHTML has; what it holds
            else:
                node.children.append(inner)
        elif getattr(child.tag, "__name__", "") == "Comment":
            node.children.append(_Comment(child.text or ""))
        if child.tail:
            node.children.append(child.tail)
    return node


def _settle(node: _Node, in_link: bool = False) -> _Node:
    """`node` with no text-only element around a block, and no element where XHTML does
    not let it stand, at any depth."""
    children: list = []
    for child in node.children:
        if isinstance(child, _Node):
            if child.tag == "a" and in_link:  # a link in a link: its text
                children.extend(_settle(child, True).children)
                continue
            child = _settle(child, in_link or child.tag == "a")
            if child.tag in _PHRASING and any(_is_block(c) for c in child.children):
                children.extend(_push_down(child))
                continue
        children.append(child)
    if node.tag in _LINES:
        # A heading or paragraph holds lines of text only: a block an author opened in it
        # (`<h2>Title<p>subtitle`) gives its text, on a line of its own.
        children = _flatten(children)
    else:
        children = _in_place(node.tag, children)
    node.children = children
    return node


def _flatten(children: list) -> list:
    """`children` with every block replaced by what it holds, a line break between."""
    out: list = []
    for child in children:
        if isinstance(child, _Node) and child.tag in _TRANSPARENT and _is_block(child):
            child.children = _flatten(child.children)
            out.append(child)
        elif _is_block(child):
            inner = _flatten(child.children)
            if out and inner:
                out.append(_Node("br", {}, []))
            out.extend(inner)
        else:
            out.append(child)
    return out


def _in_place(parent: str, children: list) -> list:
    """`children` of a `parent` element as XHTML lets them stand: list items outside a
    list in a list, terms outside a definition list in one, a `<details>` with no summary
    a plain block, a summary out of place a paragraph."""
    out: list = []
    for child in children:
        if isinstance(child, _Node) and child.tag in _LIST_WRAP and parent not in _LIST_WRAP[child.tag]:
            wrapper = _LIST_WRAP[child.tag][0]
            previous = next((c for c in reversed(out) if not (isinstance(c, str) and not c.strip(_SPACES))), None)
            if isinstance(previous, _Node) and previous.tag == wrapper and previous.attributes.get("data-made") == "1":
                while out[-1] is not previous:  # the spaces between items go inside
                    previous.children.append(out.pop())
                previous.children.append(child)
                continue
            out.append(_Node(wrapper, {"data-made": "1"}, [child]))
            continue
        out.append(child)
    if parent in ("ul", "ol", "menu"):
        # A list holds items only: what stands between them joins the item before it.
        items: list = []
        for child in out:
            if isinstance(child, _Node) and child.tag in ("li", "script", "template"):
                items.append(child)
            elif (isinstance(child, str) and not child.strip(_SPACES)) or isinstance(child, _Comment):
                items.append(child)
            elif isinstance(child, _Node) and child.tag in _PHRASING and _blank(child):
                continue  # a <b> reopened around nothing
            else:
                last = next((c for c in reversed(items) if isinstance(c, _Node) and c.tag == "li"), None)
                if last is None:
                    last = _Node("li", {}, [])
                    items.append(last)
                last.children.append(child)
        out = items
    for child in out:
        if isinstance(child, _Node):
            child.attributes.pop("data-made", None)
            if child.tag == "details" and not any(isinstance(c, _Node) and c.tag == "summary" for c in child.children):
                child.tag = "div"
                child.attributes.pop("open", None)
    summaries = [c for c in out if isinstance(c, _Node) and c.tag == "summary"]
    for position, summary in enumerate(summaries):
        if parent == "details" and position == 0:
            out.remove(summary)
            out.insert(0, summary)  # a details element opens with its summary
        else:
            summary.tag = "p"
    return out
def _push_down(wrapper: _Node) -> list:
    """What `wrapper` (a `<b>` holding blocks) holds, with the `<b>` around each run of
    text and moved inside each block. Its id stays on the first copy only."""
    out: list = []
    run: list = []
    attributes = dict(wrapper.attributes)

    def copy(children: list) -> _Node:
        node = _Node(wrapper.tag, dict(attributes), children)
        attributes.pop("id", None)
        return node

    def flush() -> None:
        if any(isinstance(c, _Node) or (not isinstance(c, _Comment) and c.strip()) for c in run):
            out.append(copy(list(run)))
        else:
            out.extend(run)  # spaces between blocks: no <b> of their own (a <ul> holds only <li>s)
        run.clear()

    for child in wrapper.children:
        if _is_block(child):
            flush()
            inner = copy(child.children)
            child.children = _push_down(inner) if any(_is_block(c) for c in inner.children) else [inner]
            out.append(child)
        else:
            run.append(child)
    flush()
    return out


def _blank(node: _Node) -> bool:
    """A text-only element around nothing but spaces (a reopened `<b>` at a chapter's end)."""
    return node.tag in _PHRASING and not node.attributes and all(
        _blank(c) if isinstance(c, _Node) else isinstance(c, _Comment) or not c.strip() for c in node.children)


def _is_block(node) -> bool:
    """A block, or a link (`<a>` takes its content model from its parent) holding one."""
    return isinstance(node, _Node) and (node.tag in _BLOCK or (node.tag in _TRANSPARENT
                                                              and any(_is_block(c) for c in node.children)))


def _write(node, parent_namespace: str, out: list[str]) -> None:
    if isinstance(node, _Comment):  # "--" cannot stand in an XML comment
        out.append("<!--" + re.sub(r"-(?=-)", "- ", _NOT_XML.sub("", node)).rstrip("-") + "-->")
        return
    if isinstance(node, str):
        out.append(_escape(node))
        return
    namespace, _, name = node.tag[1:].partition("}") if node.tag.startswith("{") else (XHTML, "", node.tag)
    if name.lower() in _UNSAFE:
        return
    if (not _NAME.fullmatch(name) or ":" in name  # no element XML can name: keep what it holds
            or (namespace == XHTML and (name not in HTML_ELEMENTS or _blank(node)))):
        for child in node.children:
            _write(child, parent_namespace, out)
        return
    attributes = [f' xmlns="{namespace}"'] if namespace != parent_namespace else []
    for key, value in node.attributes.items():
        if key.startswith("{"):
            key_namespace, _, local = key[1:].partition("}")
            prefix = {_XML_NS: "xml", _XLINK_NS: "xlink"}.get(key_namespace)
            if prefix is None:
                continue  # xmlns declarations: written where they are needed
            if prefix == "xlink":
                attributes.append(f' xmlns:xlink="{_XLINK_NS}"')
            key = f"{prefix}:{local}"
        elif (not _NAME.fullmatch(key) or key == "xmlns"
              or (":" in key and key.partition(":")[0] not in _PREFIXES)):
            continue  # an attribute XML cannot hold here (an undeclared prefix, a stray quote)
        if key.lower().startswith("on") or (key.lower().endswith(("href", "src", "action", "data"))
                                            and value.strip().lower().startswith("javascript:")):
            continue  # code to run (removed before pandoc too)
        attributes.append(f' {key}="{_escape(value, attribute=True)}"')
    start = f"<{name}{''.join(dict.fromkeys(attributes))}"
    if not node.children and (namespace != XHTML or name in VOID):
        out.append(start + "/>")
        return
    out.append(start + ">")
    for child in node.children:
        _write(child, namespace, out)
    out.append(f"</{name}>")


def _escape(text: str | None, *, attribute: bool = False) -> str:
    if not text:
        return ""
    text = _NOT_XML.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if attribute else text
