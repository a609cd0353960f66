"""A grant's whole life on one page: its notices, its cost plan against the actuals, its budget
years, the proofs it owes and the refunds claimed — read in one short session, as plain data.

Every figure comes from the service that owns its rule (interest from
:func:`portfolio.services.refunds.interest_of`, the warnings from the cost plan's and the budget
years' ``warnings``), so the page shows what the rules say.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.enums import AWARDED_APPLICATION_STATUSES, ENDED_GRANT_STATUSES, PaymentRequestStatus
from db.models import FundingApplication
from portfolio.policy import Action, requires
from portfolio.queries.detail import Row
from portfolio.services import budget_years, cost_plan, grant_notices, proofs, refunds

ZERO = Decimal("0.00")


def _values(obj: Any, names: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


@dataclass
class GrantView:
    """One grant (an awarded application, or one ended early) with everything that follows."""

    application: Row
    programme: str
    programme_key: str
    notices: list[Row] = field(default_factory=list)
    refunds: list[Row] = field(default_factory=list)
    """Refund claims; ``extra``: ``interest`` (to the day repaid, or to today while open)."""
    proofs: list[Row] = field(default_factory=list)
    cost_items: list[Row] = field(default_factory=list)
    cost_warnings: list[Any] = field(default_factory=list)
    budget_years: list[Row] = field(default_factory=list)
    budget_warnings: list[Any] = field(default_factory=list)
    paid: Decimal = ZERO
    """Paid out by the payment requests."""
    refunds_claimed: Decimal = ZERO
    refunds_repaid: Decimal = ZERO
    interest: Decimal = ZERO

    @property
    def net_paid(self) -> Decimal:
        """What the city keeps of the money paid out: paid minus refunds repaid."""
        return self.paid - self.refunds_repaid

    @property
    def refunds_open(self) -> Decimal:
        return self.refunds_claimed - self.refunds_repaid


def is_grant(status: str, decision_on: dt.date | None) -> bool:
    """Whether an application has a grant's life: awarded, or ended after an award."""
    return status in AWARDED_APPLICATION_STATUSES or (
        status in ENDED_GRANT_STATUSES and decision_on is not None
    )


@requires(Action.READ_PORTFOLIO)
def grants_of_project(session: Session, project_id: int, *, today: dt.date) -> list[GrantView]:
    """The grants of a project (not archived), by key."""
    apps = session.execute(
        select(FundingApplication)
        .options(
            selectinload(FundingApplication.programme),
            selectinload(FundingApplication.payment_requests),
            selectinload(FundingApplication.notices),
        )
        .where(FundingApplication.project_id == project_id, FundingApplication.active())
        .order_by(FundingApplication.key)
    ).scalars()
    return [grant_view(session, a, today=today) for a in apps if is_grant(a.status, a.decision_on)]


@requires(Action.READ_PORTFOLIO)
def grant_view(session: Session, application: FundingApplication, *, today: dt.date) -> GrantView:
    from portfolio.services import funding

    view = GrantView(
        application=Row(application.id, application.version, _values(application, funding.FIELDS)),
        programme=application.programme.name,
        programme_key=application.programme.key,
    )
    view.notices = [
        Row(n.id, n.version, _values(n, grant_notices.FIELDS)) for n in application.notices
    ]
    view.paid = sum(
        (r.amount for r in application.payment_requests if r.status == PaymentRequestStatus.PAID),
        start=ZERO,
    )
    for r in refunds.get_all(session, application.id):
        interest = refunds.interest_of(session, r, today=today)
        view.refunds.append(
            Row(r.id, r.version, _values(r, refunds.FIELDS), {"interest": interest})
        )
    totals = refunds.totals(session, application.id, today=today)
    view.refunds_claimed, view.refunds_repaid, view.interest = (
        totals.claimed,
        totals.repaid,
        totals.interest,
    )
    view.proofs = [
        Row(p.id, p.version, _values(p, proofs.FIELDS))
        for p in proofs.get_all(session, application.id)
    ]
    view.cost_items = [
        Row(c.id, c.version, _values(c, cost_plan.FIELDS))
        for c in cost_plan.get_all(session, application.id)
    ]
    view.cost_warnings = list(cost_plan.warnings(session, application.id))
    view.budget_years = [
        Row(b.id, b.version, _values(b, ("year", "grant_amount", "own_amount")))
        for b in budget_years.get_all(session, application.id)
    ]
    view.budget_warnings = list(budget_years.warnings(session, application.id))
    return view
