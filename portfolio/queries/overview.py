"""Figures for the Übersicht page beyond :func:`portfolio.figures.summary`: the charts' data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import (
    ActionField,
    FundingApplication,
    FundingProgramme,
    Organisation,
    Participation,
    Project,
    Theme,
)
from portfolio.figures import deadline_rows
from portfolio.policy import Action, requires
from portfolio.queries.common import (
    NO_LIGHT,
    active_projects,
    latest_light,
    stale_report_condition,
    theme_id_of,
)

ZERO = Decimal("0.00")


def _dec(value: object) -> Decimal:
    return Decimal(str(value) if value is not None else 0).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class FieldFigure:
    theme_key: str
    theme_name: str
    theme_name_en: str | None
    field_key: str
    field_name: str
    field_name_en: str | None
    projects: int
    total_cost: Decimal


@dataclass(frozen=True)
class PipelineFigure:
    programme_key: str
    programme_name: str
    status: str
    applications: int
    requested: Decimal
    approved: Decimal


@dataclass(frozen=True)
class HeatCell:
    organisation_key: str
    organisation: str
    theme_key: str
    projects: int
    contribution: Decimal


@dataclass(frozen=True)
class RadarPoint:
    due: dt.date
    kind: str  # milestone, proof_of_use, payment_request
    count: int


@dataclass
class OverviewFigures:
    fields: list[FieldFigure] = field(default_factory=list)
    pipeline: list[PipelineFigure] = field(default_factory=list)
    heatmap: list[HeatCell] = field(default_factory=list)
    radar: list[RadarPoint] = field(default_factory=list)
    lights: dict[str, int] = field(default_factory=dict)  # green/yellow/red/none -> projects
    stale_reports: int = 0
    deadlines_30: int = 0


@requires(Action.READ_PORTFOLIO)
def deadline_counts(
    session: Session, *, today: dt.date, days: int, theme_key: str | None = None
) -> list[RadarPoint]:
    """Open deadlines per day and kind in ``[today, today + days]``, counted in SQL.

    The rows of :func:`portfolio.figures.deadlines` (:func:`portfolio.figures.deadline_rows`).
    """
    end = today + dt.timedelta(days=days)
    union = deadline_rows(active_projects(theme_id_of(session, theme_key)), today, end)
    stmt = (
        select(union.c.due, union.c.kind, func.count())
        .group_by(union.c.due, union.c.kind)
        .order_by(union.c.due, union.c.kind)
    )
    return [RadarPoint(due, kind, count) for due, kind, count in session.execute(stmt)]


def _fields(session: Session, in_scope: Any) -> list[FieldFigure]:
    """Projects and cost per action field of each Leitthema."""
    field_rows = (
        select(
            Theme.key,
            Theme.name,
            Theme.name_en,
            ActionField.key,
            ActionField.name,
            ActionField.name_en,
            func.count(Project.id),
            func.sum(Project.total_cost),
        )
        .join(ActionField, ActionField.theme_id == Theme.id)
        .join(Project, Project.action_field_id == ActionField.id)
        .where(in_scope)
        .group_by(
            Theme.id,
            Theme.key,
            Theme.name,
            Theme.name_en,
            ActionField.id,
            ActionField.key,
            ActionField.name,
            ActionField.name_en,
        )
        .order_by(Theme.key, ActionField.key)
    )
    return [
        FieldFigure(tk, tn, tne, fk, fn, fne, count, _dec(cost))
        for tk, tn, tne, fk, fn, fne, count, cost in session.execute(field_rows)
    ]


def _pipeline(session: Session, scope_ids: Any) -> list[PipelineFigure]:
    """Applications per programme and status: how many, requested, approved."""
    pipeline_rows = (
        select(
            FundingProgramme.key,
            FundingProgramme.name,
            FundingApplication.status,
            func.count(FundingApplication.id),
            func.sum(FundingApplication.amount_requested),
            func.sum(FundingApplication.amount_approved),
        )
        .join(FundingApplication, FundingApplication.programme_id == FundingProgramme.id)
        .where(
            FundingApplication.active(),
            FundingApplication.project_id.in_(scope_ids),
        )
        .group_by(FundingProgramme.key, FundingProgramme.name, FundingApplication.status)
        .order_by(FundingProgramme.name)
    )
    return [
        PipelineFigure(key, name, status, count, _dec(req), _dec(appr))
        for key, name, status, count, req, appr in session.execute(pipeline_rows)
    ]


def _heatmap(session: Session, in_scope: Any) -> list[HeatCell]:
    """Projects and contributions per partner and Leitthema."""
    heat_rows = (
        select(
            Organisation.key,
            Organisation.short_name,
            Theme.key,
            func.count(func.distinct(Participation.project_id)),
            func.sum(Participation.contribution_cash + Participation.contribution_in_kind),
        )
        .join(Participation, Participation.organisation_id == Organisation.id)
        .join(Project, Project.id == Participation.project_id)
        .join(ActionField, ActionField.id == Project.action_field_id)
        .join(Theme, Theme.id == ActionField.theme_id)
        .where(in_scope, Organisation.active())
        .group_by(Organisation.key, Organisation.short_name, Theme.key)
        .order_by(Organisation.short_name, Theme.key)
    )
    return [
        HeatCell(okey, short, tkey, count, _dec(contrib))
        for okey, short, tkey, count, contrib in session.execute(heat_rows)
    ]


def _lights(session: Session, in_scope: Any, today: dt.date) -> tuple[dict[str, int], int]:
    """Projects per newest traffic light, and how many owe a status report."""
    light = latest_light().label("light")
    per_project = select(light).where(in_scope).subquery()
    lights = {"green": 0, "yellow": 0, "red": 0, NO_LIGHT: 0}
    for value, count in session.execute(
        select(per_project.c.light, func.count()).group_by(per_project.c.light)
    ):
        lights[str(value) if value is not None else NO_LIGHT] = int(count)
    stale = int(
        session.execute(
            select(func.count()).select_from(Project).where(in_scope, stale_report_condition(today))
        ).scalar_one()
    )
    return lights, stale


@requires(Action.READ_PORTFOLIO)
def overview(
    session: Session, *, today: dt.date, theme_key: str | None = None, radar_days: int = 90
) -> OverviewFigures:
    theme_id = theme_id_of(session, theme_key)
    scope_ids = active_projects(theme_id)
    in_scope = Project.id.in_(scope_ids)
    out = OverviewFigures()
    out.fields = _fields(session, in_scope)
    out.pipeline = _pipeline(session, scope_ids)
    out.heatmap = _heatmap(session, in_scope)
    out.radar = deadline_counts(session, today=today, days=radar_days, theme_key=theme_key)
    soon = today + dt.timedelta(days=30)
    out.deadlines_30 = sum(p.count for p in out.radar if p.due <= soon)
    out.lights, out.stale_reports = _lights(session, in_scope, today)
    return out
