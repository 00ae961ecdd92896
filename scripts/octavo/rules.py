"""The manuscript checks' rules: ids, default severities and what each finds.

A leaf module (it imports nothing from octavo): config validates `checks: disable` against
it without importing the checks themselves.
"""

from __future__ import annotations

SEVERITIES = ("error", "warning", "info")

#: rule id -> (default severity, what it finds): the catalogue of `octavo check`'s rules, which
#: book.yaml's `checks: {disable: [...]}` names (README, "Checking the manuscript").
RULES: dict[str, tuple[str, str]] = {
    # footnotes
    "footnote-undefined": ("error", "a footnote call [^x] has no definition [^x]: in the same chapter file"),
    "footnote-unused": ("warning", "a footnote definition [^x]: is never called in its chapter"),
    "footnote-duplicate": ("error", "the same footnote label is defined twice in one chapter"),
    "footnote-empty": ("error", "a footnote has no text"),
    "footnote-placeholder": ("warning", "a note still holds placeholder text (TODO, TBD, XXX, 'not supplied', …)"),
    # links and images
    "link-target": ("error", "an internal link (#id, or another chapter's file) points at nothing"),
    "link-local": ("warning", "a link to a file the book does not hold (a site-relative /page, notes.html)"),
    "link-reference-duplicate": ("warning", "a link reference [label]: is defined twice in one chapter"),
    "image-missing": ("error", "an image file does not exist"),
    "image-outside": ("error", "an image path leaves the project folder"),
    "image-remote": ("error", "an image is a network URL (allowed only with resources: {remote: true})"),
    "image-type": ("warning", "an image's name says one type and its bytes another (a PNG saved as .jpg)"),
    "image-unreadable": ("error", "an image file cannot be read as an image"),
    "image-resolution": ("warning", "an image has too few pixels for 300 dpi at the width it prints"),
    "image-alt": ("warning", "an image has no alt text (the EPUB needs it)"),
    # fonts
    "glyph-missing": ("error", "a character none of the book's fonts has: it would print as an empty box"),
    # structure
    "chapter-empty": ("error", "a chapter file has no text"),
    "chapter-title": ("error", "a chapter does not start with a level-1 heading (# Title)"),
    "chapter-several-titles": ("warning", "a chapter file holds a second level-1 heading (the build sets it as ##)"),
    "table-separator": ("warning", "a pipe table without its separator row (| --- |), which prints as text"),
    "div-unclosed": ("warning", "a fenced div (::: name) without its closing ::: line"),
    "heading-skip": ("warning", "heading levels skip one (# then ###)"),
    "heading-duplicate-id": ("warning", "two headings have the same id, so links to it are ambiguous"),
    # text
    "note-marker": ("warning", "a note number typed by hand, (12) or [12], in a chapter with real footnotes"),
    "placeholder": ("warning", "TODO, TBD, XXX, FIXME or [citation needed] left in the text"),
    "two-spaces": ("warning", "two spaces in a row (also a no-break space next to a space)"),
    "space-before-punctuation": ("warning", "a space before , . ; : ! ?"),
    "doubled-word": ("warning", "the same word twice in a row ('on on')"),
    "doubled-punctuation": ("warning", "doubled punctuation ('..', ',,', ',.')"),
    "split-number": ("warning", "a digit group split by a space ('10, 559')"),
    "lowercase-after-sentence": ("warning", "a sentence end followed by a lower-case word ('schools. and')"),
    "missing-space": ("warning", "no space after a sentence end ('end.Next')"),
    "stray-hyphen": ("warning", "a hyphen with a space before it and none after ('West -Taigang')"),
    "straight-quote": ("warning", "a straight quote ' or \" in a book that otherwise uses curly ones"),
    "typography": ("info", "'--', '---' or '...' that the build turns into a dash or an ellipsis"),
    "spelling": ("warning", "a word not in the dictionary for the book's language nor in the project word list"),
    "spelling-names": ("info", "words the dictionary lacks that a chapter uses as names (capitalised in "
                               "mid-sentence at least twice, never in lower case): listed once, not reported "
                               "as spelling"),
}
