"""The EPUB stays valid whatever the manuscript says (issue 14, point 7).

Authors write what a web page accepts; an EPUB is stricter. After pandoc writes the book,
every content document and the package are repaired where pandoc passes things through:

- a content document whose raw HTML is HTML5 but not XML (`<p>One<p>Two`, an unclosed
  `<b>`, `<B>`) is read as a browser reads it and written back as XHTML (rawhtml.py);
- an image whose bytes are not what its name says (a PNG saved as `.jpg`) is renamed to
  its real type, in the package and in every reference;
- `<br>`s between a figure's caption and its end are dropped (a caption must come last);
- presentational attributes that HTML5 dropped (`align`, `valign`, `bgcolor`, `border` on
  an image, `cellpadding`, …) are removed, and an image's `width="50%"` becomes a style;
- an element with `lang` (raw HTML's too) gets the same `xml:lang` (see `xml_lang`);
- a link to a file the book does not contain (a site-relative `/fr/lecons/…`, `other.html`)
  becomes its text; a link to another chapter's Markdown file (`02-b.md#nets`) goes to
  that chapter.

`octavo check` reports each of these at its line in the manuscript; this is what the
build does with them.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urlsplit

from .rawhtml import xhtml_document

#: Media types by the first bytes of the file.
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "png", "image/png"), (b"\xff\xd8\xff", "jpg", "image/jpeg"),
          (b"GIF87a", "gif", "image/gif"), (b"GIF89a", "gif", "image/gif"))
#: Attributes HTML5 made obsolete, which EPUBCheck rejects wherever they appear.
OBSOLETE = ("align", "valign", "bgcolor", "background", "hspace", "vspace", "clear", "nowrap", "cellpadding",
            "cellspacing", "frame", "rules", "char", "charoff", "compact", "noshade", "frameborder",
            "marginwidth", "marginheight", "scrolling", "longdesc", "language", "bordercolor")
_OBSOLETE = re.compile(r"""\s(?:%s)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""" % "|".join(OBSOLETE), re.I)
_TAG = re.compile(r"<([a-zA-Z][\w:-]*)(\s[^<>]*?)?(/?)>")
_SIZE = re.compile(r"""\s(width|height)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_BORDER = re.compile(r"""\sborder\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_LINK = re.compile(r"""<a\b([^>]*?)\shref\s*=\s*"([^"]*)"([^>]*)>(.*?)</a>""", re.S)
_BREAKS_AFTER_CAPTION = re.compile(r"(</figcaption>)\s*(?:<br\s*/?>\s*)+(?=</figure>)")
_ID = re.compile(r"""\sid\s*=\s*"([^"]+)\"""")


def repair(files: dict[str, bytes], chapter_targets: dict[str, str]) -> dict[str, bytes]:
    """The EPUB's files (name -> bytes), repaired. `chapter_targets` maps a chapter's file
    name (`02-b.md`) to the id of its title, for links between chapters."""
    files = _image_types(files)
    documents = [n for n in files if n.endswith(".xhtml")]
    ids = {name: set(_ID.findall(files[name].decode("utf-8"))) for name in documents}
    for name in documents:
        text = xhtml_document(files[name].decode("utf-8"))
        text = _attributes(text)
        # Raw HTML's `<span lang=fr>` is quoted only now: it gets its xml:lang here (pandoc's
        # spans and divs got theirs in epub._finish_chapter, spliced chapters too).
        text = xml_lang(text)
        # Line breaks an author put after a caption to make space: a figure's caption must
        # be its first or last child, and spacing is the stylesheet's job.
        text = _BREAKS_AFTER_CAPTION.sub(r"\1", text)
        text = _links(text, name, set(files), ids, chapter_targets)
        files[name] = text.encode("utf-8")
    return files


def _image_types(files: dict[str, bytes]) -> dict[str, bytes]:
    renamed: dict[str, str] = {}
    types: dict[str, str] = {}
    for name, data in files.items():
        stem, dot, ext = name.rpartition(".")
        if not dot or "/media/" not in name:
            continue
        for magic, real, media_type in _MAGIC:
            if data.startswith(magic):
                if ext.lower() not in (real, "jpeg" if real == "jpg" else real):
                    renamed[name] = f"{stem}.{real}"
                    types[name] = media_type
                break
    if not renamed:
        return files
    out: dict[str, bytes] = {}
    for name, data in files.items():
        if name.endswith((".xhtml", ".opf", ".ncx")):
            text = data.decode("utf-8")
            for old, new in renamed.items():
                old_base, new_base = posixpath.basename(old), posixpath.basename(new)
                if name.endswith(".opf"):
                    # The manifest item: its href and its media type.
                    text = re.sub(r'(<item\b[^>]*href="[^"]*%s"[^>]*>)' % re.escape(old_base),
                                  lambda m: re.sub(r'media-type="[^"]*"', f'media-type="{types[old]}"',
                                                   m.group(1).replace(old_base, new_base)), text)
                text = re.sub(r'(["/])%s"' % re.escape(old_base), lambda m: m.group(1) + new_base + '"', text)
            data = text.encode("utf-8")
        out[renamed.get(name, name)] = data
    return out


def _attributes(text: str) -> str:
    def tag(match: re.Match[str]) -> str:
        name, attrs, close = match.group(1), match.group(2) or "", match.group(3)
        if not attrs:
            return match.group(0)
        attrs = _OBSOLETE.sub("", attrs)
        lower = name.lower()
        if lower == "img":
            attrs = _BORDER.sub("", attrs)
        if lower in ("img", "video", "canvas", "iframe", "embed", "object", "input", "source"):
            styles = []

            def size(m: re.Match[str]) -> str:
                value = (m.group(2) if m.group(2) is not None else m.group(3)).strip()
                if value.isdigit():
                    return m.group(0)
                styles.append(f"{m.group(1).lower()}: {value}")  # 50%, 3in: a style, not an attribute
                return ""

            attrs = _SIZE.sub(size, attrs)
            if styles:
                attrs += f' style="{"; ".join(styles)}"' if ' style="' not in attrs else ""
        elif lower in ("td", "th", "table", "col", "colgroup", "hr", "tr"):
            attrs = _SIZE.sub("", attrs)
        return f"<{name}{attrs}{close}>"

    return _TAG.sub(tag, text)


_LANG = re.compile(r"""(<[a-zA-Z][\w:-]*(?:\s[^<>]*?)?\slang\s*=\s*"([^"]*)")([^<>]*>)""")


def xml_lang(text: str) -> str:
    """`xml:lang` beside every `lang` that lacks it: pandoc 3.9 writes `[大跃进]{lang=zh}` and
    `::: {lang=fr}` with `lang` only (its `<html>` has both), and an XHTML content document
    should carry both (readers that read it as XML take the language from `xml:lang`).
    Applied to every chapter document, whole builds and spliced ones (epub._finish_chapter)."""
    def tag(match: re.Match[str]) -> str:
        if "xml:lang" in match.group(0):
            return match.group(0)
        return f'{match.group(1)} xml:lang="{match.group(2)}"{match.group(3)}'

    return _LANG.sub(tag, text)


def _links(text: str, name: str, present: set[str], ids: dict[str, set[str]],
           chapter_targets: dict[str, str]) -> str:
    folder = posixpath.dirname(name)

    def link(match: re.Match[str]) -> str:
        before, href, after, inner = match.groups()
        try:
            parts = urlsplit(href)
        except ValueError:
            return f"<span{before}{after}>{inner}</span>"
        if parts.scheme or href.startswith("#") or not href:
            return match.group(0)
        path = unquote(parts.path)
        if path.lower().endswith(".md"):
            # Another chapter's Markdown file: the chapter, or the id in it.
            wanted = unquote(parts.fragment) or chapter_targets.get(posixpath.basename(path), "")
            home = next((doc for doc, found in ids.items() if wanted and wanted in found), None)
            if home is not None:
                relative = posixpath.relpath(home, folder) if home != name else ""
                return f'<a{before} href="{relative}#{wanted}"{after}>{inner}</a>'
        elif not path.startswith("/") and posixpath.normpath(posixpath.join(folder, path)) in present:
            return match.group(0)
        return f"<span{before}{after}>{inner}</span>"  # the book does not hold what it points at

    return _LINK.sub(link, text)
