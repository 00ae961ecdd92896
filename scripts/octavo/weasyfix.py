"""Keep every footnote on the page of its call (a fix for WeasyPrint 70.0).

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
