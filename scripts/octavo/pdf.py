"""The print edition: chapters' HTML -> one paged HTML book -> WeasyPrint -> PDF.

The editions live here (one pass, chapter-wise, screen); the parts they are made of live in
frontmatter (the HTML), pagesetup (the page), weasy (WeasyPrint), layout (chapter-wise
layout in workers) and finish (the finished file)."""

from __future__ import annotations

import base64
import dataclasses
import html
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from . import keys, sourcedate
from .context import BuildContext, Converted
from .finish import finish_file, finish_pdf, label_screen, stamp_dates
from .frontmatter import chapter_section, front_matter, html_document, print_html
from .layout import ChapterPages, Folios, LayoutTask, assemble, layout_documents, skeleton_tasks
from .pagelist import edition_name, page_map
from .pagesetup import PDF_OPTIONS, PrintSetup, chapter_css, page_css, page_geometry
from .preflight import page_fingerprints
from .weasy import pad_to_even, render_document


def repair_structure(path: Path) -> None:
    """The structure tree made right for a screen reader (structure.py)."""
    from .structure import repair

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        repair(pdf)
        pdf.save(path, deterministic_id=True)


@dataclass(frozen=True)
class PrintResult:
    path: Path
    pages: int
    body_start: int  # 0-based index of arabic page 1
    padded: int = 0  # blank pages added at the end to reach the printer's minimum
    #: What each page is made of, for preflight's memory of measured pages (chapter-wise).
    fingerprints: list[str] | None = None
    #: Where each page begins in the text, for the EPUB's page-list (pagelist.py; chapter-wise).
    page_map: dict | None = None
    #: The screen edition being assembled by the layout workers from the same chapter
    #: layouts (a Future of (page count, cache entries made, path); screen.start_assembly).
    screen: object = None


def render_single_pass(ctx: BuildContext, converted: Converted, setup: PrintSetup, target: Path) -> PrintResult:
    """Lay the whole book out in one WeasyPrint pass and write the PDF to `target`."""
    book, styles, docs, fragments = ctx.book, ctx.styles, converted.docs, converted.fragments
    css = setup.css(book)
    document = pad_to_even(render_document(print_html(book, docs, fragments), book.root, styles, css), css[0])
    body_start = next((i for i, page in enumerate(document.pages) if "ch01" in page.anchors), 0)
    document.write_pdf(target, **setup.pdf_options())
    pages, padded = finish_file(target, book, body_start, setup, _epoch(book, docs))
    return PrintResult(path=target, pages=pages, body_start=body_start, padded=padded)


def chapter_options(setup: PrintSetup) -> dict:
    """WeasyPrint's options for a chapter: the printer's, and tagged, with the chapter's
    links: the screen edition is assembled from the same chapter layouts (screen.py); the
    print edition draws them as forms, where the tags and links do not reach."""
    return {**setup.pdf_options(), "pdf_tags": True}


def lay_out_chapters(ctx: BuildContext, converted: Converted, setup: PrintSetup, pool=None
                     ) -> tuple[list[ChapterPages], list[int]]:
    """Every chapter laid out on its own, in parallel and from the cache: the pages both
    editions are made of. Returns them and the indexes (1-based) of the chapters laid out."""
    book, styles, docs, fragments, cache, jobs = (ctx.book, ctx.styles, converted.docs, converted.fragments,
                                                  ctx.cache, ctx.jobs)
    progress = ctx.progress
    continuous = book.schema.footnotes.numbering == "continuous"
    extra = chapter_css(book, setup)
    options = tuple(chapter_options(setup).items())
    tasks, offset, styles_key = [], 0, keys.styles_key(styles, "print")
    for position, (doc, fragment) in enumerate(zip(docs, fragments)):
        section = chapter_section(book, doc, fragment, first=position == 0,
                                  note_offset=offset if continuous else None)
        offset += doc.note_count
        text = html_document(book, [section])
        tasks.append(LayoutTask(index=doc.chapter.index, html=text, root=book.root, styles=styles,
                                extra_css=extra, pdf_options=options,
                                key=keys.layout_key(book, styles_key, text, extra + (repr(options),), ctx.tools)))
    return layout_documents(tasks, cache, jobs, lambda done, total: progress("laying out chapters", done, total),
                            pool=pool)


def render_chapterwise(ctx: BuildContext, converted: Converted, setup: PrintSetup, target: Path,
                       pool=None) -> tuple[PrintResult, list[int], list[ChapterPages]]:
    """Lay chapters out in parallel (and from the cache), then assemble the book.

    Returns the result, the indexes (1-based) of the chapters that were laid out, and the
    chapters' pages (the screen edition is made of them too)."""
    book, docs, cache, jobs, progress = ctx.book, converted.docs, ctx.cache, ctx.jobs, ctx.progress
    chapters, laid_out = lay_out_chapters(ctx, converted, setup, pool)
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
    folios = Folios(counts, starts, [pages.meta["heads"] for pages in chapters])
    groups = skeleton_tasks(ctx, docs, front, folios, setup)
    parts, _ = layout_documents(groups, cache, jobs, lambda done, total: progress("laying out folios", done, total),
                                kind="folios", pool=pool)
    screen = None
    if "screen" in ctx.options.formats and converted.cover is not None and pool is not None \
            and _final(book, setup, sum(part.meta["pages"] for part in parts)):
        from .screen import start_assembly

        # The workers assemble the screen edition while this process assembles the print one.
        # (A folder of its own: a layout redone with a wider gutter never writes over it.)
        folder = Path(tempfile.mkdtemp(prefix="screen-", dir=ctx.work))
        screen = start_assembly(ctx, converted, setup, chapters, pool, folder / f"{book.slug}-screen.pdf")
    progress("assembling the PDF", 0, 1)
    counts: list[tuple[int, int]] = []
    fingerprints: list[str] = []

    def finish(pdf, start: int, made_of: list[str]) -> None:
        counts.append(finish_pdf(pdf, book, start, setup, _epoch(book, docs)))
        # Blank pages added at the end are fingerprinted from the file itself.
        fingerprints.extend(made_of + page_fingerprints(pdf, range(len(made_of), len(pdf.pages))))

    _, body_start = assemble(parts, chapters, [d.chapter.anchor for d in docs], target, finish=finish)
    total, padded = counts[0]
    progress("assembling the PDF", 1, 1)
    pages_begin = page_map(edition_name(book), parts[0].meta["text"], [c.meta["text"] for c in chapters], starts, total)
    return PrintResult(path=target, pages=total, body_start=body_start, padded=padded,
                       fingerprints=fingerprints, page_map=pages_begin, screen=screen), laid_out, chapters


def _final(book, setup: PrintSetup, pages: int) -> bool:
    """Whether `pages` leave the printer's gutter as it is (editions.PrintEdition.final_layout):
    a layout that will be made again with a wider one is not assembled for the screen."""
    from .pagesetup import wider_gutter

    return wider_gutter(book, setup, max(pages, setup.min_pages)) is None


def _epoch(book, docs) -> int:
    """The date the PDFs carry (sourcedate.py)."""
    return sourcedate.source_epoch(book, (doc.chapter.path for doc in docs))


def render_screen(ctx: BuildContext, converted: Converted, target: Path) -> int:
    """The screen edition: cover first, symmetric pages, no blank versos, live links,
    bookmarks, tagged for screen readers. One pass; cached whole. Returns the page count."""
    book, styles, docs, fragments, cover = ctx.book, ctx.styles, converted.docs, converted.fragments, converted.cover
    geometry = dataclasses.replace(page_geometry(book), symmetric=True, bleed=0.0, marks=False)
    css = (page_css(book, geometry),)
    image = base64.b64encode(cover.read_bytes()).decode()
    mime = "image/jpeg" if cover.suffix.lower() in (".jpg", ".jpeg") else "image/png"
    # The cover page's size, stated: a percentage height of a box whose height is auto is
    # no height at all, and the image was drawn 9.6 in tall on a 9 in page, shifted up.
    cover_html = (f'<section class="cover" style="width: {geometry.width}in; height: {geometry.height}in">'
                  f'<img src="data:{mime};base64,{image}" '
                  f'alt="{html.escape(book.phrases["cover"] + ": " + book.schema.title)}"></section>')
    sections = [chapter_section(book, doc, fragment, first=position == 0)
                for position, (doc, fragment) in enumerate(zip(docs, fragments))]
    document_html = html_document(book, [cover_html, front_matter(book, docs), *sections])
    key = keys.screen_key(book, styles, document_html, css, ctx.tools)
    cache = ctx.cache
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
        repair_structure(target)
        cache.put("screen-pdf", key, target.read_bytes())
    # The dates are set on every build, outside the cache: a new date (a commit,
    # SOURCE_DATE_EPOCH) does not lay the book out again.
    with pikepdf.open(target, allow_overwriting_input=True) as pdf:
        stamp_dates(pdf, book, _epoch(book, docs))
        pages = len(pdf.pages)
        pdf.save(target, deterministic_id=True)
    return pages
