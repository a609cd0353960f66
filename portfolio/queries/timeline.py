"""The cross-project Gantt: projects with their runtime and milestones, filtered and paged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import ActionField, Milestone, Organisation, Participation, Project, Theme
from portfolio.policy import Action, requires
from portfolio.services.milestones import overdue_condition, state_of


@dataclass(frozen=True)
class GanttProject:
    id: int
    key: str
    title: str
    status: str
    theme_key: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class GanttMilestone:
    project_key: str
    key: str
    title: str
    due: dt.date
    done: dt.date | None
    state: str


@dataclass
class Gantt:
    total: int = 0
    without_dates: int = 0
    projects: list[GanttProject] = field(default_factory=list)
    milestones: list[GanttMilestone] = field(default_factory=list)
    overdue: int = 0


def _conditions(
    today: dt.date,
    theme_key: str | None,
    partner_key: str | None,
    statuses: Sequence[str],
    only_overdue: bool,
) -> list[Any]:
    """The filters of the timeline as conditions on the projects."""
    conds: list[Any] = [Project.active()]
    if theme_key:
        conds.append(Theme.key == theme_key)
    if statuses:
        conds.append(Project.status.in_(list(statuses)))
    if partner_key:
        conds.append(
            Project.id.in_(
                select(Participation.project_id)
                .join(Organisation, Organisation.id == Participation.organisation_id)
                .where(Organisation.key == partner_key)
            )
        )
    if only_overdue:
        conds.append(Project.id.in_(select(Milestone.project_id).where(overdue_condition(today))))
    return conds


def _milestones(session: Session, out: Gantt, today: dt.date) -> None:
    """The active milestones of the projects on the page, with their state on ``today``."""
    keys = {p.id: p.key for p in out.projects}
    if not keys:
        return
    for pid, key, title, due, done in session.execute(
        select(
            Milestone.project_id,
            Milestone.key,
            Milestone.title,
            Milestone.due_date,
            Milestone.done_date,
        )
        .where(Milestone.project_id.in_(list(keys)), Milestone.active())
        .order_by(Milestone.due_date)
    ):
        state = str(state_of(due, done, today))
        out.milestones.append(GanttMilestone(keys[pid], key, title, due, done, state))
    out.overdue = sum(1 for m in out.milestones if m.state == "overdue")


@requires(Action.READ_PORTFOLIO)
def gantt(
    session: Session,
    *,
    today: dt.date,
    theme_key: str | None = None,
    partner_key: str | None = None,
    statuses: Sequence[str] = (),
    only_overdue: bool = False,
    offset: int = 0,
    limit: int = 40,
) -> Gantt:
    conds = _conditions(today, theme_key, partner_key, statuses, only_overdue)

    def base(*cols: object) -> object:
        return (
            select(*cols)  # type: ignore[call-overload]
            .select_from(Project)
            .join(ActionField, ActionField.id == Project.action_field_id)
            .join(Theme, Theme.id == ActionField.theme_id)
            .where(*conds)
        )

    dated = (Project.start_date.is_not(None), Project.end_date.is_not(None))
    out = Gantt()
    out.total = int(session.execute(base(func.count(Project.id)).where(*dated)).scalar_one())  # type: ignore[attr-defined]
    out.without_dates = int(
        session.execute(
            base(func.count(Project.id)).where(  # type: ignore[attr-defined]
                Project.start_date.is_(None) | Project.end_date.is_(None)
            )
        ).scalar_one()
    )
    rows = session.execute(
        base(
            Project.id,
            Project.key,
            Project.title,
            Project.status,
            Theme.key,
            Project.start_date,
            Project.end_date,
        )
        .where(*dated)  # type: ignore[attr-defined]
        .order_by(Project.start_date, Project.key)
        .offset(offset)
        .limit(limit)
    ).all()
    out.projects = [GanttProject(*r) for r in rows]
    _milestones(session, out, today)
    return out
