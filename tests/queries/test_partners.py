"""A partner's page read model: its roles, its projects with its money, the milestones it owes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from portfolio.queries.partners import partner_detail
from tests.fixtures.small_portfolio import Small


def test_a_partner_sees_its_active_projects_and_roles(session: Session, small: Small) -> None:
    detail = partner_detail(session, "USB", today=small.today)
    assert detail.projects_total == 1  # the archived project is not one of them
    assert detail.by_role == {"partner": 1}
    [project] = detail.projects
    assert (project.key, project.roles, project.is_lead) == (small.sensors.key, ("partner",), False)
    assert project.contribution_cash == Decimal("1000.00")


def test_the_milestones_it_is_responsible_for(session: Session, small: Small) -> None:
    detail = partner_detail(session, "USB", today=small.today)
    assert detail.milestones_total == 2  # M-SOON and M-LATE; M-ARCH's project is archived
    assert [(m.key, m.overdue) for m in detail.milestones] == [("M-LATE", True), ("M-SOON", False)]
    assert detail.milestones[0].due_date == small.today - dt.timedelta(days=5)
    limited = partner_detail(session, "USB", today=small.today, milestone_limit=1)
    assert limited.milestones_total == 2 and len(limited.milestones) == 1


def test_the_lead_and_paging(session: Session, small: Small) -> None:
    detail = partner_detail(session, "STW", today=small.today)
    assert detail.projects_total == 3 and detail.by_role == {"lead": 3}
    assert all(p.is_lead for p in detail.projects)
    assert [p.key for p in detail.projects] == sorted(p.key for p in detail.projects)
    page = partner_detail(session, "STW", today=small.today, offset=1, limit=1)
    assert [p.key for p in page.projects] == [detail.projects[1].key]
    assert page.projects_total == 3
