"""Choosing the project (search, list, link to a new one) and creating a new project."""

from __future__ import annotations

from typing import Any

import streamlit as st

from db.enums import ProjectStatus
from portfolio.services import projects
from portfolio.ui import data
from portfolio.ui.components.forms import entity_form, run_save
from portfolio.ui.components.record_actions import editable
from portfolio.ui.navigation import page
from portfolio.ui.pages.project.shared import ref_options
from portfolio.ui.pages.project.texts import tx


def chooser(stamp: data.Stamp) -> str | None:
    current = st.session_state.get("prj_key") or None
    cols = st.columns([2, 3, 2], vertical_alignment="bottom")
    text = cols[0].text_input(tx("search"), key="prj_search", help=tx("search_help"))
    found = data.project_keys(stamp, text or "")
    titles = dict(found)
    options = [k for k, _ in found]
    if current and current not in titles:
        options.insert(0, current)
    chosen = cols[1].selectbox(
        tx("choose"),
        options,
        index=options.index(current) if current in options else None,
        format_func=lambda k: f"{k} · {titles[k]}" if k in titles else k,
        placeholder=tx("choose"),
    )
    if editable():
        cols[2].page_link(
            page("project"), label=tx("new"), query_params={"neu": "1"}, icon=":material/add:"
        )
    if chosen and chosen != current:
        st.session_state["prj_key"] = chosen
        current = chosen
    if not current:
        st.title(tx("title"))
        st.info(tx("choose_hint"))
        return None
    return str(current)


def new_project(stamp: data.Stamp) -> None:
    st.title(tx("new_title"))
    st.caption(tx("new_hint"))
    choices = data.choices(stamp)
    form = entity_form(
        "prj_new",
        projects.FIELDS,
        {"status": ProjectStatus.IDEA.value, "priority": "medium", "responsible_person": ""},
        fields=list(projects.FIELDS),
        refs=ref_options(choices),
        submit_label=tx("new"),
    )
    if form.submitted:
        created: dict[str, str] = {}

        def create(session: Any) -> Any:
            project = projects.create(session, form.data)
            created["key"] = project.key
            return project

        def go_to(_: Any) -> None:
            st.session_state["__flash"] = tx("created", key=created["key"])
            st.switch_page(page("project"), query_params={"projekt": created["key"]})

        run_save(form, create, on_success=go_to)
