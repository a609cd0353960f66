"""The funding rules, one test per rule and message."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from portfolio.errors import ValidationFailed
from portfolio.services import funding, programmes
from tests.factories import make_application, make_project
from tests.fixtures.base import TODAY


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {p.field: p.code for p in exc.value.problems}


def approve(session: Session, app, amount: str, day: dt.date = dt.date(2025, 6, 1)):  # type: ignore[no-untyped-def]
    return funding.update(
        session,
        app.id,
        {"status": "approved", "amount_approved": Decimal(amount), "decision_on": day},
        expected_version=app.version,
    )


def test_application_gets_key_and_own_share(session: Session) -> None:
    project = make_project(session)
    app = make_application(session, project)
    assert app.key == f"{project.key}-F1"
    assert app.own_share == Decimal("200000.00")


def test_rate_above_programme_rate(session: Session) -> None:
    project = make_project(session)
    with pytest.raises(ValidationFailed) as exc:
        make_application(session, project, funding_rate=Decimal("70"))
    assert codes(exc) == {"funding_rate": "rate_above_programme"}
    assert (
        "70\xa0% liegt über der Förderquote des Programms „Modellprojekte Smart Cities“ (65\xa0%)"
        in exc.value.message()
    )


def test_raised_rate_applies_in_budget_emergency(session: Session) -> None:
    project = make_project(session)
    app = make_application(
        session,
        project,
        funding_rate=Decimal("90"),
        budget_emergency=True,
        amount_requested=Decimal("440000"),
    )
    assert app.funding_rate == Decimal("90.00")


def test_approved_above_requested(session: Session) -> None:
    project = make_project(session)
    app = make_application(session, project)
    with pytest.raises(ValidationFailed) as exc:
        approve(session, app, "300000.01")
    assert codes(exc) == {"amount_approved": "approved_above_requested"}


def test_amount_above_rate_of_eligible_cost(session: Session) -> None:
    project = make_project(session)
    with pytest.raises(ValidationFailed) as exc:
        make_application(session, project, amount_requested=Decimal("300000.01"))
    assert codes(exc) == {"amount_requested": "amount_above_rate"}
    assert "60\xa0%" in exc.value.message() and "300.000,00\xa0€" in exc.value.message()


def test_public_funding_of_project_within_eligible_cost(session: Session) -> None:
    project = make_project(session, eligible_cost=Decimal("500000"))
    make_application(session, project, amount_requested=Decimal("300000"))
    with pytest.raises(ValidationFailed) as exc:
        make_application(
            session,
            project,
            programme_id=programmes.get_by_key(session, "EFRE").id,
            phase=None,
            amount_requested=Decimal("250000"),
            eligible_cost=Decimal("500000"),
            funding_rate=Decimal("60"),
        )
    assert codes(exc) == {"amount_requested": "public_funding_above_eligible"}
    assert "550.000,00\xa0€" in exc.value.message()


def test_municipal_budget_is_not_public_funding(session: Session) -> None:
    project = make_project(session, eligible_cost=Decimal("500000"))
    make_application(session, project, amount_requested=Decimal("300000"))
    own = make_application(
        session,
        project,
        programme_id=programmes.get_by_key(session, "HAUSHALT").id,
        phase=None,
        funding_rate=None,
        amount_requested=Decimal("250000"),
        eligible_cost=Decimal("500000"),
    )
    assert own.id


def test_rejected_applications_do_not_count(session: Session) -> None:
    project = make_project(session, eligible_cost=Decimal("500000"))
    app = make_application(session, project, amount_requested=Decimal("300000"))
    funding.update(
        session,
        app.id,
        {"status": "rejected", "decision_on": dt.date(2025, 5, 1)},
        expected_version=app.version,
    )
    second = make_application(session, project, amount_requested=Decimal("300000"))
    assert second.id


def test_lowering_eligible_cost_below_funding_is_rejected(session: Session) -> None:
    from portfolio.services import projects

    project = make_project(session, eligible_cost=Decimal("500000"))
    make_application(session, project, amount_requested=Decimal("300000"))
    with pytest.raises(ValidationFailed) as exc:
        projects.update(
            session,
            project.id,
            {"eligible_cost": Decimal("299999")},
            expected_version=project.version,
        )
    assert codes(exc) == {"eligible_cost": "public_funding_above_eligible"}


def test_own_share_required(session: Session) -> None:
    project = make_project(session, eligible_cost=Decimal("800000"))
    with pytest.raises(ValidationFailed) as exc:
        make_application(
            session,
            project,
            programme_id=programmes.get_by_key(session, "NRW-DIGI").id,
            phase=None,
            funding_rate=None,
            eligible_cost=Decimal("100000"),
            amount_requested=Decimal("100000"),
        )
    # 100\xa0% of eligible cost is above NRW-DIGI's 80\xa0% and leaves no own share
    assert codes(exc) == {
        "amount_requested": "amount_above_rate",
        "own_share": "own_share_required",
    }


def test_own_share_not_required_by_gigabit(session: Session) -> None:
    project = make_project(
        session, total_cost=Decimal("21080000"), eligible_cost=Decimal("21080000")
    )
    bund = make_application(
        session,
        project,
        programme_id=programmes.get_by_key(session, "GIGA-BUND").id,
        phase=None,
        funding_rate=Decimal("50"),
        eligible_cost=Decimal("21080000"),
        amount_requested=Decimal("10540000"),
    )
    land = make_application(
        session,
        project,
        programme_id=programmes.get_by_key(session, "GIGA-NRW").id,
        phase=None,
        funding_rate=Decimal("50"),
        budget_emergency=True,
        eligible_cost=Decimal("21080000"),
        amount_requested=Decimal("10540000"),
    )
    assert bund.own_share == Decimal("10540000.00") and land.id


def test_explicit_own_share_must_fit_beside_the_funding(session: Session) -> None:
    project = make_project(session)
    with pytest.raises(ValidationFailed) as exc:
        make_application(session, project, own_share=Decimal("200000.01"))
    assert codes(exc) == {"own_share": "own_share_above_rest"}
    assert "500.000,00\xa0€" in exc.value.message()
    # a smaller own share means another funder carries the rest; it stays as entered
    app = make_application(session, project, own_share=Decimal("50000"))
    assert app.own_share == Decimal("50000.00")
    funding.update(
        session, app.id, {"amount_requested": Decimal("250000")}, expected_version=app.version
    )
    assert app.own_share == Decimal("50000.00")


def test_derived_own_share_follows_the_amounts(session: Session) -> None:
    project = make_project(session)
    app = make_application(session, project)
    funding.update(
        session, app.id, {"amount_requested": Decimal("250000")}, expected_version=app.version
    )
    assert app.own_share == Decimal("250000.00")


def test_cap_holds_for_all_applications_of_a_phase(session: Session) -> None:
    project = make_project(
        session, total_cost=Decimal("10000000"), eligible_cost=Decimal("10000000")
    )
    make_application(
        session,
        project,
        phase="A",
        eligible_cost=Decimal("3000000"),
        amount_requested=Decimal("1500000"),
    )
    with pytest.raises(ValidationFailed) as exc:
        make_application(
            session,
            project,
            phase="A",
            eligible_cost=Decimal("3000000"),
            amount_requested=Decimal("1000000.01"),
        )
    assert codes(exc) == {"amount_requested": "cap_exceeded"}
    assert "2.500.000,01\xa0€" in exc.value.message()


def test_proof_of_use_counts_from_the_end_of_the_period_where_the_programme_says_so(
    session: Session,
) -> None:
    project = make_project(session)
    app = make_application(
        session,
        project,
        programme_id=programmes.get_by_key(session, "NRW-DIGI").id,
        phase=None,
        funding_rate=None,
        amount_requested=Decimal("100000"),
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2026, 6, 30),
    )
    funding.update(
        session,
        app.id,
        {
            "status": "approved",
            "amount_approved": Decimal("100000"),
            "decision_on": dt.date(2025, 4, 1),
        },
        expected_version=app.version,
    )
    assert app.proof_of_use_due == dt.date(2026, 12, 30)


def test_failed_create_keeps_the_callers_transaction(session: Session) -> None:
    project = make_project(session)
    make_application(session, project, key="DUP-1")
    with pytest.raises(ValidationFailed) as exc:
        make_application(session, project, key="DUP-1")
    assert codes(exc) == {"key": "duplicate_key"}
    session.commit()
    assert funding.get_by_key(session, "DUP-1").project_id == project.id


def test_payment_request_keys_stay_unique_after_a_delete(session: Session) -> None:
    project = make_project(session)
    app = make_application(session, project)
    approve(session, app, "250000")
    first = funding.create_payment_request(
        session,
        {"application_id": app.id, "due_on": dt.date(2025, 9, 1), "amount": Decimal("1000")},
    )
    second = funding.create_payment_request(
        session,
        {"application_id": app.id, "due_on": dt.date(2025, 10, 1), "amount": Decimal("1000")},
    )
    funding.delete_payment_request(session, first.id, expected_version=first.version)
    third = funding.create_payment_request(
        session,
        {"application_id": app.id, "due_on": dt.date(2025, 11, 1), "amount": Decimal("1000")},
    )
    assert (second.key, third.key) == (f"{app.key}-M2", f"{app.key}-M3")


def test_payment_date_in_the_future_is_rejected(session: Session) -> None:
    project = make_project(session)
    app = make_application(session, project)
    approve(session, app, "250000")
    with pytest.raises(ValidationFailed) as exc:
        funding.create_payment_request(
            session,
            {
                "application_id": app.id,
                "due_on": dt.date(2025, 9, 1),
                "amount": Decimal("1000"),
                "status": "paid",
                "paid_on": TODAY + dt.timedelta(days=1),
            },
        )
    assert codes(exc) == {"paid_on": "date_in_future"}


def test_phase_cap(session: Session) -> None:
    project = make_project(
        session, total_cost=Decimal("10000000"), eligible_cost=Decimal("10000000")
    )
    with pytest.raises(ValidationFailed) as exc:
        make_application(
            session,
            project,
            phase="A",
            eligible_cost=Decimal("5000000"),
            amount_requested=Decimal("2500000.01"),
        )
    assert codes(exc) == {"amount_requested": "cap_exceeded"}
    assert "2.500.000,00\xa0€" in exc.value.message() and "Phase A" in exc.value.message()


def test_unknown_phase(session: Session) -> None:
    project = make_project(session)
    with pytest.raises(ValidationFailed) as exc:
        make_application(session, project, phase="C")
    assert codes(exc) == {"phase": "unknown_phase"}


def test_status_workflow(session: Session) -> None:
    project = make_project(session)
    app = make_application(session, project)
    with pytest.raises(ValidationFailed) as exc:
        funding.update(session, app.id, {"status": "closed"}, expected_version=app.version)
    assert codes(exc) == {"status": "status_transition"}
    assert "„Antrag eingereicht“ zu „abgeschlossen“" in exc.value.message()
    approve(session, app, "250000")
    assert app.status == "approved"
    # MPSC phase B: proof of use 66 months after the award
    assert app.proof_of_use_due == dt.date(2030, 12, 1)
    funding.update(session, app.id, {"status": "in_progress"}, expected_version=app.version)
    with pytest.raises(ValidationFailed):
        funding.update(session, app.id, {"status": "submitted"}, expected_version=app.version)


def test_decision_needs_date_and_amount(session: Session) -> None:
    project = make_project(session)
    app = make_application(session, project)
    with pytest.raises(ValidationFailed) as exc:
        funding.update(session, app.id, {"status": "approved"}, expected_version=app.version)
    assert codes(exc) == {
        "decision_on": "decision_needs_date",
        "amount_approved": "approval_needs_amount",
    }


def test_decision_before_submission(session: Session) -> None:
    project = make_project(session)
    app = make_application(session, project)
    with pytest.raises(ValidationFailed) as exc:
        approve(session, app, "100000", dt.date(2025, 2, 1))
    assert codes(exc) == {"decision_on": "decision_before_submission"}


def test_funding_period_end_before_start(session: Session) -> None:
    project = make_project(session)
    with pytest.raises(ValidationFailed) as exc:
        make_application(
            session, project, period_start=dt.date(2026, 1, 1), period_end=dt.date(2025, 1, 1)
        )
    assert codes(exc) == {"period_end": "end_before_start"}


def test_payment_requests(session: Session) -> None:
    project = make_project(session)
    app = make_application(session, project)
    with pytest.raises(ValidationFailed) as exc:
        funding.create_payment_request(
            session,
            {"application_id": app.id, "due_on": dt.date(2025, 9, 1), "amount": Decimal("1")},
        )
    assert codes(exc) == {"application_id": "payment_needs_award"}
    approve(session, app, "250000")
    first = funding.create_payment_request(
        session,
        {"application_id": app.id, "due_on": dt.date(2025, 9, 1), "amount": Decimal("200000")},
    )
    assert first.key == f"{app.key}-M1" and first.status == "planned"
    with pytest.raises(ValidationFailed) as exc:
        funding.create_payment_request(
            session,
            {
                "application_id": app.id,
                "due_on": dt.date(2026, 3, 1),
                "amount": Decimal("50000.01"),
            },
        )
    assert codes(exc) == {"amount": "payments_above_approved"}
    with pytest.raises(ValidationFailed) as exc:
        funding.update_payment_request(
            session, first.id, {"status": "paid"}, expected_version=first.version
        )
    assert codes(exc) == {"paid_on": "paid_needs_date"}
    funding.update_payment_request(
        session,
        first.id,
        {"status": "paid", "paid_on": dt.date(2025, 9, 20)},
        expected_version=first.version,
    )
    assert first.status == "paid"
