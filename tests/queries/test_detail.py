"""The project page's read model: one project with all its parts."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from portfolio.errors import NotFound
from portfolio.queries.detail import project_detail
from portfolio.services import organisations
from tests.fixtures.small_portfolio import Small


def test_a_project_with_its_parts(session: Session, small: Small) -> None:
    detail = project_detail(session, small.sensors.key, today=small.today)
    assert detail.project.values["title"] == "Sensoren"
    lead = organisations.get_by_key(session, "STW").short_name
    assert (detail.theme_key, detail.action_field_key, detail.lead) == ("1", "5.1.2", lead)
    assert sorted(p.extra["organisation_key"] for p in detail.participations) == ["STW", "USB"]
    [application] = detail.applications
    assert application.extra["programme_key"] == "MPSC"
    assert detail.payment_requests[application.id] == []
    assert {m.values["key"]: m.extra["state"] for m in detail.milestones} == {
        "M-SOON": "due_soon",
        "M-LATER": "open",
    }
    [report] = detail.reports
    assert report.values["overall"] == "green"
    assert detail.journal_entries > 0
    assert not detail.archived


def test_an_archived_project_says_so_and_an_unknown_one_is_not_found(
    session: Session, small: Small
) -> None:
    assert project_detail(session, small.archived.key, today=small.today).archived
    with pytest.raises(NotFound):
        project_detail(session, "P-NONE", today=small.today)
