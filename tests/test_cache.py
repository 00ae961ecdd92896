"""The cache and the no-op stamp depend on octavo's own code (issue 10: every input)."""

from __future__ import annotations

from pathlib import Path

import octavo.cache as cache_module
from octavo.cache import Cache


def test_an_entry_made_by_other_code_is_not_used(tmp_path: Path, monkeypatch) -> None:
    cache = Cache(tmp_path)
    cache.put("html", "key", b"made by this octavo")
    assert cache.get("html", "key") == b"made by this octavo"
    # The same inputs, laid out by a changed octavo (a fix to WeasyPrint's line breaking,
    # say): the old entry must not come back.
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "changed-code")
    assert cache.get("html", "key") is None


def test_the_code_fingerprint_covers_the_package_files() -> None:
    package = Path(cache_module.__file__).parent
    assert (package / "weasyfix.py").is_file()
    fingerprint = cache_module.code_fingerprint()
    assert len(fingerprint) == 16 and fingerprint == cache_module.code_fingerprint()
