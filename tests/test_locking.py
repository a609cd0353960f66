"""Optimistic locking with two real sessions that both commit."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from db.enums import ChangeSource
from portfolio.errors import ConflictError
from portfolio.journal import Actor, set_actor
from portfolio.services import milestones, projects
from tests.factories import make_project


def two_sessions(factory: sessionmaker[Session]) -> tuple[Session, Session]:
    a, b = factory(), factory()
    set_actor(a, Actor("anna", ChangeSource.UI))
    set_actor(b, Actor("ben", ChangeSource.UI))
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
