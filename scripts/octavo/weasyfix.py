"""Small, exact-match fixes to WeasyPrint 70.0 (footnotes, fonts, line breaking).

Keep every footnote on the page of its call.

When a paragraph reaches the foot of a page and widow/orphan rules forbid breaking
before the overflowing line, WeasyPrint 70.0 makes room for that line by pushing the
page's footnotes to the *next* page (`_linebox_layout`, "report" branch) — the call
stays behind, the note moves on. A printed book must never do that: the right move is
to carry the lines over, which is what the same function does when there are no
notes. We recompile that one function with the footnote-pushing branch disabled.

The patch is exact-match: if WeasyPrint changes, it is not applied and the build
says so; tests/test_pdf.py proves every note still sits with its call.
"""

from __future__ import annotations

import inspect
import logging
import textwrap

log = logging.getLogger(__name__)

_BEFORE = "report = not context.in_column and can_break_now and not could_break_before"
_AFTER = "report = False  # octavo: never push footnotes away from their calls"

_applied = False


def keep_notes_with_calls() -> bool:
    """Patch WeasyPrint once per process; return whether the patch is active."""
    global _applied
    if _applied:
        return True
    import weasyprint
    from weasyprint.layout import block

    source = textwrap.dedent(inspect.getsource(block._linebox_layout))
    if weasyprint.__version__ != "70.0" or source.count(_BEFORE) != 1:
        log.warning("WeasyPrint %s: footnote placement fix not applied; notes may move to the next page",
                    weasyprint.__version__)
        return False
    namespace = vars(block)
    exec(compile(source.replace(_BEFORE, _AFTER), block.__file__, "exec"), namespace)  # noqa: S102
    _applied = True
    return True


def fast_font_subsets() -> None:
    """Subset embedded fonts without reading their layout tables.

    Without the HarfBuzz-Subset library WeasyPrint subsets fonts with fontTools, which
    first decompiles the fonts' large GSUB/GPOS tables (EB Garamond's take ~0.5 s per
    font per document) only to drop them: a PDF needs glyph outlines, not shaping rules
    (shaping has already happened). We drop those tables before subsetting instead. The
    embedded fonts are the same; the ToUnicode maps, which come from the shaped text,
    are untouched.
    """
    from weasyprint.pdf import fonts

    if getattr(fonts.Font, "_octavo_fast_subset", False):
        return

    def _fonttools_subset(self, to_unicode, hinting):  # noqa: ANN001 (WeasyPrint's signature)
        import io

        from fontTools import subset
        from fontTools.ttLib import TTFont, TTLibError

        options = subset.Options(retain_gids=True, passthrough_tables=True, ignore_missing_glyphs=True,
                                 hinting=hinting, desubroutinize=True, notdef_outline=bool(self.missing),
                                 layout_closure=False)
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "SVG", "BASE", "JSTF", "MATH"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(gids=to_unicode)
        try:
            ttfont = TTFont(io.BytesIO(self.file_content), fontNumber=self.index, lazy=True)
            for tag in ("GSUB", "GPOS", "GDEF"):
                if tag in ttfont:
                    del ttfont[tag]
            subsetter.subset(ttfont)
        except TTLibError:
            log.debug("fontTools could not subset %s; embedding it whole", self.family)
            return
        optimized = io.BytesIO()
        ttfont.save(optimized)
        self.file_content = optimized.getvalue()

    fonts.Font._fonttools_subset = _fonttools_subset
    fonts.Font._octavo_fast_subset = True


_CMAP_BEFORE = """            for letter, key in ttfont.getBestCmap().items():
                glyph_id = ttfont.getGlyphID(key)
                if glyph_id not in to_unicode:
                    to_unicode[glyph_id] = chr(letter)
"""
_CMAP_AFTER = _CMAP_BEFORE + """            to_unicode.update(font.to_unicode)  # octavo: glyphs reached by shaping, too
"""


def text_of_whole_fonts() -> bool:
    """Keep the text of a PDF searchable when fonts are embedded whole (`full_fonts`).

    For a whole font WeasyPrint 70.0 writes the ToUnicode map from the font's cmap only,
    so glyphs reached through OpenType features (small caps, old-style figures,
    ligatures) have no text: the running heads and the contents' page numbers would
    read as garbage to a search, a screen reader or a test. The text of every glyph
    used is known from shaping; we add it to the map. Exact-match, like the others."""
    import weasyprint.pdf
    from weasyprint.pdf import fonts

    if getattr(fonts, "_octavo_whole_font_text", False):
        return True
    source = textwrap.dedent(inspect.getsource(fonts.build_fonts_dictionary))
    if source.count(_CMAP_BEFORE) != 1:
        log.warning("WeasyPrint: whole-font text fix not applied; small caps may not be searchable")
        return False
    exec(compile(source.replace(_CMAP_BEFORE, _CMAP_AFTER), fonts.__file__, "exec"), vars(fonts))  # noqa: S102
    weasyprint.pdf.build_fonts_dictionary = fonts.build_fonts_dictionary  # imported there by name
    fonts._octavo_whole_font_text = True
    return True



# split_first_line: a run that fits once its trailing space is left out fits.
_FITS_BEFORE = "    if resume_index is None and first_line_width <= max_width:\n"
_FITS_AFTER = ("    if resume_index is None and (first_line_width <= max_width or _octavo_fits_without_trailing_space(\n"
               "            text, style, context, max_width, justification_spacing, space_collapse)):\n")
# split_first_line: no automatic hyphen when the lines before ended in enough of them.
_HYPHENS_BEFORE = "    hyphens = style['hyphens']\n"
_HYPHENS_AFTER = ("    hyphens = style['hyphens']\n"
                  "    if hyphens == 'auto' and getattr(context, 'octavo_no_auto_hyphens', False):\n"
                  "        hyphens = 'manual'  # octavo: enough hyphenated lines in a row\n")
# iter_line_boxes: count the hyphenated lines in a row, tell split_first_line.
_RUN_INIT_BEFORE = "    while True:\n        line, resume_at = get_next_linebox("
_RUN_INIT_AFTER = ("    _octavo_run = 0\n"
                   "    while True:\n"
                   "        context.octavo_no_auto_hyphens = _octavo_run >= _octavo_hyphen_run\n"
                   "        line, resume_at = get_next_linebox(")
_RUN_COUNT_BEFORE = "        yield line, resume_at\n"
_RUN_COUNT_AFTER = ("        context.octavo_no_auto_hyphens = False\n"
                    "        _octavo_run = _octavo_run + 1 if _octavo_ends_hyphenated(line) else 0\n"
                    "        yield line, resume_at\n")

#: Consecutive hyphenated lines allowed (Chicago 7.43; Bringhurst 2.4.3: "at most two").
HYPHEN_RUN = 2


def _fits_without_trailing_space(text, style, context, max_width, justification_spacing, space_collapse) -> bool:
    """Whether `text` fits in `max_width` once its collapsible trailing spaces are left out
    (they hang past the line's end and are removed when the line is finished)."""
    from weasyprint.text.line_break import create_layout, line_size

    stripped = text.rstrip(" ")
    if not space_collapse or not stripped or stripped == text:
        return False
    layout = create_layout(stripped, style, context, max_width, justification_spacing)
    try:
        line, resume_index = layout.get_first_line()
        return resume_index is None and line_size(line, style)[0] <= max_width
    finally:
        layout.deactivate()


def _ends_hyphenated(line) -> bool:
    """Whether a laid-out line ends with a hyphen (added by hyphenation, or typed)."""
    box = line
    while getattr(box, "children", None):
        box = box.children[-1]
    text = getattr(box, "text", "")
    return bool(text) and text.endswith((box.style["hyphenate_character"], "-", "\u2010"))


def fix_line_breaking() -> bool:
    """Two fixes to how WeasyPrint 70.0 breaks a paragraph into lines.

    - **No line holding one word.** A run of text followed by an inline element
      (`<code>`, `<em>`, a note call) ends with a space. When that run just fills the
      line, WeasyPrint measures it *with* the space, finds it one space too wide, and
      takes the branch for text that cannot be broken at all: the run's first word goes
      alone on the line ("To" / "define an object prototype linkage, …"). The space is
      collapsible and hangs past the line's end (WeasyPrint removes it when the line is
      finished), so the run fits: we say so.
    - **At most HYPHEN_RUN hyphenated lines in a row** (`hyphenate-limit-lines`, which
      WeasyPrint does not implement): after two, the next line of the paragraph breaks
      between words only. A stack of hyphens down the edge is a classic fault.

    Exact-match, like the others: if WeasyPrint changes, nothing is patched and the
    build says so."""
    from weasyprint.layout import block, inline, preferred
    from weasyprint.text import line_break

    if getattr(line_break, "_octavo_line_breaking", False):
        return True
    split = textwrap.dedent(inspect.getsource(line_break.split_first_line))
    lines = textwrap.dedent(inspect.getsource(inline.iter_line_boxes))
    if (split.count(_FITS_BEFORE), split.count(_HYPHENS_BEFORE), lines.count(_RUN_INIT_BEFORE),
            lines.count(_RUN_COUNT_BEFORE)) != (1, 1, 1, 1):
        log.warning("WeasyPrint: line-breaking fixes not applied; a line may hold one word, "
                    "and more than two lines in a row may end in a hyphen")
        return False
    namespace = vars(line_break)
    namespace["_octavo_fits_without_trailing_space"] = _fits_without_trailing_space
    split = split.replace(_FITS_BEFORE, _FITS_AFTER).replace(_HYPHENS_BEFORE, _HYPHENS_AFTER)
    exec(compile(split, line_break.__file__, "exec"), namespace)  # noqa: S102
    namespace = vars(inline)
    namespace.update(_octavo_hyphen_run=HYPHEN_RUN, _octavo_ends_hyphenated=_ends_hyphenated)
    exec(compile(lines.replace(_RUN_INIT_BEFORE, _RUN_INIT_AFTER).replace(_RUN_COUNT_BEFORE, _RUN_COUNT_AFTER),  # noqa: S102
                 inline.__file__, "exec"), namespace)
    # Both are imported by name elsewhere: point those names at the fixed functions.
    inline.split_first_line = preferred.split_first_line = line_break.split_first_line
    block.iter_line_boxes = inline.iter_line_boxes
    line_break._octavo_line_breaking = True
    return True
