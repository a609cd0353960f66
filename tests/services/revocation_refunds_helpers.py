"""Days, checks and builders the tests of ending a grant early and of refunds share
(tests/services/test_revocation_refunds.py, test_refunds.py, test_refund_properties.py,
test_base_rate.py): an awarded EFRE grant, its notices, payments and refund claims, and the
interest a claim should carry."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from db.models import FundingApplication, GrantNotice, PaymentRequest, Refund
from portfolio.errors import ValidationFailed
from portfolio.services import funding, grant_notices, programmes, refunds
from portfolio.vocab import field_label
from tests.factories import make_application, make_project
from tests.fixtures.base import TODAY

D = dt.date
AWARD_DAY = D(2025, 6, 1)
PAID_DAY = D(2025, 9, 1)
TOMORROW = TODAY + dt.timedelta(days=1)
CENT = Decimal("0.01")


def eur(value: str | int) -> Decimal:
    return Decimal(str(value))


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {p.field: p.code for p in exc.value.problems}


def refused(exc: pytest.ExceptionInfo[ValidationFailed], field: str, code: str) -> str:
    """The problem on ``field`` has ``code``; its German message names the field. Returns it."""
    assert codes(exc).get(field) == code, codes(exc)
    message = next(p for p in exc.value.problems if p.field == field).message("de")
    assert message.startswith(f"{field_label(field, 'de')}: "), message
    assert "{" not in message and "bitte" in message.lower(), message
    return message


# ---- builders ---------------------------------------------------------------------------------


def efre(session: Session, **overrides: Any) -> FundingApplication:
    """An EFRE application (proof of use 6 months after the end of the funding period)."""
    data: dict[str, Any] = {
        "programme_id": programmes.get_by_key(session, "EFRE").id,
        "phase": None,
        "period_start": D(2025, 1, 1),
        "period_end": D(2026, 6, 30),
    }
    return make_application(session, make_project(session), **(data | overrides))


def awarded(session: Session, amount: str = "300000", **overrides: Any) -> FundingApplication:
    app = efre(session, **overrides)
    notice(session, app, "award", AWARD_DAY, amount)
    return app


def notice(
    session: Session, app: FundingApplication, kind: str, day: dt.date, amount: str, **data: Any
) -> GrantNotice:
    return grant_notices.record(
        session,
        app.id,
        {"kind": kind, "dated_on": day, "amount_approved": eur(amount)} | data,
        expected_version=app.version,
    )


def pay(
    session: Session,
    app: FundingApplication,
    amount: str,
    *,
    status: str = "paid",
    paid_on: dt.date | None = PAID_DAY,
) -> PaymentRequest:
    return funding.create_payment_request(
        session,
        {
            "application_id": app.id,
            "due_on": PAID_DAY,
            "amount": eur(amount),
            "status": status,
            "paid_on": paid_on if status == "paid" else None,
        },
    )


def status_to(session: Session, app: FundingApplication, *steps: str) -> None:
    for step in steps:
        funding.update(session, app.id, {"status": step}, expected_version=app.version)


def claim(session: Session, app: FundingApplication, amount: str, **data: Any) -> Refund:
    return refunds.create(
        session,
        {"application_id": app.id, "claimed_on": D(2026, 3, 1), "amount": eur(amount)} | data,
    )


def expected_interest(principal: Decimal, pieces: list[tuple[Decimal, int]]) -> Decimal:
    """By hand: Σ principal × (base rate + 5) % × days / 365, rounded once."""
    total = sum((principal * (rate + 5) / 100 * n / 365 for rate, n in pieces), Decimal(0))
    return total.quantize(CENT, ROUND_HALF_UP)
