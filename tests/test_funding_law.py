"""Funding law (Zuwendungsrecht, MPSC), adversarially: every rule from both sides.

Each rule gets a forbidden case (``ValidationFailed`` naming the field, with a German message)
and a close legitimate case (accepted): a false rejection is as much a defect as a false
acceptance. The warnings are checked present and absent through ``funding_rules.findings``.

Test data are built so that no other rule interferes: projects carry a council resolution
(MPSC phase B needs one), rates are set so that amounts stay below rate × eligible cost, and
amounts that should hit a cap stay below the rate limit (else the test would pass for the
wrong reason).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from db.models import FundingApplication, PaymentRequest, Project
from portfolio import funding_rules
from portfolio.errors import Problem, ValidationFailed
from portfolio.services import funding, milestones, programmes, projects
from portfolio.vocab import field_label
from tests.factories import make_application, make_project
from tests.fixtures.base import TODAY

D = dt.date
TOMORROW = TODAY + dt.timedelta(days=1)
FIRST_DAY = D(1990, 1, 1)
BEFORE_FIRST_DAY = D(1989, 12, 31)
LAST_DAY = D(TODAY.year + 15, TODAY.month, TODAY.day)  # 2041-11-26
AFTER_LAST_DAY = LAST_DAY + dt.timedelta(days=1)
SUBMITTED = D(2025, 3, 1)
DECIDED = D(2025, 6, 1)
RESOLUTION_URL = "https://session.bochum.de/bi/vo0050.asp?__kvonr=4711"
MPSC_COST = Decimal("500000")


def eur(value: str | int) -> Decimal:
    return Decimal(str(value))


# ---- assertions -------------------------------------------------------------------------------


def problems_on(exc: ValidationFailed, *fields: str) -> list[Problem]:
    """The problems on any of ``fields`` (on any field where none is given); each must carry a
    formatted German message that names its field."""
    found = [p for p in exc.problems if not fields or p.field in fields]
    seen = [(p.field, p.code) for p in exc.problems]
    assert found, f"expected a problem on {' or '.join(fields)}, got {seen}"
    for p in found:
        de = p.message("de")
        assert de and de != p.code, f"{p.code}: no German message"
        assert "{" not in de, f"{p.code}: unformatted message {de!r}"
        assert field_label(p.field, "de") in de, f"{p.code}: the message does not name the field"
    return found


@contextmanager
def refused(*fields: str) -> Iterator[None]:
    """The block must raise ``ValidationFailed`` with a problem on (one of) ``fields``."""
    with pytest.raises(ValidationFailed) as info:
        yield
    problems_on(info.value, *fields)


def findings_of(session: Session, code: str, project: Project) -> list[funding_rules.Finding]:
    found = funding_rules.findings(session, funding_rules.project_scope(), TODAY)
    return [f for f in found.get(code, []) if f.project_key == project.key]


# ---- builders ---------------------------------------------------------------------------------


def programme_id(session: Session, key: str) -> int:
    return programmes.get_by_key(session, key).id


def new_project(session: Session, **overrides: Any) -> Project:
    """A project with a council resolution (on 1 Dec 2024, published), 1 M € total cost, 800 000 €
    eligible, running 2025–2027."""
    data: dict[str, Any] = {
        "council_resolution_on": D(2024, 12, 1),
        "council_resolution_url": RESOLUTION_URL,
    }
    data.update(overrides)
    return make_project(session, **data)


def big_project(session: Session, **overrides: Any) -> Project:
    data: dict[str, Any] = {"total_cost": eur(40_000_000), "eligible_cost": eur(40_000_000)}
    data.update(overrides)
    return new_project(session, **data)


def apply(
    session: Session, project: Project, programme: str = "MPSC", **overrides: Any
) -> FundingApplication:
    """An application (submitted 1 Mar 2025); for MPSC phase B at 60 % of 500 000 €, for the
    other programmes without phase and at the programme's rate."""
    data: dict[str, Any] = {"programme_id": programme_id(session, programme)}
    if programme != "MPSC":
        data |= {"phase": None, "funding_rate": None}
    data.update(overrides)
    return make_application(session, project, **data)


def mpsc(
    session: Session, project: Project, phase: str | None, amount: Decimal, **overrides: Any
) -> FundingApplication:
    """An MPSC application at 50 % of twice its amount."""
    data: dict[str, Any] = {
        "phase": phase,
        "funding_rate": eur(50),
        "amount_requested": amount,
        "eligible_cost": amount * 2,
    }
    data.update(overrides)
    return apply(session, project, "MPSC", **data)


def change(session: Session, app: FundingApplication, **data: Any) -> FundingApplication:
    return funding.update(session, app.id, data, expected_version=app.version)


def approve(
    session: Session, app: FundingApplication, amount: Decimal | None = None, day: dt.date = DECIDED
) -> FundingApplication:
    return change(
        session,
        app,
        status="approved",
        amount_approved=app.amount_requested if amount is None else amount,
        decision_on=day,
    )


def reject(session: Session, app: FundingApplication) -> FundingApplication:
    return change(session, app, status="rejected", decision_on=DECIDED)


def bring_to(session: Session, app: FundingApplication, status: str) -> FundingApplication:
    """Walks an application (submitted) along the workflow to ``status``."""
    path = {
        "submitted": [],
        "rejected": ["rejected"],
        "withdrawn": ["withdrawn"],
        "approved": ["approved"],
        "in_progress": ["approved", "in_progress"],
        "proof_submitted": ["approved", "in_progress", "proof_submitted"],
        "closed": ["approved", "in_progress", "proof_submitted", "closed"],
    }[status]
    for step in path:
        if step == "approved":
            approve(session, app)
        elif step == "rejected":
            reject(session, app)
        else:
            change(session, app, status=step)
    return app


def pay(session: Session, app: FundingApplication, amount: Decimal, **data: Any) -> PaymentRequest:
    values: dict[str, Any] = {"application_id": app.id, "due_on": D(2025, 9, 1), "amount": amount}
    values.update(data)
    return funding.create_payment_request(session, values)


def paid(session: Session, app: FundingApplication, amount: Decimal, **data: Any) -> PaymentRequest:
    values: dict[str, Any] = {"status": "paid", "paid_on": D(2025, 9, 10)}
    values.update(data)
    return pay(session, app, amount, **values)


def change_payment(session: Session, request: PaymentRequest, **data: Any) -> PaymentRequest:
    return funding.update_payment_request(
        session, request.id, data, expected_version=request.version
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


def _mfund_fl1(session: Session, project: Project, amount: Decimal) -> FundingApplication:
    return apply(
        session, project, "MFUND", phase="FL1", amount_requested=amount, eligible_cost=amount
    )


def test_other_programmes_cap_per_project(session: Session) -> None:
    """mFUND Förderlinie 1 (≤ 200 000 €) is per project: two projects may each have 200 000 €."""
    _mfund_fl1(session, new_project(session), eur(200_000))
    assert _mfund_fl1(session, new_project(session), eur(200_000)).id


def test_per_project_cap_still_binds_within_a_project(session: Session) -> None:
    """Two mFUND FL1 applications of one project together above 200 000 € are refused."""
    project = new_project(session)
    _mfund_fl1(session, project, eur(200_000))
    with refused("amount_requested"):
        _mfund_fl1(session, project, eur("0.01"))


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
        assert _mfund_fl1(session, project, eur(200_000)).id
    else:
        with refused("amount_requested"):
            _mfund_fl1(session, project, eur(200_000))


def test_without_project_eligible_cost_the_largest_programme_cost_is_the_bound(
    session: Session,
) -> None:
    """No eligible cost on the project: the bound is 500 000 € (MPSC), so mFUND 200 000 € on top
    of MPSC 300 000 € + own share 200 000 € is refused."""
    project = _with_mpsc(session, None)
    with refused("amount_requested"):
        _mfund_fl1(session, project, eur(200_000))


def test_without_project_eligible_cost_state_cofunding_is_accepted(session: Session) -> None:
    """No eligible cost on the project: Land money co-funding the own share stays allowed."""
    project = _with_mpsc(session, None)
    assert apply(
        session, project, "NRW-DIGI", amount_requested=eur(200_000), eligible_cost=eur(250_000)
    ).id


def test_mpsc_after_federal_money_on_the_same_cost_is_refused(session: Session) -> None:
    """The order does not matter: an MPSC measure whose own share federal money already pays."""
    project = new_project(session, eligible_cost=eur(500_000))
    _mfund_fl1(session, project, eur(200_000))
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
    _mfund_fl1(session, project, eur(200_000))
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
        assert _mfund_fl1(session, project, eur(200_000)).id
    else:
        with refused("amount_requested"):
            _mfund_fl1(session, project, eur(200_000))


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


# ==== 4. No payment before the award ===========================================================
# Money is paid out only under an award (Zuwendungsbescheid), never before it (§ 44 BHO, VV).


@pytest.mark.parametrize(
    ("paid_on", "allowed"),
    [(DECIDED, True), (DECIDED - dt.timedelta(days=1), False)],
    ids=["on-award-day", "day-before"],
)
def test_payment_not_before_the_decision(session: Session, paid_on: dt.date, allowed: bool) -> None:
    """Paid on the day of the award is fine; the day before is impossible."""
    app = approve(session, apply(session, new_project(session)))
    if allowed:
        assert paid(session, app, eur(1000), due_on=paid_on, paid_on=paid_on).id
    else:
        with refused("paid_on"):
            paid(session, app, eur(1000), due_on=paid_on, paid_on=paid_on)


@pytest.mark.parametrize("status", ["idea", "sketch", "submitted", "rejected", "withdrawn"])
def test_payment_request_needs_an_awarded_application(session: Session, status: str) -> None:
    """No Mittelabruf under an application that is not awarded."""
    project = new_project(session)
    if status in ("idea", "sketch"):
        app = apply(session, project, status=status, submitted_on=None)
    else:
        app = bring_to(session, apply(session, project), status)
    with refused("application_id"):
        pay(session, app, eur(1000))


@pytest.mark.parametrize("status", ["approved", "in_progress", "proof_submitted"])
def test_payment_request_under_a_running_grant_is_accepted(session: Session, status: str) -> None:
    """Awarded and not closed: Mittelabrufe are allowed (the final one with the proof of use)."""
    app = bring_to(session, apply(session, new_project(session)), status)
    assert pay(session, app, eur(1000)).status == "planned"


def test_moving_a_payout_before_the_award_is_refused(session: Session) -> None:
    """A paid request's date corrected to before the award is refused as well."""
    app = approve(session, apply(session, new_project(session)))
    request = paid(session, app, eur(1000))
    with refused("paid_on"):
        change_payment(session, request, paid_on=DECIDED - dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("decision_on", "allowed"),
    [(D(2025, 5, 15), True), (D(2025, 9, 11), False)],
    ids=["earlier-award", "award-after-payout"],
)
def test_moving_the_award_after_a_payout_is_refused(
    session: Session, decision_on: dt.date, allowed: bool
) -> None:
    """The same rule from the award's side: paid on 10 Sep 2025, the award cannot be dated
    11 Sep 2025; an earlier correction is fine."""
    app = approve(session, apply(session, new_project(session)))
    paid(session, app, eur(1000), paid_on=D(2025, 9, 10))
    if allowed:
        assert change(session, app, decision_on=decision_on).decision_on == decision_on
    else:
        with refused("decision_on", "paid_on"):
            change(session, app, decision_on=decision_on)


# ==== 5. Nothing open under a closed grant =====================================================
# A closed grant (after the proof of use was checked) has no open Mittelabruf any more.


@pytest.mark.parametrize("status", ["planned", "submitted"])
def test_open_payment_request_under_a_closed_grant_is_refused(
    session: Session, status: str
) -> None:
    """A new planned or submitted payment request under a closed application is refused."""
    app = bring_to(session, apply(session, new_project(session)), "closed")
    with refused("application_id"):
        pay(session, app, eur(1000), status=status)


def test_reopening_a_paid_request_under_a_closed_grant_is_refused(session: Session) -> None:
    """A paid request under a closed grant may not be turned back into an open one."""
    app = bring_to(session, apply(session, new_project(session)), "proof_submitted")
    request = paid(session, app, eur(1000))
    change(session, app, status="closed")
    with refused("application_id"):
        change_payment(session, request, status="planned", paid_on=None)


def test_paid_request_under_a_closed_grant_stays_editable(session: Session) -> None:
    """Editing the note of a paid request under a closed grant is fine."""
    app = bring_to(session, apply(session, new_project(session)), "proof_submitted")
    request = paid(session, app, eur(1000))
    change(session, app, status="closed")
    assert change_payment(session, request, note="Beleg nachgereicht").note


@pytest.mark.parametrize("status", ["planned", "submitted"])
def test_closing_with_open_payment_requests_is_refused(session: Session, status: str) -> None:
    """An application with an open Mittelabruf cannot be closed."""
    app = bring_to(session, apply(session, new_project(session)), "proof_submitted")
    pay(session, app, eur(1000), status=status)
    with refused("status"):
        change(session, app, status="closed")


def test_closing_with_only_paid_and_rejected_requests_is_accepted(session: Session) -> None:
    """Paid and rejected requests do not stop the close."""
    app = bring_to(session, apply(session, new_project(session)), "proof_submitted")
    paid(session, app, eur(1000))
    pay(session, app, eur(500), status="rejected")
    assert change(session, app, status="closed").status == "closed"


# ==== 6. No decision in the future =============================================================
# A decision (award or rejection) and a submission are facts: they cannot lie after today.


@pytest.mark.parametrize(
    ("day", "allowed"), [(TODAY, True), (TOMORROW, False)], ids=["today", "tomorrow"]
)
def test_award_date_not_in_the_future(session: Session, day: dt.date, allowed: bool) -> None:
    """Awarded today is fine, awarded tomorrow is not a fact yet."""
    app = apply(session, new_project(session))
    if allowed:
        assert approve(session, app, day=day).decision_on == TODAY
    else:
        with refused("decision_on"):
            approve(session, app, day=day)


def test_rejection_date_not_in_the_future(session: Session) -> None:
    """A rejection dated tomorrow is refused as well."""
    app = apply(session, new_project(session))
    with refused("decision_on"):
        change(session, app, status="rejected", decision_on=TOMORROW)


@pytest.mark.parametrize(
    ("status", "day", "allowed"),
    [
        ("submitted", TOMORROW, False),
        ("submitted", TODAY, True),
        ("sketch", TOMORROW, True),
    ],
    ids=["submitted-tomorrow", "submitted-today", "planned-submission"],
)
def test_submission_date_not_in_the_future_once_submitted(
    session: Session, status: str, day: dt.date, allowed: bool
) -> None:
    """Submitted tomorrow is not a fact; a sketch may carry the planned submission day."""
    project = new_project(session)
    if allowed:
        assert apply(session, project, status=status, submitted_on=day).id
    else:
        with refused("submitted_on"):
            apply(session, project, status=status, submitted_on=day)


# ==== 7. Plausible dates =======================================================================
# Every stored date lies between 1 Jan 1990 and 15 years after today (else it is a typo).


def _write_date(session: Session, entity: str, field: str, day: dt.date) -> object:
    if entity == "project":
        return new_project(session, **{field: day})
    project = new_project(session)
    if entity == "application":
        data: dict[str, Any] = {field: day}
        if field == "decision_on":
            data |= {"status": "rejected"}
        return apply(session, project, **data)
    if entity == "milestone":
        data = {"project_id": project.id, "title": "Abnahme", "due_date": D(2026, 6, 30)}
        data[field] = day
        return milestones.create(session, data)
    app = approve(session, apply(session, project))
    if field == "paid_on":
        return pay(session, app, eur(1000), status="paid", paid_on=day)
    return pay(session, app, eur(1000), **{field: day})


@pytest.mark.parametrize(
    ("entity", "field", "day"),
    [
        ("project", "start_date", BEFORE_FIRST_DAY),
        ("project", "end_date", AFTER_LAST_DAY),
        ("project", "council_resolution_on", BEFORE_FIRST_DAY),
        ("application", "submitted_on", BEFORE_FIRST_DAY),
        ("application", "decision_on", BEFORE_FIRST_DAY),
        ("application", "period_start", BEFORE_FIRST_DAY),
        ("application", "period_end", AFTER_LAST_DAY),
        ("application", "early_start_consent_on", BEFORE_FIRST_DAY),
        ("milestone", "due_date", AFTER_LAST_DAY),
        ("milestone", "done_date", BEFORE_FIRST_DAY),
        ("payment", "due_on", AFTER_LAST_DAY),
        ("payment", "paid_on", BEFORE_FIRST_DAY),
    ],
    ids=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v),
)
def test_implausible_date_is_refused(
    session: Session, entity: str, field: str, day: dt.date
) -> None:
    """Before 1990 or more than 15 years ahead: refused, naming the field."""
    with refused(field):
        _write_date(session, entity, field, day)


@pytest.mark.parametrize(
    ("entity", "field", "day"),
    [
        ("project", "start_date", FIRST_DAY),
        ("project", "end_date", LAST_DAY),
        ("application", "period_end", LAST_DAY),
        ("milestone", "due_date", LAST_DAY),
        ("payment", "due_on", LAST_DAY),
    ],
    ids=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v),
)
def test_date_at_the_edge_of_the_plausible_span_is_accepted(
    session: Session, entity: str, field: str, day: dt.date
) -> None:
    """1 Jan 1990 and exactly 15 years ahead are still plausible."""
    assert _write_date(session, entity, field, day) is not None


# ==== 8. The award may not be cut below what was already requested =============================
# An amendment notice (Änderungsbescheid) cannot take back money already drawn or requested.


def _grant_with_requests(session: Session) -> FundingApplication:
    """Approved 250 000 €; paid 100 000 €, planned 50 000 €, rejected 30 000 € (not counted)."""
    app = approve(session, apply(session, new_project(session)), eur(250_000))
    paid(session, app, eur(100_000))
    pay(session, app, eur(50_000))
    pay(session, app, eur(30_000), status="rejected")
    return app


def test_cutting_the_award_below_the_requests_is_refused(session: Session) -> None:
    """149 999,99 € approved against 150 000 € paid and open requests: refused."""
    app = _grant_with_requests(session)
    with refused("amount_approved"):
        change(session, app, amount_approved=eur("149999.99"))


def test_cutting_the_award_to_the_requests_is_accepted(session: Session) -> None:
    """Cutting to exactly the paid + open requests is fine (rejected ones do not count)."""
    app = _grant_with_requests(session)
    assert change(session, app, amount_approved=eur(150_000)).amount_approved == eur(150_000)


# ==== 9. Renouncing a grant (Verzicht) =========================================================
# A recipient may renounce an award (Verzicht) while it runs; a closed grant is settled.


@pytest.mark.parametrize("status", ["approved", "in_progress"])
def test_renouncing_a_running_grant_is_accepted(session: Session, status: str) -> None:
    """approved → withdrawn and in_progress → withdrawn (Verzicht)."""
    app = bring_to(session, apply(session, new_project(session)), status)
    assert change(session, app, status="withdrawn").status == "withdrawn"


def test_renouncing_a_closed_grant_is_refused(session: Session) -> None:
    """closed → withdrawn stays refused."""
    app = bring_to(session, apply(session, new_project(session)), "closed")
    with refused("status"):
        change(session, app, status="withdrawn")


# ==== 10. MPSC phase B needs a council resolution before the application =======================
# Implementation phase only with a council resolution (Rats-/Gemeinderatsbeschluss), dated on or
# before the submission and published (URL).


@pytest.mark.parametrize(
    ("resolution_on", "url"),
    [
        (None, None),
        (SUBMITTED + dt.timedelta(days=1), RESOLUTION_URL),
        (D(2024, 12, 1), None),
        (None, RESOLUTION_URL),
    ],
    ids=["none", "after-submission", "no-url", "no-date"],
)
def test_phase_b_submitted_without_resolution_is_refused(
    session: Session, resolution_on: dt.date | None, url: str | None
) -> None:
    """Phase B handed in without a (timely, documented) council resolution: refused on phase."""
    project = new_project(session, council_resolution_on=resolution_on, council_resolution_url=url)
    with refused("phase"):
        apply(session, project)


def test_submitting_a_phase_b_sketch_without_resolution_is_refused(session: Session) -> None:
    """Moving a phase-B sketch to submitted needs the resolution as well."""
    project = new_project(session, council_resolution_on=None, council_resolution_url=None)
    app = apply(session, project, status="sketch", submitted_on=None)
    with refused("phase"):
        change(session, app, status="submitted", submitted_on=SUBMITTED)


def test_moving_a_submitted_application_into_phase_b_needs_the_resolution(
    session: Session,
) -> None:
    """A submitted phase-A application moved to phase B needs the resolution like any other."""
    project = new_project(session, council_resolution_on=None, council_resolution_url=None)
    app = mpsc(session, project, "A", eur(300_000))
    with refused("phase"):
        change(session, app, phase="B")


def test_submission_date_corrected_to_before_the_resolution_is_refused(session: Session) -> None:
    """Resolution of 1 Feb 2025: the submission cannot be corrected to 15 Jan 2025."""
    project = new_project(session, council_resolution_on=D(2025, 2, 1))
    app = apply(session, project)
    with refused("phase"):
        change(session, app, submitted_on=D(2025, 1, 15))


def test_clearing_the_resolution_of_a_project_with_a_phase_b_application_is_refused(
    session: Session,
) -> None:
    """The resolution a submitted phase-B application stands on cannot be removed."""
    project = new_project(session)
    apply(session, project)
    with refused("council_resolution_on", "council_resolution_url", "phase"):
        projects.update(
            session,
            project.id,
            {"council_resolution_on": None},
            expected_version=project.version,
        )


def test_correcting_the_resolution_link_keeps_the_application(session: Session) -> None:
    """Replacing the resolution's link by another one is fine."""
    project = new_project(session)
    apply(session, project)
    url = "https://session.bochum.de/bi/vo0050.asp?__kvonr=4712"
    projects.update(
        session, project.id, {"council_resolution_url": url}, expected_version=project.version
    )
    assert project.council_resolution_url == url


def test_phase_b_with_resolution_on_the_submission_day_is_accepted(session: Session) -> None:
    """A resolution of the same day as the submission is in time."""
    project = new_project(session, council_resolution_on=SUBMITTED)
    assert apply(session, project).id


@pytest.mark.parametrize(
    ("programme", "phase", "status"),
    [
        ("MPSC", "A", "submitted"),
        ("MFUND", "FL2", "submitted"),
        ("MPSC", "B", "idea"),
        ("MPSC", "B", "sketch"),
    ],
    ids=["mpsc-a", "mfund", "b-idea", "b-sketch"],
)
def test_no_resolution_needed(session: Session, programme: str, phase: str, status: str) -> None:
    """Phase A, other programmes and phase-B ideas or sketches need no council resolution."""
    project = new_project(session, council_resolution_on=None, council_resolution_url=None)
    data: dict[str, Any] = {"phase": phase, "status": status}
    if programme != "MPSC":
        data["funding_rate"] = None
    assert apply(session, project, programme, **data).id


# ==== 11. The existing rules keep holding =======================================================


@pytest.mark.parametrize(
    ("rate", "emergency", "allowed"),
    [
        (eur(65), False, True),
        (eur("65.01"), False, False),
        (eur(90), True, True),
        (eur("90.01"), True, False),
    ],
    ids=["65", "65.01", "90-emergency", "90.01-emergency"],
)
def test_rate_at_most_the_programme_rate(
    session: Session, rate: Decimal, emergency: bool, allowed: bool
) -> None:
    """MPSC pays 65 % (90 % for a municipality in a budget emergency), never more."""
    project = new_project(session)
    data: dict[str, Any] = {"funding_rate": rate, "budget_emergency": emergency}
    if allowed:
        assert apply(session, project, **data).id
    else:
        with refused("funding_rate"):
            apply(session, project, **data)


@pytest.mark.parametrize(
    ("approved", "allowed"), [(eur(300_000), True), (eur("300000.01"), False)], ids=["=", ">"]
)
def test_approved_at_most_requested(session: Session, approved: Decimal, allowed: bool) -> None:
    """The award cannot exceed the application."""
    app = apply(session, new_project(session))
    if allowed:
        assert approve(session, app, approved).amount_approved == approved
    else:
        with refused("amount_approved"):
            approve(session, app, approved)


@pytest.mark.parametrize(
    ("amount", "allowed"), [(eur(300_000), True), (eur("300000.01"), False)], ids=["=", ">"]
)
def test_amount_at_most_rate_times_eligible_cost(
    session: Session, amount: Decimal, allowed: bool
) -> None:
    """60 % of 500 000 € is 300 000 €."""
    project = new_project(session)
    if allowed:
        assert apply(session, project, amount_requested=amount).id
    else:
        with refused("amount_requested"):
            apply(session, project, amount_requested=amount)


@pytest.mark.parametrize(
    ("own_share", "allowed"), [(eur("0.01"), True), (eur(0), False)], ids=["cent", "zero"]
)
def test_mpsc_requires_an_own_share(session: Session, own_share: Decimal, allowed: bool) -> None:
    """MPSC requires a municipal own share above zero."""
    project = new_project(session)
    if allowed:
        assert apply(session, project, own_share=own_share).own_share == own_share
    else:
        with refused("own_share"):
            apply(session, project, own_share=own_share)


@pytest.mark.parametrize(
    ("start", "target"),
    [("submitted", "closed"), ("idea", "approved"), ("rejected", "approved")],
)
def test_status_follows_the_workflow(session: Session, start: str, target: str) -> None:
    """Idee → Skizze → eingereicht → bewilligt | abgelehnt … — no jumps, no way back."""
    project = new_project(session)
    if start == "idea":
        app = apply(session, project, status="idea", submitted_on=None)
    else:
        app = bring_to(session, apply(session, project), start)
    with refused("status"):
        change(
            session,
            app,
            status=target,
            amount_approved=eur(100_000),
            decision_on=DECIDED,
        )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "approved", "amount_approved": eur(100_000)}, "decision_on"),
        ({"status": "approved", "decision_on": DECIDED}, "amount_approved"),
        ({"status": "rejected"}, "decision_on"),
    ],
    ids=["award-without-date", "award-without-amount", "rejection-without-date"],
)
def test_decision_needs_date_and_amount(session: Session, data: dict[str, Any], field: str) -> None:
    """An award needs its date and amount, a rejection its date."""
    app = apply(session, new_project(session))
    with refused(field):
        change(session, app, **data)


def test_rejection_with_a_date_needs_no_amount(session: Session) -> None:
    """A rejection is complete with its date."""
    app = apply(session, new_project(session))
    assert reject(session, app).status == "rejected"


# ==== Warnings ==================================================================================

# -- early_start_without_consent: starting before the award needs the funder's consent
#    (vorzeitiger Maßnahmebeginn, VV Nr. 1.3 zu § 44 BHO); without it the funding is at risk.


@pytest.mark.parametrize(
    ("status", "period_start", "consent", "warned"),
    [
        ("approved", D(2025, 3, 1), None, True),
        ("approved", D(2025, 3, 1), D(2025, 4, 1), True),
        ("approved", D(2025, 3, 1), D(2025, 2, 15), False),
        ("approved", D(2025, 3, 1), D(2025, 3, 1), False),
        ("approved", DECIDED, None, False),
        ("submitted", D(2026, 1, 1), None, True),
        ("submitted", D(2027, 1, 1), None, False),
        ("withdrawn", D(2026, 1, 1), None, False),
    ],
    ids=[
        "awarded-no-consent",
        "consent-too-late",
        "consent-before",
        "consent-on-start-day",
        "starts-on-award-day",
        "undecided-started",
        "undecided-future-start",
        "withdrawn",
    ],
)
def test_early_start_without_consent(
    session: Session,
    status: str,
    period_start: dt.date,
    consent: dt.date | None,
    warned: bool,
) -> None:
    """A funding period starting before the award (or, undecided, before today) without a
    consent on or before its start is warned about."""
    project = new_project(session)
    app = apply(
        session,
        project,
        period_start=period_start,
        period_end=D(2027, 6, 30),
        early_start_consent_on=consent,
    )
    bring_to(session, app, status)
    found = findings_of(session, "early_start_without_consent", project)
    assert [f.item_key for f in found] == ([app.key] if warned else [])


# -- payment_above_window_need: money may be drawn only as far as it is needed for payments due
#    within the window after the payout (ANBest-P Nr. 1.4: six weeks; ANBest-Gk: two months).


@pytest.mark.parametrize(
    ("programme", "status", "amount", "need", "warned"),
    [
        ("MPSC", "planned", eur(100_000), eur(80_000), True),
        ("MPSC", "paid", eur(100_000), eur(80_000), True),
        ("MFUND", "submitted", eur(100_000), eur(80_000), True),
        ("MPSC", "planned", eur(80_000), eur(80_000), False),
        ("MPSC", "planned", eur(100_000), None, False),
        ("MPSC", "rejected", eur(100_000), eur(80_000), False),
        ("HAUSHALT", "planned", eur(100_000), eur(80_000), False),
    ],
    ids=[
        "open-above",
        "paid-above",
        "mfund-above",
        "equal",
        "no-need-given",
        "rejected",
        "no-window",
    ],
)
def test_payment_above_window_need(
    session: Session,
    programme: str,
    status: str,
    amount: Decimal,
    need: Decimal | None,
    warned: bool,
) -> None:
    """A request above its window need, under a programme with a payment window, is warned."""
    project = new_project(session)
    data: dict[str, Any] = {"phase": "FL2"} if programme == "MFUND" else {}
    app = approve(session, apply(session, project, programme, **data))
    extra: dict[str, Any] = {"paid_on": D(2025, 9, 10)} if status == "paid" else {}
    request = pay(session, app, amount, status=status, window_need=need, **extra)
    found = findings_of(session, "payment_above_window_need", project)
    assert [f.item_key for f in found] == ([request.key] if warned else [])


# -- grant_period_outside_project: the funding period should lie within the project's run
#    (2025-01-01 … 2027-12-31).


@pytest.mark.parametrize(
    ("start", "end", "warned"),
    [
        (D(2024, 12, 1), D(2026, 6, 30), True),
        (D(2025, 6, 1), D(2028, 1, 31), True),
        (D(2025, 1, 1), D(2027, 12, 31), False),
        (None, None, False),
    ],
    ids=["starts-before", "ends-after", "same-span", "no-period"],
)
def test_grant_period_outside_project(
    session: Session, start: dt.date | None, end: dt.date | None, warned: bool
) -> None:
    """A funding period outside the project's start/end is warned about."""
    project = new_project(session)
    app = apply(session, project, period_start=start, period_end=end)
    found = findings_of(session, "grant_period_outside_project", project)
    assert [f.item_key for f in found] == ([app.key] if warned else [])


# -- payment_outside_project: a Mittelabruf due or paid outside the project's run.


@pytest.mark.parametrize(
    ("due_on", "paid_on", "warned"),
    [
        (D(2028, 1, 15), None, True),
        (D(2025, 1, 15), D(2024, 12, 15), True),
        (D(2027, 12, 31), None, False),
        (D(2025, 1, 1), D(2025, 1, 1), False),
    ],
    ids=["due-after-end", "paid-before-start", "due-on-end", "paid-on-start"],
)
def test_payment_outside_project(
    session: Session, due_on: dt.date, paid_on: dt.date | None, warned: bool
) -> None:
    """A payment request due (or paid) outside the project's start/end is warned about."""
    project = new_project(session, council_resolution_on=D(2024, 10, 1))
    app = apply(session, project, submitted_on=D(2024, 11, 1))
    approve(session, app, day=D(2024, 12, 1))
    extra: dict[str, Any] = {"status": "paid", "paid_on": paid_on} if paid_on else {}
    request = pay(session, app, eur(1000), due_on=due_on, **extra)
    found = findings_of(session, "payment_outside_project", project)
    assert [f.item_key for f in found] == ([request.key] if warned else [])


def test_a_council_resolution_is_not_dated_in_the_future(session: Session) -> None:
    """A resolution the council has not taken yet can't stand behind an application."""
    project = new_project(session)
    with pytest.raises(ValidationFailed) as exc:
        projects.update(
            session,
            project.id,
            {"council_resolution_on": TODAY + dt.timedelta(days=1)},
            expected_version=project.version,
        )
    assert [p.field for p in exc.value.problems] == ["council_resolution_on"]
    projects.update(
        session, project.id, {"council_resolution_on": TODAY}, expected_version=project.version
    )


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
