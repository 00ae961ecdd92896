"""Vet what a chapter points at before any tool reads it.

pandoc embeds whatever local file an image names (`![x](/etc/passwd)` ends up inside
the EPUB), and its `--sandbox` also breaks legitimate images and stylesheets, so octavo
checks every image path itself: it must be a file inside the project (symlinks are
followed first), and remote URLs are refused unless book.yaml allows them. Raw HTML
that runs code or pulls in other documents (`<script>`, `<iframe>`, …) is removed.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from .config import Book
from .errors import Location, ResourceError
from .access import resolve
from .manuscript import Chapter
from .rawhtml import as_xhtml

log = logging.getLogger(__name__)

#: Raw HTML elements a book never needs and a reader's device should never run.
UNSAFE_HTML = re.compile(r"<\s*/?\s*(script|iframe|frame|frameset|object|embed|applet|link|meta|base|form|"
                         r"input|button|style)\b", re.IGNORECASE)
#: Attributes that run code: removed from otherwise harmless tags.
UNSAFE_ATTRIBUTE = re.compile(r"""\s(on\w+|href|src)\s*=\s*("\s*javascript:[^"]*"|'\s*javascript:[^']*')|"""
                              r"""\son\w+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)


def vet_chapter(book: Book, chapter: Chapter, ast: dict) -> dict:
    """Check and rewrite the chapter's image paths (relative to the book folder); drop
    unsafe raw HTML. Raises ResourceError for a path the build must not read."""
    allow_remote = book.schema.resources.remote
    _walk(ast["blocks"], lambda node: _image(book, chapter, node, allow_remote), lambda n: n.get("t") == "Image")
    ast["blocks"] = _without_unsafe_html(ast["blocks"], chapter)
    # HTML5 as written (<br>, <img src=a.png>, &nbsp;) becomes XHTML the EPUB accepts.
    _walk(ast["blocks"], lambda node: node["c"].__setitem__(
              1, as_xhtml(_raw_sources(book, chapter, node["c"][1], allow_remote))),
          lambda n: _raw_html(n) is not None)
    return ast


def _walk(node, visit, wanted) -> None:
    """Call visit(n) for every AST node n with wanted(n), depth first."""
    if isinstance(node, dict):
        if wanted(node):
            visit(node)
        if "c" in node:
            _walk(node["c"], visit, wanted)
    elif isinstance(node, list):
        for item in node:
            _walk(item, visit, wanted)


def _image(book: Book, chapter: Chapter, node: dict, allow_remote: bool) -> None:
    node["c"][2][0] = vet_path(book, chapter, node["c"][2][0], allow_remote)


#: Attributes in raw HTML that make pandoc or a renderer read a file.
FETCHING_ATTRIBUTE = re.compile(r"""(\s(?:src|poster|data)\s*=\s*)("([^"]*)"|'([^']*)')""", re.IGNORECASE)


def _raw_sources(book: Book, chapter: Chapter, raw: str, allow_remote: bool) -> str:
    """Vet every file a raw HTML tag points at (pandoc embeds `<img src=…>` targets in
    the EPUB just like Markdown images) and rewrite it relative to the book folder."""
    def vet(match: re.Match[str]) -> str:
        url = match.group(3) if match.group(3) is not None else match.group(4)
        return f'{match.group(1)}"{vet_path(book, chapter, url, allow_remote)}"'
    return FETCHING_ATTRIBUTE.sub(vet, raw)


def vet_path(book: Book, chapter: Chapter, url: str, allow_remote: bool) -> str:
    """The path the tools may read for `url`, relative to the book folder; or an error.
    (access.resolve decides, as it does for the checker: a refusal here is a finding there.)"""
    where = _locate(chapter, url)
    found = resolve(book.root, chapter.path.parent, url)
    if found.kind == "data" or (found.kind == "remote" and allow_remote):
        return url
    if found.kind == "remote":
        raise ResourceError(f"image '{url}' is on the network; the build does not fetch anything", where=where,
                            hint="download it into the project (e.g. manuscript/images/), or set "
                                 "resources: {remote: true} in book.yaml")
    if found.kind == "scheme":
        raise ResourceError(f"image '{url}' uses the unsupported scheme '{found.scheme}:'", where=where,
                            hint="use a path to a file inside the project")
    if found.kind == "outside":
        raise ResourceError(f"image '{url}' is outside the project", where=where,
                            hint="copy the image into the project (e.g. manuscript/images/) and use a relative path")
    if found.kind != "file":
        raise ResourceError(f"image '{url}' does not exist", where=where,
                            hint="check the file name and that the path is relative to this chapter's folder")
    return quote(str(found.path.relative_to(book.root.resolve())))


def _locate(chapter: Chapter, text: str) -> Location:
    """Where `text` (an image's path) is written as a path: after `](` or `src=`, not in
    the prose around it; the first such place."""
    offsets = [chapter.text.find(prefix + text) for prefix in ("](", "](<", '="', "='", "=")]
    offsets = [o + len(prefix) for o, prefix in zip(offsets, ("](", "](<", '="', "='", "=")) if o >= 0]
    offset = min(offsets) if offsets else chapter.text.find(text)
    return Location.in_text(chapter.display, chapter.text, offset)


def _without_unsafe_html(node, chapter: Chapter):
    """Drop raw HTML elements that run code or load pages (with what an inline one
    encloses: `<script>x</script>` leaves nothing), and code-running attributes."""
    if isinstance(node, list):
        kept, skipping = [], None
        for item in node:
            raw = _raw_html(item)
            if skipping is not None:
                if raw is not None and re.match(rf"<\s*/\s*{skipping}\b", raw.strip(), re.IGNORECASE):
                    skipping = None
                continue
            if raw is not None and UNSAFE_HTML.search(raw):
                _warn(chapter, raw)
                opening = re.match(r"<\s*(\w+)", raw.strip())
                if item["t"] == "RawInline" and opening and not raw.strip().endswith("/>") and \
                        not re.search(rf"</\s*{opening.group(1)}\s*>", raw, re.IGNORECASE):
                    skipping = opening.group(1)  # drop everything up to its closing tag
                continue
            if raw is not None and UNSAFE_ATTRIBUTE.search(raw):
                _warn(chapter, raw)
                item["c"][1] = UNSAFE_ATTRIBUTE.sub("", raw)
            kept.append(_without_unsafe_html(item, chapter))
        return kept
    if isinstance(node, dict) and "c" in node:
        node["c"] = _without_unsafe_html(node["c"], chapter)
    return node


def _raw_html(item) -> str | None:
    if isinstance(item, dict) and item.get("t") in ("RawBlock", "RawInline") \
            and item["c"][0] in ("html", "html5", "html4"):
        return item["c"][1]
    return None


def _warn(chapter: Chapter, raw: str) -> None:
    where = _locate(chapter, raw.strip()[:40])
    log.warning("%s: warning: removed raw HTML that would run code or load a page: %s [unsafe-html]",
                where, raw.strip()[:60])
