"""What one funding truth is checked against: the money, deadlines and warnings of a day as a
plain-Python count over the ORM rows, written here from the definitions in the README (funding
rules), not from any of the implementations (the vocabulary spelled out, not taken from
db.enums); and the check that every surface (the Förderung page's read model, the CDO brief,
``figures.summary``, ``portfolio summary --json``) equals it. Shared by
tests/test_one_funding_truth*.py."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    FundingApplication,
    FundingProgramme,
    Participation,
    PaymentRequest,
    ProgrammePhase,
    Project,
    Refund,
)
from portfolio.cli import main
from portfolio.figures import summary
from portfolio.queries.funding_overview import funding_overview
from reports.brief import build_brief
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


# Long on purpose: the funding figures recomputed by hand in plain Python, one rule after the
# other, so that nothing of the product's code is reused.
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
