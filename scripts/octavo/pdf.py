"""The print edition: chapters' HTML -> one paged HTML book -> WeasyPrint -> PDF."""

from __future__ import annotations

import atexit
import functools
import html
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .config import Book
from .errors import ConfigError, OctavoError, ToolError
from .pandoc import ChapterDoc
from .codewrap import wrap_code
from .indents import indents
from .tablefit import fit_tables
from .floats import float_figures
from .phrases import fill, join_names
from .styles import Styles

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintResult:
    path: Path
    pages: int
    body_start: int  # 0-based index of arabic page 1
    padded: int = 0  # blank pages added at the end to reach the printer's minimum
    #: What each page is made of, for preflight's memory of measured pages (chapter-wise).
    fingerprints: list[str] | None = None


#: WeasyPrint's write_pdf options for every edition. Fonts are embedded as subsets unless
#: the printer asks for whole fonts (PrintSetup.full_fonts; see weasyfix.fix_font_embedding).
PDF_OPTIONS: dict = {}


class ResourceRefused(OctavoError):
    rule = "resource-refused"


def print_html(book: Book, docs: list[ChapterDoc], fragments: list[str]) -> str:
    """The whole printed book as one HTML document: front matter, contents, chapters."""
    sections = [chapter_section(book, doc, fragment, first=position == 0)
                for position, (doc, fragment) in enumerate(zip(docs, fragments))]
    return html_document(book, [front_matter(book, docs), *sections])


def html_document(book: Book, sections: list[str]) -> str:
    s, esc = book.schema, html.escape
    authors = ", ".join(book.authors)
    head = [
        f'<meta charset="utf-8"><title>{esc(s.title)}</title>',
        f'<meta name="author" content="{esc(authors)}">' if authors else "",
        f'<meta name="description" content="{esc(s.description)}">' if s.description else "",
        '<meta name="generator" content="octavo">',
        f'<meta name="dcterms.created" content="{esc(s.date)}">' if s.date else "",
    ]
    return (f'<!DOCTYPE html>\n<html lang="{esc(s.language)}">\n<head>\n' + "\n".join(h for h in head if h)
            + "\n</head>\n<body>\n" + "\n".join(sections) + "\n</body>\n</html>\n")


def front_matter(book: Book, docs: list[ChapterDoc], numbers: dict[str, str] | None = None) -> str:
    """Half-title, title page, copyright page and contents.

    `numbers` (heading id -> page number) writes the contents' page numbers as text, for
    chapter-wise layout where the headings are not in the same document.
    """
    return "\n".join([_half_title(book), _title_page(book), _copyright_page(book), _contents(book, docs, numbers)])


def chapter_section(book: Book, doc: ChapterDoc, fragment: str, *, first: bool, note_offset: int | None = None,
                    body: str | None = None) -> str:
    """One chapter as a <section>. `note_offset` restarts continuous note numbers where
    the previous chapters left them (chapter-wise layout); `body` replaces the content."""
    numbering = "continuous" if book.schema.footnotes.numbering == "continuous" else "per-chapter"
    classes = f"chapter{' first' if first else ''} notes-{numbering}"
    style = f' style="counter-reset: footnote {note_offset}"' if note_offset is not None else ""
    content = fit_measure(book, fragment if body is None else body)
    return f'<section class="{classes}" id="{doc.chapter.anchor}"{style}>\n{content}</section>'


#: Code in print: the body size (print.css), the code's share of it, and the code face's
#: advance (Inconsolata: 500/1000 em). A book's own monospace may be wider; WeasyPrint
#: then wraps what is left (pre-wrap), and the measure is never overrun.
BODY_PT, CODE_EM, CODE_ADVANCE = 11.5, 0.85, 0.5


def code_columns(book: Book, indent_em: float = 0.0) -> int:
    """How many characters of code a line of the text block holds, `indent_em` (ems of
    the body size) in from its edges (less two for the widest gutter the printer may
    still ask for)."""
    return int((measure_em(book) - indent_em) / (CODE_EM * CODE_ADVANCE)) - 2


def measure_em(book: Book) -> float:
    """The width of the text block in ems of the body size."""
    g = page_geometry(book)
    return (g.width - g.inner - g.outer) * 72 / BODY_PT


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


def _half_title(book: Book) -> str:
    return f'<section class="half-title"><p class="book-title">{html.escape(book.schema.title)}</p></section>'


def _title_page(book: Book) -> str:
    s, esc, say = book.schema, html.escape, book.phrases
    parts = [f'<h1 class="title">{esc(s.title)}</h1>']
    if s.subtitle:
        parts.append(f'<p class="subtitle">{esc(s.subtitle)}</p>')
    if s.series:
        part = fill(say["part-of"] if s.series.total else say["part"], number=s.series.number,
                    total=s.series.total)
        # When the series is named like the book, "Part 2 of 6" says it all.
        name = "" if s.series.name == s.title else f"{esc(s.series.name)} · "
        parts.append(f'<p class="series">{name}{esc(part)}</p>')
    if book.authors:
        parts.append(f'<p class="authors">{esc(_and(book, book.authors))}</p>')
    for label, names in ((say["translated-by"], book.translators), (say["edited-by"], book.editors)):
        if names:
            parts.append(f'<p class="contributors">{esc(label)} {esc(_and(book, names))}</p>')
    if s.publisher:
        parts.append(f'<p class="publisher">{esc(s.publisher)}</p>')
    return '<section class="title-page">' + "".join(parts) + "</section>"


def _copyright_page(book: Book) -> str:
    s, esc, say = book.schema, html.escape, book.phrases
    lines = [f"<p><i>{esc(s.title)}</i>" + (f": {esc(s.subtitle)}" if s.subtitle else "") + "</p>"]
    if s.series:
        line = say["series-part-of"] if s.series.total else say["series-part"]
        lines.append("<p>" + fill(esc(line), number=s.series.number, total=s.series.total,
                                  series=f"<i>{esc(s.series.name)}</i>") + "</p>")
    if s.rights:
        lines.append(f"<p>{esc(s.rights)}</p>")
    if s.edition:
        lines.append(f"<p>{esc(s.edition)}</p>")
    ids = s.identifiers
    if ids.isbn_print:
        lines.append(f"<p>ISBN {esc(ids.isbn_print)} ({esc(say['paperback'])})</p>")
    if ids.isbn_ebook:
        lines.append(f"<p>ISBN {esc(ids.isbn_ebook)} ({esc(say['ebook'])})</p>")
    imprint = ", ".join(x for x in (s.publisher, s.date) if x)
    if imprint:
        lines.append(f"<p>{esc(say['published-by'])} {esc(imprint)}</p>" if s.publisher else f"<p>{esc(imprint)}</p>")
    lines.append(f"<p>{esc(fill(say['set-in'], font=s.fonts.family))}</p>")
    return '<section class="copyright-page"><div class="colophon-block">' + "".join(lines) + "</div></section>"


def _contents(book: Book, docs: list[ChapterDoc], numbers: dict[str, str] | None) -> str:
    """The contents page: a two-column table, so page numbers line up on the right."""
    depth = book.schema.toc.depth
    rows = []
    for doc in docs:
        for heading in doc.headings:
            if heading.level <= depth:
                target = html.escape(heading.id)
                rows.append(f'<tr class="toc-{heading.level}"><td class="toc-title"><a href="#{target}">'
                            f'{html.escape(heading.title)}</a></td>'
                            f'<td class="toc-page">{_page_number(target, numbers)}</td></tr>')
    title = html.escape(book.phrases["contents"])
    return (f'<nav class="toc" id="contents"><h1 data-title="{title}">{title}</h1>'
            f'<table>{"".join(rows)}</table></nav>')


def _page_number(target: str, numbers: dict[str, str] | None) -> str:
    if numbers is None:  # single pass: WeasyPrint fills in target-counter()
        return f'<a href="#{target}"></a>'
    return f'<a class="known" href="#{target}">{html.escape(numbers[target])}</a>'


def _and(book: Book, names: list[str]) -> str:
    return join_names(names, book.phrases["and"])


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


def _check_cmyk_profile(path: Path, book: Book) -> None:
    """WeasyPrint silently drops a profile it cannot read; say so instead."""
    from PIL import ImageCms

    try:
        space = ImageCms.ImageCmsProfile(str(path)).profile.xcolor_space.strip()
    except (OSError, ImageCms.PyCMSError) as exc:
        raise ConfigError(f"output profile '{book.schema.output_profile}' is not an ICC profile ({exc})",
                          where=book.locate("output_profile"),
                          hint="use the CMYK .icc file your printer names") from None
    if space != "CMYK":
        raise ConfigError(f"output profile '{book.schema.output_profile}' is a {space} profile, not CMYK",
                          where=book.locate("output_profile"),
                          hint="PDF/X-1a needs the printer's CMYK profile (e.g. a SWOP or FOGRA one)")


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
            profile = book.project_path(book.schema.output_profile, key="output_profile")
            if not profile.is_file():
                raise ConfigError(f"output profile '{book.schema.output_profile}' does not exist",
                                  where=book.locate("output_profile"),
                                  hint="point it at the CMYK .icc file your printer names")
            _check_cmyk_profile(profile, book)
            colour = ("@color-profile device-cmyk { components: cyan, magenta, yellow, black; "
                      f"src: url({_css_string(profile.as_uri())}); }}\n") + colour
    pod = printer.name != "generic"
    return PrintSetup(page_geometry(book, pages), colour_css=colour, pdf_variant=variant,
                      strip_links=pod, min_pages=printer.min_pages if pod else 0, full_fonts=printer.fonts_full)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def render_document(document_html: str, root: Path, styles: Styles, extra_css: tuple[str, ...] = (),
                    edition: str = "print"):
    """Lay out an HTML document with the book's stylesheets; return WeasyPrint's Document.
    The screen edition adds screen.css to the print sheets."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from .weasyfix import fast_font_subsets, fix_font_embedding, fix_line_breaking, keep_notes_with_calls

    keep_notes_with_calls()
    fast_font_subsets()
    fix_font_embedding()
    fix_line_breaking()
    try:
        fetcher, fonts, profiles, sheets = _stylesheets(root, styles, extra_css, edition, _stamp(styles))

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


def _stamp(styles: Styles) -> tuple:
    return tuple((p, p.stat().st_mtime_ns, p.stat().st_size)
                 for p in (styles.base, styles.print, styles.screen, *styles.fonts))


@functools.lru_cache(maxsize=4)
def _stylesheets(root: Path, styles: Styles, extra_css: tuple[str, ...], edition: str, stamp: tuple):
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
atexit.register(_stylesheets.cache_clear)


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


def render_single_pass(book: Book, docs: list[ChapterDoc], fragments: list[str], styles: Styles,
                       target: Path, setup: PrintSetup) -> PrintResult:
    """Lay the whole book out in one WeasyPrint pass and write the PDF to `target`."""
    css = setup.css(book)
    document = pad_to_even(render_document(print_html(book, docs, fragments), book.root, styles, css), css[0])
    body_start = next((i for i, page in enumerate(document.pages) if "ch01" in page.anchors), 0)
    document.write_pdf(target, **setup.pdf_options())
    pages, padded = _finish_pdf(target, book, body_start, setup)
    return PrintResult(path=target, pages=pages, body_start=body_start, padded=padded)


def chapter_css(book: Book, setup: PrintSetup) -> tuple[str, ...]:
    """The generated styles every chapter is laid out with (chapter-wise layout)."""
    from .layout import NO_FOLIOS

    return (*setup.css(book), NO_FOLIOS)


def render_chapterwise(book: Book, docs: list[ChapterDoc], fragments: list[str], styles: Styles, target: Path,
                       setup: PrintSetup, *, cache, jobs: int, tool_versions: str,
                       progress=lambda stage, done, total: None, pool=None) -> tuple[PrintResult, list[int]]:
    """Lay chapters out in parallel (and from the cache), then assemble the book.

    Returns the result and the indexes (1-based) of the chapters that were laid out."""
    from .layout import LayoutTask, assemble, layout_documents, layout_key, skeleton_tasks, styles_digest

    continuous = book.schema.footnotes.numbering == "continuous"
    extra = chapter_css(book, setup)
    options = tuple(setup.pdf_options().items())
    tasks, offset, styles_key = [], 0, styles_digest(styles)
    for position, (doc, fragment) in enumerate(zip(docs, fragments)):
        section = chapter_section(book, doc, fragment, first=position == 0,
                                  note_offset=offset if continuous else None)
        offset += doc.note_count
        text = html_document(book, [section])
        tasks.append(LayoutTask(index=doc.chapter.index, html=text, root=book.root, styles=styles,
                                extra_css=extra, pdf_options=options,
                                key=layout_key(book, styles_key, text, extra + (repr(options),), tool_versions)))
    chapters, laid_out = layout_documents(tasks, cache, jobs,
                                          lambda done, total: progress("laying out chapters", done, total),
                                          pool=pool)
    # Page numbers are known now: each chapter starts on the recto after the last one.
    counts = [pages.meta["pages"] for pages in chapters]
    starts = [1 + sum(c + c % 2 for c in counts[:i]) for i in range(len(counts))]
    numbers: dict[str, str] = {}
    for start, pages in zip(starts, chapters):
        for page, anchors in enumerate(pages.meta["anchors"]):
            for name in anchors:
                numbers.setdefault(name, str(start + page))
    # The folios: the front matter (its contents now with page numbers) and the chapters'
    # pages, empty but for their folios, in a few runs laid out side by side.
    front = html_document(book, [front_matter(book, docs, numbers)])
    groups = skeleton_tasks(book, docs, counts, starts, front, styles, styles_key, tool_versions, jobs,
                            setup.css(book), options, chapter_section, html_document)
    parts, _ = layout_documents(groups, cache, jobs, lambda done, total: progress("laying out folios", done, total),
                                kind="folios", pool=pool)
    progress("assembling the PDF", 0, 1)
    counts: list[tuple[int, int]] = []
    fingerprints: list[str] = []

    def finish(pdf, start: int, made_of: list[str]) -> None:
        counts.append(finish_pdf(pdf, book, start, setup))
        from .preflight import page_fingerprints

        # Blank pages added at the end are fingerprinted from the file itself.
        fingerprints.extend(made_of + page_fingerprints(pdf, range(len(made_of), len(pdf.pages))))

    _, body_start = assemble(parts, chapters, [d.chapter.anchor for d in docs], target, finish=finish)
    total, padded = counts[0]
    progress("assembling the PDF", 1, 1)
    return PrintResult(path=target, pages=total, body_start=body_start, padded=padded,
                       fingerprints=fingerprints), laid_out


def render_screen(book: Book, docs: list[ChapterDoc], fragments: list[str], styles: Styles, cover: Path,
                  target: Path, *, cache, tool_versions: str) -> int:
    """The screen edition: cover first, symmetric pages, no blank versos, live links,
    bookmarks, tagged for screen readers. One pass; cached whole. Returns the page count."""
    import base64
    import dataclasses

    from .cache import assets_digest, digest
    from .layout import styles_digest

    geometry = dataclasses.replace(page_geometry(book), symmetric=True, bleed=0.0, marks=False)
    css = (page_css(book, geometry),)
    image = base64.b64encode(cover.read_bytes()).decode()
    mime = "image/jpeg" if cover.suffix.lower() in (".jpg", ".jpeg") else "image/png"
    cover_html = (f'<section class="cover"><img src="data:{mime};base64,{image}" '
                  f'alt="{html.escape(book.phrases["cover"] + ": " + book.schema.title)}"></section>')
    sections = [chapter_section(book, doc, fragment, first=position == 0)
                for position, (doc, fragment) in enumerate(zip(docs, fragments))]
    document_html = html_document(book, [cover_html, front_matter(book, docs), *sections])
    key = digest(document_html, *css, styles_digest(styles), styles.screen.read_bytes(), tool_versions,
                 assets_digest(book.root, document_html),
                 str(book.root))
    cached = cache.get("screen-pdf", key)
    if cached is not None:
        target.write_bytes(cached)
    else:
        document = render_document(document_html, book.root, styles, css, edition="screen")
        body_start = next((i for i, page in enumerate(document.pages) if docs and docs[0].chapter.anchor
                           in page.anchors), 1)
        # PDF/UA-1: tagged, with the title, language and identification a reader needs.
        document.write_pdf(target, pdf_tags=True, pdf_variant="pdf/ua-1", **PDF_OPTIONS)
        _label_screen(target, book, body_start)
        cache.put("screen-pdf", key, target.read_bytes())
    import pikepdf

    with pikepdf.open(target) as pdf:
        return len(pdf.pages)


def _label_screen(path: Path, book: Book, body_start: int) -> None:
    """Page labels: "Cover", then i, ii, … for the front matter, then 1, 2, …"""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        _label_pages(pdf, book, body_start, cover=True)
        pdf.save(path, deterministic_id=True)


def _label_pages(pdf, book: Book, body_start: int, *, cover: bool = False) -> None:
    """Page labels that match the printed folios (i, ii, … then 1, 2, …), so viewers show
    them; a screen edition's first page is "Cover". And the document's language."""
    import pikepdf

    nums = pikepdf.Array([0, pikepdf.Dictionary(S=pikepdf.Name.r)])
    if cover:
        nums = pikepdf.Array([0, pikepdf.Dictionary(P=pikepdf.String(book.phrases["cover"])),
                              1, pikepdf.Dictionary(S=pikepdf.Name.r, St=2)])
    if body_start > int(cover):
        nums.extend([body_start, pikepdf.Dictionary(S=pikepdf.Name.D, St=1)])
    pdf.Root.PageLabels = pikepdf.Dictionary(Nums=nums)
    pdf.Root.Lang = pikepdf.String(book.schema.language)


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


def _finish_pdf(path: Path, book: Book, body_start: int, setup: PrintSetup) -> tuple[int, int]:
    """finish_pdf on a file written by WeasyPrint."""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        counts = finish_pdf(pdf, book, body_start, setup)
        pdf.save(path, deterministic_id=True)
    return counts


#: The document-information key that names the printer a print PDF was made for.
PRINTER_KEY = "/OctavoPrinter"


def finish_pdf(pdf, book: Book, body_start: int, setup: PrintSetup) -> tuple[int, int]:
    """Page labels (see _label_pages); blank pages up to the printer's minimum and an even
    count; no links in a file for a printer. Returns the page count and the blank pages
    added beyond an even count."""
    import pikepdf

    _label_pages(pdf, book, body_start)
    # Which printer the file was made for: `octavo preflight FILE` reads it from here.
    pdf.docinfo[pikepdf.Name(PRINTER_KEY)] = book.schema.printer
    laid_out = len(pdf.pages)
    wanted = max(laid_out, setup.min_pages)
    if setup.even:
        wanted += wanted % 2
    while len(pdf.pages) < wanted and len(pdf.pages) >= 2:
        # A blank page with the boxes of the page two back (same side, same bleed). It has
        # no /Contents at all, which the PDF specification (7.7.3.3) reads as an empty page:
        # an empty content stream would be written by qpdf as zero bytes marked
        # /FlateDecode, which is not a valid Flate stream (Ghostscript: "error reading a
        # stream"; qpdf/qpdf#1426).
        model = pdf.pages[len(pdf.pages) - 2].obj
        blank = pikepdf.Dictionary(Type=pikepdf.Name.Page, Resources=pikepdf.Dictionary())
        for box in ("/MediaBox", "/TrimBox", "/BleedBox", "/CropBox", "/ArtBox"):
            if box in model:
                blank[box] = pikepdf.Array(list(model[box]))
        pdf.pages.append(pikepdf.Page(blank))
    _share_and_name_fonts(pdf)
    if setup.strip_links:
        # A printed page cannot be clicked, and KDP asks for no annotations.
        for page in pdf.pages:
            if "/Annots" in page.obj:
                del page.obj["/Annots"]
    return len(pdf.pages), max(0, len(pdf.pages) - laid_out - laid_out % 2)


def _share_and_name_fonts(pdf) -> None:
    """Chapter-wise layout embeds a font program once per chapter document: keep one copy
    of each (whole fonts are the same in every chapter, and so are some subsets). And make
    sure no two different subsets share a name (ISO 32000-1 §9.6.4): their tags come from
    their bytes (weasyfix.fix_font_embedding), so a clash is all but impossible, but a book
    has many subsets and a RIP that finds fonts by name would print the wrong glyphs."""
    import hashlib

    import pikepdf

    from .preflight import SUBSET
    from .weasyfix import subset_tag

    shared: dict[bytes, object] = {}
    descriptors = []
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in obj:
                    fingerprint = hashlib.sha256(obj[key].read_raw_bytes()).digest()
                    obj[key] = shared.setdefault(fingerprint, obj[key])
                    descriptors.append((obj, obj[key]))
    programs: dict[tuple[int, int], bytes] = {}  # font file object -> digest of the program
    owner: dict[str, bytes] = {}                  # tagged name -> the program it names
    renamed: dict[tuple[int, int], pikepdf.Name] = {}  # descriptor -> its new name
    for descriptor, program in descriptors:
        name = str(descriptor.get("/FontName", ""))
        if not SUBSET.match(name):
            continue
        if program.objgen not in programs:
            programs[program.objgen] = hashlib.sha256(program.read_bytes()).digest()
        held = owner.setdefault(name, programs[program.objgen])
        salt = 0
        while held != programs[program.objgen]:  # another subset has this name: a new tag
            salt += 1
            retagged = "/" + subset_tag(program.read_bytes(), salt) + "+" + name.split("+", 1)[1]
            held = owner.setdefault(retagged, programs[program.objgen])
            if held == programs[program.objgen]:
                descriptor.FontName = renamed[descriptor.objgen] = pikepdf.Name(retagged)
    if renamed:  # the fonts that use a renamed descriptor carry its name too
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font":
                descendant = obj.DescendantFonts[0] if "/DescendantFonts" in obj else obj
                descriptor = descendant.get("/FontDescriptor")
                if descriptor is not None and descriptor.objgen in renamed:
                    obj.BaseFont = descendant.BaseFont = renamed[descriptor.objgen]
