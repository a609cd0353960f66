"""Portfolio figures, computed by the database (GROUP BY), never by loading every row.

The dashboard, the CLI ``summary`` and the CDO reports all take their numbers from here, and every
funding condition (what counts as requested, awarded, paid, overdue, own share, …) from
:mod:`portfolio.funding_rules`, so they agree to the cent.

Figures are *as of a day*: :func:`summary` for a day before the clock's today reads the portfolio
as it stood at the end of that day, rebuilt from the journal (:func:`state_at`, the same state the
CDO brief reads for a past as-of date), and counts only money awarded and paid by then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, literal, select, union_all
from sqlalchemy.orm import Session

from db.enums import ParticipationRole, ProjectStatus
from db.models import (
    ActionField,
    Base,
    FundingApplication,
    FundingProgramme,
    Milestone,
    Organisation,
    Participation,
    PaymentRequest,
    Project,
    StatusReport,
    Theme,
)
from portfolio import changes, clock
from portfolio import funding_rules as rules
from portfolio.errors import PortfolioError
from portfolio.i18n import t
from portfolio.policy import Action, principal_of, requires, set_principal
from portfolio.services.milestones import overdue_condition

ZERO = Decimal("0.00")
# What a summary reads: every rebuilt table but the status reports.
SUMMARY_TABLES: tuple[type[Base], ...] = tuple(
    m for m in changes.RECONSTRUCTED if m is not StatusReport
)


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
    own_share: Decimal  # of the awarded external funding, per project (funding_rules)
    own_budget: Decimal  # the city's budget lines beyond what pays the own share
    own_share_gap: Decimal  # own share covered neither by the budget nor by partners' cash
    paid_out: Decimal
    overdue_milestones: int
    overdue_payment_requests: int
    payment_requests_due: int  # open, due within the next DEADLINE_HORIZON_DAYS
    proofs_of_use_overdue: int
    proofs_of_use_due: int  # running grants, due within the next DEADLINE_HORIZON_DAYS
    organisations: int
    themes: list[ThemeFigures]
    programmes: list[ProgrammeFigures]
    partners: list[PartnerFigures]
    warnings: dict[str, int] = field(default_factory=dict)  # findings per funding_rules code

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


def _active_projects(theme_id: int | None) -> Select[Any]:
    return rules.project_scope(theme_id)


class UnknownTheme(PortfolioError):
    """A theme key that names no Leitthema (CLI ``--theme``, URL parameters, report scope)."""

    def __init__(self, key: str, allowed: list[str]) -> None:
        self.key, self.allowed = key, allowed
        super().__init__(self.message())

    def message(self, lang: str = "de") -> str:
        return t("unknown_theme", lang, key=self.key, allowed=", ".join(self.allowed))


@requires(Action.READ_PORTFOLIO)
def theme_id_of(session: Session, theme_key: str | None) -> int | None:
    """The id of the Leitthema ``theme_key`` (None for the whole portfolio), or UnknownTheme."""
    if theme_key is None:
        return None
    theme_id = session.execute(select(Theme.id).where(Theme.key == theme_key)).scalar_one_or_none()
    if theme_id is None:
        allowed = list(session.execute(select(Theme.key).order_by(Theme.key)).scalars())
        raise UnknownTheme(theme_key, allowed)
    return theme_id


@requires(Action.READ_PORTFOLIO)
@contextmanager
def state_at(
    session: Session,
    day: dt.date,
    *,
    today: dt.date | None = None,
    tables: tuple[type[Base], ...] | None = None,
) -> Iterator[tuple[Session, str]]:
    """A session on the portfolio as it was at the end of ``day``: the live one if ``day`` is not
    before ``today`` (default: the clock's) or nothing has changed since, else a session on a
    snapshot rebuilt from the journal (:func:`portfolio.changes.snapshot`; ``tables`` limits
    what is rebuilt). Yields (session, "live" | "journal")."""
    today = today or clock.today()
    if day >= today or not changes.changed_after(session, changes.cutoff(day)):
        yield session, "live"
        return
    engine = changes.snapshot(session, day, models=tables)
    try:
        with Session(engine) as snap:
            set_principal(snap, principal_of(session))  # the same reader, on the past state
            yield snap, "journal"
    finally:
        engine.dispose()


@requires(Action.READ_PORTFOLIO)
def summary(
    session: Session, *, today: dt.date | None = None, theme_key: str | None = None
) -> Summary:
    """The key figures at the end of ``today`` (default: the clock's day).

    A ``today`` before the clock's day is a past day: the figures are those of the portfolio as it
    stood then (:func:`state_at`), with only the money awarded and paid by then — what
    ``portfolio summary --as-of`` and the brief report for a past date.
    """
    day = today or clock.today()
    theme_id_of(session, theme_key)  # an unknown theme is refused before any rebuild
    with state_at(session, day, tables=SUMMARY_TABLES) as (state, _source):
        return summary_of_state(state, day=day, theme_key=theme_key)


@dataclass
class _Funding:
    """What :func:`summary_of_state` reads of the applications and payment requests."""

    requested: Decimal
    approved: Decimal
    paid_out: Decimal
    proofs_due: int
    payments_due: int
    own: rules.OwnShareTotals
    warnings: dict[str, int]  # the one-row findings per funding_rules code


def _funding_figures(session: Session, projects: Select[Any], day: dt.date) -> _Funding:
    """Money, deadlines and one-row warnings in two passes: applications, then payment requests."""
    app_scope = rules.application_counts(projects)
    # Funding is money from funders; the city's own budget lines are counted apart.
    external = rules.external_programme()
    live, awarded = rules.live_application(), rules.awarded_by(day)
    horizon = day + dt.timedelta(days=rules.DEADLINE_HORIZON_DAYS)
    row_warnings = rules.row_warning_conditions(day)
    requested, approved, proofs_due, *row_counts = session.execute(
        select(
            func.sum(FundingApplication.amount_requested).filter(live, external),
            func.sum(FundingApplication.amount_approved).filter(awarded, external),
            func.count().filter(rules.proof_due_between(day, horizon)),
            *(func.count().filter(condition) for condition in row_warnings.values()),
        )
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .join(Project, Project.id == FundingApplication.project_id)
        .where(app_scope)
    ).one()
    known = {code: int(n or 0) for code, n in zip(row_warnings, row_counts, strict=True)}
    own = rules.own_share_totals(session, projects, day)
    known["own_share_gap"] = own.gap_projects
    pay_warnings = rules.payment_warning_conditions(day)
    paid_out, payments_due, *pay_counts = session.execute(
        select(
            func.sum(PaymentRequest.amount).filter(external, rules.paid_by(day)),
            func.count().filter(rules.payment_due_between(day, horizon)),
            *(func.count().filter(condition) for condition in pay_warnings.values()),
        )
        .select_from(PaymentRequest)
        .join(FundingApplication, FundingApplication.id == PaymentRequest.application_id)
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .join(Project, Project.id == FundingApplication.project_id)
        .where(app_scope)
    ).one()
    known |= {code: int(n or 0) for code, n in zip(pay_warnings, pay_counts, strict=True)}
    return _Funding(
        _dec(requested),
        _dec(approved),
        _dec(paid_out),
        int(proofs_due or 0),
        int(payments_due or 0),
        own,
        known,
    )


def _theme_figures(session: Session, theme_id: int | None, in_scope: Any) -> list[ThemeFigures]:
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
    return list(themes.values())


def _programme_figures(
    session: Session, projects: Select[Any], day: dt.date
) -> list[ProgrammeFigures]:
    app_scope = rules.application_counts(projects)
    live, awarded = rules.live_application(), rules.awarded_by(day)
    return [
        ProgrammeFigures(key, name, level, _dec(rate), count, _dec(req), _dec(appr))
        for key, name, level, rate, count, req, appr in session.execute(
            select(
                FundingProgramme.key,
                FundingProgramme.name,
                FundingProgramme.level,
                FundingProgramme.standard_rate,
                func.count(FundingApplication.id),
                func.sum(FundingApplication.amount_requested).filter(live),
                func.sum(FundingApplication.amount_approved).filter(awarded),
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


def _partner_figures(session: Session, scope: Any) -> list[PartnerFigures]:
    project_count = func.count(func.distinct(Participation.project_id))
    return [
        PartnerFigures(key, short, projects_n, leads or 0, _dec(cash), _dec(kind))
        for key, short, projects_n, leads, cash, kind in session.execute(
            select(
                Organisation.key,
                Organisation.short_name,
                project_count,
                project_count.filter(Participation.role == ParticipationRole.LEAD.value),
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
            .where(Organisation.active())
            .group_by(Organisation.id, Organisation.key, Organisation.short_name)
            .order_by(Organisation.short_name)
        )
    ]


@requires(Action.READ_PORTFOLIO)
def summary_of_state(session: Session, *, day: dt.date, theme_key: str | None = None) -> Summary:
    """The key figures of the rows in ``session`` as they are, for the day ``day``.

    For a session that already holds the state of ``day`` (the live database for today, or a
    snapshot from :func:`state_at`); :func:`summary` picks the state itself.
    """
    theme_id = theme_id_of(session, theme_key)
    projects = _active_projects(theme_id)
    in_scope = Project.id.in_(projects)
    by_status = {str(s): 0 for s in ProjectStatus}
    for status, count in session.execute(
        select(Project.status, func.count()).where(in_scope).group_by(Project.status)
    ):
        by_status[status] = count
    total_cost, eligible_cost = session.execute(
        select(func.sum(Project.total_cost), func.sum(Project.eligible_cost)).where(in_scope)
    ).one()
    money = _funding_figures(session, projects, day)
    overdue = session.execute(
        select(func.count())
        .select_from(Milestone)
        .where(overdue_condition(day), Milestone.project_id.in_(projects))
    ).scalar_one()
    partners = _partner_figures(session, projects.scalar_subquery())
    return Summary(
        as_of=day,
        theme_key=theme_key,
        projects=sum(by_status.values()),
        by_status=by_status,
        total_cost=_dec(total_cost),
        eligible_cost=_dec(eligible_cost),
        funding_requested=money.requested,
        funding_approved=money.approved,
        own_share=money.own.own_share,
        own_budget=money.own.budget_beyond,
        own_share_gap=money.own.gap,
        paid_out=money.paid_out,
        overdue_milestones=overdue,
        overdue_payment_requests=money.warnings["payment_overdue"],
        payment_requests_due=money.payments_due,
        proofs_of_use_overdue=money.warnings["proof_overdue"],
        proofs_of_use_due=money.proofs_due,
        organisations=len(partners),
        themes=_theme_figures(session, theme_id, in_scope),
        programmes=_programme_figures(session, projects, day),
        partners=partners,
        warnings=rules.warning_counts(session, projects, day, known=money.warnings),
    )


@dataclass(frozen=True)
class Deadline:
    kind: str  # milestone, proof_of_use, payment_request
    due: dt.date
    project_key: str
    project_title: str
    item_key: str
    title: str


def proof_deadlines(projects: Select[Any], where: Any, *columns: Any) -> Select[Any]:
    """The proof-of-use dates of the counted applications of ``projects`` that meet ``where``:
    kind, due, project_key, project_title, item_key and then ``columns``. The one query of such
    dates, for the deadline lists of the brief, the overview and the Förderung page."""
    return (
        select(
            literal("proof_of_use").label("kind"),
            FundingApplication.proof_of_use_due.label("due"),
            Project.key.label("project_key"),
            Project.title.label("project_title"),
            FundingApplication.key.label("item_key"),
            *columns,
        )
        .join(Project, Project.id == FundingApplication.project_id)
        .where(rules.application_counts(projects), where)
    )


def payment_deadlines(projects: Select[Any], where: Any, *columns: Any) -> Select[Any]:
    """The payment requests of the counted applications of ``projects`` that meet ``where``,
    as :func:`proof_deadlines` has them (item_key is the request's key)."""
    return (
        select(
            literal("payment_request").label("kind"),
            PaymentRequest.due_on.label("due"),
            Project.key.label("project_key"),
            Project.title.label("project_title"),
            PaymentRequest.key.label("item_key"),
            *columns,
        )
        .join(FundingApplication, FundingApplication.id == PaymentRequest.application_id)
        .join(Project, Project.id == FundingApplication.project_id)
        .where(rules.application_counts(projects), where)
    )


def deadline_rows(projects: Select[Any], start: dt.date, end: dt.date) -> Any:
    """The open deadlines of the brief, the summary and the overview's radar, due in
    ``[start, end]``: open milestones, proof-of-use dates of running grants, planned or
    submitted payment requests (a subquery: kind, due, project_key, project_title, item_key,
    title)."""
    scope = Project.id.in_(projects)
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
            Milestone.active(),
            Milestone.done_date.is_(None),
            Milestone.due_date.between(start, end),
        )
    )
    proofs = proof_deadlines(
        projects,
        rules.proof_due_between(start, end),
        FundingApplication.reference_number.label("title"),
    )
    payments = payment_deadlines(
        projects,
        rules.payment_due_between(start, end),
        FundingApplication.key.label("title"),
    )
    return union_all(milestones, proofs, payments).subquery()


@requires(Action.READ_PORTFOLIO)
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
    projects = _active_projects(theme_id)
    union = deadline_rows(projects, start, end)
    stmt = select(union).order_by(union.c.due, union.c.project_key)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        Deadline(kind, due, pkey, ptitle, ikey, title or "")
        for kind, due, pkey, ptitle, ikey, title in session.execute(stmt)
    ]
