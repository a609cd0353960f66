"""Stammdaten, Förderprogramme: the funding programmes with their rates, caps and phases, their
use, and their forms."""

from __future__ import annotations

from typing import Any

import streamlit as st

from db.enums import FundingLevel, ProofOfUseBasis
from portfolio.i18n import fmt_eur, fmt_int
from portfolio.queries import masterdata as md_q
from portfolio.queries.detail import Row
from portfolio.services import programmes as service
from portfolio.ui import data
from portfolio.ui.components.widgets import frame, table
from portfolio.ui.navigation import page
from portfolio.ui.pages.masterdata.entries import (
    Entries,
    entries_section,
    state,
    table_height,
)
from portfolio.ui.pages.masterdata.reads import programme_rows
from portfolio.ui.pages.masterdata.texts import tx
from portfolio.ui.runtime import lang
from portfolio.vocab import field_label, label

COLUMNS = [
    "key",
    "name",
    "level",
    "standard_rate",
    "raised_rate",
    "requires_own_share",
    "cap",
    "phases",
    "proof",
    "applications",
    "funder",
    "programme_number",
    "status",
]
LABELLED = ("key", "funder", "programme_number", "level", "standard_rate", "raised_rate", "cap")
"""Columns headed by their field's label alone."""


def programmes_section(stamp: data.Stamp) -> None:
    entries_section(PROGRAMMES, stamp)


def proof_text(values: dict[str, Any]) -> str:
    """When the proof of use is due ("6 Monate nach Projektende"), empty when not set."""
    months = values.get("proof_of_use_months")
    if months is None:
        return ""
    basis = values.get("proof_of_use_basis") or ProofOfUseBasis.END.value
    return tx(
        "proof_after",
        months=fmt_int(int(months), lang()),
        basis=label(ProofOfUseBasis, basis, lang()),
    )


def phases_text(phases: list[md_q.Phase]) -> str:
    """The phases in one cell: "P1: 500.000 €, P2"."""
    language = lang()
    return ", ".join(
        f"{p.key}: {fmt_eur(p.cap, language, cents=False)}" if p.cap is not None else p.key
        for p in phases
    )


def programmes_table(rows: list[Row], archived: bool) -> None:
    language = lang()
    df = frame(
        [
            {
                "key": r.values["key"],
                "name": r.values["name"],
                "funder": r.values["funder"],
                "programme_number": r.values["programme_number"] or "",
                "level": label(FundingLevel, r.values["level"], language),
                "standard_rate": r.values["standard_rate"],
                "raised_rate": r.values["raised_rate"],
                "requires_own_share": bool(r.values["requires_own_share"]),
                "cap": r.values["cap"],
                "proof": proof_text(r.values),
                "phases": phases_text(r.extra["phases"]),
                "applications": r.extra["applications"],
                "status": state(r),
            }
            for r in rows
        ],
        COLUMNS,
    )
    if not archived:
        df = df.drop(columns=["status"])
    table(
        df,
        money=["cap"],
        percents=["standard_rate", "raised_rate"],
        ints=["applications"],
        column_config=programme_columns(),
        key="md_prog_table",
        height=table_height(len(df)),
    )


def programme_columns() -> dict[str, Any]:
    language = lang()
    col = st.column_config
    config: dict[str, Any] = {name: col.Column(field_label(name, language)) for name in LABELLED}
    config["key"] = col.Column(field_label("key", language), pinned=True)
    config["name"] = col.Column(field_label("name", language), width="medium")
    config["requires_own_share"] = col.CheckboxColumn(field_label("requires_own_share", language))
    config["proof"] = col.Column(tx("proof_of_use"))
    config["phases"] = col.Column(tx("phases"))
    config["applications"] = col.Column(tx("applications"))
    config["status"] = col.Column(tx("status"))
    return config


def programme_usage(row: Row) -> None:
    """How many funding lines of active projects run under it; a link to them in the register."""
    st.caption(tx("usage_programme", count=fmt_int(row.extra["applications"], lang())))
    st.page_link(
        page("register"),
        label=tx("to_register_programme"),
        query_params={"programm": row.values["key"]},
        icon=":material/table_rows:",
    )


def phases_table(row: Row) -> None:
    """The programme's phases (set up with the programme, not edited here)."""
    phases: list[md_q.Phase] = row.extra["phases"]
    st.markdown(f"**{tx('phases')}**")
    if not phases:
        st.caption(tx("no_phases"))
        return
    df = frame(
        [
            {
                "key": p.key,
                "name": p.name,
                "cap": p.cap,
                "duration": p.duration_months,
                "proof": p.proof_of_use_months,
            }
            for p in phases
        ],
        ["key", "name", "cap", "duration", "proof"],
    )
    col = st.column_config
    table(
        df,
        money=["cap"],
        ints=["duration", "proof"],
        column_config={
            "key": col.Column(tx("phase_key")),
            "name": col.Column(tx("phase_name"), width="large"),
            "cap": col.Column(tx("phase_cap")),
            "duration": col.Column(tx("phase_duration")),
            "proof": col.Column(tx("phase_proof")),
        },
    )
    st.caption(tx("phases_hint"))


PROGRAMMES = Entries(
    service=service,
    prefix="md_prog",
    name_field="name",
    code_field="key",
    in_use="applications",
    defaults={
        "level": FundingLevel.FEDERAL.value,
        "requires_own_share": True,
        "proof_of_use_basis": ProofOfUseBasis.END.value,
    },
    new_text="new_programme",
    choose_text="choose_programme",
    read=programme_rows,
    table=programmes_table,
    usage=programme_usage,
    more=phases_table,
)
