"""One funding truth: the Förderung page, the CDO brief, ``figures.summary`` and ``portfolio
summary --json`` give the same money, deadlines and warnings for the same day — and each equals a
plain-Python count over the ORM rows, written here from the definitions in the README (funding
rules), not from any of the implementations.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import (
    AWARDED_APPLICATION_STATUSES,
    COUNTED_PAYMENT_STATUSES,
    DECIDED_APPLICATION_STATUSES,
    LIVE_APPLICATION_STATUSES,
    OPEN_PAYMENT_STATUSES,
    PUBLIC_FUNDING_LEVELS,
    RUNNING_GRANT_STATUSES,
    ApplicationStatus,
    PaymentRequestStatus,
)
from db.models import (
    FundingApplication,
    FundingProgramme,
    Participation,
    PaymentRequest,
    ProgrammePhase,
    Project,
    Refund,
)
from portfolio import funding_rules
from portfolio.cli import main
from portfolio.demo.bochum import load_bochum
from portfolio.demo.synthetic import generate
from portfolio.figures import summary
from portfolio.queries.funding_overview import funding_overview
from portfolio.services import funding, participations, programmes
from reports.brief import build_brief
from tests.factories import make_project
from tests.fixtures.base import TODAY

ROOT = Path(__file__).resolve().parent.parent
ZERO = Decimal("0.00")
HORIZON = 90

# The vocabulary, spelled out here on purpose (not taken from db.enums).
LIVE = {"idea", "sketch", "submitted", "approved", "in_progress", "proof_submitted", "closed"}
AWARDED = {"approved", "in_progress", "proof_submitted", "closed"}
RUNNING = {"approved", "in_progress"}
OPEN = {"planned", "submitted"}
PUBLIC = {"eu", "federal", "state"}


@dataclass
class Expected:
    requested: Decimal = ZERO
    approved: Decimal = ZERO
    paid_out: Decimal = ZERO
    own_share: Decimal = ZERO
    own_budget: Decimal = ZERO
    gap: Decimal = ZERO
    gap_projects: int = 0
    overdue_payment_requests: int = 0
    payment_requests_due: int = 0
    proofs_overdue: int = 0
    proofs_due: int = 0
    warnings: dict[str, int] = field(default_factory=dict)
    budget_cover: Decimal = ZERO


def by_hand(session: Session, day: dt.date) -> Expected:
    """Every figure of the day, counted row by row in Python."""
    projects = {p.id: p for p in session.execute(select(Project)).scalars() if not p.archived}
    programmes_ = {p.id: p for p in session.execute(select(FundingProgramme)).scalars()}
    phases = {
        (ph.programme_id, ph.key): ph for ph in session.execute(select(ProgrammePhase)).scalars()
    }
    apps = [
        a
        for a in session.execute(select(FundingApplication)).scalars()
        if not a.archived and a.project_id in projects
    ]
    by_id = {a.id: a for a in apps}
    pays = [
        r for r in session.execute(select(PaymentRequest)).scalars() if r.application_id in by_id
    ]
    cash: dict[int, Decimal] = defaultdict(Decimal)
    for part in session.execute(select(Participation)).scalars():
        cash[part.project_id] += part.contribution_cash or 0

    def level(a: FundingApplication) -> str:
        return programmes_[a.programme_id].level

    def external(a: FundingApplication) -> bool:
        return level(a) != "municipal"

    def awarded(a: FundingApplication) -> bool:
        return a.status in AWARDED and (a.decision_on is None or a.decision_on <= day)

    def amount(a: FundingApplication) -> Decimal:
        if a.amount_approved is not None:
            return a.amount_approved
        return a.amount_requested or Decimal(0)

    e = Expected()
    end = day + dt.timedelta(days=HORIZON)
    e.requested = sum(
        (a.amount_requested or 0 for a in apps if a.status in LIVE and external(a)), ZERO
    )
    e.approved = sum((a.amount_approved or 0 for a in apps if awarded(a) and external(a)), ZERO)
    e.paid_out = sum(
        (
            r.amount
            for r in pays
            if r.status == "paid"
            and (r.paid_on is None or r.paid_on <= day)
            and external(by_id[r.application_id])
        ),
        ZERO,
    )
    e.overdue_payment_requests = sum(1 for r in pays if r.status in OPEN and r.due_on < day)
    e.payment_requests_due = sum(1 for r in pays if r.status in OPEN and day <= r.due_on <= end)
    running = [a for a in apps if a.status in RUNNING and a.proof_of_use_due is not None]
    e.proofs_overdue = sum(1 for a in running if a.proof_of_use_due < day)
    e.proofs_due = sum(1 for a in running if day <= a.proof_of_use_due <= end)

    # Own share per project: the part of the funded cost no funder pays, each euro once.
    gaps: dict[int, Decimal] = {}
    for pid, project in projects.items():
        mine = [a for a in apps if a.project_id == pid and awarded(a)]
        ext = [a for a in mine if external(a)]
        lines = [a for a in mine if not external(a)]
        if not ext and not lines:
            continue
        funded = sum((amount(a) for a in ext), Decimal(0))
        cost = sum(
            (
                a.eligible_cost if a.eligible_cost is not None else amount(a) + (a.own_share or 0)
                for a in ext
            ),
            Decimal(0),
        )
        if project.eligible_cost is not None:
            cost = min(cost, project.eligible_cost)
        own = min(max(cost - funded, Decimal(0)), sum((a.own_share or 0 for a in ext), Decimal(0)))
        budget = sum((a.amount_approved or 0 for a in lines), Decimal(0))
        room = Decimal(0) if project.eligible_cost is None else project.eligible_cost - cost
        cover = min(max(budget - room, Decimal(0)), own)
        gap = own - cover - cash[pid]
        e.own_share += own
        e.own_budget += budget - cover
        e.budget_cover += cover
        if gap > 0:
            gaps[pid] = gap
    e.gap = sum(gaps.values(), ZERO)
    e.gap_projects = len(gaps)

    counted: dict[int, Decimal] = defaultdict(Decimal)
    has_payments: set[int] = set()
    for r in pays:
        if r.status != "rejected":
            counted[r.application_id] += r.amount
            has_payments.add(r.application_id)
    # what is claimed back (a Rückforderung, not interest) no longer counts against the grant
    for refund in session.execute(select(Refund)).scalars():
        if refund.kind == "refund":
            counted[refund.application_id] -= refund.amount
    # Cumulation: what can really be paid out together (of an application and its declared
    # alternatives the awarded ones once any is awarded, else the largest), against the
    # project's eligible cost or, without one, the largest per-programme sum of the public
    # applications' own eligible costs.
    live_public = [a for a in apps if a.status in LIVE and level(a) in PUBLIC]
    groups: dict[tuple[int, int], list[FundingApplication]] = defaultdict(list)
    for a in live_public:
        groups[(a.project_id, a.alternative_to_id or a.id)].append(a)
    payable: dict[int, Decimal] = {}
    for members in groups.values():
        won = [a for a in members if a.status in AWARDED]
        chosen = won or [max(members, key=lambda a: (amount(a), -a.id))]
        for a in chosen:
            payable[a.id] = amount(a)
    per_programme: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for a in live_public:
        if a.eligible_cost is not None:
            per_programme[(a.project_id, a.programme_id)] += a.eligible_cost

    def bound(pid: int) -> Decimal | None:
        if projects[pid].eligible_cost is not None:
            return projects[pid].eligible_cost
        costs = [c for (p, _prog), c in per_programme.items() if p == pid]
        return max(costs) if costs else None

    public: dict[int, Decimal] = defaultdict(Decimal)
    for aid, money in payable.items():
        public[by_id[aid].project_id] += money
    # Own share not replaced by money of the level the programme excludes.
    covered: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for a in apps:
        excluded = programmes_[a.programme_id].own_share_excluded_level
        if a.status in LIVE and excluded is not None:
            own = a.own_share
            if own is None:
                own = max((a.eligible_cost or amount(a)) - amount(a), Decimal(0))
            cost = a.eligible_cost if a.eligible_cost is not None else amount(a) + own
            covered[(a.project_id, excluded)] += cost
    other: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for aid, money in payable.items():
        a = by_id[aid]
        if programmes_[a.programme_id].own_share_excluded_level != level(a):
            other[(a.project_id, level(a))] += money
    replaced = 0
    for (pid, lvl), cov in covered.items():
        b = bound(pid)
        if b is not None and (pid, lvl) in other and other[(pid, lvl)] > max(b - cov, 0):
            replaced += 1
    # Caps at the programme's scope: per application, per project, or over the whole city.
    caps: dict[tuple[str, int, str | None, int | None, int | None], Decimal] = defaultdict(Decimal)
    limits: dict[tuple[str, int, str | None, int | None, int | None], Decimal] = {}
    for a in apps:
        if a.status not in LIVE:
            continue
        prog = programmes_[a.programme_id]
        scope_project = None if prog.cap_scope == "city" else a.project_id
        scope_app = a.id if prog.cap_scope == "application" else None
        ph = phases.get((a.programme_id, a.phase or ""))
        keyed = [("programme", None, prog.cap)]
        if ph is not None:
            keyed.append(("phase", a.phase, ph.cap))
            if a.implementation_measure:
                keyed.append(("implementation", a.phase, ph.implementation_cap))
        for kind, phase, cap in keyed:
            if cap is None:
                continue
            k = (kind, a.programme_id, phase, scope_project, scope_app)
            caps[k] += amount(a)
            limits[k] = cap
    project_of = {p.id: p for p in projects.values()}

    def outside(day_: dt.date | None, p: Project) -> bool:
        return day_ is not None and (
            (p.start_date is not None and day_ < p.start_date)
            or (p.end_date is not None and day_ > p.end_date)
        )

    e.warnings = {
        "proof_overdue": e.proofs_overdue,
        "payment_overdue": e.overdue_payment_requests,
        "payments_above_approved": sum(
            1 for aid in has_payments if counted[aid] > (by_id[aid].amount_approved or 0)
        ),
        "public_above_eligible": sum(
            1 for pid, total in public.items() if (b := bound(pid)) is not None and total > b
        ),
        "approved_above_requested": sum(
            1
            for a in apps
            if a.amount_approved is not None
            and a.amount_requested is not None
            and a.amount_approved > a.amount_requested
        ),
        "approved_without_amount": sum(1 for a in apps if awarded(a) and a.amount_approved is None),
        "live_without_amounts": sum(
            1
            for a in apps
            if a.status in LIVE and a.amount_requested is None and a.amount_approved is None
        ),
        "own_share_missing": sum(
            1
            for a in apps
            if programmes_[a.programme_id].requires_own_share
            and awarded(a)
            and a.own_share is not None
            and a.own_share <= 0
        ),
        "own_share_gap": e.gap_projects,
        "own_share_replaced": replaced,
        "cap_exceeded": sum(1 for k, total in caps.items() if total > limits[k]),
        "early_start_without_consent": sum(
            1
            for a in apps
            if a.status in LIVE
            and a.period_start is not None
            and (a.early_start_consent_on is None or a.early_start_consent_on > a.period_start)
            and (
                (
                    a.status in AWARDED
                    and a.decision_on is not None
                    and a.period_start < a.decision_on
                )
                or (a.status in ("idea", "sketch", "submitted") and a.period_start < day)
            )
        ),
        "payment_above_window_need": sum(
            1
            for r in pays
            if r.status != "rejected"
            and programmes_[by_id[r.application_id].programme_id].payment_window is not None
            and r.window_need is not None
            and r.amount > r.window_need
        ),
        "grant_period_outside_project": sum(
            1
            for a in apps
            if a.status in LIVE
            and (
                (
                    a.period_start is not None
                    and project_of[a.project_id].start_date is not None
                    and a.period_start < project_of[a.project_id].start_date
                )
                or (
                    a.period_end is not None
                    and project_of[a.project_id].end_date is not None
                    and a.period_end > project_of[a.project_id].end_date
                )
            )
        ),
        "payment_outside_project": sum(
            1
            for r in pays
            if r.status != "rejected"
            and outside(r.paid_on or r.due_on, project_of[by_id[r.application_id].project_id])
        ),
    }
    return e


def cli_summary(session: Session, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    session.commit()  # no open transaction of ours may hold the SQLite file's lock
    capsys.readouterr()
    assert main(["--db", url, "summary", "--json", *extra]) == 0
    data: dict = json.loads(capsys.readouterr().out)
    return data


def assert_every_surface_agrees(
    session: Session, capsys: pytest.CaptureFixture[str], expected: Expected
) -> None:
    figures = summary(session, today=TODAY)
    page = funding_overview(session, today=TODAY, days=HORIZON)
    brief = build_brief(session, today=TODAY)
    cli = cli_summary(session, capsys)

    money = {
        "funding_requested": expected.requested,
        "funding_approved": expected.approved,
        "paid_out": expected.paid_out,
        "own_share": expected.own_share,
        "own_budget": expected.own_budget,
        "own_share_gap": expected.gap,
    }
    counts = {
        "overdue_payment_requests": expected.overdue_payment_requests,
        "payment_requests_due": expected.payment_requests_due,
        "proofs_of_use_overdue": expected.proofs_overdue,
        "proofs_of_use_due": expected.proofs_due,
    }
    for name, value in money.items():
        assert getattr(figures, name) == value, name
        assert getattr(brief.now, name) == value, name
        assert Decimal(cli[name]) == value, name
    for name, value in counts.items():
        assert getattr(figures, name) == value, name
        assert getattr(brief.now, name) == value, name
        assert cli[name] == value, name
    assert figures.warnings == expected.warnings
    assert brief.now.warnings == expected.warnings
    assert cli["warnings"] == expected.warnings

    # The Förderung page's read model.
    assert page.own_share_total == expected.own_share
    assert page.budget_cover_total == expected.budget_cover
    assert page.gap_total == expected.gap
    assert page.gap_projects == expected.gap_projects
    assert page.payments_overdue == expected.overdue_payment_requests
    assert page.payments_due - page.payments_overdue == expected.payment_requests_due
    assert page.proofs_overdue == expected.proofs_overdue
    assert page.proofs_due - page.proofs_overdue == expected.proofs_due
    assert {w.code: w.count for w in page.warnings} == expected.warnings
    assert page.due and all(d.overdue == (d.due < TODAY) for d in page.due)

    # The brief's sections.
    found = Counter(w.code for w in brief.warnings)
    assert {code: found.get(code, 0) for code in expected.warnings} == expected.warnings
    duties = Counter(d.kind for d in brief.duties)
    assert duties["payment_request"] == expected.payment_requests_due
    assert duties["proof_of_use"] == expected.proofs_due


def test_bochum_demo_agrees_on_every_surface(
    session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    load_bochum(session, today=TODAY)
    session.commit()
    expected = by_hand(session, TODAY)
    # The demo has what used to disagree: submitted requests past their due date, a city budget
    # line paying an own share (SC-001), Bund + Land co-funding one cost (SC-019).
    overdue = [
        r
        for r in session.execute(select(PaymentRequest)).scalars()
        if r.status in OPEN and r.due_on < TODAY
    ]
    assert expected.overdue_payment_requests == len(overdue) > 0
    assert any(r.status == "submitted" for r in overdue)
    assert expected.budget_cover > 0
    assert expected.approved > 0 and expected.paid_out > 0 and expected.own_share > 0
    assert_every_surface_agrees(session, capsys, expected)


def _plant_breaches(session: Session) -> None:
    """Rows breaking each rule, written past the services (as an old import or a hand edit
    would leave them), so that every warning kind has findings."""
    apps = list(
        session.execute(select(FundingApplication).order_by(FundingApplication.id)).scalars()
    )
    awarded = [a for a in apps if a.status in RUNNING and a.amount_approved is not None]
    live = [a for a in apps if a.status == "submitted"]
    mpsc = programmes.get_by_key(session, "MPSC")
    mfund = programmes.get_by_key(session, "MFUND")

    a0 = awarded[0]  # payments above the approved amount
    session.add(
        PaymentRequest(
            key=f"{a0.key}-MX",
            application_id=a0.id,
            due_on=TODAY - dt.timedelta(days=5),
            amount=a0.amount_approved + Decimal("0.01"),
            status="submitted",
        )
    )
    awarded[1].amount_approved = None  # awarded without amount
    live[0].amount_requested = None  # live without amounts
    live[0].amount_approved = None
    a3 = awarded[3]  # approved above requested
    a3.amount_approved = (a3.amount_requested or Decimal(0)) + Decimal("1000.00")
    a4 = next(a for a in awarded[4:] if a.programme_id == mpsc.id)  # own share missing
    a4.own_share = Decimal("0.00")
    a5 = awarded[5]  # proof of use overdue
    a5.proof_of_use_due = TODAY - dt.timedelta(days=1)
    p6 = session.get(Project, awarded[6].project_id)  # public funding above eligible cost
    assert p6 is not None
    p6.eligible_cost = Decimal("1000.00")
    a7 = next(a for a in live[1:] if a.programme_id == mfund.id)  # above the FL1 cap of 200.000 €
    a7.amount_requested = Decimal("250000.00")
    a8 = next(a for a in awarded[8:] if a.programme_id == mpsc.id)  # own share replaced
    session.add(
        FundingApplication(
            key=f"{a8.key}-X",
            project_id=a8.project_id,
            programme_id=mfund.id,
            status="submitted",
            amount_requested=a8.own_share,
            eligible_cost=a8.eligible_cost,
        )
    )
    pay = next(  # drawn beyond the window's need
        r
        for r in session.execute(select(PaymentRequest).order_by(PaymentRequest.id)).scalars()
        if r.application.programme_id == mpsc.id
    )
    pay.window_need = pay.amount - Decimal("1.00")
    a9 = live[2]  # funding period before the project's start
    p9 = session.get(Project, a9.project_id)
    assert p9 is not None and p9.start_date is not None
    a9.period_start = p9.start_date - dt.timedelta(days=30)
    session.flush()


def test_synthetic_portfolio_agrees_on_every_surface(
    session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    generate(session, 300, seed=23, today=TODAY)
    _plant_breaches(session)
    session.commit()
    expected = by_hand(session, TODAY)
    assert all(expected.warnings.values()), expected.warnings  # every kind has findings
    assert expected.overdue_payment_requests and expected.payment_requests_due
    assert expected.proofs_due and expected.own_budget and expected.gap
    assert_every_surface_agrees(session, capsys, expected)


def test_theme_scope_agrees(session: Session) -> None:
    generate(session, 120, seed=5, today=TODAY)
    session.commit()
    whole = summary(session, today=TODAY)
    parts = [summary(session, today=TODAY, theme_key=t.key) for t in whole.themes]
    for name in ("own_share", "own_budget", "own_share_gap", "paid_out", "funding_approved"):
        assert sum((getattr(p, name) for p in parts), ZERO) == getattr(whole, name), name
    for code in funding_rules.WARNING_CODES:
        if code != "cap_exceeded":
            assert sum(p.warnings[code] for p in parts) == whole.warnings[code], code
    for t in whole.themes:
        page = funding_overview(session, today=TODAY, theme_key=t.key)
        theme = next(p for p in parts if p.theme_key == t.key)
        assert page.own_share_total == theme.own_share
        assert page.gap_total == theme.own_share_gap
        assert page.payments_overdue == theme.overdue_payment_requests


# ---- own share, city budget and co-funding, by hand --------------------------------------------


def _award(session: Session, app: FundingApplication, approved: str, day: dt.date) -> None:
    funding.update(
        session,
        app.id,
        {"status": "approved", "amount_approved": Decimal(approved), "decision_on": day},
        expected_version=app.version,
    )


def _application(session: Session, project: Project, programme: str, **values: object) -> object:
    data: dict[str, object] = {
        "project_id": project.id,
        "programme_id": programmes.get_by_key(session, programme).id,
        "status": "submitted",
        "submitted_on": dt.date(2025, 3, 1),
    }
    data.update(values)
    return funding.create(session, data)


def test_bund_and_land_sharing_one_cost_leave_the_projects_remainder(session: Session) -> None:
    project = make_project(session, eligible_cost=Decimal("1000000.00"))
    bund = _application(
        session,
        project,
        "GIGA-BUND",
        eligible_cost=Decimal("1000000.00"),
        amount_requested=Decimal("500000.00"),
    )
    land = _application(
        session,
        project,
        "GIGA-NRW",
        eligible_cost=Decimal("1000000.00"),
        amount_requested=Decimal("400000.00"),
    )
    assert isinstance(bund, FundingApplication) and isinstance(land, FundingApplication)
    _award(session, bund, "500000.00", dt.date(2025, 6, 1))
    _award(session, land, "400000.00", dt.date(2025, 7, 1))
    # Each application derives its own share alone: 500.000 € and 600.000 €.
    assert (bund.own_share, land.own_share) == (Decimal("500000.00"), Decimal("600000.00"))
    figures = summary(session, today=TODAY)
    assert figures.own_share == Decimal("100000.00")  # 1.000.000 − 500.000 − 400.000
    assert figures.own_share_gap == Decimal("100000.00")
    assert figures.warnings["own_share_gap"] == 1


def test_city_budget_paying_the_own_share_counts_once(session: Session) -> None:
    project = make_project(session, eligible_cost=Decimal("320000.00"))
    state = _application(
        session,
        project,
        "NRW-DIGI",
        eligible_cost=Decimal("320000.00"),
        amount_requested=Decimal("120000.00"),
    )
    budget = _application(
        session,
        project,
        "HAUSHALT",
        eligible_cost=Decimal("200000.00"),
        amount_requested=Decimal("200000.00"),
    )
    assert isinstance(state, FundingApplication) and isinstance(budget, FundingApplication)
    _award(session, state, "120000.00", dt.date(2025, 5, 1))
    _award(session, budget, "200000.00", dt.date(2025, 5, 2))
    figures = summary(session, today=TODAY)
    assert figures.funding_approved == Decimal("120000.00")
    assert figures.own_share == Decimal("200000.00")
    assert figures.own_budget == Decimal("0.00")  # the 200.000 € are the own share
    assert figures.own_share + figures.own_budget == Decimal("200000.00")
    assert figures.own_share_gap == Decimal("0.00")
    page = funding_overview(session, today=TODAY)
    assert page.budget_cover_total == Decimal("200000.00") and page.gaps == []


def test_budget_for_a_slice_of_its_own_covers_no_own_share(session: Session) -> None:
    project = make_project(session, eligible_cost=Decimal("1000000.00"))
    federal = _application(
        session,
        project,
        "MPSC",
        phase="B",
        eligible_cost=Decimal("500000.00"),
        amount_requested=Decimal("325000.00"),
    )
    budget = _application(
        session,
        project,
        "HAUSHALT",
        eligible_cost=Decimal("500000.00"),
        amount_requested=Decimal("500000.00"),
    )
    assert isinstance(federal, FundingApplication) and isinstance(budget, FundingApplication)
    _award(session, federal, "325000.00", dt.date(2025, 5, 1))
    _award(session, budget, "500000.00", dt.date(2025, 5, 2))
    stw = next(p for p in participations.get_all(session, project_id=project.id))
    participations.update(
        session, stw.id, {"contribution_cash": Decimal("50000.00")}, expected_version=stw.version
    )
    figures = summary(session, today=TODAY)
    assert figures.own_share == Decimal("175000.00")  # 500.000 − 325.000
    assert figures.own_budget == Decimal("500000.00")  # pays the other half of the cost
    assert figures.own_share_gap == Decimal("125000.00")  # 175.000 − 50.000 partner cash
    page = funding_overview(session, today=TODAY)
    [line] = page.gaps
    assert (line.own_share, line.partner_cash, line.budget, line.gap) == (
        Decimal("175000.00"),
        Decimal("50000.00"),
        Decimal("0.00"),
        Decimal("125000.00"),
    )


# ---- the status groups ------------------------------------------------------------------------


def test_status_groups() -> None:
    every = {str(s) for s in ApplicationStatus}
    assert set(LIVE_APPLICATION_STATUSES) == every - {"rejected", "withdrawn", "revoked"} == LIVE
    assert set(AWARDED_APPLICATION_STATUSES) == AWARDED
    assert set(RUNNING_GRANT_STATUSES) == RUNNING
    assert set(DECIDED_APPLICATION_STATUSES) == AWARDED | {"rejected"}
    assert set(OPEN_PAYMENT_STATUSES) == OPEN
    assert set(COUNTED_PAYMENT_STATUSES) == {str(s) for s in PaymentRequestStatus} - {"rejected"}
    assert set(PUBLIC_FUNDING_LEVELS) == PUBLIC
    assert set(funding_rules.WARNING_TITLES) == set(funding_rules.WARNING_CODES)


STATUS_CODES = {str(s) for s in ApplicationStatus} | {str(s) for s in PaymentRequestStatus}


def _retyped_lists(path: Path) -> list[str]:
    """Places that spell out status codes instead of naming a group of db.enums."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            arg = node.args[0]
            if (
                node.func.attr in ("in_", "not_in")
                and isinstance(arg, ast.List | ast.Tuple)
                and any(isinstance(e, ast.Constant) and e.value in STATUS_CODES for e in arg.elts)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            literal = any(isinstance(x, ast.Constant) and x.value in STATUS_CODES for x in sides)
            status = any(isinstance(x, ast.Attribute) and x.attr == "status" for x in sides)
            listed = any(
                isinstance(x, ast.List | ast.Tuple | ast.Set)
                and any(isinstance(e, ast.Constant) and e.value in STATUS_CODES for e in x.elts)
                for x in sides
            )
            if (literal and status) or listed:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_module_retypes_a_status_group() -> None:
    offenders = [
        where
        for folder in ("db", "portfolio", "reports")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "demo" not in path.parts  # the demo data states each row's status
        for where in _retyped_lists(path)
    ]
    assert offenders == []
