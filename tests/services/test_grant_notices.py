"""Bescheide: the award and its amendments, each rule on both sides, and the proof-of-use
deadline from the notice in force."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import FundingApplication, GrantNotice, JournalEntry
from portfolio.errors import ValidationFailed
from portfolio.services import funding, grant_notices, programmes
from tests import strategies
from tests.factories import make_application, make_project
from tests.fixtures.base import TODAY

AWARD_DAY = dt.date(2025, 6, 1)


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {p.field: p.code for p in exc.value.problems}


def efre(session: Session, **overrides: Any) -> FundingApplication:
    """An EFRE application (deadline 6 months after the end of the funding period)."""
    data: dict[str, Any] = {
        "programme_id": programmes.get_by_key(session, "EFRE").id,
        "phase": None,
        "period_start": dt.date(2025, 1, 1),
        "period_end": dt.date(2026, 6, 30),
    }
    return make_application(session, make_project(session), **(data | overrides))


def award(
    session: Session, app: FundingApplication, amount: str = "300000", **data: Any
) -> GrantNotice:
    return grant_notices.record(
        session,
        app.id,
        {"kind": "award", "dated_on": AWARD_DAY, "amount_approved": Decimal(amount)} | data,
        expected_version=app.version,
    )


def amend(session: Session, app: FundingApplication, **data: Any) -> GrantNotice:
    return grant_notices.record(
        session, app.id, {"kind": "amendment"} | data, expected_version=app.version
    )


def test_award_on_a_submitted_application(session: Session) -> None:
    app = make_application(session, make_project(session))
    notice = award(session, app, reference_number="03SC1234")
    assert notice.kind == "award" and notice.id is not None
    assert (app.status, app.decision_on, app.amount_approved) == (
        "approved",
        AWARD_DAY,
        Decimal("300000.00"),
    )
    assert app.reference_number == "03SC1234"
    assert app.proof_of_use_due == dt.date(2030, 12, 1)  # MPSC phase B: 66 months after
    assert [n.id for n in grant_notices.get_all(session, app.id)] == [notice.id]
    assert [n.id for n in app.notices] == [notice.id]
    entry = session.execute(
        select(JournalEntry).where(
            JournalEntry.entity == "grant_notice", JournalEntry.entity_id == notice.id
        )
    ).scalar_one()  # journaled under its project
    assert entry.action == "create" and entry.project_id == app.project_id


def test_award_on_an_idea_is_refused_naming_the_kind(session: Session) -> None:
    app = make_application(session, make_project(session), status="idea", submitted_on=None)
    with pytest.raises(ValidationFailed) as exc:
        award(session, app)
    assert codes(exc) == {"kind": "notice_award_needs_submitted"}
    assert "eingereichten Antrag" in exc.value.message("de")
    assert "Idee" in exc.value.message("de")
    assert "submitted" in exc.value.message("en")
    assert app.status == "idea" and grant_notices.get_all(session, app.id) == []


def test_a_second_award_is_refused_an_amendment_accepted(session: Session) -> None:
    app = make_application(session, make_project(session))
    award(session, app)
    with pytest.raises(ValidationFailed) as exc:
        award(session, app)
    assert codes(exc) == {"kind": "notice_award_needs_submitted"}
    amend(session, app, dated_on=AWARD_DAY, amount_approved=Decimal("250000"))
    assert app.amount_approved == Decimal("250000.00")


def test_partial_award_is_stored_as_such(session: Session) -> None:
    app = make_application(session, make_project(session))  # requested 300.000 €
    assert award(session, app, "299999.99").kind == "partial_award"
    full = make_application(session, make_project(session))
    assert award(session, full, "300000").kind == "award"


def test_amendment_extends_the_period_and_moves_the_deadline_of_efre(session: Session) -> None:
    app = efre(session)
    award(session, app)
    assert app.proof_of_use_due == dt.date(2026, 12, 30)  # 6 months after 30.06.2026
    notice = amend(
        session,
        app,
        dated_on=dt.date(2026, 5, 4),
        amount_approved=Decimal("300000"),
        period_end=dt.date(2027, 3, 31),
        reason="Verlängerung wegen Lieferverzug",
    )
    assert notice.kind == "amendment" and notice.period_end == dt.date(2027, 3, 31)
    assert app.period_end == dt.date(2027, 3, 31)
    assert app.proof_of_use_due == dt.date(2027, 9, 30)
    assert app.decision_on == AWARD_DAY  # the award stays the award
    # an amendment without a period keeps the period in force
    amend(session, app, dated_on=dt.date(2026, 6, 1), amount_approved=Decimal("280000"))
    assert app.period_end == dt.date(2027, 3, 31) and app.proof_of_use_due == dt.date(2027, 9, 30)
    assert grant_notices.in_force(app.notices).period_end == dt.date(2027, 3, 31)  # type: ignore[union-attr]


def test_mpsc_keeps_the_deadline_from_the_first_award(session: Session) -> None:
    app = make_application(session, make_project(session), period_end=dt.date(2027, 12, 31))
    award(session, app)
    due = app.proof_of_use_due
    assert due == dt.date(2030, 12, 1)
    amend(
        session,
        app,
        dated_on=dt.date(2026, 3, 1),
        amount_approved=Decimal("200000"),
        period_end=dt.date(2028, 12, 31),
    )
    assert app.period_end == dt.date(2028, 12, 31) and app.proof_of_use_due == due


def test_amendment_before_the_previous_notice_is_refused(session: Session) -> None:
    app = efre(session)
    award(session, app)
    with pytest.raises(ValidationFailed) as exc:
        amend(session, app, dated_on=AWARD_DAY - dt.timedelta(days=1), amount_approved=1)
    assert codes(exc) == {"dated_on": "notice_before_previous"}
    assert "01.06.2025" in exc.value.message("de")
    amend(session, app, dated_on=AWARD_DAY, amount_approved=1)  # the same day is fine
    assert app.amount_approved == Decimal("1.00")


def test_amendment_needs_an_award(session: Session) -> None:
    app = make_application(session, make_project(session))
    with pytest.raises(ValidationFailed) as exc:
        amend(session, app, dated_on=AWARD_DAY, amount_approved=1)
    assert codes(exc) == {"kind": "notice_amendment_needs_award"}
    # awarded by an edit of old (no notice recorded): the award notice is missing
    funding.update(
        session,
        app.id,
        {"status": "approved", "decision_on": AWARD_DAY, "amount_approved": Decimal("1")},
        expected_version=app.version,
    )
    with pytest.raises(ValidationFailed) as exc:
        amend(session, app, dated_on=AWARD_DAY, amount_approved=1)
    assert codes(exc) == {"kind": "notice_amendment_needs_notice"}
    # ... which can be recorded afterwards (the status stays), and then amended
    notice = award(session, app, amount="1")
    assert (notice.kind, app.status, app.decision_on) == ("partial_award", "approved", AWARD_DAY)
    amend(session, app, dated_on=AWARD_DAY, amount_approved=Decimal("2"))
    assert app.amount_approved == Decimal("2.00")


def test_amendment_below_the_payment_requests_is_refused(session: Session) -> None:
    app = efre(session)
    award(session, app)
    funding.create_payment_request(
        session,
        {"application_id": app.id, "due_on": dt.date(2025, 9, 1), "amount": Decimal("120000")},
    )
    with pytest.raises(ValidationFailed) as exc:
        amend(session, app, dated_on=dt.date(2026, 1, 5), amount_approved=Decimal("119999.99"))
    assert codes(exc) == {"amount_approved": "approved_below_payments"}
    assert len(grant_notices.get_all(session, app.id)) == 1
    amend(session, app, dated_on=dt.date(2026, 1, 5), amount_approved=Decimal("120000"))
    assert app.amount_approved == Decimal("120000.00")


def test_amendment_keeps_the_other_funding_rules(session: Session) -> None:
    app = efre(session)  # requested 300.000 €
    award(session, app, "200000")
    with pytest.raises(ValidationFailed) as exc:
        amend(session, app, dated_on=TODAY, amount_approved=Decimal("300000.01"))
    assert codes(exc) == {"amount_approved": "approved_above_requested"}
    with pytest.raises(ValidationFailed) as exc:
        amend(session, app, dated_on=TODAY, amount_approved=1, period_end=dt.date(2024, 12, 31))
    assert codes(exc) == {"period_end": "end_before_start"}


def test_notice_in_the_future_is_refused(session: Session) -> None:
    app = efre(session)
    with pytest.raises(ValidationFailed) as exc:
        award(session, app, dated_on=TODAY + dt.timedelta(days=1))
    assert codes(exc) == {"dated_on": "notice_in_future"}
    assert "Zukunft" in exc.value.message("de") and "future" in exc.value.message("en")
    assert award(session, app, dated_on=TODAY).dated_on == TODAY
    with pytest.raises(ValidationFailed) as exc:
        amend(session, app, dated_on=TODAY + dt.timedelta(days=1), amount_approved=1)
    assert codes(exc) == {"dated_on": "notice_in_future"}


def test_notice_before_the_submission_is_refused(session: Session) -> None:
    app = efre(session)  # submitted on 01.03.2025
    with pytest.raises(ValidationFailed) as exc:
        award(session, app, dated_on=dt.date(2025, 2, 28))
    assert codes(exc) == {"dated_on": "notice_before_submission"}
    assert award(session, app, dated_on=dt.date(2025, 3, 1)).dated_on == dt.date(2025, 3, 1)


def test_notice_fields_are_checked(session: Session) -> None:
    app = efre(session)
    with pytest.raises(ValidationFailed) as exc:
        grant_notices.record(
            session,
            app.id,
            {"kind": "decree", "dated_on": dt.date(1900, 1, 1), "amount_approved": -1},
            expected_version=app.version,
        )
    assert codes(exc) == {
        "kind": "not_in_list",
        "dated_on": "date_range",
        "amount_approved": "not_negative",
    }


def test_a_stale_version_is_a_conflict(session: Session) -> None:
    from portfolio.errors import ConflictError

    app = efre(session)
    with pytest.raises(ConflictError):
        grant_notices.record(
            session,
            app.id,
            {"kind": "award", "dated_on": AWARD_DAY, "amount_approved": 1},
            expected_version=app.version + 1,
        )


amendments = strategies.amendments(AWARD_DAY, min_size=1, max_size=5)


# a property over many sequences on both databases: once, not again with the clock ahead
@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(programme=st.sampled_from(["EFRE", "MPSC"]), steps=amendments)
def test_the_deadline_follows_the_notice_in_force(
    session: Session, programme: str, steps: list[tuple[int, int, int | None]]
) -> None:
    nested = session.begin_nested()
    try:
        app = make_application(
            session,
            make_project(session),
            programme_id=programmes.get_by_key(session, programme).id,
            phase="B" if programme == "MPSC" else None,
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2026, 6, 30),
        )
        award(session, app)
        for offset, amount, period_days in sorted(steps, key=lambda step: step[0]):
            period_end = (
                None if period_days is None else dt.date(2025, 1, 1) + dt.timedelta(period_days)
            )
            amend(
                session,
                app,
                dated_on=AWARD_DAY + dt.timedelta(offset),
                amount_approved=Decimal(amount),
                period_end=period_end,
            )
        notices = grant_notices.get_all(session, app.id)
        current = notices[-1]
        assert app.period_end == current.period_end
        assert app.amount_approved == current.amount_approved
        phase = next((p for p in app.programme.phases if p.key == app.phase), None)
        expected = funding.proof_of_use_deadline(
            app.programme, phase, notices[0].dated_on, current.period_end
        )
        assert expected is not None and app.proof_of_use_due == expected
    finally:
        nested.rollback()


def test_the_project_page_reads_the_notices_of_each_application(session: Session) -> None:
    from portfolio.queries import grant

    app = efre(session)
    award(session, app, "250000", reference_number="EFRE-0815")
    amend(session, app, dated_on=dt.date(2026, 2, 2), amount_approved=Decimal("260000"))
    (view,) = grant.grants_of_project(session, app.project_id, today=TODAY)
    rows = view.notices
    assert [(r.values["kind"], r.values["amount_approved"]) for r in rows] == [
        ("partial_award", Decimal("250000.00")),
        ("amendment", Decimal("260000.00")),
    ]
    assert rows[0].values["reference_number"] == "EFRE-0815"
