"""Find the external tools the build runs, and report their versions."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import ToolError

#: Oldest pandoc whose EPUB 3 footnote markup (aside/noteref) and JSON AST we rely on.
MIN_PANDOC = (3, 1, 2)


@dataclass(frozen=True)
class Pandoc:
    path: str
    version: tuple[int, ...]
    source: str  # "system" or "pypandoc-binary"

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version))


def _version_of(path: str) -> tuple[int, ...] | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"pandoc(?:\.exe)?\s+(\d+(?:\.\d+)*)", out)
    return tuple(int(x) for x in match.group(1).split(".")) if match else None


@functools.cache
def find_pandoc() -> Pandoc:
    """A system pandoc when it is new enough, else the one pypandoc-binary ships."""
    system = shutil.which("pandoc")
    if system:
        version = _version_of(system)
        if version and version >= MIN_PANDOC:
            return Pandoc(system, version, "system")
    try:
        import pypandoc

        bundled = Path(pypandoc.__file__).parent / "files" / "pandoc"
    except ImportError:
        bundled = None
    if bundled and bundled.exists():
        version = _version_of(str(bundled))
        if version and version >= MIN_PANDOC:
            return Pandoc(str(bundled), version, "pypandoc-binary")
    need = ".".join(map(str, MIN_PANDOC))
    raise ToolError(f"pandoc {need} or newer was not found",
                    hint="run 'make' (it installs pypandoc-binary into .venv) or install pandoc from pandoc.org")


def weasyprint_version() -> str:
    from importlib.metadata import version

    return version("weasyprint")  # without importing it (about 0.5 s)
