"""The print edition: chapters' HTML -> one paged HTML book -> WeasyPrint -> PDF.

The editions live here (one pass, chapter-wise, screen); the parts they are made of live in
frontmatter (the HTML), pagesetup (the page), weasy (WeasyPrint), layout (chapter-wise
layout in workers) and finish (the finished file)."""

from __future__ import annotations

import base64
import dataclasses
import html
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from .cache import assets_digest, digest
from .config import Book
from .finish import finish_file, finish_pdf, label_screen
from .frontmatter import chapter_section, front_matter, html_document, print_html
from .layout import LayoutTask, assemble, layout_documents, layout_key, skeleton_tasks, styles_digest
from .pagesetup import PDF_OPTIONS, PrintSetup, chapter_css, page_css, page_geometry
from .pandoc import ChapterDoc
from .preflight import page_fingerprints
from .styles import Styles
from .weasy import pad_to_even, render_document


@dataclass(frozen=True)
class PrintResult:
    path: Path
    pages: int
    body_start: int  # 0-based index of arabic page 1
    padded: int = 0  # blank pages added at the end to reach the printer's minimum
    #: What each page is made of, for preflight's memory of measured pages (chapter-wise).
    fingerprints: list[str] | None = None


def render_single_pass(book: Book, docs: list[ChapterDoc], fragments: list[str], styles: Styles,
                       target: Path, setup: PrintSetup) -> PrintResult:
    """Lay the whole book out in one WeasyPrint pass and write the PDF to `target`."""
    css = setup.css(book)
    document = pad_to_even(render_document(print_html(book, docs, fragments), book.root, styles, css), css[0])
    body_start = next((i for i, page in enumerate(document.pages) if "ch01" in page.anchors), 0)
    document.write_pdf(target, **setup.pdf_options())
    pages, padded = finish_file(target, book, body_start, setup)
    return PrintResult(path=target, pages=pages, body_start=body_start, padded=padded)


def render_chapterwise(book: Book, docs: list[ChapterDoc], fragments: list[str], styles: Styles, target: Path,
                       setup: PrintSetup, *, cache, jobs: int, tool_versions: str,
                       progress=lambda stage, done, total: None, pool=None) -> tuple[PrintResult, list[int]]:
    """Lay chapters out in parallel (and from the cache), then assemble the book.

    Returns the result and the indexes (1-based) of the chapters that were laid out."""
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
        label_screen(target, book, body_start)
        cache.put("screen-pdf", key, target.read_bytes())
    with pikepdf.open(target) as pdf:
        return len(pdf.pages)
