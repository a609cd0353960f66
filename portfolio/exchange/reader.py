"""Reads an uploaded workbook with python-calamine: raw cell values, no interpretation.

pandas is not involved: it would turn a text ``01067`` into 1067 and empty cells into NaN.
Row numbers are the ones Excel shows (1-based, leading empty rows kept).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import python_calamine

from portfolio.exchange.safety import UnreadableFile
from portfolio.exchange.schema import META_SHEET, SHEETS, Sheet, find_sheet

MAX_ROWS = 300_000


@dataclass
class RawSheet:
    title: str
    sheet: Sheet
    rows: list[list[Any]]
    first_row: int = 1  # Excel number of rows[0]


@dataclass
class RawWorkbook:
    sheets: list[RawSheet] = field(default_factory=list)
    meta: dict[str, str] | None = None
    other_titles: list[str] = field(default_factory=list)


def _read_sheet(wb: Any, name: str, limit: int) -> tuple[list[list[Any]], int]:
    sheet = wb.get_sheet_by_name(name)
    start = sheet.start or (0, 0)
    rows: list[list[Any]] = []
    for row in sheet.iter_rows():
        rows.append(row)
        if len(rows) > limit:
            raise UnreadableFile("too_many_rows", sheet=name, limit=f"{limit:,}".replace(",", "."))
    return rows, start[0] + 1


def read_workbook(data: bytes, *, max_rows: int = MAX_ROWS) -> RawWorkbook:
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several error types for broken files
        raise UnreadableFile("unreadable", detail=type(exc).__name__) from None
    out = RawWorkbook()
    try:
        for name in wb.sheet_names:
            if name == META_SHEET:
                rows, _ = _read_sheet(wb, name, 1000)
                out.meta = {
                    str(r[0]): str(r[1]) for r in rows[1:] if len(r) >= 2 and r[0] not in ("", None)
                }
                continue
            sheet = find_sheet(name)
            if sheet is None:
                out.other_titles.append(name)
                continue
            if any(s.sheet is sheet for s in out.sheets):
                out.other_titles.append(name)
                continue
            rows, first = _read_sheet(wb, name, max_rows)
            out.sheets.append(RawSheet(name, sheet, rows, first))
    except UnreadableFile:
        raise
    except Exception as exc:
        raise UnreadableFile("unreadable", detail=type(exc).__name__) from None
    finally:
        wb.close()
    if not out.sheets:
        raise UnreadableFile("no_sheets", expected=", ".join(s.title_de for s in SHEETS))
    order = {s.id: i for i, s in enumerate(SHEETS)}
    out.sheets.sort(key=lambda r: order[r.sheet.id])
    return out
