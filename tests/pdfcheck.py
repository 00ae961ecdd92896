"""Read a finished book PDF page by page: what a proofreader checks, as data.

The tests use this to prove, from the PDF alone, that every note sits on the page of
its call, that the contents list the right page numbers, and that running heads and
folios are where a printed book has them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
import pikepdf
from pypdf import PdfReader

#: Sizes set in styles/print.css (pt); the checker classifies lines by them.
BODY_SIZE = 11.5
NOTE_SIZE = 8.8
MARGIN_SIZE = 9.5  # running heads and folios

ROMAN = re.compile(r"^[ivxlcdm]+$")
NOTE_MARKER = re.compile(r"^(\d+)\.\s?\S")


def norm(text: str) -> str:
    """Compare text the way a reader does: case, hyphen glyphs and spacing aside."""
    text = unicodedata.normalize("NFKC", text).replace("\u2010", "-").replace("\u00ad", "")
    return " ".join(text.casefold().split())


@dataclass
class Line:
    top: float
    x0: float
    x1: float
    text: str
    size: float  # the most common character size on the line
    chars: list[dict]


@dataclass
class Page:
    index: int  # 0-based
    label: str  # the PDF page label (what viewers show)
    width: float
    height: float
    lines: list[Line]
    head: str | None = None
    folio: str | None = None
    folio_position: str | None = None  # left / center / right
    call_runs: list[str] = field(default_factory=list)  # digit runs of note calls, in order
    calls: list[int] = field(default_factory=list)
    notes: list[int] = field(default_factory=list)  # note numbers whose text starts here

    @property
    def is_blank(self) -> bool:
        return not self.lines

    @property
    def body(self) -> list[Line]:
        return [l for l in self.lines if l.text not in (self.head, self.folio) or
                (self.head is None and self.folio is None)]

    @property
    def headings(self) -> list[Line]:
        return [l for l in self.lines if l.size > BODY_SIZE + 2]

    def text(self) -> str:
        return "\n".join(l.text for l in self.lines)


class PageMap:
    """Every page of a book PDF, classified."""

    def __init__(self, path: Path) -> None:
        self.path = path
        reader = PdfReader(str(path))
        labels = list(reader.page_labels)
        items = _flatten(reader.outline)
        self.outline = [_title(item) for item in items]
        self.outline_pages = [(_title(item), reader.get_destination_page_number(item)) for item in items]
        self.metadata = reader.metadata
        self.pages: list[Page] = []
        with pdfplumber.open(str(path)) as pdf:
            for index, raw in enumerate(pdf.pages):
                lines = [Line(top=l["top"], x0=l["x0"], x1=l["x1"], text=l["text"], size=_size(l["chars"]),
                              chars=l["chars"])
                         for l in raw.extract_text_lines(return_chars=True)]
                page = Page(index=index, label=labels[index], width=float(raw.width), height=float(raw.height),
                            lines=lines)
                _classify(page)
                self.pages.append(page)
        _number_calls(self.pages)
        with pikepdf.open(str(path)) as pdf:
            self.media_boxes = [tuple(float(v) for v in page.mediabox) for page in pdf.pages]
            self.unembedded_fonts = _unembedded_fonts(pdf)
            self.lang = str(pdf.Root.get("/Lang", ""))

    @property
    def body_start(self) -> int:
        return next(p.index for p in self.pages if p.label == "1")

    def page_with_heading(self, title: str, start: int = 0) -> Page | None:
        """The first page from `start` whose display-size lines contain `title`."""
        wanted = norm(title)
        for page in self.pages[start:]:
            joined = norm(" ".join(l.text for l in page.headings))
            if wanted and wanted in joined:
                return page
        return None

    def toc_entries(self) -> list[tuple[str, str]]:
        """(title, page number) pairs read from the contents pages."""
        entries: list[tuple[str, str]] = []
        start = self.page_with_heading("Contents")
        if start is None:
            return entries
        pending = ""
        for page in self.pages[start.index:self.body_start]:
            lines = [l for l in page.lines if l.size <= BODY_SIZE + 2 and l.text not in (page.head, page.folio)]
            right = max((l.x1 for l in lines), default=0)
            for line in lines:
                pending = (pending + " " + line.text).strip()
                # An entry ends on the line whose page number reaches the right-hand column.
                match = re.match(r"^(.*?)[\s.]*\s(\d+)$", pending)
                if match and line.x1 > right - 2:
                    entries.append((match.group(1).strip(), match.group(2)))
                    pending = ""
        return entries


def _size(chars: list[dict]) -> float:
    sizes = [round(c["size"], 1) for c in chars if c["text"].strip()]
    return max(set(sizes), key=sizes.count) if sizes else 0.0


def _classify(page: Page) -> None:
    """Find the running head, the folio (and where it sits), calls and note starts."""
    if not page.lines:
        return
    first, last = page.lines[0], page.lines[-1]
    if first.top < page.height * 0.07 and abs(first.size - MARGIN_SIZE) < 0.6:
        page.head = first.text
    if last.top > page.height * 0.92 and abs(last.size - MARGIN_SIZE) < 0.6:
        page.folio = last.text
        middle = (last.x0 + last.x1) / 2
        page.folio_position = ("left" if middle < page.width * 0.4 else
                               "right" if middle > page.width * 0.6 else "center")
    left = min(l.x0 for l in page.lines)
    for line in page.lines:
        if line.text in (page.head, page.folio):
            continue
        if abs(line.size - NOTE_SIZE) < 0.3:
            # A note starts where its number hangs left of the note's text; lines that
            # continue a note are indented, so "1958. Later…" is never taken for note 1958.
            marker = NOTE_MARKER.match(line.text)
            if marker and line.x0 < left + 12:
                page.notes.append(int(marker.group(1)))
            continue
        # A call raised high above a large heading can come out as a line of its own.
        lone_call = line.text.strip().isdigit() and line.size < BODY_SIZE
        run, last_x = "", None
        for char in line.chars:
            is_call = char["text"].isdigit() and (lone_call or char["size"] < line.size * 0.8)
            if is_call and (last_x is None or char["x0"] - last_x < 1.0 or run == ""):
                run += char["text"]
                last_x = char["x1"]
            elif run:
                page.call_runs.append(run)
                run, last_x = "", None
        if run:
            page.call_runs.append(run)


def _number_calls(pages: list[Page]) -> None:
    """Split runs such as "78" (calls 7 and 8 side by side) using the running sequence."""
    expected = 1
    for page in pages:
        for run in page.call_runs:
            rest = run
            while rest:
                for candidate in (expected, 1):
                    if rest.startswith(str(candidate)):
                        page.calls.append(candidate)
                        rest = rest[len(str(candidate)):]
                        expected = candidate + 1
                        break
                else:
                    raise AssertionError(f"page {page.label}: cannot read note calls {run!r} "
                                         f"(expected {expected})")


def _flatten(outline: list) -> list:
    out = []
    for item in outline:
        if isinstance(item, list):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out


def _title(item) -> str:
    return str(item.title)


def _unembedded_fonts(pdf: pikepdf.Pdf) -> list[str]:
    missing = []
    for page in pdf.pages:
        fonts = page.resources.get("/Font", {})
        for name in fonts.keys():
            font = fonts[name]
            descendants = font.get("/DescendantFonts")
            targets = list(descendants) if descendants is not None else [font]
            for target in targets:
                descriptor = target.get("/FontDescriptor")
                embedded = descriptor is not None and any(
                    key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
                if not embedded:
                    missing.append(str(target.get("/BaseFont")))
    return sorted(set(missing))


def font_programs(path: Path) -> dict[str, set[str]]:
    """Every embedded font program in the file, by the name its descriptor gives it:
    name -> the SHA-256 digests of the (decoded) programs under that name."""
    import hashlib

    found: dict[str, set[str]] = {}
    with pikepdf.open(str(path)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in obj:
                        found.setdefault(str(obj.FontName).lstrip("/"), set()).add(
                            hashlib.sha256(obj[key].read_bytes()).hexdigest())
    return found


@dataclass
class LineFaults:
    """Line-breaking faults in the running text, measured from the PDF."""

    short_lines: list[str]  # "page: text" of lines under a third of the measure that end no paragraph
    hyphen_runs: list[str]  # "page: text" of lines that make a run of more than `limit` hyphens

    @property
    def longest_run(self) -> int:
        return self._longest

    _longest: int = 0


def line_faults(pages: PageMap, limit: int = 2) -> LineFaults:
    """One-word (short) lines that are not a paragraph's last, and runs of hyphenated lines.

    Text lines of one paragraph follow each other at the leading; a heading or a new block
    sits further down. A line is a paragraph's last when the next line is indented, further
    down, or missing; any other line under a third of the measure is a fault."""
    faults = LineFaults([], [])
    for page in pages.pages[pages.body_start:]:
        lines = [l for l in page.body if abs(l.size - BODY_SIZE) < 0.6]
        if len(lines) < 3:
            continue
        left, right = min(l.x0 for l in lines), max(l.x1 for l in lines)
        gaps = [round(b.top - a.top, 1) for a, b in zip(lines, lines[1:])]
        leading = max(set(gaps), key=gaps.count)
        run = 0
        for a, b in zip(lines, [*lines[1:], None]):
            hyphenated = a.text.endswith(("-", "\u2010")) and a.x1 > right - 1
            run = run + 1 if hyphenated else 0
            faults._longest = max(faults._longest, run)
            if run > limit:
                faults.hyphen_runs.append(f"{page.label}: {a.text}")
            if b is None or abs(b.top - a.top - leading) > 0.6:
                continue  # the last line here, or the next line is not this paragraph's
            same_paragraph = b.x0 < left + 1 and b.x1 > right - 1  # flush and full: a continuation
            if same_paragraph and a.x1 - a.x0 < (right - left) / 3:
                faults.short_lines.append(f"{page.label}: {a.text!r} / {b.text[:40]!r}")
    return faults


def weasyprint_lines(box) -> list[str]:
    """The text of each line WeasyPrint set under `box` (a page's `_page_box`), in order:
    what a layout test reads before any PDF is written."""
    from weasyprint.formatting_structure import boxes

    def text(inner) -> str:
        own = inner.text if isinstance(inner, boxes.TextBox) else ""
        return own + "".join(text(child) for child in getattr(inner, "children", []))

    if isinstance(box, boxes.LineBox):
        return [text(box)]
    return [line for child in getattr(box, "children", []) for line in weasyprint_lines(child)]
