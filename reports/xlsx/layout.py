"""The layout of the brief's workbook (XlsxWriter): its cell formats, a sheet set up for A4
landscape with the brief's footer, and titled tables with a header row, typed cells (real
numbers with euro and date formats), frozen headers, filters and total rows.

Texts are written with ``write_string`` and ``strings_to_formulas`` off, so a project title that
starts with "=" stays text (no formula injection)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from reports.brief.model import Brief
from reports.brief.wording import Words

EUR_FORMAT = '#,##0.00 "€";-#,##0.00 "€"'
DATE_FORMAT = "dd.mm.yyyy"
Cell = tuple[str, Any]  # ("text" | "wrap" | "int" | "eur" | "date", value)


def formats(book: Workbook) -> dict[str, Any]:
    """The cell formats of the workbook, by name."""
    return {
        "title": book.add_format({"bold": True, "font_size": 16, "font_color": "#004A8F"}),
        "h": book.add_format({"bold": True, "font_size": 12, "font_color": "#004A8F"}),
        "head": book.add_format(
            {"bold": True, "bg_color": "#F0F3F7", "bottom": 1, "text_wrap": True}
        ),
        "text": book.add_format({"valign": "top"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "int": book.add_format({"num_format": "#,##0", "valign": "top"}),
        "eur": book.add_format({"num_format": EUR_FORMAT, "valign": "top"}),
        "date": book.add_format({"num_format": DATE_FORMAT, "valign": "top", "align": "left"}),
        "bold": book.add_format({"bold": True}),
        "note": book.add_format({"italic": True, "font_color": "#555555"}),
        "eur_total": book.add_format({"num_format": EUR_FORMAT, "bold": True, "top": 1}),
        "int_total": book.add_format({"num_format": "#,##0", "bold": True, "top": 1}),
    }


class Writer:
    """Writes one brief's sheets into ``book``, with its words (:class:`Words`)."""

    def __init__(self, brief: Brief, book: Workbook) -> None:
        self.b = brief
        self.w = Words(brief)
        self.book = book
        self.f = formats(book)

    def put(self, ws: Worksheet, row: int, col: int, cell: Cell) -> None:
        kind, value = cell
        if value is None:
            ws.write_blank(row, col, None, self.f["text"])
        elif kind == "eur":
            ws.write_number(row, col, float(Decimal(value)), self.f["eur"])
        elif kind == "int":
            ws.write_number(row, col, int(value), self.f["int"])
        elif kind == "date":
            ws.write_datetime(row, col, value, self.f["date"])
        else:
            ws.write_string(row, col, str(value), self.f["wrap" if kind == "wrap" else "text"])

    def sheet(self, key: str) -> Worksheet:
        """A new sheet named by the text ``key``: A4 landscape, one page wide, the footer."""
        ws = self.book.add_worksheet(self.w.t(key)[:31])
        ws.hide_gridlines(2)
        ws.set_paper(9)  # A4
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_footer(
            "&L" + self.b.scope_label().replace("&", "&&") + "&C" + self.w.footer() + "&R&P / &N"
        )
        return ws

    def table(
        self,
        ws: Worksheet,
        top: int,
        title: str | None,
        header: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        widths: Sequence[float] | None = None,
        *,
        freeze: bool = False,
        totals: dict[int, str] | None = None,
    ) -> int:
        """Write a titled table at ``top``; returns the next free row."""
        if title:
            ws.write_string(top, 0, title, self.f["h"])
            top += 1
        for col, text in enumerate(header):
            ws.write_string(top, col, text, self.f["head"])
        if widths:
            for col, width in enumerate(widths):
                ws.set_column(col, col, width)
        if freeze:
            ws.freeze_panes(top + 1, 0)
            ws.repeat_rows(top)
        first = top + 1
        for r, row in enumerate(rows, start=first):
            for c, cell in enumerate(row):
                self.put(ws, r, c, cell)
        last = first + len(rows) - 1
        if rows and freeze:
            ws.autofilter(top, 0, last, len(header) - 1)
        if not rows:
            ws.write_string(first, 0, self.w.t("none"), self.f["note"])
            return first + 2
        if totals:
            self.total_row(ws, rows, first, last, totals)
            return last + 3
        return last + 2

    def total_row(
        self,
        ws: Worksheet,
        rows: Sequence[Sequence[Cell]],
        first: int,
        last: int,
        totals: dict[int, str],
    ) -> None:
        """The row below a table: "Summe" and a SUBTOTAL (of the rows a filter shows) for each
        column in ``totals`` (column → "int" or "eur"), its value cached for readers."""
        ws.write_string(last + 1, 0, self.w.t("total"), self.f["bold"])
        for col, kind in totals.items():
            letter = xlsxwriter.utility.xl_col_to_name(col)
            formula = f"=SUBTOTAL(109,{letter}{first + 1}:{letter}{last + 1})"
            ws.write_formula(
                last + 1,
                col,
                formula,
                self.f["eur_total" if kind == "eur" else "int_total"],
                column_sum(rows, col, kind),
            )


def column_sum(rows: Sequence[Sequence[Cell]], col: int, kind: str) -> float | int:
    values = [row[col][1] or 0 for row in rows]
    return float(sum(Decimal(v) for v in values)) if kind == "eur" else sum(values)
