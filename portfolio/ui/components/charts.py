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
"""Lines between the tiles of a treemap: the page's background, so tiles read as cards."""
ROOT_ID = "__portfolio_root__"


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
    calm_hierarchies(fig)
    return fig


def calm_hierarchies(fig: go.Figure) -> None:
    """Treemaps without plotly's dark frame.

    With a colour scale plotly paints the implied root of a treemap with several top-level
    nodes in its default line colour (#444), a dark frame around and between the tiles, and
    ignores ``root.color``. An explicit root with the scale's lowest value takes the scale's
    lightest colour instead; thin lines in the page background separate the tiles.
    """
    for trace in fig.data:
        if trace.type != "treemap":
            continue
        if trace.marker.line.color is None:
            trace.marker.line = {"color": FRAME, "width": 1}
        _explicit_root(trace)


def _explicit_root(trace: Any) -> None:
    colours = list(trace.marker.colors) if trace.marker.colors is not None else []
    parents = list(trace.parents) if trace.parents is not None else []
    numeric = bool(colours) and all(isinstance(c, int | float) for c in colours)
    if not numeric or sum(1 for p in parents if not p) < 2 or len(colours) != len(parents):
        return
    ids = list(trace.ids) if trace.ids is not None else list(trace.labels)
    n = len(ids)
    values = list(trace.values) if trace.values is not None else None
    low = trace.marker.cmin if trace.marker.cmin is not None else min(colours)
    trace.ids = [*ids, ROOT_ID]
    trace.labels = [*list(trace.labels), ""]
    trace.parents = [p if p else ROOT_ID for p in parents] + [""]
    trace.marker.colors = [*colours, low]
    if trace.maxdepth is not None and trace.maxdepth > 0:
        trace.maxdepth += 1  # plotly does not count an implied root, but counts this one
    if values is not None:
        top = sum(v for v, p in zip(values, parents, strict=True) if not p)
        trace.values = [*values, top if trace.branchvalues == "total" else 0]
    if trace.customdata is not None:
        trace.customdata = [*list(trace.customdata), ""]
    # the root has no text of its own and no hover label (plotly shows none for a point whose
    # template is empty and whose hoverinfo is "skip")
    if isinstance(trace.texttemplate, str):
        trace.texttemplate = [trace.texttemplate] * n + [" "]
    if isinstance(trace.hovertemplate, str):
        trace.hovertemplate = [trace.hovertemplate] * n + [""]
    hoverinfo = trace.hoverinfo if isinstance(trace.hoverinfo, str) else "label+text+value+name"
    trace.hoverinfo = [hoverinfo] * n + ["skip"]


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
