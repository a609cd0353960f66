"""Names beside codes in reference cells and dropdowns, and the sheet of status reports
(GitHub issue 13, part 6)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import JournalEntry, StatusReport
from portfolio.exchange.schema import STATUS_REPORTS
from portfolio.exchange.state import Scope
from portfolio.i18n import t
from portfolio.policy import set_principal
from portfolio.services import funding, organisations, projects, status_reports
from tests.exchange.helpers import (
    append,
    edit,
    export,
    header_index,
    journal_count,
    partner,
    row_of,
    run,
    small_portfolio,
    snapshot,
)
from tests.fixtures.base import TESTER

SHEET = "Statusberichte"


def _wb(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _cell(data: bytes, sheet: str, key: str, header: str) -> Any:
    ws = _wb(data)[sheet]
    return ws.cell(row=row_of(data, sheet, key), column=header_index(ws)[header]).value


def _unchanged(before: dict[str, Any], after: dict[str, Any]) -> bool:
    ignore = {"import_record", "audit_event"}
    return {k: v for k, v in before.items() if k not in ignore} == {
        k: v for k, v in after.items() if k not in ignore
    }


# ---- names beside codes ----------------------------------------------------------------------


def test_reference_cells_and_their_dropdowns_show_code_and_name(
    sqlite_factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(sqlite_factory)
    data = export(sqlite_factory)
    assert _cell(data, "Projekte", keys["p1"], "Federführung") == "STW – Stadtwerke Bochum"
    assert (
        _cell(data, "Projekte", keys["p1"], "Handlungsfeld")
        == "5.1.2 – Sensorik & Internet der Dinge"
    )
    assert (
        _cell(data, "Förderanträge", keys["app1"], "Förderprogramm")
        == "MPSC – Modellprojekte Smart Cities"
    )
    parts = _wb(data)["Beteiligungen"]
    shown = {r[header_index(parts)["Organisation"] - 1].value for r in parts.iter_rows(min_row=2)}
    assert {"STW – Stadtwerke Bochum", "USB – USB Bochum GmbH"} <= shown
    # projects keep their key (their title is the context column beside it)
    assert _cell(data, "Meilensteine", keys["ms"], "Projekt") == keys["p1"]

    wb = _wb(data)
    ws = wb["Projekte"]
    letter = get_column_letter(header_index(ws)["Federführung"])
    [rule] = [
        dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith(f"{letter}2")
    ]
    assert rule.type == "list"
    sheet, cells = rule.formula1.split("!")
    assert sheet == "'Organisationen'"
    column = cells.split(":")[0].replace("$", "").rstrip("0123456789")
    offered = [c.value for c in wb["Organisationen"][column][1:] if c.value]
    assert "STW – Stadtwerke Bochum" in offered
    assert "BOG – Bochum-Gelsenkirchener Straßenbahnen AG" in offered
    assert wb["Organisationen"][f"{column}1"].value == "Auswahl (Schlüssel – Name)"
    # every exported value is one the dropdown offers
    lead_col = header_index(ws)["Federführung"]
    assert {ws.cell(row=r, column=lead_col).value for r in range(2, ws.max_row + 1)} <= set(offered)

    # the English workbook names in English where the catalogue has English names
    en = export(sqlite_factory, lang="en")
    ws_en = _wb(en)["Projects"]
    row = next(r for r in ws_en.iter_rows(min_row=2) if r[0].value == keys["p1"])
    assert row[header_index(ws_en)["Action field"] - 1].value == (
        "5.1.2 – Sensors & Internet of Things"
    )


def test_unchanged_workbooks_with_names_import_as_a_no_op(
    sqlite_factory: sessionmaker[Session],
) -> None:
    small_portfolio(sqlite_factory)
    stw = partner(sqlite_factory, "STW")
    for lang in ("de", "en"):
        for who in (TESTER, stw):
            data = export(sqlite_factory, lang=lang, principal=who)
            before, journal = snapshot(sqlite_factory), journal_count(sqlite_factory)
            result = run(sqlite_factory, data, lang=lang, principal=who)
            assert result.ok, [e.message for e in result.errors]
            assert (result.created, result.updated) == (0, 0), [d.to_json() for d in result.diffs]
            assert journal_count(sqlite_factory) == journal
            assert _unchanged(before, snapshot(sqlite_factory))


def test_a_reference_cell_takes_the_code_alone_or_code_and_name(
    sqlite_factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(sqlite_factory)
    # the code alone
    data = edit(export(sqlite_factory), "Projekte", keys["p1"], {"Federführung": "BOG"})
    result = run(sqlite_factory, data)
    assert result.applied and result.updated == 1, [e.message for e in result.errors]
    with sqlite_factory() as s:
        set_principal(s, TESTER)
        bog = organisations.get_by_key(s, "BOG").id
        assert projects.get_by_key(s, keys["p1"]).lead_organisation_id == bog
    # "CODE – Name" of another organisation, as the dropdown offers it
    data = edit(
        export(sqlite_factory), "Projekte", keys["p1"], {"Federführung": "USB – USB Bochum GmbH"}
    )
    preview = run(sqlite_factory, data, dry_run=True)
    assert preview.ok and preview.updated == 1
    [diff] = [d for d in preview.diffs if d.field == "lead_organisation_id"]
    assert (diff.old, diff.new) == ("BOG", "USB")
    assert run(sqlite_factory, data).applied
    # the code before the first " – " counts, whatever follows it; a typed hyphen too
    data = edit(
        export(sqlite_factory),
        "Projekte",
        keys["p1"],
        {"Federführung": "stw – alter Name", "Handlungsfeld": "5.3.1 - Bildung"},
    )
    assert run(sqlite_factory, data).applied
    data = edit(
        export(sqlite_factory),
        "Förderanträge",
        keys["app1"],
        {"Förderprogramm": "MPSC – Modellprojekte Smart Cities"},
    )
    unchanged = run(sqlite_factory, data, dry_run=True)
    assert unchanged.ok and unchanged.updated == 0
    with sqlite_factory() as s:
        set_principal(s, TESTER)
        project = projects.get_by_key(s, keys["p1"])
        assert project.lead_organisation_id == organisations.get_by_key(s, "STW").id
        assert project.action_field.key == "5.3.1"
        assert funding.get_by_key(s, keys["app1"]).programme.key == "MPSC"
    # the name alone (a unique name or short name) still reads; an unknown code does not
    data = edit(export(sqlite_factory), "Projekte", keys["p1"], {"Federführung": "BOGESTRA"})
    assert run(sqlite_factory, data, dry_run=True).updated == 1
    data = edit(export(sqlite_factory), "Projekte", keys["p1"], {"Federführung": "XYZ – Nirgends"})
    refused = run(sqlite_factory, data, dry_run=True)
    assert not refused.ok
    assert any("XYZ – Nirgends" in e.message for e in refused.errors)


# ---- status reports --------------------------------------------------------------------------


def _reports(factory: sessionmaker[Session], keys: dict[str, Any]) -> dict[str, str]:
    """One stored report for each of the two projects (SC-001 led by STW, SC-002 by BOG)."""
    with factory() as s:
        set_principal(s, TESTER)
        out = {}
        for name, pid in (("r1", keys["p1_id"]), ("r2", keys["p2_id"])):
            report = status_reports.create(
                s,
                {
                    "project_id": pid,
                    "report_date": dt.date(2026, 9, 30),
                    "overall": "green",
                    "schedule": "yellow",
                    "budget": "green",
                    "funding": "green",
                    "summary": "Alles im Plan",
                    "author": "Innovation Unit",
                },
            )
            out[name] = f"SB-{report.id}"
        s.commit()
    return out


NEW_REPORT = {
    "Berichtsdatum": dt.datetime(2026, 11, 20),
    "Gesamtampel": "gelb",
    "Termine": "grün",
    "Budget": "rot",
    "Förderung": "green",
    "Kurzbeschreibung": "Sensoren geliefert, Montage verzögert",
    "Risiken": "Lieferengpass bei Gateways",
    "Erforderliche Entscheidungen": "Zusätzliche Mittel für Montage",
    "Nächste Schritte": "Montage im Dezember",
}


def test_a_lead_partner_adds_a_status_report_journaled_under_the_import(
    sqlite_factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(sqlite_factory)
    stored = _reports(sqlite_factory, keys)
    stw = partner(sqlite_factory, "STW")
    data = export(sqlite_factory, principal=stw)
    ws = _wb(data)[SHEET]
    # the reports of the projects STW leads, as read-only context; not BOG's project's
    listed = [r[0].value for r in ws.iter_rows(min_row=2) if r[0].value]
    assert listed == [stored["r1"]]
    cols = header_index(ws)
    row = row_of(data, SHEET, stored["r1"])
    assert ws.cell(row=row, column=cols["Gesamtampel"]).value == "grün"
    assert ws.cell(row=row, column=cols["Projekttitel"]).value == "Sensorik Innenstadt"
    assert all(ws.cell(row=row, column=c).protection.locked for c in cols.values())
    assert ws.protection.sheet and ws.protection.insertRows is False  # new rows allowed
    # the lights' dropdown offers the labels of the list "Ampel"
    letter = get_column_letter(cols["Gesamtampel"])
    assert any(
        str(dv.sqref).startswith(f"{letter}2") and dv.type == "list"
        for dv in ws.data_validations.dataValidation
    )

    data = append(data, SHEET, {"Projekt": keys["p1"], **NEW_REPORT})
    preview = run(sqlite_factory, data, dry_run=True, principal=stw)
    assert preview.ok, [e.message for e in preview.errors]
    assert preview.created == 1 and preview.counts["status_reports"].unchanged == 1
    journal = journal_count(sqlite_factory)
    result = run(sqlite_factory, data, principal=stw)
    assert result.applied and result.created == 1 and result.updated == 0
    with sqlite_factory() as s:
        new = s.execute(
            select(StatusReport).where(StatusReport.report_date == dt.date(2026, 11, 20))
        ).scalar_one()
        assert new.project_id == keys["p1_id"]
        assert (new.overall, new.schedule, new.budget, new.funding) == (
            "yellow",
            "green",
            "red",
            "green",
        )
        assert new.summary == "Sensoren geliefert, Montage verzögert"
        assert new.risks == "Lieferengpass bei Gateways"
        assert new.decisions_needed == "Zusätzliche Mittel für Montage"
        assert new.next_steps == "Montage im Dezember"
        assert new.author == stw.name
        entries = (
            s.execute(select(JournalEntry).order_by(JournalEntry.id)).scalars().all()[journal:]
        )
        [entry] = [e for e in entries if e.entity == "status_report"]
        assert (entry.entity_id, entry.action, entry.actor) == (new.id, "create", stw.name)
        assert (entry.source, entry.source_ref) == ("import", f"import:{result.import_id}")
        assert entry.project_id == keys["p1_id"]
        assert {c.field for c in entry.changes} >= {"risks", "decisions_needed", "next_steps"}

    # the same file again: the report exists with the same values, nothing is added
    before = snapshot(sqlite_factory)
    again = run(sqlite_factory, data, principal=stw)
    assert again.ok and (again.created, again.updated) == (0, 0)
    assert _unchanged(before, snapshot(sqlite_factory))


def test_a_report_for_a_project_the_partner_does_not_lead_is_refused_and_nothing_applies(
    sqlite_factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(sqlite_factory)
    _reports(sqlite_factory, keys)
    # USB takes part in SC-001 (led by STW): its workbook lists no reports, and a row for
    # SC-001 is refused at that row, together with the file's valid change
    usb = partner(sqlite_factory, "USB")
    data = export(sqlite_factory, principal=usb)
    assert [r[0].value for r in _wb(data)[SHEET].iter_rows(min_row=2) if r[0].value] == []
    [participation] = [
        r[0].value for r in _wb(data)["Beteiligungen"].iter_rows(min_row=2) if r[0].value
    ]
    data = edit(data, "Beteiligungen", participation, {"Bemerkung": "Sensorwartung"})
    data = append(data, SHEET, {"Projekt": keys["p1"], **NEW_REPORT})
    row = _wb(data)[SHEET].max_row
    before = snapshot(sqlite_factory)
    result = run(sqlite_factory, data, principal=usb)
    assert not result.ok and not result.applied
    [error] = [e for e in result.errors if e.sheet == SHEET]
    assert error.row == row and error.column == "Projekt"
    assert error.message == t(
        "partner_not_lead", "de", row=str(row), sheet=SHEET, key=keys["p1"], partner="USB"
    )
    assert f"Zeile {row}" in error.message and keys["p1"] in error.message
    assert _unchanged(before, snapshot(sqlite_factory))  # the valid note is not applied either

    # STW: a valid report for its own project and one for BOG's project: the whole file refused
    stw = partner(sqlite_factory, "STW")
    data = export(sqlite_factory, principal=stw)
    data = append(data, SHEET, {"Projekt": keys["p1"], **NEW_REPORT})
    data = append(data, SHEET, {"Projekt": keys["p2"], **NEW_REPORT})
    bad_row = _wb(data)[SHEET].max_row
    result = run(sqlite_factory, data, principal=stw)
    assert not result.applied
    assert [(e.sheet, e.row) for e in result.errors] == [(SHEET, bad_row)]
    assert keys["p2"] in result.errors[0].message
    assert _unchanged(before, snapshot(sqlite_factory))


def test_stored_reports_are_read_only_context(sqlite_factory: sessionmaker[Session]) -> None:
    keys = small_portfolio(sqlite_factory)
    stored = _reports(sqlite_factory, keys)
    for who in (TESTER, partner(sqlite_factory, "STW")):
        data = edit(
            export(sqlite_factory, principal=who),
            SHEET,
            stored["r1"],
            {"Risiken": "neu eingetragen", "Gesamtampel": "rot"},
        )
        result = run(sqlite_factory, data, dry_run=True, principal=who)
        assert not result.ok
        assert {e.column for e in result.errors} == {"Gesamtampel", "Risiken"}
        assert all(stored["r1"] in e.message and SHEET in e.message for e in result.errors)


def test_the_unit_adds_reports_for_any_project_checked_like_the_dashboard(
    sqlite_factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(sqlite_factory)
    _reports(sqlite_factory, keys)
    data = export(sqlite_factory, scope=Scope())
    ws = _wb(data)[SHEET]
    assert len([r for r in ws.iter_rows(min_row=2) if r[0].value]) == 2
    data = append(data, SHEET, {"Projekt": keys["p2"], **NEW_REPORT, "Verfasst von": "Team Portal"})
    result = run(sqlite_factory, data)
    assert result.applied and result.created == 1, [e.message for e in result.errors]
    with sqlite_factory() as s:
        new = s.execute(
            select(StatusReport).where(
                StatusReport.project_id == keys["p2_id"],
                StatusReport.report_date == dt.date(2026, 11, 20),
            )
        ).scalar_one()
        assert new.author == "Team Portal" and new.budget == "red"
    # a date that already has a report, twice the same date, a missing light: refused, at rows
    data = export(sqlite_factory)
    data = append(data, SHEET, {"Projekt": keys["p1"], **NEW_REPORT})
    data = append(data, SHEET, {"Projekt": keys["p1"], **NEW_REPORT})
    data = append(data, SHEET, {"Projekt": keys["p2"], **NEW_REPORT, "Risiken": "andere"})
    data = append(
        data,
        SHEET,
        {"Projekt": keys["p1"], **NEW_REPORT, "Berichtsdatum": dt.datetime(2026, 11, 1)}
        | {"Budget": None},
    )
    before = snapshot(sqlite_factory)
    result = run(sqlite_factory, data)
    assert not result.applied
    last = _wb(data)[SHEET].max_row
    assert sorted((e.row, e.column) for e in result.errors) == [
        (last - 2, "Berichtsdatum"),
        (last - 1, "Berichtsdatum"),
        (last, "Budget"),
    ]
    assert _unchanged(before, snapshot(sqlite_factory))


def test_the_instructions_name_the_status_report_sheet(
    sqlite_factory: sessionmaker[Session],
) -> None:
    small_portfolio(sqlite_factory)
    for who, lang, expected in (
        (partner(sqlite_factory, "STW"), "de", "nur für Projekte unter Ihrer Federführung"),
        (partner(sqlite_factory, "STW"), "en", "only for the projects you lead"),
        (TESTER, "de", "Statusberichte: bestehende Berichte nur Lesen"),
    ):
        wb = _wb(export(sqlite_factory, principal=who, lang=lang))
        text = "\n".join(str(c.value) for c in wb[wb.sheetnames[0]]["A"] if c.value)
        assert expected in text
        assert STATUS_REPORTS.title(lang) in text
        if who is not TESTER:
            line = next(x for x in text.splitlines() if x.startswith("3. "))
            assert STATUS_REPORTS.title(lang) in line
