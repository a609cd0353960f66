"""Statusberichte: the trend of the lights, the reports, a warning when the newest report's
overall light is better than one of its parts, and the forms."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from db.enums import TrafficLight
from portfolio import palette
from portfolio.i18n import fmt_date
from portfolio.queries import detail as detail_q
from portfolio.services import status_reports
from portfolio.ui import data
from portfolio.ui.components import charts
from portfolio.ui.components.record_actions import actions, editor
from portfolio.ui.components.record_table import Cell, record_table
from portfolio.ui.components.widgets import light_text
from portfolio.ui.pages.project.texts import tx
from portfolio.ui.runtime import lang, user_name
from portfolio.vocab import field_label

COLUMNS = {  # the order of the form below
    "date": "report_date",
    "overall": "overall",
    "schedule": "schedule",
    "budget": "budget",
    "funding": "funding",
    "summary": "summary",
    "risks": "risks",
    "decisions": "decisions_needed",
    "next_steps": "next_steps",
    "author": "author",
    "published": "published_on",
}
LIGHTS = ("overall", "schedule", "budget", "funding")


def reports_section(d: detail_q.ProjectDetail, choices: detail_q.Choices) -> None:
    if d.reports:
        st.subheader(tx("trend"))
        charts.show(trend_chart(d), key="chart_trend")
        reports_table(d.reports)
        overall_warning(max(d.reports, key=lambda r: r.values["report_date"]))
    else:
        st.info(tx("no_reports"))
    report_editor(d)


def reports_table(rows: list[detail_q.Row]) -> None:
    record_table(
        rows,
        COLUMNS,
        cells={name: _light_of(name) for name in LIGHTS},
        texts=["summary", "risks", "decisions", "next_steps", "author"],
        dates=["date", "published"],
    )


def _light_of(name: str) -> Cell:
    return lambda r: light_text(r.values[name])


def overall_warning(newest: detail_q.Row) -> None:
    """The newest report's overall light better than one of its parts: worth a second look."""
    language = lang()
    worse = status_reports.worse_than_overall(newest.values)
    if worse:
        st.warning(
            tx(
                "overall_better",
                overall=light_text(newest.values["overall"]),
                worse=", ".join(
                    f"{field_label(w, language)} {light_text(newest.values[w])}" for w in worse
                ),
            ),
            icon=":material/rule:",
        )


def report_editor(d: detail_q.ProjectDetail) -> None:
    language = lang()
    editor(
        f"rep:{d.project.id}",
        d.reports,
        status_reports.FIELDS,
        fields=[f for f in status_reports.FIELDS if f != "project_id"],  # the service's order
        title_of=lambda r: (
            f"{fmt_date(r.values['report_date'], language)} · {light_text(r.values['overall'])}"
        ),
        defaults={
            "report_date": data.stamp().today,
            **{light: TrafficLight.GREEN.value for light in LIGHTS},
            "author": user_name(),
        },
        new_label=tx("add_report"),
        **actions(
            create=status_reports.create,
            parent={"project_id": d.project.id},
            update=status_reports.update,
        ),
    )


def trend_chart(d: detail_q.ProjectDetail) -> go.Figure:
    language = lang()
    level = {"green": 3, "yellow": 2, "red": 1}
    reports = sorted(d.reports, key=lambda r: r.values["report_date"])
    fig = go.Figure()
    for dimension in LIGHTS:
        lights = [r.values[dimension] for r in reports]
        fig.add_scatter(
            x=[r.values["report_date"].isoformat() for r in reports],
            y=[level.get(x, 0) for x in lights],
            mode="lines+markers",
            name=field_label(dimension, language),
            line={"width": 3 if dimension == "overall" else 1.5, "shape": "hv"},
            marker={
                "size": 12 if dimension == "overall" else 8,
                "color": [palette.colour(palette.LIGHT_COLOURS, x) for x in lights],
            },
            customdata=[
                f"{fmt_date(r.values['report_date'], language)} · {field_label(dimension, language)}: {light_text(x)}"
                for r, x in zip(reports, lights, strict=True)
            ],
            hovertemplate="%{customdata}<extra></extra>",
        )
    fig.update_yaxes(
        tickvals=[1, 2, 3],
        ticktext=[light_text("red"), light_text("yellow"), light_text("green")],
        range=[0.5, 3.5],
    )
    charts.date_axis(fig)
    return charts.style(fig, height=300)
