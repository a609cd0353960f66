"""The conditions on one row: which programmes fund, which applications count with what and are
due or in breach, which payment requests are paid, open or in breach (see :mod:`portfolio.funding_rules`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, and_, func, or_, select

from db.enums import (
    AWARDED_APPLICATION_STATUSES,
    COUNTED_PAYMENT_STATUSES,
    LIVE_APPLICATION_STATUSES,
    OPEN_PAYMENT_STATUSES,
    PUBLIC_FUNDING_LEVELS,
    RUNNING_GRANT_STATUSES,
    UNDECIDED_APPLICATION_STATUSES,
    FundingLevel,
    PaymentRequestStatus,
    RefundKind,
)
from db.models import FundingApplication, FundingProgramme, PaymentRequest, Project, Refund
from portfolio.funding_rules.sql import exceeds

DEADLINE_HORIZON_DAYS = 90
"""The window of "due soon" on the brief, the summary and the Förderung page's default."""


# ---- programmes -------------------------------------------------------------------------------


def external_programme() -> ColumnElement[bool]:
    """Money from funders: every level but the city's own budget lines."""
    return FundingProgramme.level != FundingLevel.MUNICIPAL.value


def municipal_programme() -> ColumnElement[bool]:
    """The city's own budget lines (programme HAUSHALT)."""
    return FundingProgramme.level == FundingLevel.MUNICIPAL.value


def public_programme() -> ColumnElement[bool]:
    """Public funding (EU, Bund, Land): together at most the project's eligible cost."""
    return FundingProgramme.level.in_(PUBLIC_FUNDING_LEVELS)


# ---- applications -----------------------------------------------------------------------------


def counted_amount() -> ColumnElement[Any]:
    """What an application counts with: the approved amount once decided, else the requested one
    (as :func:`portfolio.services.funding.funding_amount`)."""
    return func.coalesce(FundingApplication.amount_approved, FundingApplication.amount_requested, 0)


def live_application() -> ColumnElement[bool]:
    return FundingApplication.status.in_(LIVE_APPLICATION_STATUSES)


def awarded_by(day: dt.date) -> ColumnElement[bool]:
    """Awarded, with the decision dated on or before ``day``."""
    return and_(
        FundingApplication.status.in_(AWARDED_APPLICATION_STATUSES),
        or_(FundingApplication.decision_on.is_(None), FundingApplication.decision_on <= day),
    )


def running_grant() -> ColumnElement[bool]:
    """Awarded and the proof of use still to hand in."""
    return FundingApplication.status.in_(RUNNING_GRANT_STATUSES)


def proof_overdue(day: dt.date) -> ColumnElement[bool]:
    return and_(running_grant(), FundingApplication.proof_of_use_due < day)


def proof_due_between(start: dt.date, end: dt.date) -> ColumnElement[bool]:
    return and_(running_grant(), FundingApplication.proof_of_use_due.between(start, end))


def approved_above_requested() -> ColumnElement[bool]:
    return exceeds(FundingApplication.amount_approved, FundingApplication.amount_requested)


def awarded_without_amount(day: dt.date) -> ColumnElement[bool]:
    return and_(awarded_by(day), FundingApplication.amount_approved.is_(None))


def live_without_amounts() -> ColumnElement[bool]:
    return and_(
        live_application(),
        FundingApplication.amount_requested.is_(None),
        FundingApplication.amount_approved.is_(None),
    )


def own_share_missing(day: dt.date) -> ColumnElement[bool]:
    """Awarded under a programme that requires an own share, with none left (the query must
    join the application's programme)."""
    return and_(
        FundingProgramme.requires_own_share.is_(True),
        awarded_by(day),
        FundingApplication.own_share <= 0,
    )


def early_start_without_consent(day: dt.date) -> ColumnElement[bool]:
    """A live application whose funding period starts before the award (or, still undecided,
    before ``day``) with no consent to an early start (vorzeitiger Maßnahmebeginn) given on or
    before that start."""
    start = FundingApplication.period_start
    return and_(
        live_application(),
        start.is_not(None),
        or_(
            FundingApplication.early_start_consent_on.is_(None),
            FundingApplication.early_start_consent_on > start,
        ),
        or_(
            and_(
                FundingApplication.status.in_(AWARDED_APPLICATION_STATUSES),
                FundingApplication.decision_on.is_not(None),
                start < FundingApplication.decision_on,
            ),
            and_(FundingApplication.status.in_(UNDECIDED_APPLICATION_STATUSES), start < day),
        ),
    )


def grant_period_outside_project() -> ColumnElement[bool]:
    """A live application's funding period begins before its project or ends after it (the
    query must join the project)."""
    return and_(
        live_application(),
        or_(
            and_(
                FundingApplication.period_start.is_not(None),
                Project.start_date.is_not(None),
                FundingApplication.period_start < Project.start_date,
            ),
            and_(
                FundingApplication.period_end.is_not(None),
                Project.end_date.is_not(None),
                FundingApplication.period_end > Project.end_date,
            ),
        ),
    )


# ---- payment requests -------------------------------------------------------------------------


def paid_by(day: dt.date) -> ColumnElement[bool]:
    """Paid out, with the payment dated on or before ``day``."""
    return and_(
        PaymentRequest.status == PaymentRequestStatus.PAID.value,
        or_(PaymentRequest.paid_on.is_(None), PaymentRequest.paid_on <= day),
    )


def open_payment() -> ColumnElement[bool]:
    """Planned or submitted: neither paid nor rejected."""
    return PaymentRequest.status.in_(OPEN_PAYMENT_STATUSES)


def counted_payment() -> ColumnElement[bool]:
    """A payment request that counts against the approved amount (all but rejected ones)."""
    return PaymentRequest.status.in_(COUNTED_PAYMENT_STATUSES)


def refund_principal() -> ColumnElement[bool]:
    """A refund claim whose amount goes back to the funder (a Rückforderung; an interest claim
    on money drawn too early returns no principal)."""
    return Refund.kind == RefundKind.REFUND.value


def refunds_claimed(application_id: Any) -> ScalarSelect[Any]:
    """The principal claimed back under an application (correlated on ``application_id``)."""
    return (
        select(func.coalesce(func.sum(Refund.amount), 0))
        .where(Refund.application_id == application_id, refund_principal())
        .scalar_subquery()
    )


def payment_above_window_need() -> ColumnElement[bool]:
    """A counted payment request above what the payments due within the programme's spending
    window need (the query must join the application's programme)."""
    return and_(
        counted_payment(),
        FundingProgramme.payment_window.is_not(None),
        PaymentRequest.window_need.is_not(None),
        exceeds(PaymentRequest.amount, PaymentRequest.window_need),
    )


def payment_day() -> ColumnElement[Any]:
    """The day a payment request is about: paid on, else due on."""
    return func.coalesce(PaymentRequest.paid_on, PaymentRequest.due_on)


def payment_outside_project() -> ColumnElement[bool]:
    """A counted payment request paid (or due) before its project starts or after it ends (the
    query must join the project)."""
    day = payment_day()
    return and_(
        counted_payment(),
        or_(
            and_(Project.start_date.is_not(None), day < Project.start_date),
            and_(Project.end_date.is_not(None), day > Project.end_date),
        ),
    )


def payment_overdue(day: dt.date) -> ColumnElement[bool]:
    """Open and due before ``day``."""
    return and_(open_payment(), PaymentRequest.due_on < day)


def payment_due_between(start: dt.date, end: dt.date) -> ColumnElement[bool]:
    return and_(open_payment(), PaymentRequest.due_on.between(start, end))
