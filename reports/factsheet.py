"""The project fact sheet (Steckbrief) as a PDF: A4, one or two pages, in the brief's look (its
fonts, colours, tables and page footer from :mod:`reports.pdf`), German by default.

Every value is formatted with :mod:`portfolio.i18n` and every code labelled with
:mod:`portfolio.vocab`; user text is escaped for reportlab's paragraph markup (it is data, never
markup) and wraps instead of being cut. Traffic lights are a coloured mark plus the word. The
KPIs get a small line chart each (measurements, baseline and target), as on the project page.

The sheet stays within two pages: when the full content would not fit, long texts are shortened
and long lists cut (each saying so) step by step until it does.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from db.enums import MilestoneState, ParticipationRole, Priority, PublishGroup, SpatialScope
from portfolio.i18n import fmt_date, fmt_eur, fmt_int, fmt_number
from portfolio.queries.common import pick
from portfolio.queries.factsheet import FactSheet, KpiLine, MilestoneLine
from portfolio.vocab import field_label, label
from reports.pdf import (
    BLUE,
    LIGHT_COLOURS,
    WIDTH,
    Styles,
    a4_document,
    numbered_canvas,
    table_style,
)
from reports.texts import application_label, light_label, status_label, tx

MAX_PAGES = 2
TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "kicker": "Projektsteckbrief · Smart City Bochum",
        "doc_title": "Projektsteckbrief {key}",
        "internal": "Interne Fassung mit Angaben, die nicht veröffentlicht werden.",
        "internal_short": "intern",
        "public": "Veröffentlichte Fassung.",
        "archived": "Dieses Projekt ist archiviert.",
        "stage": "Projektphase",
        "period": "Laufzeit",
        "spatial": "Räumliche Wirkung",
        "s_partners": "Partner",
        "s_funding": "Kosten und Förderung",
        "s_milestones": "Meilensteine",
        "s_kpis": "Wirkung (KPIs)",
        "s_status": "Status",
        "organisation": "Organisation",
        "state": "Zustand",
        "kpi": "Kennzahl",
        "latest": "Letzter Wert",
        "measurements": "Messwerte",
        "no_measurements": "noch keine Messwerte",
        "report_of": "Letzter Statusbericht vom {day}",
        "no_report": "Noch kein Statusbericht.",
        "no_funding": "Keine Förderlinien.",
        "more": "… und {count} weitere (vollständig im Dashboard).",
        "shortened": "(gekürzt; vollständig im Dashboard)",
        "charts_more": "Verläufe weiterer Kennzahlen im Dashboard.",
    },
    "en": {
        "kicker": "Project fact sheet · Smart City Bochum",
        "doc_title": "Project fact sheet {key}",
        "internal": "Internal version with details that are not published.",
        "internal_short": "internal",
        "public": "Published version.",
        "archived": "This project is archived.",
        "stage": "Stage",
        "period": "Period",
        "spatial": "Spatial effect",
        "s_partners": "Partners",
        "s_funding": "Costs and funding",
        "s_milestones": "Milestones",
        "s_kpis": "Impact (KPIs)",
        "s_status": "Status",
        "organisation": "Organisation",
        "state": "State",
        "kpi": "Indicator",
        "latest": "Latest value",
        "measurements": "Measurements",
        "no_measurements": "no measurements yet",
        "report_of": "Newest status report of {day}",
        "no_report": "No status report yet.",
        "no_funding": "No funding lines.",
        "more": "… and {count} more (all of them in the dashboard).",
        "shortened": "(shortened; in full in the dashboard)",
        "charts_more": "Trends of further indicators in the dashboard.",
    },
}
STATE_COLOURS = {
    MilestoneState.DONE.value: LIGHT_COLOURS["green"],
    MilestoneState.DUE_SOON.value: LIGHT_COLOURS["yellow"],
    MilestoneState.OVERDUE.value: LIGHT_COLOURS["red"],
    MilestoneState.OPEN.value: LIGHT_COLOURS["none"],
}
BASELINE_COLOUR = colors.HexColor("#a7a9ac")
TARGET_COLOUR = LIGHT_COLOURS["green"]
MARK = "\u25cf"  # ●


@dataclass(frozen=True)
class Limits:
    """How much of the long content goes on the sheet (None: all of it)."""

    text: int | None = None  # characters of each free text
    rows: int | None = None  # rows of each list
    charts: int = 4  # KPI charts


STEPS = (
    Limits(),
    Limits(text=1200, rows=12, charts=4),
    Limits(text=600, rows=8, charts=2),
    Limits(text=300, rows=5, charts=2),
    Limits(text=160, rows=3, charts=0),
)


def render_pdf(sheet: FactSheet, *, lang: str = "de") -> bytes:
    """The fact sheet as PDF bytes, in German (``lang="de"``) or English, on at most two pages."""
    lang = "en" if lang == "en" else "de"
    data = b""
    for limits in STEPS:
        data, pages = _Sheet(sheet, lang, limits).build()
        if pages <= MAX_PAGES:
            break
    return data


def file_name(project_key: str, lang: str = "de") -> str:
    """``steckbrief_SC-001.pdf`` (``fact-sheet_SC-001.pdf`` in English)."""
    return f"{'fact-sheet' if lang == 'en' else 'steckbrief'}_{project_key}.pdf"


def _shorten(text: str, limit: int | None) -> tuple[str, bool]:
    """``text`` up to ``limit`` characters, cut at a word, and whether it was shortened."""
    if limit is None or len(text) <= limit:
        return text, False
    cut = text[:limit].rsplit(None, 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.-–") + " …", True


class _Sheet:
    def __init__(self, sheet: FactSheet, lang: str, limits: Limits) -> None:
        self.s = sheet
        self.lang = lang
        self.limits = limits
        self.st = Styles()
        self.story: list[Flowable] = []
        self.label_style = ParagraphStyle(
            "label", parent=self.st.cell, fontName=self.st.bold, textColor=BLUE
        )
        self.kicker = ParagraphStyle(
            "kicker", parent=self.st.small, fontName=self.st.bold, textColor=BLUE
        )
        self.heading = ParagraphStyle(
            "fs_title", parent=self.st.h1, fontSize=16, leading=20, spaceBefore=2, spaceAfter=4
        )

    # -- words and values -------------------------------------------------------------------------

    def t(self, name: str, /, **params: Any) -> str:
        own = TEXTS[self.lang].get(name)
        if own is None:
            return tx(self.lang, name, **params)
        return own.format(**params) if params else own

    def f(self, name: str) -> str:
        return field_label(name, self.lang)

    def d(self, value: dt.date | None) -> str:
        return fmt_date(value, self.lang)

    def e(self, value: Decimal | None) -> str:
        return fmt_eur(value, self.lang)

    def n(self, value: Decimal | None) -> str:
        return fmt_number(value, self.lang)

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        """User text (or any text) as a paragraph: escaped, so it shows as written."""
        return Paragraph(escape(text), style or self.st.cell)

    def mark(
        self, colour: colors.Color, word: str, style: ParagraphStyle | None = None
    ) -> Paragraph:
        """A coloured mark and its word (the colour alone never carries the meaning)."""
        return Paragraph(
            f'<font color="{colour.hexval()}">{MARK}</font> {escape(word)}', style or self.st.cell
        )

    def light(self, code: str | None, style: ParagraphStyle | None = None) -> Paragraph:
        colour = LIGHT_COLOURS.get(code or "none", LIGHT_COLOURS["none"])
        return self.mark(colour, light_label(code, self.lang), style)

    def section(self, key: str) -> None:
        self.story.append(CondPageBreak(25 * mm))
        self.story.append(self.p(self.t(key), self.st.h2))

    def text_block(self, text: str | None) -> None:
        if not text:
            self.story.append(self.p("–", self.st.body))
            return
        shown, cut = _shorten(text, self.limits.text)
        for part in shown.split("\n"):
            if part.strip():
                self.story.append(self.p(part, self.st.body))
        if cut:
            self.story.append(self.p(self.t("shortened"), self.st.note))

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        *,
        numeric: Sequence[int] = (),
        more: int = 0,
    ) -> None:
        if not rows:
            self.story.append(self.p(self.t("none"), self.st.note))
            return
        scale = WIDTH / sum(widths)
        head = [
            self.p(h, self.st.right if i in numeric else self.st.cell) for i, h in enumerate(header)
        ]
        table = Table([head, *rows], colWidths=[w * scale for w in widths], repeatRows=1)
        table.setStyle(TableStyle(table_style(self.st, numeric=numeric)))
        self.story.append(table)
        if more:
            self.story.append(self.p(self.t("more", count=fmt_int(more, self.lang)), self.st.note))

    def cut(self, rows: Sequence[Any]) -> tuple[list[Any], int]:
        limit = self.limits.rows
        if limit is None or len(rows) <= limit:
            return list(rows), 0
        return list(rows[:limit]), len(rows) - limit

    # -- sections ---------------------------------------------------------------------------------

    def head(self) -> None:
        s = self.s
        self.story += [
            self.p(self.t("kicker"), self.kicker),
            Spacer(1, 1.5 * mm),
            self.p(f"{s.key} · {s.title}", self.heading),
        ]
        note = self.t("public" if s.public else "internal")
        if s.archived:
            note = f"{note} {self.t('archived')}"
        self.story.append(self.p(note, self.st.note))
        self.story.append(Spacer(1, 3 * mm))
        facts: list[tuple[str, Paragraph]] = [
            (
                self.f("theme"),
                self.p(f"{s.theme_key} {pick(s.theme_name, s.theme_name_en, self.lang)}"),
            ),
            (
                self.f("action_field_id"),
                self.p(
                    f"{s.action_field_key} "
                    f"{pick(s.action_field_name, s.action_field_name_en, self.lang)}"
                ),
            ),
            (self.t("stage"), self.p(status_label(s.status, self.lang))),
            (self.t("period"), self.p(f"{self.d(s.start_date)} – {self.d(s.end_date)}")),
            (self.t("spatial"), self.p(self.spatial())),
        ]
        if s.lead is not None or not s.public:
            facts.append((self.f("lead_organisation_id"), self.p(s.lead or "–")))
        if s.priority is not None:
            facts.append((self.f("priority"), self.p(label(Priority, s.priority, self.lang))))
        if s.responsible_person is not None:
            facts.append((self.f("responsible_person"), self.p(s.responsible_person or "–")))
        facts.append((self.f("repository_url"), self.p(s.repository_url or "–")))
        if s.shows(PublishGroup.STATUS):
            facts.append((self.f("overall"), self.light(s.report.overall if s.report else None)))
        rows: list[list[Any]] = []
        for i in range(0, len(facts), 2):
            pair = facts[i : i + 2]
            row: list[Any] = []
            for name, value in pair:
                row += [self.p(name, self.label_style), value]
            if len(pair) == 1:
                row += ["", ""]
            rows.append(row)
        widths = [0.23 * WIDTH, 0.27 * WIDTH, 0.23 * WIDTH, 0.27 * WIDTH]
        grid = Table(rows, colWidths=widths)
        grid.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEABOVE", (0, 0), (-1, 0), 0.6, BLUE),
                    ("LINEBELOW", (0, -1), (-1, -1), 0.6, BLUE),
                    ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.HexColor("#c5ced9")),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        self.story.append(grid)

    def spatial(self) -> str:
        s = self.s
        scope = label(SpatialScope, s.spatial_scope, self.lang) if s.spatial_scope else ""
        parts = [p for p in (scope, s.spatial_note or "") if p]
        return " – ".join(parts) or "–"

    def description(self) -> None:
        s = self.s
        if not s.shows(PublishGroup.DESCRIPTION):
            return
        self.story.append(self.p(self.f("summary"), self.st.h2))
        self.text_block(s.summary)
        self.story.append(self.p(self.f("goals"), self.st.h2))
        self.text_block(s.goals)

    def partners(self) -> None:
        s = self.s
        if s.partners is None:
            return
        self.section("s_partners")
        shown, more = self.cut(s.partners)
        internal = not s.public
        header = [self.t("organisation"), self.f("role")]
        widths: list[float] = [95, 45]
        if internal:
            header += [self.f("contribution_cash"), self.f("contribution_in_kind")]
            widths += [35, 35]
        rows = []
        for partner in shown:
            row: list[Any] = [
                self.p(partner.organisation),
                self.p(label(ParticipationRole, partner.role, self.lang)),
            ]
            if internal:
                row += [self.e(partner.cash), self.e(partner.in_kind)]
            rows.append(row)
        self.table(header, rows, widths, numeric=(2, 3) if internal else (), more=more)

    def funding(self) -> None:
        s = self.s
        f = s.funding
        if f is None:
            return
        self.section("s_funding")
        figures: list[tuple[str, str]] = [
            (self.t("total_cost"), self.e(f.total_cost)),
            (self.t("eligible_cost"), self.e(f.eligible_cost)),
        ]
        if f.requested is not None:
            figures.append((self.t("funding_requested"), self.e(f.requested)))
        figures.append((self.t("funding_approved"), self.e(f.approved)))
        tiles = Table(
            [
                [self.p(name, self.st.small) for name, _ in figures],
                [self.p(value, self.tile_value()) for _, value in figures],
            ],
            colWidths=[WIDTH / len(figures)] * len(figures),
        )
        tiles.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f0f3f7")),
                    ("LINEBELOW", (0, -1), (-1, -1), 0.6, BLUE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ]
            )
        )
        self.story += [tiles, Spacer(1, 2.5 * mm)]
        if not f.lines:
            self.story.append(self.p(self.t("no_funding"), self.st.note))
            return
        shown, more = self.cut(f.lines)
        internal = not s.public
        header = [self.t("programme"), self.t("status")]
        widths: list[float] = [70, 35]
        numeric: list[int] = []
        if internal:
            header.append(self.f("amount_requested"))
            widths.append(28)
        header.append(self.f("amount_approved"))
        widths.append(28)
        if internal:
            header.append(self.t("paid_out"))
            widths.append(28)
        numeric = list(range(2, len(header)))
        rows = []
        for line in shown:
            row: list[Any] = [
                self.p(line.programme),
                self.p(application_label(line.status, self.lang)),
            ]
            if internal:
                row.append(self.e(line.requested))
            row.append(self.e(line.approved))
            if internal:
                row.append(self.e(line.paid))
            rows.append(row)
        self.table(header, rows, widths, numeric=numeric, more=more)

    def tile_value(self) -> ParagraphStyle:
        return ParagraphStyle(
            "tile", parent=self.st.body, fontName=self.st.bold, fontSize=10.5, leading=13
        )

    def milestones(self) -> None:
        s = self.s
        if s.milestones is None:
            return
        self.section("s_milestones")
        shown, more = self.cut_milestones(s.milestones)
        rows = [
            [
                self.d(m.due),
                self.p(m.title),
                self.d(m.done),
                self.mark(
                    STATE_COLOURS.get(m.state, LIGHT_COLOURS["none"]),
                    label(MilestoneState, m.state, self.lang),
                ),
            ]
            for m in shown
        ]
        self.table(
            [self.f("due_date"), self.t("milestone"), self.f("done_date"), self.t("state")],
            rows,
            [20, 100, 20, 30],
            more=more,
        )

    def cut_milestones(self, stones: Sequence[MilestoneLine]) -> tuple[list[MilestoneLine], int]:
        """All of them, or (when cut) the open ones first and then the latest reached ones, in
        the order of their due dates."""
        limit = self.limits.rows
        if limit is None or len(stones) <= limit:
            return list(stones), 0
        open_ = [m for m in stones if m.done is None][:limit]
        done = [m for m in stones if m.done is not None]
        room = limit - len(open_)
        keep = open_ + (done[-room:] if room > 0 else [])
        return sorted(keep, key=lambda m: (m.due, m.key)), len(stones) - len(keep)

    def kpis(self) -> None:
        s = self.s
        if s.kpis is None:
            return
        self.section("s_kpis")
        shown, more = self.cut(s.kpis)
        rows = []
        for k in shown:
            latest = k.latest
            rows.append(
                [
                    self.p(k.name),
                    self.p(k.unit),
                    self.n(k.baseline),
                    self.p(
                        f"{self.n(latest.value)} ({self.d(latest.measured_on)})"
                        if latest
                        else self.t("no_measurements"),
                        self.st.right,
                    ),
                    self.p(
                        self.n(k.target) + (f" ({self.d(k.target_date)})" if k.target_date else ""),
                        self.st.right,
                    ),
                ]
            )
        self.table(
            [
                self.t("kpi"),
                self.f("unit"),
                self.f("baseline"),
                self.t("latest"),
                self.f("target"),
            ],
            rows,
            [62, 22, 22, 32, 32],
            numeric=(2, 3, 4),
            more=more,
        )
        charted = [k for k in shown if k.measurements]
        charts = charted[: self.limits.charts]
        if charts:
            self.story.append(Spacer(1, 2.5 * mm))
            self.story.append(self.chart_grid(charts))
        if len(charted) > len(charts):
            self.story.append(self.p(self.t("charts_more"), self.st.note))

    def chart_grid(self, kpis: Sequence[KpiLine]) -> Flowable:
        cell = WIDTH / 2
        cells: list[list[Flowable]] = [
            [self.p(f"{k.name} ({k.unit})", self.st.small), self.chart(k, cell - 6)] for k in kpis
        ]
        rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
        if len(rows[-1]) == 1:
            rows[-1].append([])
        legend = Paragraph(
            " &nbsp; ".join(
                f'<font color="{c.hexval()}">{line}</font> {escape(word)}'
                for c, line, word in (
                    (BLUE, "\u2014\u25cf\u2014", self.t("measurements")),
                    (BASELINE_COLOUR, "- - -", self.f("baseline")),
                    (TARGET_COLOUR, "- - -", self.f("target")),
                )
            ),
            self.st.small,
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

    def chart(self, k: KpiLine, width: float) -> Drawing:
        """Measurements over time, with the baseline and the target as dashed lines (to the
        target date, where there is one)."""
        height = 30 * mm
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
        drawing = Drawing(width, height)
        plot = LinePlot()
        plot.x, plot.y = 38, 14
        plot.width, plot.height = width - 48, height - 20
        plot.data = series
        plot.joinedLines = 1
        for i, (colour, dash) in enumerate(styles):
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
        plot.xValueAxis.labelTextFormat = lambda v: self.d(dt.date.fromordinal(int(v)))
        plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = y_min, y_max
        plot.yValueAxis.labelTextFormat = lambda v: fmt_number(v, self.lang)
        plot.yValueAxis.maximumTicks = 4
        for axis in (plot.xValueAxis, plot.yValueAxis):
            axis.labels.fontName = self.st.font
            axis.labels.fontSize = 6.5
            axis.strokeColor = colors.HexColor("#9aa5b1")
        plot.xValueAxis.labels.dy = -2
        plot.xValueAxis.labels[0].boxAnchor = "nw"  # the first day and the last, inside
        plot.xValueAxis.labels[1].boxAnchor = "ne"
        plot.yValueAxis.gridStrokeColor = colors.HexColor("#e3e8ee")
        plot.yValueAxis.visibleGrid = 1
        drawing.add(plot)
        return drawing

    def status(self) -> None:
        s = self.s
        if not s.shows(PublishGroup.STATUS):
            return
        self.section("s_status")
        r = s.report
        if r is None:
            self.story.append(self.p(self.t("no_report"), self.st.body))
            return
        self.story.append(self.p(self.t("report_of", day=self.d(r.report_date)), self.st.body))
        self.story.append(Spacer(1, 1.5 * mm))
        lights: list[tuple[str, str | None]] = [("overall", r.overall)]
        if not s.public:
            lights += [("schedule", r.schedule), ("budget", r.budget), ("funding", r.funding)]
        cells = [
            [self.p(self.f(name), self.label_style), self.light(code)] for name, code in lights
        ]
        row = [c for pair in cells for c in pair]
        widths = [0.15 * WIDTH, 0.1 * WIDTH] * len(lights)
        table = Table([row], colWidths=widths)
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEABOVE", (0, 0), (-1, 0), 0.25, colors.HexColor("#c5ced9")),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.25, colors.HexColor("#c5ced9")),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        self.story.append(table)
        if r.summary:
            self.story.append(Spacer(1, 1.5 * mm))
            self.text_block(r.summary)

    # -- the document -----------------------------------------------------------------------------

    def build(self) -> tuple[bytes, int]:
        """The PDF bytes and the number of pages."""
        self.head()
        self.description()
        self.partners()
        self.funding()
        self.kpis()
        self.milestones()
        self.status()
        s, lang = self.s, self.lang
        out = io.BytesIO()
        title = self.t("doc_title", key=s.key)
        doc = a4_document(out, title=f"{title} – {s.title}", subject=title, lang=lang)
        canvas = numbered_canvas(
            self.st.font,
            lang,
            left=title if s.public else f"{title} · {self.t('internal_short')}",
            centre=tx(lang, "footer", day=self.d(s.as_of)),
        )
        doc.build(self.story, canvasmaker=canvas)
        return out.getvalue(), int(doc.page)
