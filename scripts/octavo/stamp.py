"""Is the last build still current? Answered from file sizes and times alone.

A successful build records every file it read (book.yaml, chapters, styles, fonts),
the folders whose listing decides what it reads, and the outputs it wrote. When none
of them changed, `octavo build` (and so `make`) does no work at all — checked without
importing pandoc, WeasyPrint or even the config schema, so it costs milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

VERSION = 2


def _state(path: Path) -> list[int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


def stamp_path(out: Path, request: dict) -> Path:
    name = "-".join(str(request[k]) for k in sorted(request))
    return out / ".cache" / f"stamp-{hashlib.sha256(name.encode()).hexdigest()[:12]}.json"


def current_outputs(out: Path, request: dict) -> dict[str, Path] | None:
    """The last build's outputs (format -> path) when nothing it read or wrote has
    changed since; None when the book must be built."""
    path = stamp_path(out, request)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("version") != VERSION or record.get("request") != request:
        return None
    for name, state in record["files"].items():
        if _state(Path(name)) != state:
            return None
    return {kind: Path(name) for kind, name in record["outputs"].items()}


def record(out: Path, request: dict, *, inputs: list[Path], folders: list[Path], outputs: dict[str, Path]) -> None:
    files = {str(p): _state(p) for p in [*inputs, *folders, *outputs.values()]}
    path = stamp_path(out, request)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"version": VERSION, "request": request, "files": files,
                               "outputs": {kind: str(p) for kind, p in outputs.items()}}), encoding="utf-8")
    os.replace(tmp, path)
