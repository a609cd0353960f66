"""Datenqualität: a score per project with its reasons and a link to fix each."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from db.enums import ProjectStatus
from portfolio.i18n import fmt_int, fmt_number
from portfolio.queries.quality import CHECKS, FIX_SECTION, QualityReport, QualityRow
from portfolio.ui import data
from portfolio.ui.components import charts
from portfolio.ui.components.filters import (
    page_offset,
    select_one,
    select_theme,
    theme_options,
)
from portfolio.ui.components.page import start as start_page
from portfolio.ui.components.safe_text import md
from portfolio.ui.components.urlstate import Param, publish, restore
from portfolio.ui.components.widgets import pager, range_caption
from portfolio.ui.navigation import page
from portfolio.ui.runtime import Catalogue, lang
from portfolio.vocab import label

TEXTS = {
    "de": {
        "title": "Datenqualität",
        "caption": "Jedes Projekt startet mit 100 Punkten; jede offene Prüfung kostet 20. Der Link führt direkt zur Stelle, an der sich das Problem beheben lässt.",
        "theme": "Leitthema",
        "reason": "Prüfung",
        "all_reasons": "Alle Projekte mit Mängeln",
        "average": "Durchschnitt",
        "perfect": "Ohne Mängel",
        "with_issues": "Mit Mängeln",
        "by_reason": "Mängel nach Prüfung",
        "score": "Punkte",
        "fix": "Beheben",
        "none": "Keine Mängel für diese Auswahl – sehr gut.",
        "c_no_responsible": "Keine verantwortliche Person",
        "c_no_lead": "Keine federführende Organisation",
        "c_stale_report": "Statusbericht fehlt oder älter als 90 Tage",
        "c_open_past_milestones": "Vergangene Meilensteine nicht abgeschlossen",
        "c_milestones_outside_period": "Meilensteine außerhalb der Projektlaufzeit",
        "c_running_past_end": "Läuft nach dem Enddatum weiter",
        "c_funding_without_amounts": "Förderlinie ohne Beträge",
        "projects": "Projekte",
    },
    "en": {
        "title": "Data quality",
        "caption": "Every project starts with 100 points; each failed check costs 20. The link leads straight to where the problem is fixed.",
        "theme": "Theme",
        "reason": "Check",
        "all_reasons": "All projects with issues",
        "average": "Average",
        "perfect": "Without issues",
        "with_issues": "With issues",
        "by_reason": "Issues by check",
        "score": "Points",
        "fix": "Fix",
        "none": "No issues for this selection – well done.",
        "c_no_responsible": "No responsible person",
        "c_no_lead": "No lead organisation",
        "c_stale_report": "Status report missing or older than 90 days",
        "c_open_past_milestones": "Past milestones not closed",
        "c_milestones_outside_period": "Milestones outside the project period",
        "c_running_past_end": "Still running after its end date",
        "c_funding_without_amounts": "Funding line without amounts",
        "projects": "Projects",
    },
}
PAGE = 25
PAGE_KEY = "dq_page"
"""The pager's widget key (``?seite=``): every filter change goes back to page 1."""


tx = Catalogue(TEXTS)


def render() -> None:
    stamp = start_page(tx("title"), tx("caption"))
    if stamp is None:
        return
    language = lang()
    themes = theme_options(data.choices(stamp))
    url = [
        Param("thema", "dq_theme", allowed=set(themes)),
        Param("pruefung", "dq_reason", allowed=set(CHECKS)),
        Param("seite", PAGE_KEY, "int", default=1),
    ]
    restore(url)
    cols = st.columns(2)
    theme = select_theme(cols[0], tx("theme"), themes, key="dq_theme", page_key=PAGE_KEY)
    reason = select_one(
        cols[1],
        tx("reason"),
        {c: tx(f"c_{c}") for c in CHECKS},
        key="dq_reason",
        placeholder=tx("all_reasons"),
        page_key=PAGE_KEY,
    )
    offset = page_offset(PAGE_KEY, PAGE)
    q = data.quality(stamp, theme=theme, reason=reason, offset=offset, limit=PAGE)
    row = st.columns(3)
    row[0].metric(tx("average"), f"{fmt_number(q.average, language, digits=1)} / 100", border=True)
    row[1].metric(tx("perfect"), fmt_int(q.perfect, language), border=True)
    row[2].metric(tx("with_issues"), fmt_int(q.projects - q.perfect, language), border=True)
    charts.show(reasons_chart(q), key="chart_quality")
    if not q.rows:
        st.success(tx("none"), icon=":material/verified:")
        publish(url)
        return
    for r in q.rows:
        project_card(r)
    range_caption(offset, len(q.rows), q.matching)
    pager(q.matching, PAGE, key=PAGE_KEY)
    publish(url)


def project_card(r: QualityRow) -> None:
    """A project's score and its failed checks, each with a link to where it is fixed."""
    language = lang()
    with st.container(border=True):
        head = st.columns([1, 5, 2], vertical_alignment="center")
        colour = "red" if r.score <= 40 else ("orange" if r.score <= 80 else "green")
        head[0].markdown(f"### :{colour}[{fmt_int(r.score, language)}]")
        head[1].markdown(
            f"**{md(r.key)} · {md(r.title)}**  \n{label(ProjectStatus, r.status, language)} · {tx('theme')} {md(r.theme_key)}"
        )
        for code in r.reasons:
            line = st.columns([5, 2], vertical_alignment="center")
            line[0].markdown(f"- {tx('c_' + code)}")
            line[1].page_link(
                page("project"),
                label=tx("fix"),
                query_params={"projekt": r.key, "bereich": FIX_SECTION[code]},
                icon=":material/build:",
            )


def reasons_chart(q: QualityReport) -> go.Figure:
    language = lang()
    names = [tx(f"c_{c}") for c in CHECKS]
    counts = [int(q.by_reason.get(c, 0)) for c in CHECKS]
    fig = go.Figure(
        go.Bar(
            x=counts,
            y=names,
            orientation="h",
            marker={"color": "#c8553d"},
            customdata=[
                f"{n}: {fmt_int(c, language)} {tx('projects')}"
                for n, c in zip(names, counts, strict=True)
            ],
            hovertemplate="%{customdata}<extra></extra>",
            texttemplate="%{x:,.0f}",
            textposition="outside",
        )
    )
    fig.update_layout(title={"text": tx("by_reason"), "x": 0})
    fig.update_xaxes(tickformat=",.0f")
    fig.update_yaxes(autorange="reversed")
    return charts.style(fig, height=260, legend=False)
