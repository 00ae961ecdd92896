"""The print edition: chapters' HTML -> one paged HTML book -> WeasyPrint -> PDF."""

from __future__ import annotations

import functools
import html
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher

from .config import Book
from .errors import OctavoError, ToolError
from .pandoc import ChapterDoc
from .styles import Styles

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintResult:
    path: Path
    pages: int
    body_start: int  # 0-based index of arabic page 1


#: Fonts are embedded as subsets: a whole font has no Unicode mapping for small caps,
#: ligatures or old-style figures, so the PDF's text could not be searched or copied.
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
    content = fragment if body is None else body
    return f'<section class="{classes}" id="{doc.chapter.anchor}"{style}>\n{content}</section>'


def _half_title(book: Book) -> str:
    return f'<section class="half-title"><p class="book-title">{html.escape(book.schema.title)}</p></section>'


def _title_page(book: Book) -> str:
    s, esc = book.schema, html.escape
    parts = [f'<h1 class="title">{esc(s.title)}</h1>']
    if s.subtitle:
        parts.append(f'<p class="subtitle">{esc(s.subtitle)}</p>')
    if s.series:
        of = f" of {s.series.total}" if s.series.total else ""
        # When the series is named like the book, "Part 2 of 6" says it all.
        name = "" if s.series.name == s.title else f"{esc(s.series.name)} · "
        parts.append(f'<p class="series">{name}Part {s.series.number}{of}</p>')
    if book.authors:
        parts.append(f'<p class="authors">{esc(_and(book.authors))}</p>')
    for label, names in (("Translated by", book.translators), ("Edited by", book.editors)):
        if names:
            parts.append(f'<p class="contributors">{label} {esc(_and(names))}</p>')
    if s.publisher:
        parts.append(f'<p class="publisher">{esc(s.publisher)}</p>')
    return '<section class="title-page">' + "".join(parts) + "</section>"


def _copyright_page(book: Book) -> str:
    s, esc = book.schema, html.escape
    lines = [f"<p><i>{esc(s.title)}</i>" + (f": {esc(s.subtitle)}" if s.subtitle else "") + "</p>"]
    if s.series:
        of = f" of {s.series.total}" if s.series.total else ""
        lines.append(f"<p>Part {s.series.number}{of} of the series <i>{esc(s.series.name)}</i>.</p>")
    if s.rights:
        lines.append(f"<p>{esc(s.rights)}</p>")
    if s.edition:
        lines.append(f"<p>{esc(s.edition)}</p>")
    ids = s.identifiers
    if ids.isbn_print:
        lines.append(f"<p>ISBN {esc(ids.isbn_print)} (paperback)</p>")
    if ids.isbn_ebook:
        lines.append(f"<p>ISBN {esc(ids.isbn_ebook)} (ebook)</p>")
    imprint = ", ".join(x for x in (s.publisher, s.date) if x)
    if imprint:
        lines.append(f"<p>Published by {esc(imprint)}</p>" if s.publisher else f"<p>{esc(imprint)}</p>")
    lines.append(f"<p>Set in {esc(s.fonts.family)}.</p>")
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
    title = html.escape(book.schema.toc.title)
    return (f'<nav class="toc" id="contents"><h1 data-title="{title}">{title}</h1>'
            f'<table>{"".join(rows)}</table></nav>')


def _page_number(target: str, numbers: dict[str, str] | None) -> str:
    if numbers is None:  # single pass: WeasyPrint fills in target-counter()
        return f'<a href="#{target}"></a>'
    return f'<a class="known" href="#{target}">{html.escape(numbers[target])}</a>'


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def page_css(book: Book) -> str:
    """Trim size and margins: the only part of the print style that comes from book.yaml."""
    width, height = book.trim_inches
    # Mirrored margins: the inner (gutter) margin is wider so text clears the binding;
    # the foot is deeper than the head (classical proportions, see docs/typography.md).
    inner = round(max(0.75, width * 0.145), 3)
    outer = round(max(0.6, width * 0.115), 3)
    top = round(height * 0.08, 3)
    bottom = round(height * 0.095, 3)
    family = book.schema.fonts.family.replace('"', "")
    return (f"@page {{ size: {width}in {height}in; margin: {top}in {outer}in {bottom}in {inner}in; }}\n"
            f"@page :left {{ margin-left: {outer}in; margin-right: {inner}in; }}\n"
            f"@page :right {{ margin-left: {inner}in; margin-right: {outer}in; }}\n"
            f'html {{ font-family: "{family}", serif; }}\n'
            f"@page body:left, body-first:left {{ @top-center {{ content: {_css_string(book.schema.title)}; }} }}\n")


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def render_document(document_html: str, root: Path, styles: Styles, extra_css: tuple[str, ...] = ()):
    """Lay out an HTML document with the book's stylesheets; return WeasyPrint's Document."""
    from weasyprint import HTML

    from .weasyfix import fast_font_subsets, keep_notes_with_calls

    keep_notes_with_calls()
    fast_font_subsets()
    try:
        fetcher, fonts, sheets = _stylesheets(root, styles, extra_css, _stamp(styles))
        return HTML(string=document_html, base_url=str(root) + "/", url_fetcher=fetcher,
                    media_type="print").render(stylesheets=sheets, font_config=fonts)
    except FatalURLFetchingError as exc:
        raise ResourceRefused(str(exc), hint="keep images and stylesheets inside the project; "
                              "the build never fetches from the network") from None
    except Exception as exc:  # WeasyPrint raises many kinds; translate them all
        raise ToolError(f"WeasyPrint could not lay out the book: {exc}",
                        hint="run with --debug for the full traceback") from exc


def _stamp(styles: Styles) -> tuple:
    return tuple((p, p.stat().st_mtime_ns, p.stat().st_size) for p in (styles.base, styles.print, *styles.fonts))


@functools.lru_cache(maxsize=4)
def _stylesheets(root: Path, styles: Styles, extra_css: tuple[str, ...], stamp: tuple):
    """Parsed stylesheets and loaded fonts, reused by every document a process lays out
    (a worker lays out many chapters; parsing CSS and loading fonts each time adds up).
    `stamp` (file times and sizes) makes an edited stylesheet or font a new entry."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fetcher = ProjectFetcher(allowed=(root, styles.directory))
    # @font-face rules only take effect when the stylesheets and the render share one
    # FontConfiguration.
    fonts = FontConfiguration()
    sheets = [CSS(filename=str(path), url_fetcher=fetcher, font_config=fonts)
              for path in (styles.base, styles.print)]
    sheets += [CSS(string=text, url_fetcher=fetcher, font_config=fonts) for text in extra_css]
    return fetcher, fonts, sheets


def pad_to_even(document, page_style: str):
    """Printers want an even page count; the extra page is a truly blank verso."""
    from weasyprint import CSS, HTML

    if len(document.pages) % 2 == 0:
        return document
    blank = HTML(string="<p></p>").render(stylesheets=[CSS(string=page_style)]).pages[0]
    return document.copy([*document.pages, blank])


def render_single_pass(book: Book, docs: list[ChapterDoc], fragments: list[str], styles: Styles,
                       target: Path) -> PrintResult:
    """Lay the whole book out in one WeasyPrint pass and write the PDF to `target`."""
    document = pad_to_even(render_document(print_html(book, docs, fragments), book.root, styles, (page_css(book),)),
                           page_css(book))
    body_start = next((i for i, page in enumerate(document.pages) if "ch01" in page.anchors), 0)
    document.write_pdf(target, **PDF_OPTIONS)
    _finish_pdf(target, book, body_start)
    return PrintResult(path=target, pages=len(document.pages), body_start=body_start)


def render_chapterwise(book: Book, docs: list[ChapterDoc], fragments: list[str], styles: Styles, target: Path,
                       *, cache, jobs: int, tool_versions: str, progress=lambda stage, done, total: None,
                       ) -> tuple[PrintResult, list[int]]:
    """Lay chapters out in parallel (and from the cache), then assemble the book.

    Returns the result and the indexes (1-based) of the chapters that were laid out."""
    from .layout import NO_FOLIOS, LayoutTask, assemble, layout_documents, layout_key, skeleton_tasks, styles_digest

    continuous = book.schema.footnotes.numbering == "continuous"
    extra = (page_css(book), NO_FOLIOS)
    tasks, offset, styles_key = [], 0, styles_digest(styles)
    for position, (doc, fragment) in enumerate(zip(docs, fragments)):
        section = chapter_section(book, doc, fragment, first=position == 0,
                                  note_offset=offset if continuous else None)
        offset += doc.note_count
        text = html_document(book, [section])
        tasks.append(LayoutTask(index=doc.chapter.index, html=text, root=book.root, styles=styles,
                                extra_css=extra, key=layout_key(book, styles_key, text, extra, tool_versions)))
    chapters, laid_out = layout_documents(tasks, cache, jobs,
                                          lambda done, total: progress("laying out chapters", done, total))
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
                            page_css(book), chapter_section, html_document)
    parts, _ = layout_documents(groups, cache, jobs, lambda done, total: progress("laying out folios", done, total),
                                kind="folios")
    progress("assembling the PDF", 0, 1)
    total, body_start = assemble(parts, chapters, [d.chapter.anchor for d in docs], target)
    _finish_pdf(target, book, body_start)
    progress("assembling the PDF", 1, 1)
    return PrintResult(path=target, pages=total, body_start=body_start), laid_out


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


def _finish_pdf(path: Path, book: Book, body_start: int) -> None:
    """Page labels (i, ii, … then 1, 2, …) so viewers show the printed folios."""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        nums = pikepdf.Array([0, pikepdf.Dictionary(S=pikepdf.Name.r)])
        if body_start:
            nums.extend([body_start, pikepdf.Dictionary(S=pikepdf.Name.D, St=1)])
        pdf.Root.PageLabels = pikepdf.Dictionary(Nums=nums)
        pdf.Root.Lang = pikepdf.String(book.schema.language)
        pdf.save(path)


class ProjectFetcher(URLFetcher):
    """Let WeasyPrint read only files inside the project (and the styles), nothing remote."""

    def __init__(self, allowed: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self.allowed = tuple(p.resolve() for p in allowed)

    def fetch(self, url: str, headers=None):  # noqa: ANN001 (WeasyPrint's signature)
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme != "file":
            raise FatalURLFetchingError(f"refused to fetch '{url}' (remote resource)")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.allowed):
            raise FatalURLFetchingError(f"refused to read '{path}' (outside the project)")
        return super().fetch(url, headers)
