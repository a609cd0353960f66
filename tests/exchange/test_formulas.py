"""No formulas out, no empty values in.

A formula's cached value is what a clerk sees, and the file may not carry it (calamine then reads
an empty cell): an uploaded cell holding a formula is refused, naming sheet, cell and field. The
export writes no formula into any sheet, so no sheet is exempt. The annotated error workbook
writes every cell as text or a typed value, never a formula: a partner's key
``=HYPERLINK("…")`` comes back as text, a formula of the upload as its text.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from sqlalchemy.orm import Session, sessionmaker

from portfolio.exchange.annotate import annotate_errors
from portfolio.exchange.safety import UnreadableFile, prescan
from tests.exchange.helpers import (
    edit,
    export,
    header_index,
    row_of,
    run,
    small_portfolio,
    snapshot,
)
from tests.exchange.parts import members, rezip, sheet_part, with_part_changed, with_rows

HYPERLINK = '=HYPERLINK("http://example.org/x","SC-001")'


def _formula(data: bytes, sheet: str, key: str, header: str, formula: str) -> bytes:
    """A formula typed into a cell (openpyxl writes it without a cached value, like many tools)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    row = row_of(data, sheet, key)
    ws.cell(row=row, column=header_index(ws)[header]).value = formula
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(ws: openpyxl.worksheet.worksheet.Worksheet, header: str, row: int) -> str:
    return f"{openpyxl.utils.get_column_letter(header_index(ws)[header])}{row}"


def _no_formula_anywhere(data: bytes) -> None:
    for name, content in members(data).items():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            assert not re.search(rb"<(\w+:)?f[\s/>]", content), name


def test_a_formula_cell_is_refused_naming_sheet_cell_and_field(
    sqlite_factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(sqlite_factory)
    data = export(sqlite_factory)
    row = row_of(data, "Projekte", keys["p1"])
    bad = _formula(data, "Projekte", keys["p1"], "Verantwortlich", '=UPPER("Frau Muster")')
    cell = _cell(openpyxl.load_workbook(io.BytesIO(data))["Projekte"], "Verantwortlich", row)
    before = snapshot(sqlite_factory)
    result = run(sqlite_factory, bad)
    assert not result.ok and not result.applied
    formula_errors = [e for e in result.errors if "Formel" in e.message]
    assert len(formula_errors) == 1
    error = formula_errors[0].to_json()
    assert error["sheet"] == "Projekte" and error["cell"] == cell and error["row"] == row
    assert error["column"] == "Verantwortlich"
    assert error["message"].startswith(f"Blatt „Projekte“, Zelle {cell} (Verantwortlich):")
    assert result.counts["projects"].invalid == 1
    assert snapshot(sqlite_factory) == before
    english = run(sqlite_factory, bad, lang="en", dry_run=True)
    assert any(
        e.message.startswith(f"Sheet “Projekte”, cell {cell} (Responsible): contains a formula")
        for e in english.errors
    )


def test_a_formula_with_its_cached_value_is_refused_too(
    sqlite_factory: sessionmaker[Session],
) -> None:
    """Even when the file carries the result: what the import would read is not what was typed."""
    small_portfolio(sqlite_factory)
    data = with_rows(
        export(sqlite_factory),
        "Messwerte",
        '<row r="30"><c r="A30" t="str"><f>"MW-"&amp;1</f><v>MW-1</v></c>'
        '<c r="H30"><f>SUM(1,2)</f><v>3</v></c></row>',
    )
    result = run(sqlite_factory, data, dry_run=True)
    cells = {e.to_json()["cell"] for e in result.errors if "Formel" in e.message}
    assert cells == {"A30", "H30"}


def test_a_row_of_formulas_without_values_is_not_skipped_as_empty(
    sqlite_factory: sessionmaker[Session],
) -> None:
    """calamine reads a formula without a cached value as empty: a row of such formulas would
    pass as an empty row, and its intended changes would be lost without a word."""
    small_portfolio(sqlite_factory)
    data = with_rows(
        export(sqlite_factory),
        "Meilensteine",
        '<row r="50"><c r="C50"><f>A2</f></c><c r="E50"><f>TODAY()</f></c></row>',
    )
    result = run(sqlite_factory, data, dry_run=True)
    assert not result.ok
    assert {e.to_json()["cell"] for e in result.errors} == {"C50", "E50"}
    assert result.counts["milestones"].invalid == 1


def test_shared_formulas_are_found_in_every_cell(sqlite_factory: sessionmaker[Session]) -> None:
    small_portfolio(sqlite_factory)
    data = with_rows(
        export(sqlite_factory),
        "Beteiligungen",
        '<row r="20"><c r="H20"><f t="shared" ref="H20:H22" si="0">1+1</f><v>2</v></c></row>'
        '<row r="21"><c r="H21"><f t="shared" si="0"/><v>2</v></c></row>'
        '<row r="22"><c r="H22"><f t="shared" si="0"/><v>2</v></c></row>',
    )
    assert prescan(data).formulas["Beteiligungen"] == [(20, 8), (21, 8), (22, 8)]
    cells = {e.to_json()["cell"] for e in run(sqlite_factory, data, dry_run=True).errors}
    assert cells == {"H20", "H21", "H22"}


def test_a_formula_in_the_key_column_is_refused_without_a_crash(
    sqlite_factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(sqlite_factory)
    data = export(sqlite_factory)
    bad = _formula(data, "Projekte", keys["p2"], "Schlüssel", '="SC-"&"002"')
    result = run(sqlite_factory, bad, dry_run=True)
    assert [e.to_json()["column"] for e in result.errors] == ["Schlüssel"]


def test_a_formula_in_meta_is_a_changed_meta(sqlite_factory: sessionmaker[Session]) -> None:
    small_portfolio(sqlite_factory)
    data = export(sqlite_factory)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb["_meta"]["B2"] = '="1"'
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(UnreadableFile) as caught:
        run(sqlite_factory, out.getvalue(), dry_run=True)
    assert caught.value.code == "meta_tampered"


def test_formulas_outside_the_imported_sheets_do_not_matter(
    sqlite_factory: sessionmaker[Session],
) -> None:
    """Reference sheets, the instructions and a partner's own sheets are not read."""
    small_portfolio(sqlite_factory)
    data = with_rows(
        export(sqlite_factory), "Listen", '<row r="40"><c r="A40"><f>1+1</f></c></row>'
    )
    assert run(sqlite_factory, data, dry_run=True).ok


def test_excel_style_list_validations_are_no_cell_formulas(
    sqlite_factory: sessionmaker[Session],
) -> None:
    """Excel re-saves cross-sheet dropdowns as ``<x14:dataValidation>`` with ``<xm:f>`` after
    the cells: not a formula of any cell."""
    small_portfolio(sqlite_factory)
    data = export(sqlite_factory)
    part = sheet_part(data, "Projekte")
    ext = (
        b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
        b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        b'<x14:dataValidations xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main" '
        b'count="1"><x14:dataValidation type="list" allowBlank="1"><x14:formula1>'
        b"<xm:f>Listen!$A$2:$A$9</xm:f></x14:formula1><xm:sqref>D2:D526</xm:sqref>"
        b"</x14:dataValidation></x14:dataValidations></ext></extLst></worksheet>"
    )
    resaved = with_part_changed(data, part, lambda c: c.replace(b"</worksheet>", ext))
    assert prescan(resaved).formulas == {}
    assert run(sqlite_factory, resaved, dry_run=True).ok


def test_the_error_sheet_writes_a_hyperlink_key_as_text(
    sqlite_factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(sqlite_factory)
    data = edit(export(sqlite_factory), "Projekte", keys["p1"], {"Schlüssel": HYPERLINK})
    result = run(sqlite_factory, data, dry_run=True)
    assert any(e.key == HYPERLINK for e in result.errors)
    annotated = annotate_errors(data, result)
    _no_formula_anywhere(annotated)
    wb = openpyxl.load_workbook(io.BytesIO(annotated))
    errors = wb["Fehler"]
    keys_written = [c for c in errors["E"] if c.value == HYPERLINK]
    assert keys_written and all(c.data_type == "s" for c in keys_written)
    assert all(c.quotePrefix for c in keys_written)
    # and the partner's own cell stays text too
    projects = wb["Projekte"]
    own = [c for c in projects["A"] if c.value == HYPERLINK]
    assert own and own[0].data_type == "s"


def test_a_refused_formula_comes_back_as_its_text(sqlite_factory: sessionmaker[Session]) -> None:
    keys = small_portfolio(sqlite_factory)
    data = export(sqlite_factory)
    bad = _formula(data, "Projekte", keys["p1"], "Verantwortlich", '=HYPERLINK("http://x","y")')
    result = run(sqlite_factory, bad, dry_run=True)
    annotated = annotate_errors(bad, result)
    _no_formula_anywhere(annotated)
    ws = openpyxl.load_workbook(io.BytesIO(annotated))["Projekte"]
    cell = ws[_cell(ws, "Verantwortlich", row_of(data, "Projekte", keys["p1"]))]
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")  # marked as an error
    assert cell.comment is not None and "Formel" in cell.comment.text


def test_a_formula_in_a_worksheet_no_sheet_names_is_refused(
    sqlite_factory: sessionmaker[Session],
) -> None:
    """A worksheet part the workbook does not name cannot be told apart from one it does by the
    import's reader: its formulas refuse the file, naming the part."""
    small_portfolio(sqlite_factory)
    data = export(sqlite_factory)
    sheet = members(
        with_rows(data, "Projekte", '<row r="9"><c r="B9"><f>1+1</f><v>2</v></c></row>')
    )[sheet_part(data, "Projekte")]
    with pytest.raises(UnreadableFile) as caught:
        prescan(rezip(data, extra={"xl/worksheets/spare.xml": sheet}))
    assert caught.value.code == "formula"
    assert caught.value.params["sheet"] == "xl/worksheets/spare.xml"
    assert caught.value.params["cell"] == "B9"
