"""`octavo watch`: rebuild the screen PDF on every save and show it in a browser.

The main thread watches the book's folder (watchfiles: the operating system's file events,
grouped until saves stop for `QUIET_MS`) and runs the normal build, with its cache and its
no-op stamp, so a save that changes nothing the book reads costs milliseconds. A small
HTTP server on 127.0.0.1 (a thread) serves the preview page, the screen PDF, each page as
a PNG, and /status (the build number): the page polls it and reloads when a build has
finished, where it was scrolled to. A build that fails (a check error, a bad book.yaml)
is shown in the page and on the terminal, and the watcher waits for the next save.
Ctrl-C (or SIGTERM) stops the server and the watcher and exits 0.
"""

from __future__ import annotations

import html
import json
import queue
import re
import signal
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .errors import ConfigError, OctavoError, shown_path

QUIET_MS = 300  # a build starts once saves have stopped for this long (editors write in bursts)
MOST_MS = 2000  # … or after this long of continuous saving
PAGE_CSS_DPI = 96  # a preview page at its real size on a screen
PAGE_DENSITY = 2  # rendered at twice that, sharp on high-density screens
PAGES_KEPT = 64  # rendered page images kept in memory (the ones around where the reader is)
# Folders that are never the book's sources: outputs, version control, environments.
IGNORED_DIRS = {"build", "dist", "node_modules", "__pycache__"}


@dataclass
class BuildState:
    """What the last finished build left; read by the server's threads under `lock`."""

    number: int = 0  # builds finished, failed ones included: the page reloads when it changes
    building: bool = False
    ok: bool | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    finished: str = ""
    # the last screen PDF that built (kept when a later build fails)
    pdf: bytes = b""
    pdf_name: str = ""
    pdf_build: int = 0
    pages: list[tuple[str, float, float]] = field(default_factory=list)  # label, width, height in pt


class Watcher:
    def __init__(self, book_dir: Path, out_dir: Path | None, port: int, *, title: str = "", **build_options) -> None:
        self.root = Path(book_dir).resolve()
        self.out_dir = (out_dir or self.root / "build").resolve()
        self.title, self.port, self.build_options = title, port, build_options
        self.state = BuildState()
        self.lock = threading.Lock()  # guards state, and every PDFium call (it is not thread-safe)
        self.document = None  # the served PDF, opened in PDFium for rendering pages
        self.images: OrderedDict[tuple[int, int], bytes] = OrderedDict()

    # --- the terminal -------------------------------------------------------------------
    def say(self, text: str, *, error: bool = False) -> None:
        print(text, file=sys.stderr if error else sys.stdout, flush=True)

    # --- watching and building ------------------------------------------------------------
    def run(self) -> int:
        import watchfiles

        server = self._server()
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                  name="octavo-preview-server")
        thread.start()
        # Ctrl-C and SIGTERM stop the watcher, even when its parent started it with
        # SIGINT ignored (a shell's background job): the server and the watch end cleanly.
        previous = {number: signal.signal(number, _interrupt) for number in (signal.SIGINT, signal.SIGTERM)}
        # The files are watched from before the first build: a save while it runs (or just
        # after it) is a change to build, not lost between the build and the watch.
        saves: queue.Queue = queue.Queue()
        stop = threading.Event()

        def watch() -> None:
            for changes in watchfiles.watch(self.root, watch_filter=self._is_source, debounce=MOST_MS,
                                            step=QUIET_MS, stop_event=stop, raise_interrupt=False):
                saves.put(changes)

        watcher = threading.Thread(target=watch, name="octavo-watch", daemon=True)
        watcher.start()
        try:
            self.say(f"octavo: preview at {self.url} (the screen PDF: {self.url}book.pdf); "
                     f"watching {shown_path(self.root)}; Ctrl-C stops")
            self.build([])
            while True:
                try:
                    changes = saves.get(timeout=0.2)  # a timeout: Ctrl-C is seen here
                except queue.Empty:
                    continue
                while not saves.empty():  # saves made during the last build: one build for all
                    changes = changes | saves.get_nowait()
                self.build(sorted({Path(path) for _, path in changes}))
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            watcher.join(timeout=5)
            for number, handler in previous.items():
                signal.signal(number, handler)
            server.shutdown()
            server.server_close()
            thread.join()
            with self.lock:
                if self.document is not None:
                    self.document.close()
                    self.document = None
        self.say("octavo: watch stopped")
        return 0

    def _is_source(self, change, path: str) -> bool:
        """A file the book may read: not an output, not a hidden or tool folder, not an
        editor's swap or backup file. (What the build really reads, the stamp decides.)"""
        try:
            relative = Path(path).resolve().relative_to(self.root)
        except (ValueError, OSError):
            return False
        if Path(path).resolve().is_relative_to(self.out_dir):
            return False
        if any(part.startswith(".") or part in IGNORED_DIRS for part in relative.parts[:-1]):
            return False
        name = relative.name
        return not (name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp")))

    def build(self, changed: list[Path]) -> None:
        """One build of the screen PDF; never raises but for Ctrl-C."""
        from .build import build

        shown = [shown_path(p) for p in changed]
        if shown:
            self.say(f"octavo: changed: {', '.join(shown)}")
        with self.lock:
            self.state.building = True
        started = time.monotonic()
        errors: list[str] = []
        warnings: list[str] = []
        pdf = b""
        try:
            report = build(self.root, formats=("screen",), out_dir=self.out_dir, **self.build_options)
            warnings = [str(d) for d in report.diagnostics]
            path = report.outputs["screen"]
            pdf = path.read_bytes()
        except OctavoError as exc:
            errors = [str(d) for d in getattr(exc, "errors", [])] + [str(exc)]
        except Exception as exc:  # a bug in octavo: say so, and keep watching
            errors = [f"octavo: internal error: {type(exc).__name__}: {exc} (please report it)"]
        seconds = time.monotonic() - started
        with self.lock:
            state = self.state
            state.number += 1
            state.building, state.ok = False, not errors
            state.errors, state.warnings, state.changed = errors, warnings, shown
            state.seconds, state.finished = seconds, time.strftime("%H:%M:%S")
            if pdf:
                self._serve_pdf(pdf, path.name)
            number, pages = state.number, len(state.pages)
        for line in errors:
            self.say(line, error=True)
        if errors:
            self.say(f"octavo: build {number} failed; the preview shows the errors; watching for the next save",
                     error=True)
        else:
            if warnings:
                from .checks import summary

                self.say(f"octavo: check: {summary(report.diagnostics)} (octavo check lists them)", error=True)
            self.say(f"octavo: build {number}: {shown_path(path)}, {pages} pages in {seconds:.1f} s")

    def _serve_pdf(self, pdf: bytes, name: str) -> None:
        """Take a freshly built PDF into the server (called with the lock held)."""
        import pypdfium2 as pdfium

        if self.document is not None:
            self.document.close()
        self.document = pdfium.PdfDocument(pdf)
        pages = []
        for index in range(len(self.document)):
            page = self.document[index]
            width, height = page.get_size()
            page.close()
            try:
                label = self.document.get_page_label(index) or str(index + 1)
            except Exception:  # no page labels
                label = str(index + 1)
            pages.append((label, width, height))
        state = self.state
        state.pdf, state.pdf_name, state.pdf_build, state.pages = pdf, name, state.number, pages
        self.images.clear()

    # --- serving --------------------------------------------------------------------------
    def _server(self) -> ThreadingHTTPServer:
        try:
            server = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        except OSError as exc:
            raise ConfigError(f"cannot serve on 127.0.0.1:{self.port} ({exc.strerror or exc})",
                              hint="another program uses that port: pass --port 0 for any free port") from None
        server.daemon_threads = True
        server.watcher = self
        self.port = server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        return server

    def status(self) -> dict:
        with self.lock:
            s = self.state
            return {"build": s.number, "building": s.building, "ok": s.ok, "errors": s.errors,
                    "warnings": s.warnings, "changed": s.changed, "seconds": round(s.seconds, 2),
                    "finished": s.finished, "pages": len(s.pages), "pdf_build": s.pdf_build}

    def pdf(self) -> tuple[bytes, str]:
        with self.lock:
            return self.state.pdf, self.state.pdf_name

    def page_png(self, index: int) -> bytes | None:
        """Page `index` of the served PDF as a PNG (rendered once per build, kept a while)."""
        import io

        with self.lock:
            if self.document is None or not 0 <= index < len(self.document):
                return None
            key = (self.state.pdf_build, index)
            if key in self.images:
                self.images.move_to_end(key)
                return self.images[key]
            page = self.document[index]
            try:
                bitmap = page.render(scale=PAGE_DENSITY * PAGE_CSS_DPI / 72)
                image = bitmap.to_pil().convert("RGB")
            finally:
                page.close()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        data = buffer.getvalue()
        with self.lock:
            self.images[key] = data
            while len(self.images) > PAGES_KEPT:
                self.images.popitem(last=False)
        return data

    def page_html(self) -> str:
        with self.lock:
            state = replace(self.state, pdf=b"", pages=list(self.state.pages))  # a snapshot
        return _page(self.title or self.root.name, state)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


class _Handler(BaseHTTPRequestHandler):
    server_version = "octavo-watch"

    def log_message(self, format: str, *args) -> None:  # the terminal is for builds, not requests
        pass

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        watcher: Watcher = self.server.watcher
        # Only pages of this server: a web page elsewhere must not read the book through a
        # name that resolves to 127.0.0.1 (DNS rebinding).
        host = self.headers.get("Host", "")
        if host not in (f"127.0.0.1:{watcher.port}", f"localhost:{watcher.port}"):
            return self._send(HTTPStatus.FORBIDDEN, b"forbidden\n", "text/plain")
        path = self.path.split("?", 1)[0]
        if path == "/":
            return self._send(HTTPStatus.OK, watcher.page_html().encode(), "text/html; charset=utf-8")
        if path == "/status":
            return self._send(HTTPStatus.OK, json.dumps(watcher.status()).encode(), "application/json")
        if path == "/book.pdf":
            pdf, name = watcher.pdf()
            if not pdf:
                return self._send(HTTPStatus.NOT_FOUND, b"no PDF has built yet\n", "text/plain")
            return self._send(HTTPStatus.OK, pdf, "application/pdf",
                              {"Content-Disposition": f'inline; filename="{name}"'})
        if match := re.fullmatch(r"/page/(\d{1,6})\.png", path):
            png = watcher.page_png(int(match.group(1)) - 1)
            if png is not None:
                return self._send(HTTPStatus.OK, png, "image/png", {"Cache-Control": "max-age=600"})
        return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")

    def _send(self, status: HTTPStatus, body: bytes, kind: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        headers = {"Cache-Control": "no-store", **(headers or {})}
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the browser went on to another page
            pass


def _page(title: str, state: BuildState) -> str:
    """The preview page: the state of the last build, its errors, and the pages."""
    esc = html.escape
    number, building, ok, errors, warnings = state.number, state.building, state.ok, state.errors, state.warnings
    pages, pdf_build, seconds, finished = state.pages, state.pdf_build, state.seconds, state.finished
    if ok is None:
        state = "building the first time…"
    elif ok:
        state = f"build {number} at {finished}: {len(pages)} pages in {seconds:.1f} s"
    else:
        state = f"build {number} at {finished} failed"
    error_block = ""
    if errors:
        shown = "" if not pages else f" The pages below are those of build {pdf_build}, the last that built."
        error_block = (f'<section class="errors" role="alert"><h2>The book did not build.{esc(shown)}</h2>'
                       f'<pre>{esc(chr(10).join(errors))}</pre></section>')
    warning_block = ""
    if warnings:
        warning_block = (f'<details class="warnings"><summary>{len(warnings)} finding'
                         f'{"s" if len(warnings) != 1 else ""} of the checks</summary>'
                         f'<pre>{esc(chr(10).join(warnings))}</pre></details>')
    figures = "\n".join(
        f'<figure id="p{i}"><img src="/page/{i}.png?b={pdf_build}" loading="lazy" alt="Page {esc(label)}" '
        f'width="{round(w * PAGE_CSS_DPI / 72)}" height="{round(h * PAGE_CSS_DPI / 72)}">'
        f'<figcaption>{esc(label)}</figcaption></figure>'
        for i, (label, w, h) in enumerate(pages, start=1))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} — octavo preview</title>
<style>
body {{ margin: 0; background: #e8e6e1; color: #3c3a36; font: 15px/1.4 system-ui, sans-serif; }}
header {{ position: sticky; top: 0; z-index: 1; display: flex; gap: 1.5em; align-items: baseline;
  padding: .6em 1.2em; background: #f7f6f3; border-bottom: 1px solid #b0aca4; }}
header h1 {{ font-size: 1.05em; margin: 0; }}
header a {{ margin-left: auto; color: inherit; }}
#state.building::after {{ content: " · building…"; }}
.errors {{ margin: 1em 1.2em; padding: .6em 1em; background: #fbeaea; border-left: 4px solid #b3261e; }}
.errors h2 {{ font-size: 1em; margin: .2em 0 .5em; color: #8c1d18; }}
pre {{ white-space: pre-wrap; margin: 0; font-size: 13px; }}
.warnings {{ margin: 1em 1.2em; }}
main {{ display: flex; flex-direction: column; align-items: center; gap: 1.2em; padding: 1.2em; }}
figure {{ margin: 0; text-align: center; }}
img {{ display: block; max-width: calc(100vw - 2.4em); height: auto; background: #fff;
  box-shadow: 0 1px 3px rgba(0, 0, 0, .25); }}
figcaption {{ font-size: 12px; color: #78746c; margin-top: .3em; }}
</style></head>
<body>
<header><h1>{esc(title)}</h1><span id="state" class="{'building' if building else ''}">{esc(state)}</span>
<a href="/book.pdf">screen PDF</a></header>
{error_block}{warning_block}
<main>{figures}</main>
<script>
// Reload when a build has finished; the reader stays where they were in the book.
const shown = {number};
const spot = "octavo-preview-scroll";
addEventListener("load", () => {{
  const y = sessionStorage.getItem(spot);
  if (y !== null) {{ scrollTo(0, Number(y)); sessionStorage.removeItem(spot); }}
}});
async function poll() {{
  try {{
    const status = await (await fetch("/status", {{cache: "no-store"}})).json();
    if (status.build !== shown) {{ sessionStorage.setItem(spot, String(scrollY)); location.reload(); return; }}
    document.getElementById("state").classList.toggle("building", status.building);
  }} catch (e) {{ /* the watcher has stopped, or is busy: try again */ }}
  setTimeout(poll, 500);
}}
poll();
</script>
</body></html>
"""
