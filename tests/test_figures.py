"""Portfolio figures are computed by the database and agree with the rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import FundingApplication, FundingProgramme, Milestone, PaymentRequest, Project
from portfolio.demo.synthetic import generate
from portfolio.figures import deadlines, summary
from portfolio.services import funding, milestones, projects
from tests.factories import make_application, make_project
from tests.fixtures.base import TODAY


# Long on purpose: every summary figure counted again row by row, side by side with the SQL one.
def test_summary_matches_a_row_by_row_count(session: Session) -> None:
    generate(session, 60, seed=7, today=TODAY)
    first = session.execute(select(Project).order_by(Project.id)).scalars().first()
    assert first is not None
    projects.archive(session, first.id, expected_version=first.version)
    # An award dated after the day (the services refuse one now; a row from before that rule,
    # or a notice entered ahead, may still hold one): it is no money of the day.
    later = (
        session.execute(
            select(FundingApplication)
            .where(
                FundingApplication.status == "approved", FundingApplication.project_id != first.id
            )
            .order_by(FundingApplication.id)
        )
        .scalars()
        .first()
    )
    assert later is not None
    later.decision_on = TODAY + dt.timedelta(days=10)
    session.flush()
    figures = summary(session, today=TODAY)

    rows = [p for p in session.execute(select(Project)).scalars() if not p.archived]
    assert figures.projects == len(rows)
    for code, count in figures.by_status.items():
        assert count == sum(1 for p in rows if p.status == code)
    assert figures.total_cost == sum((p.total_cost or Decimal(0) for p in rows), Decimal("0.00"))
    live_ids = {p.id for p in rows}
    municipal = {
        p.id for p in session.execute(select(FundingProgramme)).scalars() if p.level == "municipal"
    }
    all_apps = [
        a for a in session.execute(select(FundingApplication)).scalars() if a.project_id in live_ids
    ]
    apps = [a for a in all_apps if a.programme_id not in municipal]

    def awarded(a: FundingApplication) -> bool:
        """Awarded by TODAY: an award decided on a later day is not money of today."""
        decided = a.decision_on is None or a.decision_on <= TODAY
        return a.status in {"approved", "in_progress", "proof_submitted", "closed"} and decided

    assert any(a.status == "approved" and not awarded(a) for a in all_apps)  # the rule bites
    # The synthetic city budget lines pay a share of their own, never another line's own share.
    assert figures.own_budget == sum(
        (
            a.amount_approved or Decimal(0)
            for a in all_apps
            if a.programme_id in municipal and awarded(a)
        ),
        Decimal("0.00"),
    )
    assert figures.funding_requested == sum(
        (
            a.amount_requested or Decimal(0)
            for a in apps
            if a.status not in ("rejected", "withdrawn")
        ),
        Decimal("0.00"),
    )
    assert figures.funding_approved == sum(
        (a.amount_approved or Decimal(0) for a in apps if awarded(a)), Decimal("0.00")
    )
    # Each synthetic line funds its own slice of the project's eligible cost, so the project's
    # remainder is the sum of the stored own shares.
    assert figures.own_share == sum(
        (a.own_share or Decimal(0) for a in apps if awarded(a)), Decimal("0.00")
    )
    app_ids = {a.id for a in apps}
    assert figures.paid_out == sum(
        (
            r.amount
            for r in session.execute(select(PaymentRequest)).scalars()
            if r.application_id in app_ids and r.status == "paid"
        ),
        Decimal("0.00"),
    )
    overdue = [
        m
        for m in session.execute(select(Milestone)).scalars()
        if m.project_id in live_ids
        and m.done_date is None
        and m.due_date < TODAY
        and not m.archived
    ]
    assert figures.overdue_milestones == len(overdue)
    assert sum(t.projects for t in figures.themes) == figures.projects
    assert figures.organisations == 12


def test_theme_scope(session: Session) -> None:
    generate(session, 40, seed=3, today=TODAY)
    whole = summary(session, today=TODAY)
    parts = [summary(session, today=TODAY, theme_key=t.key) for t in whole.themes]
    assert sum(p.projects for p in parts) == whole.projects
    assert sum((p.total_cost for p in parts), Decimal(0)) == whole.total_cost
    assert sum((p.funding_approved for p in parts), Decimal(0)) == whole.funding_approved


def test_deadlines_window(session: Session) -> None:
    project = make_project(session)
    soon = milestones.create(
        session,
        {"project_id": project.id, "title": "Bald", "due_date": TODAY + dt.timedelta(days=10)},
        today=TODAY,
    )
    milestones.create(
        session,
        {"project_id": project.id, "title": "Später", "due_date": TODAY + dt.timedelta(days=120)},
        today=TODAY,
    )
    late = milestones.create(
        session,
        {"project_id": project.id, "title": "Verpasst", "due_date": TODAY - dt.timedelta(days=3)},
        today=TODAY,
    )
    app = make_application(session, project)
    funding.update(
        session,
        app.id,
        {
            "status": "approved",
            "amount_approved": Decimal("100000"),
            "decision_on": dt.date(2025, 6, 1),
            "proof_of_use_due": TODAY + dt.timedelta(days=30),
        },
        expected_version=1,
    )
    funding.create_payment_request(
        session,
        {
            "application_id": app.id,
            "due_on": TODAY + dt.timedelta(days=60),
            "amount": Decimal("5000"),
        },
    )
    found = deadlines(session, today=TODAY, days=90)
    assert [(d.kind, d.item_key) for d in found] == [
        ("milestone", soon.key),
        ("proof_of_use", app.key),
        ("payment_request", f"{app.key}-M1"),
    ]
    with_overdue = deadlines(session, today=TODAY, days=90, include_overdue=True)
    assert with_overdue[0].item_key == late.key
    assert summary(session, today=TODAY).overdue_milestones == 1


def test_milestone_state_in_python_and_sql_agree(session: Session) -> None:
    project = make_project(session)
    for offset in (-5, 0, 7, 14, 15, 60):
        milestones.create(
            session,
            {
                "project_id": project.id,
                "title": f"M{offset}",
                "due_date": TODAY + dt.timedelta(days=offset),
            },
            today=TODAY,
        )
    milestones.create(
        session,
        {
            "project_id": project.id,
            "title": "erledigt",
            "due_date": TODAY - dt.timedelta(days=5),
            "done_date": TODAY - dt.timedelta(days=6),
        },
        today=TODAY,
    )
    rows = session.execute(select(Milestone, milestones.state_expression(TODAY))).all()
    for m, sql_state in rows:
        assert milestones.state_of(m.due_date, m.done_date, TODAY) == sql_state
    assert sorted(s for _, s in rows) == sorted(
        ["overdue", "due_soon", "due_soon", "due_soon", "open", "open", "done"]
    )
