"""Refunds (Rückforderungen) with interest at the base rate, their journal, and the proof-of-use
deadline following the notices through amendments and an ending. Every rule from both sides:
the forbidden case refused (German message naming the field) and its neighbour accepted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import JournalEntry
from portfolio.errors import ValidationFailed
from portfolio.policy import set_principal
from portfolio.services import funding, grant_notices, programmes, refunds
from tests import strategies
from tests.factories import make_application, make_project
from tests.fixtures.base import TODAY, admin
from tests.services.revocation_refunds_helpers import (
    AWARD_DAY,
    CENT,
    TOMORROW,
    D,
    awarded,
    claim,
    efre,
    eur,
    expected_interest,
    notice,
    pay,
    refused,
    status_to,
)

# ==== refunds (Rückforderungen) ================================================================


def test_a_refund_above_what_was_paid_is_refused_equal_accepted(session: Session) -> None:
    app = awarded(session)
    pay(session, app, "100000")
    pay(session, app, "20000", status="submitted")  # not paid: nothing to claim back
    first = claim(session, app, "60000")
    with pytest.raises(ValidationFailed) as exc:
        claim(session, app, "40000.01")
    message = refused(exc, "amount", "refund_above_paid")
    assert "100.040,01" not in message and "100.000,00" in message
    second = claim(session, app, "40000")  # exactly what was paid
    assert refunds.refunded_total(session, app.id) == eur("100000")
    with pytest.raises(ValidationFailed) as exc:  # an edit raising a refund, too
        refunds.update(session, first.id, {"amount": eur("60000.01")}, expected_version=1)
    refused(exc, "amount", "refund_above_paid")
    refunds.update(session, second.id, {"repaid_on": D(2026, 4, 1)}, expected_version=1)
    # interest claims are no principal going back
    interest_claim = claim(
        session,
        app,
        "50000",
        kind="early_draw_interest",
        interest_from=D(2025, 9, 1),
        interest_to=D(2025, 12, 1),
    )
    assert interest_claim.id is not None


def test_a_refund_needs_an_awarded_grant(session: Session) -> None:
    app = efre(session)  # submitted, never awarded
    with pytest.raises(ValidationFailed) as exc:
        claim(session, app, "1")
    refused(exc, "application_id", "refund_needs_award")
    gone = efre(session)
    status_to(session, gone, "withdrawn")  # withdrawn before any award
    with pytest.raises(ValidationFailed) as exc:
        claim(session, gone, "1")
    refused(exc, "application_id", "refund_needs_award")
    renounced = efre(session)  # renounced after the award (of old, by its status): claims stay
    funding.update(
        session,
        renounced.id,
        {"status": "approved", "decision_on": AWARD_DAY, "amount_approved": eur("1000")},
        expected_version=renounced.version,
    )
    pay(session, renounced, "10")
    status_to(session, renounced, "withdrawn")
    assert claim(session, renounced, "10").application_id == renounced.id


def test_a_refund_of_a_notice_cannot_be_deleted(session: Session) -> None:
    app = awarded(session)
    pay(session, app, "100000")
    notice(session, app, "revocation", D(2026, 2, 1), "0")
    [refund] = refunds.get_all(session, app.id)
    with pytest.raises(ValidationFailed) as exc:
        refunds.delete(session, refund.id, expected_version=refund.version)
    refused(exc, "amount", "refund_needed_for_payments")
    with pytest.raises(ValidationFailed) as exc:
        refunds.update(session, refund.id, {"amount": eur("99999.99")}, expected_version=1)
    refused(exc, "amount", "refund_needed_for_payments")
    # a claim beyond what the grant needs can go again
    other = awarded(session)
    pay(session, other, "100")
    extra = claim(session, other, "100")
    refunds.delete(session, extra.id, expected_version=extra.version)
    assert refunds.get_all(session, other.id) == []


@pytest.mark.parametrize(
    ("data", "field", "code", "neighbour"),
    [
        ({"amount": eur("0")}, "amount", "refund_amount_not_positive", {"amount": eur("0.01")}),
        ({"claimed_on": TOMORROW}, "claimed_on", "date_in_future", {"claimed_on": TODAY}),
        (
            {"claimed_on": D(2025, 5, 31)},
            "claimed_on",
            "refund_before_award",
            {"claimed_on": AWARD_DAY},
        ),
        (
            {"repaid_on": D(2026, 2, 28)},
            "repaid_on",
            "repaid_before_claim",
            {"repaid_on": D(2026, 3, 1)},
        ),
        ({"repaid_on": TOMORROW}, "repaid_on", "date_in_future", {"repaid_on": TODAY}),
        (
            {"interest_from": D(2025, 9, 2), "interest_to": D(2025, 9, 1)},
            "interest_to",
            "end_before_start",
            {"interest_from": D(2025, 9, 1), "interest_to": D(2025, 9, 1)},
        ),
        (
            {"kind": "early_draw_interest", "interest_from": D(2025, 9, 1)},
            "interest_to",
            "early_draw_needs_days",
            {"kind": "early_draw_interest", "interest_from": D(2025, 9, 1), "interest_to": TODAY},
        ),
        (
            {"interest_from": D(2016, 6, 30)},
            "interest_from",
            "interest_before_base_rates",
            {"interest_from": D(2016, 7, 1)},
        ),
    ],
)
def test_refund_rules_on_both_sides(
    session: Session,
    data: dict[str, Any],
    field: str,
    code: str,
    neighbour: dict[str, Any],
) -> None:
    app = awarded(session)
    pay(session, app, "1000")
    base = {"application_id": app.id, "claimed_on": D(2026, 3, 1), "amount": eur("100")}
    with pytest.raises(ValidationFailed) as exc:
        refunds.create(session, base | data)
    refused(exc, field, code)
    assert refunds.create(session, base | neighbour).id is not None


def test_interest_of_a_refund_over_a_base_rate_change(session: Session) -> None:
    app = awarded(session)
    pay(session, app, "20000", paid_on=D(2025, 6, 15))
    refund = claim(
        session,
        app,
        "12345.67",
        claimed_on=D(2025, 8, 1),
        interest_from=D(2025, 6, 15),
        repaid_on=D(2025, 8, 11),
    )
    # 15.06.–30.06.2025: 16 days at 2,27 %; 01.07.–10.08.2025: 41 days at 1,27 % (+ 5 each)
    expected = expected_interest(eur("12345.67"), [(eur("2.27"), 16), (eur("1.27"), 41)])
    assert expected == Decimal("126.29")  # 39,3438 € + 86,9507 €
    assert refunds.interest_of(session, refund) == expected
    # open: until yesterday
    open_refund = claim(session, app, "1000", claimed_on=D(2025, 7, 1))
    days = (TODAY - D(2025, 7, 1)).days
    assert refunds.interest_of(session, open_refund) == expected_interest(
        eur("1000"), [(eur("1.27"), days)]
    )
    assert refunds.interest_of(session, open_refund, today=D(2025, 7, 1)) == 0
    # money drawn too early: from the payout to the day it was spent
    early = claim(
        session,
        app,
        "5000",
        kind="early_draw_interest",
        claimed_on=D(2025, 9, 1),
        interest_from=D(2025, 6, 15),
        interest_to=D(2025, 7, 15),
    )
    assert refunds.interest_of(session, early) == expected_interest(
        eur("5000"), [(eur("2.27"), 16), (eur("1.27"), 14)]
    )
    totals = refunds.totals(session, app.id)
    assert (totals.claimed, totals.repaid, totals.open) == (
        eur("13345.67"),
        eur("12345.67"),
        eur("1000"),
    )
    assert totals.interest == sum(
        (refunds.interest_of(session, r) for r in (refund, open_refund, early)), Decimal(0)
    )


def test_no_interest_where_the_programme_charges_none(session: Session) -> None:
    app = awarded(session)
    pay(session, app, "1000")
    refund = claim(session, app, "1000", claimed_on=D(2025, 7, 1))
    assert refunds.interest_of(session, refund) > 0
    app.programme.refund_interest_points = None
    session.flush()
    assert refunds.interest_of(session, refund) == Decimal("0.00")


def test_base_rates_come_from_the_table(session: Session) -> None:
    from portfolio.seed import BASE_RATES

    assert refunds.base_rates(session) == list(BASE_RATES)


# ==== the journal ==============================================================================


def test_the_journal_has_the_entries_under_the_real_user(session: Session) -> None:
    app = awarded(session)
    pay(session, app, "100000")
    set_principal(session, admin("k.kaemmerer"))
    revocation = notice(session, app, "revocation", D(2026, 2, 1), "0")
    [refund] = refunds.get_all(session, app.id)
    entries = {
        (e.entity, e.entity_id): e
        for e in session.execute(
            select(JournalEntry).where(JournalEntry.actor == "k.kaemmerer")
        ).scalars()
    }
    assert entries[("grant_notice", revocation.id)].action == "create"
    assert entries[("refund", refund.id)].action == "create"
    assert entries[("funding_application", app.id)].action == "update"
    assert {e.project_id for e in entries.values()} == {app.project_id}


# ==== the notices' history and the deadline ====================================================

steps = strategies.amendments(AWARD_DAY, min_size=0, max_size=4)


# a property over many sequences on both databases: once, not again with the clock ahead
@pytest.mark.slow
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    programme=st.sampled_from(["EFRE", "MPSC"]),
    amendments=steps,
    ending=st.one_of(
        st.none(),
        st.tuples(st.sampled_from(["revocation", "renunciation"]), st.integers(0, 100)),
    ),
    # at most 95 %: MPSC pays its final 5 % only after the proof of use is checked
    paid=st.integers(min_value=0, max_value=285_000),
)
def test_the_deadline_follows_the_notices_through_amendments_and_an_ending(
    session: Session,
    programme: str,
    amendments: list[tuple[int, int, int | None]],
    ending: tuple[str, int] | None,
    paid: int,
) -> None:
    nested = session.begin_nested()
    try:
        app = make_application(
            session,
            make_project(session),
            programme_id=programmes.get_by_key(session, programme).id,
            phase="B" if programme == "MPSC" else None,
            period_start=D(2025, 1, 1),
            period_end=D(2026, 6, 30),
        )
        notice(session, app, "award", AWARD_DAY, "300000")
        if paid:
            pay(session, app, str(paid), paid_on=AWARD_DAY)
        kinds = ["award"]
        last = AWARD_DAY
        for offset, amount, period_days in sorted(amendments, key=lambda step: step[0]):
            day = AWARD_DAY + dt.timedelta(offset)
            period_end = None if period_days is None else D(2025, 1, 1) + dt.timedelta(period_days)
            amount = max(amount, paid)  # an amendment never cuts below the payments
            notice(session, app, "amendment", day, str(amount), period_end=period_end)
            kinds.append("amendment")
            last = day
            assert app.proof_of_use_due == grant_notices.deadline_in_force(
                app, grant_notices.get_all(session, app.id)
            )
        if ending is not None:
            kind, percent = ending
            before = app.amount_approved
            assert before is not None
            remaining = (before * percent / 100).quantize(CENT)
            notice(session, app, kind, last, str(remaining))
            kinds.append(kind)
            refunded = refunds.refunded_total(session, app.id)
            assert refunded == max(Decimal(paid) - remaining, Decimal(0))
            assert app.amount_approved == remaining <= before
            ended = {"revocation": "revoked", "renunciation": "withdrawn"}[kind]
            assert app.status == (ended if remaining == 0 else "approved")
        notices = grant_notices.get_all(session, app.id)
        assert [n.kind for n in notices] == kinds or (
            kinds[0] == "award" and notices[0].kind == "partial_award"
        )
        assert len(notices) == len(kinds)
        assert app.proof_of_use_due == grant_notices.deadline_in_force(app, notices)
        assert app.proof_of_use_due is not None
        assert app.period_end == notices[-1].period_end
        assert app.amount_approved == notices[-1].amount_approved
    finally:
        nested.rollback()
