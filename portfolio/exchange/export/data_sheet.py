"""One data sheet of the exchange workbook: the header with a comment on each column, the
loaded rows with real types, dropdowns and validations on the editable cells (and on the new
rows below), frozen header and key column, filters, and sheet protection that locks what may not
change (for a partner: all but the columns open to partners)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from xlsxwriter.worksheet import Worksheet

from portfolio.exchange.export.book import Book, Formats, print_setup
from portfolio.exchange.export.cells import (
    cell_writer,
    column_comment,
    number_validation,
)
from portfolio.exchange.export.reference_sheets import ENUM_LIST, Dropdowns
from portfolio.exchange.schema import Column, Sheet
from portfolio.exchange.state import Refs
from portfolio.i18n import t

NEW_ROWS = 500  # rows below the data kept editable (and with dropdowns) for new entries


@dataclass(frozen=True)
class _Access:
    """Which columns of a sheet are open: in the exported rows and in the new rows below."""

    can_create: bool
    existing: list[bool]
    new: list[bool]


def _access(sheet: Sheet, partner: bool) -> _Access:
    columns = sheet.columns
    can_create = bool(sheet.partner_create) if partner else True
    return _Access(
        can_create=can_create,
        existing=[
            (c.partner if partner else True) and c.editable and not sheet.frozen_rows
            for c in columns
        ],
        new=[
            can_create
            and ((c.field in sheet.partner_create) if partner else (c.editable or c.kind == "key"))
            for c in columns
        ],
    )


def write_data_sheet(
    book: Book,
    sheet: Sheet,
    rows: list[dict[str, Any]],
    refs: Refs,
    partner: bool,
    dropdowns: Dropdowns,
) -> None:
    """The sheet of ``rows`` (as loaded) in ``book``; ``partner``: a partner's workbook."""
    ws = book.wb.add_worksheet(sheet.title(book.lang))
    print_setup(ws, book)
    access = _access(sheet, partner)
    _write_header(ws, book, sheet, access, partner)
    _write_rows(ws, book, sheet, rows, refs, access)
    last_row = len(rows) + (NEW_ROWS if access.can_create else 0)
    _add_validations(ws, sheet, access, dropdowns, book.lang, max(last_row, 1))
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, max(len(rows), 1), len(sheet.columns) - 1)
    ws.protect(
        book.password,
        {
            "autofilter": True,
            "sort": True,
            "format_columns": True,
            "format_rows": True,
            "insert_rows": access.can_create,
            "select_locked_cells": True,
            "select_unlocked_cells": True,
        },
    )


def _write_header(ws: Worksheet, book: Book, sheet: Sheet, access: _Access, partner: bool) -> None:
    """The columns' widths and formats (those of a new row), and the header row with comments;
    the header of a column that is open somewhere is blue, of a locked one grey."""
    fm = book.fm
    for i, c in enumerate(sheet.columns):
        ws.set_column(i, i, c.width, fm.of(c, not access.new[i]))
    ws.set_row(0, 30)
    for i, c in enumerate(sheet.columns):
        open_header = access.existing[i] or (sheet.frozen_rows and access.new[i])
        ws.write_string(0, i, c.header(book.lang), fm.header if open_header else fm.header_locked)
        ws.write_comment(0, i, column_comment(sheet, c, book.lang, partner), {"x_scale": 1.6})


def _write_rows(
    ws: Worksheet,
    book: Book,
    sheet: Sheet,
    rows: list[dict[str, Any]],
    refs: Refs,
    access: _Access,
) -> None:
    columns = sheet.columns
    fm: Formats = book.fm
    writers = [cell_writer(c, refs, book.lang) for c in columns]
    fmts = [fm.of(c, not access.existing[i]) for i, c in enumerate(columns)]
    key_fmt = fm.of(columns[0], True)
    fmts[0] = fmts[1] = key_fmt
    # A blank cell needs writing only where its format differs from the column's.
    blank_needed = [access.existing[i] != access.new[i] for i in range(len(columns))]
    fields = [c.field for c in columns]
    plan = list(zip(range(len(columns)), writers, fields, fmts, blank_needed, strict=True))
    for r, row in enumerate(rows, start=1):
        for i, write, name, fmt, blank in plan:
            value = row.get(name)
            if value is None and not blank and columns[i].kind not in ("key", "version", "context"):
                continue
            write(ws, r, i, value, row, fmt)


def _add_validations(
    ws: Worksheet, sheet: Sheet, access: _Access, dropdowns: Dropdowns, lang: str, last_row: int
) -> None:
    """The dropdown or validation of each column open somewhere, from row 2 to ``last_row``."""
    for i, c in enumerate(sheet.columns):
        if not (access.existing[i] or access.new[i]):
            continue
        rule = _validation(sheet, c, dropdowns, lang)
        if rule:
            ws.data_validation(1, i, last_row, i, rule)


def _validation(
    sheet: Sheet, column: Column, dropdowns: Dropdowns, lang: str
) -> dict[str, Any] | None:
    """A list's or a reference's dropdown, a date's range or a number's bounds; None if the
    column takes anything."""
    source = _dropdown_source(column, dropdowns)
    if source:
        return {
            "validate": "list",
            "source": source,
            "error_type": "warning",
            "error_title": t("xlsx_unknown_value", lang),
            "error_message": t("xlsx_choose_from_list", lang),
        }
    if column.kind == "date":
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": dt.date(1990, 1, 1),
            "maximum": dt.date(2100, 12, 31),
            "error_type": "warning",
            "error_message": t("xlsx_enter_date", lang),
        }
    spec = sheet.specs.get(column.field)
    return number_validation(column, spec.kind if spec else None, lang)


def _dropdown_source(column: Column, dropdowns: Dropdowns) -> str | None:
    if column.kind == "enum" and column.enum in ENUM_LIST:
        return dropdowns.lists[ENUM_LIST[column.enum]]
    if column.kind == "bool":
        return dropdowns.lists["yes_no"]
    if column.kind == "ref" and column.ref in dropdowns.refs:
        return dropdowns.refs[column.ref]
    return None
