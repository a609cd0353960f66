"""Stammdaten, Leitthemen & Handlungsfelder: the smart-city concept's themes and action fields
with their active projects, for reference (they change only with the concept)."""

from __future__ import annotations

import streamlit as st

from portfolio.queries.common import pick
from portfolio.ui import data
from portfolio.ui.components.safe_text import md
from portfolio.ui.components.widgets import frame, table
from portfolio.ui.navigation import page
from portfolio.ui.pages.masterdata.reads import theme_lines
from portfolio.ui.pages.masterdata.texts import tx
from portfolio.ui.runtime import lang


def themes_section(stamp: data.Stamp) -> None:
    language = lang()
    st.caption(tx("themes_hint"))
    for theme in theme_lines(stamp.db, stamp.stamp, stamp.access):
        with st.container(border=True):
            st.markdown(f"#### {md(theme.key)} · {md(pick(theme.name, theme.name_en, language))}")
            if theme.goal:
                st.markdown(f"*{tx('goal')}:* {md(theme.goal, lines=True)}")
            df = frame(
                [
                    {
                        "key": f.key,
                        "name": pick(f.name, f.name_en, language),
                        "projects": f.projects,
                    }
                    for f in theme.fields
                ],
                ["key", "name", "projects"],
            )
            col = st.column_config
            table(
                df,
                ints=["projects"],
                column_config={
                    "key": col.Column(tx("field_key")),
                    "name": col.Column(tx("field"), width="large"),
                    "projects": col.Column(tx("active_projects")),
                },
            )
            st.page_link(
                page("register"),
                label=tx("to_register_theme"),
                query_params={"thema": theme.key},
                icon=":material/table_rows:",
            )
