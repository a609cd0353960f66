"""One funding truth: the Förderung page, the CDO brief, ``figures.summary`` and ``portfolio
summary --json`` give the same money, deadlines and warnings for the same day, each equal to a
computation by hand (tests/funding_truth_by_hand.py), on the Bochum demo, a synthetic
portfolio and one theme; and no module retypes a status group."""

from __future__ import annotations

import ast
import datetime as dt
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
    PaymentRequest,
    Project,
)
from portfolio import funding_rules
from portfolio.demo.bochum import load_bochum
from portfolio.demo.synthetic import generate
from portfolio.figures import summary
from portfolio.queries.funding_overview import funding_overview
from portfolio.services import programmes
from tests.fixtures.base import TODAY
from tests.funding_truth_by_hand import (
    AWARDED,
    LIVE,
    OPEN,
    PUBLIC,
    ROOT,
    RUNNING,
    ZERO,
    assert_every_surface_agrees,
    by_hand,
)


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
