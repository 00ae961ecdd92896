"""The print edition's HTML: front matter (half title, title page, copyright page, contents)
and the chapters as sections of one document."""

from __future__ import annotations

import html

from .config import Book
from .pagesetup import fit_measure
from .pandoc import ChapterDoc
from .phrases import fill, join_names


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
    """The contents page: a two-column table, so page numbers line up on the right.

    The table is for the eye only: `role="doc-toc"` tells the screen edition's structure
    repair (structtree.py) to read it as a `TOC` of entries, each one link, its leaders
    artifacts."""
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
    return (f'<nav class="toc" id="contents" role="doc-toc"><h1 data-title="{title}">{title}</h1>'
            f'<table>{"".join(rows)}</table></nav>')


def _page_number(target: str, numbers: dict[str, str] | None) -> str:
    if numbers is None:  # single pass: WeasyPrint fills in target-counter()
        return f'<a href="#{target}"></a>'
    return f'<a class="known" href="#{target}">{html.escape(numbers[target])}</a>'


def _and(book: Book, names: list[str]) -> str:
    return join_names(names, book.phrases["and"])
