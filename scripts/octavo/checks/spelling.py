"""Spelling: pyspellchecker's offline frequency dictionary for the book's language,
plus the project's word list. Reports, never changes the text."""

from __future__ import annotations

import difflib
import functools
import re
from pathlib import Path
from typing import Callable

from .scan import Scan
from .text import ABBREVIATIONS, ROMAN, Emit

DATA = Path(__file__).resolve().parent.parent / "data"

#: A word as the reader sees it: letters, with inner apostrophes (don’t, Ch’aoying).
#: Digits are part of the token so that "1950s" and "B52" can be skipped as a whole.
_TOKEN = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'"})

#: British/Commonwealth spellings the dictionary lacks, as (ending or infix, American form).
_BRITISH = [("isation", "ization"), ("ise", "ize"), ("ising", "izing"), ("ised", "ized"), ("ises", "izes"),
            ("iser", "izer"), ("yse", "yze"), ("ysed", "yzed"), ("ysing", "yzing"), ("our", "or"),
            ("tre", "ter"), ("tres", "ters"), ("ogue", "og"), ("ence", "ense"), ("lled", "led"),
            ("lling", "ling"), ("ller", "ler"), ("mme", "m"), ("eque", "eck"), ("ae", "e"), ("oe", "e"),
            ("yre", "ire"), ("gement", "gment"), ("ould", "old"), ("ough", "ow"), ("llen", "len"),
            ("sceptic", "skeptic"), ("draught", "draft"), ("storey", "story"), ("ageing", "aging")]
#: Words that drop their vowel before a vowel and join the next word with an apostrophe,
#: by language (l'aide, qu'il, dell'arte, s'agapò): the parts are checked one by one.
ELISIONS = {
    "fr": frozenset("l d j m n s t c qu jusqu lorsqu puisqu quoiqu presqu quelqu entr aujourd".split()),
    "it": frozenset("l d un dell dall nell sull all coll pell tutt quest quell c s m t v n bell sant "
                    "anch com dov ch nessun qual buon grand".split()),
    "ca": frozenset("l d s m t n".split()),
    "pt": frozenset("d n".split()),
}
#: Regions whose spelling is British or close to it; plain "en" accepts both.
_AMERICAN = {"us", "ph"}


class Speller:
    def __init__(self, language: str, project_words: set[str], *, project: set[str] | None = None) -> None:
        parts = language.replace("_", "-").lower().split("-")
        self.language = parts[0]
        self.region = parts[1] if len(parts) > 1 else ""
        self.checker = _checker(self.language)
        self.forms = _forms(self.language)
        self.project = project if project is not None else {_normal(w) for w in project_words}
        self._others: dict[str, Speller] = {}
        self.british = self.language == "en" and self.region not in _AMERICAN
        self.slips = _slips(self.language)
        self.verdicts: dict[str, tuple[str, str] | None] = {}

    def other(self, language: str) -> "Speller":
        """A speller for a passage marked as another language, sharing the project's words."""
        if language not in self._others:
            self._others[language] = Speller(language, set(), project=self.project)
        return self._others[language]

    @property
    def available(self) -> bool:
        return self.checker is not None

    def known(self, word: str) -> bool:
        w = _normal(word)
        if w in self.project or self._known(w):
            return True
        if "'" in w and self.language in ELISIONS:
            # l'aide, d'abord, qu'il, jusqu'à, dell'arte: an elided article, pronoun or
            # conjunction, then a word; each is looked up on its own.
            head, _, tail = w.partition("'")
            if head in ELISIONS[self.language] and (not tail or self.known(tail)):
                return True
        if "'" in w:
            head, _, tail = w.rpartition("'")
            if tail in ("s", "d", "ll", "re", "ve", "m") and self.known(head):
                return True
            if w.endswith("n't") and self._known(w[:-3]):
                return True
            if head and not tail:
                return self.known(head)
        # plurals and possessives of the project's own names
        for suffix in ("s", "es", "'s"):
            if w.endswith(suffix) and w[: -len(suffix)] in self.project:
                return True
        return False

    def _known(self, w: str) -> bool:
        dictionary = self.checker.word_frequency.dictionary
        if w in dictionary or (self.forms is not None and self.forms(w)):
            return True
        if self.british:
            for british, american in _BRITISH:
                start = w.find(british)
                while start != -1:
                    if w[:start] + american + w[start + len(british):] in dictionary:
                        return True
                    start = w.find(british, start + 1)
        if "œ" in w or "æ" in w:  # sœur, mœurs: dictionaries often spell the ligature out
            if w.replace("œ", "oe").replace("æ", "ae") in dictionary:
                return True
        return False

    def slip(self, word: str) -> str | None:
        """A real word that is almost always a typing slip for another ('abut' for 'about')."""
        w = _normal(word)
        if w in self.project:
            return None
        return self.slips.get(w)

    def suggestions(self, word: str, limit: int = 3) -> list[str]:
        """Likely intended words: one edit away (by frequency), else close in spelling."""
        w = _normal(word)
        if len(w) > 24:
            return []
        frequency = self.checker.word_frequency.dictionary
        near = {c for c in _edits1(w) if c in frequency}
        near.discard(w)
        ranked = sorted(near, key=lambda c: (-frequency[c], c))[:limit]
        if not ranked and len(w) >= 5:
            # two edits away: compare with the common words of about the same length
            ranked = difflib.get_close_matches(w, _bucket(self.language, w[0], len(w)), n=limit, cutoff=0.8)
        return [_like(word, c) for c in ranked]


_LETTERS = "abcdefghijklmnopqrstuvwxyz'"


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + transposes + replaces + inserts)


@functools.cache
def _buckets(language: str) -> dict[tuple[str, int], list[str]]:
    """Common words by first letter and length: the pool for two-edit suggestions."""
    checker = _checker(language)
    groups: dict[tuple[str, int], list[str]] = {}
    for word, count in checker.word_frequency.dictionary.items():
        if count >= 100 and word.isalpha():
            groups.setdefault((word[0], len(word)), []).append(word)
    return groups


def _bucket(language: str, first: str, length: int) -> list[str]:
    groups = _buckets(language)
    return [w for n in range(length - 1, length + 2) for w in groups.get((first, n), ())]


def _normal(word: str) -> str:
    return word.translate(_APOSTROPHES).lower()


def _like(original: str, word: str) -> str:
    """Give a suggestion the capitalization of the word it replaces."""
    if original[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


@functools.cache
def _checker(language: str):
    try:
        from spellchecker import SpellChecker
    except ImportError:  # pragma: no cover - the dependency is declared
        return None
    try:
        return SpellChecker(language=language, distance=1)
    except ValueError:
        return None  # no dictionary shipped for this language


@functools.cache
def _forms(language: str) -> Callable[[str], bool] | None:
    """Whether a word is one of the language's inflected forms (or a common first name),
    by simplemma's lemmatisation tables; None when it has none for the language.

    Not for English: pyspellchecker's English list already holds the inflected forms, and
    simplemma's English table (from Wiktionary) also lists common misspellings as forms
    ('occured', 'publically'), which the check must keep finding."""
    if language == "en":
        return None
    try:
        import simplemma

        simplemma.is_known("a", lang=language)  # loads the table, or refuses the language
    except (ImportError, ValueError):
        return None
    return functools.partial(simplemma.is_known, lang=language)


@functools.cache
def _slips(language: str) -> dict[str, str]:
    path = DATA / f"slips-{language}.txt"
    found: dict[str, str] = {}
    if path.is_file():
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if line:
                word, _, meant = line.partition(" ")
                found[word.lower()] = meant.strip()
    return found


@functools.cache
def dictionary_versions() -> str:
    """The versions of the word lists the verdicts come from (for cache keys)."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for package in ("pyspellchecker", "simplemma"):
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            found.append(f"{package} none")
    return ", ".join(found)


def read_word_list(path: Path) -> set[str]:
    words: set[str] = set()
    for raw in path.read_text(encoding="utf-8-sig").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            words.add(line)
    return words


#: A word with its hyphenated parts (Thunder-ten-tronckh, Saint-Jean-de-Luz, l'Amérique).
_COMPOUND = re.compile(r"[^\W_]+(?:['’ʼ-][^\W_]+)*")
#: What may stand between a sentence's end and its first word: spaces, opening quotes,
#: brackets, dashes, emphasis marks.
_OPENING = " \t\u00a0\u202f«“„‘‚\"'([{—–-*_"
#: Languages that capitalise every noun: there a capital does not mark a name.
_NOUNS_CAPITALISED = frozenset({"de", "lb"})


def _compounds(scan: Scan, speller: Speller) -> dict[int, list[tuple[int, int, str]]]:
    """Per line index: (start, end, name key) of each word with its hyphenated parts, the
    key without an elided article (l'Amérique -> Amérique)."""
    elisions = ELISIONS.get(speller.language, frozenset())
    found: dict[int, list[tuple[int, int, str]]] = {}
    for index, prose in enumerate(scan.prose):
        if scan.kinds[index] in _NOT_PROSE:
            continue
        for m in _COMPOUND.finditer(prose):
            word = m.group(0)
            head, apostrophe, tail = word.translate(_APOSTROPHES).partition("'")
            if apostrophe and head.lower() in elisions and tail:
                word = word[len(head) + 1:]
            found.setdefault(index, []).append((m.start(), m.end(), word))
    return found


def _names(scan: Scan, compounds: dict[int, list[tuple[int, int, str]]]) -> set[str]:
    """Words the chapter uses as names: capitalised in the middle of a sentence at least
    twice, and never written in lower case. A writer spells a character or a place the
    same way every time; a typo is rarely made twice the same way, and one at the start
    of a sentence is not counted. (Single uses are still checked, and words.txt still
    lists names once and for all.)"""
    mid: dict[str, int] = {}
    lower: set[str] = set()
    for index, words in compounds.items():
        prose = scan.prose[index]
        for start, _end, word in words:
            if not word[:1].isupper():
                lower.add(word.lower())
                continue
            if word.isupper():
                continue
            before = prose[:start].rstrip(_OPENING)
            if not before and index and scan.kinds[index - 1] == "text" and scan.kinds[index] == "text":
                before = scan.prose[index - 1].rstrip(_OPENING)  # the paragraph's line before
            if before and before[-1] not in ".!?…:»”\"":
                mid[word] = mid.get(word, 0) + 1
    return {word.lower() for word, count in mid.items() if count >= 2 and word.lower() not in lower}


_NOT_PROSE = ("code", "meta", "linkdef", "comment", "blank", "heading")


def check_spelling(scan: Scan, speller: Speller, emit: Emit, words_file: str) -> None:
    cache = speller.verdicts
    foreign: dict[int, list[tuple[int, int, str]]] = {}
    for line, start, end, lang in scan.langs:
        foreign.setdefault(line, []).append((start, end, lang))
    compounds = _compounds(scan, speller)
    names = set() if speller.language in _NOUNS_CAPITALISED else _names(scan, compounds)
    taken: dict[str, list] = {}  # name -> [line, column of its first use, {uses}]
    for index, prose in enumerate(scan.prose):
        if scan.kinds[index] in ("code", "meta", "linkdef", "comment", "blank"):
            continue
        for m in _TOKEN.finditer(prose):
            token = m.group(0)
            if any(ch.isdigit() for ch in token):
                continue
            start = m.start()
            # part of something else: an e-mail address, a TeX command
            if (start and prose[start - 1] in "@\\") or prose[m.end():m.end() + 1] == "@":
                continue
            if prose[m.end():m.end() + 1] == "." and (
                    token.lower() in ABBREVIATIONS
                    or (len(token) <= 5 and re.match(r"\.[ \u00a0]*[\d(§a-z]", prose[m.end():]))):
                continue  # etc., cf., viz.; a short word whose full stop does not end a sentence
            if ROMAN.fullmatch(token.lower()):
                continue  # vol. iii, Book IV
            letters = [ch for ch in token if ch.isalpha()]
            if len(letters) < 2 or (token.isupper() and len(letters) >= 2):
                continue  # single letters, acronyms (NATO, USSR)
            at, compound = next(((a, word) for a, b, word in compounds.get(index, ()) if a <= start < b),
                                (start, token))
            if compound.lower() != token.lower() and _normal(compound) in speller.project:
                continue  # a compound listed whole in words.txt (Thunder-ten-tronckh)
            other = next((lang for a, b, lang in foreign.get(index + 1, ()) if a <= start < b), None)
            if other and other.split("-")[0].lower() != speller.language:
                # text marked as another language: use its dictionary, if there is one
                verdict = _verdict(token, speller.other(other), words_file) if speller.other(other).available else None
            else:
                if token not in cache:
                    cache[token] = _verdict(token, speller, words_file)
                verdict = cache[token]
            if verdict and compound.lower() in names:
                # a name: said once for the chapter, below
                seen = taken.setdefault(compound, [index + 1, at + 1, set()])
                seen[2].add((index, at))
            elif verdict:
                emit(index + 1, start + 1, "spelling", verdict[1])
    if taken:
        line, column, _ = min(taken.values(), key=lambda v: (v[0], v[1]))
        listed = ", ".join(f"'{name}'" + (f" ({len(v[2])} times)" if len(v[2]) > 1 else "")
                           for name, v in sorted(taken.items(), key=lambda kv: (kv[1][0], kv[1][1])))
        emit(line, column, "spelling-names",
             f"not in the dictionary, taken as names (capitalised in mid-sentence, never in lower case): "
             f"{listed}; correct any that is misspelled, and list the rest in {words_file}")


def _verdict(token: str, speller: Speller, words_file: str) -> tuple[str, str] | None:
    meant = speller.slip(token)
    if meant:
        return (token, f"'{token}' is a word, but usually a slip for '{_like(token, meant)}'; "
                       f"if you mean it, add it to {words_file}")
    if not speller.available or speller.known(token):
        return None
    suggestions = speller.suggestions(token)
    hint = f"did you mean {', '.join(repr(s) for s in suggestions)}? " if suggestions else ""
    return (token, f"unknown word '{token}'; {hint}if it is right (a name, a term), add it to {words_file}")
