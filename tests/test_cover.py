"""The print cover wrap and the EPUB cover image (octavo.cover, `octavo cover`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pikepdf
import pypdfium2
import pytest
from PIL import Image

from conftest import make_book
from octavo.config import load_book
from octavo.cover import BARCODE, PAPER, SAFE, build_print_cover, cover_geometry, epub_cover
from octavo.errors import ConfigError
from octavo.styles import find_styles

ROOT = Path(__file__).resolve().parents[1]
WHITE, CREAM, BLEED = 0.002252, 0.0025, 0.125
DESCRIPTION = ("A short book about covers, spines and the white box where the barcode goes. "
               "It exists so that the tests have a blurb to find on the back.")

YAML = f"""title: "The Fixture Book"
subtitle: "Tests for a Cover"
author: "Ann Example"
description: "{DESCRIPTION}"
series: {{ name: "Fixtures", number: 1, total: 3 }}
printer: kdp
paper: white
trim: "6x9"
"""
CHAPTER = {"manuscript/01-a.md": "# One\n\nSome text.\n"}


def _book(root: Path, extra: str = "", files: dict | None = None):
    make_book(root, YAML + extra, {**CHAPTER, **(files or {})})
    book = load_book(root)
    return book, find_styles(book)


@pytest.fixture(scope="module")
def covers(tmp_path_factory):
    """Print covers built once: 40 and 300 pages typographic, 300 pages with cover art."""
    base = tmp_path_factory.mktemp("covers")
    book, styles = _book(base / "book")
    art = base / "art"
    art_book, art_styles = _book(art, 'cover: "images/art.png"\n', {"images/art.png": _art_png((1200, 1800))})
    return {
        40: build_print_cover(book, styles, 40, base / "out" / "c40.pdf"),
        300: build_print_cover(book, styles, 300, base / "out" / "c300.pdf"),
        "art": build_print_cover(art_book, art_styles, 300, base / "out" / "art.pdf"),
        "cream": build_print_cover(load_book(make_book(base / "cream", YAML.replace("paper: white", "paper: cream"),
                                                       CHAPTER)), styles, 300, base / "out" / "cream.pdf"),
    }


def _art_png(size: tuple[int, int]) -> bytes:
    import io

    image = Image.new("RGB", size, (20, 90, 160))
    image.paste((200, 40, 40), (size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _size_in(box) -> tuple[float, float]:
    x0, y0, x1, y1 = (float(v) for v in box)
    return (x1 - x0) / 72, (y1 - y0) / 72


# --- geometry and page boxes -------------------------------------------------------------

@pytest.mark.parametrize("pages", [40, 300])
def test_page_boxes_match_the_kdp_formula(covers, pages):
    with pikepdf.open(covers[pages]) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        width, height = _size_in(page.MediaBox)
        assert width == pytest.approx(2 * 6 + pages * WHITE + 2 * BLEED, abs=0.01)
        assert height == pytest.approx(9 + 2 * BLEED, abs=0.01)
        assert [float(v) for v in page.BleedBox] == [float(v) for v in page.MediaBox]
        trim = [float(v) / 72 for v in page.TrimBox]
        assert trim[0] == pytest.approx(BLEED, abs=0.001) and trim[1] == pytest.approx(BLEED, abs=0.001)
        assert width - trim[2] == pytest.approx(BLEED, abs=0.001)
        assert height - trim[3] == pytest.approx(BLEED, abs=0.001)


def test_cream_paper_gives_a_wider_spine(covers):
    with pikepdf.open(covers["cream"]) as cream, pikepdf.open(covers[300]) as white:
        cream_w = _size_in(cream.pages[0].MediaBox)[0]
        assert cream_w == pytest.approx(2 * 6 + 300 * CREAM + 2 * BLEED, abs=0.01)
        assert cream_w > _size_in(white.pages[0].MediaBox)[0] + 0.07


def test_geometry_cream_paper_and_spine_text_threshold(tmp_path):
    book, _ = _book(tmp_path / "white")
    cream = load_book(make_book(tmp_path / "cream", YAML.replace("paper: white", "paper: cream"), CHAPTER))
    white_g, cream_g = cover_geometry(book, 300), cover_geometry(cream, 300)
    assert white_g.spine == pytest.approx(300 * WHITE)
    assert cream_g.spine == pytest.approx(300 * CREAM)
    assert cream_g.spine > white_g.spine and cream_g.width > white_g.width
    assert (cover_geometry(book, 79).spine_text, cover_geometry(book, 80).spine_text) == (False, True)
    g = cover_geometry(book, 300)
    x, y, w, h = g.barcode
    assert (w, h) == BARCODE
    assert x + w == pytest.approx(g.spine_x - SAFE)  # 0.25 in from the spine fold
    assert y + h == pytest.approx(g.bleed + g.trim_height - SAFE)  # 0.25 in above the bottom trim


# --- what is on the cover ----------------------------------------------------------------

def _spine_chars(path: Path, pages: int) -> list[dict]:
    g = cover_geometry(_book_for(path), pages)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        return [c for c in page.chars if g.spine_x * 72 <= (c["x0"] + c["x1"]) / 2 <= (g.spine_x + g.spine) * 72]


def _book_for(path: Path):
    return load_book(path.parents[1] / "book")


def test_spine_text_only_when_thick_enough(covers):
    assert _spine_chars(covers[40], 40) == []
    chars = _spine_chars(covers[300], 300)
    text = "".join(c["text"] for c in chars)
    assert "FIXTURE" in text.replace(" ", "") and "ANN" in text
    assert chars and all(not c["upright"] for c in chars)
    # Read top to bottom (turned clockwise): each next character is lower on the page.
    tops = [c["top"] for c in chars if c["text"].strip()]
    assert tops == sorted(tops)


def test_spine_ink_keeps_off_the_folds(covers):
    """Rasterise the spine: every inked pixel lies inside the spine less its margins."""
    g = cover_geometry(_book_for(covers[300]), 300)
    dpi = 300
    pdf = pypdfium2.PdfDocument(str(covers[300]))
    image = pdf[0].render(scale=dpi / 72).to_pil().convert("RGB")
    left, right = round((g.spine_x - 0.02) * dpi), round((g.spine_x + g.spine + 0.02) * dpi)
    band = image.crop((left, 0, right, image.height))
    pixels = band.load()
    inked = [x for x in range(band.width) for y in range(0, band.height, 2)
             if sum(abs(a - b) for a, b in zip(pixels[x, y], PAPER)) > 60]
    assert inked, "no ink on the spine"
    low, high = (min(inked) + left) / dpi, (max(inked) + left + 1) / dpi
    assert low >= g.spine_x + g.spine_margin - 0.01
    assert high <= g.spine_x + g.spine - g.spine_margin + 0.01
    # and centred on the spine
    assert (low + high) / 2 == pytest.approx(g.spine_x + g.spine / 2, abs=0.03)


def _in_box(path: Path, box: tuple[float, float, float, float]) -> list[str]:
    """Everything pdfplumber finds in `box` (x, y, w, h in inches from the top left) but
    the paper background and the white barcode box itself."""
    x, y, w, h = (v * 72 for v in box)
    found = []
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]

        def overlaps(o):
            return o["x0"] < x + w and o["x1"] > x and o["top"] < y + h and o["bottom"] > y

        found += [f"char {c['text']!r}" for c in page.chars if overlaps(c)]
        found += [f"image {i['srcsize']}" for i in page.images if overlaps(i)]
        for kind in ("rects", "curves", "lines"):
            for o in getattr(page, kind):
                if not overlaps(o):
                    continue
                colour = o.get("non_stroking_color") if o.get("fill") else o.get("stroking_color")
                covers_page = o["x0"] <= 0.5 and o["x1"] >= float(page.width) - 0.5
                white = colour is not None and all(float(c) >= 0.999 for c in colour)
                if not (white or covers_page):
                    found.append(f"{kind[:-1]} {colour}")
    return found


def test_barcode_box_is_clear_and_white(covers):
    path = covers[300]
    g = cover_geometry(_book_for(path), 300)
    assert _in_box(path, g.barcode) == []
    # The checker does see things: the back's text area has the blurb's characters.
    back_text = (g.back_x + SAFE, g.bleed + SAFE, g.trim_width - 2 * SAFE, g.barcode[1] - g.bleed - SAFE)
    seen = _in_box(path, back_text)
    assert sum(s.startswith("char") for s in seen) > 50
    with pdfplumber.open(path) as pdf:
        words = pdf.pages[0].extract_text()
    assert "barcode goes" in " ".join(words.split())
    # and the box is plain white when printed
    dpi = 72
    image = pypdfium2.PdfDocument(str(path))[0].render(scale=dpi / 72).to_pil().convert("RGB")
    x, y, w, h = (round(v * dpi) for v in g.barcode)
    colours = image.crop((x + 1, y + 1, x + w - 1, y + h - 1)).getcolors()
    assert [colour for _, colour in colours] == [(255, 255, 255)]


def test_text_in_the_safe_area(covers):
    """All characters keep 0.25 in inside the trim and away from the spine folds."""
    path = covers[300]
    g = cover_geometry(_book_for(path), 300)
    with pdfplumber.open(path) as pdf:
        chars = [c for c in pdf.pages[0].chars if c["text"].strip()]
    assert chars
    for c in chars:
        x0, x1, top, bottom = c["x0"] / 72, c["x1"] / 72, c["top"] / 72, c["bottom"] / 72
        assert top >= g.bleed + SAFE - 0.01 and bottom <= g.bleed + g.trim_height - SAFE + 0.01, c["text"]
        if x1 <= g.spine_x:      # back
            assert x0 >= g.back_x + SAFE - 0.01 and x1 <= g.spine_x - SAFE + 0.01, c["text"]
        elif x0 >= g.front_x:    # front (the typographic front is an image: no chars)
            raise AssertionError(f"unexpected text on the front: {c['text']!r}")


def test_front_is_the_typographic_cover_at_300_ppi(covers):
    path = covers[40]
    g = cover_geometry(_book_for(path), 40)
    with pdfplumber.open(path) as pdf:
        images = pdf.pages[0].images
    assert len(images) == 1
    image = images[0]
    assert image["x0"] / 72 == pytest.approx(g.front_x, abs=0.01)
    assert image["x1"] / 72 == pytest.approx(g.width, abs=0.01)
    assert (image["top"] / 72, image["bottom"] / 72) == (pytest.approx(0, abs=0.01), pytest.approx(g.height, abs=0.01))
    width_px, height_px = image["srcsize"]
    assert width_px / ((image["x1"] - image["x0"]) / 72) >= 300
    assert height_px / ((image["bottom"] - image["top"]) / 72) >= 300


def test_front_uses_the_cover_art(covers):
    with pdfplumber.open(covers["art"]) as pdf:
        images = pdf.pages[0].images
    assert [tuple(i["srcsize"]) for i in images] == [(1200, 1800)]
    g = cover_geometry(load_book(covers["art"].parents[1] / "art"), 300)
    # The art covers the front panel and its bleed (scaled up, its overflow clipped).
    assert images[0]["x0"] / 72 <= g.front_x + 0.01 and images[0]["x1"] / 72 >= g.width - 0.01
    rendered = pypdfium2.PdfDocument(str(covers["art"]))[0].render(scale=20 / 72).to_pil().convert("RGB")
    centre = (round((g.front_x + (g.trim_width + g.bleed) / 2) * 20), round(g.height / 2 * 20))
    assert rendered.getpixel(centre) == pytest.approx((200, 40, 40), abs=3)
    # Spine and back take the art's colour at the fold: no colour edge where a fold may shift.
    spine = (round((g.spine_x + g.spine / 2) * 20), round(0.3 * 20))
    back = (round((g.back_x + 0.5) * 20), round(0.3 * 20))
    assert rendered.getpixel(spine) == pytest.approx((20, 90, 160), abs=3)
    assert rendered.getpixel(back) == pytest.approx((20, 90, 160), abs=3)


def test_all_fonts_embedded(covers):
    for path in (covers[40], covers[300]):
        with pikepdf.open(path) as pdf:
            fonts = list(pdf.pages[0].Resources.Font.values())
            assert fonts
            for font in fonts:
                descriptor = (font.DescendantFonts[0] if "/DescendantFonts" in font else font).FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font


def test_description_too_long_for_the_back(tmp_path):
    long = " ".join(["A sentence that is far too long for any back cover, said again and again."] * 120)
    root = make_book(tmp_path / "b", YAML.replace(DESCRIPTION, long), CHAPTER)
    book = load_book(root)
    with pytest.raises(ConfigError) as info:
        build_print_cover(book, find_styles(book), 100, tmp_path / "out" / "c.pdf")
    assert "description is too long" in str(info.value) and "book.yaml:4" in str(info.value)
    assert not (tmp_path / "out" / "c.pdf").exists()


# --- the EPUB cover ----------------------------------------------------------------------

def test_epub_cover_typographic_and_from_art(tmp_path):
    book, styles = _book(tmp_path / "plain")
    plain = epub_cover(book, styles, tmp_path / "out" / "cover.png")
    with Image.open(plain) as image:
        assert image.size == (1600, 2560)
        assert image.getpixel((5, 5)) == PAPER
    square = tmp_path / "square"
    art_book, art_styles = _book(square, 'cover: "art.png"\n', {"art.png": _art_png((1000, 1000))})
    fitted = epub_cover(art_book, art_styles, tmp_path / "out2" / "cover.png")
    with Image.open(fitted) as image:
        assert image.size == (1600, 2560)
        # Shown whole (issue 14, point 14): scaled to the full width, centred, on a field
        # of its edge colour; the red middle half of the square (x 250-750 of 1000) spans
        # x 400-1200 and nothing of the art is cropped. Filled, it would span 160-1440.
        red, blue = (200, 40, 40), (20, 90, 160)
        for x, colour in ((300, blue), (420, red), (800, red), (1180, red), (1300, blue)):
            assert image.getpixel((x, 1280)) == pytest.approx(colour, abs=3), x
        assert image.getpixel((800, 5)) == pytest.approx(blue, abs=3)  # the field: the art's edge colour
    portrait = tmp_path / "portrait"
    same_book, same_styles = _book(portrait, 'cover: "art.png"\n', {"art.png": _art_png((1000, 1600))})
    with Image.open(epub_cover(same_book, same_styles, tmp_path / "out3" / "cover.png")) as image:
        # The cover's own proportions: it fills the cover (scaled, not letterboxed).
        assert image.getpixel((800, 1280)) == pytest.approx((200, 40, 40), abs=3)


def test_cover_warns_when_the_art_is_below_300_ppi(tmp_path, caplog):
    book, styles = _book(tmp_path / "low", 'cover: "art.png"\n', {"art.png": _art_png((600, 900))})
    with caplog.at_level("WARNING"):
        build_print_cover(book, styles, 40, tmp_path / "out" / "cover.pdf")
    assert "ppi at its printed size" in caplog.text and "[cover-resolution]" in caplog.text


def test_missing_cover_art_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as info:  # when book.yaml is loaded (config.check_files)
        _book(tmp_path / "b", 'cover: "nope.jpg"\n')
    assert "nope.jpg" in str(info.value) and "book.yaml:" in str(info.value)


# --- the command line --------------------------------------------------------------------

def _octavo(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}
    return subprocess.run([sys.executable, "-m", "octavo", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_cli_without_interior_pdf(tmp_path):
    root = make_book(tmp_path / "b", YAML, CHAPTER)
    result = _octavo("cover", str(root), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "make pdf" in lines[0] and "does not exist" in lines[0]
    assert not (root / "build" / "the-fixture-book-cover.pdf").exists()


def test_cli_with_pages(tmp_path):
    root = make_book(tmp_path / "b", YAML, CHAPTER)
    out = tmp_path / "out"
    result = _octavo("cover", str(root), "--pages", "100", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    target = out / "the-fixture-book-cover.pdf"
    assert target.is_file()
    assert [p.name for p in out.iterdir()] == [target.name]  # no temporary file left behind
    line = result.stdout.strip()
    assert len(line.splitlines()) == 1
    assert "100 pages" in line and "spine 0.225 in" in line and "spine text set" in line
    with pikepdf.open(target) as pdf:
        assert _size_in(pdf.pages[0].MediaBox)[0] == pytest.approx(12 + 100 * WHITE + 0.25, abs=0.01)


def test_cli_reads_the_page_count_and_explains_no_spine_text(tmp_path):
    root = make_book(tmp_path / "b", YAML, CHAPTER)
    out = tmp_path / "out"
    out.mkdir()
    pdf = pikepdf.new()
    for _ in range(24):
        pdf.add_blank_page(page_size=(432, 648))
    pdf.save(out / "the-fixture-book.pdf")
    result = _octavo("cover", str(root), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "24 pages" in result.stdout and "fewer than 80 pages" in result.stdout


# --- the authors on the typographic cover (issue 9 point 6, issue 14 point 13) ------------

SEVEN = ["Anne-Marie Delacroix-Fontaine", "Bartholomew Featherstonehaugh", "Chiara Montefiori",
         "Dmitri Alexandrovich Kuznetsov", "Eleanor Wetherby", "Fatima Zahra El-Amrani", "Gunnhildur Sigurðardóttir"]


def _author_lines(names: list[str], room: float = 665):
    from PIL import Image as PILImage, ImageDraw, ImageFont

    from octavo.config import load_book
    from octavo.cover import _names_lines, cover_fonts
    from octavo.styles import find_styles

    regular, _ = cover_fonts(find_styles(load_book(ROOT)))
    draw = ImageDraw.Draw(PILImage.new("RGB", (10, 10)))
    return _names_lines(draw, [n.upper() for n in names], lambda px: ImageFont.truetype(str(regular), px),
                        (1600 - 2 * 170, room), 6, "AND OTHERS")


def test_a_name_is_never_broken_across_lines():
    lines, _, shown = _author_lines(["Karl Marx", "Friedrich Engels"])
    assert shown == 2 and all(set(line.split(" & ")) <= {"KARL MARX", "FRIEDRICH ENGELS"} for line in lines)


def test_seven_authors_fit_in_smaller_type():
    lines, font, shown = _author_lines(SEVEN)
    assert shown == 7 and font.size < 72
    names = [name for line in lines for name in line.split(" & ")]
    assert names == [n.upper() for n in SEVEN]


def test_and_others_only_when_the_names_cannot_fit_at_a_legible_size():
    lines, font, shown = _author_lines(SEVEN * 2)
    assert 1 <= shown < 14 and font.size == 44 and lines[-1].endswith("AND OTHERS")
