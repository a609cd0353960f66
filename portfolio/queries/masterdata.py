"""Stammdaten: organisations, funding programmes with their phases, Leitthemen and Handlungsfelder.

Each editable record comes as a :class:`portfolio.queries.detail.Row` (id, version, the values of
the service's FIELDS) with what the page shows next to it: archived or not, and how much of the
portfolio uses it, so nobody archives a partner without seeing that it leads projects.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select, union
from sqlalchemy.orm import Session

from db.models import (
    ActionField,
    FundingApplication,
    FundingProgramme,
    Participation,
    ProgrammePhase,
    Project,
    Theme,
)
from portfolio.policy import Action, requires
from portfolio.queries.detail import Row
from portfolio.services import organisations, programmes


@dataclass(frozen=True)
class Phase:
    key: str
    name: str
    cap: Decimal | None
    duration_months: int | None
    proof_of_use_months: int | None


def _counts(session: Session, stmt: Select[Any, Any]) -> dict[int, int]:
    """``{id: count}`` from a two-column grouped select."""
    return {int(k): int(n) for k, n in session.execute(stmt) if k is not None}


@requires(Action.READ_PORTFOLIO)
def organisation_rows(session: Session, *, include_archived: bool = False) -> list[Row]:
    """Organisations by short name; extra: ``archived``, ``projects`` (active projects it takes
    part in or leads), ``lead_projects`` (active projects it leads)."""
    active = Project.active()
    involved = union(
        select(Participation.organisation_id.label("org_id"), Participation.project_id.label("pid"))
        .join(Project, Project.id == Participation.project_id)
        .where(active),
        select(Project.lead_organisation_id.label("org_id"), Project.id.label("pid")).where(
            active, Project.lead_organisation_id.is_not(None)
        ),
    ).subquery()
    projects = _counts(
        session,
        select(involved.c.org_id, func.count(func.distinct(involved.c.pid))).group_by(
            involved.c.org_id
        ),
    )
    leads = _counts(
        session,
        select(Project.lead_organisation_id, func.count(Project.id))
        .where(active, Project.lead_organisation_id.is_not(None))
        .group_by(Project.lead_organisation_id),
    )
    return [
        Row(
            org.id,
            org.version,
            {name: getattr(org, name) for name in organisations.FIELDS},
            {
                "archived": org.archived,
                "projects": int(projects.get(org.id, 0)),
                "lead_projects": int(leads.get(org.id, 0)),
            },
        )
        for org in organisations.get_all(session, include_archived=include_archived)
    ]


@requires(Action.READ_PORTFOLIO)
def programme_rows(session: Session, *, include_archived: bool = False) -> list[Row]:
    """Programmes by name; extra: ``archived``, ``phases`` (list of :class:`Phase`),
    ``applications`` (funding lines of active projects under the programme)."""
    counts = _counts(
        session,
        select(FundingApplication.programme_id, func.count(FundingApplication.id))
        .join(Project, Project.id == FundingApplication.project_id)
        .where(Project.active(), FundingApplication.active())
        .group_by(FundingApplication.programme_id),
    )
    phases: dict[int, list[Phase]] = {}
    for ph in session.execute(
        select(ProgrammePhase).order_by(ProgrammePhase.programme_id, ProgrammePhase.key)
    ).scalars():
        phases.setdefault(ph.programme_id, []).append(
            Phase(ph.key, ph.name, ph.cap, ph.duration_months, ph.proof_of_use_months)
        )
    stmt = select(FundingProgramme).order_by(FundingProgramme.name)
    if not include_archived:
        stmt = stmt.where(FundingProgramme.active())
    return [
        Row(
            p.id,
            p.version,
            {name: getattr(p, name) for name in programmes.FIELDS},
            {
                "archived": p.archived,
                "phases": phases.get(p.id, []),
                "applications": int(counts.get(p.id, 0)),
            },
        )
        for p in session.execute(stmt).scalars()
    ]


@dataclass(frozen=True)
class FieldLine:
    key: str
    name: str
    name_en: str | None
    projects: int


@dataclass(frozen=True)
class ThemeLine:
    key: str
    name: str
    name_en: str | None
    goal: str | None
    fields: tuple[FieldLine, ...]


@requires(Action.READ_PORTFOLIO)
def themes(session: Session) -> list[ThemeLine]:
    """Leitthemen in their order, each with its Handlungsfelder and their active projects."""
    counts = _counts(
        session,
        select(Project.action_field_id, func.count(Project.id))
        .where(Project.active())
        .group_by(Project.action_field_id),
    )
    by_theme: dict[int, list[FieldLine]] = {}
    for af in session.execute(select(ActionField).order_by(ActionField.key)).scalars():
        by_theme.setdefault(af.theme_id, []).append(
            FieldLine(af.key, af.name, af.name_en, int(counts.get(af.id, 0)))
        )
    return [
        ThemeLine(t.key, t.name, t.name_en, t.goal, tuple(by_theme.get(t.id, [])))
        for t in session.execute(select(Theme).order_by(Theme.position, Theme.key)).scalars()
    ]
