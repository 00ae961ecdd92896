"""Every input of a build, changed on its own, remakes exactly what it shapes (issue 10).

One fixture book is built once, then changed one input at a time and built again;
each step keeps its build report (`redone`: what was made rather than taken from the
cache) and its outputs, and each test below reads one step. The order of the changes
does not matter: every step is measured against the build just before it.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
from conftest import make_book
from test_editions import minimal_cmyk_icc

from octavo import keys
from octavo.build import build
from octavo.styles import DEFAULT_STYLES

pytestmark = pytest.mark.slow

YAML = 'title: "Harbour Lights"\nauthor: "Ann Example"\nlanguage: en\ncover: cover.png\n'
FORMATS = ("pdf", "epub", "screen")
LAYOUT = ("layout-pdf", "folios-pdf")
EVERYTHING_ELSE = ("ast", "html", "prepared", "layout-pdf", "folios-pdf", "epub-book", "screen-pdf",
                   "cover.png", "check-spelling", "check-text", "check-scan")


def _png(colour, size=(600, 400)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG", dpi=(300, 300))
    return out.getvalue()


def _changed_font(path: Path) -> bytes:
    """The same face with a wider space: other bytes, and pages that show it."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(path))
    space = font.getBestCmap()[0x20]
    width, lsb = font["hmtx"][space]
    font["hmtx"][space] = (int(width * 1.5), lsb)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _pdf_images(data: bytes) -> list[bytes]:
    found = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for xobject in page.obj.get("/Resources", {}).get("/XObject", {}).values():
                if xobject.get("/Subtype") == "/Image":
                    found.append(xobject.read_raw_bytes())
                elif xobject.get("/Subtype") == "/Form":
                    for inner in xobject.get("/Resources", {}).get("/XObject", {}).values():
                        if inner.get("/Subtype") == "/Image":
                            found.append(inner.read_raw_bytes())
    return found


def _pdf_text(data: bytes) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


class Step:
    def __init__(self, report) -> None:
        self.report = report
        self.redone = dict(report.redone)
        self.outputs = {kind: path.read_bytes() for kind, path in report.outputs.items()}

    def epub_file(self, suffix: str) -> bytes:
        return next(data for name, data in self.epub_files().items() if name.endswith(suffix))

    def epub_files(self) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(self.outputs["epub"])) as epub:
            return {name: epub.read(name) for name in epub.namelist()}

    def redid(self, *kinds: str) -> bool:
        return any(self.redone.get(kind) for kind in kinds)


@pytest.fixture(scope="module")
def steps(tmp_path_factory) -> dict[str, Step]:
    # The files' dates are pinned: without git or SOURCE_DATE_EPOCH the build dates its
    # files by the newest chapter (sourcedate.py), and a touched chapter would rightly
    # give new dates; these steps are about what is laid out again, not about dates.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOURCE_DATE_EPOCH", "1700000000")
        return _steps(tmp_path_factory)


def _steps(tmp_path_factory) -> dict[str, Step]:
    base = tmp_path_factory.mktemp("keys")
    book = make_book(base / "book", YAML, {
        "manuscript/01-harbour.md": "# The Harbour\n\nThe tide came in at dusk.[^1]\n\n"
                                    "![The harbour map](images/map.png){width=2in}\n\n"
                                    "Boats lay still in the Quoxbridge basin.\n\n[^1]: As it does.\n",
        "manuscript/02-town.md": "# The Town\n\nThe lamps were lit one by one along the quay.\n",
        "manuscript/images/map.png": _png((200, 0, 0)),
        "cover.png": _png((20, 60, 120), (1600, 2560)),
    })
    shutil.copytree(DEFAULT_STYLES, book / "styles")
    out = base / "out"
    steps = {"first": Step(build(book, formats=FORMATS, out_dir=out))}

    def step(name: str, change) -> None:
        change()
        steps[name] = Step(build(book, formats=FORMATS, out_dir=out))

    def touch_unrelated() -> None:
        (book / "notes.txt").write_text("call the printer\n", encoding="utf-8")
        (book / "manuscript" / "02-town.md").touch()

    step("unrelated", touch_unrelated)
    step("image", lambda: (book / "manuscript/images/map.png").write_bytes(_png((0, 0, 200))))
    font = next(p for p in (book / "styles/fonts").iterdir() if p.name == "EBGaramond-Regular.ttf")
    step("font", lambda: font.write_bytes(_changed_font(font)))
    step("print.css", lambda: (book / "styles/print.css").open("a").write("\np { word-spacing: 0.2em; }\n"))
    step("epub.css", lambda: (book / "styles/epub.css").open("a").write("\np { word-spacing: 0.2em; }\n"))
    step("book.yaml", lambda: (book / "book.yaml").write_text(YAML + 'subtitle: "A Night Piece"\n', encoding="utf-8"))
    step("words.txt", lambda: (book / "manuscript/words.txt").write_text("Quoxbridge\n", encoding="utf-8"))
    step("cover", lambda: (book / "cover.png").write_bytes(_png((120, 20, 20), (1600, 2560))))
    step("edit", lambda: (book / "manuscript/02-town.md").write_text(
        "# The Town\n\nThe lamps were lit one by one along the harbour wall.\n", encoding="utf-8"))
    steps["font-file"] = font.read_bytes()
    return steps


def test_the_first_build_makes_everything(steps) -> None:
    first = steps["first"]
    assert first.redone["ast"] == 2 and first.redone["layout-pdf"] == 2
    assert first.redid("epub-book", "screen-pdf", "cover.png", "check-spelling")
    assert any("Quoxbridge" in d.message for d in first.report.diagnostics)


def test_an_unrelated_change_remakes_nothing(steps) -> None:
    step = steps["unrelated"]
    assert not step.report.up_to_date  # a new file in the book folder: the stamp cannot know
    assert step.redone == {}, f"remade for no reason: {step.redone}"
    assert step.outputs == steps["first"].outputs


def test_new_picture_bytes_remake_its_chapter_the_screen_pdf_and_the_epub(steps) -> None:
    before, step = steps["unrelated"], steps["image"]
    assert step.redone.get("layout-pdf") == 1, step.redone  # only the chapter that shows it
    assert not step.redid("ast", "html", "check-spelling", "cover.png")
    assert _pdf_images(step.outputs["pdf"]) != _pdf_images(before.outputs["pdf"])
    assert _png((0, 0, 200)) in step.epub_files().values()
    assert _png((200, 0, 0)) not in step.epub_files().values()
    assert step.outputs["screen"] != before.outputs["screen"]


def test_a_changed_font_lays_out_every_chapter_and_goes_into_the_epub(steps) -> None:
    step = steps["font"]
    assert step.redone.get("layout-pdf") == 2 and step.redid("epub-book", "screen-pdf")
    assert not step.redid("ast", "html", "check-spelling")
    assert step.epub_file("EBGaramond-Regular.ttf") == steps["font-file"]
    assert step.outputs["pdf"] != steps["image"].outputs["pdf"]


def test_print_css_shapes_the_pdfs_only_and_epub_css_the_epub_only(steps) -> None:
    printed, ebook = steps["print.css"], steps["epub.css"]
    assert printed.redone.get("layout-pdf") == 2 and printed.redid("screen-pdf")
    assert not printed.redid("epub-book", "ast", "html", "cover.png")
    assert printed.outputs["epub"] == steps["font"].outputs["epub"]
    assert ebook.redid("epub-book") and not ebook.redid(*LAYOUT, "screen-pdf", "ast", "html")
    assert any(b"word-spacing: 0.2em" in data for name, data in ebook.epub_files().items() if name.endswith(".css"))
    assert ebook.outputs["pdf"] == printed.outputs["pdf"]


def test_a_book_yaml_setting_reaches_the_epub_and_the_title_page_without_reconverting(steps) -> None:
    step = steps["book.yaml"]
    assert not step.redid("ast", "html", "prepared", "layout-pdf")  # the chapters do not show a subtitle
    assert step.redid("epub-book", "screen-pdf", "folios-pdf")
    assert b"A Night Piece" in step.epub_file(".opf")
    assert "A Night Piece" in _pdf_text(step.outputs["pdf"])


def test_words_txt_redoes_the_spelling_check_and_nothing_else(steps) -> None:
    step = steps["words.txt"]
    assert step.redid("check-spelling")
    assert not step.redid("ast", *LAYOUT, "epub-book", "screen-pdf", "cover.png")
    assert not any("Quoxbridge" in d.message for d in step.report.diagnostics)
    assert step.outputs == steps["book.yaml"].outputs


def test_new_cover_art_remakes_the_cover_the_epub_and_the_screen_pdf_only(steps) -> None:
    before, step = steps["words.txt"], steps["cover"]
    assert step.redid("cover.png", "epub-book", "screen-pdf")
    assert not step.redid("ast", *LAYOUT)
    assert step.outputs["pdf"] == before.outputs["pdf"]
    assert step.outputs["screen"] != before.outputs["screen"]
    images = {name: data for name, data in step.epub_files().items() if name.endswith((".png", ".jpg"))}
    assert images.keys() == {n for n in before.epub_files() if n.endswith((".png", ".jpg"))}
    changed = [n for n in images if images[n] != before.epub_files()[n]]
    assert len(changed) == 1 and images[changed[0]] != _png((0, 0, 200)), changed  # the cover, not the map


def test_a_one_chapter_edit_lays_out_that_chapter_once_for_both_editions(steps) -> None:
    """The screen edition is assembled from the print edition's chapter layouts: the
    edited chapter is laid out once, and nothing else is (its page count is unchanged, so
    neither edition's folios are laid out again)."""
    before, step = steps["cover"], steps["edit"]
    assert step.redone.get("layout-pdf") == 1, step.redone
    assert not step.redid("folios-pdf", "screen-pdf", "cover.png"), step.redone
    assert "harbour wall" in _pdf_text(step.outputs["screen"]) and "harbour wall" in _pdf_text(step.outputs["pdf"])
    assert step.outputs["screen"] != before.outputs["screen"]


def test_a_new_colour_profile_under_the_same_name_reaches_the_pdf(tmp_path) -> None:
    book = make_book(tmp_path / "book", 'title: "Harbour"\nprinter: ingramspark\noutput_profile: printer.icc\n',
                     {"printer.icc": minimal_cmyk_icc("First CMYK"),
                      "manuscript/01-a.md": "# Harbour\n\nThe tide came in.\n",
                      "manuscript/02-b.md": "# Town\n\nThe lamps were lit.\n"})
    first = build(book, formats=("pdf",), out_dir=tmp_path / "out")
    (book / "printer.icc").write_bytes(minimal_cmyk_icc("Second CMYK"))
    second = build(book, formats=("pdf",), out_dir=tmp_path / "out")
    assert not second.up_to_date
    assert second.redone.get("layout-pdf") == 2  # the chapters' colours are made with it
    assert not second.redone.get("ast")
    with pikepdf.open(second.outputs["pdf"]) as pdf:  # read before anything else is built there
        profile = pdf.Root.OutputIntents[0].DestOutputProfile.read_bytes()
    assert b"Second CMYK" in profile  # (littleCMS writes the profile again, its header normalised)
    assert first.redone.get("layout-pdf") == 2


def test_style_files_follow_the_urls_a_stylesheet_names(tmp_path) -> None:
    styles_dir = tmp_path / "styles"
    shutil.copytree(DEFAULT_STYLES, styles_dir)
    (styles_dir / "paper.png").write_bytes(_png((250, 250, 240), (10, 10)))
    (styles_dir / "print.css").open("a").write('\nbody { background: url("paper.png"); }\n')
    from octavo.styles import Styles

    fonts = tuple(sorted((styles_dir / "fonts").glob("*.ttf")))
    styles = Styles(styles_dir, styles_dir / "base.css", styles_dir / "print.css", styles_dir / "epub.css",
                    styles_dir / "screen.css", fonts)
    assert (styles_dir / "paper.png").resolve() in keys.style_files(styles, "print")
    assert (styles_dir / "paper.png").resolve() not in keys.style_files(styles, "epub")
    before = keys.styles_key(styles, "print")
    (styles_dir / "paper.png").write_bytes(_png((240, 250, 250), (10, 10)))
    assert keys.styles_key(styles, "print") != before
