#!/bin/sh
# `make tools`: the validators the test suite runs on octavo's outputs.
#  - DAISY Ace (accessibility of the EPUBs), from npm, into .tools/ in this project;
#  - Chromium (Ace's browser, and computed-style tests), Ghostscript (reads PDFs as a
#    printer's RIP does) and Poppler (pdftoppm, pdffonts): system packages, installed with
#    apt-get when this runs as root on Debian/Ubuntu and they are missing.
# Nothing here is needed to build a book. Whatever cannot be installed is reported, and the
# tests that need it are skipped with a message saying so.
set -u
cd "$(dirname "$0")/.."
stamp="$1"

missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v gs >/dev/null 2>&1 || missing="$missing ghostscript"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "tools: installing$missing (apt-get)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; } >/dev/null 2>&1 \
      || echo "tools: apt-get could not install$missing; the tests that need them will be skipped"
  else
    echo "tools: missing$missing; install them (Debian: sudo apt-get install$missing) or the tests that need them are skipped"
  fi
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "tools: npm (Node.js) is missing; the DAISY Ace tests will be skipped (Debian: apt-get install nodejs npm)"
  exit 0
fi
mkdir -p .tools
cp tools/package.json tools/package-lock.json .tools/
# Ace drives the system's Chromium: no browser download for puppeteer or electron.
if (cd .tools && ELECTRON_SKIP_BINARY_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 \
      npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>npm-error.log); then
  rm -f .tools/.installed-* .tools/npm-error.log
  touch "$stamp"
else
  echo "tools: npm could not install DAISY Ace (see .tools/npm-error.log); the Ace tests will be skipped"
fi
exit 0
