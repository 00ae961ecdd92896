"""The editions a build can make. Each is one unit: what it needs from the converted
book, how it is built, and (for print) how the finished file is checked. Adding an
edition is one class here and one entry in `EDITIONS`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import keys
from .context import BuildContext, Converted


@dataclass(frozen=True)
class PrintLayout:
    """What the print edition was laid out with (its final setup, after any wider gutter)
    and its chapters' pages: the screen edition is assembled from these (by the layout
    workers, beside the print edition: `screen`, a Future, when they could)."""

    setup: object  # pagesetup.PrintSetup
    chapters: list  # layout.ChapterPages, in reading order
    screen: object = None  # Future of (the assembled file's page count, cache entries made, its path)


class Edition:
    format = ""
    needs_print_html = False  # chapters as print HTML (pandoc's HTML writer)
    needs_cover = False  # the cover image
    needs_layout_pool = False  # WeasyPrint worker processes

    def build(self, ctx: BuildContext, book: Converted, pool=None) -> Path:
        raise NotImplementedError

    def verify(self, ctx: BuildContext, path: Path) -> list:
        """Findings on the finished file (run in the background while others finish)."""
        return []


class PrintEdition(Edition):
    """The print interior: chapters laid out in parallel and from the cache, assembled
    under the print skeleton, laid out again when the page count needs a wider gutter."""

    format = "pdf"
    needs_print_html = True
    needs_layout_pool = True

    def build(self, ctx: BuildContext, book: Converted, pool=None) -> Path:
        result, setup = self.final_layout(ctx, book, pool)
        if result.padded:
            ctx.report.notes.append(f"added {result.padded} blank pages at the end: {ctx.book.schema.printer} "
                                    f"prints at least {setup.min_pages}")
        ctx.report.pages, ctx.report.printer = result.pages, ctx.book.schema.printer
        self.fingerprints = result.fingerprints
        self.page_map = result.page_map  # where each page begins: the EPUB's page-list (pagelist.py)
        if result.page_map is not None:
            from .pagelist import remember

            remember(ctx, book.docs, result.page_map)
        return result.path

    @classmethod
    def final_layout(cls, ctx: BuildContext, book: Converted, pool=None):
        """The print PDF laid out with the gutter its page count needs; returns the result
        and the setup. (Chapter-wise, it leaves book.print_layout for the screen edition.)"""
        from .pagesetup import print_setup, wider_gutter

        setup = print_setup(ctx.book)
        result = cls._lay_out(ctx, book, setup, pool)
        # The printer's minimum gutter grows with the page count (KDP: 0.375 in up to 150
        # pages … 0.875 in over 700): when the finished count needs a wider one, lay out again.
        for attempt in ("second", "third"):  # a wider gutter can only add pages: this settles fast
            wider = wider_gutter(ctx.book, setup, result.pages)
            if wider is None:
                break
            ctx.report.notes.append(f"{attempt} layout pass: {result.pages} pages need a {wider.geometry.inner} in "
                                    f"gutter for {ctx.book.schema.printer} (was {setup.geometry.inner} in)")
            setup = wider
            result = cls._lay_out(ctx, book, setup, pool)
        return result, setup

    @staticmethod
    def _lay_out(ctx: BuildContext, book: Converted, setup, pool):
        from .layout import splittable
        from .pdf import render_chapterwise, render_single_pass

        docs, report = book.docs, ctx.report
        target = ctx.work / f"{ctx.book.slug}.pdf"
        if ctx.options.single_pass or not splittable(ctx.styles):
            reason = "asked for" if ctx.options.single_pass else "the stylesheet prints page references (target-counter)"
            report.layout = f"single-pass ({reason})"
            report.laid_out = [doc.chapter.display for doc in docs]
            ctx.progress("laying out the book in one pass", 0, 1)
            result = render_single_pass(ctx, book, setup, target)
            ctx.progress("laying out the book in one pass", 1, 1)
            return result
        report.layout = "chapter-wise"
        result, laid_out, chapters = render_chapterwise(ctx, book, setup, target, pool)
        report.laid_out = [doc.chapter.display for doc in docs if doc.chapter.index in laid_out]
        book.print_layout = PrintLayout(setup, chapters, result.screen)
        return result

    def verify(self, ctx: BuildContext, path: Path) -> list:
        """Preflight: the finished file measured against the printer's rules."""
        from .preflight import PRINTERS, preflight

        return preflight(path, PRINTERS[ctx.book.schema.printer], ctx.cache, self.fingerprints)


class ScreenEdition(Edition):
    """The screen PDF: cover first, symmetric pages, live links, tagged. Assembled from the
    print edition's chapter layouts (screen.py); laid out in one pass when the print
    edition is (--single-pass, or a stylesheet that prints page references)."""

    format = "screen"
    needs_print_html = True
    needs_cover = True

    def build(self, ctx: BuildContext, book: Converted, pool=None) -> Path:
        from .layout import splittable
        from .pdf import _epoch, render_screen
        from .screen import render_assembled

        target = ctx.work / f"{ctx.book.slug}-screen.pdf"
        if ctx.options.single_pass or not splittable(ctx.styles):
            ctx.progress("laying out the screen edition", 0, 1)
            ctx.report.screen_pages = render_screen(ctx, book, target)
            ctx.progress("laying out the screen edition", 1, 1)
            return target
        if book.print_layout is None:  # the print edition is not being built: its layout is still needed
            PrintEdition.final_layout(ctx, book, pool)
        layout = book.print_layout
        if layout.screen is not None:  # assembled by the layout workers (screen.start_assembly)
            ctx.progress("assembling the screen edition", 0, 1)
            from .screen import assemble_job

            ctx.report.screen_pages, made, assembled = layout.screen.result()
            if ctx.report.screen_pages is None:  # repaired by the workers, put together here
                # (with ctx.cache: what it makes is counted there already)
                ctx.report.screen_pages, _ = assemble_job(assembled)
                assembled = assembled.target
            ctx.cache.made.update(made)
            os.replace(assembled, target)
            ctx.progress("assembling the screen edition", 1, 1)
            return target
        ctx.report.screen_pages = render_assembled(ctx, book, layout.setup, layout.chapters, target,
                                                   _epoch(ctx.book, book.docs))
        return target


class EpubEdition(Edition):
    """The EPUB 3: pandoc writes it; a one-chapter edit is spliced into the cached book."""

    format = "epub"
    needs_cover = True

    def build(self, ctx: BuildContext, book: Converted, pool=None) -> Path:
        from .epub import build_epub

        target = ctx.work / f"{ctx.book.slug}.epub"
        build_epub(ctx, book.docs, book.cover, target)
        return target


EDITIONS: dict[str, type[Edition]] = {"pdf": PrintEdition, "epub": EpubEdition, "screen": ScreenEdition}


def cover_image(ctx: BuildContext) -> Path:
    """The cover image: the author's art fitted to 1600×2560, or a typographic cover;
    drawn once and kept in the cache."""
    from .cover import cover_art, epub_cover

    art = cover_art(ctx.book)
    key = keys.cover_key(ctx.book, art, ctx.styles)
    suffix = ".jpg" if art is not None and art.suffix.lower() not in (".png",) else ".png"
    cached = ctx.cache.get("cover" + suffix, key)
    if cached is not None:
        target = ctx.work / ("cover" + suffix)
        target.write_bytes(cached)
        return target
    target = epub_cover(ctx.book, ctx.styles, ctx.work / "cover.png")
    ctx.cache.put("cover" + target.suffix, key, target.read_bytes())
    return target
