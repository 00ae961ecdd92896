"""What WeasyPrint may read: files inside the project and the styles, nothing remote.

For a PDF/X job (CMYK only, no transparency) the fetcher also hands WeasyPrint every
raster image already converted: flattened on white paper and turned into CMYK with the
printer's profile (book.yaml `output_profile`), as a JPEG at quality 95. A PDF/X file
that declared itself while holding RGB images or soft masks would be a false claim.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .access import inside

#: Raster images that a PDF/X job gets in CMYK (vector SVG is drawn by WeasyPrint itself).
RASTER = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".tif", ".tiff", ".bmp"}


class ProjectFetcher(URLFetcher):
    """Let WeasyPrint read only files inside the project (and the styles), nothing remote."""

    def __init__(self, allowed: tuple[Path, ...], cmyk: bool = False, cmyk_profile: Path | None = None) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self.allowed = tuple(p.resolve() for p in allowed)
        self.cmyk = cmyk
        self.cmyk_profile = cmyk_profile

    def fetch(self, url: str, headers=None):  # noqa: ANN001 (WeasyPrint's signature)
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme != "file":
            raise FatalURLFetchingError(f"refused to fetch '{url}' (remote resource)")
        path = Path(unquote(parts.path)).resolve()
        if not inside(path, *self.allowed):
            raise FatalURLFetchingError(f"refused to read '{path}' (outside the project)")
        if self.cmyk and path.suffix.lower() in RASTER and path.is_file():
            stat = path.stat()
            data = cmyk_jpeg(path, stat.st_mtime_ns, stat.st_size, self.cmyk_profile)
            return URLFetcherResponse(url, data, {"Content-Type": "image/jpeg"})
        return super().fetch(url, headers)


@functools.lru_cache(maxsize=64)
def cmyk_jpeg(path: Path, _mtime: int, _size: int, profile: Path | None) -> bytes:
    """The image at `path`, flattened on white and converted to CMYK (with the ICC
    `profile` when given, else Pillow's plain conversion), as JPEG bytes."""
    from PIL import Image, ImageCms

    with Image.open(path) as image:
        image.load()
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            rgba = image.convert("RGBA")
            image = Image.new("RGB", rgba.size, (255, 255, 255))
            image.paste(rgba, mask=rgba.getchannel("A"))
        if image.mode not in ("RGB", "CMYK"):
            image = image.convert("RGB")
        if image.mode == "RGB":
            converted = None
            if profile is not None:
                try:
                    converted = ImageCms.profileToProfile(image, ImageCms.createProfile("sRGB"), str(profile),
                                                          outputMode="CMYK",
                                                          renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)
                except ImageCms.PyCMSError:  # a profile that names CMYK but holds no transform
                    converted = None
            image = converted if converted is not None else image.convert("CMYK")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=95, dpi=image.info.get("dpi", (300, 300)))
        return out.getvalue()
