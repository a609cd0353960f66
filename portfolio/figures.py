"""Portfolio figures, computed by the database (GROUP BY), never by loading every row.

The dashboard, the CLI ``summary`` and the CDO reports all take their numbers from here, so they
agree to the cent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, literal, select, union_all
from sqlalchemy.orm import Session

from db.enums import (
    AWARDED_APPLICATION_STATUSES,
    LIVE_APPLICATION_STATUSES,
    FundingLevel,
    PaymentRequestStatus,
    ProjectStatus,
)
from db.models import (
    ActionField,
    FundingApplication,
    FundingProgramme,
    Milestone,
    Organisation,
    Participation,
    PaymentRequest,
    Project,
    Theme,
)
from portfolio import clock
from portfolio.errors import PortfolioError
from portfolio.services.milestones import overdue_condition

ZERO = Decimal("0.00")
LIVE = [str(s) for s in LIVE_APPLICATION_STATUSES]
AWARDED = [str(s) for s in AWARDED_APPLICATION_STATUSES]


def _dec(value: Any) -> Decimal:
    return Decimal(value if value is not None else 0).quantize(Decimal("0.01"))


@dataclass
class ThemeFigures:
    key: str
    name: str
    projects: int = 0
    total_cost: Decimal = ZERO
    eligible_cost: Decimal = ZERO
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass
class ProgrammeFigures:
    key: str
    name: str
    level: str
    standard_rate: Decimal
    applications: int
    requested: Decimal
    approved: Decimal


@dataclass
class PartnerFigures:
    key: str
    short_name: str
    projects: int
    lead_projects: int
    contribution_cash: Decimal
    contribution_in_kind: Decimal


@dataclass
class Summary:
    as_of: dt.date
    theme_key: str | None
    projects: int
    by_status: dict[str, int]
    total_cost: Decimal
    eligible_cost: Decimal
    funding_requested: Decimal
    funding_approved: Decimal
    own_share: Decimal
    own_budget: Decimal
    paid_out: Decimal
    overdue_milestones: int
    organisations: int
    themes: list[ThemeFigures]
    programmes: list[ProgrammeFigures]
    partners: list[PartnerFigures]

    def to_json(self) -> dict[str, Any]:
        def convert(value: Any) -> Any:
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: convert(v) for k, v in value.items()}
            if isinstance(value, list):
                return [convert(v) for v in value]
            return value

        result: dict[str, Any] = convert(asdict(self))
        return result


def _active_projects(theme_id: int | None) -> Select[int]:
    stmt = select(Project.id).where(Project.archived.is_(False))
    if theme_id is not None:
        stmt = stmt.join(ActionField, ActionField.id == Project.action_field_id).where(
            ActionField.theme_id == theme_id
        )
    return stmt


class UnknownTheme(PortfolioError):
    """A theme key that names no Leitthema (CLI ``--theme``, URL parameters, report scope)."""

    def __init__(self, key: str, allowed: list[str]) -> None:
        self.key, self.allowed = key, allowed
        super().__init__(self.message())

    def message(self, lang: str = "de") -> str:
        allowed = ", ".join(self.allowed)
        if lang == "en":
            return f"There is no theme “{self.key}”. Available: {allowed}."
        return f"Das Leitthema „{self.key}“ gibt es nicht. Vorhanden: {allowed}."


def theme_id_of(session: Session, theme_key: str | None) -> int | None:
    """The id of the Leitthema ``theme_key`` (None for the whole portfolio), or UnknownTheme."""
    if theme_key is None:
        return None
    theme_id = session.execute(select(Theme.id).where(Theme.key == theme_key)).scalar_one_or_none()
    if theme_id is None:
        allowed = list(session.execute(select(Theme.key).order_by(Theme.key)).scalars())
        raise UnknownTheme(theme_key, allowed)
    return theme_id


def summary(
    session: Session, *, today: dt.date | None = None, theme_key: str | None = None
) -> Summary:
    today = today or clock.today()
    theme_id = theme_id_of(session, theme_key)
    scope = _active_projects(theme_id).scalar_subquery()
    in_scope = Project.id.in_(_active_projects(theme_id))

    by_status = {str(s): 0 for s in ProjectStatus}
    for status, count in session.execute(
        select(Project.status, func.count()).where(in_scope).group_by(Project.status)
    ):
        by_status[status] = count
    total_cost, eligible_cost = session.execute(
        select(func.sum(Project.total_cost), func.sum(Project.eligible_cost)).where(in_scope)
    ).one()

    app_scope = and_(
        FundingApplication.archived.is_(False),
        FundingApplication.project_id.in_(_active_projects(theme_id)),
    )
    # Funding is money from funders; the city's own budget lines are counted apart.
    external = FundingProgramme.level != FundingLevel.MUNICIPAL
    requested, approved, own_share, own_budget = session.execute(
        select(
            func.sum(FundingApplication.amount_requested).filter(
                FundingApplication.status.in_(LIVE), external
            ),
            func.sum(FundingApplication.amount_approved).filter(
                FundingApplication.status.in_(AWARDED), external
            ),
            func.sum(FundingApplication.own_share).filter(
                FundingApplication.status.in_(AWARDED), external
            ),
            func.sum(FundingApplication.amount_approved).filter(
                FundingApplication.status.in_(AWARDED), ~external
            ),
        )
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .where(app_scope)
    ).one()
    paid_out = session.execute(
        select(func.sum(PaymentRequest.amount))
        .join(FundingApplication)
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .where(app_scope, external, PaymentRequest.status == PaymentRequestStatus.PAID)
    ).scalar_one()
    overdue = session.execute(
        select(func.count())
        .select_from(Milestone)
        .where(overdue_condition(today), Milestone.project_id.in_(_active_projects(theme_id)))
    ).scalar_one()

    themes: dict[int, ThemeFigures] = {}
    theme_rows = select(Theme.id, Theme.key, Theme.name).order_by(Theme.position, Theme.key)
    if theme_id is not None:
        theme_rows = theme_rows.where(Theme.id == theme_id)
    for tid, key, name in session.execute(theme_rows):
        themes[tid] = ThemeFigures(key=key, name=name, by_status={str(s): 0 for s in ProjectStatus})
    for tid, status, count, total, eligible in session.execute(
        select(
            ActionField.theme_id,
            Project.status,
            func.count(),
            func.sum(Project.total_cost),
            func.sum(Project.eligible_cost),
        )
        .join(ActionField, ActionField.id == Project.action_field_id)
        .where(in_scope)
        .group_by(ActionField.theme_id, Project.status)
    ):
        figures = themes[tid]
        figures.projects += count
        figures.by_status[status] = count
        figures.total_cost = _dec(figures.total_cost + _dec(total))
        figures.eligible_cost = _dec(figures.eligible_cost + _dec(eligible))

    programmes = [
        ProgrammeFigures(key, name, level, _dec(rate), count, _dec(req), _dec(appr))
        for key, name, level, rate, count, req, appr in session.execute(
            select(
                FundingProgramme.key,
                FundingProgramme.name,
                FundingProgramme.level,
                FundingProgramme.standard_rate,
                func.count(FundingApplication.id),
                func.sum(FundingApplication.amount_requested).filter(
                    FundingApplication.status.in_(LIVE)
                ),
                func.sum(FundingApplication.amount_approved).filter(
                    FundingApplication.status.in_(AWARDED)
                ),
            )
            .join(
                FundingApplication,
                and_(FundingApplication.programme_id == FundingProgramme.id, app_scope),
                isouter=True,
            )
            .group_by(
                FundingProgramme.id,
                FundingProgramme.key,
                FundingProgramme.name,
                FundingProgramme.level,
                FundingProgramme.standard_rate,
            )
            .order_by(FundingProgramme.name)
        )
    ]

    partners = [
        PartnerFigures(key, short, projects, leads or 0, _dec(cash), _dec(kind))
        for key, short, projects, leads, cash, kind in session.execute(
            select(
                Organisation.key,
                Organisation.short_name,
                func.count(func.distinct(Participation.project_id)),
                func.count(func.distinct(Participation.project_id)).filter(
                    Participation.role == "lead"
                ),
                func.sum(Participation.contribution_cash),
                func.sum(Participation.contribution_in_kind),
            )
            .join(
                Participation,
                and_(
                    Participation.organisation_id == Organisation.id,
                    Participation.project_id.in_(scope),
                ),
                isouter=True,
            )
            .where(Organisation.archived.is_(False))
            .group_by(Organisation.id, Organisation.key, Organisation.short_name)
            .order_by(Organisation.short_name)
        )
    ]

    return Summary(
        as_of=today,
        theme_key=theme_key,
        projects=sum(by_status.values()),
        by_status=by_status,
        total_cost=_dec(total_cost),
        eligible_cost=_dec(eligible_cost),
        funding_requested=_dec(requested),
        funding_approved=_dec(approved),
        own_share=_dec(own_share),
        own_budget=_dec(own_budget),
        paid_out=_dec(paid_out),
        overdue_milestones=overdue,
        organisations=len(partners),
        themes=list(themes.values()),
        programmes=programmes,
        partners=partners,
    )


@dataclass(frozen=True)
class Deadline:
    kind: str  # milestone, proof_of_use, payment_request
    due: dt.date
    project_key: str
    project_title: str
    item_key: str
    title: str


def deadlines(
    session: Session,
    *,
    today: dt.date | None = None,
    days: int = 90,
    theme_key: str | None = None,
    include_overdue: bool = False,
    limit: int | None = None,
) -> list[Deadline]:
    """Open milestones, proof-of-use and payment-request dates in the window, soonest first."""
    today = today or clock.today()
    end = today + dt.timedelta(days=days)
    start = dt.date.min if include_overdue else today
    theme_id = theme_id_of(session, theme_key)
    scope = Project.id.in_(_active_projects(theme_id))
    milestones = (
        select(
            literal("milestone").label("kind"),
            Milestone.due_date.label("due"),
            Project.key.label("project_key"),
            Project.title.label("project_title"),
            Milestone.key.label("item_key"),
            Milestone.title.label("title"),
        )
        .join(Project, Project.id == Milestone.project_id)
        .where(
            scope,
            Milestone.archived.is_(False),
            Milestone.done_date.is_(None),
            Milestone.due_date.between(start, end),
        )
    )
    proofs = (
        select(
            literal("proof_of_use").label("kind"),
            FundingApplication.proof_of_use_due.label("due"),
            Project.key,
            Project.title,
            FundingApplication.key,
            FundingApplication.reference_number,
        )
        .join(Project, Project.id == FundingApplication.project_id)
        .where(
            scope,
            FundingApplication.archived.is_(False),
            FundingApplication.status.in_(["approved", "in_progress"]),
            FundingApplication.proof_of_use_due.between(start, end),
        )
    )
    payments = (
        select(
            literal("payment_request").label("kind"),
            PaymentRequest.due_on.label("due"),
            Project.key,
            Project.title,
            PaymentRequest.key,
            FundingApplication.key,
        )
        .join(FundingApplication, FundingApplication.id == PaymentRequest.application_id)
        .join(Project, Project.id == FundingApplication.project_id)
        .where(
            scope,
            PaymentRequest.status.in_(["planned", "submitted"]),
            PaymentRequest.due_on.between(start, end),
        )
    )
    union = union_all(milestones, proofs, payments).subquery()
    stmt = select(union).order_by(union.c.due, union.c.project_key)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        Deadline(kind, due, pkey, ptitle, ikey, title or "")
        for kind, due, pkey, ptitle, ikey, title in session.execute(stmt)
    ]
