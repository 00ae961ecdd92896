# octavo: `make` builds the book (PDF + EPUB), `make test` runs the tests.
# The first run creates .venv and installs everything; later runs reuse it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
TOOLS_STAMP := .tools/.installed-$(shell cat tools/package.json tools/package-lock.json | cksum | cut -d' ' -f1)
BOOK   ?= .
OUT    ?=
PORT   ?= 8000
# The test suite on every core, at most 4 (each worker also runs a book's layout workers).
# --dist loadfile: the tests of one file run on one worker, so a book a file builds once
# (a module fixture) is built once; files in their own order, so the slow large-corpus
# file starts mid-run, not last. `make test PARALLEL=` runs the suite in one process.
PARALLEL ?= -n auto --maxprocesses 4 --dist loadfile --no-loadscope-reorder
# The tests' scratch folders, one place per checkout: pytest's default (/tmp/pytest-of-USER/
# pytest-N) is pruned to the last three runs by whichever run starts next, so a run in
# another checkout could delete this run's books under its feet.
PYTEST_TMP ?= /tmp/octavo-tests-$(shell echo "$(CURDIR)" | cksum | cut -d' ' -f1)

.DEFAULT_GOAL := all
.PHONY: all pdf screen epub cover dist check test test-fast tools bench help clean venv

all: $(STAMP)  ## Build everything into build/: print PDF, screen PDF, EPUB
	$(BIN)/octavo build $(BOOK) $(if $(OUT),--out $(OUT))

pdf: $(STAMP)  ## Build the print PDF: build/<slug>.pdf
	$(BIN)/octavo build $(BOOK) --format pdf $(if $(OUT),--out $(OUT))

screen: $(STAMP)  ## Build the screen PDF (cover first, links, tagged): build/<slug>-screen.pdf
	$(BIN)/octavo build $(BOOK) --format screen $(if $(OUT),--out $(OUT))

epub: $(STAMP)  ## Build the EPUB 3: build/<slug>.epub
	$(BIN)/octavo build $(BOOK) --format epub $(if $(OUT),--out $(OUT))

cover: pdf  ## Build the print cover wrap: build/<slug>-cover.pdf
	$(BIN)/octavo cover $(BOOK) $(if $(OUT),--out $(OUT))

dist: $(STAMP)  ## Build if needed, check, and write dist/: <slug>-<version> EPUB, PDFs, covers, SHA256SUMS, MANIFEST
	$(BIN)/octavo dist $(BOOK) $(if $(OUT),--out $(OUT))

.PHONY: proof watch
proof: $(STAMP)  ## Proof sheets of the print PDF's spreads (8 a sheet) and an overview: build/proof/*.png
	$(BIN)/octavo proof $(BOOK) $(if $(OUT),--out $(OUT))

watch: $(STAMP)  ## Rebuild the screen PDF on every save; preview at http://127.0.0.1:8000 (PORT=8001 for another)
	$(BIN)/octavo watch $(BOOK) --port $(PORT) $(if $(OUT),--out $(OUT))

check: $(STAMP)  ## Check the manuscript (footnotes, links, images, text, spelling); never changes it
	$(BIN)/octavo check $(BOOK)

test: $(STAMP) tools  ## Run the whole test suite (builds books; runs EPUBCheck, DAISY Ace, Ghostscript)
	$(BIN)/python -m pytest $(PARALLEL) --basetemp=$(PYTEST_TMP)

test-fast: $(STAMP)  ## Run only the quick unit tests
	$(BIN)/python -m pytest -m "not slow"

bench: $(STAMP)  ## Benchmark against plain pandoc + WeasyPrint on ../shared/corpora (< ~10 min)
	$(BIN)/python scripts/bench.py

venv: $(STAMP)  ## Create .venv and install octavo with its dependencies

tools: $(TOOLS_STAMP)  ## Install the validators the tests use: DAISY Ace (.tools/), Chromium, Ghostscript

$(TOOLS_STAMP): tools/package.json tools/package-lock.json
	@sh scripts/install-tools.sh $@

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

clean:  ## Remove build outputs (keeps .venv)
	rm -rf $(or $(OUT),build)

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12
