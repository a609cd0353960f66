"""Funding law, adversarially (see tests/funding_law_helpers.py): the warnings, present and absent
(early start without consent, payments above the window's need, periods outside the project)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.funding_law_helpers import (
    DECIDED,
    D,
    apply,
    approve,
    bring_to,
    eur,
    findings_of,
    new_project,
    pay,
)

# ==== Warnings ==================================================================================

# -- early_start_without_consent: starting before the award needs the funder's consent
#    (vorzeitiger Maßnahmebeginn, VV Nr. 1.3 zu § 44 BHO); without it the funding is at risk.


@pytest.mark.parametrize(
    ("status", "period_start", "consent", "warned"),
    [
        ("approved", D(2025, 3, 1), None, True),
        ("approved", D(2025, 3, 1), D(2025, 4, 1), True),
        ("approved", D(2025, 3, 1), D(2025, 2, 15), False),
        ("approved", D(2025, 3, 1), D(2025, 3, 1), False),
        ("approved", DECIDED, None, False),
        ("submitted", D(2026, 1, 1), None, True),
        ("submitted", D(2027, 1, 1), None, False),
        ("withdrawn", D(2026, 1, 1), None, False),
    ],
    ids=[
        "awarded-no-consent",
        "consent-too-late",
        "consent-before",
        "consent-on-start-day",
        "starts-on-award-day",
        "undecided-started",
        "undecided-future-start",
        "withdrawn",
    ],
)
def test_early_start_without_consent(
    session: Session,
    status: str,
    period_start: dt.date,
    consent: dt.date | None,
    warned: bool,
) -> None:
    """A funding period starting before the award (or, undecided, before today) without a
    consent on or before its start is warned about."""
    project = new_project(session)
    app = apply(
        session,
        project,
        period_start=period_start,
        period_end=D(2027, 6, 30),
        early_start_consent_on=consent,
    )
    bring_to(session, app, status)
    found = findings_of(session, "early_start_without_consent", project)
    assert [f.item_key for f in found] == ([app.key] if warned else [])


# -- payment_above_window_need: money may be drawn only as far as it is needed for payments due
#    within the window after the payout (ANBest-P Nr. 1.4: six weeks; ANBest-Gk: two months).


@pytest.mark.parametrize(
    ("programme", "status", "amount", "need", "warned"),
    [
        ("MPSC", "planned", eur(100_000), eur(80_000), True),
        ("MPSC", "paid", eur(100_000), eur(80_000), True),
        ("MFUND", "submitted", eur(100_000), eur(80_000), True),
        ("MPSC", "planned", eur(80_000), eur(80_000), False),
        ("MPSC", "planned", eur(100_000), None, False),
        ("MPSC", "rejected", eur(100_000), eur(80_000), False),
        ("HAUSHALT", "planned", eur(100_000), eur(80_000), False),
    ],
    ids=[
        "open-above",
        "paid-above",
        "mfund-above",
        "equal",
        "no-need-given",
        "rejected",
        "no-window",
    ],
)
def test_payment_above_window_need(
    session: Session,
    programme: str,
    status: str,
    amount: Decimal,
    need: Decimal | None,
    warned: bool,
) -> None:
    """A request above its window need, under a programme with a payment window, is warned."""
    project = new_project(session)
    data: dict[str, Any] = {"phase": "FL2"} if programme == "MFUND" else {}
    app = approve(session, apply(session, project, programme, **data))
    extra: dict[str, Any] = {"paid_on": D(2025, 9, 10)} if status == "paid" else {}
    request = pay(session, app, amount, status=status, window_need=need, **extra)
    found = findings_of(session, "payment_above_window_need", project)
    assert [f.item_key for f in found] == ([request.key] if warned else [])


# -- grant_period_outside_project: the funding period should lie within the project's run
#    (2025-01-01 … 2027-12-31).


@pytest.mark.parametrize(
    ("start", "end", "warned"),
    [
        (D(2024, 12, 1), D(2026, 6, 30), True),
        (D(2025, 6, 1), D(2028, 1, 31), True),
        (D(2025, 1, 1), D(2027, 12, 31), False),
        (None, None, False),
    ],
    ids=["starts-before", "ends-after", "same-span", "no-period"],
)
def test_grant_period_outside_project(
    session: Session, start: dt.date | None, end: dt.date | None, warned: bool
) -> None:
    """A funding period outside the project's start/end is warned about."""
    project = new_project(session)
    app = apply(session, project, period_start=start, period_end=end)
    found = findings_of(session, "grant_period_outside_project", project)
    assert [f.item_key for f in found] == ([app.key] if warned else [])


# -- payment_outside_project: a Mittelabruf due or paid outside the project's run.


@pytest.mark.parametrize(
    ("due_on", "paid_on", "warned"),
    [
        (D(2028, 1, 15), None, True),
        (D(2025, 1, 15), D(2024, 12, 15), True),
        (D(2027, 12, 31), None, False),
        (D(2025, 1, 1), D(2025, 1, 1), False),
    ],
    ids=["due-after-end", "paid-before-start", "due-on-end", "paid-on-start"],
)
def test_payment_outside_project(
    session: Session, due_on: dt.date, paid_on: dt.date | None, warned: bool
) -> None:
    """A payment request due (or paid) outside the project's start/end is warned about."""
    project = new_project(session, council_resolution_on=D(2024, 10, 1))
    app = apply(session, project, submitted_on=D(2024, 11, 1))
    approve(session, app, day=D(2024, 12, 1))
    extra: dict[str, Any] = {"status": "paid", "paid_on": paid_on} if paid_on else {}
    request = pay(session, app, eur(1000), due_on=due_on, **extra)
    found = findings_of(session, "payment_outside_project", project)
    assert [f.item_key for f in found] == ([request.key] if warned else [])
