"""Zeitplan: a cross-project Gantt of projects and milestones with a today line; overdue marked."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import streamlit as st

from db.enums import MilestoneState, ProjectStatus
from portfolio import palette
from portfolio.i18n import fmt_date, fmt_int
from portfolio.queries.timeline import Gantt
from portfolio.ui import data
from portfolio.ui.components import charts, status_charts
from portfolio.ui.components.filters import (
    first_page,
    organisation_options,
    page_offset,
    select_many,
    select_number,
    select_one,
    select_theme,
    theme_options,
)
from portfolio.ui.components.page import start as start_page
from portfolio.ui.components.safe_text import chart_text
from portfolio.ui.components.urlstate import Param, publish, restore
from portfolio.ui.components.widgets import pager, range_caption, t
from portfolio.ui.runtime import Catalogue, lang
from portfolio.vocab import label, labels

TEXTS = {
    "de": {
        "title": "Zeitplan",
        "caption": "Laufzeiten der Projekte und ihre Meilensteine; rote Rauten sind überfällig.",
        "theme": "Leitthema",
        "partner": "Partner",
        "status": "Status",
        "only_overdue": "Nur Projekte mit überfälligen Meilensteinen",
        "rows": "Projekte je Seite",
        "runtime": "Laufzeit",
        "from_to": "{start} – {end}",
        "overdue_count": "{count} {count|überfälliger Meilenstein|überfällige Meilensteine} in dieser Ansicht",
        "without_dates": "{count} {count|Projekt|Projekte} ohne Beginn oder Ende {count|ist|sind} nicht dargestellt.",
        "none": "Keine Projekte mit Laufzeit für diese Auswahl.",
    },
    "en": {
        "title": "Timeline",
        "caption": "Project runtimes and their milestones; red diamonds are overdue.",
        "theme": "Theme",
        "partner": "Partner",
        "status": "Status",
        "only_overdue": "Only projects with overdue milestones",
        "rows": "Projects per page",
        "runtime": "Runtime",
        "from_to": "{start} – {end}",
        "overdue_count": "{count} overdue {count|milestone|milestones} in this view",
        "without_dates": "{count} {count|project|projects} without start or end {count|is|are} not shown.",
        "none": "No projects with a runtime for this selection.",
    },
}
PAGE_SIZES = (20, 40, 80)
PAGE_KEY = "tl_page"
"""The pager's widget key (``?seite=``): every filter change goes back to page 1."""


tx = Catalogue(TEXTS)


def render() -> None:
    stamp = start_page(tx("title"), tx("caption"))
    if stamp is None:
        return
    language = lang()
    choices = data.choices(stamp)
    themes = theme_options(choices)
    orgs = organisation_options(choices)
    statuses = labels(ProjectStatus, language)
    url = [
        Param("thema", "tl_theme", allowed=set(themes)),
        Param("partner", "tl_partner", allowed=set(orgs)),
        Param("status", "tl_status", "list", allowed=set(statuses)),
        Param("ueberfaellig", "tl_overdue", "bool", default=False),
        Param("zeilen", "tl_rows", "int", default=40, allowed=set(PAGE_SIZES)),
        Param("seite", PAGE_KEY, "int", default=1),
    ]
    restore(url)
    with st.container(border=True):
        row = st.columns([3, 2, 3, 2])
        theme = select_theme(row[0], tx("theme"), themes, key="tl_theme", page_key=PAGE_KEY)
        partner = select_one(row[1], tx("partner"), orgs, key="tl_partner", page_key=PAGE_KEY)
        chosen = select_many(row[2], tx("status"), statuses, key="tl_status", page_key=PAGE_KEY)
        size = select_number(
            row[3], tx("rows"), PAGE_SIZES, key="tl_rows", default=40, page_key=PAGE_KEY
        )
        only_overdue = st.toggle(
            tx("only_overdue"), key="tl_overdue", on_change=first_page, args=(PAGE_KEY,)
        )
    offset = page_offset(PAGE_KEY, size)
    g = data.gantt(
        stamp,
        theme=theme,
        partner=partner,
        statuses=chosen,
        only_overdue=bool(only_overdue),
        offset=offset,
        limit=size,
    )
    if not g.projects:
        st.info(tx("none"))
        publish(url)
        return
    charts.show(gantt_chart(g, stamp.today), key="chart_gantt")
    if g.overdue:
        st.markdown(f":red-badge[{tx('overdue_count', count=fmt_int(g.overdue, language))}]")
    range_caption(offset, len(g.projects), g.total)
    pager(g.total, size, key=PAGE_KEY)
    if g.without_dates:
        st.caption(tx("without_dates", count=fmt_int(g.without_dates, language)))
    publish(url)


def gantt_chart(g: Gantt, today: dt.date) -> go.Figure:
    language = lang()
    # the full name, wrapped: a cut name hides which of two similar projects a bar is
    labels_ = {p.key: charts.wrap(f"{p.key} {p.title}", 44) for p in g.projects}
    order = [labels_[p.key] for p in g.projects]
    fig = go.Figure()
    shown: set[str] = set()
    for p in g.projects:
        days = int((p.end - p.start).days) or 1
        name = label(ProjectStatus, p.status, language)
        fig.add_bar(
            base=[p.start.isoformat()],
            x=[days * 86_400_000],
            y=[labels_[p.key]],
            orientation="h",
            marker=status_charts.marker(palette.PROJECT_STATUS_COLOURS, p.status),
            name=name,
            legendgroup=p.status,
            showlegend=p.status not in shown,
            customdata=[
                f"<b>{chart_text(p.key)} · {chart_text(p.title)}</b><br>{name}<br>{tx('runtime')}: "
                + tx("from_to", start=fmt_date(p.start, language), end=fmt_date(p.end, language))
            ],
            hovertemplate="%{customdata}<extra></extra>",
        )
        shown.add(p.status)
    for state in ("done", "open", "due_soon", "overdue"):
        stones = [m for m in g.milestones if m.state == state]
        if not stones:
            continue
        name = label(MilestoneState, state, language)
        fig.add_scatter(
            x=[m.due.isoformat() for m in stones],
            y=[labels_[m.project_key] for m in stones],
            mode="markers",
            name=name,
            marker={
                "symbol": "diamond",
                "size": 13 if state == "overdue" else 9,
                "color": palette.colour(palette.MILESTONE_STATE_COLOURS, state),
                "line": {"width": 1, "color": charts.FRAME},
            },
            customdata=[
                f"<b>{chart_text(m.title)}</b><br>{chart_text(m.project_key)} · {name}<br>{fmt_date(m.due, language)}"
                + (f" ({fmt_date(m.done, language)})" if m.done else "")
                for m in stones
            ],
            hovertemplate="%{customdata}<extra></extra>",
        )
    fig.update_layout(barmode="overlay", bargap=0.35)
    fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed")
    charts.date_axis(fig)
    charts.today_line(fig, today, t("today"))
    return charts.style(fig, height=max(320, 34 * len(g.projects) + 140))
