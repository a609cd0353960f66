"""Per organisation: its projects and roles, contributions, share of funding, open milestones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Subquery, and_, case, func, select
from sqlalchemy.orm import Session

from db.enums import ParticipationRole
from db.models import (
    ActionField,
    FundingApplication,
    Milestone,
    Organisation,
    Participation,
    Project,
    Theme,
)
from portfolio import funding_rules as rules
from portfolio.policy import Action, requires
from portfolio.services import milestones

CENT = Decimal("0.01")


def _dec(value: object) -> Decimal:
    return Decimal(str(value) if value is not None else 0).quantize(CENT)


@dataclass(frozen=True)
class PartnerLine:
    key: str
    short_name: str
    name: str
    kind: str
    projects: int
    lead_projects: int
    contribution_cash: Decimal
    contribution_in_kind: Decimal
    funding_led: Decimal  # approved funding of the projects it leads
    funding_share: Decimal  # funding_led in percent of the portfolio's approved funding
    open_milestones: int
    overdue_milestones: int


def _funding_of_projects(today: dt.date) -> Subquery:
    """Approved funding per project, awarded by ``today`` (every programme, the city's budget
    lines included)."""
    return (
        select(
            FundingApplication.project_id.label("project_id"),
            func.sum(FundingApplication.amount_approved).label("approved"),
        )
        .where(FundingApplication.active(), rules.awarded_by(today))
        .group_by(FundingApplication.project_id)
        .subquery()
    )


@requires(Action.READ_PORTFOLIO)
def partner_lines(session: Session, *, today: dt.date) -> list[PartnerLine]:
    active = Project.active()
    contrib = {
        org_id: (projects, cash, kind)
        for org_id, projects, cash, kind in session.execute(
            select(
                Participation.organisation_id,
                func.count(func.distinct(Participation.project_id)),
                func.sum(Participation.contribution_cash),
                func.sum(Participation.contribution_in_kind),
            )
            .join(Project, Project.id == Participation.project_id)
            .where(active)
            .group_by(Participation.organisation_id)
        )
    }
    funding = _funding_of_projects(today)
    leads = {
        org_id: (count, approved)
        for org_id, count, approved in session.execute(
            select(
                Project.lead_organisation_id,
                func.count(Project.id),
                func.sum(funding.c.approved),
            )
            .join(funding, funding.c.project_id == Project.id, isouter=True)
            .where(active, Project.lead_organisation_id.is_not(None))
            .group_by(Project.lead_organisation_id)
        )
    }
    stones = {
        org_id: (open_, overdue)
        for org_id, open_, overdue in session.execute(
            select(
                Milestone.responsible_organisation_id,
                func.count(Milestone.id),
                func.count(Milestone.id).filter(milestones.overdue_condition(today)),
            )
            .join(Project, Project.id == Milestone.project_id)
            .where(active, Milestone.active(), Milestone.done_date.is_(None))
            .group_by(Milestone.responsible_organisation_id)
        )
    }
    total_led = sum((_dec(v[1]) for v in leads.values()), start=Decimal("0"))
    out = []
    for org in session.execute(
        select(Organisation).where(Organisation.active()).order_by(Organisation.short_name)
    ).scalars():
        projects, cash, kind = contrib.get(org.id, (0, None, None))
        lead_count, led = leads.get(org.id, (0, None))
        open_, overdue = stones.get(org.id, (0, 0))
        led_dec = _dec(led)
        share = (led_dec * 100 / total_led).quantize(CENT) if total_led else Decimal("0.00")
        out.append(
            PartnerLine(
                org.key,
                org.short_name,
                org.name,
                org.kind,
                int(projects),
                int(lead_count),
                _dec(cash),
                _dec(kind),
                led_dec,
                share,
                int(open_),
                int(overdue),
            )
        )
    return out


@dataclass(frozen=True)
class PartnerProject:
    key: str
    title: str
    status: str
    theme_key: str
    roles: tuple[str, ...]
    contribution_cash: Decimal
    contribution_in_kind: Decimal
    approved_funding: Decimal
    is_lead: bool


@dataclass(frozen=True)
class PartnerMilestone:
    project_key: str
    project_title: str
    key: str
    title: str
    due_date: dt.date
    overdue: bool


@dataclass
class PartnerDetail:
    key: str
    name: str
    short_name: str
    kind: str
    contact_role: str | None
    contact_email: str | None
    address: str | None
    projects_total: int = 0
    projects: list[PartnerProject] = field(default_factory=list)
    milestones_total: int = 0
    milestones: list[PartnerMilestone] = field(default_factory=list)
    by_role: dict[str, int] = field(default_factory=dict)


def _partner_projects(
    session: Session, org_id: int, today: dt.date, offset: int, limit: int
) -> list[PartnerProject]:
    """One page of the organisation's active projects, with its roles and money in each."""
    mine = and_(Participation.organisation_id == org_id, Project.active())
    funding = _funding_of_projects(today)
    rows = session.execute(
        select(
            Project.id,
            Project.key,
            Project.title,
            Project.status,
            Theme.key,
            func.sum(Participation.contribution_cash),
            func.sum(Participation.contribution_in_kind),
            func.max(funding.c.approved),
            func.max(case((Project.lead_organisation_id == org_id, 1), else_=0)),
        )
        .join(Participation, Participation.project_id == Project.id)
        .join(ActionField, ActionField.id == Project.action_field_id)
        .join(Theme, Theme.id == ActionField.theme_id)
        .join(funding, funding.c.project_id == Project.id, isouter=True)
        .where(mine)
        .group_by(Project.id, Project.key, Project.title, Project.status, Theme.key)
        .order_by(Project.key)
        .offset(offset)
        .limit(limit)
    ).all()
    found: dict[int, set[str]] = {r[0]: set() for r in rows}
    if found:
        for project_id, role in session.execute(
            select(Participation.project_id, Participation.role).where(
                Participation.organisation_id == org_id, Participation.project_id.in_(list(found))
            )
        ):
            found[project_id].add(role)
    order = [str(r) for r in ParticipationRole]
    return [
        PartnerProject(
            pkey,
            title,
            status,
            tkey,
            tuple(r for r in order if r in found[pid]),
            _dec(cash),
            _dec(kind),
            _dec(approved),
            bool(is_lead),
        )
        for pid, pkey, title, status, tkey, cash, kind, approved, is_lead in rows
    ]


def _partner_milestones(
    session: Session, detail: PartnerDetail, org_id: int, today: dt.date, limit: int
) -> None:
    """The open milestones the organisation is responsible for: how many, and the first."""
    open_ms = and_(
        Milestone.responsible_organisation_id == org_id,
        Milestone.active(),
        Milestone.done_date.is_(None),
        Project.active(),
    )
    detail.milestones_total = int(
        session.execute(
            select(func.count(Milestone.id))
            .join(Project, Project.id == Milestone.project_id)
            .where(open_ms)
        ).scalar_one()
    )
    for pkey, ptitle, mkey, mtitle, due in session.execute(
        select(Project.key, Project.title, Milestone.key, Milestone.title, Milestone.due_date)
        .join(Project, Project.id == Milestone.project_id)
        .where(open_ms)
        .order_by(Milestone.due_date, Milestone.key)
        .limit(limit)
    ):
        detail.milestones.append(PartnerMilestone(pkey, ptitle, mkey, mtitle, due, due < today))


@requires(Action.READ_PORTFOLIO)
def partner_detail(
    session: Session,
    key: str,
    *,
    today: dt.date,
    offset: int = 0,
    limit: int = 50,
    milestone_limit: int = 50,
) -> PartnerDetail:
    from portfolio.services import organisations

    org = organisations.get_by_key(session, key)
    detail = PartnerDetail(
        org.key,
        org.name,
        org.short_name,
        org.kind,
        org.contact_role,
        org.contact_email,
        org.address,
    )
    mine = and_(Participation.organisation_id == org.id, Project.active())
    detail.by_role = {
        role: int(count)
        for role, count in session.execute(
            select(Participation.role, func.count())
            .join(Project, Project.id == Participation.project_id)
            .where(mine)
            .group_by(Participation.role)
        )
    }
    detail.projects_total = int(
        session.execute(
            select(func.count(func.distinct(Participation.project_id)))
            .join(Project, Project.id == Participation.project_id)
            .where(mine)
        ).scalar_one()
    )
    detail.projects = _partner_projects(session, org.id, today, offset, limit)
    _partner_milestones(session, detail, org.id, today, milestone_limit)
    return detail
