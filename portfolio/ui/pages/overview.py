"""Übersicht: where each theme stands, what is due, what is late — for the CDO at a glance."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import streamlit as st

from db.enums import ProjectStatus
from portfolio import palette
from portfolio.figures import Summary
from portfolio.i18n import fmt_date, fmt_eur, fmt_int
from portfolio.queries.common import pick
from portfolio.queries.overview import OverviewFigures
from portfolio.ui import data
from portfolio.ui.components import charts, status_charts
from portfolio.ui.components.forms import flash
from portfolio.ui.components.safe_text import chart_text, md
from portfolio.ui.components.urlstate import Param, publish, restore
from portfolio.ui.components.widgets import (
    empty_portfolio,
    light_text,
    money_tile,
    page_header,
    t,
)
from portfolio.ui.navigation import page
from portfolio.ui.runtime import Catalogue, lang
from portfolio.vocab import label

TEXTS = {
    "de": {
        "title": "Übersicht",
        "caption": "Portfolio der Smart-City Innovation Unit",
        "theme_filter": "Leitthema",
        "projects": "Projekte",
        "projects_help": "Aktive (nicht archivierte) Projekte; darunter die Verteilung nach Status.",
        "total_cost": "Gesamtkosten",
        "eligible": "förderfähig: {value}",
        "requested": "Förderung beantragt",
        "requested_help": "Beantragte Beträge aller laufenden Anträge (ohne abgelehnte und zurückgezogene).",
        "approved": "Förderung bewilligt",
        "paid": "ausgezahlt: {value}",
        "own_share": "Eigenanteil",
        "own_share_help": "Eigenanteil der bewilligten Anträge, je Projekt einmal gezählt. Städtische Haushaltsmittel über die Eigenanteile hinaus: {budget}.",
        "overdue": "Überfällige Meilensteine",
        "deadlines_30": "Fristen in 30 Tagen",
        "deadlines_help": "Offene Meilensteine, Verwendungsnachweise und Mittelabrufe in den nächsten 30 Tagen.",
        "stale": "Statusberichte > 90 Tage",
        "stale_help": "Laufende Projekte (Planung, Umsetzung), deren neuester Statusbericht fehlt oder älter als 90 Tage ist.",
        "by_field": "Projekte und Kosten nach Leitthema und Handlungsfeld",
        "by_field_caption": "Balken: Anzahl der Projekte; daneben Anzahl und Gesamtkosten.",
        "pipeline": "Förder-Pipeline nach Status und Programm",
        "pipeline_caption": "Bewilligter Betrag, wo entschieden; sonst beantragter Betrag.",
        "heatmap": "Partner × Leitthema",
        "heatmap_caption": "Anzahl der Projekte, an denen die Organisation beteiligt ist.",
        "radar": "Fristen-Radar: nächste 90 Tage",
        "lights": "Ampeln der neuesten Statusberichte",
        "next_deadlines": "Nächste Fristen",
        "amount": "Betrag",
        "count": "Anzahl",
        "cost": "Gesamtkosten",
        "to_register": "Zum Projektregister",
        "to_timeline": "Zum Zeitplan",
        "no_deadlines": "Keine offenen Fristen in den nächsten 90 Tagen.",
        "no_funding": "Noch keine Förderanträge.",
        "no_partners": "Noch keine Beteiligungen eingetragen.",
        "status_line": "{status}: {count}",
        "search": "Projekt suchen",
        "search_placeholder": "Projekt suchen: Schlüssel, Titel, Ort … (Enter öffnet das Projektregister)",
    },
    "en": {
        "title": "Overview",
        "caption": "Portfolio of the Smart-City Innovation Unit",
        "theme_filter": "Theme",
        "projects": "Projects",
        "projects_help": "Active (not archived) projects; below, their split by status.",
        "total_cost": "Total cost",
        "eligible": "eligible: {value}",
        "requested": "Funding requested",
        "requested_help": "Requested amounts of all live applications (without rejected and withdrawn ones).",
        "approved": "Funding approved",
        "paid": "paid out: {value}",
        "own_share": "Own share",
        "own_share_help": "Own share of the approved applications, counted once per project. City budget beyond the own shares: {budget}.",
        "overdue": "Overdue milestones",
        "deadlines_30": "Deadlines in 30 days",
        "deadlines_help": "Open milestones, proofs of use and payment requests in the next 30 days.",
        "stale": "Status reports > 90 days",
        "stale_help": "Running projects (planning, implementation) whose newest status report is missing or older than 90 days.",
        "by_field": "Projects and cost by theme and action field",
        "by_field_caption": "Bar: number of projects; beside it the count and total cost.",
        "pipeline": "Funding pipeline by status and programme",
        "pipeline_caption": "Approved amount where decided, else the requested amount.",
        "heatmap": "Partner × theme",
        "heatmap_caption": "Number of projects the organisation takes part in.",
        "radar": "Deadline radar: next 90 days",
        "lights": "Lights of the newest status reports",
        "next_deadlines": "Next deadlines",
        "amount": "Amount",
        "count": "Count",
        "cost": "Total cost",
        "to_register": "To the project register",
        "to_timeline": "To the timeline",
        "no_deadlines": "No open deadlines in the next 90 days.",
        "no_funding": "No funding applications yet.",
        "no_partners": "No participations yet.",
        "status_line": "{status}: {count}",
        "search": "Find a project",
        "search_placeholder": "Find a project: key, title, place … (Enter opens the register)",
    },
}


tx = Catalogue(TEXTS)


def render() -> None:
    flash()
    stamp = data.stamp()
    everything = data.summary(stamp)
    page_header(tx("title"), tx("caption"), as_of=stamp.today)
    if everything.projects == 0:
        empty_portfolio()
        return
    search_box()
    theme = theme_filter(everything)
    figures = data.summary(stamp, theme) if theme else everything
    extra = data.overview(stamp, theme)
    tiles(figures, extra)
    left, right = st.columns(2)
    with left:
        st.subheader(tx("by_field"))
        st.caption(tx("by_field_caption"))
        charts.show(status_charts.field_bars(extra), key="chart_fields")
    with right:
        st.subheader(tx("pipeline"))
        st.caption(tx("pipeline_caption"))
        if extra.pipeline:
            charts.show(status_charts.pipeline(extra), key="chart_pipeline")
        else:
            st.info(tx("no_funding"))
    left, right = st.columns([3, 2])
    with left:
        st.subheader(tx("radar"))
        if extra.radar:
            charts.show(radar(extra, stamp.today), key="chart_radar")
        else:
            st.info(tx("no_deadlines"))
    with right:
        st.subheader(tx("lights"))
        charts.show(lights(extra), key="chart_lights")
    st.subheader(tx("heatmap"))
    st.caption(tx("heatmap_caption"))
    if extra.heatmap:
        charts.show(heatmap(extra, figures), key="chart_heatmap")
    else:
        st.info(tx("no_partners"))
    next_deadlines(stamp, theme)
    cols = st.columns(4)
    cols[0].page_link(page("register"), label=tx("to_register"), icon=":material/table_rows:")
    cols[1].page_link(page("timeline"), label=tx("to_timeline"), icon=":material/timeline:")


SEARCH_KEY = "ov_search"
GO_KEY = "__ov_search_go"


def search_box() -> None:
    """Find a project from the top of the overview: Enter opens the register with the search
    (its ``suche`` parameter, so the result is a link like any register view)."""
    asked = st.session_state.pop(GO_KEY, None)
    if asked:
        # the register takes its view from the URL only on a fresh visit: forget the last one
        for key in [k for k in st.session_state if str(k).startswith("reg_")]:
            del st.session_state[key]
        st.switch_page(page("register"), query_params={"suche": asked})
    st.text_input(
        tx("search"),
        key=SEARCH_KEY,
        placeholder=tx("search_placeholder"),
        icon=":material/search:",
        on_change=_go_search,
        label_visibility="collapsed",
    )


def _go_search() -> None:
    text = " ".join(str(st.session_state.get(SEARCH_KEY) or "").split())
    st.session_state[SEARCH_KEY] = ""
    if text:
        st.session_state[GO_KEY] = text


def theme_filter(figures: Summary) -> str | None:
    """The theme that filters the whole page; kept in the URL as ``?thema=<key>``."""
    choices = data.choices(data.stamp())
    names = {c.key: pick(c.label, c.label_en, lang()) for c in choices.themes}
    keys = [c.key for c in choices.themes]
    url = [Param("thema", "ov_theme", allowed=set(keys))]
    restore(url)
    value = st.segmented_control(
        tx("theme_filter"),
        keys,
        format_func=lambda k: md(f"{k} · {names.get(k, k)}"),
        key="ov_theme",
        selection_mode="single",
    )
    publish(url)
    return str(value) if value else None


def tiles(s: Summary, extra: OverviewFigures) -> None:
    language = lang()
    # Three tiles a row: four cut the amounts to the euro ("48.070.000 €") at 1280 px.
    cells = [column for _ in range(3) for column in st.columns(3)]
    cells[0].metric(
        tx("projects"), fmt_int(s.projects, language), help=tx("projects_help"), border=True
    )
    money_tile(
        cells[1],
        tx("total_cost"),
        s.total_cost,
        tx("eligible", value=fmt_eur(s.eligible_cost, language)),
    )
    money_tile(cells[2], tx("requested"), s.funding_requested, tx("requested_help"))
    money_tile(
        cells[3],
        tx("approved"),
        s.funding_approved,
        tx("paid", value=fmt_eur(s.paid_out, language)),
    )
    money_tile(
        cells[4],
        tx("own_share"),
        s.own_share,
        tx("own_share_help", budget=fmt_eur(s.own_budget, language)),
    )
    cells[5].metric(tx("overdue"), fmt_int(s.overdue_milestones, language), border=True)
    cells[6].metric(
        tx("deadlines_30"),
        fmt_int(extra.deadlines_30, language),
        border=True,
        help=tx("deadlines_help"),
    )
    cells[7].metric(
        tx("stale"), fmt_int(extra.stale_reports, language), border=True, help=tx("stale_help")
    )
    st.caption(
        " · ".join(
            tx(
                "status_line",
                status=label(ProjectStatus, code, language),
                count=fmt_int(n, language),
            )
            for code, n in s.by_status.items()
        )
    )


def radar(extra: OverviewFigures, today: dt.date) -> go.Figure:
    language = lang()
    fig = go.Figure()
    kinds = ["milestone", "proof_of_use", "payment_request"]
    for kind in kinds:
        points = [p for p in extra.radar if p.kind == kind]
        if not points:
            continue
        name = t(f"kind_{kind}")
        fig.add_scatter(
            x=[p.due.isoformat() for p in points],
            y=[name] * len(points),
            mode="markers",
            name=name,
            marker={
                "size": [min(8 + p.count * 2, 40) for p in points],
                "sizemode": "diameter",
                "opacity": 0.8,
            },
            customdata=[
                f"<b>{fmt_date(p.due, language)}</b><br>{name}: {fmt_int(p.count, language)}"
                for p in points
            ],
            hovertemplate="%{customdata}<extra></extra>",
        )
    charts.date_axis(fig)
    fig.update_xaxes(
        nticks=7,
        range=[
            (today - dt.timedelta(days=2)).isoformat(),
            (today + dt.timedelta(days=92)).isoformat(),
        ],
    )
    charts.today_line(fig, today, t("today"))
    return charts.style(fig, height=300, legend=False)


def lights(extra: OverviewFigures) -> go.Figure:
    language = lang()
    order = ["green", "yellow", "red", "none"]
    counts = [extra.lights.get(k, 0) for k in order]
    fig = go.Figure(
        go.Pie(
            labels=[light_text(k) for k in order],
            values=counts,
            hole=0.55,
            sort=False,
            marker={"colors": [palette.colour(palette.LIGHT_COLOURS, k) for k in order]},
            customdata=[
                f"{light_text(k)}: {fmt_int(n, language)}"
                for k, n in zip(order, counts, strict=True)
            ],
            hovertemplate="%{customdata}<extra></extra>",
            text=[f"{n * 100 / max(sum(counts), 1):.0f} %" if n else "" for n in counts],
            textinfo="text",
        )
    )
    return charts.style(fig, height=300)


def heatmap(extra: OverviewFigures, figures: Summary) -> go.Figure:
    language = lang()
    choices = data.choices(data.stamp())
    themes = [c for c in choices.themes if any(h.theme_key == c.key for h in extra.heatmap)]
    orgs = sorted({h.organisation for h in extra.heatmap})
    cells = {(h.organisation, h.theme_key): h for h in extra.heatmap}
    z, text = [], []
    for org in orgs:
        z.append([cells[(org, th.key)].projects if (org, th.key) in cells else 0 for th in themes])
        text.append(
            [
                (
                    f"<b>{chart_text(org)}</b> · {chart_text(th.key)} {chart_text(pick(th.label, th.label_en, language))}<br>"
                    f"{tx('projects')}: {fmt_int(cells[(org, th.key)].projects, language)}<br>"
                    f"{fmt_eur(cells[(org, th.key)].contribution, language, cents=False)}"
                )
                if (org, th.key) in cells
                else f"<b>{chart_text(org)}</b> · {chart_text(th.key)}: 0"
                for th in themes
            ]
        )
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[charts.wrap(f"{th.key} {pick(th.label, th.label_en, language)}") for th in themes],
            y=[chart_text(org) for org in orgs],
            colorscale=charts.SEQUENTIAL,
            customdata=text,
            hovertemplate="%{customdata}<extra></extra>",
            texttemplate="%{z:,.0f}",
            colorbar={"title": {"text": tx("projects")}, "tickformat": ",.0f"},
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickangle=0, side="top")
    return charts.style(fig, height=max(340, 28 * len(orgs) + 150), legend=False)


def next_deadlines(stamp: data.Stamp, theme: str | None) -> None:
    language = lang()
    items = data.deadlines(stamp, theme, days=90, limit=10)
    if not items:
        return
    st.subheader(tx("next_deadlines"))
    from portfolio.ui.components.widgets import frame, table

    df = frame(
        [
            {
                "due": d.due,
                "kind": t(f"kind_{d.kind}"),
                "project": f"{d.project_key} · {d.project_title}",
                "item": d.title or d.item_key,
            }
            for d in items
        ],
        ["due", "kind", "project", "item"],
    )
    cfg = {
        "due": st.column_config.Column("Fällig am" if language == "de" else "Due"),
        "kind": st.column_config.Column("Art" if language == "de" else "Kind"),
        "project": st.column_config.Column("Projekt" if language == "de" else "Project"),
        "item": st.column_config.Column("Was" if language == "de" else "What"),
    }
    table(df, dates=["due"], column_config=cfg)
