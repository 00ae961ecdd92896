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
import re
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
_CLEAN_BEFORE = """        font.clean(to_unicode, options['hinting'])
"""
_CLEAN_AFTER = _CLEAN_BEFORE + """        _octavo_name_font_program(file_fonts)  # octavo: a tag per font program
"""


def _name_font_program(fonts) -> None:
    """Name the font program the fonts in `fonts` share (one file, one description) as
    ISO 32000-1 §9.6.4 asks: a subset is tagged with six capital letters, and a different
    subset of the same font needs a different tag; a whole font has no tag.

    WeasyPrint 70.0 derives the tag from the font's *description* ("EB Garamond 11"), so
    every document it writes tags its subset of a face alike: a chapter-wise book holds
    dozens of different subsets under one name (a RIP that finds fonts by name may use the
    wrong one), and a whole font (`full_fonts`) is tagged as if it were a subset. The tag
    here comes from the bytes of the program itself: the same subset gets the same tag in
    any document, a different one (almost surely) another, and finish.finish_pdf makes sure of
    it within a book."""
    font = fonts[0]
    name = re.sub(rb"^/(?:[A-Z]{6}\+)?", b"", font.name)
    if getattr(font, "octavo_subset", False):
        name = subset_tag(font.file_content).encode() + b"+" + name
    for each in fonts:
        each.name = b"/" + name


def subset_tag(program: bytes, salt: int = 0) -> str:
    """Six capital letters from a hash of a font program's bytes (ISO 32000-1 §9.6.4)."""
    import hashlib

    digest = hashlib.sha256(program + (str(salt).encode() if salt else b"")).digest()
    return "".join(chr(65 + byte % 26) for byte in digest[:6])


def fix_font_embedding() -> bool:
    """Two fixes to how WeasyPrint 70.0 embeds fonts.

    - **Searchable text of whole fonts** (`full_fonts`). For a whole font WeasyPrint
      writes the ToUnicode map from the font's cmap only, so glyphs reached through
      OpenType features (small caps, old-style figures, ligatures) have no text: the
      running heads and the contents' page numbers would read as garbage to a search, a
      screen reader or a test. The text of every glyph used is known from shaping; we add
      it to the map.
    - **A name per font program** (see _name_font_program): a subset's tag comes from its
      bytes, and a whole font has none.

    Exact-match, like the others."""
    import weasyprint.pdf
    from weasyprint.pdf import fonts

    if getattr(fonts, "_octavo_font_embedding", False):
        return True
    source = textwrap.dedent(inspect.getsource(fonts.build_fonts_dictionary))
    subset_source = textwrap.dedent(inspect.getsource(fonts.Font.subset))
    signature = "def subset(self, to_unicode, hinting):"
    if (source.count(_CMAP_BEFORE), source.count(_CLEAN_BEFORE), subset_source.count(signature)) != (1, 1, 1):
        log.warning("WeasyPrint: font embedding fixes not applied; small caps may not be searchable, "
                    "and font subsets may share a name")
        return False
    namespace = vars(fonts)
    namespace["_octavo_name_font_program"] = _name_font_program
    exec(compile(source.replace(_CMAP_BEFORE, _CMAP_AFTER).replace(_CLEAN_BEFORE, _CLEAN_AFTER),  # noqa: S102
                 fonts.__file__, "exec"), namespace)
    weasyprint.pdf.build_fonts_dictionary = fonts.build_fonts_dictionary  # imported there by name
    subset = fonts.Font.subset

    def subset_and_remember(self, to_unicode, hinting):  # noqa: ANN001 (WeasyPrint's signature)
        # Whether glyphs were really dropped: no subset is asked for whole fonts, and a
        # subsetter that fails leaves the program whole (and WeasyPrint says so).
        whole = self.file_content
        subset(self, to_unicode, hinting)
        self.octavo_subset = self.file_content is not whole

    fonts.Font.subset = subset_and_remember
    fonts._octavo_font_embedding = True
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


def stable_image_names() -> bool:
    """WeasyPrint 70 names a raster image's XObject from the md5 of its URL, an absolute
    file path (images.get_image_from_uri): the same book built in another folder gave
    another PDF. Name it from the image's bytes instead (the name also keys WeasyPrint's
    per-document image cache, for which the bytes serve as well). Returns whether active."""
    import hashlib

    from weasyprint import images

    init = images.RasterImage.__init__
    if getattr(init, "octavo_fix", False):
        return True

    def named_by_content(self, pillow_image, image_id, image_data, *args, **kwargs):
        if isinstance(image_data, bytes):
            image_id = hashlib.md5(image_data, usedforsecurity=False).hexdigest()
        init(self, pillow_image, image_id, image_data, *args, **kwargs)

    named_by_content.octavo_fix = True
    images.RasterImage.__init__ = named_by_content
    return True


_ELEMENT_BEFORE = """    # Create box element.
    element = pydyf.Dictionary({
        'Type': '/StructElem',
        'S': f'/{tag}',
        'K': pydyf.Array([]),
        'Pg': pdf.page_references[page_number],
        'P': parent.reference,
    })
    pdf.add_object(element)
"""
_ELEMENT_AFTER = _ELEMENT_BEFORE + "    _octavo_mark_element(pdf, element, box)\n"

#: The private key that names a structure element's HTML element (see mark_structure_elements).
ELEMENT_KEY = "OctavoElement"
#: Private keys beside it: the pseudo-element (`/footnote-call`), the page's footnote area
#: (its kids are the CSS footnotes placed on that page), the ARIA role.
PSEUDO_KEY = "OctavoPseudo"
FOOTNOTE_KEY = "OctavoFootnote"
ROLE_KEY = "OctavoRole"
#: Every private key, dropped from what octavo ships (structtree.repair_tree).
PRIVATE_KEYS = (ELEMENT_KEY, PSEUDO_KEY, FOOTNOTE_KEY, ROLE_KEY)


def _mark_element(pdf, element, box) -> None:
    if type(box).__name__ == "FootnoteAreaBox":  # no HTML element: the page's footnotes
        element[FOOTNOTE_KEY] = True
    source = getattr(box, "element", None)
    if source is None:
        return
    numbers = pdf.__dict__.setdefault("_octavo_elements", {})
    # The element is kept in the dict so that its id() cannot be reused for another.
    key = (id(source), box.element_tag)
    held = numbers.setdefault(key, (source, len(numbers) + 1))
    element[ELEMENT_KEY] = held[1]
    # What the structure repair reads besides the element: the pseudo-element a box was
    # made for (a footnote's call and marker, a contents leader) and the element's ARIA
    # role (the contents' `doc-toc`).
    tag = box.element_tag or ""
    if "::" in tag:
        element[PSEUDO_KEY] = "/" + tag.split("::", 1)[1]
    role = source.get("role")
    if role and "::" not in tag:
        element[ROLE_KEY] = "/" + role
    lang = source.get("lang") or source.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang and "::" not in (box.element_tag or ""):
        import pydyf

        element["Lang"] = pydyf.String(lang)


def mark_structure_elements() -> bool:
    """WeasyPrint 70 builds the structure tree page by page: a paragraph broken by a page
    turn becomes two `P` elements, and nothing says they are one. Every structure element
    made for an HTML element gets a private `/OctavoElement` number, the same on every page
    for the same element (and pseudo-element; anonymous boxes share their element's number),
    so that the screen edition's structure repair can join the parts and then drop the key.
    Beside it: the pseudo-element a box was made for (`/OctavoPseudo /footnote-call`), the
    page's footnote area (`/OctavoFootnote`), the element's ARIA `role` (`/OctavoRole`),
    from which the repair makes notes, note references and the contents (structtree.py).
    An element written with `lang` (or `xml:lang`) gets `/Lang`, which WeasyPrint does not
    write. Exact-match, like the others. Returns whether active."""
    from weasyprint.pdf import tags

    if getattr(tags, "_octavo_marks", False):
        return True
    source = textwrap.dedent(inspect.getsource(tags._build_box_tree))
    if source.count(_ELEMENT_BEFORE) != 1:
        log.warning("WeasyPrint: structure elements not marked; a paragraph broken by a page turn "
                    "stays two paragraphs in the screen edition's structure")
        return False
    namespace = vars(tags)
    namespace["_octavo_mark_element"] = _mark_element
    exec(compile(source.replace(_ELEMENT_BEFORE, _ELEMENT_AFTER), tags.__file__, "exec"), namespace)  # noqa: S102
    tags._octavo_marks = True
    return True
