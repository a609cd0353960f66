"""The rules on totals across rows: public funding within what binds it (cumulation), the own
share not replaced by money the programme excludes, payment requests within the approved amount.
The warnings, the services' checks and the import's cross-row checks all run these."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, func, or_, select

from db.enums import LIVE_APPLICATION_STATUSES
from db.models import FundingApplication, FundingProgramme, PaymentRequest, Project
from portfolio.funding_rules.across_rows import (
    AppRows,
    app_amount,
    application_rows,
    bound_by_applications,
    cumulation_bound,
    payable_rows,
)
from portfolio.funding_rules.conditions import (
    counted_amount,
    counted_payment,
    live_application,
    public_programme,
    refunds_claimed,
)
from portfolio.funding_rules.scope import ProjectIds, application_counts, scope_ids
from portfolio.funding_rules.sql import Rows, exceeds, positive


def _public_candidates(projects: ProjectIds) -> AppRows:
    """The stored applications under public programmes of the projects that can breach the
    cumulation rule."""
    public_ids = select(FundingProgramme.id).where(public_programme())
    # What can be paid out together is never more than the plain sum: only projects whose
    # plain sum exceeds their eligible cost (or that have none) can breach the rule.
    plain = (
        select(FundingApplication.project_id)
        .join(Project, Project.id == FundingApplication.project_id)
        .where(
            application_counts(projects),
            live_application(),
            FundingApplication.programme_id.in_(public_ids),
        )
        .group_by(FundingApplication.project_id, Project.eligible_cost)
        .having(
            or_(
                Project.eligible_cost.is_(None),
                exceeds(func.sum(counted_amount()), Project.eligible_cost),
            )
        )
    )
    return application_rows(projects=plain, programmes=public_ids)


def _bound(a: AppRows, project_eligible: Any) -> tuple[Subquery, ColumnElement[Any]]:
    """The applications' bound per project (project_id, bound) and what binds the public
    funding of a project (:func:`cumulation_bound`); ``project_eligible`` None: the stored
    eligible cost."""
    costs = bound_by_applications(a, only_without_own=project_eligible is None)
    bound = cumulation_bound(
        Project.eligible_cost if project_eligible is None else project_eligible, costs.c.bound
    )
    return costs, bound


def public_above_eligible(
    projects: ProjectIds, *, apps: AppRows | None = None, project_eligible: Any = None
) -> Rows:
    """Projects whose payable public funding (EU, Bund, Land) exceeds what binds it (see
    :func:`cumulation_bound`): (project_id, key, title, total, eligible_cost — the bound). The
    warning, the services' check and the import's cross-row check. ``apps`` defaults to the
    stored applications; ``project_eligible`` stands in for the project's eligible cost."""
    a = apps
    if a is None and project_eligible is not None:  # the eligible cost of a change
        a = application_rows(projects=projects)
    if a is None:
        a = _public_candidates(projects)
    payable = payable_rows(a, public_programme())
    total = (
        select(payable.c.project_id, func.sum(payable.c.payable).label("total"))
        .group_by(payable.c.project_id)
        .subquery()
    )
    costs, bound = _bound(a, project_eligible)
    return (
        select(
            Project.id.label("project_id"),
            Project.key,
            Project.title,
            total.c.total,
            bound.label("eligible_cost"),
        )
        .join(total, total.c.project_id == Project.id)
        .join(costs, costs.c.project_id == Project.id, isouter=True)
        .where(
            Project.id.in_(scope_ids(projects)), bound.is_not(None), exceeds(total.c.total, bound)
        )
    )


def _excluding_candidates(projects: ProjectIds) -> AppRows:
    """The stored applications of the projects where a programme excludes a level from its own
    share."""
    excluding_projects = (
        select(FundingApplication.project_id)
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .where(
            application_counts(projects),
            FundingProgramme.own_share_excluded_level.is_not(None),
        )
    )
    return application_rows(projects=excluding_projects)


def _excluding_cover(a: AppRows) -> Subquery:
    """Per project and excluded level, the cost the live applications under programmes that
    exclude it fund (project_id, level, covered)."""
    amount = app_amount(a)
    own = func.coalesce(a.c.own_share, positive(func.coalesce(a.c.eligible_cost, amount) - amount))
    return (
        select(
            a.c.project_id,
            FundingProgramme.own_share_excluded_level.label("level"),
            # the cost the excluding application funds, whoever pays its own share
            func.sum(func.coalesce(a.c.eligible_cost, amount + own)).label("covered"),
        )
        .join(FundingProgramme, FundingProgramme.id == a.c.programme_id)
        .where(a.c.status.in_(LIVE_APPLICATION_STATUSES))
        .where(FundingProgramme.own_share_excluded_level.is_not(None))
        .group_by(a.c.project_id, FundingProgramme.own_share_excluded_level)
        .subquery()
    )


def _other_public_money(a: AppRows) -> Subquery:
    """Per project and level, the payable public money under programmes that do not exclude
    that level (project_id, level, other)."""
    payable = payable_rows(a, public_programme())
    return (
        select(
            payable.c.project_id,
            payable.c.level,
            func.sum(payable.c.payable).label("other"),
        )
        .where(or_(payable.c.excluded.is_(None), payable.c.excluded != payable.c.level))
        .group_by(payable.c.project_id, payable.c.level)
        .subquery()
    )


def own_share_replaced(
    projects: ProjectIds, *, apps: AppRows | None = None, project_eligible: Any = None
) -> Rows:
    """Projects where money of a level a programme excludes from its own share (MPSC: other
    federal money) pays part of that own share: the other money of that level exceeds the
    bound less the cost the excluding applications cover (their funding plus own share).
    Rows: (project_id, key, title, level, other, room)."""
    a = apps if apps is not None else _excluding_candidates(projects)
    excluding = _excluding_cover(a)
    other = _other_public_money(a)
    costs, bound = _bound(a, project_eligible)
    room = positive(bound - excluding.c.covered)
    return (
        select(
            Project.id.label("project_id"),
            Project.key,
            Project.title,
            excluding.c.level,
            other.c.other,
            room.label("room"),
        )
        .join(excluding, excluding.c.project_id == Project.id)
        .join(
            other,
            and_(other.c.project_id == Project.id, other.c.level == excluding.c.level),
        )
        .join(costs, costs.c.project_id == Project.id, isouter=True)
        .where(
            Project.id.in_(scope_ids(projects)), bound.is_not(None), exceeds(other.c.other, room)
        )
    )


def payments_above_approved(
    applications: Select[Any] | Iterable[int] | None = None, *, projects: ProjectIds | None = None
) -> Rows:
    """Applications (of the ids given, or of the projects in scope) whose counted payment
    requests (all but rejected ones), net of the refunds claimed back, exceed the approved
    amount (none approved counts as 0): (application_id, total, amount_approved)."""
    if projects is not None:
        where = application_counts(projects)
    else:
        assert applications is not None
        where = FundingApplication.id.in_(scope_ids(applications))
    total = func.sum(PaymentRequest.amount) - refunds_claimed(FundingApplication.id)
    return (
        select(
            FundingApplication.id.label("application_id"),
            total.label("total"),
            FundingApplication.amount_approved,
        )
        .join(PaymentRequest, PaymentRequest.application_id == FundingApplication.id)
        .where(where, counted_payment())
        .group_by(FundingApplication.id, FundingApplication.amount_approved)
        .having(exceeds(total, func.coalesce(FundingApplication.amount_approved, 0)))
    )


CAP_KINDS = ("phase", "programme", "implementation")
"""The caps of a programme: of a phase, of the programme over all its phases, and of a phase's
first implementation measures."""
