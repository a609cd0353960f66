"""The project fact sheet (Steckbrief) as a PDF: A4, one or two pages, in the brief's look (its
fonts, colours, tables and page footer from :mod:`reports.pdf`), German by default.

Every value is formatted with :mod:`portfolio.i18n` and every code labelled with
:mod:`portfolio.vocab`; user text is escaped for reportlab's paragraph markup (it is data, never
markup) and wraps instead of being cut. Traffic lights are a coloured mark plus the word. The
KPIs get a small line chart each (measurements, baseline and target), as on the project page.

The sheet stays within two pages: when the full content would not fit, long texts are shortened
and long lists cut (each saying so) step by step until it does.

The package: :mod:`~reports.factsheet.fitting` (the steps and their cuts),
:mod:`~reports.factsheet.wording` (the sheet's words), :mod:`~reports.factsheet.writer` (styles
and building blocks), :mod:`~reports.factsheet.charts` (the KPI charts) and
:mod:`~reports.factsheet.document` (the sections and the PDF).
"""

from __future__ import annotations

from portfolio.queries.factsheet import FactSheet
from reports.factsheet.document import FactSheetDocument
from reports.factsheet.fitting import MAX_PAGES, STEPS, Limits

__all__ = ["MAX_PAGES", "STEPS", "Limits", "file_name", "render_pdf"]


def render_pdf(sheet: FactSheet, *, lang: str = "de") -> bytes:
    """The fact sheet as PDF bytes, in German (``lang="de"``) or English, on at most two pages."""
    lang = "en" if lang == "en" else "de"
    data = b""
    for limits in STEPS:
        data, pages = FactSheetDocument(sheet, lang, limits).build()
        if pages <= MAX_PAGES:
            break
    return data


def file_name(project_key: str, lang: str = "de") -> str:
    """``steckbrief_SC-001.pdf`` (``fact-sheet_SC-001.pdf`` in English)."""
    return f"{'fact-sheet' if lang == 'en' else 'steckbrief'}_{project_key}.pdf"
