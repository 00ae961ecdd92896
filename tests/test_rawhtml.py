"""Raw HTML5 as authors write it becomes XHTML (issue 9, item 12): what an HTML5 parser
accepts, the EPUB accepts; only what the safety rules refuse is refused."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from octavo.rawhtml import xhtml_document

H = "{http://www.w3.org/1999/xhtml}"
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" '
        'xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="en-GB" lang="en-GB">\n<head>\n<title>One</title>\n'
        '</head>\n<body epub:type="bodymatter">\n')


def _document(body: str) -> str:
    return HEAD + body + "\n</body>\n</html>\n"


def _tree(body: str) -> ET.Element:
    return ET.fromstring(xhtml_document(_document(body)).encode())


def _texts(root: ET.Element, tag: str) -> list[str]:
    return ["".join(e.itertext()).strip() for e in root.iter(H + tag)]


def test_xhtml_is_left_as_it_is():
    text = _document('<section id="a" epub:type="chapter"><p>One <b>two</b><br/>three &amp; four</p>'
                     '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math></section>')
    assert xhtml_document(text) is text


def test_implied_end_tags_are_closed_as_html5_closes_them():
    root = _tree("<div><p>One paragraph\n<p>Another</div>\n<ul><li>first<li>second</ul>\n"
                 "<table><tr><td>a<td>b<tr><td>c<td>d</table>\n<dl><dt>Term<dd>Definition</dl>")
    assert _texts(root, "p") == ["One paragraph", "Another"]
    assert _texts(root, "li") == ["first", "second"]
    assert _texts(root, "td") == ["a", "b", "c", "d"]
    assert _texts(root, "dd") == ["Definition"]


def test_an_unclosed_b_is_as_bold_as_html5_says_and_holds_no_block():
    # An HTML5 parser (a browser, WeasyPrint) reopens an unclosed <b> around what follows,
    # blocks too; XHTML lets no <b> hold a block, so it goes inside each block instead.
    root = _tree("<p>Some <b>bold, never closed\n<p>Still bold.</p></div>\n<div><p>Bold here</p>\n"
                 "<ul><li>and here</li></ul></div>")
    assert _texts(root, "b") == ["bold, never closed", "Still bold.", "Bold here", "and here"]
    assert not [b for b in root.iter(H + "b") for c in b.iter() if c.tag in (H + "p", H + "ul", H + "li", H + "div")]
    assert _texts(root, "p") == ["Some bold, never closed", "Still bold.", "Bold here"]


def test_capitals_stray_end_tags_and_entities():
    root = _tree('<p>Some <B>upper</B> case, a <BR> break, <IMG SRC="a.png" ALT="A"> and &nbsp;</span>here.</p>')
    assert _texts(root, "b") == ["upper"] and len(list(root.iter(H + "br"))) == 1
    image = next(root.iter(H + "img"))
    assert image.attrib == {"src": "a.png", "alt": "A"}
    assert "\u00a0here." in "".join(root.itertext())


def test_svg_and_mathml_keep_their_namespaces_and_names():
    root = _tree('<p>x<svg viewBox="0 0 1 1"><linearGradient id="g"/><image xlink:href="a.png"/></svg>'
                 "<math><mi>y</mi></math>")
    svg = next(root.iter("{http://www.w3.org/2000/svg}svg"))
    assert svg.get("viewBox") == "0 0 1 1"
    assert svg.find("{http://www.w3.org/2000/svg}linearGradient") is not None
    assert svg.find("{http://www.w3.org/2000/svg}image").get("{http://www.w3.org/1999/xlink}href") == "a.png"
    assert next(root.iter("{http://www.w3.org/1998/Math/MathML}mi")).text == "y"


def test_the_safety_rules_still_hold():
    text = xhtml_document(_document('<p>One <b onclick="x()">two<scr<script>ipt>alert(1)</script>'
                                    '<a href="javascript:alert(1)">three</a><iframe src="a.html"></iframe>'))
    ET.fromstring(text.encode())
    assert "onclick" not in text and "<script" not in text and "javascript:" not in text and "<iframe" not in text
    assert "three" in text
