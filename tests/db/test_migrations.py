"""The migration chain: one head; upgrade, downgrade, upgrade; models match — on both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from db import migrate
from db.engine import SQLITE_BUSY_TIMEOUT_MS, make_engine
from db.models import Base
from tests.fixtures.base import BACKENDS, create_postgres_database, drop_postgres_database


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
    else:
        url = create_postgres_database("portfolio_migrations")
        engine = make_engine(url)
        yield engine
        engine.dispose()
        drop_postgres_database(url)


def test_single_head() -> None:
    heads = ScriptDirectory.from_config(migrate.alembic_config()).get_heads()
    assert len(heads) == 1
    # the quick check of `is_up_to_date` reads the same head off the files
    assert migrate.head_revision_quick() == heads[0] == migrate.head_revision()


def test_upgrade_downgrade_upgrade(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    tables = set(inspect(empty_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    migrate.downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(empty_engine)
    assert migrate.is_up_to_date(empty_engine)


def test_models_match_migrations(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


def test_every_step_downgrades(empty_engine: Engine) -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    for revision in revisions:
        migrate.upgrade(empty_engine, revision)
    for revision in reversed(revisions):
        migrate.downgrade(empty_engine, f"{revision}-1" if revision != revisions[0] else "base")
    assert migrate.current_revision(empty_engine) is None


def test_sqlite_connections_have_foreign_keys_wal_and_busy_timeout(tmp_path: Path) -> None:
    assert SQLITE_BUSY_TIMEOUT_MS >= 120_000  # writers wait out the longest import
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
    engine.dispose()


def test_sqlite_read_sessions_do_not_block_writers(tmp_path: Path) -> None:
    from sqlalchemy import select, text

    from db.engine import make_session_factory
    from db.models import Theme

    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}", connect_args={"timeout": 1})
    migrate.upgrade(engine)
    with make_session_factory(engine, read_only=True)() as reader:
        reader.execute(select(Theme)).all()  # an open read transaction
        with make_session_factory(engine)() as writer, writer.begin():
            writer.execute(
                text("INSERT INTO theme (key, name, position, version) VALUES ('9', 'X', 9, 1)")
            )  # within the 1 s busy timeout, although the read transaction is still open
        reader.rollback()
        # the write went through while the reader held its snapshot
        assert reader.execute(select(Theme.name).where(Theme.key == "9")).scalar_one() == "X"
    engine.dispose()


def test_sqlite_lower_folds_umlauts(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as conn:
        assert (
            conn.exec_driver_sql("SELECT lower('ÜBERSICHT Straße')").scalar() == "übersicht straße"
        )
    engine.dispose()


def test_0004_gives_every_awarded_application_its_notice(empty_engine: Engine) -> None:
    from sqlalchemy import text

    migrate.upgrade(empty_engine, "0003")
    with empty_engine.begin() as conn:
        for statement in (
            "INSERT INTO theme (id, key, name, position) VALUES (1, '5', 'Digitale Stadt', 5)",
            "INSERT INTO action_field (id, key, theme_id, name) VALUES (1, '5.1', 1, 'Daten')",
            "INSERT INTO project (id, key, title, status, priority, action_field_id, "
            "responsible_person, charter_guidelines, sdgs) VALUES (1, 'SC-001', 'Sensorik', "
            "'implementation', 'high', 1, 'Projektleitung', '[]', '[]')",
            "INSERT INTO funding_programme (id, key, name, funder, level, standard_rate, "
            "requires_own_share) VALUES (1, 'EFRE', 'EFRE', 'Land NRW', 'eu', 60, true)",
        ):
            conn.execute(text(statement))
        rows = [
            # key, status, requested, approved, decision_on
            ("SC-001-F1", "approved", 300000, 300000, "2025-06-01"),  # award
            ("SC-001-F2", "in_progress", 300000, 250000, "2025-07-01"),  # partial award
            ("SC-001-F3", "closed", None, 100000, "2024-05-02"),  # award, nothing requested
            ("SC-001-F4", "submitted", 300000, None, None),  # no decision yet
            ("SC-001-F5", "rejected", 300000, None, "2025-05-01"),  # no award
            ("SC-001-F6", "approved", 300000, None, "2025-05-01"),  # no amount: no notice
        ]
        for key, status, requested, approved, decided in rows:
            conn.execute(
                text(
                    "INSERT INTO funding_application (key, project_id, programme_id, status, "
                    "budget_emergency, amount_requested, amount_approved, decision_on, "
                    "period_start, period_end, reference_number) VALUES (:key, 1, 1, :status, "
                    "false, :requested, :approved, :decided, '2025-01-01', '2026-06-30', 'FKZ-1')"
                ),
                {
                    "key": key,
                    "status": status,
                    "requested": requested,
                    "approved": approved,
                    "decided": decided,
                },
            )
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        notices = conn.execute(
            text(
                "SELECT a.key, n.kind, n.dated_on, n.amount_approved, n.period_start, "
                "n.period_end, n.reference_number, n.version, n.created_at, n.updated_at "
                "FROM grant_notice n JOIN funding_application a ON a.id = n.application_id "
                "ORDER BY a.key"
            )
        ).all()
    assert [(n.key, n.kind, str(n.dated_on), float(n.amount_approved)) for n in notices] == [
        ("SC-001-F1", "award", "2025-06-01", 300000.0),
        ("SC-001-F2", "partial_award", "2025-07-01", 250000.0),
        ("SC-001-F3", "award", "2024-05-02", 100000.0),
    ]
    first = notices[0]
    assert (str(first.period_start), str(first.period_end), first.reference_number) == (
        "2025-01-01",
        "2026-06-30",
        "FKZ-1",
    )
    assert first.version == 1 and first.created_at is not None and first.updated_at is not None


def test_0005_gives_every_awarded_grant_its_proofs_and_the_programmes_their_rules(
    empty_engine: Engine,
) -> None:
    from sqlalchemy import text

    migrate.upgrade(empty_engine, "0004")
    with empty_engine.begin() as conn:
        for statement in (
            "INSERT INTO theme (id, key, name, position) VALUES (1, '5', 'Digitale Stadt', 5)",
            "INSERT INTO action_field (id, key, theme_id, name) VALUES (1, '5.1', 1, 'Daten')",
            "INSERT INTO project (id, key, title, status, priority, action_field_id, "
            "responsible_person, charter_guidelines, sdgs) VALUES (1, 'SC-001', 'Sensorik', "
            "'implementation', 'high', 1, 'Projektleitung', '[]', '[]')",
            "INSERT INTO funding_programme (id, key, name, funder, level, standard_rate, "
            "requires_own_share) VALUES (1, 'MPSC', 'MPSC', 'BMWSB', 'federal', 65, true)",
            "INSERT INTO funding_programme (id, key, name, funder, level, standard_rate, "
            "requires_own_share) VALUES (2, 'HAUSHALT', 'Haushalt', 'Stadt', 'municipal', "
            "100, false)",
        ):
            conn.execute(text(statement))
        rows = [
            # key, status, proof_of_use_due
            ("SC-001-F1", "approved", "2027-06-30"),
            ("SC-001-F2", "in_progress", "2027-09-30"),
            ("SC-001-F3", "proof_submitted", "2026-03-31"),
            ("SC-001-F4", "closed", "2025-03-31"),
            ("SC-001-F5", "submitted", None),  # not awarded: owes nothing
            ("SC-001-F6", "in_progress", None),  # no deadline known: nothing to convert
        ]
        for key, status, due in rows:
            conn.execute(
                text(
                    "INSERT INTO funding_application (key, project_id, programme_id, status, "
                    "budget_emergency, amount_approved, decision_on, proof_of_use_due) "
                    "VALUES (:key, 1, 1, :status, false, 100000, '2024-05-02', :due)"
                ),
                {"key": key, "status": status, "due": due},
            )
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        proofs = conn.execute(
            text(
                "SELECT a.key, p.kind, p.budget_year, p.due_on, p.state FROM proof_of_use p "
                "JOIN funding_application a ON a.id = p.application_id ORDER BY a.key, p.kind"
            )
        ).all()
        mpsc, haushalt = conn.execute(
            text(
                "SELECT refund_interest_points, final_share_rate, cost_tolerance_rate, "
                "interim_proof_months, eligible_cost_types FROM funding_programme ORDER BY id"
            )
        ).all()
        rates = conn.execute(text("SELECT valid_from, rate FROM base_rate ORDER BY 1")).all()
    assert [(p.key, p.kind, p.budget_year, str(p.due_on), p.state) for p in proofs] == [
        (key, kind, 0, due, state)
        for key, due, state in (
            ("SC-001-F1", "2027-06-30", "due"),
            ("SC-001-F2", "2027-09-30", "due"),
            ("SC-001-F3", "2026-03-31", "submitted"),
            ("SC-001-F4", "2025-03-31", "accepted"),
        )
        for kind in ("factual_report", "final")
    ]
    assert [float(v) for v in mpsc[:3]] == [5.0, 5.0, 20.0] and mpsc.interim_proof_months == 4
    types = mpsc.eligible_cost_types
    assert (json.loads(types) if isinstance(types, str) else types) == [
        "personnel",
        "material",
        "investment",
        "external_services",
    ]
    assert tuple(haushalt) == (None, None, None, None, None)
    assert [(str(day), float(rate)) for day, rate in rates][-2:] == [
        ("2025-01-01", 2.27),
        ("2025-07-01", 1.27),
    ]
    assert len(rates) == 7
    migrate.downgrade(empty_engine, "0004")
    with empty_engine.connect() as conn:
        assert "proof_of_use" not in inspect(conn).get_table_names()


def test_0006_a_partner_account_needs_its_organisation_and_names_are_unique(
    empty_engine: Engine,
) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    migrate.upgrade(empty_engine, "0006")
    insert = text(
        "INSERT INTO account (name, email, role, organisation_id) VALUES (:n, :e, :r, NULL)"
    )
    with empty_engine.begin() as conn:
        conn.execute(insert, {"n": "anna", "e": "anna@bochum.de", "r": "staff"})
    for values in (
        {"n": "clerk", "e": "clerk@stadtwerke.de", "r": "partner"},  # no organisation
        {"n": "anna", "e": "other@bochum.de", "r": "viewer"},  # name taken
        {"n": "anna2", "e": "anna@bochum.de", "r": "viewer"},  # e-mail taken
    ):
        with pytest.raises(IntegrityError), empty_engine.begin() as conn:
            conn.execute(insert, values)
    with empty_engine.connect() as conn:
        row = conn.execute(
            text("SELECT disabled, must_change_password, failed_logins, version FROM account")
        ).one()
    assert tuple(row) == (False, False, 0, 1)
