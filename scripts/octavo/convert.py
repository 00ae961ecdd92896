"""Markdown to pandoc's AST, chapter by chapter, through the cache; then each
chapter prepared for the book (unique ids, vetted files) and, for the printed
editions, turned into HTML."""

from __future__ import annotations

from dataclasses import dataclass
from concurrent.futures import ThreadPoolExecutor

import orjson

from . import keys
from .context import BuildContext
from .manuscript import Chapter
from .pandoc import ChapterDoc, Heading, chapters_html, parse_chapter, prepare_chapter
from .resources import vet_chapter


@dataclass
class _Parsed:
    key: str          # the cache key of the chapter's AST
    text: bytes       # the AST as JSON
    ast: dict | None  # the AST, when it was just made (else parsed only if needed)
    outside: bool     # refers to images or has raw HTML: resources.vet_chapter must see it


def mostly_cached(ctx: BuildContext, chapters: tuple[Chapter, ...]) -> bool:
    """Whether at least three chapters in four were parsed before (an edit, not a new book)."""
    cached = sum(ctx.cache.path("ast", keys.ast_key(chapter, ctx.tools)).is_file() for chapter in chapters)
    return cached * 4 >= len(chapters) * 3


def convert(ctx: BuildContext, chapters: tuple[Chapter, ...]) -> list[ChapterDoc]:
    """Each chapter parsed on its own (labels cannot collide), from the cache when its
    text is unchanged; ids are then made unique across the book."""
    parsed = _parse_all(ctx, chapters)
    return _prepare(ctx, chapters, parsed)


def _parse_all(ctx: BuildContext, chapters: tuple[Chapter, ...]) -> list[_Parsed]:
    cache = ctx.cache
    ast_keys = [keys.ast_key(chapter, ctx.tools) for chapter in chapters]
    parsed: list = [None] * len(chapters)
    missing = []
    for i, key in enumerate(ast_keys):
        hit = cache.get("ast", key)
        if hit is not None:
            parsed[i] = _Parsed(key, hit, None, _points_outside(hit))
        else:
            missing.append(i)
    ctx.progress("converting chapters", len(chapters) - len(missing), len(chapters))
    with ThreadPoolExecutor(max_workers=max(1, ctx.jobs)) as pool:  # pandoc runs as a subprocess
        for done, (i, ast) in enumerate(zip(missing, pool.map(lambda i: parse_chapter(ctx.pandoc, chapters[i]),
                                                               missing)), start=1):
            text = orjson.dumps(ast)
            cache.put("ast", ast_keys[i], text)
            parsed[i] = _Parsed(ast_keys[i], text, ast, _points_outside(text))
            ctx.progress("converting chapters", len(chapters) - len(missing) + done, len(chapters))
    ctx.report.converted = [chapters[i].display for i in missing]
    return parsed


def _prepare(ctx: BuildContext, chapters: tuple[Chapter, ...], parsed: list[_Parsed]) -> list[ChapterDoc]:
    """Vet each chapter's resources and make its ids unique in the book (pandoc.prepare_chapter).

    A prepared chapter depends only on its AST and on the heading ids of the chapters
    before it, so it is cached under those; an unchanged chapter is then not even parsed
    into Python objects. Chapters with images or raw HTML are vetted on every build (the
    files they point at may have changed)."""
    book, cache = ctx.book, ctx.cache
    used: set[str] = set()
    docs = []
    for chapter, item in zip(chapters, parsed):
        key = keys.prepared_key(book, chapter, item.key, used)
        hit = None if item.outside else cache.get("prepared", key)
        if hit is not None:
            head, _, text = hit.partition(b"\n")
            meta = orjson.loads(head)
            doc = ChapterDoc(chapter=chapter, source=text.decode(), single_part=meta["single_part"],
                             headings=[Heading(*h) for h in meta["headings"]])
            used.update(h.id for h in doc.headings)
        else:
            ast = item.ast if item.ast is not None else orjson.loads(item.text)
            if item.outside:
                ast = vet_chapter(book, chapter, ast)
            doc = prepare_chapter(chapter, ast, used, book.schema.language)
            if not item.outside:
                meta = {"single_part": doc.single_part, "headings": [[h.level, h.id, h.title] for h in doc.headings]}
                cache.put("prepared", key, orjson.dumps(meta) + b"\n" + doc.ast_json.encode())
        docs.append(doc)
    return docs


def _points_outside(ast_json: bytes) -> bool:
    """Whether a chapter has anything resources.vet_chapter must look at (images, raw
    HTML); most chapters have neither, and walking a 400,000-word book costs seconds."""
    return any(tag in ast_json for tag in (b'"Image"', b'"RawBlock"', b'"RawInline"'))


def print_fragments(ctx: BuildContext, docs: list[ChapterDoc]) -> list[str]:
    """Each chapter's print HTML, from the cache or from one pandoc run for all the rest."""
    html_keys = [keys.html_key(doc.ast_json, ctx.tools) for doc in docs]
    fragments: list = [ctx.cache.get("html", key) for key in html_keys]
    missing = [docs[i] for i, hit in enumerate(fragments) if hit is None]
    converted = iter(chapters_html(ctx.pandoc, missing, jobs=ctx.jobs)) if missing else iter(())
    for i, hit in enumerate(fragments):
        if hit is None:
            html = next(converted)
            ctx.cache.put("html", html_keys[i], html.encode())
            fragments[i] = html
        else:
            fragments[i] = hit.decode()
    return fragments
