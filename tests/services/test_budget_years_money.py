"""Jahresscheiben: the money per budget year and source, agreeing with the rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import BudgetYear, FundingApplication, PaymentRequest, Refund
from portfolio.queries import budget
from portfolio.services import funding, programmes, projects
from tests.factories import make_application, make_project
from tests.fixtures.base import TODAY
from tests.services.budget_years_helpers import AWARD_DAY, D, award, efre, pay

# ---- money per budget year and source ---------------------------------------------------------


def refund(session: Session, app: FundingApplication, amount: str, repaid: dt.date | None) -> None:
    # test setup: the refunds service is another helper's; the row as it stores one
    session.add(
        Refund(
            key=f"{app.key}-R{len(app.refunds) + 1}",
            application_id=app.id,
            kind="refund",
            claimed_on=dt.date(2026, 3, 1),
            amount=D(amount),
            repaid_on=repaid,
        )
    )
    session.flush()
    session.expire(app, ["refunds"])


def line(result: budget.MoneyByBudgetYear, year: int, source_key: str) -> budget.BudgetLine:
    return next(ln for ln in result.lines if ln.year == year and ln.source_key == source_key)


def test_money_by_budget_year_and_source(session: Session) -> None:
    app = efre(session)
    award(session, app)  # 100.000 € a year, own share 66.666,67 / 66.666,67 / 66.666,66
    pay(session, app, "40000", dt.date(2025, 9, 1))
    pay(session, app, "30000", dt.date(2026, 12, 15), status="planned")
    refund(session, app, "5000", dt.date(2026, 4, 1))
    refund(session, app, "7000", None)  # claimed, not repaid yet: no cash flow
    mfund = make_application(
        session,
        app.project,
        programme_id=programmes.get_by_key(session, "MFUND").id,
        phase="FL1",
        funding_rate=D("100"),
        amount_requested=D("100000"),
        eligible_cost=D("100000"),
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    award(session, mfund, "100000")
    result = budget.money_by_budget_year(session, project_ids=[app.project_id], lang="de")
    assert [(ln.year, ln.source) for ln in result.lines] == [
        (2025, "EFRE/JTF-Programm NRW 2021–2027"),
        (2025, "Eigenanteil"),
        (2026, "EFRE/JTF-Programm NRW 2021–2027"),
        (2026, "mFUND"),
        (2026, "Eigenanteil"),
        (2027, "EFRE/JTF-Programm NRW 2021–2027"),
        (2027, "Eigenanteil"),
    ]
    efre_2025 = line(result, 2025, "EFRE")
    assert (efre_2025.planned_grant, efre_2025.paid_out, efre_2025.open_due) == (
        D("100000.00"),
        D("40000.00"),
        D("0.00"),
    )
    efre_2026 = line(result, 2026, "EFRE")
    assert (efre_2026.refunded, efre_2026.open_due, efre_2026.net_paid) == (
        D("-5000.00"),
        D("30000.00"),
        D("-5000.00"),
    )
    assert line(result, 2026, "MFUND").planned_grant == D("100000.00")
    assert line(result, 2026, budget.OWN_SHARE).planned_own == D("66666.67")  # mFUND: none
    assert line(result, 2027, budget.OWN_SHARE).planned_grant == D("0.00")
    total_2026 = next(t for t in result.totals if t.year == 2026)
    assert (total_2026.planned_grant, total_2026.planned_own, total_2026.refunded) == (
        D("200000.00"),
        D("66666.67"),
        D("-5000.00"),
    )
    english = budget.money_by_budget_year(session, project_ids=[app.project_id], lang="en")
    assert english.lines[1].source == "Own share"


def test_archived_applications_and_projects_do_not_count(session: Session) -> None:
    app = efre(session)
    award(session, app)
    other = efre(session)
    award(session, other)
    both = [app.project_id, other.project_id]

    def planned() -> Decimal:
        result = budget.money_by_budget_year(session, project_ids=both, lang="de")
        return sum((t.planned_grant for t in result.totals), D(0))

    assert planned() == D("600000.00")
    funding.archive(session, app.id, expected_version=app.version)
    assert planned() == D("300000.00")
    project = other.project
    projects.archive(session, project.id, expected_version=project.version)
    assert planned() == D("0")
    assert budget.money_by_budget_year(session, project_ids=[], lang="de").lines == ()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    grants=st.lists(
        st.tuples(
            st.sampled_from(["EFRE", "NRW-DIGI"]),
            st.integers(min_value=1, max_value=250_000),
            st.integers(min_value=0, max_value=900),  # period days from 2025-01-01
            st.lists(  # payment requests: amount, days after the award, paid?
                st.tuples(
                    st.integers(min_value=1, max_value=20_000),
                    st.integers(min_value=0, max_value=(TODAY - AWARD_DAY).days),
                    st.booleans(),
                ),
                max_size=3,
            ),
            st.one_of(st.none(), st.integers(min_value=1, max_value=5_000)),  # a refund repaid
        ),
        min_size=1,
        max_size=3,
    )
)
def test_money_by_budget_year_agrees_with_the_rows(
    session: Session, grants: list[tuple[str, int, int, list[tuple[int, int, bool]], int | None]]
) -> None:
    nested = session.begin_nested()
    try:
        project = make_project(session)
        apps = []
        for programme, amount, days, payments, refunded in grants:
            rate = D("60") if programme == "EFRE" else D("80")
            app = make_application(
                session,
                project,
                programme_id=programmes.get_by_key(session, programme).id,
                phase=None,
                funding_rate=rate,
                amount_requested=D(amount),
                eligible_cost=D(amount) * 2,
                period_start=dt.date(2025, 1, 1),
                period_end=dt.date(2025, 1, 1) + dt.timedelta(days),
            )
            award(session, app, str(amount))
            for pay_amount, offset, paid in payments:
                if sum(p.amount for p in app.payment_requests) + pay_amount > amount:
                    continue
                day = AWARD_DAY + dt.timedelta(offset)
                pay(session, app, str(pay_amount), day, "paid" if paid else "submitted")
                session.expire(app, ["payment_requests"])
            if refunded is not None:
                refund(session, app, str(refunded), TODAY)
            apps.append(app)
        result = budget.money_by_budget_year(session, project_ids=[project.id], lang="de")
        ids = [a.id for a in apps]
        expected: dict[int, dict[str, Decimal]] = {}

        def add(year: int, column: str, value: Decimal) -> None:
            cell = expected.setdefault(year, {c: D("0") for c in budget.AMOUNTS})
            cell[column] += value

        for row in session.execute(
            select(BudgetYear).where(BudgetYear.application_id.in_(ids))
        ).scalars():
            add(row.year, "planned_grant", row.grant_amount)
            add(row.year, "planned_own", row.own_amount or D(0))
        for request in session.execute(
            select(PaymentRequest).where(PaymentRequest.application_id.in_(ids))
        ).scalars():
            if request.status == "paid":
                assert request.paid_on is not None
                add(request.paid_on.year, "paid_out", request.amount)
            else:
                add(request.due_on.year, "open_due", request.amount)
        for claim in session.execute(
            select(Refund).where(Refund.application_id.in_(ids))
        ).scalars():
            assert claim.repaid_on is not None
            add(claim.repaid_on.year, "refunded", -claim.amount)
        assert {
            t.year: {c: getattr(t, c) for c in budget.AMOUNTS} for t in result.totals
        } == expected
        assert result.totals == budget.year_totals(result.lines)
        for total in result.totals:  # the totals are the sums of the year's lines
            year_lines = [ln for ln in result.lines if ln.year == total.year]
            for column in budget.AMOUNTS:
                assert getattr(total, column) == sum(
                    (getattr(ln, column) for ln in year_lines), D(0)
                )
    finally:
        nested.rollback()


def test_money_by_budget_year_of_one_theme(session: Session) -> None:
    from db.models import ActionField, Theme

    app = efre(session)  # a project of action field 5.1.2
    award(session, app)
    theme = session.execute(
        select(Theme)
        .join(ActionField, ActionField.theme_id == Theme.id)
        .where(ActionField.id == app.project.action_field_id)
    ).scalar_one()
    other = session.execute(select(Theme).where(Theme.id != theme.id).limit(1)).scalar_one()
    mine = budget.money_by_budget_year(session, theme_key=theme.key, lang="de")
    assert sum((t.planned_grant for t in mine.totals), D(0)) == D("300000.00")
    elsewhere = budget.money_by_budget_year(session, theme_key=other.key, lang="de")
    assert elsewhere.lines == () and elsewhere.totals == ()
