"""Figures as of a past day: money as it stood then, from the journal and the dates of the rows.

A scripted history — apply, award, pay, amend, add a city budget line — is journaled on the days it
happened; ``summary`` (and ``portfolio summary --as-of``, and the brief for that day) must then give
for each past day the figures worked out by hand below.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.models import FundingApplication, JournalEntry, PaymentRequest
from portfolio.cli import main
from portfolio.figures import Summary, summary
from portfolio.services import funding, programmes
from reports.brief import build_brief
from tests.factories import make_application, make_project
from tests.fixtures.base import TODAY

D = Decimal
ZERO = D("0.00")


@contextmanager
def on(session: Session, day: dt.date) -> Iterator[None]:
    """Journal what the block does as done at noon (UTC) on ``day``."""
    last = session.execute(select(func.coalesce(func.max(JournalEntry.id), 0))).scalar_one()
    yield
    session.flush()
    at = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    session.execute(update(JournalEntry).where(JournalEntry.id > last).values(at=at))
    session.flush()


def _payment(session: Session, key: str) -> PaymentRequest:
    return session.execute(select(PaymentRequest).where(PaymentRequest.key == key)).scalar_one()


def script(session: Session) -> None:
    with on(session, dt.date(2026, 2, 2)):  # the application goes in
        project = make_project(session, total_cost=D("1200000.00"), eligible_cost=D("1000000.00"))
        app = make_application(
            session,
            project,
            amount_requested=D("650000.00"),
            eligible_cost=D("1000000.00"),
            funding_rate=D("65"),
            submitted_on=dt.date(2026, 2, 1),
        )
    with on(session, dt.date(2026, 5, 15)):  # awarded (notice dated 12 May), first request planned
        funding.update(
            session,
            app.id,
            {
                "status": "approved",
                "amount_approved": D("600000.00"),
                "decision_on": dt.date(2026, 5, 12),
            },
            expected_version=app.version,
        )
        funding.create_payment_request(
            session,
            {"application_id": app.id, "due_on": dt.date(2026, 7, 1), "amount": D("200000.00")},
        )
    with on(session, dt.date(2026, 7, 5)):  # entered as paid ahead of the payment on 10 July
        m1 = _payment(session, f"{app.key}-M1")
        funding.update_payment_request(
            session,
            m1.id,
            {"status": "paid", "paid_on": dt.date(2026, 7, 10)},
            expected_version=m1.version,
        )
        funding.create_payment_request(
            session,
            {"application_id": app.id, "due_on": dt.date(2026, 9, 1), "amount": D("100000.00")},
        )
    with on(session, dt.date(2026, 9, 15)):  # amendment notice, M2 submitted, a budget line
        funding.update(
            session, app.id, {"amount_approved": D("550000.00")}, expected_version=app.version
        )
        m2 = _payment(session, f"{app.key}-M2")
        funding.update_payment_request(
            session, m2.id, {"status": "submitted"}, expected_version=m2.version
        )
        funding.create(
            session,
            {
                "project_id": project.id,
                "programme_id": programmes.get_by_key(session, "HAUSHALT").id,
                "status": "approved",
                "eligible_cost": D("150000.00"),
                "amount_requested": D("150000.00"),
                "amount_approved": D("150000.00"),
                "decision_on": dt.date(2026, 10, 1),  # the council decides on 1 October
            },
        )
    with on(session, dt.date(2026, 11, 20)):  # the second payment arrives
        m2 = _payment(session, f"{app.key}-M2")
        funding.update_payment_request(
            session,
            m2.id,
            {"status": "paid", "paid_on": dt.date(2026, 11, 20)},
            expected_version=m2.version,
        )
    session.commit()


@dataclass(frozen=True)
class ByHand:
    projects: int
    requested: Decimal
    approved: Decimal
    paid_out: Decimal
    own_share: Decimal
    own_budget: Decimal
    gap: Decimal
    overdue_payment_requests: int
    payment_requests_due: int
    warnings: dict[str, int] = field(default_factory=dict)


ELIGIBLE = D("1000000.00")
# Worked out from the script above, day by day.
EXPECTED = {
    # Applied only: nothing awarded, nothing paid.
    dt.date(2026, 3, 31): ByHand(1, D("650000.00"), ZERO, ZERO, ZERO, ZERO, ZERO, 0, 0),
    # Awarded 600.000 € (the amendment comes later); M1 is marked paid but pays on 10 July; M2
    # (due 1 September) is due within 90 days; own share 1.000.000 − 600.000, nothing covers it.
    dt.date(2026, 7, 7): ByHand(
        1,
        D("650000.00"),
        D("600000.00"),
        ZERO,
        ELIGIBLE - D("600000.00"),
        ZERO,
        ELIGIBLE - D("600000.00"),
        0,
        1,
        {"own_share_gap": 1},
    ),
    # Amended to 550.000 €; M1 paid; M2 submitted and past due; the budget line is journaled but
    # decided only on 1 October.
    dt.date(2026, 9, 30): ByHand(
        1,
        D("650000.00"),
        D("550000.00"),
        D("200000.00"),
        ELIGIBLE - D("550000.00"),
        ZERO,
        ELIGIBLE - D("550000.00"),
        1,
        0,
        {"own_share_gap": 1, "payment_overdue": 1},
    ),
    # The 150.000 € budget line now pays part of the own share: counted there, once.
    dt.date(2026, 10, 15): ByHand(
        1,
        D("650000.00"),
        D("550000.00"),
        D("200000.00"),
        ELIGIBLE - D("550000.00"),
        ZERO,
        ELIGIBLE - D("550000.00") - D("150000.00"),
        1,
        0,
        {"own_share_gap": 1, "payment_overdue": 1},
    ),
}


def check(figures: Summary | dict, hand: ByHand) -> None:
    def get(name: str) -> object:
        return figures[name] if isinstance(figures, dict) else getattr(figures, name)

    assert get("projects") == hand.projects
    for name, value in (
        ("funding_requested", hand.requested),
        ("funding_approved", hand.approved),
        ("paid_out", hand.paid_out),
        ("own_share", hand.own_share),
        ("own_budget", hand.own_budget),
        ("own_share_gap", hand.gap),
    ):
        assert D(str(get(name))) == value, name
    assert get("overdue_payment_requests") == hand.overdue_payment_requests
    assert get("payment_requests_due") == hand.payment_requests_due
    warnings = get("warnings")
    assert isinstance(warnings, dict)
    assert {k: v for k, v in warnings.items() if v} == hand.warnings


def test_summary_as_of_past_days_equals_the_figures_worked_out_by_hand(
    session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    script(session)
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    for day, hand in EXPECTED.items():
        check(summary(session, today=day), hand)
        brief = build_brief(session, as_of=day, since=day - dt.timedelta(days=30), today=TODAY)
        assert brief.as_of_source == "journal"
        check(brief.now, hand)
        session.commit()
        capsys.readouterr()
        assert main(["--db", url, "summary", "--as-of", day.isoformat(), "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["as_of"] == day.isoformat()
        check(data, hand)
    # Today: both payments are in, nothing is overdue.
    now = summary(session, today=TODAY)
    assert (now.paid_out, now.overdue_payment_requests) == (D("300000.00"), 0)
    assert now.own_share_gap == ELIGIBLE - D("550000.00") - D("150000.00")


def test_a_day_before_anything_was_entered_shows_nothing(
    session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    script(session)
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    session.commit()
    capsys.readouterr()
    assert main(["--db", url, "summary", "--as-of", "2020-01-01", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["projects"] == 0
    assert D(data["funding_approved"]) == ZERO and D(data["paid_out"]) == ZERO
    today = summary(session, today=TODAY)
    assert today.funding_approved == D("550000.00")


def test_award_dated_after_the_day_is_not_counted_even_when_journaled_before(
    session: Session,
) -> None:
    """Rows entered in one go (the demo, an import) carry part of their history only in their
    dates: an award journaled a month ago with a notice dated ten days ago counts from then."""
    with on(session, TODAY - dt.timedelta(days=30)):
        project = make_project(session)
        app = make_application(session, project)
        funding.update(
            session,
            app.id,
            {
                "status": "approved",
                "amount_approved": D("250000.00"),
                "decision_on": TODAY - dt.timedelta(days=10),
            },
            expected_version=app.version,
        )
    session.commit()
    before = summary(session, today=TODAY - dt.timedelta(days=11))
    after = summary(session, today=TODAY - dt.timedelta(days=10))
    assert before.funding_approved == ZERO and after.funding_approved == D("250000.00")
    stored = session.get(FundingApplication, app.id)
    assert stored is not None and stored.amount_approved == D("250000.00")
