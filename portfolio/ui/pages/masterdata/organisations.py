"""Stammdaten, Organisationen: the partner organisations, their use, and their forms."""

from __future__ import annotations

import streamlit as st

from db.enums import OrganisationKind
from portfolio.i18n import fmt_int
from portfolio.queries.detail import Row
from portfolio.services import organisations as service
from portfolio.ui import data
from portfolio.ui.components.widgets import frame, table
from portfolio.ui.navigation import page
from portfolio.ui.pages.masterdata.entries import (
    Entries,
    entries_section,
    state,
    table_height,
)
from portfolio.ui.pages.masterdata.reads import organisation_rows
from portfolio.ui.pages.masterdata.texts import tx
from portfolio.ui.runtime import lang
from portfolio.vocab import field_label, label

COLUMNS = [
    "short_name",
    "key",
    "name",
    "kind",
    "projects",
    "lead_projects",
    "contact_role",
    "contact_email",
    "address",
    "status",
]


def organisations_section(stamp: data.Stamp) -> None:
    entries_section(ORGANISATIONS, stamp)


def organisations_table(rows: list[Row], archived: bool) -> None:
    language = lang()
    df = frame(
        [
            {
                "key": r.values["key"],
                "short_name": r.values["short_name"],
                "name": r.values["name"],
                "kind": label(OrganisationKind, r.values["kind"], language),
                "contact_role": r.values["contact_role"] or "",
                "contact_email": r.values["contact_email"] or "",
                "address": r.values["address"] or "",
                "projects": r.extra["projects"],
                "lead_projects": r.extra["lead_projects"],
                "status": state(r),
            }
            for r in rows
        ],
        COLUMNS,
    )
    col = st.column_config
    config = {
        name: col.Column(field_label(name, language))
        for name in ("key", "short_name", "kind", "contact_role", "address")
    }
    config["short_name"] = col.Column(field_label("short_name", language), pinned=True)
    config["name"] = col.Column(field_label("name", language), width="medium")
    config["contact_email"] = col.LinkColumn(
        field_label("contact_email", language), display_text=r"mailto:(.*)"
    )
    df["contact_email"] = [f"mailto:{e}" if e else None for e in df["contact_email"]]
    config["projects"] = col.Column(tx("projects"))
    config["lead_projects"] = col.Column(tx("lead_projects"))
    config["status"] = col.Column(tx("status"))
    if not archived:
        df = df.drop(columns=["status"])
    table(
        df,
        ints=["projects", "lead_projects"],
        column_config=config,
        key="md_org_table",
        height=table_height(len(df)),
    )


def organisation_usage(row: Row) -> None:
    """In how many active projects it takes part and leads; links to its partner page and
    its projects in the register."""
    language = lang()
    st.caption(
        tx(
            "usage_org",
            projects=fmt_int(row.extra["projects"], language),
            lead=fmt_int(row.extra["lead_projects"], language),
        )
    )
    links = st.columns(2)
    links[0].page_link(
        page("partners"),
        label=tx("to_partner"),
        query_params={"partner": row.values["key"]},
        icon=":material/handshake:",
    )
    links[1].page_link(
        page("register"),
        label=tx("to_register_partner"),
        query_params={"partner": row.values["key"]},
        icon=":material/table_rows:",
    )


ORGANISATIONS = Entries(
    service=service,
    prefix="md_org",
    name_field="short_name",
    code_field="short_name",
    in_use="projects",
    defaults={"kind": OrganisationKind.COMPANY.value},
    new_text="new_org",
    choose_text="choose_org",
    read=organisation_rows,
    table=organisations_table,
    usage=organisation_usage,
)
