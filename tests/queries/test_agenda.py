"""The agenda read model (the Fristen page, the calendar feeds and the digest) on the Bochum demo,
on both databases: the kinds, the overdue flags, the status-report rule agreeing with the
data-quality rule, a partner's scope, and archived projects left out."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from db.engine import make_engine
from db.enums import DeadlineKind, Role
from db.models import Organisation, Participation, Project
from portfolio.demo.bochum import load_bochum
from portfolio.errors import NotFound
from portfolio.policy import AccessDenied, Principal, set_principal
from portfolio.queries import agenda
from portfolio.queries.common import stale_report_condition
from portfolio.services import projects
from tests.fixtures.base import TESTER, TODAY, signed_in_factory


@pytest.fixture(scope="module")
def bochum_sqlite(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Bochum demo on SQLite, loaded once per module (copied for each test)."""
    path = tmp_path_factory.mktemp("agenda") / "bochum.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with signed_in_factory(engine)() as session, session.begin():
        load_bochum(session, today=TODAY)
    engine.dispose()
    return path


def load_demo(engine: Engine, factory: sessionmaker[Session], template: Path) -> None:
    """The Bochum demo in the test's database: a copy of ``template`` on SQLite (the engine has
    not connected yet), loaded through the services on PostgreSQL."""
    if engine.dialect.name == "sqlite":
        engine.dispose()
        target = Path(str(engine.url.database))
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copy(template, target)
        return
    with factory() as session, session.begin():
        load_bochum(session, today=TODAY)


@pytest.fixture
def demo(
    engine: Engine, factory: sessionmaker[Session], bochum_sqlite: Path
) -> sessionmaker[Session]:
    load_demo(engine, factory, bochum_sqlite)
    return factory


def _partner(session: Session, key: str) -> Principal:
    org_id = session.scalar(select(Organisation.id).where(Organisation.key == key))
    return Principal(
        f"{key.lower()}.partner", Role.PARTNER, organisation_id=org_id, organisation_key=key
    )


def _projects_of(session: Session, key: str) -> set[str]:
    return set(
        session.execute(
            select(Project.key)
            .join(Participation, Participation.project_id == Project.id)
            .join(Organisation, Organisation.id == Participation.organisation_id)
            .where(Organisation.key == key, Project.archived.is_(False))
        ).scalars()
    )


def test_the_agenda_holds_every_kind_with_stable_uids_and_overdue_flags(
    demo: sessionmaker[Session],
) -> None:
    with demo() as session:
        items = agenda.agenda(session, today=TODAY)
        again = agenda.agenda(session, today=TODAY)
    assert {i.kind for i in items} == set(DeadlineKind)
    uids = [i.uid for i in items]
    assert len(uids) == len(set(uids))  # one event per deadline
    assert uids == [i.uid for i in again]
    assert [(i.due, i.project_key) for i in items] == sorted((i.due, i.project_key) for i in items)
    for item in items:
        if item.kind is not DeadlineKind.STATUS_REPORT:
            assert item.overdue is (item.due < TODAY), item.uid
        assert item.reminder_days > 0 and item.section
        assert agenda.title(item).endswith(f"{item.project_key} {item.project_title}")
        assert item.project_title in agenda.description(item)
    assert any(i.overdue for i in items) and any(not i.overdue for i in items)
    # the window bounds the due date; overdue items fall out of a window starting today
    with demo() as session:
        soon = agenda.agenda(session, today=TODAY, since=TODAY, until=TODAY + dt.timedelta(days=30))
    assert soon and all(TODAY <= i.due <= TODAY + dt.timedelta(days=30) for i in soon)
    assert {i.uid for i in soon} <= set(uids)


def test_the_status_report_rule_is_the_data_quality_rule(demo: sessionmaker[Session]) -> None:
    """Overdue exactly when the project counts as "Statusbericht veraltet", on any day."""
    later = TODAY + dt.timedelta(days=120)
    with demo() as session:
        for day in (TODAY, later):
            items = agenda.agenda(session, today=day)
            stale = set(
                session.execute(
                    select(Project.key).where(
                        Project.archived.is_(False), stale_report_condition(day)
                    )
                ).scalars()
            )
            reports = [i for i in items if i.kind is DeadlineKind.STATUS_REPORT]
            assert reports
            assert {i.project_key for i in reports if i.overdue} == stale, day
            assert {i.project_key for i in reports if not i.overdue}.isdisjoint(stale)
    assert stale  # on the later day some reports are stale


def test_a_partner_sees_only_the_projects_its_organisation_takes_part_in(
    demo: sessionmaker[Session],
) -> None:
    with demo() as session:
        stw = _partner(session, "STW")
        own = _projects_of(session, "STW")
        everything = agenda.agenda(session, today=TODAY)
        set_principal(session, stw)
        items = agenda.agenda(session, today=TODAY)
        assert items and {i.project_key for i in items} <= own
        assert [i for i in everything if i.project_key in own] == items
        # its own organisation, and none other
        assert agenda.agenda(session, today=TODAY, organisation_key="STW") == items
        with pytest.raises(AccessDenied):
            agenda.agenda(session, today=TODAY, organisation_key="BOG")
        foreign = next(i.project_key for i in everything if i.project_key not in own)
        with pytest.raises(AccessDenied):
            agenda.agenda(session, today=TODAY, project_key=foreign)
        with pytest.raises(NotFound):
            agenda.agenda(session, today=TODAY, project_key="SC-999")


def test_archived_projects_have_no_deadlines(demo: sessionmaker[Session]) -> None:
    with demo() as session:
        first = agenda.agenda(session, today=TODAY)[0].project_key
    with demo() as session, session.begin():
        set_principal(session, TESTER)
        project = session.execute(select(Project).where(Project.key == first)).scalar_one()
        projects.archive(session, project.id, expected_version=project.version)
    with demo() as session:
        assert first not in {i.project_key for i in agenda.agenda(session, today=TODAY)}
