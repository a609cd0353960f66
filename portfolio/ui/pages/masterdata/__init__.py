"""Stammdaten: partner organisations and funding programmes (list, create, edit, archive,
restore), Leitthemen and Handlungsfelder as a reference list.

One module per section (:mod:`.organisations`, :mod:`.programmes`, :mod:`.themes`); what the
two editable ones share is in :mod:`.entries`, the page's words in :mod:`.texts`, its cached
reads in :mod:`.reads`.
"""

from __future__ import annotations

import streamlit as st

from portfolio.ui import data
from portfolio.ui.components.forms import flash
from portfolio.ui.components.texts import option_labels
from portfolio.ui.components.urlstate import Param, publish, restore
from portfolio.ui.components.widgets import page_header
from portfolio.ui.pages.masterdata.organisations import organisations_section
from portfolio.ui.pages.masterdata.programmes import programmes_section
from portfolio.ui.pages.masterdata.reads import organisation_rows, programme_rows, theme_lines
from portfolio.ui.pages.masterdata.texts import TEXTS, tx
from portfolio.ui.pages.masterdata.themes import themes_section

# The cached reads are named here too: tests/ui/test_pages_per_role.py finds a page's caches
# among its names.
__all__ = [
    "SECTIONS",
    "TEXTS",
    "organisation_rows",
    "organisations_section",
    "programme_rows",
    "programmes_section",
    "render",
    "theme_lines",
    "themes_section",
    "tx",
]

SECTIONS = ("organisationen", "programme", "themen")  # codes, also in the URL (?bereich=…)


def render() -> None:
    flash()
    stamp = data.stamp()
    page_header(tx("title"), tx("caption"))
    url = [
        Param("bereich", "md_section", default=SECTIONS[0], allowed=set(SECTIONS)),
        Param("archiv", "md_archived", "bool", default=False),
        Param("eintrag", "md_pick"),
    ]
    restore(url)
    if st.session_state.get("md_section") not in SECTIONS:
        # back from another page (widget state is gone): the section the user last worked in
        remembered = st.session_state.get("md_last_section")
        st.session_state["md_section"] = remembered if remembered in SECTIONS else SECTIONS[0]
    section = st.segmented_control(
        tx("title"),
        list(SECTIONS),
        format_func=option_labels({s: tx(f"sec_{s}") for s in SECTIONS}),
        key="md_section",
        required=True,
        label_visibility="collapsed",
        on_change=_forget_pick,
    )
    chosen = section or SECTIONS[0]
    st.session_state["md_last_section"] = chosen
    if chosen == "organisationen":
        organisations_section(stamp)
    elif chosen == "programme":
        programmes_section(stamp)
    else:
        themes_section(stamp)
    publish(url)


def _forget_pick() -> None:
    st.session_state.pop("md_pick", None)
