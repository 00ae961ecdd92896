"""The screen edition's structure tree, repaired for a screen reader (see structure.py).

WeasyPrint 70 builds the tree page by page. What the file says is enough to make it the
book's tree again (weasyfix.mark_structure_elements wrote it: every element's HTML element
number, pseudo-element, CSS footnote, ARIA role):
- consecutive siblings made for the same HTML element are one element, at every depth
  (a paragraph, a list item, a chapter's section broken by page turns);
- a CSS footnote, drawn in the page's footnote area, becomes a `Note` (its marker the
  `Lbl`) read right after the block that calls it; the call is a `Reference`; the parts
  of a note continued on later pages join it;
- a list item's content is its `LBody` beside its `Lbl` (ISO 32000-1 14.8.4.3.3);
- the contents (`role="doc-toc"`) is a `TOC` of `TOCI`, one per entry, its generated
  leaders artifacts (no longer read);
- headings do not skip levels in reading order.
The parent tree is rebuilt from the tree, so each marked-content sequence and annotation
names the element that owns it now; an element's `/Pg` is the page of its first content,
and content on another page is an MCR. The private keys are dropped.
"""

from __future__ import annotations

import re

import pikepdf

from .weasyfix import ELEMENT_KEY, FOOTNOTE_KEY, PRIVATE_KEYS, PSEUDO_KEY, ROLE_KEY

_INLINE = frozenset({"Span", "Link", "NonStruct", "Reference", "Quote", "Code", "Em", "Strong", "Lbl",
                     "BibEntry", "Annot", "Ruby", "Warichu", "Formula", "Figure"})
_HEADINGS = {f"H{n}": n for n in range(1, 7)}


class _Elem:
    """A structure element, read into Python: the tree is rewritten here and written back once."""

    __slots__ = ("obj", "s", "read_as", "has", "key", "pseudo", "footnotes", "role", "page", "kids")

    def __init__(self, obj, s, page, has=frozenset()):
        self.obj, self.s, self.read_as, self.page, self.has = obj, s, s, page, has
        self.key = int(obj[_ELEMENT]) if _ELEMENT in has else None
        self.pseudo = str(obj[_PSEUDO])[1:] if _PSEUDO in has else None
        self.footnotes = _FOOTNOTES in has  # the page's footnote area
        self.role = str(obj[_ROLE])[1:] if _ROLE in has else None
        self.kids: list = []


_ELEMENT, _PSEUDO, _FOOTNOTES, _ROLE = (f"/{k}" for k in (ELEMENT_KEY, PSEUDO_KEY, FOOTNOTE_KEY, ROLE_KEY))
_PRIVATE = frozenset(f"/{k}" for k in PRIVATE_KEYS)


class _Content:
    """Marked content on a page (`mcid`), or an annotation (`objr`, its OBJR dictionary)."""

    __slots__ = ("page", "page_id", "mcid", "objr")

    def __init__(self, page, mcid=None, objr=None):
        self.page, self.mcid, self.objr = page, mcid, objr
        self.page_id = page.objgen if page is not None else None


def repair_tree(pdf: pikepdf.Pdf, *, after_heading: int = 0, ids: str = "") -> tuple[int, int]:
    """Rewrite the tree a reader walks; drop the private element marks. Returns the level
    of the first heading as it was written (0: no heading) and of the last as repaired.

    A chapter can be repaired on its own, before it joins the book (screen.py): nothing
    here reaches past a chapter but the heading levels and the IDs. `after_heading` is the
    level of the last heading read before this file; `ids` is put before each element ID
    of this file, to keep it unique in the book."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return 0, after_heading
    tops = _read(root)
    notes = _take_notes(tops)
    artifacts: dict = {}  # page objgen -> MCIDs no longer read
    headers: dict = {}  # a repeated header cell's ID -> the ID of the cell read
    for top in tops:
        _join(top, artifacts, headers)
    _place_notes(tops, notes)
    headings = _repair(tops, artifacts, after_heading)
    _write(pdf, root, tops, artifacts, _Ids(headers, ids))
    return headings


class _Ids:
    """The IDs written: a repeated header cell's ID -> the ID of the cell read
    (`replaced`), each with the file's `prefix`; notes numbered in reading order."""

    def __init__(self, replaced: dict, prefix: str) -> None:
        self.replaced, self.prefix, self.notes = replaced, prefix.encode(), 0

    def __bool__(self) -> bool:
        return bool(self.replaced or self.prefix)

    def __call__(self, old: bytes) -> bytes:
        return self.prefix + self.replaced.get(old, old)

    def next_note(self) -> bytes:
        self.notes += 1
        return b"octavo-note-" + self.prefix + str(self.notes).encode()


# --- reading --------------------------------------------------------------------------


def _read(root) -> list[_Elem]:
    kids = root.get("/K")
    kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
    seen: set = set()
    return [e for e in (_read_elem(k, None, seen) for k in kids) if e is not None]


def _read_elem(obj, page, seen: set):
    if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type", pikepdf.Name.StructElem) != "/StructElem" \
            or "/S" not in obj:
        return None
    if obj.is_indirect:  # an element met twice (a broken tree) is read once
        if obj.objgen in seen:
            return None
        seen.add(obj.objgen)
    has = frozenset(obj.keys())
    if "/Pg" in has:
        page = obj.Pg
    elem = _Elem(obj, str(obj.S)[1:], page, has)
    kids = obj.get("/K")
    if kids is None:
        return elem
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
        if isinstance(kid, int):
            elem.kids.append(_Content(page, mcid=int(kid)))
        elif isinstance(kid, pikepdf.Dictionary):
            kind = kid.get("/Type")
            if kind == "/MCR":
                if "/Stm" in kid:  # content in a form XObject: kept as it is
                    elem.kids.append(_Content(kid.get("/Pg", page), objr=kid))
                else:
                    elem.kids.append(_Content(kid.get("/Pg", page), mcid=int(kid.MCID)))
            elif kind == "/OBJR":
                elem.kids.append(_Content(kid.get("/Pg", page), objr=kid))
            else:
                child = _read_elem(kid, page, seen)
                if child is not None:
                    elem.kids.append(child)
    return elem


def _walk(elems):
    """Every element under `elems`, in reading order."""
    stack = list(reversed(elems))
    while stack:
        elem = stack.pop()
        yield elem
        for kid in reversed(elem.kids):
            if type(kid) is _Elem:
                stack.append(kid)


# --- one element per HTML element ------------------------------------------------------


def _join(elem: _Elem, artifacts: dict, headers: dict) -> None:
    """Consecutive kids made for the same HTML element become one, at every depth. A
    table's header (or footer) rows repeated on each page it spans are read once: the
    repeats are pagination artifacts, and cells naming a repeated header cell name the
    first (`headers`: old ID -> kept ID)."""
    stack = [elem]
    while stack:
        node = stack.pop()
        kids = _without_repeats(node.kids, artifacts, headers) if node.s == "Table" else node.kids
        joined: list = []
        for kid in kids:
            last = joined[-1] if joined else None
            if isinstance(kid, _Elem) and isinstance(last, _Elem) and kid.key is not None \
                    and kid.key == last.key and kid.s == last.s and kid.pseudo == last.pseudo:
                last.kids.extend(kid.kids)
            else:
                joined.append(kid)
        node.kids = joined
        stack.extend(k for k in joined if isinstance(k, _Elem))


def _without_repeats(kids: list, artifacts: dict, headers: dict) -> list:
    """A table's parts once each: the header first, the footer (drawn at the foot of
    every page the table spans) after the last body row, so the body's parts meet."""
    first: dict = {}
    kept, footers = [], []
    for kid in kids:
        if isinstance(kid, _Elem) and kid.s in ("THead", "TFoot") and kid.key is not None:
            if kid.key in first:
                _to_artifacts(kid, artifacts)
                for old, new in zip(_cell_ids(kid), _cell_ids(first[kid.key])):
                    headers[old] = new
                continue
            first[kid.key] = kid
            if kid.s == "TFoot":
                footers.append(kid)
                continue
        kept.append(kid)
    return kept + footers


def _cell_ids(elem: _Elem) -> list[bytes]:
    return [bytes(e.obj.ID) for e in _walk([elem]) if e.s == "TH" and e.obj is not None and "/ID" in e.obj]


def _to_artifacts(elem: _Elem, artifacts: dict) -> None:
    for content in _contents_of(elem):
        if content.mcid is not None and content.page is not None:
            artifacts.setdefault(content.page_id, set()).add(content.mcid)


# --- notes ----------------------------------------------------------------------------


def _take_notes(tops: list[_Elem]) -> list[_Elem]:
    """Take every CSS footnote out of the page's footnote area, in document order; a
    note's continuation on a later page (no marker of its own) joins the note. The
    footnote areas, empty then, go."""
    notes: list[_Elem] = []

    def visit(node: _Elem) -> bool:  # whether node is a footnote area, emptied
        if node.footnotes:
            for kid in node.kids:
                if not isinstance(kid, _Elem):
                    continue
                markers = [k for k in kid.kids if isinstance(k, _Elem) and k.pseudo == "footnote-marker"]
                if any(_has_content(m) for m in markers) or not notes:
                    notes.append(kid)
                else:  # no number of its own: the rest of the note before, carried to this page
                    notes[-1].kids.extend(k for k in kid.kids if not any(k is m for m in markers))
            node.kids = [k for k in node.kids if not isinstance(k, _Elem)]
            return not node.kids
        node.kids = [k for k in node.kids if not (isinstance(k, _Elem) and visit(k))]
        return False

    for top in tops:
        visit(top)
    for note in notes:
        note.s = "Note"
        for kid in note.kids:
            if isinstance(kid, _Elem) and kid.pseudo == "footnote-marker":
                kid.s = "Lbl"
    return notes


def _has_content(elem: _Elem) -> bool:
    return any(True for _ in _contents_of(elem))


def _place_notes(tops: list[_Elem], notes: list[_Elem]) -> None:
    """Each note is read right after the block whose text calls it; the call is a `Reference`."""
    calls: list[tuple[_Elem, _Elem | None, bool]] = []  # (call, where its note goes, inside it)

    def visit(node: _Elem, block: _Elem | None, cell: _Elem | None, table: _Elem | None) -> None:
        kept = []
        for kid in node.kids:
            if isinstance(kid, _Elem):
                if kid.pseudo == "footnote-call":
                    if not _has_content(kid):  # the call of a note's continuation: drawn as nothing
                        continue
                    kid.s = "Reference"
                    # a table holds rows and cells only: a note called in a cell is read at
                    # the end of the cell, one called elsewhere in a table after the table
                    place = (cell, True) if cell is not None else (table, False) if table is not None else (block, False)
                    calls.append((kid, *place))
                if kid.s == "Table":
                    visit(kid, block, None, kid)
                elif kid.s in ("TD", "TH"):
                    visit(kid, kid, kid, table)
                else:
                    visit(kid, block if kid.s in _INLINE else kid, cell, table)
            kept.append(kid)
        node.kids = kept

    for top in tops:
        visit(top, None, None, None)
    after: dict[int, list[_Elem]] = {}
    inside: dict[int, list[_Elem]] = {}
    for (call, block, within), note in zip(calls, notes):
        if block is not None:
            (inside if within else after).setdefault(id(block), []).append(note)
    unplaced = [note for (call, block, _), note in zip(calls, notes) if block is None] + notes[len(calls):]

    def insert(node: _Elem) -> None:
        kids = []
        for kid in node.kids:
            kids.append(kid)
            if isinstance(kid, _Elem):
                insert(kid)
                kids.extend(after.get(id(kid), ()))
        node.kids = kids + inside.get(id(node), [])

    for top in tops:
        insert(top)
    if unplaced and tops:  # a note with no call found (should not happen): read at the end, not lost
        tops[-1].kids.extend(unplaced)


# --- lists, contents ------------------------------------------------------------------


def _repair(tops: list[_Elem], artifacts: dict, last_heading: int) -> tuple[int, int]:
    """List bodies, the contents, heading levels: one walk in reading order. Returns the
    first heading's level as written (0: none) and the last one's as repaired."""
    first_heading = 0
    for elem in list(_walk(tops)):
        if elem.s == "LI":
            _list_body(elem)
        elif elem.role == "doc-toc":
            _contents(elem, artifacts)
        elif elem.s in _HEADINGS:
            # a heading one level below the last at most (H1, H3 reads as H1, H2)
            first_heading = first_heading or _HEADINGS[elem.s]
            level = min(_HEADINGS[elem.s], last_heading + 1)
            elem.s, last_heading = f"H{level}", level
    return first_heading, last_heading


def _list_body(item: _Elem) -> None:
    """`LI` = `Lbl` (the number or bullet) then one `LBody` (all the rest: WeasyPrint
    makes an `LBody` only for an item's anonymous text, and a note placed after it, or the
    part of the item on the next page, would be outside it)."""
    labels, body, lbody = [], [], None
    for kid in item.kids:
        if isinstance(kid, _Elem) and kid.s == "Lbl":
            labels.append(kid)
        elif isinstance(kid, _Elem) and kid.s == "LBody":
            lbody = lbody or kid
            body.extend(kid.kids)
        else:
            body.append(kid)
    if not body:
        return
    if lbody is None:
        lbody = _new("LBody", item.page, body)
    lbody.kids = body
    item.kids = [*labels, lbody]


def _contents(nav: _Elem, artifacts: dict) -> None:
    """The contents: a `TOC` of `TOCI`, one per entry (a row or item of the contents),
    each one `Link` to its heading: the entry's links to the same place (its title, its
    page number) are one annotation over both. Generated text that is not a link's (the
    dot leaders) is an artifact, not read."""
    entries: list[_Elem] = []

    def items(node: _Elem) -> None:
        for kid in node.kids:
            if not isinstance(kid, _Elem):
                continue
            if kid.s in ("TR", "LI"):
                entries.append(kid)
            elif kid.s in ("Table", "TBody", "THead", "TFoot", "L", "LBody", "Div", "NonStruct", "Part", "Sect"):
                items(kid)

    items(nav)
    if not entries:
        return
    for entry in entries:
        _drop_generated(entry, artifacts)
        links = [e for e in _walk([entry]) if e.s == "Link"]
        if not links:
            continue
        link = links[0]
        content = [k for k in _contents_of(entry) if k.objr is None]
        objrs = [k for e in links for k in e.kids if isinstance(k, _Content) and k.objr is not None]
        kept = [objrs[0]] if objrs else []
        for objr in objrs[1:]:
            if not _absorb(kept[0].objr, objr.objr):
                kept.append(objr)
        link.kids = [*content, *kept]
        entry.s, entry.kids = "TOCI", [link]
    toc = _new("TOC", entries[0].page, entries)
    heading = [k for k in nav.kids if isinstance(k, _Elem) and k.s in _HEADINGS]
    nav.s, nav.kids = "Sect", [*heading, toc]


def _absorb(annotation, other) -> bool:
    """One link annotation over both when they go to the same place on the same page;
    the other is dropped from its page (and from the tree by the caller)."""
    first, second = annotation.get("/Obj"), other.get("/Obj")
    if not isinstance(first, pikepdf.Dictionary) or not isinstance(second, pikepdf.Dictionary):
        return False
    page = other.get("/Pg")
    if page is None or annotation.get("/Pg") is None or annotation.Pg.objgen != page.objgen:
        return False
    if repr(first.get("/Dest")) != repr(second.get("/Dest")) or repr(first.get("/A")) != repr(second.get("/A")):
        return False
    a, b = [float(v) for v in first.Rect], [float(v) for v in second.Rect]
    first.Rect = pikepdf.Array([min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])])
    page.Annots = pikepdf.Array([x for x in page.Annots if x.objgen != second.objgen])
    return True


def _drop_generated(node: _Elem, artifacts: dict) -> None:
    kept = []
    for kid in node.kids:
        if isinstance(kid, _Elem) and kid.pseudo in ("before", "after", "marker") and node.s != "Link":
            _to_artifacts(kid, artifacts)
            continue
        if isinstance(kid, _Elem):
            _drop_generated(kid, artifacts)
        kept.append(kid)
    node.kids = kept


def _new(s: str, page, kids: list) -> _Elem:
    elem = _Elem.__new__(_Elem)
    elem.obj, elem.s, elem.key, elem.pseudo, elem.footnotes, elem.role = None, s, None, None, False, None
    elem.read_as, elem.has, elem.page, elem.kids = None, frozenset(), page, kids
    return elem


# --- writing --------------------------------------------------------------------------


def _write(pdf: pikepdf.Pdf, root, tops: list[_Elem], artifacts: dict, new_id: _Ids) -> None:
    if artifacts:
        _mark_artifacts(pdf, artifacts)
    parents: dict = {}  # page objgen -> {mcid: element}
    annotations: list = []  # (annotation, element)
    ids: dict = {}
    stack = [(top, root) for top in reversed(tops)]
    written = []
    while stack:
        elem, parent = stack.pop()
        obj = elem.obj
        if obj is None:
            obj = elem.obj = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem))
        if elem.s != elem.read_as:
            obj.S = pikepdf.Name("/" + elem.s)
        obj.P = parent
        for key in elem.has & _PRIVATE:
            del obj[key]
        if elem.s == "Note" and "/ID" not in elem.has:
            obj.ID = pikepdf.String(new_id.next_note())
            ids[bytes(obj.ID)] = obj
        elif "/ID" in elem.has:
            if new_id.prefix:
                obj.ID = pikepdf.String(new_id.prefix + bytes(obj.ID))
            ids[bytes(obj.ID)] = obj
        if new_id and elem.s in ("TD", "TH") and "/A" in elem.has and isinstance(obj.A, pikepdf.Dictionary) \
                and "/Headers" in obj.A:
            obj.A.Headers = pikepdf.Array([pikepdf.String(new_id(bytes(h))) for h in obj.A.Headers])
        first = next((k for k in elem.kids if type(k) is _Content and k.page is not None), None)
        if first is None:
            first = next((k for k in _contents_of(elem) if k.page is not None), None)
        page_id = first.page_id if first is not None else None
        kids = []
        for kid in elem.kids:
            if type(kid) is _Elem:
                kids.append(kid)
                continue
            if kid.objr is not None:
                kids.append(kid.objr)
                annot = kid.objr.get("/Obj")
                if kid.objr.get("/Type") == "/OBJR" and isinstance(annot, pikepdf.Dictionary):
                    annotations.append((annot, obj))
                continue
            if kid.page is None:  # content on no known page: nothing can point at it
                continue
            if kid.mcid in artifacts.get(kid.page_id, ()):
                continue
            parents.setdefault(kid.page_id, {})[kid.mcid] = obj
            if kid.page_id == page_id:
                kids.append(kid.mcid)
            else:
                kids.append(pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=kid.page, MCID=kid.mcid))
        if first is not None and ("/Pg" not in elem.has or page_id != elem.page.objgen):
            obj.Pg = first.page
        written.append((obj, kids))
        stack.extend((k, obj) for k in reversed(elem.kids) if type(k) is _Elem)
    for obj, kids in written:
        obj.K = pikepdf.Array([k.obj if isinstance(k, _Elem) else k for k in kids])
    root.K = pikepdf.Array([top.obj for top in tops])
    _write_parent_tree(pdf, root, parents, annotations)
    if ids:
        names = pikepdf.Array()
        for key in sorted(ids):
            names.append(pikepdf.String(key))
            names.append(ids[key])
        root.IDTree = pdf.make_indirect(pikepdf.Dictionary(Names=names))


def _contents_of(elem: _Elem):
    for node in _walk([elem]):
        for kid in node.kids:
            if isinstance(kid, _Content):
                yield kid


def _write_parent_tree(pdf, root, parents: dict, annotations: list) -> None:
    """The parent tree from the tree itself: every page's marked content and every
    annotation names the element that owns it now."""
    entries: dict[int, object] = {}
    used = set()
    for page in pdf.pages:
        if "/StructParents" in page.obj:
            used.add(int(page.obj.StructParents))
    for annot, _ in annotations:
        if "/StructParent" in annot:
            used.add(int(annot.StructParent))
    next_key = max(used, default=-1) + 1
    for page in pdf.pages:
        owners = parents.get(page.obj.objgen)
        if owners is None and "/StructParents" not in page.obj:
            continue
        if "/StructParents" not in page.obj:
            page.obj.StructParents, next_key = next_key, next_key + 1
        owners = owners or {}
        entries[int(page.obj.StructParents)] = pikepdf.Array([owners.get(m) for m in range(max(owners, default=-1) + 1)])
    for annot, owner in annotations:
        if "/StructParent" not in annot or int(annot.StructParent) in entries:
            annot.StructParent, next_key = next_key, next_key + 1
        entries[int(annot.StructParent)] = owner
    nums = pikepdf.Array()
    for key in sorted(entries):
        nums.append(key)
        nums.append(entries[key])
    root.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=nums))
    root.ParentTreeNextKey = max(entries, default=-1) + 1


def _mark_artifacts(pdf: pikepdf.Pdf, artifacts: dict) -> None:
    """Marked content no longer read (generated leaders, repeated table headers) becomes
    `/Artifact` in the page's stream."""
    for page in pdf.pages:
        mcids = artifacts.get(page.obj.objgen)
        if not mcids:
            continue
        data = page.obj.Contents.read_bytes() if isinstance(page.obj.Contents, pikepdf.Stream) else None
        if data is not None:
            # WeasyPrint writes `/Span <</MCID 3>> BDC`; read as text, not parsed (a contents
            # page of a long book has thousands of leader dots)
            done: set = set()

            def artifact(match: re.Match) -> bytes:
                if int(match.group(1)) not in mcids:
                    return match.group(0)
                done.add(int(match.group(1)))
                return b"/Artifact BMC"

            changed = _BDC.sub(artifact, data)
            if done == mcids:
                page.obj.Contents = pdf.make_stream(changed)
                continue
        ops = []
        for operands, operator in pikepdf.parse_content_stream(page):
            if operator == pikepdf.Operator("BDC") and len(operands) == 2 \
                    and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1] \
                    and int(operands[1].MCID) in mcids:
                ops.append(([pikepdf.Name.Artifact], pikepdf.Operator("BMC")))
            else:
                ops.append((operands, operator))
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(ops))


_BDC = re.compile(rb"/[A-Za-z]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
