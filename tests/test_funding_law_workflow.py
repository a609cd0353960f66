"""Funding law, adversarially (see tests/funding_law_helpers.py): the rules that held before it,
rates, approved and requested amounts, the own share, the workflow and the decision's data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.funding_law_helpers import (
    DECIDED,
    apply,
    approve,
    bring_to,
    change,
    eur,
    new_project,
    refused,
    reject,
)

# ==== 11. The existing rules keep holding =======================================================


@pytest.mark.parametrize(
    ("rate", "emergency", "allowed"),
    [
        (eur(65), False, True),
        (eur("65.01"), False, False),
        (eur(90), True, True),
        (eur("90.01"), True, False),
    ],
    ids=["65", "65.01", "90-emergency", "90.01-emergency"],
)
def test_rate_at_most_the_programme_rate(
    session: Session, rate: Decimal, emergency: bool, allowed: bool
) -> None:
    """MPSC pays 65 % (90 % for a municipality in a budget emergency), never more."""
    project = new_project(session)
    data: dict[str, Any] = {"funding_rate": rate, "budget_emergency": emergency}
    if allowed:
        assert apply(session, project, **data).id
    else:
        with refused("funding_rate"):
            apply(session, project, **data)


@pytest.mark.parametrize(
    ("approved", "allowed"), [(eur(300_000), True), (eur("300000.01"), False)], ids=["=", ">"]
)
def test_approved_at_most_requested(session: Session, approved: Decimal, allowed: bool) -> None:
    """The award cannot exceed the application."""
    app = apply(session, new_project(session))
    if allowed:
        assert approve(session, app, approved).amount_approved == approved
    else:
        with refused("amount_approved"):
            approve(session, app, approved)


@pytest.mark.parametrize(
    ("amount", "allowed"), [(eur(300_000), True), (eur("300000.01"), False)], ids=["=", ">"]
)
def test_amount_at_most_rate_times_eligible_cost(
    session: Session, amount: Decimal, allowed: bool
) -> None:
    """60 % of 500 000 € is 300 000 €."""
    project = new_project(session)
    if allowed:
        assert apply(session, project, amount_requested=amount).id
    else:
        with refused("amount_requested"):
            apply(session, project, amount_requested=amount)


@pytest.mark.parametrize(
    ("own_share", "allowed"), [(eur("0.01"), True), (eur(0), False)], ids=["cent", "zero"]
)
def test_mpsc_requires_an_own_share(session: Session, own_share: Decimal, allowed: bool) -> None:
    """MPSC requires a municipal own share above zero."""
    project = new_project(session)
    if allowed:
        assert apply(session, project, own_share=own_share).own_share == own_share
    else:
        with refused("own_share"):
            apply(session, project, own_share=own_share)


@pytest.mark.parametrize(
    ("start", "target"),
    [("submitted", "closed"), ("idea", "approved"), ("rejected", "approved")],
)
def test_status_follows_the_workflow(session: Session, start: str, target: str) -> None:
    """Idee → Skizze → eingereicht → bewilligt | abgelehnt … — no jumps, no way back."""
    project = new_project(session)
    if start == "idea":
        app = apply(session, project, status="idea", submitted_on=None)
    else:
        app = bring_to(session, apply(session, project), start)
    with refused("status"):
        change(
            session,
            app,
            status=target,
            amount_approved=eur(100_000),
            decision_on=DECIDED,
        )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "approved", "amount_approved": eur(100_000)}, "decision_on"),
        ({"status": "approved", "decision_on": DECIDED}, "amount_approved"),
        ({"status": "rejected"}, "decision_on"),
    ],
    ids=["award-without-date", "award-without-amount", "rejection-without-date"],
)
def test_decision_needs_date_and_amount(session: Session, data: dict[str, Any], field: str) -> None:
    """An award needs its date and amount, a rejection its date."""
    app = apply(session, new_project(session))
    with refused(field):
        change(session, app, **data)


def test_rejection_with_a_date_needs_no_amount(session: Session) -> None:
    """A rejection is complete with its date."""
    app = apply(session, new_project(session))
    assert reject(session, app).status == "rejected"
