"""Editions and printer presets, read back from the PDFs: trim and page boxes per
preset, bleed, crop marks, even page counts, the gutter by page count, PDF/X colour,
and the screen edition (cover first, no blank pages, live links, tagged)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from conftest import ROOT
from octavo.build import build
from octavo.preflight import PRINTERS, failed, preflight

PT = 72.0
pytestmark = pytest.mark.slow


def sample_with(tmp_path: Path, extra_yaml: str, chapters: int = 0) -> Path:
    """The sample book with lines added to book.yaml; `chapters` extra copies of the long
    chapter make it longer (about 13 pages each)."""
    book = tmp_path / "book"
    book.mkdir()
    yaml_text = (ROOT / "book.yaml").read_text(encoding="utf-8")
    for key in ("printer", "bleed", "marks"):  # replaced, not repeated (duplicate keys are an error)
        yaml_text = "\n".join(line for line in yaml_text.splitlines() if not line.startswith(f"{key}:"))
    (book / "book.yaml").write_text(yaml_text + "\n" + extra_yaml + "\n", encoding="utf-8")
    shutil.copytree(ROOT / "manuscript", book / "manuscript")
    long = (book / "manuscript" / "02-great-leap.md").read_text(encoding="utf-8")
    for n in range(chapters):
        # Note labels stay unique per chapter file; the heading names the copy.
        (book / "manuscript" / f"{n + 3:02d}-again-{n}.md").write_text(
            long.replace("# Maoist economics 1.0", f"# Copy {n + 1}: Maoist economics 1.0", 1), encoding="utf-8")
    return book


def boxes(pdf_path: Path, name: str) -> list[list[float]]:
    with pikepdf.open(pdf_path) as pdf:
        return [[round(float(v), 2) for v in page.obj.get("/" + name, page.obj.MediaBox)] for page in pdf.pages]


def outside_trim(pdf_path: Path) -> int:
    """How many things (characters, lines, rectangles, curves, images) are drawn outside
    the TrimBox: crop marks live there, nothing else of ours should."""
    count = 0
    with pikepdf.open(pdf_path) as pdf:
        trims = [[float(v) for v in p.obj.get("/TrimBox", p.obj.MediaBox)] for p in pdf.pages]
    with pdfplumber.open(pdf_path) as plumber:
        for page, trim in zip(plumber.pages, trims):
            height = float(page.mediabox[3])
            x0, y0, x1, y1 = trim[0], height - trim[3], trim[2], height - trim[1]  # top-down like pdfplumber
            for obj in [*page.chars, *page.lines, *page.rects, *page.curves, *page.images]:
                if obj["x1"] <= x0 + 0.1 or obj["x0"] >= x1 - 0.1 or obj["bottom"] <= y0 + 0.1 \
                        or obj["top"] >= y1 - 0.1:
                    count += 1
    return count


def minimal_cmyk_icc(description: str = "Test CMYK") -> bytes:
    """A tiny but valid ICC output profile in CMYK (header, description, white point):
    enough for littleCMS to open, which is all WeasyPrint asks of a profile."""
    import struct

    text = description.encode("ascii") + b"\0"
    desc = b"desc" + b"\0" * 4 + struct.pack(">I", len(text)) + text + b"\0" * 81
    white = struct.pack(">iii", int(0.9642 * 65536), 65536, int(0.8249 * 65536))
    tags = [(b"desc", desc + b"\0" * (-len(desc) % 4)), (b"wtpt", b"XYZ " + b"\0" * 4 + white)]
    offset = 128 + 4 + 12 * len(tags)
    table, data = struct.pack(">I", len(tags)), b""
    for signature, body in tags:
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    header = (struct.pack(">I", offset + len(data)) + b"lcms" + struct.pack(">I", 0x02100000) + b"prtrCMYKLab "
              + struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acspAPPL" + b"\0" * 24 + white + b"lcms")
    return header + b"\0" * (128 - len(header)) + table + data


def statuses(findings) -> dict[str, str]:
    return {f.check: f.status for f in findings}


# --- print presets ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def kdp_bleed(tmp_path_factory) -> tuple[Path, object]:
    """About 40 pages for KDP with bleed."""
    book = sample_with(tmp_path_factory.mktemp("kdp-bleed"), "printer: kdp\nbleed: true", chapters=2)
    report = build(book, formats=("pdf",))
    return report.outputs["pdf"], report


def test_kdp_bleed_media_box_is_trim_plus_outside_bleed(kdp_bleed) -> None:
    pdf, _ = kdp_bleed
    media, trim, bleed = boxes(pdf, "MediaBox"), boxes(pdf, "TrimBox"), boxes(pdf, "BleedBox")
    assert {(m[2] - m[0], m[3] - m[1]) for m in media} == {(441.0, 666.0)}  # 6.125 x 9.25 in
    assert {(t[2] - t[0], t[3] - t[1]) for t in trim} == {(432.0, 648.0)}    # 6 x 9 in
    # No bleed on the spine edge: rectos bleed to the right, versos to the left.
    for index, (m, t, b) in enumerate(zip(media, trim, bleed)):
        assert (t[1] - m[1], m[3] - t[3]) == (9, 9), f"page {index + 1}"
        assert (t[0] - m[0], m[2] - t[2]) == ((0, 9) if index % 2 == 0 else (9, 0)), f"page {index + 1}"
        assert b[0] <= t[0] and b[2] >= t[2] and b[1] <= t[1] and b[3] >= t[3]


def test_kdp_book_has_an_even_page_count_and_passes_preflight(kdp_bleed) -> None:
    pdf, report = kdp_bleed
    with pikepdf.open(pdf) as doc:
        pages = len(doc.pages)
    assert pages % 2 == 0 and 36 <= pages <= 60
    checks = statuses(report.preflight)
    assert report.printer == "kdp" and not failed(report.preflight), report.preflight
    assert checks["margin-inside"] == checks["boxes"] == checks["annotations"] == "pass"


def test_inside_margin_meets_kdp_row_for_a_40_page_book(kdp_bleed) -> None:
    pdf, _ = kdp_bleed
    inside = next(f for f in preflight(pdf, PRINTERS["kdp"]) if f.check == "margin-inside")
    assert inside.status == "pass" and inside.limit == ">= 0.375 in"  # KDP: 24-150 pages
    assert float(inside.measured.split()[0]) >= 0.375


def test_no_crop_marks_for_print_on_demand(kdp_bleed) -> None:
    pdf, _ = kdp_bleed
    assert outside_trim(pdf) == 0


def test_crop_marks_for_an_offset_printer(tmp_path: Path) -> None:
    """The control for the test above: `marks: crop` does draw outside the trim."""
    book = sample_with(tmp_path, "printer: generic\nmarks: crop")
    pdf = build(book, formats=("pdf",)).outputs["pdf"]
    media, trim = boxes(pdf, "MediaBox"), boxes(pdf, "TrimBox")
    assert all(m[2] - m[0] > t[2] - t[0] for m, t in zip(media, trim))
    assert outside_trim(pdf) > 0


def test_lulu_bleeds_on_every_side(tmp_path: Path) -> None:
    book = sample_with(tmp_path, "printer: lulu\nbleed: true")
    report = build(book, formats=("pdf",))
    media, trim = boxes(report.outputs["pdf"], "MediaBox"), boxes(report.outputs["pdf"], "TrimBox")
    assert {(m[2] - m[0], m[3] - m[1]) for m in media} == {(450.0, 666.0)}  # 6.25 x 9.25 in
    assert {(t[0] - m[0], t[1] - m[1], m[2] - t[2], m[3] - t[3]) for m, t in zip(media, trim)} == {(9, 9, 9, 9)}
    assert len(media) >= 32 and len(media) % 2 == 0  # padded to Lulu's minimum
    assert outside_trim(report.outputs["pdf"]) == 0  # bleed, but no crop marks
    assert any("blank pages" in note for note in report.notes)


def test_gutter_follows_the_page_count_with_a_second_pass(tmp_path: Path, monkeypatch) -> None:
    """A printer whose gutter row changes at 20 pages: the first layout (24 pages) needs
    the wider row, so the book is laid out again with it."""
    import octavo.printers as printers

    wide = dataclasses.replace(printers.PRINTERS["kdp"], gutter=((1, 20, 0.5), (21, 10_000, 1.25)))
    monkeypatch.setitem(printers.PRINTERS, "kdp", wide)
    book = sample_with(tmp_path, "printer: kdp")
    report = build(book, formats=("pdf",))
    assert any(note.startswith("second layout pass") and "24 pages need" in note for note in report.notes)
    inside = next(f for f in report.preflight if f.check == "margin-inside")
    assert inside.status == "pass" and float(inside.measured.split()[0]) >= 1.25


def test_ingramspark_gets_pdf_x1a_in_pure_black(tmp_path: Path) -> None:
    book = sample_with(tmp_path, "printer: ingramspark\noutput_profile: printer.icc")
    (book / "printer.icc").write_bytes(minimal_cmyk_icc("Stand-in CMYK"))
    report = build(book, formats=("pdf",))
    checks = statuses(report.preflight)
    assert not failed(report.preflight), [f for f in report.preflight if f.status == "fail"]
    assert checks["pdfx"] == checks["output-intent"] == checks["colour"] == checks["transparency"] == "pass"
    with pikepdf.open(report.outputs["pdf"]) as pdf:
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFX" and b"Stand-in CMYK" in intent.DestOutputProfile.read_bytes()
        assert str(pdf.trailer.Info.GTS_PDFXVersion).startswith("PDF/X-1")


def test_ingramspark_without_a_profile_fails_preflight_with_the_fix(tmp_path: Path) -> None:
    book = sample_with(tmp_path, "printer: ingramspark")
    report = build(book, formats=("pdf",))
    intent = next(f for f in report.preflight if f.check == "output-intent")
    assert intent.status == "fail" and "output_profile" in intent.message


@pytest.mark.parametrize("pages", [24, 150, 151, 300, 301, 500, 501, 600, 700, 701, 828, 1140])
def test_kdp_geometry_meets_the_gutter_row_of_every_page_count(tmp_path: Path, pages: int) -> None:
    """page_geometry, the margins every KDP build is laid out with, for each row of the
    gutter table (at 6x9, the trim of the long books above)."""
    from conftest import make_book
    from octavo.config import load_book
    from octavo.pdf import page_geometry
    from octavo.printers import gutter_for

    book = load_book(make_book(tmp_path / "book", 'title: "Rows"\nprinter: kdp\ntrim: "6x9"\n',
                               {"manuscript/01-a.md": "# A\n\nText.\n"}))
    assert page_geometry(book, pages).inner >= gutter_for(PRINTERS["kdp"], pages) + 1 / 16


@pytest.mark.parametrize("name", ["sample", "small", "medium"])
def test_real_builds_pass_kdp_preflight(built_pdf, name: str) -> None:
    findings = built_pdf.preflight(name)
    assert findings and not failed(findings), [f for f in findings if f.status == "fail"]
    # and measured again from the file alone, as `octavo preflight` does
    assert not failed(preflight(built_pdf(name), PRINTERS["kdp"]))


# --- the screen edition -----------------------------------------------------------------

@pytest.fixture(scope="module")
def screen(tmp_path_factory) -> Path:
    book = sample_with(tmp_path_factory.mktemp("screen"), "printer: kdp")
    return build(book, formats=("screen", "pdf")).outputs["screen"]


def test_screen_edition_opens_with_the_cover(screen: Path) -> None:
    with pdfplumber.open(screen) as pdf:
        first = pdf.pages[0]
        images = first.images
        assert len(images) == 1 and not first.chars
        image = images[0]
        # The picture covers the page, centred (what it has beyond one pair of edges is
        # cut off equally): it was once limited to a figure's height and pushed up, its top
        # cut off and white paper below it.
        assert image["x0"] <= 0.5 and image["top"] <= 0.5
        assert image["x1"] >= float(first.width) - 0.5 and image["bottom"] >= float(first.height) - 0.5
        assert abs(image["top"] + image["bottom"] - float(first.height)) < 1, (image["top"], image["bottom"])
    rows = _rendered_rows(screen)
    assert max(rows[-3:]) < 252, f"the foot of the cover is blank paper: {rows[-3:]}"


def _rendered_rows(pdf_path: Path) -> list[float]:
    """The mean grey of each row of the first page, drawn by PDFium at 20 dpi."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf_path))
    try:
        image = document[0].render(scale=20 / 72).to_pil().convert("L")
    finally:
        document.close()
    width, height = image.size
    pixels = image.tobytes()
    return [sum(pixels[y * width:(y + 1) * width]) / width for y in range(height)]


def test_screen_edition_has_no_blank_pages(screen: Path) -> None:
    with pdfplumber.open(screen) as pdf:
        blank = [page.page_number for page in pdf.pages if not page.chars and not page.images]
    assert blank == []


def test_screen_edition_has_symmetric_margins(screen: Path) -> None:
    """The text block sits in the middle of every page: the widest lines of all body
    pages leave the same room left and right (versos included)."""
    lefts, rights = {0: [], 1: []}, {0: [], 1: []}
    with pdfplumber.open(screen) as pdf:
        for page in pdf.pages[4:]:
            body = [c for c in page.chars if 60 < c["top"] < float(page.height) - 60]
            lefts[page.page_number % 2].append(min(c["x0"] for c in body))
            rights[page.page_number % 2].append(float(page.width) - max(c["x1"] for c in body))
    for side in (0, 1):
        assert abs(min(lefts[side]) - min(rights[side])) < 2, (side, min(lefts[side]), min(rights[side]))


def test_screen_edition_has_live_links_bookmarks_and_tags(screen: Path) -> None:
    with pikepdf.open(screen) as pdf:
        links = [a for page in pdf.pages for a in page.obj.get("/Annots", []) if a.Subtype == "/Link"]
        assert len(links) >= 2  # the contents: one link per entry (issue 11), each chapter's title
        page_objects = {page.obj.objgen for page in pdf.pages}
        internal = [a for a in links if "/Dest" in a or ("/A" in a and "/D" in a.A)]
        for link in internal:
            dest = link.Dest if "/Dest" in link else link.A.D
            if isinstance(dest, pikepdf.Array):
                assert dest[0].objgen in page_objects
        assert pdf.Root.MarkInfo.Marked is True and "/StructTreeRoot" in pdf.Root
        assert str(pdf.open_metadata().get("pdfuaid:part")) == "1"  # PDF/UA-1
        with pdf.open_outline() as outline:
            assert len(outline.root) >= 2
        assert str(pdf.Root.PageLabels.Nums[1].P) == "Cover"


def test_print_edition_has_no_links_for_a_print_on_demand_printer(kdp_bleed) -> None:
    pdf, _ = kdp_bleed
    with pikepdf.open(pdf) as doc:
        assert sum(len(page.obj.get("/Annots", [])) for page in doc.pages) == 0
