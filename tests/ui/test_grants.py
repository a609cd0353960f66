"""The project page's "Zuwendungen" and the Förderung page's budget years, through AppTest:
the notice history in German formats, recording notices (stored, journaled, refused at the
field), the cost plan with its tolerance warning, the budget years' data editor, a proof moved
on, a renounced grant's refund with interest, and money per budget year and source."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import func, select
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from db.enums import NoticeKind, ProofKind, ProofState
from db.models import (
    BudgetYear,
    FundingApplication,
    GrantNotice,
    JournalEntry,
    ProofOfUse,
)
from portfolio.errors import Problem
from portfolio.i18n import Eur, fmt_date, fmt_eur, fmt_number, fmt_percent
from portfolio.queries import budget as budget_q
from portfolio.services import budget_years, cost_plan, funding, grant_notices, refunds
from portfolio.ui.components.safe_text import md
from portfolio.vocab import label, label_both
from tests.fixtures.base import TODAY
from tests.fixtures.ui import Query, no_errors, open_page, seen, streamlit_server

PARTIAL = "SC-003"  # MPSC phase B: Teilbewilligung (812.500 of 845.000), Änderungsbescheid
RUNNING = "SC-004"  # MPSC phase B, in Durchführung: award and Änderungsbescheid
PROOF_HANDED_IN = "SC-002"  # MPSC phase B: the final proof handed in, not yet under check
RENOUNCED = "SC-017"  # NRW-DIGI, renounced; the first instalment repaid with interest


# ---- helpers ----------------------------------------------------------------------------------


def _application(q: Query, project_key: str) -> FundingApplication:
    return q(
        lambda s: s.execute(
            select(FundingApplication).where(FundingApplication.key == f"{project_key}-F1")
        ).scalar_one()
    )


def _grants(project_key: str, *, user: str | None = None) -> AppTest:
    at = open_page("project", user=user, projekt=project_key, bereich="zuwendung")
    no_errors(at)
    return at


def _submit(at: AppTest, form_key: str) -> AppTest:
    """Click the submit button of the form ``form_key`` (several forms share a label)."""
    prefix = f"FormSubmitter:{form_key}-"
    buttons = [b for b in at.button if b.key and b.key.startswith(prefix)]
    assert len(buttons) == 1, f"no button of {form_key!r}: {[b.key for b in at.button]}"
    return buttons[0].click().run()


def _shown(frame: Any) -> pd.DataFrame:
    """What a table shows: the display values of its Styler (German money and dates)."""
    styler = frame.proto.arrow_data.styler
    assert styler.display_values, "the table is not formatted"
    return dataframe_util.convert_arrow_bytes_to_pandas_df(styler.display_values)


def _table_with(at: AppTest, column: str, value: str) -> pd.DataFrame:
    for frame in at.dataframe:
        if frame.editing_mode != "read_only":
            continue
        shown = _shown(frame)
        if column in shown.columns and value in list(shown[column]):
            return shown
    raise AssertionError(f"no table with {value!r} in {column!r}")


def _errors(at: AppTest) -> list[str]:
    return [seen(e.value) for e in at.error]


def _warnings(at: AppTest) -> list[str]:
    return [seen(w.value) for w in at.warning]


def _notices(q: Query, application_id: int) -> list[tuple[str, dt.date, Decimal, dt.date | None]]:
    return q(
        lambda s: [
            (n.kind, n.dated_on, n.amount_approved, n.period_end)
            for n in grant_notices.get_all(s, application_id)
        ]
    )


def _last_actor(q: Query, entity: str, entity_id: int | None = None) -> str | None:
    stmt = select(JournalEntry.actor).where(JournalEntry.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(JournalEntry.entity_id == entity_id)
    return q(lambda s: s.execute(stmt.order_by(JournalEntry.id.desc()).limit(1)).scalar())


# ---- Bescheide ----------------------------------------------------------------------------------


def test_the_notice_history_of_a_partial_award_in_german(demo_db: str, q: Query) -> None:
    app = _application(q, PARTIAL)
    at = _grants(PARTIAL)
    assert [t.label for t in at.tabs] == [
        "Bescheide",
        "Kostenplan",
        "Jahresscheiben",
        "Nachweise",
        "Rückforderungen",
    ]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Bewilligt (Bescheid in Kraft)"] == "812.500,00\xa0€"
    assert tiles["Verwendungsnachweis fällig"] == fmt_date(app.proof_of_use_due, "de")

    notices = _table_with(at, "kind", "Teilbewilligung")
    stored = q(lambda s: grant_notices.get_all(s, app.id))
    assert list(notices["kind"]) == [label(NoticeKind, n.kind, "de") for n in stored]
    assert list(notices["kind"]) == ["Teilbewilligung", "Änderungsbescheid"]
    award, amendment = notices.to_dict("records")
    assert (award["dated_on"], award["amount"]) == ("24.05.2023", "812.500,00\xa0€")
    assert (award["start"], award["end"]) == ("01.06.2023", "30.09.2026")
    assert (amendment["dated_on"], amendment["amount"]) == ("14.03.2025", "812.500,00\xa0€")
    assert amendment["end"] == "30.06.2027"
    assert "Verlängerung des Förderzeitraums" in amendment["reason"]


def test_the_section_speaks_english(demo_db: str, q: Query) -> None:
    at = open_page("project", lang="en", projekt=PARTIAL, bereich="zuwendung")
    no_errors(at)
    assert [t.label for t in at.tabs] == [
        "Notices",
        "Cost plan",
        "Budget years",
        "Proofs",
        "Refunds",
    ]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Approved (notice in force)"] == fmt_eur(Decimal("812500"), "en")
    app = _application(q, PARTIAL)
    editor = at.data_editor(key=f"years:{app.id}:rows").value
    grants = q(lambda s: [b.grant_amount for b in budget_years.get_all(s, app.id)])
    assert list(editor["grant"]) == [fmt_number(g, "en") for g in grants]


def test_an_amendment_recorded_through_the_form_is_stored_and_journaled(
    demo_db: str, q: Query
) -> None:
    app = _application(q, RUNNING)
    before = _notices(q, app.id)
    at = _grants(RUNNING, user="anna")
    form = f"notice:{app.id}"
    assert at.selectbox(key=f"{form}:kind").value == NoticeKind.AMENDMENT.value
    assert at.selectbox(key=f"{form}:kind").options == [
        "Änderungsbescheid",
        "Widerrufsbescheid",
        "Verzicht",
    ]
    # the form starts from what is in force: the amount and the period of the grant
    assert at.text_input(key=f"{form}:amount_approved").value == "650.000"
    assert at.date_input(key=f"{form}:period_end").value == dt.date(2027, 6, 30)
    dated = TODAY - dt.timedelta(days=10)
    at.date_input(key=f"{form}:dated_on").set_value(dated)
    at.date_input(key=f"{form}:period_end").set_value(dt.date(2027, 12, 31))
    at.text_area(key=f"{form}:reason").input("Verlängerung: Lieferverzug der Sensorik")
    at.text_input(key=f"{form}:reference_number").input("KfW 436-21-0493-B04-Ä2")
    _submit(at, form)
    no_errors(at)

    after = _notices(q, app.id)
    assert after[:-1] == before
    assert after[-1] == (
        NoticeKind.AMENDMENT.value,
        dated,
        Decimal("650000.00"),
        dt.date(2027, 12, 31),
    )
    stored = q(lambda s: funding.get(s, app.id))
    assert stored.period_end == dt.date(2027, 12, 31)
    assert stored.amount_approved == Decimal("650000.00")
    notice_id = q(
        lambda s: s.execute(
            select(func.max(GrantNotice.id)).where(GrantNotice.application_id == app.id)
        ).scalar_one()
    )
    assert _last_actor(q, "grant_notice", notice_id) == "anna"
    assert _last_actor(q, "funding_application", app.id) == "anna"
    # the page shows it: the history has the new notice, the period end in German
    notices = _table_with(at, "kind", "Änderungsbescheid")
    assert list(notices["dated_on"])[-1] == fmt_date(dated, "de")
    assert list(notices["end"])[-1] == "31.12.2027"
    assert list(notices["reference"])[-1] == "KfW 436-21-0493-B04-Ä2"


def test_a_revocation_above_the_amount_in_force_is_refused_at_the_field(
    demo_db: str, q: Query
) -> None:
    app = _application(q, RUNNING)
    before = _notices(q, app.id)
    at = _grants(RUNNING, user="anna")
    form = f"notice:{app.id}"
    at.selectbox(key=f"{form}:kind").set_value(NoticeKind.REVOCATION.value)
    at.date_input(key=f"{form}:dated_on").set_value(TODAY)
    at.text_input(key=f"{form}:amount_approved").input("700.000,00")
    _submit(at, form)
    assert not at.exception

    expected = Problem(
        "amount_approved",
        "notice_ending_above_amount",
        {
            "kind": label_both(NoticeKind, NoticeKind.REVOCATION.value),
            "amount": Eur(Decimal("700000")),
            "in_force": Eur(Decimal("650000")),
        },
    ).message("de")
    assert expected.startswith("Bewilligt: Ein Widerrufsbescheid kann die Zuwendung nur mindern")
    assert expected in _errors(at)
    assert "Bitte die markierten Felder prüfen." in _errors(at)
    # the input stays for correcting it; nothing is written
    assert at.text_input(key=f"{form}:amount_approved").value == "700.000,00"
    assert _notices(q, app.id) == before
    stored = q(lambda s: funding.get(s, app.id))
    assert (stored.version, stored.status) == (app.version, app.status)
    assert _last_actor(q, "grant_notice") != "anna"


def test_a_closed_grant_can_only_be_revoked(demo_db: str, q: Query) -> None:
    """The form offers only the notices that may follow, never a second award."""
    app = _application(q, "SC-024")  # MPSC phase A, closed
    assert app.status == "closed"
    at = _grants("SC-024")
    kind = at.selectbox(key=f"notice:{app.id}:kind")
    assert kind.options == ["Widerrufsbescheid"]
    assert kind.value == NoticeKind.REVOCATION.value


# ---- Kostenplan ---------------------------------------------------------------------------------


def test_a_cost_item_added_through_the_form_warns_when_it_spends_too_much(
    demo_db: str, q: Query
) -> None:
    app = _application(q, RUNNING)
    count = q(lambda s: len(cost_plan.get_all(s, app.id)))
    at = _grants(RUNNING, user="carla")
    form = f"cost:{app.id}:new"
    at.selectbox(key=f"{form}:cost_type").set_value("external_services")
    at.text_input(key=f"{form}:label").input("Gutachten Bodenfeuchte")
    at.text_input(key=f"{form}:requested").input("10.000")
    at.text_input(key=f"{form}:approved").input("10.000,00")
    at.text_input(key=f"{form}:actual").input("15.000")
    _submit(at, form)
    no_errors(at)

    items = q(lambda s: cost_plan.get_all(s, app.id))
    assert len(items) == count + 1
    item = next(i for i in items if i.label == "Gutachten Bodenfeuchte")
    assert (item.cost_type, item.requested, item.approved, item.actual) == (
        "external_services",
        Decimal("10000.00"),
        Decimal("10000.00"),
        Decimal("15000.00"),
    )
    assert item.key.startswith(f"{app.key}-K")
    assert _last_actor(q, "cost_item", item.id) == "carla"

    problems = q(lambda s: cost_plan.warnings(s, app.id))
    over = [
        p for p in problems if p.code == "cost_item_over_tolerance" and p.params["item"] == item.key
    ]
    assert len(over) == 1
    message = over[0].message("de")
    assert item.key in message and "„Gutachten Bodenfeuchte“" in message
    assert "15.000,00\xa0€" in message and "Toleranz" in message
    assert seen(md(message)) in _warnings(at)  # a warning line: blanks as plain spaces
    # the new item is in the table, in German money format
    plan = _table_with(at, "label", "Gutachten Bodenfeuchte")
    row = plan[plan["label"] == "Gutachten Bodenfeuchte"].iloc[0]
    assert (row["approved"], row["actual"]) == ("10.000,00\xa0€", "15.000,00\xa0€")
    assert row["deviation"] == fmt_percent(Decimal(50), "de") == "50\xa0%"


def test_a_cost_plan_without_actuals_shows_no_saving(demo_db: str, q: Query) -> None:
    """No actual spending booked yet is no saving of 100 %: the total's actual stays empty."""
    app = _application(q, RENOUNCED)
    q(
        lambda s: cost_plan.create(
            s,
            {
                "application_id": app.id,
                "cost_type": "personnel",
                "label": "Anforderungsanalyse",
                "requested": Decimal("20000"),
                "approved": Decimal("20000"),
            },
        )
    )
    at = _grants(RENOUNCED)
    plan = _table_with(at, "label", "Anforderungsanalyse")
    total = plan[plan["type"] == "Summe"].iloc[0]
    assert total["approved"] == "20.000,00\xa0€"
    assert (total["actual"], total["deviation"]) == ("", "")


# ---- Jahresscheiben -----------------------------------------------------------------------------


def test_budget_years_that_do_not_add_up_are_refused_and_nothing_is_written(
    demo_db: str, q: Query
) -> None:
    app = _application(q, RUNNING)
    stored = q(
        lambda s: [(b.year, b.grant_amount, b.own_amount) for b in budget_years.get_all(s, app.id)]
    )
    assert stored, "an MPSC measure has budget years"
    at = _grants(RUNNING, user="anna")
    form = f"years:{app.id}"
    editor = at.data_editor(key=f"{form}:rows")
    assert [int(y) for y in editor.value["year"]] == [y for y, _, _ in stored]
    first_grant = stored[0][1]
    more = first_grant + Decimal("1000")
    at.session_state[f"{form}:rows"] = {
        "edited_rows": {0: {"grant": f"{more:.2f}".replace(".", ",")}},
        "added_rows": [],
        "deleted_rows": [],
    }
    _submit(at, form)
    assert not at.exception

    assert app.amount_approved is not None
    approved = Decimal(app.amount_approved)
    expected = Problem(
        "grant_amount",
        "budget_years_grant_above",
        {
            "total": Eur(approved + Decimal("1000")),
            "approved": Eur(approved),
            "difference": Eur(Decimal("1000")),
        },
    ).message("de")
    assert "1.000,00\xa0€ zu viel" in expected
    assert any(expected in e for e in _errors(at)), _errors(at)
    after = q(
        lambda s: [(b.year, b.grant_amount, b.own_amount) for b in budget_years.get_all(s, app.id)]
    )
    assert after == stored
    assert q(lambda s: funding.get(s, app.id).version) == app.version
    assert _last_actor(q, "budget_year") != "anna"


def test_budget_years_that_add_up_are_stored_as_typed_in_german(demo_db: str, q: Query) -> None:
    """The editor shows the amounts as users type them ("1.234,56"), so a row left as it is
    reads back as the same amount, and 1.000 € moved between two years is stored."""
    app = _application(q, RUNNING)
    stored = q(
        lambda s: [(b.year, b.grant_amount, b.own_amount) for b in budget_years.get_all(s, app.id)]
    )
    at = _grants(RUNNING, user="anna")
    form = f"years:{app.id}"
    editor = at.data_editor(key=f"{form}:rows").value
    assert list(editor["grant"]) == [fmt_number(g, "de") for _, g, _ in stored]
    # 1.000 € from the first year that holds that much into the year after it
    i0 = next(i for i, (_, g, _) in enumerate(stored) if g >= Decimal("1000"))
    i1 = i0 + 1 if i0 + 1 < len(stored) else i0 - 1
    (y0, g0, o0), (y1, g1, o1) = stored[i0], stored[i1]
    moved = {i0: g0 - Decimal("1000"), i1: g1 + Decimal("1000")}
    at.session_state[f"{form}:rows"] = {
        "edited_rows": {i: {"grant": fmt_number(v, "de")} for i, v in moved.items()},
        "added_rows": [],
        "deleted_rows": [],
    }
    _submit(at, form)
    no_errors(at)
    after = q(
        lambda s: {b.year: (b.grant_amount, b.own_amount) for b in budget_years.get_all(s, app.id)}
    )
    assert after[y0] == (moved[i0], o0)
    assert after[y1] == (moved[i1], o1)
    assert {y: v for y, v in after.items() if y not in (y0, y1)} == {
        y: (g, o) for y, g, o in stored if y not in (y0, y1)
    }
    assert _last_actor(q, "budget_year") == "anna"


def test_a_budget_year_that_is_no_number_is_refused(demo_db: str, q: Query) -> None:
    app = _application(q, RUNNING)
    count = q(lambda s: s.execute(select(func.count(BudgetYear.id))).scalar_one())
    at = _grants(RUNNING)
    form = f"years:{app.id}"
    at.session_state[f"{form}:rows"] = {
        "edited_rows": {0: {"grant": "zwölf Euro"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    _submit(at, form)
    assert not at.exception
    assert any("„zwölf Euro“" in e and "keine Zahl" in e for e in _errors(at)), _errors(at)
    assert q(lambda s: s.execute(select(func.count(BudgetYear.id))).scalar_one()) == count


# ---- Nachweise ----------------------------------------------------------------------------------


def test_the_final_proof_is_moved_on_to_under_check(demo_db: str, q: Query) -> None:
    app = _application(q, PROOF_HANDED_IN)
    proof = q(
        lambda s: s.execute(
            select(ProofOfUse).where(
                ProofOfUse.application_id == app.id, ProofOfUse.kind == ProofKind.FINAL.value
            )
        ).scalar_one()
    )
    assert proof.state == ProofState.SUBMITTED.value
    at = _grants(PROOF_HANDED_IN, user="ben")
    at.selectbox(key=f"proof:{app.id}:pick").set_value(proof.id).run()
    no_errors(at)
    form = f"proof:{app.id}:edit:{proof.id}"
    assert at.selectbox(key=f"{form}:state").value == ProofState.SUBMITTED.value
    started = TODAY - dt.timedelta(days=3)
    at.selectbox(key=f"{form}:state").set_value(ProofState.UNDER_CHECK.value)
    at.date_input(key=f"{form}:check_started_on").set_value(started)
    _submit(at, form)
    no_errors(at)

    moved = q(lambda s: s.get(ProofOfUse, proof.id))
    assert moved is not None
    assert (moved.state, moved.check_started_on) == (ProofState.UNDER_CHECK.value, started)
    assert moved.submitted_on == proof.submitted_on
    assert _last_actor(q, "proof_of_use", proof.id) == "ben"
    proofs_shown = _table_with(at, "kind", label(ProofKind, ProofKind.FINAL.value, "de"))
    final = proofs_shown[proofs_shown["kind"] == "Verwendungsnachweis"].iloc[0]
    assert final["state"] == label(ProofState, ProofState.UNDER_CHECK.value, "de")
    assert final["submitted"] == fmt_date(proof.submitted_on, "de")


# ---- Rückforderungen ----------------------------------------------------------------------------


def test_the_renounced_grant_shows_its_refund_with_interest(demo_db: str, q: Query) -> None:
    app = _application(q, RENOUNCED)
    claims = q(
        lambda s: [
            (r.key, r.amount, r.claimed_on, r.repaid_on, refunds.interest_of(s, r, today=TODAY))
            for r in refunds.get_all(s, app.id)
        ]
    )
    assert len(claims) == 1
    key, amount, claimed_on, repaid_on, interest = claims[0]
    assert repaid_on is not None and interest > 0
    at = _grants(RENOUNCED)
    notices = _table_with(at, "kind", "Verzicht")
    assert list(notices["kind"]) == ["Zuwendungsbescheid", "Verzicht"]
    assert list(notices["amount"]) == ["180.000,00\xa0€", "0,00\xa0€"]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Bewilligt (Bescheid in Kraft)"] == "0,00\xa0€"
    assert tiles["Rückforderungen offen"] == "0,00\xa0€"  # repaid

    shown = _table_with(at, "key", key)
    row = shown.iloc[0]
    assert row["kind"] == "Rückforderung"
    assert row["amount"] == fmt_eur(amount, "de") == "30.000,00\xa0€"
    assert row["claimed_on"] == fmt_date(claimed_on, "de") == "15.06.2026"
    assert row["interest_from"] == "02.03.2026"
    assert row["repaid_on"] == fmt_date(repaid_on, "de") == "01.07.2026"
    assert row["interest"] == fmt_eur(interest, "de")
    captions = [c.value for c in at.caption]
    assert f"Zinsen: {fmt_eur(interest, 'de')} · Forderungen: 1" in captions, captions


# ---- Förderung: Geld je Haushaltsjahr und Quelle ------------------------------------------------


def test_the_funding_page_shows_money_per_budget_year_with_year_totals(
    demo_db: str, q: Query
) -> None:
    money = q(lambda s: budget_q.money_by_budget_year(s, lang="de"))
    assert money.lines and money.totals
    at = open_page("funding")
    no_errors(at)
    assert "Geld je Haushaltsjahr und Quelle" in [s.value for s in at.subheader]
    first = money.totals[0].year
    shown = _table_with(at, "source", f"Summe {first}")
    totals = shown[shown["source"].str.startswith("Summe ")]
    assert list(totals["source"]) == [f"Summe {t.year}" for t in money.totals]
    for total in money.totals:
        row = totals[totals["source"] == f"Summe {total.year}"].iloc[0]
        assert row["year"] == str(total.year)  # a year, not "2.026"
        assert row["planned_grant"] == fmt_eur(total.planned_grant, "de")
        assert row["planned_own"] == fmt_eur(total.planned_own, "de")
        assert row["paid_out"] == fmt_eur(total.paid_out, "de")
        assert row["refunded"] == fmt_eur(total.refunded, "de")
        assert row["net_paid"] == fmt_eur(total.net_paid, "de")
        assert row["open_due"] == fmt_eur(total.open_due, "de")
    # every line of a year comes before its total; the own share last among the sources
    lines = shown[~shown["source"].str.startswith("Summe ")]
    assert len(lines) == len(money.lines)
    assert list(lines["source"]) == [line.source for line in money.lines]
    assert all("\xa0€" in v for v in shown["planned_grant"])
    refunded = [t for t in money.totals if t.refunded]
    assert refunded, "the renounced grant's refund flows back in its year"
    row = totals[totals["source"] == f"Summe {refunded[0].year}"].iloc[0]
    assert row["refunded"].startswith("-") or row["refunded"].startswith("−")


def test_the_funding_page_lists_the_proofs_owed_within_its_window(demo_db: str, q: Query) -> None:
    from portfolio import clock
    from portfolio.services import proofs

    today = clock.today()
    owed = q(lambda s: proofs.open_duties(s, today=today))
    within = [d for d in owed if d.due_on <= today + dt.timedelta(days=365)]
    assert within, "the demo owes proofs within a year"
    at = open_page("funding", tage="365")
    no_errors(at)
    assert "Nachweispflichten: Zwischennachweise, Sachberichte, Verwendungsnachweise" in [
        s.value for s in at.subheader
    ]
    shown = _table_with(at, "application", within[0].application_key)
    assert list(shown["application"]) == [d.application_key for d in within]
    assert list(shown["due"]) == [fmt_date(d.due_on, "de") for d in within]


# ---- real browser -------------------------------------------------------------------------------

_TAB_LABELS = ["Bescheide", "Kostenplan", "Jahresscheiben", "Nachweise", "Rückforderungen"]


def _cut_tabs(page: Any) -> list[str]:
    """The tab labels the page cuts off: an ellipsis, or a tab outside its visible tab bar."""
    cut: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=stMain] [role=tab]')]
            .filter(tab => {
                const bar = tab.closest('[role=tablist]').getBoundingClientRect();
                const box = tab.getBoundingClientRect();
                const cut = [tab, ...tab.querySelectorAll('*')]
                    .some(e => e.scrollWidth > e.clientWidth + 1);
                return cut || box.left < bar.left - 1 || box.right > bar.right + 1;
            })
            .map(tab => tab.textContent.trim())"""
    )
    return cut


def _settled(page: Any) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )
    page.wait_for_timeout(800)
    assert page.locator('[data-testid="stException"]').count() == 0
    body = page.inner_text('[data-testid="stMain"]')
    assert "Traceback" not in body and "Das hat nicht geklappt" not in body


# On one worker with test_browser.py (``-n 2 --dist loadgroup``); the mark is known only where
# xdist runs the tests, so a single-process run (``-p no:xdist``) still collects this module.
_ONE_WORKER = [pytest.mark.xdist_group("browser")] if os.environ.get("PYTEST_XDIST_WORKER") else []


@pytest.mark.browser
@pytest.mark.parametrize("width", [pytest.param(w, marks=_ONE_WORKER) for w in (1280, 1440)])
def test_grants_and_budget_years_in_a_real_browser(
    grant_server: str, browser: Any, width: int, request: pytest.FixtureRequest
) -> None:
    # test_browser.py marks its tests for xdist; run without it (-p no:xdist), the strict
    # markers would refuse its import unless the mark is known.
    if not request.config.pluginmanager.hasplugin("xdist"):
        request.config.addinivalue_line("markers", "xdist_group(name): xdist's test group")
    from tests.ui.test_browser import SHOTS, _cut_tiles

    context = browser.new_context(viewport={"width": width, "height": 1600}, locale="de-DE")
    page = context.new_page()
    try:
        page.goto(f"{grant_server}/projekt?projekt={PARTIAL}&bereich=zuwendung")
        page.wait_for_selector('[data-testid="stMetric"]', state="attached", timeout=45_000)
        page.wait_for_selector('[role="tab"]', state="attached", timeout=45_000)
        _settled(page)
        tiles = page.locator('[data-testid="stMetric"]')
        assert tiles.count() == 4
        assert "812.500,00" in page.inner_text('[data-testid="stMain"]')
        assert _cut_tiles(page) == []
        tabs = [
            t.strip() for t in page.locator('[data-testid="stMain"] [role="tab"]').all_inner_texts()
        ]
        assert tabs == _TAB_LABELS
        assert _cut_tabs(page) == []
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"projekt-zuwendung-{width}.png"), full_page=True)
        for name in _TAB_LABELS[1:]:  # every tab draws without an exception
            page.get_by_role("tab", name=name).click()
            page.wait_for_timeout(300)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert _cut_tabs(page) == []

        page.goto(f"{grant_server}/foerderung")
        heading = page.get_by_text("Geld je Haushaltsjahr und Quelle", exact=True)
        heading.wait_for(state="attached", timeout=45_000)
        _settled(page)
        table = heading.locator('xpath=following::div[@data-testid="stDataFrame"][1]')
        table.scroll_into_view_if_needed()
        table.locator("canvas").first.wait_for(state="visible", timeout=30_000)
        box = table.bounding_box()
        assert box is not None and box["height"] > 100 and box["width"] > 400
        # The grid draws on a canvas (in German formats, which the AppTest test checks); its
        # accessible table holds the header and the rows drawn, with the raw values.
        grid = table.locator('table[role="grid"]')
        assert grid.get_attribute("aria-colcount") == "8"
        headers = [h.strip() for h in grid.locator('[role="columnheader"]').all_text_contents()]
        # the columns drawn (the grid draws only what is in view: 5 of 8 at 1280 px)
        assert headers[:4] == [
            "Haushaltsjahr",
            "Quelle",
            "Jahresscheibe Zuwendung",
            "Jahresscheibe Eigenanteil",
        ], headers
        assert re.search(r"Summe 20\d\d", grid.text_content() or "")
        SHOTS.mkdir(parents=True, exist_ok=True)
        table.screenshot(path=str(SHOTS / f"foerderung-haushaltsjahre-{width}.png"))
        assert _cut_tiles(page) == []
    finally:
        context.close()


@pytest.fixture(scope="module")
def grant_server(bochum_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser-grants")
    db = folder / "portfolio.db"
    shutil.copy(bochum_template, db)
    with streamlit_server(db, folder) as base:
        yield base
