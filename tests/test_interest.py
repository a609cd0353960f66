"""Interest on refunds (§ 49a Abs. 3 VwVfG): simple interest at the base rate + points, act/365,
split at every base-rate change, end exclusive, rounded half-up to cents once."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio.interest import interest, rate_periods
from portfolio.seed import BASE_RATES

CENT = Decimal("0.01")
FIRST = BASE_RATES[0][0]
LAST_DAY = dt.date(2030, 12, 31)
POINTS = Decimal("5")

days = st.dates(min_value=FIRST, max_value=LAST_DAY)
principals = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=2, allow_nan=False
)
points = st.decimals(min_value=Decimal("0"), max_value=Decimal("9"), places=2, allow_nan=False)
rates = st.decimals(min_value=Decimal("-2"), max_value=Decimal("12"), places=2, allow_nan=False)


def exact(principal: Decimal, rate: Decimal, n_days: int) -> Decimal:
    return (principal * rate * n_days / (100 * 365)).quantize(CENT, ROUND_HALF_UP)


def test_a_hand_computation_over_a_base_rate_change() -> None:
    # 10.000 € from 01.12.2024 to 01.02.2025 (exclusive): 31 days at 3,37 + 5 = 8,37 %
    # (base rate from 01.07.2024), 31 days at 2,27 + 5 = 7,27 % (from 01.01.2025):
    # 71,0877 € + 61,7452 €.
    first = Decimal(10000) * Decimal("8.37") / 100 * 31 / 365
    second = Decimal(10000) * Decimal("7.27") / 100 * 31 / 365
    expected = (first + second).quantize(CENT, ROUND_HALF_UP)
    assert expected == Decimal("132.83")
    got = interest(Decimal(10000), dt.date(2024, 12, 1), dt.date(2025, 2, 1), BASE_RATES, POINTS)
    assert got == expected


def test_end_is_exclusive_and_a_leap_year_counts_366_of_365() -> None:
    # one day: 01.01.2024 only
    one = interest(Decimal(36500), dt.date(2024, 1, 1), dt.date(2024, 1, 2), BASE_RATES, POINTS)
    assert one == Decimal("8.62")  # 36.500 € × 8,62 % / 365
    year = interest(
        Decimal(100), dt.date(2024, 1, 1), dt.date(2025, 1, 1), [(FIRST, Decimal(0))], POINTS
    )
    assert year == exact(Decimal(100), POINTS, 366) == Decimal("5.01")


def test_a_negative_rate_counts_as_zero() -> None:
    # the base rate of -0,88 % before 2023 with no points: no interest, never negative
    assert interest(
        Decimal(1000), dt.date(2020, 1, 1), dt.date(2021, 1, 1), BASE_RATES, Decimal(0)
    ) == Decimal("0.00")
    # with the points: 4,12 %
    assert interest(
        Decimal(1000), dt.date(2021, 1, 1), dt.date(2022, 1, 1), BASE_RATES, POINTS
    ) == Decimal("41.20")


def test_a_day_before_the_first_base_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="no base rate"):
        interest(Decimal(1), FIRST - dt.timedelta(days=1), FIRST, BASE_RATES, POINTS)
    with pytest.raises(ValueError, match="no base rate"):
        interest(Decimal(1), FIRST, FIRST + dt.timedelta(days=1), [], POINTS)
    # ... but zero days need no rate
    assert interest(Decimal(1), dt.date(2000, 1, 1), dt.date(2000, 1, 1), [], POINTS) == 0


def test_the_periods_split_at_every_change() -> None:
    periods = rate_periods(dt.date(2023, 6, 1), dt.date(2024, 2, 1), BASE_RATES)
    assert periods == [
        (dt.date(2023, 6, 1), dt.date(2023, 7, 1), Decimal("1.62")),
        (dt.date(2023, 7, 1), dt.date(2024, 1, 1), Decimal("3.12")),
        (dt.date(2024, 1, 1), dt.date(2024, 2, 1), Decimal("3.62")),
    ]


@given(principal=principals, start=days, n=st.integers(min_value=0, max_value=3000), p=points)
def test_splitting_a_period_changes_the_total_by_at_most_a_cent(
    principal: Decimal, start: dt.date, n: int, p: Decimal
) -> None:
    end = start + dt.timedelta(days=n)
    whole = interest(principal, start, end, BASE_RATES, p)
    for offset in sorted({0, n // 3, n // 2, n}):
        cut = start + dt.timedelta(days=offset)
        parts = interest(principal, start, cut, BASE_RATES, p) + interest(
            principal, cut, end, BASE_RATES, p
        )
        assert abs(parts - whole) <= CENT


@given(
    principal=principals,
    start=days,
    cuts=st.lists(st.integers(min_value=0, max_value=2000), min_size=1, max_size=6),
    p=points,
)
def test_many_splits_stay_within_a_cent_each(
    principal: Decimal, start: dt.date, cuts: list[int], p: Decimal
) -> None:
    bounds = [start, *(start + dt.timedelta(days=c) for c in sorted(cuts))]
    whole = interest(principal, bounds[0], bounds[-1], BASE_RATES, p)
    parts = sum(
        (interest(principal, a, b, BASE_RATES, p) for a, b in itertools.pairwise(bounds)),
        Decimal(0),
    )
    assert abs(parts - whole) <= CENT * len(cuts)


@given(principal=principals, start=days, p=points)
def test_zero_days_bear_no_interest(principal: Decimal, start: dt.date, p: Decimal) -> None:
    assert interest(principal, start, start, BASE_RATES, p) == Decimal("0.00")
    assert interest(principal, start, start - dt.timedelta(days=1), BASE_RATES, p) == 0


@given(principal=principals, start=days, n=st.integers(min_value=0, max_value=3000), p=points)
def test_doubling_the_principal_doubles_the_interest(
    principal: Decimal, start: dt.date, n: int, p: Decimal
) -> None:
    end = start + dt.timedelta(days=n)
    once = interest(principal, start, end, BASE_RATES, p)
    twice = interest(principal * 2, start, end, BASE_RATES, p)
    assert abs(twice - 2 * once) <= CENT


@given(
    principal=principals,
    start=days,
    n=st.integers(min_value=0, max_value=5000),
    rate=rates,
    p=points,
)
def test_one_constant_rate_is_principal_times_rate_times_days(
    principal: Decimal, start: dt.date, n: int, rate: Decimal, p: Decimal
) -> None:
    end = start + dt.timedelta(days=n)
    got = interest(principal, start, end, [(FIRST, rate)], p)
    assert got == exact(principal, max(rate + p, Decimal(0)), n)


@given(
    principal=principals,
    start=days,
    n=st.integers(min_value=0, max_value=3000),
    more=st.integers(min_value=0, max_value=500),
    p=points,
)
def test_more_days_never_bear_less(
    principal: Decimal, start: dt.date, n: int, more: int, p: Decimal
) -> None:
    shorter = interest(principal, start, start + dt.timedelta(days=n), BASE_RATES, p)
    longer = interest(principal, start, start + dt.timedelta(days=n + more), BASE_RATES, p)
    assert longer >= shorter
