"""The budget years (Jahresscheiben) of a grant: what each budget year holds of the grant and of
the own share, the warnings about them, and a form to plan them anew (an editable table whose
amounts are typed as users type numbers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import streamlit as st

from db.enums import AMENDABLE_GRANT_STATUSES
from portfolio.errors import Problem, ValidationFailed
from portfolio.i18n import fmt_eur, fmt_number
from portfolio.policy import Action
from portfolio.queries.grant import GrantView
from portfolio.services import budget_years
from portfolio.ui.components.forms import FormResult, loaded_version, parse_number, run_save
from portfolio.ui.components.record_table import record_table
from portfolio.ui.components.safe_text import md
from portfolio.ui.components.widgets import frame
from portfolio.ui.runtime import Catalogue, lang, may
from portfolio.vocab import field_label

TEXTS = {
    "de": {
        "no_years": "Noch keine Jahresscheiben.",
        "plan_years": "Jahresscheiben ändern",
        "plan_hint": "Die Zuwendungen der Jahre ergeben zusammen den bewilligten Betrag ({approved}), die Eigenanteile den Eigenanteil ({own}). Eine Zeile je Haushaltsjahr des Förderzeitraums.",
        "record": "Eintragen",
    },
    "en": {
        "no_years": "No budget years yet.",
        "plan_years": "Change the budget years",
        "plan_hint": "The years' grant amounts add up to the approved amount ({approved}), their own shares to the own share ({own}). One row per budget year of the funding period.",
        "record": "Record",
    },
}
COLUMNS = {"year": "year", "grant": "grant_amount", "own": "own_amount"}


tx = Catalogue(TEXTS)


def years_tab(g: GrantView) -> None:
    language = lang()
    values = g.application.values
    if g.budget_years:
        record_table(
            g.budget_years,
            COLUMNS,
            cells={"year": lambda b: str(b.values["year"])},
            money=["grant", "own"],
        )
    else:
        st.caption(tx("no_years"))
    for w in g.budget_warnings:
        st.warning(md(w.message(language)), icon=":material/warning:")
    if values["amount_approved"] is None or values["status"] not in AMENDABLE_GRANT_STATUSES:
        return
    if not may(Action.EDIT_PORTFOLIO):  # leadership reads every grant but changes none
        return
    with st.expander(tx("plan_years"), icon=":material/calendar_month:"):
        st.caption(
            tx(
                "plan_hint",
                approved=fmt_eur(values["amount_approved"], language),
                own=fmt_eur(values["own_share"], language),
            )
        )
        plan_form(g)


def plan_form(g: GrantView) -> None:
    """The budget years as an editable table, planned anew in one save."""
    language = lang()
    form_key = f"years:{g.application.id}"
    version = loaded_version(form_key, g.application.version, "rows")
    start = [
        {
            "year": int(b.values["year"]),
            # as users type numbers (and year_rows reads them): "1.234,56" in German
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
    if not submitted:
        return
    result = FormResult(form_key, submitted=True, general=general)
    try:
        rows = year_rows(edited.to_dict("records"), language)
    except ValidationFailed as exc:
        general.error(md("\n".join(p.message(language) for p in exc.problems)))
        return
    app_id = g.application.id
    run_save(result, lambda s: budget_years.plan(s, app_id, rows, expected_version=version))


def _amount_text(value: Any, language: str) -> str:
    """An amount as the editor shows it for editing, in the reader's number format (a plain
    ``str(Decimal)`` such as "159557.34" is no number in German: the dot groups thousands)."""
    if value is None:
        return ""
    return fmt_number(Decimal(str(value)), language, digits=2)


def year_rows(records: Sequence[Mapping[Any, Any]], language: str) -> list[dict[str, Any]]:
    """The edited table's rows as the service plans them (rows without a year left out);
    raises ValidationFailed naming every amount that is no number."""
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
