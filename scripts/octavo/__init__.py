"""octavo: Markdown chapters with footnotes -> print-ready PDF and EPUB 3."""

__version__ = "0.1.0"
