"""The cache and the no-op stamp depend on octavo's own code (issue 10: every input)."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def _picture(colour) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (600, 400), colour).save(out, "PNG", dpi=(300, 300))
    return out.getvalue()


def _pdf_images(path) -> list[bytes]:
    import pikepdf

    found = []

    def walk(resources, seen):
        for xobject in (resources or {}).get("/XObject", {}).values():
            if xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            if xobject.get("/Subtype") == "/Image":
                found.append(xobject.read_bytes())
            elif xobject.get("/Subtype") == "/Form":
                walk(xobject.get("/Resources"), seen)

    with pikepdf.open(path) as pdf:
        seen: set = set()
        for page in pdf.pages:
            walk(page.obj.get("/Resources"), seen)
    return found


@pytest.mark.slow
def test_a_new_picture_under_the_same_name_is_rebuilt_everywhere(tmp_path) -> None:
    """Issue 10's stale-image bug: replace map.png and run the build again."""
    import zipfile

    from conftest import make_book

    from octavo.build import build

    book = make_book(tmp_path / "book", 'title: "Maps"\n',
                     {"manuscript/01-a.md": "# Maps\n\n![The harbour map](images/map.png){width=2in}\n\nText.\n",
                      "manuscript/images/map.png": _picture((200, 0, 0))})
    out = tmp_path / "out"
    first = build(book, formats=("pdf", "epub", "screen"), out_dir=out, check=False)
    before = {kind: path.read_bytes() for kind, path in first.outputs.items()}
    red = _pdf_images(first.outputs["pdf"])
    (book / "manuscript/images/map.png").write_bytes(_picture((0, 0, 200)))
    second = build(book, formats=("pdf", "epub", "screen"), out_dir=out, check=False)
    assert not second.up_to_date, "the no-op check missed the new picture"
    assert _pdf_images(second.outputs["pdf"]) != red
    assert second.outputs["screen"].read_bytes() != before["screen"]
    with zipfile.ZipFile(second.outputs["epub"]) as epub:
        media = [n for n in epub.namelist() if "/media/" in n]
        assert epub.read(media[0]) == _picture((0, 0, 200))
