"""Everything the project page shows, read in one short session and returned as plain data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from db.enums import PaymentRequestStatus
from db.models import (
    ActionField,
    FundingApplication,
    JournalChange,
    JournalEntry,
    Milestone,
    Organisation,
    Project,
    StatusReport,
    Theme,
)
from portfolio.policy import Action, requires
from portfolio.services import (
    funding,
    kpis,
    milestones,
    participations,
    projects,
    status_reports,
)
from portfolio.services.milestones import state_of


def _values(obj: Any, names: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


@dataclass(frozen=True)
class Row:
    """One editable record: its id, version and field values (the services' FIELDS)."""

    id: int
    version: int
    values: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ProjectDetail:
    project: Row
    theme_key: str
    theme_name: str
    theme_name_en: str | None
    action_field_key: str
    action_field_name: str
    action_field_name_en: str | None
    lead: str | None
    archived: bool
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    participations: list[Row] = field(default_factory=list)
    applications: list[Row] = field(default_factory=list)
    payment_requests: dict[int, list[Row]] = field(default_factory=dict)
    milestones: list[Row] = field(default_factory=list)
    reports: list[Row] = field(default_factory=list)
    kpis: list[Row] = field(default_factory=list)
    measurements: dict[int, list[Row]] = field(default_factory=dict)
    journal_entries: int = 0


def _participations_and_applications(
    session: Session, detail: ProjectDetail, project_id: int
) -> None:
    """The partners, and the applications with their payment requests."""
    for p in participations.get_all(session, project_id=project_id):
        detail.participations.append(
            Row(
                p.id,
                p.version,
                _values(p, participations.FIELDS),
                {"organisation": p.organisation.short_name, "organisation_key": p.organisation.key},
            )
        )
    apps = session.execute(
        select(FundingApplication)
        .options(
            selectinload(FundingApplication.programme),
            selectinload(FundingApplication.payment_requests),
        )
        .where(FundingApplication.project_id == project_id)
        .order_by(FundingApplication.archived, FundingApplication.key)
    ).scalars()
    for a in apps:
        paid = sum(
            (r.amount for r in a.payment_requests if r.status == PaymentRequestStatus.PAID),
            start=Decimal("0"),
        )
        detail.applications.append(
            Row(
                a.id,
                a.version,
                _values(a, funding.FIELDS),
                {
                    "programme": a.programme.name,
                    "programme_key": a.programme.key,
                    "level": a.programme.level,
                    "archived": a.archived,
                    "paid": paid,
                },
            )
        )
        detail.payment_requests[a.id] = [
            Row(r.id, r.version, _values(r, funding.PAYMENT_FIELDS)) for r in a.payment_requests
        ]


def _milestones(session: Session, detail: ProjectDetail, project_id: int, today: dt.date) -> None:
    """The active milestones with their state on ``today``."""
    stones = session.execute(
        select(Milestone, Organisation.short_name)
        .join(Organisation, Organisation.id == Milestone.responsible_organisation_id, isouter=True)
        .where(Milestone.project_id == project_id, Milestone.active())
        .order_by(Milestone.due_date, Milestone.key)
    ).all()
    for m, org in stones:
        detail.milestones.append(
            Row(
                m.id,
                m.version,
                _values(m, milestones.FIELDS),
                {"state": str(state_of(m.due_date, m.done_date, today)), "organisation": org},
            )
        )


def _reports_and_kpis(session: Session, detail: ProjectDetail, project_id: int) -> None:
    """The status reports, newest first, and the KPIs with their measurements."""
    for r in session.execute(
        select(StatusReport)
        .where(StatusReport.project_id == project_id)
        .order_by(StatusReport.report_date.desc())
    ).scalars():
        detail.reports.append(Row(r.id, r.version, _values(r, status_reports.FIELDS)))
    for k in kpis.get_all(session, project_id=project_id):
        detail.kpis.append(Row(k.id, k.version, _values(k, kpis.FIELDS)))
        detail.measurements[k.id] = [
            Row(m.id, m.version, _values(m, kpis.MEASUREMENT_FIELDS)) for m in k.measurements
        ]


@requires(Action.READ_PORTFOLIO)
def project_detail(session: Session, key: str, *, today: dt.date) -> ProjectDetail:
    """The project ``key`` with all its parts. Raises :class:`portfolio.errors.NotFound`."""
    project = projects.get_by_key(session, key)
    af = session.get(ActionField, project.action_field_id)
    assert af is not None
    theme = session.get(Theme, af.theme_id)
    assert theme is not None
    lead = (
        session.get(Organisation, project.lead_organisation_id)
        if project.lead_organisation_id
        else None
    )
    detail = ProjectDetail(
        project=Row(project.id, project.version, _values(project, projects.FIELDS)),
        theme_key=theme.key,
        theme_name=theme.name,
        theme_name_en=theme.name_en,
        action_field_key=af.key,
        action_field_name=af.name,
        action_field_name_en=af.name_en,
        lead=lead.short_name if lead else None,
        archived=project.archived,
        created_at=project.created_at,
        updated_at=project.updated_at,
    )
    _participations_and_applications(session, detail, project.id)
    _milestones(session, detail, project.id, today)
    _reports_and_kpis(session, detail, project.id)
    detail.journal_entries = int(
        session.execute(
            select(func.count())
            .select_from(JournalEntry)
            .where(JournalEntry.project_id == project.id)
        ).scalar_one()
    )
    return detail


@dataclass(frozen=True)
class JournalLine:
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class JournalItem:
    id: int
    at: dt.datetime
    actor: str
    source: str
    source_ref: str | None
    entity: str
    entity_key: str | None
    action: str
    version: int | None
    changes: list[JournalLine]


@requires(Action.READ_JOURNAL)
def journal(
    session: Session, project_id: int, *, offset: int = 0, limit: int = 20
) -> list[JournalItem]:
    """A page of the project's journal, newest first, with the changed fields."""
    entries = (
        session.execute(
            select(JournalEntry)
            .where(JournalEntry.project_id == project_id)
            .order_by(JournalEntry.at.desc(), JournalEntry.id.desc())
            .offset(offset)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    ids = [e.id for e in entries]
    changes: dict[int, list[JournalLine]] = {i: [] for i in ids}
    if ids:
        for entry_id, name, old, new in session.execute(
            select(
                JournalChange.entry_id,
                JournalChange.field,
                JournalChange.old_value,
                JournalChange.new_value,
            )
            .where(JournalChange.entry_id.in_(ids))
            .order_by(JournalChange.id)
        ):
            changes[entry_id].append(JournalLine(name, old, new))
    return [
        JournalItem(
            e.id,
            e.at,
            e.actor,
            e.source,
            e.source_ref,
            e.entity,
            e.entity_key,
            e.action,
            e.version,
            changes[e.id],
        )
        for e in entries
    ]


@dataclass(frozen=True)
class Choice:
    id: int
    key: str
    label: str
    label_en: str | None = None
    group: str | None = None


@dataclass
class Choices:
    """Options of the forms' reference fields."""

    action_fields: list[Choice] = field(default_factory=list)
    organisations: list[Choice] = field(default_factory=list)
    programmes: list[Choice] = field(default_factory=list)
    phases: dict[str, list[str]] = field(default_factory=dict)  # programme key -> phase keys
    themes: list[Choice] = field(default_factory=list)


@requires(Action.READ_PORTFOLIO)
def choices(session: Session) -> Choices:
    from portfolio.services import catalogue, organisations, programmes

    out = Choices()
    themes = {t.id: t for t in catalogue.get_all_themes(session)}
    out.themes = [Choice(t.id, t.key, t.name, t.name_en) for t in themes.values()]
    out.action_fields = [
        Choice(a.id, a.key, a.name, a.name_en, themes[a.theme_id].key)
        for a in catalogue.get_all_action_fields(session)
    ]
    out.organisations = [
        Choice(o.id, o.key, o.short_name, None, o.kind) for o in organisations.get_all(session)
    ]
    for p in programmes.get_all(session):
        out.programmes.append(Choice(p.id, p.key, p.name, None, p.level))
        out.phases[p.key] = [ph.key for ph in p.phases]
    return out


@requires(Action.READ_PORTFOLIO)
def project_id_of(session: Session, key: str) -> int | None:
    return session.execute(select(Project.id).where(Project.key == key)).scalar_one_or_none()


@requires(Action.READ_PORTFOLIO)
def find_projects(session: Session, text: str = "", *, limit: int = 200) -> list[tuple[str, str]]:
    """(key, title) of active and archived projects matching ``text``, by key."""
    from portfolio.queries.register import text_condition

    stmt = select(Project.key, Project.title).order_by(Project.key).limit(limit)
    if text.strip():
        stmt = stmt.where(text_condition(text))
    return [(k, t) for k, t in session.execute(stmt)]
