"""The screen edition, assembled from the print edition's chapter layouts (issue 11).

The screen edition's text block is the print edition's (symmetric margins of
(inner + outer) / 2, the same height), so every chapter breaks into the same lines and
pages in both editions. Each chapter is laid out once, tagged and with its links
(pdf.lay_out_chapters); the print edition draws those pages under its skeleton
(layout.assemble), and the screen edition is made of the same pages here:

- the cover and the front matter, laid out for the screen (no half-title; small);
- each part's structure repaired for a screen reader on its own (structure.py), and
  cached: only the pages of an edited chapter are read again;
- each chapter page moved sideways so that its text block is centred, its bleed cut
  away, with the screen skeleton (the chapter's title over the page, the folio at the
  foot centre, laid out by WeasyPrint as empty pages) drawn over it as a pagination
  artifact;
- one structure tree: the parts' elements in reading order under one `Document`, the
  parent tree rebuilt, `/StructParents` and `/StructParent` renumbered, `/IDTree` and
  `/RoleMap` merged;
- live links (a chapter's links to other chapters, and the contents', are written by
  WeasyPrint with a named destination the assembler finds in the whole book), bookmarks,
  page labels, one copy of each font, the document's language, title and PDF/UA-1
  identification.

Nothing here lays out a chapter: after a one-chapter edit the screen edition costs the
assembly, not a layout.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import threading
import warnings
from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from . import keys
from .cache import digest
from .context import BuildContext, Converted
from .finish import _label_pages, _share_and_name_fonts, stamp_dates
from .frontmatter import front_matter, html_document
from .layout import ChapterPages, Folios, LayoutTask, folio_runs, layout_documents
from .memory import give_back_memory_once
from .pagesetup import NO_FOLIOS, NO_HEADS, PDF_OPTIONS, PageGeometry, page_css

#: The screen skeleton's page, drawn over a chapter page (a fixed name: reproducible files).
SKELETON = pikepdf.Name("/OctavoScreenPage")
#: What the skeleton is to a screen reader: pagination, not content (ISO 32000-1 14.8.2.2).
ARTIFACT_OPEN = b"/Artifact <</Type /Pagination>> BDC\n"
#: The front matter's pagination alone: the same pages, nothing but the margin boxes drawn.
SHOW_ONLY_MARGINS = "body { visibility: hidden; }"


def screen_geometry(print_geometry: PageGeometry) -> PageGeometry:
    """The print page without bleed or marks and with its margins made symmetric."""
    return dataclasses.replace(print_geometry, symmetric=True, bleed=0.0, marks=False)


def cover_section(book, geometry: PageGeometry, cover: Path) -> str:
    """The cover as the screen edition's first page."""
    image = base64.b64encode(cover.read_bytes()).decode()
    mime = "image/jpeg" if cover.suffix.lower() in (".jpg", ".jpeg") else "image/png"
    # The cover page's size, stated: a percentage height of a box whose height is auto is
    # no height at all, and the image was drawn 9.6 in tall on a 9 in page, shifted up.
    return (f'<section class="cover" style="width: {geometry.width}in; height: {geometry.height}in">'
            f'<img src="data:{mime};base64,{image}" '
            f'alt="{html.escape(book.phrases["cover"] + ": " + book.schema.title)}"></section>')


def render_assembled(ctx: BuildContext, converted: Converted, setup, chapters: list[ChapterPages],
                     target: Path, epoch: int) -> int:
    """Write the screen edition to `target` from the print edition's final `setup` and its
    chapter layouts, in this process; return its page count."""
    job = ScreenJob(setup, _parts(lay_out_parts(ctx, converted, setup, chapters), chapters), target, ctx.book,
                    epoch, ctx.cache)
    ctx.progress("assembling the screen edition", 0, 1)
    for number, pages in enumerate(job.in_order()):
        repair_part(ctx.cache, pages, number)
    pages, _ = assemble_job(job)  # (the cache entries made are counted in ctx.cache already)
    ctx.progress("assembling the screen edition", 1, 1)
    return pages


def start_assembly(ctx: BuildContext, converted: Converted, setup, chapters: list[ChapterPages], pool,
                   target: Path) -> Future:
    """The screen edition assembled by the layout workers beside the print edition's
    assembly in this process: each part's structure repaired (in parallel), then the
    book put together into `target` when `pool.assembles_screen`. The future gives (page
    count, cache entries made, target), or (None, cache entries made, the ScreenJob) for
    this process to finish with assemble_job (a new book: the workers are large by now,
    and the merge waits until they are gone)."""
    from .sourcedate import source_epoch

    epoch = source_epoch(ctx.book, (doc.chapter.path for doc in converted.docs))  # as pdf._epoch
    job = ScreenJob(setup, _parts(lay_out_parts(ctx, converted, setup, chapters, pool), chapters), target,
                    ctx.book, epoch, ctx.cache)
    repairs = [pool.executor.submit(repair_part, ctx.cache, pages, number) for number, pages in enumerate(job.in_order())]
    done: Future = Future()

    def assemble() -> None:  # waits in a thread: this process goes on with the print edition
        try:
            made = Counter()
            for repair in repairs:
                made.update(repair.result())
            if not pool.assembles_screen:
                done.set_result((None, made, job))
                return
            pages, assembled = pool.executor.submit(assemble_job, job).result()
            done.set_result((pages, made + assembled, target))
        except BaseException as exc:  # given to whoever waits for the screen edition
            done.set_exception(exc)

    threading.Thread(target=assemble, name="screen-assembly", daemon=True).start()
    return done


@dataclass(frozen=True)
class ScreenParts:
    """What the screen edition is made of: the front matter (tagged), its pagination alone
    (page for page), the screen folio runs (one page per chapter page, in order) and the
    chapters' pages."""

    front: ChapterPages
    front_folios: ChapterPages
    skeleton: list[ChapterPages]
    chapters: list[ChapterPages]


def _parts(laid_out: list[ChapterPages], chapters: list[ChapterPages]) -> ScreenParts:
    return ScreenParts(laid_out[0], laid_out[-1], laid_out[1:-1], chapters)


@dataclass(frozen=True)
class ScreenJob:
    """Everything the assembly needs, as plain data: after an edit it runs in a layout
    worker (start_assembly)."""

    setup: object  # pagesetup.PrintSetup, the print edition's final one
    parts: ScreenParts  # their structure not yet repaired
    target: Path
    book: object
    epoch: int
    cache: object  # cache.Cache

    def in_order(self) -> list[ChapterPages]:
        """The parts whose structure is read: the front matter, then each chapter."""
        return [self.parts.front, *self.parts.chapters]


#: The heading level a part is first repaired after: none (a heading keeps its level).
#: A part whose first heading is then deeper than one below the heading before it in
#: the book is repaired again, knowing that heading (rare: a chapter opening on an H3).
ANY_HEADING = 6


def repair_part(cache, pages: ChapterPages, number: int) -> Counter:
    """Repair the structure of the `number`th part (0: the front matter) on its own and
    keep it in the cache; returns the cache entries made."""
    give_back_memory_once()  # a layout worker's pages: the screen edition is assembled beside them
    made_before = Counter(cache.made)
    _repaired(cache, pages, ANY_HEADING, _ids(number))
    return cache.made - made_before


def assemble_job(job: ScreenJob) -> tuple[int, Counter]:
    """Write the screen edition (see the module's docstring); the parts' repairs are
    taken from the cache. Returns its page count and the cache entries made."""
    give_back_memory_once()
    made_before = Counter(job.cache.made)
    repaired, heading = [], 0
    for number, pages in enumerate(job.in_order()):
        done, first, last = _repaired(job.cache, pages, ANY_HEADING, _ids(number))
        if first > heading + 1:  # its first heading would skip a level after the one before
            done, first, last = _repaired(job.cache, pages, heading, _ids(number))
        heading = last if first else heading
        repaired.append(done)
    parts = dataclasses.replace(job.parts, front=repaired[0], chapters=repaired[1:])
    pages = assemble_screen(parts, job.setup.geometry, job.target, job.book, job.epoch)
    return pages, job.cache.made - made_before


def _ids(number: int) -> str:
    """The prefix of a part's structure IDs: unique in the book."""
    return f"{number}-" if number else ""


def _repaired(cache, pages: ChapterPages, after_heading: int, ids: str) -> tuple[ChapterPages, int, int]:
    """A chapter's (or the front matter's) pages with their structure repaired for a screen
    reader (structure.py: the content, then the tree), from the cache: the repair reads
    every page and element, so after an edit only the edited chapter's are read. Nothing
    in the repair reaches past a chapter but the heading levels (`after_heading`, the last
    heading's level before it) and the IDs (`ids`, a prefix unique in the book); keyed by
    those and by the pages' own bytes. Returns the pages, the level of their first heading
    as written (0: none) and that of their last as repaired."""
    from .structure import repair

    key = digest("screen-part", pages.pdf, str(after_heading), ids)
    cached, meta = cache.get("screen-part", key), cache.get("screen-part-meta", key)
    if cached is None or meta is None:
        with pikepdf.open(io.BytesIO(pages.pdf)) as pdf:
            first, last = repair(pdf, after_heading=after_heading, ids=ids)
            out = io.BytesIO()
            pdf.save(out, deterministic_id=True)
        cached, meta = out.getvalue(), f"{first} {last}".encode()
        cache.put("screen-part", key, cached)
        cache.put("screen-part-meta", key, meta)
    first, last = (int(n) for n in meta.split())
    return dataclasses.replace(pages, pdf=cached), first, last


def lay_out_parts(ctx: BuildContext, converted: Converted, setup, chapters: list[ChapterPages],
                  pool=None) -> list[ChapterPages]:
    """The screen edition's own layouts, from the cache where possible: the front matter
    (tagged), the screen folio runs, and the front matter's folios. The print edition
    calls this while its worker pool is up (pdf.render_chapterwise), so that a new book's
    screen folios are laid out by warm workers beside the print folios."""
    book, docs = ctx.book, converted.docs
    geometry = screen_geometry(setup.geometry)
    counts = [pages.meta["pages"] for pages in chapters]
    starts = [1 + sum(counts[:i]) for i in range(len(counts))]  # no blank versos on a screen
    numbers: dict[str, str] = {}
    for start, pages in zip(starts, chapters):
        for page, anchors in enumerate(pages.meta["anchors"]):
            for name in anchors:
                numbers.setdefault(name, str(start + page))
    css = (page_css(book, geometry),)
    front_html = html_document(book, [cover_section(book, geometry, converted.cover),
                                      front_matter(book, docs, numbers)])
    # The front matter is tagged and carries the document's PDF/UA-1 identification, title
    # and language, which the assembled file takes over.
    front_options = tuple({**PDF_OPTIONS, "pdf_tags": True, "pdf_variant": "pdf/ua-1"}.items())
    styles_key = keys.styles_key(ctx.styles, "screen")
    # Its folios are drawn over it like the chapters' (as artifacts, not as content): from
    # the same document laid out again with nothing but its margin boxes showing.
    front_css, folios_css = (*css, NO_FOLIOS, NO_HEADS), (*css, SHOW_ONLY_MARGINS)
    options = tuple(PDF_OPTIONS.items())
    front = LayoutTask(index=0, html=front_html, root=book.root, styles=ctx.styles, extra_css=front_css,
                       pdf_options=front_options, edition="screen",
                       key=keys.layout_key(book, styles_key, front_html, front_css + (repr(front_options),),
                                           ctx.tools))
    front_folios = LayoutTask(index=0, html=front_html, root=book.root, styles=ctx.styles,
                              extra_css=folios_css, pdf_options=options, edition="screen",
                              key=keys.layout_key(book, styles_key, front_html, folios_css + (repr(options),),
                                                  ctx.tools))
    runs = folio_runs(ctx, docs, Folios(counts, starts, [pages.meta["heads"] for pages in chapters]),
                      dataclasses.replace(front_folios, extra_css=css, key=""))
    front_folios = dataclasses.replace(front_folios, index=len(runs) + 1)
    parts, _ = layout_documents([front, *runs, front_folios], ctx.cache, ctx.jobs,
                                lambda done, total: ctx.progress("laying out the screen folios", done, total),
                                kind="screen", pool=pool)
    return parts


def assemble_screen(parts: ScreenParts, print_geometry: PageGeometry, target: Path, book, epoch: int) -> int:
    """Join the front matter and the chapters' pages, their structure repaired each on its
    own (_repaired), into the screen PDF (see the module's docstring)."""
    front, front_folios, skeleton, chapters = parts.front, parts.front_folios, parts.skeleton, parts.chapters
    geometry = screen_geometry(print_geometry)
    width, height = geometry.width * 72, geometry.height * 72
    side = (print_geometry.inner + print_geometry.outer) / 2
    with pikepdf.new() as pdf:
        front_source = pikepdf.open(io.BytesIO(front.pdf))
        chapter_sources = [pikepdf.open(io.BytesIO(c.pdf)) for c in chapters]
        skeleton_sources = [pikepdf.open(io.BytesIO(s.pdf)) for s in skeleton]
        skeleton_sources.append(pikepdf.open(io.BytesIO(front_folios.pdf)))
        skeleton_pages = [*skeleton_sources[-1].pages,
                          *(page for source in skeleton_sources[:-1] for page in source.pages)]
        if len(skeleton_pages) != len(front_source.pages) + sum(c.meta["pages"] for c in chapters):
            raise AssertionError("the screen skeleton does not have one page per page of the book")
        sources = [front_source, *chapter_sources]
        firsts: list[int] = []
        shifts: list[tuple[float, float]] = []  # per book page: how far its drawing moves
        for number, source in enumerate(sources):
            firsts.append(len(pdf.pages))
            with warnings.catch_warnings():  # named destinations: _resolve_destinations
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                pdf.pages.extend(source.pages)
            for index, page in enumerate(source.pages):
                if number == 0:
                    shifts.append((0.0, 0.0))
                    continue
                # A chapter opens on a recto: even pages are rectos, their gutter on the left.
                left = print_geometry.inner if index % 2 == 0 else print_geometry.outer
                trim = page.obj.get("/TrimBox", page.obj.MediaBox)
                shifts.append(((side - left) * 72 - float(trim[0]), -float(trim[1])))
        front_pages = len(front_source.pages)
        for book_page, skeleton_page in enumerate(skeleton_pages):
            _place(pdf, pdf.pages[book_page], shifts[book_page], skeleton_page, width, height)
        _move_annotations(pdf, shifts)
        dropped = _resolve_destinations(pdf, sources, firsts, shifts)
        _merge_structure(pdf, sources, firsts, dropped)
        _write_outline(pdf, sources, firsts, shifts)
        _copy_document_info(pdf, front_source)
        _label_pages(pdf, book, front_pages, cover=True)
        for page in pdf.pages:
            page.obj.Tabs = pikepdf.Name.S  # PDF/UA: annotations in the order of the structure
        _share_and_name_fonts(pdf)
        stamp_dates(pdf, book, epoch)
        pdf.save(target, deterministic_id=True, min_version=front_source.pdf_version)
        count = len(pdf.pages)
        for source in [*sources, *skeleton_sources]:
            source.close()
    return count


def _place(pdf, page, shift: tuple[float, float], skeleton_page, width: float, height: float) -> None:
    """The chapter page moved by `shift` onto a screen page, the skeleton drawn over it."""
    obj = page.obj
    # WeasyPrint shares one /Resources between a document's pages: each page gets its own.
    resources = pikepdf.Dictionary({k: v for k, v in obj.Resources.items()})
    xobjects = pikepdf.Dictionary({k: v for k, v in resources.XObject.items()}) if "/XObject" in resources \
        else pikepdf.Dictionary()
    xobjects[SKELETON] = pdf.copy_foreign(skeleton_page.as_form_xobject())
    resources.XObject = xobjects
    obj.Resources = resources
    dx, dy = shift
    page.contents_add(pdf.make_stream(f"q 1 0 0 1 {dx:.4f} {dy:.4f} cm\n".encode()), prepend=True)
    page.contents_add(pdf.make_stream(b"\nQ\n" + ARTIFACT_OPEN + b"q " + str(SKELETON).encode() + b" Do Q\nEMC\n"))
    obj.MediaBox = pikepdf.Array([0, 0, width, height])
    for box in ("/TrimBox", "/BleedBox", "/CropBox", "/ArtBox"):
        if box in obj:
            del obj[box]


def _move_annotations(pdf, shifts) -> None:
    for page, (dx, dy) in zip(pdf.pages, shifts):
        if not (dx or dy):
            continue
        for annotation in page.obj.get("/Annots", []):
            x0, y0, x1, y1 = (float(v) for v in annotation.Rect)
            annotation.Rect = pikepdf.Array([x0 + dx, y0 + dy, x1 + dx, y1 + dy])


def _named_destinations(source) -> list[tuple[str, pikepdf.Array]]:
    """A source's named destinations (WeasyPrint writes one flat /Names array)."""
    found = []

    def walk(node):
        names = node.get("/Names")
        if names is not None:
            for i in range(0, len(names), 2):
                found.append((str(names[i]), names[i + 1]))
        for kid in node.get("/Kids", []):
            walk(kid)

    if "/Names" in source.Root and "/Dests" in source.Root.Names:
        walk(source.Root.Names.Dests)
    return found


def _resolve_destinations(pdf, sources, firsts, shifts) -> list[tuple[int, int]]:
    """Every link's named destination made an explicit one in the whole book (the first
    document that has the name wins, as in one document); a link whose name is nowhere
    is dropped. Returns the dropped links' (book page, /StructParent) for _merge_structure."""
    where: dict[str, tuple[int, float, float]] = {}
    for source, first in zip(sources, firsts):
        index = {page.objgen: i for i, page in enumerate(source.pages)}
        for name, dest in _named_destinations(source):
            if name in where or dest[0].objgen not in index:
                continue
            book_page = first + index[dest[0].objgen]
            dx, dy = shifts[book_page]
            where[name] = (book_page, float(dest[2]) + dx, float(dest[3]) + dy)
    dropped: list[tuple[int, int]] = []
    page_objects = [page.obj for page in pdf.pages]
    for number, page in enumerate(page_objects):
        annotations = page.get("/Annots")
        if annotations is None:
            continue
        kept = []
        for annotation in annotations:
            dest = annotation.get("/Dest")
            if isinstance(dest, pikepdf.String):
                target = where.get(str(dest))
                if target is None:
                    if "/StructParent" in annotation:
                        dropped.append((number, int(annotation.StructParent)))
                    continue
                book_page, x, y = target
                annotation.Dest = pikepdf.Array([page_objects[book_page], pikepdf.Name.XYZ, x, y, 0])
            kept.append(annotation)
        if len(kept) != len(annotations):
            page.Annots = pikepdf.Array(kept)
    if "/Names" in pdf.Root:
        del pdf.Root["/Names"]
    return dropped


def number_tree(node) -> dict[int, object]:
    """A number tree's entries (ISO 32000-1 §7.9.7), its /Kids followed."""
    items: dict[int, object] = {}
    nums = node.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums), 2):
            items[int(nums[i])] = nums[i + 1]
    for kid in node.get("/Kids", []):
        items.update(number_tree(kid))
    return items


def _name_tree(node) -> list[tuple[str, object]]:
    items = []
    names = node.get("/Names")
    if names is not None:
        items += [(str(names[i]), names[i + 1]) for i in range(0, len(names), 2)]
    for kid in node.get("/Kids", []):
        items += _name_tree(kid)
    return items


def _merge_structure(pdf, sources, firsts, dropped: list[tuple[int, int]]) -> None:
    """One structure tree for the book: see the module's docstring. Pages were copied
    first: QPDF keeps one object map per source, so every copied element's /Pg (and every
    OBJR's /Obj) refers to the copied page (and annotation). `dropped`: the links
    _resolve_destinations dropped (book page, the source's /StructParent)."""
    root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    document = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document,
                                                    P=root, K=pikepdf.Array()))
    root.K = pikepdf.Array([document])
    nums: list = []  # a Python list: a growing pikepdf.Array is slow to append to
    kids: list = []
    role_map = pikepdf.Dictionary()
    ids: list[tuple[str, object]] = []
    page_objects = [page.obj for page in pdf.pages]
    for source, first in zip(sources, firsts):
        if "/StructTreeRoot" not in source.Root:
            continue
        tree_root = source.Root.StructTreeRoot
        parents = number_tree(tree_root.ParentTree) if "/ParentTree" in tree_root else {}
        last = first + len(source.pages)
        for number, key in dropped:
            if first <= number < last and key in parents:  # its OBJR goes with it
                link = parents[key]
                link.K = pikepdf.Array([k for k in link.K if not (isinstance(k, pikepdf.Dictionary)
                                                                  and k.get("/Type") == "/OBJR"
                                                                  and int(k.Obj.get("/StructParent", -1)) == key)])
        # The parent tree's entries copied in one call (QPDF walks each copied graph once).
        copied = pdf.copy_foreign(source.make_indirect(pikepdf.Dictionary(
            Entries=pikepdf.Array(list(parents.values())))))
        parents = dict(zip(parents, copied.Entries))
        for obj in page_objects[first:last]:
            if "/StructParents" in obj:
                value = parents.get(int(obj.StructParents))
                obj.StructParents = len(nums) // 2
                nums += [len(nums) // 2, value if value is not None else pikepdf.Array()]
            for annotation in obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    value = parents.get(int(annotation.StructParent))
                    if value is None:
                        del annotation["/StructParent"]
                        continue
                    annotation.StructParent = len(nums) // 2
                    nums += [len(nums) // 2, value]
        top = tree_root.get("/K", pikepdf.Array())
        mine = []
        for kid in ([top] if isinstance(top, pikepdf.Dictionary) else list(top)):
            # WeasyPrint's root element is a Document: its children join the book's.
            inner = kid.K if kid.get("/S") == "/Document" else [kid]
            mine += [inner] if isinstance(inner, pikepdf.Dictionary) else list(inner)
        kids.extend(list(pdf.copy_foreign(source.make_indirect(pikepdf.Dictionary(Kids=pikepdf.Array(mine)))).Kids))
        if "/RoleMap" in tree_root:
            for key, value in tree_root.RoleMap.items():
                role_map.setdefault(key, value)
        if "/IDTree" in tree_root:
            found = _name_tree(tree_root.IDTree)
            copied = pdf.copy_foreign(source.make_indirect(pikepdf.Dictionary(
                IDs=pikepdf.Array([value for _, value in found]))))
            ids += list(zip([name for name, _ in found], copied.IDs))
    for element in kids:
        if isinstance(element, pikepdf.Dictionary):
            element.P = document
    document.K = pikepdf.Array(kids)
    root.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))
    root.ParentTreeNextKey = len(nums) // 2
    if len(role_map):
        root.RoleMap = role_map
    if ids:
        unique: dict = {}
        for name, value in ids:
            unique.setdefault(name, value)
        root.IDTree = pdf.make_indirect(pikepdf.Dictionary(Names=pikepdf.Array(
            [x for name in sorted(unique) for x in (pikepdf.String(name), unique[name])])))
    pdf.Root.StructTreeRoot = root
    pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)


def _write_outline(pdf, sources, firsts, shifts) -> None:
    """The sources' bookmarks, in order, pointing at the book's pages."""
    entries: list[tuple[int, str, int, float, float]] = []  # level, title, page, left, top

    def walk(items, level, index, first):
        for item in items:
            dest = item.destination
            if isinstance(dest, pikepdf.Array) and len(dest) >= 4 and dest[0].objgen in index:
                book_page = first + index[dest[0].objgen]
                dx, dy = shifts[book_page]
                entries.append((level, item.title, book_page, float(dest[2]) + dx, float(dest[3]) + dy))
            walk(item.children, level + 1, index, first)

    for source, first in zip(sources, firsts):
        index = {page.objgen: i for i, page in enumerate(source.pages)}
        with source.open_outline() as outline:
            walk(outline.root, 1, index, first)
    from pikepdf import OutlineItem

    with pdf.open_outline() as outline:
        outline.root.clear()
        stack: list[tuple[int, OutlineItem]] = []
        for level, title, page, left, top in entries:
            item = OutlineItem(title, page, "XYZ", left=left, top=top)
            while stack and stack[-1][0] >= level:
                stack.pop()
            (stack[-1][1].children if stack else outline.root).append(item)
            stack.append((level, item))


def _copy_document_info(pdf, source) -> None:
    """Title, author, language, PDF/UA-1 identification (XMP) and the viewer's preference
    for the title, as WeasyPrint wrote them for the front matter."""
    if "/Info" in source.trailer:
        pdf.trailer.Info = pdf.copy_foreign(source.trailer.Info)
    if "/Metadata" in source.Root:
        pdf.Root.Metadata = pdf.copy_foreign(source.Root.Metadata)
    if "/Lang" in source.Root:
        pdf.Root.Lang = pikepdf.String(str(source.Root.Lang))
    pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
