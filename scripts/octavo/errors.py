"""Errors a user can act on: one line, with where and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Location:
    """A place in a user's file; line and column are 1-based (0 = unknown)."""

    path: Path | str
    line: int = 0
    column: int = 0

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

    exit_code = 2
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


class ToolError(OctavoError):
    """pandoc, WeasyPrint or another tool failed or is missing."""

    exit_code = 3
    rule = "tool"


def shown_path(path: Path) -> str:
    """A path as the writer typed it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


class ChecksFailed(OctavoError):
    """The manuscript checks found errors; nothing was built."""

    exit_code = 1
    rule = "check"

    def __init__(self, errors: list) -> None:
        count = len(errors)
        super().__init__(f"{count} problem{'s' if count > 1 else ''} in the manuscript must be fixed first "
                         "(listed above); nothing was built",
                         hint="fix them, or build anyway with --no-check")
        self.errors = errors
