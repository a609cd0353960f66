"""Plotly in the dashboard's look and in German formats (separators, dates, hover texts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from portfolio.ui.components.safe_text import chart_text
from portfolio.ui.runtime import lang

PALETTE = ["#1f5f8b", "#4e9f9a", "#e0a458", "#8c6bb1", "#c8553d", "#6c8ead", "#9bbf85", "#a7a9ac"]
SEQUENTIAL = [
    [0.0, "#f1f5f9"],
    [0.25, "#c9dbe9"],
    [0.5, "#8fb3d1"],
    [0.75, "#4f82ae"],
    [1.0, "#1b4a6e"],
]
FONT = "Source Sans Pro, Helvetica Neue, Arial, sans-serif"
FRAME = "#ffffff"
"""Lines between bar segments and around marks: the page's background."""


def separators() -> str:
    """Plotly's decimal and thousands separators: "1.234,5" in German."""
    return ",." if lang() == "de" else ".,"


def date_format() -> str:
    return "%d.%m.%Y" if lang() == "de" else "%d/%m/%Y"


def style(fig: go.Figure, *, height: int = 360, legend: bool = True) -> go.Figure:
    fig.update_layout(
        separators=separators(),
        height=height,
        margin={"l": 8, "r": 8, "t": 36, "b": 8},
        font={"family": FONT, "size": 13, "color": "#1e2a35"},
        colorway=PALETTE,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        hoverlabel={"font": {"family": FONT}},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    )
    return fig


def wrap(text: str, width: int = 18) -> str:
    """Break a long axis label into lines at spaces (each line escaped for plotly)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + len(word) < width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(chart_text(line) for line in lines)


def money_axis(fig: go.Figure, axis: str = "y") -> None:
    """Euro amounts on an axis: "1,5 Mio. €"-style ticks are not plotly's; use full grouping."""
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    if lang() == "de":
        update(tickformat=",.0f", ticksuffix=" €", separatethousands=True)
    else:
        update(tickformat=",.0f", tickprefix="€", separatethousands=True)


def date_axis(fig: go.Figure, axis: str = "x") -> None:
    update = fig.update_xaxes if axis == "x" else fig.update_yaxes
    update(type="date", tickformat=date_format(), hoverformat=date_format())


def today_line(fig: go.Figure, day: dt.date, label: str) -> None:
    """A vertical line at ``day`` over the whole plot (a shape: safe on date axes)."""
    iso = day.isoformat()
    fig.add_shape(
        type="line",
        x0=iso,
        x1=iso,
        y0=0,
        y1=1,
        yref="paper",
        line={"color": "#c8553d", "width": 2, "dash": "dot"},
    )
    fig.add_annotation(
        x=iso,
        y=1,
        yref="paper",
        text=label,
        showarrow=False,
        yanchor="bottom",
        font={"color": "#c8553d"},
    )


def show(fig: go.Figure, *, key: str | None = None, **kwargs: Any) -> None:
    st.plotly_chart(
        fig,
        key=key,
        config={"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]},
        **kwargs,
    )
