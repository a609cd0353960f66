"""Proofs of use: what a grant owes (interim proofs, factual report, final proof) with their
deadlines kept in step with the notices through every amendment, and the open duties the pages
list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import FundingApplication, FundingProgramme, JournalEntry
from portfolio.services import funding, grant_notices, proofs
from portfolio.services.proofs import Duty
from tests import strategies
from tests.factories import make_application, make_project
from tests.fixtures.base import TODAY
from tests.services.proofs_helpers import AWARD_DAY, D, amend, grant, proof_of, rows, step

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

amendments = strategies.amendments(AWARD_DAY, min_size=1, max_size=5)


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
