"""How many findings of each funding warning: the same conditions as the findings, counted in one
pass over the applications, one over the payment requests and one grouped query per total."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from db.models import FundingApplication, FundingProgramme, PaymentRequest, Project
from portfolio.funding_rules.caps import caps_exceeded
from portfolio.funding_rules.catalogue import WARNING_CODES
from portfolio.funding_rules.conditions import (
    approved_above_requested,
    awarded_without_amount,
    early_start_without_consent,
    grant_period_outside_project,
    live_without_amounts,
    own_share_missing,
    payment_above_window_need,
    payment_outside_project,
    payment_overdue,
    proof_overdue,
)
from portfolio.funding_rules.own_share import gapped_projects
from portfolio.funding_rules.scope import ProjectIds, application_counts, scope_ids
from portfolio.funding_rules.sql import Rows
from portfolio.funding_rules.totals import (
    own_share_replaced,
    payments_above_approved,
    public_above_eligible,
)
from portfolio.policy import Action, requires

ROW_WARNINGS = (
    "proof_overdue",
    "approved_above_requested",
    "approved_without_amount",
    "live_without_amounts",
    "own_share_missing",
    "early_start_without_consent",
    "grant_period_outside_project",
)
"""The warnings about one application each: counted in one pass over the applications."""
PAYMENT_WARNINGS = ("payment_overdue", "payment_above_window_need", "payment_outside_project")
"""The warnings about one payment request each: counted in one pass over the requests."""
GROUP_WARNINGS = (
    "payments_above_approved",
    "public_above_eligible",
    "own_share_gap",
    "own_share_replaced",
    "cap_exceeded",
)
"""The warnings about totals across rows: one grouped query each."""


def row_warning_conditions(day: dt.date) -> dict[str, ColumnElement[bool]]:
    """The condition of each warning about one application (the query must join the
    application's programme and project), for counting them in a pass over the applications."""
    return {
        "proof_overdue": proof_overdue(day),
        "approved_above_requested": approved_above_requested(),
        "approved_without_amount": awarded_without_amount(day),
        "live_without_amounts": live_without_amounts(),
        "own_share_missing": own_share_missing(day),
        "early_start_without_consent": early_start_without_consent(day),
        "grant_period_outside_project": grant_period_outside_project(),
    }


def payment_warning_conditions(day: dt.date) -> dict[str, ColumnElement[bool]]:
    """The condition of each warning about one payment request (the query must join the
    request's application, its programme and its project)."""
    return {
        "payment_overdue": payment_overdue(day),
        "payment_above_window_need": payment_above_window_need(),
        "payment_outside_project": payment_outside_project(),
    }


def _over_applications(stmt: Rows, ids: Any) -> Rows:
    """``stmt`` over the applications that count, joined to their programme and project."""
    return (
        stmt.select_from(FundingApplication)
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .join(Project, Project.id == FundingApplication.project_id)
        .where(application_counts(ids))
    )


def _over_payments(stmt: Rows, ids: Any) -> Rows:
    """``stmt`` over the payment requests under applications that count, joined to the
    application, its programme and its project."""
    return (
        stmt.select_from(PaymentRequest)
        .join(FundingApplication, FundingApplication.id == PaymentRequest.application_id)
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .join(Project, Project.id == FundingApplication.project_id)
        .where(application_counts(ids))
    )


def _count_in_one_pass(
    session: Session,
    conditions: dict[str, ColumnElement[bool]],
    wanted: list[str],
    over: Callable[[Rows, Any], Rows],
    ids: Any,
) -> dict[str, int]:
    """How many rows match each wanted condition, in one pass ``over`` them."""
    counted = select(*(func.count().filter(conditions[code]) for code in wanted))
    row = session.execute(over(counted, ids)).one()
    return dict(zip(wanted, (int(n or 0) for n in row), strict=True))


def _group_cores(ids: Any, day: dt.date) -> dict[str, Callable[[], Rows]]:
    """Per warning about totals, the query of its findings (one row each), built when counted."""
    return {
        "payments_above_approved": lambda: payments_above_approved(projects=ids),
        "public_above_eligible": lambda: public_above_eligible(ids),
        "cap_exceeded": lambda: caps_exceeded(ids),
        "own_share_gap": lambda: gapped_projects(ids, day),
        "own_share_replaced": lambda: own_share_replaced(ids),
    }


@requires(Action.READ_PORTFOLIO)
def warning_counts(
    session: Session,
    projects: ProjectIds,
    day: dt.date,
    *,
    known: dict[str, int] | None = None,
) -> dict[str, int]:
    """How many findings of each warning code (every code, zero included) — the same conditions
    as :func:`portfolio.funding_rules.findings`, counted in few passes. ``known`` takes counts the
    caller has already made with these rules (the summary's own-share gaps), so they are not
    counted again."""
    ids = scope_ids(projects)
    counts: dict[str, int] = dict(known or {})
    passes = (
        (ROW_WARNINGS, row_warning_conditions(day), _over_applications),
        (PAYMENT_WARNINGS, payment_warning_conditions(day), _over_payments),
    )
    for codes, conditions, over in passes:
        wanted = [code for code in codes if code not in counts]
        if wanted:
            counts.update(_count_in_one_pass(session, conditions, wanted, over, ids))
    cores = _group_cores(ids, day)
    for code in GROUP_WARNINGS:
        if code not in counts:
            sub = cores[code]().subquery()
            counts[code] = int(session.execute(select(func.count()).select_from(sub)).scalar_one())
    return {code: counts[code] for code in WARNING_CODES}
