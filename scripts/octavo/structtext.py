"""The screen edition's page content, repaired for a screen reader (see structure.py)."""

from __future__ import annotations

import pikepdf


def repair_text(pdf: pikepdf.Pdf) -> None:
    """Running heads and folios as artifacts, word spaces, soft hyphens, link descriptions."""
