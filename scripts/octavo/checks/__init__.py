"""The manuscript checker: find a book's problems before readers do.

`check_book` reads every chapter's raw text (never pandoc's AST, which has no source
positions) and reports each problem as a `Diagnostic` with the exact line and column in
the Markdown file the writer edits::

    manuscript/02-great-leap.md:25:33: warning: 'on on': the word is doubled; delete one [doubled-word]

Nothing here writes to the manuscript: the checker reports, the writer decides.
"""

from __future__ import annotations

import difflib
import json
import pickle
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable
from urllib.parse import unquote, urlsplit

from .. import __version__
from ..config import Book
from ..errors import shown_path
from ..manuscript import Chapter, Manuscript
from ..pagesetup import text_width
from ..rules import RULES, SEVERITIES
from .glyphs import check_config_glyphs, check_glyphs, font_stack
from .images import check_image
from .scan import _PIPE_SEP, SCAN_FORMAT, Scan, _ref_key, scan
from .spelling import Speller, check_spelling, dictionary_versions, read_word_list
from .text import check_text, curly_counts

__all__ = ["Diagnostic", "RULES", "SEVERITIES", "check_book", "summary", "to_json"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str  # as octavo shows paths (relative to the current folder when inside it)
    line: int  # 1-based, in the Markdown file the writer edits
    column: int  # 1-based, counted in characters on that line
    severity: str  # "error" | "warning" | "info"
    message: str  # what is wrong and how to fix it
    rule: str  # stable rule id, e.g. "footnote-undefined"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message} [{self.rule}]"


WORD_LISTS = ("manuscript/words.txt", "words.txt")


def check_book(book: Book, manuscript: Manuscript, *, disabled: Iterable[str] = frozenset(),
               cache=None) -> list[Diagnostic]:
    """Every problem the checker finds in the book, sorted by file, line and column.

    With a `cache` (octavo.cache.Cache), each chapter's scan and spelling findings are
    kept by the hash of its text: after an edit only that chapter is read again. The
    rules that look across chapters (links, duplicate ids, quote style) always run.
    """
    return _Checker(book, manuscript, frozenset(disabled), cache).run()


class _Checker:
    def __init__(self, book: Book, manuscript: Manuscript, disabled: frozenset[str], cache=None) -> None:
        self.book = book
        self.chapters = manuscript.chapters
        self.disabled = disabled
        self.cache = cache
        self.found: list[Diagnostic] = []
        self.scans: dict[Path, Scan] = {c.path: self._scan(c) for c in self.chapters}

    def _scan(self, chapter: Chapter) -> Scan:
        if self.cache is None:
            return scan(chapter.text)
        from ..cache import digest

        key = digest("scan", chapter.text, __version__, str(SCAN_FORMAT))
        hit = self.cache.get("check-scan", key)
        if hit is not None:
            return pickle.loads(hit)  # noqa: S301 (our own cache, checksummed)
        result = scan(chapter.text)
        self.cache.put("check-scan", key, pickle.dumps(result))
        return result

    def _spelling(self, chapter: Chapter, sc: Scan, speller: Speller, emit) -> None:
        self._cached("check-spelling", lambda out: check_spelling(sc, speller, out, self.words_file), emit,
                     "spelling", chapter.text, self.book.schema.language, self.words_file, dictionary_versions(),
                     *sorted(speller.project))

    def _text(self, chapter: Chapter, sc: Scan, regions, curly_book: bool, french: bool, emit) -> None:
        """The text rules: a chapter's findings depend on its own text and two facts
        about the book, so they are cached like the spelling."""
        has_notes = bool(sc.refs or sc.defs or sc.inline_notes)
        self._cached("check-text", lambda out: check_text(sc, has_notes=has_notes, curly_book=curly_book,
                                                          emit=out, note_regions=regions,
                                                          language=self.book.schema.language),
                     emit, "text", chapter.text, str(curly_book), str(french), self.book.schema.language)

    def _cached(self, kind: str, run, emit, *inputs: str) -> None:
        """Run `run(emit)`, or replay what it emitted before for the same `inputs`."""
        if self.cache is None:
            run(emit)
            return
        from ..cache import digest

        key = digest(*inputs, __version__)
        hit = self.cache.get(kind, key)
        if hit is not None:
            for line, column, rule, message in json.loads(hit):
                emit(line, column, rule, message)
            return
        found: list[tuple[int, int, str, str]] = []
        run(lambda *args: (found.append(args), emit(*args)))
        self.cache.put(kind, key, json.dumps(found).encode())

    def emitter(self, chapter: Chapter):
        def emit(line: int, column: int, rule: str, message: str) -> None:
            self.add(chapter.display, line, column, rule, message)
        return emit

    def add(self, path: str, line: int, column: int, rule: str, message: str) -> None:
        if rule in self.disabled:
            return
        self.found.append(Diagnostic(path, line, column, RULES[rule][0], message, rule))

    def run(self) -> list[Diagnostic]:
        ids = self._ids()
        curly = straight = 0
        for chapter in self.chapters:
            c, s = curly_counts(self.scans[chapter.path])
            curly += c
            straight += s
        speller = self._speller()
        french = self.book.schema.language.lower().startswith("fr")
        resources = getattr(self.book.schema, "resources", None)
        allow_remote = bool(getattr(resources, "remote", False))
        width = text_width(self.book)
        glyphs = self._font_stack()
        if glyphs is not None:  # book.yaml's printed values: title, authors, rights, …
            config = self.book.config_path
            check_config_glyphs(config.read_text(encoding="utf-8"), self.book.positions, glyphs, self.book.root,
                                lambda line, column, rule, message: self.add(shown_path(config), line, column,
                                                                             rule, message))
        seen_ids: dict[str, tuple[Chapter, int]] = {}
        for chapter in self.chapters:
            sc = self.scans[chapter.path]
            emit = self.emitter(chapter)
            if not sc.has_content:
                emit(1, 1, "chapter-empty", "the chapter is empty; write it, or remove the file "
                                            "(and its entry under chapters: in book.yaml)")
                continue
            self._structure(chapter, sc, emit, seen_ids)
            regions = self._footnotes(sc, emit)
            self._links(chapter, sc, emit, ids)
            for image in sc.images:
                check_image(image, chapter.path, self.book.root, emit, text_width_in=width,
                            allow_remote=allow_remote)
            self._text(chapter, sc, regions, curly > straight, french, emit)
            if glyphs is not None:
                check_glyphs(sc.lines, sc.kinds, sc.langs, glyphs, self.book.root, emit)
            if speller is not None and "spelling" not in self.disabled:
                self._spelling(chapter, sc, speller, emit)
        return sorted(set(self.found))

    def _font_stack(self):
        """The fonts the PDFs are set in (read afresh each run: no cache entry can outlive a
        changed font or stylesheet)."""
        if "glyph-missing" in self.disabled:
            return None
        from ..styles import find_styles

        return font_stack(find_styles(self.book), self.book.schema.fonts.family)

    # -- spelling dictionary and word list
    def _speller(self) -> Speller | None:
        if "spelling" in self.disabled:
            return None
        words: set[str] = set()
        root = self.book.root
        self.words_file = WORD_LISTS[0] if (root / "manuscript").is_dir() else WORD_LISTS[1]
        for name in WORD_LISTS:
            path = root / name
            if path.is_file():
                words |= read_word_list(path)
        language = self.book.schema.language
        speller = Speller(language, words)
        if not speller.available:
            line, column = self.book.positions.get("language", (1, 1))
            self.add(shown_path(self.book.config_path), line, column, "spelling",
                     f"no spelling dictionary for language '{language}'; spelling is not checked "
                     "(switch the rule off with checks: disable: [spelling])")
            return None
        return speller

    # -- structure
    def _structure(self, chapter: Chapter, sc: Scan, emit, seen_ids: dict[str, tuple[Chapter, int]]) -> None:
        first = next(i for i, kind in enumerate(sc.kinds) if kind not in ("blank", "meta", "comment"))
        heading = next((h for h in sc.headings if h.line == first + 1), None)
        if heading is None:
            text = sc.lines[first]
            column = len(text) - len(text.lstrip()) + 1
            emit(first + 1, column, "chapter-title",
                 "the chapter has no title: start it with a level-1 heading such as '# Chapter title'")
        elif heading.level != 1:
            emit(heading.line, heading.column, "chapter-title",
                 f"the chapter starts with a level-{heading.level} heading; "
                 f"make its title a level-1 heading with one '#'")
        _pipe_tables_without_separator(sc, emit)
        for line, column in sc.unclosed_divs:
            emit(line, column, "div-unclosed",
                 "this ::: div is never closed, so it runs to the end of the chapter; "
                 "add a line ':::' where it should end")
        first_definition: dict[str, int] = {}
        for label, line, column in sc.refdefs:
            key = _ref_key(label)  # labels match as pandoc matches them: case and spacing aside
            if key in first_definition:
                emit(line, column, "link-reference-duplicate",
                     f"link reference [{label}] is defined again (first on line {first_definition[key]}) and "
                     f"pandoc uses this later one; delete the definition you do not mean")
            else:
                first_definition[key] = line
        for h in [h for h in sc.headings if h.level == 1][1:]:
            emit(h.line, h.column, "chapter-several-titles",
                 "a second level-1 heading in one chapter file; the build sets it as a section ('## …'): "
                 "to make it a chapter, move it and its text to a chapter file of its own (NN-name.md)")
        previous = None
        for h in sc.headings:
            if previous is not None and h.level > previous.level + 1:
                emit(h.line, h.column, "heading-skip",
                     f"heading level jumps from {previous.level} to {h.level}; "
                     f"make this a level-{previous.level + 1} heading ('{'#' * (previous.level + 1)} …')")
            previous = h
            other = seen_ids.get(h.id)
            if other is not None:
                where_chapter, where_line = other
                place = "this chapter" if where_chapter is chapter else where_chapter.display
                emit(h.line, h.column, "heading-duplicate-id",
                     f"heading id '{h.id}' is already used by the heading on line {where_line} of {place}, "
                     f"so links to '#{h.id}' are ambiguous; give this heading its own id, "
                     f"e.g. {{#{chapter.slug}-{h.id}}}")
            else:
                seen_ids[h.id] = (chapter, h.line)

    # -- footnotes
    def _footnotes(self, sc: Scan, emit) -> dict[int, list[tuple[int, int]]]:
        defined: dict[str, int] = {}
        regions: dict[int, list[tuple[int, int]]] = {}
        called = {ref.label for ref in sc.refs}
        for note in sc.defs:
            label = note.label
            if label in defined:
                emit(note.line, note.column, "footnote-duplicate",
                     f"note [^{label}] is defined twice (first on line {defined[label]}); "
                     f"delete one, or give one another label")
                continue
            defined[label] = note.line
            for line, start, end in note.spans:
                regions.setdefault(line, []).append((start, end))
            if label not in called:
                emit(note.line, note.column, "footnote-unused",
                     f"note [^{label}] is never called in this chapter; call it with [^{label}] in the text, "
                     f"or delete it")
            text = " ".join(sc.lines[line - 1][start:end] for line, start, end in note.spans)
            if not text.strip():
                emit(note.line, note.column, "footnote-empty",
                     f"note [^{label}] is empty; write its text after '[^{label}]: '")
                continue
            self._placeholder(sc, note.spans, f"note [^{label}]", emit)
        for ref in sc.refs:
            if ref.label not in defined:
                emit(ref.line, ref.column, "footnote-undefined",
                     f"note [^{ref.label}] is called here but not defined in this chapter; add a line "
                     f"'[^{ref.label}]: …' to this file (labels restart in every chapter file)")
        for note in sc.inline_notes:
            line, start, end = note.span
            regions.setdefault(line, []).append((start, end))
            if not sc.lines[line - 1][start:end].strip():
                emit(note.line, note.column, "footnote-empty", "inline note ^[] is empty; write its text")
                continue
            self._placeholder(sc, [note.span], "inline note", emit)
        return regions

    def _placeholder(self, sc: Scan, spans: list[tuple[int, int, int]], what: str, emit) -> None:
        for line, start, end in spans:
            prose = sc.prose[line - 1][start:end]
            m = _NOTE_PLACEHOLDER.search(prose)
            if m:
                emit(line, start + m.start() + 1, "footnote-placeholder",
                     f"{what} is a placeholder ('{m.group(0)}'); write the note, or delete it and its call")
                return

    # -- links
    def _ids(self) -> dict[Path, set[str]]:
        ids: dict[Path, set[str]] = {}
        for chapter in self.chapters:
            sc = self.scans[chapter.path]
            ids[chapter.path] = {h.id for h in sc.headings} | set(sc.ids)
        return ids

    def _links(self, chapter: Chapter, sc: Scan, emit, ids: dict[Path, set[str]]) -> None:
        every = set().union(*ids.values()) if ids else set()
        for link in sc.links:
            dest = link.dest.strip()
            if not dest:
                continue
            if dest.startswith("#"):
                target = unquote(dest[1:])
                if target and target not in every:
                    emit(link.line, link.column, "link-target",
                         f"link target '#{target}' does not exist: no heading or {{#id}} in any chapter has "
                         f"that id{_did_you_mean(target, every, '#')}")
                continue
            try:
                parts = urlsplit(dest)
            except ValueError:  # e.g. an unbalanced '[' in the host part
                continue
            if parts.scheme or parts.netloc:
                continue
            if not parts.path.lower().endswith(".md"):
                emit(link.line, link.column, "link-local",
                     f"link to '{dest}', which the book does not hold (a page of a website, or a file "
                     "beside the manuscript); write the full address (https://…), or link to a chapter "
                     "(NN-name.md#id); the book prints the link's text without a link")
                continue
            target_path = (chapter.path.parent / unquote(parts.path)).resolve()
            other = next((c for c in self.chapters if c.path.resolve() == target_path), None)
            if other is None:
                names = {Path(c.path).name for c in self.chapters}
                emit(link.line, link.column, "link-target",
                     f"link to '{parts.path}', which is not a chapter of this book"
                     f"{_did_you_mean(Path(parts.path).name, names, '')}")
                continue
            fragment = unquote(parts.fragment)
            if fragment and fragment not in ids[other.path]:
                emit(link.line, link.column, "link-target",
                     f"link target '#{fragment}' does not exist in {other.display}"
                     f"{_did_you_mean(fragment, ids[other.path], '#')}")


def _did_you_mean(word: str, choices: Iterable[str], prefix: str) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{prefix}{close[0]}'?" if close else ""


#: Text that marks a note as not written yet.
_NOTE_PLACEHOLDER = re.compile(
    r"\bnot (?:yet )?supplied\b|\b(?:TODO|TBD|FIXME|XXX+)\b|\bplace-?holder\b|\[citation needed\]|"
    r"\blorem ipsum\b|\?\?\?|\bto be (?:written|added|supplied)\b",
    re.IGNORECASE)


# --- reporting ------------------------------------------------------------------------------

def counts(diagnostics: Iterable[Diagnostic]) -> Counter[str]:
    return Counter(d.severity for d in diagnostics)


def summary(diagnostics: Iterable[Diagnostic], *, files: int | None = None) -> str:
    """'3 errors, 12 warnings, 2 notes in 2 files' / 'no problems found in 2 files'.

    With problems, the file count is the number of files that have them; `files` (the number
    of files checked) is only needed for the 'no problems' line.
    """
    diagnostics = list(diagnostics)
    if not diagnostics:
        return "no problems found" + (f" in {_plural(files, 'file')}" if files is not None else "")
    tally = counts(diagnostics)
    parts = [_plural(tally[severity], name) for severity, name in
             (("error", "error"), ("warning", "warning"), ("info", "note")) if tally[severity]]
    paths = len({d.path for d in diagnostics})
    return f"{', '.join(parts)} in {_plural(paths, 'file')}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def to_json(diagnostics: Iterable[Diagnostic]) -> str:
    """Machine-readable output: {"diagnostics": [...], "counts": {...}, "summary": "..."}."""
    diagnostics = sorted(diagnostics)
    tally = counts(diagnostics)
    return json.dumps({
        "diagnostics": [asdict(d) for d in diagnostics],
        "counts": {severity: tally[severity] for severity in SEVERITIES},
        "summary": summary(diagnostics),
    }, ensure_ascii=False, indent=2)


_PIPE_ROW = re.compile(r"\s{0,3}\|.*\|.*\|\s*$")  # | a | b |: two cells or more


def _pipe_tables_without_separator(sc: Scan, emit) -> None:
    """Rows that look like a pipe table, with no separator row (`| --- | --- |`) under the
    first: pandoc reads them as text, and the book prints the pipes."""
    i = 0
    while i < len(sc.lines):
        if sc.kinds[i] in ("code", "table") or not _PIPE_ROW.match(sc.lines[i]):
            i += 1
            continue
        end = i
        while end + 1 < len(sc.lines) and sc.kinds[end + 1] not in ("code", "table") \
                and _PIPE_ROW.match(sc.lines[end + 1]):
            end += 1
        if end > i and not any(_PIPE_SEP.match(sc.lines[j].strip()) for j in range(i, end + 1)):
            column = len(sc.lines[i]) - len(sc.lines[i].lstrip()) + 1
            cells = sc.lines[i].strip().strip("|").count("|") + 1
            emit(i + 1, column, "table-separator",
                 "these lines look like a table but have no separator row, so they print as text "
                 f"with their pipes; add one under the header row: |{' --- |' * cells}")
        i = end + 1
