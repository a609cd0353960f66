"""The findings of each funding warning: one SELECT per warning code, each row (project key,
project title, item key, amount, limit, day, status), ordered for reading."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, null, select
from sqlalchemy.orm import Session

from db.models import FundingApplication, FundingProgramme, PaymentRequest, Project
from portfolio.funding_rules.caps import caps_exceeded
from portfolio.funding_rules.catalogue import WARNING_CODES, Finding
from portfolio.funding_rules.conditions import (
    approved_above_requested,
    awarded_without_amount,
    early_start_without_consent,
    grant_period_outside_project,
    live_without_amounts,
    own_share_missing,
    payment_above_window_need,
    payment_day,
    payment_outside_project,
    payment_overdue,
    proof_overdue,
)
from portfolio.funding_rules.own_share import own_share_by_project
from portfolio.funding_rules.scope import ProjectIds, application_counts, scope_ids
from portfolio.funding_rules.sql import Rows, money
from portfolio.funding_rules.totals import (
    own_share_replaced,
    payments_above_approved,
    public_above_eligible,
)
from portfolio.policy import Action, requires


def _app_rows(projects: Any) -> Rows:
    """The applications that count: (project key, project title, item key)."""
    stmt: Rows = (
        select(Project.key, Project.title, FundingApplication.key.label("item_key"))
        .join(Project, Project.id == FundingApplication.project_id)
        .where(application_counts(projects))
    )
    return stmt


def _payment_rows(projects: Any) -> Rows:
    """The payment requests under applications that count: (project key, project title, item
    key)."""
    return (
        select(Project.key, Project.title, PaymentRequest.key.label("item_key"))
        .select_from(PaymentRequest)
        .join(FundingApplication, FundingApplication.id == PaymentRequest.application_id)
        .join(Project, Project.id == FundingApplication.project_id)
        .where(application_counts(projects))
    )


def _about_application(
    apps: Rows,
    condition: ColumnElement[bool],
    *,
    amount: Any = None,
    limit: Any = None,
    day: Any = None,
    order: Iterable[Any] = (FundingApplication.key,),
) -> Rows:
    """The findings about one application each: those matching ``condition``."""
    none = null()
    return (
        apps.add_columns(
            (none if amount is None else amount).label("amount"),
            (none if limit is None else limit).label("limit"),
            (none if day is None else day).label("day"),
            FundingApplication.status.label("status"),
        )
        .where(condition)
        .order_by(*order)
    )


def _with_programme(apps: Rows) -> Rows:
    return apps.join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)


def _grant_period_day() -> ColumnElement[Any]:
    """The project's day the funding period passes: its start where the period begins before
    it, else its end."""
    return func.coalesce(
        case(
            (FundingApplication.period_start < Project.start_date, Project.start_date),
            else_=null(),
        ),
        Project.end_date,
    )


def _application_findings(apps: Rows, day: dt.date) -> dict[str, Rows]:
    """The warnings about one application each."""
    return {
        "proof_overdue": _about_application(
            apps,
            proof_overdue(day),
            day=FundingApplication.proof_of_use_due,
            order=(FundingApplication.proof_of_use_due, FundingApplication.key),
        ),
        "approved_above_requested": _about_application(
            apps,
            approved_above_requested(),
            amount=FundingApplication.amount_approved,
            limit=FundingApplication.amount_requested,
        ),
        "approved_without_amount": _about_application(apps, awarded_without_amount(day)),
        "live_without_amounts": _about_application(apps, live_without_amounts()),
        "own_share_missing": _about_application(
            _with_programme(apps), own_share_missing(day), amount=FundingApplication.own_share
        ),
        "early_start_without_consent": _about_application(
            apps, early_start_without_consent(day), day=FundingApplication.period_start
        ),
        "grant_period_outside_project": _about_application(
            apps, grant_period_outside_project(), day=_grant_period_day()
        ),
    }


def _about_payment(
    pay: Rows, condition: ColumnElement[bool], *, limit: Any = None, day: Any = None
) -> Rows:
    """The findings about one payment request each: those matching ``condition``."""
    none = null()
    return (
        pay.add_columns(
            PaymentRequest.amount.label("amount"),
            (none if limit is None else limit).label("limit"),
            (PaymentRequest.due_on if day is None else day).label("day"),
            PaymentRequest.status.label("status"),
        )
        .where(condition)
        .order_by(PaymentRequest.due_on, PaymentRequest.key)
    )


def _payment_findings(pay: Rows, day: dt.date) -> dict[str, Rows]:
    """The warnings about one payment request each."""
    return {
        "payment_overdue": _about_payment(pay, payment_overdue(day)),
        "payment_above_window_need": _about_payment(
            _with_programme(pay), payment_above_window_need(), limit=PaymentRequest.window_need
        ),
        "payment_outside_project": _about_payment(
            pay, payment_outside_project(), day=payment_day()
        ),
    }


def _payments_above_approved_findings(apps: Rows, ids: Any) -> Rows:
    above = payments_above_approved(projects=ids).subquery()
    none = null()
    return (
        apps.add_columns(
            above.c.total.label("amount"),
            FundingApplication.amount_approved.label("limit"),
            none.label("day"),
            FundingApplication.status.label("status"),
        )
        .join(above, above.c.application_id == FundingApplication.id)
        .order_by(FundingApplication.key)
    )


def _public_above_eligible_findings(ids: Any) -> Rows:
    public = public_above_eligible(ids).subquery()
    none = null()
    return select(
        public.c.key,
        public.c.title,
        public.c.key.label("item_key"),
        public.c.total.label("amount"),
        public.c.eligible_cost.label("limit"),
        none.label("day"),
        none.label("status"),
    ).order_by(public.c.key)


def _own_share_gap_findings(ids: Any, day: dt.date) -> Rows:
    lines = own_share_by_project(ids, day)
    none = null()
    return (
        select(
            Project.key,
            Project.title,
            Project.key.label("item_key"),
            lines.c.gap.label("amount"),
            lines.c.own_share.label("limit"),
            none.label("day"),
            none.label("status"),
        )
        .join(lines, lines.c.project_id == Project.id)
        .where(func.round(lines.c.gap, 2) > 0)
        .order_by(lines.c.gap.desc(), Project.key)
    )


def _own_share_replaced_findings(ids: Any) -> Rows:
    replaced = own_share_replaced(ids).subquery()
    return select(
        replaced.c.key,
        replaced.c.title,
        replaced.c.key.label("item_key"),
        replaced.c.other.label("amount"),
        replaced.c.room.label("limit"),
        null().label("day"),
        replaced.c.level.label("status"),
    ).order_by(replaced.c.key)


def _cap_findings(ids: Any) -> Rows:
    grouped = caps_exceeded(ids).subquery()
    item = func.coalesce(
        grouped.c.programme_key + literal(" ") + grouped.c.phase, grouped.c.programme_key
    )
    # A city-wide cap is about no one project: no project key, the programme's name.
    key = func.coalesce(Project.key, literal(""))
    title = func.coalesce(Project.title, FundingProgramme.name)
    return (
        select(
            key.label("key"),
            title.label("title"),
            item.label("item_key"),
            grouped.c.total.label("amount"),
            grouped.c.cap.label("limit"),
            null().label("day"),
            grouped.c.kind.label("status"),
        )
        .select_from(grouped)
        .join(FundingProgramme, FundingProgramme.id == grouped.c.programme_id)
        .join(Project, Project.id == grouped.c.scope_project, isouter=True)
        .order_by("key", "item_key")
    )


def _total_findings(apps: Rows, ids: Any, day: dt.date) -> dict[str, Rows]:
    """The warnings about totals across rows."""
    return {
        "payments_above_approved": _payments_above_approved_findings(apps, ids),
        "public_above_eligible": _public_above_eligible_findings(ids),
        "own_share_gap": _own_share_gap_findings(ids, day),
        "own_share_replaced": _own_share_replaced_findings(ids),
        "cap_exceeded": _cap_findings(ids),
    }


def warning_queries(projects: ProjectIds, day: dt.date) -> dict[str, Rows]:
    """Per warning code a SELECT of its findings, each row (project key, project title, item key,
    amount, limit, day, status), ordered for reading."""
    ids = scope_ids(projects)
    apps = _app_rows(ids)
    queries = {
        **_application_findings(apps, day),
        **_payment_findings(_payment_rows(ids), day),
        **_total_findings(apps, ids, day),
    }
    return {code: queries[code] for code in WARNING_CODES}


def _finding(code: str, row: Any) -> Finding:
    key, title, item, amount, limit, day, status = row
    return Finding(
        code,
        key,
        title,
        str(item),
        None if amount is None else money(amount),
        None if limit is None else money(limit),
        day,
        status,
    )


@requires(Action.READ_PORTFOLIO)
def findings(
    session: Session,
    projects: ProjectIds,
    day: dt.date,
    *,
    codes: Iterable[str] = WARNING_CODES,
    limit: int | None = None,
) -> dict[str, list[Finding]]:
    """The findings of each code (at most ``limit`` per code), in reading order."""
    queries = warning_queries(projects, day)
    out: dict[str, list[Finding]] = {}
    for code in codes:
        stmt = queries[code]
        if limit is not None:
            stmt = stmt.limit(limit)
        out[code] = [_finding(code, row) for row in session.execute(stmt)]
    return out
