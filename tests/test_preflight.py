"""Preflight: each fixture PDF has one problem and must fail on exactly that check;
a clean 6x9 book passes everything for KDP."""

from __future__ import annotations

import json

import pikepdf
import pytest
from PIL import Image

from octavo.preflight import PRINTERS, Finding, gutter_for, preflight, table, to_json

KDP = PRINTERS["kdp"]
INGRAM = PRINTERS["ingramspark"]


def _png(tmp_path, px: int) -> str:
    path = tmp_path / f"img{px}.png"
    Image.new("L", (px, px), 128).save(path)
    return path.as_uri()


def weasy(path, pages: int, *, size="6in 9in", margin="0.75in", inside=None, img=None):
    """A WeasyPrint book of `pages` pages, one short paragraph each (fonts fully embedded)."""
    from weasyprint import HTML
    page_css = f"@page {{ size: {size}; margin: {margin}; }}"
    if inside is not None:
        page_css += (f"@page :right {{ margin-left: {inside}; }}"
                     f"@page :left {{ margin-right: {inside}; }}")
    body = "".join(f'<p style="break-after: page">Page {i + 1} of a fixture book. '
                   "A line of ordinary words that runs across the measure to the far side.</p>"
                   for i in range(pages - 1))
    body += "<p>The last page.</p>"
    if img:
        body = f'<img src="{img}" style="width: 2in; display: block">' + body
    html = f"<html><head><style>{page_css} body {{ margin: 0; font-family: serif; font-size: 10pt }}</style>" \
           f"</head><body>{body}</body></html>"
    HTML(string=html).write_pdf(path, full_fonts=True)
    return path


def crafted(path, pages: int, content: bytes, resources: dict | None = None, *,
            size=(432, 648), output_intent=True):
    """A pikepdf PDF whose every page draws `content`."""
    pdf = pikepdf.new()
    for _ in range(pages):
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=pikepdf.Array([0, 0, *size]),
            Contents=pdf.make_stream(content),
            Resources=pikepdf.Dictionary(resources or {}))
        pdf.pages.append(pikepdf.Page(page))
    if output_intent:
        icc = pdf.make_stream(b"not a real profile", N=4)
        pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
            OutputConditionIdentifier=pikepdf.String("FOGRA39"), DestOutputProfile=icc)])
    pdf.save(path)
    return path


def statuses(findings: list[Finding]) -> dict[str, str]:
    return {f.check: f.status for f in findings}


def fails(findings) -> set[str]:
    return {f.check for f in findings if f.status == "fail"}


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("preflight")


@pytest.fixture(scope="module")
def clean(tmp):
    return weasy(tmp / "clean.pdf", 24, img=_png(tmp, 600))   # 600 px at 2 in = 300 ppi


def test_clean_6x9_passes_everything_for_kdp(clean):
    findings = preflight(clean, KDP)
    assert all(f.status == "pass" for f in findings), table(findings)
    s = statuses(findings)
    for check in ("trim", "page-size", "boxes", "page-count", "even-pages", "fonts-embedded",
                  "fonts-full", "annotations", "margin-inside", "margin-outside", "margin-top",
                  "margin-bottom", "image-ppi", "file-size"):
        assert s[check] == "pass"
    m = {f.check: f for f in findings}
    assert m["margin-top"].measured.startswith("0.7")       # text starts near the 0.75 in margin
    assert m["image-ppi"].measured == "300 ppi"


def test_low_resolution_image_fails(tmp):
    pdf = weasy(tmp / "lowres.pdf", 24, img=_png(tmp, 300))  # 300 px at 2 in = 150 ppi
    findings = preflight(pdf, KDP)
    assert fails(findings) == {"image-ppi"}, table(findings)
    f = next(f for f in findings if f.check == "image-ppi")
    assert f.measured == "150 ppi" and f.page == 1


def test_trim_not_in_kdp_list_fails(tmp):
    pdf = weasy(tmp / "trim.pdf", 24, size="6.5in 9.5in")
    findings = preflight(pdf, KDP)
    assert fails(findings) == {"trim"}, table(findings)
    assert "6.5x9.5" in next(f for f in findings if f.check == "trim").measured
    # generic takes any size
    assert "trim" not in fails(preflight(pdf, PRINTERS["generic"]))


def test_gutter_too_small_for_page_count_fails(tmp):
    pdf = weasy(tmp / "gutter.pdf", 160, margin="0.75in", inside="0.4in")
    findings = preflight(pdf, KDP)
    assert fails(findings) == {"margin-inside"}, table(findings)
    f = next(f for f in findings if f.check == "margin-inside")
    assert f.limit == ">= 0.500 in" and f.measured.startswith("0.4")
    assert f.page % 2 == 1      # a recto: inside is on the left


def test_same_gutter_passes_for_a_short_book(tmp):
    pdf = weasy(tmp / "gutter-short.pdf", 24, margin="0.75in", inside="0.4in")
    assert "margin-inside" not in fails(preflight(pdf, KDP))


def test_verso_inside_margin_is_on_the_right(tmp):
    # only versos have the small inside margin
    from weasyprint import HTML
    css = ("@page { size: 6in 9in; margin: 0.75in } @page :left { margin-right: 0.3in }"
           "body { margin: 0 } p { text-align: justify; break-after: page }")
    words = " ".join(["word"] * 80)
    HTML(string=f"<style>{css}</style>" + f"<p>{words}</p>" * 24).write_pdf(
        tmp / "verso.pdf", full_fonts=True)
    f = next(f for f in preflight(tmp / "verso.pdf", KDP) if f.check == "margin-inside")
    assert f.status == "fail" and f.page % 2 == 0, f


def test_subset_fonts_warn_for_kdp_only(tmp):
    from weasyprint import HTML
    HTML(string="<style>@page { size: 6in 9in; margin: 0.75in } p { break-after: page }</style>"
         + "<p>Subset me.</p>" * 24).write_pdf(tmp / "subset.pdf")     # default: real subsets
    s = statuses(preflight(tmp / "subset.pdf", KDP))
    assert s["fonts-full"] == "warn" and s["fonts-embedded"] == "pass"
    assert "fail" not in s.values()
    assert statuses(preflight(tmp / "subset.pdf", PRINTERS["lulu"]))["fonts-full"] == "pass"


def test_odd_page_count_fails(tmp):
    pdf = weasy(tmp / "odd.pdf", 25)
    findings = preflight(pdf, KDP)
    assert fails(findings) == {"even-pages"}, table(findings)


HELVETICA = {"/Font": pikepdf.Dictionary(F1=pikepdf.Dictionary(
    Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))}
TEXT = b"BT /F1 11 Tf 72 540 Td (Hello, unembedded world) Tj ET"


def test_unembedded_font_fails(tmp):
    pdf = crafted(tmp / "font.pdf", 24, TEXT, HELVETICA, output_intent=False)
    findings = preflight(pdf, KDP)
    assert fails(findings) == {"fonts-embedded"}, table(findings)
    assert "Helvetica" in next(f for f in findings if f.check == "fonts-embedded").message


def test_rgb_in_pdfx_job_fails(tmp):
    rect = b"0 0 0 1 k 72 72 288 504 re f "      # CMYK: fine
    pdf = crafted(tmp / "cmyk.pdf", 24, rect)
    assert not fails(preflight(pdf, INGRAM)), table(preflight(pdf, INGRAM))
    pdf = crafted(tmp / "rgb.pdf", 24, rect + b"1 0 0 rg 100 100 50 50 re f")
    findings = preflight(pdf, INGRAM)
    assert fails(findings) == {"colour"}, table(findings)
    assert "rg operator" in next(f for f in findings if f.check == "colour").message
    # KDP has no PDF/X requirement: RGB is fine there
    assert "colour" not in statuses(preflight(pdf, KDP))


def test_rgb_colour_space_and_missing_output_intent(tmp):
    pdf = crafted(tmp / "rgbcs.pdf", 24, b"/DeviceRGB cs 1 0 0 sc 100 100 50 50 re f",
                  output_intent=False)
    assert fails(preflight(pdf, INGRAM)) == {"colour", "output-intent"}


def test_transparency_in_pdfx1a_job_fails(tmp):
    gs = {"/ExtGState": pikepdf.Dictionary(GS1=pikepdf.Dictionary(ca=0.5))}
    pdf = crafted(tmp / "transp.pdf", 24, b"/GS1 gs 0 0 0 1 k 72 72 288 504 re f", gs)
    assert fails(preflight(pdf, INGRAM)) == {"transparency"}


def test_annotations_warn_for_kdp(tmp):
    pdf = crafted(tmp / "annots.pdf", 24, b"0 g 72 72 288 504 re f", output_intent=False)
    with pikepdf.open(pdf, allow_overwriting_input=True) as p:
        p.pages[0].obj.Annots = p.make_indirect(pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 72, 100, 100])]))
        p.save(pdf)
    s = statuses(preflight(pdf, KDP))
    assert s["annotations"] == "warn" and "fail" not in s.values()


def test_page_count_over_kdp_limit_says_what_fits(tmp):
    pdf = crafted(tmp / "long.pdf", 1400, b"0 g 72 72 288 504 re f", output_intent=False)
    f = next(f for f in preflight(pdf, KDP) if f.check == "page-count")
    assert f.status == "fail" and f.measured == "1400"
    assert "2 volumes" in f.message and "larger trim" in f.message


def test_boxes_inconsistent_fails(tmp):
    pdf = crafted(tmp / "boxes.pdf", 24, b"0 g 72 72 288 504 re f", output_intent=False)
    with pikepdf.open(pdf, allow_overwriting_input=True) as p:
        for page in p.pages:
            page.obj.TrimBox = pikepdf.Array([0, 0, 432, 648])
            page.obj.BleedBox = pikepdf.Array([9, 9, 423, 639])     # smaller than the trim
        p.save(pdf)
    assert fails(preflight(pdf, KDP)) == {"boxes"}


def test_bleed_pages_measure_from_trimbox(tmp):
    # KDP outside bleed: MediaBox 6.125x9.25 in, TrimBox 6x9; full-bleed art is not a margin
    from weasyprint import HTML
    css = ("@page { size: 6in 9in; margin: 0.75in }"
           "@page :right { bleed: 0.125in 0.125in 0.125in 0 }"
           "@page :left { bleed: 0.125in 0 0.125in 0.125in }"
           "body { margin: 0 } p { margin: 0; break-after: page }")
    HTML(string=f"<style>{css}</style>" + "<p>Some text on a page.</p>" * 24).write_pdf(
        tmp / "bleed.pdf", full_fonts=True)
    findings = preflight(tmp / "bleed.pdf", KDP)
    assert not fails(findings), table(findings)
    m = {f.check: f for f in findings}
    assert m["trim"].measured == "6x9 in"
    assert m["margin-top"].measured.startswith("0.7"), m["margin-top"]   # from the TrimBox


def test_gutter_rows():
    assert [gutter_for(KDP, n) for n in (24, 150, 151, 300, 301, 600, 828, 900)] == \
        [0.375, 0.375, 0.5, 0.5, 0.625, 0.75, 0.875, 0.875]


def test_table_and_json(clean):
    findings = preflight(clean, KDP)
    text = table(findings)
    assert text.splitlines()[0].split()[:4] == ["STATUS", "CHECK", "MEASURED", "LIMIT"]
    assert len(text.splitlines()) == len(findings) + 1
    data = json.loads(to_json(findings))
    assert {"check", "status", "measured", "limit", "page", "message"} <= set(data[0])
    assert len(data) == len(findings)
