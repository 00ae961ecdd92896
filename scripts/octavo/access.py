"""What the build may read: one answer, for the checker and for the build alike.

Every path a book names (an image in Markdown or raw HTML, a file in book.yaml, a URL
WeasyPrint asks for) is resolved here. A path must lead to a file inside the project
(symlinks followed first); the network is refused unless book.yaml allows it. The checker
turns a refusal into a finding at its line; the build into an error that stops it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: URL schemes that reach the network.
NETWORK = frozenset({"http", "https", "ftp", "ftps", "sftp", "ws", "wss"})


@dataclass(frozen=True)
class Resolved:
    """What a URL in the book leads to.

    `kind` is one of: "file" (`path` is a file inside the project), "data" (inline), "remote"
    (the network), "outside" (leaves the project), "missing" (no such file), "scheme" (an
    unsupported scheme such as `ftp:` or `javascript:`), "invalid" (not a URL at all),
    "empty" (no name)."""

    url: str
    kind: str
    path: Path | None = None
    scheme: str = ""

    @property
    def readable(self) -> bool:
        return self.kind in ("file", "data")


def inside(path: Path, *roots: Path) -> bool:
    """Whether `path`, with symlinks followed, is inside one of `roots`."""
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in roots)


def resolve(root: Path, base: Path, url: str) -> Resolved:
    """Where `url`, written in a file in folder `base` of the book at `root`, leads.

    A relative path is relative to `base` (the chapter's folder); `%20` and the like are
    read both as written and decoded, as pandoc and browsers do."""
    url = url.strip()
    if not url:
        return Resolved(url, "empty")
    try:
        parts = urlsplit(url)
    except ValueError:
        return Resolved(url, "invalid")
    scheme = parts.scheme.lower()
    if scheme == "data":
        return Resolved(url, "data", scheme=scheme)
    if scheme in NETWORK:
        return Resolved(url, "remote", scheme=scheme)
    if scheme and scheme != "file" and len(scheme) > 1:  # (one letter: a Windows drive, C:\...)
        return Resolved(url, "scheme", scheme=scheme)
    if scheme == "file":
        candidates = [unquote(parts.path)]
    else:  # as written, decoded, and without a ?query or #fragment
        candidates = list(dict.fromkeys([url, unquote(url), parts.path, unquote(parts.path)]))
    for candidate in candidates:
        path = Path(candidate)
        try:
            resolved = (path if path.is_absolute() else base / path).resolve()
        except (OSError, RuntimeError, ValueError):
            continue
        if not resolved.is_relative_to(root.resolve()):
            return Resolved(url, "outside", resolved)
        if resolved.is_file():
            return Resolved(url, "file", resolved)
    return Resolved(url, "missing")
