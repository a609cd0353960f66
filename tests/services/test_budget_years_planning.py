"""Jahresscheiben: planning them by hand, each rule on both sides."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from portfolio.errors import ConflictError, ValidationFailed
from portfolio.services import budget_years
from tests.services.budget_years_helpers import D, award, codes, efre, plan_rows, years

# ---- planning ---------------------------------------------------------------------------------


def test_plan_replaces_the_budget_years(session: Session) -> None:
    app = efre(session)
    award(session, app)  # own share 200.000 €
    kept = budget_years.get_all(session, app.id)[0]
    result = budget_years.plan(
        session,
        app.id,
        plan_rows((2025, "100000", "66666.67"), (2026, "200000", "133333.33")),
        expected_version=app.version,
    )
    # every year of the period keeps its row: 2027 with nothing planned
    assert [(r.year, r.grant_amount, r.own_amount) for r in result] == [
        (2025, D("100000.00"), D("66666.67")),
        (2026, D("200000.00"), D("133333.33")),
        (2027, D("0.00"), D("0.00")),
    ]
    assert result[0].id == kept.id and result[0].version == kept.version  # unchanged row


def test_plan_refuses_grant_amounts_not_adding_up(session: Session) -> None:
    app = efre(session)
    award(session, app)
    with pytest.raises(ValidationFailed) as exc:
        budget_years.plan(
            session,
            app.id,
            plan_rows((2025, "100000", "100000"), (2026, "199999.99", "100000")),
            expected_version=app.version,
        )
    assert codes(exc) == {"grant_amount": "budget_years_grant_below"}
    german = exc.value.message("de")
    assert german.startswith("Zuwendung: ") and "es fehlen 0,01\xa0€" in german
    assert "300.000,00" in german and "299.999,99" in german
    with pytest.raises(ValidationFailed) as exc:
        budget_years.plan(
            session,
            app.id,
            plan_rows((2025, "100000", "100000"), (2026, "200000.5", "100000")),
            expected_version=app.version,
        )
    assert codes(exc) == {"grant_amount": "budget_years_grant_above"}
    assert "0,50\xa0€ zu viel" in exc.value.message("de")
    assert "too much" in exc.value.message("en")
    assert [g for _, g, _ in years(session, app)] == [D("100000.00")] * 3  # unchanged


def test_plan_refuses_own_amounts_not_adding_up_to_the_own_share(session: Session) -> None:
    app = efre(session)
    award(session, app)
    with pytest.raises(ValidationFailed) as exc:
        budget_years.plan(
            session,
            app.id,
            plan_rows((2025, "100000", "100000"), (2026, "200000", None)),
            expected_version=app.version,
        )
    assert codes(exc) == {"own_amount": "budget_years_own_below"}
    german = exc.value.message("de")
    assert german.startswith("Eigenanteil: ") and "es fehlen 100.000,00\xa0€" in german


def test_plan_takes_any_own_amounts_without_an_own_share(session: Session) -> None:
    app = efre(session, eligible_cost=None)
    award(session, app)
    assert app.own_share is None
    result = budget_years.plan(
        session,
        app.id,
        plan_rows((2025, "300000", "12345"), (2026, "0", None)),
        expected_version=app.version,
    )
    assert [(r.year, r.own_amount) for r in result] == [
        (2025, D("12345.00")),
        (2026, None),
        (2027, None),
    ]


def test_plan_refuses_a_year_outside_the_funding_period(session: Session) -> None:
    app = efre(session)
    award(session, app)
    with pytest.raises(ValidationFailed) as exc:
        budget_years.plan(
            session,
            app.id,
            plan_rows((2024, "100000", "0"), (2026, "200000", "200000")),
            expected_version=app.version,
        )
    assert codes(exc) == {"year": "budget_year_outside_period"}
    german = exc.value.message("de")
    assert german.startswith("Haushaltsjahr: ")
    assert "2024" in german and "01.01.2025" in german and "31.12.2027" in german
    budget_years.plan(  # the neighbour: the period's last year
        session,
        app.id,
        plan_rows((2027, "100000", "0"), (2026, "200000", "200000")),
        expected_version=app.version,
    )
    assert [y for y, _, _ in years(session, app)] == [2025, 2026, 2027]  # 2025 with 0


def test_plan_refuses_a_year_twice(session: Session) -> None:
    app = efre(session)
    award(session, app)
    with pytest.raises(ValidationFailed) as exc:
        budget_years.plan(
            session,
            app.id,
            plan_rows((2026, "100000", "100000"), (2026, "200000", "100000")),
            expected_version=app.version,
        )
    assert codes(exc) == {"year": "budget_year_duplicate"}
    assert "2026 ist mehrfach" in exc.value.message("de")


def test_plan_needs_an_approved_amount(session: Session) -> None:
    app = efre(session)
    with pytest.raises(ValidationFailed) as exc:
        budget_years.plan(
            session, app.id, plan_rows((2026, "300000", None)), expected_version=app.version
        )
    assert codes(exc) == {"grant_amount": "budget_years_need_approval"}
    assert "Zuwendungsbescheid" in exc.value.message("de")
    assert years(session, app) == []


def test_plan_needs_a_funding_period(session: Session) -> None:
    app = efre(session, period_start=None, period_end=None)
    award(session, app)
    with pytest.raises(ValidationFailed) as exc:
        budget_years.plan(
            session, app.id, plan_rows((2026, "300000", "200000")), expected_version=app.version
        )
    assert codes(exc) == {"year": "budget_years_need_period"}


def test_plan_checks_the_fields_of_each_row(session: Session) -> None:
    app = efre(session)
    award(session, app)
    with pytest.raises(ValidationFailed) as exc:
        budget_years.plan(
            session,
            app.id,
            [{"year": 2026, "grant_amount": D("-1"), "own_amount": None}],
            expected_version=app.version,
        )
    assert codes(exc) == {"grant_amount": "not_negative"}


def test_plan_with_a_stale_version_is_a_conflict(session: Session) -> None:
    app = efre(session)
    award(session, app)
    stale = app.version - 1
    with pytest.raises(ConflictError):
        budget_years.plan(
            session, app.id, plan_rows((2026, "300000", "200000")), expected_version=stale
        )
