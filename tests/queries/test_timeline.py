"""The Zeitplan's read model: dated projects on the bars, their milestones and the filters."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portfolio.queries.timeline import gantt
from tests.fixtures.small_portfolio import Small


def test_dated_active_projects_and_their_milestones(session: Session, small: Small) -> None:
    chart = gantt(session, today=small.today)
    assert chart.total == 2 and chart.without_dates == 1  # the idea has no dates
    assert {p.key for p in chart.projects} == {small.sensors.key, small.platform.key}
    assert {(m.key, m.state) for m in chart.milestones} == {
        ("M-SOON", "due_soon"),
        ("M-LATER", "open"),
        ("M-LATE", "overdue"),
    }
    assert chart.overdue == 1


def test_the_filters(session: Session, small: Small) -> None:
    def keys(**filters: object) -> set[str]:
        return {p.key for p in gantt(session, today=small.today, **filters).projects}  # type: ignore[arg-type]

    assert keys(only_overdue=True) == {small.platform.key}
    assert keys(partner_key="USB") == {small.sensors.key}
    assert keys(statuses=("planning",)) == {small.platform.key}
    assert keys(theme_key="2") == set()
    assert gantt(session, today=small.today, theme_key="2").without_dates == 1
    first = gantt(session, today=small.today, limit=1)
    assert len(first.projects) == 1 and first.total == 2
