"""The synthetic generator's bulk paths (issue 15): COPY on PostgreSQL, INSERT on SQLite, the
same rows and journal either way, and the id sequences ahead of every row afterwards."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Table, func, select
from sqlalchemy.orm import Session

from db.engine import make_session_factory
from db.enums import ChangeSource, Role
from db.models import (
    FundingApplication,
    JournalChange,
    JournalEntry,
    Kpi,
    KpiMeasurement,
    Milestone,
    Participation,
    PaymentRequest,
    Project,
    StatusReport,
)
from db.models.base import table_of
from portfolio.demo.synthetic import generate
from portfolio.policy import Principal, set_principal
from portfolio.services import projects
from tests.fixtures.base import TESTER, TODAY

TABLES = (
    Project,
    Participation,
    Milestone,
    FundingApplication,
    PaymentRequest,
    StatusReport,
    Kpi,
    KpiMeasurement,
)
SKIPPED = {"id", "created_at", "updated_at"}


def _load(engine: Engine, count: int) -> None:
    with make_session_factory(engine)() as session, session.begin():
        set_principal(session, Principal("demo", Role.ADMIN, source=ChangeSource.SYSTEM))
        generate(session, count, seed=3, today=TODAY)


def _content(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every generated row without ids and stamps, and the journal, in a stable order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for model in TABLES:
            table: Table = table_of(model)
            cols = [c for c in table.c if c.name not in SKIPPED]
            rows = conn.execute(select(*cols).order_by(table.c.id)).all()
            out[table.name] = [
                tuple(v.normalize() if isinstance(v, Decimal) else v for v in r) for r in rows
            ]
        entry = table_of(JournalEntry)
        change = table_of(JournalChange)
        out["journal"] = [
            tuple(r)
            for r in conn.execute(
                select(entry.c.entity, entry.c.entity_key, entry.c.action, change.c.field)
                .join(change, change.c.entry_id == entry.c.id)
                .where(entry.c.actor == "demo --synthetic")
                .order_by(entry.c.id, change.c.id)
            )
        ]
    return out


def test_same_rows_and_journal_on_both_paths(engine: Engine, sqlite_engine: Engine) -> None:
    _load(engine, 12)
    _load(sqlite_engine, 12)
    got, expected = _content(engine), _content(sqlite_engine)
    assert {k: len(v) for k, v in got.items()} == {k: len(v) for k, v in expected.items()}
    assert got == expected


def test_every_row_journaled_and_ids_continue(engine: Engine) -> None:
    _load(engine, 8)
    factory = make_session_factory(engine)
    with factory() as session:
        for model in TABLES:
            table = table_of(model)
            rows = session.execute(select(func.count()).select_from(table)).scalar_one()
            entries = session.execute(
                select(func.count()).where(
                    JournalEntry.entity == table.name, JournalEntry.actor == "demo --synthetic"
                )
            ).scalar_one()
            assert rows == entries > 0, table.name
        top = session.execute(select(func.max(Project.id))).scalar_one()
        stone_top = session.execute(select(func.max(Milestone.id))).scalar_one()
    _load(engine, 2)  # a second load continues after the first (keys and ids)
    with factory() as session, session.begin():
        set_principal(session, TESTER)
        created = projects.create(session, _project_values(session))
        assert created.id > top + 2
        keys = session.execute(select(Project.key).order_by(Project.id)).scalars().all()
        assert keys[:10] == [f"SYN-{n:05d}" for n in range(1, 11)]
        later = session.execute(
            select(func.min(Milestone.id)).where(Milestone.key.like("SYN-00009-%"))
        ).scalar_one()
        assert later is not None and later > stone_top


def _project_values(session: Session) -> dict[str, Any]:
    template = session.execute(select(Project).order_by(Project.id)).scalars().first()
    assert template is not None
    return {
        "key": "NEU-1",
        "title": "Neues Projekt nach dem Massenladen",
        "status": "idea",
        "priority": template.priority,
        "action_field_id": template.action_field_id,
        "lead_organisation_id": template.lead_organisation_id,
        "responsible_person": "Projektleitung",
    }
