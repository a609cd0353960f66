"""Proofs of use: the state machine of each proof, the refund of a recovery found in the check,
and the final share held back until the final proof is checked. Each rule from both sides:
refused with a German message naming the field, the legitimate neighbour accepted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import JournalEntry
from portfolio.errors import ConflictError, ValidationFailed
from portfolio.services import funding, proofs
from tests.fixtures.base import TODAY
from tests.services.proofs_helpers import (
    AWARD_DAY,
    TOMORROW,
    D,
    checked,
    codes,
    german,
    grant,
    pay,
    proof_of,
    step,
)

# ---- the state machine -----------------------------------------------------------------------


def test_each_step_in_order_and_refused_out_of_order(session: Session) -> None:
    app = grant(session, "EFRE")
    proof = proof_of(session, app, "factual_report")
    for state in ("under_check", "accepted", "accepted_with_recovery"):
        with pytest.raises(ValidationFailed) as exc:
            step(session, proof, state=state, submitted_on=TODAY)
        assert codes(exc) == {"state": "status_transition"}
        message = german(exc, "state")
        assert "„fällig“" in message and "Möglich sind: eingereicht" in message
    with pytest.raises(ValidationFailed) as exc:
        step(session, proof, state="submitted")
    assert codes(exc) == {"submitted_on": "proof_needs_date"}
    assert "eingereicht" in german(exc, "submitted_on")
    step(session, proof, state="submitted", submitted_on=D(2026, 9, 1))
    assert proof.state == "submitted" and proof.submitted_on == D(2026, 9, 1)

    with pytest.raises(ValidationFailed) as exc:
        step(session, proof, state="due")  # no step back
    assert codes(exc) == {"state": "status_transition"}
    assert "Möglich sind: in Prüfung" in german(exc, "state")
    with pytest.raises(ValidationFailed) as exc:
        step(session, proof, state="accepted", checked_on=TODAY)
    assert codes(exc) == {"state": "status_transition"}
    with pytest.raises(ValidationFailed) as exc:
        step(session, proof, check_started_on=D(2026, 9, 2))  # a later step's date
    assert codes(exc) == {"check_started_on": "proof_date_without_state"}
    assert "in Prüfung" in german(exc, "check_started_on")
    step(session, proof, submitted_on=D(2026, 8, 31), note="per Post")  # corrected in the state
    assert (proof.submitted_on, proof.note) == (D(2026, 8, 31), "per Post")

    with pytest.raises(ValidationFailed) as exc:
        step(session, proof, state="under_check")
    assert codes(exc) == {"check_started_on": "proof_needs_date"}
    with pytest.raises(ValidationFailed) as exc:
        step(session, proof, state="under_check", check_started_on=D(2026, 8, 30))
    assert codes(exc) == {"check_started_on": "proof_date_before_previous"}
    assert "31.08.2026" in german(exc, "check_started_on")
    step(session, proof, state="under_check", check_started_on=D(2026, 8, 31))  # the same day

    with pytest.raises(ValidationFailed) as exc:
        step(session, proof, state="submitted")
    assert codes(exc) == {"state": "status_transition"}
    assert "Möglich sind: geprüft, ohne Beanstandung, geprüft, mit Rückforderung" in german(
        exc, "state"
    )
    with pytest.raises(ValidationFailed) as exc:
        step(session, proof, state="accepted", checked_on=D(2026, 8, 30))
    assert codes(exc) == {"checked_on": "proof_date_before_previous"}
    with pytest.raises(ValidationFailed) as exc:
        step(session, proof, state="accepted", checked_on=TODAY, recovery_amount=Decimal("10"))
    assert codes(exc) == {"recovery_amount": "proof_recovery_not_allowed"}
    assert "mit Rückforderung" in german(exc, "recovery_amount")
    with pytest.raises(ValidationFailed) as exc:
        step(session, proof, state="accepted_with_recovery", checked_on=TODAY)
    assert codes(exc) == {"recovery_amount": "proof_recovery_required"}
    german(exc, "recovery_amount")
    with pytest.raises(ValidationFailed) as exc:
        step(session, proof, state="accepted_with_recovery", checked_on=TODAY, recovery_amount=0)
    assert codes(exc) == {"recovery_amount": "proof_recovery_required"}
    step(session, proof, state="accepted", checked_on=TODAY)
    assert (proof.state, proof.checked_on, proof.recovery_amount) == ("accepted", TODAY, None)

    for state in ("under_check", "accepted_with_recovery", "due"):
        with pytest.raises(ValidationFailed) as exc:
            step(session, proof, state=state)
        assert codes(exc) == {"state": "status_transition"}
        assert "Möglich sind: –" in german(exc, "state")
    step(session, proof, checked_on=D(2026, 11, 2))  # a date corrected in the final state
    assert proof.checked_on == D(2026, 11, 2)
    states = session.execute(
        select(JournalEntry.version).where(
            JournalEntry.entity == "proof_of_use", JournalEntry.entity_id == proof.id
        )
    ).scalars()
    assert len(list(states)) == 6  # created, then every accepted change journaled


def test_dates_in_the_future_or_before_the_award_are_refused(session: Session) -> None:
    app = grant(session, "EFRE")
    proof = proof_of(session, app, "interim", 2025)
    with pytest.raises(ValidationFailed) as exc:
        step(session, proof, state="submitted", submitted_on=TOMORROW)
    assert codes(exc) == {"submitted_on": "date_in_future"}
    assert "Zukunft" in german(exc, "submitted_on")
    with pytest.raises(ValidationFailed) as exc:
        step(session, proof, state="submitted", submitted_on=AWARD_DAY - dt.timedelta(days=1))
    assert codes(exc) == {"submitted_on": "proof_before_award"}
    assert "01.06.2025" in german(exc, "submitted_on")
    step(session, proof, state="submitted", submitted_on=AWARD_DAY)
    step(session, proof, state="under_check", check_started_on=TODAY)
    with pytest.raises(ValidationFailed) as exc:
        step(session, proof, state="accepted", checked_on=TOMORROW)
    assert codes(exc) == {"checked_on": "date_in_future"}
    step(session, proof, state="accepted", checked_on=TODAY)
    assert proof.state == "accepted"


def test_a_stale_version_is_a_conflict(session: Session) -> None:
    app = grant(session)
    proof = proof_of(session, app, "final")
    with pytest.raises(ConflictError):
        proofs.update(
            session,
            proof.id,
            {"state": "submitted", "submitted_on": TODAY},
            expected_version=proof.version + 1,
        )
    assert proof.state == "due"


def test_fields_are_checked(session: Session) -> None:
    app = grant(session)
    proof = proof_of(session, app, "final")
    with pytest.raises(ValidationFailed) as exc:
        step(session, proof, state="lost", submitted_on=D(1900, 1, 1), recovery_amount=-1)
    assert codes(exc) == {
        "state": "not_in_list",
        "submitted_on": "date_range",
        "recovery_amount": "not_negative",
    }


def test_handing_in_the_final_proof_moves_the_grant_to_proof_submitted(session: Session) -> None:
    app = grant(session)
    step(session, proof_of(session, app, "factual_report"), state="submitted", submitted_on=TODAY)
    assert app.status == "approved"  # the factual report alone does not
    funding.update(session, app.id, {"status": "in_progress"}, expected_version=app.version)
    step(session, proof_of(session, app, "final"), state="submitted", submitted_on=TODAY)
    assert app.status == "proof_submitted"
    # the check of the final proof leaves the status (closing is the city's step)
    final = proof_of(session, app, "final")
    step(session, final, state="under_check", check_started_on=TODAY)
    step(session, final, state="accepted", checked_on=TODAY)
    assert app.status == "proof_submitted"
    history = session.execute(
        select(JournalEntry.id).where(
            JournalEntry.entity == "funding_application", JournalEntry.entity_id == app.id
        )
    ).all()
    assert len(history) == 4  # created, awarded, in progress, proof submitted


def test_a_check_with_a_recovery_claims_the_refund(session: Session) -> None:
    from portfolio.services import refunds

    app = grant(session)
    pay(session, app, "285000")
    final = proof_of(session, app, "final")
    with pytest.raises(ValidationFailed) as exc:  # more than was paid: the refund's rule
        checked(
            session, final, state="accepted_with_recovery", recovery_amount=Decimal("285000.01")
        )
    assert "recovery_amount" in codes(exc)
    german(exc, "recovery_amount")
    assert final.state == "under_check" and refunds.get_all(session, app.id) == []
    step(
        session,
        final,
        state="accepted_with_recovery",
        checked_on=D(2026, 10, 1),
        recovery_amount=Decimal("12000"),
    )
    assert (final.state, final.recovery_amount) == ("accepted_with_recovery", Decimal("12000.00"))
    (claim,) = refunds.get_all(session, app.id)
    assert (claim.kind, claim.claimed_on, claim.amount, claim.reason) == (
        "refund",
        D(2026, 10, 1),
        Decimal("12000.00"),
        "Prüfung des Verwendungsnachweises",
    )
    # the claim stands: its amount and day are corrected on the refund, the note here
    for change in ({"recovery_amount": Decimal("11000")}, {"checked_on": D(2026, 10, 2)}):
        with pytest.raises(ValidationFailed) as exc:
            step(session, final, **change)
        (field,) = change
        assert codes(exc) == {field: "proof_recovery_recorded"}
        german(exc, field)
    step(session, final, note="Kürzung der Personalausgaben", recovery_amount=Decimal("12000"))
    assert final.note == "Kürzung der Personalausgaben"
    assert len(refunds.get_all(session, app.id)) == 1
    # checked (with a recovery): the final share is paid
    assert pay(session, app, "15000").status == "paid"


# ---- the final share -------------------------------------------------------------------------


def test_the_final_share_waits_for_the_check_of_the_final_proof(session: Session) -> None:
    app = grant(session)  # MPSC: 300.000 €, of it 5 % = 15.000 € after the check
    pay(session, app, "200000")
    pay(session, app, "85000", status="submitted")  # exactly 95 %: accepted
    with pytest.raises(ValidationFailed) as exc:
        pay(session, app, "0.01", status="submitted")
    assert codes(exc) == {"amount": "final_share_before_check"}
    message = german(exc, "amount").replace("\xa0", " ")
    assert "5 %" in message and "285.000,00 €" in message and "15.000,00 €" in message
    assert "Verwendungsnachweis" in message and "geplant" in message
    assert "5\xa0%" in exc.value.problems[0].message("en")
    with pytest.raises(ValidationFailed) as exc:
        pay(session, app, "15000")
    assert codes(exc) == {"amount": "final_share_before_check"}
    planned = pay(session, app, "15000", status="planned")  # a plan: accepted
    with pytest.raises(ValidationFailed) as exc:
        funding.update_payment_request(
            session, planned.id, {"status": "submitted"}, expected_version=planned.version
        )
    assert codes(exc) == {"amount": "final_share_before_check"}
    # a request under the bound is corrected freely
    first = funding.get_payment_requests(session, application_id=app.id)[0]
    funding.update_payment_request(
        session, first.id, {"note": "Erste Rate"}, expected_version=first.version
    )

    final = proof_of(session, app, "final")
    step(session, final, state="submitted", submitted_on=D(2026, 9, 1))
    step(session, final, state="under_check", check_started_on=D(2026, 9, 15))
    with pytest.raises(ValidationFailed):  # under check is not checked
        funding.update_payment_request(
            session, planned.id, {"status": "submitted"}, expected_version=planned.version
        )
    step(session, final, state="accepted", checked_on=D(2026, 10, 1))
    funding.update_payment_request(
        session, planned.id, {"status": "submitted"}, expected_version=planned.version
    )
    assert planned.status == "submitted"


def test_only_the_check_of_the_final_proof_releases_the_final_share(session: Session) -> None:
    app = grant(session)
    pay(session, app, "285000")
    with pytest.raises(ValidationFailed):
        pay(session, app, "10000", status="submitted")
    checked(session, proof_of(session, app, "interim", 2025))  # an interim proof does not count
    with pytest.raises(ValidationFailed):
        pay(session, app, "10000", status="submitted")
    checked(session, proof_of(session, app, "final"))
    assert pay(session, app, "15000").amount == Decimal("15000.00")


def test_an_old_excess_does_not_block_an_unrelated_edit(session: Session) -> None:
    app = grant(session)
    paid = pay(session, app, "285000")
    # written before the rule (an old import): more than 95 % paid without a checked proof
    paid.amount = Decimal("290000")
    session.flush()
    funding.update_payment_request(
        session, paid.id, {"note": "Altbestand"}, expected_version=paid.version
    )
    with pytest.raises(ValidationFailed) as exc:  # deepening it is refused
        pay(session, app, "0.01", status="submitted")
    assert codes(exc) == {"amount": "final_share_before_check"}


def test_programmes_without_a_final_share_pay_in_full(session: Session) -> None:
    app = grant(session, "EFRE")
    assert app.programme.final_share_rate is None
    assert pay(session, app, "300000").status == "paid"
