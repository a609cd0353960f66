"""Jahresscheiben: a grant's budget years, the part of the grant and of the own share that falls
into each calendar (budget) year of the funding period. Payment requests due in a year draw
against that year's grant instalment.

- :func:`propose` splits amounts pro rata by the days of the funding period in each year.
- :func:`plan` replaces an application's budget years with the caller's (the rules below).
- :func:`follow_grant` keeps them in step with the grant after every change (see there).
- :func:`warnings` names the years whose payment requests go beyond the instalment.

Rules of :func:`plan` (refused, each with its own message): the grant needs an approved amount
and a funding period; every year lies in the funding period, once; the grant amounts add up to
the approved amount, the own amounts to the application's own share (when it has one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from db.enums import (
    AWARDED_APPLICATION_STATUSES,
    ENDED_GRANT_STATUSES,
    PaymentRequestStatus,
)
from db.models import BudgetYear, FundingApplication, PaymentRequest
from portfolio import clock
from portfolio import funding_rules as rules
from portfolio.errors import Problem
from portfolio.i18n import DEFAULT_LANG, Eur
from portfolio.policy import Action, requires
from portfolio.services.base import ensure_version, flush, get_or_raise, raise_if, validate
from portfolio.services.fields import FieldSpec

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

FIELDS: dict[str, FieldSpec] = {
    "year": FieldSpec("int", required=True),
    "grant_amount": FieldSpec("money", required=True),
    "own_amount": FieldSpec("money"),
}
"""The fields of one planned year (a row given to :func:`plan`)."""

FOLLOWED_STATUSES: tuple[str, ...] = (*AWARDED_APPLICATION_STATUSES, *ENDED_GRANT_STATUSES)
"""The grants whose budget years follow their approved amount: awarded ones and those ended
early (renounced, revoked: with amount 0 they lose their budget years)."""


# ---- proposing -------------------------------------------------------------------------------


def days_by_year(period_start: dt.date, period_end: dt.date) -> dict[int, int]:
    """The days of the funding period (both ends included) in each calendar year."""
    if period_end < period_start:
        raise ValueError(f"period ends ({period_end}) before it starts ({period_start})")
    out: dict[int, int] = {}
    for year in range(period_start.year, period_end.year + 1):
        first = max(period_start, dt.date(year, 1, 1))
        last = min(period_end, dt.date(year, 12, 31))
        out[year] = (last - first).days + 1
    return out


def split(amount: Decimal, weights: Mapping[int, int]) -> dict[int, Decimal]:
    """``amount`` (in cents, ROUND_HALF_UP) split in proportion to ``weights``: every share
    rounded down to the cent, the cents left over given one each to the largest remainders (a
    tie: the earlier year), so the shares add up to the amount exactly."""
    total_cents = int((Decimal(amount).quantize(CENT, ROUND_HALF_UP) / CENT).to_integral_value())
    total_weight = sum(weights.values())
    if not weights:
        return {}
    if total_weight <= 0:
        raise ValueError("weights must add up to more than 0")
    shares: dict[int, int] = {}
    remainders: list[tuple[int, int, int]] = []
    for key, weight in weights.items():
        share, rest = divmod(total_cents * weight, total_weight)
        shares[key] = share
        remainders.append((-rest, key, weight))
    left = total_cents - sum(shares.values())
    for _, key, _ in sorted(remainders)[:left]:
        shares[key] += 1
    return {key: (Decimal(cents) * CENT).quantize(CENT) for key, cents in shares.items()}


def propose(
    amount: Decimal,
    own_share: Decimal | None,
    period_start: dt.date,
    period_end: dt.date,
) -> list[tuple[int, Decimal, Decimal | None]]:
    """The budget years of a grant of ``amount`` with ``own_share`` over the funding period:
    ``(year, grant, own)`` for each calendar year the period touches, pro rata by its days in
    the year, to the cent; the sums equal the amounts exactly (largest remainder)."""
    days = days_by_year(period_start, period_end)
    grant = split(amount, days)
    own = split(own_share, days) if own_share is not None else None
    return [(year, grant[year], own[year] if own is not None else None) for year in days]


# ---- queries ---------------------------------------------------------------------------------


@requires(Action.READ_PORTFOLIO)
def get_all(session: Session, application_id: int) -> Sequence[BudgetYear]:
    """The budget years of an application, by year."""
    return (
        session.execute(
            select(BudgetYear)
            .where(BudgetYear.application_id == application_id)
            .order_by(BudgetYear.year)
        )
        .scalars()
        .all()
    )


def _drawn_by_year(
    session: Session, application_id: int, *, paid_only: bool = False
) -> dict[int, Decimal]:
    """The payment requests of an application by the year they are due in: the counted ones
    (open and paid), or only the paid ones."""
    year = extract("year", PaymentRequest.due_on)
    where = (
        PaymentRequest.status == PaymentRequestStatus.PAID.value
        if paid_only
        else rules.counted_payment()
    )
    return {
        int(y): Decimal(str(total)).quantize(CENT)
        for y, total in session.execute(
            select(year, func.sum(PaymentRequest.amount))
            .where(PaymentRequest.application_id == application_id, where)
            .group_by(year)
        )
    }


def _sum(values: Iterable[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), ZERO)


# ---- planning --------------------------------------------------------------------------------


def _row_problems(application: FundingApplication, rows: Sequence[dict[str, Any]]) -> list[Problem]:
    approved, own_share = application.amount_approved, application.own_share
    start, end = application.period_start, application.period_end
    problems: list[Problem] = []
    if approved is None:
        return [Problem("grant_amount", "budget_years_need_approval")]
    if start is None or end is None:
        return [Problem("year", "budget_years_need_period")]
    seen: set[int] = set()
    for row in rows:
        year = row["year"]
        if year is None:
            continue
        if year in seen:
            problems.append(Problem("year", "budget_year_duplicate", {"year": str(year)}))
        seen.add(year)
        if not start.year <= year <= end.year:
            problems.append(
                Problem(
                    "year",
                    "budget_year_outside_period",
                    {"year": str(year), "start": start, "end": end},
                )
            )
    grant_total = _sum(row["grant_amount"] for row in rows)
    if grant_total != approved:
        code = "budget_years_grant_below" if grant_total < approved else "budget_years_grant_above"
        problems.append(
            Problem(
                "grant_amount",
                code,
                {
                    "total": Eur(grant_total),
                    "approved": Eur(approved),
                    "difference": Eur(abs(approved - grant_total)),
                },
            )
        )
    if own_share is not None:
        own_total = _sum(row["own_amount"] for row in rows)
        if own_total != own_share:
            code = "budget_years_own_below" if own_total < own_share else "budget_years_own_above"
            problems.append(
                Problem(
                    "own_amount",
                    code,
                    {
                        "total": Eur(own_total),
                        "own_share": Eur(own_share),
                        "difference": Eur(abs(own_share - own_total)),
                    },
                )
            )
    return problems


def _write(
    session: Session,
    application: FundingApplication,
    stored: Sequence[BudgetYear],
    wanted: Mapping[int, tuple[Decimal, Decimal | None]],
) -> bool:
    """Make the stored budget years ``wanted`` (year: grant, own): delete the years no longer
    wanted, change only what differs, add the new ones. True if anything was written."""
    changed = False
    by_year = {row.year: row for row in stored}
    for year, gone in by_year.items():
        if year not in wanted:
            session.delete(gone)
            changed = True
    for year, (grant, own) in sorted(wanted.items()):
        row = by_year.get(year)
        if row is None:
            session.add(
                BudgetYear(
                    application_id=application.id, year=year, grant_amount=grant, own_amount=own
                )
            )
            changed = True
            continue
        if row.grant_amount != grant:
            row.grant_amount = grant
            changed = True
        if row.own_amount != own:
            row.own_amount = own
            changed = True
    if changed:
        flush(session)
        session.expire(application, ["budget_years"])
    return changed


@requires(Action.EDIT_PORTFOLIO)
def plan(
    session: Session,
    application_id: int,
    rows: Sequence[Mapping[str, Any]],
    *,
    expected_version: int | None,
) -> Sequence[BudgetYear]:
    """Replace the application's budget years by ``rows`` (each ``{"year", "grant_amount",
    "own_amount"}``); ``expected_version``: the application's version the caller read.

    Refused (see the module): no approved amount or no funding period yet; a year twice or
    outside the funding period; grant amounts not adding up to the approved amount, own amounts
    not adding up to the own share (when the application has one)."""
    application = get_or_raise(session, FundingApplication, application_id)
    ensure_version(session, application, expected_version)
    clean_rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for row in rows:
        clean, row_problems = validate(FIELDS, row, partial=False)
        clean_rows.append(clean)
        problems += row_problems
    raise_if(problems)
    raise_if(_row_problems(application, clean_rows))
    wanted = {row["year"]: (row["grant_amount"], row["own_amount"]) for row in clean_rows}
    # Every year of the period gets its row (nothing planned: 0), so a year missing later
    # means the period has grown (see follow_grant).
    if application.period_start is not None and application.period_end is not None:
        for year in days_by_year(application.period_start, application.period_end):
            wanted.setdefault(year, (ZERO, ZERO if application.own_share is not None else None))
    _write(session, application, get_all(session, application_id), wanted)
    return get_all(session, application_id)


# ---- following the grant ---------------------------------------------------------------------


def _reduce(
    amounts: dict[int, Decimal], years: Sequence[int], weights: Mapping[int, int], cut: Decimal
) -> Decimal:
    """Take ``cut`` off ``amounts`` of ``years`` pro rata by ``weights``, none below zero (a
    year used up drops out and the others carry the rest); returns what could not be cut."""
    while cut > 0:
        active = [y for y in years if amounts[y] > 0]
        if not active:
            break
        shares = split(cut, {y: weights[y] for y in active})
        for year in active:
            take = min(shares[year], amounts[year])
            amounts[year] -= take
            cut -= take
    return cut


def _spread(
    amounts: dict[int, Decimal],
    target: Decimal,
    remaining: Sequence[int],
    kept: Sequence[int],
    days: Mapping[int, int],
) -> None:
    """Bring ``amounts`` to add up to ``target``: the difference spread pro rata by days over
    the ``remaining`` years (none below zero); with none remaining, onto the last year of the
    period. What the remaining years cannot give up is taken from the ``kept`` years, the
    latest first."""
    difference = target - _sum(amounts.values())
    if difference == 0:
        return
    if difference > 0:
        if remaining:
            for year, share in split(difference, {y: days[y] for y in remaining}).items():
                amounts[year] += share
        else:
            last = max(days)
            amounts[last] = amounts.get(last, ZERO) + difference
        return
    left = _reduce(amounts, remaining, days, -difference)
    for year in sorted(kept, reverse=True):
        take = min(left, amounts[year])
        amounts[year] -= take
        left -= take


def _replan(
    session: Session,
    application: FundingApplication,
    stored: Sequence[BudgetYear],
    days: Mapping[int, int],
) -> dict[int, tuple[Decimal, Decimal | None]]:
    """The budget years after the grant changed (see :func:`follow_grant`)."""
    approved = Decimal(application.amount_approved or 0)
    own_share = application.own_share
    this_year = clock.today().year
    paid_years = set(_drawn_by_year(session, application.id, paid_only=True))
    inside = [row for row in stored if row.year in days]
    kept = sorted(row.year for row in inside if row.year < this_year or row.year in paid_years)
    remaining = sorted(
        y for y in days if y not in kept and (y >= this_year and y not in paid_years)
    )
    years = sorted({*kept, *remaining})
    grant = {y: ZERO for y in years}
    own: dict[int, Decimal | None] = {y: None for y in years}
    # The period has grown by years to come: what is not kept is planned anew over the years
    # remaining, pro rata by days (else only the difference is spread over them).
    grown = _grown(stored, days)
    for row in inside:
        if grown and row.year in remaining:
            continue
        grant[row.year] = Decimal(row.grant_amount)
        own[row.year] = Decimal(row.own_amount) if row.own_amount is not None else None
    if not remaining:  # the difference goes onto the last year of the period
        last = max(days)
        grant.setdefault(last, ZERO)
        own.setdefault(last, None)
    _spread(grant, approved, remaining, kept, days)
    if own_share is not None and _sum(own.values()) != own_share:
        own_amounts = {y: v if v is not None else ZERO for y, v in own.items()}
        _spread(own_amounts, Decimal(own_share), remaining, kept, days)
        # a year without an own amount keeps none unless the re-plan gives it one
        own = {y: None if own[y] is None and v == 0 else v for y, v in own_amounts.items()}
    stored_years = {row.year for row in inside}
    return {
        year: (grant[year], own[year])
        for year in sorted(grant)
        # every year of the period keeps its row; a year before the period's grown part
        # that was not planned before is added only when money falls into it
        if year in stored_years or year in remaining or grant[year] > 0 or (own[year] or ZERO) > 0
    }


def _grown(stored: Sequence[BudgetYear], days: Mapping[int, int]) -> bool:
    """Whether the funding period has years to come that have no budget year yet (an
    extension: every year of the period has its row, see :func:`plan`)."""
    planned = {row.year for row in stored}
    this_year = clock.today().year
    return any(year >= this_year and year not in planned for year in days)


def _in_step(
    application: FundingApplication, stored: Sequence[BudgetYear], days: Mapping[int, int]
) -> bool:
    """Whether the budget years add up to the grant (and its own share) inside the period and
    cover its years to come."""
    if any(row.year not in days for row in stored) or _grown(stored, days):
        return False
    if _sum(row.grant_amount for row in stored) != application.amount_approved:
        return False
    own_share = application.own_share
    return own_share is None or _sum(row.own_amount for row in stored) == own_share


@requires(Action.EDIT_PORTFOLIO)
def follow_grant(session: Session, application: FundingApplication) -> None:
    """Keep the budget years in step with the grant; called after every create and update of
    an application (:func:`portfolio.services.grant_life.follow`). Cheap and idempotent: when
    the years add up, nothing is read beyond them and nothing is written.

    The rule, for a grant awarded (or ended early, see :data:`FOLLOWED_STATUSES`) with an
    approved amount and a funding period:

    - approved amount 0 (a grant revoked in whole, renounced before any payment): no budget
      years;
    - no budget years yet: those of :func:`propose` (pro rata by days);
    - the grant amounts no longer add up to the approved amount (an amendment, a partial
      revocation), the own amounts no longer to the own share (when there is one), or a year
      lies outside a changed period: re-planned. Years outside the period go. The years already
      past (before this year, by :func:`portfolio.clock.today`) and the years with paid payment
      requests due in them stay as they are; the difference is spread pro rata by days over
      the remaining years of the period (added ones included), or, if none remain, put onto
      the last year of the period. A cut larger than the remaining years hold is taken from the
      kept years, the latest first (so the sums always match);
    - the period has grown by years to come (an extension): the years kept stay, and what they
      do not hold is planned anew over the remaining years, pro rata by days.

    Everything else (no approved amount, no period, not awarded) leaves the years alone.
    """
    approved = application.amount_approved
    if approved is None or application.status not in FOLLOWED_STATUSES:
        return
    start, end = application.period_start, application.period_end
    stored = get_all(session, application.id)
    if approved == 0:
        if stored:
            _write(session, application, stored, {})
        return
    if start is None or end is None or end < start:
        return
    days = days_by_year(start, end)
    if not stored:
        proposal = propose(Decimal(approved), application.own_share, start, end)
        _write(session, application, stored, {y: (g, o) for y, g, o in proposal})
        return
    if _in_step(application, stored, days):
        return
    _write(session, application, stored, _replan(session, application, stored, days))


# ---- warnings --------------------------------------------------------------------------------


@requires(Action.READ_PORTFOLIO)
def warnings(session: Session, application_id: int) -> list[Problem]:
    """Payment requests (open and paid) due in a year beyond that year's grant instalment, and
    payment requests due in a year without one (when the grant has budget years at all); each
    names the year and the amounts. Render with :func:`messages`."""
    stored = get_all(session, application_id)
    if not stored:
        return []
    instalments = {row.year: Decimal(row.grant_amount) for row in stored}
    out: list[Problem] = []
    for year, drawn in sorted(_drawn_by_year(session, application_id).items()):
        instalment = instalments.get(year)
        if instalment is None:
            out.append(
                Problem(
                    "year",
                    "payments_without_budget_year",
                    {"year": str(year), "drawn": Eur(drawn)},
                    entity="budget_year",
                )
            )
        elif drawn > instalment:
            out.append(
                Problem(
                    "grant_amount",
                    "payments_above_budget_year",
                    {
                        "year": str(year),
                        "drawn": Eur(drawn),
                        "instalment": Eur(instalment),
                        "excess": Eur(drawn - instalment),
                    },
                    entity="budget_year",
                )
            )
    return out


def messages(found: Iterable[Problem], lang: str = DEFAULT_LANG) -> list[str]:
    """The warnings as a user reads them, in ``lang``."""
    return [problem.message(lang) for problem in found]
