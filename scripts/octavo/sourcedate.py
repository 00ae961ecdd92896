"""The one date a build writes into its files (the EPUB's dcterms:modified, the PDFs'
CreationDate, ModDate and XMP dates), chosen so that the same sources give the same bytes
on any machine, in any folder, at any time:

1. book.yaml's `date` (2024, 2024-05 or 2024-05-01: midnight UTC of its first day);
2. else SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/);
3. else the time of the last git commit that touched the book's folder;
4. else the newest of the book's own files (book.yaml and the chapters): building the
   same files again gives the same bytes, and an edit gives a new time.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from .config import Book

_YEAR_MONTH_DAY = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def source_epoch(book: Book, files: Iterable[Path] = ()) -> int:
    """Seconds since 1970 (UTC) for the build's dates; `files` are the chapters (step 4)."""
    if (from_yaml := _yaml_date(book.schema.date)) is not None:
        return from_yaml
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return int(epoch)
    if (committed := _last_commit(book.root)) is not None:
        return committed
    found = [f for f in (book.config_path, *files) if f.exists()]
    return max(int(f.stat().st_mtime) for f in found)


def outside_inputs(root: Path) -> list:
    """What the date may come from besides the book's files (SOURCE_DATE_EPOCH, the last
    commit): a build whose files are unchanged is redone when one of these changed."""
    return [os.environ.get("SOURCE_DATE_EPOCH"), _last_commit(root.resolve())]


def iso(epoch: int) -> str:
    """2024-05-01T00:00:00Z, as EPUB's dcterms:modified and XMP want it."""
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def pdf_date(epoch: int) -> str:
    """D:20240501000000Z, a PDF date string (ISO 32000-1 §7.9.4)."""
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).strftime("D:%Y%m%d%H%M%SZ")


def _yaml_date(text: str | None) -> int | None:
    match = _YEAR_MONTH_DAY.match((text or "").strip())
    if not match:  # free text ("Spring 2024") names no instant; the next source decides
        return None
    year, month, day = int(match[1]), int(match[2] or 1), int(match[3] or 1)
    try:
        return int(_dt.datetime(year, month, day, tzinfo=_dt.timezone.utc).timestamp())
    except ValueError:
        return None


def _last_commit(root: Path) -> int | None:
    """The committer time of the last commit touching `root`, if it is in a git work tree."""
    try:
        done = subprocess.run(["git", "log", "-1", "--format=%ct", "--", "."], cwd=root, capture_output=True,
                              text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):  # no git installed: not an error
        return None
    text = done.stdout.strip()
    return int(text) if done.returncode == 0 and text.isdigit() else None
