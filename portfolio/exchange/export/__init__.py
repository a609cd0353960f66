"""The exchange workbook, written with XlsxWriter.

Real types (dates, numbers with EUR and percent formats), dropdowns from the reference sheets,
date and number validations with the services' bounds, frozen header, filters, widths, locked
columns under sheet protection, A4 landscape print set-up (one page wide, repeated header row
and key column, sheet name and page numbers), a German (or English) instruction sheet and a
hidden ``_meta`` sheet with format version, export time and scope, signed with the server's key
(:mod:`portfolio.exchange.signing`). Text is always written as text with a quote prefix, so
``=SUMME(A1)`` or ``@x`` is never evaluated and comes back unchanged.

The modules: :mod:`~portfolio.exchange.export.workbook` (the export functions and the order of
the sheets), :mod:`~portfolio.exchange.export.instructions`,
:mod:`~portfolio.exchange.export.data_sheet` with :mod:`~portfolio.exchange.export.cells` (one
column's cells, comments and validations), :mod:`~portfolio.exchange.export.reference_sheets`,
and :mod:`~portfolio.exchange.export.book` (formats and print set-up every sheet shares).
"""

from portfolio.exchange.export.book import Formats
from portfolio.exchange.export.cells import GRANT_READ_ONLY
from portfolio.exchange.export.workbook import (
    PROTECTION,
    ExportResult,
    Progress,
    export_partner_workbook,
    export_workbook,
    sheet_password,
)

__all__ = [
    "GRANT_READ_ONLY",
    "PROTECTION",
    "ExportResult",
    "Formats",
    "Progress",
    "export_partner_workbook",
    "export_workbook",
    "sheet_password",
]
