"""Round trips, applying changes, journal and import record, idempotence (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import ImportRecord, JournalEntry, Milestone, Project
from portfolio.services import funding, kpis, milestones, projects
from tests.exchange.helpers import (
    append,
    edit,
    export,
    import_count,
    journal_count,
    run,
    small_portfolio,
    snapshot,
)


def test_export_then_import_changes_nothing(factory: sessionmaker[Session]) -> None:
    small_portfolio(factory)
    data = export(factory)
    before = snapshot(factory)
    result = run(factory, data)
    assert result.ok and result.applied
    assert (result.created, result.updated) == (0, 0)
    assert result.unchanged == sum(c.unchanged for c in result.counts.values()) > 0
    assert result.diffs == []
    after = snapshot(factory)
    assert {k: v for k, v in after.items() if k != "import_record"} == {
        k: v for k, v in before.items() if k != "import_record"
    }


def test_english_workbook_round_trips_too(factory: sessionmaker[Session]) -> None:
    small_portfolio(factory)
    result = run(factory, export(factory, lang="en"), dry_run=True)
    assert result.ok and (result.created, result.updated) == (0, 0)


def test_edits_are_previewed_then_applied_with_journal_and_record(
    factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(factory)
    data = export(factory)
    data = edit(
        data,
        "Projekte",
        keys["p1"],
        {"Titel": "Sensorik Innenstadt 2.0", "Gesamtkosten": "1.234.567,89 €"},
    )
    data = edit(data, "Meilensteine", keys["ms"], {"Erledigt am": "20.11.2026"})
    data = edit(data, "Messwerte", keys["measurement"], {"Wert": "14,75"})

    preview = run(factory, data, dry_run=True)
    assert preview.ok and not preview.applied and preview.updated == 3
    fields = {(d.key, d.field): (d.old, d.new) for d in preview.diffs}
    assert fields[(keys["p1"], "title")] == ("Sensorik Innenstadt", "Sensorik Innenstadt 2.0")
    assert (keys["ms"], "done_date") in fields
    assert journal_count(factory) and import_count(factory) == 0  # the dry run wrote nothing

    journal_before = journal_count(factory)
    result = run(factory, data)
    assert result.applied and result.updated == 3 and result.import_id is not None
    with factory() as s:
        p1 = projects.get_by_key(s, keys["p1"])
        assert p1.title == "Sensorik Innenstadt 2.0"
        assert p1.total_cost == Decimal("1234567.89") and p1.version == 2
        assert milestones.get_by_key(s, keys["ms"]).done_date == dt.date(2026, 11, 20)
        kpi = kpis.get_by_key(s, keys["kpi"])
        assert [m.value for m in kpi.measurements] == [Decimal("14.75")]
        entries = (
            s.execute(select(JournalEntry).where(JournalEntry.id > 0).order_by(JournalEntry.id))
            .scalars()
            .all()[journal_before:]
        )
        assert {(e.entity, e.source, e.source_ref, e.actor) for e in entries} == {
            (entity, "import", f"import:{result.import_id}", "partner-import")
            for entity in ("project", "milestone", "kpi_measurement")
        }
        project_entry = next(e for e in entries if e.entity == "project")
        assert {c.field: (c.old_value, c.new_value) for c in project_entry.changes} == {
            "title": ("Sensorik Innenstadt", "Sensorik Innenstadt 2.0"),
            "total_cost": ("1000000", "1234567.89"),
        }
        record = s.get(ImportRecord, result.import_id)
        assert record is not None
        assert (record.file_name, record.sha256, record.scope, record.outcome, record.actor) == (
            "rücklauf.xlsx",
            result.sha256,
            "all",
            "applied",
            "partner-import",
        )
        assert record.counts["projects"]["changed"] == 1


def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(factory)
    data = edit(export(factory), "Projekte", keys["p2"], {"Verantwortlich": "Team Portal"})
    first = run(factory, data)
    assert first.applied and first.updated == 1
    before = snapshot(factory)
    second = run(factory, data)
    assert second.ok and (second.created, second.updated) == (0, 0)
    assert any(str(first.import_id) in n for n in second.notices)  # "already imported"
    after = snapshot(factory)
    assert {k: v for k, v in after.items() if k != "import_record"} == {
        k: v for k, v in before.items() if k != "import_record"
    }


def test_rows_without_key_create_records(factory: sessionmaker[Session]) -> None:
    keys = small_portfolio(factory)
    data = append(
        export(factory),
        "Meilensteine",
        {"Projekt": keys["p1"], "Titel": "Abnahme", "Fällig am": dt.datetime(2027, 2, 1)},
    )
    data = append(
        data,
        "Projekte",
        {
            "Titel": "Neues Projekt",
            "Status": "Ideenstadium",
            "Handlungsfeld": "5.3.1",
            "Verantwortlich": "Team Bildung",
            "Federführung": "BOG",
        },
    )
    result = run(factory, data)
    assert result.applied and result.created == 2
    with factory() as s:
        new = s.execute(select(Milestone).where(Milestone.title == "Abnahme")).scalar_one()
        assert new.key.startswith(keys["p1"] + "-M") and new.due_date == dt.date(2027, 2, 1)
        project = s.execute(select(Project).where(Project.title == "Neues Projekt")).scalar_one()
        assert project.priority == "medium" and project.status == "idea"
        # the projects service's rule: the lead takes part in its project
        assert [(p.organisation.key, p.role) for p in project.participations] == [("BOG", "lead")]


def test_missing_rows_are_never_deleted(factory: sessionmaker[Session]) -> None:
    import io

    import openpyxl

    keys = small_portfolio(factory)
    wb = openpyxl.load_workbook(io.BytesIO(export(factory)))
    ws = wb["Meilensteine"]
    ws.delete_rows(2, ws.max_row)
    out = io.BytesIO()
    wb.save(out)
    result = run(factory, out.getvalue())
    assert result.applied
    with factory() as s:
        assert milestones.get_by_key(s, keys["ms"]).archived is False


def test_derived_funding_fields_follow_the_service_rules(factory: sessionmaker[Session]) -> None:
    keys = small_portfolio(factory)
    data = edit(export(factory), "Förderanträge", keys["app1"], {"Beantragt": 250000})
    result = run(factory, data)
    assert result.applied
    with factory() as s:
        app = funding.get_by_key(s, keys["app1"])
        # own share recomputed as the service does: eligible cost minus funding
        assert app.own_share == app.eligible_cost - app.amount_requested
