"""The words octavo writes itself follow the book's language (issue 14, point 11)."""

from __future__ import annotations

import pytest

from conftest import make_book

from octavo.config import load_book
from octavo.errors import ConfigError
from octavo.frontmatter import front_matter
from octavo.phrases import ENGLISH, PHRASES

YAML = """title: "Le Port"
author: ["Anne Martin", "Paul Durand"]
translator: "Jean Roy"
publisher: "Éditions du Quai"
language: "{language}"
series: {{name: "Les Ports", number: 2, total: 6}}
"""


@pytest.mark.parametrize("language", sorted(PHRASES))
def test_every_language_has_every_phrase(language):
    assert set(PHRASES[language]) == set(ENGLISH)


def test_front_matter_in_the_books_language(tmp_path):
    book = load_book(make_book(tmp_path, YAML.format(language="fr-FR")))
    html = front_matter(book, [])
    for words in ("Table des matières", "Traduit par Jean Roy", "Anne Martin et Paul Durand",
                  "Publié par Éditions du Quai", "Composé en EB Garamond.", "Partie 2 sur 6"):
        assert words in html
    for english in ("Contents", "Translated by", "Published by", "Set in", " and "):
        assert english not in html


def test_phrases_and_the_contents_title_can_be_overridden(tmp_path):
    text = YAML.format(language="de") + 'phrases: {translated-by: "Aus dem Französischen von"}\ntoc: {title: "Übersicht"}\n'
    html = front_matter(load_book(make_book(tmp_path, text)), [])
    assert "Aus dem Französischen von Jean Roy" in html and "Übersicht" in html and "Inhalt" not in html


def test_an_unknown_phrase_is_one_line_with_a_suggestion(tmp_path):
    with pytest.raises(ConfigError) as error:
        load_book(make_book(tmp_path, 'title: "T"\nphrases: {contens: "Inhalt"}\n'))
    assert "did you mean 'contents'" in str(error.value)
