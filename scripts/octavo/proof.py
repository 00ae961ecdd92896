"""Proof sheets: the print PDF's spreads, as the book opens, on PNG contact sheets.

A book opens with page 1 alone on the right (a recto), then every verso faces the recto
after it. Sheets show `SPREADS_PER_SHEET` spreads at `SHEET_DPI` (text readable, a page
about the size of a paperback's at arm's length); the overview shows every page small, in
spreads, on one image, to judge the rhythm of the book: chapter openings, blank pages,
where the figures fall. Pages are cut to the trim box: what the reader holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

SHEET_DPI = 100
SPREADS_PER_SHEET = 8
SHEET_COLUMNS = 2  # spreads side by side on a sheet; SPREADS_PER_SHEET / SHEET_COLUMNS rows
# Sheet geometry in pixels (at any page size): the outer margin, the space between two
# spreads across and down, the band under each spread for its page numbers, the title band.
MARGIN, COLUMN_GAP, ROW_GAP, LABEL_BAND, HEADER_BAND = 40, 60, 24, 40, 56
# The overview fits in OVERVIEW_WIDTH × OVERVIEW_HEIGHT pixels (a long book's pages get
# smaller); a short book's pages stop growing at OVERVIEW_MAX_PAGE_WIDTH.
OVERVIEW_WIDTH, OVERVIEW_HEIGHT, OVERVIEW_MAX_PAGE_WIDTH = 2400, 1600, 150
OVERVIEW_GAP, OVERVIEW_LABEL_BAND = 14, 22

# zlib level 3: measured on a sheet of text, as small as level 9 with Pillow's optimize
# (1.6 vs 1.8 MB) at a fifth of the time; the encoding was 90% of a proof's time.
PNG_EFFORT = 3

BACKGROUND = (232, 230, 225)  # a neutral light grey table, so white pages stand out
PAPER_EDGE = (176, 172, 164)
GUTTER = (150, 146, 138)  # the thin line where the two pages of a spread meet
INK = (60, 58, 54)
QUIET_INK = (120, 116, 108)


@dataclass(frozen=True)
class Proof:
    sheets: list[Path]
    overview: Path
    pages: int
    spreads: int
    up_to_date: bool = False  # the sheets were already those of this PDF: nothing was drawn


def proof_book(book_dir: Path, out_dir: Path | None = None, **build_options) -> Proof:
    """Build the print PDF (a no-op when it is up to date: the build's own stamp decides)
    and draw its proof sheets into OUT/proof, unless they already show this very PDF."""
    from .build import build
    from .config import load_book

    report = build(book_dir, formats=("pdf",), out_dir=out_dir, **build_options)
    pdf = report.outputs["pdf"]
    folder = pdf.parent / "proof"
    title = load_book(Path(book_dir)).schema.title
    key = _proof_key(pdf, title)
    stamp = folder / ".proof-of"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == key:
        sheets = sorted(folder.glob("sheet-*.png"))
        if sheets and (folder / "overview.png").is_file():
            count = len(spreads(_page_count(pdf)))
            return Proof(sheets, folder / "overview.png", _page_count(pdf), count, up_to_date=True)
    stamp.unlink(missing_ok=True)
    proof = make_proof(pdf, folder, title=title)
    stamp.write_text(key, encoding="utf-8")
    return proof


def _proof_key(pdf: Path, title: str) -> str:
    """The PDF's bytes, the title in the headers and this module's code: what the sheets show."""
    import hashlib

    digest = hashlib.sha256()
    for part in (pdf.read_bytes(), title.encode(), Path(__file__).read_bytes()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _page_count(pdf: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return len(document)
    finally:
        document.close()


def spreads(pages: int) -> list[tuple[int | None, int | None]]:
    """The (verso, recto) page indexes (0-based) as the book opens: page 1 alone on the
    right, then 2|3, 4|5, …; an even last page stands alone on the left."""
    opened: list[tuple[int | None, int | None]] = [(None, 0)] if pages else []
    for verso in range(1, pages, 2):
        opened.append((verso, verso + 1 if verso + 1 < pages else None))
    return opened


def sheet_size(page_width: int, page_height: int, spreads_on_sheet: int = SPREADS_PER_SHEET) -> tuple[int, int]:
    """A sheet's pixel size for pages of this pixel size (every sheet of a book has it)."""
    rows = math.ceil(spreads_on_sheet / SHEET_COLUMNS)
    width = 2 * MARGIN + SHEET_COLUMNS * 2 * page_width + (SHEET_COLUMNS - 1) * COLUMN_GAP
    height = 2 * MARGIN + HEADER_BAND + rows * (page_height + LABEL_BAND) + (rows - 1) * ROW_GAP
    return width, height


def make_proof(pdf: Path, folder: Path, *, title: str = "") -> Proof:
    """Write sheet-01.png, sheet-02.png, … and overview.png of `pdf` into `folder`
    (sheets left from a longer earlier proof are removed). Each page is rendered once."""
    import pypdfium2 as pdfium

    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("sheet-*.png"):
        stale.unlink()
    document = pdfium.PdfDocument(str(pdf))
    try:
        count = len(document)
        if not count:
            raise ValueError(f"{pdf} has no pages")
        labels = [_label(document, i) for i in range(count)]
        opened = spreads(count)
        total = math.ceil(len(opened) / SPREADS_PER_SHEET)
        # The first page's size sets every slot: a page of another size is scaled to fit.
        page_size = _pixel_size(document[0], SHEET_DPI)
        overview = _OverviewGrid(len(opened), page_size)
        sheets: list[Path] = []
        for number in range(total):
            group = opened[number * SPREADS_PER_SHEET:(number + 1) * SPREADS_PER_SHEET]
            shown = [i for spread in group for i in spread if i is not None]
            rendered = {i: _render(document, i, page_size) for i in shown}
            for i in shown:
                overview.add(i, rendered[i])
            header = _join(title, f"proof sheet {number + 1} of {total}",
                           f"pages {shown[0] + 1}–{shown[-1] + 1} of {count}")
            path = folder / f"sheet-{number + 1:02d}.png"
            _sheet(group, rendered, labels, page_size, header).save(path, compress_level=PNG_EFFORT)
            sheets.append(path)
        overview_path = folder / "overview.png"
        overview.image(opened, labels, _join(title, f"{count} pages, {len(opened)} spreads")) \
            .save(overview_path, compress_level=PNG_EFFORT)
    finally:
        document.close()
    return Proof(sheets, overview_path, count, len(opened))


def _join(*parts: str) -> str:
    return " — ".join(p for p in parts if p)


def _render(document, index: int, size: tuple[int, int]):
    """The page as an RGB image at SHEET_DPI, cut to its trim box, at `size`."""
    from PIL import Image

    page = document[index]
    try:
        image = page.render(scale=SHEET_DPI / 72, crop=_trim_crop(page)).to_pil().convert("RGB")
    finally:
        page.close()
    return image if image.size == size else image.resize(size, Image.LANCZOS)


def _trim_crop(page) -> tuple[float, float, float, float]:
    """What to cut from each side (left, bottom, right, top) so only the trimmed page shows."""
    media, trim = page.get_mediabox(), page.get_trimbox()
    return (max(0.0, trim[0] - media[0]), max(0.0, trim[1] - media[1]),
            max(0.0, media[2] - trim[2]), max(0.0, media[3] - trim[3]))


def _pixel_size(page, dpi: int) -> tuple[int, int]:
    left, bottom, right, top = page.get_trimbox()
    return round((right - left) * dpi / 72), round((top - bottom) * dpi / 72)


def _label(document, index: int) -> str:
    """The page's folio as the book prints it (its PDF page label: iii, 12), else its number."""
    try:
        label = document.get_page_label(index)
    except Exception:  # a PDF without page labels
        label = ""
    return label or str(index + 1)


def _font(size: int):
    """EB Garamond, octavo's own text face (OFL, in styles/fonts); Pillow's own face if missing."""
    from PIL import ImageFont

    from .styles import DEFAULT_STYLES

    try:
        return ImageFont.truetype(str(DEFAULT_STYLES / "fonts" / "EBGaramond-Regular.ttf"), size)
    except OSError:
        return ImageFont.load_default(size)


def _draw_page(canvas, draw, image, x: int, y: int) -> None:
    canvas.paste(image, (x, y))
    draw.rectangle((x - 1, y - 1, x + image.width, y + image.height), outline=PAPER_EDGE)


def _draw_spread(canvas, draw, spread, pages: dict, at: tuple[int, int], size: tuple[int, int]) -> None:
    """Verso at `at`, recto beside it; an empty slot shows the table; a thin line at the gutter."""
    (x, y), (width, height) = at, size
    verso, recto = spread
    if verso is not None:
        _draw_page(canvas, draw, pages[verso], x, y)
    if recto is not None:
        _draw_page(canvas, draw, pages[recto], x + width, y)
    draw.line((x + width, y, x + width, y + height - 1), fill=GUTTER, width=1)


def _sheet(group, pages: dict, labels: list[str], size: tuple[int, int], header: str):
    from PIL import Image, ImageDraw

    width, height = size
    canvas = Image.new("RGB", sheet_size(width, height), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    draw.text((MARGIN, MARGIN + HEADER_BAND // 2), header, fill=INK, font=_font(26), anchor="lm")
    folio, physical = _font(22), _font(17)
    for slot, spread in enumerate(group):
        row, column = divmod(slot, SHEET_COLUMNS)
        x = MARGIN + column * (2 * width + COLUMN_GAP)
        y = MARGIN + HEADER_BAND + row * (height + LABEL_BAND + ROW_GAP)
        _draw_spread(canvas, draw, spread, pages, (x, y), size)
        for side, index in enumerate(spread):
            if index is None:
                continue
            centre, baseline = x + side * width + width // 2, y + height + LABEL_BAND // 2
            label = labels[index]
            if label == str(index + 1):
                draw.text((centre, baseline), label, fill=INK, font=folio, anchor="mm")
            else:  # the folio, and which page of the PDF it is (what a printer's proof names)
                note = f"   PDF page {index + 1}"
                wide = draw.textlength(label, font=folio) + draw.textlength(note, font=physical)
                left = centre - wide / 2
                draw.text((left, baseline), label, fill=INK, font=folio, anchor="lm")
                draw.text((left + draw.textlength(label, font=folio), baseline), note, fill=QUIET_INK,
                          font=physical, anchor="lm")
    return canvas


class _OverviewGrid:
    """Every spread of the book, small, in a grid on one image (about 3:2, at most
    OVERVIEW_WIDTH × OVERVIEW_HEIGHT): the largest pages that fit."""

    def __init__(self, spread_count: int, page_size: tuple[int, int]) -> None:
        self.aspect = page_size[1] / page_size[0]
        best = None
        for columns in range(1, spread_count + 1):
            rows = math.ceil(spread_count / columns)
            across = (OVERVIEW_WIDTH - 2 * MARGIN - (columns - 1) * OVERVIEW_GAP) / (2 * columns)
            down = ((OVERVIEW_HEIGHT - 2 * MARGIN - HEADER_BAND) / rows - OVERVIEW_GAP
                    - OVERVIEW_LABEL_BAND) / self.aspect
            width = int(min(OVERVIEW_MAX_PAGE_WIDTH, across, down))
            if width < 1:
                continue
            shape = self._size(columns, rows, width)
            # the largest pages; among equals the grid nearest 3:2
            score = (width, -abs(math.log(shape[0] / shape[1] / 1.5)))
            if best is None or score > best[0]:
                best = (score, columns, rows, width)
        if best is None:  # more spreads than pixels: one pixel a page, and taller
            columns = max(1, (OVERVIEW_WIDTH - 2 * MARGIN) // 3)
            best = (None, columns, math.ceil(spread_count / columns), 1)
        _, self.columns, self.rows, page_width = best
        self.page = (page_width, max(1, round(page_width * self.aspect)))
        self.labelled = page_width >= 60  # smaller pages have no room for a legible number
        self.thumbs: dict[int, object] = {}

    def _size(self, columns: int, rows: int, page_width: int) -> tuple[int, int]:
        page_height = max(1, round(page_width * self.aspect))
        return (2 * MARGIN + columns * 2 * page_width + (columns - 1) * OVERVIEW_GAP,
                2 * MARGIN + HEADER_BAND + rows * (page_height + OVERVIEW_LABEL_BAND + OVERVIEW_GAP)
                - OVERVIEW_GAP)

    def add(self, index: int, image) -> None:
        from PIL import Image

        self.thumbs[index] = image.resize(self.page, Image.LANCZOS)

    def image(self, opened, labels: list[str], header: str):
        from PIL import Image, ImageDraw

        width, height = self.page
        canvas = Image.new("RGB", self._size(self.columns, self.rows, width), BACKGROUND)
        draw = ImageDraw.Draw(canvas)
        draw.text((MARGIN, MARGIN + HEADER_BAND // 2), header, fill=INK, font=_font(26), anchor="lm")
        small = _font(15)
        for slot, spread in enumerate(opened):
            row, column = divmod(slot, self.columns)
            x = MARGIN + column * (2 * width + OVERVIEW_GAP)
            y = MARGIN + HEADER_BAND + row * (height + OVERVIEW_LABEL_BAND + OVERVIEW_GAP)
            _draw_spread(canvas, draw, spread, self.thumbs, (x, y), self.page)
            if self.labelled:
                for side, index in enumerate(spread):
                    if index is not None:
                        draw.text((x + side * width + width // 2, y + height + OVERVIEW_LABEL_BAND // 2),
                                  labels[index], fill=QUIET_INK, font=small, anchor="mm")
        return canvas
