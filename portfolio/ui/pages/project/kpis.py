"""Wirkung (KPIs): the project's impact indicators, a chart of each one's measurements against
its baseline and target, and the forms for indicators and measurements."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from portfolio import palette
from portfolio.i18n import fmt_date, fmt_number
from portfolio.queries import detail as detail_q
from portfolio.services import kpis
from portfolio.ui import data
from portfolio.ui.components import charts
from portfolio.ui.components.record_actions import actions, editor
from portfolio.ui.components.safe_text import chart_text, md
from portfolio.ui.pages.project.texts import tx
from portfolio.ui.runtime import lang


def kpis_section(d: detail_q.ProjectDetail, choices: detail_q.Choices) -> None:
    language = lang()
    project_id = d.project.id
    if not d.kpis:
        st.info(tx("no_kpis"))
    for k in d.kpis:
        v = k.values
        st.markdown(
            f"**{md(v['name'])}** ({md(v['unit'])}) · {tx('baseline')} {fmt_number(v['baseline'], language)} → {tx('target')} {fmt_number(v['target'], language)} {('· ' + fmt_date(v['target_date'], language)) if v['target_date'] else ''}"
        )
        rows = d.measurements.get(k.id, [])
        if rows:
            charts.show(kpi_chart(k, rows), key=f"chart_kpi_{k.id}")
    editor(
        f"kpi:{project_id}",
        d.kpis,
        kpis.FIELDS,
        fields=["name", "unit", "baseline", "target", "target_date"],
        title_of=lambda r: f"{r.values['key']} · {r.values['name']}",
        remove_is_archive=True,
        new_label=tx("add_kpi"),
        **actions(
            create=kpis.create,
            parent={"project_id": project_id},
            update=kpis.update,
            remove=kpis.archive,
        ),
    )
    if d.kpis:
        measurement_editor(d)


def measurement_editor(d: detail_q.ProjectDetail) -> None:
    """The measurements of all the project's indicators (there is at least one)."""
    language = lang()
    names = [(k.id, f"{k.values['name']} ({k.values['unit']})") for k in d.kpis]
    all_measurements = [m for k in d.kpis for m in d.measurements.get(k.id, [])]
    kpi_names = dict(names)
    editor(
        f"msr:{d.project.id}",
        all_measurements,
        kpis.MEASUREMENT_FIELDS,
        fields=["kpi_id", "measured_on", "value", "note"],
        title_of=lambda r: (
            f"{kpi_names.get(r.values['kpi_id'], '')} · {fmt_date(r.values['measured_on'], language)}"
        ),
        refs={"kpi_id": names},
        defaults={"kpi_id": d.kpis[0].id, "measured_on": data.stamp().today},
        new_label=tx("add_measurement"),
        **actions(create=kpis.create_measurement, update=kpis.update_measurement),
    )


def kpi_chart(k: detail_q.Row, rows: list[detail_q.Row]) -> go.Figure:
    language = lang()
    v = k.values
    unit = chart_text(v["unit"])
    xs = [r.values["measured_on"].isoformat() for r in rows]
    fig = go.Figure()
    fig.add_scatter(
        x=xs,
        y=[float(r.values["value"]) for r in rows],
        mode="lines+markers",
        name=tx("value"),
        customdata=[
            f"{fmt_date(r.values['measured_on'], language)}: {fmt_number(r.values['value'], language)} {unit}"
            for r in rows
        ],
        hovertemplate="%{customdata}<extra></extra>",
    )
    for name, value, colour in (
        ("baseline", v["baseline"], palette.LIGHT_COLOURS[palette.NO_LIGHT]),
        ("target", v["target"], palette.LIGHT_COLOURS["green"]),
    ):
        if value is not None:
            fig.add_hline(
                y=float(value),
                line={"dash": "dash", "color": colour},
                annotation_text=f"{tx(name)} {fmt_number(value, language)}",
                annotation_position="top left",
            )
    charts.date_axis(fig)
    fig.update_yaxes(tickformat=",.4~f", title_text=unit)
    return charts.style(fig, height=260, legend=False)
