"""Errors a user can act on: one line, with where and how to fix it; and the exit codes.

Every error class octavo raises lives here, so that the exit-code table below is the
whole truth about how a command can end (tests/test_errors.py holds the README to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


EXIT_OK = 0
EXIT_FINDINGS = 1       # `octavo check` errors, a preflight fail, EPUBCheck, the checks before a build
EXIT_INPUT = 2          # the book or the command line is wrong: the writer can fix it
EXIT_TOOL = 3           # pandoc, WeasyPrint, Java, ... failed or is missing
EXIT_INTERNAL = 70      # a bug in octavo (EX_SOFTWARE in BSD's sysexits.h)
EXIT_INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as a shell reports it

#: How an octavo command ends: exit code -> what it means (the README's "Exit codes"
#: says the same; tests/test_errors.py compares them). `octavo --help` prints it.
EXIT_CODES: dict[int, str] = {
    EXIT_OK: "built",
    EXIT_FINDINGS: "the checks (or EPUBCheck) found errors",
    EXIT_INPUT: "a problem with the book (config, manuscript, a refused file)",
    EXIT_TOOL: "a tool failed or is missing",
    EXIT_INTERNAL: "an internal error",
    EXIT_INTERRUPTED: "interrupted",
}


@dataclass
class Location:
    """A place in a user's file; line and column are 1-based (0 = unknown)."""

    path: Path | str
    line: int = 0
    column: int = 0

    @classmethod
    def in_text(cls, path: Path | str, text: str, offset: int) -> Location:
        """The place of character `offset` of `text` (a file's contents); the file alone
        when the offset is unknown (negative)."""
        if offset < 0:
            return cls(path)
        return cls(path, text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset))

    def __str__(self) -> str:
        text = shown_path(Path(self.path))
        if self.line:
            text += f":{self.line}"
            if self.column:
                text += f":{self.column}"
        return text


class OctavoError(Exception):
    """An expected failure caused by the user's input or machine.

    The CLI prints it as one line (`where: error: what. how to fix`) and exits
    with `exit_code`, never with a traceback.
    """

    exit_code = EXIT_INPUT
    rule = ""

    def __init__(self, message: str, *, where: Location | None = None, hint: str = "",
                 detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint
        self.detail = detail  # shown with --verbose: the underlying tool output

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        text = f"{prefix}error: {self.message}"
        if self.hint:
            text += f"; {self.hint}"
        if self.rule:
            text += f" [{self.rule}]"
        return text


class ConfigError(OctavoError):
    """book.yaml is malformed, mistyped or names something that is not there."""

    rule = "config"


class ManuscriptError(OctavoError):
    """A chapter cannot be found or read."""

    rule = "manuscript"


class ResourceError(ManuscriptError):
    """A chapter names an image the build must not read (on the network, outside the
    project, missing)."""

    rule = "resource"


class ResourceRefused(OctavoError):
    """WeasyPrint was asked for a file the build may not read (outside the project, or on
    the network), by a stylesheet, a raw-HTML image or the cover."""

    rule = "resource-refused"


class ChecksFailed(OctavoError):
    """The manuscript checks found errors; nothing was built."""

    exit_code = EXIT_FINDINGS
    rule = "check"

    def __init__(self, errors: list) -> None:
        count = len(errors)
        super().__init__(f"{count} problem{'s' if count > 1 else ''} in the manuscript must be fixed first "
                         "(listed above); nothing was built",
                         hint="fix them, or build anyway with --no-check")
        self.errors = errors


class EpubInvalid(OctavoError):
    """EPUBCheck found errors or warnings in the finished EPUB (`--validate`)."""

    exit_code = EXIT_FINDINGS
    rule = "epubcheck"


class ToolError(OctavoError):
    """pandoc, WeasyPrint or another tool failed or is missing."""

    exit_code = EXIT_TOOL
    rule = "tool"


def shown_path(path: Path) -> str:
    """A path as the writer typed it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)
