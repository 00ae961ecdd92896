"""Raw HTML5 as authors write it becomes XHTML (issue 9, item 12): what an HTML5 parser
accepts, the EPUB accepts; only what the safety rules refuse is refused."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from octavo.rawhtml import HTML_ELEMENTS, xhtml_document

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


PIECES = ["<p>", "</p>", "<b>", "</b>", "<I>", "</i>", "<br>", "<img src=a.png alt=x>", "<ul>", "<li>", "</ul>",
          "<table>", "<tr>", "<td>", "</table>", "<div>", "</div>", "</span>", "<details open>", "<summary>",
          "</details>", "<a href=#x>", "</a>", "&nbsp;", "&", "<", "x < y", "text ", "<!-- c -- c -->",
          "<svg viewBox='0 0 1 1'><circle r=1></svg>", "<math><mi>x</mi></math>", "<dl><dt>t<dd>d</dl>",
          '<section epub:type="chapter">', "</section>", "<h2>", "</h2>", "<pre>", "</pre>", "<center>", "<foo>",
          "</foo>", "<font color=red>", "<tt>"]


def test_whatever_html5_an_author_writes_becomes_xml_with_no_block_in_a_text_only_element():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(PIECES), max_size=40))
    def check(pieces):
        root = _tree("".join(pieces))
        blocks = {H + n for n in ("p", "div", "ul", "li", "table", "section", "h2", "dl", "pre", "details")}
        # Only XHTML's elements (<center>, <font>, <foo> are not).
        assert not [e for e in root.iter() if e.tag.startswith(H) and e.tag[len(H):] not in HTML_ELEMENTS]
        # A list holds items only.
        assert not [c for ul in root.iter(H + "ul") for c in ul if c.tag != H + "li"]
        spaces = " \t\n\r\f"  # a no-break space is text
        assert not [ul for ul in root.iter(H + "ul")
                    if (ul.text or "").strip(spaces) or any((c.tail or "").strip(spaces) for c in ul)]
        # Text-only elements hold no block, whatever the author opened where.
        for b in [*root.iter(H + "b"), *root.iter(H + "i"), *root.iter(H + "p"), *root.iter(H + "h2")]:
            assert not [c for c in b.iter() if c is not b and c.tag in blocks]

    check()


def test_elements_out_of_place_are_put_where_xhtml_lets_them_stand():
    root = _tree("<li>one</li>\n<li>two</li><dt>term<dd>meaning</dd>"
                 "<details><p>no summary</p></details><details><p>text</p><summary>Late</summary></details>"
                 "<a href='#a'>outer <a href='#b'>inner</a></a>")
    body = root.find(H + "body")
    assert [c.tag for c in body] == [H + t for t in ("ul", "dl", "div", "details", "a", "a")]
    assert _texts(root, "ul") == ["one\ntwo"] and _texts(root, "dl") == ["termmeaning"]
    details = body.find(H + "details")
    assert details[0].tag == H + "summary"


def test_obsolete_and_unknown_elements_become_xhtml():
    text = _document("<center>Title</center><p>A <font color=red>red</font> <tt>word</tt> and <foo>bar</foo>.</p>")
    root = ET.fromstring(xhtml_document(text).encode())
    body = root.find(H + "body")
    assert body[0].tag == H + "div" and "text-align: center" in body[0].get("style")
    assert [e.tag[len(H):] for e in body[1]] == ["span", "code"] and "bar" in "".join(body[1].itertext())


@pytest.mark.slow
def test_a_book_of_html5_soup_builds_and_passes_epubcheck(tmp_path):
    """Raw HTML as careless as HTML5 lets it be, in three chapters: the book builds and
    EPUBCheck finds nothing (the old build refused it: 'not well-formed XHTML')."""
    import random

    from conftest import make_book
    from validators import epubcheck_problems

    from octavo.build import build

    pieces = [p.replace("#x", "https://example.org/x") for p in PIECES if "a.png" not in p]
    chance = random.Random(4)
    chapters = {}
    for number in range(1, 4):
        parts = [f"# Soup {number}\n"]
        for paragraph in range(12):
            soup = "".join(chance.choice(pieces) for _ in range(chance.randint(3, 25)))
            parts += [f"Paragraph {paragraph}.\n", soup + "\n"]
        chapters[f"manuscript/{number:02d}-soup.md"] = "\n".join(parts)
    book = make_book(tmp_path / "book", 'title: "Soup"\nlanguage: "en-GB"\n', chapters)
    report = build(book, formats=("epub",), out_dir=tmp_path / "out", check=False)
    assert epubcheck_problems(report.outputs["epub"]) == []


def test_well_formed_but_misplaced_html_is_put_in_place_too():
    # Every tag closed, so XML takes it; XHTML does not (a paragraph in a <span>).
    root = _tree("<p>One <span class='x'>two <div>three</div></span></p><ul>stray<li>item</li></ul>")
    assert not [s for s in root.iter(H + "span") for c in s.iter() if c.tag == H + "div"]
    assert not [p for p in root.iter(H + "p") for c in p.iter() if c.tag == H + "div"]
    assert _texts(root, "li") == ["stray", "item"] or _texts(root, "li") == ["strayitem"]
