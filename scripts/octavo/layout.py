"""Chapter-wise print layout: chapters laid out in parallel and from the cache.

Every chapter opens on a recto, so its layout depends on nothing before it except the
page numbers. Each chapter is laid out on its own, without folios, in a worker
process; its pages are cached by a key of everything that shapes them. Then a
*skeleton* of the book is laid out once — the real front matter (with the now-known
contents page numbers) and one empty page per chapter page, carrying only the folios,
blank versos where a chapter needs a recto. The chapter pages are put under the
skeleton's pages, and links, bookmarks and page labels are written for the whole book.
The result is what a single-pass layout gives (tests/test_layout.py compares them).
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import multiprocessing
import re
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from . import keys
from .cache import Cache, digest
from .context import BuildContext
from .frontmatter import chapter_section, html_document
from .pagelist import record as record_pages
from .pandoc import ChapterDoc
from .pagesetup import PrintSetup
from .styles import Styles
from .weasy import pad_to_even, render_document, warm_up

log = logging.getLogger(__name__)

PX_TO_PT = 0.75  # WeasyPrint's CSS px -> PDF points
UNDERLAY = "/OctavoChapterPage"  # the chapter page drawn under a folio page
_SPAWN = multiprocessing.get_context("spawn")


@dataclass(frozen=True)
class LayoutTask:
    """Everything a worker needs to lay out one chapter (picklable)."""

    index: int
    html: str
    root: Path
    styles: Styles
    extra_css: tuple[str, ...]
    key: str
    pad_even: bool = False  # add a blank page when the count is odd (extra_css[0] sizes it)
    pdf_options: tuple = ()  # WeasyPrint's write_pdf options, as (name, value) pairs
    edition: str = "print"  # which stylesheets (weasy.render_document)


def splittable(styles: Styles) -> bool:
    """Chapter-wise layout is exact unless the stylesheet prints page numbers of other
    elements (target-counter) anywhere but in the contents, which octavo fills in itself."""
    for path in (styles.base, styles.print):
        css = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
        for selector, body in re.findall(r"([^{}]*)\{([^{}]*)\}", css):
            if "target-counter" in body and "nav.toc" not in selector:
                return False
    return True


def layout_chapter(task: LayoutTask) -> tuple[int, bytes, bytes]:
    """Worker: lay out one chapter; return (index, layout meta JSON, PDF bytes)."""
    from .weasy import keeping_foreign_links

    document = render_document(task.html, task.root, task.styles, task.extra_css, edition=task.edition)
    if task.pad_even:
        document = pad_to_even(document, task.extra_css[0])
    pages = document.pages
    meta = {
        "pages": len(pages),
        "anchors": [{k: list(v) for k, v in page.anchors.items()} for page in pages],
        "links": [[[kind, target, *rect] for kind, target, rect, _box in page.links] for page in pages],
        "bookmarks": [[[level, label, *position] for level, label, position, _state in page.bookmarks]
                      for page in pages],
        "height": pages[0].height if pages else 0,
        "heads": running_heads(task.html, pages),
        "text": record_pages(pages),  # where each page begins, for the EPUB's page-list
    }
    with keeping_foreign_links():  # a link to another chapter keeps its annotation (weasy.py)
        pdf = document.write_pdf(**dict(task.pdf_options))
    return task.index, json.dumps(meta).encode(), pdf


_H1 = re.compile(r"<h1\b[^>]*>")
_ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"')


def running_heads(html_text: str, pages) -> list[str]:
    """The running head over each page: print.css's `string(chapter-title, first)`, the
    `data-running` of the chapter's h1 on that page, else of the last h1 before it. The
    chapters are laid out without heads; the skeletons (print and screen) draw them."""
    import html

    running: dict[str, str] = {}
    for tag in _H1.findall(html_text):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if "id" in attributes and "data-running" in attributes:
            running[html.unescape(attributes["id"])] = html.unescape(attributes["data-running"])
    heads, current = [], ""
    for page in pages:
        here = [running[name] for name in page.anchors if name in running]
        heads.append(here[0] if here else current)
        current = here[-1] if here else current
    return heads


@dataclass
class ChapterPages:
    meta: dict
    pdf: bytes


class LayoutPool:
    """WeasyPrint worker processes, started at the beginning of a build and warmed up
    (WeasyPrint imported, octavo's fixes applied, the stylesheets parsed and the fonts
    loaded: about a second) while the main process reads and converts the manuscript,
    so that even a one-chapter edit is laid out by a ready worker.

    "spawn": a worker starts fresh instead of as a copy of the main process, which will
    soon hold every chapter's AST; a forked copy would carry all of it along."""

    def __init__(self, jobs: int, root: Path, styles: Styles, extra_css: tuple[str, ...]) -> None:
        import threading

        self.jobs = max(1, jobs)
        #: Whether the workers also put the screen edition together (screen.start_assembly):
        #: after an edit, beside the print assembly; for a new book the main process does,
        #: once the workers' memory has gone back.
        self.assembles_screen = False
        self.executor = ProcessPoolExecutor(max_workers=self.jobs, mp_context=_SPAWN)
        # One worker is warmed up (an edit usually touches one chapter); the pool starts
        # more as work arrives. Starting a process takes a moment: not on this thread.
        self._warming = threading.Thread(target=self.executor.submit, args=(warm_up, root, styles, extra_css),
                                         daemon=True)
        self._warming.start()

    def close(self) -> None:
        self._warming.join()
        self.executor.shutdown(wait=True, cancel_futures=True)


def layout_documents(tasks: list[LayoutTask], cache: Cache, jobs: int, progress=lambda done, total: None,
                     *, kind: str = "layout", pool: LayoutPool | None = None
                     ) -> tuple[list[ChapterPages], list[int]]:
    """Lay out every chapter, from the cache where possible; return pages and the
    indexes of the chapters that had to be laid out."""
    results: dict[int, ChapterPages] = {}
    todo = []
    for task in tasks:
        meta, pdf = cache.get(f"{kind}-meta", task.key), cache.get(f"{kind}-pdf", task.key)
        if meta is not None and pdf is not None:
            results[task.index] = ChapterPages(json.loads(meta), pdf)
        else:
            todo.append(task)
    progress(len(results), len(tasks))
    if todo:
        keys = {task.index: task.key for task in todo}

        def keep(index: int, meta: bytes, pdf: bytes) -> None:
            cache.put(f"{kind}-meta", keys[index], meta)
            cache.put(f"{kind}-pdf", keys[index], pdf)
            results[index] = ChapterPages(json.loads(meta), pdf)
            progress(len(results), len(tasks))

        # Largest first, so one long chapter does not finish alone at the end.
        todo.sort(key=lambda t: len(t.html), reverse=True)
        if pool is not None:
            for future in as_completed([pool.executor.submit(layout_chapter, task) for task in todo]):
                keep(*future.result())
        elif jobs > 1 and len(todo) > 1:
            with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=_SPAWN) as own:
                for future in as_completed([own.submit(layout_chapter, task) for task in todo]):
                    keep(*future.result())
        else:
            for task in todo:
                keep(*layout_chapter(task))
    return [results[task.index] for task in tasks], sorted(task.index for task in todo)


@dataclass(frozen=True)
class Folios:
    """Where each chapter's pages fall in an edition: how many pages it has, the folio
    of its first page, and the running head over each of its pages."""

    counts: list[int]
    starts: list[int]
    heads: list[list[str]]


def skeleton_tasks(ctx: BuildContext, docs: list[ChapterDoc], front_html: str, folios: Folios,
                   setup: PrintSetup) -> list[LayoutTask]:
    """The print skeleton: the front matter, then the chapters' folio pages (folio_runs)."""
    book, styles = ctx.book, ctx.styles
    styles_key, pdf_options = keys.styles_key(styles, "print"), tuple(setup.pdf_options().items())
    extra = setup.css(book)
    keyed = (repr(pdf_options),)
    front = LayoutTask(index=0, html=front_html, root=book.root, styles=styles, extra_css=extra, pad_even=True,
                       pdf_options=pdf_options, key=keys.layout_key(book, styles_key, front_html, extra + keyed,
                                                                    ctx.tools))
    return [front, *folio_runs(ctx, docs, folios, dataclasses.replace(front, html="", key=""))]


def folio_runs(ctx: BuildContext, docs: list[ChapterDoc], folios: Folios, model: LayoutTask) -> list[LayoutTask]:
    """The chapters' pages, empty but for their running heads and folios, in `jobs` runs
    of about equal length, each run restarting the page count where it begins; laid out
    as `model` says (stylesheets, options, edition, padding). Run n is task index n (from 1)."""
    book, jobs, counts, starts, heads = ctx.book, ctx.jobs, folios.counts, folios.starts, folios.heads
    styles_key, keyed = keys.styles_key(model.styles, model.edition), (repr(model.pdf_options),)
    share = sum(counts) / max(jobs, 1)
    runs: list[list[int]] = [[]]
    filled = 0
    for i, count in enumerate(counts):
        if runs[-1] and filled >= share * len(runs) and len(runs) < jobs:
            runs.append([])
        runs[-1].append(i)
        filled += count
    tasks = []
    for number, run in enumerate(runs, start=1):
        sections = []
        for position, i in enumerate(run):
            body = "".join(_skeleton_page(heads[i][page] if page < len(heads[i]) else "", page > 0)
                           for page in range(counts[i]))
            sections.append(chapter_section(book, docs[i], "", first=position == 0, body=body))
        html_text = html_document(book, sections)
        restart = f"@page body-first:nth(1 of body-first) {{ counter-reset: page {starts[run[0]]}; }}"
        css = (*model.extra_css, restart)
        tasks.append(dataclasses.replace(model, index=number, html=html_text, extra_css=css,
                                         key=keys.layout_key(book, styles_key, html_text, css + keyed, ctx.tools)))
    return tasks


def _skeleton_page(head: str, breaks: bool) -> str:
    """One empty page that sets the running head the chapter's page above it shows."""
    import html

    quoted = '"' + head.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
    style = ("break-before: page; " if breaks else "") + f"string-set: chapter-title {quoted}"
    return f'<div class="skeleton-page" style="{html.escape(style)}"></div>'


def assemble(parts: list[ChapterPages], chapters: list[ChapterPages], anchors: list[str],
             target: Path, finish=None) -> tuple[int, int]:
    """Join the folio documents into one PDF, put each chapter's pages under its folio
    pages, and write links and bookmarks for the whole book.

    `anchors[i]` is the id of chapter i's section; `finish(pdf, body_start, fingerprints)`
    runs on the book before it is written (one save, not two). Returns the page count and the 0-based
    index of the first chapter page.
    """
    import pikepdf

    # Which page of the book carries which chapter page.
    placement: dict[int, tuple[int, int]] = {}
    by_anchor = {anchor: i for i, anchor in enumerate(anchors)}
    current, offset, index = None, 0, 0
    part_pages: list[tuple[int, int]] = []  # book page -> (part, page in part)
    for part_number, part in enumerate(parts):
        for page in range(part.meta["pages"]):
            part_pages.append((part_number, page))
            # A section's id is an anchor on every page the section spans: a chapter
            # starts where its id first appears.
            started = [by_anchor[a] for a in part.meta["anchors"][page]
                       if a in by_anchor and by_anchor[a] != current]
            if started:
                current, offset = started[0], 0
            if current is not None and offset < chapters[current].meta["pages"]:
                placement[index] = (current, offset)
                offset += 1
            index += 1
    body_start = min(placement) if placement else 0
    # Where every id lives in the finished book: page index and position.
    where: dict[str, tuple[int, list[float]]] = {}
    for book_page, (chapter, page) in placement.items():
        for name, rect in chapters[chapter].meta["anchors"][page].items():
            where.setdefault(name, (book_page, rect))
    for book_page, (part, page) in enumerate(part_pages):
        for name, rect in parts[part].meta["anchors"][page].items():
            where.setdefault(name, (book_page, rect))

    with pikepdf.new() as pdf:
        sources = [pikepdf.open(io.BytesIO(p.pdf)) for p in parts]
        chapter_sources = [pikepdf.open(io.BytesIO(c.pdf)) for c in chapters]
        for source in sources:
            # The front matter's contents links name their targets (WeasyPrint's named
            # destinations); the book's links are written below from the layouts' anchors.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                pdf.pages.extend(source.pages)
        height = float(pdf.pages[0].mediabox[3])
        for book_page, (chapter, page) in placement.items():
            target_page = pdf.pages[book_page]
            # WeasyPrint shares one /Resources between all pages; the underlay adds a
            # form to the page's resources, so each page needs resources of its own.
            resources = pikepdf.Dictionary({k: v for k, v in target_page.obj.Resources.items()})
            if "/XObject" in resources:
                resources.XObject = pikepdf.Dictionary({k: v for k, v in resources.XObject.items()})
            target_page.obj.Resources = resources
            # The chapter page goes under the folio page, drawn first. (pikepdf's
            # add_underlay would do the same under a random name; a fixed name keeps the
            # PDF reproducible and lets preflight recognise unchanged pages.)
            form = pdf.copy_foreign(chapter_sources[chapter].pages[page].as_form_xobject())
            if "/XObject" not in resources:
                resources.XObject = pikepdf.Dictionary()
            resources.XObject[UNDERLAY] = form
            target_page.contents_add(pdf.make_stream(b"q " + UNDERLAY.encode() + b" Do Q\n"), prepend=True)
        for page_obj in pdf.pages:  # links are all written below, for the whole book
            if "/Annots" in page_obj.obj:
                del page_obj.obj["/Annots"]
        links: list[tuple[int, list]] = []
        bookmarks: list[tuple[int, int, str, float, float]] = []
        for book_page, (part, page) in enumerate(part_pages):
            links += [(book_page, link) for link in parts[part].meta["links"][page]]
            bookmarks += [(book_page, *mark) for mark in parts[part].meta["bookmarks"][page]]
        for book_page, (chapter, page) in placement.items():
            links += [(book_page, link) for link in chapters[chapter].meta["links"][page]]
            bookmarks += [(book_page, *mark) for mark in chapters[chapter].meta["bookmarks"][page]]
        for book_page, link in links:
            _add_link(pdf, book_page, link, where, height)
        bookmarks.sort(key=lambda b: (b[0], b[4]))
        _write_outline(pdf, bookmarks, height)
        _copy_info(pdf, sources[0])
        if finish is not None:
            # A page is its folio page and the chapter page under it: the two PDFs' bytes
            # and the page numbers in them say exactly what it draws.
            part_ids = [digest(p.pdf) for p in parts]
            chapter_ids = [digest(c.pdf) for c in chapters]
            made_of = [digest("page", part_ids[part], str(page),
                              *(chapter_ids[placement[i][0]], str(placement[i][1])) if i in placement else ())
                       for i, (part, page) in enumerate(part_pages)]
            finish(pdf, body_start, made_of)
        pdf.save(target, deterministic_id=True)  # same pages, same bytes (an unchanged rebuild)
        for source in [*sources, *chapter_sources]:
            source.close()
    return len(part_pages), body_start


def _copy_info(pdf, source) -> None:
    """Title, author and the rest, as WeasyPrint wrote them for the front matter."""
    import pikepdf

    if "/Info" in source.trailer:
        pdf.trailer.Info = pdf.copy_foreign(source.trailer.Info)
    if "/Metadata" in source.Root:
        pdf.Root.Metadata = pdf.copy_foreign(source.Root.Metadata)
    if "/OutputIntents" in source.Root:  # PDF/X: the printer's colour profile
        intents = source.Root.OutputIntents
        pdf.Root.OutputIntents = pikepdf.Array([pdf.copy_foreign(source.make_indirect(i) if not i.is_indirect
                                                                 else i) for i in intents])
    if "/Lang" in source.Root:
        pdf.Root.Lang = pikepdf.String(str(source.Root.Lang))


def _add_link(pdf, page_index: int, link: list, where: dict, height: float) -> None:
    """`link` as the layout recorded it: kind, target, and its box in CSS px."""
    import pikepdf

    kind, target, *rect = link
    x0, y0, x1, y1 = (v * PX_TO_PT for v in rect)
    box = [x0, height - y1, x1, height - y0]
    annotation = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=box,
                                    Border=[0, 0, 0])
    if kind == "internal":
        if target not in where:
            return
        page, position = where[target]
        annotation.Dest = [pdf.pages[page].obj, pikepdf.Name.XYZ, position[0] * PX_TO_PT,
                           height - position[1] * PX_TO_PT, 0]
    elif kind == "external":
        annotation.A = pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String(target))
    else:
        return
    page_obj = pdf.pages[page_index].obj
    if "/Annots" not in page_obj:
        page_obj.Annots = pikepdf.Array()
    page_obj.Annots.append(pdf.make_indirect(annotation))


def _write_outline(pdf, bookmarks: list[tuple[int, int, str, float, float]], height: float) -> None:
    from pikepdf import OutlineItem

    with pdf.open_outline() as outline:
        outline.root.clear()
        stack: list[tuple[int, OutlineItem]] = []
        for page_index, level, label, x, y in bookmarks:
            item = OutlineItem(label, page_index, "XYZ", left=x * PX_TO_PT, top=height - y * PX_TO_PT)
            while stack and stack[-1][0] >= level:
                stack.pop()
            (stack[-1][1].children if stack else outline.root).append(item)
            stack.append((level, item))
