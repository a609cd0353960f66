"""The project page's "Zuwendungen" and the Förderung page through AppTest: a proof moved on, a
renounced grant's refund with interest, money per budget year and source, the proofs owed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db.enums import ProofKind, ProofState
from db.models import (
    ProofOfUse,
)
from portfolio.i18n import fmt_date, fmt_eur
from portfolio.queries import budget as budget_q
from portfolio.services import refunds
from portfolio.vocab import label
from tests.fixtures.base import TODAY
from tests.fixtures.ui import Query, no_errors, open_page
from tests.ui.grants_helpers import (
    PROOF_HANDED_IN,
    RENOUNCED,
    application_of,
    last_actor,
    open_grants,
    submit,
    table_with,
)

# ---- Nachweise ----------------------------------------------------------------------------------


def test_the_final_proof_is_moved_on_to_under_check(demo_db: str, q: Query) -> None:
    app = application_of(q, PROOF_HANDED_IN)
    proof = q(
        lambda s: s.execute(
            select(ProofOfUse).where(
                ProofOfUse.application_id == app.id, ProofOfUse.kind == ProofKind.FINAL.value
            )
        ).scalar_one()
    )
    assert proof.state == ProofState.SUBMITTED.value
    at = open_grants(PROOF_HANDED_IN, user="ben")
    at.selectbox(key=f"proof:{app.id}:pick").set_value(proof.id).run()
    no_errors(at)
    form = f"proof:{app.id}:edit:{proof.id}"
    assert at.selectbox(key=f"{form}:state").value == ProofState.SUBMITTED.value
    started = TODAY - dt.timedelta(days=3)
    at.selectbox(key=f"{form}:state").set_value(ProofState.UNDER_CHECK.value)
    at.date_input(key=f"{form}:check_started_on").set_value(started)
    submit(at, form)
    no_errors(at)

    moved = q(lambda s: s.get(ProofOfUse, proof.id))
    assert moved is not None
    assert (moved.state, moved.check_started_on) == (ProofState.UNDER_CHECK.value, started)
    assert moved.submitted_on == proof.submitted_on
    assert last_actor(q, "proof_of_use", proof.id) == "ben"
    proofs_shown = table_with(at, "kind", label(ProofKind, ProofKind.FINAL.value, "de"))
    final = proofs_shown[proofs_shown["kind"] == "Verwendungsnachweis"].iloc[0]
    assert final["state"] == label(ProofState, ProofState.UNDER_CHECK.value, "de")
    assert final["submitted"] == fmt_date(proof.submitted_on, "de")


# ---- Rückforderungen ----------------------------------------------------------------------------


def test_the_renounced_grant_shows_its_refund_with_interest(demo_db: str, q: Query) -> None:
    app = application_of(q, RENOUNCED)
    claims = q(
        lambda s: [
            (r.key, r.amount, r.claimed_on, r.repaid_on, refunds.interest_of(s, r, today=TODAY))
            for r in refunds.get_all(s, app.id)
        ]
    )
    assert len(claims) == 1
    key, amount, claimed_on, repaid_on, interest = claims[0]
    assert repaid_on is not None and interest > 0
    at = open_grants(RENOUNCED)
    notices = table_with(at, "kind", "Verzicht")
    assert list(notices["kind"]) == ["Zuwendungsbescheid", "Verzicht"]
    assert list(notices["amount"]) == ["180.000,00\xa0€", "0,00\xa0€"]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Bewilligt (Bescheid in Kraft)"] == "0,00\xa0€"
    assert tiles["Rückforderungen offen"] == "0,00\xa0€"  # repaid

    shown = table_with(at, "key", key)
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
    shown = table_with(at, "source", f"Summe {first}")
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
    shown = table_with(at, "application", within[0].application_key)
    assert list(shown["application"]) == [d.application_key for d in within]
    assert list(shown["due"]) == [fmt_date(d.due_on, "de") for d in within]
