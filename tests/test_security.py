"""Nothing leaked: the build reads only the project, fetches nothing, runs no scripts,
and a killed build leaves no partial output (issue 4, acceptance 3)."""

from __future__ import annotations

import http.server
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, corpus
from octavo.build import build
from octavo.errors import OctavoError

pytestmark = pytest.mark.slow


@pytest.fixture
def server():
    """A local HTTP server that records every request it gets."""
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    httpd.shutdown()


def make_book(tmp_path: Path, chapter: str, *, styles: bool = False) -> Path:
    book = tmp_path / "project" / "book"
    (book / "manuscript").mkdir(parents=True)
    (book / "book.yaml").write_text('title: "Safe"\n', encoding="utf-8")
    (book / "manuscript" / "01-one.md").write_text(chapter, encoding="utf-8")
    if styles:
        shutil.copytree(ROOT / "styles", book / "styles")
    return book


@pytest.mark.parametrize("target", ["/etc/passwd", "../../outside.png", "file:///etc/passwd"])
def test_images_outside_the_project_are_refused(tmp_path: Path, target: str) -> None:
    # check=False: this proves the build's own guard, behind the manuscript checks
    # (which report the same image first, see the last assertion).
    (tmp_path / "project" / "outside.png").parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "project" / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    book = make_book(tmp_path, f"# One\n\nText.\n\n![a picture]({target})\n")
    with pytest.raises(OctavoError) as caught:
        build(book, formats=("pdf", "epub"), check=False)
    message = str(caught.value)
    assert "01-one.md:5:" in message and "outside the project" in message
    assert not list((book / "build").glob("*.epub")) and not list((book / "build").glob("*.pdf"))
    with pytest.raises(OctavoError) as checked:
        build(book, formats=("pdf", "epub"))
    assert "[check]" in str(checked.value)  # with the checks on, they stop the build first


@pytest.mark.parametrize("tag", ['<img src="/etc/hostname" alt="x"/>', '<video poster="../../outside.png"></video>'])
def test_raw_html_sources_are_vetted_too(tmp_path: Path, tag: str) -> None:
    # pandoc embeds the target of a raw <img src=…> in the EPUB, just like a Markdown image
    (tmp_path / "project" / "outside.png").parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "project" / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    book = make_book(tmp_path, f"# One\n\nText {tag} more.\n")
    with pytest.raises(OctavoError) as caught:
        build(book, formats=("epub",), check=False)
    assert "01-one.md:3:" in str(caught.value) and "outside the project" in str(caught.value)


def test_images_inside_the_project_work_with_spaces_in_names(tmp_path: Path) -> None:
    import base64

    book = make_book(tmp_path, "# One\n\n![A dot](images/a%20dot.png)\n")
    (book / "manuscript" / "images").mkdir()
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    (book / "manuscript" / "images" / "a dot.png").write_bytes(png)
    report = build(book, formats=("epub", "pdf"), check=False)
    with zipfile.ZipFile(report.outputs["epub"]) as epub:
        assert any(name.startswith("EPUB/media/") for name in epub.namelist())


def test_network_images_are_refused_and_never_fetched(tmp_path: Path, server) -> None:
    url, requests = server
    book = make_book(tmp_path, f"# One\n\nText.\n\n![a picture]({url}/picture.png)\n")
    with pytest.raises(OctavoError) as caught:
        build(book, formats=("pdf", "epub"), check=False)
    assert "on the network" in str(caught.value)
    assert requests == []


@pytest.mark.parametrize("rule", ['@import url("{url}/evil.css");',
                                  'body {{ background: url("{url}/pixel.png"); }}',
                                  'body {{ background: url("/etc/passwd"); }}',
                                  'body {{ background: url("file:///etc/hostname"); }}'])
def test_stylesheets_cannot_reach_outside_the_project(tmp_path: Path, server, rule: str) -> None:
    url, requests = server
    book = make_book(tmp_path, "# One\n\nText.\n", styles=True)
    css = book / "styles" / "print.css"
    css.write_text(rule.format(url=url) + "\n" + css.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(OctavoError) as caught:
        build(book, formats=("pdf",), check=False)
    assert "refused" in str(caught.value)
    assert requests == []


def test_script_and_iframe_are_removed(tmp_path: Path) -> None:
    book = make_book(tmp_path, "# One\n\nText.\n\n<script>alert(1)</script>\n\n"
                               "<iframe src=\"https://example.com\"></iframe>\n\nMore <b onclick=\"x()\">text</b>.\n")
    report = build(book, formats=("epub", "pdf"), check=False)
    with zipfile.ZipFile(report.outputs["epub"]) as epub:
        xhtml = " ".join(epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml"))
    assert "<script" not in xhtml and "<iframe" not in xhtml and "onclick" not in xhtml
    assert "Text." in xhtml


def test_a_killed_build_leaves_no_partial_output(tmp_path: Path) -> None:
    book = tmp_path / "medium"
    shutil.copytree(corpus("medium"), book)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for delay in (1.5, 4.0):  # during conversion / during layout
        # -j 1: slow enough that the build is surely still running when it is killed
        process = subprocess.Popen([sys.executable, "-m", "octavo", "build", str(book), "--out", str(out),
                                    "-j", "1"],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        time.sleep(delay)
        assert process.poll() is None, "the build finished before it could be killed"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        finished = [p.name for p in out.glob("*") if p.suffix in (".pdf", ".epub")]
        assert finished == [], f"killed after {delay} s, found {finished}"
    # the next build cleans up after the killed one and succeeds
    report = build(book, out_dir=out)
    assert sorted(report.outputs) == ["epub", "pdf", "screen"]
    assert [p.name for p in out.iterdir() if p.name.startswith(".octavo-")] == []
