"""The partner workbook on paper and in a clerk's hands: print set-up, number validations,
instructions that say what the sheets allow, and LibreOffice's PDF and re-saved copy of it."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.orm import Session, sessionmaker

from portfolio.demo.bochum import load_bochum
from portfolio.exchange.schema import META_SHEET, SHEETS
from portfolio.policy import Principal, set_principal
from portfolio.services.fields import MEASURE_MAX, MONEY_MAX
from tests.exchange.helpers import (
    export,
    journal_count,
    libreoffice_convert,
    partner,
    run,
    snapshot,
)
from tests.fixtures.base import TESTER, TODAY

PARTNER = "STW"
PROJECTS = 12  # STW takes part in 12 of the Bochum demo's 25 projects


def _partner_workbook(factory: sessionmaker[Session], lang: str = "de") -> tuple[bytes, Principal]:
    """The Bochum demo's STW workbook, exported as STW's own user does."""
    with factory() as session, session.begin():
        set_principal(session, TESTER)
        load_bochum(session, today=TODAY)
    stw = partner(factory, PARTNER)
    data = export(factory, principal=stw, lang=lang)
    projects = openpyxl.load_workbook(io.BytesIO(data))["Projekte" if lang == "de" else "Projects"]
    assert projects.max_row - 1 == PROJECTS  # the premise of the page bounds below
    return data, stw


def _pages(pdf: Path) -> list[tuple[str, float, float]]:
    """(header's sheet name, width, height) of every page, read with poppler's tools."""
    tool = shutil.which("pdfinfo")
    assert tool and shutil.which("pdftotext"), "poppler-utils is installed by .ci/run"
    info = subprocess.run(
        [tool, str(pdf)], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    count = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    sizes = subprocess.run(
        [tool, "-f", "1", "-l", str(count), str(pdf)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    dims = [
        (float(parts[3]), float(parts[5]))
        for line in sizes.splitlines()
        if line.startswith("Page") and " size:" in line and (parts := line.split())
    ]
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    pages = text.split("\f")[:count]
    # the header's left part is the sheet's name (&A), the first line of every page
    names = [
        next(line for line in page.splitlines() if line.strip()).split("  ")[0].strip()
        for page in pages
    ]
    assert len(names) == len(dims) == count
    return [(name, w, h) for name, (w, h) in zip(names, dims, strict=True)]


def test_every_printed_sheet_is_a4_landscape_one_page_wide(
    sqlite_factory: sessionmaker[Session],
) -> None:
    data, _ = _partner_workbook(sqlite_factory)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    data_titles = {s.title("de") for s in SHEETS}
    printed = [ws for ws in wb.worksheets if ws.title != META_SHEET]
    assert {ws.title for ws in printed} >= data_titles | {"Anleitung"}
    for ws in printed:
        setup = ws.page_setup
        assert setup.orientation == "landscape", ws.title
        assert setup.paperSize == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        # fitToWidth is left out when 1 (the OOXML default); fitToHeight 0: as many as needed
        assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0, ws.title
        assert ws.page_margins.left <= 0.5 and ws.page_margins.right <= 0.5, ws.title
        assert "&A" in ws.oddHeader.left.text, ws.title
        assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text, ws.title
        if ws.title in data_titles:
            assert ws.print_title_rows == "$1:$1", ws.title
            assert ws.print_title_cols == "$A:$A", ws.title
    # the instructions' one column fits the page's width (A4 landscape minus the margins holds
    # about 140 characters of its text); a longer line wraps in a row high enough for it
    info = wb["Anleitung"]
    width = info.column_dimensions["A"].width
    assert width <= 120
    long = [c for c in info["A"] if isinstance(c.value, str) and len(c.value) > width]
    assert long
    for cell in long:
        assert cell.alignment.wrap_text, cell.value
        assert (info.row_dimensions[cell.row].height or 0) >= 2 * 12, cell.value


def test_number_cells_are_validated_in_the_workbook_language(
    sqlite_factory: sessionmaker[Session],
) -> None:
    for lang, amount, number in (("de", "Betrag", "zahl"), ("en", "amount", "number")):
        wb = openpyxl.load_workbook(io.BytesIO(export(sqlite_factory, lang=lang)))
        for sheet in SHEETS:
            ws = wb[sheet.title(lang)]
            headers = {c.value: c.column_letter for c in ws[1] if c.value}
            rules = {
                str(dv.sqref).split(":")[0].rstrip("0123456789"): dv
                for dv in ws.data_validations.dataValidation
            }
            for column in sheet.columns:
                if column.kind not in ("money", "rate", "measure"):
                    continue
                dv = rules[headers[column.header(lang)]]
                assert dv.type == "decimal" and dv.operator in (None, "between"), column.field
                low, high = float(dv.formula1), float(dv.formula2)
                if column.kind == "money":
                    assert (low, high) == (0, float(MONEY_MAX)), column.field
                    assert amount in dv.error, dv.error
                    assert ("999.999.999.999,99" if lang == "de" else "999,999,999,999.99") in (
                        dv.error
                    )
                elif column.kind == "rate":  # 0.65 (65 %) or 65 typed as a number: 0 to 100
                    assert (low, high) == (0, 100), column.field
                    assert "100 %" in dv.error
                else:
                    assert -low == high <= float(MEASURE_MAX), column.field
                    assert number in dv.error.casefold(), dv.error


def test_instructions_name_the_sheets_that_take_new_rows_and_those_are_unlocked(
    sqlite_factory: sessionmaker[Session],
) -> None:
    data, _ = _partner_workbook(sqlite_factory)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    text = "\n".join(str(c.value) for c in wb["Anleitung"]["A"] if c.value)
    new_rows = next(line for line in text.splitlines() if line.startswith("3. "))
    assert "nur im Blatt „Messwerte“" in new_rows
    for sheet in SHEETS:
        ws = wb[sheet.title("de")]
        headers = {c.value: c.column_letter for c in ws[1] if c.value}
        for column in sheet.columns:
            letter = headers[column.header("de")]
            # an empty cell below the list takes its column's format: locked or not
            dim = ws.column_dimensions[letter]
            unlocked = dim.protection is not None and dim.protection.locked is False
            assert unlocked is (column.field in sheet.partner_create), (sheet.id, column.field)
        if sheet.partner_create:
            assert ws.protection.insertRows is False  # False: inserting rows is allowed
            assert all(
                column.header("de") in new_rows
                for column in sheet.columns
                if column.field in sheet.partner_create
            )
        else:
            assert f"„{sheet.title('de')}“" in new_rows.split("Die Blätter", 1)[1]
    assert (
        "Messwerte: änderbar: Wert, Bemerkung; neue Zeilen: Wirkungsindikator, Gemessen am, Wert, "
        "Bemerkung" in text
    )
    assert "erste ausgefüllte Zelle mit #" in text  # as the import reads comment rows


@pytest.mark.libreoffice
def test_the_partner_workbook_prints_on_few_landscape_pages(
    tmp_path: Path, sqlite_factory: sessionmaker[Session]
) -> None:
    data, _ = _partner_workbook(sqlite_factory)
    src = tmp_path / "src" / "stw.xlsx"
    src.parent.mkdir()
    src.write_bytes(data)
    pages = _pages(libreoffice_convert(src, "pdf", tmp_path))
    visible = [
        ws.title
        for ws in openpyxl.load_workbook(io.BytesIO(data)).worksheets
        if ws.sheet_state == "visible"
    ]
    per_sheet = Counter(name for name, _, _ in pages)
    assert set(per_sheet) == set(visible), per_sheet
    # Bound: one page wide, so a sheet takes as many pages as its rows need. With 12 projects
    # the largest sheet is Meilensteine (50 rows): an A4 landscape page holds about 35 rows of
    # 10-point text under the repeated header row, so 2 pages; every other sheet (at most 37
    # rows, the instructions about 30 lines) fits on 1 or 2. Before the print set-up the same
    # workbook printed 54 portrait pages, its wide sheets cut into strips of columns.
    assert all(n <= 2 for n in per_sheet.values()), per_sheet
    assert per_sheet["Projekte"] == 1 and per_sheet["Anleitung"] == 1, per_sheet
    assert len(pages) <= 2 * len(visible), per_sheet
    for name, width, height in pages:  # A4 landscape: 842 x 595 points
        assert (round(width), round(height)) == (842, 595), name
    # the instructions' page holds every line in full: nothing is cut at the page's edge
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(tmp_path / "out-pdf" / "stw.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    printed = " ".join(first.split())
    lines = [c.value for c in openpyxl.load_workbook(io.BytesIO(data))["Anleitung"]["A"] if c.value]
    assert len(lines) > 20
    for line in lines:
        assert " ".join(str(line).split()) in printed, line


@pytest.mark.libreoffice
def test_the_partner_workbook_resaved_by_libreoffice_imports_as_a_no_op(
    tmp_path: Path, sqlite_factory: sessionmaker[Session]
) -> None:
    data, stw = _partner_workbook(sqlite_factory)
    src = tmp_path / "src" / "stw.xlsx"
    src.parent.mkdir()
    src.write_bytes(data)
    resaved = libreoffice_convert(src, "xlsx", tmp_path).read_bytes()
    assert resaved != data
    # LibreOffice keeps the print set-up it was given
    projects = openpyxl.load_workbook(io.BytesIO(resaved))["Projekte"]
    assert projects.page_setup.orientation == "landscape"
    assert projects.print_title_rows == "$1:$1"
    dry = run(sqlite_factory, resaved, dry_run=True, principal=stw)
    assert dry.ok, [e.message for e in dry.errors]
    assert (dry.created, dry.updated) == (0, 0), [d.to_json() for d in dry.diffs]
    assert dry.unchanged > 0
    before, journal = snapshot(sqlite_factory), journal_count(sqlite_factory)
    applied = run(sqlite_factory, resaved, principal=stw)
    assert applied.ok and (applied.created, applied.updated) == (0, 0)
    after = snapshot(sqlite_factory)
    assert journal_count(sqlite_factory) == journal
    changed = {t for t in after if after[t] != before[t]}
    assert changed <= {"import_record", "audit_event"}, changed


@pytest.mark.libreoffice
def test_sheets_are_protected_with_the_password_in_the_signed_meta_sheet(
    tmp_path: Path, sqlite_factory: sessionmaker[Session]
) -> None:
    """Every sheet is protected with one password per export; the password stands in the
    hidden ``_meta`` sheet among the signed entries (changing it breaks the signature), and the
    protection survives a LibreOffice re-save."""
    from openpyxl.worksheet.protection import hash_password

    from portfolio.exchange import signing
    from portfolio.exchange.export import PROTECTION

    data, _ = _partner_workbook(sqlite_factory)
    book = openpyxl.load_workbook(io.BytesIO(data))
    meta = {
        str(r[0].value): str(r[1].value)
        for r in book[META_SHEET].iter_rows(min_row=2)
        if r[0].value is not None
    }
    password = meta[PROTECTION]
    assert len(password) == 16
    key = signing.key_of(sqlite_factory.kw["bind"])
    assert signing.verify(meta, key) == signing.Verdict.VALID
    assert signing.verify({**meta, PROTECTION: "0" * 16}, key) != signing.Verdict.VALID
    shown = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
    assert shown and all(ws.protection.sheet for ws in shown)
    assert {ws.protection.password for ws in shown} == {hash_password(password)}
    src = tmp_path / "src" / "stw.xlsx"
    src.parent.mkdir()
    src.write_bytes(data)
    resaved = openpyxl.load_workbook(
        io.BytesIO(libreoffice_convert(src, "xlsx", tmp_path).read_bytes())
    )
    assert all(
        resaved[ws.title].protection.sheet for ws in shown
    )  # LibreOffice keeps the protection
