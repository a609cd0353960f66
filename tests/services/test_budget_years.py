"""Jahresscheiben: the proposal pro rata by days, following the grant through amendments, the
warnings, and the sums holding after any amendments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from portfolio.errors import ValidationFailed
from portfolio.services import budget_years, funding
from tests.fixtures.base import TODAY
from tests.services.budget_years_helpers import D, amend, award, efre, pay, plan_rows, years

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
