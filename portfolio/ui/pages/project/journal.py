"""Journal: every change of the project and its parts, newest first, a page at a time, each
with its fields before and after."""

from __future__ import annotations

import streamlit as st

from db.enums import ChangeSource, JournalAction
from portfolio.changes import account_names, author_label
from portfolio.i18n import fmt_int
from portfolio.queries import detail as detail_q
from portfolio.services import (
    funding,
    kpis,
    milestones,
    participations,
    projects,
    status_reports,
)
from portfolio.ui.components.editor import from_journal
from portfolio.ui.components.safe_text import md
from portfolio.ui.components.widgets import fmt_stamp, frame, pager, range_caption, table
from portfolio.ui.pages.project.shared import ref_options
from portfolio.ui.pages.project.texts import tx
from portfolio.ui.runtime import lang, read_session
from portfolio.vocab import entity_label, field_label, label

JOURNAL_PAGE = 20
ENTITY_FIELDS = {
    "project": projects.FIELDS,
    "participation": participations.FIELDS,
    "funding_application": funding.FIELDS,
    "payment_request": funding.PAYMENT_FIELDS,
    "milestone": milestones.FIELDS,
    "status_report": status_reports.FIELDS,
    "kpi": kpis.FIELDS,
    "kpi_measurement": kpis.MEASUREMENT_FIELDS,
}


def journal_section(d: detail_q.ProjectDetail, choices: detail_q.Choices) -> None:
    language = lang()
    total = d.journal_entries
    st.caption(tx("journal_caption", count=fmt_int(total, language)))
    offset = max(0, (int(st.session_state.get("prj_journal") or 1) - 1) * JOURNAL_PAGE)
    with read_session() as session:
        items = detail_q.journal(session, d.project.id, offset=offset, limit=JOURNAL_PAGE)
        names = account_names(session, [item.actor for item in items])
    refs = {name: dict(options) for name, options in ref_options(choices).items()}
    for item in items:
        with st.container(border=True):
            journal_entry(item, names, refs)
    range_caption(offset, len(items), total)
    pager(total, JOURNAL_PAGE, key="prj_journal")


def journal_entry(
    item: detail_q.JournalItem, names: dict[str, str], refs: dict[str, dict[object, str]]
) -> None:
    """Who changed what when (and from where), and the fields it changed."""
    language = lang()
    st.markdown(
        tx(
            "journal_line",
            at=fmt_stamp(item.at),
            actor=md(author_label(item.actor, item.source, language, names)),
            source=label(ChangeSource, item.source, language)
            + (f", {md(item.source_ref)}" if item.source_ref else ""),
            entity=entity_label(item.entity, language),
            key=md(item.entity_key),
            action=label(JournalAction, item.action, language),
        )
    )
    if not item.changes:
        return
    specs = ENTITY_FIELDS.get(item.entity, {})
    df = frame(
        [
            {
                "field": field_label(c.field, language),
                "old": from_journal(specs.get(c.field), c.old, refs.get(c.field)),
                "new": from_journal(specs.get(c.field), c.new, refs.get(c.field)),
            }
            for c in item.changes
        ],
        ["field", "old", "new"],
    )
    col = st.column_config
    table(
        df,
        column_config={
            "field": col.Column(tx("field")),
            "old": col.Column(tx("old")),
            "new": col.Column(tx("new_value")),
        },
    )
