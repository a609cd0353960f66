"""Hypothesis strategies that several property tests share."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from tests.fixtures.base import TODAY

Amendment = tuple[int, int, int | None]
"""(days after the award, approved amount in euros, days of the new period from 1 Jan 2025 or
None for the period in force)."""


def amendments(
    award_day: dt.date, *, min_size: int, max_size: int
) -> st.SearchStrategy[list[Amendment]]:
    """Sequences of amendments to a grant awarded on ``award_day``, dated up to TODAY."""
    return st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=(TODAY - award_day).days),
            st.integers(min_value=0, max_value=300_000),
            st.one_of(st.none(), st.integers(min_value=0, max_value=3000)),
        ),
        min_size=min_size,
        max_size=max_size,
    )
