"""The one door to WeasyPrint: lay out an HTML document with the book's stylesheets and
fonts, read only through the project's fetcher. Used by the editions and the layout workers."""

from __future__ import annotations

import atexit
import functools
import logging
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import ResourceRefused, ToolError
from .floats import float_figures
from .styles import Styles


def render_document(document_html: str, root: Path, styles: Styles, extra_css: tuple[str, ...] = (),
                    edition: str = "print"):
    """Lay out an HTML document with the book's stylesheets; return WeasyPrint's Document.
    The screen edition adds screen.css to the print sheets."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    apply_fixes()
    try:
        fetcher, fonts, profiles, sheets = parsed_stylesheets(root, styles, extra_css, edition, styles_stamp(styles))

        def render(text: str):
            return HTML(string=text, base_url=str(root) + "/", url_fetcher=fetcher,
                        media_type="print").render(stylesheets=sheets, font_config=fonts, color_profiles=profiles)

        document = render(document_html)
        return float_figures(document_html, document, render) if "<figure" in document_html else document
    except FatalURLFetchingError as exc:
        raise ResourceRefused(str(exc), hint="keep images and stylesheets inside the project; "
                              "the build never fetches from the network") from None
    except Exception as exc:  # WeasyPrint raises many kinds; translate them all
        raise ToolError(f"WeasyPrint could not lay out the book: {exc}",
                        hint="run with --debug for the full traceback") from exc


def apply_fixes() -> None:
    """octavo's corrections to WeasyPrint (weasyfix.py); each applies itself once per process."""
    from .weasyfix import (fast_font_subsets, fix_font_embedding, fix_line_breaking, keep_notes_with_calls,
                           mark_structure_elements, stable_image_names)

    keep_notes_with_calls()
    keep_links_to_other_documents()
    fast_font_subsets()
    fix_font_embedding()
    fix_line_breaking()
    stable_image_names()
    mark_structure_elements()


#: Set while a chapter of the book is written (layout.layout_chapter): its links to other
#: chapters are kept (see keep_links_to_other_documents).
_FOREIGN_LINKS = {"keep": False}


def keep_links_to_other_documents() -> None:
    """A chapter laid out on its own links to headings in other chapters (and the contents
    to every chapter). WeasyPrint drops a link whose anchor is not in the document being
    written, annotation and all, though its structure tree still has the `Link` element.
    While a chapter is written, such a link keeps its annotation, its named destination
    and its place in the structure tree (an `OBJR` and a `/StructParent`); the screen
    edition's assembler (screen.py) finds the name in the whole book."""
    import weasyprint.pdf as wpdf

    if getattr(wpdf, "_octavo_links", False):
        return
    resolve = wpdf.resolve_links

    def resolve_keeping_foreign(pages):
        if not _FOREIGN_LINKS["keep"]:
            yield from resolve(pages)
            return
        for page, (_links, anchors) in zip(pages, resolve(pages)):
            yield list(page.links), anchors

    wpdf.resolve_links = resolve_keeping_foreign
    wpdf._octavo_links = True


class keeping_foreign_links:
    """`with keeping_foreign_links(): document.write_pdf(...)`: links to other documents kept."""

    def __enter__(self):
        _FOREIGN_LINKS["keep"] = True

    def __exit__(self, *exc):
        _FOREIGN_LINKS["keep"] = False


def warm_up(root: Path, styles: Styles, extra_css: tuple[str, ...]) -> None:
    """Get a layout worker ready before its first chapter arrives: WeasyPrint imported, the
    fixes applied, the print stylesheets parsed and the fonts loaded (layout.LayoutPool)."""
    apply_fixes()
    parsed_stylesheets(root, styles, extra_css, "print", styles_stamp(styles))


def styles_stamp(styles: Styles) -> tuple:
    return tuple((p, p.stat().st_mtime_ns, p.stat().st_size)
                 for p in (styles.base, styles.print, styles.screen, *styles.fonts))


@functools.lru_cache(maxsize=4)
def parsed_stylesheets(root: Path, styles: Styles, extra_css: tuple[str, ...], edition: str, stamp: tuple):
    """Parsed stylesheets and loaded fonts, reused by every document a process lays out
    (a worker lays out many chapters; parsing CSS and loading fonts each time adds up).
    `stamp` (file times and sizes) makes an edited stylesheet or font a new entry."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from .fetcher import ProjectFetcher

    # A PDF/X job (its colour CSS names device-cmyk) gets its images in CMYK (fetcher.py).
    cmyk = any("device-cmyk" in text for text in extra_css)
    profile = next((Path(unquote(urlsplit(m.group(1)).path)) for text in extra_css
                    for m in [re.search(r'@color-profile device-cmyk \{[^}]*src: url\("([^"]+)"\)', text)] if m), None)
    fetcher = ProjectFetcher(allowed=(root, styles.directory), cmyk=cmyk, cmyk_profile=profile)
    # @font-face rules only take effect when the stylesheets and the render share one
    # FontConfiguration.
    fonts = FontConfiguration()
    # An @color-profile rule (PDF/X) reaches the PDF only through one shared dict.
    profiles: dict = {}
    files = (styles.base, styles.print, styles.screen) if edition == "screen" else (styles.base, styles.print)
    sheets = [CSS(filename=str(path), url_fetcher=fetcher, font_config=fonts, color_profiles=profiles)
              for path in files]
    sheets += [CSS(string=text, url_fetcher=fetcher, font_config=fonts, color_profiles=profiles)
               for text in extra_css]
    return fetcher, fonts, profiles, sheets


# Loaded fonts must be let go while WeasyPrint's libraries are still there: at exit,
# not during the interpreter's teardown (which makes FontConfiguration.__del__ fail).
atexit.register(parsed_stylesheets.cache_clear)


def pad_to_even(document, page_style: str):
    """Printers want an even page count; the extra page is a truly blank verso."""
    from weasyprint import CSS, HTML

    if len(document.pages) % 2 == 0:
        return document
    # The added page is a verso: take the second page of a blank two-page document, so
    # that a verso's bleed and margins apply to it.
    blank = HTML(string='<p></p><p style="break-before: page"></p>').render(
        stylesheets=[CSS(string=page_style)]).pages[1]
    return document.copy([*document.pages, blank])


class _Without(logging.Filter):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def filter(self, record: logging.LogRecord) -> bool:
        return self.text not in record.getMessage()


# The skeleton's contents (chapter-wise layout) link to headings that live in the
# chapter documents; octavo writes those links itself, so WeasyPrint's "No anchor"
# notices are expected. Broken links in the manuscript are reported by `octavo check`.
logging.getLogger("weasyprint").addFilter(_Without("No anchor"))
# fontTools narrates font quirks while subsetting (in the layout workers too, where no
# logging is configured); nothing there is for the writer.
logging.getLogger("fontTools").setLevel(logging.ERROR)
# The tagged screen edition's "Image … has no required alt description": `octavo check`
# reports a missing alt text at its line in the manuscript [image-alt].
logging.getLogger("weasyprint").addFilter(_Without("has no required alt description"))
