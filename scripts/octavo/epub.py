"""The EPUB 3 edition: pandoc writes it, a small post-pass completes what pandoc cannot."""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from .config import Book
from .errors import Location, ManuscriptError
from .pandoc import AST, ChapterDoc, run_pandoc
from .tools import Pandoc

#: EPUB Accessibility 1.1 claim; the build checks it with EPUBCheck, structure comes from pandoc.
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
SUMMARY = ("This publication meets WCAG 2.1 Level AA. It has a navigable table of contents, "
           "headings that reflect its structure, footnotes linked both ways, and no hazards.")


@dataclass(frozen=True)
class EpubResult:
    path: Path


def build_epub(book: Book, docs: list[ChapterDoc], *, pandoc: Pandoc, styles_base: Path, styles_epub: Path,
               fonts: tuple[Path, ...], cover: Path, workdir: Path, target: Path) -> EpubResult:
    """Write the EPUB for `docs` to `target`."""
    ast: AST = {"pandoc-api-version": docs[0].ast["pandoc-api-version"], "meta": {},
                "blocks": [block for doc in docs for block in doc.ast["blocks"]]}
    meta_file = workdir / "epub-metadata.yaml"
    meta_file.write_text(yaml.safe_dump(epub_metadata(book, cover), allow_unicode=True, sort_keys=False),
                         encoding="utf-8")
    raw = workdir / "pandoc.epub"
    args = ["--from", "json", "--to", "epub3", "--output", str(raw), "--split-level=1", "--toc",
            f"--toc-depth={book.schema.toc.depth}", "--metadata-file", str(meta_file),
            "--css", str(styles_base), "--css", str(styles_epub), "--resource-path", str(book.root)]
    args += [f"--epub-embed-font={font}" for font in fonts]
    run_pandoc(pandoc, args, stdin=json.dumps(ast), cwd=book.root, what="the EPUB")
    titles = [doc.title for doc in docs]
    data = finish_epub(raw.read_bytes(), book, titles)
    check_well_formed(data, [doc.chapter.display for doc in docs])
    target.write_bytes(data)
    return EpubResult(path=target)


def epub_metadata(book: Book, cover: Path) -> dict:
    s = book.schema
    meta: dict = {"title": [{"type": "main", "text": s.title}], "lang": s.language}
    if s.subtitle:
        meta["title"].append({"type": "subtitle", "text": s.subtitle})
    creators = [{"role": "aut", "text": name} for name in book.authors]
    contributors = ([{"role": "trl", "text": n} for n in book.translators]
                    + [{"role": "edt", "text": n} for n in book.editors])
    if creators:
        meta["creator"] = creators
    if contributors:
        meta["contributor"] = contributors
    if book.identifier.startswith("urn:isbn:"):
        meta["identifier"] = [{"scheme": "ISBN-13", "text": book.identifier.removeprefix("urn:isbn:")}]
    else:
        meta["identifier"] = [{"text": book.identifier}]
    for key in ("publisher", "rights", "description"):
        if getattr(s, key):
            meta[key] = getattr(s, key)
    if s.date:
        meta["date"] = s.date
    if s.series:
        meta["belongs-to-collection"] = s.series.name
        meta["group-position"] = s.series.number
    meta["cover-image"] = str(cover)
    meta["accessModes"] = ["textual", "visual"] if _has_images(book) else ["textual"]
    meta["accessModeSufficient"] = ["textual"]
    meta["accessibilityFeatures"] = ["alternativeText", "readingOrder", "structuralNavigation",
                                     "tableOfContents", "displayTransformability"]
    meta["accessibilityHazards"] = ["none"]
    meta["accessibilitySummary"] = SUMMARY
    return meta


def _has_images(book: Book) -> bool:
    return False  # the generated cover is decorative; chapter images are not yet supported


def finish_epub(data: bytes, book: Book, titles: list[str]) -> bytes:
    """Add what pandoc 3.9 cannot write: the conformance claim, a bodymatter landmark,
    footnote backlinks, chapter titles and (when asked) continuous note numbers."""
    source = zipfile.ZipFile(io.BytesIO(data))
    files = {info.filename: source.read(info.filename) for info in source.infolist()}
    opf_name = next(name for name in files if name.endswith(".opf"))
    files[opf_name] = _patch_opf(files[opf_name].decode()).encode()
    chapters = sorted(name for name in files if re.search(r"text/ch\d+\.xhtml$", name))
    continuous = book.schema.footnotes.numbering == "continuous"
    notes_so_far = 0
    for position, name in enumerate(chapters):
        text = files[name].decode()
        if position < len(titles):
            title = f"<title>{_xml(titles[position])}</title>"
            # A function, not a string: a title may hold backslashes ("\\3" is no group).
            text = re.sub(r"<title>[^<]*</title>", lambda _: title, text, count=1)
        text, count = _finish_notes(text, notes_so_far if continuous else 0)
        notes_so_far += count
        files[name] = text.encode()
    nav_name = next(name for name in files if name.endswith("nav.xhtml"))
    if chapters:
        first = Path(chapters[0]).name
        files[nav_name] = _add_bodymatter(files[nav_name].decode(), f"text/{first}").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        # The OCF container requires `mimetype` first and stored uncompressed.
        target.writestr(zipfile.ZipInfo("mimetype", date_time=(1980, 1, 1, 0, 0, 0)), files.pop("mimetype"),
                        compress_type=zipfile.ZIP_STORED)
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=source.getinfo(name).date_time)
            target.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def check_well_formed(data: bytes, chapters: list[str]) -> None:
    """Every content document must be well-formed XML, or readers refuse the book.

    pandoc copies raw HTML from the Markdown verbatim; `<br>` or an unclosed `<b>` would
    make the EPUB invalid. Say which chapter, instead of shipping a broken file."""
    import xml.etree.ElementTree as ET

    with zipfile.ZipFile(io.BytesIO(data)) as epub:
        names = sorted(n for n in epub.namelist() if re.search(r"text/ch\d+\.xhtml$", n))
        for position, name in enumerate(names):
            try:
                ET.fromstring(epub.read(name))
            except ET.ParseError as exc:
                chapter = chapters[position] if position < len(chapters) else name
                raise ManuscriptError(f"the HTML written in this chapter is not well-formed XHTML ({exc})",
                                      where=Location(chapter),
                                      hint="close every tag (<br/>, <img …/>, </b>) or write it in Markdown") from None


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _patch_opf(opf: str) -> str:
    extra = (f'    <meta property="dcterms:conformsTo">{CONFORMS_TO}</meta>\n'
             '    <meta property="a11y:certifiedBy">octavo build checks (EPUBCheck)</meta>\n')
    return opf.replace("  </metadata>", extra + "  </metadata>", 1)


def _add_bodymatter(nav: str, href: str) -> str:
    entry = f'<li><a href="{href}" epub:type="bodymatter">Start of Content</a></li>\n'
    landmarks = re.search(r'(<nav epub:type="landmarks"[^>]*>.*?<ol>\s*)', nav, flags=re.S)
    if not landmarks:
        return nav
    return nav[: landmarks.end()] + entry + nav[landmarks.end():]


_NOTEREF = re.compile(r'(<a href="#fn(\d+)" class="footnote-ref" id="fnref\d+"[^>]*>)(\d+)(</a>)')
_ASIDE = re.compile(r'(<aside epub:type="footnote"[^>]*id="fn(\d+)"[^>]*>\s*)(<p>)?')


def _finish_notes(text: str, offset: int) -> tuple[str, int]:
    """Number the notes from offset + 1 and give each a link back to its call.

    pandoc numbers notes from 1 in every chapter file and writes no backlink in EPUB 3;
    readers expect to get back to the text from a note (and popup readers need the
    number inside the note). Returns the new text and the number of notes in it.
    """
    text, count = _NOTEREF.subn(lambda m: f"{m.group(1)}{int(m.group(3)) + offset}{m.group(4)}", text)

    def backlink(match: re.Match[str]) -> str:
        link = (f'<a href="#fnref{match.group(2)}" class="footnote-back" role="doc-backlink">'
                f"{int(match.group(2)) + offset}.</a> ")
        if match.group(3):
            return match.group(1) + match.group(3) + link
        return match.group(1) + f"<p>{link}</p>"

    return _ASIDE.sub(backlink, text), count
