"""The printed page: trim, margins, bleed and colour for one printer (PageGeometry,
PrintSetup), the page CSS they make, and the measure a chapter's code and tables must fit."""

from __future__ import annotations

from dataclasses import dataclass

from .codewrap import wrap_code
from .config import Book
from .indents import indents
from .tablefit import fit_tables

#: WeasyPrint's write_pdf options for every edition. Fonts are embedded as subsets unless
#: the printer asks for whole fonts (PrintSetup.full_fonts; see weasyfix.fix_font_embedding).
PDF_OPTIONS: dict = {}

#: Chapter-wise layout (layout.py): chapter documents carry no folios (their numbers are
#: not known yet) and no running heads: both editions lay the same chapter pages under
#: their own heads and folios (the print and the screen skeleton).
NO_FOLIOS = ("@page { @bottom-left { content: none !important; } @bottom-right { content: none !important; }"
             " @bottom-center { content: none !important; } }")
NO_HEADS = "@page { @top-center { content: none !important; } }"


#: Code in print: the body size (print.css), the code's share of it, and the code face's
#: advance (Inconsolata: 500/1000 em). A book's own monospace may be wider; WeasyPrint
#: then wraps what is left (pre-wrap), and the measure is never overrun.
BODY_PT, CODE_EM, CODE_ADVANCE = 11.5, 0.85, 0.5


def code_columns(book: Book, indent_em: float = 0.0) -> int:
    """How many characters of code a line of the text block holds, `indent_em` (ems of
    the body size) in from its edges (less two for the widest gutter the printer may
    still ask for)."""
    return int((measure_em(book) - indent_em) / (CODE_EM * CODE_ADVANCE)) - 2


def text_width(book: Book) -> float:
    """The width of the text block in inches, where an image without a width prints this
    wide. The widest it gets: before the page count is known the gutter is at its least."""
    g = page_geometry(book)
    return g.width - g.inner - g.outer


def measure_em(book: Book) -> float:
    """The width of the text block in ems of the body size."""
    return text_width(book) * 72 / BODY_PT


def page_em(book: Book) -> float:
    """The height of the text block in ems of the body size (a turned table's measure)."""
    g = page_geometry(book)
    return (g.height - g.top - g.bottom) * 72 / BODY_PT


def fit_measure(book: Book, content: str) -> str:
    """A chapter's HTML with its code broken and its tables sized to stay in the measure,
    each where it stands (in a quotation or a list the line is shorter)."""
    if "<pre" not in content and "<table" not in content:
        return content
    content = wrap_code(content, lambda at, found=indents(content): code_columns(book, found.get(at, 0.0)))
    return fit_tables(content, measure_em(book), indents(content), page_em(book))


#: The running head sits in the top margin (0.2 in of padding plus its own line), the
#: folio in the bottom margin: a printer's minimum margin is measured to them, not to the
#: text block, so the margins keep this much room beyond the minimum.
HEAD_ROOM = 0.35
FOOT_ROOM = 0.40
#: Glyphs overhang the text block a little (an italic f, a hanging note number), and
#: printers measure ink: where a printer's minimum decides a margin, keep 1/16 in more.
SAFETY = 0.0625
#: Height kept free under a picture for its caption (about three lines), in inches.
FIGURE_CAPTION_ROOM = 0.75


@dataclass(frozen=True)
class PageGeometry:
    """The trimmed page and its margins, in inches, as laid out for one printer."""

    width: float
    height: float
    inner: float
    outer: float
    top: float
    bottom: float
    bleed: float = 0.0            # 0: no bleed
    bleed_sides: str = "outside"  # "outside" (head, foot, fore-edge) or "all"
    marks: bool = False           # crop marks (offset printers only)
    pages: int | None = None      # the page count the gutter was chosen for
    symmetric: bool = False       # screen edition: no inside or outside, no binding


def page_geometry(book: Book, pages: int | None = None) -> PageGeometry:
    """Classical margins for the trim, raised to what the book's printer requires.

    The printer's minimum inside margin grows with the page count (KDP's table), so the
    build lays the book out, counts its pages, and asks again with `pages`."""
    from .printers import BLEED, PRINTERS, gutter_for

    printer = PRINTERS[book.schema.printer]
    width, height = book.trim_inches
    # Mirrored margins: the inner (gutter) margin is wider so text clears the binding;
    # the foot is deeper than the head (classical proportions, see docs/typography.md).
    inner = max(0.75, width * 0.145)
    outer = max(0.6, width * 0.115)
    top, bottom = height * 0.08, height * 0.095
    edge = printer.bleed_min if (book.schema.bleed and printer.bleed_min) else None
    outer = max(outer, (edge or printer.outside_min) + SAFETY)
    top = max(top, (edge or printer.top_bottom_min) + HEAD_ROOM)
    bottom = max(bottom, (edge or printer.top_bottom_min) + FOOT_ROOM)
    if pages is not None:
        inner = max(inner, gutter_for(printer, pages) + SAFETY)
    r = lambda x: round(x, 3)  # noqa: E731
    return PageGeometry(width, height, r(inner), r(outer), r(top), r(bottom),
                        bleed=BLEED if book.schema.bleed or book.schema.marks == "crop" else 0.0,
                        bleed_sides=printer.bleed_sides, marks=book.schema.marks == "crop", pages=pages)


def page_css(book: Book, geometry: PageGeometry | None = None) -> str:
    """Trim, margins and bleed: the only part of the print style that comes from book.yaml."""
    g = geometry or page_geometry(book)
    css = [f"@page {{ size: {g.width}in {g.height}in; margin: {g.top}in {g.outer}in {g.bottom}in {g.inner}in; }}"]
    if g.symmetric:
        side = round((g.inner + g.outer) / 2, 3)
        css.append(f"@page {{ margin-left: {side}in; margin-right: {side}in; }}")
    else:
        css += [f"@page :left {{ margin-left: {g.outer}in; margin-right: {g.inner}in; }}",
                f"@page :right {{ margin-left: {g.inner}in; margin-right: {g.outer}in; }}"]
    if g.bleed and g.bleed_sides == "all":
        css.append(f"@page {{ bleed: {g.bleed}in; }}")
    elif g.bleed:
        # Head, foot and fore-edge only: the spine edge is bound, not trimmed (KDP).
        css += [f"@page :right {{ bleed: {g.bleed}in {g.bleed}in {g.bleed}in 0; }}",
                f"@page :left {{ bleed: {g.bleed}in 0 {g.bleed}in {g.bleed}in; }}"]
    if g.marks:
        css.append("@page { marks: crop; }")
    family = book.schema.fonts.family.replace('"', "")
    css.append(f'html {{ font-family: "{family}", serif; }}')
    # A picture fits the text block's height as well as its width, with room left for a
    # caption of a few lines (figures are kept whole with their captions in print.css);
    # `object-fit` keeps its proportions when the author also gave it a width.
    text_height = g.height - g.top - g.bottom
    css.append(f"img {{ max-height: {round(text_height - FIGURE_CAPTION_ROOM, 3)}in; object-fit: contain; }}")
    if not g.symmetric:  # a spread: the verso carries the book's title
        css.append(f"@page body:left, body-first:left {{ @top-center {{ content: {_css_string(book.schema.title)}; }} }}")
    return "\n".join(css) + "\n"


@dataclass(frozen=True)
class PrintSetup:
    """How one edition's PDF is made: page geometry, colour rules and PDF variant."""

    geometry: PageGeometry
    colour_css: str = ""           # PDF/X: every colour in device CMYK, the printer's profile
    pdf_variant: str | None = None  # e.g. "pdf/x-1a"
    tagged: bool = False           # tagged PDF (structure for screen readers)
    strip_links: bool = False      # print for a print-on-demand service: no annotations
    full_fonts: bool = False       # embed whole font files (KDP recommends it)
    min_pages: int = 0             # pad with blank pages up to the printer's minimum
    even: bool = True

    def css(self, book: Book) -> tuple[str, ...]:
        return tuple(c for c in (page_css(book, self.geometry), self.colour_css) if c)

    def pdf_options(self) -> dict:
        options: dict = dict(PDF_OPTIONS)
        if self.pdf_variant:
            options["pdf_variant"] = self.pdf_variant
        if self.tagged:
            options["pdf_tags"] = True
        if self.full_fonts:
            options["full_fonts"] = True
        return options


#: PDF/X-1a: black is pure K (text in RGB black would print as four-colour "rich black"),
#: and nothing may be RGB. WeasyPrint cannot draw an SVG or a gradient in CMYK, so the
#: short footnote rule becomes a full-measure hairline.
CMYK_CSS = """
html, a, a:visited { color: device-cmyk(0 0 0 1); }
@page { color: device-cmyk(0 0 0 1);
  @footnote { background: none; border-top: 0.4pt solid device-cmyk(0 0 0 1); } }
"""


def print_setup(book: Book, pages: int | None = None) -> PrintSetup:
    """The print edition for the book's printer (book.yaml `printer`)."""
    from .printers import PRINTERS

    printer = PRINTERS[book.schema.printer]
    colour = ""
    variant = None
    if printer.pdfx:
        variant = "pdf/x-1a" if printer.pdfx == "PDF/X-1a" else printer.pdfx.lower()
        colour = CMYK_CSS
        if book.schema.output_profile:
            profile = book.project_path(book.schema.output_profile, key="output_profile")  # checked by config
            colour = ("@color-profile device-cmyk { components: cyan, magenta, yellow, black; "
                      f"src: url({_css_string(profile.as_uri())}); }}\n") + colour
    pod = printer.name != "generic"
    return PrintSetup(page_geometry(book, pages), colour_css=colour, pdf_variant=variant,
                      strip_links=pod, min_pages=printer.min_pages if pod else 0, full_fonts=printer.fonts_full)


def wider_gutter(book: Book, setup: PrintSetup, pages: int) -> PrintSetup | None:
    """The setup a book of `pages` pages needs when the printer's minimum gutter for that
    count is wider than `setup`'s (KDP: 0.375 in up to 150 pages … 0.875 in over 700),
    else None: the layout stands."""
    wider = print_setup(book, pages=pages)
    return wider if wider.geometry.inner > setup.geometry.inner else None


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def chapter_css(book: Book, setup: PrintSetup) -> tuple[str, ...]:
    """The generated styles every chapter is laid out with (chapter-wise layout)."""
    return (*setup.css(book), NO_FOLIOS, NO_HEADS)

