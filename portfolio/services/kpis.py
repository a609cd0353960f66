"""Wirkungsindikatoren (KPIs) and their dated measurements."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import Kpi, KpiMeasurement, Project
from portfolio import clock
from portfolio.errors import Problem
from portfolio.policy import Action, requires
from portfolio.services.base import (
    Preparation,
    get_by_key_or_raise,
    get_or_raise,
    set_archived,
)
from portfolio.services.fields import FieldSpec

FIELDS: dict[str, FieldSpec] = {
    "key": FieldSpec("key", required=True, max_length=48),
    "project_id": FieldSpec("ref", required=True),
    "name": FieldSpec("str", required=True, max_length=200),
    "unit": FieldSpec("str", required=True, max_length=40),
    "baseline": FieldSpec("measure"),
    "target": FieldSpec("measure"),
    "target_date": FieldSpec("date"),
}
MEASUREMENT_FIELDS: dict[str, FieldSpec] = {
    "kpi_id": FieldSpec("ref", required=True),
    "measured_on": FieldSpec("date", required=True),
    "value": FieldSpec("measure", required=True),
    "note": FieldSpec("str", max_length=300),
}


@requires(Action.READ_PORTFOLIO)
def get(session: Session, kpi_id: int) -> Kpi:
    return get_or_raise(session, Kpi, kpi_id)


@requires(Action.READ_PORTFOLIO)
def get_by_key(session: Session, key: str) -> Kpi:
    return get_by_key_or_raise(session, Kpi, key)


@requires(Action.READ_PORTFOLIO)
def get_all(session: Session, *, project_id: int, include_archived: bool = False) -> Sequence[Kpi]:
    stmt = (
        select(Kpi)
        .options(selectinload(Kpi.measurements))
        .where(Kpi.project_id == project_id)
        .order_by(Kpi.key)
    )
    if not include_archived:
        stmt = stmt.where(Kpi.active())
    return session.execute(stmt).scalars().all()


def _key_prefix(session: Session, data: Mapping[str, Any]) -> str | None:
    project = session.get(Project, data["project_id"]) if data.get("project_id") else None
    return f"{project.key}-K" if project is not None else None


@requires(Action.EDIT_PORTFOLIO)
def check_kpi(session: Session, values: Mapping[str, Any]) -> list[Problem]:
    if values.get("project_id") is not None and session.get(Project, values["project_id"]) is None:
        return [Problem("project_id", "unknown_reference", {"value": values["project_id"]})]
    return []


PREPARE: Preparation[Kpi] = Preparation(
    Kpi,
    FIELDS,
    lambda session, values, _stored, _changes, _today: check_kpi(session, values),
    key_prefix=_key_prefix,
)
"""The prepare-and-check step of indicators."""


@requires(Action.EDIT_PORTFOLIO)
def create(session: Session, data: Mapping[str, Any]) -> Kpi:
    return PREPARE.create(session, data)


@requires(Action.EDIT_PORTFOLIO)
def update(
    session: Session, kpi_id: int, data: Mapping[str, Any], *, expected_version: int | None
) -> Kpi:
    return PREPARE.update(session, kpi_id, data, expected_version=expected_version)


@requires(Action.EDIT_PORTFOLIO)
def check_measurement(
    session: Session, values: Mapping[str, Any], except_id: int | None
) -> list[Problem]:
    problems: list[Problem] = []
    if values.get("measured_on") is not None and values["measured_on"] > clock.today():
        problems.append(Problem("measured_on", "date_in_future", {"value": values["measured_on"]}))
    if values.get("kpi_id") is not None and session.get(Kpi, values["kpi_id"]) is None:
        problems.append(Problem("kpi_id", "unknown_reference", {"value": values["kpi_id"]}))
    if values.get("kpi_id") and values.get("measured_on"):
        stmt = select(KpiMeasurement.id).where(
            KpiMeasurement.kpi_id == values["kpi_id"],
            KpiMeasurement.measured_on == values["measured_on"],
        )
        if except_id is not None:
            stmt = stmt.where(KpiMeasurement.id != except_id)
        if session.execute(stmt).first():
            problems.append(
                Problem("measured_on", "measurement_exists", {"date": values["measured_on"]})
            )
    return problems


MEASUREMENT_PREPARE: Preparation[KpiMeasurement] = Preparation(
    KpiMeasurement,
    MEASUREMENT_FIELDS,
    lambda session, values, stored, _changes, _today: check_measurement(
        session, values, stored["id"] if stored is not None else None
    ),
)
"""The prepare-and-check step of measurements (the dashboard's edits and the import)."""


@requires(Action.EDIT_PORTFOLIO)
def create_measurement(session: Session, data: Mapping[str, Any]) -> KpiMeasurement:
    return MEASUREMENT_PREPARE.create(session, data)


@requires(Action.EDIT_PORTFOLIO)
def update_measurement(
    session: Session, measurement_id: int, data: Mapping[str, Any], *, expected_version: int | None
) -> KpiMeasurement:
    return MEASUREMENT_PREPARE.update(
        session, measurement_id, data, expected_version=expected_version
    )


@requires(Action.EDIT_PORTFOLIO)
def archive(session: Session, kpi_id: int, *, expected_version: int | None) -> Kpi:
    return set_archived(session, Kpi, kpi_id, True, expected_version=expected_version)


@requires(Action.EDIT_PORTFOLIO)
def restore(session: Session, kpi_id: int, *, expected_version: int | None) -> Kpi:
    return set_archived(session, Kpi, kpi_id, False, expected_version=expected_version)
