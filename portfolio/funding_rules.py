"""One funding truth: the conditions behind every funding figure, deadline and warning.

Every surface that counts funding money or warns about it takes its conditions from here, so they
agree to the cent and to the item: :func:`portfolio.figures.summary` (dashboard tiles, ``portfolio
summary``, the brief's key figures), the Förderung page's read model
(:mod:`portfolio.queries.funding_overview`), the brief's warnings (:mod:`reports.brief`), the
deadline lists and the cross-row checks of the services. The status groups themselves live next to
the enums in :mod:`db.enums`.

Definitions (for a day D; the portfolio as it stood at the end of D — for a past D the callers
run these conditions on the state rebuilt from the journal, see :func:`portfolio.figures.summary`):

* An application **counts** when it is not archived and its project is active and in scope.
* **Requested**: live applications (not rejected or withdrawn), their requested amount.
* **Awarded by D**: status awarded (approved, in progress, proof submitted, closed) and the
  decision dated on or before D (an awarded row without a decision date counts; the services
  never let one in).
* **Paid by D**: payment request paid and the payment dated on or before D.
* **Overdue payment request**: open (planned or submitted — neither paid nor rejected) and due
  before D.
* **Proof of use overdue / due**: a running grant (approved or in progress: the proof has not been
  handed in) whose proof-of-use deadline is before D / within ``[D, D + days]``.
* **Funding** is money from funders: programmes of every level but the city's own budget
  (``municipal``, programme HAUSHALT), which counts apart.
* **Own share, per project** (:func:`own_share_by_project`): the funded cost is the eligible cost
  of the project's awarded external applications, at most the project's eligible cost — so Bund
  and Land co-funding one cost count that cost once. The own share is the part of it no funder
  pays (funded cost − funding, never below zero and never above the applications' stored own
  shares, which may have been set lower explicitly).
* **City budget (own budget)**: the awarded HAUSHALT lines of a project pay first for the rest of
  the project's eligible cost outside the funded cost, and then for the own share ("cover"). The
  figures count the cover once, inside the own share, and report as own budget only the budget
  beyond it — own share + own budget is the city-side money, never a euro twice.
* **Own-share gap**: own share − city-budget cover − partners' cash contributions, where positive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeAlias

from sqlalchemy import (
    CTE,
    ColumnElement,
    CompoundSelect,
    ScalarSelect,
    Select,
    Subquery,
    and_,
    case,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from db.enums import (
    AWARDED_APPLICATION_STATUSES,
    COUNTED_PAYMENT_STATUSES,
    LIVE_APPLICATION_STATUSES,
    OPEN_PAYMENT_STATUSES,
    PUBLIC_FUNDING_LEVELS,
    RUNNING_GRANT_STATUSES,
    UNDECIDED_APPLICATION_STATUSES,
    CapScope,
    FundingLevel,
    PaymentRequestStatus,
    RefundKind,
)
from db.models import (
    ActionField,
    FundingApplication,
    FundingProgramme,
    Participation,
    PaymentRequest,
    ProgrammePhase,
    Project,
    Refund,
)
from portfolio.policy import Action, requires

DEADLINE_HORIZON_DAYS = 90
"""The window of "due soon" on the brief, the summary and the Förderung page's default."""
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

Rows: TypeAlias = Select[*tuple[Any, ...]]
"""A SELECT of any number of columns."""
ProjectIds = Select[Any] | Iterable[int]
"""The projects in scope: a SELECT of project ids, or the ids themselves."""
AppRows = CTE
"""The applications the rules across rows read (:func:`application_rows`)."""


def _dec(value: Any) -> Decimal:
    return Decimal(str(value) if value is not None else 0).quantize(CENT)


# ---- scope ------------------------------------------------------------------------------------


def project_scope(theme_id: int | None = None) -> Select[Any]:
    """Ids of the active (not archived) projects, of one Leitthema or all."""
    stmt = select(Project.id).where(Project.archived.is_(False))
    if theme_id is not None:
        stmt = stmt.join(ActionField, ActionField.id == Project.action_field_id).where(
            ActionField.theme_id == theme_id
        )
    return stmt


def _ids(projects: ProjectIds) -> Any:
    # Never correlated with an enclosing query that reads the same table.
    return projects.correlate(None) if isinstance(projects, Select) else list(projects)


def application_counts(projects: ProjectIds) -> ColumnElement[bool]:
    """An application that counts: not archived, of a project in scope."""
    return and_(
        FundingApplication.archived.is_(False), FundingApplication.project_id.in_(_ids(projects))
    )


# ---- programmes -------------------------------------------------------------------------------


def external_programme() -> ColumnElement[bool]:
    """Money from funders: every level but the city's own budget lines."""
    return FundingProgramme.level != FundingLevel.MUNICIPAL.value


def municipal_programme() -> ColumnElement[bool]:
    """The city's own budget lines (programme HAUSHALT)."""
    return FundingProgramme.level == FundingLevel.MUNICIPAL.value


def public_programme() -> ColumnElement[bool]:
    """Public funding (EU, Bund, Land): together at most the project's eligible cost."""
    return FundingProgramme.level.in_(PUBLIC_FUNDING_LEVELS)


# ---- applications -----------------------------------------------------------------------------


def counted_amount() -> ColumnElement[Any]:
    """What an application counts with: the approved amount once decided, else the requested one
    (as :func:`portfolio.services.funding.funding_amount`)."""
    return func.coalesce(FundingApplication.amount_approved, FundingApplication.amount_requested, 0)


def live_application() -> ColumnElement[bool]:
    return FundingApplication.status.in_(LIVE_APPLICATION_STATUSES)


def awarded_by(day: dt.date) -> ColumnElement[bool]:
    """Awarded, with the decision dated on or before ``day``."""
    return and_(
        FundingApplication.status.in_(AWARDED_APPLICATION_STATUSES),
        or_(FundingApplication.decision_on.is_(None), FundingApplication.decision_on <= day),
    )


def running_grant() -> ColumnElement[bool]:
    """Awarded and the proof of use still to hand in."""
    return FundingApplication.status.in_(RUNNING_GRANT_STATUSES)


def proof_overdue(day: dt.date) -> ColumnElement[bool]:
    return and_(running_grant(), FundingApplication.proof_of_use_due < day)


def proof_due_between(start: dt.date, end: dt.date) -> ColumnElement[bool]:
    return and_(running_grant(), FundingApplication.proof_of_use_due.between(start, end))


def approved_above_requested() -> ColumnElement[bool]:
    return exceeds(FundingApplication.amount_approved, FundingApplication.amount_requested)


def awarded_without_amount(day: dt.date) -> ColumnElement[bool]:
    return and_(awarded_by(day), FundingApplication.amount_approved.is_(None))


def live_without_amounts() -> ColumnElement[bool]:
    return and_(
        live_application(),
        FundingApplication.amount_requested.is_(None),
        FundingApplication.amount_approved.is_(None),
    )


def own_share_missing(day: dt.date) -> ColumnElement[bool]:
    """Awarded under a programme that requires an own share, with none left (the query must
    join the application's programme)."""
    return and_(
        FundingProgramme.requires_own_share.is_(True),
        awarded_by(day),
        FundingApplication.own_share <= 0,
    )


def early_start_without_consent(day: dt.date) -> ColumnElement[bool]:
    """A live application whose funding period starts before the award (or, still undecided,
    before ``day``) with no consent to an early start (vorzeitiger Maßnahmebeginn) given on or
    before that start."""
    start = FundingApplication.period_start
    return and_(
        live_application(),
        start.is_not(None),
        or_(
            FundingApplication.early_start_consent_on.is_(None),
            FundingApplication.early_start_consent_on > start,
        ),
        or_(
            and_(
                FundingApplication.status.in_(AWARDED_APPLICATION_STATUSES),
                FundingApplication.decision_on.is_not(None),
                start < FundingApplication.decision_on,
            ),
            and_(FundingApplication.status.in_(UNDECIDED_APPLICATION_STATUSES), start < day),
        ),
    )


def grant_period_outside_project() -> ColumnElement[bool]:
    """A live application's funding period begins before its project or ends after it (the
    query must join the project)."""
    return and_(
        live_application(),
        or_(
            and_(
                FundingApplication.period_start.is_not(None),
                Project.start_date.is_not(None),
                FundingApplication.period_start < Project.start_date,
            ),
            and_(
                FundingApplication.period_end.is_not(None),
                Project.end_date.is_not(None),
                FundingApplication.period_end > Project.end_date,
            ),
        ),
    )


# ---- payment requests -------------------------------------------------------------------------


def paid_by(day: dt.date) -> ColumnElement[bool]:
    """Paid out, with the payment dated on or before ``day``."""
    return and_(
        PaymentRequest.status == PaymentRequestStatus.PAID.value,
        or_(PaymentRequest.paid_on.is_(None), PaymentRequest.paid_on <= day),
    )


def open_payment() -> ColumnElement[bool]:
    """Planned or submitted: neither paid nor rejected."""
    return PaymentRequest.status.in_(OPEN_PAYMENT_STATUSES)


def counted_payment() -> ColumnElement[bool]:
    """A payment request that counts against the approved amount (all but rejected ones)."""
    return PaymentRequest.status.in_(COUNTED_PAYMENT_STATUSES)


def refund_principal() -> ColumnElement[bool]:
    """A refund claim whose amount goes back to the funder (a Rückforderung; an interest claim
    on money drawn too early returns no principal)."""
    return Refund.kind == RefundKind.REFUND.value


def refunds_claimed(application_id: Any) -> ScalarSelect[Any]:
    """The principal claimed back under an application (correlated on ``application_id``)."""
    return (
        select(func.coalesce(func.sum(Refund.amount), 0))
        .where(Refund.application_id == application_id, refund_principal())
        .scalar_subquery()
    )


def payment_above_window_need() -> ColumnElement[bool]:
    """A counted payment request above what the payments due within the programme's spending
    window need (the query must join the application's programme)."""
    return and_(
        counted_payment(),
        FundingProgramme.payment_window.is_not(None),
        PaymentRequest.window_need.is_not(None),
        exceeds(PaymentRequest.amount, PaymentRequest.window_need),
    )


def _payment_day() -> ColumnElement[Any]:
    """The day a payment request is about: paid on, else due on."""
    return func.coalesce(PaymentRequest.paid_on, PaymentRequest.due_on)


def payment_outside_project() -> ColumnElement[bool]:
    """A counted payment request paid (or due) before its project starts or after it ends (the
    query must join the project)."""
    day = _payment_day()
    return and_(
        counted_payment(),
        or_(
            and_(Project.start_date.is_not(None), day < Project.start_date),
            and_(Project.end_date.is_not(None), day > Project.end_date),
        ),
    )


def payment_overdue(day: dt.date) -> ColumnElement[bool]:
    """Open and due before ``day``."""
    return and_(open_payment(), PaymentRequest.due_on < day)


def payment_due_between(start: dt.date, end: dt.date) -> ColumnElement[bool]:
    return and_(open_payment(), PaymentRequest.due_on.between(start, end))


# ---- SQL helpers that work alike on SQLite and PostgreSQL -------------------------------------


class _greatest(FunctionElement[Any]):
    """The larger of two values: ``greatest`` on PostgreSQL, the two-argument ``max`` on SQLite
    (both arguments must be non-null there)."""

    inherit_cache = True
    name = "greatest"


class _least(FunctionElement[Any]):
    """The smaller of two values (see :class:`_greatest`)."""

    inherit_cache = True
    name = "least"


@compiles(_greatest)
def _greatest_default(element: Any, compiler: Any, **kw: Any) -> str:
    return f"greatest({compiler.process(element.clauses, **kw)})"


@compiles(_greatest, "sqlite")
def _greatest_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(_least)
def _least_default(element: Any, compiler: Any, **kw: Any) -> str:
    return f"least({compiler.process(element.clauses, **kw)})"


@compiles(_least, "sqlite")
def _least_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


def _lesser(a: Any, b: Any) -> Any:
    return _least(a, b)


def _positive(a: Any) -> Any:
    """``a`` where above zero, else 0."""
    return _greatest(a, 0)


def exceeds(a: Any, b: Any) -> ColumnElement[bool]:
    """``a > b`` by at least a cent (never by float noise)."""
    return func.round(a - b, 2) > 0


# ---- own share, city budget and the gap, per project ------------------------------------------


def own_share_by_project(projects: ProjectIds, day: dt.date) -> Subquery:
    """One row per project in scope that has awarded funding or budget lines by ``day``.

    Columns: ``project_id``, ``funded_cost``, ``funding`` (awarded external), ``own_share``,
    ``budget`` (awarded city budget lines), ``budget_cover`` (the part of it paying the own
    share), ``budget_beyond`` (the rest), ``partner_cash`` and ``gap`` (see the module doc).
    """
    ids = _ids(projects)
    amount = counted_amount()
    external, municipal = external_programme(), municipal_programme()
    awarded = (
        select(
            FundingApplication.project_id.label("project_id"),
            func.sum(amount).filter(external).label("funding"),
            func.sum(
                func.coalesce(
                    FundingApplication.eligible_cost,
                    amount + func.coalesce(FundingApplication.own_share, 0),
                )
            )
            .filter(external)
            .label("cost"),
            func.sum(func.coalesce(FundingApplication.own_share, 0))
            .filter(external)
            .label("stored"),
            func.sum(func.coalesce(FundingApplication.amount_approved, 0))
            .filter(municipal)
            .label("budget"),
        )
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .where(application_counts(ids), awarded_by(day))
        .group_by(FundingApplication.project_id)
        .subquery()
    )
    cash = (
        select(
            Participation.project_id.label("project_id"),
            func.sum(Participation.contribution_cash).label("cash"),
        )
        .where(Participation.project_id.in_(ids))
        .group_by(Participation.project_id)
        .subquery()
    )
    funding = func.coalesce(awarded.c.funding, 0)
    cost = func.coalesce(awarded.c.cost, 0)
    eligible = Project.eligible_cost
    # The funded cost: the applications' eligible cost, at most the project's.
    funded_cost = _lesser(cost, func.coalesce(eligible, cost))
    own = _lesser(_positive(funded_cost - funding), func.coalesce(awarded.c.stored, 0))
    lines = func.coalesce(awarded.c.budget, 0)
    # The budget lines pay the project's eligible cost outside the funded cost first (none is
    # known outside it where the project has no eligible cost).
    room = _positive(func.coalesce(eligible, funded_cost) - funded_cost)
    cover = _lesser(_positive(lines - room), own)
    partner_cash = func.coalesce(cash.c.cash, 0)
    inner = (
        select(
            Project.id.label("project_id"),
            funded_cost.label("funded_cost"),
            funding.label("funding"),
            own.label("own_share"),
            lines.label("budget"),
            cover.label("budget_cover"),
            partner_cash.label("partner_cash"),
        )
        .join(awarded, awarded.c.project_id == Project.id)
        .join(cash, cash.c.project_id == Project.id, isouter=True)
        .subquery()
    )
    return select(
        inner,
        (inner.c.budget - inner.c.budget_cover).label("budget_beyond"),
        _positive(inner.c.own_share - inner.c.budget_cover - inner.c.partner_cash).label("gap"),
    ).subquery()


def _gapped(projects: Any, day: dt.date) -> Rows:
    """The projects with an own-share gap: (project_id, gap, own_share)."""
    lines = own_share_by_project(projects, day)
    return select(lines.c.project_id, lines.c.gap, lines.c.own_share).where(
        func.round(lines.c.gap, 2) > 0
    )


@dataclass(frozen=True)
class OwnShareTotals:
    own_share: Decimal
    budget: Decimal
    budget_cover: Decimal
    budget_beyond: Decimal
    partner_cash: Decimal  # of the projects with an own share
    gap: Decimal
    gap_projects: int


@requires(Action.READ_PORTFOLIO)
def own_share_totals(session: Session, projects: ProjectIds, day: dt.date) -> OwnShareTotals:
    lines = own_share_by_project(projects, day)
    has_own = func.round(lines.c.own_share, 2) > 0
    gapped = func.round(lines.c.gap, 2) > 0
    row = session.execute(
        select(
            func.sum(lines.c.own_share),
            func.sum(lines.c.budget),
            func.sum(lines.c.budget_cover),
            func.sum(lines.c.budget_beyond),
            func.sum(lines.c.partner_cash).filter(has_own),
            func.sum(lines.c.gap).filter(gapped),
            func.count().filter(gapped),
        )
    ).one()
    own, budget, cover, beyond, cash, gap, gap_projects = row
    return OwnShareTotals(
        own_share=_dec(own),
        budget=_dec(budget),
        budget_cover=_dec(cover),
        budget_beyond=_dec(beyond),
        partner_cash=_dec(cash),
        gap=_dec(gap),
        gap_projects=int(gap_projects or 0),
    )


# ---- warnings ---------------------------------------------------------------------------------

WARNING_CODES = (
    "proof_overdue",
    "payment_overdue",
    "payments_above_approved",
    "public_above_eligible",
    "approved_above_requested",
    "approved_without_amount",
    "live_without_amounts",
    "own_share_missing",
    "own_share_gap",
    "own_share_replaced",
    "cap_exceeded",
    "early_start_without_consent",
    "payment_above_window_need",
    "grant_period_outside_project",
    "payment_outside_project",
)
"""Every funding warning, in the order the surfaces list them."""

WARNING_TITLES: dict[str, tuple[str, str]] = {
    "proof_overdue": (
        "Verwendungsnachweis überfällig (Antrag noch bewilligt / in Durchführung)",
        "Proof of use overdue (application still approved / in progress)",
    ),
    "payment_overdue": (
        "Mittelabruf offen (geplant oder eingereicht), Fälligkeit verstrichen",
        "Payment request open (planned or submitted), due date passed",
    ),
    "payments_above_approved": (
        "Mittelabrufe übersteigen den bewilligten Betrag",
        "Payment requests exceed the approved amount",
    ),
    "public_above_eligible": (
        "Öffentliche Förderung übersteigt die förderfähigen Kosten des Projekts",
        "Public funding exceeds the project's eligible cost",
    ),
    "approved_above_requested": (
        "Bewilligt ist mehr als beantragt",
        "Approved is more than requested",
    ),
    "approved_without_amount": (
        "Bewilligt, aber ohne bewilligten Betrag",
        "Approved without an approved amount",
    ),
    "live_without_amounts": ("Laufender Antrag ohne Beträge", "Live application without amounts"),
    "own_share_missing": (
        "Programm verlangt einen Eigenanteil, es ist keiner da",
        "The programme requires an own share and there is none",
    ),
    "own_share_gap": (
        "Eigenanteil weder durch Haushaltsmittel noch durch Geldbeiträge der Partner gedeckt",
        "Own share covered neither by the city's budget nor by partners' cash",
    ),
    "own_share_replaced": (
        "Eigenanteil durch Mittel ersetzt, die das Programm ausschließt (z. B. Bundesmittel)",
        "Own share replaced by money the programme excludes (e.g. federal money)",
    ),
    "cap_exceeded": (
        "Förderung eines Programms (einer Phase) übersteigt die Obergrenze",
        "Funding under a programme (phase) exceeds its cap",
    ),
    "early_start_without_consent": (
        "Vorzeitiger Maßnahmebeginn ohne Zustimmung des Fördergebers",
        "Early start without the funder's consent",
    ),
    "payment_above_window_need": (
        "Mittelabruf übersteigt den Bedarf in der Verwendungsfrist",
        "Payment request exceeds the need within the spending window",
    ),
    "grant_period_outside_project": (
        "Förderzeitraum außerhalb der Projektlaufzeit",
        "Funding period outside the project period",
    ),
    "payment_outside_project": (
        "Mittelabruf außerhalb der Projektlaufzeit",
        "Payment request outside the project period",
    ),
}


def warning_title(code: str, lang: str = "de") -> str:
    """The short title of a warning kind, for lists grouped by kind."""
    de, en = WARNING_TITLES.get(code, (code, code))
    return en if lang == "en" else de


@dataclass(frozen=True)
class Finding:
    """One warning: which rule, where, and the numbers it is about."""

    code: str
    project_key: str
    project_title: str
    item_key: str
    amount: Decimal | None = None
    limit: Decimal | None = None
    day: dt.date | None = None
    status: str | None = None


# ---- the cross-row rules: on the stored applications, or with one about to be written --------

APPLICATION_COLUMNS = (
    "id",
    "project_id",
    "programme_id",
    "phase",
    "status",
    "amount_requested",
    "amount_approved",
    "eligible_cost",
    "own_share",
    "alternative_to_id",
    "implementation_measure",
)
"""What the rules across applications read of each application."""
NEW_ROW_ID = -1
"""The id a new application has in :func:`application_rows` until it is written."""


def application_rows(
    candidate: Mapping[str, Any] | None = None,
    *,
    projects: ProjectIds | None = None,
    programme_id: int | None = None,
    programmes: Select[Any] | None = None,
    restored: Iterable[int] | None = None,
) -> AppRows:
    """The applications the rules across rows run on: those that count (not archived, of an
    active project; of ``projects`` and under ``programme_id`` where given, so that a check of
    one project reads only its rows), with ``candidate`` — the merged values of one application
    about to be written, ``id`` None when new — in place of its stored row. So the services
    check a change with the very rules the warnings and the import apply to the stored state.

    A common table expression: the rules read it several times, the database computes it once.
    ``programmes``: only applications under these (a SELECT of programme ids)."""
    cols = [getattr(FundingApplication, c) for c in APPLICATION_COLUMNS]
    active = project_scope()
    if restored is not None:  # projects about to be restored count as active
        active = select(Project.id).where(
            or_(Project.archived.is_(False), Project.id.in_(list(restored)))
        )
    # ``projects`` are a part of the active ones (the scope of a page, one project's check)
    stored = select(*(c.label(c.key) for c in cols)).where(
        application_counts(active if projects is None else projects),
        *(() if programme_id is None else (FundingApplication.programme_id == programme_id,)),
        *(() if programmes is None else (FundingApplication.programme_id.in_(programmes),)),
    )
    if candidate is None:
        return stored.cte()
    row_id = candidate.get("id")
    if row_id is not None:
        stored = stored.where(FundingApplication.id != row_id)
    values = {c: candidate.get(c) for c in APPLICATION_COLUMNS}
    values["id"] = NEW_ROW_ID if row_id is None else row_id
    values["implementation_measure"] = bool(values["implementation_measure"])
    own = select(*(literal(values[c.key], type_=c.type).label(c.key) for c in cols))
    return union_all(stored, own).cte()


def _amount(a: AppRows) -> ColumnElement[Any]:
    """What an application counts with (see :func:`counted_amount`)."""
    return func.coalesce(a.c.amount_approved, a.c.amount_requested, 0)


def _payable_rows(a: AppRows, where: ColumnElement[bool]) -> Subquery:
    """Live applications matching ``where`` with what of each can really be paid out beside
    the others (``payable``): in a group of an application and its declared alternatives the
    awarded amounts count once any of them is awarded, else only the largest one (an
    alternative applied for elsewhere on the same cost is no cumulation until a second one is
    awarded). Columns: project_id, programme_id, level, excluded (the level the programme
    excludes from its own share), payable."""
    amount = _amount(a)
    group = func.coalesce(a.c.alternative_to_id, a.c.id)
    awarded = a.c.status.in_(AWARDED_APPLICATION_STATUSES)
    window = (a.c.project_id, group)
    n_awarded = func.sum(case((awarded, 1), else_=0)).over(partition_by=window)
    rank = func.row_number().over(partition_by=window, order_by=(amount.desc(), a.c.id))
    payable = case(
        (n_awarded > 0, case((awarded, amount), else_=0)),
        (rank == 1, amount),
        else_=0,
    )
    # Most applications have no declared alternative: they pay what they count with, and only
    # the few groups with alternatives need the window.
    in_group = or_(
        a.c.alternative_to_id.is_not(None),
        a.c.id.in_(select(a.c.alternative_to_id).where(a.c.alternative_to_id.is_not(None))),
    )
    live = a.c.status.in_(LIVE_APPLICATION_STATUSES)

    def rows(money: Any, *conditions: ColumnElement[bool]) -> Rows:
        return (
            select(
                a.c.project_id,
                a.c.programme_id,
                FundingProgramme.level.label("level"),
                FundingProgramme.own_share_excluded_level.label("excluded"),
                money.label("payable"),
            )
            .join(FundingProgramme, FundingProgramme.id == a.c.programme_id)
            .where(live, where, *conditions)
        )

    return union_all(rows(amount, ~in_group), rows(payable, in_group)).subquery()


def _application_bound(a: AppRows, *, only_without_own: bool) -> Subquery:
    """Per project, the largest sum of the live public applications' own eligible costs under
    one programme: applications under one programme fund different costs, applications under
    different programmes are taken to fund the same cost (project_id, bound). With
    ``only_without_own`` only for the projects without an eligible cost of their own (the only
    ones it binds when the stored eligible costs count)."""
    extra: tuple[ColumnElement[bool], ...] = ()
    if only_without_own:
        extra = (a.c.project_id.in_(select(Project.id).where(Project.eligible_cost.is_(None))),)
    per_programme = (
        select(
            a.c.project_id,
            a.c.programme_id,
            func.sum(a.c.eligible_cost).label("cost"),
        )
        .join(FundingProgramme, FundingProgramme.id == a.c.programme_id)
        .where(
            a.c.status.in_(LIVE_APPLICATION_STATUSES),
            public_programme(),
            a.c.eligible_cost.is_not(None),
            *extra,
        )
        .group_by(a.c.project_id, a.c.programme_id)
        .subquery()
    )
    return (
        select(per_programme.c.project_id, func.max(per_programme.c.cost).label("bound"))
        .group_by(per_programme.c.project_id)
        .subquery()
    )


def cumulation_bound(project_eligible: Any, application_bound: Any) -> ColumnElement[Any]:
    """What public funding may reach together: the project's eligible cost; where that is empty,
    the applications' own eligible costs (see :func:`_application_bound`)."""
    return func.coalesce(project_eligible, application_bound)


def _app_rows(projects: Any) -> Rows:
    stmt: Rows = (
        select(Project.key, Project.title, FundingApplication.key.label("item_key"))
        .join(Project, Project.id == FundingApplication.project_id)
        .where(application_counts(projects))
    )
    return stmt


def public_above_eligible(
    projects: ProjectIds, *, apps: AppRows | None = None, project_eligible: Any = None
) -> Rows:
    """Projects whose payable public funding (EU, Bund, Land) exceeds what binds it (see
    :func:`cumulation_bound`): (project_id, key, title, total, eligible_cost — the bound). The
    warning, the services' check and the import's cross-row check. ``apps`` defaults to the
    stored applications; ``project_eligible`` stands in for the project's eligible cost."""
    a = apps
    if a is None and project_eligible is not None:  # the eligible cost of a change
        a = application_rows(projects=projects)
    if a is None:
        public_ids = select(FundingProgramme.id).where(public_programme())
        # What can be paid out together is never more than the plain sum: only projects whose
        # plain sum exceeds their eligible cost (or that have none) can breach the rule.
        plain = (
            select(FundingApplication.project_id)
            .join(Project, Project.id == FundingApplication.project_id)
            .where(
                application_counts(projects),
                live_application(),
                FundingApplication.programme_id.in_(public_ids),
            )
            .group_by(FundingApplication.project_id, Project.eligible_cost)
            .having(
                or_(
                    Project.eligible_cost.is_(None),
                    exceeds(func.sum(counted_amount()), Project.eligible_cost),
                )
            )
        )
        a = application_rows(projects=plain, programmes=public_ids)
    payable = _payable_rows(a, public_programme())
    total = (
        select(payable.c.project_id, func.sum(payable.c.payable).label("total"))
        .group_by(payable.c.project_id)
        .subquery()
    )
    costs = _application_bound(a, only_without_own=project_eligible is None)
    bound = cumulation_bound(
        Project.eligible_cost if project_eligible is None else project_eligible, costs.c.bound
    )
    return (
        select(
            Project.id.label("project_id"),
            Project.key,
            Project.title,
            total.c.total,
            bound.label("eligible_cost"),
        )
        .join(total, total.c.project_id == Project.id)
        .join(costs, costs.c.project_id == Project.id, isouter=True)
        .where(Project.id.in_(_ids(projects)), bound.is_not(None), exceeds(total.c.total, bound))
    )


def own_share_replaced(
    projects: ProjectIds, *, apps: AppRows | None = None, project_eligible: Any = None
) -> Rows:
    """Projects where money of a level a programme excludes from its own share (MPSC: other
    federal money) pays part of that own share: the other money of that level exceeds the
    bound less the cost the excluding applications cover (their funding plus own share).
    Rows: (project_id, key, title, level, other, room)."""
    if apps is None:  # only the projects where a programme excludes a level from its own share
        excluding_projects = (
            select(FundingApplication.project_id)
            .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
            .where(
                application_counts(projects),
                FundingProgramme.own_share_excluded_level.is_not(None),
            )
        )
    a = apps if apps is not None else application_rows(projects=excluding_projects)
    amount = _amount(a)
    own = func.coalesce(a.c.own_share, _positive(func.coalesce(a.c.eligible_cost, amount) - amount))
    excluding = (
        select(
            a.c.project_id,
            FundingProgramme.own_share_excluded_level.label("level"),
            # the cost the excluding application funds, whoever pays its own share
            func.sum(func.coalesce(a.c.eligible_cost, amount + own)).label("covered"),
        )
        .join(FundingProgramme, FundingProgramme.id == a.c.programme_id)
        .where(a.c.status.in_(LIVE_APPLICATION_STATUSES))
        .where(FundingProgramme.own_share_excluded_level.is_not(None))
        .group_by(a.c.project_id, FundingProgramme.own_share_excluded_level)
        .subquery()
    )
    payable = _payable_rows(a, public_programme())
    other = (
        select(
            payable.c.project_id,
            payable.c.level,
            func.sum(payable.c.payable).label("other"),
        )
        .where(or_(payable.c.excluded.is_(None), payable.c.excluded != payable.c.level))
        .group_by(payable.c.project_id, payable.c.level)
        .subquery()
    )
    costs = _application_bound(a, only_without_own=project_eligible is None)
    bound = cumulation_bound(
        Project.eligible_cost if project_eligible is None else project_eligible, costs.c.bound
    )
    room = _positive(bound - excluding.c.covered)
    return (
        select(
            Project.id.label("project_id"),
            Project.key,
            Project.title,
            excluding.c.level,
            other.c.other,
            room.label("room"),
        )
        .join(excluding, excluding.c.project_id == Project.id)
        .join(
            other,
            and_(other.c.project_id == Project.id, other.c.level == excluding.c.level),
        )
        .join(costs, costs.c.project_id == Project.id, isouter=True)
        .where(Project.id.in_(_ids(projects)), bound.is_not(None), exceeds(other.c.other, room))
    )


def payments_above_approved(
    applications: Select[Any] | Iterable[int] | None = None, *, projects: ProjectIds | None = None
) -> Rows:
    """Applications (of the ids given, or of the projects in scope) whose counted payment
    requests (all but rejected ones), net of the refunds claimed back, exceed the approved
    amount (none approved counts as 0): (application_id, total, amount_approved)."""
    if projects is not None:
        where = application_counts(projects)
    else:
        assert applications is not None
        where = FundingApplication.id.in_(_ids(applications))
    total = func.sum(PaymentRequest.amount) - refunds_claimed(FundingApplication.id)
    return (
        select(
            FundingApplication.id.label("application_id"),
            total.label("total"),
            FundingApplication.amount_approved,
        )
        .join(PaymentRequest, PaymentRequest.application_id == FundingApplication.id)
        .where(where, counted_payment())
        .group_by(FundingApplication.id, FundingApplication.amount_approved)
        .having(exceeds(total, func.coalesce(FundingApplication.amount_approved, 0)))
    )


CAP_KINDS = ("phase", "programme", "implementation")
"""The caps of a programme: of a phase, of the programme over all its phases, and of a phase's
first implementation measures."""


def cap_totals(
    projects: ProjectIds | None = None,
    *,
    apps: AppRows | None = None,
    programme_id: int | None = None,
    only_exceeding: bool = True,
) -> CompoundSelect[*tuple[Any, ...]]:
    """Live applications' money against the caps of their programme, at the programme's scope
    (:class:`db.enums.CapScope`: per application, per project, or the sum over all the city's
    measures): (kind, programme_id, programme_key, phase, scope_project, scope_application,
    total, cap). ``scope_project`` is empty for a city-wide cap, ``scope_application`` set only
    for a cap per application. With ``projects`` only the caps binding applications of those
    projects (a city-wide cap always binds all)."""
    capped_programmes = select(FundingProgramme.id).where(
        or_(
            FundingProgramme.cap.is_not(None),
            FundingProgramme.id.in_(
                select(ProgrammePhase.programme_id).where(
                    or_(
                        ProgrammePhase.cap.is_not(None),
                        ProgrammePhase.implementation_cap.is_not(None),
                    )
                )
            ),
        )
    )
    a = apps
    if a is None:
        a = application_rows(programme_id=programme_id, programmes=capped_programmes)
    capped = or_(
        FundingProgramme.cap.is_not(None),
        ProgrammePhase.cap.is_not(None),
        ProgrammePhase.implementation_cap.is_not(None),
    )
    city = FundingProgramme.cap_scope == CapScope.CITY.value
    per_app = FundingProgramme.cap_scope == CapScope.APPLICATION.value
    rows = (
        select(
            a.c.programme_id,
            FundingProgramme.key.label("programme_key"),
            a.c.phase,
            case((city, null()), else_=a.c.project_id).label("scope_project"),
            case((per_app, a.c.id), else_=null()).label("scope_application"),
            _amount(a).label("amount"),
            a.c.implementation_measure,
            FundingProgramme.cap.label("programme_cap"),
            ProgrammePhase.cap.label("phase_cap"),
            ProgrammePhase.implementation_cap.label("implementation_cap"),
        )
        .join(FundingProgramme, FundingProgramme.id == a.c.programme_id)
        .join(
            ProgrammePhase,
            and_(
                ProgrammePhase.programme_id == a.c.programme_id,
                ProgrammePhase.key == a.c.phase,
            ),
            isouter=True,
        )
        .where(a.c.status.in_(LIVE_APPLICATION_STATUSES), capped)
    )
    if programme_id is not None:
        rows = rows.where(a.c.programme_id == programme_id)
    r = rows.subquery()
    where: list[ColumnElement[bool]] = []
    if projects is not None:
        where.append(or_(r.c.scope_project.is_(None), r.c.scope_project.in_(_ids(projects))))
    scope = (r.c.programme_id, r.c.programme_key, r.c.scope_project, r.c.scope_application)

    def grouped(kind: str, cap: Any, *extra: ColumnElement[bool], by_phase: bool) -> Rows:
        total = func.sum(r.c.amount)
        stmt = (
            select(
                literal(kind).label("kind"),
                r.c.programme_id,
                r.c.programme_key,
                (r.c.phase if by_phase else null()).label("phase"),
                r.c.scope_project,
                r.c.scope_application,
                total.label("total"),
                func.max(cap).label("cap"),
            )
            .where(cap.is_not(None), *where, *extra)
            .group_by(*scope, *((r.c.phase,) if by_phase else ()))
        )
        if only_exceeding:
            stmt = stmt.having(exceeds(total, func.max(cap)))
        return stmt

    return union_all(
        grouped("phase", r.c.phase_cap, by_phase=True),
        grouped("programme", r.c.programme_cap, by_phase=False),
        grouped(
            "implementation",
            r.c.implementation_cap,
            r.c.implementation_measure.is_(True),
            by_phase=True,
        ),
    )


def caps_exceeded(projects: ProjectIds) -> Rows:
    """The caps exceeded, for the warnings (see :func:`cap_totals`)."""
    return select(cap_totals(projects).subquery())


def _cap_findings(projects: Any) -> Rows:
    grouped = caps_exceeded(projects).subquery()
    item = func.coalesce(
        grouped.c.programme_key + literal(" ") + grouped.c.phase, grouped.c.programme_key
    )
    # A city-wide cap is about no one project: no project key, the programme's name.
    key = func.coalesce(Project.key, literal(""))
    title = func.coalesce(Project.title, FundingProgramme.name)
    return (
        select(
            key.label("key"),
            title.label("title"),
            item.label("item_key"),
            grouped.c.total.label("amount"),
            grouped.c.cap.label("limit"),
            null().label("day"),
            grouped.c.kind.label("status"),
        )
        .select_from(grouped)
        .join(FundingProgramme, FundingProgramme.id == grouped.c.programme_id)
        .join(Project, Project.id == grouped.c.scope_project, isouter=True)
    )


def warning_queries(projects: ProjectIds, day: dt.date) -> dict[str, Rows]:
    """Per warning code a SELECT of its findings, each row (project key, project title, item key,
    amount, limit, day, status), ordered for reading."""
    ids = _ids(projects)
    apps = _app_rows(ids)
    none = null()
    pay = (
        select(Project.key, Project.title, PaymentRequest.key.label("item_key"))
        .select_from(PaymentRequest)
        .join(FundingApplication, FundingApplication.id == PaymentRequest.application_id)
        .join(Project, Project.id == FundingApplication.project_id)
        .where(application_counts(ids))
    )
    public = public_above_eligible(ids).subquery()
    above = payments_above_approved(projects=ids)
    above_sq = above.subquery()
    lines = own_share_by_project(ids, day)
    replaced = own_share_replaced(ids).subquery()
    queries: dict[str, Rows] = {
        "proof_overdue": apps.add_columns(
            none.label("amount"),
            none.label("limit"),
            FundingApplication.proof_of_use_due.label("day"),
            FundingApplication.status.label("status"),
        )
        .where(proof_overdue(day))
        .order_by(FundingApplication.proof_of_use_due, FundingApplication.key),
        "payment_overdue": pay.add_columns(
            PaymentRequest.amount.label("amount"),
            none.label("limit"),
            PaymentRequest.due_on.label("day"),
            PaymentRequest.status.label("status"),
        )
        .where(payment_overdue(day))
        .order_by(PaymentRequest.due_on, PaymentRequest.key),
        "payments_above_approved": apps.add_columns(
            above_sq.c.total.label("amount"),
            FundingApplication.amount_approved.label("limit"),
            none.label("day"),
            FundingApplication.status.label("status"),
        )
        .join(above_sq, above_sq.c.application_id == FundingApplication.id)
        .order_by(FundingApplication.key),
        "public_above_eligible": select(
            public.c.key,
            public.c.title,
            public.c.key.label("item_key"),
            public.c.total.label("amount"),
            public.c.eligible_cost.label("limit"),
            none.label("day"),
            none.label("status"),
        ).order_by(public.c.key),
        "approved_above_requested": apps.add_columns(
            FundingApplication.amount_approved.label("amount"),
            FundingApplication.amount_requested.label("limit"),
            none.label("day"),
            FundingApplication.status.label("status"),
        )
        .where(approved_above_requested())
        .order_by(FundingApplication.key),
        "approved_without_amount": apps.add_columns(
            none.label("amount"),
            none.label("limit"),
            none.label("day"),
            FundingApplication.status.label("status"),
        )
        .where(awarded_without_amount(day))
        .order_by(FundingApplication.key),
        "live_without_amounts": apps.add_columns(
            none.label("amount"),
            none.label("limit"),
            none.label("day"),
            FundingApplication.status.label("status"),
        )
        .where(live_without_amounts())
        .order_by(FundingApplication.key),
        "own_share_missing": apps.add_columns(
            FundingApplication.own_share.label("amount"),
            none.label("limit"),
            none.label("day"),
            FundingApplication.status.label("status"),
        )
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .where(own_share_missing(day))
        .order_by(FundingApplication.key),
        "own_share_gap": select(
            Project.key,
            Project.title,
            Project.key.label("item_key"),
            lines.c.gap.label("amount"),
            lines.c.own_share.label("limit"),
            none.label("day"),
            none.label("status"),
        )
        .join(lines, lines.c.project_id == Project.id)
        .where(func.round(lines.c.gap, 2) > 0)
        .order_by(lines.c.gap.desc(), Project.key),
        "own_share_replaced": select(
            replaced.c.key,
            replaced.c.title,
            replaced.c.key.label("item_key"),
            replaced.c.other.label("amount"),
            replaced.c.room.label("limit"),
            none.label("day"),
            replaced.c.level.label("status"),
        ).order_by(replaced.c.key),
        "cap_exceeded": _cap_findings(ids).order_by("key", "item_key"),
        "early_start_without_consent": apps.add_columns(
            none.label("amount"),
            none.label("limit"),
            FundingApplication.period_start.label("day"),
            FundingApplication.status.label("status"),
        )
        .where(early_start_without_consent(day))
        .order_by(FundingApplication.key),
        "payment_above_window_need": pay.add_columns(
            PaymentRequest.amount.label("amount"),
            PaymentRequest.window_need.label("limit"),
            PaymentRequest.due_on.label("day"),
            PaymentRequest.status.label("status"),
        )
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .where(payment_above_window_need())
        .order_by(PaymentRequest.due_on, PaymentRequest.key),
        "grant_period_outside_project": apps.add_columns(
            none.label("amount"),
            none.label("limit"),
            func.coalesce(
                case(
                    (FundingApplication.period_start < Project.start_date, Project.start_date),
                    else_=null(),
                ),
                Project.end_date,
            ).label("day"),
            FundingApplication.status.label("status"),
        )
        .where(grant_period_outside_project())
        .order_by(FundingApplication.key),
        "payment_outside_project": pay.add_columns(
            PaymentRequest.amount.label("amount"),
            none.label("limit"),
            _payment_day().label("day"),
            PaymentRequest.status.label("status"),
        )
        .where(payment_outside_project())
        .order_by(PaymentRequest.due_on, PaymentRequest.key),
    }
    return queries


ROW_WARNINGS = (
    "proof_overdue",
    "approved_above_requested",
    "approved_without_amount",
    "live_without_amounts",
    "own_share_missing",
    "early_start_without_consent",
    "grant_period_outside_project",
)
"""The warnings about one application each: counted in one pass over the applications."""
PAYMENT_WARNINGS = ("payment_overdue", "payment_above_window_need", "payment_outside_project")
"""The warnings about one payment request each: counted in one pass over the requests."""
GROUP_WARNINGS = (
    "payments_above_approved",
    "public_above_eligible",
    "own_share_gap",
    "own_share_replaced",
    "cap_exceeded",
)
"""The warnings about totals across rows: one grouped query each."""


def row_warning_conditions(day: dt.date) -> dict[str, ColumnElement[bool]]:
    """The condition of each warning about one application (the query must join the
    application's programme and project), for counting them in a pass over the applications."""
    return {
        "proof_overdue": proof_overdue(day),
        "approved_above_requested": approved_above_requested(),
        "approved_without_amount": awarded_without_amount(day),
        "live_without_amounts": live_without_amounts(),
        "own_share_missing": own_share_missing(day),
        "early_start_without_consent": early_start_without_consent(day),
        "grant_period_outside_project": grant_period_outside_project(),
    }


def payment_warning_conditions(day: dt.date) -> dict[str, ColumnElement[bool]]:
    """The condition of each warning about one payment request (the query must join the
    request's application, its programme and its project)."""
    return {
        "payment_overdue": payment_overdue(day),
        "payment_above_window_need": payment_above_window_need(),
        "payment_outside_project": payment_outside_project(),
    }


@requires(Action.READ_PORTFOLIO)
def warning_counts(
    session: Session,
    projects: ProjectIds,
    day: dt.date,
    *,
    known: dict[str, int] | None = None,
) -> dict[str, int]:
    """How many findings of each warning code (every code, zero included) — the same conditions
    as :func:`findings`, counted in few passes. ``known`` takes counts the caller has already
    made with these rules (the summary's own-share gaps), so they are not counted again."""
    ids = _ids(projects)
    counts: dict[str, int] = dict(known or {})
    conditions = row_warning_conditions(day)
    wanted = [code for code in ROW_WARNINGS if code not in counts]
    if wanted:
        row = session.execute(
            select(*(func.count().filter(conditions[code]) for code in wanted))
            .select_from(FundingApplication)
            .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
            .join(Project, Project.id == FundingApplication.project_id)
            .where(application_counts(ids))
        ).one()
        counts.update(zip(wanted, (int(n or 0) for n in row), strict=True))
    pay_conditions = payment_warning_conditions(day)
    pay_wanted = [code for code in PAYMENT_WARNINGS if code not in counts]
    if pay_wanted:
        row = session.execute(
            select(*(func.count().filter(pay_conditions[code]) for code in pay_wanted))
            .select_from(PaymentRequest)
            .join(FundingApplication, FundingApplication.id == PaymentRequest.application_id)
            .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
            .join(Project, Project.id == FundingApplication.project_id)
            .where(application_counts(ids))
        ).one()
        counts.update(zip(pay_wanted, (int(n or 0) for n in row), strict=True))
    cores: dict[str, Any] = {
        "payments_above_approved": lambda: payments_above_approved(projects=ids),
        "public_above_eligible": lambda: public_above_eligible(ids),
        "cap_exceeded": lambda: caps_exceeded(ids),
        "own_share_gap": lambda: _gapped(ids, day),
        "own_share_replaced": lambda: own_share_replaced(ids),
    }
    for code in GROUP_WARNINGS:
        if code not in counts:
            sub = cores[code]().subquery()
            counts[code] = int(session.execute(select(func.count()).select_from(sub)).scalar_one())
    return {code: counts[code] for code in WARNING_CODES}


def _finding(code: str, row: Any) -> Finding:
    key, title, item, amount, limit, day, status = row
    return Finding(
        code,
        key,
        title,
        str(item),
        None if amount is None else _dec(amount),
        None if limit is None else _dec(limit),
        day,
        status,
    )


@requires(Action.READ_PORTFOLIO)
def findings(
    session: Session,
    projects: ProjectIds,
    day: dt.date,
    *,
    codes: Iterable[str] = WARNING_CODES,
    limit: int | None = None,
) -> dict[str, list[Finding]]:
    """The findings of each code (at most ``limit`` per code), in reading order."""
    queries = warning_queries(projects, day)
    out: dict[str, list[Finding]] = {}
    for code in codes:
        stmt = queries[code]
        if limit is not None:
            stmt = stmt.limit(limit)
        out[code] = [_finding(code, row) for row in session.execute(stmt)]
    return out
