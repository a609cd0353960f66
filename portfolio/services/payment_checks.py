"""The rules between an application and its payment requests (Mittelabrufe), one function per
rule; :func:`check_payment` runs those on one payment request's change and reports every problem
at once, :func:`check_application_payments` those on a stored application's change.

A payment request, in the order checked: the application exists and is awarded (what was paid
under a grant renounced or revoked since stays on record), no open request under a closed grant;
a paid request has a payment date, neither in the future nor before the award; the requests stay
within the approved amount net of the refunds claimed back; what is paid stays at least what is
claimed back; the final share after the check of the proof of use
(:mod:`portfolio.services.proofs`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.enums import (
    AWARDED_APPLICATION_STATUSES,
    ENDED_GRANT_STATUSES,
    OPEN_PAYMENT_STATUSES,
    ApplicationStatus,
    PaymentRequestStatus,
)
from db.models import FundingApplication, PaymentRequest
from portfolio import clock
from portfolio import funding_rules as rules
from portfolio.errors import Problem
from portfolio.i18n import Eur
from portfolio.policy import Action, requires
from portfolio.services import refunds
from portfolio.services.base import application_or_problem
from portfolio.services.funding_terms import S
from portfolio.vocab import label_both

# ---- an application's change, against its payment requests --------------------------------


def _payments_total(session: Session, application_id: int, *conditions: Any) -> Decimal:
    return Decimal(
        session.execute(
            select(func.coalesce(func.sum(PaymentRequest.amount), 0)).where(
                PaymentRequest.application_id == application_id, *conditions
            )
        ).scalar_one()
    )


def _close_with_open_payments(
    session: Session, application_id: int, status: str | None, old_status: str | None
) -> list[Problem]:
    """No open payment request under a closed grant."""
    if status == S.CLOSED and old_status != S.CLOSED:
        open_total = _payments_total(session, application_id, rules.open_payment())
        if open_total > 0:
            return [Problem("status", "close_with_open_payments", {"amount": Eur(open_total)})]
    return []


def _decision_after_payment(
    session: Session, values: Mapping[str, Any], application_id: int
) -> list[Problem]:
    """Nothing is paid before the decision."""
    decided = values.get("decision_on")
    if decided is None:
        return []
    first_paid = session.execute(
        select(func.min(PaymentRequest.paid_on)).where(
            PaymentRequest.application_id == application_id,
            PaymentRequest.status == PaymentRequestStatus.PAID,
        )
    ).scalar_one()
    if first_paid is not None and first_paid < decided:
        return [
            Problem("decision_on", "decision_after_payment", {"value": decided, "paid": first_paid})
        ]
    return []


def _approved_below_payments(
    session: Session, values: Mapping[str, Any], application_id: int
) -> list[Problem]:
    """The approved amount never below what the requests already draw net of the refunds
    claimed back (:func:`portfolio.services.refunds.refunded_total`)."""
    approved = values.get("amount_approved")
    if approved is None:
        return []
    drawn = _payments_total(session, application_id, rules.counted_payment())
    refunded = refunds.refunded_total(session, application_id)
    if drawn - refunded <= approved:
        return []
    paid = _payments_total(
        session, application_id, PaymentRequest.status == PaymentRequestStatus.PAID
    )
    params: dict[str, Any] = {"approved": Eur(approved), "drawn": Eur(drawn), "paid": Eur(paid)}
    if refunded:
        code = "approved_below_payments_net"
        params |= {"refunds": Eur(refunded), "net": Eur(drawn - refunded)}
    else:
        code = "approved_below_payments"
    return [Problem("amount_approved", code, params)]


@requires(Action.EDIT_PORTFOLIO)
def check_application_payments(
    session: Session,
    values: Mapping[str, Any],
    application_id: int,
    status: str | None,
    old_status: str | None,
) -> list[Problem]:
    """A stored application's change keeps its payment requests consistent with it: no open
    request under a closed grant, no payment before the decision, the approved amount never
    below what the requests already draw net of the refunds claimed back."""
    return [
        *_close_with_open_payments(session, application_id, status, old_status),
        *_decision_after_payment(session, values, application_id),
        *_approved_below_payments(session, values, application_id),
    ]


# ---- a payment request's change -----------------------------------------------------------


def _payment_needs_award(
    values: Mapping[str, Any], application: FundingApplication
) -> list[Problem]:
    """Payment requests only under an awarded grant, and none open once it is closed."""
    is_open = values.get("status") in OPEN_PAYMENT_STATUSES
    # What was paid under a grant renounced or revoked since stays on record (to be refunded).
    renounced_history = (
        application.status in ENDED_GRANT_STATUSES
        and application.decision_on is not None
        and not is_open
    )
    if application.status not in AWARDED_APPLICATION_STATUSES and not renounced_history:
        return [
            Problem(
                "application_id",
                "payment_needs_award",
                {"status": label_both(ApplicationStatus, application.status)},
            )
        ]
    if application.status == S.CLOSED and is_open:
        return [Problem("application_id", "payment_under_closed_grant")]
    return []


def _paid_needs_date(values: Mapping[str, Any]) -> list[Problem]:
    if values.get("status") == PaymentRequestStatus.PAID and values.get("paid_on") is None:
        return [Problem("paid_on", "paid_needs_date")]
    return []


def _paid_between_award_and_today(
    values: Mapping[str, Any], application: FundingApplication, today: dt.date
) -> list[Problem]:
    """A payment is dated neither in the future nor before the award."""
    paid_on = values.get("paid_on")
    if paid_on is None:
        return []
    if paid_on > today:
        return [Problem("paid_on", "date_in_future", {"value": paid_on})]
    if application.decision_on is not None and paid_on < application.decision_on:
        return [
            Problem(
                "paid_on",
                "paid_before_award",
                {"value": paid_on, "decision": application.decision_on},
            )
        ]
    return []


def _payments_above_approved(
    session: Session,
    values: Mapping[str, Any],
    application: FundingApplication,
    request_id: int | None,
) -> list[Problem]:
    """The counted requests (all but rejected ones) with this one, net of the refunds claimed
    back, at most the approved amount (a revocation lowers the approved amount and claims what
    was paid above it back)."""
    amount = values.get("amount")
    if (
        amount is None
        or application.amount_approved is None
        or values.get("status") == PaymentRequestStatus.REJECTED
    ):
        return []
    stmt = select(func.coalesce(func.sum(PaymentRequest.amount), 0)).where(
        PaymentRequest.application_id == application.id, rules.counted_payment()
    )
    if request_id is not None:
        stmt = stmt.where(PaymentRequest.id != request_id)
    refunded = refunds.refunded_total(session, application.id)
    total = Decimal(session.execute(stmt).scalar_one()) + amount - refunded
    if total <= application.amount_approved:
        return []
    params: dict[str, Any] = {"total": Eur(total), "approved": Eur(application.amount_approved)}
    if refunded:
        params["refunds"] = Eur(refunded)
    code = "payments_above_approved_net" if refunded else "payments_above_approved"
    return [Problem("amount", code, params)]


def _paid_below_refunds(
    session: Session,
    values: Mapping[str, Any],
    application: FundingApplication,
    request_id: int | None,
) -> list[Problem]:
    """What was paid stays at least what is claimed back (a paid request later rejected or
    cut)."""
    if request_id is None:
        return []
    refunded = refunds.refunded_total(session, application.id)
    if not refunded:
        return []
    paid_elsewhere = session.execute(
        select(func.coalesce(func.sum(PaymentRequest.amount), 0)).where(
            PaymentRequest.application_id == application.id,
            PaymentRequest.status == PaymentRequestStatus.PAID.value,
            PaymentRequest.id != request_id,
        )
    ).scalar_one()
    amount = values.get("amount")
    paid = Decimal(paid_elsewhere) + (
        amount if values.get("status") == PaymentRequestStatus.PAID and amount is not None else 0
    )
    if paid < refunded:
        return [
            Problem("status", "paid_below_refunds", {"paid": Eur(paid), "refunds": Eur(refunded)})
        ]
    return []


@requires(Action.EDIT_PORTFOLIO)
def check_payment(
    session: Session, values: Mapping[str, Any], request_id: int | None
) -> list[Problem]:
    """All funding rules on the merged state of one payment request, every problem at once."""
    application, problems = application_or_problem(session, values)
    if application is None:
        return problems
    problems += _payment_needs_award(values, application)
    problems += _paid_needs_date(values)
    problems += _paid_between_award_and_today(values, application, clock.today())
    problems += _payments_above_approved(session, values, application, request_id)
    problems += _paid_below_refunds(session, values, application, request_id)
    # the final share after the check of the proof of use (proofs reads the funding service,
    # which reads this module: imported when used)
    from portfolio.services import proofs

    problems += proofs.final_share_problems(session, application, values, request_id)
    return problems
