"""Meilensteine: the project's milestones with their state (a row clicked opens its form)."""

from __future__ import annotations

import streamlit as st

from db.enums import MilestoneState
from portfolio import palette
from portfolio.i18n import fmt_date
from portfolio.queries import detail as detail_q
from portfolio.services import milestones
from portfolio.ui.components.record_actions import actions, editable, editor
from portfolio.ui.components.record_table import record_table
from portfolio.ui.pages.project.shared import clickable, picked, ref_options
from portfolio.ui.pages.project.texts import tx
from portfolio.ui.runtime import lang
from portfolio.vocab import label

COLUMNS = {
    "key": "key",
    "title": "title",
    "due": "due_date",
    "done": "done_date",
    "state": "state",
    "organisation": "responsible_organisation_id",
}
FIELDS = ["title", "due_date", "done_date", "responsible_organisation_id"]


def milestones_section(d: detail_q.ProjectDetail, choices: detail_q.Choices) -> None:
    language = lang()
    project_id = d.project.id
    if d.milestones:
        clicked = milestones_table(d.milestones, key=f"ms_table:{project_id}")
        if editable():
            st.caption(tx("click_to_edit"))
    else:
        clicked = None
        st.info(tx("no_milestones"))
    editor(
        f"ms:{project_id}",
        d.milestones,
        milestones.FIELDS,
        fields=FIELDS,
        title_of=lambda r: (
            f"{r.values['key']} · {r.values['title']} · {fmt_date(r.values['due_date'], language)}"
        ),
        refs=ref_options(choices),
        remove_is_archive=True,
        new_label=tx("add_milestone"),
        picked=clicked,
        **actions(
            create=milestones.create,
            parent={"project_id": project_id},
            update=milestones.update,
            remove=milestones.archive,
        ),
    )


def milestones_table(rows: list[detail_q.Row], *, key: str) -> int | None:
    """The milestones, tinted by state; the id of the row clicked, if any."""
    event = record_table(
        rows,
        COLUMNS,
        cells={
            "state": lambda m: _state_text(m.extra["state"]),
            "organisation": lambda m: m.extra["organisation"] or "",
        },
        headers={"state": tx("state")},
        wide=["title"],
        dates=["due", "done"],
        tinted={"state": (palette.MILESTONE_STATE_COLOURS, [m.extra["state"] for m in rows])},
        **clickable(key),
    )
    return picked(event, rows)


def _state_text(state: str) -> str:
    return f"{palette.mark(palette.MILESTONE_MARKS, state)} {label(MilestoneState, state, lang())}"
