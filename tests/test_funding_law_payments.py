"""Funding law, adversarially (see tests/funding_law_helpers.py): no payment before the award,
nothing open under a closed grant, no cut of the award below the requests, renouncing a grant."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from db.models import FundingApplication
from tests.funding_law_helpers import (
    DECIDED,
    D,
    apply,
    approve,
    bring_to,
    change,
    change_payment,
    eur,
    new_project,
    paid,
    pay,
    refused,
)

# ==== 4. No payment before the award ===========================================================
# Money is paid out only under an award (Zuwendungsbescheid), never before it (§ 44 BHO, VV).


@pytest.mark.parametrize(
    ("paid_on", "allowed"),
    [(DECIDED, True), (DECIDED - dt.timedelta(days=1), False)],
    ids=["on-award-day", "day-before"],
)
def test_payment_not_before_the_decision(session: Session, paid_on: dt.date, allowed: bool) -> None:
    """Paid on the day of the award is fine; the day before is impossible."""
    app = approve(session, apply(session, new_project(session)))
    if allowed:
        assert paid(session, app, eur(1000), due_on=paid_on, paid_on=paid_on).id
    else:
        with refused("paid_on"):
            paid(session, app, eur(1000), due_on=paid_on, paid_on=paid_on)


@pytest.mark.parametrize("status", ["idea", "sketch", "submitted", "rejected", "withdrawn"])
def test_payment_request_needs_an_awarded_application(session: Session, status: str) -> None:
    """No Mittelabruf under an application that is not awarded."""
    project = new_project(session)
    if status in ("idea", "sketch"):
        app = apply(session, project, status=status, submitted_on=None)
    else:
        app = bring_to(session, apply(session, project), status)
    with refused("application_id"):
        pay(session, app, eur(1000))


@pytest.mark.parametrize("status", ["approved", "in_progress", "proof_submitted"])
def test_payment_request_under_a_running_grant_is_accepted(session: Session, status: str) -> None:
    """Awarded and not closed: Mittelabrufe are allowed (the final one with the proof of use)."""
    app = bring_to(session, apply(session, new_project(session)), status)
    assert pay(session, app, eur(1000)).status == "planned"


def test_moving_a_payout_before_the_award_is_refused(session: Session) -> None:
    """A paid request's date corrected to before the award is refused as well."""
    app = approve(session, apply(session, new_project(session)))
    request = paid(session, app, eur(1000))
    with refused("paid_on"):
        change_payment(session, request, paid_on=DECIDED - dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("decision_on", "allowed"),
    [(D(2025, 5, 15), True), (D(2025, 9, 11), False)],
    ids=["earlier-award", "award-after-payout"],
)
def test_moving_the_award_after_a_payout_is_refused(
    session: Session, decision_on: dt.date, allowed: bool
) -> None:
    """The same rule from the award's side: paid on 10 Sep 2025, the award cannot be dated
    11 Sep 2025; an earlier correction is fine."""
    app = approve(session, apply(session, new_project(session)))
    paid(session, app, eur(1000), paid_on=D(2025, 9, 10))
    if allowed:
        assert change(session, app, decision_on=decision_on).decision_on == decision_on
    else:
        with refused("decision_on", "paid_on"):
            change(session, app, decision_on=decision_on)


# ==== 5. Nothing open under a closed grant =====================================================
# A closed grant (after the proof of use was checked) has no open Mittelabruf any more.


@pytest.mark.parametrize("status", ["planned", "submitted"])
def test_open_payment_request_under_a_closed_grant_is_refused(
    session: Session, status: str
) -> None:
    """A new planned or submitted payment request under a closed application is refused."""
    app = bring_to(session, apply(session, new_project(session)), "closed")
    with refused("application_id"):
        pay(session, app, eur(1000), status=status)


def test_reopening_a_paid_request_under_a_closed_grant_is_refused(session: Session) -> None:
    """A paid request under a closed grant may not be turned back into an open one."""
    app = bring_to(session, apply(session, new_project(session)), "proof_submitted")
    request = paid(session, app, eur(1000))
    change(session, app, status="closed")
    with refused("application_id"):
        change_payment(session, request, status="planned", paid_on=None)


def test_paid_request_under_a_closed_grant_stays_editable(session: Session) -> None:
    """Editing the note of a paid request under a closed grant is fine."""
    app = bring_to(session, apply(session, new_project(session)), "proof_submitted")
    request = paid(session, app, eur(1000))
    change(session, app, status="closed")
    assert change_payment(session, request, note="Beleg nachgereicht").note


@pytest.mark.parametrize("status", ["planned", "submitted"])
def test_closing_with_open_payment_requests_is_refused(session: Session, status: str) -> None:
    """An application with an open Mittelabruf cannot be closed."""
    app = bring_to(session, apply(session, new_project(session)), "proof_submitted")
    pay(session, app, eur(1000), status=status)
    with refused("status"):
        change(session, app, status="closed")


def test_closing_with_only_paid_and_rejected_requests_is_accepted(session: Session) -> None:
    """Paid and rejected requests do not stop the close."""
    app = bring_to(session, apply(session, new_project(session)), "proof_submitted")
    paid(session, app, eur(1000))
    pay(session, app, eur(500), status="rejected")
    assert change(session, app, status="closed").status == "closed"


# ==== 8. The award may not be cut below what was already requested =============================
# An amendment notice (Änderungsbescheid) cannot take back money already drawn or requested.


def _grant_with_requests(session: Session) -> FundingApplication:
    """Approved 250 000 €; paid 100 000 €, planned 50 000 €, rejected 30 000 € (not counted)."""
    app = approve(session, apply(session, new_project(session)), eur(250_000))
    paid(session, app, eur(100_000))
    pay(session, app, eur(50_000))
    pay(session, app, eur(30_000), status="rejected")
    return app


def test_cutting_the_award_below_the_requests_is_refused(session: Session) -> None:
    """149 999,99 € approved against 150 000 € paid and open requests: refused."""
    app = _grant_with_requests(session)
    with refused("amount_approved"):
        change(session, app, amount_approved=eur("149999.99"))


def test_cutting_the_award_to_the_requests_is_accepted(session: Session) -> None:
    """Cutting to exactly the paid + open requests is fine (rejected ones do not count)."""
    app = _grant_with_requests(session)
    assert change(session, app, amount_approved=eur(150_000)).amount_approved == eur(150_000)


# ==== 9. Renouncing a grant (Verzicht) =========================================================
# A recipient may renounce an award (Verzicht) while it runs; a closed grant is settled.


@pytest.mark.parametrize("status", ["approved", "in_progress"])
def test_renouncing_a_running_grant_is_accepted(session: Session, status: str) -> None:
    """approved → withdrawn and in_progress → withdrawn (Verzicht)."""
    app = bring_to(session, apply(session, new_project(session)), status)
    assert change(session, app, status="withdrawn").status == "withdrawn"


def test_renouncing_a_closed_grant_is_refused(session: Session) -> None:
    """closed → withdrawn stays refused."""
    app = bring_to(session, apply(session, new_project(session)), "closed")
    with refused("status"):
        change(session, app, status="withdrawn")
