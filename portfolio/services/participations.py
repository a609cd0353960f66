"""Beteiligungen: an organisation's role and contribution in a project."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from db.enums import ParticipationRole
from db.models import Organisation, Participation, Project
from portfolio.errors import Problem
from portfolio.policy import Action, requires
from portfolio.services.base import Preparation, ensure_version, flush, get_or_raise
from portfolio.services.fields import FieldSpec
from portfolio.vocab import label

FIELDS: dict[str, FieldSpec] = {
    "project_id": FieldSpec("ref", required=True),
    "organisation_id": FieldSpec("ref", required=True),
    "role": FieldSpec("enum", required=True, enum=ParticipationRole),
    "contribution_cash": FieldSpec("money"),
    "contribution_in_kind": FieldSpec("money"),
    "note": FieldSpec("str", max_length=300),
}


@requires(Action.READ_PORTFOLIO)
def get(session: Session, participation_id: int) -> Participation:
    return get_or_raise(session, Participation, participation_id)


@requires(Action.READ_PORTFOLIO)
def get_all(
    session: Session, *, project_id: int | None = None, organisation_id: int | None = None
) -> Sequence[Participation]:
    stmt = (
        select(Participation)
        .options(joinedload(Participation.organisation))
        .order_by(Participation.id)
    )
    if project_id is not None:
        stmt = stmt.where(Participation.project_id == project_id)
    if organisation_id is not None:
        stmt = stmt.where(Participation.organisation_id == organisation_id)
    return session.execute(stmt).scalars().all()


@requires(Action.EDIT_PORTFOLIO)
def check_participation(
    session: Session, values: Mapping[str, Any], except_id: int | None
) -> list[Problem]:
    problems: list[Problem] = []
    if values.get("project_id") is not None and session.get(Project, values["project_id"]) is None:
        problems.append(Problem("project_id", "unknown_reference", {"value": values["project_id"]}))
    org = (
        session.get(Organisation, values["organisation_id"])
        if values.get("organisation_id")
        else None
    )
    if values.get("organisation_id") is not None and (org is None or org.archived):
        problems.append(
            Problem("organisation_id", "unknown_reference", {"value": values["organisation_id"]})
        )
    if org is not None and values.get("role") and values.get("project_id"):
        stmt = select(Participation.id).where(
            Participation.project_id == values["project_id"],
            Participation.organisation_id == org.id,
            Participation.role == values["role"],
        )
        if except_id is not None:
            stmt = stmt.where(Participation.id != except_id)
        if session.execute(stmt).first():
            problems.append(
                Problem(
                    "role",
                    "participation_exists",
                    {
                        "organisation": org.short_name,
                        "role": label(ParticipationRole, values["role"]),
                    },
                )
            )
    return problems


PREPARE: Preparation[Participation] = Preparation(
    Participation,
    FIELDS,
    lambda session, values, stored, _changes, _today: check_participation(
        session, values, stored["id"] if stored is not None else None
    ),
    # An empty contribution is a contribution of 0 €, also when an edit empties it.
    defaults={"contribution_cash": Decimal(0), "contribution_in_kind": Decimal(0)},
    defaults_on_update=True,
)
"""The prepare-and-check step of participations (the dashboard's edits and the import)."""


@requires(Action.EDIT_PORTFOLIO)
def create(session: Session, data: Mapping[str, Any]) -> Participation:
    return PREPARE.create(session, data)


@requires(Action.EDIT_PORTFOLIO)
def update(
    session: Session,
    participation_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int | None,
) -> Participation:
    return PREPARE.update(session, participation_id, data, expected_version=expected_version)


@requires(Action.EDIT_PORTFOLIO)
def delete(session: Session, participation_id: int, *, expected_version: int | None) -> None:
    """Participations are links, not records of their own: removing one is journaled as a delete."""
    participation = get(session, participation_id)
    ensure_version(session, participation, expected_version)
    session.delete(participation)
    flush(session, participation, expected_version)
