"""Shared fixtures: books built once per test session, into a temporary folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
sys.path.insert(0, str(Path(__file__).parent))  # tests/pdfcheck.py


def make_book(root: Path, yaml_text: str | None, files: dict[str, str | bytes] | None = None) -> Path:
    """A fixture book: book.yaml (unless None) and the given files, text or bytes."""
    root.mkdir(parents=True, exist_ok=True)
    if yaml_text is not None:
        (root / "book.yaml").write_text(yaml_text, encoding="utf-8")
    for name, content in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def corpus(name: str) -> Path:
    path = CORPORA / name
    if not (path / "book.yaml").is_file():
        pytest.skip(f"corpus '{name}' not found at {path} (clone this repo beside ../shared)")
    return path


def corpus_for(name: str, printer: str, folder: Path) -> Path:
    """A copy of a corpus book whose book.yaml names `printer` (the corpora are read-only)."""
    import shutil

    copy = folder / name
    shutil.copytree(corpus(name), copy)
    with (copy / "book.yaml").open("a", encoding="utf-8") as config:
        config.write(f"\nprinter: {printer}\n")
    return copy


@pytest.fixture(scope="session")
def built_pdf(tmp_path_factory):
    """Build a book's print PDF once per session, for KDP (the sample's own book.yaml
    says kdp; the corpora get it added); returns a function name -> PDF path."""
    from octavo.build import build

    cache: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in cache:
            out = tmp_path_factory.mktemp(f"pdf-{name}")
            source = ROOT if name == "sample" else corpus_for(name, "kdp", out)
            report = build(source, formats=("pdf",), out_dir=out / "build")
            cache[name] = report.outputs["pdf"]
            cache[name + ":preflight"] = report.preflight
        return cache[name]

    get.preflight = lambda name: (get(name), cache[name + ":preflight"])[1]
    return get
