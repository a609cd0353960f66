"""Own share, city budget and the own-share gap, per project (see :mod:`portfolio.funding_rules`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Subquery, func, select
from sqlalchemy.orm import Session

from db.models import FundingApplication, FundingProgramme, Participation, Project
from portfolio.funding_rules.conditions import (
    awarded_by,
    counted_amount,
    external_programme,
    municipal_programme,
)
from portfolio.funding_rules.scope import ProjectIds, application_counts, scope_ids
from portfolio.funding_rules.sql import Rows, lesser, money, positive
from portfolio.policy import Action, requires


def _awarded_by_project(ids: Any, day: dt.date) -> Subquery:
    """Per project, the awarded money by ``day``: external ``funding``, the ``cost`` it funds,
    the ``stored`` own shares and the city ``budget`` lines."""
    amount = counted_amount()
    external, municipal = external_programme(), municipal_programme()
    return (
        select(
            FundingApplication.project_id.label("project_id"),
            func.sum(amount).filter(external).label("funding"),
            func.sum(
                func.coalesce(
                    FundingApplication.eligible_cost,
                    amount + func.coalesce(FundingApplication.own_share, 0),
                )
            )
            .filter(external)
            .label("cost"),
            func.sum(func.coalesce(FundingApplication.own_share, 0))
            .filter(external)
            .label("stored"),
            func.sum(func.coalesce(FundingApplication.amount_approved, 0))
            .filter(municipal)
            .label("budget"),
        )
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .where(application_counts(ids), awarded_by(day))
        .group_by(FundingApplication.project_id)
        .subquery()
    )


def _partner_cash(ids: Any) -> Subquery:
    """Per project, the partners' cash contributions (project_id, cash)."""
    return (
        select(
            Participation.project_id.label("project_id"),
            func.sum(Participation.contribution_cash).label("cash"),
        )
        .where(Participation.project_id.in_(ids))
        .group_by(Participation.project_id)
        .subquery()
    )


def own_share_by_project(projects: ProjectIds, day: dt.date) -> Subquery:
    """One row per project in scope that has awarded funding or budget lines by ``day``.

    Columns: ``project_id``, ``funded_cost``, ``funding`` (awarded external), ``own_share``,
    ``budget`` (awarded city budget lines), ``budget_cover`` (the part of it paying the own
    share), ``budget_beyond`` (the rest), ``partner_cash`` and ``gap`` (see the package doc).
    """
    ids = scope_ids(projects)
    awarded = _awarded_by_project(ids, day)
    cash = _partner_cash(ids)
    funding = func.coalesce(awarded.c.funding, 0)
    cost = func.coalesce(awarded.c.cost, 0)
    eligible = Project.eligible_cost
    # The funded cost: the applications' eligible cost, at most the project's.
    funded_cost = lesser(cost, func.coalesce(eligible, cost))
    own = lesser(positive(funded_cost - funding), func.coalesce(awarded.c.stored, 0))
    lines = func.coalesce(awarded.c.budget, 0)
    # The budget lines pay the project's eligible cost outside the funded cost first (none is
    # known outside it where the project has no eligible cost).
    room = positive(func.coalesce(eligible, funded_cost) - funded_cost)
    cover = lesser(positive(lines - room), own)
    partner_cash = func.coalesce(cash.c.cash, 0)
    inner = (
        select(
            Project.id.label("project_id"),
            funded_cost.label("funded_cost"),
            funding.label("funding"),
            own.label("own_share"),
            lines.label("budget"),
            cover.label("budget_cover"),
            partner_cash.label("partner_cash"),
        )
        .join(awarded, awarded.c.project_id == Project.id)
        .join(cash, cash.c.project_id == Project.id, isouter=True)
        .subquery()
    )
    return select(
        inner,
        (inner.c.budget - inner.c.budget_cover).label("budget_beyond"),
        positive(inner.c.own_share - inner.c.budget_cover - inner.c.partner_cash).label("gap"),
    ).subquery()


def gapped_projects(projects: ProjectIds, day: dt.date) -> Rows:
    """The projects with an own-share gap: (project_id, gap, own_share)."""
    lines = own_share_by_project(projects, day)
    return select(lines.c.project_id, lines.c.gap, lines.c.own_share).where(
        func.round(lines.c.gap, 2) > 0
    )


@dataclass(frozen=True)
class OwnShareTotals:
    own_share: Decimal
    budget: Decimal
    budget_cover: Decimal
    budget_beyond: Decimal
    partner_cash: Decimal  # of the projects with an own share
    gap: Decimal
    gap_projects: int


@requires(Action.READ_PORTFOLIO)
def own_share_totals(session: Session, projects: ProjectIds, day: dt.date) -> OwnShareTotals:
    lines = own_share_by_project(projects, day)
    has_own = func.round(lines.c.own_share, 2) > 0
    gapped = func.round(lines.c.gap, 2) > 0
    row = session.execute(
        select(
            func.sum(lines.c.own_share),
            func.sum(lines.c.budget),
            func.sum(lines.c.budget_cover),
            func.sum(lines.c.budget_beyond),
            func.sum(lines.c.partner_cash).filter(has_own),
            func.sum(lines.c.gap).filter(gapped),
            func.count().filter(gapped),
        )
    ).one()
    own, budget, cover, beyond, cash, gap, gap_projects = row
    return OwnShareTotals(
        own_share=money(own),
        budget=money(budget),
        budget_cover=money(cover),
        budget_beyond=money(beyond),
        partner_cash=money(cash),
        gap=money(gap),
        gap_projects=int(gap_projects or 0),
    )
