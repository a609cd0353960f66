"""The dashboard's charts that show statuses or the portfolio's structure.

Every status is drawn in its colour from :mod:`portfolio.palette` (keyed by the stored code, so a
filter never changes what a colour means) and, where the palette gives one, with its greyscale
pattern. Used by the Übersicht and the Förderung pages, which must show the same chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go

from db.enums import ApplicationStatus
from portfolio import palette
from portfolio.i18n import fmt_eur, fmt_eur_short, fmt_int
from portfolio.queries.common import pick
from portfolio.queries.overview import OverviewFigures
from portfolio.ui.components import charts
from portfolio.ui.components.safe_text import chart_text
from portfolio.ui.runtime import Catalogue, lang
from portfolio.vocab import label

TEXTS = {
    "de": {
        "amount": "Betrag",
        "projects": "Projekte",
        "cost": "Gesamtkosten",
        "applications": "Anträge",
        "million": " Mio. €",
    },
    "en": {
        "amount": "Amount",
        "projects": "Projects",
        "cost": "Total cost",
        "applications": "Applications",
        "million": "m €",
    },
}
SHORT = 26
"""Axis labels longer than this are cut with "…"; the full text is in the hover."""
BAR_COLOUR = palette.PROJECT_STATUS_COLOURS["implementation"]


tx = Catalogue(TEXTS)


def marker(table: Mapping[str, str], code: str) -> dict[str, Any]:
    """A bar's marker in the status's fixed colour, hatched where the palette says so."""
    shape = palette.pattern(code)
    fill = palette.colour(table, code)
    out: dict[str, Any] = {"color": fill, "line": {"color": charts.FRAME, "width": 0.5}}
    if shape:
        out["pattern"] = {"shape": shape, "fgcolor": palette.TEXT_ON_LIGHT, "fgopacity": 0.45}
    return out


def short(text: str, width: int = SHORT) -> str:
    """``text`` cut to ``width`` characters with "…" (then escaped for plotly)."""
    text = " ".join(text.split())
    return chart_text(text if len(text) <= width else text[: width - 1].rstrip() + "…")


def pipeline(extra: OverviewFigures) -> go.Figure:
    """Applications per programme, stacked by status in the life cycle's order and colours."""
    language = lang()
    full = {p.programme_key: p.programme_name for p in extra.pipeline}
    programmes = sorted(full, key=lambda k: full[k].casefold())
    axis = {k: short(full[k]) for k in programmes}
    fig = go.Figure()
    for status in ApplicationStatus:
        rows = {p.programme_key: p for p in extra.pipeline if p.status == status}
        if not rows:
            continue
        name = label(ApplicationStatus, status, language)
        amounts = [rows[k].approved or rows[k].requested if k in rows else None for k in programmes]
        hover = [
            (
                f"<b>{chart_text(full[k])}</b><br>{chart_text(name)}: "
                f"{fmt_int(rows[k].applications, language)} {tx('applications')}<br>"
                f"{tx('amount')}: {fmt_eur(amounts[i] or Decimal(0), language, cents=False)}"
            )
            if k in rows
            else ""
            for i, k in enumerate(programmes)
        ]
        fig.add_bar(
            y=[axis[k] for k in programmes],
            # plotly draws floats; the exact amount is in the hover text
            x=[float(a) / 1e6 if a is not None else 0.0 for a in amounts],
            name=name,
            orientation="h",
            marker=marker(palette.APPLICATION_STATUS_COLOURS, status.value),
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickformat=",.1~f", ticksuffix=tx("million"))
    fig = charts.style(fig, height=max(300, 34 * len(programmes) + 170))
    # stacked bars list their legend backwards by default; the life cycle reads top-down
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "traceorder": "normal"}
    )
    return fig


def field_bars(extra: OverviewFigures) -> go.Figure:
    """Projects per action field, grouped by theme, longest bar first within a theme.

    Replaces a treemap whose 6 px labels and colour bar could not be read: the bar's length is
    the number of projects, its label the count and the total cost.
    """
    language = lang()
    fields = sorted(extra.fields, key=lambda f: (f.theme_key, -f.projects, f.field_key))
    themes = [
        charts.wrap(f"{f.theme_key} {pick(f.theme_name, f.theme_name_en, language)}", 16)
        for f in fields
    ]
    names = [
        short(f"{f.field_key} {pick(f.field_name, f.field_name_en, language)}", 30) for f in fields
    ]
    fig = go.Figure(
        go.Bar(
            x=[int(f.projects) for f in fields],
            y=[themes, names],
            orientation="h",
            marker={"color": BAR_COLOUR},
            text=[
                f"{fmt_int(f.projects, language)} · {fmt_eur_short(f.total_cost, language)}"
                for f in fields
            ],
            textposition="outside",
            cliponaxis=False,
            customdata=[
                f"<b>{chart_text(pick(f.field_name, f.field_name_en, language))}</b><br>"
                f"{tx('projects')}: {fmt_int(f.projects, language)}<br>"
                f"{tx('cost')}: {fmt_eur(f.total_cost, language, cents=False)}"
                for f in fields
            ],
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", tickfont={"size": 12})
    top = max((f.projects for f in fields), default=1)
    fig.update_xaxes(range=[0, top * 2.1], tickformat=",d", title={"text": tx("projects")})
    fig.update_layout(margin={"l": 8, "r": 8, "t": 8, "b": 8})
    return charts.style(fig, height=max(320, 26 * len(fields) + 90), legend=False)
