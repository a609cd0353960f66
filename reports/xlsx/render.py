"""The brief as an Excel workbook (XlsxWriter): the sections of the PDF as sheets
(:mod:`reports.xlsx.sheets`), real numbers with euro and date formats, native Excel charts,
frozen header rows and filters (:mod:`reports.xlsx.layout`)."""

from __future__ import annotations

import io

import xlsxwriter

from portfolio.xlsx import workbook_options
from reports.brief.model import Brief
from reports.xlsx import sheets
from reports.xlsx.layout import DATE_FORMAT, Writer


def render_xlsx(brief: Brief) -> bytes:
    """The brief as .xlsx bytes."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, workbook_options(in_memory=True, default_date_format=DATE_FORMAT)
    )
    book.set_properties(
        {
            "title": f"{brief.title()} – {brief.scope_label()}",
            "author": "Smart City Innovation Unit Bochum",
            "comments": f"as_of={brief.as_of.isoformat()} since={brief.since.isoformat()}",
        }
    )
    writer = Writer(brief, book)
    for sheet in (
        sheets.cover,
        sheets.key_figures,
        sheets.themes,
        sheets.funding,
        sheets.milestones,
        sheets.changes,
        sheets.risks,
        sheets.annex,
    ):
        sheet(writer)
    book.close()
    return out.getvalue()
