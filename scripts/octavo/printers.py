"""Printer presets: what each print-on-demand service accepts, in one place.

The build reads them to set margins, bleed and padding; `octavo preflight` measures a
finished PDF against them; the print cover takes its spine width from them. Values come
from ../shared/research/standards.md §1; the ones marked UNVERIFIED there say so here.
Lengths are in inches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Printer:
    name: str
    trims: tuple[tuple[float, float], ...]          # (width, height); empty = any size
    min_pages: int
    max_pages: int
    gutter: tuple[tuple[int, int, float], ...]      # (from_pages, to_pages, min inside margin)
    outside_min: float
    top_bottom_min: float
    even_pages: bool
    fonts_full: bool                                # warn on subset fonts
    pdfx: str | None                                # e.g. "PDF/X-1a": expects OutputIntent, no RGB
    forbid_annotations: bool                        # True: annotations fail; False: they warn
    max_file_mb: float                              # math.inf = no limit
    bleed_min: float | None = None                  # outside/top/bottom minimum when the PDF has bleed
    bleed_sides: str = "outside"                    # "outside" (top, bottom, fore-edge) or "all"
    marks_allowed: bool = False                     # crop marks: never for print-on-demand
    #: Paper thickness per page, for the cover's spine width.
    paper: tuple[tuple[str, float], ...] = (("white", 0.002252), ("cream", 0.0025))
    spine_text_min_pages: int = 80                  # fewer pages: no text on the spine
    spine_margin: float = 0.0625                    # keep spine text this far from the folds
    cover_bleed: float = 0.125


KDP_TRIMS = (
    (5, 8), (5.06, 7.81), (5.25, 8), (5.5, 8.5), (6, 9), (6.14, 9.21), (6.69, 9.61),
    (7, 10), (7.44, 9.69), (7.5, 9.25), (8, 10), (8.25, 6), (8.25, 8.25), (8.5, 8.5),
    (8.5, 11), (8.27, 11.69), (8.25, 11),
)
KDP_GUTTER = ((24, 150, 0.375), (151, 300, 0.5), (301, 500, 0.625), (501, 700, 0.75),
              (701, 828, 0.875))

PRINTERS: dict[str, Printer] = {
    # KDP paperback, B&W. Annotations only warn: whether KDP rejects link annotations is
    # UNVERIFIED (standards.md §1.2). Spine: white 0.002252 in/page, cream 0.0025; spine
    # text needs more than 79 pages (KDP cover guide).
    "kdp": Printer(name="kdp", trims=KDP_TRIMS, min_pages=24, max_pages=828, gutter=KDP_GUTTER,
                   outside_min=0.25, top_bottom_min=0.25, even_pages=True, fonts_full=True, pdfx=None,
                   forbid_annotations=False, max_file_mb=650.0, bleed_min=0.375, bleed_sides="outside",
                   paper=(("white", 0.002252), ("cream", 0.0025)), spine_text_min_pages=80),
    # IngramSpark / Lightning Source: 0.5 in on all sides; PDF/X-1a, CMYK. Trim list and
    # page range UNVERIFIED (login-only guide): any trim, 18-1200 pages. Spine per page
    # UNVERIFIED (their cover template generator is the reference).
    "ingramspark": Printer(name="ingramspark", trims=(), min_pages=18, max_pages=1200,
                           gutter=((1, 1_000_000, 0.5),), outside_min=0.5, top_bottom_min=0.5,
                           even_pages=True, fonts_full=False, pdfx="PDF/X-1a", forbid_annotations=False,
                           max_file_mb=math.inf, bleed_sides="outside",
                           paper=(("white", 0.0025), ("cream", 0.0025)), spine_text_min_pages=48),
    # Lulu: 0.5 in safety margin inside the trim, bleed on every side; size taken from
    # the PDF. Page range and spine UNVERIFIED: 32-800 pages, spine ≈ pages/444 + 0.06 in
    # (written here as per-page thickness 0.00225 plus the margin the template adds).
    "lulu": Printer(name="lulu", trims=(), min_pages=32, max_pages=800, gutter=((1, 1_000_000, 0.5),),
                    outside_min=0.5, top_bottom_min=0.5, even_pages=True, fonts_full=False, pdfx=None,
                    forbid_annotations=False, max_file_mb=math.inf, bleed_sides="all",
                    paper=(("white", 0.00225), ("cream", 0.00225)), spine_text_min_pages=80),
    # generic: permissive (any trim, any count, 0.25 in everywhere); an offset printer
    # may ask for bleed on all sides and crop marks.
    "generic": Printer(name="generic", trims=(), min_pages=1, max_pages=1_000_000,
                       gutter=((1, 1_000_000, 0.25),), outside_min=0.25, top_bottom_min=0.25,
                       even_pages=False, fonts_full=False, pdfx=None, forbid_annotations=False,
                       max_file_mb=math.inf, bleed_sides="all", marks_allowed=True,
                       spine_text_min_pages=80),
}

BLEED = 0.125  # in; every service asks for 1/8 in (3.2 mm)


def gutter_for(printer: Printer, pages: int) -> float:
    """The minimum inside margin for this page count (nearest row outside the table)."""
    rows = sorted(printer.gutter)
    for lo, hi, m in rows:
        if lo <= pages <= hi:
            return m
    return rows[0][2] if pages < rows[0][0] else rows[-1][2]


def paper_thickness(printer: Printer, paper: str) -> float:
    return dict(printer.paper).get(paper, printer.paper[0][1])


def spine_width(printer: Printer, pages: int, paper: str = "white") -> float:
    """Spine width in inches for `pages` interior pages on `paper`."""
    width = pages * paper_thickness(printer, paper)
    if printer.name == "lulu":
        width += 0.06
    return width
