"""The Förderung page: pipeline, own-share gap, deadlines and warnings from the funding rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from db.enums import AWARDED_APPLICATION_STATUSES, LIVE_APPLICATION_STATUSES, PUBLIC_FUNDING_LEVELS
from db.models import (
    FundingApplication,
    FundingProgramme,
    Participation,
    PaymentRequest,
    Project,
)
from portfolio.queries.common import active_projects, theme_id_of

AWARDED = [str(s) for s in AWARDED_APPLICATION_STATUSES]
LIVE = [str(s) for s in LIVE_APPLICATION_STATUSES]
RUNNING_GRANTS = ["approved", "in_progress"]
OPEN_PAYMENTS = ["planned", "submitted"]
PUBLIC = [str(level) for level in PUBLIC_FUNDING_LEVELS]
CENT = Decimal("0.01")
WARNING_CODES = (
    "proof_overdue",
    "payment_overdue",
    "payments_above_approved",
    "public_above_eligible",
    "approved_without_amount",
    "live_without_amounts",
)


def _dec(value: object) -> Decimal:
    return Decimal(str(value) if value is not None else 0).quantize(CENT)


@dataclass(frozen=True)
class GapLine:
    project_key: str
    project_title: str
    eligible: Decimal
    approved: Decimal
    own_share: Decimal
    partner_cash: Decimal
    gap: Decimal


@dataclass(frozen=True)
class DueLine:
    kind: str  # proof_of_use, payment_request
    due: dt.date
    project_key: str
    project_title: str
    item_key: str
    programme: str
    amount: Decimal | None
    status: str
    overdue: bool


@dataclass(frozen=True)
class Warning:
    code: str
    count: int
    examples: list[tuple[str, str, str]]  # (project key, item key, detail number as text)


@dataclass
class FundingOverview:
    own_share_total: Decimal = Decimal("0.00")
    partner_cash_total: Decimal = Decimal("0.00")
    gap_total: Decimal = Decimal("0.00")
    gap_projects: int = 0
    gaps: list[GapLine] = field(default_factory=list)
    proofs_due: int = 0
    payments_due: int = 0
    due: list[DueLine] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)


def _scope(session: Session, theme_key: str | None) -> Any:
    return FundingApplication.project_id.in_(active_projects(theme_id_of(session, theme_key)))


def _own_share_gaps(session: Session, scope: Any, out: FundingOverview, limit: int) -> None:
    awarded = (
        select(
            FundingApplication.project_id.label("project_id"),
            func.sum(FundingApplication.eligible_cost).label("eligible"),
            func.sum(FundingApplication.amount_approved).label("approved"),
            func.sum(FundingApplication.own_share).label("own_share"),
        )
        .where(
            scope, FundingApplication.archived.is_(False), FundingApplication.status.in_(AWARDED)
        )
        .group_by(FundingApplication.project_id)
        .subquery()
    )
    cash = (
        select(
            Participation.project_id.label("project_id"),
            func.sum(Participation.contribution_cash).label("cash"),
        )
        .group_by(Participation.project_id)
        .subquery()
    )
    own = func.coalesce(awarded.c.own_share, 0)
    partner_cash = func.coalesce(cash.c.cash, 0)
    gap = own - partner_cash
    base = (
        select(
            Project.key,
            Project.title,
            awarded.c.eligible,
            awarded.c.approved,
            own,
            partner_cash,
            gap,
        )
        .join(awarded, awarded.c.project_id == Project.id)
        .join(cash, cash.c.project_id == Project.id, isouter=True)
    )
    totals = session.execute(
        select(
            func.sum(own),
            func.sum(partner_cash),
            func.sum(gap).filter(gap > 0),
            func.count().filter(gap > 0),
        )
        .select_from(Project)
        .join(awarded, awarded.c.project_id == Project.id)
        .join(cash, cash.c.project_id == Project.id, isouter=True)
    ).one()
    out.own_share_total = _dec(totals[0])
    out.partner_cash_total = _dec(totals[1])
    out.gap_total = _dec(totals[2])
    out.gap_projects = int(totals[3] or 0)
    out.gaps = [
        GapLine(key, title, _dec(el), _dec(ap), _dec(o), _dec(c), _dec(g))
        for key, title, el, ap, o, c, g in session.execute(
            base.where(gap > 0).order_by(gap.desc(), Project.key).limit(limit)
        )
    ]


def _due(
    session: Session, scope: Any, today: dt.date, days: int, out: FundingOverview, limit: int
) -> None:
    end = today + dt.timedelta(days=days)
    proof_where = and_(
        scope,
        FundingApplication.archived.is_(False),
        FundingApplication.status.in_(RUNNING_GRANTS),
        FundingApplication.proof_of_use_due <= end,
    )
    pay_where = and_(
        scope,
        FundingApplication.archived.is_(False),
        PaymentRequest.status.in_(OPEN_PAYMENTS),
        PaymentRequest.due_on <= end,
    )
    out.proofs_due = int(
        session.execute(
            select(func.count()).select_from(FundingApplication).where(proof_where)
        ).scalar_one()
    )
    out.payments_due = int(
        session.execute(
            select(func.count())
            .select_from(PaymentRequest)
            .join(FundingApplication, FundingApplication.id == PaymentRequest.application_id)
            .where(pay_where)
        ).scalar_one()
    )
    proofs = session.execute(
        select(
            FundingApplication.proof_of_use_due,
            Project.key,
            Project.title,
            FundingApplication.key,
            FundingProgramme.name,
            FundingApplication.amount_approved,
            FundingApplication.status,
        )
        .join(Project, Project.id == FundingApplication.project_id)
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .where(proof_where)
        .order_by(FundingApplication.proof_of_use_due, Project.key)
        .limit(limit)
    ).all()
    payments = session.execute(
        select(
            PaymentRequest.due_on,
            Project.key,
            Project.title,
            PaymentRequest.key,
            FundingProgramme.name,
            PaymentRequest.amount,
            PaymentRequest.status,
        )
        .join(FundingApplication, FundingApplication.id == PaymentRequest.application_id)
        .join(Project, Project.id == FundingApplication.project_id)
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .where(pay_where)
        .order_by(PaymentRequest.due_on, Project.key)
        .limit(limit)
    ).all()
    lines = [
        DueLine("proof_of_use", due, pk, pt, ik, prog, amount, status, due < today)
        for due, pk, pt, ik, prog, amount, status in proofs
        if due is not None
    ] + [
        DueLine("payment_request", due, pk, pt, ik, prog, amount, status, due < today)
        for due, pk, pt, ik, prog, amount, status in payments
    ]
    out.due = sorted(lines, key=lambda d: (d.due, d.project_key, d.item_key))[:limit]


def _warning(session: Session, code: str, stmt: Any, examples: int) -> Warning:
    sub = stmt.subquery()
    total = int(session.execute(select(func.count()).select_from(sub)).scalar_one())
    rows = session.execute(select(sub).limit(examples)).all() if total else []
    return Warning(
        code, total, [(str(r[0]), str(r[1]), str(r[2] if r[2] is not None else "")) for r in rows]
    )


def _warnings(session: Session, scope: Any, today: dt.date, examples: int) -> list[Warning]:
    app_base = (
        select(Project.key, FundingApplication.key)
        .join(Project, Project.id == FundingApplication.project_id)
        .where(scope, FundingApplication.archived.is_(False))
    )
    paid_sum = (
        select(
            PaymentRequest.application_id.label("application_id"),
            func.sum(PaymentRequest.amount).label("total"),
        )
        .where(PaymentRequest.status != "rejected")
        .group_by(PaymentRequest.application_id)
        .subquery()
    )
    public = (
        select(
            FundingApplication.project_id.label("project_id"),
            func.sum(
                func.coalesce(
                    FundingApplication.amount_approved, FundingApplication.amount_requested, 0
                )
            ).label("total"),
        )
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .where(
            scope,
            FundingApplication.archived.is_(False),
            FundingApplication.status.in_(LIVE),
            FundingProgramme.level.in_(PUBLIC),
        )
        .group_by(FundingApplication.project_id)
        .subquery()
    )
    checks: list[tuple[str, Any]] = [
        (
            "proof_overdue",
            app_base.add_columns(FundingApplication.proof_of_use_due)
            .where(
                FundingApplication.status.in_(RUNNING_GRANTS),
                FundingApplication.proof_of_use_due < today,
            )
            .order_by(FundingApplication.proof_of_use_due),
        ),
        (
            "payment_overdue",
            select(Project.key, PaymentRequest.key, PaymentRequest.due_on)
            .join(FundingApplication, FundingApplication.id == PaymentRequest.application_id)
            .join(Project, Project.id == FundingApplication.project_id)
            .where(
                scope,
                FundingApplication.archived.is_(False),
                PaymentRequest.status == "planned",
                PaymentRequest.due_on < today,
            )
            .order_by(PaymentRequest.due_on),
        ),
        (
            "payments_above_approved",
            app_base.add_columns(paid_sum.c.total)
            .join(paid_sum, paid_sum.c.application_id == FundingApplication.id)
            .where(
                FundingApplication.amount_approved.is_not(None),
                # SQLite sums money as binary floats: compare in cents, not in float noise
                func.round(paid_sum.c.total - FundingApplication.amount_approved, 2) > 0,
            )
            .order_by(FundingApplication.key),
        ),
        (
            "public_above_eligible",
            select(Project.key, Project.key, public.c.total)
            .join(public, public.c.project_id == Project.id)
            .where(Project.eligible_cost.is_not(None), public.c.total > Project.eligible_cost)
            .order_by(Project.key),
        ),
        (
            "approved_without_amount",
            app_base.add_columns(FundingApplication.status)
            .where(
                FundingApplication.status.in_(AWARDED),
                FundingApplication.amount_approved.is_(None),
            )
            .order_by(FundingApplication.key),
        ),
        (
            "live_without_amounts",
            app_base.add_columns(FundingApplication.status)
            .where(
                FundingApplication.status.in_(LIVE),
                FundingApplication.amount_requested.is_(None),
                FundingApplication.amount_approved.is_(None),
            )
            .order_by(FundingApplication.key),
        ),
    ]
    return [_warning(session, code, stmt, examples) for code, stmt in checks]


def funding_overview(
    session: Session,
    *,
    today: dt.date,
    theme_key: str | None = None,
    days: int = 90,
    limit: int = 25,
    examples: int = 10,
) -> FundingOverview:
    scope = _scope(session, theme_key)
    out = FundingOverview()
    _own_share_gaps(session, scope, out, limit)
    _due(session, scope, today, days, out, limit)
    out.warnings = _warnings(session, scope, today, examples)
    return out
