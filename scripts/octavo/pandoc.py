"""Markdown -> pandoc AST -> HTML fragments, one chapter at a time.

Each chapter is parsed on its own, so footnote labels (`[^1]` in every file) can
never collide: in the AST a note is inline content at its call, with no label.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from .errors import Location, ToolError
from .manuscript import Chapter
from .tools import Pandoc

FILTERS = Path(__file__).parent / "filters"
#: pandoc Markdown plus the typography a book wants: curly quotes, dashes, ellipses.
READER = "markdown+smart"

AST = dict[str, Any]


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    title: str  # plain text, without footnotes


@dataclass
class ChapterDoc:
    """A chapter after parsing: its AST and what the TOC needs from it."""

    chapter: Chapter
    ast: AST
    headings: list[Heading] = field(default_factory=list)

    @property
    def note_count(self) -> int:
        return sum(1 for node in walk_inlines(self.ast["blocks"]) if node["t"] == "Note")

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
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["no message"])[0]
        raise ToolError(f"pandoc failed on {what}: {first}", where=where,
                        hint="run with --verbose to see pandoc's full message", detail=result.stderr)
    return result.stdout


def parse_chapter(pandoc: Pandoc, chapter: Chapter) -> AST:
    """Markdown text -> pandoc JSON AST."""
    out = run_pandoc(pandoc, ["--from", READER, "--to", "json"], stdin=chapter.text,
                     what=chapter.display, where=Location(chapter.display))
    return json.loads(out)


def prepare_chapters(chapters: list[tuple[Chapter, AST]]) -> list[ChapterDoc]:
    """Give every heading a book-wide unique id and a clean title; collect headings.

    pandoc derives ids per file, so two chapters called "Introduction" both get
    `#introduction`; in one HTML document (print) or one EPUB that would make the
    TOC point at the wrong place. Later duplicates are prefixed with their slug.
    """
    used: set[str] = set()
    docs = []
    for chapter, ast in chapters:
        renamed: dict[str, str] = {}
        headings = []
        for block in walk_blocks(ast["blocks"]):
            if block["t"] != "Header":
                continue
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
        docs.append(ChapterDoc(chapter=chapter, ast=ast, headings=headings))
    return docs


def chapter_html(pandoc: Pandoc, doc: ChapterDoc) -> str:
    """One chapter as an HTML5 fragment for print, notes inline at their calls."""
    return run_pandoc(pandoc, ["--from", "json", "--to", "html5", "--wrap=none",
                               "--lua-filter", str(FILTERS / "print_notes.lua")],
                      stdin=json.dumps(doc.ast), what=doc.chapter.display,
                      where=Location(doc.chapter.display))


#: Longest running head that fits the head line of the smallest trim in small caps.
RUNNING_HEAD_MAX = 48


def running_head(title: str) -> str:
    """A running head never wraps: long titles are cut at a word and marked with an ellipsis."""
    if len(title) <= RUNNING_HEAD_MAX:
        return title
    cut = title[: RUNNING_HEAD_MAX].rsplit(" ", 1)[0].rstrip(",;:—–-")
    return cut + "…"


# --- AST helpers -----------------------------------------------------------------------

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
