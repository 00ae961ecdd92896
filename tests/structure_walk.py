"""A walk of a tagged PDF's structure tree, as a screen reader's tool reads it (issue 11,
acceptance 2): what is reachable from the root, and what the parent tree says."""

from __future__ import annotations

import re

import pikepdf

from octavo.screen import number_tree

_MCID = re.compile(rb"/MCID\s+(\d+)")


def page_mcids(page) -> list[int]:
    """The marked-content ids in a page's content (WeasyPrint marks in the page's own stream)."""
    return [int(m) for m in _MCID.findall(page.Contents.read_bytes() if isinstance(page.obj.Contents, pikepdf.Stream)
                                          else b"".join(s.read_bytes() for s in page.obj.Contents))]


def walk(pdf: pikepdf.Pdf) -> tuple[dict, set]:
    """Every element reachable from the StructTreeRoot (objgen -> element), and every
    (page objgen, MCID) some reachable element claims."""
    elements: dict = {}
    claimed: set = set()
    stack = [(kid, None) for kid in _kids(pdf.Root.StructTreeRoot)]
    while stack:
        element, page = stack.pop()
        if not isinstance(element, pikepdf.Dictionary):
            continue
        if element.get("/Type") == "/OBJR":
            continue
        if element.get("/Type") == "/MCR":
            claimed.add(((element.get("/Pg") or page).objgen, int(element.MCID)))
            continue
        if element.objgen in elements:
            continue
        elements[element.objgen] = element
        here = element.get("/Pg", page)
        for kid in _kids(element):
            if isinstance(kid, int) or (isinstance(kid, pikepdf.Object) and kid._type_code == pikepdf.ObjectType.integer):
                claimed.add((here.objgen, int(kid)))
            else:
                stack.append((kid, here))
    return elements, claimed


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    if isinstance(kids, pikepdf.Array):
        return list(kids)
    return [kids]


def problems(path) -> list[str]:
    """What keeps the tree from being whole (an empty list: nothing)."""
    found: list[str] = []
    with pikepdf.open(path) as pdf:
        if "/StructTreeRoot" not in pdf.Root:
            return ["no StructTreeRoot"]
        root = pdf.Root.StructTreeRoot
        parents = number_tree(root.ParentTree)
        elements, claimed = walk(pdf)
        used: dict[int, str] = {}
        for number, page in enumerate(pdf.pages, start=1):
            mcids = page_mcids(page)
            if mcids:
                if "/StructParents" not in page.obj:
                    found.append(f"page {number}: marked content but no /StructParents")
                    continue
                key = int(page.obj.StructParents)
                if key in used:
                    found.append(f"page {number}: /StructParents {key} already used by {used[key]}")
                used[key] = f"page {number}"
                entry = parents.get(key)
                for mcid in mcids:
                    element = entry[mcid] if isinstance(entry, pikepdf.Array) and mcid < len(entry) else None
                    if not isinstance(element, pikepdf.Dictionary) or element.objgen not in elements:
                        found.append(f"page {number}: MCID {mcid} not reachable from the root through the parent tree")
                    elif (page.objgen, mcid) not in claimed:
                        found.append(f"page {number}: MCID {mcid}: its parent-tree element does not claim it")
            for annotation in page.obj.get("/Annots", []):
                if annotation.get("/Subtype") != "/Link":
                    continue
                if "/StructParent" not in annotation:
                    found.append(f"page {number}: a link annotation without /StructParent")
                    continue
                key = int(annotation.StructParent)
                if key in used:
                    found.append(f"page {number}: /StructParent {key} already used by {used[key]}")
                used[key] = f"a link on page {number}"
                element = parents.get(key)
                if not isinstance(element, pikepdf.Dictionary) or element.get("/S") != "/Link":
                    found.append(f"page {number}: a link annotation's /StructParent is not a Link element")
                elif element.objgen not in elements:
                    found.append(f"page {number}: a link annotation's Link element is not reachable from the root")
                elif not any(isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"
                             and k.Obj.objgen == annotation.objgen for k in _kids(element)):
                    found.append(f"page {number}: a link annotation's Link element has no OBJR for it")
    return found


#: The elements acceptance 1 compares between the two screen editions.
LANDMARKS = ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6", "/Figure", "/Table", "/Link")


def _link_target(pdf, element, pages):
    for kid in _kids(element):
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
            annotation = kid.Obj
            if "/A" in annotation:
                return str(annotation.A.get("/URI", ""))
            dest = annotation.get("/Dest")
            if isinstance(dest, pikepdf.String):
                names = pdf.Root.Names.Dests.Names
                dest = {str(names[i]): names[i + 1] for i in range(0, len(names), 2)}[str(dest)]
            if isinstance(dest, pikepdf.Array):
                return pages.get(dest[0].objgen, -1)
    return None


def reading_order(path) -> list[tuple]:
    """The headings, figures, tables and links of the tree, in reading order (a depth-first
    walk from the root), each with the index of the page it is on; a link with the page its
    annotation goes to (or its URI). Links to the same place one after the other are one
    (the one-pass contents draws each page number as an empty link and a generated one)."""
    order: list[tuple] = []
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: i for i, page in enumerate(pdf.pages)}
        seen: set = set()

        def visit(element, page):
            if not isinstance(element, pikepdf.Dictionary) or element.get("/Type") in ("/OBJR", "/MCR"):
                return
            if element.objgen in seen and element.is_indirect:
                return
            seen.add(element.objgen)
            here = element.get("/Pg", page)
            if str(element.get("/S")) in LANDMARKS:
                entry = (str(element.S), pages.get(here.objgen, -1) if here is not None else -1,
                         _link_target(pdf, element, pages))
                if not (order and entry[0] == "/Link" and order[-1] == entry):
                    order.append(entry)
            for kid in _kids(element):
                visit(kid, here)

        for kid in _kids(pdf.Root.StructTreeRoot):
            visit(kid, None)
    return order
