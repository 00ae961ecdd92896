"""Print preflight: measure a finished PDF against a print-on-demand printer's rules.

Everything is measured from the PDF itself (pikepdf for the structure, pypdfium2 for
where things are drawn), never from our CSS. Values come from
../shared/research/standards.md §1; items marked UNVERIFIED there are noted below.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

from .printers import PRINTERS, Printer, gutter_for  # noqa: F401 (re-exported)

PT = 72.0          # points per inch
TRIM_TOL = 0.01    # inches
BOX_TOL = 0.5      # points, for box containment
SUBSET = re.compile(r"^/?[A-Z]{6}\+")


@dataclass(frozen=True)
class Finding:
    check: str
    status: str            # "pass" | "warn" | "fail"
    measured: str
    limit: str
    page: int | None       # 1-based, the worst or first offending page
    message: str


def _in(x: float) -> str:
    return f"{x:.3f} in"


def _size(w: float, h: float) -> str:
    return f"{w:g}x{h:g} in"


# --- structure (pikepdf) --------------------------------------------------------------

def _box(page, name: str):
    obj = page.obj.get("/" + name)
    if obj is None:
        return None
    x0, y0, x1, y1 = (float(v) for v in obj)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _inside(inner, outer) -> bool:
    return (inner[0] >= outer[0] - BOX_TOL and inner[1] >= outer[1] - BOX_TOL
            and inner[2] <= outer[2] + BOX_TOL and inner[3] <= outer[3] + BOX_TOL)


def _check_trim(pdf, printer: Printer) -> list[Finding]:
    out = []
    sizes, bad_boxes = [], []
    for i, page in enumerate(pdf.pages):
        media = _box(page, "MediaBox")
        trim = _box(page, "TrimBox") or media
        bleed = _box(page, "BleedBox") or _box(page, "CropBox") or media
        sizes.append(((trim[2] - trim[0]) / PT, (trim[3] - trim[1]) / PT))
        if not (_inside(trim, bleed) and _inside(bleed, media)):
            bad_boxes.append(i + 1)
    w, h = sizes[0]
    if printer.trims and not any(abs(w - tw) <= TRIM_TOL and abs(h - th) <= TRIM_TOL
                                 for tw, th in printer.trims):
        allowed = ", ".join(_size(*t) for t in printer.trims)
        extra = (" (KDP also takes custom trims 4-8.5 x 6-11.69 in, chosen explicitly at upload)"
                 if printer.name == "kdp" else "")
        out.append(Finding("trim", "fail", _size(round(w, 3), round(h, 3)), allowed, 1,
                           f"trim {w:.3f}x{h:.3f} in is not one of {printer.name}'s sizes{extra}"))
    else:
        out.append(Finding("trim", "pass", _size(round(w, 3), round(h, 3)),
                           "any" if not printer.trims else "printer's list", None, "trim size accepted"))
    odd = [i + 1 for i, (a, b) in enumerate(sizes)
           if abs(a - w) > TRIM_TOL or abs(b - h) > TRIM_TOL]
    if odd:
        a, b = sizes[odd[0] - 1]
        out.append(Finding("page-size", "fail", _size(round(a, 3), round(b, 3)),
                           _size(round(w, 3), round(h, 3)), odd[0],
                           f"{len(odd)} page(s) differ in size from page 1"))
    else:
        out.append(Finding("page-size", "pass", "uniform", "all pages the same size", None,
                           "all pages the same trim size"))
    if bad_boxes:
        out.append(Finding("boxes", "fail", f"{len(bad_boxes)} page(s)", "TrimBox ⊆ BleedBox ⊆ MediaBox",
                           bad_boxes[0], "page boxes are inconsistent"))
    else:
        out.append(Finding("boxes", "pass", "consistent", "TrimBox ⊆ BleedBox ⊆ MediaBox", None,
                           "page boxes nest correctly"))
    return out


def _check_pages(n: int, printer: Printer, trim: tuple[float, float]) -> list[Finding]:
    out = []
    limit = f"{printer.min_pages}-{printer.max_pages}"
    if n < printer.min_pages:
        out.append(Finding("page-count", "fail", str(n), limit, None,
                           f"{n} pages is below {printer.name}'s minimum of {printer.min_pages}"))
    elif n > printer.max_pages:
        volumes = math.ceil(n / printer.max_pages)
        msg = (f"{n} pages exceeds {printer.name}'s maximum of {printer.max_pages}: "
               f"split into {volumes} volumes of about {math.ceil(n / volumes)} pages")
        area = trim[0] * trim[1]
        bigger = sorted((t for t in printer.trims if t[0] * t[1] > area * 1.05),
                        key=lambda t: t[0] * t[1])
        fits = [t for t in bigger if n * area / (t[0] * t[1]) <= printer.max_pages]
        if fits:
            t = fits[0]
            msg += (f", or use a larger trim such as {_size(*t)} "
                    f"(about {math.ceil(n * area / (t[0] * t[1]))} pages, estimated by page area)")
        out.append(Finding("page-count", "fail", str(n), limit, None, msg))
    else:
        out.append(Finding("page-count", "pass", str(n), limit, None, "page count within range"))
    if printer.even_pages and n % 2:
        out.append(Finding("even-pages", "fail", str(n), "even", None,
                           f"{n} pages is odd: pad with a blank page"))
    else:
        out.append(Finding("even-pages", "pass", str(n), "even" if printer.even_pages else "any",
                           None, "page count parity accepted"))
    return out


def _font_dicts(resources, seen: set) -> Iterable:
    """Fonts in a resource dict and, recursively, in its Form XObjects."""
    if resources is None:
        return
    fonts = resources.get("/Font")
    if fonts is not None:
        for name, font in fonts.items():
            key = font.objgen if font.is_indirect else id(font)
            if key not in seen:
                seen.add(key)
                yield font
    xobjs = resources.get("/XObject")
    if xobjs is not None:
        for _, x in xobjs.items():
            key = ("x",) + (x.objgen if x.is_indirect else (id(x),))
            if key in seen:
                continue
            seen.add(key)
            if x.get("/Subtype") == "/Form":
                yield from _font_dicts(x.get("/Resources"), seen)


def _embedded(font) -> bool:
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True
    if subtype == "/Type0":
        desc = font.get("/DescendantFonts")
        font = desc[0] if desc is not None and len(desc) else font
    fd = font.get("/FontDescriptor")
    return fd is not None and any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3"))


FULL_GLYPHS = 256   # a tagged font program holding at least this many drawn glyphs is treated as full


def _glyph_count(font) -> int | None:
    """Glyphs with outlines in the embedded TrueType/CFF program, or None when unknown.

    Plain WeasyPrint 70 (full_fonts, without octavo's fix) embeds the whole file but still
    writes an ABCDEF+ tag, so the name alone can't tell a real subset; the font program can."""
    if font.get("/Subtype") == "/Type0":
        desc = font.get("/DescendantFonts")
        font = desc[0] if desc is not None and len(desc) else font
    fd = font.get("/FontDescriptor")
    if fd is None:
        return None
    try:
        from fontTools.ttLib import TTFont
        if "/FontFile2" in fd or ("/FontFile3" in fd and fd["/FontFile3"].get("/Subtype") == "/OpenType"):
            stream = fd.get("/FontFile2") or fd["/FontFile3"]
            tt = TTFont(io.BytesIO(stream.read_bytes()), lazy=True)
            if "loca" in tt:
                loca = list(tt["loca"])
                return sum(1 for a, b in zip(loca, loca[1:]) if b > a)
            if "CFF " in tt:
                return len(tt["CFF "].cff[0].charset)
            return None
        if "/FontFile3" in fd:
            from fontTools.cffLib import CFFFontSet
            cff = CFFFontSet()
            cff.decompile(io.BytesIO(fd["/FontFile3"].read_bytes()), None)
            return len(cff[cff.fontNames[0]].charset)
    except Exception:   # noqa: BLE001 - unreadable program: fall back to the name
        return None
    return None


def _check_fonts(pdf, printer: Printer) -> list[Finding]:
    missing, subset, total = {}, {}, 0
    programs: dict[str, dict[bytes, tuple[int, object]]] = {}  # subset name -> its programs
    seen: set = set()
    for i, page in enumerate(pdf.pages):
        for font in _font_dicts(page.obj.get("/Resources"), seen):
            total += 1
            name = str(font.get("/BaseFont", "/?"))
            if not _embedded(font):
                missing.setdefault(name.lstrip("/"), i + 1)
            if SUBSET.match(name) and (printer.fonts_full and (_glyph_count(font) or 0) < FULL_GLYPHS
                                       or not printer.fonts_full):
                subset.setdefault(name.lstrip("/"), i + 1)
            program = _font_program(font)
            if program is not None and SUBSET.match(name):
                raw = hashlib.sha256(program.read_raw_bytes()).digest()
                programs.setdefault(name.lstrip("/"), {}).setdefault(raw, (i + 1, program))
    out = []
    if missing:
        names = ", ".join(sorted(missing))
        out.append(Finding("fonts-embedded", "fail", f"{len(missing)} not embedded", "all embedded",
                           min(missing.values()), f"fonts not embedded: {names}"))
    else:
        out.append(Finding("fonts-embedded", "pass", f"{total} fonts", "all embedded", None,
                           "all fonts embedded"))
    if printer.fonts_full and subset:
        out.append(Finding("fonts-full", "warn", f"{len(subset)} subset", "fully embedded",
                           min(subset.values()),
                           f"{printer.name} recommends full embedding; subset: "
                           + ", ".join(sorted(subset)[:5]) + (" …" if len(subset) > 5 else "")))
    else:
        out.append(Finding("fonts-full", "pass", f"{len(subset)} subset",
                           "fully embedded" if printer.fonts_full else "subsets allowed", None,
                           "font embedding accepted"))
    return out + [_check_font_names(programs)]


def _font_program(font):
    """The embedded font program (FontFile, FontFile2 or FontFile3 stream), or None."""
    if font.get("/Subtype") == "/Type0":
        descendants = font.get("/DescendantFonts")
        font = descendants[0] if descendants is not None and len(descendants) else font
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return None
    return next((descriptor[k] for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor), None)


def _check_font_names(programs: dict[str, dict[bytes, tuple[int, object]]]) -> Finding:
    """Different subsets under one name (ISO 32000-1 §9.6.4 wants a tag per subset): a RIP
    that finds fonts by name may draw one subset's glyphs with another's, and print the
    wrong letters. Programs stored differently are compared by their decoded bytes."""
    clashes = []
    for name, stored in programs.items():
        if len(stored) > 1:
            decoded = {hashlib.sha256(program.read_bytes()).digest(): page for page, program in stored.values()}
            if len(decoded) > 1:
                clashes.append((min(decoded.values()), name, len(decoded)))
    if not clashes:
        return Finding("font-names", "pass", f"{len(programs)} subset name(s)", "one font program per name",
                       None, "every font subset has a name of its own")
    page, name, count = min(clashes)
    return Finding("font-names", "fail", f"{len(clashes)} shared", "one font program per name", page,
                   f"{count} different font subsets are all named {name} (and {len(clashes) - 1} more "
                   "name(s) like it): a printer's RIP may draw one with another's glyphs; export the PDF "
                   "again with a distinct subset tag per subset")


def _is_rgb_space(cs, resources=None) -> bool:
    import pikepdf
    if cs is None:
        return False
    if isinstance(cs, pikepdf.Name):
        if cs in ("/DeviceRGB", "/RGB", "/CalRGB"):
            return True
        if resources is not None:
            named = resources.get("/ColorSpace")
            if named is not None and cs in named:
                return _is_rgb_space(named[cs])
        return False
    if isinstance(cs, pikepdf.Array) and len(cs):
        family = cs[0]
        if family in ("/CalRGB",):
            return True
        if family == "/ICCBased":
            return int(cs[1].get("/N", 0)) == 3
        if family in ("/Indexed", "/I"):
            return _is_rgb_space(cs[1])
        if family in ("/Separation", "/DeviceN"):
            return False    # alternate space only used by non-PDF/X devices
    return False


def _scan_colour(pdf):
    """(rgb hits as (page, what), transparency hits) across pages and their Form XObjects."""
    import pikepdf
    rgb, transp = [], []
    seen: set = set()

    def visit(obj, resources, pageno):
        try:
            ops = pikepdf.parse_content_stream(obj, "rg RG cs CS")   # only what we look at
        except Exception:   # noqa: BLE001 - unreadable stream: skip, other checks still run
            ops = []
        for operands, op in ops:
            o = str(op)
            if o in ("rg", "RG"):
                rgb.append((pageno, f"{o} operator"))
            elif o in ("cs", "CS") and operands and _is_rgb_space(operands[0], resources):
                rgb.append((pageno, f"{operands[0]} colour space"))
        if resources is None:
            return
        gs = resources.get("/ExtGState")
        if gs is not None:
            for _, g in gs.items():
                if float(g.get("/CA", 1)) < 1 or float(g.get("/ca", 1)) < 1 or \
                        g.get("/SMask", pikepdf.Name.None_) != pikepdf.Name.None_:
                    transp.append((pageno, "transparent graphics state"))
        xobjs = resources.get("/XObject")
        if xobjs is None:
            return
        for _, x in xobjs.items():
            key = x.objgen if x.is_indirect else id(x)
            if key in seen:
                continue
            seen.add(key)
            sub = x.get("/Subtype")
            if sub == "/Image":
                if _is_rgb_space(x.get("/ColorSpace"), resources):
                    rgb.append((pageno, "RGB image"))
                if "/SMask" in x:
                    transp.append((pageno, "image with soft mask"))
            elif sub == "/Form":
                visit(x, x.get("/Resources", resources), pageno)
                if x.get("/Group") is not None and x["/Group"].get("/S") == "/Transparency":
                    transp.append((pageno, "transparency group"))

    for i, page in enumerate(pdf.pages):
        visit(page, page.obj.get("/Resources"), i + 1)
        if page.obj.get("/Group") is not None and page.obj["/Group"].get("/S") == "/Transparency":
            transp.append((i + 1, "page transparency group"))
    return rgb, transp


def _check_colour(pdf, printer: Printer) -> list[Finding]:
    if not printer.pdfx:
        return []
    out = []
    root = pdf.Root
    intents = root.get("/OutputIntents")
    if intents is not None and len(intents):
        out.append(Finding("output-intent", "pass", f"{len(intents)}", "present", None,
                           "OutputIntent present"))
    else:
        out.append(Finding("output-intent", "fail", "none", "present", None,
                           f"{printer.pdfx} needs an OutputIntent (a CMYK ICC profile): set "
                           "output_profile: path/to/printer-cmyk.icc in book.yaml "
                           "(the CMYK ICC profile your printer names)"))
    claimed = None
    info = pdf.trailer.get("/Info")
    if info is not None and "/GTS_PDFXVersion" in info:
        claimed = str(info["/GTS_PDFXVersion"])
    else:
        try:
            with pdf.open_metadata() as meta:
                claimed = meta.get("pdfxid:GTS_PDFXVersion") or meta.get("pdfx:GTS_PDFXVersion")
        except Exception:   # noqa: BLE001
            claimed = None
    if claimed:
        out.append(Finding("pdfx", "pass", claimed, printer.pdfx, None, "PDF/X version declared"))
    else:
        out.append(Finding("pdfx", "warn", "none", printer.pdfx, None,
                           f"{printer.name} expects {printer.pdfx}; no PDF/X version declared"))
    rgb, transp = _scan_colour(pdf)
    if rgb:
        out.append(Finding("colour", "fail", f"{len(rgb)} RGB use(s)", "CMYK / gray only", rgb[0][0],
                           f"DeviceRGB in a {printer.pdfx} job (first: {rgb[0][1]}); "
                           "write colours as device-cmyk()"))
    else:
        out.append(Finding("colour", "pass", "no RGB", "CMYK / gray only", None, "no RGB colour"))
    if transp and printer.pdfx.upper().startswith(("PDF/X-1", "PDF/X-3")):
        out.append(Finding("transparency", "fail", f"{len(transp)} use(s)", "none", transp[0][0],
                           f"transparency is not allowed in {printer.pdfx} (first: {transp[0][1]})"))
    else:
        out.append(Finding("transparency", "pass", f"{len(transp)} use(s)", "none", None,
                           "no transparency"))
    return out


def _check_annotations(pdf, printer: Printer) -> list[Finding]:
    pages = [(i + 1, len(p.obj["/Annots"])) for i, p in enumerate(pdf.pages)
             if "/Annots" in p.obj and len(p.obj["/Annots"])]
    if not pages:
        return [Finding("annotations", "pass", "0", "none", None, "no annotations")]
    total = sum(n for _, n in pages)
    links_only = all(a.get("/Subtype") == "/Link" for p in pdf.pages for a in p.obj.get("/Annots", []))
    if links_only and printer.name == "generic":
        # An offset printer's RIP does not print link annotations, and a PDF for a press
        # that also serves as a reading copy keeps its links: nothing to warn about.
        return [Finding("annotations", "pass", str(total), "none", pages[0][0],
                        f"{total} link annotation(s), which are not printed")]
    status = "fail" if printer.forbid_annotations else "warn"
    return [Finding("annotations", status, str(total), "none", pages[0][0],
                    f"{total} annotation(s) (links, comments) on {len(pages)} page(s); "
                    "print PDFs should have none")]


def _content_streams(pdf) -> Iterable[tuple[int, object]]:
    """(page number, stream) for every content stream drawn: each page's /Contents and,
    once each, the Form XObjects they draw, however deeply nested."""
    import pikepdf

    seen: set = set()

    def forms(resources, pageno):
        xobjects = resources.get("/XObject") if resources is not None else None
        for _, x in (xobjects.items() if xobjects is not None else ()):
            if not isinstance(x, pikepdf.Stream) or x.get("/Subtype") != "/Form":
                continue
            key = x.objgen if x.is_indirect else id(x)
            if key not in seen:
                seen.add(key)
                yield pageno, x
                yield from forms(x.get("/Resources"), pageno)

    for i, page in enumerate(pdf.pages):
        contents = page.obj.get("/Contents")
        for stream in ([contents] if isinstance(contents, pikepdf.Stream) else list(contents or [])):
            if isinstance(stream, pikepdf.Stream):
                yield i + 1, stream
        yield from forms(page.obj.get("/Resources"), i + 1)


def _decodes(stream) -> bool:
    """Whether a stream's data decodes. Flate is checked with zlib itself, to the end of
    the data: qpdf (and so pikepdf) reads a broken or empty Flate stream as no data without
    a word, where Ghostscript, like a printer's RIP, reports "error reading a stream"."""
    import zlib

    import pikepdf

    filters = stream.get("/Filter")
    names = [filters] if isinstance(filters, pikepdf.Name) else list(filters or [])
    if names and names[0] in ("/FlateDecode", "/Fl"):
        inflate = zlib.decompressobj()
        try:
            inflate.decompress(stream.read_raw_bytes())
        except zlib.error:
            return False
        return inflate.eof
    try:
        stream.read_bytes()
    except pikepdf.PdfError:
        return False
    return True


def _check_streams(pdf) -> list[Finding]:
    bad = [page for page, stream in _content_streams(pdf) if not _decodes(stream)]
    if not bad:
        return [Finding("content-streams", "pass", "all decode", "all decode", None,
                        "every page's drawing instructions can be read")]
    pages = sorted(set(bad))
    return [Finding("content-streams", "fail", f"{len(bad)} unreadable", "all decode", pages[0],
                    f"{len(bad)} content stream(s) on {len(pages)} page(s) do not decode (page {pages[0]} "
                    "first): a RIP reports an error and may drop what the page draws; export the PDF again")]


# --- geometry (pypdfium2) -------------------------------------------------------------
#
# PDFium parses each page in C; we walk its page objects through the raw API. The bounds
# (and matrix) of an object inside a Form XObject come back in the space the form was drawn
# in: the form's own /Matrix is already applied, the CTM at its `Do` is not. That CTM is
# what FPDFPageObj_GetMatrix returns for the form object, so those matrices are composed
# down the tree to reach page space. (Checked on octavo's chapter-wise PDFs, whose body
# sits in an underlay form holding WeasyPrint's flipped 0.75 0 0 -0.75 0 648 content, and
# on nested forms with scaled /Matrix in tests/test_preflight.py.) Like pdfplumber before,
# clipping is not applied: content drawn off the page still counts.

MAX_FORM_DEPTH = 32
WHITE = (255, 255, 255)


def _concat(m, n):
    """The matrix that applies `m`, then `n` (PDF row-vector convention)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def _map_rect(m, l, b, r, t):
    """Axis-aligned bounds, in the parent space, of rect (l, b, r, t) under matrix `m`."""
    ma, mb, mc, md, me, mf = m
    if mb == 0 and mc == 0:
        x0, x1 = ma * l + me, ma * r + me
        y0, y1 = md * b + mf, md * t + mf
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
    xs = [ma * x + mc * y + me for x, y in ((l, b), (l, t), (r, b), (r, t))]
    ys = [mb * x + md * y + mf for x, y in ((l, b), (l, t), (r, b), (r, t))]
    return min(xs), min(ys), max(xs), max(ys)


class _Walker:
    """Collects, for one page at a time, the union of drawn content in page space (PDF
    coordinates, y up) and every placed image. Reuses its ctypes buffers across pages."""

    def __init__(self):
        import ctypes

        import pypdfium2.raw as pdfium_c
        self.c = pdfium_c
        self.f = [ctypes.c_float() for _ in range(4)]
        self.u = [ctypes.c_uint() for _ in range(4)]
        self.i = [ctypes.c_int() for _ in range(2)]
        self.matrix = pdfium_c.FS_MATRIX()
        self.fref = [ctypes.byref(v) for v in self.f]
        self.uref = [ctypes.byref(v) for v in self.u]
        self.iref = [ctypes.byref(v) for v in self.i]
        self.mref = ctypes.byref(self.matrix)

    def box(self, getter, page):
        if not getter(page, *self.fref):
            return None
        l, b, r, t = (v.value for v in self.f)
        return (min(l, r), min(b, t), max(l, r), max(b, t))

    def page(self, page, trim, pno: int, images: list):
        """Bounds (x0, y0, x1, y1) of all counted content on `page`, or None if empty.
        Text always counts; graphics (paths, shadings, images) count unless they are
        paper-white fills or reach the trim edge or beyond (deliberate full-bleed art)."""
        c = self.c
        f, fref, u, uref, iref, mref, mat = self.f, self.fref, self.u, self.uref, self.iref, \
            self.mref, self.matrix
        ix0, iy0 = trim[0] + BOX_TOL, trim[1] + BOX_TOL
        ix1, iy1 = trim[2] - BOX_TOL, trim[3] - BOX_TOL
        x0 = y0 = math.inf
        x1 = y1 = -math.inf
        # (container, is_form, matrix to page space or None for identity, depth)
        stack = [(page, False, None, 0)]
        while stack:
            parent, is_form, m, depth = stack.pop()
            count = c.FPDFFormObj_CountObjects(parent) if is_form else c.FPDFPage_CountObjects(parent)
            get = c.FPDFFormObj_GetObject if is_form else c.FPDFPage_GetObject
            for k in range(max(count, 0)):
                obj = get(parent, k)
                if not obj:
                    continue
                kind = c.FPDFPageObj_GetType(obj)
                if kind == c.FPDF_PAGEOBJ_FORM:
                    if depth < MAX_FORM_DEPTH and c.FPDFPageObj_GetMatrix(obj, mref):
                        fm = (mat.a, mat.b, mat.c, mat.d, mat.e, mat.f)
                        stack.append((obj, True, fm if m is None else _concat(fm, m), depth + 1))
                    continue
                if kind == c.FPDF_PAGEOBJ_TEXT:
                    mode = c.FPDFTextObj_GetTextRenderMode(obj)
                    if mode in (c.FPDF_TEXTRENDERMODE_INVISIBLE, c.FPDF_TEXTRENDERMODE_CLIP):
                        continue
                elif kind == c.FPDF_PAGEOBJ_PATH:
                    if not c.FPDFPath_GetDrawMode(obj, *iref):
                        continue
                    fill, stroke = self.i[0].value != c.FPDF_FILLMODE_NONE, bool(self.i[1].value)
                    if not fill and not stroke:
                        continue
                    if fill and not stroke and c.FPDFPageObj_GetFillColor(obj, *uref) and \
                            (u[0].value, u[1].value, u[2].value) == WHITE:
                        continue        # paper-coloured background
                elif kind == c.FPDF_PAGEOBJ_IMAGE:
                    if c.FPDFImageObj_GetImagePixelSize(obj, uref[0], uref[1]) and \
                            c.FPDFPageObj_GetMatrix(obj, mref):
                        im = (mat.a, mat.b, mat.c, mat.d, mat.e, mat.f)
                        if m is not None:
                            im = _concat(im, m)
                        images.append((pno, (u[0].value, u[1].value),
                                       math.hypot(im[0], im[1]), math.hypot(im[2], im[3])))
                elif kind != c.FPDF_PAGEOBJ_SHADING:
                    continue
                if not c.FPDFPageObj_GetBounds(obj, *fref):
                    continue
                l, b, r, t = f[0].value, f[1].value, f[2].value, f[3].value
                if m is not None:
                    l, b, r, t = _map_rect(m, l, b, r, t)
                if kind == c.FPDF_PAGEOBJ_TEXT:
                    if t - b < 0.01 or r - l < 0.01:
                        continue        # no ink: whitespace-only text
                elif not (l > ix0 and b > iy0 and r < ix1 and t < iy1):
                    continue            # reaches the trim edge: full-bleed art
                if l < x0:
                    x0 = l
                if b < y0:
                    y0 = b
                if r > x1:
                    x1 = r
                if t > y1:
                    y1 = t
        return None if x0 == math.inf else (x0, y0, x1, y1)


def _measure_pages(pdf_path: Path, known: dict[int, dict]) -> list[dict]:
    """Per page: media and trim boxes, the bounds of its content (or None) and its images
    as [(px_w, px_h), placed_w_pt, placed_h_pt]. Pages in `known` (index -> the same,
    from an earlier run on an identical page) are not parsed again."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf_path))
    measured: list[dict] = []
    try:
        walker = _Walker()
        c = walker.c
        for i in range(len(doc)):
            if i in known:
                measured.append(known[i])
                continue
            page = doc[i]
            try:
                raw = page.raw
                media = walker.box(c.FPDFPage_GetMediaBox, raw) or (0.0, 0.0, *page.get_size())
                trim = walker.box(c.FPDFPage_GetTrimBox, raw) or media
                placed: list = []
                content = walker.page(raw, trim, i + 1, placed)
            finally:
                page.close()    # PDFium frees the page's parsed objects: memory stays flat
            measured.append({"media": list(media), "trim": list(trim),
                             "content": list(content) if content is not None else None,
                             "images": [[list(src) if src else None, w, h] for _, src, w, h in placed]})
    finally:
        doc.close()
    return measured


def _check_margins(pdf_path: Path, printer: Printer, n: int, images: list,
                   known: dict[int, dict] | None = None, measured_out: list | None = None) -> list[Finding]:
    """Margins of the drawn content vs the TrimBox (MediaBox if none); also collects
    (page, (px_w, px_h), placed_w_pt, placed_h_pt) of every placed image into `images`,
    so the pages are parsed once."""
    worst = {k: (math.inf, None) for k in ("inside", "outside", "top", "bottom")}
    has_bleed = False
    measured = _measure_pages(pdf_path, known or {})
    if measured_out is not None:
        measured_out.extend(measured)
    for i, page in enumerate(measured):
        media, trim, content = page["media"], page["trim"], page["content"]
        if (media[2] - media[0]) - (trim[2] - trim[0]) > BOX_TOL or \
                (media[3] - media[1]) - (trim[3] - trim[1]) > BOX_TOL:
            has_bleed = True
        images.extend((i + 1, tuple(src) if src else None, w, h) for src, w, h in page["images"])
        if content is None:
            continue
        x0, y0, x1, y1 = content
        left, right = (x0 - trim[0]) / PT, (trim[2] - x1) / PT
        recto = i % 2 == 0
        inside, outside = (left, right) if recto else (right, left)
        for k, v in (("inside", inside), ("outside", outside), ("top", (trim[3] - y1) / PT),
                     ("bottom", (y0 - trim[1]) / PT)):
            if v < worst[k][0]:
                worst[k] = (v, i + 1)
    edge_min = printer.bleed_min if (has_bleed and printer.bleed_min is not None) else None
    limits = {"inside": gutter_for(printer, n),
              "outside": edge_min or printer.outside_min,
              "top": edge_min or printer.top_bottom_min,
              "bottom": edge_min or printer.top_bottom_min}
    out = []
    for k, (v, page) in worst.items():
        lim = limits[k]
        name = f"margin-{k}"
        if page is None:
            out.append(Finding(name, "pass", "no content", f">= {_in(lim)}", None, "no content to measure"))
            continue
        why = f" for {n} pages" if k == "inside" else (" with bleed" if edge_min else "")
        if v + 0.001 < lim:
            out.append(Finding(name, "fail", _in(v), f">= {_in(lim)}", page,
                               f"{k} margin {v:.3f} in on page {page} is below {lim} in{why}"))
        else:
            out.append(Finding(name, "pass", _in(v), f">= {_in(lim)}", page,
                               f"smallest {k} margin (page {page}){why}"))
    return out


def _check_images(images: list) -> list[Finding]:
    worst, page_no, count = math.inf, None, 0
    for pno, src, w, h in images:
        if not src or w <= 0 or h <= 0:
            continue
        count += 1
        ppi = min(src[0] / (w / PT), src[1] / (h / PT))
        if ppi < worst:
            worst, page_no = ppi, pno
    if not count:
        return [Finding("image-ppi", "pass", "no images", ">= 300 ppi", None, "no images")]
    if worst < 300 - 0.5:
        return [Finding("image-ppi", "fail", f"{worst:.0f} ppi", ">= 300 ppi", page_no,
                        f"an image on page {page_no} is {worst:.0f} ppi at its placed size; "
                        "use a larger image or place it smaller")]
    return [Finding("image-ppi", "pass", f"{worst:.0f} ppi", ">= 300 ppi", page_no,
                    f"lowest effective resolution of {count} image(s)")]


def _check_size(path: Path, printer: Printer) -> list[Finding]:
    mb = path.stat().st_size / 1_000_000
    lim = "no limit" if math.isinf(printer.max_file_mb) else f"<= {printer.max_file_mb:g} MB"
    if mb > printer.max_file_mb:
        return [Finding("file-size", "fail", f"{mb:.1f} MB", lim, None,
                        f"file is larger than {printer.name} accepts")]
    return [Finding("file-size", "pass", f"{mb:.1f} MB", lim, None, "file size accepted")]


# --- public API -----------------------------------------------------------------------

#: Bump when what a page measurement holds changes.
_CACHE_KEY = "v1"


def page_fingerprints(pdf, pages: Iterable[int] | None = None) -> list[str]:
    """For each page, a hash of everything it draws: its boxes, its content streams and,
    by their bytes, every form, image and font it uses. An unchanged page in a rebuilt
    book has the same fingerprint, so its measurements can be reused."""
    import pikepdf

    memo: dict[tuple[int, int], bytes] = {}
    skip = {"/Parent", "/Annots", "/StructParents", "/StructParent", "/P", "/B", "/Metadata"}

    def visit(obj) -> bytes:
        ident = obj.objgen if isinstance(obj, pikepdf.Object) and obj.is_indirect else None
        if ident is not None and ident != (0, 0):
            if ident in memo:
                return memo[ident]
            memo[ident] = b"cycle"
        h = hashlib.sha256()
        if isinstance(obj, pikepdf.Stream):
            h.update(b"S")
            h.update(obj.read_raw_bytes())
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            for key in sorted(obj.keys()):
                if key not in skip:
                    h.update(key.encode())
                    h.update(visit(obj[key]))
        elif isinstance(obj, pikepdf.Array):
            h.update(b"A")
            for item in obj:
                h.update(visit(item))
        else:
            h.update(repr(obj).encode())
        digest = h.digest()
        if ident is not None and ident != (0, 0):
            memo[ident] = digest
        return digest

    indexes = range(len(pdf.pages)) if pages is None else pages
    return [visit(pdf.pages[i].obj).hex() for i in indexes]


def preflight(pdf_path: Path, printer: Printer, cache=None, fingerprints: list[str] | None = None
              ) -> list[Finding]:
    """Run every check on `pdf_path` for `printer`; one Finding per check.

    With a `cache` (octavo's build cache), each page's measurements are kept under the
    page's fingerprint, and the next run parses only the pages that changed. The build,
    which knows what each page of a chapter-wise PDF is made of, may pass the
    fingerprints; otherwise they are computed from the file."""
    import pikepdf

    pdf_path = Path(pdf_path)
    findings: list[Finding] = []
    known: dict[int, dict] = {}
    with pikepdf.open(pdf_path) as pdf:
        n = len(pdf.pages)
        if n == 0:
            return [Finding("page-count", "fail", "0", f"{printer.min_pages}-{printer.max_pages}",
                            None, "the PDF has no pages")]
        first = pdf.pages[0]
        trim = _box(first, "TrimBox") or _box(first, "MediaBox")
        trim_in = ((trim[2] - trim[0]) / PT, (trim[3] - trim[1]) / PT)
        findings += _check_trim(pdf, printer)
        findings += _check_pages(n, printer, trim_in)
        findings += _check_fonts(pdf, printer)
        findings += _check_colour(pdf, printer)
        findings += _check_annotations(pdf, printer)
        findings += _check_streams(pdf)
        if cache is not None:
            if fingerprints is None or len(fingerprints) != n:
                fingerprints = page_fingerprints(pdf)
            stored = cache.get("preflight-pages", _CACHE_KEY)
            remembered = json.loads(stored) if stored else {}
            known = {i: remembered[f] for i, f in enumerate(fingerprints) if f in remembered}
    images: list = []
    measured: list = []
    findings += _check_margins(pdf_path, printer, n, images, known, measured)
    if cache is not None:
        # One entry: the measurements of this file's pages, by fingerprint (written only
        # when a page is new: the build report counts what was measured again).
        entry = json.dumps(dict(zip(fingerprints, measured)), separators=(",", ":")).encode()
        if entry != stored:
            cache.put("preflight-pages", _CACHE_KEY, entry)
    findings += _check_images(images)
    findings += _check_size(pdf_path, printer)
    return findings


def failed(findings: Iterable[Finding]) -> bool:
    return any(f.status == "fail" for f in findings)


def table(findings: Iterable[Finding]) -> str:
    """An aligned text table: status, check, measured, limit, message."""
    rows = [("STATUS", "CHECK", "MEASURED", "LIMIT", "MESSAGE")]
    for f in findings:
        msg = f.message if f.page is None or f"page {f.page}" in f.message else f"{f.message} (page {f.page})"
        rows.append((f.status.upper(), f.check, f.measured, f.limit, msg))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r[:4], widths)) + "  " + r[4]
                     for r in rows)


def to_json(findings: Iterable[Finding]) -> str:
    return json.dumps([asdict(f) for f in findings], indent=2, ensure_ascii=False)
