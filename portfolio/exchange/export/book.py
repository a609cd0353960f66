"""What every sheet of the exchange workbook shares: the workbook being written with its
formats, language, heading, export time and protection password (:class:`Book`), the pick of a
A4 print set-up (:func:`print_setup`). The workbook's words are ``xlsx_*`` messages of
:mod:`portfolio.i18n_de` / :mod:`portfolio.i18n_en`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from portfolio.exchange.schema import Column
from portfolio.i18n import fmt_date, t

A4_PAPER = 9  # Excel's paper code for A4


class Formats:
    """The cell formats of one workbook: the headers (open and locked), each kind of cell open
    and locked, the instruction sheet's lines and the reference sheets' cells."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        base: dict[str, Any] = {"font_name": "Calibri", "font_size": 10, "valign": "top"}
        locked_look: dict[str, Any] = {"bg_color": "#EDEDED", "font_color": "#404040"}
        self.header = wb.add_format(
            {
                **base,
                "bold": True,
                "bg_color": "#1F4E79",
                "font_color": "#FFFFFF",
                "text_wrap": True,
                "border": 1,
                "border_color": "#BFBFBF",
            }
        )
        self.header_locked = wb.add_format(
            {
                **base,
                "bold": True,
                "bg_color": "#7F7F7F",
                "font_color": "#FFFFFF",
                "text_wrap": True,
                "border": 1,
                "border_color": "#BFBFBF",
            }
        )
        kinds: dict[str, dict[str, Any]] = {
            "text": {"quote_prefix": True},
            "date": {"num_format": "DD.MM.YYYY"},
            "money": {"num_format": '#,##0.00 "€"'},
            "rate": {"num_format": "0.00%"},
            "measure": {"num_format": "General"},
            "int": {"num_format": "0"},
        }
        self.cell: dict[tuple[str, bool], Format] = {}
        for kind, props in kinds.items():
            self.cell[(kind, False)] = wb.add_format({**base, **props, "locked": False})
            self.cell[(kind, True)] = wb.add_format(
                {**base, **props, **locked_look, "locked": True}
            )
        self.title = wb.add_format({**base, "bold": True, "font_size": 14, "font_color": "#1F4E79"})
        self.bold = wb.add_format({**base, "bold": True})
        self.wrap = wb.add_format({**base, "text_wrap": True})
        self.ref_header = wb.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "border": 1})
        self.ref_text = wb.add_format({**base, "quote_prefix": True})

    def of(self, column: Column, locked: bool) -> Format:
        kind = {
            "date": "date",
            "money": "money",
            "rate": "rate",
            "measure": "measure",
            "version": "int",
        }.get(column.kind, "text")
        return self.cell[(kind, locked)]


@dataclass(frozen=True)
class Book:
    """The workbook being written and what each of its sheets is written with."""

    wb: xlsxwriter.Workbook
    fm: Formats
    lang: str
    heading: str  # the workbook's title in every page header
    stamp: dt.datetime  # the export time
    password: str  # the sheets' protection password


def header_text(text: str) -> str:
    """``text`` for an Excel header or footer, where ``&`` starts a code."""
    return text.replace("&", "&&")


def print_setup(ws: Worksheet, book: Book, *, table: bool = True) -> None:
    """A4 landscape, one page wide (as many tall as needed), small margins, the sheet's name and
    the workbook's heading in the header, the export date and "page x of y" in the footer;
    a ``table`` repeats its header row and key column on every page and prints gridlines."""
    lang, heading, stamp = book.lang, book.heading, book.stamp
    ws.set_landscape()
    ws.set_paper(A4_PAPER)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header(f'&L&"-,Bold"&A&R{header_text(heading)}', {"margin": 0.25})
    ws.set_footer(
        "&L"
        + header_text(t("xlsx_exported_on", lang, day=fmt_date(stamp.date(), lang)))
        + "&R"
        + t("xlsx_page_of", lang),
        {"margin": 0.25},
    )
    if table:
        ws.repeat_rows(0)
        ws.repeat_columns(0)
        ws.hide_gridlines(0)  # gridlines on screen and on paper: rows are easy to follow
