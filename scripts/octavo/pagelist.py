"""The EPUB's page-list: where each page of the print edition begins, marked in the EPUB.

1. While a chapter is laid out for print (layout.layout_chapter, in a worker), `record`
   reads the text WeasyPrint set, page by page: the chapter's words in reading order (the
   main text; notes, running heads and generated text such as note calls left out) and,
   for each page, the word it begins with. A word hyphenated across two lines or two pages
   is one word, starting where its first letter is.
2. Once the book is assembled, `page_map` numbers those pages as the PDF does (i, ii, …
   then 1, 2, …; blank versos and the blank pages a printer's minimum adds count too) and
   the map is kept in the cache under the print layout's inputs (`keys.print_pages_key`),
   so an EPUB built alone finds it while it is current.
3. `paginate_epub` finds each page's first word in the EPUB's content documents (the same
   words, maybe other markup: words are compared without case, punctuation or quotes, and
   the two word sequences aligned) and puts a page-break marker before it; then the
   page-list nav, the NCX pageList, `pageBreakSource` and the accessibility features.

Where a page begins without a word of main text:
- a page holding only the continuation of a long note is marked inside that note, at the
  word where the continuation begins;
- a blank page (a verso before a chapter opening, the printer's padding at the end) is
  marked at the end of the chapter before it, after its notes;
- a page with no text at all inside a chapter (a figure alone) is marked just before the
  next page's marker.
Front matter: the half-title, the title page and their blank backs are marked at the top
of the EPUB's title page, the copyright page at its rights line (or its end), the contents
pages before the navigation's contents, and a blank page after the contents after it.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from bisect import bisect_right

#: A word as the page-list compares them: a run of letters and digits; one CJK character
#: (those scripts set no spaces, and lines break between any two characters).
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
#: How many words of a page are kept to find it again where no alignment reaches (notes).
WINDOW = 8


def words(text: str) -> list[tuple[int, str]]:
    """(offset, normalised word) for every word in `text`."""
    return [(m.start(), unicodedata.normalize("NFKC", m.group()).casefold()) for m in WORD.finditer(text)]


# --- 1. the print layout (in the layout worker) --------------------------------------------

def record(pages) -> dict:
    """The words of a laid-out document's main text, and where each page begins in them.

    Returns {"words": [...], "starts": [...]}: one start per page, an index into `words`,
    or {"note": first words} for a page whose only text is a note, or None for a page
    without text. `parts` names the front matter section each page begins in."""
    from weasyprint.formatting_structure import boxes

    text: list[str] = []  # the chapter's main text, line by line
    length = 0
    hyphen = ""  # the last line ended in a word hyphenated by WeasyPrint (this character)
    page_offsets: list[int | None] = []
    notes: list[list[str] | None] = []
    parts: list[str | None] = []
    heads: set[int] = set()  # table headers set already: one repeated on a new page is not new text

    def lines(box, into: list, part: list, section: str | None = None):
        """The lines under `box` as (text, hyphenate character), skipping generated text."""
        tag = getattr(box, "element_tag", "") or ""
        if "::" in tag:  # ::footnote-call, ::marker, ::before: not the author's words
            return
        element = getattr(box, "element", None)
        if element is not None and section is None and tag in ("section", "nav"):
            classes = (element.get("class") or "").split()
            section = next((c for c in classes if c in ("half-title", "title-page", "copyright-page", "toc")), None)
        if getattr(box, "is_header", False) and element is not None:
            if id(element) in heads:
                return
            heads.add(id(element))
        if isinstance(box, boxes.LineBox):
            line = "".join(_text(child) for child in box.children)
            if line.strip():
                into.append((line, box.style["hyphenate_character"] or ""))
                if not part:
                    part.append(section)
            return
        for child in getattr(box, "children", []):
            lines(child, into, part, section)

    for page in pages:
        main: list = []
        foot: list = []
        part: list = []
        for child in page._page_box.children:
            if isinstance(child, boxes.FootnoteAreaBox):
                lines(child, foot, [])
            elif not isinstance(child, boxes.MarginBox):
                lines(child, main, part)
        first = next((i for i, (line, _) in enumerate(main) if WORD.search(line)), None)
        parts.append(part[0] if part else None)
        if first is None:
            page_offsets.append(None)
            found = [w for _, w in words(" ".join(line for line, _ in foot))][:WINDOW]
            notes.append(found or None)
            main = []
        else:
            notes.append(None)
        for number, (line, hyphenate) in enumerate(main):
            if hyphen:
                text[-1] = text[-1][: -len(hyphen)]  # the hyphen WeasyPrint added is not the author's
                length -= len(hyphen)
            elif text:
                text.append("\n")
                length += 1
            if number == first:
                page_offsets.append(length)
            text.append(line)
            length += len(line)
            stripped = line.rstrip()
            hyphen = hyphenate if hyphenate and stripped.endswith(hyphenate) and len(stripped) == len(line) else ""
    joined = "".join(text)
    found = words(joined)
    offsets = [offset for offset, _ in found]
    ends = [offset + len(word) for offset, word in found]
    starts: list = []
    for offset, note in zip(page_offsets, notes):
        if offset is None:
            starts.append({"note": note} if note else None)
            continue
        # The word that holds the page's first letter (a word split by the page break), or
        # the first word after it.
        index = bisect_right(offsets, offset) - 1
        if index < 0 or ends[index] <= offset:
            index += 1
        starts.append(index if index < len(found) else None)
    return {"words": [w for _, w in found], "starts": starts, "parts": parts}


def _text(box) -> str:
    from weasyprint.formatting_structure import boxes

    tag = getattr(box, "element_tag", "") or ""
    if "::" in tag:
        return ""
    if isinstance(box, boxes.TextBox):
        return box.text
    if isinstance(box, (boxes.InlineBox, boxes.LineBox)):
        return "".join(_text(child) for child in box.children)
    return " "  # an inline-block, an image: a word boundary


# --- 2. the page map (main process, after assembly) ------------------------------------------

def roman(number: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while number >= value:
            out, number = out + letters, number - value
    return out


def page_map(edition: str, front: dict, chapters: list[dict], starts: list[int], total: int) -> dict:
    """Every page of the print PDF: its folio and where it begins.

    `front` is the front matter's record, `chapters` each chapter's record, `starts` the
    page number (arabic) each chapter opens on, `total` the PDF's page count."""
    front_count = len(front["starts"])
    pages: list[dict] = []
    for page in range(front_count):
        part = front["parts"][page]
        pages.append({"label": roman(page + 1), "front": part})
    placed: dict[int, tuple[int, int]] = {}
    for chapter, (first, record_) in enumerate(zip(starts, chapters)):
        for page in range(len(record_["starts"])):
            placed[first + page] = (chapter, page)
    last = 0
    for number in range(1, total - front_count + 1):
        if number in placed:
            chapter, page = placed[number]
            last = chapter
            pages.append({"label": str(number), "chapter": chapter, "page": page})
        else:  # blank: a verso before a chapter opening, the padding at the end
            pages.append({"label": str(number), "chapter": last, "page": None})
    return {"edition": edition, "pages": pages,
            "chapters": [{"words": c["words"], "starts": c["starts"]} for c in chapters]}


def edition_name(book) -> str:
    """pageBreakSource: the print edition's ISBN, else what it is (title, trim, printer)."""
    s = book.schema
    isbn = re.sub(r"[^0-9Xx]", "", s.identifiers.isbn_print or "")
    if isbn:
        return f"urn:isbn:{isbn}"
    return f"{s.title}, print edition, {s.trim} trim ({s.printer})"


# --- 3. the EPUB -------------------------------------------------------------------------

_TAG = re.compile(r"<(/?)([a-zA-Z][\w:.-]*)((?:\s[^<>]*?)?)(/?)>|<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<![^<>]*>",
                  re.S)
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|\w+);")
_SKIPPED = ("head", "math", "svg", "script", "style")
#: A page that begins with the first word of one of these is marked before its start tag:
#: before a heading or paragraph, not inside it; before a line of code, not inside it.
_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p")


def xhtml_words(text: str) -> tuple[list[str], list[int], list[str], list[int], int]:
    """The words of a content document's body, as (main words, their offsets, note words,
    their offsets, the offset at the end of the body). An offset is where a marker goes
    for that word: before its first letter, or before its heading when it is the first
    word of one. Note calls, MathML and the notes' back links are not words."""
    main: list[str] = []
    main_at: list[int] = []
    note: list[str] = []
    note_at: list[int] = []
    stack: list[tuple[str, int, bool]] = []  # (tag, offset of its start tag, skip its text)
    skip = 0
    in_notes = 0
    block_open: int | None = None  # offset of a block's start tag, until its first word
    position = 0
    body_end = len(text)
    for match in _TAG.finditer(text):
        chunk = text[position:match.start()]
        if chunk and not skip and any(tag == "body" for tag, _, _ in stack):
            for offset, word in _chunk_words(chunk, position):
                target = block_open if block_open is not None else offset
                block_open = None
                (note if in_notes else main).append(word)
                (note_at if in_notes else main_at).append(target)
        position = match.end()
        closing, name, attrs, empty = match.group(1), match.group(2), match.group(3), match.group(4)
        if name is None:
            continue
        name = name.lower().split(":")[-1]
        if closing:
            if name in _BLOCKS or name == "span":
                block_open = None  # it ended without a word: the next word is not its first
            while stack:
                tag, _, skipped = stack.pop()
                skip -= skipped
                if tag == "section-notes":
                    in_notes -= 1
                if tag in (name, "section-notes" if name == "section" else None):
                    break
            if name == "body":
                body_end = match.start()
            continue
        if empty:
            continue
        skipped = name in _SKIPPED or (name == "a" and ("footnote-ref" in attrs or "footnote-back" in attrs))
        if name == "section" and 'epub:type="footnotes"' in attrs:
            stack.append(("section-notes", match.start(), skipped))
            in_notes += 1
        else:
            stack.append((name, match.start(), skipped))
        skip += skipped
        hoisted = name in _BLOCKS or (name == "span" and 'class="code-line"' in attrs)
        if hoisted and block_open is None:
            block_open = match.start()
    return main, main_at, note, note_at, body_end


def _chunk_words(chunk: str, base: int) -> list[tuple[int, str]]:
    """Words of a text chunk with their offsets in the document, entities read."""
    if "&" not in chunk:
        return [(base + offset, word) for offset, word in words(chunk)]
    plain: list[str] = []
    where: list[int] = []
    last = 0
    for m in _ENTITY.finditer(chunk):
        for i in range(last, m.start()):
            plain.append(chunk[i])
            where.append(i)
        for ch in html.unescape(m.group()):
            plain.append(ch)
            where.append(m.start())
        last = m.end()
    for i in range(last, len(chunk)):
        plain.append(chunk[i])
        where.append(i)
    return [(base + where[offset], word) for offset, word in words("".join(plain))]


def align(printed: list[str], ebook: list[str]) -> list[int | None]:
    """For each printed word, the index of the same word in `ebook` (or None).

    The two sequences are the same text but for a few words (generated text, a table's
    header repeated on a new page, a figure moved in print): walk both, and where they
    differ find the nearest point where three words agree again (near by, else anywhere
    ahead)."""
    out: list[int | None] = [None] * len(printed)
    i = j = 0
    n, m = len(printed), len(ebook)
    look = 40
    trigrams: dict[tuple[str, ...], list[int]] | None = None
    while i < n and j < m:
        if printed[i] == ebook[j]:
            out[i] = j
            i += 1
            j += 1
            continue
        best = None
        for distance in range(1, look * 2 + 1):
            for di in range(max(0, distance - look), min(distance, look) + 1):
                a, b = i + di, j + distance - di
                if a < n and b < m and printed[a:a + 3] == ebook[b:b + 3]:
                    best = (a, b)
                    break
            if best:
                break
        if best is None:  # a longer difference: the next printed three words found anywhere ahead
            if trigrams is None:
                trigrams = {}
                for k in range(m - 2):
                    trigrams.setdefault(tuple(ebook[k:k + 3]), []).append(k)
            for a in range(i, min(n - 2, i + 400)):
                positions = trigrams.get(tuple(printed[a:a + 3]), [])
                k = bisect_right(positions, j - 1)
                # Not much further on than the printed words skipped: a far match is a repetition.
                if k < len(positions) and positions[k] - j <= 4 * (a - i) + 400:
                    best = (a, positions[k])
                    break
        if best is None:
            i += 1  # a printed word the EPUB does not have
            continue
        i, j = best
    return out


def chapter_offsets(record_: dict, text: str) -> list[int]:
    """Where each page of a chapter begins in its content document (offsets into `text`)."""
    main, main_at, note, note_at, body_end = xhtml_words(text)
    mapped = align(record_["words"], main)
    starts = record_["starts"]
    result: list[int | None] = []
    note_from = 0
    for start in starts:
        if isinstance(start, int):
            j = next((mapped[k] for k in range(start, len(mapped)) if mapped[k] is not None), None)
            result.append(main_at[j] if j is not None else None)
        elif isinstance(start, dict):  # a page that holds only the continuation of a note
            window = start["note"]
            found = next((k for k in range(note_from, len(note) - len(window) + 1)
                          if note[k:k + len(window)] == window), None)
            if found is None:
                found = next((k for k in range(note_from, len(note)) if note[k] == window[0]), None)
            if found is not None:
                note_from = found + 1
            result.append(note_at[found] if found is not None else None)
        else:
            result.append(None)
    # No text: just before the next page's marker (or at the end); never out of order.
    following = body_end
    for k in range(len(result) - 1, -1, -1):
        if result[k] is None or result[k] > following:
            result[k] = following
        following = result[k]
    return result


def marker(label: str) -> str:
    return f'<span epub:type="pagebreak" role="doc-pagebreak" id="page-{label}" aria-label="{label}"></span>'


def _insert(text: str, marks: list[tuple[int, str]]) -> str:
    out, last = [], 0
    for offset, label in sorted(marks, key=lambda item: item[0]):  # stable: pages keep their order
        out += [text[last:offset], marker(label)]
        last = offset
    out.append(text[last:])
    return "".join(out)


def _front_offsets(title_page: str | None, nav: str) -> dict[str, tuple[str, int]]:
    where: dict[str, tuple[str, int]] = {}
    if title_page is not None:
        section = re.search(r'<section epub:type="titlepage"[^>]*>', title_page)
        top = section.end() if section else title_page.index(">", title_page.index("<body")) + 1
        rights = re.search(r'<div class="rights"', title_page)
        end = title_page.index("</section>", top) if section else title_page.index("</body>")
        where["title"] = ("title", top)
        where["copyright"] = ("title", rights.start() if rights else end)
    toc = re.search(r'<nav epub:type="toc"', nav)
    toc_end = nav.index("</nav>", toc.start()) + len("</nav>") if toc else nav.index("</body>")
    where["toc"] = ("nav", toc.start() if toc else toc_end)
    where["after-toc"] = ("nav", toc_end)
    where.setdefault("title", where["toc"])
    where.setdefault("copyright", where["toc"])
    return where


def paginate(data: bytes, pages: dict, book, chapter_files: list[str], cache=None) -> bytes:
    """The EPUB `data` with page-break markers, a page-list, and the metadata saying
    which print edition its page numbers come from."""
    import io
    import zipfile

    from .cache import digest

    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    nav_name = next(n for n in names if n.endswith("nav.xhtml"))
    title_name = next((n for n in names if n.endswith("title_page.xhtml")), None)
    opf_name = next(n for n in names if n.endswith(".opf"))
    ncx_name = next((n for n in names if n.endswith(".ncx")), None)
    texts = {name: source.read(name).decode("utf-8") for name in [nav_name, opf_name, *chapter_files]
             + ([title_name] if title_name else []) + ([ncx_name] if ncx_name else [])}
    marks: dict[str, list[tuple[int, str]]] = {}
    front = _front_offsets(texts.get(title_name) if title_name else None, texts[nav_name])
    files = {"title": title_name, "nav": nav_name}
    previous = "title"
    for page in pages["pages"]:
        if "front" not in page:
            break
        part = page["front"]
        if part is None:  # a blank page: where the one before it ends
            part = "after-toc" if previous == "toc" else previous
        elif part == "copyright-page":
            part = "copyright"
        elif part in ("half-title", "title-page"):
            part = "title"
        which, offset = front[part]
        marks.setdefault(files[which], []).append((offset, page["label"]))
        page["where"] = (files[which], offset)
        previous = part if page["front"] is not None else previous
    offsets: dict[int, list[int]] = {}
    for chapter, record_ in enumerate(pages["chapters"]):
        name = chapter_files[chapter]
        key = digest("pagelist", texts[name], json.dumps(record_))
        hit = cache.get("epub-pages", key) if cache is not None else None
        if hit is not None:
            offsets[chapter] = json.loads(hit)
        else:
            offsets[chapter] = chapter_offsets(record_, texts[name])
            if cache is not None:
                cache.put("epub-pages", key, json.dumps(offsets[chapter]).encode())
    for page in pages["pages"]:
        if "front" in page:
            continue
        name = chapter_files[page["chapter"]]
        if page["page"] is None:
            offset = texts[name].rindex("</body>")
        else:
            offset = offsets[page["chapter"]][page["page"]]
        marks.setdefault(name, []).append((offset, page["label"]))
        page["where"] = (name, offset)
    replaced = {name: _insert(texts[name], found).encode() for name, found in marks.items()}
    nav_dir = nav_name.rpartition("/")[0]
    entries = [(page["label"], _relative(page["where"][0], nav_dir)) for page in pages["pages"]]
    nav_text = replaced.get(nav_name, texts[nav_name].encode()).decode()
    replaced[nav_name] = _page_list_nav(nav_text, entries, book).encode()
    replaced[opf_name] = _opf(texts[opf_name], edition_name(book)).encode()
    if ncx_name:
        ncx_dir = ncx_name.rpartition("/")[0]
        replaced[ncx_name] = _ncx(texts[ncx_name], [(label, _relative(name, ncx_dir)) for label, name in
                                                    ((p["label"], p["where"][0]) for p in pages["pages"])],
                                  book).encode()
    from .epub import _replace

    return _replace(data, replaced)


def _relative(name: str, folder: str) -> str:
    import posixpath

    return posixpath.relpath(name, folder) if folder else name


def _page_list_nav(nav: str, entries: list[tuple[str, str]], book) -> str:
    items = "".join(f'<li><a href="{href}#page-{label}">{label}</a></li>\n' for label, href in entries)
    title = html.escape(book.phrases["pages"])
    block = (f'<nav epub:type="page-list" role="doc-pagelist" id="page-list" hidden="hidden">'
             f'<h2>{title}</h2>\n<ol>\n{items}</ol>\n</nav>\n')
    return nav.replace("</body>", block + "</body>", 1)


def _ncx(ncx: str, entries: list[tuple[str, str]], book) -> str:
    title = html.escape(book.phrases["pages"])
    targets = []
    for number, (label, href) in enumerate(entries, start=1):
        arabic = label.isdigit()
        value = f' value="{label}"' if arabic else ""
        targets.append(f'    <pageTarget id="pageTarget-{number}" type="{"normal" if arabic else "front"}"{value}>'
                       f"<navLabel><text>{label}</text></navLabel><content src=\"{href}#page-{label}\" /></pageTarget>\n")
    block = f"  <pageList>\n    <navLabel><text>{title}</text></navLabel>\n{''.join(targets)}  </pageList>\n"
    ncx = ncx.replace("</navMap>\n", "</navMap>\n" + block, 1)
    highest = max((int(label) for label, _ in entries if label.isdigit()), default=0)
    ncx = re.sub(r'(<meta name="dtb:totalPageCount" content=")\d+', lambda m: m.group(1) + str(len(entries)), ncx)
    return re.sub(r'(<meta name="dtb:maxPageNumber" content=")\d+', lambda m: m.group(1) + str(highest), ncx)


def _opf(opf: str, source: str) -> str:
    """pageBreakSource (EPUB Accessibility 1.1) and the features a page-list gives."""
    features = "".join(f'    <meta property="schema:accessibilityFeature">{name}</meta>\n'
                       for name in ("pageBreakMarkers", "printPageNumbers", "pageNavigation"))
    extra = f'    <meta property="pageBreakSource">{html.escape(source, quote=False)}</meta>\n' + features
    anchor = opf.find('    <meta property="schema:accessibilityHazard">')
    if anchor < 0:
        anchor = opf.index("  </metadata>")
    return opf[:anchor] + extra + opf[anchor:]


# --- the build's side --------------------------------------------------------------------

def _key(ctx, docs) -> str:
    from . import keys

    return keys.print_pages_key(ctx.book, ctx.styles, [doc.ast_json for doc in docs], ctx.tools)


def remember(ctx, docs, pages: dict) -> None:
    """Keep the print edition's page map for EPUBs built without it (`--format epub`)."""
    key = _key(ctx, docs)
    ctx.page_map_key = key
    if not ctx.cache.path("pagemap", key).is_file():
        ctx.cache.put("pagemap", key, json.dumps(pages).encode())


def stamp_files(ctx) -> list:
    """The page map an EPUB's page-list was looked for in: when a print build makes it
    (or another replaces it), an EPUB built without it is no longer up to date."""
    return [ctx.cache.path("pagemap", ctx.page_map_key)] if ctx.page_map_key else []


def paginate_epub(ctx, docs, path, pages: dict | None, printed: bool = False) -> None:
    """Put the print edition's page numbers into the EPUB at `path`: from this build's
    print layout, else from the cached one when it is current; else say why there are none.
    `printed`: this build laid the print PDF out (in one pass when it gives no `pages`)."""
    key = ctx.page_map_key or _key(ctx, docs)  # the print edition of this build computed it already
    ctx.page_map_key = key
    if pages is None:
        hit = ctx.cache.get("pagemap", key)
        pages = json.loads(hit) if hit is not None else None
    if pages is None:
        ctx.report.notes.append(
            "the EPUB has no page-list: the print PDF was laid out in one pass (--single-pass)" if printed else
            "the EPUB has no page-list: the print PDF is not built or has changed since "
            "(build it too: make, or --format pdf,epub)")
        return
    if not all(doc.single_part for doc in docs) or len(pages["chapters"]) != len(docs):
        ctx.report.notes.append("the EPUB has no page-list: a chapter is split into several content documents")
        return
    files = [f"EPUB/text/ch{i + 1:03d}.xhtml" for i in range(len(docs))]
    path.write_bytes(paginate(path.read_bytes(), pages, ctx.book, files, ctx.cache))
