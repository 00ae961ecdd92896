"""What shapes each thing the build makes: every cache key, declared in one place.

A key is a hash of the bytes of every input of an artifact (Black's
`Mode.get_cache_key`, Sphinx's `note_dependency`): the chapter text, the images it
shows, the stylesheets and fonts its edition reads, the book.yaml settings that reach
it, the tool versions. A changed input gives a new key, so the build remakes exactly
what that input shapes; an unchanged one finds its artifact in the cache. `Cache.path`
adds octavo's own code fingerprint to every key, so a changed octavo is a new toolchain.

| artifact        | key                | made of                                                      |
|-----------------|--------------------|--------------------------------------------------------------|
| chapter AST     | `ast_key`          | chapter text, pandoc                                         |
| prepared chapter| `prepared_key`     | AST key, anchor/slug, ids used before it, language           |
| print HTML      | `html_key`         | prepared AST, pandoc                                         |
| chapter layout  | `layout_key`       | its HTML + the images it shows, print styles, page CSS,      |
|                 |                    | colour profile, WeasyPrint options (tagged), WeasyPrint;     |
|                 |                    | both editions are made of it                                 |
| screen parts    | `layout_key`       | front matter / folio pages' HTML, screen styles, page CSS    |
|                 |                    | (the screen PDF itself is assembled every build, screen.py)  |
| screen PDF,     | `screen_key`       | whole HTML + images, screen styles, page CSS, WeasyPrint     |
| one pass        |                    |                                                              |
| EPUB frame      | `epub_frame_key`   | metadata, pandoc options, EPUB styles, cover, headings       |
| EPUB chapter    | `epub_chapter_key` | prepared AST + the images it shows                           |
| cover image     | `cover_key`        | book.yaml, cover art, fonts                                  |
| page map        | `print_pages_key`  | book.yaml, every prepared chapter + its images, print styles,|
|                 |                    | colour profile, WeasyPrint, pandoc (the EPUB's page-list)    |
| checks          | checks/__init__.py | chapter text, language, words.txt (per rule group)           |

The no-op stamp (`stamp.py`) records the files of `stamp_inputs`: the same inputs,
checked by size and time before any of this is computed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from . import __version__
from .cache import IMAGE_NAME, assets_digest, code_fingerprint, digest
from .config import Book
from .manuscript import Chapter
from .styles import Styles
from .tools import Pandoc, weasyprint_version

#: Which stylesheets each edition reads (fonts and the files a sheet names come with them).
EDITION_SHEETS = {
    "print": ("base", "print"),
    "screen": ("base", "print", "screen"),
    "epub": ("base", "epub"),
    "cover": (),  # the typographic cover reads the fonts only
}


@dataclass(frozen=True)
class Toolchain:
    """The versions of everything that turns the manuscript into books."""

    octavo: str  # the version and a hash of octavo's own code
    pandoc: str
    weasyprint: str

    def __str__(self) -> str:
        return f"octavo {self.octavo}, pandoc {self.pandoc}, WeasyPrint {self.weasyprint}"


def toolchain(pandoc: Pandoc) -> Toolchain:
    return Toolchain(octavo=f"{__version__}+{code_fingerprint()}", pandoc=pandoc.version_text,
                     weasyprint=weasyprint_version())


# --- files ------------------------------------------------------------------------------

_URL = re.compile(r"""url\(\s*['"]?([^'")]+?)['"]?\s*\)""")


def style_files(styles: Styles, edition: str) -> list[Path]:
    """The files an edition's look is made of: its stylesheets, every font, and every
    local file a stylesheet names with url() (a background, a font outside fonts/)."""
    sheets = [getattr(styles, name) for name in EDITION_SHEETS[edition]]
    files = [*sheets, *styles.fonts]
    for sheet in sheets:
        text = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.S)
        for url in _URL.findall(text):
            if ":" in url.split("/")[0] or url.startswith("#"):
                continue  # data:, http: (refused by the build), #fragment
            path = (sheet.parent / unquote(url)).resolve()
            if path.is_file() and path not in files:
                files.append(path)
    return files


def files_key(paths: list[Path]) -> str:
    """A hash of the names and bytes of `paths` (read once per size and time)."""
    return digest(*(_file_digest(path, *_stat(path)) for path in paths))


def _stat(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


@functools.lru_cache(maxsize=256)
def _file_digest(path: Path, size: int, mtime: int) -> str:
    return digest(path.name, path.read_bytes())


def styles_key(styles: Styles, edition: str) -> str:
    """One fingerprint of everything in the styles that shapes `edition`."""
    return digest(edition, files_key(style_files(styles, edition)))


def profile_key(book: Book) -> str:
    """The bytes of the printer's colour profile (PDF/X): the page CSS names only its path."""
    if not book.schema.output_profile:
        return ""
    return files_key([book.project_path(book.schema.output_profile, key="output_profile")])


# --- artifacts --------------------------------------------------------------------------


def ast_key(chapter: Chapter, tools: Toolchain) -> str:
    return digest("ast", chapter.text, tools.pandoc)


def prepared_key(book: Book, chapter: Chapter, ast: str, used_ids: set[str]) -> str:
    return digest("prepared", ast, chapter.anchor, chapter.slug, "\0".join(sorted(used_ids)), book.schema.language)


def html_key(ast_json: str, tools: Toolchain) -> str:
    return digest("html", ast_json, tools.pandoc)


def layout_key(book: Book, styles_print: str, html_text: str, extra_css: tuple[str, ...], tools: Toolchain) -> str:
    """One chapter's (or one run of folio pages') print layout."""
    return digest("layout", html_text, *extra_css, styles_print, profile_key(book), tools.weasyprint,
                  str(book.root), assets_digest(book.root, html_text))


def screen_key(book: Book, styles: Styles, document_html: str, css: tuple[str, ...], tools: Toolchain) -> str:
    return digest("screen", document_html, *css, styles_key(styles, "screen"), tools.weasyprint, str(book.root),
                  assets_digest(book.root, document_html))


def epub_frame_key(styles: Styles, cover: Path, *parts: str, tools: Toolchain) -> str:
    """Everything in the EPUB but the chapters' text: when it changes, the whole book is made again."""
    return digest("epub", *parts, styles_key(styles, "epub"), files_key([cover]), tools.pandoc)


def epub_chapter_key(book: Book, ast_json: str) -> str:
    # A chapter's key covers the images it shows: a new picture under an old name is a change.
    return digest(ast_json, assets_digest(book.root, ast_json))


def print_pages_key(book: Book, styles: Styles, chapters_json: list[str], tools: Toolchain) -> str:
    """Where the print edition's pages begin (pagelist.py): everything that shapes the
    print layout, computed without laying it out, so an EPUB built alone can tell whether
    the cached page map is still that of the print edition book.yaml describes."""
    return digest("print-pages", book.schema.model_dump_json(), styles_key(styles, "print"), profile_key(book),
                  tools.weasyprint, tools.pandoc, str(book.root),
                  *(part for text in chapters_json for part in (text, assets_digest(book.root, text))))


def cover_key(book: Book, art: Path | None, styles: Styles) -> str:
    return digest("cover", book.schema.model_dump_json(), files_key([art]) if art else "",
                  styles_key(styles, "cover"))


# --- the no-op stamp --------------------------------------------------------------------


def stamp_inputs(book: Book, chapters: tuple[Chapter, ...], styles: Styles) -> list[Path]:
    """Every file a build reads: when none changed (size and time), nothing is built."""
    files = [book.config_path, *(c.path for c in chapters)]
    for edition in EDITION_SHEETS:
        files += [p for p in style_files(styles, edition) if p not in files]
    files += [p for p in styles.directory.iterdir() if p.is_file() and p not in files]
    if book.schema.cover:
        files.append(book.project_path(book.schema.cover, key="cover"))
    if book.schema.output_profile:
        files.append(book.project_path(book.schema.output_profile, key="output_profile"))
    for chapter in chapters:  # the images the chapters show
        for name in set(IMAGE_NAME.findall(chapter.text)):
            for base in (chapter.path.parent, book.root):
                path = (base / unquote(name)).resolve()
                if path.is_file() and path.is_relative_to(book.root.resolve()):
                    files.append(path)
    from .checks import WORD_LISTS  # the word lists the checks read

    files += [p for p in (book.root / name for name in WORD_LISTS) if p.is_file()]
    return files


def stamp_folders(book: Book, styles: Styles) -> list[Path]:
    """Folders whose listing decides what is read: a new chapter file changes their mtime."""
    folders = [book.root, styles.directory, styles.fonts[0].parent]
    if (book.root / "manuscript").is_dir():
        folders.append(book.root / "manuscript")
    return folders
