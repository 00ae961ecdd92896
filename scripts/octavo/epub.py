"""The EPUB 3 edition: pandoc writes it, a small post-pass completes what pandoc cannot."""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from .config import Book
from .errors import Location, ManuscriptError
from . import keys, sourcedate
from .context import BuildContext
from .codewrap import hang_code_lines
from .epubfix import repair, xml_lang
from .phrases import join_names
from .pandoc import ChapterDoc, run_pandoc, stringify, to_json, walk_blocks, walk_inlines
from .styles import font_family, is_code_font
from .tools import Pandoc

#: What the accessibility metadata says is what the tests show (DAISY Ace finds no
#: violation in the sample and corpus books); no conformance is claimed that no
#: evaluator has certified.
SUMMARY = ("A navigable table of contents, headings that reflect the structure of the text, "
           "footnotes linked both ways, text alternatives for images, and no hazards. "
           "Checked with DAISY Ace; not certified against WCAG by an evaluator.")


@dataclass(frozen=True)
class EpubResult:
    path: Path


def build_epub(ctx: BuildContext, docs: list[ChapterDoc], cover: Path, target: Path) -> EpubResult:
    """Write the EPUB for `docs` to `target`.

    An EPUB that differs from the last one only in the text of some chapters is not
    rewritten whole: pandoc converts just those chapters, and their content documents
    replace the old ones in the cached book (see `_splice`).
    """
    book, styles, pandoc, workdir, cache = ctx.book, ctx.styles, ctx.pandoc, ctx.work, ctx.cache
    meta_file = workdir / "epub-metadata.yaml"
    images, all_alt = _images_and_alt(docs)
    modified = modified_time(book, docs)
    meta = epub_metadata(book, cover, images=images, all_alt=all_alt)
    meta_text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    meta_file.write_text(meta_text, encoding="utf-8")
    # Code in black and white: a reader's night mode and DAISY Ace's contrast check both need it.
    args = ["--from", "json", "--to", "epub3", "--mathml", "--syntax-highlighting=monochrome", "--split-level=1", "--toc",
            f"--toc-depth={book.schema.toc.depth}", "--metadata-file", str(meta_file),
            "--css", str(styles.base), "--css", str(styles.epub), "--resource-path", str(book.root)]
    # The book face always; the code face only for a book with code (it costs ~100 KB),
    # with its @font-face in a stylesheet of its own (epub.css cannot name a font that is
    # not in the book).
    code_fonts = [font for font in styles.fonts if is_code_font(font)]
    has_code = any(marker in doc.ast_json for doc in docs for marker in ('"Code"', '"CodeBlock"', "<code", "<pre"))
    embedded = [font for font in styles.fonts if font not in code_fonts or has_code]
    args += [f"--epub-embed-font={font}" for font in embedded]
    if has_code and code_fonts:
        faces = workdir / "code-fonts.css"
        faces.write_text("".join(f'@font-face {{ font-family: "{font_family(font)}"; src: url(../fonts/{font.name}); }}\n'
                                 for font in code_fonts), encoding="utf-8")
        args += ["--css", str(faces)]
    # Everything but the chapters' text: when it changes, the whole book is rebuilt.
    # (The metadata as written names the cover's scratch path; the frame uses its bytes.)
    frame_meta = yaml.safe_dump({**meta, "cover-image": "cover"}, allow_unicode=True, sort_keys=False)
    frame = keys.epub_frame_key(styles, cover, frame_meta, *args[:9], str(has_code),
                                json.dumps([[h.level, h.id, h.title] for doc in docs for h in doc.headings]),
                                json.dumps([doc.note_count for doc in docs]), tools=ctx.tools)
    chapter_keys = [keys.epub_chapter_key(book, doc.ast_json) for doc in docs]
    old = cache.get("epub-book", frame)
    data = _splice(ctx, docs, chapter_keys, frame, args, old)
    if data is None:
        raw = _pandoc_epub(docs, pandoc, args, workdir, book.root, what="the EPUB")
        data = finish_epub(raw, book, [doc.title for doc in docs], modified,
                           {doc.chapter.path.name: doc.headings[0].id for doc in docs if doc.headings})
        check_well_formed(data, [doc.chapter.display for doc in docs])
    if data != old:  # the build report counts only what was made again
        cache.put("epub-book", frame, data)
        cache.put("epub-chapters", frame, json.dumps(chapter_keys).encode())
    target.write_bytes(data)
    return EpubResult(path=target)


def _pandoc_epub(docs: list[ChapterDoc], pandoc: Pandoc, args: list[str], workdir: Path, root: Path,
                 *, what: str) -> bytes:
    # The book's AST as JSON, put together from the chapters' JSON texts: no chapter has
    # to be held as a tree for this. Written to a file a chapter at a time: the whole
    # book's text (and its encoding for a pipe) would be held while pandoc, at its
    # largest for the whole book, runs beside it.
    first = docs[0].ast_json
    version = (first[len('{"pandoc-api-version":'):first.index("]") + 1]
               if first.startswith('{"pandoc-api-version":[') else to_json(docs[0].ast["pandoc-api-version"]))
    source = workdir / "pandoc-book.json"
    with source.open("w", encoding="utf-8") as handle:
        handle.write(f'{{"pandoc-api-version":{version},"meta":{{}},"blocks":[')
        separator = ""
        for doc in docs:
            part = doc.blocks_json()
            if part:
                handle.write(separator + part)
                separator = ","
        handle.write("]}")
    raw = workdir / "pandoc.epub"
    try:
        run_pandoc(pandoc, [*args, "--output", str(raw), str(source)], cwd=root, what=what)
    finally:
        source.unlink(missing_ok=True)
    return raw.read_bytes()


def _splice(ctx: BuildContext, docs: list[ChapterDoc], chapter_keys: list[str], frame: str, args: list[str],
            old_book: bytes | None) -> bytes | None:
    """`old_book` (the cached EPUB of this frame) with the changed chapters' content
    documents replaced, or None when that cannot give exactly what a whole build gives."""
    book, pandoc, workdir = ctx.book, ctx.pandoc, ctx.work
    old_keys = ctx.cache.get("epub-chapters", frame)
    if old_book is None or old_keys is None or len(json.loads(old_keys)) != len(chapter_keys):
        return None
    changed = [i for i, (old, new) in enumerate(zip(json.loads(old_keys), chapter_keys)) if old != new]
    if not changed:  # the same text; the date may still be another (SOURCE_DATE_EPOCH, a commit)
        with zipfile.ZipFile(io.BytesIO(old_book)) as old:
            opf_name = next(n for n in old.namelist() if n.endswith(".opf"))
            opf = old.read(opf_name).decode()
        patched = _patch_opf(opf, modified_time(book, docs), book)
        return old_book if patched == opf else _replace(old_book, {opf_name: patched.encode()})
    # One content document per chapter, and nothing in a changed chapter that depends
    # on the rest of the book (links into other chapters, media numbered book-wide).
    if not all(doc.single_part for doc in docs) or not all(_self_contained(docs[i]) for i in changed):
        return None
    raw = _pandoc_epub([docs[i] for i in changed], pandoc, args, workdir, book.root,
                       what=", ".join(docs[i].chapter.display for i in changed))
    with zipfile.ZipFile(io.BytesIO(raw)) as fresh:
        new_files = sorted(n for n in fresh.namelist() if re.search(r"text/ch\d+\.xhtml$", n))
        if len(new_files) != len(changed):
            return None
        replacements = {}
        continuous = book.schema.footnotes.numbering == "continuous"
        for i, name in zip(changed, new_files):
            offset = sum(doc.note_count for doc in docs[:i]) if continuous else 0
            text, _ = _finish_chapter(fresh.read(name).decode(), docs[i].title, offset)
            replacements[f"EPUB/text/ch{i + 1:03d}.xhtml"] = text.encode()
    with zipfile.ZipFile(io.BytesIO(old_book)) as old:
        opf_name = next(n for n in old.namelist() if n.endswith(".opf"))
        opf = old.read(opf_name).decode()
    replacements[opf_name] = _patch_opf(opf, modified_time(book, docs), book).encode()
    data = _replace(old_book, replacements)
    check_well_formed(data, [d.chapter.display for d in docs])
    return data


def _self_contained(doc: ChapterDoc) -> bool:
    """No images or raw HTML (pandoc numbers media book-wide) and no links to ids
    outside the chapter (pandoc resolves them to other files)."""
    own = {h.id for h in doc.headings}
    for node in walk_inlines(doc.ast["blocks"]):
        if node["t"] in ("Image", "RawInline"):
            return False
        if node["t"] == "Link" and node["c"][2][0].startswith("#") and node["c"][2][0][1:] not in own:
            return False
        if node["t"] == "Link" and not node["c"][2][0].startswith("#") and ":" not in node["c"][2][0]:
            return False  # a link to a file: epubfix.repair must see the whole book
    return not any(b["t"] in ("RawBlock", "Figure") for b in walk_blocks(doc.ast["blocks"]))


def _replace(data: bytes, replacements: dict[str, bytes]) -> bytes:
    """The same EPUB with some entries' contents replaced (`mimetype` first, stored)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = replacements.get(info.filename, source.read(info.filename))
            target.writestr(info, content, compress_type=info.compress_type)
    return out.getvalue()


def epub_metadata(book: Book, cover: Path, *, images: bool = False, all_alt: bool = True) -> dict:
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
    meta["toc-title"] = book.phrases["contents"]
    meta["accessModes"] = ["textual", "visual"] if images else ["textual"]
    meta["accessModeSufficient"] = ["textual"]
    # Every image has a text alternative: the cover gets one from the title (finish_epub),
    # and the build refuses none, but the checker warns [image-alt]; claim it only then.
    meta["accessibilityFeatures"] = [*(["alternativeText"] if all_alt else []), "readingOrder",
                                     "structuralNavigation", "tableOfContents", "displayTransformability"]
    meta["accessibilityHazards"] = ["none"]
    meta["accessibilitySummary"] = SUMMARY
    return meta


def _images_and_alt(docs: list[ChapterDoc]) -> tuple[bool, bool]:
    """Whether the chapters show images, and whether every one has alt text."""
    images = [node for doc in docs if '"Image"' in doc.ast_json or "<img" in doc.ast_json
              for node in walk_inlines(doc.ast["blocks"]) if node["t"] == "Image"]
    raw = any("<img" in doc.ast_json for doc in docs)
    return bool(images) or raw, all(stringify(node["c"][1]).strip() for node in images)


def modified_time(book: Book, docs: list[ChapterDoc]) -> str:
    """The EPUB's dcterms:modified: the build's source date (sourcedate.py: book.yaml's
    date, SOURCE_DATE_EPOCH, the last git commit, or the newest of the book's files), so
    that the same sources give the same bytes."""
    return sourcedate.iso(sourcedate.source_epoch(book, (doc.chapter.path for doc in docs)))


def finish_epub(data: bytes, book: Book, titles: list[str], modified: str = "",
                chapter_targets: dict[str, str] | None = None) -> bytes:
    """Add what pandoc 3.9 cannot write: the conformance claim, a bodymatter landmark,
    footnote backlinks, chapter titles and (when asked) continuous note numbers."""
    source = zipfile.ZipFile(io.BytesIO(data))
    files = {info.filename: source.read(info.filename) for info in source.infolist()}
    opf_name = next(name for name in files if name.endswith(".opf"))
    files[opf_name] = _patch_opf(files[opf_name].decode(), modified, book).encode()
    for name in files:
        if name.endswith("title_page.xhtml"):
            files[name] = _title_page(files[name].decode(), book).encode()
        elif name.endswith("cover.xhtml"):
            files[name] = _cover_alt(files[name].decode(), book).encode()
    chapters = sorted(name for name in files if re.search(r"text/ch\d+\.xhtml$", name))
    continuous = book.schema.footnotes.numbering == "continuous"
    notes_so_far = 0
    for position, name in enumerate(chapters):
        title = titles[position] if position < len(titles) else None
        text, count = _finish_chapter(files[name].decode(), title, notes_so_far if continuous else 0)
        notes_so_far += count
        files[name] = text.encode()
    nav_name = next(name for name in files if name.endswith("nav.xhtml"))
    if chapters:
        first = Path(chapters[0]).name
        files[nav_name] = _add_bodymatter(files[nav_name].decode(), f"text/{first}", book.phrases["start"]).encode()
    files = repair(files, chapter_targets or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        # The OCF container requires `mimetype` first and stored uncompressed.
        target.writestr(zipfile.ZipInfo("mimetype", date_time=(1980, 1, 1, 0, 0, 0)), files.pop("mimetype"),
                        compress_type=zipfile.ZIP_STORED)
        for name, content in files.items():
            # Entry times say nothing a reader needs and would differ on every build.
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            target.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _finish_chapter(text: str, title: str | None, note_offset: int) -> tuple[str, int]:
    """A chapter's content document: its title, note numbers and backlinks, and code
    lines that hang when the screen wraps them; passages in another language marked for XML too."""
    text = xml_lang(hang_code_lines(text))
    if title is not None:
        tag = f"<title>{_xml(title)}</title>"
        # A function, not a string: a title may hold backslashes ("\\3" is no group).
        text = re.sub(r"<title>[^<]*</title>", lambda _: tag, text, count=1)
    return _finish_notes(text, note_offset)


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


def _patch_opf(opf: str, modified: str, book: Book) -> str:
    """The package's dates: the same inputs give the same EPUB (see `modified_time`).
    pandoc writes the time of the build for both unless book.yaml gives a `date`."""
    if not modified:
        return opf
    opf = re.sub(r'(<meta property="dcterms:modified">)[^<]*(</meta>)', lambda m: m.group(1) + modified + m.group(2), opf)
    if book.schema.date:
        return opf
    return re.sub(r'(<dc:date\b[^>]*>)[^<]*(</dc:date>)', lambda m: m.group(1) + modified + m.group(2), opf)


def _title_page(text: str, book: Book) -> str:
    """One top-level heading (the title); the subtitle as a paragraph; and the translators
    and editors, whom pandoc's title page leaves out."""
    text = re.sub(r'<h1 class="subtitle">(.*?)</h1>', r'<p class="subtitle">\1</p>', text, flags=re.S)
    credits = "".join(f'\n  <p class="contributors">{_xml(book.phrases[key])} {_xml(join_names(names, book.phrases["and"]))}</p>'
                      for key, names in (("translated-by", book.translators), ("edited-by", book.editors)) if names)
    return text.replace("</section>", credits + "\n</section>", 1) if credits else text


def _cover_alt(text: str, book: Book) -> str:
    """The cover image's text alternative: what it says, the title (and the authors)."""
    label = book.phrases["cover"] + ": " + book.schema.title
    if book.authors:
        label += " — " + join_names(book.authors, book.phrases["and"])
    label = _xml(label).replace('"', "&quot;")
    return re.sub(r"(<svg\b[^>]*?)(>)", lambda m: f'{m.group(1)} role="img" aria-label="{label}"{m.group(2)}'
                  f"<title>{label}</title>", text, count=1)


def _add_bodymatter(nav: str, href: str, start: str = "Start of Content") -> str:
    entry = f'<li><a href="{href}" epub:type="bodymatter">{_xml(start)}</a></li>\n'
    landmarks = re.search(r'(<nav epub:type="landmarks"[^>]*>.*?<ol>\s*)', nav, flags=re.S)
    if not landmarks:
        return nav
    return nav[: landmarks.end()] + entry + nav[landmarks.end():]


_NOTEREF = re.compile(r'(<a href="#fn(\d+)" class="footnote-ref" id="fnref\d+"[^>]*>)(\d+)(</a>)')
_ADJACENT_CALL = re.compile(r'(class="footnote-ref[^"]*"[^>]*>\d+</a>)(<a href="#fn\d+" class="footnote-ref)"')
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

    # A call right after another call ("7,8"): marked, so the stylesheet can separate them.
    text = _ADJACENT_CALL.sub(r'\1\2 footnote-ref-next"', text)
    return _ASIDE.sub(backlink, text), count
