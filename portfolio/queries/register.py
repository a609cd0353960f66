"""The project register: filter, sort and page in the database; the same rows feed the export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session, aliased

from db.models import (
    ActionField,
    FundingApplication,
    FundingProgramme,
    Milestone,
    Organisation,
    Participation,
    Project,
    Theme,
)
from portfolio import funding_rules as rules
from portfolio.policy import Action, requires
from portfolio.queries.common import NO_LIGHT, latest_light, latest_report_date

PAGE_SIZES = (25, 50, 100, 250)
DEFAULT_SORT = "key"


@dataclass(frozen=True)
class RegisterFilter:
    """Everything that selects and orders the register's rows (and therefore the export)."""

    theme: str | None = None  # Theme.key
    action_field: str | None = None  # ActionField.key
    statuses: tuple[str, ...] = ()
    partner: str | None = None  # Organisation.key, any role
    programme: str | None = None  # FundingProgramme.key, any live application
    light: str | None = None  # green/yellow/red or "none"
    text: str | None = None
    archived: bool = False  # show archived projects instead of active ones
    sort: str = DEFAULT_SORT
    descending: bool = False


@dataclass(frozen=True)
class RegisterRow:
    id: int
    key: str
    title: str
    status: str
    priority: str
    theme_key: str
    theme_name: str
    theme_name_en: str | None
    action_field_key: str
    action_field_name: str
    action_field_name_en: str | None
    lead: str | None
    responsible_person: str
    start_date: dt.date | None
    end_date: dt.date | None
    total_cost: Decimal | None
    eligible_cost: Decimal | None
    funding_requested: Decimal
    funding_approved: Decimal
    light: str | None
    last_report: dt.date | None
    overdue_milestones: int
    next_milestone: dt.date | None
    archived: bool


@dataclass
class RegisterPage:
    rows: list[RegisterRow] = field(default_factory=list)
    total: int = 0
    offset: int = 0


def _columns(today: dt.date) -> dict[str, Any]:
    requested = (
        select(func.coalesce(func.sum(FundingApplication.amount_requested), 0))
        .where(
            FundingApplication.project_id == Project.id,
            FundingApplication.active(),
            rules.live_application(),
        )
        .correlate(Project)
        .scalar_subquery()
    )
    approved = (
        select(func.coalesce(func.sum(FundingApplication.amount_approved), 0))
        .where(
            FundingApplication.project_id == Project.id,
            FundingApplication.active(),
            rules.awarded_by(today),
        )
        .correlate(Project)
        .scalar_subquery()
    )
    overdue = (
        select(func.count(Milestone.id))
        .where(
            Milestone.project_id == Project.id,
            Milestone.active(),
            Milestone.done_date.is_(None),
            Milestone.due_date < today,
        )
        .correlate(Project)
        .scalar_subquery()
    )
    next_due = (
        select(func.min(Milestone.due_date))
        .where(
            Milestone.project_id == Project.id,
            Milestone.active(),
            Milestone.done_date.is_(None),
            Milestone.due_date >= today,
        )
        .correlate(Project)
        .scalar_subquery()
    )
    return {
        "requested": requested,
        "approved": approved,
        "light": latest_light(),
        "last_report": latest_report_date(),
        "overdue": overdue,
        "next_milestone": next_due,
    }


LeadOrg = aliased(Organisation, name="lead_org")


SORT_KEYS: tuple[str, ...] = (
    "key",
    "title",
    "status",
    "theme",
    "lead",
    "start_date",
    "end_date",
    "total_cost",
    "funding_approved",
    "light",
    "next_milestone",
    "overdue",
)


def _sort_expression(name: str, cols: dict[str, Any]) -> Any:
    light_rank = case(
        (cols["light"] == "red", 1), (cols["light"] == "yellow", 2), (cols["light"] == "green", 3)
    )
    return {
        "key": Project.key,
        "title": func.lower(Project.title),
        "status": Project.status,
        "theme": ActionField.key,
        "lead": func.lower(LeadOrg.short_name),
        "start_date": Project.start_date,
        "end_date": Project.end_date,
        "total_cost": Project.total_cost,
        "funding_approved": cols["approved"],
        "light": light_rank,
        "next_milestone": cols["next_milestone"],
        "overdue": cols["overdue"],
    }.get(name, Project.key)


def _conditions(session: Session, f: RegisterFilter, cols: dict[str, Any]) -> list[Any]:
    conds: list[Any] = [Project.archived.is_(f.archived)]
    if f.theme:
        conds.append(Theme.key == f.theme)
    if f.action_field:
        conds.append(ActionField.key == f.action_field)
    if f.statuses:
        conds.append(Project.status.in_(list(f.statuses)))
    if f.partner:
        conds.append(
            Project.id.in_(
                select(Participation.project_id)
                .join(Organisation, Organisation.id == Participation.organisation_id)
                .where(Organisation.key == f.partner)
            )
        )
    if f.programme:
        conds.append(
            Project.id.in_(
                select(FundingApplication.project_id)
                .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
                .where(
                    FundingProgramme.key == f.programme,
                    FundingApplication.active(),
                    rules.live_application(),
                )
            )
        )
    if f.light == NO_LIGHT:
        conds.append(cols["light"].is_(None))
    elif f.light:
        conds.append(cols["light"] == f.light)
    if f.text and f.text.strip():
        conds.append(text_condition(f.text))
    return conds


def text_condition(text: str) -> ColumnElement[bool]:
    """Every word must appear in the key, title, summary, responsible person or place."""
    words = [w for w in text.split() if w][:8]
    per_word = []
    for word in words:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        per_word.append(
            or_(
                *(
                    col.ilike(pattern, escape="\\")
                    for col in (
                        Project.key,
                        Project.title,
                        cast(Project.summary, String),
                        Project.responsible_person,
                        Project.spatial_note,
                    )
                )
            )
        )
    return and_(*per_word)


def _base(
    session: Session, f: RegisterFilter, today: dt.date
) -> tuple[Select[Any], dict[str, Any]]:
    cols = _columns(today)
    stmt = select(
        Project.id,
        Project.key,
        Project.title,
        Project.status,
        Project.priority,
        Theme.key,
        Theme.name,
        Theme.name_en,
        ActionField.key,
        ActionField.name,
        ActionField.name_en,
        LeadOrg.short_name,
        Project.responsible_person,
        Project.start_date,
        Project.end_date,
        Project.total_cost,
        Project.eligible_cost,
        cols["requested"],
        cols["approved"],
        cols["light"],
        cols["last_report"],
        cols["overdue"],
        cols["next_milestone"],
        Project.archived,
    )
    return _joined(stmt).where(*_conditions(session, f, cols)), cols


def _joined(stmt: Any) -> Any:
    return (
        stmt.join(ActionField, ActionField.id == Project.action_field_id)
        .join(Theme, Theme.id == ActionField.theme_id)
        .join(LeadOrg, LeadOrg.id == Project.lead_organisation_id, isouter=True)
    )


def _row(values: Sequence[Any]) -> RegisterRow:
    (
        id_,
        key,
        title,
        status,
        priority,
        tkey,
        tname,
        tname_en,
        akey,
        aname,
        aname_en,
        lead,
        person,
        start,
        end,
        total,
        eligible,
        requested,
        approved,
        light,
        last_report,
        overdue,
        next_due,
        archived,
    ) = values
    return RegisterRow(
        id=id_,
        key=key,
        title=title,
        status=status,
        priority=priority,
        theme_key=tkey,
        theme_name=tname,
        theme_name_en=tname_en,
        action_field_key=akey,
        action_field_name=aname,
        action_field_name_en=aname_en,
        lead=lead,
        responsible_person=person,
        start_date=start,
        end_date=end,
        total_cost=total,
        eligible_cost=eligible,
        funding_requested=Decimal(str(requested or 0)).quantize(Decimal("0.01")),
        funding_approved=Decimal(str(approved or 0)).quantize(Decimal("0.01")),
        light=light,
        last_report=_as_date(last_report),
        overdue_milestones=int(overdue or 0),
        next_milestone=_as_date(next_due),
        archived=bool(archived),
    )


def _as_date(value: Any) -> dt.date | None:
    """Aggregates over dates come back as text on SQLite."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _ordered(stmt: Select[Any], f: RegisterFilter, cols: dict[str, Any]) -> Select[Any]:
    expr = _sort_expression(f.sort, cols)
    primary = expr.desc() if f.descending else expr.asc()
    # NULLs last in both directions, then a stable tie-breaker.
    return stmt.order_by(expr.is_(None), primary, Project.key)


@requires(Action.READ_PORTFOLIO)
def count(session: Session, f: RegisterFilter, *, today: dt.date) -> int:
    cols = _columns(today)
    stmt = _joined(select(func.count(Project.id)).select_from(Project))
    return int(session.execute(stmt.where(*_conditions(session, f, cols))).scalar_one())


@requires(Action.READ_PORTFOLIO)
def page(
    session: Session, f: RegisterFilter, *, today: dt.date, offset: int = 0, limit: int = 50
) -> RegisterPage:
    """One page of the register plus the number of all matching rows."""
    total = count(session, f, today=today)
    offset = max(0, min(offset, max(total - 1, 0)))
    stmt, cols = _base(session, f, today)
    rows = session.execute(_ordered(stmt, f, cols).offset(offset).limit(limit)).all()
    return RegisterPage([_row(r) for r in rows], total, offset)


@requires(Action.READ_PORTFOLIO)
def rows(session: Session, f: RegisterFilter, *, today: dt.date) -> list[RegisterRow]:
    """All rows of the view, in the view's order (for the Excel download)."""
    stmt, cols = _base(session, f, today)
    return [_row(r) for r in session.execute(_ordered(stmt, f, cols))]
