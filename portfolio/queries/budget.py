"""Money per budget year and source, for the city's budget planning (read only).

A source is a funding programme (by its name) or the city's own share. Per budget year and
source: the planned grant instalments (Jahresscheiben), the planned own share, what was paid
out in the year (paid payment requests, by the day paid), the refunds repaid in the year (a
negative amount: money flowing back) and the open payment requests due in the year. Archived
applications and the applications of archived projects do not count (as on the Förderung
page, :mod:`portfolio.queries.funding_overview`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from db.enums import PaymentRequestStatus, RefundKind
from db.models import (
    BudgetYear,
    FundingApplication,
    FundingProgramme,
    PaymentRequest,
    Project,
    Refund,
)
from portfolio import funding_rules as rules
from portfolio.i18n import DEFAULT_LANG
from portfolio.policy import Action, requires
from portfolio.queries.common import theme_id_of
from portfolio.vocab import field_label

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
OWN_SHARE = "own_share"
"""The source key of the own share (a programme's source key is the programme's key)."""


@dataclass(frozen=True)
class BudgetLine:
    """The money of one source in one budget year."""

    year: int
    source_key: str  # the programme's key, or OWN_SHARE
    source: str  # the programme's name, or "Eigenanteil" / "Own share"
    planned_grant: Decimal = ZERO  # the grant instalments planned for the year
    planned_own: Decimal = ZERO  # the own share planned for the year (own-share line only)
    paid_out: Decimal = ZERO  # payment requests paid in the year
    refunded: Decimal = ZERO  # refunds repaid in the year, negative
    open_due: Decimal = ZERO  # open payment requests due in the year

    @property
    def net_paid(self) -> Decimal:
        """What the year brought in from the source: paid out less refunded."""
        return self.paid_out + self.refunded


@dataclass(frozen=True)
class YearTotal:
    """All sources of one budget year together."""

    year: int
    planned_grant: Decimal = ZERO
    planned_own: Decimal = ZERO
    paid_out: Decimal = ZERO
    refunded: Decimal = ZERO
    open_due: Decimal = ZERO

    @property
    def net_paid(self) -> Decimal:
        return self.paid_out + self.refunded


@dataclass(frozen=True)
class MoneyByBudgetYear:
    lines: tuple[BudgetLine, ...]
    """By year, then the programmes by name, the own share last."""
    totals: tuple[YearTotal, ...]
    """One per year of :attr:`lines`, in order."""


AMOUNTS = ("planned_grant", "planned_own", "paid_out", "refunded", "open_due")


def _dec(value: object) -> Decimal:
    return Decimal(str(value) if value is not None else 0).quantize(CENT)


def _scope(project_ids: Iterable[int] | None, theme_key: str | None, session: Session) -> Any:
    """Applications that count: not archived, of a project not archived (of the Leitthema
    ``theme_key`` and among ``project_ids``, when given), as on the Förderung page."""
    projects: Any = rules.project_scope(theme_id_of(session, theme_key))
    if project_ids is not None:
        projects = projects.where(Project.id.in_(list(project_ids)))
    return rules.application_counts(projects)


def _by_programme(session: Session, year: Any, amount: Any, where: Any, *joins: Any) -> Any:
    stmt = select(year, FundingProgramme.key, FundingProgramme.name, func.sum(amount))
    for model, on in joins:
        stmt = stmt.join(model, on)
    return session.execute(
        stmt.join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .where(*where)
        .group_by(year, FundingProgramme.key, FundingProgramme.name)
    ).all()


@requires(Action.READ_PORTFOLIO)
def money_by_budget_year(
    session: Session,
    *,
    project_ids: Sequence[int] | None = None,
    theme_key: str | None = None,
    lang: str = DEFAULT_LANG,
) -> MoneyByBudgetYear:
    """The money per budget year and source (see the module); ``project_ids``: only these
    projects; ``theme_key``: only the projects of this Leitthema; ``lang``: the language of
    the own share's label."""
    counts = _scope(project_ids, theme_key, session)
    cells: dict[tuple[int, str], dict[str, Decimal]] = {}
    names: dict[str, str] = {OWN_SHARE: field_label("own_share", lang)}

    def add(year: Any, key: str, column: str, value: object) -> None:
        cell = cells.setdefault((int(year), key), {c: ZERO for c in AMOUNTS})
        cell[column] += _dec(value)

    budget_from = (FundingApplication, FundingApplication.id == BudgetYear.application_id)
    for year, key, name, total in _by_programme(
        session,
        BudgetYear.year,
        BudgetYear.grant_amount,
        [counts],
        budget_from,
    ):
        names[key] = name
        add(year, key, "planned_grant", total)
    for year, total in session.execute(
        select(BudgetYear.year, func.sum(BudgetYear.own_amount))
        .join(FundingApplication, FundingApplication.id == BudgetYear.application_id)
        .where(counts, BudgetYear.own_amount.is_not(None))
        .group_by(BudgetYear.year)
    ):
        add(year, OWN_SHARE, "planned_own", total)

    payment_from = (FundingApplication, FundingApplication.id == PaymentRequest.application_id)
    paid_year = extract("year", PaymentRequest.paid_on)
    for year, key, name, total in _by_programme(
        session,
        paid_year,
        PaymentRequest.amount,
        [
            counts,
            PaymentRequest.status == PaymentRequestStatus.PAID.value,
            PaymentRequest.paid_on.is_not(None),
        ],
        payment_from,
    ):
        names[key] = name
        add(year, key, "paid_out", total)
    due_year = extract("year", PaymentRequest.due_on)
    for year, key, name, total in _by_programme(
        session, due_year, PaymentRequest.amount, [counts, rules.open_payment()], payment_from
    ):
        names[key] = name
        add(year, key, "open_due", total)

    refund_from = (FundingApplication, FundingApplication.id == Refund.application_id)
    repaid_year = extract("year", Refund.repaid_on)
    for year, key, name, total in _by_programme(
        session,
        repaid_year,
        Refund.amount,
        [counts, Refund.kind == RefundKind.REFUND.value, Refund.repaid_on.is_not(None)],
        refund_from,
    ):
        names[key] = name
        add(year, key, "refunded", -_dec(total))

    def order(cell_key: tuple[int, str]) -> tuple[int, bool, str, str]:
        year, key = cell_key
        return year, key == OWN_SHARE, names[key].casefold(), key

    lines = tuple(
        BudgetLine(year, key, names[key], **cells[(year, key)])
        for year, key in sorted(cells, key=order)
    )
    return MoneyByBudgetYear(lines, year_totals(lines))


def year_totals(lines: Iterable[BudgetLine]) -> tuple[YearTotal, ...]:
    """The sums of ``lines`` per year, in year order."""
    sums: dict[int, dict[str, Decimal]] = {}
    for line in lines:
        cell = sums.setdefault(line.year, {c: ZERO for c in AMOUNTS})
        for column in AMOUNTS:
            cell[column] += getattr(line, column)
    return tuple(YearTotal(year, **sums[year]) for year in sorted(sums))
