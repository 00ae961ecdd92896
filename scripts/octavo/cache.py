"""A content-addressed cache of per-chapter work (build/.cache/).

An entry's name is the hash of everything that went into it, so a changed chapter,
style, font, setting or tool version simply asks for a different entry. Every entry
carries the hash and length of its payload: a truncated or corrupted file is detected,
deleted and rebuilt, never used.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

log = logging.getLogger(__name__)

_MAGIC = b"octavo-cache-1"


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of octavo's own code and data files.

    Every cache entry and the no-op stamp depend on it: a changed layout fix, filter or
    rule in octavo makes old entries unreachable, even while the version number stays
    the same (a developer's checkout, a patched install). About 1 ms."""
    package = Path(__file__).resolve().parent
    parts: list[bytes] = []
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".lua", ".txt", ".css", ".json"):
            parts += [str(path.relative_to(package)).encode(), path.read_bytes()]
    return digest(*parts)[:16]


def digest(*parts: bytes | str) -> str:
    """One hex key for several inputs (each part length-prefixed so 'ab'+'c' != 'a'+'bc')."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


#: A file name an image may have, wherever it appears: Markdown, raw HTML, JSON, HTML.
#: A match starts only where a name can start (after a quote, a space, = ( ) < > or a backslash): without
#: that, a long run of name characters (a cover's base64 data URI in the screen edition's HTML)
#: was tried from every position, in time that grows with its square (110 s for the sample).
IMAGE_NAME = re.compile(r"""(?<![^"'\s=()<>\\])([^"'\s=()<>\\]+\.(?:png|jpe?g|gif|svg|webp|tiff?|bmp))(?=["'\s)>#?]|$)""",
                        re.I)


#: What every IMAGE_NAME match holds: a text without it names no image, and looking for it
#: is ~25 times faster than IMAGE_NAME (a long book's chapters are hashed on every build).
_IMAGE_SUFFIX = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|tiff?|bmp)", re.I)


def assets_digest(root: Path, text: str) -> str:
    """A hash of the bytes of every image file inside `root` that `text` names.

    Images are inputs like the text that shows them: replace `map.png` with a new
    picture under the same name and whatever shows it must be made again. (A name that
    is not a file is left out; an over-broad match only costs a read.)"""
    root = root.resolve()
    parts: list[bytes | str] = []
    names = IMAGE_NAME.findall(text) if _IMAGE_SUFFIX.search(text) else []
    for name in sorted(set(names)):
        path = (root / unquote(name)).resolve()
        if path.is_file() and path.is_relative_to(root):
            parts += [name, path.read_bytes()]
    return digest(*parts)


class Cache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        #: What was made (put) in this build, by kind: the build report's "redone".
        self.made: Counter[str] = Counter()

    def path(self, kind: str, key: str) -> Path:
        # Keyed by octavo's own code too: what made an entry is part of what shaped it.
        return self.folder / f"{kind}-{digest(key, code_fingerprint())}"

    def get(self, kind: str, key: str) -> bytes | None:
        path = self.path(kind, key)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        header, _, payload = raw.partition(b"\n")
        fields = header.split(b" ")
        valid = (len(fields) == 3 and fields[0] == _MAGIC and fields[1] == str(len(payload)).encode()
                 and fields[2] == hashlib.sha256(payload).hexdigest().encode())
        if not valid:
            log.warning("cache entry %s is damaged; rebuilding it", path.name)
            path.unlink(missing_ok=True)
            return None
        return payload

    def put(self, kind: str, key: str, payload: bytes) -> None:
        header = b" ".join([_MAGIC, str(len(payload)).encode(), hashlib.sha256(payload).hexdigest().encode()])
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(header + b"\n" + payload)
            os.replace(tmp, self.path(kind, key))
            self.made[kind] += 1
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
