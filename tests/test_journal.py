"""Journal completeness: who, when, through what, field by field; nothing on a no-op save."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db.enums import ChangeSource
from db.models import JournalChange, JournalEntry
from portfolio.policy import set_principal
from portfolio.services import funding, kpis, milestones, projects, status_reports
from tests.factories import make_application, make_project
from tests.fixtures.base import admin


def entries(session: Session, entity: str, entity_id: int) -> list[JournalEntry]:
    return list(
        session.execute(
            select(JournalEntry)
            .where(JournalEntry.entity == entity, JournalEntry.entity_id == entity_id)
            .order_by(JournalEntry.id)
        ).scalars()
    )


def changes(entry: JournalEntry) -> dict[str, tuple[str | None, str | None]]:
    return {c.field: (c.old_value, c.new_value) for c in entry.changes}


def test_create_is_journaled_with_every_set_field(session: Session) -> None:
    project = make_project(session)
    session.commit()
    [entry] = entries(session, "project", project.id)
    assert (entry.actor, entry.source, entry.action, entry.project_id, entry.entity_key) == (
        "tester",
        "ui",
        "create",
        project.id,
        "SC-001",
    )
    fields = changes(entry)
    assert fields["title"] == (None, "Testprojekt Sensorik")
    assert fields["total_cost"] == (None, "1000000")
    assert fields["start_date"] == (None, "2025-01-01")
    assert "version" not in fields and "created_at" not in fields


def test_update_records_old_and_new_per_field(session: Session) -> None:
    project = make_project(session)
    session.commit()
    projects.update(
        session,
        project.id,
        {
            "status": "completed",
            "total_cost": Decimal("1200000.50"),
            "title": "Testprojekt Sensorik",
        },
        expected_version=1,
    )
    session.commit()
    entry = entries(session, "project", project.id)[-1]
    assert entry.action == "update" and entry.version == 2
    assert changes(entry) == {
        "status": ("implementation", "completed"),
        "total_cost": ("1000000", "1200000.5"),
    }


def test_a_save_that_changes_nothing_writes_nothing(session: Session) -> None:
    project = make_project(session)
    session.commit()
    before = session.execute(select(func.count()).select_from(JournalEntry)).scalar_one()
    projects.update(
        session,
        project.id,
        {
            "title": " Testprojekt Sensorik ",
            "total_cost": Decimal("1000000"),
            "start_date": dt.date(2025, 1, 1),
        },
        expected_version=1,
    )
    session.commit()
    assert session.execute(select(func.count()).select_from(JournalEntry)).scalar_one() == before
    assert project.version == 1


def test_archive_and_source_and_reference(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        set_principal(s, admin("import-bot", ChangeSource.IMPORT, "import:7"))
        project = make_project(s)
        s.commit()
        projects.archive(s, project.id, expected_version=1)
        s.commit()
        last = entries(s, "project", project.id)[-1]
        assert (last.action, last.source, last.source_ref, last.actor) == (
            "archive",
            "import",
            "import:7",
            "import-bot",
        )
        assert changes(last) == {"archived": ("false", "true")}


def test_children_are_journaled_under_their_project(session: Session) -> None:
    project = make_project(session)
    app = make_application(session, project)
    funding.update(
        session,
        app.id,
        {
            "status": "approved",
            "amount_approved": Decimal("250000"),
            "decision_on": dt.date(2025, 6, 1),
        },
        expected_version=1,
    )
    request = funding.create_payment_request(
        session,
        {"application_id": app.id, "due_on": dt.date(2025, 9, 1), "amount": Decimal("1000")},
    )
    milestone = milestones.create(
        session, {"project_id": project.id, "title": "Start", "due_date": dt.date(2025, 2, 1)}
    )
    report = status_reports.create(
        session,
        {
            "project_id": project.id,
            "report_date": dt.date(2025, 3, 1),
            "overall": "green",
            "schedule": "green",
            "budget": "yellow",
            "funding": "green",
        },
    )
    kpi = kpis.create(
        session,
        {"project_id": project.id, "name": "Sensoren", "unit": "Stück", "target": Decimal(24)},
    )
    measurement = kpis.create_measurement(
        session, {"kpi_id": kpi.id, "measured_on": dt.date(2025, 5, 1), "value": Decimal(12)}
    )
    session.commit()
    for entity, row in [
        ("funding_application", app),
        ("payment_request", request),
        ("milestone", milestone),
        ("status_report", report),
        ("kpi", kpi),
        ("kpi_measurement", measurement),
        ("participation", project.participations[0]),
    ]:
        found = entries(session, entity, row.id)
        assert found, entity
        assert all(e.project_id == project.id for e in found), entity
    app_entries = entries(session, "funding_application", app.id)
    assert changes(app_entries[-1])["status"] == ("submitted", "approved")
    assert changes(app_entries[-1])["proof_of_use_due"] == (None, "2030-12-01")


def test_rollback_leaves_no_journal(session: Session) -> None:
    before = session.execute(select(func.count()).select_from(JournalChange)).scalar_one()
    make_project(session)
    session.rollback()
    assert session.execute(select(func.count()).select_from(JournalChange)).scalar_one() == before


def test_restore_is_journaled(session: Session) -> None:
    from portfolio.services import organisations

    org = organisations.get_by_key(session, "IHK")
    organisations.archive(session, org.id, expected_version=org.version)
    organisations.restore(session, org.id, expected_version=org.version)
    session.commit()
    actions = [e.action for e in entries(session, "organisation", org.id)]
    assert actions[-2:] == ["archive", "restore"]
    assert not org.archived and org.version == 3


def test_deleting_a_payment_request_is_journaled_under_its_project(session: Session) -> None:
    project = make_project(session)
    app = make_application(session, project)
    funding.update(
        session,
        app.id,
        {
            "status": "approved",
            "amount_approved": Decimal("250000"),
            "decision_on": dt.date(2025, 6, 1),
        },
        expected_version=1,
    )
    request = funding.create_payment_request(
        session,
        {"application_id": app.id, "due_on": dt.date(2025, 9, 1), "amount": Decimal("1000")},
    )
    funding.delete_payment_request(session, request.id, expected_version=request.version)
    session.commit()
    last = entries(session, "payment_request", request.id)[-1]
    assert (last.action, last.project_id, last.entity_key) == ("delete", project.id, request.key)
