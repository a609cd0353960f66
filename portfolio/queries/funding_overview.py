"""The Förderung page: own-share gap, deadlines and warnings, all from :mod:`portfolio.funding_rules`.

The page's money tiles (requested, approved, paid out, own share) come from
:func:`portfolio.figures.summary`; the totals here agree with it to the cent (own share, gap).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.models import FundingApplication, FundingProgramme, PaymentRequest, Project
from portfolio import funding_rules as rules
from portfolio.figures import payment_deadlines, proof_deadlines
from portfolio.policy import Action, requires
from portfolio.queries.common import theme_id_of

CENT = Decimal("0.01")
WARNING_CODES = rules.WARNING_CODES


def _dec(value: object) -> Decimal:
    return Decimal(str(value) if value is not None else 0).quantize(CENT)


@dataclass(frozen=True)
class GapLine:
    project_key: str
    project_title: str
    eligible: Decimal  # the funded cost: eligible cost of the awarded external applications
    approved: Decimal  # awarded external funding
    own_share: Decimal
    partner_cash: Decimal
    gap: Decimal
    budget: Decimal = Decimal("0.00")  # the city's budget lines covering the own share


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
class RuleWarning:
    """One funding rule's findings on the Förderung page: how many, and a few examples."""

    code: str
    count: int
    examples: list[tuple[str, str, str]]  # (project key, item key, detail number as text)


@dataclass
class FundingOverview:
    own_share_total: Decimal = Decimal("0.00")
    partner_cash_total: Decimal = Decimal("0.00")  # of the projects with an own share
    budget_cover_total: Decimal = Decimal("0.00")  # city budget lines paying own shares
    gap_total: Decimal = Decimal("0.00")
    gap_projects: int = 0
    gaps: list[GapLine] = field(default_factory=list)
    proofs_due: int = 0  # overdue or due within the window
    payments_due: int = 0  # overdue or due within the window
    proofs_overdue: int = 0
    payments_overdue: int = 0
    due: list[DueLine] = field(default_factory=list)
    warnings: list[RuleWarning] = field(default_factory=list)


def _projects(session: Session, theme_key: str | None) -> Any:
    return rules.project_scope(theme_id_of(session, theme_key))


def _own_share_gaps(
    session: Session, projects: Any, today: dt.date, out: FundingOverview, limit: int
) -> None:
    totals = rules.own_share_totals(session, projects, today)
    out.own_share_total = totals.own_share
    out.partner_cash_total = totals.partner_cash
    out.budget_cover_total = totals.budget_cover
    out.gap_total = totals.gap
    out.gap_projects = totals.gap_projects
    lines = rules.own_share_by_project(projects, today)
    gapped = func.round(lines.c.gap, 2) > 0
    out.gaps = [
        GapLine(key, title, _dec(el), _dec(ap), _dec(o), _dec(c), _dec(g), _dec(b))
        for key, title, el, ap, o, c, g, b in session.execute(
            select(
                Project.key,
                Project.title,
                lines.c.funded_cost,
                lines.c.funding,
                lines.c.own_share,
                lines.c.partner_cash,
                lines.c.gap,
                lines.c.budget_cover,
            )
            .join(lines, lines.c.project_id == Project.id)
            .where(gapped)
            .order_by(lines.c.gap.desc(), Project.key)
            .limit(limit)
        )
    ]


def _due(
    session: Session, projects: Any, today: dt.date, days: int, out: FundingOverview, limit: int
) -> None:
    end = today + dt.timedelta(days=days)
    counts = rules.application_counts(projects)
    proof_where = or_(rules.proof_overdue(today), rules.proof_due_between(today, end))
    pay_where = or_(rules.payment_overdue(today), rules.payment_due_between(today, end))
    out.proofs_due, out.proofs_overdue = (
        int(n or 0)
        for n in session.execute(
            select(
                func.count().filter(proof_where), func.count().filter(rules.proof_overdue(today))
            )
            .select_from(FundingApplication)
            .where(counts)
        ).one()
    )
    out.payments_due, out.payments_overdue = (
        int(n or 0)
        for n in session.execute(
            select(
                func.count().filter(pay_where), func.count().filter(rules.payment_overdue(today))
            )
            .select_from(PaymentRequest)
            .join(FundingApplication, FundingApplication.id == PaymentRequest.application_id)
            .where(counts)
        ).one()
    )
    proofs = session.execute(
        proof_deadlines(
            projects,
            proof_where,
            FundingApplication.amount_approved,
            FundingProgramme.name,
            FundingApplication.status,
        )
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .order_by(FundingApplication.proof_of_use_due, Project.key)
        .limit(limit)
    ).all()
    payments = session.execute(
        payment_deadlines(
            projects, pay_where, PaymentRequest.amount, FundingProgramme.name, PaymentRequest.status
        )
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .order_by(PaymentRequest.due_on, Project.key)
        .limit(limit)
    ).all()
    lines = [
        DueLine(kind, due, pk, pt, ik, prog, amount, status, due < today)
        for kind, due, pk, pt, ik, amount, prog, status in [*proofs, *payments]
        if due is not None
    ]
    out.due = sorted(lines, key=lambda d: (d.due, d.project_key, d.item_key))[:limit]


def _detail(finding: rules.Finding) -> str:
    """The one number or code the page shows beside a finding: a date, an amount, a status."""
    if finding.code in ("approved_without_amount", "live_without_amounts"):
        return finding.status or ""
    if finding.day is not None:
        return finding.day.isoformat()
    if finding.amount is not None:
        return str(finding.amount)
    return finding.status or ""


def _warnings(session: Session, projects: Any, today: dt.date, examples: int) -> list[RuleWarning]:
    counts = rules.warning_counts(session, projects, today)
    found = rules.findings(
        session, projects, today, codes=[c for c in WARNING_CODES if counts[c]], limit=examples
    )
    return [
        RuleWarning(
            code,
            counts[code],
            [(f.project_key, f.item_key, _detail(f)) for f in found.get(code, [])],
        )
        for code in WARNING_CODES
    ]


@requires(Action.READ_PORTFOLIO)
def funding_overview(
    session: Session,
    *,
    today: dt.date,
    theme_key: str | None = None,
    days: int = rules.DEADLINE_HORIZON_DAYS,
    limit: int = 25,
    examples: int = 10,
) -> FundingOverview:
    projects = _projects(session, theme_key)
    out = FundingOverview()
    _own_share_gaps(session, projects, today, out, limit)
    _due(session, projects, today, days, out, limit)
    out.warnings = _warnings(session, projects, today, examples)
    return out
