"""Checks and builders the tests of proofs of use share (tests/services/test_proofs*.py): a grant,
its amendments, its proofs and their steps, payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from db.models import FundingApplication, ProofOfUse
from portfolio.errors import ValidationFailed
from portfolio.services import funding, grant_notices, programmes, proofs
from tests.factories import make_application, make_project
from tests.fixtures.base import TODAY

D = dt.date
AWARD_DAY = D(2025, 6, 1)
TOMORROW = TODAY + dt.timedelta(days=1)


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {p.field: p.code for p in exc.value.problems}


def german(exc: pytest.ExceptionInfo[ValidationFailed], field: str) -> str:
    """The German message of the problem on ``field``: it names the field's label."""
    from portfolio.vocab import field_label

    (problem,) = [p for p in exc.value.problems if p.field == field]
    message = problem.message("de")
    assert message.startswith(f"{field_label(field, 'de')}: "), message
    assert "{" not in message and "{" not in problem.message("en")
    return message


def grant(
    session: Session, programme: str = "MPSC", amount: str = "300000", **overrides: Any
) -> FundingApplication:
    """An application awarded by a Zuwendungsbescheid on 01.06.2025, funding period 2025–2027."""
    data: dict[str, Any] = {
        "programme_id": programmes.get_by_key(session, programme).id,
        "phase": "B" if programme == "MPSC" else None,
        "period_start": D(2025, 1, 1),
        "period_end": D(2027, 6, 30),
    }
    app = make_application(session, make_project(session), **(data | overrides))
    grant_notices.record(
        session,
        app.id,
        {"kind": "award", "dated_on": AWARD_DAY, "amount_approved": Decimal(amount)},
        expected_version=app.version,
    )
    return app


def amend(session: Session, app: FundingApplication, dated_on: dt.date, **data: Any) -> None:
    grant_notices.record(
        session,
        app.id,
        {"kind": "amendment", "dated_on": dated_on, "amount_approved": app.amount_approved} | data,
        expected_version=app.version,
    )


def rows(session: Session, app: FundingApplication) -> list[tuple[str, int, dt.date, str]]:
    return [(p.kind, p.budget_year, p.due_on, p.state) for p in proofs.get_all(session, app.id)]


def proof_of(session: Session, app: FundingApplication, kind: str, year: int = 0) -> ProofOfUse:
    return next(
        p for p in proofs.get_all(session, app.id) if (p.kind, p.budget_year) == (kind, year)
    )


def step(session: Session, proof: ProofOfUse, **data: Any) -> ProofOfUse:
    return proofs.update(session, proof.id, data, expected_version=proof.version)


def checked(session: Session, proof: ProofOfUse, **data: Any) -> ProofOfUse:
    """Hand a proof in, start its check and finish it (``data``: the last step's fields)."""
    step(session, proof, state="submitted", submitted_on=D(2026, 9, 1))
    step(session, proof, state="under_check", check_started_on=D(2026, 9, 15))
    return step(session, proof, **({"state": "accepted", "checked_on": D(2026, 10, 1)} | data))


def pay(session: Session, app: FundingApplication, amount: str, status: str = "paid") -> Any:
    data: dict[str, Any] = {
        "application_id": app.id,
        "due_on": D(2026, 3, 1),
        "amount": Decimal(amount),
        "status": status,
    }
    if status == "paid":
        data["paid_on"] = D(2026, 3, 2)
    return funding.create_payment_request(session, data)
