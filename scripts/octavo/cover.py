"""Covers from one source: the EPUB's cover image and the print cover wrap.

- `typographic_cover` draws title, subtitle, series and authors on a plain field, for books
  that bring no cover art (EPUB stores ask for 1600×2560 px); it draws the same design at
  any size, so the print cover's front is the EPUB cover, at 300 ppi.
- `epub_cover` is the EPUB's cover image: the book's own art (book.yaml `cover:`) fitted to
  1600×2560, or the typographic cover.
- `build_print_cover` lays out the one-piece print cover — back, spine, front, with bleed —
  as a PDF for the printer's cover upload; `cover_geometry` gives its sizes.
"""

from __future__ import annotations

import html
import logging
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

from .config import Book
from .errors import ConfigError, ResourceRefused, ToolError

log = logging.getLogger(__name__)
from .printers import PRINTERS, Printer, spine_width
from .styles import Styles

SIZE = (1600, 2560)
PAPER = (242, 236, 224)
INK = (38, 34, 30)
ACCENT = (128, 38, 32)

#: Print images want 300 ppi at their printed size (KDP, IngramSpark, Lulu; standards.md §1.1).
PRINT_PPI = 300
#: Text stays this far inside the trim and away from the spine folds. KDP: "at least
#: 0.25 in from the spine and from every trim edge" (the cover's safe area).
SAFE = 0.25
#: KDP prints the ISBN barcode in a white box of 2 × 1.2 in in the lower right of the back
#: cover, at least 0.25 in from the spine fold and the trim; nothing of ours may be in it.
#: Source [secondary]: https://publishing.co.uk/guides/kdp-error-barcode-placement/, which
#: cites KDP's help page on barcodes (suggested size 2" × 1.2"; minimum 1.4" × 0.8"; 0.25"
#: from the spine and every trim edge); kdpprintcover.com/blog/how-to-design-kdp-back-cover
#: agrees on 2" × 1.2" at the lower right. KDP's own page was not read (not stored). The
#: box is kept for every printer (where IngramSpark and Lulu want theirs is UNVERIFIED).
BARCODE = (2.0, 1.2)


# --- the typographic cover ---------------------------------------------------------------

def typographic_cover(book: Book, faces: tuple[Path, Path], target: Path,
                      size: tuple[int, int] | None = None, *,
                      bleed: tuple[int, int, int, int] = (0, 0, 0, 0), optimize: bool = True) -> Path:
    """Draw title, subtitle, series and authors centred on a plain field; save as PNG.

    `size` (px, default 1600×2560) is the whole image; `bleed` (left, top, right, bottom,
    px) is paper that the printer trims off: the design is laid out in the rest, scaled
    from the 1600×2560 design (positions with the trimmed width and height, type and
    rules with the smaller of the two scales)."""
    regular, italic = faces  # the book face, upright and italic
    width, height = size or SIZE
    left, top, right, bottom = bleed
    inner_w, inner_h = width - left - right, height - top - bottom
    sx, sy = inner_w / SIZE[0], inner_h / SIZE[1]
    s = min(sx, sy)
    image = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    margin = round(170 * sx)
    frame = round(85 * s)
    draw.rectangle([left + frame, top + frame, left + inner_w - frame, top + inner_h - frame],
                   outline=INK, width=max(1, round(6 * s)))

    def font(path: Path, px: float) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(path), max(1, round(px * s)))

    def block(text: str, face: ImageFont.FreeTypeFont, y: float, fill: tuple[int, int, int], gap: float,
              spacing: float = 0) -> float:
        return _block(_Pen(draw, inner_w, margin, left), text, _Type(face, fill, round(gap * s), round(spacing * s)), y)

    sch = book.schema
    y = top + 560 * sy
    y = block(sch.title, font(regular, 150), y, INK, 24)
    if sch.subtitle:
        y = block(sch.subtitle, font(italic, 92), y + 70 * s, INK, 16)
    centre = left + inner_w / 2
    draw.line([centre - 120 * s, y + 90 * s, centre + 120 * s, y + 90 * s], fill=ACCENT,
              width=max(1, round(5 * s)))
    if sch.series:
        block(_series_part(book).upper(), font(regular, 62), y + 170 * s, ACCENT, 10, 6)
    if book.authors:
        # From 560 px above the foot of the design down to the frame, less a margin, and
        # up to 300 px more above it for a long list (the block then starts higher).
        room = (560 - 85 - 110 + 300) * s
        lines, face, shown = _names_lines(draw, [n.upper() for n in book.authors], lambda px: font(regular, px),
                                          (inner_w - 2 * margin, room), round(6 * s), book.phrases["and-others"].upper())
        if shown < len(book.authors):
            log.warning("the cover shows %d of %d authors, then '%s': the rest do not fit at a legible size",
                        shown, len(book.authors), book.phrases["and-others"])
        ascent, descent = face.getmetrics()
        y = top + inner_h - 560 * sy - max(0, len(lines) - 3) * (ascent + descent + 14 * s)
        for line in lines:
            y = block(line, face, y, INK, 14, 6)
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target, "PNG", optimize=optimize, compress_level=9 if optimize else 1)
    return target


def _series_part(book: Book) -> str:
    from .phrases import fill

    series = book.schema.series
    return fill(book.phrases["part-of"] if series.total else book.phrases["part"], number=series.number,
                total=series.total)


#: The authors' type on the cover: the design's size and the smallest that stays legible
#: in a shop's thumbnail (in the 1600 x 2560 design's pixels).
AUTHORS_PX, AUTHORS_MIN_PX = 72, 44


def _names_lines(draw: ImageDraw.ImageDraw, names: list[str], face, box: tuple[int, float], spacing: int,
                 others: str) -> tuple[list[str], ImageFont.FreeTypeFont, int]:
    """The authors as lines of whole names ("A & B" / "C"): a name is never broken. The
    type shrinks until every name fits the measure and the lines fit the room (`box`:
    width and height in px); only then are the last names replaced by "and others".
    Returns (lines, font, how many names are shown)."""
    measure, room = box
    def pack(shown: list[str], font, tail: str = "") -> list[str] | None:
        lines: list[str] = []
        for name in shown:
            if _width(draw, name, font, spacing) > measure:
                return None
            if lines and _width(draw, lines[-1] + " & " + name, font, spacing) <= measure:
                lines[-1] += " & " + name
            else:
                lines.append(name)
        if tail:
            if lines and _width(draw, lines[-1] + " " + tail, font, spacing) <= measure:
                lines[-1] += " " + tail
            else:
                lines.append(tail)
        ascent, descent = font.getmetrics()
        return lines if len(lines) * (ascent + descent) * 1.2 <= room else None

    for px in range(AUTHORS_PX, AUTHORS_MIN_PX - 1, -4):
        lines = pack(names, face(px))
        if lines is not None:
            return lines, face(px), len(names)
    smallest = face(AUTHORS_MIN_PX)
    for keep in range(len(names) - 1, 0, -1):
        lines = pack(names[:keep], smallest, others)
        if lines is not None:
            return lines, smallest, keep
    return [names[0]], smallest, 1


@dataclass(frozen=True)
class _Pen:
    """Where a cover's text goes: the drawing, the width of its field, the side margin
    and the field's left edge (past the bleed)."""

    draw: ImageDraw.ImageDraw
    width: int
    margin: int
    x0: float = 0


@dataclass(frozen=True)
class _Type:
    font: ImageFont.FreeTypeFont
    fill: tuple[int, int, int]
    gap: int  # below each line, px
    spacing: int = 0  # between letters, px


def _block(pen: _Pen, text: str, type_: _Type, y: float) -> float:
    """Draw `text` centred, wrapped to the measure; return the y below it."""
    draw, width, margin, x0 = pen.draw, pen.width, pen.margin, pen.x0
    font, fill, gap, spacing = type_.font, type_.fill, type_.gap, type_.spacing
    for line in _wrap(draw, text, font, width - 2 * margin, spacing):
        line_width = _width(draw, line, font, spacing)
        x = x0 + (width - line_width) / 2
        for char in line if spacing else [line]:
            draw.text((x, y), char, font=font, fill=fill)
            x += _width(draw, char, font, 0) + spacing
        ascent, descent = font.getmetrics()
        y += ascent + descent + gap
    return y


def _width(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, spacing: int) -> float:
    return draw.textlength(text, font=font) + spacing * max(len(text) - 1, 0)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, measure: int,
          spacing: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and _width(draw, lines[-1] + " " + word, font, spacing) <= measure:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


# --- one source for both editions ----------------------------------------------------------

def cover_fonts(styles: Styles) -> tuple[Path, Path]:
    """The regular and italic font files of the book face (as the EPUB build picks them)."""
    by_name = {p.name.lower(): p for p in styles.fonts}
    regular = next((p for n, p in by_name.items() if "regular" in n), styles.fonts[0])
    italic = next((p for n, p in by_name.items() if "italic" in n and "bold" not in n), regular)
    return regular, italic


def cover_art(book: Book) -> Path | None:
    """The book's own cover art (book.yaml `cover:`, checked when the book was loaded);
    None for a typographic cover."""
    if not book.schema.cover:
        return None
    return book.project_path(book.schema.cover, key="cover")


def epub_cover(book: Book, styles: Styles, target: Path) -> Path:
    """The EPUB's cover image, exactly 1600×2560 px; returns the file written.

    The book's own art is shown whole: scaled to fit 1600×2560, on a field of its own edge
    colour when its proportions differ (a crop would cut off a title or a name); a
    photograph (any art that is not a PNG) is written as JPEG beside `target` (its suffix
    becomes .jpg), since a photograph as PNG is several times larger. Without art: the
    typographic cover, as PNG."""
    art = cover_art(book)
    target.parent.mkdir(parents=True, exist_ok=True)
    if art is None:
        regular, italic = cover_fonts(styles)
        return typographic_cover(book, (regular, italic), target)
    with Image.open(art) as source:
        is_png = source.format == "PNG"
        image = ImageOps.exif_transpose(source)
        image = image.convert("RGBA" if is_png and "A" in image.getbands() else "RGB")
        if image.mode == "RGBA":  # readers show transparency on any colour: flatten on paper
            field = Image.new("RGB", image.size, PAPER)
            field.paste(image, mask=image.getchannel("A"))
            image = field
        fitted = fit_whole(image, SIZE)
    if is_png:
        fitted.save(target, "PNG", optimize=True)
        return target
    target = target.with_suffix(".jpg")
    fitted.save(target, "JPEG", quality=90, optimize=True)
    return target


#: Art whose proportions are this close to the cover's fills it (a sliver is cropped).
SAME_SHAPE = 0.02


def fit_whole(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """`image` scaled to fit `size` whole, centred on a field of the colour of its edges;
    art of (almost) the same proportions fills it."""
    ratio = (image.width / image.height) / (size[0] / size[1])
    if abs(ratio - 1) <= SAME_SHAPE:
        return ImageOps.fit(image, size, method=Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    rgb = image.convert("RGB")
    strips = ((0, 0, rgb.width, 1), (0, rgb.height - 1, rgb.width, rgb.height),
              (0, 0, 1, rgb.height), (rgb.width - 1, 0, rgb.width, rgb.height))
    # (the strips' pixels through tobytes: Image.getdata goes in Pillow 14)
    edge = [tuple(data[i:i + 3]) for box in strips for data in [rgb.crop(box).tobytes()]
            for i in range(0, len(data), 3)]
    colour = tuple(sorted(channel)[len(channel) // 2] for channel in zip(*edge))  # the median edge colour
    return ImageOps.pad(rgb, size, method=Image.Resampling.LANCZOS, color=colour, centering=(0.5, 0.5))


def art_ppi(art: Path, width_in: float, height_in: float) -> float:
    """The resolution the art has when it fills `width_in` × `height_in` inches."""
    with Image.open(art) as image:
        width, height = ImageOps.exif_transpose(image).size
    return min(width / width_in, height / height_in) if width_in and height_in else 0.0


# --- the print cover ----------------------------------------------------------------------

@dataclass(frozen=True)
class CoverGeometry:
    """The one-piece cover, in inches: bleed | back | spine | front | bleed."""

    printer: str
    pages: int
    paper: str
    trim_width: float
    trim_height: float
    spine: float
    bleed: float
    width: float          # 2 × trim width + spine + 2 × bleed
    height: float         # trim height + 2 × bleed
    spine_text: bool      # thick enough for text on the spine
    spine_text_min_pages: int
    spine_margin: float   # spine text keeps this far from each fold

    # x positions from the left edge of the sheet
    @property
    def back_x(self) -> float:
        return self.bleed

    @property
    def spine_x(self) -> float:
        return self.bleed + self.trim_width

    @property
    def front_x(self) -> float:
        return self.bleed + self.trim_width + self.spine

    @property
    def barcode(self) -> tuple[float, float, float, float]:
        """The barcode box (x, y, width, height) from the sheet's top left corner."""
        w, h = BARCODE
        x = self.spine_x - SAFE - w
        y = self.bleed + self.trim_height - SAFE - h
        return (x, y, w, h)


def cover_geometry(book: Book, pages: int) -> CoverGeometry:
    """The print cover's sizes for `pages` interior pages on the book's printer and paper."""
    printer: Printer = PRINTERS[book.schema.printer]
    trim_w, trim_h = book.trim_inches
    spine = spine_width(printer, pages, book.schema.paper)
    bleed = printer.cover_bleed  # every printer wants bleed on the cover
    return CoverGeometry(printer=printer.name, pages=pages, paper=book.schema.paper,
                         trim_width=trim_w, trim_height=trim_h, spine=spine, bleed=bleed,
                         width=2 * trim_w + spine + 2 * bleed, height=trim_h + 2 * bleed,
                         spine_text=pages >= printer.spine_text_min_pages,
                         spine_text_min_pages=printer.spine_text_min_pages,
                         spine_margin=printer.spine_margin)


def build_print_cover(book: Book, styles: Styles, pages: int, target: Path) -> Path:
    """Write the print cover for `pages` interior pages to `target` (a one-page PDF).

    MediaBox = BleedBox = the whole sheet; TrimBox = the sheet less the bleed. The file
    appears at `target` only when complete (written beside it, then renamed)."""
    import pikepdf

    from .fetcher import ProjectFetcher

    if pages < 1:
        raise ConfigError(f"a book needs at least one page for a cover (got {pages})", hint="pass --pages N")
    geometry = cover_geometry(book, pages)
    art = cover_art(book)
    if art is not None:
        # The front and its bleed: the art fills them at its printed size.
        width_in = geometry.trim_width + geometry.bleed
        height_in = geometry.trim_height + 2 * geometry.bleed
        ppi = art_ppi(art, width_in, height_in)
        if ppi < PRINT_PPI:
            log.warning("%s: warning: the cover art is %.0f ppi at its printed size (%.2f × %.2f in); printers "
                        "ask for %d: use an image of at least %d × %d px [cover-resolution]",
                        book.locate("cover"), ppi, width_in, height_in, PRINT_PPI,
                        math.ceil(width_in * PRINT_PPI), math.ceil(height_in * PRINT_PPI))
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="octavo-cover-") as scratch:
        work = Path(scratch)
        front = art or _typographic_front(book, styles, geometry, work / "front.png")
        fetcher = ProjectFetcher(allowed=(book.root, styles.directory, *{f.parent for f in styles.fonts}, work))
        spine = _spine_layout(book, styles, geometry) if geometry.spine_text else None
        palette = _palette(art, geometry)
        blurb_pt, back_top = _fit_blurb(book, styles, geometry, palette, fetcher)
        document = _cover_html(book, styles, geometry, palette, _WrapParts(front, spine, blurb_pt, back_top))
        fd, name = tempfile.mkstemp(prefix=f".{book.slug}-cover-", suffix=".tmp", dir=target.parent)
        os.close(fd)
        temporary = Path(name)
        try:
            _render(document, book, fetcher, temporary)
            points = [round(v * 72, 4) for v in (geometry.width, geometry.height, geometry.bleed)]
            width, height, bleed = points
            with pikepdf.open(temporary, allow_overwriting_input=True) as pdf:
                page = pdf.pages[0]
                page.MediaBox = pikepdf.Array([0, 0, width, height])
                page.BleedBox = pikepdf.Array([0, 0, width, height])
                page.TrimBox = pikepdf.Array([bleed, bleed, width - bleed, height - bleed])
                if "/CropBox" in page:
                    del page.CropBox
                if "/ArtBox" in page:
                    del page.ArtBox
                pdf.docinfo["/Title"] = f"{book.schema.title} (cover)"
                pdf.save(temporary, deterministic_id=True)
            temporary.chmod(0o644)  # mkstemp makes it private; the cover is an ordinary output
            os.replace(temporary, target)
        except OSError as exc:
            raise ToolError(f"could not write the cover: {exc}") from exc
        finally:
            temporary.unlink(missing_ok=True)
    return target


def _typographic_front(book: Book, styles: Styles, g: CoverGeometry, target: Path) -> Path:
    """The typographic cover for the front panel and its bleed (top, bottom, outside), at
    no less than 300 ppi."""
    regular, italic = cover_fonts(styles)
    width = math.ceil((g.trim_width + g.bleed) * PRINT_PPI)
    height = math.ceil(g.height * PRINT_PPI)
    bleed = round(g.bleed * PRINT_PPI)
    return typographic_cover(book, (regular, italic), target, (width, height),
                             bleed=(0, bleed, width - math.ceil(g.trim_width * PRINT_PPI), bleed),
                             optimize=False)


@dataclass(frozen=True)
class _Spine:
    title: str
    authors: str
    size: float       # pt, the title; the authors are set at AUTHOR_SCALE of it
    top: float        # in: the line box's top inside the (unrotated) spine box


AUTHOR_SCALE = 0.8
SPINE_MAX_PT = 16.0
SPINE_TRACKING = 0.08  # em of letter-spacing on the spine's capitals
SPINE_END = 0.5        # in: spine text keeps this far from the top and bottom trim


def _spine_layout(book: Book, styles: Styles, g: CoverGeometry) -> _Spine:
    """Size and place the spine line so its ink fits the spine less the margins, centred.

    The line is set in capitals (their ink is the cap height, so a thin spine can take
    larger type). Sizes come from the font's own outlines and metrics."""
    from fontTools.ttLib import TTFont

    regular, _ = cover_fonts(styles)
    title = book.schema.title.upper()
    authors = " & ".join(book.authors).upper()
    probe = ImageFont.truetype(str(regular), 1000)

    def ink(text: str) -> tuple[float, float, float]:
        """(ascent, descent, advance) of `text` in em, letter-spaced."""
        if not text:
            return 0.0, 0.0, 0.0
        _, top, _, bottom = probe.getbbox(text, anchor="ls")
        return -top / 1000, bottom / 1000, probe.getlength(text) / 1000 + SPINE_TRACKING * len(text)

    t_up, t_down, t_len = ink(title)
    a_up, a_down, a_len = ink(authors)
    k = AUTHOR_SCALE
    up, down = max(t_up, k * a_up), max(t_down, k * a_down)
    gap = 1.6 if authors else 0.0  # em between title and authors (a dot sits in it)
    length = t_len + gap + k * a_len
    across = (g.spine - 2 * g.spine_margin) * 72          # pt the ink may take across the spine
    along = (g.trim_height - 2 * SPINE_END) * 72 * 0.97   # pt along it (3 % for shaping)
    size = min(SPINE_MAX_PT, across / max(up + down, 1e-3), along / max(length, 1e-3))
    # Where the baseline sits in a line box of line-height 1: the font's ascent and
    # descent (hhea; what Pango lays out with) share out the half-leading.
    font = TTFont(str(regular), lazy=True)
    units = font["head"].unitsPerEm
    os2 = font["OS/2"]
    if os2.fsSelection & (1 << 7):  # USE_TYPO_METRICS
        ascent, descent = os2.sTypoAscender / units, -os2.sTypoDescender / units
    else:
        ascent, descent = font["hhea"].ascent / units, -font["hhea"].descent / units
    baseline_in_line = ((1 - (ascent + descent)) / 2 + ascent) * size / 72
    # Inside the unrotated box (height = spine width; its top edge turns to the front
    # fold), centre the ink: baseline at spine/2 + (ink up - ink down)/2.
    baseline = g.spine / 2 + (up - down) * size / 72 / 2
    return _Spine(title=book.schema.title, authors=" & ".join(book.authors), size=size,
                  top=baseline - baseline_in_line)


def _font_faces(book: Book, styles: Styles) -> str:
    """@font-face rules for every font file of the book face, weight and style from the name."""
    family = book.schema.fonts.family.replace('"', "")
    rules = []
    for path in styles.fonts:
        name = path.stem.lower().replace("-", "").replace("_", "")
        style = "italic" if "italic" in name or "oblique" in name else "normal"
        weight = 400
        for word, value in (("thin", 100), ("extralight", 200), ("light", 300), ("medium", 500),
                            ("semibold", 600), ("demibold", 600), ("extrabold", 800), ("black", 900)):
            if word in name:
                weight = value
                break
        else:
            if "bold" in name:
                weight = 700
        rules.append(f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); '
                     f"font-weight: {weight}; font-style: {style}; }}")
    return "\n".join(rules)


@dataclass(frozen=True)
class Palette:
    paper: tuple[int, int, int]   # the back's and the spine's ground
    ink: tuple[int, int, int]
    accent: tuple[int, int, int]


def _palette(art: Path | None, g: CoverGeometry) -> Palette:
    """The typographic cover's colours; with cover art, its colour at the spine fold as the
    ground of spine and back (no colour edge at a fold, where the fold may shift), with ink
    that reads on it."""
    if art is None:
        return Palette(PAPER, INK, ACCENT)
    from PIL import ImageStat

    with Image.open(art) as source:
        image = ImageOps.exif_transpose(source).convert("RGB")
    # What object-fit: cover shows of the art on the front panel and its bleed.
    panel_w, panel_h = g.trim_width + g.bleed, g.height
    scale = max(panel_w / image.width, panel_h / image.height)
    shown_w, shown_h = panel_w / scale, panel_h / scale
    x0, y0 = (image.width - shown_w) / 2, (image.height - shown_h) / 2
    strip = max(1.0, shown_w * 0.02)  # the art's first 2 % from the fold
    edge = image.crop((int(x0), int(y0), max(int(x0) + 1, round(x0 + strip)), max(int(y0) + 1, round(y0 + shown_h))))
    ground = tuple(round(v) for v in ImageStat.Stat(edge).mean[:3])
    if _luminance(ground) > 0.4:
        return Palette(ground, INK, ACCENT if _contrast(ground, ACCENT) >= 3 else INK)
    return Palette(ground, PAPER, PAPER)


def _luminance(colour: tuple[int, ...]) -> float:
    """WCAG relative luminance."""
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _rgb(colour: tuple[int, int, int]) -> str:
    return "rgb({}, {}, {})".format(*colour)


BLURB_PT = (13.0, 8.0)  # the blurb's largest and smallest size


def _back_box(g: CoverGeometry) -> tuple[float, float, float, float, float]:
    """(left, width, highest top, preferred top, bottom limit) of the back panel's text, in
    inches on the sheet. It prefers to start level with the front's title (the typographic
    cover sets it at 560/2560 of the trim height) and must end above the barcode box."""
    side = max(0.5, 0.125 * g.trim_width)
    highest = g.bleed + max(0.75, 0.09 * g.trim_height)
    preferred = g.bleed + 560 / SIZE[1] * g.trim_height
    limit = g.barcode[1] - SAFE
    return g.back_x + side, g.trim_width - 2 * side, highest, preferred, limit


TITLE_EM = 1.45  # the back's title, in ems of the blurb


def _back_html(book: Book, styles: Styles, g: CoverGeometry, size: float) -> str:
    esc = html.escape
    s = book.schema
    _, italic = cover_fonts(styles)
    measure = _back_box(g)[1] * 72
    parts = []
    if s.series:
        # The series' name, unless it is the title (as for a book in parts).
        name = "" if s.series.name.casefold() == s.title.casefold() else f"{esc(s.series.name)} · "
        parts.append(f'<p class="series">{name}{esc(_series_part(book))}</p>')
    title = "<br>".join(esc(line) for line in _balanced(s.title, italic, TITLE_EM * size, measure))
    parts.append(f'<p class="back-title">{title}</p><div class="rule"></div>')
    if s.description:
        paragraphs = [p.strip() for p in s.description.split("\n\n") if p.strip()]
        parts += [f'<p class="blurb">{esc(p)}</p>' for p in paragraphs]
    if book.authors:
        parts.append(f'<p class="back-author">{esc(" & ".join(book.authors))}</p>')
    return f'<div id="back" style="font-size: {size:.2f}pt">{"".join(parts)}</div>'


def _balanced(text: str, font_path: Path, size: float, measure: float) -> list[str]:
    """`text` in as few lines as fit `measure` (pt), the lines as even as can be (a title
    should not leave one word on a line of its own). Widths from Pillow, with 4 % to spare
    for the difference from WeasyPrint's shaping."""
    font = ImageFont.truetype(str(font_path), 100)
    words = text.split()

    def width(line: list[str]) -> float:
        return font.getlength(" ".join(line)) * size / 100

    def wrap(limit: float) -> list[list[str]]:
        lines: list[list[str]] = []
        for word in words:
            if lines and width(lines[-1] + [word]) <= limit:
                lines[-1].append(word)
            else:
                lines.append([word])
        return lines

    fit = measure * 0.96
    fewest = len(wrap(fit))
    # The narrowest measure that still needs no more lines than the full one.
    low, high = max(width([w]) for w in words), fit
    while high - low > 0.5:
        middle = (low + high) / 2
        low, high = (low, middle) if len(wrap(middle)) <= fewest else (middle, high)
    return [" ".join(line) for line in wrap(high)]


def _css(book: Book, styles: Styles, g: CoverGeometry, palette: Palette, top: float) -> str:
    left, width, *_ = _back_box(g)
    paper, ink, accent = (_rgb(c) for c in (palette.paper, palette.ink, palette.accent))
    return f"""
{_font_faces(book, styles)}
@page {{ size: {g.width:.4f}in {g.height:.4f}in; margin: 0; background: {paper}; }}
html, body {{ margin: 0; padding: 0; }}
body {{ font-family: "{book.schema.fonts.family.replace('"', '')}", serif; color: {ink};
        font-kerning: normal; }}
#back {{ position: absolute; left: {left:.4f}in; top: {top:.4f}in; width: {width:.4f}in;
         line-height: 1.42; hyphens: auto; }}
#back p {{ margin: 0; }}
#back .series {{ color: {accent}; font-size: 0.8em; hyphens: manual; letter-spacing: 0.12em;
                 text-transform: uppercase; text-align: center; margin-bottom: 0.5em; }}
#back .back-title {{ font-style: italic; font-size: {TITLE_EM}em; hyphens: manual; line-height: 1.25;
                     text-align: center; margin-bottom: 0.8em; }}
#back .rule {{ width: 0.9in; margin: 0 auto 0.9em; border-top: 1.2pt solid {accent}; }}
#spine .dot {{ color: {accent}; padding: 0 0.5em; }}
#back .blurb {{ text-align: justify; }}
#back .blurb + .blurb {{ text-indent: 1.2em; }}
#back .back-author {{ margin-top: 1em; hyphens: manual; text-align: center; letter-spacing: 0.1em;
                      text-transform: uppercase; font-size: 0.85em; }}
#front {{ position: absolute; left: {g.front_x:.4f}in; top: 0; width: {g.trim_width + g.bleed:.4f}in;
          height: {g.height:.4f}in; overflow: hidden; }}
#front img {{ display: block; width: 100%; height: 100%; object-fit: cover; object-position: center; }}
#barcode {{ position: absolute; left: {g.barcode[0]:.4f}in; top: {g.barcode[1]:.4f}in;
            width: {g.barcode[2]:.4f}in; height: {g.barcode[3]:.4f}in; background: #fff; }}
"""


def _spine_html(g: CoverGeometry, spine: _Spine) -> str:
    esc = html.escape
    length = g.trim_height - 2 * SPINE_END
    # The box is laid out upright — `length` wide, the spine's width high — centred on the
    # spine, then turned 90° clockwise about its centre: the line reads top to bottom.
    left = g.spine_x + g.spine / 2 - length / 2
    top = g.bleed + g.trim_height / 2 - g.spine / 2
    authors = ""
    if spine.authors:
        authors = (f'<span class="dot">·</span><span class="authors" style="font-size: {AUTHOR_SCALE}em">'
                   f"{esc(spine.authors)}</span>")
    return (f'<div id="spine" style="position: absolute; left: {left:.4f}in; top: {top:.4f}in; '
            f"width: {length:.4f}in; height: {g.spine:.4f}in; transform: rotate(90deg); "
            f'transform-origin: 50% 50%;">'
            f'<div style="position: absolute; left: 0; right: 0; top: {spine.top:.4f}in; '
            f"font-size: {spine.size:.3f}pt; line-height: 1; white-space: nowrap; text-align: center; "
            f'text-transform: uppercase; letter-spacing: {SPINE_TRACKING}em;">'
            f'<span class="title">{esc(spine.title)}</span>{authors}</div></div>')


@dataclass(frozen=True)
class _WrapParts:
    """What the wrap's HTML is made of besides the book: the front art, the spine's text
    (None on a thin spine), the blurb's type size and where the back's text begins."""

    front: Path
    spine: _Spine | None
    blurb_pt: float
    back_top: float


def _cover_html(book: Book, styles: Styles, g: CoverGeometry, palette: Palette, parts: _WrapParts) -> str:
    esc = html.escape
    front, spine, blurb_pt, back_top = parts.front, parts.spine, parts.blurb_pt, parts.back_top
    return (f'<!DOCTYPE html><html lang="{esc(book.schema.language)}"><head><meta charset="utf-8">'
            f"<title>{esc(book.schema.title)} (cover)</title>"
            f"<style>{_css(book, styles, g, palette, back_top)}</style></head><body>"
            f"{_back_html(book, styles, g, blurb_pt)}"
            f'<div id="barcode"></div>'
            f'{_spine_html(g, spine) if spine else ""}'
            f'<div id="front"><img src="{front.as_uri()}" alt=""></div>'
            f"</body></html>")


def _fit_blurb(book: Book, styles: Styles, g: CoverGeometry, palette: Palette,
               fetcher) -> tuple[float, float]:
    """The back text's size (pt: the largest, in half points, that ends above the barcode
    box) and its top (in: level with the front's title when there is room, else higher)."""
    from weasyprint import HTML

    _, _, highest, preferred, limit = _back_box(g)
    page = f"<style>{_css(book, styles, g, palette, highest)}</style>"
    size = BLURB_PT[0]
    while True:
        document = HTML(string=f'<html lang="{html.escape(book.schema.language)}"><head>{page}</head>'
                               f"<body>{_back_html(book, styles, g, size)}</body></html>",
                        url_fetcher=fetcher).render()
        bottom = _box_bottom(document, "back")
        height = 0.0 if bottom is None else bottom / 96 - highest
        if highest + height <= limit + 1e-6:
            return size, max(highest, min(preferred, limit - height))
        if size <= BLURB_PT[1]:
            raise ConfigError(f"the description is too long for the back cover (it needs {height:.1f} in "
                              f"at {size:g} pt; there are {limit - highest:.1f} in)",
                              where=book.locate("description"), hint="shorten 'description'")
        size -= 0.5


def _box_bottom(document, element_id: str) -> float | None:
    """The bottom (CSS px from the page top) of the element with this id, or None."""
    page_box = document.pages[0]._page_box
    for box in page_box.descendants():
        element = getattr(box, "element", None)
        if element is not None and element.get("id") == element_id and hasattr(box, "content_box_y"):
            return box.content_box_y() + box.height
    return None


def _render(document: str, book: Book, fetcher, target: Path) -> None:
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from .weasyfix import fast_font_subsets, fix_font_embedding, stable_image_names

    fast_font_subsets()
    fix_font_embedding()
    stable_image_names()
    try:
        HTML(string=document, base_url=str(book.root) + "/", url_fetcher=fetcher,
             media_type="print").write_pdf(target)
    except FatalURLFetchingError as exc:
        raise ResourceRefused(str(exc), hint="keep the cover art and fonts inside the project") from None
    except Exception as exc:  # WeasyPrint raises many kinds; translate them all
        raise ToolError(f"WeasyPrint could not lay out the cover: {exc}",
                        hint="run with --debug for the full traceback") from exc
