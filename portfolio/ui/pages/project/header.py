"""The project page's header: key and title, status, theme, lead and light, the data quality
problems with the section that fixes each, and the fact sheet to download."""

from __future__ import annotations

import streamlit as st

from db.enums import ProjectStatus
from portfolio.i18n import fmt_int
from portfolio.queries import detail as detail_q
from portfolio.queries import factsheet as factsheet_q
from portfolio.queries import quality as quality_q
from portfolio.queries.common import pick
from portfolio.ui import data
from portfolio.ui.components.safe_text import md
from portfolio.ui.components.widgets import fmt_stamp, light_badge
from portfolio.ui.pages.project.texts import tx
from portfolio.ui.runtime import lang, require_principal, session_as, session_factory
from portfolio.vocab import label
from reports.factsheet import file_name as factsheet_name
from reports.factsheet import render_pdf as factsheet_pdf


def header(d: detail_q.ProjectDetail, problems: tuple[str, ...]) -> None:
    language = lang()
    v = d.project.values
    st.title(md(f"{v['key']} · {v['title']}"))
    light = d.reports[0].values["overall"] if d.reports else None
    st.markdown(
        " · ".join(
            [
                f":blue-badge[{label(ProjectStatus, v['status'], language)}]",
                f"{tx('theme')} {md(d.theme_key)} {md(pick(d.theme_name, d.theme_name_en, language))}",
                f"{tx('action_field')} {md(d.action_field_key)} {md(pick(d.action_field_name, d.action_field_name_en, language))}",
                f"{tx('lead')}: {md(d.lead or '–')}",
                f"{tx('light')}: {light_badge(light)}",
            ]
        )
    )
    st.caption(
        f"{tx('created_at', at=fmt_stamp(d.created_at))} · {tx('updated_at', at=fmt_stamp(d.updated_at))} · Version {fmt_int(d.project.version, language)}"
    )
    if d.archived:
        st.warning(tx("archived_banner"), icon=":material/archive:")
    if problems:
        score = fmt_int(quality_q.score_of(len(problems)), language)
        with st.expander(tx("quality", score=score), icon=":material/fact_check:"):
            for code in problems:
                st.markdown(f"- {tx('q_' + code)} → *{tx('sec_' + quality_q.FIX_SECTION[code])}*")


def factsheet_download(key: str, stamp: data.Stamp) -> None:
    """The project's internal fact sheet as a PDF, built when the button is clicked (outside
    the script run: the principal and the session factory go along)."""
    who, reader, language = require_principal(), session_factory(read_only=True), lang()
    today = stamp.today

    def build() -> bytes:
        with session_as(who, reader) as session:
            sheet = factsheet_q.fact_sheet(session, key, today=today)
        return factsheet_pdf(sheet, lang=language)

    st.download_button(
        tx("factsheet"),
        data=build,
        file_name=factsheet_name(key, language),
        mime="application/pdf",
        help=tx("factsheet_help"),
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key="prj_factsheet",
    )
