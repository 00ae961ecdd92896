"""The few words octavo writes into a book itself, in the book's language.

Headings and credits octavo adds ("Contents", "Translated by", "Published by", …) follow
book.yaml's `language` (its primary subtag); `phrases:` in book.yaml overrides any of
them, and `toc: {title: …}` the contents' title. Languages not listed here get English.
"""

from __future__ import annotations

#: key -> English text; the keys book.yaml's `phrases:` accepts.
ENGLISH = {
    "contents": "Contents",
    "translated-by": "Translated by",
    "edited-by": "Edited by",
    "published-by": "Published by",
    "set-in": "Set in {font}.",
    "and": "and",
    "part": "Part {number}",
    "part-of": "Part {number} of {total}",
    "series-part": "Part {number} of the series {series}.",
    "series-part-of": "Part {number} of {total} of the series {series}.",
    "paperback": "paperback",
    "ebook": "ebook",
    "cover": "Cover",
    "start": "Start of Content",
    "pages": "Pages",  # the EPUB's page-list (pagelist.py)
    "and-others": "and others",
}

PHRASES: dict[str, dict[str, str]] = {
    "en": ENGLISH,
    "fr": {
        "contents": "Table des matières", "translated-by": "Traduit par", "edited-by": "Édité par",
        "published-by": "Publié par", "set-in": "Composé en {font}.", "and": "et",
        "part": "Partie {number}", "part-of": "Partie {number} sur {total}",
        "series-part": "Partie {number} de la série {series}.",
        "series-part-of": "Partie {number} sur {total} de la série {series}.",
        "paperback": "broché", "ebook": "livre numérique", "cover": "Couverture", "start": "Début du texte", "pages": "Pages",
        "and-others": "et al.",
    },
    "de": {
        "contents": "Inhalt", "translated-by": "Übersetzt von", "edited-by": "Herausgegeben von",
        "published-by": "Verlegt von", "set-in": "Gesetzt aus der {font}.", "and": "und",
        "part": "Teil {number}", "part-of": "Teil {number} von {total}",
        "series-part": "Teil {number} der Reihe {series}.",
        "series-part-of": "Teil {number} von {total} der Reihe {series}.",
        "paperback": "Taschenbuch", "ebook": "E-Book", "cover": "Umschlag", "start": "Beginn des Textes", "pages": "Seiten",
        "and-others": "u. a.",
    },
    "es": {
        "contents": "Índice", "translated-by": "Traducción de", "edited-by": "Edición de",
        "published-by": "Publicado por", "set-in": "Compuesto en {font}.", "and": "y",
        "part": "Parte {number}", "part-of": "Parte {number} de {total}",
        "series-part": "Parte {number} de la serie {series}.",
        "series-part-of": "Parte {number} de {total} de la serie {series}.",
        "paperback": "tapa blanda", "ebook": "libro electrónico", "cover": "Cubierta",
        "start": "Comienzo del texto", "pages": "Páginas", "and-others": "y otros",
    },
    "it": {
        "contents": "Indice", "translated-by": "Traduzione di", "edited-by": "A cura di",
        "published-by": "Pubblicato da", "set-in": "Composto in {font}.", "and": "e",
        "part": "Parte {number}", "part-of": "Parte {number} di {total}",
        "series-part": "Parte {number} della serie {series}.",
        "series-part-of": "Parte {number} di {total} della serie {series}.",
        "paperback": "brossura", "ebook": "ebook", "cover": "Copertina", "start": "Inizio del testo", "pages": "Pagine",
        "and-others": "e altri",
    },
    "pt": {
        "contents": "Sumário", "translated-by": "Tradução de", "edited-by": "Edição de",
        "published-by": "Publicado por", "set-in": "Composto em {font}.", "and": "e",
        "part": "Parte {number}", "part-of": "Parte {number} de {total}",
        "series-part": "Parte {number} da série {series}.",
        "series-part-of": "Parte {number} de {total} da série {series}.",
        "paperback": "brochura", "ebook": "livro digital", "cover": "Capa", "start": "Início do texto", "pages": "Páginas",
        "and-others": "e outros",
    },
    "nl": {
        "contents": "Inhoud", "translated-by": "Vertaald door", "edited-by": "Bezorgd door",
        "published-by": "Uitgegeven door", "set-in": "Gezet uit de {font}.", "and": "en",
        "part": "Deel {number}", "part-of": "Deel {number} van {total}",
        "series-part": "Deel {number} van de reeks {series}.",
        "series-part-of": "Deel {number} van {total} van de reeks {series}.",
        "paperback": "paperback", "ebook": "e-book", "cover": "Omslag", "start": "Begin van de tekst", "pages": "Pagina’s",
        "and-others": "e.a.",
    },
}


def phrases_for(language: str, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Every phrase for a language tag ("fr-CA" -> French), with book.yaml's overrides."""
    found = dict(ENGLISH)
    found.update(PHRASES.get(language.lower().split("-")[0], {}))
    found.update(overrides or {})
    return found


def join_names(names: list[str], conjunction: str) -> str:
    """"A", "A and B", "A, B and C" (with the language's conjunction)."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {conjunction} " + names[-1]


def fill(template: str, **values: object) -> str:
    """`template` with `{name}` replaced by `values[name]`; other braces are left as they
    are (a phrase from book.yaml may hold any text)."""
    import re

    return re.sub(r"\{([a-z]+)\}", lambda m: str(values.get(m.group(1), m.group(0))), template)
