"""A partner's own edits on the partner page: exactly the fields the exchange workbook opens to
partners, on its organisation's projects, through the same services as every other edit.

Which fields are open is said in one place, :mod:`portfolio.exchange.schema` (columns marked
``partner``, and the fields of new rows in ``partner_create``): the project's location note,
summary, goals and repository; the organisation's own participation (contributions, note); the
actual spending of cost items; the done date of milestones; the value and note of
measurements, and new measurements of the project's indicators.

Every verb checks the principal (``partner_edit``), that the row belongs to one of the
partner's projects (:func:`portfolio.policy.require_project`; a participation also to its own
organisation) and that only open fields change (a value sent unchanged is no change), then
calls the service of the row (the outer guard lets the nested call pass). The caller's version
goes along: a row changed meanwhile is a conflict naming who and when, never overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from db.models import (
    Base,
    CostItem,
    FundingApplication,
    Kpi,
    KpiMeasurement,
    Milestone,
    Participation,
    Project,
)
from portfolio import clock
from portfolio.errors import NotFound
from portfolio.exchange.schema import SHEETS, partner_fields
from portfolio.i18n import DEFAULT_LANG, t
from portfolio.journal import to_text
from portfolio.policy import AccessDenied, Action, principal_of, require_project, requires
from portfolio.services import cost_plan, kpis, milestones, participations, projects
from portfolio.vocab import entity_label, field_label

OPEN_FIELDS: Mapping[str, frozenset[str]] = {
    sheet.entity: frozenset(partner_fields(sheet)) for sheet in SHEETS if partner_fields(sheet)
}
"""Per entity, the fields a partner may change in existing rows (the workbook's white cells)."""
CREATE_FIELDS: Mapping[str, frozenset[str]] = {
    sheet.entity: frozenset(sheet.partner_create) for sheet in SHEETS if sheet.partner_create
}
"""Per entity, the fields a partner sets when adding a row (KPI measurements; status reports of
the projects it leads, through the workbook)."""
MODELS: Mapping[str, type[Base]] = {
    "project": Project,
    "participation": Participation,
    "cost_item": CostItem,
    "milestone": Milestone,
    "kpi_measurement": KpiMeasurement,
}


class NotOpen(AccessDenied):
    """A field (or a kind of row) the Innovation Unit keeps: partners cannot change it."""

    def __init__(self, entity: str, field_name: str | None = None) -> None:
        self.entity, self.field_name = entity, field_name
        super().__init__(Action.PARTNER_EDIT, reason="field")

    def message(self, lang: str = DEFAULT_LANG) -> str:
        what = (
            field_label(self.field_name, lang)
            if self.field_name
            else entity_label(self.entity, lang)
        )
        return t("partner_field_kept", lang, what=what)


@dataclass(frozen=True)
class Edit:
    """One row's changes as the page sends them, with the version the page showed."""

    entity: str
    id: int
    version: int
    changes: Mapping[str, Any] = field(default_factory=dict)


def _project_id(session: Session, entity: str, obj: Any) -> int:
    if entity == "project":
        return int(obj.id)
    if entity in ("participation", "milestone"):
        return int(obj.project_id)
    if entity == "cost_item":
        app = session.get(FundingApplication, obj.application_id)
        assert app is not None
        return int(app.project_id)
    kpi = session.get(Kpi, obj.kpi_id)
    assert kpi is not None
    return int(kpi.project_id)


def _row(session: Session, entity: str, row_id: int) -> Any:
    """The row, if the principal may edit it as a partner (else AccessDenied / NotFound)."""
    model = MODELS.get(entity)
    if model is None or entity not in OPEN_FIELDS:
        raise NotOpen(entity)
    obj: Any = session.get(model, row_id)
    if obj is None:
        raise NotFound(entity, row_id)
    who = principal_of(session)
    require_project(session, _project_id(session, entity, obj), who)
    if entity == "participation" and who.is_scoped and obj.organisation_id != who.organisation_id:
        raise AccessDenied(Action.PARTNER_EDIT, reason="scope")  # another partner's share
    return obj


def _changed(entity: str, obj: Any, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that really change; any of them not open to partners is refused."""
    out: dict[str, Any] = {}
    for name, value in changes.items():
        old = getattr(obj, name, None)
        if value == old or to_text(value) == to_text(old):
            continue
        if name not in OPEN_FIELDS[entity]:
            raise NotOpen(entity, name)
        out[name] = value
    return out


@requires(Action.PARTNER_EDIT)
def update(
    session: Session,
    entity: str,
    row_id: int,
    changes: Mapping[str, Any],
    *,
    expected_version: int,
    today: dt.date | None = None,
) -> bool:
    """Change the open fields ``changes`` of one row; False when nothing changes. Raises
    :class:`NotOpen` for another field, AccessDenied for a row outside the partner's projects,
    the services' ValidationFailed and ConflictError (a stale ``expected_version``)."""
    obj = _row(session, entity, row_id)
    data = _changed(entity, obj, changes)
    if not data:
        return False
    if entity == "project":
        projects.update(session, row_id, data, expected_version=expected_version)
    elif entity == "participation":
        participations.update(session, row_id, data, expected_version=expected_version)
    elif entity == "cost_item":
        cost_plan.update(session, row_id, data, expected_version=expected_version)
    elif entity == "milestone":
        milestones.update(
            session, row_id, data, expected_version=expected_version, today=today or clock.today()
        )
    else:
        kpis.update_measurement(session, row_id, data, expected_version=expected_version)
    return True


@requires(Action.PARTNER_EDIT)
def apply(session: Session, edits: Sequence[Edit], *, today: dt.date | None = None) -> int:
    """Several rows' edits in the caller's one transaction (all or nothing); how many rows
    changed."""
    return sum(
        update(session, e.entity, e.id, e.changes, expected_version=e.version, today=today)
        for e in edits
    )


@requires(Action.PARTNER_EDIT)
def create_measurement(session: Session, data: Mapping[str, Any]) -> KpiMeasurement:
    """A new measurement of an indicator of one of the partner's projects (the fields a
    partner's workbook may fill in a new row of the sheet "Messwerte")."""
    extra = [
        k
        for k, v in data.items()
        if v not in (None, "") and k not in CREATE_FIELDS.get("kpi_measurement", frozenset())
    ]
    if extra:
        raise NotOpen("kpi_measurement", extra[0])
    kpi = session.get(Kpi, data.get("kpi_id")) if data.get("kpi_id") is not None else None
    if kpi is None:
        raise NotFound("kpi", str(data.get("kpi_id")))
    require_project(session, kpi.project_id)
    return kpis.create_measurement(session, data)
