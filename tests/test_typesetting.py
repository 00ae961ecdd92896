"""How lines are broken: no paragraph line holding a single word, no stack of hyphens
(issue 14, points 1 and 2). Measured from the PDFs; the WeasyPrint fixes are in
scripts/octavo/weasyfix.py (fix_line_breaking)."""

from __future__ import annotations

import pytest

from conftest import ROOT
from pdfcheck import PageMap, line_faults, weasyprint_lines

from octavo.config import load_book
from octavo.pagesetup import print_setup
from octavo.styles import find_styles
from octavo.weasy import render_document


def _lines(html: str, css: str = "") -> list[str]:
    """The text of each line WeasyPrint sets for `html` with the sample book's styles."""
    book = load_book(ROOT)
    page = print_setup(book).css(book)  # the sample's trim and margins: a 6x9 in measure
    document = render_document(f"<html lang='en-US'><body><section class='chapter'>{html}</section></body></html>",
                               ROOT, find_styles(book), (*page, css))
    return [line for page in document.pages for line in weasyprint_lines(page._page_box)]


def test_a_run_that_just_fills_the_line_stays_on_it():
    # A real sentence (Kyle Simpson, "You Don't Know JS Yet"): the words before the
    # <code> fill the 6x9 measure exactly, with their trailing space one space too wide.
    lines = _lines("<p>To define an object prototype linkage, you can create the object using the "
                   "<code>Object.create(..)</code> utility:</p>", "code { font-family: serif; }")
    assert lines[0].startswith("To define an object prototype linkage"), lines


def test_no_more_than_two_hyphenated_lines_in_a_row():
    long_words = " ".join(["incomprehensibilities characteristically institutionalisation"] * 12)
    lines = _lines(f"<p>{long_words}</p>", "p { hyphens: auto; }")
    ends = [line.rstrip().endswith(("\u2010", "-")) for line in lines]
    assert any(ends), "the text should need hyphenation at all"
    run = longest = 0
    for hyphenated in ends:
        run = run + 1 if hyphenated else 0
        longest = max(longest, run)
    assert longest <= 2, lines


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sample", "small", "medium"])
def test_books_have_no_one_word_lines_and_no_hyphen_stacks(built_pdf, name):
    faults = line_faults(PageMap(built_pdf(name)))
    assert faults.short_lines == []
    assert faults.hyphen_runs == []


def test_urls_are_never_hyphenated_and_break_at_joints():
    from octavo.urls import breakable_urls

    url = "https://www.example.org/on-this-day/history/1958/the_great_leap_forward?page=2"
    para = {"t": "Para", "c": [{"t": "Str", "c": "See"}, {"t": "Space"}, {"t": "Str", "c": url + "."},
                               {"t": "Space"}, {"t": "Link", "c": [["", ["uri"], []], [{"t": "Str", "c": url}],
                                                                 [url, ""]]}]}
    pieces = breakable_urls([para])[0]["c"]
    span, link = pieces[2], pieces[-1]
    assert span["t"] == "Span" and span["c"][0][1] == ["url"]
    assert pieces[3] == {"t": "Str", "c": "."}  # the sentence's full stop stays outside the URL
    assert "url" in link["c"][0][1]
    assert {"t": "RawInline", "c": ["html", "<wbr>"]} in link["c"][1]
    # Set in a narrow measure: no line of the URL ends in an added hyphen, and the URL's
    # text reads back whole.
    html = (f"<p>See the account at <a class='url' href='{url}'>{url.replace('.', '.<wbr>')}</a> "
            f"and at <span class='url'>{url.replace('_', '_<wbr>')}</span> for the story.</p>")
    lines = _lines(html, "section.chapter { width: 9em; }")
    assert not [line for line in lines if line.rstrip().endswith("\u2010")], lines
    assert url in "".join(lines).replace("\u200b", "")


def test_a_long_code_line_is_broken_with_a_mark_and_a_hanging_indent():
    from octavo.codewrap import MARK, wrap_code

    line = "    total = compute(alpha, beta, gamma, delta) + compute(epsilon, zeta, eta, theta)"
    html = wrap_code(f"<pre><code>{line}\nshort = 1</code></pre>", 40)
    body = html[len("<pre><code>"):-len("</code></pre>")]
    lines = body.split("\n")
    assert lines[-1] == "short = 1"
    broken = lines[:-1]
    assert len(broken) >= 2 and all(l.endswith(MARK) for l in broken[:-1])
    assert all(l.startswith(" " * 6) for l in broken[1:])  # the line's own indent, plus two
    assert all(len(l.replace(MARK, "")) <= 40 for l in broken)
    assert "".join(l.replace(MARK, "").strip() + " " for l in broken).split() == line.split()
