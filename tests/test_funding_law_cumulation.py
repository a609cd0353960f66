"""Funding law, adversarially (see tests/funding_law_helpers.py): the own share not replaced by
federal money, public funding at most the eligible cost, declared alternative applications."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from db.models import FundingApplication, Project
from portfolio.services import projects
from tests.funding_law_helpers import (
    MPSC_COST,
    apply,
    approve,
    bring_to,
    change,
    eur,
    mfund_fl1,
    new_project,
    refused,
    reject,
)

# ==== 2. The own share may not be replaced by federal money ====================================
# MPSC: combining with other public funding is allowed, but federal money may not replace the
# municipal own share; Land money may co-fund it. Check: federal funding of the project + MPSC
# own share ≤ the project's eligible cost (or, where empty, the largest per-programme sum of the
# applications' eligible costs).


def _with_mpsc(session: Session, eligible: Decimal | None = MPSC_COST) -> Project:
    """A project with an MPSC application of 300 000 € on 500 000 € (own share 200 000 €)."""
    project = new_project(session, eligible_cost=eligible)
    app = apply(session, project)
    assert app.own_share == eur(200_000)
    return project


@pytest.mark.parametrize(
    ("programme", "phase", "amount", "eligible"),
    [("MFUND", "FL1", eur(200_000), eur(200_000)), ("GIGA-BUND", None, eur(100_000), eur(200_000))],
    ids=["mfund", "gigabit-bund"],
)
def test_federal_money_may_not_cover_the_mpsc_own_share(
    session: Session, programme: str, phase: str | None, amount: Decimal, eligible: Decimal
) -> None:
    """Federal money on the same cost as the MPSC measure replaces its own share: refused."""
    project = _with_mpsc(session)
    with refused("amount_requested"):
        apply(
            session,
            project,
            programme,
            phase=phase,
            amount_requested=amount,
            eligible_cost=eligible,
        )


def test_state_money_may_cofund_the_mpsc_own_share(session: Session) -> None:
    """Land NRW paying 200 000 € of the MPSC own share is allowed (public funding = 500 000 €)."""
    project = _with_mpsc(session)
    assert apply(
        session, project, "NRW-DIGI", amount_requested=eur(200_000), eligible_cost=eur(250_000)
    ).id


@pytest.mark.parametrize(
    ("eligible", "allowed"),
    [(eur(700_000), True), (eur("699999.99"), False)],
    ids=["covers-both", "one-cent-short"],
)
def test_federal_money_for_a_different_cost(
    session: Session, eligible: Decimal, allowed: bool
) -> None:
    """mFUND for another cost is fine while the project's eligible cost covers the MPSC cost
    (500 000 €) and the mFUND cost (200 000 €)."""
    project = _with_mpsc(session, eligible)
    if allowed:
        assert mfund_fl1(session, project, eur(200_000)).id
    else:
        with refused("amount_requested"):
            mfund_fl1(session, project, eur(200_000))


def test_without_project_eligible_cost_the_largest_programme_cost_is_the_bound(
    session: Session,
) -> None:
    """No eligible cost on the project: the bound is 500 000 € (MPSC), so mFUND 200 000 € on top
    of MPSC 300 000 € + own share 200 000 € is refused."""
    project = _with_mpsc(session, None)
    with refused("amount_requested"):
        mfund_fl1(session, project, eur(200_000))


def test_without_project_eligible_cost_state_cofunding_is_accepted(session: Session) -> None:
    """No eligible cost on the project: Land money co-funding the own share stays allowed."""
    project = _with_mpsc(session, None)
    assert apply(
        session, project, "NRW-DIGI", amount_requested=eur(200_000), eligible_cost=eur(250_000)
    ).id


def test_mpsc_after_federal_money_on_the_same_cost_is_refused(session: Session) -> None:
    """The order does not matter: an MPSC measure whose own share federal money already pays."""
    project = new_project(session, eligible_cost=eur(500_000))
    mfund_fl1(session, project, eur(200_000))
    with refused("amount_requested", "own_share"):
        apply(session, project)


@pytest.mark.parametrize(
    ("eligible", "allowed"),
    [(eur(700_000), True), (eur("699999.99"), False)],
    ids=["covers-both", "one-cent-short"],
)
def test_lowering_the_project_cost_below_federal_money_and_own_share(
    session: Session, eligible: Decimal, allowed: bool
) -> None:
    """Lowering the project's eligible cost may not make federal money eat the own share."""
    project = _with_mpsc(session, eur(800_000))
    mfund_fl1(session, project, eur(200_000))
    if allowed:
        projects.update(
            session, project.id, {"eligible_cost": eligible}, expected_version=project.version
        )
        assert project.eligible_cost == eligible
    else:
        with refused("eligible_cost"):
            projects.update(
                session, project.id, {"eligible_cost": eligible}, expected_version=project.version
            )


def test_city_budget_paying_the_own_share_is_accepted(session: Session) -> None:
    """The city's own budget line is the own share, not a replacement of it."""
    project = _with_mpsc(session)
    assert apply(
        session, project, "HAUSHALT", amount_requested=eur(200_000), eligible_cost=eur(500_000)
    ).id


@pytest.mark.parametrize(
    ("eligible", "allowed"),
    [(eur(700_000), True), (eur(600_000), False)],
    ids=["city-pays-its-part", "nothing-left-for-the-city"],
)
def test_own_share_cofunded_by_the_land_is_still_protected_from_federal_money(
    session: Session, eligible: Decimal, allowed: bool
) -> None:
    """The MPSC own share is MPSC's cost less MPSC's money (200 000 €), whoever pays it. With
    Land paying 100 000 € of it (the city's own share entered as 100 000 €), mFUND 200 000 € on
    a 600 000 € project would leave the city nothing to pay: the rest of the own share is then
    federal money."""
    project = new_project(session, eligible_cost=eligible)
    apply(session, project, own_share=eur(100_000))
    apply(session, project, "NRW-DIGI", amount_requested=eur(100_000), eligible_cost=eur(500_000))
    if allowed:
        assert mfund_fl1(session, project, eur(200_000)).id
    else:
        with refused("amount_requested"):
            mfund_fl1(session, project, eur(200_000))


# ==== 3. Cumulation: public funding ≤ the eligible cost ========================================
# Public funding (EU, Bund, Land) of a project together at most its eligible cost (no
# over-funding, § 44 BHO/LHO; MPSC Merkblatt). Declared alternative applications count once.


def _bund_on_one_million(session: Session) -> Project:
    """A project without eligible cost; mFUND FL2 pays 60 % of a 1 M € cost."""
    project = new_project(session, total_cost=eur(2_000_000), eligible_cost=None)
    apply(
        session,
        project,
        "MFUND",
        phase="FL2",
        funding_rate=eur(60),
        amount_requested=eur(600_000),
        eligible_cost=eur(1_000_000),
    )
    return project


@pytest.mark.parametrize("programme", ["NRW-DIGI", "EFRE"])
def test_stacked_funding_of_one_cost_is_refused_without_project_eligible_cost(
    session: Session, programme: str
) -> None:
    """Bund 60 % + Land 50 % (or EFRE 50 %) of the same 1 M € cost: 110 % (160 % with all three)."""
    project = _bund_on_one_million(session)
    with refused("amount_requested"):
        apply(
            session,
            project,
            programme,
            funding_rate=eur(50),
            amount_requested=eur(500_000),
            eligible_cost=eur(1_000_000),
        )


@pytest.mark.parametrize(
    ("land_rate", "emergency"), [(eur(40), False), (eur(50), True)], ids=["90pct", "100pct"]
)
def test_bund_and_land_cofunding_one_cost_is_accepted(
    session: Session, land_rate: Decimal, emergency: bool
) -> None:
    """Gigabit: Bund 50 % + Land 40 % (50 % under HSK) of one cost is at most 100 %: allowed."""
    project = new_project(session, total_cost=eur(2_000_000), eligible_cost=None)
    common: dict[str, Any] = {"eligible_cost": eur(1_000_000)}
    apply(
        session,
        project,
        "GIGA-BUND",
        funding_rate=eur(50),
        amount_requested=eur(500_000),
        **common,
    )
    land = apply(
        session,
        project,
        "GIGA-NRW",
        funding_rate=land_rate,
        budget_emergency=emergency,
        amount_requested=eur(1_000_000) * land_rate / 100,
        **common,
    )
    assert land.id


@pytest.mark.parametrize(
    ("amount", "allowed"), [(eur(400_000), True), (eur("400000.01"), False)], ids=["at", "above"]
)
def test_public_funding_up_to_the_project_eligible_cost(
    session: Session, amount: Decimal, allowed: bool
) -> None:
    """EFRE 600 000 € + Land up to 400 000 € on a 1 M € eligible project."""
    project = new_project(session, eligible_cost=eur(1_000_000))
    apply(session, project, "EFRE", amount_requested=eur(600_000), eligible_cost=eur(1_000_000))
    data: dict[str, Any] = {"amount_requested": amount, "eligible_cost": eur(600_000)}
    if allowed:
        assert apply(session, project, "NRW-DIGI", **data).id
    else:
        with refused("amount_requested"):
            apply(session, project, "NRW-DIGI", **data)


def _alternatives(session: Session) -> tuple[Project, FundingApplication, FundingApplication]:
    """EFRE 600 000 € and, declared as its alternative, Land 800 000 €, on one 1 M € cost."""
    project = new_project(session, total_cost=eur(1_000_000), eligible_cost=eur(1_000_000))
    first = apply(
        session, project, "EFRE", amount_requested=eur(600_000), eligible_cost=eur(1_000_000)
    )
    second = apply(
        session,
        project,
        "NRW-DIGI",
        amount_requested=eur(800_000),
        eligible_cost=eur(1_000_000),
        alternative_to_id=first.id,
    )
    return project, first, second


def test_declared_alternative_application_is_accepted(session: Session) -> None:
    """The same cost applied for elsewhere, disclosed as an alternative: counts once (800 000 €)."""
    _, first, second = _alternatives(session)
    assert second.alternative_to_id == first.id


def test_undeclared_second_application_for_the_same_cost_is_refused(session: Session) -> None:
    """Without the declaration the two add up (1.4 M € on a 1 M € cost)."""
    project = new_project(session, total_cost=eur(1_000_000), eligible_cost=eur(1_000_000))
    apply(session, project, "EFRE", amount_requested=eur(600_000), eligible_cost=eur(1_000_000))
    with refused("amount_requested"):
        apply(
            session,
            project,
            "NRW-DIGI",
            amount_requested=eur(800_000),
            eligible_cost=eur(1_000_000),
        )


@pytest.mark.parametrize(
    ("amount", "allowed"), [(eur(200_000), True), (eur("200000.01"), False)], ids=["at", "above"]
)
def test_undecided_alternatives_count_with_the_largest_amount(
    session: Session, amount: Decimal, allowed: bool
) -> None:
    """Group {600 000, 800 000} undecided counts 800 000 €; beside it 200 000 € more fit."""
    project, _, _ = _alternatives(session)
    data: dict[str, Any] = {"amount_requested": amount, "eligible_cost": eur(600_000)}
    if allowed:
        assert apply(session, project, "GIGA-NRW", **data).id
    else:
        with refused("amount_requested"):
            apply(session, project, "GIGA-NRW", **data)


def test_awarding_one_of_the_alternatives_is_accepted(session: Session) -> None:
    """Once one is awarded, the group counts the awarded amount (600 000 €)."""
    _, first, _ = _alternatives(session)
    assert approve(session, first).status == "approved"


def test_awarding_the_second_alternative_beyond_the_bound_is_refused(session: Session) -> None:
    """Both awarded: 600 000 + 800 000 € on a 1 M € cost is over-funding."""
    _, first, second = _alternatives(session)
    approve(session, first)
    with refused("amount_approved"):
        approve(session, second)


def test_awarding_the_second_alternative_within_the_bound_is_accepted(session: Session) -> None:
    """Both awarded, 600 000 + 400 000 € = the eligible cost: allowed."""
    _, first, second = _alternatives(session)
    approve(session, first)
    assert approve(session, second, eur(400_000)).amount_approved == eur(400_000)


def test_awarded_alternative_counts_even_when_the_original_is_still_open(
    session: Session,
) -> None:
    """The alternative awarded first (800 000 €) is what the group counts; the original may then
    not be awarded beside it on the same 1 M € cost."""
    project, first, second = _alternatives(session)
    approve(session, second)
    assert apply(
        session, project, "GIGA-NRW", amount_requested=eur(200_000), eligible_cost=eur(600_000)
    ).id
    with refused("amount_approved"):
        approve(session, first)


def test_rejected_application_does_not_widen_the_bound(session: Session) -> None:
    """Without a project eligible cost, only live applications' costs make the bound: a rejected
    2 M € application does not let Bund 60 % + Land 50 % of a 1 M € cost through."""
    project = new_project(session, total_cost=eur(3_000_000), eligible_cost=None)
    old = apply(
        session, project, "EFRE", amount_requested=eur(1_200_000), eligible_cost=eur(2_000_000)
    )
    reject(session, old)
    apply(
        session,
        project,
        "MFUND",
        phase="FL2",
        funding_rate=eur(60),
        amount_requested=eur(600_000),
        eligible_cost=eur(1_000_000),
    )
    with refused("amount_requested"):
        apply(
            session,
            project,
            "NRW-DIGI",
            funding_rate=eur(50),
            amount_requested=eur(500_000),
            eligible_cost=eur(1_000_000),
        )


def _efre(session: Session, project: Project) -> FundingApplication:
    return apply(
        session, project, "EFRE", amount_requested=eur(300_000), eligible_cost=eur(500_000)
    )


def _land_alternative(session: Session, project: Project, to_id: int) -> FundingApplication:
    return apply(
        session,
        project,
        "NRW-DIGI",
        amount_requested=eur(300_000),
        eligible_cost=eur(500_000),
        alternative_to_id=to_id,
    )


@pytest.mark.parametrize("target", ["rejected", "withdrawn"])
def test_alternative_to_a_dead_application_is_refused(session: Session, target: str) -> None:
    """An alternative must point to a live application."""
    project = new_project(session)
    first = bring_to(session, _efre(session, project), target)
    with refused("alternative_to_id"):
        _land_alternative(session, project, first.id)


def test_alternative_to_an_application_of_another_project_is_refused(session: Session) -> None:
    """An alternative names an application of the same project (the same cost)."""
    other = _efre(session, new_project(session))
    with refused("alternative_to_id"):
        _land_alternative(session, new_project(session), other.id)


def test_alternative_to_an_alternative_is_refused(session: Session) -> None:
    """No chains: the target may not itself be an alternative."""
    project = new_project(session, eligible_cost=eur(1_000_000), total_cost=eur(1_000_000))
    first = _efre(session, project)
    second = _land_alternative(session, project, first.id)
    with refused("alternative_to_id"):
        apply(
            session,
            project,
            "GIGA-NRW",
            amount_requested=eur(200_000),
            eligible_cost=eur(500_000),
            alternative_to_id=second.id,
        )


def test_alternative_to_itself_is_refused(session: Session) -> None:
    """An application is no alternative to itself."""
    first = _efre(session, new_project(session))
    with refused("alternative_to_id"):
        change(session, first, alternative_to_id=first.id)


def test_alternative_to_an_unknown_application_is_refused(session: Session) -> None:
    """A reference to no application is a validation problem, not a database error."""
    with refused("alternative_to_id"):
        _land_alternative(session, new_project(session), 999_999)


def test_clearing_the_project_eligible_cost_lets_the_applications_costs_bind(
    session: Session,
) -> None:
    """EFRE 600 000 € and the Land's 500 000 € on 1 M € each fit a project's 2 M €; with the
    project's eligible cost cleared, they are taken for the same cost and together exceed it."""
    project = new_project(session, total_cost=eur(2_000_000), eligible_cost=eur(2_000_000))
    for key, amount in (("EFRE", 600_000), ("NRW-DIGI", 500_000)):
        apply(session, project, key, amount_requested=eur(amount), eligible_cost=eur(1_000_000))
    with refused("eligible_cost"):
        projects.update(
            session, project.id, {"eligible_cost": None}, expected_version=project.version
        )
    projects.update(
        session, project.id, {"eligible_cost": eur(1_100_000)}, expected_version=project.version
    )
