"""Jahresscheiben: the proposal pro rata by days, planning (each rule on both sides), following
the grant through amendments, the warnings, and the money per budget year and source."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import BudgetYear, FundingApplication, PaymentRequest, Refund
from portfolio.errors import ConflictError, ValidationFailed
from portfolio.queries import budget
from portfolio.services import budget_years, funding, grant_notices, programmes, projects
from tests.factories import make_application, make_project
from tests.fixtures.base import TODAY

AWARD_DAY = dt.date(2025, 6, 1)
D = Decimal


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {p.field: p.code for p in exc.value.problems}


def efre(
    session: Session,
    start: dt.date = dt.date(2025, 1, 1),
    end: dt.date = dt.date(2027, 12, 31),
    **overrides: Any,
) -> FundingApplication:
    """An EFRE application (eligible cost 500.000 €, 300.000 € requested)."""
    data: dict[str, Any] = {
        "programme_id": programmes.get_by_key(session, "EFRE").id,
        "phase": None,
        "period_start": start,
        "period_end": end,
    }
    return make_application(session, make_project(session), **(data | overrides))


def award(session: Session, app: FundingApplication, amount: str = "300000") -> None:
    grant_notices.record(
        session,
        app.id,
        {"kind": "award", "dated_on": AWARD_DAY, "amount_approved": D(amount)},
        expected_version=app.version,
    )


def amend(session: Session, app: FundingApplication, **data: Any) -> None:
    data.setdefault("dated_on", dt.date(2026, 5, 4))
    grant_notices.record(
        session, app.id, {"kind": "amendment"} | data, expected_version=app.version
    )


def years(session: Session, app: FundingApplication) -> list[tuple[int, Decimal, Decimal | None]]:
    return [
        (row.year, row.grant_amount, row.own_amount)
        for row in budget_years.get_all(session, app.id)
    ]


def pay(
    session: Session, app: FundingApplication, amount: str, day: dt.date, status: str = "paid"
) -> PaymentRequest:
    return funding.create_payment_request(
        session,
        {
            "application_id": app.id,
            "due_on": day,
            "amount": D(amount),
            "status": status,
            "paid_on": day if status == "paid" else None,
        },
    )


# ---- propose ----------------------------------------------------------------------------------


def test_propose_splits_pro_rata_by_days() -> None:
    # 184 days in 2025, 181 in 2026
    assert budget_years.propose(
        D("100000"), D("50000"), dt.date(2025, 7, 1), dt.date(2026, 6, 30)
    ) == [(2025, D("50410.96"), D("25205.48")), (2026, D("49589.04"), D("24794.52"))]
    assert budget_years.propose(D("10"), None, dt.date(2026, 3, 1), dt.date(2026, 3, 1)) == [
        (2026, D("10.00"), None)
    ]


def test_propose_gives_the_remaining_cents_to_the_largest_remainders() -> None:
    # 365 / 366 / 365 days: 0,02 € go to the two largest remainders (2024 first, then 2023)
    proposal = budget_years.propose(D("0.02"), D("0"), dt.date(2023, 1, 1), dt.date(2025, 12, 31))
    assert proposal == [
        (2023, D("0.01"), D("0.00")),
        (2024, D("0.01"), D("0.00")),
        (2025, D("0.00"), D("0.00")),
    ]


def test_propose_refuses_a_period_ending_before_it_starts() -> None:
    with pytest.raises(ValueError):
        budget_years.propose(D("1"), None, dt.date(2026, 1, 2), dt.date(2026, 1, 1))


@given(
    amount=st.decimals(min_value=0, max_value=10**9, places=2),
    own=st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=2)),
    start=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)),
    length=st.integers(min_value=0, max_value=4000),
)
def test_propose_adds_up_to_the_amounts(
    amount: Decimal, own: Decimal | None, start: dt.date, length: int
) -> None:
    end = start + dt.timedelta(days=length)
    proposal = budget_years.propose(amount, own, start, end)
    assert [y for y, _, _ in proposal] == list(range(start.year, end.year + 1))
    assert sum(g for _, g, _ in proposal) == amount
    assert all(g >= 0 and g == g.quantize(D("0.01")) for _, g, _ in proposal)
    if own is None:
        assert all(o is None for _, _, o in proposal)
    else:
        assert sum(o for _, _, o in proposal if o is not None) == own
    days = budget_years.days_by_year(start, end)
    for year, grant, _ in proposal:  # each year within a cent of its exact share
        assert abs(grant - amount * days[year] / (length + 1)) < D("0.01")


# ---- following the grant ----------------------------------------------------------------------


def test_the_award_creates_the_proposed_budget_years(session: Session) -> None:
    app = efre(session, dt.date(2025, 7, 1), dt.date(2026, 6, 30))
    assert years(session, app) == []  # submitted: no budget years yet
    award(session, app, "100000")
    assert app.own_share == D("400000.00")  # 500.000 € eligible − 100.000 €
    assert years(session, app) == budget_years.propose(
        D("100000"), D("400000"), dt.date(2025, 7, 1), dt.date(2026, 6, 30)
    )
    assert [row.year for row in app.budget_years] == [2025, 2026]


def test_following_twice_writes_nothing(session: Session) -> None:
    app = efre(session)
    award(session, app)
    before = [(row.id, row.version) for row in budget_years.get_all(session, app.id)]
    budget_years.follow_grant(session, app)
    funding.update(session, app.id, {"note": "Rückfrage"}, expected_version=app.version)
    assert [(row.id, row.version) for row in budget_years.get_all(session, app.id)] == before
    assert not session.dirty and not session.new


def test_an_amendment_keeps_the_past_years_and_spreads_the_difference(session: Session) -> None:
    app = efre(session)  # 2025–2027, 365 days each
    award(session, app, "240000")  # own share 260.000 €
    assert years(session, app) == [
        (2025, D("80000.00"), D("86666.67")),
        (2026, D("80000.00"), D("86666.67")),
        (2027, D("80000.00"), D("86666.66")),
    ]
    amend(session, app, amount_approved=D("300000"))  # own share 200.000 €
    assert years(session, app) == [
        (2025, D("80000.00"), D("86666.67")),  # past (today is in 2026): as it was
        (2026, D("110000.00"), D("56666.67")),
        (2027, D("110000.00"), D("56666.66")),
    ]


def test_a_year_with_paid_requests_is_kept(session: Session) -> None:
    app = efre(session)
    award(session, app)
    pay(session, app, "50000", dt.date(2026, 3, 2))
    amend(session, app, amount_approved=D("240000"))
    assert [(y, g) for y, g, _ in years(session, app)] == [
        (2025, D("100000.00")),
        (2026, D("100000.00")),  # paid in: kept
        (2027, D("40000.00")),
    ]


def test_a_shortened_period_drops_the_years_outside_it(session: Session) -> None:
    app = efre(session)
    award(session, app)
    amend(session, app, amount_approved=D("300000"), period_end=dt.date(2026, 6, 30))
    rows = years(session, app)
    assert [(y, g) for y, g, _ in rows] == [(2025, D("100000.00")), (2026, D("200000.00"))]
    assert sum(o or 0 for _, _, o in rows) == app.own_share


def test_an_extended_period_with_more_money_spreads_over_the_new_years(session: Session) -> None:
    app = efre(session, end=dt.date(2026, 12, 31))
    award(session, app, "200000")  # 2025 and 2026: 100.000 € each
    amend(session, app, amount_approved=D("300000"), period_end=dt.date(2027, 12, 31))
    # The past year stays; what it does not hold is planned anew over 2026 and 2027 by days.
    assert [(y, g) for y, g, _ in years(session, app)] == [
        (2025, D("100000.00")),
        (2026, D("100000.00")),
        (2027, D("100000.00")),
    ]


def test_an_extension_with_the_same_money_moves_some_of_it_into_the_new_year(
    session: Session,
) -> None:
    app = efre(session, end=dt.date(2026, 12, 31))
    award(session, app, "200000")  # 2025 and 2026: 100.000 € each
    amend(session, app, period_end=dt.date(2027, 12, 31), amount_approved=D("200000"))
    assert [(y, g) for y, g, _ in years(session, app)] == [
        (2025, D("100000.00")),
        (2026, D("50000.00")),
        (2027, D("50000.00")),
    ]
    before = [(r.id, r.version) for r in budget_years.get_all(session, app.id)]
    budget_years.follow_grant(session, app)  # in step now: nothing written
    assert [(r.id, r.version) for r in budget_years.get_all(session, app.id)] == before


def test_a_cut_deeper_than_the_remaining_years_reaches_the_past_ones(session: Session) -> None:
    app = efre(session)
    award(session, app)
    amend(session, app, amount_approved=D("50000"))
    assert [(y, g) for y, g, _ in years(session, app)] == [
        (2025, D("50000.00")),  # the remaining years give all they have, then the latest past
        (2026, D("0.00")),
        (2027, D("0.00")),
    ]


def test_with_no_year_remaining_the_difference_goes_onto_the_last_year(session: Session) -> None:
    app = efre(
        session, dt.date(2024, 1, 1), dt.date(2025, 12, 31), submitted_on=dt.date(2024, 1, 2)
    )
    award(session, app, "299999")
    before = years(session, app)
    amend(session, app, amount_approved=D("300000"))
    after = years(session, app)
    assert [y for y, _, _ in after] == [2024, 2025]
    assert after[0] == before[0]
    assert after[1][1] == before[1][1] + 1


def test_a_grant_ended_with_amount_zero_loses_its_budget_years(session: Session) -> None:
    app = efre(session)
    award(session, app)
    amend(session, app, amount_approved=D("0"))
    assert years(session, app) == []
    amend(session, app, amount_approved=D("90000"))  # awarded again: proposed afresh
    assert [g for _, g, _ in years(session, app)] == [D("30000.00")] * 3


def test_an_application_without_a_period_gets_no_budget_years(session: Session) -> None:
    app = efre(session, period_start=None, period_end=None)
    award(session, app)
    assert years(session, app) == []


def test_a_manual_plan_survives_an_edit_that_keeps_the_sums(session: Session) -> None:
    app = efre(session)
    award(session, app)
    rows = [
        {"year": 2025, "grant_amount": D("50000"), "own_amount": D("100000")},
        {"year": 2026, "grant_amount": D("150000"), "own_amount": D("50000")},
        {"year": 2027, "grant_amount": D("100000"), "own_amount": D("50000")},
    ]
    budget_years.plan(session, app.id, rows, expected_version=app.version)
    amend(session, app, amount_approved=D("300000"), period_end=dt.date(2027, 12, 31))
    assert [g for _, g, _ in years(session, app)] == [D("50000"), D("150000"), D("100000")]


# ---- planning ---------------------------------------------------------------------------------


def plan_rows(*rows: tuple[int, str, str | None]) -> list[dict[str, Any]]:
    return [
        {"year": y, "grant_amount": D(g), "own_amount": None if o is None else D(o)}
        for y, g, o in rows
    ]


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


# ---- warnings ---------------------------------------------------------------------------------


def test_payments_above_the_year_s_instalment_are_a_warning(session: Session) -> None:
    app = efre(session)
    award(session, app)  # 100.000 € a year
    pay(session, app, "60000", dt.date(2025, 9, 1))
    pay(session, app, "40000", dt.date(2025, 12, 1))
    assert budget_years.warnings(session, app.id) == []  # exactly the instalment
    pay(session, app, "0.01", dt.date(2025, 12, 31), status="planned")
    found = budget_years.warnings(session, app.id)
    assert [(p.code, p.params["year"]) for p in found] == [("payments_above_budget_year", "2025")]
    german = budget_years.messages(found)[0]
    assert german.startswith("Zuwendung: ") and "2025" in german
    assert "100.000,01" in german and "100.000,00" in german and "0,01" in german
    assert "instalment" in budget_years.messages(found, "en")[0]


def test_rejected_requests_do_not_draw(session: Session) -> None:
    app = efre(session)
    award(session, app)
    pay(session, app, "100000", dt.date(2026, 9, 1), status="submitted")
    request = pay(session, app, "1", dt.date(2026, 10, 1), status="submitted")
    assert len(budget_years.warnings(session, app.id)) == 1
    funding.update_payment_request(
        session, request.id, {"status": "rejected"}, expected_version=request.version
    )
    assert budget_years.warnings(session, app.id) == []


def test_payments_in_a_year_without_an_instalment_are_a_warning(session: Session) -> None:
    app = efre(session)
    award(session, app)
    budget_years.plan(
        session,
        app.id,
        plan_rows((2026, "150000", "100000"), (2027, "150000", "100000")),
        expected_version=app.version,
    )
    # 2025 keeps its row with nothing planned: a payment due then draws above it
    pay(session, app, "1000", dt.date(2025, 10, 1))
    found = budget_years.warnings(session, app.id)
    assert [(p.code, p.params["year"]) for p in found] == [("payments_above_budget_year", "2025")]
    # a request due after the period falls into no budget year of the grant
    pay(session, app, "2000", dt.date(2028, 2, 1), status="planned")
    found = budget_years.warnings(session, app.id)
    assert [(p.code, p.params["year"]) for p in found] == [
        ("payments_above_budget_year", "2025"),
        ("payments_without_budget_year", "2028"),
    ]
    assert "keine Jahresscheibe" in budget_years.messages(found)[1]
    assert "2.000,00" in budget_years.messages(found)[1]


def test_no_warnings_without_budget_years(session: Session) -> None:
    app = efre(session, period_start=None, period_end=None)
    award(session, app)
    pay(session, app, "1000", dt.date(2025, 10, 1))
    assert budget_years.warnings(session, app.id) == []


# ---- amendments: the sums always hold ---------------------------------------------------------

steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=(TODAY - dt.date(2026, 1, 1)).days),
        st.integers(min_value=0, max_value=300_000),
        st.one_of(st.none(), st.integers(min_value=0, max_value=2500)),
    ),
    min_size=1,
    max_size=5,
)


# a property over many sequences on both databases: once, not again with the clock ahead
@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps, paid=st.integers(min_value=0, max_value=100_000))
def test_after_any_amendments_the_budget_years_add_up_to_the_grant(
    session: Session, steps: list[tuple[int, int, int | None]], paid: int
) -> None:
    nested = session.begin_nested()
    try:
        app = efre(session, dt.date(2025, 1, 1), dt.date(2026, 6, 30))
        award(session, app)
        if paid:
            pay(session, app, str(paid), dt.date(2026, 2, 1))
        for offset, amount, period_days in sorted(steps, key=lambda step: step[0]):
            period_end = (
                None if period_days is None else dt.date(2025, 1, 1) + dt.timedelta(period_days)
            )
            try:
                amend(
                    session,
                    app,
                    dated_on=dt.date(2026, 1, 1) + dt.timedelta(offset),
                    amount_approved=D(amount),
                    period_end=period_end,
                )
            except ValidationFailed:
                continue  # refused by the funding rules (below the payments, above the cap)
            rows = budget_years.get_all(session, app.id)
            approved = app.amount_approved
            start, end = app.period_start, app.period_end
            assert approved is not None and start is not None and end is not None
            assert sum((r.grant_amount for r in rows), D(0)) == approved
            if app.own_share is not None and approved > 0:
                assert sum((r.own_amount or 0 for r in rows), D(0)) == app.own_share
            assert all(r.grant_amount >= 0 and (r.own_amount or 0) >= 0 for r in rows)
            assert all(start.year <= r.year <= end.year for r in rows)
            assert (approved == 0) == (rows == [])
    finally:
        nested.rollback()


# ---- money per budget year and source ---------------------------------------------------------


def refund(session: Session, app: FundingApplication, amount: str, repaid: dt.date | None) -> None:
    # test setup: the refunds service is another helper's; the row as it stores one
    session.add(
        Refund(
            key=f"{app.key}-R{len(app.refunds) + 1}",
            application_id=app.id,
            kind="refund",
            claimed_on=dt.date(2026, 3, 1),
            amount=D(amount),
            repaid_on=repaid,
        )
    )
    session.flush()
    session.expire(app, ["refunds"])


def line(result: budget.MoneyByBudgetYear, year: int, source_key: str) -> budget.BudgetLine:
    return next(ln for ln in result.lines if ln.year == year and ln.source_key == source_key)


def test_money_by_budget_year_and_source(session: Session) -> None:
    app = efre(session)
    award(session, app)  # 100.000 € a year, own share 66.666,67 / 66.666,67 / 66.666,66
    pay(session, app, "40000", dt.date(2025, 9, 1))
    pay(session, app, "30000", dt.date(2026, 12, 15), status="planned")
    refund(session, app, "5000", dt.date(2026, 4, 1))
    refund(session, app, "7000", None)  # claimed, not repaid yet: no cash flow
    mfund = make_application(
        session,
        app.project,
        programme_id=programmes.get_by_key(session, "MFUND").id,
        phase="FL1",
        funding_rate=D("100"),
        amount_requested=D("100000"),
        eligible_cost=D("100000"),
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    award(session, mfund, "100000")
    result = budget.money_by_budget_year(session, project_ids=[app.project_id], lang="de")
    assert [(ln.year, ln.source) for ln in result.lines] == [
        (2025, "EFRE/JTF-Programm NRW 2021–2027"),
        (2025, "Eigenanteil"),
        (2026, "EFRE/JTF-Programm NRW 2021–2027"),
        (2026, "mFUND"),
        (2026, "Eigenanteil"),
        (2027, "EFRE/JTF-Programm NRW 2021–2027"),
        (2027, "Eigenanteil"),
    ]
    efre_2025 = line(result, 2025, "EFRE")
    assert (efre_2025.planned_grant, efre_2025.paid_out, efre_2025.open_due) == (
        D("100000.00"),
        D("40000.00"),
        D("0.00"),
    )
    efre_2026 = line(result, 2026, "EFRE")
    assert (efre_2026.refunded, efre_2026.open_due, efre_2026.net_paid) == (
        D("-5000.00"),
        D("30000.00"),
        D("-5000.00"),
    )
    assert line(result, 2026, "MFUND").planned_grant == D("100000.00")
    assert line(result, 2026, budget.OWN_SHARE).planned_own == D("66666.67")  # mFUND: none
    assert line(result, 2027, budget.OWN_SHARE).planned_grant == D("0.00")
    total_2026 = next(t for t in result.totals if t.year == 2026)
    assert (total_2026.planned_grant, total_2026.planned_own, total_2026.refunded) == (
        D("200000.00"),
        D("66666.67"),
        D("-5000.00"),
    )
    english = budget.money_by_budget_year(session, project_ids=[app.project_id], lang="en")
    assert english.lines[1].source == "Own share"


def test_archived_applications_and_projects_do_not_count(session: Session) -> None:
    app = efre(session)
    award(session, app)
    other = efre(session)
    award(session, other)
    both = [app.project_id, other.project_id]

    def planned() -> Decimal:
        result = budget.money_by_budget_year(session, project_ids=both, lang="de")
        return sum((t.planned_grant for t in result.totals), D(0))

    assert planned() == D("600000.00")
    funding.archive(session, app.id, expected_version=app.version)
    assert planned() == D("300000.00")
    project = other.project
    projects.archive(session, project.id, expected_version=project.version)
    assert planned() == D("0")
    assert budget.money_by_budget_year(session, project_ids=[], lang="de").lines == ()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    grants=st.lists(
        st.tuples(
            st.sampled_from(["EFRE", "NRW-DIGI"]),
            st.integers(min_value=1, max_value=250_000),
            st.integers(min_value=0, max_value=900),  # period days from 2025-01-01
            st.lists(  # payment requests: amount, days after the award, paid?
                st.tuples(
                    st.integers(min_value=1, max_value=20_000),
                    st.integers(min_value=0, max_value=(TODAY - AWARD_DAY).days),
                    st.booleans(),
                ),
                max_size=3,
            ),
            st.one_of(st.none(), st.integers(min_value=1, max_value=5_000)),  # a refund repaid
        ),
        min_size=1,
        max_size=3,
    )
)
def test_money_by_budget_year_agrees_with_the_rows(
    session: Session, grants: list[tuple[str, int, int, list[tuple[int, int, bool]], int | None]]
) -> None:
    nested = session.begin_nested()
    try:
        project = make_project(session)
        apps = []
        for programme, amount, days, payments, refunded in grants:
            rate = D("60") if programme == "EFRE" else D("80")
            app = make_application(
                session,
                project,
                programme_id=programmes.get_by_key(session, programme).id,
                phase=None,
                funding_rate=rate,
                amount_requested=D(amount),
                eligible_cost=D(amount) * 2,
                period_start=dt.date(2025, 1, 1),
                period_end=dt.date(2025, 1, 1) + dt.timedelta(days),
            )
            award(session, app, str(amount))
            for pay_amount, offset, paid in payments:
                if sum(p.amount for p in app.payment_requests) + pay_amount > amount:
                    continue
                day = AWARD_DAY + dt.timedelta(offset)
                pay(session, app, str(pay_amount), day, "paid" if paid else "submitted")
                session.expire(app, ["payment_requests"])
            if refunded is not None:
                refund(session, app, str(refunded), TODAY)
            apps.append(app)
        result = budget.money_by_budget_year(session, project_ids=[project.id], lang="de")
        ids = [a.id for a in apps]
        expected: dict[int, dict[str, Decimal]] = {}

        def add(year: int, column: str, value: Decimal) -> None:
            cell = expected.setdefault(year, {c: D("0") for c in budget.AMOUNTS})
            cell[column] += value

        for row in session.execute(
            select(BudgetYear).where(BudgetYear.application_id.in_(ids))
        ).scalars():
            add(row.year, "planned_grant", row.grant_amount)
            add(row.year, "planned_own", row.own_amount or D(0))
        for request in session.execute(
            select(PaymentRequest).where(PaymentRequest.application_id.in_(ids))
        ).scalars():
            if request.status == "paid":
                assert request.paid_on is not None
                add(request.paid_on.year, "paid_out", request.amount)
            else:
                add(request.due_on.year, "open_due", request.amount)
        for claim in session.execute(
            select(Refund).where(Refund.application_id.in_(ids))
        ).scalars():
            assert claim.repaid_on is not None
            add(claim.repaid_on.year, "refunded", -claim.amount)
        assert {
            t.year: {c: getattr(t, c) for c in budget.AMOUNTS} for t in result.totals
        } == expected
        assert result.totals == budget.year_totals(result.lines)
        for total in result.totals:  # the totals are the sums of the year's lines
            year_lines = [ln for ln in result.lines if ln.year == total.year]
            for column in budget.AMOUNTS:
                assert getattr(total, column) == sum(
                    (getattr(ln, column) for ln in year_lines), D(0)
                )
    finally:
        nested.rollback()


def test_money_by_budget_year_of_one_theme(session: Session) -> None:
    from db.models import ActionField, Theme

    app = efre(session)  # a project of action field 5.1.2
    award(session, app)
    theme = session.execute(
        select(Theme)
        .join(ActionField, ActionField.theme_id == Theme.id)
        .where(ActionField.id == app.project.action_field_id)
    ).scalar_one()
    other = session.execute(select(Theme).where(Theme.id != theme.id).limit(1)).scalar_one()
    mine = budget.money_by_budget_year(session, theme_key=theme.key, lang="de")
    assert sum((t.planned_grant for t in mine.totals), D(0)) == D("300000.00")
    elsewhere = budget.money_by_budget_year(session, theme_key=other.key, lang="de")
    assert elsewhere.lines == () and elsewhere.totals == ()
