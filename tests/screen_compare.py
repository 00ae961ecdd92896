"""What a reader of a screen PDF gets, for comparing two of them (issue 11, acceptance 1)."""

from __future__ import annotations

import subprocess

import pikepdf
from structure_walk import reading_order


def page_texts(path) -> list[str]:
    with pikepdf.open(path) as pdf:
        count = len(pdf.pages)
    return [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"], capture_output=True,
                           text=True, check=True).stdout for n in range(1, count + 1)]


def link_targets(path) -> list[list]:
    """Per page, the places its links go: a page index (and the height there, rounded) or
    a URI. (The one-pass contents has two links over each page number, one empty.)"""
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: i for i, page in enumerate(pdf.pages)}
        named = {}
        if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
            names = pdf.Root.Names.Dests.get("/Names", [])
            named = {str(names[i]): names[i + 1] for i in range(0, len(names), 2)}
        found = []
        for page in pdf.pages:
            here = []
            for annotation in page.obj.get("/Annots", []):
                if "/Dest" in annotation:
                    dest = annotation.Dest
                    if isinstance(dest, pikepdf.String):
                        dest = named[str(dest)]
                    here.append(("page", pages[dest[0].objgen], round(float(dest[3]))))
                elif "/A" in annotation:
                    here.append(("uri", str(annotation.A.URI)))
            found.append(sorted(set(here)))
    return found


def bookmarks(path) -> list[tuple[int, str, int]]:
    found = []
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: i for i, page in enumerate(pdf.pages)}

        def walk(items, level):
            for item in items:
                dest = item.destination
                if isinstance(dest, pikepdf.String):
                    names = pdf.Root.Names.Dests.Names
                    dest = {str(names[i]): names[i + 1] for i in range(0, len(names), 2)}[str(dest)]
                found.append((level, item.title, pages[dest[0].objgen]))
                walk(item.children, level + 1)

        with pdf.open_outline() as outline:
            walk(outline.root, 1)
    return found


def page_labels(path) -> list[str]:
    with pikepdf.open(path) as pdf:
        return [pikepdf.Page(page).label for page in pdf.pages]


def reader_view(path) -> dict:
    return {"pages": len(page_texts(path)), "text": page_texts(path), "links": link_targets(path),
            "bookmarks": bookmarks(path), "labels": page_labels(path), "structure": reading_order(path)}
