"""A typographic cover for books that bring no cover art (EPUB stores ask for 1600×2560 px)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .config import Book

SIZE = (1600, 2560)
PAPER = (242, 236, 224)
INK = (38, 34, 30)
ACCENT = (128, 38, 32)


def typographic_cover(book: Book, regular: Path, italic: Path, target: Path) -> Path:
    """Draw title, subtitle, series and authors centred on a plain field; save as PNG."""
    image = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    margin = 170
    draw.rectangle([margin // 2, margin // 2, width - margin // 2, height - margin // 2], outline=INK, width=6)
    s = book.schema
    y = 560
    y = _block(draw, s.title, ImageFont.truetype(str(regular), 150), y, width, margin, INK, gap=24)
    if s.subtitle:
        y = _block(draw, s.subtitle, ImageFont.truetype(str(italic), 92), y + 70, width, margin, INK, gap=16)
    draw.line([width / 2 - 120, y + 90, width / 2 + 120, y + 90], fill=ACCENT, width=5)
    if s.series:
        of = f" of {s.series.total}" if s.series.total else ""
        _block(draw, f"Part {s.series.number}{of}".upper(), ImageFont.truetype(str(regular), 62),
               y + 170, width, margin, ACCENT, gap=10, spacing=6)
    if book.authors:
        names = " & ".join(book.authors).upper()
        _block(draw, names, ImageFont.truetype(str(regular), 72), height - 560, width, margin, INK,
               gap=14, spacing=6)
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target, "PNG", optimize=True)
    return target


def _block(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, y: float, width: int,
           margin: int, fill: tuple[int, int, int], *, gap: int, spacing: int = 0) -> float:
    """Draw `text` centred, wrapped to the measure; return the y below it."""
    for line in _wrap(draw, text, font, width - 2 * margin, spacing):
        line_width = _width(draw, line, font, spacing)
        x = (width - line_width) / 2
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
