"""Load and validate book.yaml: one typed schema, errors that point at the line."""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic import ValidationInfo

from .access import inside
from .errors import ConfigError, Location
from .printers import PRINTERS
from .rules import RULES

#: The printers book.yaml may name: exactly the presets in printers.py.
PrinterName = Literal.__getitem__(tuple(PRINTERS))

CONFIG_NAME = "book.yaml"

#: Trim sizes we know, as (width, height) in inches. KDP/IngramSpark/Lulu all offer these.
TRIM_SIZES: dict[str, tuple[float, float]] = {
    "5x8": (5.0, 8.0),
    "5.25x8": (5.25, 8.0),
    "5.5x8.5": (5.5, 8.5),
    "6x9": (6.0, 9.0),
    "6.14x9.21": (6.14, 9.21),
    "7x10": (7.0, 10.0),
    "8.5x11": (8.5, 11.0),
    "a5": (148 / 25.4, 210 / 25.4),
    "b-format": (129 / 25.4, 198 / 25.4),
}

_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._+-]*$")
_ISBN = re.compile(r"^(97[89])?\d{9}[\dX]$")

Names = str | list[str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Identifiers(_Strict):
    """ISBNs are optional; without an ebook ISBN the EPUB gets a stable UUID."""

    isbn_ebook: str | None = None
    isbn_print: str | None = None
    uuid: str | None = None

    @field_validator("isbn_ebook", "isbn_print")
    @classmethod
    def _isbn(cls, value: str | None) -> str | None:
        if value is None:
            return None
        digits = value.replace("-", "").replace(" ", "").upper()
        if not _ISBN.match(digits) or (len(digits) == 13 and not digits.isdigit()):
            raise ValueError("an ISBN has 10 or 13 digits (hyphens allowed), e.g. 978-1-23456-789-7")
        if not _isbn_checksum_ok(digits):
            raise ValueError("the ISBN's check digit is wrong; copy it again from your ISBN agency")
        return value


def _isbn_checksum_ok(digits: str) -> bool:
    if len(digits) == 13:
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
        return (10 - total % 10) % 10 == int(digits[12])
    total = sum((10 - i) * int(d) for i, d in enumerate(digits[:9]))
    check = (11 - total % 11) % 11
    return digits[9] == ("X" if check == 10 else str(check))


class Series(_Strict):
    name: str
    number: int = Field(ge=1)
    total: int | None = Field(default=None, ge=1)


class Fonts(_Strict):
    """The book face; every .ttf/.otf in `directory` is embedded in the EPUB and used in print."""

    family: str = "EB Garamond"
    directory: str = "styles/fonts"


class Footnotes(_Strict):
    numbering: Literal["per-chapter", "continuous"] = "per-chapter"


class Toc(_Strict):
    title: str = "Contents"
    depth: int = Field(default=1, ge=1, le=3)


class Resources(_Strict):
    """What the build may read besides the project's own files."""

    remote: bool = False  # images from http(s) URLs (EPUB readers and printers want local files)


class Checks(_Strict):
    """The manuscript checks (`octavo check`, and the start of every build)."""

    disable: list[str] = []  # rule ids, e.g. [spelling, two-spaces]

    @field_validator("disable")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        _all_known(value, sorted(RULES), "check", "rules")
        return value


def _all_known(names, choices: list[str], what: str, plural: str) -> None:
    """Refuse a name that is not among `choices`, suggesting the closest one."""
    for name in names:
        if name not in choices:
            close = difflib.get_close_matches(name, choices, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; {plural}: {', '.join(choices)}"
            raise ValueError(f"unknown {what} '{name}'{hint}")


class BookSchema(_Strict):
    """Everything book.yaml may hold. Only `title` is required."""

    title: str
    subtitle: str | None = None
    author: Names | None = None
    translator: Names | None = None
    editor: Names | None = None
    language: str = "en"
    identifiers: Identifiers = Identifiers()
    publisher: str | None = None
    date: str | None = None
    edition: str | None = None
    #: The release, for `octavo dist`'s file names (1.0.0, 2026.1); default: the git tag.
    version: str | None = None
    rights: str | None = None
    description: str | None = None
    series: Series | None = None
    chapters: list[str] | None = None
    trim: str = "6x9"
    #: Who prints the book: sets minimum margins, the gutter by page count, bleed, padding,
    #: PDF/X, and what `octavo preflight` checks (see printers.py).
    printer: PrinterName = "generic"
    bleed: bool = False  # only for art that runs off the page edge; text-only books need none
    marks: Literal["none", "crop"] = "none"  # crop marks: offset printers only (printer: generic)
    paper: Literal["white", "cream"] = "white"  # sets the print cover's spine width
    #: The printer's CMYK ICC profile, for a PDF/X job (printer: ingramspark).
    output_profile: str | None = None
    fonts: Fonts = Fonts()
    footnotes: Footnotes = Footnotes()
    toc: Toc = Toc()
    cover: str | None = None
    styles: str = "styles"
    resources: Resources = Resources()
    checks: Checks = Checks()
    #: The words octavo writes itself, when the book's language's own are not wanted
    #: ({contents: "Table", translated-by: "English by"}; keys in phrases.py).
    phrases: dict[str, str] = {}

    @field_validator("phrases")
    @classmethod
    def _phrase_keys(cls, value: dict[str, str]) -> dict[str, str]:
        from .phrases import ENGLISH

        _all_known(value, list(ENGLISH), "phrase", "phrases")
        return value

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        if isinstance(value, (_dt.date, _dt.datetime)):
            return value.isoformat()[:10]
        if isinstance(value, int):
            return str(value)
        return value

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        if isinstance(value, (int, float)):  # version: 1.0 is a number to YAML
            value = str(value)
        if isinstance(value, str) and not _VERSION.match(value):
            raise ValueError("a version is letters, digits, '.', '-', '+' and '_' (it names files), e.g. 1.0.0")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if not _LANG_TAG.match(value):
            raise ValueError("use a language tag such as en, en-GB or de")
        return value

    @field_validator("printer")
    @classmethod
    def _printer_takes_trim(cls, value: str, info: ValidationInfo) -> str:
        from .printers import PRINTERS

        trim = info.data.get("trim")
        allowed = PRINTERS[value].trims
        if trim in TRIM_SIZES and allowed:
            width, height = TRIM_SIZES[trim]
            if not any(abs(width - w) <= 0.01 and abs(height - h) <= 0.01 for w, h in allowed):
                ours = [k for k, (w, h) in TRIM_SIZES.items()
                        if any(abs(w - a) <= 0.01 and abs(h - b) <= 0.01 for a, b in allowed)]
                raise ValueError(f"{value} does not print the {trim} trim; choose a trim it prints "
                                 f"({', '.join(ours)}), or another printer")
        return value

    @field_validator("marks")
    @classmethod
    def _marks(cls, value: str, info: ValidationInfo) -> str:
        printer = info.data.get("printer", "generic")
        if value == "crop" and printer != "generic":
            raise ValueError(f"{printer} does not accept crop marks on uploads; remove 'marks', "
                             "or use printer: generic for an offset printer")
        return value

    @field_validator("trim")
    @classmethod
    def _trim(cls, value: str) -> str:
        key = value.lower().replace(" ", "").replace("in", "").replace("×", "x")
        if key not in TRIM_SIZES:
            raise ValueError(f"unknown trim size; choose one of {', '.join(TRIM_SIZES)}")
        return key


@dataclass(frozen=True)
class Book:
    """A validated book.yaml plus the facts derived from it."""

    root: Path
    config_path: Path
    schema: BookSchema
    slug: str
    identifier: str  # urn:isbn:… or urn:uuid:…, stable across builds
    positions: dict[str, tuple[int, int]]  # dotted key -> (line, column) in book.yaml

    @property
    def authors(self) -> list[str]:
        return _names(self.schema.author)

    @property
    def translators(self) -> list[str]:
        return _names(self.schema.translator)

    @property
    def editors(self) -> list[str]:
        return _names(self.schema.editor)

    @functools.cached_property
    def phrases(self) -> dict[str, str]:
        """The words octavo writes itself, in the book's language (see phrases.py)."""
        from .phrases import phrases_for

        found = phrases_for(self.schema.language, self.schema.phrases)
        if "title" in self.schema.toc.model_fields_set:
            found["contents"] = self.schema.toc.title
        return found

    @property
    def trim_inches(self) -> tuple[float, float]:
        return TRIM_SIZES[self.schema.trim]

    def project_path(self, relative: str, *, key: str) -> Path:
        """Resolve a path from book.yaml, refusing anything outside the project."""
        return resolve_inside(self.root, relative, where=self.locate(key))

    def locate(self, key: str) -> Location:
        return Location(self.config_path, *self.positions.get(key, (0, 0)))


def _names(value: Names | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def resolve_inside(root: Path, relative: str, *, where: Location | None = None) -> Path:
    """Return root/relative resolved; raise ConfigError when it leaves root (symlinks too)."""
    path = (root / relative).resolve()
    if not inside(path, root):
        raise ConfigError(f"'{relative}' is outside the project folder", where=where,
                          hint="keep every file the book uses inside the project")
    return path


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = ascii_text.replace("'", "")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "book"


def load_book(root: Path) -> Book:
    """Read and validate BOOK_DIR/book.yaml."""
    root = root.resolve()
    config_path = root / CONFIG_NAME
    if not config_path.is_file():
        raise ConfigError(f"no {CONFIG_NAME} in {root}", where=Location(root),
                          hint=f"create {CONFIG_NAME} with at least a title: line, or pass the book folder")
    try:
        text = config_path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{CONFIG_NAME} is not UTF-8 text (byte {exc.start})",
                          where=Location(config_path), hint="save it as UTF-8") from None
    lines = _parse_positions(text, config_path)
    data = yaml.safe_load(text)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("book.yaml must be a mapping of keys to values", where=Location(config_path, 1, 1),
                          hint="start with a line such as: title: \"My Book\"")
    try:
        schema = BookSchema.model_validate(data)
    except ValidationError as exc:
        raise _config_error(exc, config_path, lines) from None
    identifier = _identifier(schema, root)
    book = Book(root=root, config_path=config_path, schema=schema, slug=slugify(schema.title),
                identifier=identifier, positions=lines)
    check_files(book)
    return book


def check_files(book: Book) -> None:
    """Every file book.yaml names is checked here, once, when the book is loaded: the cover
    art, the printer's colour profile, the styles and fonts folders. The stages that use
    them can then take them as given, and a mistake is one line at its key."""
    s = book.schema
    if s.cover:
        _check_image(book, book.project_path(s.cover, key="cover"))
    if s.output_profile:
        _check_cmyk_profile(book, book.project_path(s.output_profile, key="output_profile"))
    styles = book.project_path(s.styles, key="styles")
    if s.styles != "styles" and not (styles / "base.css").is_file():
        raise ConfigError(f"styles folder '{s.styles}' has no base.css", where=book.locate("styles"),
                          hint="point 'styles' at a folder with base.css, print.css and epub.css")
    fonts = book.project_path(s.fonts.directory, key="fonts.directory")
    if fonts.is_dir() and not any(p.suffix.lower() in FONT_SUFFIXES for p in fonts.iterdir()):
        raise ConfigError(f"no .ttf or .otf font files in {fonts}", where=book.locate("fonts.directory"),
                          hint="put the book's font files there, or remove fonts.directory to use EB Garamond")


FONT_SUFFIXES = {".ttf", ".otf"}


def _check_image(book: Book, path: Path) -> None:
    from PIL import Image, UnidentifiedImageError

    if not path.is_file():
        raise ConfigError(f"cover image '{book.schema.cover}' does not exist", where=book.locate("cover"),
                          hint="fix the path, or remove 'cover' to get a typographic cover")
    try:
        with Image.open(path) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ConfigError(f"cover image '{book.schema.cover}' cannot be read as an image ({exc})",
                          where=book.locate("cover"), hint="save it as JPEG or PNG") from None


def _check_cmyk_profile(book: Book, path: Path) -> None:
    """WeasyPrint silently drops a profile it cannot read; say so instead."""
    from PIL import ImageCms

    if not path.is_file():
        raise ConfigError(f"output profile '{book.schema.output_profile}' does not exist",
                          where=book.locate("output_profile"),
                          hint="point it at the CMYK .icc file your printer names")
    try:
        space = ImageCms.ImageCmsProfile(str(path)).profile.xcolor_space.strip()
    except (OSError, ImageCms.PyCMSError) as exc:
        raise ConfigError(f"output profile '{book.schema.output_profile}' is not an ICC profile ({exc})",
                          where=book.locate("output_profile"),
                          hint="use the CMYK .icc file your printer names") from None
    if space != "CMYK":
        raise ConfigError(f"output profile '{book.schema.output_profile}' is a {space} profile, not CMYK",
                          where=book.locate("output_profile"),
                          hint="PDF/X-1a needs the printer's CMYK profile (e.g. a SWOP or FOGRA one)")


def _identifier(schema: BookSchema, root: Path) -> str:
    ids = schema.identifiers
    if ids.isbn_ebook:
        return "urn:isbn:" + ids.isbn_ebook.replace("-", "").replace(" ", "")
    if ids.uuid:
        return "urn:uuid:" + ids.uuid
    # Stable across builds and machines: derived from the title and authors, not the path.
    seed = "|".join([schema.title, *_names(schema.author)])
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "octavo:" + seed))


def _parse_positions(text: str, path: Path) -> dict[str, tuple[int, int]]:
    """Map each dotted key path to its (line, column); YAML syntax errors become ConfigError."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = _yaml_error_mark(exc)
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        if context and mark is getattr(exc, "context_mark", None):
            problem = f"{context}, {problem}"
        raise ConfigError(f"book.yaml is not valid YAML: {problem}", where=Location(path, line, col),
                          hint="check indentation and quote values that contain ':' or '#'") from None
    positions: dict[str, tuple[int, int]] = {}

    def walk(n: yaml.Node, prefix: str) -> None:
        if isinstance(n, yaml.MappingNode):
            for key_node, value_node in n.value:
                key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
                here = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                if key in positions:
                    # YAML silently keeps the last of two equal keys; a writer means one of them.
                    raise ConfigError(f"key '{key}' appears twice (first on line {positions[key][0]})",
                                      where=Location(path, *here), hint="keep one of the two lines")
                positions[key] = here
                walk(value_node, key)
        elif isinstance(n, yaml.SequenceNode):
            for index, item in enumerate(n.value):
                key = f"{prefix}.{index}"
                positions[key] = (item.start_mark.line + 1, item.start_mark.column + 1)
                walk(item, key)

    if node is not None:
        walk(node, "")
    return positions


def _yaml_error_mark(exc: yaml.YAMLError) -> Any:
    """The mark the user should look at. For an unclosed quote or bracket, or a key without
    its ':', PyYAML's problem mark is where it gave up (often the end of the file); the
    context mark is where the faulty token starts, which is the line to fix."""
    problem = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    context = getattr(exc, "context", None) or ""
    if context_mark is not None and (context.startswith("while scanning") or "flow" in context):
        return context_mark
    return problem or context_mark


#: pydantic names the member of a `str | list[str]` union in an error's location
#: (`author.str`); those are not keys the user wrote.
_UNION_TAGS = {"str", "list[str]"}


def _config_error(exc: ValidationError, path: Path, lines: dict[str, tuple[int, int]]) -> ConfigError:
    """Turn pydantic's first error into one line that names the key, its line and a fix."""
    error = _most_useful(exc.errors())
    loc = [str(part) for part in error["loc"] if part not in _UNION_TAGS]
    key = ".".join(loc)
    position = _nearest_position(loc, lines)
    where = Location(path, *position)
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = _model_at(BookSchema, loc[:-1])
        choices = list(parent.model_fields) if parent else []
        close = difflib.get_close_matches(loc[-1], choices, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'?" if close else f"valid keys here: {', '.join(choices)}"
        return ConfigError(f"unknown key '{key}'", where=where, hint=hint)
    if kind == "missing":
        return ConfigError(f"missing required key '{key}'", where=Location(path, 1, 1) if not position[0] else where,
                           hint=f"add a line such as: {loc[-1]}: …")
    got = error.get("input")
    shown = f" (got {got!r})" if isinstance(got, (str, int, float, bool)) else ""
    if kind == "value_error":  # our own validators: the message says what and how to fix it
        message = error["msg"].removeprefix("Value error, ")
        return ConfigError(f"'{key}': {message}{shown}", where=where)
    if kind in ("model_type", "dict_type"):
        return ConfigError(f"'{key}' takes nested keys, one per line, indented{shown}", where=where,
                           hint="for example  series: {name: …, number: 2}" if loc[-1] == "series"
                           else "see README.md, section book.yaml")
    if kind == "literal_error" and isinstance(got, str):
        choices = re.findall(r"'([^']*)'", error.get("ctx", {}).get("expected", ""))
        close = difflib.get_close_matches(got, choices, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'?" if close else "choose one of the values listed"
        return ConfigError(f"'{key}' must be one of {', '.join(choices)}{shown}", where=where, hint=hint)
    message = error["msg"]
    return ConfigError(f"'{key}': {message}{shown}", where=where, hint=_type_hint(kind, loc))


def _most_useful(errors: list[dict[str, Any]]) -> dict[str, Any]:
    # An unknown key comes first: a misspelt required key (`titel:`) also makes `title`
    # missing, and "did you mean 'title'?" at the misspelt line is the useful message.
    for error in errors:
        if error["type"] == "extra_forbidden":
            return error
    # A `str | list[str]` field reports one error per union member; prefer the first
    # non-union error so the message is about what the user wrote.
    for error in errors:
        if error["type"] not in {"string_type", "list_type"} or len(errors) == 1:
            return error
    return errors[0]


def _type_hint(kind: str, loc: list[str]) -> str:
    if kind in {"string_type", "list_type"}:
        return "write a text value, or a list of them"
    if kind.startswith("int") or kind.startswith("greater"):
        return "write a whole number"
    if kind == "model_type" or kind == "dict_type":
        return f"'{loc[-1]}' takes nested keys, one per line, indented"
    return "see README.md, section book.yaml"


def _nearest_position(loc: list[str], lines: dict[str, tuple[int, int]]) -> tuple[int, int]:
    for end in range(len(loc), 0, -1):
        key = ".".join(loc[:end])
        if key in lines:
            return lines[key]
    return (0, 0)


def _model_at(model: type[BaseModel], loc: list[str]) -> type[BaseModel] | None:
    current: Any = model
    for part in loc:
        field = current.model_fields.get(part) if isinstance(current, type) and issubclass(current, BaseModel) else None
        if field is None:
            return None
        annotation = field.annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        current = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return current if isinstance(current, type) else None
