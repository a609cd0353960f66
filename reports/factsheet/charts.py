"""The KPI charts of the fact sheet: a small line chart each (the measurements over time, the
baseline and the target as dashed lines, to the target date where there is one), two a row,
with one legend below them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table, TableStyle

from portfolio.i18n import fmt_number
from portfolio.queries.factsheet import KpiLine
from reports.factsheet.writer import SheetWriter
from reports.pdf import BLUE, LIGHT_COLOURS, WIDTH

BASELINE_COLOUR = colors.HexColor("#a7a9ac")
TARGET_COLOUR = LIGHT_COLOURS["green"]
CHART_HEIGHT = 30 * mm


def chart_grid(w: SheetWriter, kpis: Sequence[KpiLine]) -> Flowable:
    """The charts of ``kpis``, two a row, and the legend, kept together on one page."""
    cell = WIDTH / 2
    cells: list[list[Flowable]] = [
        [w.p(f"{k.name} ({k.unit})", w.st.small), kpi_chart(w, k, cell - 6)] for k in kpis
    ]
    rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
    if len(rows[-1]) == 1:
        rows[-1].append([])
    legend = Paragraph(
        " &nbsp; ".join(
            f'<font color="{c.hexval()}">{line}</font> {escape(word)}'
            for c, line, word in (
                (BLUE, "\u2014\u25cf\u2014", w.t("measurements")),
                (BASELINE_COLOUR, "- - -", w.f("baseline")),
                (TARGET_COLOUR, "- - -", w.f("target")),
            )
        ),
        w.st.small,
    )
    grid = Table([*rows, [legend, ""]], colWidths=[cell, cell])
    grid.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("SPAN", (0, -1), (-1, -1)),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return KeepTogether([grid])


@dataclass(frozen=True)
class ChartData:
    """A KPI's lines (the measurements first) with their colour and dash, and the span shown."""

    series: list[list[tuple[int, float]]]
    styles: list[tuple[colors.Color, Any]]
    x_range: tuple[int, int]
    y_range: tuple[float, float]


def chart_data(k: KpiLine) -> ChartData:
    """The lines of ``k``'s chart: days as ordinals; the span padded so no line sits on an edge
    (and starting at zero when the lowest value is close to it)."""
    points = [(m.measured_on.toordinal(), float(m.value)) for m in k.measurements]
    xs = [x for x, _ in points]
    if k.target_date is not None and k.target is not None:
        xs.append(k.target_date.toordinal())
    x_min, x_max = min(xs), max(xs)
    if x_min == x_max:
        x_min, x_max = x_min - 30, x_max + 30
    ys = [y for _, y in points]
    series: list[list[tuple[int, float]]] = [points]
    styles: list[tuple[colors.Color, Any]] = [(BLUE, None)]
    for value, colour in ((k.baseline, BASELINE_COLOUR), (k.target, TARGET_COLOUR)):
        if value is not None:
            series.append([(x_min, float(value)), (x_max, float(value))])
            styles.append((colour, (2, 2)))
            ys.append(float(value))
    y_min, y_max = min(ys), max(ys)
    pad = (y_max - y_min) * 0.08 or max(abs(y_max) * 0.1, 1.0)
    y_min = 0.0 if 0 <= y_min <= pad else y_min - pad
    y_max += pad
    return ChartData(series, styles, (x_min, x_max), (y_min, y_max))


def kpi_chart(w: SheetWriter, k: KpiLine, width: float) -> Drawing:
    """Measurements over time, with the baseline and the target as dashed lines (to the
    target date, where there is one)."""
    data = chart_data(k)
    (x_min, x_max), (y_min, y_max) = data.x_range, data.y_range
    drawing = Drawing(width, CHART_HEIGHT)
    plot = LinePlot()
    plot.x, plot.y = 38, 14
    plot.width, plot.height = width - 48, CHART_HEIGHT - 20
    plot.data = data.series
    plot.joinedLines = 1
    for i, (colour, dash) in enumerate(data.styles):
        plot.lines[i].strokeColor = colour
        plot.lines[i].strokeWidth = 1.4 if i == 0 else 0.8
        if dash:
            plot.lines[i].strokeDashArray = dash
    plot.lines[0].symbol = makeMarker("FilledCircle")
    plot.lines[0].symbol.size = 3.5
    plot.lines[0].symbol.fillColor = BLUE
    plot.lines[0].symbol.strokeColor = BLUE
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = x_min, x_max
    plot.xValueAxis.valueSteps = [x_min, x_max]
    plot.xValueAxis.labelTextFormat = lambda v: w.d(dt.date.fromordinal(int(v)))
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = y_min, y_max
    plot.yValueAxis.labelTextFormat = lambda v: fmt_number(v, w.lang)
    plot.yValueAxis.maximumTicks = 4
    _style_axes(w, plot)
    drawing.add(plot)
    return drawing


def _style_axes(w: SheetWriter, plot: LinePlot) -> None:
    """Small labels in the sheet's font, grey axes, the first day and the last inside the plot,
    and a light grid."""
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName = w.st.font
        axis.labels.fontSize = 6.5
        axis.strokeColor = colors.HexColor("#9aa5b1")
    plot.xValueAxis.labels.dy = -2
    plot.xValueAxis.labels[0].boxAnchor = "nw"  # the first day and the last, inside
    plot.xValueAxis.labels[1].boxAnchor = "ne"
    plot.yValueAxis.gridStrokeColor = colors.HexColor("#e3e8ee")
    plot.yValueAxis.visibleGrid = 1
