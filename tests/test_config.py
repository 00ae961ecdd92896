"""book.yaml: defaults, accepted shapes, stable identifiers, and errors that point at the line."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from octavo.config import TRIM_SIZES, load_book, slugify
from octavo.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def write_book(folder: Path, yaml_text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "book.yaml").write_text(yaml_text, encoding="utf-8")
    return folder


def config_error(folder: Path, yaml_text: str) -> ConfigError:
    write_book(folder, yaml_text)
    with pytest.raises(ConfigError) as info:
        load_book(folder)
    return info.value


# --- valid books -------------------------------------------------------------------------

def test_minimal_book_gets_defaults(tmp_path: Path) -> None:
    book = load_book(write_book(tmp_path, 'title: "A Small Book"\n'))
    s = book.schema
    assert s.title == "A Small Book"
    assert s.trim == "6x9"
    assert book.trim_inches == (6.0, 9.0)
    assert s.language == "en"
    assert s.footnotes.numbering == "per-chapter"
    assert s.toc.depth == 1 and s.toc.title == "Contents"
    assert s.series is None and s.chapters is None and s.cover is None
    assert book.authors == [] and book.translators == [] and book.editors == []
    assert book.slug == "a-small-book"
    assert book.root == tmp_path.resolve()
    assert book.config_path == tmp_path.resolve() / "book.yaml"
    assert book.positions["title"] == (1, 1)


def test_author_as_string(tmp_path: Path) -> None:
    book = load_book(write_book(tmp_path, "title: T\nauthor: Jane Doe\ntranslator: Tom Roe\n"))
    assert book.authors == ["Jane Doe"]
    assert book.translators == ["Tom Roe"]


def test_author_as_list(tmp_path: Path) -> None:
    book = load_book(write_book(tmp_path, "title: T\nauthor:\n  - Karl Marx\n  - Friedrich Engels\n"))
    assert book.authors == ["Karl Marx", "Friedrich Engels"]
    assert book.positions["author.1"] == (4, 5)


def test_series_parsed(tmp_path: Path) -> None:
    book = load_book(write_book(tmp_path, "title: T\nseries:\n  name: The Set\n  number: 2\n  total: 6\n"))
    assert book.schema.series is not None
    assert (book.schema.series.name, book.schema.series.number, book.schema.series.total) == ("The Set", 2, 6)
    assert book.positions["series.number"] == (4, 3)


def test_series_total_is_optional(tmp_path: Path) -> None:
    book = load_book(write_book(tmp_path, "title: T\nseries:\n  name: The Set\n  number: 1\n"))
    assert book.schema.series.total is None


def test_other_options(tmp_path: Path) -> None:
    book = load_book(write_book(tmp_path, (
        "title: T\ntrim: 5.5 x 8.5 in\nlanguage: en-GB\nfootnotes:\n  numbering: continuous\n"
        "toc:\n  depth: 2\ndate: 2024-03-05\n")))
    assert book.schema.trim == "5.5x8.5"
    assert book.trim_inches == (5.5, 8.5)
    assert book.schema.language == "en-GB"
    assert book.schema.footnotes.numbering == "continuous"
    assert book.schema.toc.depth == 2
    assert book.schema.date == "2024-03-05"  # a YAML date becomes ISO text


def test_utf8_bom_in_book_yaml_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "book.yaml").write_bytes("\ufefftitle: Ünïcode\n".encode("utf-8"))
    assert load_book(tmp_path).schema.title == "Ünïcode"


def test_repo_sample_book_yaml() -> None:
    book = load_book(REPO)
    assert book.schema.title == "Socialism and Reversal in China’s Countryside"
    assert book.schema.series.number == 2 and book.schema.series.total == 6
    assert book.schema.footnotes.numbering == "continuous"
    assert book.slug == "socialism-and-reversal-in-chinas-countryside"


def test_slugify() -> None:
    assert slugify("China’s Countryside: Part 2") == "chinas-countryside-part-2"
    assert slugify("Ça été") == "ca-ete"
    assert slugify("???") == "book"


# --- ISBN --------------------------------------------------------------------------------

@pytest.mark.parametrize("isbn", ["978-1-23456-789-7", "9781234567897", "0-306-40615-2", "080442957X",
                                  "979 10 90636 07 1"])
def test_valid_isbn_accepted(tmp_path: Path, isbn: str) -> None:
    book = load_book(write_book(tmp_path, f'title: T\nidentifiers:\n  isbn_print: "{isbn}"\n'))
    assert book.schema.identifiers.isbn_print == isbn


@pytest.mark.parametrize("isbn", ["12345", "978-1-23456-789", "97812345678977", "ISBN 9781234567897",
                                  "abcdefghij"])
def test_invalid_isbn_rejected_with_line(tmp_path: Path, isbn: str) -> None:
    error = config_error(tmp_path, f'title: T\nidentifiers:\n  uuid: "x"\n  isbn_ebook: "{isbn}"\n')
    text = str(error)
    assert "book.yaml:4:3" in text
    assert "'identifiers.isbn_ebook'" in text
    assert "10 or 13 digits" in text
    assert repr(isbn) in text


# --- identifiers -------------------------------------------------------------------------

def test_identifier_is_stable_uuid_derived_from_title(tmp_path: Path) -> None:
    first = load_book(write_book(tmp_path / "one", "title: Same Title\n"))
    second = load_book(write_book(tmp_path / "elsewhere" / "two", "# other folder\ntitle: Same Title\n"))
    other = load_book(write_book(tmp_path / "three", "title: Another Title\n"))
    assert re.fullmatch(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        first.identifier)
    assert first.identifier == second.identifier  # not derived from the folder
    assert first.identifier != other.identifier
    # Loading again gives the same id (no time or randomness in it).
    assert load_book(tmp_path / "one").identifier == first.identifier
    assert first.identifier == "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "octavo:Same Title"))


def test_identifier_depends_on_authors(tmp_path: Path) -> None:
    plain = load_book(write_book(tmp_path / "a", "title: Same Title\n"))
    authored = load_book(write_book(tmp_path / "b", "title: Same Title\nauthor: Someone\n"))
    assert plain.identifier != authored.identifier


def test_identifier_from_isbn_ebook(tmp_path: Path) -> None:
    book = load_book(write_book(tmp_path, (
        'title: T\nidentifiers:\n  isbn_ebook: "978-1-23456-789-7"\n  isbn_print: "9780306406157"\n')))
    assert book.identifier == "urn:isbn:9781234567897"


def test_identifier_from_explicit_uuid(tmp_path: Path) -> None:
    given = "0f8fad5b-d9cb-469f-a165-70867728950e"
    book = load_book(write_book(tmp_path, f"title: T\nidentifiers:\n  uuid: {given}\n"))
    assert book.identifier == f"urn:uuid:{given}"


# --- errors ------------------------------------------------------------------------------

def test_malformed_yaml_unclosed_quote_points_at_its_line(tmp_path: Path) -> None:
    error = config_error(tmp_path, '# my book\ntitle: "unclosed\nlanguage: en\ntrim: 6x9\n')
    text = str(error)
    assert "book.yaml:2:8" in text  # where the quote opens, not the end of the file
    assert "not valid YAML" in text
    assert "quoted scalar" in text
    assert error.where.line == 2


def test_malformed_yaml_bad_indentation(tmp_path: Path) -> None:
    error = config_error(tmp_path, "title: X\nseries:\n  name: A\n   number: 2\n")
    assert "book.yaml:4:" in str(error)
    assert "not valid YAML" in str(error)
    assert error.where.line == 4


def test_malformed_yaml_dedented_key(tmp_path: Path) -> None:
    error = config_error(tmp_path, "title: X\nseries:\n  name: A\n number: 2\n")
    assert "book.yaml:4:2" in str(error)


def test_malformed_yaml_key_without_colon(tmp_path: Path) -> None:
    error = config_error(tmp_path, "title: X\nsubtitle\nlanguage: en\n")
    assert "book.yaml:2:" in str(error)


def test_malformed_yaml_unclosed_bracket(tmp_path: Path) -> None:
    error = config_error(tmp_path, "title: X\nauthor: [A, B\nlanguage: en\n")
    assert "book.yaml:2:9" in str(error)


def test_malformed_yaml_tab_indentation(tmp_path: Path) -> None:
    error = config_error(tmp_path, "title: X\nseries:\n\tname: A\n")
    assert "book.yaml:3:1" in str(error)


def test_unknown_top_level_key_suggests_the_right_one(tmp_path: Path) -> None:
    error = config_error(tmp_path, "# The book\nlanguage: en\ntitel: My Book\n")
    text = str(error)
    assert "book.yaml:3:1" in text
    assert "unknown key 'titel'" in text
    assert "did you mean 'title'" in text
    assert "missing" not in text  # the typo is the cause, not a missing title


def test_unknown_key_without_close_match_lists_valid_keys(tmp_path: Path) -> None:
    error = config_error(tmp_path, "title: T\nzzzzzz: 1\n")
    text = str(error)
    assert "book.yaml:2:1" in text
    assert "unknown key 'zzzzzz'" in text
    assert "valid keys here:" in text and "subtitle" in text


def test_nested_unknown_key_suggests_name_with_its_line(tmp_path: Path) -> None:
    error = config_error(tmp_path, "title: X\nseries:\n  nmae: X\n  number: 1\n")
    text = str(error)
    assert "book.yaml:3:3" in text
    assert "unknown key 'series.nmae'" in text
    assert "did you mean 'name'" in text


def test_nested_unknown_key_in_footnotes(tmp_path: Path) -> None:
    error = config_error(tmp_path, "title: X\nfootnotes:\n  numberin: continuous\n")
    assert "book.yaml:3:3" in str(error)
    assert "did you mean 'numbering'" in str(error)


@pytest.mark.parametrize(("yaml_text", "where", "key", "shown"), [
    ("title: X\nseries: 5\n", "book.yaml:2:1", "'series'", "(got 5)"),
    ("title: X\n\ntrim: 9x12\n", "book.yaml:3:1", "'trim'", "(got '9x12')"),
    ('title: X\nsubtitle: Y\nlanguage: "english language"\n', "book.yaml:3:1", "'language'",
     "(got 'english language')"),
    ("title: X\nseries:\n  name: S\n  number: 0\n", "book.yaml:4:3", "'series.number'", "(got 0)"),
    ("title: X\ntoc:\n  depth: 5\n", "book.yaml:3:3", "'toc.depth'", "(got 5)"),
    ("title: X\nfootnotes:\n  numbering: weird\n", "book.yaml:3:3", "'footnotes.numbering'", "(got 'weird')"),
    ("title: X\nchapters: 01-a.md\n", "book.yaml:2:1", "'chapters'", "(got '01-a.md')"),
])
def test_wrong_type_names_key_and_line(tmp_path: Path, yaml_text: str, where: str, key: str, shown: str) -> None:
    text = str(config_error(tmp_path, yaml_text))
    assert where in text
    assert key in text
    assert shown in text
    assert "error:" in text


def test_trim_error_lists_known_sizes(tmp_path: Path) -> None:
    text = str(config_error(tmp_path, "title: X\ntrim: 9x12\n"))
    assert "unknown trim size" in text and "(got '9x12')" in text
    for size in TRIM_SIZES:
        assert size in text


def test_author_of_wrong_type_names_author_not_union_member(tmp_path: Path) -> None:
    text = str(config_error(tmp_path, "title: X\nauthor: 5\n"))
    assert "book.yaml:2:1" in text
    assert "'author'" in text
    assert "author.str" not in text


def test_missing_title(tmp_path: Path) -> None:
    error = config_error(tmp_path, "subtitle: Only a subtitle\nlanguage: en\n")
    text = str(error)
    assert "missing required key 'title'" in text
    assert "book.yaml:1:1" in text


def test_missing_nested_required_key(tmp_path: Path) -> None:
    text = str(config_error(tmp_path, "title: X\nseries:\n  name: S\n"))
    assert "missing required key 'series.number'" in text
    assert "book.yaml:2:1" in text


def test_empty_book_yaml_asks_for_title(tmp_path: Path) -> None:
    assert "missing required key 'title'" in str(config_error(tmp_path, ""))


def test_book_yaml_that_is_not_a_mapping(tmp_path: Path) -> None:
    text = str(config_error(tmp_path, "- one\n- two\n"))
    assert "book.yaml:1:1" in text
    assert "must be a mapping" in text


def test_no_book_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_book(tmp_path)
    assert f"no book.yaml in {tmp_path.resolve()}" in str(info.value)


def test_book_yaml_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "book.yaml").write_bytes(b"title: caf\xe9\n")
    with pytest.raises(ConfigError) as info:
        load_book(tmp_path)
    assert "not UTF-8" in str(info.value)
    assert "byte 10" in str(info.value)


def test_error_is_one_line(tmp_path: Path) -> None:
    for text in ('title: "unclosed\n', "titel: X\n", "title: X\nseries: 5\n"):
        error = config_error(tmp_path, text)
        assert "\n" not in str(error)
        assert str(error).endswith("[config]")


def test_duplicate_key_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_book(write_book(tmp_path, 'title: "One"\nlanguage: en\ntitle: "Two"\n'))
    text = str(caught.value)
    assert "book.yaml:3:1" in text
    assert "key 'title' appears twice (first on line 1)" in text


@pytest.mark.parametrize("isbn", ["978-1-23456-789-8", "0-306-40615-3"])
def test_isbn_with_wrong_check_digit_is_refused(tmp_path: Path, isbn: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_book(write_book(tmp_path, f'title: T\nidentifiers:\n  isbn_print: "{isbn}"\n'))
    assert "book.yaml:3:3" in str(caught.value)
    assert "check digit is wrong" in str(caught.value)


# --- every file book.yaml names is checked when the book loads (issue 10, item 7) -------

@pytest.mark.parametrize("yaml_line, files, message", [
    ("cover: art/front.jpg", {}, "cover image 'art/front.jpg' does not exist"),
    ("cover: front.png", {"front.png": b"not a picture"}, "cannot be read as an image"),
    ("output_profile: printer.icc", {}, "output profile 'printer.icc' does not exist"),
    ("output_profile: printer.icc", {"printer.icc": b"not a profile"}, "is not an ICC profile"),
    ("styles: mystyles", {"mystyles/print.css": "p {}"}, "has no base.css"),
    ("fonts: {directory: myfonts}", {"myfonts/README": "fonts go here"}, "no .ttf or .otf font files"),
])
def test_files_book_yaml_names_are_checked_when_it_loads(tmp_path, yaml_line, files, message) -> None:
    from conftest import make_book

    from octavo.config import load_book
    from octavo.errors import ConfigError

    key = yaml_line.split(":")[0]
    root = make_book(tmp_path, f'title: "T"\n{yaml_line}\n', {"manuscript/01-a.md": "# A\n\nText.\n", **files})
    with pytest.raises(ConfigError) as error:
        load_book(root)  # not later, in whichever stage first opens the file
    assert message in str(error.value)
    assert ":".join(str(error.value.where).split(":")[:2]).endswith("book.yaml:2"), (key, str(error.value.where))


def test_printer_names_are_the_printer_table() -> None:
    from typing import get_args

    from octavo.config import PrinterName
    from octavo.printers import PRINTERS

    assert set(get_args(PrinterName)) == set(PRINTERS)
