"""Ending a grant early: revocation (Widerruf) in whole or in part with its refund claim,
renunciation (Verzicht) at any time after the award, refunds (Rückforderungen) with interest at
the programme's points above the base rate; grant fields change only through a notice. Each rule
refused (German message naming the field) and its neighbour accepted."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import FundingApplication, GrantNotice, JournalEntry, PaymentRequest, Refund
from portfolio.errors import ValidationFailed
from portfolio.policy import set_principal
from portfolio.services import funding, grant_notices, programmes, refunds
from portfolio.vocab import field_label
from tests.factories import make_application, make_project
from tests.fixtures.base import TODAY, admin

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


# ==== revocation (Widerruf) ====================================================================


def test_revocation_in_whole_claims_back_what_was_paid(session: Session) -> None:
    app = awarded(session)
    pay(session, app, "100000")
    pay(session, app, "50000", paid_on=D(2025, 12, 1))
    revocation = notice(
        session,
        app,
        "revocation",
        D(2026, 4, 1),
        "0",
        reason="Zweck verfehlt (§ 49 Abs. 3 Nr. 1 VwVfG)",
        interest_from=D(2025, 9, 1),
    )
    assert (app.status, app.amount_approved) == ("revoked", Decimal("0.00"))
    [refund] = refunds.get_all(session, app.id)
    assert refund.kind == "refund" and refund.notice_id == revocation.id
    assert refund.amount == Decimal("150000.00") and refund.claimed_on == D(2026, 4, 1)
    assert refund.interest_from == D(2025, 9, 1) and refund.repaid_on is None
    assert refund.reason == "Zweck verfehlt (§ 49 Abs. 3 Nr. 1 VwVfG)"
    assert refund.key == f"{app.key}-R1"
    # the notices stay: the award and the revocation, the revocation in force
    assert [n.kind for n in grant_notices.get_all(session, app.id)] == ["award", "revocation"]
    # revoked is an end: no further notice
    with pytest.raises(ValidationFailed) as exc:
        notice(session, app, "revocation", D(2026, 4, 2), "0")
    refused(exc, "kind", "notice_ending_needs_award")


def test_revocation_in_part_lowers_the_amount_and_claims_the_excess(session: Session) -> None:
    app = awarded(session)
    pay(session, app, "200000")
    notice(session, app, "revocation", D(2026, 2, 1), "120000")
    assert (app.status, app.amount_approved) == ("approved", Decimal("120000.00"))
    [refund] = refunds.get_all(session, app.id)
    assert refund.amount == Decimal("80000.00") and refund.interest_from == D(2026, 2, 1)
    # a second partial revocation claims only the new difference
    notice(session, app, "revocation", D(2026, 3, 1), "100000")
    assert [r.amount for r in refunds.get_all(session, app.id)] == [eur("80000"), eur("20000")]
    assert refunds.refunded_total(session, app.id) == eur("100000")


def test_revocation_above_what_was_paid_claims_nothing(session: Session) -> None:
    app = awarded(session)
    pay(session, app, "100000")
    notice(session, app, "revocation", D(2026, 2, 1), "100000")  # exactly what was paid
    assert app.amount_approved == eur("100000") and refunds.get_all(session, app.id) == []


def test_revocation_of_a_closed_grant_is_accepted_renunciation_refused(session: Session) -> None:
    app = awarded(session)
    pay(session, app, "300000")
    status_to(session, app, "in_progress", "proof_submitted", "closed")
    with pytest.raises(ValidationFailed) as exc:
        notice(session, app, "renunciation", D(2026, 5, 1), "0")
    message = refused(exc, "kind", "notice_ending_needs_award")
    assert "abgeschlossen" in message and "Verzicht" in message
    notice(session, app, "revocation", D(2026, 5, 1), "250000")
    assert (app.status, app.amount_approved) == ("closed", eur("250000"))
    assert [r.amount for r in refunds.get_all(session, app.id)] == [eur("50000")]


def test_ending_an_application_not_awarded_is_refused(session: Session) -> None:
    app = efre(session)  # submitted
    for kind in ("revocation", "renunciation"):
        with pytest.raises(ValidationFailed) as exc:
            notice(session, app, kind, D(2025, 6, 1), "0")
        refused(exc, "kind", "notice_ending_needs_award")
    assert app.status == "submitted" and grant_notices.get_all(session, app.id) == []


def test_ending_a_grant_without_a_notice_needs_the_award_first(session: Session) -> None:
    app = efre(session)
    funding.update(  # awarded by an edit of old: no notice recorded
        session,
        app.id,
        {"status": "approved", "decision_on": AWARD_DAY, "amount_approved": eur("300000")},
        expected_version=app.version,
    )
    with pytest.raises(ValidationFailed) as exc:
        notice(session, app, "revocation", D(2026, 1, 1), "0")
    assert "Zuwendungsbescheid" in refused(exc, "kind", "notice_ending_needs_notice")
    notice(session, app, "award", AWARD_DAY, "300000")
    notice(session, app, "revocation", D(2026, 1, 1), "0")
    assert app.status == "revoked"


def test_a_closed_grant_of_old_gets_its_award_afterwards_and_can_be_revoked(
    session: Session,
) -> None:
    app = efre(session)
    funding.update(  # awarded and closed by edits of old: no notice recorded
        session,
        app.id,
        {"status": "approved", "decision_on": AWARD_DAY, "amount_approved": eur("300000")},
        expected_version=app.version,
    )
    pay(session, app, "300000")
    status_to(session, app, "in_progress", "proof_submitted", "closed")
    notice(session, app, "award", AWARD_DAY, "300000")
    assert app.status == "closed"
    notice(session, app, "revocation", D(2026, 9, 1), "0")
    assert app.status == "revoked" and refunds.refunded_total(session, app.id) == eur("300000")


def test_ending_above_the_amount_in_force_is_an_amendment(session: Session) -> None:
    app = awarded(session, "250000")
    for kind in ("revocation", "renunciation"):
        with pytest.raises(ValidationFailed) as exc:
            notice(session, app, kind, D(2026, 1, 1), "250000.01")
        assert "Änderungsbescheid" in refused(exc, "amount_approved", "notice_ending_above_amount")
    notice(session, app, "renunciation", D(2026, 1, 1), "250000")  # the amount in force itself
    assert (app.status, app.amount_approved) == ("approved", eur("250000"))


def test_ending_before_the_notice_in_force_is_refused(session: Session) -> None:
    app = awarded(session)
    notice(session, app, "amendment", D(2026, 1, 10), "280000")
    with pytest.raises(ValidationFailed) as exc:
        notice(session, app, "revocation", D(2026, 1, 9), "0")
    refused(exc, "dated_on", "notice_before_previous")
    with pytest.raises(ValidationFailed) as exc:
        notice(session, app, "renunciation", TOMORROW, "0")
    assert codes(exc) == {"dated_on": "notice_in_future"}
    notice(session, app, "revocation", D(2026, 1, 10), "0")  # the same day is fine
    assert app.status == "revoked"


def test_open_payment_requests_above_the_new_amount_are_refused(session: Session) -> None:
    app = awarded(session)
    pay(session, app, "100000")
    planned = pay(session, app, "60000", status="planned")
    with pytest.raises(ValidationFailed) as exc:
        notice(session, app, "revocation", D(2026, 2, 1), "150000")
    message = refused(exc, "amount_approved", "notice_open_payments_above_amount")
    assert "ablehnen oder senken" in message and "60.000,00" in message
    assert grant_notices.get_all(session, app.id)[-1].kind == "award"
    # the open request fits into what remains: accepted
    notice(session, app, "revocation", D(2026, 2, 1), "160000")
    assert app.amount_approved == eur("160000") and refunds.get_all(session, app.id) == []
    # rejected first, then a revocation in whole goes through
    funding.update_payment_request(
        session, planned.id, {"status": "rejected"}, expected_version=planned.version
    )
    notice(session, app, "revocation", D(2026, 2, 2), "0")
    assert app.status == "revoked" and refunds.refunded_total(session, app.id) == eur("100000")


def test_a_refused_notice_leaves_nothing_behind(session: Session) -> None:
    app = awarded(session)
    pay(session, app, "100000")
    with pytest.raises(ValidationFailed) as exc:  # the application's rules refuse the period
        notice(session, app, "revocation", D(2026, 2, 1), "50000", period_end=D(2024, 12, 31))
    assert codes(exc) == {"period_end": "end_before_start"}
    assert len(grant_notices.get_all(session, app.id)) == 1
    assert refunds.get_all(session, app.id) == []
    assert app.amount_approved == eur("300000")


# ==== renunciation (Verzicht) ==================================================================


@pytest.mark.parametrize("steps", [(), ("in_progress",), ("in_progress", "proof_submitted")])
def test_renouncing_a_grant_during_implementation_is_accepted(
    session: Session, steps: tuple[str, ...]
) -> None:
    app = awarded(session)
    pay(session, app, "40000")
    status_to(session, app, *steps)
    notice(session, app, "renunciation", D(2026, 6, 1), "0", reason="Maßnahme entfällt")
    assert (app.status, app.amount_approved) == ("withdrawn", Decimal("0.00"))
    [refund] = refunds.get_all(session, app.id)
    assert (refund.amount, refund.claimed_on, refund.reason) == (
        eur("40000"),
        D(2026, 6, 1),
        "Maßnahme entfällt",
    )
    # the payment under the renounced grant stays on record
    assert funding.get_payment_requests(session, application_id=app.id)[0].status == "paid"


def test_a_partial_renunciation_lowers_the_amount(session: Session) -> None:
    app = awarded(session)
    status_to(session, app, "in_progress")
    notice(session, app, "renunciation", D(2026, 6, 1), "180000")
    assert (app.status, app.amount_approved) == ("in_progress", eur("180000"))
    assert refunds.get_all(session, app.id) == []


# ==== grant fields change only through a notice ================================================


def test_a_direct_change_to_revoked_is_refused(session: Session) -> None:
    app = awarded(session)
    with pytest.raises(ValidationFailed) as exc:
        status_to(session, app, "revoked")
    assert "Widerrufsbescheid" in refused(exc, "status", "revoked_needs_notice")
    legacy = efre(session)  # without notices too
    funding.update(
        session,
        legacy.id,
        {"status": "approved", "decision_on": AWARD_DAY, "amount_approved": eur("1000")},
        expected_version=legacy.version,
    )
    with pytest.raises(ValidationFailed) as exc:
        status_to(session, legacy, "revoked")
    refused(exc, "status", "revoked_needs_notice")
    with pytest.raises(ValidationFailed) as exc:  # nor on a new application
        make_application(session, make_project(session), status="revoked")
    assert codes(exc).get("status") == "revoked_needs_notice"


def test_with_notices_a_direct_renunciation_is_refused(session: Session) -> None:
    app = awarded(session)
    with pytest.raises(ValidationFailed) as exc:
        status_to(session, app, "withdrawn")
    assert "Verzicht eintragen" in refused(exc, "status", "withdrawal_needs_renunciation")
    assert app.status == "approved"


@pytest.mark.parametrize("steps", [("approved",), ("approved", "in_progress", "proof_submitted")])
def test_a_grant_without_notices_is_renounced_by_its_status_as_before(
    session: Session, steps: tuple[str, ...]
) -> None:
    app = efre(session)
    funding.update(
        session,
        app.id,
        {"status": "approved", "decision_on": AWARD_DAY, "amount_approved": eur("1000")},
        expected_version=app.version,
    )
    status_to(session, app, *steps[1:], "withdrawn")
    assert app.status == "withdrawn"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("amount_approved", eur("290000"), "grant_field_needs_notice"),
        ("period_start", D(2025, 2, 1), "grant_field_needs_notice"),
        ("period_end", D(2026, 12, 31), "grant_field_needs_notice"),
        ("decision_on", D(2025, 6, 2), "grant_decision_from_notice"),
    ],
)
def test_with_notices_grant_fields_change_only_through_a_notice(
    session: Session, field: str, value: Any, code: str
) -> None:
    app = awarded(session)
    with pytest.raises(ValidationFailed) as exc:
        funding.update(session, app.id, {field: value}, expected_version=app.version)
    message = refused(exc, field, code)
    assert "Änderungsbescheid" in message
    # the import's path (the prepare-and-check halves) refuses it the same way
    _writes, problems = funding.PREPARE.prepare_update(
        session, funding.PREPARE.stored(app), {field: value}
    )
    assert [(p.field, p.code) for p in problems] == [(field, code)]
    # the same value again, and other fields, are fine
    funding.update(
        session,
        app.id,
        {field: getattr(app, field), "note": "Bescheid liegt vor"},
        expected_version=app.version,
    )
    assert app.note == "Bescheid liegt vor"


def test_without_notices_grant_fields_are_edited_as_before(session: Session) -> None:
    app = efre(session)
    funding.update(
        session,
        app.id,
        {"status": "approved", "decision_on": AWARD_DAY, "amount_approved": eur("300000")},
        expected_version=app.version,
    )
    funding.update(
        session,
        app.id,
        {"amount_approved": eur("290000"), "period_end": D(2026, 12, 31)},
        expected_version=app.version,
    )
    assert (app.amount_approved, app.period_end) == (eur("290000"), D(2026, 12, 31))


# ==== payments net of refunds ==================================================================


def test_payment_requests_count_net_of_refunds(session: Session) -> None:
    app = awarded(session)
    pay(session, app, "200000")
    notice(session, app, "revocation", D(2026, 2, 1), "150000")  # refund 50.000
    # net 150.000 drawn: the grant is used up
    with pytest.raises(ValidationFailed) as exc:
        pay(session, app, "0.01", status="planned")
    message = refused(exc, "amount", "payments_above_approved_net")
    assert "50.000,00" in message
    amend_day = D(2026, 3, 1)
    notice(session, app, "amendment", amend_day, "160000")  # 10.000 more by amendment
    assert pay(session, app, "10000", status="planned").amount == eur("10000")


def test_an_amendment_below_the_net_payments_is_refused(session: Session) -> None:
    app = awarded(session)
    pay(session, app, "200000")
    notice(session, app, "revocation", D(2026, 2, 1), "150000")
    with pytest.raises(ValidationFailed) as exc:
        notice(session, app, "amendment", D(2026, 3, 1), "149999.99")
    refused(exc, "amount_approved", "approved_below_payments_net")
    notice(session, app, "amendment", D(2026, 3, 1), "150000")


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

days_after_award = st.integers(min_value=0, max_value=(TODAY - AWARD_DAY).days)
steps = st.lists(
    st.tuples(
        days_after_award,
        st.integers(min_value=0, max_value=300_000),
        st.one_of(st.none(), st.integers(min_value=0, max_value=3000)),
    ),
    min_size=0,
    max_size=4,
)


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
