"""Whatever sequence of payments, revocations, renunciations, refund claims and payment
changes a user tries, the refunds claimed back under a grant never exceed what was paid out,
and payments count against the grant net of them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from portfolio.errors import ValidationFailed
from portfolio.services import funding, grant_notices, refunds
from tests.services.revocation_refunds_helpers import AWARD_DAY, awarded, eur

D = dt.date
ZERO = Decimal("0.00")

operations = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(1, 150_000)),
        st.tuples(st.just("claim"), st.integers(1, 200_000)),
        st.tuples(st.just("revoke"), st.integers(0, 300_000)),
        st.tuples(st.just("renounce"), st.integers(0, 300_000)),
        st.tuples(st.just("reject_paid"), st.integers(0, 5)),
        st.tuples(st.just("repay"), st.integers(0, 5)),
        st.tuples(st.just("drop_claim"), st.integers(0, 5)),
    ),
    max_size=8,
)


def _invariants(session: Session, app_id: int) -> None:
    app = funding.get(session, app_id)
    paid = refunds.paid_total(session, app_id)
    claimed = refunds.refunded_total(session, app_id)
    assert ZERO <= claimed <= paid
    counted = sum(
        (
            r.amount
            for r in funding.get_payment_requests(session, application_id=app_id)
            if r.status != "rejected"
        ),
        ZERO,
    )
    assert counted - claimed <= (app.amount_approved or ZERO)


# a property over many sequences on both databases: once, not again with the clock ahead
@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=operations)
def test_refunds_never_exceed_what_was_paid(session: Session, steps: list[tuple[str, int]]) -> None:
    nested = session.begin_nested()
    try:
        app = awarded(session, "300000")
        day = AWARD_DAY
        for op, n in steps:
            day += dt.timedelta(days=7)
            attempt = session.begin_nested()
            try:
                if op == "pay":
                    funding.create_payment_request(
                        session,
                        {
                            "application_id": app.id,
                            "due_on": day,
                            "amount": eur(n),
                            "status": "paid",
                            "paid_on": day,
                        },
                    )
                elif op == "claim":
                    refunds.create(
                        session,
                        {"application_id": app.id, "claimed_on": day, "amount": eur(n)},
                    )
                elif op in ("revoke", "renounce"):
                    grant_notices.record(
                        session,
                        app.id,
                        {
                            "kind": "revocation" if op == "revoke" else "renunciation",
                            "dated_on": day,
                            "amount_approved": eur(n),
                        },
                        expected_version=app.version,
                    )
                elif op == "reject_paid":
                    paid = [
                        r
                        for r in funding.get_payment_requests(session, application_id=app.id)
                        if r.status == "paid"
                    ]
                    if paid:
                        r = paid[n % len(paid)]
                        funding.update_payment_request(
                            session, r.id, {"status": "rejected"}, expected_version=r.version
                        )
                else:
                    claims = list(refunds.get_all(session, app.id))
                    if claims:
                        c = claims[n % len(claims)]
                        if op == "repay" and c.repaid_on is None:
                            refunds.update(
                                session, c.id, {"repaid_on": day}, expected_version=c.version
                            )
                        elif op == "drop_claim":
                            refunds.delete(session, c.id, expected_version=c.version)
                attempt.commit()
            except ValidationFailed:
                attempt.rollback()  # refused: nothing of it stays
            session.refresh(app)
            _invariants(session, app.id)
    finally:
        nested.rollback()
