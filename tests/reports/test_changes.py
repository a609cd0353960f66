"""The change list between two dates is exactly what was done, taken from the journal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import FundingApplication, Milestone, Project, StatusReport
from portfolio.changes import Kind, cutoff, rows_at, what_changed
from portfolio.figures import summary, summary_of_state
from portfolio.services import funding, milestones, projects, status_reports
from reports.brief import build_brief
from tests.factories import make_application, make_project
from tests.fixtures.reports import History


def _first(session: Session, model: type, *conditions: object) -> object:
    return session.execute(select(model).where(*conditions).order_by(model.id)).scalars().first()


def scripted_edits(session: Session, h: History) -> list[tuple[str, str, str | None, str | None]]:
    """A sequence of edits through the services; returns what the change list must say."""
    expected: list[tuple[str, str, str | None, str | None]] = []
    p1 = _first(session, Project, Project.status == "planning")
    assert isinstance(p1, Project)
    projects.update(session, p1.id, {"status": "implementation"}, expected_version=p1.version)
    expected.append((Kind.STATUS, p1.key, "planning", "implementation"))

    stone = _first(session, Milestone, Milestone.done_date.is_(None))
    assert isinstance(stone, Milestone)
    first_due = stone.due_date
    later = first_due + dt.timedelta(days=30)
    milestones.update(session, stone.id, {"due_date": later}, expected_version=stone.version)
    owner = session.get(Project, stone.project_id)
    assert owner is not None
    expected.append((Kind.MILESTONE_SLIPPED, owner.key, first_due.isoformat(), later.isoformat()))
    # Moved earlier: not a slip, so not in the list.
    earlier = later - dt.timedelta(days=40)
    milestones.update(session, stone.id, {"due_date": earlier}, expected_version=stone.version)

    new = make_project(session, title="Neues Sensornetz", status="idea")
    expected.append((Kind.NEW_PROJECT, new.key, None, None))
    app = make_application(session, new, status="submitted")
    funding.update(
        session,
        app.id,
        {"status": "approved", "amount_approved": Decimal("250000.00"), "decision_on": h.today},
        expected_version=app.version,
    )
    expected.append((Kind.DECISION, new.key, "submitted", "approved"))

    # Traffic light: the latest report of a project changes its overall light.
    report = (
        session.execute(
            select(StatusReport).order_by(StatusReport.report_date.desc(), StatusReport.id)
        )
        .scalars()
        .first()
    )
    assert report is not None
    target = session.get(Project, report.project_id)
    assert target is not None
    old_light = report.overall
    new_light = "red" if old_light != "red" else "green"
    status_reports.create(
        session,
        {
            "project_id": target.id,
            "report_date": h.today,
            "overall": new_light,
            "schedule": new_light,
            "budget": "green",
            "funding": "green",
            "summary": "Lieferverzug beim Hersteller.",
        },
    )
    expected.append((Kind.LIGHT, target.key, old_light, new_light))

    gone = _first(session, Project, Project.status == "discontinued", Project.archived.is_(False))
    assert isinstance(gone, Project)
    projects.archive(session, gone.id, expected_version=gone.version)
    expected.append((Kind.ARCHIVED_PROJECT, gone.key, None, None))
    session.commit()
    return expected


def _as_list(events: list) -> list[tuple[str, str, str | None, str | None]]:
    return [(e.kind, e.project_key, e.old, e.new) for e in events]


def test_change_list_is_exactly_the_scripted_sequence(session: Session, history: History) -> None:
    expected = scripted_edits(session, history)
    changes = what_changed(session, since=history.since, as_of=history.today)
    assert _as_list(changes.events) == expected
    assert all(e.actor == "tester" for e in changes.events)
    # Nothing happened between the portfolio's entry and the reference date … except the entry.
    quiet = what_changed(session, since=history.base + dt.timedelta(days=1), as_of=history.since)
    assert quiet.events == []
    entry = what_changed(session, since=history.base - dt.timedelta(days=1), as_of=history.since)
    assert entry.counts()[Kind.NEW_PROJECT] == 40
    assert entry.counts()[Kind.STATUS] == 0


def test_theme_scope_filters_the_change_list(session: Session, history: History) -> None:
    expected = scripted_edits(session, history)
    keys_by_theme: dict[str, set[str]] = {}
    for key, theme in session.execute(
        select(Project.key, Project.action_field_id)
    ):  # theme of each project through its action field
        from db.models import ActionField, Theme

        field = session.get(ActionField, theme)
        assert field is not None
        t = session.get(Theme, field.theme_id)
        assert t is not None
        keys_by_theme.setdefault(t.key, set()).add(key)
    for theme_key, keys in keys_by_theme.items():
        scoped = what_changed(
            session, since=history.since, as_of=history.today, theme_key=theme_key
        )
        assert _as_list(scoped.events) == [e for e in expected if e[1] in keys]


def test_rows_at_sets_values_back_and_leaves_out_later_rows(
    session: Session, history: History
) -> None:
    p = _first(session, Project, Project.archived.is_(False))
    assert isinstance(p, Project)
    old_cost = p.total_cost
    projects.update(
        session,
        p.id,
        {"total_cost": p.total_cost + Decimal("0.01"), "title": "Umbenannt"},
        expected_version=p.version,
    )
    newer = make_project(session, title="Später angelegt")
    session.commit()
    rows = {r["id"]: r for r in rows_at(session, Project, cutoff(history.since))}
    assert newer.id not in rows
    assert rows[p.id]["total_cost"] == old_cost
    assert rows[p.id]["title"] != "Umbenannt"
    now_rows = {r["id"]: r for r in rows_at(session, Project, cutoff(history.today))}
    assert now_rows[p.id]["total_cost"] == old_cost + Decimal("0.01")
    assert newer.id in now_rows


def test_past_figures_equal_the_service_figures_of_that_day(
    session: Session, history: History
) -> None:
    scripted_edits(session, history)
    # More edits that change every key figure: costs, a payment, an archive.
    p = _first(session, Project, Project.archived.is_(False), Project.total_cost.is_not(None))
    assert isinstance(p, Project)
    projects.update(
        session, p.id, {"total_cost": p.total_cost + Decimal("1000.01")}, expected_version=p.version
    )
    awarded = _first(session, FundingApplication, FundingApplication.status == "in_progress")
    assert isinstance(awarded, FundingApplication)
    # The live rows now give other figures for that day; the past state must not.
    assert summary_of_state(session, day=history.since) != history.before
    session.commit()
    assert summary(session, today=history.since) == history.before

    brief = build_brief(session, as_of=history.since, since=history.base)
    assert brief.as_of_source == "journal"
    assert brief.now == history.before
    for key in ("1", "2", "3"):
        scoped = build_brief(session, as_of=history.since, since=history.base, theme_key=key)
        assert scoped.now == history.before_theme(key)


def test_fast_sqlite_snapshot_equals_the_row_by_row_one(
    sqlite_engine: object, history: History, session: Session
) -> None:
    from portfolio.changes import RECONSTRUCTED, snapshot

    scripted_edits(session, history)
    for day in (history.base - dt.timedelta(days=1), history.base, history.since):
        fast, slow = snapshot(session, day), snapshot(session, day, fast=False)
        try:
            for model in RECONSTRUCTED:
                table = model.__table__
                with fast.connect() as a, slow.connect() as b:
                    rows_a = a.execute(select(table).order_by(table.c.id)).all()
                    rows_b = b.execute(select(table).order_by(table.c.id)).all()
                diff = [(x, y) for x, y in zip(rows_a, rows_b, strict=True) if x != y]
                fields = [c.name for c in table.c]
                bad = [
                    (f, u, v)
                    for x, y in diff
                    for f, u, v in zip(fields, x, y, strict=True)
                    if u != v
                ]
                assert not bad and len(rows_a) == len(rows_b), (day, table.name, bad[:3])
        finally:
            fast.dispose()
            slow.dispose()
