"""Concurrent writers in real processes, on SQLite and PostgreSQL (issue 9).

Each process opens its own engine on one shared database (a file for SQLite, a database of its
own on the PostgreSQL server), as the dashboard's server processes, the CLI and an import do.
bench/bench_concurrency.py runs the same races and a 30,000-change import and prints the numbers,
and the long run of the writers through the services (8 × 50, with partner imports and briefs).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from db import migrate
from db.engine import make_engine, make_session_factory
from portfolio.exchange import importer
from portfolio.policy import set_principal
from portfolio.seed import ensure_reference_data
from portfolio.services import organisations, participations, projects
from portfolio.services.base import unit_of_work
from tests import racing
from tests.exchange.helpers import edit, export, partner, run, small_portfolio
from tests.fixtures.base import (
    BACKENDS,
    TESTER,
    admin,
    create_postgres_database,
    drop_postgres_database,
    signed_in_factory,
)

# Real processes racing for seconds; the clock-ahead pass of `make test` skips them (the
# clock is not what they test), the main pass runs them on both databases.
pytestmark = pytest.mark.slow


@pytest.fixture(params=BACKENDS)
def shared_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    """A migrated, seeded database that other processes open by its URL."""
    if request.param == "sqlite":
        path = tmp_path / "shared.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url = create_postgres_database("portfolio_race")
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with make_session_factory(engine)() as session, session.begin():
            set_principal(session, TESTER)
            ensure_reference_data(session)
    finally:
        engine.dispose()
    try:
        yield url
    finally:
        drop_postgres_database(url)


def test_eight_editors_of_one_project_lose_nothing_and_see_only_conflicts(
    shared_url: str,
) -> None:
    """8 processes × 50 edits, each read in one session and written in another with the version
    it read: every edit is saved or a conflict naming who changed the project meanwhile; the
    final cost, version and journal agree with the number of saves."""
    result = racing.race(shared_url, processes=8, edits=50)
    print(result.summary())
    assert result.other_exceptions == 0, "\n".join([result.summary(), *result.samples])
    assert result.lost_updates == 0, result.summary()
    assert result.successes + result.conflicts == 8 * 50, result.summary()
    assert result.successes > 0 and result.conflicts > 0, result.summary()  # it was a race
    assert result.unnamed_conflicts == 0, "\n".join(result.samples)


def test_four_writers_through_the_services_retrying_conflicts_lose_nothing(
    shared_url: str,
) -> None:
    """4 processes × 10 increments (+1 € total cost) of two shared projects through the
    services, each conflict retried with a fresh read: every edit is saved exactly once (the
    final costs and the journal agree), nothing fails. (The benchmark runs 8 × 50 beside
    partner imports and PDF briefs.)"""
    result = racing.service_race(
        shared_url,
        processes=4,
        edits=10,
        projects=2,
        seconds=60,
        partner_import=False,
        brief=False,
    )
    summary = "\n".join([result.summary(), *result.samples])
    print(summary)
    assert not result.failures, summary
    assert (result.saved, result.gave_up, result.not_started) == (40, 0, 0), summary
    assert result.lost_updates == 0, summary
    assert result.conflicts > 0, summary  # it was a race
    assert result.retries == result.conflicts, summary  # every conflict read afresh, retried
    assert result.attempts == 40 + result.conflicts, summary
    assert sorted(result.saved_by_project.values()) == [20, 20], summary


def _usb_participation(factory: sessionmaker[Session], project_id: int) -> Any:
    with factory() as session:
        set_principal(session, TESTER)
        usb = organisations.get_by_key(session, "USB").id
        return participations.get_all(session, project_id=project_id, organisation_id=usb)[0]


def test_a_partner_workbook_gone_stale_by_a_locked_field_still_imports_the_partners_change(
    factory: sessionmaker[Session],
) -> None:
    """The unit raised the total cost (a field partners may not change) after the partner's
    export: the file repeats the value of its version, which is no change of the partner's;
    its own contribution is applied and the unit's cost stays."""
    keys = small_portfolio(factory)
    usb = partner(factory, "USB")
    data = export(factory, principal=usb)
    with unit_of_work(factory, admin("anna")) as session:
        projects.update(
            session, keys["p1_id"], {"total_cost": Decimal("1000001")}, expected_version=1
        )
    share = _usb_participation(factory, keys["p1_id"])
    data = edit(data, "Beteiligungen", f"BT-{share.id}", {"Beitrag (Geld)": 6000})

    result = run(factory, data, principal=usb)

    assert result.applied and not result.conflicts, [e.message for e in result.errors]
    assert result.updated == 1
    assert _usb_participation(factory, keys["p1_id"]).contribution_cash == Decimal(6000)
    with factory() as session:
        set_principal(session, TESTER)
        assert projects.get(session, keys["p1_id"]).total_cost == Decimal("1000001")


def test_a_stale_partner_workbook_that_changes_a_locked_field_is_still_refused(
    factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(factory)
    usb = partner(factory, "USB")
    data = edit(export(factory, principal=usb), "Projekte", keys["p1"], {"Gesamtkosten": 5})
    with unit_of_work(factory, admin("anna")) as session:
        projects.update(
            session, keys["p1_id"], {"total_cost": Decimal("1000001")}, expected_version=1
        )

    result = run(factory, data, principal=usb)

    assert not result.applied
    messages = [e.message for e in result.errors]
    assert len(messages) == 1 and "darf von Partnern nicht geändert werden" in messages[0]
    assert "5,00" in messages[0] and "1.000.001,00" in messages[0], messages
    with factory() as session:
        set_principal(session, TESTER)
        assert projects.get(session, keys["p1_id"]).total_cost == Decimal("1000001")


IMPORT_HOLD_S = {"sqlite": 12.0, "postgresql": 4.0}
"""How long the import pauses once every sheet is written, holding its transaction, as a big
file would. On SQLite longer than the old 10 s busy timeout (a 30,000-change import held the
write lock longer than that, and a writer failed with "database is locked")."""


def test_a_service_write_during_an_import_waits_and_then_succeeds_or_conflicts(
    shared_url: str, tmp_path: Path
) -> None:
    """SQLite: the import holds the write lock; a write of another row waits for it and is then
    saved, a write of a project the import changed is then a conflict naming the import.
    PostgreSQL: only row locks: the other row is saved at once; the same row waits for the
    import's commit and is then the conflict."""
    backend = "sqlite" if shared_url.startswith("sqlite") else "postgresql"
    hold = IMPORT_HOLD_S[backend]
    engine = make_engine(shared_url)
    factory = signed_in_factory(engine)
    keys = small_portfolio(factory)
    workbook = tmp_path / "rücklauf.xlsx"
    workbook.write_bytes(
        edit(export(factory), "Projekte", keys["p1"], {"Verantwortlich": "Neue Leitung"})
    )
    engine.dispose()

    result = racing.import_race(
        shared_url,
        workbook,
        other_key="USB",
        same_key=keys["p1"],
        hold_at="write",
        hold_s=hold,
        delay_s=0.3,
    )

    summary = result.summary()
    print(summary)
    assert not result.failures, summary
    assert result.applied and result.updated == 1, summary
    other, same = result.writes["other row"], result.writes["same row"]
    assert other.outcome == "saved", summary
    assert same.outcome == "conflict", summary
    assert same.changed_by == racing.IMPORT_ACTOR, summary
    assert "import-race" in same.message, summary
    if backend == "sqlite":
        assert other.seconds > hold - 2, summary  # it waited for the import's write lock
        assert same.seconds > hold - 2, summary
    else:
        assert other.seconds < hold / 2, summary  # another row: not blocked by the import
        assert same.seconds > hold - 2, summary  # the import's row lock


# ---- PostgreSQL: a row changed between the import's check and its write ------------------------
# (SQLite: the import holds the write lock from its first statement, nobody writes in between.)

ONLY_POSTGRES = pytest.mark.parametrize(
    "engine", [b for b in BACKENDS if b == "postgresql"], indirect=True
)


@ONLY_POSTGRES
def test_the_import_names_who_changed_a_row_after_it_was_checked(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both projects' changes go out in one guarded executemany; Anna's save moved project 1 to
    version 2, the very version the import would give it: only the row count can tell."""
    keys = small_portfolio(factory)
    data = export(factory)
    for key in (keys["p1"], keys["p2"]):
        data = edit(data, "Projekte", key, {"Verantwortlich": "Neue Leitung"})
    write_stage = importer._write_stage

    def anna_saves_first(ctx: Any, actor: Any, items: list[Any]) -> None:
        if any(p.sheet.entity == "project" for p in items):
            with unit_of_work(factory, admin("anna")) as session:
                projects.update(session, keys["p1_id"], {"summary": "Anna"}, expected_version=1)
        write_stage(ctx, actor, items)

    monkeypatch.setattr(importer, "_write_stage", anna_saves_first)
    result = run(factory, data)
    assert not result.applied
    assert [(c.key, c.column, c.changed_by) for c in result.conflicts] == [
        (keys["p1"], "Verantwortlich", "anna")
    ]
    assert "anna" in result.conflicts[0].message
    assert result.counts["projects"].conflicting == 1
    assert result.counts["projects"].changed == 1  # project 2, not applied either
    with factory() as check:
        project = projects.get(check, keys["p1_id"])
        assert (project.summary, project.version) == ("Anna", 2)
        assert project.responsible_person != "Neue Leitung"
        assert projects.get(check, keys["p2_id"]).responsible_person != "Neue Leitung"


@ONLY_POSTGRES
def test_the_import_names_who_changed_a_participation_while_it_moved_the_lead(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = small_portfolio(factory)
    data = edit(export(factory), "Projekte", keys["p1"], {"Federführung": "USB"})
    with factory() as session:
        stw = organisations.get_by_key(session, "STW").id
        lead = next(
            p
            for p in participations.get_all(session, project_id=keys["p1_id"])
            if p.organisation_id == stw
        )
    ensure = projects.ensure_lead_participation

    def anna_changes_the_lead_row(session: Session, project: Any) -> None:
        ensure(session, project)
        if project.id == keys["p1_id"]:
            with unit_of_work(factory, admin("anna")) as other:
                participations.update(
                    other, lead.id, {"contribution_cash": Decimal(1000)}, expected_version=1
                )

    monkeypatch.setattr(importer.projects, "ensure_lead_participation", anna_changes_the_lead_row)
    result = run(factory, data)
    assert not result.applied
    assert any("anna" in e.message for e in result.errors), [e.message for e in result.errors]
    with factory() as check:
        assert projects.get(check, keys["p1_id"]).lead_organisation_id == stw
        assert participations.get(check, lead.id).contribution_cash == Decimal(1000)
