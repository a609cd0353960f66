"""The project page's "Zuwendungen": a grant's notices (and a form to record the next one), its
cost plan against the actuals, its budget years (:mod:`portfolio.ui.components.grant_years`),
the proofs it owes and the refunds claimed.

Every change goes through the services (grant_notices, cost_plan, budget_years, proofs,
refunds), which check the funding law; this module only shows and collects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from db.enums import (
    AMENDABLE_GRANT_STATUSES,
    ENDED_GRANT_STATUSES,
    ApplicationStatus,
    CostType,
    NoticeKind,
    ProofKind,
    ProofState,
    RefundKind,
)
from portfolio.i18n import fmt_date, fmt_eur, fmt_int
from portfolio.queries.grant import GrantView
from portfolio.services import cost_plan, grant_notices, proofs, refunds
from portfolio.services.fields import FieldSpec
from portfolio.ui.components.forms import entity_form, loaded_version, run_save
from portfolio.ui.components.grant_years import years_tab
from portfolio.ui.components.record_actions import actions, editable, editor
from portfolio.ui.components.record_table import record_table
from portfolio.ui.components.safe_text import md
from portfolio.ui.components.texts import option_labels
from portfolio.ui.components.widgets import frame, table
from portfolio.ui.runtime import Catalogue, lang
from portfolio.vocab import field_label, label, labels

TEXTS = {
    "de": {
        "none": "Dieses Projekt hat noch keine Zuwendung (einen bewilligten Antrag).",
        "which": "Zuwendung",
        "approved": "Bewilligt (Bescheid in Kraft)",
        "net_paid": "Ausgezahlt abzüglich Rückzahlungen",
        "refunds_open": "Rückforderungen offen",
        "interest": "Zinsen",
        "claims": "Forderungen",
        "deadline": "Verwendungsnachweis fällig",
        "tab_notices": "Bescheide",
        "tab_costs": "Kostenplan",
        "tab_years": "Jahresscheiben",
        "tab_proofs": "Nachweise",
        "tab_refunds": "Rückforderungen",
        "no_notices": "Noch kein Bescheid eingetragen.",
        "record_notice": "Bescheid eintragen (Änderung, Widerruf, Verzicht)",
        "record_award": "Zuwendungsbescheid eintragen",
        "notice_hint": "Ein Bescheid wird nie geändert: der jüngste gilt. Beim Widerruf und beim Verzicht steht im Betrag, was von der Zuwendung bleibt (0 bei vollem Widerruf); was darüber schon ausgezahlt ist, wird als Rückforderung eingetragen, verzinst ab „Zinsen ab“ (leer: ab dem Bescheid; bei rückwirkendem Widerruf die Auszahlung).",
        "record": "Eintragen",
        "no_costs": "Noch kein Kostenplan.",
        "add_cost": "Kostenposition hinzufügen",
        "deviation": "Abweichung Ist/bewilligt",
        "total": "Summe",
        "no_proofs": "Keine Nachweise fällig.",
        "no_refunds": "Keine Rückforderungen.",
        "add_refund": "Rückforderung oder Zinsforderung eintragen",
    },
    "en": {
        "none": "This project has no grant yet (an approved application).",
        "which": "Grant",
        "approved": "Approved (notice in force)",
        "net_paid": "Paid out less repayments",
        "refunds_open": "Refunds open",
        "interest": "Interest",
        "claims": "Claims",
        "deadline": "Proof of use due",
        "tab_notices": "Notices",
        "tab_costs": "Cost plan",
        "tab_years": "Budget years",
        "tab_proofs": "Proofs",
        "tab_refunds": "Refunds",
        "no_notices": "No notice recorded yet.",
        "record_notice": "Record a notice (amendment, revocation, renunciation)",
        "record_award": "Record the award",
        "notice_hint": "A notice is never edited: the latest one holds. For a revocation or a renunciation the amount is what remains of the grant (0 when revoked in whole); money paid above it is claimed back as a refund, with interest from “Interest from” (empty: from the notice; for a revocation with retroactive effect, the payout).",
        "record": "Record",
        "no_costs": "No cost plan yet.",
        "add_cost": "Add a cost item",
        "deviation": "Actual against approved",
        "total": "Total",
        "no_proofs": "No proofs due.",
        "no_refunds": "No refunds.",
        "add_refund": "Record a refund or an interest claim",
    },
}
NOTICE_FORM_FIELDS = (
    "kind",
    "dated_on",
    "amount_approved",
    "period_start",
    "period_end",
    "reason",
    "reference_number",
    "interest_from",
)
LATER_KINDS = (NoticeKind.AMENDMENT, NoticeKind.REVOCATION, NoticeKind.RENUNCIATION)
NOTICE_COLUMNS = {
    "kind": "kind",
    "dated_on": "dated_on",
    "amount": "amount_approved",
    "start": "period_start",
    "end": "period_end",
    "reason": "reason",
    "reference": "reference_number",
}
PROOF_COLUMNS = {
    "kind": "kind",
    "year": "budget_year",
    "due": "due_on",
    "state": "state",
    "submitted": "submitted_on",
    "checked": "checked_on",
    "recovery": "recovery_amount",
}
REFUND_COLUMNS = {
    "key": "key",
    "kind": "kind",
    "claimed_on": "claimed_on",
    "amount": "amount",
    "interest_from": "interest_from",
    "repaid_on": "repaid_on",
    "interest": "interest",
    "reason": "reason",
}
REFUND_FORM_FIELDS = [
    "kind",
    "claimed_on",
    "amount",
    "interest_from",
    "interest_to",
    "repaid_on",
    "reason",
]


tx = Catalogue(TEXTS)


def _title(g: GrantView) -> str:
    values = g.application.values
    return f"{values['key']} · {g.programme} · {label(ApplicationStatus, values['status'], lang())}"


def grant_section(grants: Sequence[GrantView], project_key: str) -> None:
    if not grants:
        st.info(tx("none"))
        return
    by_id = {g.application.id: g for g in grants}
    chosen = st.selectbox(
        tx("which"),
        list(by_id),
        format_func=option_labels({i: _title(g) for i, g in by_id.items()}),
        key=f"grant:{project_key}:pick",
    )
    g = by_id.get(chosen) if chosen is not None else None
    if g is None:
        return
    key_figures(g)
    tabs = st.tabs(
        [tx("tab_notices"), tx("tab_costs"), tx("tab_years"), tx("tab_proofs"), tx("tab_refunds")]
    )
    with tabs[0]:
        notices_tab(g)
    with tabs[1]:
        costs_tab(g)
    with tabs[2]:
        years_tab(g)
    with tabs[3]:
        proofs_tab(g)
    with tabs[4]:
        refunds_tab(g)


def _deadline(g: GrantView) -> Any:
    """The proof-of-use deadline, unless the grant ended with nothing left to account for."""
    values = g.application.values
    if values["status"] in ENDED_GRANT_STATUSES and not values["amount_approved"]:
        return None
    return values["proof_of_use_due"]


def key_figures(g: GrantView) -> None:
    language = lang()
    values = g.application.values
    tiles = [
        (tx("approved"), fmt_eur(values["amount_approved"], language)),
        (tx("net_paid"), fmt_eur(g.net_paid, language)),
        (tx("refunds_open"), fmt_eur(g.refunds_open, language)),
        (tx("deadline"), fmt_date(_deadline(g), language)),
    ]
    columns = [*st.columns(2), *st.columns(2)]
    for column, (name, value) in zip(columns, tiles, strict=True):
        column.metric(name, value, border=True)


# ---- Bescheide ----------------------------------------------------------------------------------


def notices_tab(g: GrantView) -> None:
    language = lang()
    if g.notices:
        record_table(
            g.notices,
            NOTICE_COLUMNS,
            cells={"kind": lambda n: label(NoticeKind, n.values["kind"], language)},
            texts=["reason", "reference"],
            money=["amount"],
            dates=["dated_on", "start", "end"],
        )
    else:
        st.caption(tx("no_notices"))
    if not editable():
        return
    kinds = notice_kinds(g)
    if not kinds:
        return
    with st.expander(
        tx("record_award" if kinds == [NoticeKind.AWARD.value] else "record_notice"),
        icon=":material/gavel:",
    ):
        st.caption(tx("notice_hint"))
        notice_form(g, kinds)


def notice_kinds(g: GrantView) -> list[str]:
    """The kinds of notice that may be recorded next: the award on a grant without one, later
    the amendment, revocation or renunciation (a closed grant: only its revocation)."""
    status = g.application.values["status"]
    if not g.notices and status in (ApplicationStatus.SUBMITTED, *AMENDABLE_GRANT_STATUSES):
        return [NoticeKind.AWARD.value]
    if status == ApplicationStatus.CLOSED:
        return [NoticeKind.REVOCATION.value]
    if status in AMENDABLE_GRANT_STATUSES:
        return [k.value for k in LATER_KINDS]
    return []


def notice_form(g: GrantView, kinds: list[str]) -> None:
    """The next notice, starting at the grant's amount and period."""
    specs: dict[str, FieldSpec] = {**grant_notices.FIELDS, **grant_notices.EXTRA_FIELDS}
    # Offered as a choice of the kinds that may follow (an enum field would offer them all,
    # the award included, on a grant that has its award already).
    specs["kind"] = FieldSpec("ref", required=True)
    kind_labels = labels(NoticeKind, lang())
    form_key = f"notice:{g.application.id}"
    version = loaded_version(form_key, g.application.version, "kind")
    values = g.application.values
    form = entity_form(
        form_key,
        specs,
        {
            "kind": kinds[0],
            "amount_approved": values["amount_approved"],
            "period_start": values["period_start"],
            "period_end": values["period_end"],
        },
        fields=[f for f in NOTICE_FORM_FIELDS if f in specs],
        refs={"kind": [(k, kind_labels[k]) for k in kinds]},
        submit_label=tx("record"),
    )
    if form.submitted:
        data_ = dict(form.data)
        app_id = g.application.id
        run_save(
            form,
            lambda s: grant_notices.record(s, app_id, data_, expected_version=version),
        )


# ---- Kostenplan ---------------------------------------------------------------------------------


def costs_tab(g: GrantView) -> None:
    language = lang()
    items = g.cost_items
    if items:
        costs_table(items)
    else:
        st.caption(tx("no_costs"))
    for w in g.cost_warnings:
        st.warning(md(w.message(language)), icon=":material/warning:")
    app_id = g.application.id
    editor(
        f"cost:{app_id}",
        items,
        cost_plan.FIELDS,
        fields=["cost_type", "label", "requested", "approved", "actual"],
        title_of=lambda r: f"{r.values['key']} · {r.values['label']}",
        defaults={"cost_type": CostType.PERSONNEL.value},
        new_label=tx("add_cost"),
        **actions(
            create=cost_plan.create,
            parent={"application_id": app_id},
            update=cost_plan.update,
            remove=cost_plan.delete,
        ),
    )


def costs_table(items: Sequence[Any]) -> None:
    """The cost items against their actuals, and the total."""
    language = lang()
    rows: list[dict[str, Any]] = [
        {
            "type": label(CostType, c.values["cost_type"], language),
            "label": c.values["label"],
            "requested": c.values["requested"],
            "approved": c.values["approved"],
            "actual": c.values["actual"],
            "deviation": _deviation(c.values["actual"], c.values["approved"]),
        }
        for c in items
    ]
    total = cost_plan.totals_of(items_of(items))
    # No actual spending booked yet is no saving of 100 %: the total's actual stays empty.
    spent = any(c.values["actual"] is not None for c in items)
    rows.append(
        {
            "type": tx("total"),
            "label": "",
            "requested": total.requested,
            "approved": total.approved,
            "actual": total.actual if spent else None,
            "deviation": _deviation(total.actual, total.approved) if spent else None,
        }
    )
    col = st.column_config
    table(
        frame(rows, ["type", "label", "requested", "approved", "actual", "deviation"]),
        money=["requested", "approved", "actual"],
        percents=["deviation"],
        column_config={
            "type": col.Column(field_label("cost_type", language)),
            **{
                name: col.Column(field_label(name, language))
                for name in ("label", "requested", "approved", "actual")
            },
            "deviation": col.Column(tx("deviation")),
        },
    )


def _deviation(actual: Any, approved: Any) -> Any:
    """How far the actual is off the approved amount, in per cent (none without both)."""
    return (actual - approved) * 100 / approved if approved and actual is not None else None


def items_of(rows: Sequence[Any]) -> list[Any]:
    """The cost items of ``rows`` as the cost plan's totals read them (their values)."""
    return [r.values for r in rows]


# ---- Nachweise ----------------------------------------------------------------------------------


def proofs_tab(g: GrantView) -> None:
    language = lang()
    if not g.proofs:
        st.caption(tx("no_proofs"))
        return
    record_table(
        g.proofs,
        PROOF_COLUMNS,
        cells={
            "kind": lambda p: label(ProofKind, p.values["kind"], language),
            "year": lambda p: str(p.values["budget_year"]) if p.values["budget_year"] else "",
            "state": lambda p: label(ProofState, p.values["state"], language),
        },
        money=["recovery"],
        dates=["due", "submitted", "checked"],
    )

    def title_of(p: Any) -> str:
        year = f" {p.values['budget_year']}" if p.values["budget_year"] else ""
        return (
            f"{label(ProofKind, p.values['kind'], language)}{year} · "
            f"{fmt_date(p.values['due_on'], language)}"
        )

    editor(
        f"proof:{g.application.id}",
        g.proofs,
        proofs.FIELDS,
        fields=list(proofs.EDITABLE),  # what the service updates
        title_of=title_of,
        **actions(update=proofs.update),
    )


# ---- Rückforderungen ----------------------------------------------------------------------------


def refunds_tab(g: GrantView) -> None:
    language = lang()
    if g.refunds:
        record_table(
            g.refunds,
            REFUND_COLUMNS,
            cells={
                "kind": lambda r: label(RefundKind, r.values["kind"], language),
                "interest": lambda r: r.extra["interest"],
            },
            texts=["reason"],
            money=["amount", "interest"],
            dates=["claimed_on", "interest_from", "repaid_on"],
        )
        st.caption(
            f"{tx('interest')}: {fmt_eur(g.interest, language)} · "
            f"{tx('claims')}: {fmt_int(len(g.refunds), language)}"
        )
    else:
        st.caption(tx("no_refunds"))
    app_id = g.application.id
    editor(
        f"refund:{app_id}",
        g.refunds,
        refunds.FIELDS,
        fields=REFUND_FORM_FIELDS,
        title_of=lambda r: (
            f"{r.values['key']} · {fmt_eur(r.values['amount'], language)}"
            f" · {fmt_date(r.values['claimed_on'], language)}"
        ),
        defaults={"kind": RefundKind.REFUND.value},
        new_label=tx("add_refund"),
        **actions(
            create=refunds.create,
            parent={"application_id": app_id},
            update=refunds.update,
            remove=refunds.delete,
        ),
    )
