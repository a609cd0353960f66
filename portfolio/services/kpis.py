"""Wirkungsindikatoren (KPIs) and their dated measurements."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import Kpi, KpiMeasurement, Project
from portfolio import clock
from portfolio.errors import Problem
from portfolio.services.base import (
    create_row,
    free_key,
    get_by_key_or_raise,
    get_or_raise,
    set_archived,
    update_row,
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


def get(session: Session, kpi_id: int) -> Kpi:
    return get_or_raise(session, Kpi, kpi_id)


def get_by_key(session: Session, key: str) -> Kpi:
    return get_by_key_or_raise(session, Kpi, key)


def get_all(session: Session, *, project_id: int, include_archived: bool = False) -> Sequence[Kpi]:
    stmt = (
        select(Kpi)
        .options(selectinload(Kpi.measurements))
        .where(Kpi.project_id == project_id)
        .order_by(Kpi.key)
    )
    if not include_archived:
        stmt = stmt.where(Kpi.archived.is_(False))
    return session.execute(stmt).scalars().all()


def create(session: Session, data: Mapping[str, Any]) -> Kpi:
    data = dict(data)
    if not data.get("key") and data.get("project_id"):
        project = session.get(Project, data["project_id"])
        if project is not None:
            data["key"] = free_key(session, Kpi, f"{project.key}-K")
    return create_row(session, Kpi, FIELDS, data, lambda v, _id: check_kpi(session, v))


def update(
    session: Session, kpi_id: int, data: Mapping[str, Any], *, expected_version: int | None
) -> Kpi:
    return update_row(
        session,
        Kpi,
        kpi_id,
        FIELDS,
        data,
        expected_version=expected_version,
        rules=lambda v, _id: check_kpi(session, v),
    )


def check_kpi(session: Session, values: Mapping[str, Any]) -> list[Problem]:
    if values.get("project_id") is not None and session.get(Project, values["project_id"]) is None:
        return [Problem("project_id", "unknown_reference", {"value": values["project_id"]})]
    return []


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


def add_measurement(session: Session, data: Mapping[str, Any]) -> KpiMeasurement:
    return create_row(
        session,
        KpiMeasurement,
        MEASUREMENT_FIELDS,
        data,
        lambda v, row_id: check_measurement(session, v, row_id),
    )


def update_measurement(
    session: Session, measurement_id: int, data: Mapping[str, Any], *, expected_version: int | None
) -> KpiMeasurement:
    return update_row(
        session,
        KpiMeasurement,
        measurement_id,
        MEASUREMENT_FIELDS,
        data,
        expected_version=expected_version,
        rules=lambda v, row_id: check_measurement(session, v, row_id),
    )


def archive(session: Session, kpi_id: int, *, expected_version: int | None) -> Kpi:
    return set_archived(session, Kpi, kpi_id, True, expected_version=expected_version)


def restore(session: Session, kpi_id: int, *, expected_version: int | None) -> Kpi:
    return set_archived(session, Kpi, kpi_id, False, expected_version=expected_version)
