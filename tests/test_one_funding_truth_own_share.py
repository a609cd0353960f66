"""One funding truth, by hand: the own share, the city budget and co-funding of one cost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from db.models import (
    FundingApplication,
    Project,
)
from portfolio.figures import summary
from portfolio.queries.funding_overview import funding_overview
from portfolio.services import funding, participations, programmes
from tests.factories import make_project
from tests.fixtures.base import TODAY

# ---- own share, city budget and co-funding, by hand --------------------------------------------


def _award(session: Session, app: FundingApplication, approved: str, day: dt.date) -> None:
    funding.update(
        session,
        app.id,
        {"status": "approved", "amount_approved": Decimal(approved), "decision_on": day},
        expected_version=app.version,
    )


def _application(session: Session, project: Project, programme: str, **values: object) -> object:
    data: dict[str, object] = {
        "project_id": project.id,
        "programme_id": programmes.get_by_key(session, programme).id,
        "status": "submitted",
        "submitted_on": dt.date(2025, 3, 1),
    }
    data.update(values)
    return funding.create(session, data)


def test_bund_and_land_sharing_one_cost_leave_the_projects_remainder(session: Session) -> None:
    project = make_project(session, eligible_cost=Decimal("1000000.00"))
    bund = _application(
        session,
        project,
        "GIGA-BUND",
        eligible_cost=Decimal("1000000.00"),
        amount_requested=Decimal("500000.00"),
    )
    land = _application(
        session,
        project,
        "GIGA-NRW",
        eligible_cost=Decimal("1000000.00"),
        amount_requested=Decimal("400000.00"),
    )
    assert isinstance(bund, FundingApplication) and isinstance(land, FundingApplication)
    _award(session, bund, "500000.00", dt.date(2025, 6, 1))
    _award(session, land, "400000.00", dt.date(2025, 7, 1))
    # Each application derives its own share alone: 500.000 € and 600.000 €.
    assert (bund.own_share, land.own_share) == (Decimal("500000.00"), Decimal("600000.00"))
    figures = summary(session, today=TODAY)
    assert figures.own_share == Decimal("100000.00")  # 1.000.000 − 500.000 − 400.000
    assert figures.own_share_gap == Decimal("100000.00")
    assert figures.warnings["own_share_gap"] == 1


def test_city_budget_paying_the_own_share_counts_once(session: Session) -> None:
    project = make_project(session, eligible_cost=Decimal("320000.00"))
    state = _application(
        session,
        project,
        "NRW-DIGI",
        eligible_cost=Decimal("320000.00"),
        amount_requested=Decimal("120000.00"),
    )
    budget = _application(
        session,
        project,
        "HAUSHALT",
        eligible_cost=Decimal("200000.00"),
        amount_requested=Decimal("200000.00"),
    )
    assert isinstance(state, FundingApplication) and isinstance(budget, FundingApplication)
    _award(session, state, "120000.00", dt.date(2025, 5, 1))
    _award(session, budget, "200000.00", dt.date(2025, 5, 2))
    figures = summary(session, today=TODAY)
    assert figures.funding_approved == Decimal("120000.00")
    assert figures.own_share == Decimal("200000.00")
    assert figures.own_budget == Decimal("0.00")  # the 200.000 € are the own share
    assert figures.own_share + figures.own_budget == Decimal("200000.00")
    assert figures.own_share_gap == Decimal("0.00")
    page = funding_overview(session, today=TODAY)
    assert page.budget_cover_total == Decimal("200000.00") and page.gaps == []


def test_budget_for_a_slice_of_its_own_covers_no_own_share(session: Session) -> None:
    project = make_project(session, eligible_cost=Decimal("1000000.00"))
    federal = _application(
        session,
        project,
        "MPSC",
        phase="B",
        eligible_cost=Decimal("500000.00"),
        amount_requested=Decimal("325000.00"),
    )
    budget = _application(
        session,
        project,
        "HAUSHALT",
        eligible_cost=Decimal("500000.00"),
        amount_requested=Decimal("500000.00"),
    )
    assert isinstance(federal, FundingApplication) and isinstance(budget, FundingApplication)
    _award(session, federal, "325000.00", dt.date(2025, 5, 1))
    _award(session, budget, "500000.00", dt.date(2025, 5, 2))
    stw = next(p for p in participations.get_all(session, project_id=project.id))
    participations.update(
        session, stw.id, {"contribution_cash": Decimal("50000.00")}, expected_version=stw.version
    )
    figures = summary(session, today=TODAY)
    assert figures.own_share == Decimal("175000.00")  # 500.000 − 325.000
    assert figures.own_budget == Decimal("500000.00")  # pays the other half of the cost
    assert figures.own_share_gap == Decimal("125000.00")  # 175.000 − 50.000 partner cash
    page = funding_overview(session, today=TODAY)
    [line] = page.gaps
    assert (line.own_share, line.partner_cash, line.budget, line.gap) == (
        Decimal("175000.00"),
        Decimal("50000.00"),
        Decimal("0.00"),
        Decimal("125000.00"),
    )
