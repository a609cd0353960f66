"""The project page's entry: the project chosen (or a new one), its header and the section
shown, one module each."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from portfolio.policy import AccessDenied, Action
from portfolio.queries import detail as detail_q
from portfolio.queries import quality as quality_q
from portfolio.ui import data
from portfolio.ui.components.forms import flash
from portfolio.ui.components.record_actions import editable
from portfolio.ui.components.texts import option_labels
from portfolio.ui.components.urlstate import Param, publish, restore
from portfolio.ui.pages.project.choosing import chooser, new_project
from portfolio.ui.pages.project.funding import funding_section
from portfolio.ui.pages.project.grants import grants_section
from portfolio.ui.pages.project.header import factsheet_download, header
from portfolio.ui.pages.project.journal import journal_section
from portfolio.ui.pages.project.kpis import kpis_section
from portfolio.ui.pages.project.master_data import master_data
from portfolio.ui.pages.project.milestones import milestones_section
from portfolio.ui.pages.project.partners import partners_section
from portfolio.ui.pages.project.reports import reports_section
from portfolio.ui.pages.project.texts import tx
from portfolio.ui.runtime import may, read_session, show_error

SECTIONS = (
    "stammdaten",
    "partner",
    "foerderung",
    "zuwendung",
    "meilensteine",
    "status",
    "kpis",
    "journal",
)
Section = Callable[[detail_q.ProjectDetail, detail_q.Choices], None]
SHOW: dict[str, Section] = {
    "stammdaten": master_data,
    "partner": partners_section,
    "foerderung": funding_section,
    "zuwendung": grants_section,
    "meilensteine": milestones_section,
    "status": reports_section,
    "kpis": kpis_section,
    "journal": journal_section,
}


def shown_sections() -> tuple[str, ...]:
    """The sections the user may read (the journal needs the right to read the history)."""
    return tuple(s for s in SECTIONS if s != "journal" or may(Action.READ_JOURNAL))


def render() -> None:
    flash()
    stamp = data.stamp()
    sections = shown_sections()
    url = [
        Param("projekt", "prj_key"),
        Param("bereich", "prj_section", default="stammdaten", allowed=set(sections)),
    ]
    restore(url)
    if st.query_params.get("neu") == "1":
        if not editable():
            show_error(AccessDenied(Action.EDIT_PORTFOLIO))
            return
        new_project(stamp)
        return
    key = chooser(stamp)
    if not key:
        publish(url)
        return
    with read_session() as session:
        detail = detail_q.project_detail(session, key, today=stamp.today)
        problems = quality_q.problems_of(session, key, today=stamp.today)
    header(detail, problems)
    factsheet_download(key, stamp)
    section = section_choice(sections)
    publish(url)
    SHOW[section or "stammdaten"](detail, data.choices(stamp))


def section_choice(sections: tuple[str, ...]) -> str | None:
    """The segmented control of the sections (one the user may not read falls back to the
    first)."""
    if st.session_state.get("prj_section") not in sections:
        st.session_state["prj_section"] = "stammdaten"
    return st.segmented_control(
        tx("section"),
        list(sections),
        format_func=option_labels({s: tx(f"sec_{s}") for s in SECTIONS}),
        key="prj_section",
        required=True,
        label_visibility="collapsed",
    )
