"""A workbook that adds a new project together with its parts: references to records created in
the same file, dependency order, the rules against the new parent, all or nothing, the journal,
idempotent re-import, duplicate and taken keys, partner scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.enums import ApplicationStatus, ChangeSource, JournalAction
from db.models import BudgetYear, JournalEntry, ProofOfUse
from portfolio import funding_rules
from portfolio.errors import Problem
from portfolio.exchange.importer import ImportResult, Issue, cell_name
from portfolio.i18n import Eur, t
from portfolio.services import funding, milestones, organisations, participations, projects
from portfolio.vocab import label
from tests.exchange.helpers import (
    append,
    export,
    header_index,
    journal_count,
    partner,
    run,
    small_portfolio,
    snapshot,
)
from tests.fixtures.base import TODAY

NEW = "SC-031"

PROJECT_ROW: dict[str, Any] = {
    "Schlüssel": NEW,
    "Titel": "Mobilstationen Ehrenfeld",
    "Status": "In Umsetzung",
    "Priorität": "hoch",
    "Handlungsfeld": "5.1.2",
    "Federführung": "STW",
    "Verantwortlich": "Team Mobilität",
    "Beginn": "01.01.2026",
    "Ende": "31.12.2028",
    "Gesamtkosten": "900.000,00 €",
    "Förderfähige Kosten": "600.000,00 €",
    "Kurzbeschreibung": "Sechs Mobilstationen mit Leihrädern",
    # MPSC phase B (the new application) needs the council's resolution before it
    "Ratsbeschluss vom": "12.12.2024",
    "Ratsbeschluss": "https://session.bochum.de/bi/vo020.asp?VOLFDNR=1031",
}
PARTICIPATION_ROWS: list[dict[str, Any]] = [
    {"Projekt": NEW, "Organisation": "STW", "Rolle": "Federführung", "Beitrag (Geld)": 20000},
    {
        "Projekt": NEW,
        "Organisation": "USB",
        "Rolle": "Partner",
        "Beitrag (Sachleistung)": "5.000,00",
        "Bemerkung": "Flächen",
    },
]
MILESTONE_ROWS: list[dict[str, Any]] = [
    {
        "Schlüssel": f"{NEW}-M1",
        "Projekt": NEW,
        "Titel": "Standorte festgelegt",
        "Fällig am": "30.06.2026",
        "Erledigt am": "15.06.2026",
    },
    {
        "Schlüssel": f"{NEW}-M2",
        "Projekt": NEW,
        "Titel": "Ausschreibung",
        "Fällig am": "31.03.2027",
        "Verantwortliche Organisation": "USB",
    },
    {
        "Schlüssel": f"{NEW}-M3",
        "Projekt": NEW,
        "Titel": "Inbetriebnahme",
        "Fällig am": "30.09.2028",
    },
]
APPLICATION_ROW: dict[str, Any] = {
    "Schlüssel": f"{NEW}-F1",
    "Projekt": NEW,
    "Förderprogramm": "MPSC",
    "Phase": "B",
    "Status": "bewilligt",
    "Beantragt": 300000,
    "Bewilligt": 250000,
    "Förderfähige Kosten": 500000,
    "Förderquote": "60 %",
    "Eingereicht am": "01.03.2025",
    "Entscheidung am": "01.06.2025",
}
PAYMENT_ROW: dict[str, Any] = {
    "Schlüssel": f"{NEW}-F1-M1",
    "Förderantrag": f"{NEW}-F1",
    "Fällig am": "01.03.2026",
    "Betrag": 100000,
    "Status": "geplant",
}


def new_project_file(
    base: bytes,
    *,
    project: dict[str, Any] | None = None,
    application: dict[str, Any] | None = None,
    payment: dict[str, Any] | None = None,
    milestone_rows: list[dict[str, Any]] | None = None,
) -> bytes:
    """``base`` plus a new project with 2 participations, 3 milestones, an application and a
    payment request. The sheets are put in reverse dependency order: order must not matter."""
    data = base
    data = append(data, "Mittelabrufe", PAYMENT_ROW | (payment or {}))
    for row in milestone_rows if milestone_rows is not None else MILESTONE_ROWS:
        data = append(data, "Meilensteine", row)
    data = append(data, "Förderanträge", APPLICATION_ROW | (application or {}))
    for row in PARTICIPATION_ROWS:
        data = append(data, "Beteiligungen", row)
    data = append(data, "Projekte", PROJECT_ROW | (project or {}))
    return reorder(data, ["Mittelabrufe", "Förderanträge", "Meilensteine", "Projekte"])


def reorder(data: bytes, last: list[str]) -> bytes:
    """Move the sheets ``last`` to the end of the workbook, in this order."""
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    for title in last:
        ws = wb[title]
        wb.move_sheet(ws, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(title))
    assert wb.sheetnames[-len(last) :] == last
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def issue_at(result: ImportResult, sheet: str, row: int, header: str) -> list[Issue]:
    return [e for e in result.errors if (e.sheet, e.row, e.column) == (sheet, row, header)]


def last_row(data: bytes, sheet: str) -> int:
    import io

    import openpyxl

    return int(openpyxl.load_workbook(io.BytesIO(data))[sheet].max_row)


def without_imports(snap: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    return {t: rows for t, rows in snap.items() if t != "import_record"}


# Long on purpose: a new project with every kind of part in one workbook, checked part by part.
def test_new_project_with_its_parts_in_one_file(factory: sessionmaker[Session]) -> None:
    keys = small_portfolio(factory)
    data = new_project_file(export(factory))
    before = snapshot(factory)

    preview = run(factory, data, dry_run=True)
    assert preview.ok, [e.message for e in preview.errors]
    assert snapshot(factory) == before  # a dry run writes nothing
    new_counts = {sheet: c.new for sheet, c in preview.counts.items()}
    assert new_counts == {
        "projects": 1,
        "participations": 2,
        "applications": 1,
        "payments": 1,
        "cost_items": 0,
        "milestones": 3,
        "measurements": 0,
        "status_reports": 0,
    }
    # the preview lists the new child rows with the new project's key
    shown = {(d.sheet, d.key, d.column): d.new for d in preview.diffs if d.action == "create"}
    assert shown[("Meilensteine", f"{NEW}-M2", "Projekt")] == NEW
    assert shown[("Mittelabrufe", f"{NEW}-F1-M1", "Förderantrag")] == f"{NEW}-F1"
    assert shown[("Projekte", NEW, "Titel")] == PROJECT_ROW["Titel"]

    result = run(factory, data)
    assert result.applied and result.ok, [e.message for e in result.errors]
    assert result.created == 8 and result.updated == 0

    with factory() as s:
        project = projects.get_by_key(s, NEW)
        assert project.title == PROJECT_ROW["Titel"]
        assert project.lead_organisation_id == organisations.get_by_key(s, "STW").id
        parts = {
            (p.organisation.key, p.role): p
            for p in participations.get_all(s, project_id=project.id)
        }
        assert set(parts) == {("STW", "lead"), ("USB", "partner")}  # the lead only once
        assert parts[("STW", "lead")].contribution_cash == Decimal(20000)
        assert parts[("USB", "partner")].contribution_in_kind == Decimal(5000)
        assert parts[("USB", "partner")].note == "Flächen"
        stones = milestones.get_all(s, project_id=project.id)
        assert [m.key for m in stones] == [f"{NEW}-M1", f"{NEW}-M2", f"{NEW}-M3"]
        assert stones[0].done_date == dt.date(2026, 6, 15)
        assert stones[1].responsible_organisation_id == organisations.get_by_key(s, "USB").id
        (app,) = funding.get_all(s, project_id=project.id)
        assert (app.key, app.status, app.amount_approved) == (
            f"{NEW}-F1",
            "approved",
            Decimal(250000),
        )
        # derived as the service derives it
        assert app.own_share == app.eligible_cost - funding.funding_amount(app)
        assert app.proof_of_use_due is not None
        (pay,) = funding.get_payment_requests(s, application_id=app.id)
        assert (pay.key, pay.amount, pay.status) == (f"{NEW}-F1-M1", Decimal(100000), "planned")
        assert s.execute(funding_rules.public_above_eligible([project.id])).all() == []

        # the journal: one create entry per new record, with the new project's id and the import
        # (also for what follows from the new grant: its duties and budget years)
        followed = {
            (model.__tablename__, row_id)
            for model in (ProofOfUse, BudgetYear)
            for row_id in s.execute(
                select(model.id).where(model.application_id == app.id)
            ).scalars()
        }
        created = {
            ("project", project.id),
            *(("participation", p.id) for p in parts.values()),
            *(("milestone", m.id) for m in stones),
            ("funding_application", app.id),
            ("payment_request", pay.id),
            *followed,
        }
        entries = s.execute(
            select(JournalEntry).where(JournalEntry.project_id == project.id)
        ).scalars()
        journaled = {(e.entity, e.entity_id): e for e in entries}
        assert set(journaled) == created
        for entry in journaled.values():
            assert entry.action == JournalAction.CREATE
            assert entry.source == ChangeSource.IMPORT
            assert entry.source_ref == f"import:{result.import_id}"
        old_project = projects.get_by_key(s, keys["p1"])
        assert old_project.version == 1  # the rest of the file changed nothing

    # the same file again: nothing changes, no error, a notice says why
    after = snapshot(factory)
    journal = journal_count(factory)
    again = run(factory, data)
    assert again.ok and again.created == 0 and again.updated == 0
    assert t("repeated_rows", "de", count="8") in again.notices
    assert without_imports(snapshot(factory)) == without_imports(after)
    assert journal_count(factory) == journal


@pytest.mark.parametrize(
    ("case", "sheet", "header"),
    [
        ("payment above the new approval", "Mittelabrufe", "Betrag"),
        ("payment under an application not yet awarded", "Mittelabrufe", "Förderantrag"),
        ("public funding above the new project's eligible cost", "Förderanträge", "Bewilligt"),
        ("milestone done in the future", "Meilensteine", "Erledigt am"),
    ],
)
def test_an_error_in_one_child_row_writes_nothing(
    factory: sessionmaker[Session], case: str, sheet: str, header: str
) -> None:
    small_portfolio(factory)
    base = export(factory)
    application: dict[str, Any] = {}
    payment: dict[str, Any] = {}
    project: dict[str, Any] = {}
    stones = [dict(r) for r in MILESTONE_ROWS]
    if case.startswith("payment above"):
        payment = {"Betrag": 260000}
        expected = Problem(
            "amount",
            "payments_above_approved",
            {"total": Eur(Decimal(260000)), "approved": Eur(Decimal(250000))},
        )
    elif case.startswith("payment under"):
        application = {"Status": "Antrag eingereicht", "Bewilligt": None, "Entscheidung am": None}
        expected = Problem(
            "application_id",
            "payment_needs_award",
            {"status": label(ApplicationStatus, ApplicationStatus.SUBMITTED)},
        )
    elif case.startswith("public funding"):
        project = {"Förderfähige Kosten": 200000, "Gesamtkosten": 300000}
        expected = Problem(
            "amount_approved",
            "public_funding_above_eligible",
            {"project": NEW, "total": Eur(Decimal(250000)), "eligible": Eur(Decimal(200000))},
        )
    else:
        future = TODAY + dt.timedelta(days=10)
        stones[0]["Erledigt am"] = future.strftime("%d.%m.%Y")
        expected = Problem("done_date", "date_in_future", {"value": future})
    data = new_project_file(
        base, project=project, application=application, payment=payment, milestone_rows=stones
    )
    before = snapshot(factory)
    journal = journal_count(factory)
    result = run(factory, data)
    assert not result.applied
    assert snapshot(factory) == before and journal_count(factory) == journal
    row = last_row(data, sheet) if sheet != "Meilensteine" else last_row(base, sheet) + 1
    found = issue_at(result, sheet, row, header)
    assert found, [e.to_json() for e in result.errors]
    assert [e.message for e in found] == [expected.message()]
    # besides: only the rows that refer to the refused new row say so
    others = [e for e in result.errors if e not in found]
    assert all("Zeile" in e.message and "Fehlern" in e.message for e in others), others
    assert len(others) == (1 if sheet == "Förderanträge" else 0)


def test_duplicate_and_taken_new_keys(sqlite_factory: sessionmaker[Session]) -> None:
    factory = sqlite_factory
    keys = small_portfolio(factory)
    # a workbook of new rows only (as another program would write it)
    data = append(only_headers(export(factory)), "Projekte", PROJECT_ROW)
    first = last_row(data, "Projekte")
    data = append(data, "Projekte", PROJECT_ROW | {"Titel": "Noch eins"})
    data = append(data, "Projekte", PROJECT_ROW | {"Schlüssel": keys["p2"], "Titel": "Anders"})
    data = append(data, "Projekte", PROJECT_ROW | {"Schlüssel": "SC 032"})
    data = append(
        data,
        "Meilensteine",
        {"Schlüssel": keys["ms"], "Projekt": NEW, "Titel": "Neu", "Fällig am": "01.01.2027"},
    )
    rows = last_row(data, "Projekte")
    before = snapshot(factory)
    for lang in ("de", "en"):
        result = run(factory, data, lang=lang)
        key_header = "Schlüssel" if lang == "de" else "Key"
        twice = issue_at(result, "Projekte", first + 1, key_header)
        assert [e.message for e in twice] == [
            t("duplicate_new_key", lang, key=NEW, other=str(first))
        ]
        assert twice[0].to_json()["cell"] == cell_name(0, first + 1) == f"A{first + 1}"
        taken = issue_at(result, "Projekte", first + 2, key_header)
        assert [e.message for e in taken] == [t("key_exists", lang, key=keys["p2"])]
        bad = issue_at(result, "Projekte", rows, key_header)
        assert bad and "SC 032" in bad[0].message
        ms_row = last_row(data, "Meilensteine")
        assert t("key_exists", lang, key=keys["ms"]) in {
            e.message for e in issue_at(result, "Meilensteine", ms_row, key_header)
        }
        assert not result.applied
    assert snapshot(factory) == before
    assert t("duplicate_new_key", "de", key="X", other="2").startswith("Schlüssel: „X“")
    assert t("duplicate_new_key", "en", key="X", other="2").startswith("Key: “X”")


def test_a_reference_to_a_new_row_with_errors_says_so(
    sqlite_factory: sessionmaker[Session],
) -> None:
    small_portfolio(sqlite_factory)
    data = new_project_file(export(sqlite_factory), project={"Titel": None})
    project_row = last_row(data, "Projekte")
    result = run(sqlite_factory, data)
    assert not result.applied
    expected = t(
        "ref_to_failed_new_row",
        "de",
        field="Projekt",
        value=NEW,
        sheet="Projekte",
        row=str(project_row),
    )
    by_sheet = {(e.sheet, e.message) for e in result.errors}
    for sheet in ("Beteiligungen", "Meilensteine", "Förderanträge"):
        assert (sheet, expected) in by_sheet
    # the payment request refers to the application that could not be created in turn
    assert any(
        e.sheet == "Mittelabrufe" and e.message.startswith("Förderantrag: „SC-031-F1“")
        for e in result.errors
    )


def test_keys_assigned_to_new_rows_leave_stated_keys_free(
    sqlite_factory: sessionmaker[Session],
) -> None:
    factory = sqlite_factory
    small_portfolio(factory)
    with factory() as s:
        stated = projects.next_key(s)  # the key the import would assign next
    data = append(export(factory), "Projekte", PROJECT_ROW | {"Schlüssel": None, "Titel": "Ohne"})
    data = append(data, "Projekte", PROJECT_ROW | {"Schlüssel": stated, "Titel": "Mit"})
    data = append(
        data,
        "Meilensteine",
        {"Projekt": stated, "Titel": "Start", "Fällig am": "01.02.2027"},
    )
    result = run(factory, data)
    assert result.applied, [e.message for e in result.errors]
    with factory() as s:
        named = projects.get_by_key(s, stated)
        assert named.title == "Mit"
        (stone,) = milestones.get_all(s, project_id=named.id)
        assert stone.key == f"{stated}-M1"
        other = [p for p in projects.get_all(s) if p.title == "Ohne"]
        # one past the highest key taken, the one the file states for its other new row too
        assert len(other) == 1 and other[0].key == f"SC-{int(stated[3:]) + 1:03d}"
        (entry,) = s.execute(
            select(JournalEntry).where(
                JournalEntry.entity == "milestone", JournalEntry.entity_id == stone.id
            )
        ).scalars()
        assert entry.project_id == named.id
        # the lead organisation takes part (added as the dashboard adds it), journaled too
        (lead,) = participations.get_all(s, project_id=named.id)
        assert (lead.organisation.key, lead.role) == ("STW", "lead")
        (entry,) = s.execute(
            select(JournalEntry).where(
                JournalEntry.entity == "participation", JournalEntry.entity_id == lead.id
            )
        ).scalars()
        assert entry.project_id == named.id
        assert (entry.source, entry.source_ref) == (
            ChangeSource.IMPORT,
            f"import:{result.import_id}",
        )


def test_a_partner_cannot_add_a_project_with_its_parts(
    sqlite_factory: sessionmaker[Session],
) -> None:
    factory = sqlite_factory
    small_portfolio(factory)
    stw = partner(factory, "STW")
    data = new_project_file(export(factory, principal=stw))
    before = snapshot(factory)
    result = run(factory, data, principal=stw)
    assert not result.applied
    assert snapshot(factory) == before
    project_row = last_row(data, "Projekte")
    headers = header_index(_sheet(data, "Projekte"))
    assert headers["Schlüssel"] == 1
    assert t("partner_create", "de") in {
        e.message for e in issue_at(result, "Projekte", project_row, "Schlüssel")
    }
    # every child row is refused too, none is created under the refused project
    for sheet in ("Beteiligungen", "Meilensteine", "Förderanträge", "Mittelabrufe"):
        assert any(e.sheet == sheet for e in result.errors), sheet
    assert result.created == 0


def only_headers(data: bytes) -> bytes:
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    for title in ("Projekte", "Beteiligungen", "Förderanträge", "Mittelabrufe", "Meilensteine"):
        wb[title].delete_rows(2, wb[title].max_row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet(data: bytes, title: str) -> Any:
    import io

    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(data))[title]
