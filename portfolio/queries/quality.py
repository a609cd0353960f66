"""Data quality: a score per project from checks computed in the database, with reasons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from db.enums import REPORTING_PROJECT_STATUSES
from db.models import ActionField, FundingApplication, Milestone, Project, Theme
from portfolio import funding_rules as rules
from portfolio.policy import Action, requires
from portfolio.queries.common import stale_report_condition

CHECKS: tuple[str, ...] = (
    "no_responsible",
    "no_lead",
    "stale_report",
    "open_past_milestones",
    "milestones_outside_period",
    "funding_without_amounts",
    "running_past_end",
)
"""Each failed check costs 100 / len(CHECKS) points."""
FIX_SECTION = {
    "no_responsible": "stammdaten",
    "no_lead": "stammdaten",
    "stale_report": "status",
    "open_past_milestones": "meilensteine",
    "milestones_outside_period": "meilensteine",
    "funding_without_amounts": "foerderung",
    "running_past_end": "stammdaten",
}
"""Where on the project page each problem is fixed."""


def _checks(today: dt.date) -> dict[str, ColumnElement[bool]]:
    return {
        "no_responsible": func.trim(func.coalesce(Project.responsible_person, "")) == "",
        "no_lead": Project.lead_organisation_id.is_(None),
        "stale_report": stale_report_condition(today),
        "open_past_milestones": exists(
            select(Milestone.id).where(
                Milestone.project_id == Project.id,
                Milestone.active(),
                Milestone.done_date.is_(None),
                Milestone.due_date < today,
            )
        ),
        "milestones_outside_period": exists(
            select(Milestone.id).where(
                Milestone.project_id == Project.id,
                Milestone.active(),
                milestone_outside_project(),
            )
        ),
        "funding_without_amounts": exists(
            select(FundingApplication.id).where(
                FundingApplication.project_id == Project.id,
                FundingApplication.active(),
                rules.live_without_amounts(),
            )
        ),
        # still "in Umsetzung" (or planning) after its end date: the status or the end date is
        # out of date
        "running_past_end": and_(
            Project.status.in_(REPORTING_PROJECT_STATUSES),
            Project.end_date.is_not(None),
            Project.end_date < today,
        ),
    }


def milestone_outside_project() -> ColumnElement[bool]:
    """A milestone due before its project starts or after it ends (the query must join the
    project)."""
    return or_(
        and_(Project.start_date.is_not(None), Milestone.due_date < Project.start_date),
        and_(Project.end_date.is_not(None), Milestone.due_date > Project.end_date),
    )


def _flags(today: dt.date) -> dict[str, Any]:
    return {name: case((cond, 1), else_=0) for name, cond in _checks(today).items()}


@dataclass(frozen=True)
class QualityRow:
    key: str
    title: str
    status: str
    theme_key: str
    score: int
    reasons: tuple[str, ...]


@dataclass
class QualityReport:
    projects: int = 0
    average: float = 100.0
    perfect: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)
    by_score: dict[int, int] = field(default_factory=dict)
    matching: int = 0
    rows: list[QualityRow] = field(default_factory=list)


def score_of(failed: int) -> int:
    return round(100 - failed * 100 / len(CHECKS))


@requires(Action.READ_PORTFOLIO)
def quality(
    session: Session,
    *,
    today: dt.date,
    theme_key: str | None = None,
    reason: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> QualityReport:
    flags = _flags(today)
    failed = sum(flags.values())
    conds: list[Any] = [Project.active()]
    if theme_key:
        conds.append(Theme.key == theme_key)
    per_project = (
        select(
            Project.key.label("key"),
            Project.title.label("title"),
            Project.status.label("status"),
            Theme.key.label("theme_key"),
            failed.label("failed"),
            *(flag.label(name) for name, flag in flags.items()),
        )
        .join(ActionField, ActionField.id == Project.action_field_id)
        .join(Theme, Theme.id == ActionField.theme_id)
        .where(*conds)
        .subquery()
    )
    c = per_project.c
    out = QualityReport()
    totals = session.execute(
        select(
            func.count(),
            func.avg(c.failed),
            func.count().filter(c.failed == 0),
            *(func.sum(getattr(c, name)) for name in CHECKS),
        )
    ).one()
    out.projects = int(totals[0] or 0)
    out.average = (
        round(100 - float(totals[1] or 0) * 100 / len(CHECKS), 1) if out.projects else 100.0
    )
    out.perfect = int(totals[2] or 0)
    out.by_reason = {name: int(v or 0) for name, v in zip(CHECKS, totals[3:], strict=True)}
    out.by_score = {
        score_of(int(f)): int(n)
        for f, n in session.execute(select(c.failed, func.count()).group_by(c.failed))
    }
    where = [c.failed > 0]
    if reason in CHECKS:
        where = [getattr(c, reason) == 1]
    out.matching = int(session.execute(select(func.count()).where(*where)).scalar_one())
    rows = session.execute(
        select(c.key, c.title, c.status, c.theme_key, c.failed, *(getattr(c, n) for n in CHECKS))
        .where(*where)
        .order_by(c.failed.desc(), c.key)
        .offset(offset)
        .limit(limit)
    ).all()
    for key, title, status, tkey, nfailed, *values in rows:
        reasons = tuple(name for name, v in zip(CHECKS, values, strict=True) if v)
        out.rows.append(QualityRow(key, title, status, tkey, score_of(int(nfailed)), reasons))
    return out


@requires(Action.READ_PORTFOLIO)
def problems_of(session: Session, project_key: str, *, today: dt.date) -> tuple[str, ...]:
    """The failed checks of one project (for the project page's hint)."""
    checks = _checks(today)
    row = session.execute(
        select(*(case((cond, 1), else_=0) for cond in checks.values())).where(
            Project.key == project_key
        )
    ).one_or_none()
    if row is None:
        return ()
    return tuple(name for name, v in zip(checks, row, strict=True) if v)
