"""Optimistic locking with two real sessions that both commit."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from db.enums import ChangeSource
from db.models import JournalEntry, Project
from portfolio.errors import ConflictError, ValidationFailed
from portfolio.policy import set_principal
from portfolio.services import milestones, organisations, participations, projects
from portfolio.services.base import unit_of_work
from tests.factories import make_project
from tests.fixtures.base import BACKENDS, admin


def two_sessions(factory: sessionmaker[Session]) -> tuple[Session, Session]:
    a, b = factory(), factory()
    set_principal(a, admin("anna"))
    set_principal(b, admin("ben"))
    return a, b


def test_stale_version_is_a_conflict_naming_who_changed_it(factory: sessionmaker[Session]) -> None:
    with factory() as setup:
        project_id = make_project(setup).id
        setup.commit()
    a, b = two_sessions(factory)
    with a, b:
        seen_a = projects.get(a, project_id).version
        a.rollback()  # each user's read ends its transaction, as in the dashboard
        seen_b = projects.get(b, project_id).version
        b.rollback()
        projects.update(a, project_id, {"title": "Anna war hier"}, expected_version=seen_a)
        a.commit()
        with pytest.raises(ConflictError) as exc:
            projects.update(b, project_id, {"title": "Ben war hier"}, expected_version=seen_b)
        b.rollback()
        info = exc.value.info
        assert (info.expected_version, info.current_version, info.changed_by) == (1, 2, "anna")
        assert info.changed_fields == ["title"]
        assert "von anna am" in exc.value.message()
        assert "Bitte neu laden" in exc.value.message()
        assert "by anna on" in exc.value.message("en")
    with factory() as check:
        assert projects.get(check, project_id).title == "Anna war hier"


def test_concurrent_flush_is_caught_by_the_version_column(factory: sessionmaker[Session]) -> None:
    """Both hold version 1 in memory and pass the service check; the row-version guard of the
    UPDATE catches the second writer."""
    with factory() as setup:
        project_id = make_project(setup).id
        setup.commit()
    a, b = two_sessions(factory)
    with a, b:
        projects.get(a, project_id)
        a.commit()  # end each read transaction (SQLite takes the write lock at BEGIN)
        projects.get(b, project_id)
        b.commit()
        projects.update(a, project_id, {"title": "A"}, expected_version=1)
        a.commit()
        with pytest.raises(ConflictError) as exc:
            projects.update(b, project_id, {"title": "B"}, expected_version=1)
        assert exc.value.info.current_version == 2
        assert exc.value.info.changed_by == "anna"
    with factory() as check:
        assert projects.get(check, project_id).title == "A"


def test_archive_with_stale_version_is_refused(factory: sessionmaker[Session]) -> None:
    with factory() as setup:
        project = make_project(setup)
        m = milestones.create(
            setup, {"project_id": project.id, "title": "Start", "due_date": project.start_date}
        )
        setup.commit()
        milestones.update(setup, m.id, {"title": "Kick-off"}, expected_version=1)
        setup.commit()
        with pytest.raises(ConflictError):
            milestones.archive(setup, m.id, expected_version=1)


# ---- races the service check cannot see: the version guard of the UPDATE ----------------------


def test_a_race_lost_at_the_flush_is_a_conflict_and_rolls_back(
    factory: sessionmaker[Session],
) -> None:
    """Ben's session still holds version 1 when Anna's save commits version 2: the service check
    passes, the UPDATE's version guard matches no row. Inside the dashboard's ``with
    session.begin():`` that must be the conflict message, not a dead transaction."""
    with factory() as setup:
        project_id = make_project(setup).id
        setup.commit()
    a, b = two_sessions(factory)
    with a, b:
        stale = projects.get(b, project_id)  # held: the identity map keeps version 1
        b.commit()
        projects.update(a, project_id, {"title": "Anna war hier"}, expected_version=1)
        a.commit()
        with pytest.raises(ConflictError) as exc, b.begin():
            projects.update(b, project_id, {"title": "Ben war hier"}, expected_version=1)
        assert isinstance(exc.value.__cause__, StaleDataError)  # the guard, not the check
        info = exc.value.info
        assert (info.entity, info.expected_version, info.current_version) == ("project", 1, 2)
        assert (info.changed_by, info.changed_fields) == ("anna", ["title"])
        assert info.changed_at is not None
        assert "von anna am" in exc.value.message()
        # nothing half-written remains, and the session works again
        assert not b.in_transaction()
        assert projects.get(b, project_id) is stale
        assert (stale.title, stale.version) == ("Anna war hier", 2)
        b.rollback()
        with b.begin():
            projects.update(b, project_id, {"title": "Ben, neu geladen"}, expected_version=2)
    with factory() as check:
        assert projects.get(check, project_id).title == "Ben, neu geladen"
        assert journal_actors(check, project_id) == ["system", "anna", "ben"]


def journal_actors(session: Session, project_id: int) -> list[str]:
    return list(
        session.execute(
            select(JournalEntry.actor)
            .where(JournalEntry.entity == "project", JournalEntry.entity_id == project_id)
            .order_by(JournalEntry.id)
        ).scalars()
    )


@pytest.mark.parametrize("flush_in_body", [False, True], ids=["at-commit", "raw-flush"])
def test_a_race_lost_at_the_commit_is_a_conflict(
    factory: sessionmaker[Session], flush_in_body: bool
) -> None:
    """A change left for the commit (or flushed bare by the caller) meets the same guard."""
    with factory() as setup:
        project_id = make_project(setup).id
        setup.commit()
    with factory() as reader:
        stale = reader.get(Project, project_id)
    assert stale is not None
    a, _ = two_sessions(factory)
    with a:
        projects.update(a, project_id, {"summary": "Anna"}, expected_version=1)
        a.commit()
    stale.title = "Ben"
    with (
        pytest.raises(ConflictError) as exc,
        unit_of_work(factory, admin("ben")) as session,
    ):
        session.add(stale)
        if flush_in_body:
            session.flush()
    info = exc.value.info
    assert (info.current_version, info.changed_by, info.changed_fields) == (2, "anna", ["summary"])
    with factory() as check:
        assert projects.get(check, project_id).title == "Testprojekt Sensorik"


def test_unit_of_work_commits_and_journals_as_its_actor(factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory, admin("anna")) as session:
        project_id = make_project(session).id
    with unit_of_work(factory, admin("ben")) as session:
        projects.update(session, project_id, {"title": "Ben"}, expected_version=1)
    with pytest.raises(ValidationFailed), unit_of_work(factory) as session:
        projects.update(session, project_id, {"title": ""}, expected_version=2)
    with factory() as check:
        assert projects.get(check, project_id).version == 2
        assert journal_actors(check, project_id) == ["anna", "ben"]


def test_a_participation_changed_meanwhile_is_named_when_the_lead_changes(
    factory: sessionmaker[Session],
) -> None:
    """Changing the lead rewrites the lead's participation after the project's own flush: a race
    lost there names the participation, and the project's change is rolled back with it."""
    with factory() as setup:
        set_principal(setup, admin("setup", ChangeSource.SYSTEM))
        project = make_project(setup)
        project_id, stw, usb = (
            project.id,
            organisations.get_by_key(setup, "STW").id,
            organisations.get_by_key(setup, "USB").id,
        )
        setup.commit()
    a, b = two_sessions(factory)
    with a, b:
        held = participations.get_all(b, project_id=project_id)  # Ben's view, kept
        lead = next(p for p in held if p.organisation_id == stw)
        b.commit()
        participations.update(
            a, lead.id, {"contribution_cash": Decimal("1000")}, expected_version=1
        )
        a.commit()
        with pytest.raises(ConflictError) as exc, b.begin():
            projects.update(b, project_id, {"lead_organisation_id": usb}, expected_version=1)
        info = exc.value.info
        assert (info.entity, info.key, info.changed_by) == ("participation", str(lead.id), "anna")
        assert info.changed_fields == ["contribution_cash"]
    with factory() as check:
        assert projects.get(check, project_id).lead_organisation_id == stw
        assert {
            (p.organisation_id, p.role)
            for p in participations.get_all(check, project_id=project_id)
        } == {(stw, "lead")}


def test_a_key_taken_meanwhile_is_a_duplicate_key_and_rolls_back(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two users create a project with the same key at once: both pass the key check, the
    unique index refuses the second one."""
    with factory() as setup:
        make_project(setup, key="SC-777")
        setup.commit()
    monkeypatch.setattr(projects, "key_taken", lambda *args, **kwargs: False)
    _, b = two_sessions(factory)
    with b:
        with pytest.raises(ValidationFailed) as exc, b.begin():
            make_project(b, key="SC-777", title="Zweiter")
        assert exc.value.problems[0].code == "duplicate_key"
        assert exc.value.problems[0].params == {"value": "SC-777"}
        assert not b.in_transaction()
        with b.begin():
            make_project(b, key="SC-778", title="Zweiter")
    with factory() as check:
        assert projects.get_by_key(check, "SC-777").title == "Testprojekt Sensorik"
        assert projects.get_by_key(check, "SC-778").title == "Zweiter"


@pytest.mark.slow  # a race of two sessions: the first pass only, which runs on PostgreSQL
@pytest.mark.parametrize("engine", [b for b in BACKENDS if b == "postgresql"], indirect=True)
def test_a_deadlock_is_a_conflict_naming_the_winner(factory: sessionmaker[Session]) -> None:
    """PostgreSQL: Anna saves project 1 then 2, Ben 2 then 1, at the same time. The server
    breaks the deadlock by failing one transaction (SQLSTATE 40P01); that user gets the conflict
    naming the other, whose save goes through. (SQLite takes the write lock at BEGIN IMMEDIATE:
    its writers queue and cannot deadlock.)"""
    with factory() as setup:
        first, second = make_project(setup).id, make_project(setup, title="Zweites").id
        setup.commit()
    a, b = two_sessions(factory)
    outcomes: dict[str, object] = {}

    def anna_second() -> None:
        try:
            projects.update(a, second, {"summary": "Anna"}, expected_version=1)
            a.commit()
            outcomes["anna"] = "saved"
        except Exception as exc:
            outcomes["anna"] = exc

    with a, b:
        a.begin()
        projects.update(a, first, {"summary": "Anna"}, expected_version=1)
        b.begin()
        projects.update(b, second, {"summary": "Ben"}, expected_version=1)
        thread = threading.Thread(target=anna_second)
        thread.start()
        time.sleep(0.5)  # Anna waits for Ben's row lock
        try:
            projects.update(b, first, {"summary": "Ben"}, expected_version=1)
            b.commit()
            outcomes["ben"] = "saved"
        except Exception as exc:
            outcomes["ben"] = exc
        thread.join(30)
    (_, error), (winner, saved) = sorted(outcomes.items(), key=lambda item: item[1] == "saved")
    assert saved == "saved", outcomes
    assert isinstance(error, ConflictError), outcomes
    assert error.info.changed_by == winner
    assert error.info.current_version == 2
