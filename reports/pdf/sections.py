"""The sections of the brief's PDF after page 1: the cover with its contents list, the key
figures, the Leitthemen with their chart, funding, milestones, what changed, risks and the
annex. Their words come from :mod:`reports.brief.wording`, their look from
:mod:`reports.pdf.layout`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.tableofcontents import TableOfContents

from db.enums import ProjectStatus
from portfolio import palette
from portfolio.changes import Event
from reports.brief.model import AnnexRow, MilestoneRow
from reports.brief.wording import (
    ANNEX,
    DECISIONS,
    DUTIES,
    GRANT_CHANGES,
    MILESTONES,
    PIPELINE,
    RISKS,
    THEMES,
    WARNINGS,
    Columns,
)
from reports.pdf.layout import LAND_WIDTH, LIGHTS, WIDTH, fit_text, light_mark, status_colour
from reports.pdf.story import PDF_LIST_LIMIT, Story, cut

CHANGES_PER_KIND = 8  # sentences per kind of change; all of them are in the Excel brief
ANNEX_CHUNK = 400


# -- page 2: cover details and contents -----------------------------------------------------------


def cover(s: Story) -> None:
    b, w, st = s.brief, s.w, s.st
    s.story += [
        Spacer(1, 12 * mm),
        Paragraph(escape(b.title()), st.title),
        Spacer(1, 6 * mm),
        Paragraph(escape(b.scope_label()), st.h1),
        Spacer(1, 4 * mm),
    ]
    rows = [
        [w.t("as_of"), w.d(b.as_of)],
        [w.t("since"), w.d(b.since)],
    ]
    table = Table(rows, colWidths=[45 * mm, 80 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (0, -1), st.bold),
                ("FONTNAME", (1, 0), (1, -1), st.font),
                ("FONTSIZE", (0, 0), (-1, -1), 12),
                ("LEADING", (0, 0), (-1, -1), 16),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    s.story += [table, Spacer(1, 6 * mm)]
    for note in [*w.cover_notes(), w.generated()]:
        s.story.append(s.note(note))
        s.story.append(Spacer(1, 2 * mm))
    s.story.append(Spacer(1, 8 * mm))
    s.story.append(Paragraph(escape(w.t("contents")), st.h2))
    toc = TableOfContents()
    toc.levelStyles = [st.toc]
    toc.dotsMinLevel = 0
    s.story.append(toc)


# -- the portfolio: key figures and Leitthemen ----------------------------------------------------


def key_figures(s: Story) -> None:
    b, w = s.brief, s.w
    s.section("s_key")
    rows = [
        [
            f.label(w.lang),
            w.figure(f.now, f.kind),
            w.figure(f.before, f.kind),
            w.delta(f.delta, f.kind),
        ]
        for f in b.key_figures()
    ]
    s.table(w.key_figures_header(), rows, [60, 40, 40, 35], numeric=(1, 2, 3))
    s.story.append(Spacer(1, 3 * mm))
    s.story.append(s.note(b.since_note()))


def themes(s: Story) -> None:
    b, w = s.brief, s.w
    s.section("s_themes")
    rows = []
    for t in b.themes:
        lights = "<br/>".join(
            f"{light_mark(k)} {escape(w.light_or_none(k))} {w.n(t.lights.get(k, 0))}"
            for k in LIGHTS
        )
        rows.append(
            [
                s.p(f"{t.key} {t.name}"),
                w.n(t.projects),
                w.e(t.total_cost),
                w.e(t.requested),
                w.e(t.approved),
                Paragraph(lights, s.st.cell),
            ]
        )
    total = [
        w.t("total"),
        w.n(sum(t.projects for t in b.themes)),
        w.e(sum((t.total_cost for t in b.themes), Decimal(0))),
        w.e(sum((t.requested for t in b.themes), Decimal(0))),
        w.e(sum((t.approved for t in b.themes), Decimal(0))),
        "",
    ]
    s.table(
        w.labels(THEMES.pdf),
        rows,
        [42, 17, 37, 37, 37, 38],
        numeric=(1, 2, 3, 4),
        total=total if len(b.themes) > 1 else None,
    )
    s.story.append(Spacer(1, 6 * mm))
    s.story.append(KeepTogether([s.p(w.t("chart_title"), s.st.h2), chart(s)]))


def chart(s: Story) -> Drawing:
    """Projects per Leitthema, stacked by status — as on the dashboard, drawn as vectors."""
    statuses = [str(x) for x in ProjectStatus]
    themes = s.brief.themes
    height = 40 + 22 * max(1, len(themes)) + 40
    drawing = Drawing(WIDTH, height)
    bars = HorizontalBarChart()
    bars.x, bars.y = 150, 45
    bars.width, bars.height = WIDTH - 170, 22 * max(1, len(themes))
    bars.data = [[t.by_status.get(code, 0) for t in reversed(themes)] for code in statuses]
    bars.categoryAxis.style = "stacked"
    bars.categoryAxis.categoryNames = [
        fit_text(f"{t.key} {t.name}", 140, s.st.font, 7) for t in reversed(themes)
    ]
    bars.categoryAxis.labels.fontName = s.st.font
    bars.categoryAxis.labels.fontSize = 7
    bars.categoryAxis.labels.boxAnchor = "e"
    bars.valueAxis.labels.fontName = s.st.font
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.valueMin = 0
    bars.valueAxis.labelTextFormat = lambda v: s.w.n(int(v))
    bars.barWidth = 14
    bars.groupSpacing = 6
    # Each status its palette colour and its count written on the bar, so the chart reads in
    # greyscale as well.
    bars.barLabelFormat = lambda v: s.w.n(int(v)) if v else ""
    bars.barLabels.fontName = s.st.font
    bars.barLabels.fontSize = 6.5
    bars.barLabels.boxTarget = "mid"
    bars.barLabels.boxAnchor = "c"
    for i, code in enumerate(statuses):
        hex_ = palette.colour(palette.PROJECT_STATUS_COLOURS, code)
        bars.bars[i].fillColor = colors.HexColor(hex_)
        bars.bars[i].strokeColor = colors.white
        bars.bars[i].strokeWidth = 0.3
        bars.barLabels[i].fillColor = colors.HexColor(palette.text_colour(hex_))
    drawing.add(bars)
    drawing.add(legend(s, statuses))
    return drawing


def legend(s: Story, statuses: Sequence[str]) -> Legend:
    """The chart's legend: each status in its colour, in two rows."""
    out = Legend()
    out.x, out.y = 0, 22
    out.fontName = s.st.font
    out.fontSize = 7
    out.alignment = "right"
    out.columnMaximum = 2
    out.deltax = WIDTH / 3
    out.deltay = 10
    out.dx = out.dy = 7
    out.strokeColor = colors.black
    out.strokeWidth = 0.3
    out.colorNamePairs = [(status_colour(code), s.w.status(code)) for code in statuses]
    return out


# -- funding --------------------------------------------------------------------------------------


def funding(s: Story) -> None:
    """The pipeline, the period's decisions and grant changes, the duties ahead, the warnings."""
    b, w = s.brief, s.w
    s.section("s_funding")
    s.heading(w.t("pipeline"))
    s.table(
        w.labels(PIPELINE.pdf),
        [
            [
                s.p(r.programme),
                s.p(w.application(r.status)),
                w.n(r.applications),
                w.e(r.requested),
                w.e(r.approved),
            ]
            for r in b.pipeline
        ],
        [55, 40, 18, 32, 32],
        numeric=(2, 3, 4),
    )
    event_table(s, "decisions", DECISIONS, b.decisions, lambda e: w.application(e.new))
    event_table(s, "grant_changes", GRANT_CHANGES, b.grant_changes, w.grant_change)
    duties(s)
    warnings(s)


def event_table(
    s: Story, key: str, columns: Columns, events: Sequence[Event], what: Callable[[Event], str]
) -> None:
    """Funding events of the period (decisions, grant changes): day, project, item, ``what``
    happened and the amount."""
    w = s.w
    s.listing(
        w.dated(key),
        w.labels(columns.pdf),
        events,
        lambda e: [
            w.d(e.day),
            s.p(f"{e.project_key} {e.project_title}"),
            s.p(f"{e.item_key or ''} {e.item_title or ''}"),
            s.p(what(e)),
            w.e(e.amount),
        ],
        [18, 55, 45, 25, 30],
        numeric=(4,),
    )


def duties(s: Story) -> None:
    w = s.w
    s.listing(
        w.dated("duties"),
        w.labels(DUTIES.pdf),
        s.brief.duties,
        lambda d: [
            w.d(d.due),
            w.duty(d),
            s.p(f"{d.project_key} {d.project_title}"),
            s.p(f"{d.item_key} {d.title}"),
        ],
        [18, 30, 70, 55],
    )


def warnings(s: Story) -> None:
    w = s.w
    s.listing(
        w.t("warnings"),
        w.labels(WARNINGS.pdf),
        s.brief.warnings,
        lambda f: [s.p(f"{f.project_key} {f.project_title}"), s.p(f.item_key), s.p(w.warning(f))],
        [55, 35, 85],
    )


# -- milestones, changes, risks -------------------------------------------------------------------


def milestone_table(s: Story, rows: Sequence[MilestoneRow], *, done: bool, overdue: bool) -> None:
    w = s.w
    header = w.labels(MILESTONES.pdf)
    widths = [18, 70, 70]
    if done:
        header.append(w.t("done_on"))
        widths.append(18)
    if overdue:
        header.append(w.t("days_overdue"))
        widths.append(18)
    data = []
    shown, more = cut(rows)
    for m in shown:
        row: list[Any] = [
            w.d(m.due),
            s.p(f"{m.project_key} {m.project_title}"),
            s.p(f"{m.key} {m.title}"),
        ]
        if done:
            row.append(w.d(m.done))
        if overdue:
            row.append(w.days_overdue(m.due))
        data.append(row)
    s.table(header, data, widths, numeric=(len(header) - 1,) if overdue else (), more=more)


def milestones(s: Story) -> None:
    b, w = s.brief, s.w
    s.section("s_milestones")
    s.heading(w.dated("reached"))
    milestone_table(s, b.reached, done=True, overdue=False)
    s.heading(w.dated("overdue"))
    milestone_table(
        s, sorted(b.overdue, key=lambda m: (m.due, m.project_key, m.key)), done=False, overdue=True
    )
    s.heading(w.dated("upcoming"))
    milestone_table(s, b.upcoming, done=False, overdue=False)


def changes(s: Story) -> None:
    """The period's changes as sentences, by kind; the first :data:`CHANGES_PER_KIND` of each."""
    w = s.w
    s.section("s_changes")
    s.story.append(Paragraph(escape(w.change_summary()), s.st.body))
    groups = s.brief.change_groups()
    if not groups:
        s.story.append(Spacer(1, 3 * mm))
        s.story.append(s.note(w.t("changes_none")))
        return
    for group in groups:
        s.story.append(CondPageBreak(30 * mm))
        s.story.append(Paragraph(escape(w.change_heading(group)), s.st.h2))
        for line in group.lines[:CHANGES_PER_KIND]:
            s.story.append(Paragraph(escape(line.text), s.st.item, bulletText="•"))
        more = len(group.lines) - CHANGES_PER_KIND
        if more > 0:
            s.story.append(s.note(w.more_rows(more)))


def risks(s: Story) -> None:
    w = s.w
    s.section("s_risks")
    s.story.append(Paragraph(escape(w.dated("risks_intro")), s.st.body))
    s.story.append(Spacer(1, 3 * mm))
    shown, more = cut(s.brief.risks)
    s.table(
        w.labels(RISKS.pdf),
        [
            [
                s.p(f"{r.project_key} {r.project_title}"),
                s.marked(r.light, w.light(r.light)),
                w.d(r.report_date),
                s.p(r.risk_text),
                s.p(r.decisions_needed or "–"),
            ]
            for r in shown
        ],
        [42, 16, 18, 58, 42],
        more=more,
    )


# -- the annex ------------------------------------------------------------------------------------


def annex_key(s: Story) -> str:
    """The annex's title: all projects, or the largest where the PDF lists only those."""
    return "s_annex_top" if len(s.brief.annex) > PDF_LIST_LIMIT else "s_annex"


def annex_shown(s: Story) -> list[AnnexRow]:
    """The projects the annex lists: all, or the largest by total cost (in key order), said in a
    note; every project is in the Excel version, and the totals stay those of all."""
    b, w = s.brief, s.w
    if len(b.annex) <= PDF_LIST_LIMIT:
        return b.annex
    largest = sorted(b.annex, key=lambda a: (-a.total_cost, a.key))[:PDF_LIST_LIMIT]
    shown = sorted(largest, key=lambda a: a.key)
    s.story.append(s.note(w.t("annex_top", shown=w.n(len(shown)), count=w.n(len(b.annex)))))
    return shown


def annex(s: Story) -> None:
    """Every project (or the largest) on landscape pages; cells wrap, nothing is cut."""
    b, w = s.brief, s.w
    s.section(annex_key(s), wide=True)
    rows = [
        [
            s.p(a.key),
            s.p(a.title),
            a.theme_key,
            s.p(a.lead),
            s.p(w.status(a.status)),
            s.marked(a.light, w.light(a.light)) if a.light else "–",
            w.e(a.total_cost),
            w.e(a.funding),
        ]
        for a in annex_shown(s)
    ]
    total = [
        w.t("total"),
        w.n(len(b.annex)),
        "",
        "",
        "",
        "",
        w.e(sum((a.total_cost for a in b.annex), Decimal(0))),
        w.e(sum((a.funding for a in b.annex), Decimal(0))),
    ]
    if not rows:
        s.story.append(s.note(w.t("none")))
        return
    for start in range(0, len(rows), ANNEX_CHUNK):
        last = start + ANNEX_CHUNK >= len(rows)
        s.table(
            w.labels(ANNEX.pdf),
            rows[start : start + ANNEX_CHUNK],
            [22, 80, 14, 44, 40, 26, 30, 30],
            numeric=(6, 7),
            long=True,
            total=total if last else None,
            width=LAND_WIDTH,
            whole_words=True,
        )
