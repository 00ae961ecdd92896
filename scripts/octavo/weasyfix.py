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
