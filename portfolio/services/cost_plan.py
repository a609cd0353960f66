"""Kostenplan: the cost and financing plan of an application, by cost type (Ausgabeart): per
item the requested, the approved and the actually spent amount. The key of a new item is
``<application key>-K<n>``.

Rules (refused, each with its own message code):
- a cost type the application's programme does not fund (``eligible_cost_types``; None: all)
  — ``cost_type_not_eligible``, checked when an item is new or its type changes;
- an item's approved amount above its requested one — ``approved_above_requested``;
- negative amounts — ``not_negative`` (the field checks).

Warnings (:func:`warnings`, not refusals; rendered by :func:`messages`), each naming the item:
- an item spends more than its approved amount beyond the programme's tolerance
  (``cost_tolerance_rate``, ANBest-P Nr. 1.2: 20 %) — ``cost_item_over_tolerance``; with no
  tolerance (None) any excess — ``cost_item_over_approved``;
- an item spends more than approved within the tolerance, but the other items' savings do not
  offset it (the plan's actual total above its approved total) — ``cost_item_not_offset``;
- the plan's approved total differs from the application's eligible cost (both set) —
  ``cost_plan_total_differs``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import CostType
from db.models import CostItem, FundingApplication
from portfolio.errors import Problem
from portfolio.i18n import DEFAULT_LANG, Both, Eur, Pct
from portfolio.policy import Action, requires
from portfolio.services.base import (
    Preparation,
    application_or_problem,
    ensure_version,
    flush,
    get_or_raise,
    key_under_application,
)
from portfolio.services.fields import FieldSpec
from portfolio.vocab import label, label_both

FIELDS: dict[str, FieldSpec] = {
    "key": FieldSpec("key", required=True, max_length=48),
    "application_id": FieldSpec("ref", required=True),
    "cost_type": FieldSpec("enum", required=True, enum=CostType),
    "label": FieldSpec("str", required=True, max_length=200),
    "requested": FieldSpec("money"),
    "approved": FieldSpec("money"),
    "actual": FieldSpec("money"),
}


@requires(Action.EDIT_PORTFOLIO)
def check_item(
    session: Session,
    values: Mapping[str, Any],
    item_id: int | None,
    changes: Mapping[str, Any] | None = None,
) -> list[Problem]:
    """The rules of one cost item (see the module). ``changes``: the fields an update sets
    (None: a new item); an item's cost type is checked when it is new or its type or
    application changes, so a programme narrowing its cost types later blocks no other edit."""
    application, problems = application_or_problem(session, values)
    if application is None:
        return problems
    programme = application.programme
    cost_type = values.get("cost_type")
    type_changed = changes is None or "cost_type" in changes or "application_id" in changes
    eligible = programme.eligible_cost_types
    if (
        cost_type is not None
        and type_changed
        and eligible is not None
        and cost_type not in eligible
    ):
        allowed = [c for c in CostType if c.value in eligible]
        problems.append(
            Problem(
                "cost_type",
                "cost_type_not_eligible",
                {
                    "type": label_both(CostType, cost_type),
                    "programme": programme.name,
                    "allowed": Both(
                        ", ".join(label(CostType, c, "de") for c in allowed) or "–",
                        ", ".join(label(CostType, c, "en") for c in allowed) or "–",
                    ),
                },
            )
        )
    requested, approved = values.get("requested"), values.get("approved")
    if requested is not None and approved is not None and approved > requested:
        problems.append(
            Problem(
                "approved",
                "approved_above_requested",
                {"approved": Eur(approved), "requested": Eur(requested)},
            )
        )
    return problems


def _rules(
    session: Session,
    values: dict[str, Any],
    stored: Mapping[str, Any] | None,
    changes: Mapping[str, Any],
    _today: dt.date,
) -> list[Problem]:
    if stored is None:
        return check_item(session, values, None)
    return check_item(session, values, stored["id"], changes)


PREPARE: Preparation[CostItem] = Preparation(
    CostItem,
    FIELDS,
    _rules,
    key_prefix=key_under_application("K"),
)
"""The prepare-and-check step of cost items (the dashboard's edits and the exchange)."""


@requires(Action.READ_PORTFOLIO)
def get(session: Session, item_id: int) -> CostItem:
    return get_or_raise(session, CostItem, item_id)


@requires(Action.READ_PORTFOLIO)
def get_all(session: Session, application_id: int) -> Sequence[CostItem]:
    return (
        session.execute(
            select(CostItem).where(CostItem.application_id == application_id).order_by(CostItem.key)
        )
        .scalars()
        .all()
    )


@requires(Action.EDIT_PORTFOLIO)
def create(session: Session, data: Mapping[str, Any]) -> CostItem:
    return PREPARE.create(session, data)


@requires(Action.EDIT_PORTFOLIO)
def update(
    session: Session, item_id: int, data: Mapping[str, Any], *, expected_version: int | None
) -> CostItem:
    return PREPARE.update(session, item_id, data, expected_version=expected_version)


@requires(Action.EDIT_PORTFOLIO)
def delete(session: Session, item_id: int, *, expected_version: int | None) -> None:
    item = get(session, item_id)
    ensure_version(session, item, expected_version)
    session.delete(item)
    flush(session, item, expected_version)


# ---- totals and warnings ---------------------------------------------------------------------

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Totals:
    """Requested, approved and actually spent (an empty amount counts as 0)."""

    requested: Decimal = ZERO
    approved: Decimal = ZERO
    actual: Decimal = ZERO

    def plus(self, item: CostItem | Mapping[str, Any]) -> Totals:
        def get(name: str) -> Decimal:
            value = item.get(name) if isinstance(item, Mapping) else getattr(item, name)
            return Decimal(value) if value is not None else ZERO

        return Totals(
            self.requested + get("requested"),
            self.approved + get("approved"),
            self.actual + get("actual"),
        )


@dataclass(frozen=True)
class PlanTotals:
    """A cost plan's totals per cost type (in the vocabulary's order, only the types used) and
    overall (also as :attr:`requested`, :attr:`approved`, :attr:`actual`)."""

    by_type: dict[str, Totals]
    overall: Totals

    @property
    def requested(self) -> Decimal:
        return self.overall.requested

    @property
    def approved(self) -> Decimal:
        return self.overall.approved

    @property
    def actual(self) -> Decimal:
        return self.overall.actual


_TYPE_ORDER = {c.value: n for n, c in enumerate(CostType)}


def totals_of(items: Iterable[CostItem | Mapping[str, Any]]) -> PlanTotals:
    """The totals of the cost ``items`` (rows, or their values as mappings)."""
    by_type: dict[str, Totals] = {}
    overall = Totals()
    for item in items:
        cost_type = item["cost_type"] if isinstance(item, Mapping) else item.cost_type
        by_type[cost_type] = by_type.get(cost_type, Totals()).plus(item)
        overall = overall.plus(item)
    ordered = sorted(by_type.items(), key=lambda kv: _TYPE_ORDER.get(kv[0], len(_TYPE_ORDER)))
    return PlanTotals(dict(ordered), overall)


@requires(Action.READ_PORTFOLIO)
def totals(session: Session, application_id: int) -> PlanTotals:
    """The totals of the application's cost plan per cost type and overall."""
    return totals_of(get_all(session, application_id))


def tolerance_limit(approved: Decimal, rate: Decimal | None) -> Decimal:
    """The most an item approved at ``approved`` may spend under the tolerance ``rate``
    (percent points; None: no tolerance), to the cent (ROUND_HALF_UP)."""
    if rate is None:
        return Decimal(approved)
    return (Decimal(approved) * (1 + Decimal(rate) / 100)).quantize(CENT, ROUND_HALF_UP)


@requires(Action.READ_PORTFOLIO)
def warnings(session: Session, application_id: int) -> list[Problem]:
    """What the cost plan should be looked at for (not refused), each naming the item:

    - an item's actual spending above its approved amount by more than the programme's
      tolerance (``cost_tolerance_rate``; None: any excess) — ``cost_item_over_tolerance``,
      ``cost_item_over_approved``;
    - an item above its approved amount within the tolerance while the other items' savings
      do not offset it (actual total above approved total) — ``cost_item_not_offset``;
    - the plan's approved total different from the application's eligible cost (both set) —
      ``cost_plan_total_differs``.

    Render with :func:`messages`."""
    application = get_or_raise(session, FundingApplication, application_id)
    items = get_all(session, application_id)
    programme = application.programme
    rate = programme.cost_tolerance_rate
    overall = totals_of(items).overall
    out: list[Problem] = []
    for item in items:
        if item.approved is None or item.actual is None or item.actual <= item.approved:
            continue
        base = {
            "item": item.key,
            "label": item.label,
            "actual": Eur(item.actual),
            "approved": Eur(item.approved),
            "excess": Eur(item.actual - item.approved),
            "programme": programme.name,
        }
        limit = tolerance_limit(item.approved, rate)
        if rate is None:
            out.append(Problem("actual", "cost_item_over_approved", base, entity="cost_item"))
        elif item.actual > limit:
            out.append(
                Problem(
                    "actual",
                    "cost_item_over_tolerance",
                    base | {"tolerance": Pct(rate), "limit": Eur(limit)},
                    entity="cost_item",
                )
            )
        elif overall.actual > overall.approved:
            out.append(
                Problem(
                    "actual",
                    "cost_item_not_offset",
                    base
                    | {
                        "tolerance": Pct(rate),
                        "actual_total": Eur(overall.actual),
                        "approved_total": Eur(overall.approved),
                    },
                    entity="cost_item",
                )
            )
    eligible = application.eligible_cost
    if (
        eligible is not None
        and any(item.approved is not None for item in items)
        and overall.approved != eligible
    ):
        out.append(
            Problem(
                "approved",
                "cost_plan_total_differs",
                {
                    "total": Eur(overall.approved),
                    "eligible": Eur(eligible),
                    "difference": Eur(abs(eligible - overall.approved)),
                },
                entity="cost_item",
            )
        )
    return out


def messages(found: Iterable[Problem], lang: str = DEFAULT_LANG) -> list[str]:
    """The warnings as a user reads them, in ``lang``."""
    return [problem.message(lang) for problem in found]
