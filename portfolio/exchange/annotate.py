"""The annotated error workbook: the partner's own file back, with what is wrong marked.

Invalid cells get a red fill and a comment saying what is wrong; conflicting cells an orange
fill and a comment with the current value and who changed it when; every sheet with problems an
error column ("Fehler") at the end with all messages of the row; and a sheet "Fehler" lists
everything, including problems that belong to no single cell.

No formula goes out: every cell written here is text or a typed value (a partner's key
``=HYPERLINK("…")`` is text, with Excel's quote prefix), and a cell of the partner's file that
held a formula (the import refuses those) comes back as the formula's text, marked. External
links of the file are dropped.
"""

from __future__ import annotations

import io
from collections import defaultdict

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from portfolio.exchange.importer import ImportResult, Issue
from portfolio.exchange.safety import prescan, require_defusedxml
from portfolio.i18n import LANGUAGES, t

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
CONFLICT_FILL = PatternFill("solid", fgColor="FFD966")
HEADER_FILL = PatternFill("solid", fgColor="C00000")
ERROR_COLUMN: dict[str, str] = {lang: t("annotate_errors", lang) for lang in LANGUAGES}
_HEADERS = ("sheet", "row", "cell", "column", "key", "message")
AUTHOR = "Smart-City-Portfolio"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _text(cell: Cell, value: object) -> Cell:
    """Set ``value`` as a typed value; text stays text (never a formula, whatever it starts with)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    return cell


def _formula_as_text(cell: Cell) -> None:
    """A formula of the uploaded file, kept as its text so that the partner sees what was there."""
    value = cell.value
    text = getattr(value, "text", None) or str(value if value is not None else "")
    _text(cell, text if text.startswith("=") else f"={text}")


def annotated_file_name(file_name: str, lang: str = "de") -> str:
    """The name the annotated workbook is offered under: ``plan.xlsx`` → ``plan-fehler.xlsx``."""
    return t("annotate_file_name", lang, stem=file_name.rsplit(".", 1)[0])


def annotate_errors(data: bytes, result: ImportResult, *, lang: str = "de") -> bytes:
    """``data`` (the uploaded workbook) with the errors and conflicts of ``result`` marked."""
    require_defusedxml()
    scan = prescan(data)
    wb = openpyxl.load_workbook(io.BytesIO(data), keep_links=False)
    _formulas_as_text(wb, scan.formulas)
    issues: list[tuple[Issue, bool]] = [(e, False) for e in result.errors] + [
        (c, True) for c in result.conflicts
    ]
    by_sheet: dict[str, list[tuple[Issue, bool]]] = defaultdict(list)
    for issue, is_conflict in issues:
        if issue.sheet in wb.sheetnames and issue.row:
            by_sheet[issue.sheet].append((issue, is_conflict))
    for title, items in by_sheet.items():
        _mark_sheet(wb[title], items, lang)
    _write_error_sheet(wb, issues, lang)
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _formulas_as_text(wb: Workbook, formulas: dict[str, list[tuple[int, int]]]) -> None:
    """Every formula cell the scan found (sheet → cells) kept as its text; every formula of
    the workbook where the scan found some in a part no sheet name leads to."""
    for title, cells in formulas.items():
        if title in wb.sheetnames:
            sheet = wb[title]
            for row, col in cells:
                found = sheet._cells.get((row, col))  # no new cells for empty references
                if found is not None and found.data_type == "f":
                    _formula_as_text(found)
    if any(title not in wb.sheetnames for title in formulas):  # parts the scan can't name
        for sheet in wb.worksheets:
            for line in sheet.iter_rows():
                for found in line:
                    if found.data_type == "f":
                        _formula_as_text(found)


def _mark_sheet(ws: Worksheet, items: list[tuple[Issue, bool]], lang: str) -> None:
    """The sheet's cells with issues filled and commented, their rows' messages in the error
    column; the sheet unprotected, so the partner can fix the marked cells."""
    if ws.protection.sheet:
        ws.protection.sheet = False
    error_col = _error_column(ws, lang)
    per_row: dict[int, list[str]] = defaultdict(list)
    per_cell: dict[tuple[int, int], list[tuple[str, bool]]] = defaultdict(list)
    for issue, is_conflict in items:
        assert issue.row is not None
        per_row[issue.row].append(issue.message)
        if issue.col_index is not None:
            per_cell[(issue.row, issue.col_index + 1)].append((issue.message, is_conflict))
    for (row, col), messages in per_cell.items():
        cell = ws.cell(row=row, column=col)
        cell.fill = CONFLICT_FILL if all(c for _, c in messages) else ERROR_FILL
        text = "\n".join(m for m, _ in messages)
        comment = Comment(text, AUTHOR)
        comment.width, comment.height = 360, 40 + 18 * (len(text) // 50 + len(messages))
        cell.comment = comment
    for row, texts in per_row.items():
        cell = _text(ws.cell(row=row, column=error_col), "\n".join(texts))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(color="C00000")


def _error_column(ws: Worksheet, lang: str) -> int:
    """The sheet's error column, headed: the one of a re-uploaded annotated file (its old
    messages cleared), else a new one after the last."""
    header_names = {v.casefold() for v in ERROR_COLUMN.values()}
    error_col = None
    for cell in ws[1]:
        if isinstance(cell.value, str) and cell.value.strip().casefold() in header_names:
            error_col = cell.column
            break
    if error_col is None:
        error_col = ws.max_column + 1
    else:
        for row in ws.iter_rows(min_row=2, min_col=error_col, max_col=error_col):
            row[0].value = None
    head = _text(ws.cell(row=1, column=error_col), ERROR_COLUMN.get(lang, "Fehler"))
    head.fill = HEADER_FILL
    head.font = Font(bold=True, color="FFFFFF")
    ws.column_dimensions[head.column_letter].width = 80
    return error_col


def _write_error_sheet(wb: Workbook, issues: list[tuple[Issue, bool]], lang: str) -> None:
    """The sheet "Fehler" first in the workbook (replacing an earlier one): every issue, one a
    row, including those that belong to no single cell."""
    title = ERROR_COLUMN.get(lang, "Fehler")
    if title in wb.sheetnames:
        del wb[title]
    ws = wb.create_sheet(title, 0)
    headers = [t(f"annotate_{name}", lang) for name in _HEADERS]
    for c, header in enumerate(headers, start=1):
        cell = _text(ws.cell(row=1, column=c), header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
    for r, (issue, _) in enumerate(issues, start=2):
        j = issue.to_json()
        values = [j["sheet"], j["row"], j["cell"], j["column"], j["key"], j["message"]]
        for c, value in enumerate(values, start=1):
            _text(ws.cell(row=r, column=c), value)
    for letter, width in zip("ABCDEF", (18, 8, 8, 22, 18, 120), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=6):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
