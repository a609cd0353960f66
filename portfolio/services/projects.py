"""Projekte: the register's rows, with their own rules (dates, costs, references, lead)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import ParticipationRole, Priority, ProjectStatus, SpatialScope
from db.models import ActionField, Base, Organisation, Participation, Project
from portfolio import clock
from portfolio.errors import Problem
from portfolio.i18n import Eur
from portfolio.policy import Action, requires
from portfolio.services.base import (
    Preparation,
    assign,
    ensure_version,
    flush,
    free_key,
    get_by_key_or_raise,
    get_or_raise,
    key_taken,
    raise_if,
    set_archived,
)
from portfolio.services.fields import FieldSpec
from portfolio.vocab import CHARTER_GUIDELINES, SDGS

FIELDS: dict[str, FieldSpec] = {
    "key": FieldSpec("key", required=True, max_length=32),
    "title": FieldSpec("str", required=True, max_length=200),
    "summary": FieldSpec("text", max_length=4000),
    "goals": FieldSpec("text", max_length=4000),
    "status": FieldSpec("enum", required=True, enum=ProjectStatus),
    "priority": FieldSpec("enum", required=True, enum=Priority),
    "action_field_id": FieldSpec("ref", required=True),
    "lead_organisation_id": FieldSpec("ref"),
    "responsible_person": FieldSpec("str", required=True, max_length=200),
    "start_date": FieldSpec("date"),
    "end_date": FieldSpec("date"),
    "total_cost": FieldSpec("money"),
    "eligible_cost": FieldSpec("money"),
    "spatial_scope": FieldSpec("enum", enum=SpatialScope),
    "spatial_note": FieldSpec("str", max_length=200),
    "charter_guidelines": FieldSpec("tags", allowed=tuple(CHARTER_GUIDELINES)),
    "sdgs": FieldSpec("tags", allowed=SDGS),
    "origin": FieldSpec("str", max_length=200),
    "council_resolution_on": FieldSpec("date"),
    "council_resolution_url": FieldSpec("url", max_length=500),
    "repository_url": FieldSpec("url", max_length=500),
}


@requires(Action.READ_PORTFOLIO)
def get(session: Session, project_id: int) -> Project:
    return get_or_raise(session, Project, project_id)


@requires(Action.READ_PORTFOLIO)
def get_by_key(session: Session, key: str) -> Project:
    return get_by_key_or_raise(session, Project, key)


@requires(Action.READ_PORTFOLIO)
def get_all(
    session: Session,
    *,
    include_archived: bool = False,
    theme_id: int | None = None,
    organisation_id: int | None = None,
    limit: int | None = None,
) -> Sequence[Project]:
    stmt = select(Project).order_by(Project.key)
    if not include_archived:
        stmt = stmt.where(Project.active())
    if theme_id is not None:
        stmt = stmt.join(ActionField).where(ActionField.theme_id == theme_id)
    if organisation_id is not None:
        stmt = stmt.where(
            Project.id.in_(
                select(Participation.project_id).where(
                    Participation.organisation_id == organisation_id
                )
            )
        )
    if limit is not None:
        stmt = stmt.limit(limit)
    return session.execute(stmt).scalars().all()


KEY_PREFIX = "SC-"
KEY_WIDTH = 3


@requires(Action.EDIT_PORTFOLIO)
def next_key(session: Session, prefix: str = "SC") -> str:
    """The next free key like ``SC-024`` (:func:`~portfolio.services.base.next_free_key`)."""
    return free_key(session, Project, f"{prefix}-", width=KEY_WIDTH)


@requires(Action.EDIT_PORTFOLIO)
def check_rules(session: Session, values: Mapping[str, Any]) -> list[Problem]:
    """Rules across fields of one project (``values``: the merged state after the change)."""
    problems: list[Problem] = []
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        problems.append(Problem("end_date", "end_before_start", {"start": start, "end": end}))
    resolved = values.get("council_resolution_on")
    if resolved and resolved > clock.today():
        problems.append(Problem("council_resolution_on", "date_in_future", {"value": resolved}))
    total, eligible = values.get("total_cost"), values.get("eligible_cost")
    if total is not None and eligible is not None and eligible > total:
        problems.append(
            Problem(
                "eligible_cost",
                "eligible_above_total",
                {"eligible": Eur(eligible), "total": Eur(total)},
            )
        )
    af = values.get("action_field_id")
    if af is not None and session.get(ActionField, af) is None:
        problems.append(Problem("action_field_id", "unknown_reference", {"value": af}))
    lead = values.get("lead_organisation_id")
    if lead is not None:
        org = session.get(Organisation, lead)
        if org is None or org.archived:
            problems.append(Problem("lead_organisation_id", "unknown_reference", {"value": lead}))
    return problems


@requires(Action.EDIT_PORTFOLIO)
def ensure_lead_participation(session: Session, project: Project) -> None:
    """Exactly the lead organisation takes part with the role Federführung; a former lead
    stays in the project as a partner."""
    rows = session.execute(
        select(Participation).where(
            Participation.project_id == project.id,
            Participation.role.in_([ParticipationRole.LEAD, ParticipationRole.PARTNER]),
        )
    ).scalars()
    by_key = {(p.organisation_id, p.role): p for p in rows}
    for (org_id, role), participation in by_key.items():
        if role == ParticipationRole.LEAD and org_id != project.lead_organisation_id:
            if (org_id, ParticipationRole.PARTNER) in by_key:
                session.delete(participation)
            else:
                participation.role = ParticipationRole.PARTNER
    lead = project.lead_organisation_id
    if lead is not None and (lead, ParticipationRole.LEAD) not in by_key:
        session.add(
            Participation(
                project_id=project.id,
                organisation_id=lead,
                role=ParticipationRole.LEAD,
                contribution_cash=0,
                contribution_in_kind=0,
            )
        )


def _rules(
    session: Session,
    values: dict[str, Any],
    stored: Mapping[str, Any] | None,
    changes: Mapping[str, Any],
    _today: dt.date,
) -> list[Problem]:
    problems = check_rules(session, values)
    if stored is not None and not problems:
        from portfolio.services import funding

        if "eligible_cost" in changes:
            problems += funding.check_project_funding(
                session, stored["id"], eligible_cost=values["eligible_cost"]
            )
        if "council_resolution_on" in changes or "council_resolution_url" in changes:
            problems += funding.check_project_resolution(session, stored["id"], values)
    return problems


def _key_in_use(session: Session, model: type[Base], key: str, except_id: int | None) -> bool:
    return key_taken(session, model, key, except_id=except_id)  # looked up here: tests replace it


PREPARE: Preparation[Project] = Preparation(
    Project,
    FIELDS,
    _rules,
    defaults={"priority": Priority.MEDIUM},
    key_prefix=lambda _session, _data: KEY_PREFIX,
    key_width=KEY_WIDTH,
    key_in_use=_key_in_use,
)
"""The prepare-and-check step of projects (the dashboard's edits and the import)."""


@requires(Action.EDIT_PORTFOLIO)
def create(session: Session, data: Mapping[str, Any]) -> Project:
    values, problems = PREPARE.prepare_create(session, data)
    raise_if(problems)
    project = Project(**values)
    session.add(project)
    flush(session, project)
    ensure_lead_participation(session, project)
    flush(session, project)
    return project


def current_values(obj: Any, specs: Mapping[str, FieldSpec]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in specs}


@requires(Action.EDIT_PORTFOLIO)
def update(
    session: Session, project_id: int, data: Mapping[str, Any], *, expected_version: int | None
) -> Project:
    project = get(session, project_id)
    ensure_version(session, project, expected_version)
    if project.archived:
        raise_if([Problem("archived", "archived_project", {"key": project.key})])
    changes, problems = PREPARE.prepare_update(session, PREPARE.stored(project), data)
    raise_if(problems)
    if assign(project, changes):
        flush(session, project, expected_version)
        ensure_lead_participation(session, project)
        flush(session, project, expected_version)
    return project


@requires(Action.EDIT_PORTFOLIO)
def archive(session: Session, project_id: int, *, expected_version: int | None) -> Project:
    return set_archived(session, Project, project_id, True, expected_version=expected_version)


@requires(Action.EDIT_PORTFOLIO)
def restore(session: Session, project_id: int, *, expected_version: int | None) -> Project:
    from portfolio.services import funding

    project = get(session, project_id)
    ensure_version(session, project, expected_version)
    if project.archived:  # its applications count again
        raise_if(funding.check_project_restore(session, project_id))
    return set_archived(session, Project, project_id, False, expected_version=expected_version)
