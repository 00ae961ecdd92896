#!/usr/bin/env python3
"""Benchmark octavo against what a user would otherwise reach for, on the shared corpora.

For each corpus (small, medium, large under <repo>/../shared/corpora) this measures, in one run
and on the same machine:

  baseline   plain pandoc -> PDF through WeasyPrint, and plain pandoc -> EPUB
  cold       octavo into a fresh --out folder (empty cache): --format pdf, and --format pdf,epub
  edit       octavo again after appending one sentence to the chapter in the middle of the book
  no-op      octavo again with nothing changed
  make       octavo with all three editions (PDF, EPUB, screen PDF), cold and after an edit
  single     octavo --single-pass, cold, PDF only (when octavo has the flag)
  typst      pandoc -> PDF through Typst (only when the `typst` module is importable)

Each command is timed as a whole process tree: wall time, CPU time (user+sys of every descendant,
from RUSAGE_CHILDREN), peak memory (RSS summed over the tree, sampled every 50 ms with psutil),
PDF pages (pypdf) and pages per second. Speed-ups are ratios to the baseline measured in the same
run, because absolute times on a shared machine mean little.

The corpora are never written to: every build runs on a copy in a temporary folder.

    .venv/bin/python scripts/bench.py                       # small, medium, large (< ~10 min)
    .venv/bin/python scripts/bench.py --corpora small       # one corpus
    .venv/bin/python scripts/bench.py --quick               # small only
    .venv/bin/python scripts/bench.py --repeat 3            # best of 3 for every command

Results go to stdout and to docs/benchmarks.md (see --output, --no-write, --json).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = REPO / ".venv" / "bin"
CORPORA_DIR = REPO.parent / "shared" / "corpora"
ALL_CORPORA = ("small", "medium", "large")
DEFAULT_OUTPUT = REPO / "docs" / "benchmarks.md"

# The targets octavo is held to (on the large corpus).
TARGET_COLD_PDF_SPEEDUP = 1.7  # baseline PDF wall / octavo cold PDF wall
TARGET_EDIT_FRACTION = 0.10  # one-chapter edit (PDF+EPUB) wall / cold PDF+EPUB wall
TARGET_NOOP_SECONDS = 0.5  # no-op rebuild wall
# and: peak RSS of the cold PDF+EPUB build <= peak RSS of the baseline

SAMPLE_INTERVAL = 0.05  # seconds between memory samples
COMMAND_TIMEOUT = 1800  # seconds; a hung build must not hang the benchmark forever


def _reexec_in_venv() -> None:
    """`python scripts/bench.py` with a python lacking our imports: run again with the venv's."""
    venv_python = VENV_BIN / "python"
    try:
        import psutil  # noqa: F401
        import pypdf  # noqa: F401
        import yaml  # noqa: F401
    except ImportError:
        in_venv = Path(sys.prefix).resolve() == venv_python.parent.parent.resolve()
        if venv_python.exists() and not in_venv and not os.environ.get("OCTAVO_BENCH_REEXEC"):
            os.environ["OCTAVO_BENCH_REEXEC"] = "1"
            os.execv(str(venv_python), [str(venv_python), __file__, *sys.argv[1:]])
        sys.exit("bench.py needs psutil, pypdf and pyyaml: run `.venv/bin/pip install psutil` "
                 "(pypdf comes with octavo's test extras) and use .venv/bin/python")


_reexec_in_venv()

import psutil  # noqa: E402
import pypdf  # noqa: E402
import yaml  # noqa: E402


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Measuring one command
# --------------------------------------------------------------------------------------------

@dataclass
class Measurement:
    wall: float  # seconds
    cpu: float  # user + sys seconds of the whole process tree
    peak_rss: int  # bytes, RSS summed over the tree, max over samples
    rc: int
    stdout: str = ""
    stderr: str = ""
    samples: int = 0
    other_cpu: float = 0.0  # CPU seconds other processes on the machine used meanwhile (noise)


class TreeMemorySampler(threading.Thread):
    """Every SAMPLE_INTERVAL, sum the RSS of a process and all its descendants; keep the max.

    Processes that live less than one interval may be missed, and pages shared between
    processes (fork, shared libraries) are counted once per process: for a forked worker pool
    the sum overstates what the machine really needs."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.samples = 0
        self._halt = threading.Event()
        self._procs: dict[int, psutil.Process] = {}

    def _process(self, pid: int) -> psutil.Process:
        proc = self._procs.get(pid)
        if proc is None:
            proc = self._procs[pid] = psutil.Process(pid)
        return proc

    def sample(self) -> None:
        try:
            root = self._process(self.pid)
            tree = [root, *root.children(recursive=True)]
        except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
            return
        total = 0
        for proc in tree:
            try:
                proc = self._process(proc.pid)
                total += proc.memory_info().rss
            except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                continue
        self.samples += 1
        self.peak = max(self.peak, total)

    def run(self) -> None:
        next_tick = time.monotonic()
        while not self._halt.is_set():
            self.sample()
            next_tick += SAMPLE_INTERVAL
            self._halt.wait(max(0.0, next_tick - time.monotonic()))

    def stop(self) -> None:
        self._halt.set()
        self.join()


def _busy_cpu() -> float:
    """CPU seconds the whole machine has spent not idle (all CPUs), plus time stolen by the host."""
    t = psutil.cpu_times()
    return sum(getattr(t, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq", "steal"))


def measure(cmd: list[str], *, cwd: Path | None = None) -> Measurement:
    """Run `cmd` once; nothing else of ours runs as a child meanwhile, so the RUSAGE_CHILDREN
    delta is exactly this command's tree (every descendant its parent waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    before_self = resource.getrusage(resource.RUSAGE_SELF)
    busy_before = _busy_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, errors="replace", start_new_session=True)
    sampler = TreeMemorySampler(proc.pid)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        err += f"\n[bench] killed after {COMMAND_TIMEOUT} s"
    wall = time.perf_counter() - started
    sampler.stop()
    busy = _busy_cpu() - busy_before
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    after_self = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    own = (after_self.ru_utime - before_self.ru_utime) + (after_self.ru_stime - before_self.ru_stime)
    return Measurement(wall=wall, cpu=cpu, peak_rss=sampler.peak, rc=proc.returncode,
                       stdout=out, stderr=err, samples=sampler.samples, other_cpu=max(0.0, busy - cpu - own))


def best_of(runs: list[Measurement]) -> Measurement:
    """Best of N: the shortest wall and CPU time, the highest memory peak (the conservative one)."""
    if len(runs) == 1:
        return runs[0]
    fastest = min(runs, key=lambda m: m.wall)
    return Measurement(wall=fastest.wall, cpu=min(m.cpu for m in runs),
                       peak_rss=max(m.peak_rss for m in runs), rc=max(runs, key=lambda m: abs(m.rc)).rc,
                       stdout=fastest.stdout, stderr=fastest.stderr, samples=fastest.samples,
                       other_cpu=fastest.other_cpu)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------

@dataclass
class Row:
    key: str  # baseline-pdf, baseline-epub, baseline-all, cold-pdf, cold-all, edit, noop, single-pdf, typst
    label: str
    command: str
    wall: float | None = None
    cpu: float | None = None
    peak_rss: int | None = None
    pages: int | None = None
    rc: int = 0
    compare_to: str | None = None  # key of the baseline row this one is compared with
    skipped: str | None = None  # why the row was not measured
    reported_seconds: float | None = None  # what octavo itself printed ("built ... in X s")
    other_cpu: float | None = None  # CPU seconds used by other processes on the machine meanwhile
    runs: list[float] = field(default_factory=list)  # wall of every repetition

    @property
    def ok(self) -> bool:
        return self.skipped is None and self.rc == 0 and self.wall is not None


@dataclass
class CorpusResult:
    name: str
    chapters: int
    words: int
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0  # how long this corpus took to benchmark

    def row(self, key: str) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)


def pdf_pages(path: Path | None) -> int | None:
    if path is None or not path.is_file():
        return None
    try:
        return len(pypdf.PdfReader(str(path)).pages)
    except Exception:  # a broken PDF is reported as "no pages", not a crash of the benchmark
        return None


def pdf_bookmarks(path: Path | None) -> int | None:
    """How many entries the PDF outline has (all levels): a cheap check that two layouts agree."""
    if path is None or not path.is_file():
        return None

    def count(items) -> int:
        return sum(count(item) if isinstance(item, list) else 1 for item in items)

    try:
        return count(pypdf.PdfReader(str(path)).outline)
    except Exception:
        return None


def sha256(path: Path) -> str | None:
    if not path or not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def epub_contains(path: Path | None, needle: str) -> bool | None:
    if path is None or not path.is_file():
        return None
    with zipfile.ZipFile(path) as archive:
        return any(needle in archive.read(name).decode("utf-8", "replace")
                   for name in archive.namelist() if name.endswith((".xhtml", ".html")))


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def tail(text: str, lines: int = 3) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return " / ".join(kept)


# --------------------------------------------------------------------------------------------
# Tools
# --------------------------------------------------------------------------------------------

@dataclass
class Tools:
    octavo: str
    pandoc: str
    pandoc_version: str
    weasyprint: str
    weasyprint_version: str
    octavo_version: str
    has_single_pass: bool
    has_jobs: bool
    jobs: int | None  # -j passed to octavo (None: octavo's default)
    typst_version: str | None


def find_tools(jobs: int | None) -> Tools:
    octavo = VENV_BIN / "octavo"
    weasy = VENV_BIN / "weasyprint"
    for tool in (octavo, weasy):
        if not tool.exists():
            sys.exit(f"bench.py: {tool} is missing; run `make venv` first")
    sys.path.insert(0, str(REPO / "scripts"))
    from octavo.tools import find_pandoc  # the pandoc octavo itself uses

    pandoc = find_pandoc()
    version_text = subprocess.run([str(octavo), "--version"], capture_output=True, text=True).stdout
    octavo_version = (re.search(r"octavo (\S+)", version_text) or [None, "?"])[1]
    weasy_version = (re.search(r"WeasyPrint (\S+)", version_text) or [None, "?"])[1]
    help_text = subprocess.run([str(octavo), "build", "--help"], capture_output=True, text=True).stdout
    has_single = "--single-pass" in help_text
    has_jobs = bool(re.search(r"(^|[\s,\[])(-j|--jobs)\b", help_text))
    try:
        import typst  # noqa: F401  (never installed by us; used only when present)

        typst_version = getattr(typst, "__version__", "?")
    except ImportError:
        typst_version = None
    return Tools(octavo=str(octavo), pandoc=pandoc.path, pandoc_version=pandoc.version_text,
                 weasyprint=str(weasy), weasyprint_version=weasy_version, octavo_version=octavo_version,
                 has_single_pass=has_single, has_jobs=has_jobs, jobs=jobs if has_jobs else None,
                 typst_version=typst_version)


def octavo_cmd(tools: Tools, book: Path, out: Path, fmt: str, *, single_pass: bool = False) -> list[str]:
    # "all" means what the baseline makes: the print PDF and the EPUB (octavo's own "all"
    # also makes the screen edition, which the baseline has no counterpart for).
    fmt = {"all": "pdf,epub", "three": "pdf,epub,screen"}.get(fmt, fmt)  # "three": what `make` builds
    cmd = [tools.octavo, "build", str(book), "--out", str(out), "--format", fmt]
    if single_pass and tools.has_single_pass:
        cmd.append("--single-pass")
    if tools.jobs is not None:
        cmd += ["-j", str(tools.jobs)]
    return cmd


def shown(cmd: list[str], replacements: dict[str, str]) -> str:
    """A command as the table shows it: long temp paths and tool paths shortened."""
    text = " ".join(f"'{c}'" if " " in c else c for c in cmd)
    for long, short in sorted(replacements.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(long, short)
    return text


# --------------------------------------------------------------------------------------------
# One corpus
# --------------------------------------------------------------------------------------------

def chapter_paths(book: Path) -> list[Path]:
    """The chapters octavo builds, in its reading order (asked from octavo itself)."""
    try:
        from octavo.config import load_book
        from octavo.manuscript import read_manuscript

        return [c.path for c in read_manuscript(load_book(book)).chapters]
    except Exception as exc:  # octavo's internals moved: same rule as its README
        log(f"could not ask octavo for the chapter list ({exc}); using NN-*.md in number order")
        found = [p for p in book.iterdir() if re.match(r"^\d+-.+\.md$", p.name)]
        return sorted(found, key=lambda p: (int(p.name.split("-", 1)[0]), p.name))


def middle_chapter(chapters: list[Path]) -> int:
    """The chapter holding the middle byte of the manuscript: the middle of the book as a reader
    sees it. (len//2 can land on a one-line part divider, which is not a representative edit.)"""
    sizes = [p.stat().st_size for p in chapters]
    half, running = sum(sizes) / 2, 0
    for index, size in enumerate(sizes):
        running += size
        if running >= half:
            return index
    return len(chapters) // 2


def bench_corpus(name: str, tools: Tools, repeat: int, edit_index: int | None, keep: bool,
                 single_pass: bool) -> CorpusResult:
    started = time.monotonic()
    source = CORPORA_DIR / name
    if not (source / "book.yaml").is_file():
        sys.exit(f"bench.py: corpus {source} not found (expected book.yaml there)")
    tmp = Path(tempfile.mkdtemp(prefix=f"octavo-bench-{name}-"))
    try:
        return _bench_corpus(name, source, tmp, tools, repeat, edit_index, single_pass, started)
    finally:
        if keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _make_writable(root: Path) -> None:
    """Give the owner write permission on a copied tree (to edit a chapter, and to delete it)."""
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o200)


def _bench_corpus(name: str, source: Path, tmp: Path, tools: Tools, repeat: int,
                  edit_index: int | None, single_pass: bool, started: float) -> CorpusResult:
    book = tmp / "book"
    shutil.copytree(source, book)  # builds read the copy: the corpus stays untouched
    _make_writable(book)  # the corpora are read-only, and so is a copy of them
    chapters = chapter_paths(book)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in chapters)
    title = str((yaml.safe_load((book / "book.yaml").read_text(encoding="utf-8")) or {}).get("title", name))
    result = CorpusResult(name=name, chapters=len(chapters), words=words)
    short = {str(tmp): "$TMP", tools.octavo: "octavo", tools.pandoc: "pandoc", tools.weasyprint: "weasyprint"}

    def record(key: str, label: str, cmd: list[str], runs: list[Measurement], pages: int | None,
               compare_to: str | None) -> Row:
        m = best_of(runs)
        reported = re.search(r" in ([\d.]+) s\b", m.stdout)
        row = Row(key=key, label=label, command=shown(cmd, short), wall=m.wall, cpu=m.cpu, peak_rss=m.peak_rss,
                  pages=pages, rc=m.rc, compare_to=compare_to, runs=[r.wall for r in runs],
                  reported_seconds=float(reported.group(1)) if reported else None, other_cpu=m.other_cpu)
        if m.rc != 0:
            row.skipped = f"failed (exit {m.rc}): {tail(m.stderr)}"
            result.notes.append(f"{label}: exit {m.rc}: {tail(m.stderr, 6)}")
        result.rows.append(row)
        log(f"{name}: {label}: {m.wall:.2f} s wall, {m.cpu:.2f} s CPU, "
            f"{m.peak_rss / 2**20:.0f} MiB peak" + (f", {pages} pages" if pages else "")
            + (f" [exit {m.rc}]" if m.rc else ""))
        return row

    # (a) The baseline: plain pandoc, chapters concatenated, in a folder of copies.
    base = tmp / "baseline"
    base.mkdir()
    copies = []
    for path in chapters:
        shutil.copyfile(path, base / path.name)
        copies.append(path.name)
    meta = ["--metadata", f"title={title}"]
    cmd_pdf = [tools.pandoc, *copies, "-o", "book.pdf", f"--pdf-engine={tools.weasyprint}", *meta]
    cmd_epub = [tools.pandoc, *copies, "-o", "book.epub", *meta]
    short_cmd = lambda cmd: [c for c in cmd if c not in copies[1:-1]]  # noqa: E731  (table: first…last chapter)
    runs = [measure(cmd_pdf, cwd=base) for _ in range(repeat)]
    base_pdf = record("baseline-pdf", "baseline: pandoc → PDF (WeasyPrint)",
                      short_cmd(cmd_pdf)[:2] + ["…"] + short_cmd(cmd_pdf)[2:], runs, pdf_pages(base / "book.pdf"), None)
    if "duplicate" in best_of(runs).stderr.lower():
        result.notes.append("baseline: pandoc warned about duplicate note labels (expected: labels restart "
                            "per chapter and plain pandoc concatenates the files).")
    runs = [measure(cmd_epub, cwd=base) for _ in range(repeat)]
    base_epub = record("baseline-epub", "baseline: pandoc → EPUB",
                       short_cmd(cmd_epub)[:2] + ["…"] + short_cmd(cmd_epub)[2:], runs, None, None)
    together = Row(key="baseline-all", label="baseline: PDF + EPUB (sum)", command="both of the above")
    if base_pdf.ok and base_epub.ok:
        together.wall = base_pdf.wall + base_epub.wall
        together.cpu = base_pdf.cpu + base_epub.cpu
        together.peak_rss = max(base_pdf.peak_rss, base_epub.peak_rss)  # they run one after the other
        together.pages = base_pdf.pages
        together.other_cpu = (base_pdf.other_cpu or 0) + (base_epub.other_cpu or 0)
    else:
        together.skipped = "a baseline command failed"
    result.rows.append(together)

    def cold(fmt: str, tag: str, single_pass: bool = False) -> tuple[list[Measurement], Path, list[str]]:
        runs, out, cmd = [], tmp / "unused", []
        for rep in range(repeat):
            if out.exists() and out.name != "unused":
                shutil.rmtree(out)  # keep only the last cold output (disk, and the warm state for edits)
            out = tmp / f"out-{tag}-{rep}"
            cmd = octavo_cmd(tools, book, out, fmt, single_pass=single_pass)
            runs.append(measure(cmd))
        return runs, out, cmd

    def output(out: Path, suffix: str) -> Path | None:
        found = sorted(p for p in out.glob(f"*{suffix}") if not p.name.endswith("-screen.pdf"))  # the print PDF
        return found[0] if found else None

    # (b) Cold builds into a fresh --out (so an empty cache): PDF alone (against the baseline PDF),
    # then PDF + EPUB; the last PDF + EPUB output is the warm state for the edit and no-op runs.
    runs, out, cmd = cold("pdf", "pdf")
    cold_pdf = record("cold-pdf", "octavo cold, PDF", cmd, runs, pdf_pages(output(out, ".pdf")), "baseline-pdf")
    cold_marks = pdf_bookmarks(output(out, ".pdf"))
    shutil.rmtree(out, ignore_errors=True)
    runs, out, cmd = cold("all", "all")
    cold_all = record("cold-all", "octavo cold, PDF + EPUB", cmd, runs, pdf_pages(output(out, ".pdf")),
                      "baseline-all")
    cache = out / ".cache"
    result.notes.append(f"cache after a cold build: {dir_size(cache) / 2**20:.1f} MiB in {cache.name}/"
                        if cache.exists() else "no .cache folder in --out after a cold build "
                                               "(octavo has no per-chapter cache yet?)")

    # (c) One chapter edited in the middle of the book, rebuilt into the same --out.
    index = middle_chapter(chapters) if edit_index is None else min(max(edit_index, 0), len(chapters) - 1)
    edited = chapters[index]
    pdf_path, epub_path = output(out, ".pdf"), output(out, ".epub")
    pages_before, pdf_hash = (cold_all.pages, sha256(pdf_path)) if pdf_path else (None, None)
    runs, verify = [], []
    cmd = octavo_cmd(tools, book, out, "all")
    for rep in range(repeat):
        sentence = f"This sentence was appended by the octavo benchmark, edit number {rep + 1}."
        with edited.open("a", encoding="utf-8") as handle:
            handle.write(f"\n\n{sentence}\n")
        runs.append(measure(cmd))
        pdf_path, epub_path = output(out, ".pdf"), output(out, ".epub")
        new_hash = sha256(pdf_path)
        verify.append((epub_contains(epub_path, sentence), new_hash is not None and new_hash != pdf_hash))
        pdf_hash = new_hash
    edit_pages = pdf_pages(pdf_path)
    record("edit", f"octavo, 1 chapter edited ({edited.name[:3]}…)", cmd, runs, edit_pages, "baseline-all")
    in_epub = all(v[0] for v in verify)
    pdf_changed = all(v[1] for v in verify)
    result.notes.append(
        f"edit: appended one sentence to chapter {index + 1} of {len(chapters)}, `{edited.name}` "
        f"({edited.stat().st_size / 1024:.0f} KiB, the chapter holding the middle byte of the book); "
        f"sentence found in the rebuilt EPUB: {'yes' if in_epub else 'NO'}; "
        f"PDF rewritten with new content: {'yes' if pdf_changed else 'NO'}; "
        f"PDF pages {pages_before} → {edit_pages}.")

    # (d) Nothing changed.
    before = {p.name: (p.stat().st_mtime_ns, sha256(p)) for p in (output(out, ".pdf"), output(out, ".epub")) if p}
    runs = [measure(cmd) for _ in range(repeat)]
    noop = record("noop", "octavo, nothing changed", cmd, runs, pdf_pages(output(out, ".pdf")), "baseline-all")
    after = {p.name: (p.stat().st_mtime_ns, sha256(p)) for p in (output(out, ".pdf"), output(out, ".epub")) if p}
    rewritten = [n for n in before if before[n][0] != after.get(n, (None,))[0]]
    changed = [n for n in before if before[n][1] != after.get(n, (None, None))[1]]
    said = best_of(runs).stdout.strip().splitlines()
    said = said[-1] if said else ""
    said = re.sub(r"\S*/(?=[^/\s]+\.(pdf|epub)\b)", "", said)  # file names without the temp folder
    result.notes.append(
        f"no-op: outputs rewritten: {', '.join(rewritten) or 'none'}; content changed: {', '.join(changed) or 'none'}"
        + (f"; octavo said “{said}”" if said else "")
        + (f" (its own {noop.reported_seconds:.1f} s; the rest of the {noop.wall:.2f} s wall is process start-up "
           "and imports)" if noop.reported_seconds is not None else "") + ".")
    shutil.rmtree(out, ignore_errors=True)

    # (d2) What `make` does: all three editions (print PDF, EPUB, screen PDF), cold, then after
    # a one-chapter edit (issue 11's targets compare these with the PDF and PDF + EPUB rows).
    runs, out, cmd = cold("three", "three")
    record("cold-three", "octavo cold, PDF + EPUB + screen (make)", cmd, runs, pdf_pages(output(out, ".pdf")),
           "baseline-all")
    runs = []
    for rep in range(repeat):
        with edited.open("a", encoding="utf-8") as handle:
            handle.write(f"\n\nThis sentence was appended by the octavo benchmark, three editions, {rep + 1}.\n")
        runs.append(measure(cmd))
    record("edit-three", "octavo, 1 chapter edited, PDF + EPUB + screen (make)", cmd, runs,
           pdf_pages(output(out, ".pdf")), "baseline-all")
    shutil.rmtree(out, ignore_errors=True)

    # (e) Single-pass layout, cold, PDF only (compare with "octavo cold, PDF").
    if tools.has_single_pass and single_pass:
        runs, out, cmd = cold("pdf", "single", single_pass=True)
        single = record("single-pdf", "octavo --single-pass cold, PDF", cmd, runs, pdf_pages(output(out, ".pdf")),
                        "baseline-pdf")
        single_marks = pdf_bookmarks(output(out, ".pdf"))
        if cold_pdf.ok and single.ok:
            same = cold_pdf.pages == single.pages and cold_marks == single_marks
            result.notes.append(
                f"layouts {'agree' if same else '**DISAGREE**'}: default cold PDF has {cold_pdf.pages} pages and "
                f"{cold_marks} bookmarks, --single-pass {single.pages} pages and {single_marks} bookmarks.")
        shutil.rmtree(out, ignore_errors=True)
    elif not tools.has_single_pass:
        result.rows.append(Row(key="single-pdf", label="octavo --single-pass cold, PDF", command="",
                               skipped="octavo build has no --single-pass flag"))
    else:
        result.rows.append(Row(key="single-pdf", label="octavo --single-pass cold, PDF", command="",
                               skipped="skipped (--no-single-pass)"))

    # (f) pandoc -> Typst, only when typst is importable (never installed by this script).
    typst_bin = shutil.which("typst")
    if tools.typst_version is not None and typst_bin:
        cmd_typst = [tools.pandoc, *copies, "-o", "book-typst.pdf", f"--pdf-engine={typst_bin}", *meta]
        runs = [measure(cmd_typst, cwd=base) for _ in range(repeat)]
        record("typst", "pandoc → PDF (Typst)", short_cmd(cmd_typst)[:2] + ["…"] + short_cmd(cmd_typst)[2:],
               runs, pdf_pages(base / "book-typst.pdf"), "baseline-pdf")
    else:
        why = ("the typst module is not installed" if tools.typst_version is None
               else "the typst module has no `typst` executable on PATH for pandoc")
        result.rows.append(Row(key="typst", label="pandoc → PDF (Typst)", command="", skipped=why))

    result.seconds = time.monotonic() - started
    return result


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------

def _f(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _ratio(num: float | None, den: float | None) -> str:
    if not num or not den:
        return "–"
    return f"{num / den:.2f}×"


NOISY_SHARE = 0.10  # others used more than 10 % of one CPU on average during a run: flag it


def corpus_table(res: CorpusResult) -> list[str]:
    short = {"baseline-pdf": "baseline PDF", "baseline-all": "baseline PDF + EPUB"}
    lines = [f"### {res.name}: {res.chapters} chapters, {res.words:,} words",
             "",
             "| run | wall s | CPU s | peak RSS MiB | PDF pages | pages/s | compared with | speed-up (wall) "
             "| CPU ratio | memory ratio | others' CPU s |",
             "|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|"]
    noisy = []
    for row in res.rows:
        if not row.ok:
            lines.append(f"| {row.label} | {row.skipped or 'failed'} |" + " |" * 9)
            continue
        base = res.row(row.compare_to) if row.compare_to else None
        base = base if base and base.ok else None
        pps = row.pages / row.wall if row.pages else None
        flag = row.other_cpu is not None and row.other_cpu > NOISY_SHARE * row.wall
        if flag:
            noisy.append(row.label)
        lines.append("| " + " | ".join([
            row.label, _f(row.wall) + (" ⚠" if flag else ""), _f(row.cpu),
            _f(row.peak_rss / 2**20 if row.peak_rss else None, 0),
            str(row.pages) if row.pages else "–", _f(pps, 1),
            short.get(row.compare_to, "–") if base else "(reference)",
            _ratio(base.wall, row.wall) if base else "–",
            _ratio(base.cpu, row.cpu) if base else "–",
            _ratio(row.peak_rss, base.peak_rss) if base else "–",
            _f(row.other_cpu, 1),
        ]) + " |")
    lines += ["",
              "speed-up = baseline wall ÷ this wall (higher is faster); CPU ratio = baseline CPU ÷ this CPU; "
              "memory ratio = this peak ÷ baseline peak (lower is leaner). Each octavo row is compared with "
              "the baseline doing the same work: PDF rows with the baseline PDF, PDF + EPUB rows with the sum "
              "of both baseline commands. The baseline lays out Letter pages with pandoc's default style, octavo "
              "6 × 9 in pages with notes at the foot, so their page counts differ. others' CPU s = CPU time "
              "used by other processes on the machine during the run; ⚠ marks runs where that exceeded "
              f"{NOISY_SHARE:.0%} of one CPU (their times are less trustworthy).", ""]
    notes = list(res.notes)
    if noisy:
        which = "every run" if len(noisy) == sum(r.ok for r in res.rows) else ", ".join(noisy)
        notes.insert(0, f"⚠ the machine was busy with other work during: {which}; "
                        "run again on a quiet machine (or with --repeat 3) before drawing conclusions.")
    if notes:
        lines += ["Notes:", ""] + [f"- {note}" for note in notes] + [""]
    lines += ["Commands ($TMP is a fresh temporary copy of the corpus):", "", "```"]
    lines += [f"{row.key:13} {row.command}" for row in res.rows if row.ok and row.command
              and row.key != "baseline-all"]
    lines += ["```", ""]
    return lines


def target_checks(res: CorpusResult) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met?) for one corpus; met is None when it could not be measured."""
    r = {k: res.row(k) for k in ("baseline-pdf", "baseline-all", "cold-pdf", "cold-all", "edit", "noop")}
    ok = {k: v is not None and v.ok for k, v in r.items()}
    checks: list[tuple[str, str, bool | None]] = []
    if ok["baseline-pdf"] and ok["cold-pdf"]:
        speedup = r["baseline-pdf"].wall / r["cold-pdf"].wall
        checks.append((f"cold PDF ≥ {TARGET_COLD_PDF_SPEEDUP}× faster than baseline PDF",
                       f"{speedup:.2f}×", speedup >= TARGET_COLD_PDF_SPEEDUP))
    else:
        checks.append((f"cold PDF ≥ {TARGET_COLD_PDF_SPEEDUP}× faster than baseline PDF", "not measured", None))
    if ok["edit"] and ok["cold-all"]:
        frac = r["edit"].wall / r["cold-all"].wall
        checks.append((f"one-chapter edit (PDF + EPUB) ≤ {TARGET_EDIT_FRACTION:.0%} of cold build",
                       f"{frac:.0%} ({r['edit'].wall:.2f} s of {r['cold-all'].wall:.2f} s)",
                       frac <= TARGET_EDIT_FRACTION))
    else:
        checks.append((f"one-chapter edit (PDF + EPUB) ≤ {TARGET_EDIT_FRACTION:.0%} of cold build",
                       "not measured", None))
    if ok["noop"]:
        checks.append((f"no-op rebuild < {TARGET_NOOP_SECONDS} s", f"{r['noop'].wall:.2f} s",
                       r["noop"].wall < TARGET_NOOP_SECONDS))
    else:
        checks.append((f"no-op rebuild < {TARGET_NOOP_SECONDS} s", "not measured", None))
    # Issue 11's targets for `make` (all three editions).
    three = {k: res.row(k) for k in ("cold-three", "edit-three")}
    if all(v is not None and v.ok for v in three.values()) and ok["cold-pdf"] and ok["edit"]:
        cold3, edit3 = three["cold-three"].wall, three["edit-three"].wall
        checks.append((f"make after a one-chapter edit ≤ {TARGET_EDIT_FRACTION:.0%} of a cold make",
                       f"{edit3 / cold3:.0%} ({edit3:.2f} s of {cold3:.2f} s)", edit3 / cold3 <= TARGET_EDIT_FRACTION))
        checks.append(("make after an edit ≤ 2 × the PDF + EPUB edit", f"{edit3 / r['edit'].wall:.2f}×",
                       edit3 <= 2 * r["edit"].wall))
        checks.append(("cold make ≤ 1.25 × cold PDF", f"{cold3 / r['cold-pdf'].wall:.2f}×",
                       cold3 <= 1.25 * r["cold-pdf"].wall))
        if ok["baseline-all"]:
            mine, theirs = three["cold-three"].peak_rss, r["baseline-all"].peak_rss
            checks.append(("peak memory of a cold make ≤ baseline peak",
                           f"{mine / 2**20:.0f} MiB vs {theirs / 2**20:.0f} MiB", mine <= theirs))
    if ok["cold-all"] and ok["baseline-all"]:
        mine, theirs = r["cold-all"].peak_rss, r["baseline-all"].peak_rss
        checks.append(("peak memory of cold build (PDF + EPUB) ≤ baseline peak",
                       f"{mine / 2**20:.0f} MiB vs {theirs / 2**20:.0f} MiB", mine <= theirs))
    else:
        checks.append(("peak memory of cold build (PDF + EPUB) ≤ baseline peak", "not measured", None))
    return checks


def _met(flag: bool | None) -> str:
    return {True: "✅ met", False: "❌ not met", None: "– not measured"}[flag]


def machine_info() -> dict[str, str]:
    cpu_model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu_model = platform.processor() or "?"
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    ram = psutil.virtual_memory().total
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {"nproc": str(usable), "cpu": cpu_model, "ram": f"{ram / 2**30:.1f} GiB", "load": load,
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version()}


def git_state() -> str:
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return head + (" with uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def report(results: list[CorpusResult], tools: Tools, machine: dict[str, str], args: argparse.Namespace,
           total_seconds: float) -> str:
    now = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    flags = []
    flags.append("--single-pass: yes" if tools.has_single_pass else "--single-pass: not available")
    flags.append(f"-j: {tools.jobs if tools.jobs is not None else 'octavo default'}" if tools.has_jobs
                 else "-j: not available")
    lines = [
        "# octavo benchmarks",
        "",
        "<!-- Written by scripts/bench.py; edit the script, not this file. -->",
        "",
        f"- **Date:** {now}",
        f"- **Machine:** {machine['nproc']} CPUs ({machine['cpu']}), {machine['ram']} RAM, {machine['os']}, "
        f"load average at start {machine['load']}",
        f"- **Versions:** octavo {tools.octavo_version} (git {git_state()}), pandoc {tools.pandoc_version}, "
        f"WeasyPrint {tools.weasyprint_version}, Python {machine['python']}"
        + (f", typst {tools.typst_version}" if tools.typst_version else ""),
        f"- **octavo flags:** {'; '.join(flags)}",
        f"- **Run:** `{' '.join(['scripts/bench.py', *args.argv])}`"
        + f" — best of {args.repeat} per command, {total_seconds / 60:.1f} min in all",
        "",
        "Times on a shared machine are noisy: read the **ratios** to the baseline, measured in the same run on "
        "the same machine, rather than the absolute seconds. Baseline = what a user would otherwise run: "
        "`pandoc chapters… -o book.pdf --pdf-engine=weasyprint` and `pandoc chapters… -o book.epub` "
        "(the same pandoc and WeasyPrint octavo uses).",
        "",
        "## Targets",
        "",
    ]
    large = next((r for r in results if r.name == "large"), None)
    if large:
        lines += ["Measured on the large corpus:", "", "| target | measured | |", "|---|---|---|"]
        lines += [f"| {t} | {m} | {_met(ok)} |" for t, m, ok in target_checks(large)]
    else:
        lines += ["The targets are set for the **large** corpus, which this run did not include "
                  "(`--corpora large` or no option measures it). Their values on the corpora that were run, "
                  "for information only:"]
    others = [r for r in results if r.name != "large"]
    if others:
        lines += ["", "| target (informational) | " + " | ".join(r.name for r in others) + " |",
                  "|---|" + "---|" * len(others)]
        per = [target_checks(r) for r in others]
        for i, (target, _, _) in enumerate(per[0]):
            lines.append(f"| {target} | " + " | ".join(
                f"{checks[i][1]} {_met(checks[i][2]).split()[0]}" for checks in per) + " |")
    lines += ["",
              "Memory is the peak of the RSS summed over the whole process tree (sampled every "
              f"{int(SAMPLE_INTERVAL * 1000)} ms); pages shared between forked workers are counted once per "
              "process, so a parallel build is charged more than it really uses. CPU is user + system time of "
              "every process in the tree.",
              "", "## Results", ""]
    for res in results:
        lines += corpus_table(res)
    lines += [
        "## How to reproduce",
        "",
        "```sh",
        "make bench                                         # all three corpora, < ~10 min on 2 cores",
        ".venv/bin/python scripts/bench.py --corpora small  # one corpus (or --quick)",
        ".venv/bin/python scripts/bench.py --repeat 3       # best of 3 for every command",
        "```",
        "",
        "The corpora are read from `../shared/corpora/{small,medium,large}` and never written to: every build "
        "runs on a temporary copy. The script needs `psutil` and `pypdf` in `.venv` (octavo's test extras). "
        "It rewrites this file unless given `--no-write`; `--json FILE` also saves the raw numbers.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark octavo against plain pandoc + WeasyPrint.")
    parser.add_argument("--corpora", default=",".join(ALL_CORPORA),
                        help="comma-separated corpora to run (default: small,medium,large)")
    parser.add_argument("--quick", action="store_true", help="small corpus only")
    parser.add_argument("--repeat", type=int, default=1, help="run every command N times, keep the best (default 1)")
    parser.add_argument("-j", "--jobs", type=int, default=None,
                        help="pass -j N to octavo (when it has the flag); default: octavo's own default")
    parser.add_argument("--edit-chapter", type=int, default=None, metavar="INDEX",
                        help="0-based index of the chapter to edit (default: the one holding the middle byte)")
    parser.add_argument("--no-single-pass", action="store_true",
                        help="skip the optional --single-pass run (saves one full layout per corpus)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="Markdown report (default docs/benchmarks.md)")
    parser.add_argument("--no-write", action="store_true", help="print the report only")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw numbers to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary build folders")
    args = parser.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else argv
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    names = ["small"] if args.quick else [n.strip() for n in args.corpora.split(",") if n.strip()]
    unknown = [n for n in names if n not in ALL_CORPORA]
    if unknown or not names:
        parser.error(f"unknown corpus {', '.join(unknown) or '(none)'}; choose from {', '.join(ALL_CORPORA)}")

    started = time.monotonic()
    machine = machine_info()
    tools = find_tools(args.jobs)
    if args.jobs is not None and not tools.has_jobs:
        log("octavo build has no -j flag: --jobs ignored")
    if not tools.has_single_pass:
        log("octavo build has no --single-pass flag: that run is skipped")
    # Warm the OS file cache (Python imports, fonts, the pandoc binary) so that whichever command
    # runs first does not pay for it alone.
    for cmd in ([tools.octavo, "--version"], [tools.weasyprint, "--version"], [tools.pandoc, "--version"]):
        subprocess.run(cmd, capture_output=True)

    results = []
    for name in names:
        log(f"corpus {name}")
        results.append(bench_corpus(name, tools, args.repeat, args.edit_chapter, args.keep,
                                    not args.no_single_pass))
        log(f"corpus {name} done in {results[-1].seconds:.0f} s")
    text = report(results, tools, machine, args, time.monotonic() - started)
    print(text)
    if not args.no_write:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        log(f"wrote {args.output}")
    if args.json:
        args.json.write_text(json.dumps({
            "machine": machine, "tools": asdict(tools),
            "corpora": [{**asdict(r), "targets": target_checks(r)} for r in results],
        }, indent=2, default=str), encoding="utf-8")
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
