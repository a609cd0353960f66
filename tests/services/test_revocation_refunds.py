"""Ending a grant early: revocation (Widerruf) in whole or in part with its refund claim,
renunciation (Verzicht) at any time after the award, grant fields changing only through a
notice, and payments counted net of refunds. Every rule from both sides: the forbidden case
refused (German message naming the field) and its neighbour accepted."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portfolio.errors import ValidationFailed
from portfolio.services import funding, grant_notices, refunds
from tests.factories import make_application, make_project
from tests.services.revocation_refunds_helpers import (
    AWARD_DAY,
    TOMORROW,
    D,
    awarded,
    codes,
    efre,
    eur,
    notice,
    pay,
    refused,
    status_to,
)

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
