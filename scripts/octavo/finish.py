"""Finishing a laid-out PDF: page labels, the printer's key, blank pages up to the
printer's minimum, one copy of each font program and unique subset names."""

from __future__ import annotations

from pathlib import Path

from .config import Book
from .pagesetup import PrintSetup


def label_screen(path: Path, book: Book, body_start: int) -> None:
    """Page labels: "Cover", then i, ii, … for the front matter, then 1, 2, …"""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        _label_pages(pdf, book, body_start, cover=True)
        pdf.save(path, deterministic_id=True)


def _label_pages(pdf, book: Book, body_start: int, *, cover: bool = False) -> None:
    """Page labels that match the printed folios (i, ii, … then 1, 2, …), so viewers show
    them; a screen edition's first page is "Cover". And the document's language."""
    import pikepdf

    nums = pikepdf.Array([0, pikepdf.Dictionary(S=pikepdf.Name.r)])
    if cover:
        nums = pikepdf.Array([0, pikepdf.Dictionary(P=pikepdf.String(book.phrases["cover"])),
                              1, pikepdf.Dictionary(S=pikepdf.Name.r, St=2)])
    if body_start > int(cover):
        nums.extend([body_start, pikepdf.Dictionary(S=pikepdf.Name.D, St=1)])
    pdf.Root.PageLabels = pikepdf.Dictionary(Nums=nums)
    pdf.Root.Lang = pikepdf.String(book.schema.language)


def finish_file(path: Path, book: Book, body_start: int, setup: PrintSetup, epoch: int) -> tuple[int, int]:
    """finish_pdf on a file written by WeasyPrint."""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        counts = finish_pdf(pdf, book, body_start, setup, epoch)
        pdf.save(path, deterministic_id=True)
    return counts


#: The document-information key that names the printer a print PDF was made for.
PRINTER_KEY = "/OctavoPrinter"


def finish_pdf(pdf, book: Book, body_start: int, setup: PrintSetup, epoch: int) -> tuple[int, int]:
    """Page labels (see _label_pages); the dates (`epoch`, sourcedate.py); blank pages up to
    the printer's minimum and an even count; no links in a file for a printer. Returns the
    page count and the blank pages added beyond an even count."""
    import pikepdf

    _label_pages(pdf, book, body_start)
    stamp_dates(pdf, book, epoch)
    # Which printer the file was made for: `octavo preflight FILE` reads it from here.
    pdf.docinfo[pikepdf.Name(PRINTER_KEY)] = book.schema.printer
    laid_out = len(pdf.pages)
    wanted = max(laid_out, setup.min_pages)
    if setup.even:
        wanted += wanted % 2
    while len(pdf.pages) < wanted and len(pdf.pages) >= 2:
        # A blank page with the boxes of the page two back (same side, same bleed). It has
        # no /Contents at all, which the PDF specification (7.7.3.3) reads as an empty page:
        # an empty content stream would be written by qpdf as zero bytes marked
        # /FlateDecode, which is not a valid Flate stream (Ghostscript: "error reading a
        # stream"; qpdf/qpdf#1426).
        model = pdf.pages[len(pdf.pages) - 2].obj
        blank = pikepdf.Dictionary(Type=pikepdf.Name.Page, Resources=pikepdf.Dictionary())
        for box in ("/MediaBox", "/TrimBox", "/BleedBox", "/CropBox", "/ArtBox"):
            if box in model:
                blank[box] = pikepdf.Array(list(model[box]))
        pdf.pages.append(pikepdf.Page(blank))
    _share_and_name_fonts(pdf)
    if setup.strip_links:
        # A printed page cannot be clicked, and KDP asks for no annotations.
        for page in pdf.pages:
            if "/Annots" in page.obj:
                del page.obj["/Annots"]
    return len(pdf.pages), max(0, len(pdf.pages) - laid_out - laid_out % 2)


def stamp_dates(pdf, book: Book, epoch: int) -> None:
    """The document's dates are the sources' date, not the time of the build, in the
    document information and in the XMP metadata (PDF/X has both and they must agree).
    WeasyPrint writes the time of the build into a PDF/X (and a random xmpMM:DocumentID
    into PDF/X-4): two builds of the same book would differ."""
    import uuid

    import pikepdf

    from .sourcedate import iso, pdf_date

    pdf.docinfo[pikepdf.Name.CreationDate] = pdf.docinfo[pikepdf.Name.ModDate] = pdf_date(epoch)
    if "/Metadata" not in pdf.Root:
        return
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        for key in ("xmp:CreateDate", "xmp:ModifyDate", *(["xmp:MetadataDate"] if "xmp:MetadataDate" in meta else [])):
            meta[key] = iso(epoch)
        if "xmpMM:DocumentID" in meta:
            meta["xmpMM:DocumentID"] = "xmp.did:" + str(uuid.uuid5(uuid.NAMESPACE_URL, book.identifier))


def _share_and_name_fonts(pdf) -> None:
    """Chapter-wise layout embeds a font program once per chapter document: keep one copy
    of each (whole fonts are the same in every chapter, and so are some subsets). And make
    sure no two different subsets share a name (ISO 32000-1 §9.6.4): their tags come from
    their bytes (weasyfix.fix_font_embedding), so a clash is all but impossible, but a book
    has many subsets and a RIP that finds fonts by name would print the wrong glyphs."""
    import hashlib

    import pikepdf

    from .preflight import SUBSET
    from .weasyfix import subset_tag

    shared: dict[bytes, object] = {}
    descriptors = []
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in obj:
                    fingerprint = hashlib.sha256(obj[key].read_raw_bytes()).digest()
                    obj[key] = shared.setdefault(fingerprint, obj[key])
                    descriptors.append((obj, obj[key]))
    programs: dict[tuple[int, int], bytes] = {}  # font file object -> digest of the program
    owner: dict[str, bytes] = {}                  # tagged name -> the program it names
    renamed: dict[tuple[int, int], pikepdf.Name] = {}  # descriptor -> its new name
    for descriptor, program in descriptors:
        name = str(descriptor.get("/FontName", ""))
        if not SUBSET.match(name):
            continue
        if program.objgen not in programs:
            programs[program.objgen] = hashlib.sha256(program.read_bytes()).digest()
        held = owner.setdefault(name, programs[program.objgen])
        salt = 0
        while held != programs[program.objgen]:  # another subset has this name: a new tag
            salt += 1
            retagged = "/" + subset_tag(program.read_bytes(), salt) + "+" + name.split("+", 1)[1]
            held = owner.setdefault(retagged, programs[program.objgen])
            if held == programs[program.objgen]:
                descriptor.FontName = renamed[descriptor.objgen] = pikepdf.Name(retagged)
    if renamed:  # the fonts that use a renamed descriptor carry its name too
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font":
                descendant = obj.DescendantFonts[0] if "/DescendantFonts" in obj else obj
                descriptor = descendant.get("/FontDescriptor")
                if descriptor is not None and descriptor.objgen in renamed:
                    obj.BaseFont = descendant.BaseFont = renamed[descriptor.objgen]
