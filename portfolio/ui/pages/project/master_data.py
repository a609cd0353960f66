"""Stammdaten: the project's fields (a form for those who may change them) and archiving or
restoring the project."""

from __future__ import annotations

import streamlit as st

from portfolio.queries import detail as detail_q
from portfolio.services import projects
from portfolio.ui.components.editor import facts
from portfolio.ui.components.forms import FormResult, entity_form, loaded_version, run_save
from portfolio.ui.components.record_actions import editable
from portfolio.ui.components.safe_text import md
from portfolio.ui.pages.project.shared import ref_options
from portfolio.ui.pages.project.texts import tx

PROJECT_FIELDS = [name for name in projects.FIELDS if name != "key"]


def master_data(d: detail_q.ProjectDetail, choices: detail_q.Choices) -> None:
    refs = ref_options(choices)
    names = {name: dict(options) for name, options in refs.items()}
    values = d.project.values
    if not editable():
        facts(projects.FIELDS, values, list(projects.FIELDS), names)
        return
    editing = st.toggle(tx("edit"), key="prj_edit", disabled=d.archived)
    if editing and not d.archived:
        form_key = f"prj_form:{d.project.id}"
        version = loaded_version(form_key, d.project.version, PROJECT_FIELDS[0])
        form = entity_form(
            form_key, projects.FIELDS, values, fields=PROJECT_FIELDS, refs=refs, only_changes=True
        )
        if form.submitted:
            changes = dict(form.data)
            run_save(
                form,
                lambda s: projects.update(s, d.project.id, changes, expected_version=version),
            )
    else:
        facts(projects.FIELDS, values, list(projects.FIELDS), names)
    st.divider()
    archive_block(d)


def archive_block(d: detail_q.ProjectDetail) -> None:
    key = d.project.values["key"]
    form_key = f"prj_archive:{d.project.id}"
    version = loaded_version(form_key, d.project.version, "confirm")
    restoring = d.archived
    with st.form(form_key, border=True):
        general = st.empty()
        confirm = st.checkbox(
            tx("restore_confirm" if restoring else "archive_confirm", key=md(key)),
            key=f"{form_key}:confirm",
        )
        submitted = st.form_submit_button(
            tx("restore" if restoring else "archive"),
            icon=":material/unarchive:" if restoring else ":material/archive:",
        )
    if submitted and confirm:
        action = projects.restore if restoring else projects.archive
        run_save(
            FormResult(form_key, submitted=True, general=general),
            lambda s: action(s, d.project.id, expected_version=version),
        )
