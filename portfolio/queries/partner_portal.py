"""The partner portal ("Meine Projekte"): one organisation's projects, their open milestones and
duties, and the rows of one project a partner may edit.

Always narrowed to one organisation: a partner's own (whatever it asks for), or the one a member
of the unit chose ("Sicht als Partner"). The editable rows are read with the exchange's own
loaders (:func:`portfolio.exchange.state.load_rows` with the partner's scope), so the page shows
and changes exactly what the partner's workbook holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from db.enums import MilestoneState, ParticipationRole
from db.models import (
    FundingApplication,
    Kpi,
    Milestone,
    Organisation,
    Participation,
    PaymentRequest,
    Project,
)
from portfolio import funding_rules
from portfolio.errors import NotFound
from portfolio.exchange.schema import COST_ITEMS, MEASUREMENTS, MILESTONES, PARTICIPATIONS, PROJECTS
from portfolio.exchange.state import load_refs, load_rows
from portfolio.policy import AccessDenied, Action, Principal, principal_of, requires
from portfolio.queries.common import (
    STALE_REPORT_DAYS,
    latest_light,
    latest_report_date,
    stale_report_condition,
)
from portfolio.services import milestones, proofs


@dataclass(frozen=True)
class PortalOrganisation:
    id: int
    key: str
    name: str
    short_name: str


@dataclass(frozen=True)
class PortalProject:
    key: str
    title: str
    status: str
    roles: tuple[str, ...]
    is_lead: bool
    lead: str | None  # short name of the lead organisation
    end_date: dt.date | None
    light: str | None  # overall light of the newest status report


@dataclass(frozen=True)
class PortalMilestone:
    project_key: str
    project_title: str
    key: str
    title: str
    due_date: dt.date
    overdue: bool
    responsible: str | None  # short name of the responsible organisation
    own: bool  # the organisation is responsible for it


@dataclass(frozen=True)
class PortalDuty:
    """Something due on one of the projects: a status report, a proof of use, a payment."""

    kind: str  # "status_report", "proof", "payment"
    project_key: str
    project_title: str
    due_on: dt.date | None  # None: a status report never given
    overdue: bool
    what: str  # the proof's kind, "" for the others
    reference: str  # the application's key (proofs, payments), "" for status reports
    amount: Decimal | None = None  # payments


@dataclass
class Portal:
    organisation: PortalOrganisation
    projects: list[PortalProject] = field(default_factory=list)
    milestones: list[PortalMilestone] = field(default_factory=list)
    duties: list[PortalDuty] = field(default_factory=list)


@dataclass
class PortalProjectRows:
    """One project as the partner's workbook holds it: rows with ``id``, ``version``, ``_key``
    and the fields of each sheet (only the organisation's own participations)."""

    organisation: PortalOrganisation
    project: dict[str, Any]
    participations: list[dict[str, Any]] = field(default_factory=list)
    milestones: list[dict[str, Any]] = field(default_factory=list)
    cost_items: list[dict[str, Any]] = field(default_factory=list)
    measurements: list[dict[str, Any]] = field(default_factory=list)
    kpis: list[dict[str, Any]] = field(default_factory=list)  # id, key, name, unit
    applications: dict[int, str] = field(default_factory=dict)  # id -> key (of cost items)


def _organisation(session: Session, who: Principal, key: str | None) -> PortalOrganisation:
    """The organisation the portal shows: a partner's own (asking for another one is refused),
    else the one ``key`` names."""
    if who.is_scoped:
        org = session.get(Organisation, who.organisation_id) if who.organisation_id else None
        if org is None or (key is not None and key.casefold() != org.key.casefold()):
            raise AccessDenied(Action.PARTNER_READ, reason="scope")
    else:
        if not key:
            raise NotFound("organisation", "–")
        org = session.execute(
            select(Organisation).where(func.lower(Organisation.key) == key.lower())
        ).scalar_one_or_none()
        if org is None:
            raise NotFound("organisation", key)
    return PortalOrganisation(org.id, org.key, org.name, org.short_name)


def _project_ids(org_id: int) -> Select[Any]:
    """The organisation's active projects (those it takes part in)."""
    return (
        select(Participation.project_id)
        .join(Project, Project.id == Participation.project_id)
        .where(Participation.organisation_id == org_id, Project.active())
        .distinct()
    )


@requires(Action.PARTNER_READ)
def organisations(session: Session) -> list[PortalOrganisation]:
    """The organisations the principal may open the portal for: a partner its own; the unit
    every active one ("Sicht als Partner")."""
    who = principal_of(session)
    stmt = select(Organisation).order_by(Organisation.short_name)
    if who.is_scoped:
        stmt = stmt.where(Organisation.id == who.organisation_id)
    else:
        stmt = stmt.where(Organisation.active())
    return [
        PortalOrganisation(o.id, o.key, o.name, o.short_name)
        for o in session.execute(stmt).scalars()
    ]


def _projects(
    session: Session, out: Portal, ids: Any, today: dt.date
) -> dict[int, tuple[str, str]]:
    """The organisation's projects into ``out`` with the status reports it owes as lead;
    returns (key, title) by project id for the other sections."""
    org = out.organisation
    roles: dict[int, set[str]] = {}
    for project_id, role in session.execute(
        select(Participation.project_id, Participation.role).where(
            Participation.organisation_id == org.id, Participation.project_id.in_(ids)
        )
    ):
        roles.setdefault(project_id, set()).add(role)
    lead = Organisation.__table__.alias("lead")
    order = [str(r) for r in ParticipationRole]
    titles: dict[int, tuple[str, str]] = {}
    rows = session.execute(
        select(
            Project.id,
            Project.key,
            Project.title,
            Project.status,
            Project.lead_organisation_id,
            Project.end_date,
            lead.c.short_name,
            latest_report_date().label("newest"),
            latest_light().label("light"),
            stale_report_condition(today).label("stale"),
        )
        .join(lead, lead.c.id == Project.lead_organisation_id, isouter=True)
        .where(Project.id.in_(ids))
        .order_by(Project.key)
    ).all()
    for r in rows:
        titles[r.id] = (r.key, r.title)
        is_lead = r.lead_organisation_id == org.id
        out.projects.append(
            PortalProject(
                r.key,
                r.title,
                r.status,
                tuple(x for x in order if x in roles.get(r.id, set())),
                is_lead,
                r.short_name,
                r.end_date,
                r.light,
            )
        )
        if is_lead and r.stale:
            due = r.newest + dt.timedelta(days=STALE_REPORT_DAYS) if r.newest else None
            out.duties.append(PortalDuty("status_report", r.key, r.title, due, True, "", ""))
    return titles


def _milestones(
    session: Session, out: Portal, ids: Any, titles: dict[int, tuple[str, str]], today: dt.date
) -> None:
    responsible = Organisation.__table__.alias("responsible")
    for m in session.execute(
        select(
            Milestone.project_id,
            Milestone.key,
            Milestone.title,
            Milestone.due_date,
            Milestone.responsible_organisation_id,
            responsible.c.short_name,
        )
        .join(responsible, responsible.c.id == Milestone.responsible_organisation_id, isouter=True)
        .where(
            Milestone.project_id.in_(ids),
            Milestone.active(),
            Milestone.done_date.is_(None),
        )
        .order_by(Milestone.due_date, Milestone.key)
    ):
        key, title = titles.get(m.project_id, ("", ""))
        out.milestones.append(
            PortalMilestone(
                key,
                title,
                m.key,
                m.title,
                m.due_date,
                milestones.state_of(m.due_date, None, today) is MilestoneState.OVERDUE,
                m.short_name,
                m.responsible_organisation_id == out.organisation.id,
            )
        )


def _grant_duties(
    session: Session, out: Portal, ids: Any, titles: dict[int, tuple[str, str]], today: dt.date
) -> None:
    """The proofs of use and the open payment requests of the projects' grants."""
    applications = list(
        session.execute(
            select(FundingApplication.id).where(
                FundingApplication.project_id.in_(ids), FundingApplication.active()
            )
        ).scalars()
    )
    if not applications:
        return
    for d in proofs.open_duties(session, today=today, application_ids=applications):
        out.duties.append(
            PortalDuty(
                "proof",
                d.project_key,
                d.project_title,
                d.due_on,
                d.overdue,
                d.kind,
                d.application_key,
            )
        )
    for p in session.execute(
        select(
            PaymentRequest.due_on,
            PaymentRequest.amount,
            FundingApplication.key,
            FundingApplication.project_id,
            funding_rules.payment_overdue(today).label("overdue"),
        )
        .join(FundingApplication, FundingApplication.id == PaymentRequest.application_id)
        .where(
            PaymentRequest.application_id.in_(applications),
            funding_rules.open_payment(),
        )
    ):
        key, title = titles.get(p.project_id, ("", ""))
        out.duties.append(
            PortalDuty("payment", key, title, p.due_on, bool(p.overdue), "", p.key, p.amount)
        )


@requires(Action.PARTNER_READ)
def portal(session: Session, *, organisation_key: str | None = None, today: dt.date) -> Portal:
    """The organisation's projects (by key), their open milestones (by due date) and what is
    due: status reports of the projects it leads (none yet, or the newest older than 90 days),
    the proofs of use its projects' grants owe (:func:`portfolio.services.proofs.open_duties`)
    and their open payment requests, by date."""
    org = _organisation(session, principal_of(session), organisation_key)
    out = Portal(org)
    ids = _project_ids(org.id)
    titles = _projects(session, out, ids, today)
    _milestones(session, out, ids, titles, today)
    _grant_duties(session, out, ids, titles, today)
    out.duties.sort(key=lambda d: (d.due_on or dt.date.min, d.project_key, d.kind))
    return out


@requires(Action.PARTNER_READ)
def project_rows(
    session: Session, project_key: str, *, organisation_key: str | None = None
) -> PortalProjectRows | None:
    """The editable rows of one of the organisation's projects, as its workbook holds them;
    None when ``project_key`` is not one of them (whether it exists elsewhere is not said)."""
    org = _organisation(session, principal_of(session), organisation_key)
    project_id = session.execute(
        select(Project.id).where(
            func.lower(Project.key) == project_key.strip().lower(),
            Project.id.in_(_project_ids(org.id)),
        )
    ).scalar_one_or_none()
    if project_id is None:
        return None
    conn = session.connection()
    refs = load_refs(conn)
    scope = {project_id}

    def rows(sheet: Any) -> list[dict[str, Any]]:
        return load_rows(
            conn, sheet, refs, project_ids=scope, partner_org=org.id, include_archived=False
        )

    [project] = rows(PROJECTS)
    out = PortalProjectRows(org, project)
    out.participations = rows(PARTICIPATIONS)
    out.milestones = rows(MILESTONES)
    out.cost_items = rows(COST_ITEMS)
    out.measurements = rows(MEASUREMENTS)
    out.kpis = [
        {"id": k.id, "key": k.key, "name": k.name, "unit": k.unit}
        for k in session.execute(
            select(Kpi.id, Kpi.key, Kpi.name, Kpi.unit)
            .where(Kpi.project_id == project_id, Kpi.active())
            .order_by(Kpi.key)
        )
    ]
    out.applications = {
        a["id"]: a["key"] for a in refs.application.by_id.values() if a["project_id"] == project_id
    }
    return out
