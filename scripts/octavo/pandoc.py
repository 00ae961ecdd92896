"""Markdown -> pandoc AST -> HTML fragments, one chapter at a time.

Each chapter is parsed on its own, so footnote labels (`[^1]` in every file) can
never collide: in the AST a note is inline content at its call, with no label.
"""

from __future__ import annotations

import functools
import logging
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import orjson

from .errors import Location, ToolError
from .manuscript import Chapter
from .tools import Pandoc
from .mathsvg import has_math, math_as_svg
from .tables import set_tables
from .typography import localize
from .urls import breakable_urls

log = logging.getLogger(__name__)


def to_json(value: Any) -> str:
    """Compact JSON for pandoc and for cache keys (orjson: a big book's ASTs are tens of MB)."""
    return orjson.dumps(value).decode()

#: pandoc Markdown plus the typography a book wants: curly quotes, dashes, ellipses.
READER = "markdown+smart"

AST = dict[str, Any]


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    title: str  # plain text, without footnotes


@dataclass(eq=False)
class ChapterDoc:
    """A chapter after parsing: its AST and what the TOC needs from it.

    `source` is the prepared AST, or its JSON text as kept in the cache: a chapter that
    did not change is only parsed into Python objects when something needs its tree
    (for a 1,100-page book, making all of them costs more than half a second)."""

    chapter: Chapter
    source: AST | str
    headings: list[Heading] = field(default_factory=list)
    single_part: bool = True  # one level-1 heading, at the start: one EPUB content document

    @functools.cached_property
    def ast(self) -> AST:
        return self.source if isinstance(self.source, dict) else orjson.loads(self.source)

    @functools.cached_property
    def ast_json(self) -> str:
        """The AST as JSON (cache keys, pandoc's input); made once: a big book's is megabytes."""
        return self.source if isinstance(self.source, str) else to_json(self.source)

    def release(self) -> None:
        """Keep the chapter as JSON text only; the tree is parsed again if asked for."""
        self.source = self.ast_json
        self.__dict__.pop("ast", None)

    def blocks_json(self) -> str:
        """The JSON of the AST's top-level block list, without its brackets. "blocks" is
        the AST's last key, and a quote inside JSON text is always escaped, so the last
        `"blocks":[` in the text is that key's."""
        text = self.ast_json
        start = text.rfind('"blocks":[')
        if start < 0 or not text.endswith("]}"):
            return ",".join(to_json(block) for block in self.ast["blocks"])
        return text[start + len('"blocks":['):-2]

    @functools.cached_property
    def note_count(self) -> int:
        # Counting in the JSON text is exact (a quote inside text is escaped, so text can
        # never contain this) and much faster than walking the tree.
        return self.ast_json.count('"t":"Note"')

    @property
    def title(self) -> str:
        top = [h for h in self.headings if h.level == 1]
        return top[0].title if top else self.chapter.slug.replace("-", " ").title()


def run_pandoc(pandoc: Pandoc, args: list[str], *, stdin: str | None = None, cwd: Path | None = None,
               what: str, where: Location | None = None) -> str:
    """Run pandoc; its failure becomes one readable line (detail kept for --verbose)."""
    try:
        result = subprocess.run([pandoc.path, *args], input=stdin, capture_output=True, text=True,
                                cwd=cwd, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ToolError(f"could not run pandoc for {what}: {exc}", where=where) from None
    if result.returncode == 0:
        _log_warnings(result.stderr, what, where)
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["no message"])[0]
        raise ToolError(f"pandoc failed on {what}: {first}", where=where,
                        hint="run with --verbose to see pandoc's full message", detail=result.stderr)
    return result.stdout


#: Where pandoc says a problem is in its input: "… at line 6 column 1".
_PANDOC_AT = re.compile(r" at line (\d+),? column (\d+)")


def _log_warnings(stderr: str, what: str, where: Location | None) -> None:
    """pandoc's warnings, for -v only: every one the writer can act on is also an octavo
    check, reported at its line in the chapter (duplicate link references and notes,
    notes never called, unclosed divs, missing images and alt text). A warning about a
    chapter's Markdown is shown at its place in the chapter file ("file:line:col: pandoc:
    …"; pandoc read the file's text, so its lines are the file's), the rest with the
    run's name. A warning may span lines (a TeX formula and pandoc's caret under it)."""
    messages: list[str] = []
    for line in stderr.splitlines():
        if line.startswith("[") or not messages:
            messages.append(line.strip())
        elif line.strip():
            messages[-1] += " " + line.strip()
    for message in filter(None, messages):
        text = re.sub(r"^\[(?:WARNING|INFO)\]\s*", "", message)
        at = _PANDOC_AT.search(text)
        if at and where is not None and not where.line:
            place = Location(where.path, int(at.group(1)), int(at.group(2)))
            log.info("%s: pandoc: %s", place, _PANDOC_AT.sub("", text, count=1))
        else:
            log.info("pandoc (%s): %s", what, text)


def parse_chapter(pandoc: Pandoc, chapter: Chapter) -> AST:
    """Markdown text -> pandoc JSON AST."""
    out = run_pandoc(pandoc, ["--from", READER, "--to", "json"], stdin=chapter.text,
                     what=chapter.display, where=Location(chapter.display))
    return orjson.loads(out)


def prepare_chapters(chapters: list[tuple[Chapter, AST]]) -> list[ChapterDoc]:
    """Give every heading a book-wide unique id and a clean title; collect headings.

    pandoc derives ids per file, so two chapters called "Introduction" both get
    `#introduction`; in one HTML document (print) or one EPUB that would make the
    TOC point at the wrong place. Later duplicates are prefixed with their slug.
    """
    used: set[str] = set()
    return [prepare_chapter(chapter, ast, used) for chapter, ast in chapters]


_COMMENT = re.compile(r"\s*<!--.*?-->\s*", re.S)


def _one_chapter_per_file(ast: AST) -> None:
    """A chapter file makes one chapter, whatever else it holds.

    An HTML comment is invisible, but as a block of its own before the title it would
    open an empty first chapter in the EPUB: comments are dropped. A second level-1
    heading would become a chapter of its own in the EPUB and the contents: it is set
    as a section (level 2) instead, and the checker says so [chapter-several-titles]."""
    blocks = [b for b in ast["blocks"]
              if not (b["t"] == "RawBlock" and b["c"][0] == "html" and _COMMENT.fullmatch(b["c"][1]))]
    seen_title = False
    for block in blocks:
        if block["t"] == "Header" and block["c"][0] == 1:
            if seen_title:
                block["c"][0] = 2
            seen_title = True
    ast["blocks"] = blocks


def prepare_chapter(chapter: Chapter, ast: AST, used: set[str], language: str = "en") -> ChapterDoc:
    """prepare_chapters for one chapter; `used` holds the ids of the chapters before it
    and gets this chapter's. The result depends on nothing else."""
    renamed: dict[str, str] = {}
    headings = []
    _one_chapter_per_file(ast)
    set_tables(ast["blocks"])
    ast["blocks"] = localize(ast["blocks"], language)
    for block in header_blocks(ast["blocks"]):
        level, attr, inlines = block["c"]
        old = attr[0] or f"{chapter.anchor}-h"
        new = old if old not in used else f"{chapter.slug}-{old}"
        suffix = 2
        while new in used:
            new = f"{chapter.slug}-{old}-{suffix}"
            suffix += 1
        used.add(new)
        if new != old:
            renamed[old] = new
        attr[0] = new
        title = stringify(inlines)
        given = dict(attr[2]).get("running")  # `# Long title {running="Short"}`
        attr[2] = [kv for kv in attr[2] if kv[0] not in ("data-title", "data-running", "running")]
        attr[2] += [["data-title", title], ["data-running", given or running_head(title)]]
        headings.append(Heading(level, new, title))
    if renamed:
        for inline in walk_inlines(ast["blocks"]):
            if inline["t"] == "Link" and inline["c"][2][0].startswith("#"):
                target = inline["c"][2][0][1:]
                inline["c"][2][0] = "#" + renamed.get(target, target)
    blocks = ast["blocks"]
    tops = [b for b in blocks if b["t"] == "Header" and b["c"][0] == 1]
    single = len(tops) == 1 and bool(blocks) and blocks[0] is tops[0]
    return ChapterDoc(chapter=chapter, source=ast, headings=headings, single_part=single)


#: The most Markdown (characters) one pandoc run converts to print HTML.
BATCH_TEXT = 500_000


def _where(chapter: Chapter, text: str) -> str:
    """Where `text` is first written in the chapter, as file:line:col (the file alone if not found)."""
    return str(Location.in_text(chapter.display, chapter.text, chapter.text.find(text)))


def chapters_html(pandoc: Pandoc, docs: list[ChapterDoc], *, jobs: int = 1) -> list[str]:
    """Chapters as HTML5 fragments for print, notes inline at their calls.

    A few pandoc runs for all of them (each run costs a process start; `jobs` runs go
    at once); the chapters are separated by marker comments and split apart again.
    """
    total = sum(len(d.chapter.text) for d in docs)
    if len(docs) > 1 and (jobs > 1 or total > BATCH_TEXT):
        from concurrent.futures import ThreadPoolExecutor

        # At least `jobs` runs, and none over BATCH_TEXT of Markdown: pandoc holds a run's
        # whole document in memory (several hundred MB for half a long book).
        runs = max(jobs, -(-total // BATCH_TEXT))
        size = total / runs
        batches: list[list[ChapterDoc]] = [[]]
        filled = 0.0
        for doc in docs:
            if filled >= size * len(batches) and len(batches) < runs:
                batches.append([])
            batches[-1].append(doc)
            filled += len(doc.chapter.text)
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            return [html for part in pool.map(lambda b: chapters_html(pandoc, b), batches) for html in part]
    blocks: list[AST] = []
    for doc in docs:
        blocks.append({"t": "RawBlock", "c": ["html", f"<!--{_SPLIT}-->"]})
        doc_blocks = breakable_urls(notes_in_flow(doc.ast["blocks"]))
        blocks.extend(math_as_svg(doc_blocks, functools.partial(_where, doc.chapter))
                      if has_math(doc.ast_json) else doc_blocks)
    ast = {"pandoc-api-version": docs[0].ast["pandoc-api-version"], "meta": {}, "blocks": blocks}
    out = run_pandoc(pandoc, ["--from", "json", "--to", "html5", "--wrap=none"],
                     stdin=to_json(ast), what=", ".join(d.chapter.display for d in docs))
    parts = out.split(f"<!--{_SPLIT}-->")[1:]
    if len(parts) != len(docs):
        raise ToolError(f"pandoc returned {len(parts)} chapters for {len(docs)}",
                        hint="report this to octavo's developers")
    return [part.strip("\n") + "\n" for part in parts]


_SPLIT = "octavo-chapter-boundary"

#: Characters of the word before a note call that are tied to the call.
NOTE_TIE = 3
#: Longest styled run (italics, quotes) that is tied whole to a call that follows it;
#: a longer one (a quoted verse) must stay free to wrap.
NOTE_TIE_WHOLE = 12


def notes_in_flow(node: Any) -> Any:
    """Print HTML: every footnote becomes a <span class="footnote"> at its call.

    WeasyPrint places a note at the foot of the page only when the note sits in the
    text flow at its call (`float: footnote`); pandoc's HTML writer would make
    endnotes. A note's blocks (paragraphs, verse, lists) are joined with line breaks,
    since a span holds inlines only. The call is tied (`.note-anchor`, no wrap) to the
    last characters of the word before it, so it can never start a line on its own.
    (Done on the JSON AST in Python: a pandoc Lua filter visiting every run of text in
    a 400,000-word book costs seconds.)
    """
    if isinstance(node, list):
        if any(isinstance(item, dict) and item.get("t") == "Note" for item in node):
            node = _tie_calls(node)
        items = [notes_in_flow(item) for item in node]
        if items and isinstance(items[0], dict) and items[0].get("t") in _BLOCK_TYPES:
            items = _carry_long_notes(items)
        return items
    if isinstance(node, dict) and "c" in node:
        return {**node, "c": notes_in_flow(node["c"])}  # a new node: the chapter's AST is left as it was
    return node


def _tie_calls(inlines: list[AST]) -> list[AST]:
    out: list[AST] = []
    i = 0
    while i < len(inlines):
        if inlines[i].get("t") != "Note":
            out.append(inlines[i])
            i += 1
            continue
        group: list[AST] = []
        before = out[-1] if out else None
        if before and before["t"] == "Str":
            out.pop()
            text = before["c"]
            if len(text) > NOTE_TIE:
                out.append({"t": "Str", "c": text[:-NOTE_TIE]})
                group.append({"t": "Str", "c": text[-NOTE_TIE:]})
            else:
                group.append(before)
        elif before and before["t"] not in ("Space", "SoftBreak", "LineBreak") \
                and len(stringify([before])) <= NOTE_TIE_WHOLE:
            group.append(out.pop())  # a short word in italics, a closing quote, …
        while i < len(inlines) and inlines[i].get("t") == "Note":
            group.append(_note_span(inlines[i]))
            i += 1
        out.append({"t": "Span", "c": [["", ["note-anchor"], []], group]})
    return out


#: A note with more text than this (characters) is set in parts: WeasyPrint cannot break
#: a footnote across pages, and a note taller than the page would be drawn over the text.
#: The first part stays at the call; each other part is a footnote without number or
#: mark, carried by the start of a following paragraph, so the note continues at the
#: foot of the next page(s) (Chicago 14.51).
LONG_NOTE = 1100
#: The key under which a note span carries its continuation parts until they are placed
#: (removed before the AST goes back to pandoc).
_REST = "octavo-rest"


def _note_span(note: AST) -> AST:
    inlines: list[AST] = []
    for block in note["c"]:
        if inlines:
            inlines.append({"t": "LineBreak"})
        inlines.extend(_block_inlines(block))
    parts = _note_parts(notes_in_flow(inlines))
    span = {"t": "Span", "c": [["", ["footnote"], []], parts[0]]}
    if len(parts) > 1:
        span[_REST] = [{"t": "Span", "c": [["", ["footnote", "continued"], []], part]} for part in parts[1:]]
    return span


def _note_parts(inlines: list[AST]) -> list[list[AST]]:
    """A note's inlines in parts of at most LONG_NOTE characters, broken after a line
    (a paragraph or table row of the note) or else after a sentence."""
    if len(stringify(inlines)) <= LONG_NOTE:
        return [inlines]
    parts: list[list[AST]] = [[]]
    size = 0
    for i, node in enumerate(inlines):
        length = len(stringify([node])) if node["t"] not in ("Space", "SoftBreak", "LineBreak") else 1
        breakable = (node["t"] == "LineBreak"
                     or (node["t"] == "Space" and i and inlines[i - 1].get("t") == "Str"
                         and inlines[i - 1]["c"].endswith((".", ";", ":", "!", "?"))))
        if breakable and size > LONG_NOTE * 0.6:
            parts.append([])
            size = 0
            continue  # the break itself is not kept: the part ends there
        parts[-1].append(node)
        size += length
    return [part for part in parts if part]


def _carry_long_notes(blocks: list[AST]) -> list[AST]:
    """Place the continuation parts of long notes in this list of blocks: one at the start
    of each paragraph after the one that calls the note, the rest in carriers of their own
    at the end of the list."""
    queue: list[AST] = []
    out: list[AST] = []
    for block in blocks:
        if queue and block.get("t") in ("Para", "Plain"):
            block = {**block, "c": [queue.pop(0), *block["c"]]}
        queue.extend(_take_rest(block))
        out.append(block)
    out.extend({"t": "Div", "c": [["", ["note-carrier"], []], [{"t": "Plain", "c": [part]}]]} for part in queue)
    return out


def _take_rest(node: Any) -> list[AST]:
    """Remove and return the continuation parts that `node`'s note spans carry."""
    found: list[AST] = []
    if isinstance(node, dict):
        found.extend(node.pop(_REST, []))
        if "c" in node:
            found.extend(_take_rest(node["c"]))
    elif isinstance(node, list):
        for item in node:
            found.extend(_take_rest(item))
    return found


def _block_inlines(block: AST) -> list[AST]:
    """A block's inlines, flattened (what pandoc.utils.blocks_to_inlines does)."""
    kind, content = block["t"], block.get("c")
    if kind in ("Plain", "Para"):
        return content
    if kind == "LineBlock":
        out: list[AST] = []
        for line in content:
            if out:
                out.append({"t": "LineBreak"})
            out.extend(line)
        return out
    if kind == "Header":
        return content[2]
    if kind == "CodeBlock":
        return [{"t": "Code", "c": content}]
    if kind == "RawBlock":
        return [{"t": "RawInline", "c": content}]
    if kind in ("BlockQuote", "Div", "Figure"):
        inner = content if kind == "BlockQuote" else content[-1]
        return _join([_block_inlines(b) for b in inner])
    if kind in ("BulletList", "OrderedList"):
        items = content if kind == "BulletList" else content[1]
        return _join([_join([_block_inlines(b) for b in item]) for item in items])
    if kind == "DefinitionList":
        return _join([term + [{"t": "Space"}] + _join([_join([_block_inlines(b) for b in d]) for d in defs])
                      for term, defs in content])
    if kind == "Table":
        # A table cannot sit in a footnote line: its rows become lines, its cells parted by
        # wide spaces, so that nothing of the note is lost.
        _attr, _caption, _specs, head, bodies, foot = content
        rows = [*head[1], *(row for body in bodies for row in [*body[2], *body[3]]), *foot[1]]
        lines = []
        for row in rows:
            cells = [_join([_block_inlines(b) for b in cell[4]]) for cell in row[1]]
            line: list[AST] = []
            for cell in (c for c in cells if c):
                if line:
                    line.append({"t": "Str", "c": "\u2003"})
                line.extend(cell)
            lines.append(line)
        return _join(lines)
    return []


def _join(parts: list[list[AST]]) -> list[AST]:
    out: list[AST] = []
    for part in parts:
        if part:
            if out:
                out.append({"t": "LineBreak"})
            out.extend(part)
    return out


#: Longest running head that fits the head line of the smallest trim in small caps.
RUNNING_HEAD_MAX = 48


def running_head(title: str) -> str:
    """A running head never wraps: long titles are cut at a word and marked with an ellipsis."""
    if len(title) <= RUNNING_HEAD_MAX:
        return title
    cut = title[: RUNNING_HEAD_MAX].rsplit(" ", 1)[0].rstrip(",;:—–-")
    return cut + "…"


# --- AST helpers -----------------------------------------------------------------------

#: Blocks that hold other blocks, and where in their content those blocks are.
_CONTAINERS = {"BlockQuote": lambda c: [c], "Div": lambda c: [c[1]], "Figure": lambda c: [c[2]],
               "BulletList": lambda c: c, "OrderedList": lambda c: c[1],
               "DefinitionList": lambda c: [blocks for _term, defs in c for blocks in defs]}


def header_blocks(blocks: list[AST]) -> Iterator[AST]:
    """Every Header in reading order, looking only through block containers (a heading
    cannot sit inside a paragraph, so the text itself is never walked)."""
    for block in blocks:
        kind = block["t"]
        if kind == "Header":
            yield block
        elif kind in _CONTAINERS:
            for inner in _CONTAINERS[kind](block["c"]):
                yield from header_blocks(inner)


def walk_blocks(blocks: list[AST]) -> Iterator[AST]:
    """Every block, depth first, including blocks inside notes, quotes and lists."""
    for node in _walk(blocks):
        if isinstance(node, dict) and node.get("t") in _BLOCK_TYPES:
            yield node


def walk_inlines(blocks: list[AST]) -> Iterator[AST]:
    for node in _walk(blocks):
        if isinstance(node, dict) and "t" in node and node["t"] not in _BLOCK_TYPES:
            yield node


def _walk(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        yield node
        if "c" in node:
            yield from _walk(node["c"])
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


_BLOCK_TYPES = {"Plain", "Para", "LineBlock", "CodeBlock", "RawBlock", "BlockQuote", "OrderedList",
                "BulletList", "DefinitionList", "Header", "HorizontalRule", "Table", "Figure", "Div"}


def stringify(inlines: list[AST]) -> str:
    """Plain text of inlines, leaving out footnotes (they do not belong in a TOC)."""
    parts: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("t")
        if kind == "Note":
            return
        if kind == "Str":
            parts.append(node["c"])
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif kind == "Quoted":
            quote = ("“", "”") if node["c"][0]["t"] == "DoubleQuote" else ("‘", "’")
            parts.append(quote[0])
            visit(node["c"][1])
            parts.append(quote[1])
        elif kind == "Code":
            parts.append(node["c"][1])
        elif kind in ("Link", "Image", "Span"):
            visit(node["c"][1])
        elif kind == "Cite":
            visit(node["c"][1])
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Superscript", "Subscript"):
            visit(node["c"])
        elif kind == "RawInline":
            return

    visit(inlines)
    return " ".join("".join(parts).split())
