"""Organisationen (partners)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import OrganisationKind
from db.models import Organisation
from portfolio.policy import Action, requires
from portfolio.services.base import (
    create_row,
    get_by_key_or_raise,
    get_or_raise,
    set_archived,
    update_row,
)
from portfolio.services.fields import FieldSpec

FIELDS: dict[str, FieldSpec] = {
    "key": FieldSpec("key", required=True, max_length=32),
    "name": FieldSpec("str", required=True, max_length=200),
    "short_name": FieldSpec("str", required=True, max_length=60),
    "kind": FieldSpec("enum", required=True, enum=OrganisationKind),
    "contact_role": FieldSpec("str", max_length=200),
    "contact_email": FieldSpec("email", max_length=200),
    "address": FieldSpec("str", max_length=300),
}


@requires(Action.READ_PORTFOLIO)
def get(session: Session, org_id: int) -> Organisation:
    return get_or_raise(session, Organisation, org_id)


@requires(Action.READ_PORTFOLIO)
def get_by_key(session: Session, key: str) -> Organisation:
    return get_by_key_or_raise(session, Organisation, key)


@requires(Action.READ_PORTFOLIO)
def get_all(session: Session, *, include_archived: bool = False) -> Sequence[Organisation]:
    stmt = select(Organisation).order_by(Organisation.short_name)
    if not include_archived:
        stmt = stmt.where(Organisation.active())
    return session.execute(stmt).scalars().all()


@requires(Action.EDIT_MASTERDATA)
def create(session: Session, data: Mapping[str, Any]) -> Organisation:
    return create_row(session, Organisation, FIELDS, data)


@requires(Action.EDIT_MASTERDATA)
def update(
    session: Session, org_id: int, data: Mapping[str, Any], *, expected_version: int | None
) -> Organisation:
    return update_row(
        session, Organisation, org_id, FIELDS, data, expected_version=expected_version
    )


@requires(Action.EDIT_MASTERDATA)
def archive(session: Session, org_id: int, *, expected_version: int | None) -> Organisation:
    return set_archived(session, Organisation, org_id, True, expected_version=expected_version)


@requires(Action.EDIT_MASTERDATA)
def restore(session: Session, org_id: int, *, expected_version: int | None) -> Organisation:
    return set_archived(session, Organisation, org_id, False, expected_version=expected_version)
