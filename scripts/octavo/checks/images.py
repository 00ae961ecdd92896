"""Images: the file exists, stays inside the project, has alt text and enough pixels."""

from __future__ import annotations

import math
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..access import resolve
from .scan import Image
from .text import Emit

#: Resolution print-on-demand printers ask for.
PRINT_DPI = 300
_UNITS = {"in": 1.0, "cm": 1 / 2.54, "mm": 1 / 25.4, "pt": 1 / 72, "pc": 1 / 6, "px": 1 / 96}
_VECTOR = {".svg", ".svgz", ".pdf", ".eps"}


def check_image(image: Image, chapter_path: Path, root: Path, emit: Emit, *, text_width_in: float,
                allow_remote: bool = False) -> None:
    """`text_width_in`: the print text block's width (pagesetup.text_width), which an image
    without a width fills and a width in % is a share of."""
    line = image.line
    if not image.alt.strip():
        emit(line, image.column, "image-alt",
             "image has no alt text; describe it between the brackets, ![like this](...), "
             "so that EPUB readers who cannot see it know what it shows")
    dest = image.dest.strip()
    if "\x00" in dest:
        return  # half inside an HTML comment: not a real image
    found = resolve(root, chapter_path.parent, dest)  # exactly as the build resolves it
    at = image.dest_column or image.column
    if found.kind == "empty":
        emit(line, at, "image-missing", "image has no file name; write it in the (…)")
        return
    if found.kind == "invalid":
        emit(line, at, "image-missing", f"image file '{dest}' is not a valid path or URL")
        return
    if found.kind == "remote":
        if not allow_remote:
            emit(line, at, "image-remote",
                 f"image '{dest}' is on the network, and the build does not fetch anything; download it "
                 "into the project (e.g. manuscript/images/), or set resources: {remote: true} in book.yaml")
        return
    if found.kind == "data":
        return
    if found.kind == "scheme":
        emit(line, at, "image-outside",
             f"image '{dest}' uses the unsupported scheme '{found.scheme}:'; use a path to a file inside the project")
        return
    if found.kind == "outside":
        emit(line, at, "image-outside",
             f"image '{dest}' is outside the project folder; copy it into the project "
             "(e.g. beside the chapter) and use a relative path")
        return
    if found.kind == "missing":
        raw = raw_name(dest) if dest.lower().startswith("file:") else dest
        close = _close_file(chapter_path.parent, raw)
        hint = f"did you mean '{close}'?" if close else "paths are relative to the chapter's folder"
        emit(line, at, "image-missing", f"image file '{dest}' does not exist; {hint}")
        return
    path = found.path
    if path.suffix.lower() in _VECTOR:
        return
    try:
        from PIL import Image as PILImage

        with PILImage.open(path) as img:
            width_px = img.size[0]
            kind = (img.format or "").lower()
    except Exception as exc:  # PIL raises many kinds for a broken file
        emit(line, image.dest_column, "image-unreadable",
             f"image '{dest}' cannot be read as an image ({type(exc).__name__}); save it again as PNG or JPEG")
        return
    real = {"jpeg": ".jpg", "png": ".png", "gif": ".gif", "webp": ".webp", "tiff": ".tif"}.get(kind)
    if real and path.suffix.lower() not in (real, ".jpeg" if real == ".jpg" else real, ".tiff" if real == ".tif" else real):
        emit(line, image.dest_column, "image-type",
             f"image '{dest}' is a {kind.upper()} file, not what its name says; rename it to "
             f"'{Path(raw_name(dest)).stem}{real}' (the EPUB gets its real type either way)")
    width_in, how = _print_width(image.attrs, path, text_width_in)
    if width_in is None:
        return
    needed = math.ceil(width_in * PRINT_DPI - 0.5)
    if width_px < needed:
        dpi = width_px / width_in
        emit(line, image.column, "image-resolution",
             f"image '{dest}' is {width_px} px wide: printed {how} it has only {dpi:.0f} dpi; "
             f"{PRINT_DPI} dpi needs {needed} px (use a larger image, or print it smaller with "
             f"{{width=…}})")


def _print_width(attrs: dict[str, str], path: Path, text_width_in: float) -> tuple[float | None, str]:
    width = attrs.get("width")
    if width:
        inches = _length(width, relative_to=text_width_in)
        if inches is not None:
            return inches, f"{_fmt(inches)} in wide"
    height = attrs.get("height")
    if height and not width:
        inches = _length(height, relative_to=None)
        if inches is not None:
            try:
                from PIL import Image as PILImage

                with PILImage.open(path) as img:
                    w, h = img.size
                return min(inches * w / h, text_width_in), f"{_fmt(inches)} in high"
            except Exception:
                return None, ""
    return text_width_in, f"at the text width ({_fmt(text_width_in)} in)"


def _length(value: str, relative_to: float | None) -> float | None:
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(%|in|cm|mm|pt|pc|px)?\s*", value)
    if not m:
        return None
    number = float(m.group(1))
    unit = m.group(2) or "px"
    if unit == "%":
        return None if relative_to is None else number / 100 * relative_to
    return number * _UNITS[unit]


def _fmt(inches: float) -> str:
    return f"{inches:.2f}".rstrip("0").rstrip(".")


def _close_file(base: Path, raw: str) -> str | None:
    import difflib

    folder = (base / raw).parent
    if not folder.is_dir():
        return None
    names = [p.name for p in folder.iterdir() if p.is_file()]
    close = difflib.get_close_matches(Path(raw).name, names, n=1, cutoff=0.6)
    if not close:
        return None
    parent = str(Path(raw).parent)
    return close[0] if parent in ("", ".") else f"{parent}/{close[0]}"


def raw_name(dest: str) -> str:
    return unquote(urlsplit(dest).path)
