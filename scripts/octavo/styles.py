"""Find the stylesheets and fonts a book is built with."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from .config import FONT_SUFFIXES, Book

# fontTools narrates font quirks (Inconsolata's "huge advance width"s) when a font is read;
# nothing there is for the writer.
logging.getLogger("fontTools").setLevel(logging.ERROR)

#: The styles that ship with octavo; a book's own styles/ folder replaces them.
DEFAULT_STYLES = Path(__file__).resolve().parents[2] / "styles"


@dataclass(frozen=True)
class Styles:
    """Where the stylesheets and fonts for a build come from."""

    directory: Path
    base: Path
    print: Path
    epub: Path
    screen: Path  # the screen PDF's changes to print.css
    fonts: tuple[Path, ...]


def find_styles(book: Book) -> Styles:
    """The book's own styles/ (base.css, print.css, epub.css, fonts/), else octavo's."""
    # (config.check_files has refused a named styles folder without base.css, and a
    # fonts folder without fonts.)
    own = book.project_path(book.schema.styles, key="styles")
    directory = own if (own / "base.css").is_file() else DEFAULT_STYLES
    fonts_dir = book.project_path(book.schema.fonts.directory, key="fonts.directory")
    if not fonts_dir.is_dir():
        fonts_dir = DEFAULT_STYLES / "fonts"
    fonts = tuple(sorted(p for p in fonts_dir.iterdir() if p.suffix.lower() in FONT_SUFFIXES))
    # A book's own styles folder may predate the screen edition: octavo's sheet then applies.
    screen = directory / "screen.css" if (directory / "screen.css").is_file() else DEFAULT_STYLES / "screen.css"
    return Styles(directory=directory, base=directory / "base.css", print=directory / "print.css",
                  epub=directory / "epub.css", screen=screen, fonts=fonts)


def is_code_font(path: Path) -> bool:
    """A monospace face, set for code only: its letters, figures and signs are all of one
    width. (Measured: Debian's Inconsolata says `post.isFixedPitch = 0`, and was taken
    for a text face, embedded in every EPUB and named by no @font-face.)"""
    from fontTools.ttLib import TTFont

    try:
        with TTFont(str(path), lazy=True) as font:
            if font["post"].isFixedPitch:
                return True
            cmap, metrics = font.getBestCmap(), font["hmtx"]
            widths = {metrics[cmap[code]][0] for code in range(0x21, 0x7F) if code in cmap}
            return len(widths) == 1
    except Exception:  # not a font fontTools can read: WeasyPrint and pandoc will say so
        return False


def font_family(path: Path) -> str:
    """The family name a font file declares (name ID 1)."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return font["name"].getDebugName(1) or path.stem
