"""Builders the tests/services/test_budget_years*.py modules share: an EFRE application, its
award and amendments, its budget years, payment requests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from db.models import FundingApplication, PaymentRequest
from portfolio.errors import ValidationFailed
from portfolio.services import budget_years, funding, grant_notices, programmes
from tests.factories import make_application, make_project

AWARD_DAY = dt.date(2025, 6, 1)
D = Decimal


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {p.field: p.code for p in exc.value.problems}


def efre(
    session: Session,
    start: dt.date = dt.date(2025, 1, 1),
    end: dt.date = dt.date(2027, 12, 31),
    **overrides: Any,
) -> FundingApplication:
    """An EFRE application (eligible cost 500.000 €, 300.000 € requested)."""
    data: dict[str, Any] = {
        "programme_id": programmes.get_by_key(session, "EFRE").id,
        "phase": None,
        "period_start": start,
        "period_end": end,
    }
    return make_application(session, make_project(session), **(data | overrides))


def award(session: Session, app: FundingApplication, amount: str = "300000") -> None:
    grant_notices.record(
        session,
        app.id,
        {"kind": "award", "dated_on": AWARD_DAY, "amount_approved": D(amount)},
        expected_version=app.version,
    )


def amend(session: Session, app: FundingApplication, **data: Any) -> None:
    data.setdefault("dated_on", dt.date(2026, 5, 4))
    grant_notices.record(
        session, app.id, {"kind": "amendment"} | data, expected_version=app.version
    )


def years(session: Session, app: FundingApplication) -> list[tuple[int, Decimal, Decimal | None]]:
    return [
        (row.year, row.grant_amount, row.own_amount)
        for row in budget_years.get_all(session, app.id)
    ]


def pay(
    session: Session, app: FundingApplication, amount: str, day: dt.date, status: str = "paid"
) -> PaymentRequest:
    return funding.create_payment_request(
        session,
        {
            "application_id": app.id,
            "due_on": day,
            "amount": D(amount),
            "status": status,
            "paid_on": day if status == "paid" else None,
        },
    )


def plan_rows(*rows: tuple[int, str, str | None]) -> list[dict[str, Any]]:
    return [
        {"year": y, "grant_amount": D(g), "own_amount": None if o is None else D(o)}
        for y, g, o in rows
    ]
