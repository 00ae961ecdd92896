"""`octavo dist` / `make dist`: the release files in dist/, their checksums and MANIFEST
(issue 13, acceptance 2); a book with a check error is refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from conftest import make_book

OCTAVO = str(Path(sys.executable).parent / "octavo")


def run(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, cwd=cwd, env=env, timeout=900)


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """A new book released with its Makefile's `make dist` (which builds it first)."""
    folder = tmp_path_factory.mktemp("dist") / "release-me"
    assert run(OCTAVO, "new", str(folder)).returncode == 0
    return folder, run("make", "-C", str(folder), "dist", f"OCTAVO={OCTAVO}")


@pytest.mark.slow
def test_dist_writes_the_release(released) -> None:
    folder, done = released
    assert done.returncode == 0, done.stderr
    dist = folder / "dist"
    names = sorted(p.name for p in dist.iterdir())
    assert names == sorted(["release-me-0.1.0.epub", "release-me-0.1.0-print.pdf", "release-me-0.1.0-screen.pdf",
                            "release-me-0.1.0-cover.pdf", "release-me-0.1.0-cover.jpg", "MANIFEST", "SHA256SUMS"])


@pytest.mark.slow
def test_the_checksums_verify(released) -> None:
    folder, _ = released
    dist = folder / "dist"
    checked = run("sha256sum", "-c", "SHA256SUMS", cwd=dist)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    listed = {line.split("  ", 1)[1] for line in (dist / "SHA256SUMS").read_text().splitlines()}
    assert listed == {p.name for p in dist.iterdir()} - {"SHA256SUMS"}



@pytest.mark.slow
def test_the_checksums_can_fail(released, tmp_path) -> None:
    import shutil

    copy = shutil.copytree(released[0] / "dist", tmp_path / "dist")
    (copy / "release-me-0.1.0.epub").write_bytes(b"tampered")
    assert run("sha256sum", "-c", "SHA256SUMS", cwd=copy).returncode != 0


@pytest.mark.slow
def test_the_manifest_says_what_was_released(released) -> None:
    folder, _ = released
    manifest = dict(line.split(":", 1) for line in (folder / "dist" / "MANIFEST").read_text().splitlines()
                    if not line.startswith("file:"))
    manifest = {key: value.strip() for key, value in manifest.items()}
    with pikepdf.open(folder / "dist" / "release-me-0.1.0-print.pdf") as pdf:
        assert manifest["pages"] == str(len(pdf.pages))
    assert manifest["title"] == "Release Me" and manifest["version"] == "0.1.0"
    assert manifest["printer"] == "kdp" and manifest["trim"].startswith("6x9")
    assert manifest["isbn-print"] == "-" and manifest["isbn-ebook"] == "-"
    assert manifest["date"][:4].isdigit()
    assert "octavo " in manifest["tools"] and "pandoc 3" in manifest["tools"] and "WeasyPrint" in manifest["tools"]


@pytest.mark.slow
def test_the_store_cover_is_1600_by_2560(released) -> None:
    folder, _ = released
    with Image.open(folder / "dist" / "release-me-0.1.0-cover.jpg") as image:
        assert image.format == "JPEG" and image.size == (1600, 2560) and image.mode == "RGB"


def test_dist_refuses_a_book_with_a_check_error(tmp_path) -> None:
    book = make_book(tmp_path / "broken", 'title: "Broken"\nversion: "1.0"\n',
                     {"manuscript/01-one.md": "# One\n\nA call to a note that is not there.[^9]\n"})
    done = run(OCTAVO, "dist", str(book))
    assert done.returncode == 1
    assert "01-one.md:3:" in done.stderr and "[footnote-undefined]" in done.stderr, done.stderr
    assert "refused" in done.stderr
    assert not (book / "dist").exists() and not (book / "build").exists()  # nothing built, nothing released


def test_the_version_comes_from_book_yaml_then_the_git_tag(tmp_path) -> None:
    from octavo.config import load_book
    from octavo.dist import DistResult, _version

    book = make_book(tmp_path / "b", 'title: "B"\n', {"manuscript/01-one.md": "# One\n\nText.\n"})
    result = DistResult(folder=tmp_path)
    assert _version(load_book(book), result) == "0.0.0"
    assert "no version in book.yaml and no git tag" in result.messages[0]
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a",
           "GIT_COMMITTER_EMAIL": "a@b"}
    for command in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "one"],
                    ["git", "tag", "v1.2.0"]):
        assert run(*command, cwd=book, env=env).returncode == 0
    assert _version(load_book(book), DistResult(folder=tmp_path)) == "1.2.0"
    (book / "book.yaml").write_text('title: "B"\nversion: 2.0\n')  # a number to YAML
    assert _version(load_book(book), DistResult(folder=tmp_path)) == "2.0"


def test_a_version_must_be_usable_in_a_file_name(tmp_path) -> None:
    from octavo.config import load_book
    from octavo.errors import ConfigError

    book = make_book(tmp_path / "b", 'title: "B"\nversion: "1.0/beta"\n')
    with pytest.raises(ConfigError, match="version"):
        load_book(book)


@pytest.mark.slow
def test_dist_refuses_a_print_pdf_that_fails_preflight(tmp_path) -> None:
    """IngramSpark wants PDF/X with the printer's CMYK profile; without one the print PDF
    fails its preflight, and the release is refused with the reason."""
    book = make_book(tmp_path / "nointent", 'title: "No Intent"\nversion: "1.0"\nprinter: ingramspark\n',
                     {"manuscript/01-one.md": "# One\n\nThe tide came in at dusk.\n"})
    done = run(OCTAVO, "dist", str(book))
    assert done.returncode == 1, done.stderr
    assert "preflight for ingramspark: output-intent" in done.stderr and "output_profile" in done.stderr, done.stderr
    assert "refused" in done.stderr and not (book / "dist").exists()
