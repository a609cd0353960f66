"""The PDFs: :mod:`reports.pdf.layout` (pages, fonts, styles, tables, the footer; the brief's
and the fact sheet's), :mod:`reports.pdf.story` (how the brief's sections add paragraphs,
tables and headings), :mod:`reports.pdf.summary` (page 1 of the brief),
:mod:`reports.pdf.sections` (the brief's other sections) and :mod:`reports.pdf.render`
(:func:`render_pdf`)."""

from reports.pdf.layout import (
    BLUE,
    GREY,
    LAND_WIDTH,
    LIGHT_COLOURS,
    LIGHTS,
    LINE,
    MARGIN,
    WIDTH,
    BriefDocument,
    Heading,
    Styles,
    a4_document,
    light_colour,
    light_mark,
    numbered_canvas,
    status_colour,
    table_style,
)
from reports.pdf.render import render_pdf
from reports.pdf.sections import ANNEX_CHUNK, CHANGES_PER_KIND
from reports.pdf.story import PDF_LIST_LIMIT

__all__ = [
    "ANNEX_CHUNK",
    "BLUE",
    "CHANGES_PER_KIND",
    "GREY",
    "LAND_WIDTH",
    "LIGHTS",
    "LIGHT_COLOURS",
    "LINE",
    "MARGIN",
    "PDF_LIST_LIMIT",
    "WIDTH",
    "BriefDocument",
    "Heading",
    "Styles",
    "a4_document",
    "light_colour",
    "light_mark",
    "numbered_canvas",
    "render_pdf",
    "status_colour",
    "table_style",
]
