"""The command line (exit codes, JSON, --errors-out), the annotated workbook, LibreOffice."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.orm import Session, sessionmaker

from portfolio.cli import main
from portfolio.exchange.annotate import annotate_errors
from portfolio.services import projects
from tests.exchange.helpers import edit, export, libreoffice_convert, run, small_portfolio


def url_of(factory: sessionmaker[Session]) -> str:
    return str(factory.kw["bind"].url)


def test_cli_export_and_dry_run_json(
    tmp_path: Path, sqlite_factory: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    keys = small_portfolio(sqlite_factory)
    db = url_of(sqlite_factory)
    out = tmp_path / "stw.xlsx"
    assert main(["--db", db, "export", str(out), "--partner", "STW"]) == 0
    capsys.readouterr()
    changed = tmp_path / "stw-changed.xlsx"
    changed.write_bytes(
        edit(out.read_bytes(), "Meilensteine", keys["ms"], {"Erledigt am": "01.11.2026"})
    )
    assert (
        main(["--db", db, "import", str(changed), "--partner", "STW", "--dry-run", "--json"]) == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert {"created", "updated", "unchanged", "conflicts", "errors", "applied"} <= set(report)
    assert (report["updated"], report["applied"], report["errors"]) == (1, False, [])
    assert report["changes"][0]["field"] == "done_date"
    assert main(["--db", db, "import", str(changed), "--partner", "STW"]) == 0
    assert "Übernommen" in capsys.readouterr().out


def test_cli_rejects_with_exit_1_and_writes_the_annotated_workbook(
    tmp_path: Path, sqlite_factory: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    keys = small_portfolio(sqlite_factory)
    db = url_of(sqlite_factory)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        edit(
            export(sqlite_factory), "Projekte", keys["p1"], {"Beginn": "32.13.2026", "Titel": None}
        )
    )
    annotated = tmp_path / "annotated.xlsx"
    code = main(["--db", db, "import", str(bad), "--json", "--errors-out", str(annotated)])
    assert code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["applied"] is False and len(report["errors"]) == 2
    assert all({"sheet", "row", "column", "message"} <= set(e) for e in report["errors"])
    wb = openpyxl.load_workbook(annotated)
    ws = wb["Projekte"]
    header = {c.value: c.column for c in ws[1]}
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == keys["p1"])
    start = ws.cell(row=row, column=header["Beginn"])
    assert start.comment is not None and "32.13.2026" in start.comment.text
    assert start.fill.fgColor.rgb.endswith("FFC7CE")
    errors_cell = ws.cell(row=row, column=header["Fehler"]).value
    assert errors_cell and all(e["message"] in errors_cell for e in report["errors"])
    assert wb.sheetnames[0] == "Fehler" and wb["Fehler"].max_row == 3
    with sqlite_factory() as s:
        assert projects.get_by_key(s, keys["p1"]).title == "Sensorik Innenstadt"


def test_annotated_workbook_marks_conflicts_and_can_be_reannotated(
    sqlite_factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(sqlite_factory)
    data = edit(export(sqlite_factory), "Projekte", keys["p1"], {"Titel": "Aus der Datei"})
    with sqlite_factory() as s:
        p = projects.get_by_key(s, keys["p1"])
        projects.update(s, p.id, {"title": "Anders"}, expected_version=p.version)
        s.commit()
    result = run(sqlite_factory, data)
    once = annotate_errors(data, result)
    twice = annotate_errors(once, run(sqlite_factory, once))
    ws = openpyxl.load_workbook(io.BytesIO(twice))["Projekte"]
    errors_col = [c.column for c in ws[1] if c.value == "Fehler"]
    assert len(errors_col) == 1  # the error column is reused, not added again
    title = next(c.column for c in ws[1] if c.value == "Titel")
    cell = ws.cell(row=2, column=title)
    assert cell.comment is not None and "Anders" in cell.comment.text


def test_cli_usage_errors_exit_2(tmp_path: Path, sqlite_factory: sessionmaker[Session]) -> None:
    db = url_of(sqlite_factory)
    assert main(["--db", db, "import", str(tmp_path / "missing.xlsx")]) == 2
    assert main(["--db", db, "export", str(tmp_path / "out.csv")]) == 2
    assert main(["--db", db, "export", str(tmp_path / "x.xlsx"), "--partner", "NOPE"]) == 1


@pytest.mark.libreoffice
def test_workbook_resaved_by_libreoffice_imports_as_a_no_op(
    tmp_path: Path, sqlite_factory: sessionmaker[Session]
) -> None:
    keys = small_portfolio(sqlite_factory)
    with sqlite_factory() as s:
        p = projects.get_by_key(s, keys["p1"])
        projects.update(
            s,
            p.id,
            {"spatial_note": "=SUMME(A1)", "summary": "01067 @Bochum"},
            expected_version=p.version,
        )
        s.commit()
    src = tmp_path / "src" / "export.xlsx"
    src.parent.mkdir()
    src.write_bytes(export(sqlite_factory))
    resaved = libreoffice_convert(src, "xlsx", tmp_path).read_bytes()
    assert resaved != src.read_bytes()
    result = run(sqlite_factory, resaved, dry_run=True)
    assert result.ok, [e.message for e in result.errors]
    assert (result.created, result.updated) == (0, 0), [d.to_json() for d in result.diffs]
    assert result.unchanged > 0
