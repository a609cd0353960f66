"""Funding law (Zuwendungsrecht, MPSC), adversarially: the dates, assertions and builders the
tests/test_funding_law_*.py modules share.

Each rule gets a forbidden case (``ValidationFailed`` naming the field, with a German message)
and a close legitimate case (accepted): a false rejection is as much a defect as a false
acceptance. The warnings are checked present and absent through ``funding_rules.findings``.

Test data are built so that no other rule interferes: projects carry a council resolution
(MPSC phase B needs one), rates are set so that amounts stay below rate × eligible cost, and
amounts that should hit a cap stay below the rate limit (else the test would pass for the
wrong reason).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from db.models import FundingApplication, PaymentRequest, Project
from portfolio import funding_rules
from portfolio.errors import Problem, ValidationFailed
from portfolio.services import funding, programmes
from portfolio.vocab import field_label
from tests.factories import make_application, make_project
from tests.fixtures.base import TODAY

D = dt.date
TOMORROW = TODAY + dt.timedelta(days=1)
FIRST_DAY = D(1990, 1, 1)
BEFORE_FIRST_DAY = D(1989, 12, 31)
LAST_DAY = D(TODAY.year + 15, TODAY.month, TODAY.day)  # 2041-11-26
AFTER_LAST_DAY = LAST_DAY + dt.timedelta(days=1)
SUBMITTED = D(2025, 3, 1)
DECIDED = D(2025, 6, 1)
RESOLUTION_URL = "https://session.bochum.de/bi/vo0050.asp?__kvonr=4711"
MPSC_COST = Decimal("500000")


def eur(value: str | int) -> Decimal:
    return Decimal(str(value))


# ---- assertions -------------------------------------------------------------------------------


def problems_on(exc: ValidationFailed, *fields: str) -> list[Problem]:
    """The problems on any of ``fields`` (on any field where none is given); each must carry a
    formatted German message that names its field."""
    found = [p for p in exc.problems if not fields or p.field in fields]
    seen = [(p.field, p.code) for p in exc.problems]
    assert found, f"expected a problem on {' or '.join(fields)}, got {seen}"
    for p in found:
        de = p.message("de")
        assert de and de != p.code, f"{p.code}: no German message"
        assert "{" not in de, f"{p.code}: unformatted message {de!r}"
        assert field_label(p.field, "de") in de, f"{p.code}: the message does not name the field"
    return found


@contextmanager
def refused(*fields: str) -> Iterator[None]:
    """The block must raise ``ValidationFailed`` with a problem on (one of) ``fields``."""
    with pytest.raises(ValidationFailed) as info:
        yield
    problems_on(info.value, *fields)


def findings_of(session: Session, code: str, project: Project) -> list[funding_rules.Finding]:
    found = funding_rules.findings(session, funding_rules.project_scope(), TODAY)
    return [f for f in found.get(code, []) if f.project_key == project.key]


# ---- builders ---------------------------------------------------------------------------------


def programme_id(session: Session, key: str) -> int:
    return programmes.get_by_key(session, key).id


def new_project(session: Session, **overrides: Any) -> Project:
    """A project with a council resolution (on 1 Dec 2024, published), 1 M € total cost, 800 000 €
    eligible, running 2025–2027."""
    data: dict[str, Any] = {
        "council_resolution_on": D(2024, 12, 1),
        "council_resolution_url": RESOLUTION_URL,
    }
    data.update(overrides)
    return make_project(session, **data)


def big_project(session: Session, **overrides: Any) -> Project:
    data: dict[str, Any] = {"total_cost": eur(40_000_000), "eligible_cost": eur(40_000_000)}
    data.update(overrides)
    return new_project(session, **data)


def apply(
    session: Session, project: Project, programme: str = "MPSC", **overrides: Any
) -> FundingApplication:
    """An application (submitted 1 Mar 2025); for MPSC phase B at 60 % of 500 000 €, for the
    other programmes without phase and at the programme's rate."""
    data: dict[str, Any] = {"programme_id": programme_id(session, programme)}
    if programme != "MPSC":
        data |= {"phase": None, "funding_rate": None}
    data.update(overrides)
    return make_application(session, project, **data)


def mpsc(
    session: Session, project: Project, phase: str | None, amount: Decimal, **overrides: Any
) -> FundingApplication:
    """An MPSC application at 50 % of twice its amount."""
    data: dict[str, Any] = {
        "phase": phase,
        "funding_rate": eur(50),
        "amount_requested": amount,
        "eligible_cost": amount * 2,
    }
    data.update(overrides)
    return apply(session, project, "MPSC", **data)


def change(session: Session, app: FundingApplication, **data: Any) -> FundingApplication:
    return funding.update(session, app.id, data, expected_version=app.version)


def approve(
    session: Session, app: FundingApplication, amount: Decimal | None = None, day: dt.date = DECIDED
) -> FundingApplication:
    return change(
        session,
        app,
        status="approved",
        amount_approved=app.amount_requested if amount is None else amount,
        decision_on=day,
    )


def reject(session: Session, app: FundingApplication) -> FundingApplication:
    return change(session, app, status="rejected", decision_on=DECIDED)


def bring_to(session: Session, app: FundingApplication, status: str) -> FundingApplication:
    """Walks an application (submitted) along the workflow to ``status``."""
    path = {
        "submitted": [],
        "rejected": ["rejected"],
        "withdrawn": ["withdrawn"],
        "approved": ["approved"],
        "in_progress": ["approved", "in_progress"],
        "proof_submitted": ["approved", "in_progress", "proof_submitted"],
        "closed": ["approved", "in_progress", "proof_submitted", "closed"],
    }[status]
    for step in path:
        if step == "approved":
            approve(session, app)
        elif step == "rejected":
            reject(session, app)
        else:
            change(session, app, status=step)
    return app


def pay(session: Session, app: FundingApplication, amount: Decimal, **data: Any) -> PaymentRequest:
    values: dict[str, Any] = {"application_id": app.id, "due_on": D(2025, 9, 1), "amount": amount}
    values.update(data)
    return funding.create_payment_request(session, values)


def paid(session: Session, app: FundingApplication, amount: Decimal, **data: Any) -> PaymentRequest:
    values: dict[str, Any] = {"status": "paid", "paid_on": D(2025, 9, 10)}
    values.update(data)
    return pay(session, app, amount, **values)


def change_payment(session: Session, request: PaymentRequest, **data: Any) -> PaymentRequest:
    return funding.update_payment_request(
        session, request.id, data, expected_version=request.version
    )


def mfund_fl1(session: Session, project: Project, amount: Decimal) -> FundingApplication:
    """mFUND Förderlinie 1 for ``amount`` (capped per project at 200 000 €)."""
    return apply(
        session, project, "MFUND", phase="FL1", amount_requested=amount, eligible_cost=amount
    )
