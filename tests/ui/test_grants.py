"""The project page's "Zuwendungen" through AppTest: the notice history in German formats,
recording notices (stored, journaled, refused at the field), the cost plan with its tolerance
warning, and the budget years' data editor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from db.enums import NoticeKind
from db.models import (
    BudgetYear,
    GrantNotice,
)
from portfolio.errors import Problem
from portfolio.i18n import Eur, fmt_date, fmt_eur, fmt_number, fmt_percent
from portfolio.services import budget_years, cost_plan, funding, grant_notices
from portfolio.ui.components.safe_text import md
from portfolio.vocab import label, label_both
from tests.fixtures.base import TODAY
from tests.fixtures.ui import Query, no_errors, open_page, seen
from tests.ui.grants_helpers import (
    PARTIAL,
    RENOUNCED,
    RUNNING,
    application_of,
    last_actor,
    notices_of,
    open_grants,
    shown_errors,
    shown_warnings,
    submit,
    table_with,
)

# ---- Bescheide ----------------------------------------------------------------------------------


def test_the_notice_history_of_a_partial_award_in_german(demo_db: str, q: Query) -> None:
    app = application_of(q, PARTIAL)
    at = open_grants(PARTIAL)
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

    notices = table_with(at, "kind", "Teilbewilligung")
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
    app = application_of(q, PARTIAL)
    editor = at.data_editor(key=f"years:{app.id}:rows").value
    grants = q(lambda s: [b.grant_amount for b in budget_years.get_all(s, app.id)])
    assert list(editor["grant"]) == [fmt_number(g, "en") for g in grants]


def test_an_amendment_recorded_through_the_form_is_stored_and_journaled(
    demo_db: str, q: Query
) -> None:
    app = application_of(q, RUNNING)
    before = notices_of(q, app.id)
    at = open_grants(RUNNING, user="anna")
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
    submit(at, form)
    no_errors(at)

    after = notices_of(q, app.id)
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
    assert last_actor(q, "grant_notice", notice_id) == "anna"
    assert last_actor(q, "funding_application", app.id) == "anna"
    # the page shows it: the history has the new notice, the period end in German
    notices = table_with(at, "kind", "Änderungsbescheid")
    assert list(notices["dated_on"])[-1] == fmt_date(dated, "de")
    assert list(notices["end"])[-1] == "31.12.2027"
    assert list(notices["reference"])[-1] == "KfW 436-21-0493-B04-Ä2"


def test_a_revocation_above_the_amount_in_force_is_refused_at_the_field(
    demo_db: str, q: Query
) -> None:
    app = application_of(q, RUNNING)
    before = notices_of(q, app.id)
    at = open_grants(RUNNING, user="anna")
    form = f"notice:{app.id}"
    at.selectbox(key=f"{form}:kind").set_value(NoticeKind.REVOCATION.value)
    at.date_input(key=f"{form}:dated_on").set_value(TODAY)
    at.text_input(key=f"{form}:amount_approved").input("700.000,00")
    submit(at, form)
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
    assert expected in shown_errors(at)
    assert "Bitte die markierten Felder prüfen." in shown_errors(at)
    # the input stays for correcting it; nothing is written
    assert at.text_input(key=f"{form}:amount_approved").value == "700.000,00"
    assert notices_of(q, app.id) == before
    stored = q(lambda s: funding.get(s, app.id))
    assert (stored.version, stored.status) == (app.version, app.status)
    assert last_actor(q, "grant_notice") != "anna"


def test_a_closed_grant_can_only_be_revoked(demo_db: str, q: Query) -> None:
    """The form offers only the notices that may follow, never a second award."""
    app = application_of(q, "SC-024")  # MPSC phase A, closed
    assert app.status == "closed"
    at = open_grants("SC-024")
    kind = at.selectbox(key=f"notice:{app.id}:kind")
    assert kind.options == ["Widerrufsbescheid"]
    assert kind.value == NoticeKind.REVOCATION.value


# ---- Kostenplan ---------------------------------------------------------------------------------


def test_a_cost_item_added_through_the_form_warns_when_it_spends_too_much(
    demo_db: str, q: Query
) -> None:
    app = application_of(q, RUNNING)
    count = q(lambda s: len(cost_plan.get_all(s, app.id)))
    at = open_grants(RUNNING, user="carla")
    form = f"cost:{app.id}:new"
    at.selectbox(key=f"{form}:cost_type").set_value("external_services")
    at.text_input(key=f"{form}:label").input("Gutachten Bodenfeuchte")
    at.text_input(key=f"{form}:requested").input("10.000")
    at.text_input(key=f"{form}:approved").input("10.000,00")
    at.text_input(key=f"{form}:actual").input("15.000")
    submit(at, form)
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
    assert last_actor(q, "cost_item", item.id) == "carla"

    problems = q(lambda s: cost_plan.warnings(s, app.id))
    over = [
        p for p in problems if p.code == "cost_item_over_tolerance" and p.params["item"] == item.key
    ]
    assert len(over) == 1
    message = over[0].message("de")
    assert item.key in message and "„Gutachten Bodenfeuchte“" in message
    assert "15.000,00\xa0€" in message and "Toleranz" in message
    assert seen(md(message)) in shown_warnings(at)  # a warning line: blanks as plain spaces
    # the new item is in the table, in German money format
    plan = table_with(at, "label", "Gutachten Bodenfeuchte")
    row = plan[plan["label"] == "Gutachten Bodenfeuchte"].iloc[0]
    assert (row["approved"], row["actual"]) == ("10.000,00\xa0€", "15.000,00\xa0€")
    assert row["deviation"] == fmt_percent(Decimal(50), "de") == "50\xa0%"


def test_a_cost_plan_without_actuals_shows_no_saving(demo_db: str, q: Query) -> None:
    """No actual spending booked yet is no saving of 100 %: the total's actual stays empty."""
    app = application_of(q, RENOUNCED)
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
    at = open_grants(RENOUNCED)
    plan = table_with(at, "label", "Anforderungsanalyse")
    total = plan[plan["type"] == "Summe"].iloc[0]
    assert total["approved"] == "20.000,00\xa0€"
    assert (total["actual"], total["deviation"]) == ("", "")


# ---- Jahresscheiben -----------------------------------------------------------------------------


def test_budget_years_that_do_not_add_up_are_refused_and_nothing_is_written(
    demo_db: str, q: Query
) -> None:
    app = application_of(q, RUNNING)
    stored = q(
        lambda s: [(b.year, b.grant_amount, b.own_amount) for b in budget_years.get_all(s, app.id)]
    )
    assert stored, "an MPSC measure has budget years"
    at = open_grants(RUNNING, user="anna")
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
    submit(at, form)
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
    assert any(expected in e for e in shown_errors(at)), shown_errors(at)
    after = q(
        lambda s: [(b.year, b.grant_amount, b.own_amount) for b in budget_years.get_all(s, app.id)]
    )
    assert after == stored
    assert q(lambda s: funding.get(s, app.id).version) == app.version
    assert last_actor(q, "budget_year") != "anna"


def test_budget_years_that_add_up_are_stored_as_typed_in_german(demo_db: str, q: Query) -> None:
    """The editor shows the amounts as users type them ("1.234,56"), so a row left as it is
    reads back as the same amount, and 1.000 € moved between two years is stored."""
    app = application_of(q, RUNNING)
    stored = q(
        lambda s: [(b.year, b.grant_amount, b.own_amount) for b in budget_years.get_all(s, app.id)]
    )
    at = open_grants(RUNNING, user="anna")
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
    submit(at, form)
    no_errors(at)
    after = q(
        lambda s: {b.year: (b.grant_amount, b.own_amount) for b in budget_years.get_all(s, app.id)}
    )
    assert after[y0] == (moved[i0], o0)
    assert after[y1] == (moved[i1], o1)
    assert {y: v for y, v in after.items() if y not in (y0, y1)} == {
        y: (g, o) for y, g, o in stored if y not in (y0, y1)
    }
    assert last_actor(q, "budget_year") == "anna"


def test_a_budget_year_that_is_no_number_is_refused(demo_db: str, q: Query) -> None:
    app = application_of(q, RUNNING)
    count = q(lambda s: s.execute(select(func.count(BudgetYear.id))).scalar_one())
    at = open_grants(RUNNING)
    form = f"years:{app.id}"
    at.session_state[f"{form}:rows"] = {
        "edited_rows": {0: {"grant": "zwölf Euro"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    submit(at, form)
    assert not at.exception
    assert any("„zwölf Euro“" in e and "keine Zahl" in e for e in shown_errors(at)), shown_errors(
        at
    )
    assert q(lambda s: s.execute(select(func.count(BudgetYear.id))).scalar_one()) == count
