"""`octavo watch`: rebuild on save, serve the preview on 127.0.0.1, stop cleanly on Ctrl-C.

Driven as a user drives it: the command in a subprocess, the local server polled."""

from __future__ import annotations

import io
import json
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest
from pypdf import PdfReader

from conftest import make_book

YAML = 'title: "Watch Fixture"\nauthor: "Ann Example"\nprinter: generic\n'
CHAPTER = "# One\n\nThe tide came in over the flats at dusk.\n"
WAIT = 120  # seconds for a build on a loaded two-core machine (a build of this book takes ~3 s)


class Watching:
    """`octavo watch BOOK --port 0` in a subprocess, its stdout read line by line."""

    def __init__(self, book: Path, out: Path, log: Path) -> None:
        self.log = log.open("w+", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "octavo", "watch", str(book), "--port", "0", "--out", str(out), "-j", "1"],
            stdout=subprocess.PIPE, stderr=self.log, text=True, cwd=book)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.descendants: dict[int, psutil.Process] = {}  # every process it started (pandoc, workers)
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._sample, daemon=True).start()
        self.url = self._url()

    def _sample(self) -> None:
        while self.process.poll() is None:
            try:
                for child in psutil.Process(self.process.pid).children(recursive=True):
                    self.descendants.setdefault(child.pid, child)
            except psutil.Error:
                return
            time.sleep(0.02)

    def interrupt(self) -> None:
        """Ctrl-C: exit 0 within seconds, no traceback, no process left behind."""
        self.process.send_signal(signal.SIGINT)
        assert self.process.wait(timeout=15) == 0, self.stderr()
        _, alive = psutil.wait_procs(list(self.descendants.values()), timeout=5)
        assert not alive, f"left running: {[p.pid for p in alive]}"
        assert "Traceback" not in self.stderr()
        assert "watch stopped" in "".join(self.output)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    def _url(self) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                assert self.process.poll() is None, f"octavo watch exited: {self.stderr()}"
                continue
            if match := re.search(r"http://127\.0\.0\.1:(\d+)/", line):
                return match.group(0)
        raise AssertionError(f"no URL printed: {''.join(self.output)}")

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=10) as response:
            return response.read()

    def status(self) -> dict:
        return json.loads(self.get("status"))

    def wait_for_build(self, after: int) -> dict:
        """The status once a build numbered above `after` has finished."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"octavo watch exited: {self.stderr()}"
            status = self.status()
            if status["build"] > after and not status["building"]:
                return status
            time.sleep(0.2)
        raise AssertionError(f"no build after {after} within {WAIT} s: {self.status()}")

    def stderr(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def pdf_text(self) -> str:
        reader = PdfReader(io.BytesIO(self.get("book.pdf")))
        return " ".join(page.extract_text() or "" for page in reader.pages)


def test_only_the_books_sources_start_a_build(tmp_path):
    from octavo.watch import Watcher

    root = make_book(tmp_path / "book", YAML, {"manuscript/01-one.md": CHAPTER})
    watcher = Watcher(root, root / "proofs", 0)
    source = lambda name: watcher._is_source(None, str(root / name))  # noqa: E731
    for name in ("book.yaml", "manuscript/01-one.md", "manuscript/images/map.png", "styles/print.css",
                 "words.txt"):
        assert source(name), name
    for name in ("build/x-screen.pdf", "proofs/book-screen.pdf", "proofs/.cache/ast/1.json", "dist/x.epub", ".git/index",
                 "manuscript/.01-one.md.swp", "manuscript/01-one.md~", "manuscript/#01-one.md#",
                 ".venv/lib/site.py"):
        assert not source(name), name
    assert not watcher._is_source(None, str(tmp_path / "elsewhere.md"))


@pytest.fixture
def book(tmp_path):
    return make_book(tmp_path / "book", YAML, {"manuscript/01-one.md": CHAPTER})


@pytest.fixture
def watching(book, tmp_path):
    """`octavo watch` on the book; killed at teardown if a test left it running."""
    running = Watching(book, tmp_path / "out", tmp_path / "stderr.txt")
    yield running
    if running.process.poll() is None:
        running.process.kill()


@pytest.mark.slow
def test_watch_rebuilds_on_save_and_stops_on_ctrl_c(book, watching):
    first = watching.wait_for_build(0)
    assert first["ok"] is True, first
    assert "tide came in" in watching.pdf_text()
    page = watching.get("/").decode()
    assert "/page/1.png" in page and 'fetch("/status"' in page  # the pages, and the reload poll
    assert watching.get("/page/1.png").startswith(b"\x89PNG")
    # a save: the next build shows the new words
    (book / "manuscript" / "01-one.md").write_text(CHAPTER + "\nA heron stood in the marram grass.\n",
                                                   encoding="utf-8")
    second = watching.wait_for_build(first["build"])
    assert second["ok"] is True, second
    assert "heron stood" in watching.pdf_text()
    assert any("01-one.md" in line for line in second["changed"])
    # only this server's own name is answered (a page elsewhere cannot read the book)
    request = urllib.request.Request(watching.url + "status", headers={"Host": "attacker.example:80"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    assert watching.descendants  # the builds ran processes (pandoc, the checks): none may outlive it
    watching.interrupt()


@pytest.mark.slow
def test_ctrl_c_during_a_build_stops_cleanly(book, watching):
    done = watching.wait_for_build(0)["build"]
    for attempt in range(5):  # catch a build while it runs (this one takes about a second)
        (book / "manuscript" / f"0{attempt + 2}-more.md").write_text(
            f"# More {attempt}\n\n" + "Words on the shore. " * 400 + "\n", encoding="utf-8")
        deadline = time.monotonic() + WAIT  # (noticing a save is test_watch_rebuilds_on_save's to prove)
        while not (status := watching.status())["building"] and status["build"] == done \
                and time.monotonic() < deadline:
            time.sleep(0.01)
        if status["building"]:
            break
        done = status["build"]
    else:
        pytest.skip("no build was caught while it ran")
    time.sleep(0.2)
    watching.interrupt()


@pytest.mark.slow
def test_a_check_error_shows_in_the_page_and_the_watcher_goes_on(book, watching):
    chapter = book / "manuscript" / "01-one.md"
    first = watching.wait_for_build(0)
    assert first["ok"] is True, first
    chapter.write_text(CHAPTER + "\nA call to a note that is not there.[^ghost]\n", encoding="utf-8")
    failed = watching.wait_for_build(first["build"])
    assert failed["ok"] is False
    assert any("footnote-undefined" in error for error in failed["errors"])
    page = watching.get("/").decode()
    assert "did not build" in page and "[^ghost]" in page and "footnote-undefined" in page
    assert "/page/1.png" in page  # the last good pages stay on show
    assert "footnote-undefined" in watching.stderr()  # and the terminal says it too
    # the watcher is still there: the fix builds
    chapter.write_text(CHAPTER + "\nA call to a note that is there.[^ghost]\n\n[^ghost]: Here.\n",
                       encoding="utf-8")
    fixed = watching.wait_for_build(failed["build"])
    assert fixed["ok"] is True, fixed
    assert "did not build" not in watching.get("/").decode()
    watching.interrupt()
