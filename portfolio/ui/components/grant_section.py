"""The project page's "Zuwendungen": a grant's notices (and a form to record the next one), its
cost plan against the actuals, its budget years, the proofs it owes and the refunds claimed.

Every change goes through the services (grant_notices, cost_plan, budget_years, proofs,
refunds), which check the funding law; this module only shows and collects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
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
from portfolio.errors import ValidationFailed
from portfolio.i18n import fmt_date, fmt_eur, fmt_int, fmt_number
from portfolio.policy import Action
from portfolio.queries.grant import GrantView
from portfolio.services import budget_years, cost_plan, grant_notices, proofs, refunds
from portfolio.services.fields import FieldSpec
from portfolio.ui.components.editor import record_editor
from portfolio.ui.components.forms import (
    FormResult,
    entity_form,
    loaded_version,
    parse_number,
    run_save,
)
from portfolio.ui.components.safe_text import md
from portfolio.ui.components.texts import option_labels
from portfolio.ui.components.widgets import frame, table
from portfolio.ui.runtime import lang, may, tr
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
        "no_years": "Noch keine Jahresscheiben.",
        "plan_years": "Jahresscheiben ändern",
        "plan_hint": "Die Zuwendungen der Jahre ergeben zusammen den bewilligten Betrag ({approved}), die Eigenanteile den Eigenanteil ({own}). Eine Zeile je Haushaltsjahr des Förderzeitraums.",
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
        "no_years": "No budget years yet.",
        "plan_years": "Change the budget years",
        "plan_hint": "The years' grant amounts add up to the approved amount ({approved}), their own shares to the own share ({own}). One row per budget year of the funding period.",
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


def editable() -> bool:
    """Whether the forms show: for those who may change the portfolio (the services refuse the
    others anyway; leadership reads every grant but changes none)."""
    return may(Action.EDIT_PORTFOLIO)


def tx(key: str, /, **params: object) -> str:
    return tr(TEXTS, key, **params)


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
        df = frame(
            [
                {
                    "kind": label(NoticeKind, n.values["kind"], language),
                    "dated_on": n.values["dated_on"],
                    "amount": n.values["amount_approved"],
                    "start": n.values["period_start"],
                    "end": n.values["period_end"],
                    "reason": n.values.get("reason") or "",
                    "reference": n.values.get("reference_number") or "",
                }
                for n in g.notices
            ],
            ["kind", "dated_on", "amount", "start", "end", "reason", "reference"],
        )
        col = st.column_config
        table(
            df,
            money=["amount"],
            dates=["dated_on", "start", "end"],
            column_config={
                "kind": col.Column(field_label("kind", language)),
                "dated_on": col.Column(field_label("dated_on", language)),
                "amount": col.Column(field_label("amount_approved", language)),
                "start": col.Column(field_label("period_start", language)),
                "end": col.Column(field_label("period_end", language)),
                "reason": col.Column(field_label("reason", language)),
                "reference": col.Column(field_label("reference_number", language)),
            },
        )
    else:
        st.caption(tx("no_notices"))
    if not editable():
        return
    status = g.application.values["status"]
    kinds: list[str]
    if not g.notices and status in (ApplicationStatus.SUBMITTED, *AMENDABLE_GRANT_STATUSES):
        kinds = [NoticeKind.AWARD.value]
    elif status in AMENDABLE_GRANT_STATUSES or status == ApplicationStatus.CLOSED:
        kinds = [k.value for k in LATER_KINDS]
        if status == ApplicationStatus.CLOSED:
            kinds = [NoticeKind.REVOCATION.value]
    else:
        return
    with st.expander(
        tx("record_award" if kinds == [NoticeKind.AWARD.value] else "record_notice"),
        icon=":material/gavel:",
    ):
        st.caption(tx("notice_hint"))
        specs: dict[str, FieldSpec] = {**grant_notices.FIELDS, **grant_notices.EXTRA_FIELDS}
        # Offered as a choice of the kinds that may follow (an enum field would offer them all,
        # the award included, on a grant that has its award already).
        specs["kind"] = FieldSpec("ref", required=True)
        kind_labels = labels(NoticeKind, language)
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
        rows: list[dict[str, Any]] = []
        for c in items:
            approved, actual = c.values["approved"], c.values["actual"]
            rows.append(
                {
                    "type": label(CostType, c.values["cost_type"], language),
                    "label": c.values["label"],
                    "requested": c.values["requested"],
                    "approved": approved,
                    "actual": actual,
                    "deviation": (actual - approved) * 100 / approved
                    if approved and actual is not None
                    else None,
                }
            )
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
                "deviation": (total.actual - total.approved) * 100 / total.approved
                if total.approved and spent
                else None,
            }
        )
        df = frame(rows, ["type", "label", "requested", "approved", "actual", "deviation"])
        col = st.column_config
        table(
            df,
            money=["requested", "approved", "actual"],
            percents=["deviation"],
            column_config={
                "type": col.Column(field_label("cost_type", language)),
                "label": col.Column(field_label("label", language)),
                "requested": col.Column(field_label("requested", language)),
                "approved": col.Column(field_label("approved", language)),
                "actual": col.Column(field_label("actual", language)),
                "deviation": col.Column(tx("deviation")),
            },
        )
    else:
        st.caption(tx("no_costs"))
    for w in g.cost_warnings:
        st.warning(md(w.message(language)), icon=":material/warning:")
    if not editable():
        return
    app_id = g.application.id
    record_editor(
        f"cost:{app_id}",
        items,
        cost_plan.FIELDS,
        fields=["cost_type", "label", "requested", "approved", "actual"],
        title_of=lambda r: f"{r.values['key']} · {r.values['label']}",
        create=lambda s, data_: cost_plan.create(s, {**data_, "application_id": app_id}),
        defaults={"cost_type": CostType.PERSONNEL.value},
        update=lambda s, id_, changes, v: cost_plan.update(s, id_, changes, expected_version=v),
        remove=lambda s, id_, v: cost_plan.delete(s, id_, expected_version=v),
        new_label=tx("add_cost"),
    )


def items_of(rows: Sequence[Any]) -> list[Any]:
    """The cost items of ``rows`` as the cost plan's totals read them (their values)."""
    return [r.values for r in rows]


# ---- Jahresscheiben -----------------------------------------------------------------------------


def years_tab(g: GrantView) -> None:
    language = lang()
    values = g.application.values
    if g.budget_years:
        df = frame(
            [
                {
                    "year": str(b.values["year"]),
                    "grant": b.values["grant_amount"],
                    "own": b.values["own_amount"],
                }
                for b in g.budget_years
            ],
            ["year", "grant", "own"],
        )
        col = st.column_config
        table(
            df,
            money=["grant", "own"],
            column_config={
                "year": col.Column(field_label("year", language)),
                "grant": col.Column(field_label("grant_amount", language)),
                "own": col.Column(field_label("own_amount", language)),
            },
        )
    else:
        st.caption(tx("no_years"))
    for w in g.budget_warnings:
        st.warning(md(w.message(language)), icon=":material/warning:")
    if values["amount_approved"] is None or values["status"] not in AMENDABLE_GRANT_STATUSES:
        return
    if not editable():
        return
    with st.expander(tx("plan_years"), icon=":material/calendar_month:"):
        st.caption(
            tx(
                "plan_hint",
                approved=fmt_eur(values["amount_approved"], language),
                own=fmt_eur(values["own_share"], language),
            )
        )
        form_key = f"years:{g.application.id}"
        version = loaded_version(form_key, g.application.version, "rows")
        start = [
            {
                "year": int(b.values["year"]),
                # as users type numbers (and _year_rows reads them): "1.234,56" in German
                "grant": _amount_text(b.values["grant_amount"], language),
                "own": _amount_text(b.values["own_amount"], language),
            }
            for b in g.budget_years
        ]
        with st.form(form_key, border=True):
            general = st.empty()
            edited = st.data_editor(
                frame(start, ["year", "grant", "own"]),
                num_rows="dynamic",
                hide_index=True,
                key=f"{form_key}:rows",
                column_config={
                    "year": st.column_config.NumberColumn(
                        field_label("year", language), min_value=1990, max_value=2100, step=1
                    ),
                    "grant": st.column_config.TextColumn(field_label("grant_amount", language)),
                    "own": st.column_config.TextColumn(field_label("own_amount", language)),
                },
            )
            submitted = st.form_submit_button(tx("record"), type="primary")
        if submitted:
            result = FormResult(form_key, submitted=True, general=general)
            try:
                rows = _year_rows(edited.to_dict("records"), language)
            except ValidationFailed as exc:
                general.error(md("\n".join(p.message(language) for p in exc.problems)))
                return
            app_id = g.application.id
            run_save(
                result,
                lambda s: budget_years.plan(s, app_id, rows, expected_version=version),
            )


def _amount_text(value: Any, language: str) -> str:
    """An amount as the editor shows it for editing, in the reader's number format (a plain
    ``str(Decimal)`` such as "159557.34" is no number in German: the dot groups thousands)."""
    if value is None:
        return ""
    return fmt_number(Decimal(str(value)), language, digits=2)


def _year_rows(records: Sequence[Mapping[Any, Any]], language: str) -> list[dict[str, Any]]:
    from portfolio.errors import Problem

    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for record in records:
        year = record.get("year")
        if year is None or str(year) in ("", "nan"):
            continue
        row: dict[str, Any] = {"year": int(year)}
        for name, column in (("grant_amount", "grant"), ("own_amount", "own")):
            text = str(record.get(column) or "").strip()
            if text in ("", "nan", "None"):
                row[name] = None
                continue
            try:
                row[name] = parse_number(text, language)
            except ValueError:
                problems.append(Problem(name, "not_a_number", {"value": text}))
        rows.append(row)
    if problems:
        raise ValidationFailed(problems)
    return rows


# ---- Nachweise ----------------------------------------------------------------------------------


def proofs_tab(g: GrantView) -> None:
    language = lang()
    if not g.proofs:
        st.caption(tx("no_proofs"))
        return
    df = frame(
        [
            {
                "kind": label(ProofKind, p.values["kind"], language),
                "year": str(p.values["budget_year"]) if p.values["budget_year"] else "",
                "due": p.values["due_on"],
                "state": label(ProofState, p.values["state"], language),
                "submitted": p.values["submitted_on"],
                "checked": p.values["checked_on"],
                "recovery": p.values["recovery_amount"],
            }
            for p in g.proofs
        ],
        ["kind", "year", "due", "state", "submitted", "checked", "recovery"],
    )
    col = st.column_config
    table(
        df,
        money=["recovery"],
        dates=["due", "submitted", "checked"],
        column_config={
            "kind": col.Column(field_label("kind", language)),
            "year": col.Column(field_label("budget_year", language)),
            "due": col.Column(field_label("due_on", language)),
            "state": col.Column(field_label("state", language)),
            "submitted": col.Column(field_label("submitted_on", language)),
            "checked": col.Column(field_label("checked_on", language)),
            "recovery": col.Column(field_label("recovery_amount", language)),
        },
    )

    def title_of(p: Any) -> str:
        year = f" {p.values['budget_year']}" if p.values["budget_year"] else ""
        return (
            f"{label(ProofKind, p.values['kind'], language)}{year} · "
            f"{fmt_date(p.values['due_on'], language)}"
        )

    if not editable():
        return
    record_editor(
        f"proof:{g.application.id}",
        g.proofs,
        proofs.FIELDS,
        fields=[
            "state",
            "submitted_on",
            "check_started_on",
            "checked_on",
            "recovery_amount",
            "note",
        ],
        title_of=title_of,
        update=lambda s, id_, changes, v: proofs.update(s, id_, changes, expected_version=v),
    )


# ---- Rückforderungen ----------------------------------------------------------------------------


def refunds_tab(g: GrantView) -> None:
    language = lang()
    if g.refunds:
        df = frame(
            [
                {
                    "key": r.values["key"],
                    "kind": label(RefundKind, r.values["kind"], language),
                    "claimed_on": r.values["claimed_on"],
                    "amount": r.values["amount"],
                    "interest_from": r.values["interest_from"],
                    "repaid_on": r.values["repaid_on"],
                    "interest": r.extra["interest"],
                    "reason": r.values.get("reason") or "",
                }
                for r in g.refunds
            ],
            [
                "key",
                "kind",
                "claimed_on",
                "amount",
                "interest_from",
                "repaid_on",
                "interest",
                "reason",
            ],
        )
        col = st.column_config
        table(
            df,
            money=["amount", "interest"],
            dates=["claimed_on", "interest_from", "repaid_on"],
            column_config={
                "key": col.Column(field_label("key", language)),
                "kind": col.Column(field_label("kind", language)),
                "claimed_on": col.Column(field_label("claimed_on", language)),
                "amount": col.Column(field_label("amount", language)),
                "interest_from": col.Column(field_label("interest_from", language)),
                "repaid_on": col.Column(field_label("repaid_on", language)),
                "interest": col.Column(field_label("interest", language)),
                "reason": col.Column(field_label("reason", language)),
            },
        )
        st.caption(
            f"{tx('interest')}: {fmt_eur(g.interest, language)} · "
            f"{tx('claims')}: {fmt_int(len(g.refunds), language)}"
        )
    else:
        st.caption(tx("no_refunds"))
    if not editable():
        return
    app_id = g.application.id
    fields = [
        "kind",
        "claimed_on",
        "amount",
        "interest_from",
        "interest_to",
        "repaid_on",
        "reason",
    ]
    record_editor(
        f"refund:{app_id}",
        g.refunds,
        refunds.FIELDS,
        fields=fields,
        title_of=lambda r: (
            f"{r.values['key']} · {fmt_eur(r.values['amount'], language)}"
            f" · {fmt_date(r.values['claimed_on'], language)}"
        ),
        create=lambda s, data_: refunds.create(s, {**data_, "application_id": app_id}),
        defaults={"kind": RefundKind.REFUND.value},
        update=lambda s, id_, changes, v: refunds.update(s, id_, changes, expected_version=v),
        remove=lambda s, id_, v: refunds.delete(s, id_, expected_version=v),
        new_label=tx("add_refund"),
    )
