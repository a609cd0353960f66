"""Rückforderungen: the funder's claims on money paid out under a grant, and interest.

A refund is money flowing back (a negative cash flow), never a changed payment request. Two
kinds (:class:`db.enums.RefundKind`):

* ``refund`` (Erstattung): an amount paid out goes back, after a revocation or renunciation
  (:func:`portfolio.services.grant_notices.record` claims it in the same transaction, linked by
  ``notice_id``), or after the check of a proof of use. Interest runs from ``interest_from``
  (default: the day of the claim) until the day before ``repaid_on`` (while open: until
  yesterday), § 49a Abs. 3 VwVfG.
* ``early_draw_interest`` (§ 49a Abs. 4 VwVfG): money drawn too early and spent late; ``amount``
  is the money drawn, interest runs from ``interest_from`` (the payout) until the day before
  ``interest_to`` (the money spent). Nothing of the principal goes back.

The interest rate is data: the programme's ``refund_interest_points`` above the base rate
(table ``base_rate``); a programme without points charges none. The computation is
:func:`portfolio.interest.interest` (act/365, split at every base-rate change).

Rules (refused, each with its own message naming the field):
- only on a grant that was awarded (a decision date, status awarded or ended early);
- the refunds of an application together at most what was paid out under it (its paid payment
  requests); exactly as much is fine;
- the amount above 0; claimed on a day not in the future and not before the award; repaid not
  before the claim and not in the future; interest not ending before it starts; money drawn too
  early needs both of its interest days; interest only from a day the base rates cover;
- an edit or deletion that lowers the refunds may not leave the payment requests net of refunds
  above the approved amount (:func:`portfolio.services.funding` counts payments net of refunds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.enums import (
    AWARDED_APPLICATION_STATUSES,
    ENDED_GRANT_STATUSES,
    ApplicationStatus,
    PaymentRequestStatus,
    RefundKind,
)
from db.models import BaseRate, FundingApplication, GrantNotice, PaymentRequest, Refund
from portfolio import clock
from portfolio import funding_rules as rules
from portfolio.errors import Problem
from portfolio.i18n import Eur
from portfolio.interest import interest
from portfolio.policy import Action, requires
from portfolio.services.base import (
    Preparation,
    application_or_problem,
    ensure_version,
    flush,
    get_or_raise,
    key_under_application,
    raise_if,
)
from portfolio.services.fields import FieldSpec
from portfolio.vocab import label_both

FIELDS: dict[str, FieldSpec] = {
    "key": FieldSpec("key", required=True, max_length=48),
    "application_id": FieldSpec("ref", required=True),
    "notice_id": FieldSpec("ref"),
    "kind": FieldSpec("enum", required=True, enum=RefundKind),
    "claimed_on": FieldSpec("date", required=True),
    "amount": FieldSpec("money", required=True),
    "interest_from": FieldSpec("date"),
    "interest_to": FieldSpec("date"),
    "repaid_on": FieldSpec("date"),
    "reason": FieldSpec("text", max_length=4000),
}
ZERO = Decimal("0.00")
REFUND = RefundKind.REFUND.value
CLAIMABLE_STATUSES: tuple[str, ...] = (*AWARDED_APPLICATION_STATUSES, *ENDED_GRANT_STATUSES)
"""Grants money can be claimed back from (with a decision date): awarded, or ended early."""


# ---- queries ---------------------------------------------------------------------------------


@requires(Action.READ_PORTFOLIO)
def get(session: Session, refund_id: int) -> Refund:
    return get_or_raise(session, Refund, refund_id)


@requires(Action.READ_PORTFOLIO)
def get_all(session: Session, application_id: int) -> Sequence[Refund]:
    """The refunds of an application, by the day they were claimed."""
    return (
        session.execute(
            select(Refund)
            .where(Refund.application_id == application_id)
            .order_by(Refund.claimed_on, Refund.id)
        )
        .scalars()
        .all()
    )


@requires(Action.READ_PORTFOLIO)
def base_rates(session: Session) -> list[tuple[dt.date, Decimal]]:
    """The base rates (``valid_from``, rate in percent), oldest first."""
    return [
        (row.valid_from, Decimal(row.rate))
        for row in session.execute(
            select(BaseRate.valid_from, BaseRate.rate).order_by(BaseRate.valid_from)
        )
    ]


@requires(Action.READ_PORTFOLIO)
def paid_total(session: Session, application_id: int) -> Decimal:
    """What was paid out under an application: its paid payment requests."""
    return Decimal(
        session.execute(
            select(func.coalesce(func.sum(PaymentRequest.amount), 0)).where(
                PaymentRequest.application_id == application_id,
                PaymentRequest.status == PaymentRequestStatus.PAID.value,
            )
        ).scalar_one()
    )


@requires(Action.READ_PORTFOLIO)
def refunded_total(
    session: Session, application_id: int, *, except_id: int | None = None
) -> Decimal:
    """The refunds claimed under an application (kind ``refund``; interest claims are no
    principal going back), all of them or all but ``except_id``."""
    stmt = select(func.coalesce(func.sum(Refund.amount), 0)).where(
        Refund.application_id == application_id, rules.refund_principal()
    )
    if except_id is not None:
        stmt = stmt.where(Refund.id != except_id)
    return Decimal(session.execute(stmt).scalar_one())


def _counted_total(session: Session, application_id: int) -> Decimal:
    """The payment requests that count against the approved amount (all but rejected)."""
    return Decimal(
        session.execute(
            select(func.coalesce(func.sum(PaymentRequest.amount), 0)).where(
                PaymentRequest.application_id == application_id, rules.counted_payment()
            )
        ).scalar_one()
    )


def interest_period(
    refund: Refund | Mapping[str, Any], *, today: dt.date | None = None
) -> tuple[dt.date | None, dt.date | None]:
    """The days a refund bears interest: ``(first day, end exclusive)``. A refund from
    ``interest_from`` (default: claimed on) until repaid (while open: today, so until
    yesterday); money drawn too early from ``interest_from`` until ``interest_to``."""

    def get(name: str) -> Any:
        return refund.get(name) if isinstance(refund, Mapping) else getattr(refund, name)

    if get("kind") == REFUND:
        start = get("interest_from") or get("claimed_on")
        return start, get("repaid_on") or today or clock.today()
    return get("interest_from"), get("interest_to")


@requires(Action.READ_PORTFOLIO)
def interest_of(session: Session, refund: Refund, *, today: dt.date | None = None) -> Decimal:
    """The interest a refund bears (§ 49a Abs. 3/4 VwVfG) at the programme's points above the
    base rate, for its :func:`interest_period`; 0 where the programme charges none."""
    points = refund.application.programme.refund_interest_points
    start, end = interest_period(refund, today=today)
    if points is None or start is None or end is None:
        return ZERO
    return interest(Decimal(refund.amount), start, end, base_rates(session), Decimal(points))


@dataclass(frozen=True)
class RefundTotals:
    """An application's refunds for the pages: principal claimed (kind refund), of it repaid,
    still open, and the interest of all its refunds (both kinds) as of the day."""

    claimed: Decimal
    repaid: Decimal
    open: Decimal
    interest: Decimal


@requires(Action.READ_PORTFOLIO)
def totals(session: Session, application_id: int, *, today: dt.date | None = None) -> RefundTotals:
    day = today or clock.today()
    claimed = repaid = interest_sum = ZERO
    for refund in get_all(session, application_id):
        interest_sum += interest_of(session, refund, today=day)
        if refund.kind == REFUND:
            claimed += refund.amount
            if refund.repaid_on is not None:
                repaid += refund.amount
    return RefundTotals(claimed, repaid, claimed - repaid, interest_sum)


# ---- rules -----------------------------------------------------------------------------------


def _net_drawn_problems(
    session: Session, application_id: int, refunds_after: Decimal, field: str
) -> list[Problem]:
    """A change that lowers an application's refunds may not leave its payment requests net of
    refunds above the approved amount (nor deepen such an excess)."""
    before = refunded_total(session, application_id)
    if refunds_after >= before:
        return []
    application = session.get(FundingApplication, application_id)
    if application is None or application.amount_approved is None:
        return []
    drawn, approved = _counted_total(session, application_id), application.amount_approved
    excess_after, excess_before = drawn - refunds_after - approved, drawn - before - approved
    if excess_after > 0 and excess_after > excess_before:
        return [
            Problem(
                field,
                "refund_needed_for_payments",
                {"drawn": Eur(drawn), "refunds": Eur(refunds_after), "approved": Eur(approved)},
            )
        ]
    return []


def _check(
    session: Session,
    values: Mapping[str, Any],
    stored: Mapping[str, Any] | None,
    changes: Mapping[str, Any],
    today: dt.date,
) -> list[Problem]:
    application, problems = application_or_problem(session, values)
    if application is None:
        return problems
    problems += _award_problems(session, application, values)
    problems += _value_problems(values, application.decision_on, today)
    problems += _base_rate_problems(session, application, values, stored, changes, today)
    problems += _paid_out_problems(session, application, values, stored, changes)
    return problems


def _award_problems(
    session: Session, application: FundingApplication, values: Mapping[str, Any]
) -> list[Problem]:
    """A refund needs an awarded grant; its notice is one of the application's."""
    problems: list[Problem] = []
    if application.decision_on is None or application.status not in CLAIMABLE_STATUSES:
        problems.append(
            Problem(
                "application_id",
                "refund_needs_award",
                {"status": label_both(ApplicationStatus, application.status)},
            )
        )
    notice_id = values.get("notice_id")
    if notice_id is not None:
        notice = session.get(GrantNotice, notice_id)
        if notice is None or notice.application_id != application.id:
            problems.append(Problem("notice_id", "unknown_reference", {"value": notice_id}))
    return problems


def _value_problems(
    values: Mapping[str, Any], decided: dt.date | None, today: dt.date
) -> list[Problem]:
    """The amount and the days of one refund: positive, not in the future, in order."""
    problems: list[Problem] = []
    amount = values.get("amount")
    if amount is not None and amount <= 0:
        problems.append(Problem("amount", "refund_amount_not_positive", {"value": Eur(amount)}))
    claimed, repaid = values.get("claimed_on"), values.get("repaid_on")
    if claimed is not None and claimed > today:
        problems.append(Problem("claimed_on", "date_in_future", {"value": claimed}))
    elif claimed is not None and decided is not None and claimed < decided:
        problems.append(
            Problem("claimed_on", "refund_before_award", {"value": claimed, "decision": decided})
        )
    if repaid is not None and repaid > today:
        problems.append(Problem("repaid_on", "date_in_future", {"value": repaid}))
    elif repaid is not None and claimed is not None and repaid < claimed:
        problems.append(
            Problem("repaid_on", "repaid_before_claim", {"value": repaid, "claimed": claimed})
        )
    start, end = values.get("interest_from"), values.get("interest_to")
    if values.get("kind") == RefundKind.EARLY_DRAW_INTEREST:
        for name in ("interest_from", "interest_to"):
            if values.get(name) is None:
                problems.append(Problem(name, "early_draw_needs_days"))
    if start is not None and end is not None and end < start:
        problems.append(Problem("interest_to", "end_before_start", {"start": start, "end": end}))
    return problems


def _base_rate_problems(
    session: Session,
    application: FundingApplication,
    values: Mapping[str, Any],
    stored: Mapping[str, Any] | None,
    changes: Mapping[str, Any],
    today: dt.date,
) -> list[Problem]:
    """Interest needs the base rate of every day it runs (checked when those days change)."""
    first_day, _end = interest_period(values, today=today)
    rates = base_rates(session)
    if (
        application.programme.refund_interest_points is not None
        and first_day is not None
        and (
            stored is None
            or any(f in changes for f in ("application_id", "interest_from", "claimed_on"))
        )
        and (not rates or first_day < rates[0][0])
    ):
        return [
            Problem(
                "interest_from" if values.get("interest_from") is not None else "claimed_on",
                "interest_before_base_rates",
                {"value": first_day, "first": rates[0][0] if rates else "–"},
            )
        ]
    return []


def _paid_out_problems(
    session: Session,
    application: FundingApplication,
    values: Mapping[str, Any],
    stored: Mapping[str, Any] | None,
    changes: Mapping[str, Any],
) -> list[Problem]:
    """Never more back than was paid out, and the payments net of refunds still fit where the
    refunds of the stored application get lower (checked when the amount, kind or application
    changes)."""
    if stored is not None and not any(f in changes for f in ("application_id", "kind", "amount")):
        return []
    problems: list[Problem] = []
    kind, amount = values.get("kind"), values.get("amount")
    if kind == REFUND and amount is not None and amount > 0:
        except_id = stored["id"] if stored is not None else None
        total = refunded_total(session, application.id, except_id=except_id) + amount
        paid = paid_total(session, application.id)
        if total > paid:
            problems.append(
                Problem("amount", "refund_above_paid", {"total": Eur(total), "paid": Eur(paid)})
            )
    if stored is not None and stored.get("kind") == REFUND:
        old_app = stored["application_id"]
        after = refunded_total(session, old_app, except_id=stored["id"])
        if kind == REFUND and application.id == old_app and amount is not None:
            after += amount
        problems += _net_drawn_problems(session, old_app, after, "amount")
    return problems


REFUND_PREPARE: Preparation[Refund] = Preparation(
    Refund,
    FIELDS,
    _check,
    defaults={"kind": REFUND},
    key_prefix=key_under_application("R"),
)
"""The prepare-and-check step of refunds (key ``<application key>-R<n>``)."""


# ---- commands --------------------------------------------------------------------------------


@requires(Action.EDIT_PORTFOLIO)
def create(session: Session, data: Mapping[str, Any]) -> Refund:
    """Record a refund claim (``data``: application_id, kind, claimed_on, amount,
    interest_from?, interest_to?, repaid_on?, reason?, notice_id?)."""
    return REFUND_PREPARE.create(session, data)


@requires(Action.EDIT_PORTFOLIO)
def update(
    session: Session, refund_id: int, data: Mapping[str, Any], *, expected_version: int | None
) -> Refund:
    return REFUND_PREPARE.update(session, refund_id, data, expected_version=expected_version)


@requires(Action.EDIT_PORTFOLIO)
def delete(session: Session, refund_id: int, *, expected_version: int | None) -> None:
    """Delete a refund entered by mistake, unless the payments then no longer fit the grant."""
    refund = get(session, refund_id)
    ensure_version(session, refund, expected_version)
    if refund.kind == REFUND:
        after = refunded_total(session, refund.application_id, except_id=refund.id)
        raise_if(_net_drawn_problems(session, refund.application_id, after, "amount"))
    session.delete(refund)
    flush(session, refund, expected_version)
