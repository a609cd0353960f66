"""Proofs of use: what a grant owes (interim proofs, factual report, final proof) with their
deadlines kept in step with the notices, the state machine of each proof, the refund of a
recovery, and the final share held back until the final proof is checked. Each rule on both
sides: refused with a German message naming the field, the legitimate neighbour accepted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import FundingApplication, FundingProgramme, JournalEntry, ProofOfUse
from portfolio.errors import ConflictError, ValidationFailed
from portfolio.services import funding, grant_notices, programmes, proofs
from portfolio.services.proofs import Duty
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


# ---- what a grant owes -----------------------------------------------------------------------


def test_a_multi_year_mpsc_grant_owes_interim_proofs_and_its_final_proof(session: Session) -> None:
    app = grant(session, period_end=D(2027, 12, 31))
    # MPSC phase B: the proof of use 66 months after the award; interim proofs 4 months after
    # each budget year the period runs beyond (2025, 2026; not 2027, the year it ends)
    assert app.proof_of_use_due == D(2030, 12, 1)
    assert rows(session, app) == [
        ("interim", 2025, D(2026, 4, 30), "due"),
        ("interim", 2026, D(2027, 4, 30), "due"),
        ("factual_report", 0, D(2030, 12, 1), "due"),
        ("final", 0, D(2030, 12, 1), "due"),
    ]
    assert proofs.duties(app, app.programme) == [
        Duty("interim", 2025, D(2026, 4, 30)),
        Duty("interim", 2026, D(2027, 4, 30)),
        Duty("factual_report", 0, D(2030, 12, 1)),
        Duty("final", 0, D(2030, 12, 1)),
    ]
    assert [p.kind for p in app.proofs] == ["interim", "interim", "factual_report", "final"]
    created = session.execute(
        select(JournalEntry).where(JournalEntry.entity == "proof_of_use")
    ).scalars()
    assert {(e.action, e.project_id) for e in created} == {("create", app.project_id)}


def test_an_efre_grant_owes_its_final_proof_after_the_period(session: Session) -> None:
    app = grant(session, "EFRE")  # 6 months after the end of the period (30.06.2027)
    assert rows(session, app) == [
        ("interim", 2025, D(2026, 4, 30), "due"),
        ("interim", 2026, D(2027, 4, 30), "due"),
        ("factual_report", 0, D(2027, 12, 30), "due"),
        ("final", 0, D(2027, 12, 30), "due"),
    ]


def test_nothing_is_owed_before_the_award(session: Session) -> None:
    app = make_application(session, make_project(session), period_end=D(2027, 6, 30))
    assert app.status == "submitted" and rows(session, app) == []
    funding.update(session, app.id, {"note": "Nachgereicht"}, expected_version=app.version)
    assert rows(session, app) == []


def _transient(**values: Any) -> FundingApplication:
    data: dict[str, Any] = {
        "status": "approved",
        "decision_on": AWARD_DAY,
        "amount_approved": Decimal("1000"),
        "period_start": D(2025, 1, 1),
        "period_end": D(2027, 6, 30),
        "proof_of_use_due": D(2027, 12, 30),
    }
    return FundingApplication(**(data | values))


def test_duties_is_pure_and_follows_the_programme_and_the_grant() -> None:
    anbest = FundingProgramme(interim_proof_months=4)
    none = FundingProgramme(interim_proof_months=None)
    final = [Duty("factual_report", 0, D(2027, 12, 30)), Duty("final", 0, D(2027, 12, 30))]
    assert proofs.duties(_transient(), none) == final
    # no interim proof for a year before the award (nothing was received in it)
    early = _transient(period_start=D(2023, 7, 1))
    assert [d.budget_year for d in proofs.duties(early, anbest)] == [2025, 2026, 0, 0]
    # a period within one year: no interim proof
    short = _transient(period_end=D(2025, 12, 31))
    assert proofs.duties(short, anbest) == final
    # not awarded: nothing; rejected: nothing
    assert proofs.duties(_transient(status="submitted", decision_on=None), anbest) == []
    assert proofs.duties(_transient(status="rejected"), anbest) == []
    # ended with nothing left (renounced, revoked in whole): nothing new owed
    assert proofs.duties(_transient(status="withdrawn", amount_approved=Decimal(0)), anbest) == []
    assert proofs.duties(_transient(status="revoked", amount_approved=Decimal(0)), anbest) == []
    # renounced after money was paid (the approved amount kept at what was paid): still owed
    kept = _transient(status="withdrawn", amount_approved=Decimal("400"))
    assert len(proofs.duties(kept, anbest)) == 4
    # a withdrawn application never awarded owes nothing
    assert proofs.duties(_transient(status="withdrawn", decision_on=None), anbest) == []
    # no deadline known: no final proof row (the interim proofs stand)
    assert [d.kind for d in proofs.duties(_transient(proof_of_use_due=None), anbest)] == [
        "interim",
        "interim",
    ]
    # the 31st of December plus 4 months: 30 April (the month logic of funding.add_months)
    assert proofs.duties(_transient(), anbest)[0].due_on == D(2026, 4, 30)


# ---- amendments move the deadlines -----------------------------------------------------------


def test_an_extension_moves_the_due_proofs_and_adds_an_interim_proof(session: Session) -> None:
    app = grant(session, "EFRE")
    interim = step(
        session,
        proof_of(session, app, "interim", 2025),
        state="submitted",
        submitted_on=D(2026, 4, 20),
    )
    handed_in = (interim.id, interim.version, interim.due_on, interim.submitted_on)
    amend(session, app, D(2026, 5, 4), period_end=D(2028, 3, 31))
    assert app.proof_of_use_due == D(2028, 9, 30)
    assert rows(session, app) == [
        ("interim", 2025, D(2026, 4, 30), "submitted"),
        ("interim", 2026, D(2027, 4, 30), "due"),
        ("interim", 2027, D(2028, 4, 30), "due"),
        ("factual_report", 0, D(2028, 9, 30), "due"),
        ("final", 0, D(2028, 9, 30), "due"),
    ]
    session.refresh(interim)
    assert (interim.id, interim.version, interim.due_on, interim.submitted_on) == handed_in
    # shortened to end in 2026: the interim proofs of 2026 and 2027 are no longer owed
    amend(session, app, D(2026, 6, 1), period_end=D(2026, 12, 31))
    assert rows(session, app) == [
        ("interim", 2025, D(2026, 4, 30), "submitted"),
        ("factual_report", 0, D(2027, 6, 30), "due"),
        ("final", 0, D(2027, 6, 30), "due"),
    ]
    deleted = session.execute(
        select(JournalEntry.action).where(
            JournalEntry.entity == "proof_of_use", JournalEntry.action == "delete"
        )
    ).scalars()
    assert list(deleted) == ["delete", "delete"]


def test_a_handed_in_proof_stays_when_no_longer_owed(session: Session) -> None:
    app = grant(session, "EFRE")
    step(session, proof_of(session, app, "interim", 2026), state="submitted", submitted_on=TODAY)
    amend(session, app, D(2026, 6, 1), period_end=D(2026, 6, 30))
    assert rows(session, app) == [
        ("interim", 2025, D(2026, 4, 30), "due"),
        ("factual_report", 0, D(2026, 12, 30), "due"),
        ("final", 0, D(2026, 12, 30), "due"),
        ("interim", 2026, D(2027, 4, 30), "submitted"),  # handed in: kept as it is
    ]


def test_sync_writes_nothing_when_all_is_in_step(session: Session) -> None:
    app = grant(session)
    versions = [(p.id, p.version) for p in proofs.get_all(session, app.id)]
    last = session.execute(select(func.max(JournalEntry.id))).scalar_one()
    proofs.sync_duties(session, app)
    funding.update(session, app.id, {"note": "Bemerkung"}, expected_version=app.version)
    assert [(p.id, p.version) for p in proofs.get_all(session, app.id)] == versions
    written = session.execute(
        select(JournalEntry.id).where(JournalEntry.id > last, JournalEntry.entity == "proof_of_use")
    ).all()
    assert written == []


@pytest.mark.parametrize("kind", ["renunciation", "revocation"])
def test_a_grant_ended_with_nothing_left_drops_its_due_proofs(session: Session, kind: str) -> None:
    app = grant(session, "EFRE")
    submitted = step(
        session, proof_of(session, app, "interim", 2025), state="submitted", submitted_on=TODAY
    )
    grant_notices.record(
        session,
        app.id,
        {"kind": kind, "dated_on": TODAY, "amount_approved": Decimal(0)},
        expected_version=app.version,
    )
    assert app.status in ("withdrawn", "revoked") and app.amount_approved == 0
    assert rows(session, app) == [("interim", 2025, submitted.due_on, "submitted")]


def test_a_grant_renounced_in_part_still_owes_its_proofs(session: Session) -> None:
    app = grant(session, "EFRE")
    before = rows(session, app)
    grant_notices.record(
        session,
        app.id,
        {"kind": "renunciation", "dated_on": TODAY, "amount_approved": Decimal("100000")},
        expected_version=app.version,
    )
    assert app.amount_approved == Decimal("100000.00") and rows(session, app) == before


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


# ---- for the pages ---------------------------------------------------------------------------


def test_open_duties_lists_the_due_proofs_oldest_first(session: Session) -> None:
    efre = grant(session, "EFRE")
    mpsc = grant(session, period_end=D(2026, 6, 30))
    step(session, proof_of(session, efre, "interim", 2025), state="submitted", submitted_on=TODAY)
    duties = proofs.open_duties(session, today=TODAY)
    assert [(d.application_key, d.kind, d.budget_year, d.due_on, d.overdue) for d in duties] == [
        (mpsc.key, "interim", 2025, D(2026, 4, 30), True),
        (efre.key, "interim", 2026, D(2027, 4, 30), False),
        (efre.key, "factual_report", 0, D(2027, 12, 30), False),
        (efre.key, "final", 0, D(2027, 12, 30), False),
        (mpsc.key, "factual_report", 0, D(2030, 12, 1), False),
        (mpsc.key, "final", 0, D(2030, 12, 1), False),
    ]
    assert duties[0].project_key == mpsc.project.key
    only = proofs.open_duties(session, today=TODAY, application_ids=[efre.id])
    assert {d.application_id for d in only} == {efre.id}
    funding.archive(session, mpsc.id, expected_version=mpsc.version)
    assert {d.application_id for d in proofs.open_duties(session, today=TODAY)} == {efre.id}


# ---- property: the due rows are what the grant owes ------------------------------------------

days_after_award = st.integers(min_value=0, max_value=(TODAY - AWARD_DAY).days)
amendments = st.lists(
    st.tuples(
        days_after_award,
        st.integers(min_value=0, max_value=300_000),
        st.one_of(st.none(), st.integers(min_value=0, max_value=3000)),
    ),
    min_size=1,
    max_size=5,
)


# a property over many sequences on both databases: once, not again with the clock ahead
@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(programme=st.sampled_from(["EFRE", "MPSC"]), steps=amendments)
def test_the_due_proofs_follow_every_amendment(
    session: Session, programme: str, steps: list[tuple[int, int, int | None]]
) -> None:
    nested = session.begin_nested()
    try:
        app = grant(session, programme, period_end=D(2026, 6, 30))
        for offset, amount, period_days in sorted(steps, key=lambda s: s[0]):
            period_end = None if period_days is None else D(2025, 1, 1) + dt.timedelta(period_days)
            amend(
                session,
                app,
                AWARD_DAY + dt.timedelta(offset),
                amount_approved=Decimal(amount),
                period_end=period_end,
            )
            owed = proofs.duties(app, app.programme)
            stored = proofs.get_all(session, app.id)
            assert all(p.state == "due" for p in stored)
            assert sorted((p.kind, p.budget_year, p.due_on) for p in stored) == sorted(
                (d.kind, d.budget_year, d.due_on) for d in owed
            )
            interim_years = [d.budget_year for d in owed if d.kind == "interim"]
            assert interim_years == list(range(2025, app.period_end.year))  # type: ignore[union-attr]
            assert {d.due_on for d in owed if d.kind != "interim"} == {app.proof_of_use_due}
    finally:
        nested.rollback()
