"""Statusberichte: dated snapshots with traffic lights; the history is kept."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import TrafficLight
from db.models import Project, StatusReport
from portfolio.errors import Problem
from portfolio.policy import Action, requires
from portfolio.services.base import create_row, get_or_raise, update_row
from portfolio.services.fields import FieldSpec

FIELDS: dict[str, FieldSpec] = {
    "project_id": FieldSpec("ref", required=True),
    "report_date": FieldSpec("date", required=True),
    "overall": FieldSpec("enum", required=True, enum=TrafficLight),
    "schedule": FieldSpec("enum", required=True, enum=TrafficLight),
    "budget": FieldSpec("enum", required=True, enum=TrafficLight),
    "funding": FieldSpec("enum", required=True, enum=TrafficLight),
    "summary": FieldSpec("text", max_length=4000),
    "risks": FieldSpec("text", max_length=4000),
    "decisions_needed": FieldSpec("text", max_length=4000),
    "next_steps": FieldSpec("text", max_length=4000),
    "author": FieldSpec("str", max_length=200),
    "published_on": FieldSpec("date"),
}


DIMENSIONS = ("schedule", "budget", "funding")
"""The lights the overall light sums up."""
SEVERITY = {TrafficLight.GREEN.value: 0, TrafficLight.YELLOW.value: 1, TrafficLight.RED.value: 2}


def worse_than_overall(values: Mapping[str, Any]) -> tuple[str, ...]:
    """The dimensions whose light is worse than the report's overall light (e.g. overall green
    with budget red): allowed, since the overall light is a judgement, but worth a second look."""
    overall = SEVERITY.get(str(values.get("overall") or ""))
    if overall is None:
        return ()
    return tuple(d for d in DIMENSIONS if SEVERITY.get(str(values.get(d) or ""), -1) > overall)


@requires(Action.READ_PORTFOLIO)
def get(session: Session, report_id: int) -> StatusReport:
    return get_or_raise(session, StatusReport, report_id)


@requires(Action.READ_PORTFOLIO)
def get_all(session: Session, *, project_id: int) -> Sequence[StatusReport]:
    """The history of a project's reports, newest first."""
    return (
        session.execute(
            select(StatusReport)
            .where(StatusReport.project_id == project_id)
            .order_by(StatusReport.report_date.desc())
        )
        .scalars()
        .all()
    )


@requires(Action.READ_PORTFOLIO)
def latest(session: Session, *, project_id: int) -> StatusReport | None:
    reports = get_all(session, project_id=project_id)
    return reports[0] if reports else None


@requires(Action.EDIT_PORTFOLIO)
def check_report(
    session: Session, values: Mapping[str, Any], except_id: int | None
) -> list[Problem]:
    problems: list[Problem] = []
    if values.get("project_id") is not None and session.get(Project, values["project_id"]) is None:
        problems.append(Problem("project_id", "unknown_reference", {"value": values["project_id"]}))
    if values.get("report_date") and values.get("project_id"):
        stmt = select(StatusReport.id).where(
            StatusReport.project_id == values["project_id"],
            StatusReport.report_date == values["report_date"],
        )
        if except_id is not None:
            stmt = stmt.where(StatusReport.id != except_id)
        if session.execute(stmt).first():
            problems.append(
                Problem("report_date", "report_exists", {"date": values["report_date"]})
            )
    return problems


@requires(Action.EDIT_PORTFOLIO)
def create(session: Session, data: Mapping[str, Any]) -> StatusReport:
    return create_row(
        session, StatusReport, FIELDS, data, lambda v, row_id: check_report(session, v, row_id)
    )


@requires(Action.EDIT_PORTFOLIO)
def update(
    session: Session, report_id: int, data: Mapping[str, Any], *, expected_version: int | None
) -> StatusReport:
    return update_row(
        session,
        StatusReport,
        report_id,
        FIELDS,
        data,
        expected_version=expected_version,
        rules=lambda v, row_id: check_report(session, v, row_id),
    )
