"""The instruction sheet, first in the workbook: how to fill the workbook in (in German or
English, for the whole portfolio or a partner's projects) and what each data sheet lets change."""

from __future__ import annotations

import textwrap

from xlsxwriter.worksheet import Worksheet

from portfolio.exchange.export.book import Book, print_setup
from portfolio.exchange.schema import REFERENCE_TITLES, SHEETS, Sheet
from portfolio.i18n import pick, t

INSTRUCTIONS_WIDTH = 110
"""Width (characters) of the instruction sheet's one column: it fits an A4 landscape page at
100 % (about 775 of the page's 1,045 printable pixels), so its wrapped lines are never cut."""
LINE_HEIGHT = 13  # points per line of 10-point text
TITLE_HEIGHT = 20  # the instruction sheet's 14-point title
STEPS = (1, 2, 4, 5, 6, 7, 8)
"""The steps of the instructions that read the same in every workbook (``xlsx_step_<n>``); 3, on
new rows, depends on the workbook."""


def write_instructions(book: Book, scope: str, partner_name: str | None) -> Worksheet:
    """The instruction sheet of a workbook for ``scope`` (its label), protected."""
    fm = book.fm
    info = book.wb.add_worksheet(pick(*REFERENCE_TITLES["instructions"], book.lang))
    print_setup(info, book, table=False)
    info.set_column(0, 0, INSTRUCTIONS_WIDTH)
    for r, (style, line) in enumerate(instructions(book.lang, scope, partner_name)):
        fmt = {"title": fm.title, "bold": fm.bold}.get(style, fm.wrap)
        if style == "title":
            info.set_row(r, TITLE_HEIGHT)
        elif (lines := len(textwrap.wrap(line, INSTRUCTIONS_WIDTH))) > 1:
            # Neither Excel nor LibreOffice grows a row for wrapped text on opening a file: a
            # line's row is as high as its wrapped lines at the column's width (at most as many
            # as characters fit, so rather a little space below than a cut line).
            info.set_row(r, LINE_HEIGHT * lines + 2)
        if line:
            info.write_string(r, 0, line, fmt)
    info.protect(book.password, {"select_locked_cells": True})
    return info


def instructions(lang: str, scope: str, partner_name: str | None) -> list[tuple[str, str]]:
    """(style, text) lines of the instruction sheet."""
    steps = [t(f"xlsx_step_{n}", lang) for n in STEPS]
    steps.insert(2, _new_rows_instruction(lang, scope != "all"))
    lines = [
        ("title", t("xlsx_title", lang)),
        ("", _scope_line(lang, partner_name)),
        ("", ""),
        ("bold", t("xlsx_how_to", lang)),
        *(("", step) for step in steps),
        ("", ""),
        ("bold", t("xlsx_on_import", lang)),
        ("", t("xlsx_on_import_text", lang)),
        ("", ""),
        ("bold", t("xlsx_sheets", lang)),
    ]
    lines += [("", f"{s.title(lang)}: {_sheet_line(s, lang, scope)}") for s in SHEETS]
    return lines


def _scope_line(lang: str, partner_name: str | None) -> str:
    if partner_name:
        return t("xlsx_scope_partner", lang, partner=partner_name)
    return t("xlsx_scope_all", lang)


def _sheet_line(s: Sheet, lang: str, scope: str) -> str:
    """What the data sheet ``s`` lets change: in a partner's workbook its columns open to
    partners and the columns of a new row."""
    editable = [c.header(lang) for c in s.columns if c.partner] if scope != "all" else None
    what = (
        t("xlsx_editable", lang, columns=", ".join(editable) if editable else "–")
        if editable is not None
        else t("xlsx_all_editable", lang)
    )
    if editable is not None and s.grant:
        what = t("xlsx_grants_kept", lang, what=what)
    if s.frozen_rows:
        lead = editable is not None and s.lead_only
        new = t("xlsx_new_reports_lead" if lead else "xlsx_new_reports", lang)
        return t("xlsx_reports_frozen", lang, new=new)
    if editable is not None and s.partner_create:
        columns = ", ".join(_create_headers(s, lang))
        what = t("xlsx_new_rows_columns", lang, what=what, columns=columns)
    return what


def _create_headers(sheet: Sheet, lang: str) -> list[str]:
    """The headers of the columns a partner fills in a new row of ``sheet``."""
    return [c.header(lang) for c in sheet.columns if c.field in sheet.partner_create]


def _new_rows_instruction(lang: str, partner: bool) -> str:
    """Instruction 3, on new rows: where the workbook takes them (a partner's: only the sheets
    whose rows below the list are unlocked, see :mod:`portfolio.exchange.export.data_sheet`) and
    how to fill them."""
    if not partner:
        return t("xlsx_step_3", lang)
    lead = t("xlsx_lead_only", lang)
    each = [
        t(
            "xlsx_in_sheet",
            lang,
            sheet=s.title(lang),
            columns=", ".join(_create_headers(s, lang)),
            lead=lead if s.lead_only else "",
        )
        for s in SHEETS
        if s.partner_create
    ]
    where = (
        t("xlsx_and", lang, first=", ".join(each[:-1]), last=each[-1]) if len(each) > 1 else each[0]
    )
    others = ", ".join(
        t("xlsx_quoted", lang, text=s.title(lang)) for s in SHEETS if not s.partner_create
    )
    return t("xlsx_step_3_partner", lang, where=where, others=others)
