"""Meilensteine with their derived state (offen, erledigt, bald fällig, überfällig)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, case, select
from sqlalchemy.orm import Session

from db.enums import MilestoneState
from db.models import Milestone, Organisation, Project
from portfolio.errors import Problem
from portfolio.policy import Action, requires
from portfolio.services.base import (
    Preparation,
    get_by_key_or_raise,
    get_or_raise,
    set_archived,
)
from portfolio.services.fields import FieldSpec

DUE_SOON_DAYS = 14
FIELDS: dict[str, FieldSpec] = {
    "key": FieldSpec("key", required=True, max_length=48),
    "project_id": FieldSpec("ref", required=True),
    "title": FieldSpec("str", required=True, max_length=200),
    "due_date": FieldSpec("date", required=True),
    "done_date": FieldSpec("date"),
    "responsible_organisation_id": FieldSpec("ref"),
}


def state_of(due_date: dt.date, done_date: dt.date | None, today: dt.date) -> MilestoneState:
    if done_date is not None:
        return MilestoneState.DONE
    if due_date < today:
        return MilestoneState.OVERDUE
    if due_date <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return MilestoneState.DUE_SOON
    return MilestoneState.OPEN


def state_expression(today: dt.date) -> ColumnElement[str]:
    """The same derivation in SQL, for filters and counts in the database."""
    return case(
        (Milestone.done_date.is_not(None), MilestoneState.DONE.value),
        (Milestone.due_date < today, MilestoneState.OVERDUE.value),
        (
            Milestone.due_date <= today + dt.timedelta(days=DUE_SOON_DAYS),
            MilestoneState.DUE_SOON.value,
        ),
        else_=MilestoneState.OPEN.value,
    )


def overdue_condition(today: dt.date) -> ColumnElement[bool]:
    return and_(Milestone.done_date.is_(None), Milestone.due_date < today, Milestone.active())


@requires(Action.READ_PORTFOLIO)
def get(session: Session, milestone_id: int) -> Milestone:
    return get_or_raise(session, Milestone, milestone_id)


@requires(Action.READ_PORTFOLIO)
def get_by_key(session: Session, key: str) -> Milestone:
    return get_by_key_or_raise(session, Milestone, key)


@requires(Action.READ_PORTFOLIO)
def get_all(
    session: Session, *, project_id: int | None = None, include_archived: bool = False
) -> Sequence[Milestone]:
    stmt = select(Milestone).order_by(Milestone.due_date, Milestone.key)
    if project_id is not None:
        stmt = stmt.where(Milestone.project_id == project_id)
    if not include_archived:
        stmt = stmt.where(Milestone.active())
    return session.execute(stmt).scalars().all()


@requires(Action.EDIT_PORTFOLIO)
def check_milestone(session: Session, values: Mapping[str, Any], today: dt.date) -> list[Problem]:
    problems: list[Problem] = []
    if values.get("project_id") is not None and session.get(Project, values["project_id"]) is None:
        problems.append(Problem("project_id", "unknown_reference", {"value": values["project_id"]}))
    org_id = values.get("responsible_organisation_id")
    if org_id is not None and session.get(Organisation, org_id) is None:
        problems.append(
            Problem("responsible_organisation_id", "unknown_reference", {"value": org_id})
        )
    done = values.get("done_date")
    if done is not None and done > today:
        problems.append(Problem("done_date", "date_in_future", {"value": done}))
    return problems


def _key_prefix(session: Session, data: Mapping[str, Any]) -> str | None:
    project = session.get(Project, data["project_id"]) if data.get("project_id") else None
    return f"{project.key}-M" if project is not None else None


PREPARE: Preparation[Milestone] = Preparation(
    Milestone,
    FIELDS,
    lambda session, values, _stored, _changes, today: check_milestone(session, values, today),
    key_prefix=_key_prefix,
)
"""The prepare-and-check step of milestones (the dashboard's edits and the import)."""


@requires(Action.EDIT_PORTFOLIO)
def create(session: Session, data: Mapping[str, Any], *, today: dt.date | None = None) -> Milestone:
    return PREPARE.create(session, data, today=today)


@requires(Action.EDIT_PORTFOLIO)
def update(
    session: Session,
    milestone_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int | None,
    today: dt.date | None = None,
) -> Milestone:
    return PREPARE.update(
        session, milestone_id, data, expected_version=expected_version, today=today
    )


@requires(Action.EDIT_PORTFOLIO)
def archive(session: Session, milestone_id: int, *, expected_version: int | None) -> Milestone:
    return set_archived(session, Milestone, milestone_id, True, expected_version=expected_version)


@requires(Action.EDIT_PORTFOLIO)
def restore(session: Session, milestone_id: int, *, expected_version: int | None) -> Milestone:
    return set_archived(session, Milestone, milestone_id, False, expected_version=expected_version)
