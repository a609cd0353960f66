"""Funding law, adversarially (see tests/funding_law_helpers.py): the caps at the right scope,
the city's MPSC caps summed over its projects, the other programmes' per project."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from db.models import FundingApplication
from portfolio.errors import ValidationFailed
from portfolio.services import funding, projects
from tests.funding_law_helpers import (
    approve,
    big_project,
    bring_to,
    change,
    eur,
    mfund_fl1,
    mpsc,
    new_project,
    problems_on,
    refused,
)

# ==== 1. Caps at the right scope ===============================================================
# MPSC is one grant of the city for all its measures (KfW Merkblatt 436): phase A ≤ 2.5 M € (of
# which ≤ 1 M € for first implementation measures), phase B ≤ 15 M €, together ≤ 17.5 M € — summed
# over every project of the city. Other programmes cap per project.


@pytest.mark.parametrize(
    ("phase", "first", "second"),
    [("A", eur(1_500_000), eur(1_000_000)), ("B", eur(10_000_000), eur(5_000_000))],
    ids=["A", "B"],
)
def test_city_cap_of_a_phase_may_be_used_up_exactly_across_projects(
    session: Session, phase: str, first: Decimal, second: Decimal
) -> None:
    """Two measures of the city together exactly at the phase's cap are allowed."""
    mpsc(session, big_project(session), phase, first)
    assert mpsc(session, big_project(session), phase, second).id


@pytest.mark.parametrize(
    ("phase", "first", "second"),
    [("A", eur(1_500_000), eur("1000000.01")), ("B", eur(10_000_000), eur("5000000.01"))],
    ids=["A", "B"],
)
def test_city_cap_of_a_phase_binds_the_sum_over_projects(
    session: Session, phase: str, first: Decimal, second: Decimal
) -> None:
    """The phase cap binds the sum of all the city's MPSC measures, not each project alone."""
    mpsc(session, big_project(session), phase, first)
    with refused("amount_requested"):
        mpsc(session, big_project(session), phase, second)


def test_city_cap_over_all_phases_may_be_used_up_exactly(session: Session) -> None:
    """A 2.5 M € + B 15 M € = 17.5 M €, the programme's cap, across two projects."""
    mpsc(session, big_project(session), "A", eur(2_500_000))
    assert mpsc(session, big_project(session), "B", eur(15_000_000)).id


@pytest.mark.parametrize(
    ("amount", "allowed"), [(eur(10_000), True), (eur("10000.01"), False)], ids=["at", "above"]
)
def test_city_cap_over_all_phases_binds(session: Session, amount: Decimal, allowed: bool) -> None:
    """17.5 M € over all MPSC measures of the city, whatever their phase (or none)."""
    mpsc(session, big_project(session), "A", eur(2_500_000))
    mpsc(session, big_project(session), "B", eur(14_990_000))
    third = big_project(session)
    if allowed:
        assert mpsc(session, third, None, amount).id
    else:
        with refused("amount_requested"):
            mpsc(session, third, None, amount)


@pytest.mark.parametrize(
    ("second", "allowed"), [(eur(400_000), True), (eur("400000.01"), False)], ids=["at", "above"]
)
def test_implementation_measures_of_phase_a_at_most_one_million(
    session: Session, second: Decimal, allowed: bool
) -> None:
    """Of phase A, at most 1 M € for first implementation measures, summed over the city."""
    mpsc(session, big_project(session), "A", eur(600_000), implementation_measure=True)
    project = big_project(session)
    if allowed:
        assert mpsc(session, project, "A", second, implementation_measure=True).id
    else:
        with refused("amount_requested"):
            mpsc(session, project, "A", second, implementation_measure=True)


def test_strategy_work_of_phase_a_does_not_count_against_the_implementation_cap(
    session: Session,
) -> None:
    """1 M € implementation + 1.5 M € strategy = the phase cap; the 1 M € sub-cap is untouched."""
    mpsc(session, big_project(session), "A", eur(1_000_000), implementation_measure=True)
    assert mpsc(session, big_project(session), "A", eur(1_500_000)).id


def _approved_below_requested(session: Session) -> FundingApplication:
    first = mpsc(session, big_project(session), "A", eur(2_000_000))
    approve(session, first, eur(1_500_000))
    return first


def test_city_cap_counts_the_approved_amount_once_set(session: Session) -> None:
    """Requested 2 M €, approved 1.5 M €: the cap counts 1.5 M €, so 1 M € more fits."""
    _approved_below_requested(session)
    assert mpsc(session, big_project(session), "A", eur(1_000_000)).id


def test_city_cap_refuses_a_raised_approved_amount(session: Session) -> None:
    """Raising the approved amount above the city's cap is refused on the approved amount."""
    first = _approved_below_requested(session)
    mpsc(session, big_project(session), "A", eur(1_000_000))
    with refused("amount_approved"):
        change(session, first, amount_approved=eur("1500000.01"))


@pytest.mark.parametrize("outcome", ["rejected", "withdrawn"])
def test_city_cap_counts_only_live_applications(session: Session, outcome: str) -> None:
    """A rejected or withdrawn measure frees its share of the cap."""
    first = mpsc(session, big_project(session), "A", eur(2_500_000))
    bring_to(session, first, outcome)
    assert mpsc(session, big_project(session), "A", eur(2_500_000)).id


def test_other_programmes_cap_per_project(session: Session) -> None:
    """mFUND Förderlinie 1 (≤ 200 000 €) is per project: two projects may each have 200 000 €."""
    mfund_fl1(session, new_project(session), eur(200_000))
    assert mfund_fl1(session, new_project(session), eur(200_000)).id


def test_per_project_cap_still_binds_within_a_project(session: Session) -> None:
    """Two mFUND FL1 applications of one project together above 200 000 € are refused."""
    project = new_project(session)
    mfund_fl1(session, project, eur(200_000))
    with refused("amount_requested"):
        mfund_fl1(session, project, eur("0.01"))


def _city_above_cap(session: Session) -> tuple[FundingApplication, FundingApplication]:
    """Phase A at 3 M € for the city: legacy data from before the city-wide cap (written past
    the services)."""
    first = mpsc(session, big_project(session), "A", eur(1_500_000))
    second = mpsc(session, big_project(session), "A", eur(1_000_000), eligible_cost=eur(3_000_000))
    first.amount_requested, first.eligible_cost = eur(2_000_000), eur(4_000_000)
    first.own_share = eur(2_000_000)
    session.flush()
    return first, second


def test_edit_that_does_not_raise_a_total_above_the_cap_is_accepted(session: Session) -> None:
    """A note on a measure of an over-cap city is no new excess."""
    _, second = _city_above_cap(session)
    assert change(session, second, note="Kostenplan aktualisiert").note


def test_lowering_an_amount_above_the_cap_is_accepted(session: Session) -> None:
    """Lowering towards the cap is the cure, not a new excess (still 2.9 M € afterwards)."""
    first, _ = _city_above_cap(session)
    assert change(session, first, amount_requested=eur(1_900_000)).amount_requested == eur(
        1_900_000
    )


def test_raising_an_amount_above_the_cap_is_refused(session: Session) -> None:
    """Raising a total already above the cap is refused."""
    _, second = _city_above_cap(session)
    with refused("amount_requested"):
        change(session, second, amount_requested=eur("1000000.01"))


def test_restoring_an_archived_measure_beyond_the_city_cap_is_refused(session: Session) -> None:
    """Restoring an archived application may not push the city's phase A above 2.5 M €."""
    first = mpsc(session, big_project(session), "A", eur(2_500_000))
    funding.archive(session, first.id, expected_version=first.version)
    mpsc(session, big_project(session), "A", eur(2_500_000))
    with refused():
        funding.restore(session, first.id, expected_version=first.version)


def test_restoring_an_archived_measure_within_the_city_cap_is_accepted(session: Session) -> None:
    """Restoring is fine while the city stays within the cap (1.5 + 1 M € = 2.5 M €)."""
    first = mpsc(session, big_project(session), "A", eur(1_500_000))
    funding.archive(session, first.id, expected_version=first.version)
    mpsc(session, big_project(session), "A", eur(1_000_000))
    assert not funding.restore(session, first.id, expected_version=first.version).archived


def test_archiving_a_project_does_not_open_a_way_past_the_city_cap(session: Session) -> None:
    """A live measure of an archived project is still part of the city's grant: either it
    keeps counting, or restoring its project is refused — never both measures live above
    the cap."""
    archived = big_project(session)
    mpsc(session, archived, "A", eur(2_500_000))
    projects.archive(session, archived.id, expected_version=archived.version)
    try:
        mpsc(session, big_project(session), "A", eur(2_500_000))
    except ValidationFailed as exc:  # the archived project's measure still counts
        problems_on(exc, "amount_requested")
        return
    with refused():
        projects.restore(session, archived.id, expected_version=archived.version)
