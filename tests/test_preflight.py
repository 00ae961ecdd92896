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
                  "fonts-full", "font-names", "annotations", "content-streams", "margin-inside",
                  "margin-outside", "margin-top", "margin-bottom", "image-ppi", "file-size"):
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
    # An offset printer (generic) does not print links: octavo's own links are no finding.
    assert statuses(preflight(pdf, PRINTERS["generic"]))["annotations"] == "pass"
    with pikepdf.open(pdf, allow_overwriting_input=True) as p:
        p.pages[0].obj.Annots.append(p.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[72, 72, 100, 100])))
        p.save(pdf)
    assert statuses(preflight(pdf, PRINTERS["generic"]))["annotations"] == "warn"  # a comment would print


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


# --- geometry: Form XObjects, white fills, invisible text ------------------------------

def _form(pdf, content: bytes, matrix=(1, 0, 0, 1, 0, 0), resources: dict | None = None):
    return pdf.make_stream(content, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                           BBox=pikepdf.Array([-1000, -1000, 2000, 2000]),
                           Matrix=pikepdf.Array(list(matrix)),
                           Resources=pikepdf.Dictionary(resources or {}))


def with_forms(path, pages: int, content: bytes, make_resources):
    """Like `crafted`, but `make_resources(pdf)` builds the page resources (Form XObjects
    need the pdf to be made in)."""
    pdf = pikepdf.new()
    resources = pikepdf.Dictionary(make_resources(pdf))
    for _ in range(pages):
        pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=pikepdf.Array([0, 0, 432, 648]),
            Contents=pdf.make_stream(content), Resources=resources)))
    pdf.save(path)
    return path


def margins(findings) -> dict[str, Finding]:
    return {f.check.removeprefix("margin-"): f for f in findings if f.check.startswith("margin-")}


BODY = b"0 g 72 72 288 504 re f "       # a black block with 1 in margins all round


def test_content_inside_nested_form_xobjects_is_measured(tmp):
    # page cm translates 6 pt; the outer form's /Matrix scales by 2; the inner form's
    # translates 5 pt; the rect starts at x=1 in the inner form: 6 + 2 * (5 + 1) = 18 pt =
    # 0.25 in from the left edge, below KDP's 0.375 in gutter on rectos (composing the
    # matrices in the wrong order would give 6 + 2 * 1 + 5 = 13 pt). Only forms draw.
    def res(pdf):
        inner = _form(pdf, b"0 g 1 100 20 40 re f", (1, 0, 0, 1, 5, 0))
        outer = _form(pdf, b"/Fm2 Do", (2, 0, 0, 2, 0, 0),
                      {"/XObject": pikepdf.Dictionary(Fm2=inner)})
        return {"/XObject": pikepdf.Dictionary(Fm1=outer)}
    pdf = with_forms(tmp / "form-rect.pdf", 24, b"q 1 0 0 1 6 0 cm /Fm1 Do Q", res)
    findings = preflight(pdf, KDP)
    m = margins(findings)
    assert m["inside"].status == "fail" and m["inside"].measured == "0.250 in", table(findings)
    assert m["inside"].page == 1
    # on the page the rect spans x 18..58 and y 200..280; versos have it on their outside
    assert m["outside"].measured == "0.250 in" and m["outside"].page == 2
    assert m["top"].measured == f"{(648 - 280) / 72:.3f} in"
    assert m["bottom"].measured == f"{200 / 72:.3f} in"


def test_text_inside_a_form_xobject_is_measured(tmp):
    # the body text of octavo's chapter-wise PDFs is drawn entirely inside underlay forms
    def res(pdf):
        form = _form(pdf, b"BT /F1 11 Tf 8 300 Td (Hello, form world) Tj ET",
                     (1, 0, 0, 1, 10, 0), HELVETICA)
        return {"/XObject": pikepdf.Dictionary(Fm1=form)}
    pdf = with_forms(tmp / "form-text.pdf", 24, b"/Fm1 Do", res)
    m = margins(preflight(pdf, KDP))
    assert m["inside"].status == "fail", m["inside"]
    # text origin at 18 pt = 0.25 in; the first glyph's ink starts a hair to its right
    assert 0.25 <= float(m["inside"].measured.split()[0]) < 0.27, m["inside"]


def test_white_fills_do_not_count_but_black_ones_do(tmp):
    # a paper-white page-sized background (not reaching the trim edge) is no content,
    # whether written in gray, CMYK or RGB, or drawn inside a form
    def res(pdf):
        return {"/XObject": pikepdf.Dictionary(Fm1=_form(pdf, b"1 1 1 rg 8 8 416 632 re f"))}
    white = b"1 g 8 8 416 632 re f 0 0 0 0 k 9 9 414 630 re f /Fm1 Do " + BODY
    pdf = with_forms(tmp / "white.pdf", 24, white, res)
    findings = preflight(pdf, KDP)
    m = margins(findings)
    assert {k: f.measured for k, f in m.items()} == {k: "1.000 in" for k in m}, table(findings)
    pdf = crafted(tmp / "black.pdf", 24, b"0 g 8 8 416 632 re f " + BODY, output_intent=False)
    m = margins(preflight(pdf, KDP))
    assert m["inside"].measured == f"{8 / 72:.3f} in" and m["inside"].status == "fail"
    # stroked white still counts (it is drawn, e.g. a white rule on a dark panel)
    pdf = crafted(tmp / "white-stroke.pdf", 24, b"1 G 8 8 416 632 re S " + BODY,
                  output_intent=False)
    assert margins(preflight(pdf, KDP))["inside"].status == "fail"


def test_full_bleed_art_invisible_and_blank_text_do_not_count(tmp):
    content = (b"0 g -9 -9 450 666 re f "                       # full-bleed black page
               b"BT 3 Tr /F1 11 Tf 4 300 Td (invisible) Tj ET "   # render mode 3: no ink
               b"BT 0 Tr /F1 11 Tf 4 200 Td (     ) Tj ET " + BODY)  # spaces only
    pdf = crafted(tmp / "bleed-art.pdf", 24, content, HELVETICA, output_intent=False)
    m = margins(preflight(pdf, KDP))
    assert {k: f.measured for k, f in m.items()} == {k: "1.000 in" for k in m}, m


def test_image_inside_a_scaled_form_uses_its_placed_size(tmp):
    # 300x300 px drawn 288 units wide in a form whose /Matrix halves it, placed by a page
    # cm that halves it again: 72 pt = 1 in on the page -> 300 ppi
    def res(pdf):
        image = pdf.make_stream(bytes([128]) * 300 * 300, Type=pikepdf.Name.XObject,
                                Subtype=pikepdf.Name.Image, Width=300, Height=300,
                                ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8)
        form = _form(pdf, b"q 288 0 0 288 0 0 cm /Im1 Do Q", (0.5, 0, 0, 0.5, 100, 200),
                     {"/XObject": pikepdf.Dictionary(Im1=image)})
        return {"/XObject": pikepdf.Dictionary(Fm1=form)}
    pdf = with_forms(tmp / "form-image.pdf", 24, b"q 0.5 0 0 0.5 100 100 cm /Fm1 Do Q " + BODY, res)
    f = next(f for f in preflight(pdf, KDP) if f.check == "image-ppi")
    assert f.status == "pass" and f.measured == "300 ppi" and f.page == 1, f


def test_missing_output_intent_says_how_to_fix_it(tmp):
    pdf = crafted(tmp / "no-intent.pdf", 24, BODY, output_intent=False)
    f = next(f for f in preflight(pdf, INGRAM) if f.check == "output-intent")
    assert f.status == "fail" and "output_profile:" in f.message and "book.yaml" in f.message


def test_preflight_does_not_import_pdfplumber(clean):
    import subprocess
    import sys
    code = ("import sys; from octavo.preflight import preflight, PRINTERS; "
            f"preflight({str(clean)!r}, PRINTERS['kdp']); "
            "sys.exit('pdfplumber' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# --- what Ghostscript (a RIP) would stumble on (issue 9, items 7 and 8) -----------------

GENERIC = PRINTERS["generic"]


def test_a_content_stream_that_does_not_decode_fails(tmp):
    """Blank pages with an empty content stream, as octavo once padded books: qpdf writes
    it as zero bytes marked /FlateDecode, which is no Flate stream at all (qpdf/qpdf#1426).
    qpdf and pikepdf read it as empty without a word; Ghostscript reports "error reading a
    stream"; so must preflight. A damaged stream inside a form is found too."""
    import shutil
    import zlib

    from validators import ghostscript_problems

    path = crafted(tmp / "empty-stream.pdf", 24, BODY, output_intent=False)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for page in pdf.pages[-2:]:
            page.obj.Contents = pdf.make_stream(b"")
        pdf.save(path)
    with pikepdf.open(path) as pdf:
        stream = pdf.pages[-1].obj.Contents
        assert stream.Filter == "/FlateDecode" and stream.read_raw_bytes() == b""  # the premise
    if shutil.which("gs"):  # what a RIP makes of it (without Ghostscript, preflight alone is tested)
        assert any("error" in line.lower() for line in ghostscript_problems(path))
    findings = preflight(path, GENERIC)
    assert fails(findings) == {"content-streams"}, table(findings)
    found = next(f for f in findings if f.check == "content-streams")
    assert found.page == 23 and "2 content stream(s) on 2 page(s)" in found.message

    def truncated_form(pdf):
        form = _form(pdf, b"")
        form.write(zlib.compress(BODY)[:-6], filter=pikepdf.Name.FlateDecode)
        return {"/XObject": pikepdf.Dictionary(Fm1=form)}

    path = with_forms(tmp / "truncated-form.pdf", 24, b"/Fm1 Do " + BODY, truncated_form)
    found = next(f for f in preflight(path, GENERIC) if f.check == "content-streams")
    assert found.status == "fail" and found.page == 1 and "1 content stream(s)" in found.message


@pytest.fixture(scope="module")
def one_name_two_subsets(tmp):
    """Two WeasyPrint documents with different text, so different subsets of one face,
    joined in one file under one subset name, as WeasyPrint 70.0 names every document's
    subset of a face (and octavo's chapter-wise books once showed: 33 subsets under one
    name in `medium`)."""
    from weasyprint import HTML

    merged, sources = pikepdf.new(), []
    for number, words in enumerate(("Alpha beta gamma delta.", "Xylophones quiz wry judges.")):
        HTML(string=f"<p style='font-family: serif'>{words}</p>").write_pdf(tmp / f"words-{number}.pdf")
        sources.append(pikepdf.open(tmp / f"words-{number}.pdf"))
        merged.pages.extend(sources[-1].pages)
    for obj in merged.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font":
            obj.BaseFont = pikepdf.Name("/ABCDEF+Fixture-Serif")
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
            obj.FontName = pikepdf.Name("/ABCDEF+Fixture-Serif")
    path = tmp / "one-name-two-subsets.pdf"
    merged.save(path)
    for source in sources:
        source.close()
    return path


def test_different_font_subsets_under_one_name_fail(one_name_two_subsets):
    from pdfcheck import font_programs

    assert len(font_programs(one_name_two_subsets)["ABCDEF+Fixture-Serif"]) == 2  # the premise
    findings = preflight(one_name_two_subsets, GENERIC)
    assert fails(findings) == {"font-names"}, table(findings)
    found = next(f for f in findings if f.check == "font-names")
    assert found.page == 1 and "2 different font subsets are all named ABCDEF+Fixture-Serif" in found.message


def test_the_print_pdf_gives_clashing_subsets_names_of_their_own(one_name_two_subsets, tmp):
    """The build's last step on a print PDF (finish.finish_pdf) renames a subset whose tag
    another subset already has, everywhere the name is written; the text stays readable."""
    import pdfplumber

    from octavo.finish import _share_and_name_fonts
    from pdfcheck import font_programs

    path = tmp / "renamed.pdf"
    with pikepdf.open(one_name_two_subsets) as pdf:
        _share_and_name_fonts(pdf)
        pdf.save(path)
    programs = font_programs(path)
    assert len(programs) == 2 and all(len(digests) == 1 for digests in programs.values()), programs
    assert "font-names" not in fails(preflight(path, GENERIC))
    with pikepdf.open(path) as pdf:
        names = {str(obj.BaseFont).lstrip("/") for obj in pdf.objects
                 if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font"}
    assert names == set(programs)  # the Type0 font and its CIDFont carry the new name too
    with pdfplumber.open(path) as plumber:
        assert [page.extract_text() for page in plumber.pages] == ["Alpha beta gamma delta.",
                                                                  "Xylophones quiz wry judges."]
