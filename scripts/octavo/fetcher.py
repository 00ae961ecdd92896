"""What WeasyPrint may read: files inside the project and the styles, nothing remote."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher


class ProjectFetcher(URLFetcher):
    """Let WeasyPrint read only files inside the project (and the styles), nothing remote."""

    def __init__(self, allowed: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self.allowed = tuple(p.resolve() for p in allowed)

    def fetch(self, url: str, headers=None):  # noqa: ANN001 (WeasyPrint's signature)
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme != "file":
            raise FatalURLFetchingError(f"refused to fetch '{url}' (remote resource)")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.allowed):
            raise FatalURLFetchingError(f"refused to read '{path}' (outside the project)")
        return super().fetch(url, headers)
