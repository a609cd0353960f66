"""The applications the rules across rows read: the stored ones, or with one about to be written
in place of its stored row; and what of each counts, can be paid out and binds the cumulation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Select,
    Subquery,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)

from db.enums import AWARDED_APPLICATION_STATUSES, LIVE_APPLICATION_STATUSES
from db.models import FundingApplication, FundingProgramme, Project
from portfolio.funding_rules.conditions import public_programme
from portfolio.funding_rules.scope import ProjectIds, application_counts, project_scope
from portfolio.funding_rules.sql import Rows

AppRows = CTE
"""The applications the rules across rows read (:func:`application_rows`)."""

APPLICATION_COLUMNS = (
    "id",
    "project_id",
    "programme_id",
    "phase",
    "status",
    "amount_requested",
    "amount_approved",
    "eligible_cost",
    "own_share",
    "alternative_to_id",
    "implementation_measure",
)
"""What the rules across applications read of each application."""
NEW_ROW_ID = -1
"""The id a new application has in :func:`application_rows` until it is written."""


def application_rows(
    candidate: Mapping[str, Any] | None = None,
    *,
    projects: ProjectIds | None = None,
    programme_id: int | None = None,
    programmes: Select[Any] | None = None,
    restored: Iterable[int] | None = None,
) -> AppRows:
    """The applications the rules across rows run on: those that count (not archived, of an
    active project; of ``projects`` and under ``programme_id`` where given, so that a check of
    one project reads only its rows), with ``candidate`` — the merged values of one application
    about to be written, ``id`` None when new — in place of its stored row. So the services
    check a change with the very rules the warnings and the import apply to the stored state.

    A common table expression: the rules read it several times, the database computes it once.
    ``programmes``: only applications under these (a SELECT of programme ids)."""
    cols = [getattr(FundingApplication, c) for c in APPLICATION_COLUMNS]
    active = project_scope()
    if restored is not None:  # projects about to be restored count as active
        active = select(Project.id).where(or_(Project.active(), Project.id.in_(list(restored))))
    # ``projects`` are a part of the active ones (the scope of a page, one project's check)
    stored = select(*(c.label(c.key) for c in cols)).where(
        application_counts(active if projects is None else projects),
        *(() if programme_id is None else (FundingApplication.programme_id == programme_id,)),
        *(() if programmes is None else (FundingApplication.programme_id.in_(programmes),)),
    )
    if candidate is None:
        return stored.cte()
    row_id = candidate.get("id")
    if row_id is not None:
        stored = stored.where(FundingApplication.id != row_id)
    values = {c: candidate.get(c) for c in APPLICATION_COLUMNS}
    values["id"] = NEW_ROW_ID if row_id is None else row_id
    values["implementation_measure"] = bool(values["implementation_measure"])
    own = select(*(literal(values[c.key], type_=c.type).label(c.key) for c in cols))
    return union_all(stored, own).cte()


def app_amount(a: AppRows) -> ColumnElement[Any]:
    """What an application counts with (see :func:`counted_amount`)."""
    return func.coalesce(a.c.amount_approved, a.c.amount_requested, 0)


def payable_rows(a: AppRows, where: ColumnElement[bool]) -> Subquery:
    """Live applications matching ``where`` with what of each can really be paid out beside
    the others (``payable``): in a group of an application and its declared alternatives the
    awarded amounts count once any of them is awarded, else only the largest one (an
    alternative applied for elsewhere on the same cost is no cumulation until a second one is
    awarded). Columns: project_id, programme_id, level, excluded (the level the programme
    excludes from its own share), payable."""
    amount = app_amount(a)
    group = func.coalesce(a.c.alternative_to_id, a.c.id)
    awarded = a.c.status.in_(AWARDED_APPLICATION_STATUSES)
    window = (a.c.project_id, group)
    n_awarded = func.sum(case((awarded, 1), else_=0)).over(partition_by=window)
    rank = func.row_number().over(partition_by=window, order_by=(amount.desc(), a.c.id))
    payable = case(
        (n_awarded > 0, case((awarded, amount), else_=0)),
        (rank == 1, amount),
        else_=0,
    )
    # Most applications have no declared alternative: they pay what they count with, and only
    # the few groups with alternatives need the window.
    in_group = or_(
        a.c.alternative_to_id.is_not(None),
        a.c.id.in_(select(a.c.alternative_to_id).where(a.c.alternative_to_id.is_not(None))),
    )
    live = a.c.status.in_(LIVE_APPLICATION_STATUSES)

    def rows(money: Any, *conditions: ColumnElement[bool]) -> Rows:
        return (
            select(
                a.c.project_id,
                a.c.programme_id,
                FundingProgramme.level.label("level"),
                FundingProgramme.own_share_excluded_level.label("excluded"),
                money.label("payable"),
            )
            .join(FundingProgramme, FundingProgramme.id == a.c.programme_id)
            .where(live, where, *conditions)
        )

    return union_all(rows(amount, ~in_group), rows(payable, in_group)).subquery()


def bound_by_applications(a: AppRows, *, only_without_own: bool) -> Subquery:
    """Per project, the largest sum of the live public applications' own eligible costs under
    one programme: applications under one programme fund different costs, applications under
    different programmes are taken to fund the same cost (project_id, bound). With
    ``only_without_own`` only for the projects without an eligible cost of their own (the only
    ones it binds when the stored eligible costs count)."""
    extra: tuple[ColumnElement[bool], ...] = ()
    if only_without_own:
        extra = (a.c.project_id.in_(select(Project.id).where(Project.eligible_cost.is_(None))),)
    per_programme = (
        select(
            a.c.project_id,
            a.c.programme_id,
            func.sum(a.c.eligible_cost).label("cost"),
        )
        .join(FundingProgramme, FundingProgramme.id == a.c.programme_id)
        .where(
            a.c.status.in_(LIVE_APPLICATION_STATUSES),
            public_programme(),
            a.c.eligible_cost.is_not(None),
            *extra,
        )
        .group_by(a.c.project_id, a.c.programme_id)
        .subquery()
    )
    return (
        select(per_programme.c.project_id, func.max(per_programme.c.cost).label("bound"))
        .group_by(per_programme.c.project_id)
        .subquery()
    )


def cumulation_bound(project_eligible: Any, application_bound: Any) -> ColumnElement[Any]:
    """What public funding may reach together: the project's eligible cost; where that is empty,
    the applications' own eligible costs (see :func:`bound_by_applications`)."""
    return func.coalesce(project_eligible, application_bound)
