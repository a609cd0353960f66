"""The Übersicht's read model on a small portfolio whose figures are known from what it holds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from portfolio.queries.common import NO_LIGHT
from portfolio.queries.overview import overview
from tests.fixtures.small_portfolio import Small


def test_fields_count_the_active_projects_and_their_cost(session: Session, small: Small) -> None:
    figures = overview(session, today=small.today)
    by_field = {(f.theme_key, f.field_key): (f.projects, f.total_cost) for f in figures.fields}
    assert by_field == {
        ("1", "5.1.2"): (1, Decimal("1000000.00")),  # the archived one in 5.1.2 is not counted
        ("1", "5.1.3"): (1, Decimal("250000.00")),
        ("2", "5.2.1"): (1, Decimal("40000.00")),
    }


def test_one_theme_narrows_every_part(session: Session, small: Small) -> None:
    figures = overview(session, today=small.today, theme_key="2")
    assert [f.field_key for f in figures.fields] == ["5.2.1"]
    assert figures.pipeline == []  # the application is in Leitthema 1
    assert {c.theme_key for c in figures.heatmap} == {"2"}
    assert sum(figures.lights.values()) == 1
    assert figures.radar == []


def test_pipeline_heatmap_and_lights(session: Session, small: Small) -> None:
    figures = overview(session, today=small.today)
    [line] = figures.pipeline
    assert (line.programme_key, line.status, line.applications) == ("MPSC", "submitted", 1)
    assert line.requested == Decimal("300000.00")
    heat = {
        (c.organisation_key, c.theme_key): (c.projects, c.contribution) for c in figures.heatmap
    }
    assert heat[("USB", "1")] == (1, Decimal("1000.00"))  # not the archived project
    assert heat[("STW", "1")][0] == 2 and heat[("STW", "2")][0] == 1  # lead of all three
    assert figures.lights == {"green": 1, "yellow": 0, "red": 0, NO_LIGHT: 2}
    # the planning project has never reported; the idea is not expected to
    assert figures.stale_reports == 1


def test_radar_and_the_next_thirty_days(session: Session, small: Small) -> None:
    figures = overview(session, today=small.today)
    soon, later = small.today + dt.timedelta(days=10), small.today + dt.timedelta(days=60)
    milestones = [(p.due, p.count) for p in figures.radar if p.kind == "milestone"]
    assert milestones == [(soon, 1), (later, 1)]  # the overdue one is not ahead
    # the submitted application owes no proof or payment yet: only the milestone in 10 days
    assert [p.kind for p in figures.radar] == ["milestone", "milestone"]
    assert figures.deadlines_30 == 1
