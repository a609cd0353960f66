"""The brief as an Excel workbook: :mod:`reports.xlsx.layout` (formats, sheets, tables),
:mod:`reports.xlsx.sheets` (the brief's sheets) and :mod:`reports.xlsx.render`
(:func:`render_xlsx`)."""

from reports.xlsx.layout import DATE_FORMAT, EUR_FORMAT, Cell, Writer
from reports.xlsx.render import render_xlsx

__all__ = ["DATE_FORMAT", "EUR_FORMAT", "Cell", "Writer", "render_xlsx"]
