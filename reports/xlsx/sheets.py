"""The sheets of the brief's workbook: the sections of the PDF (their words from
:mod:`reports.brief.wording`), one sheet each, every row of every list, native Excel charts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from xlsxwriter.worksheet import Worksheet

from db.enums import ProjectStatus
from portfolio import palette
from portfolio.changes import Event
from reports.brief.model import MilestoneRow
from reports.brief.wording import (
    ANNEX,
    CHANGE_COLUMNS,
    DECISIONS,
    DUTIES,
    GRANT_CHANGES,
    MILESTONES,
    PIPELINE,
    RISKS,
    SECTIONS,
    THEMES,
    WARNINGS,
)
from reports.xlsx.layout import Cell, Writer

LIGHT_COLUMNS = ("green", "yellow", "red", "none")


def cover(x: Writer) -> None:
    b, w = x.b, x.w
    ws = x.sheet("sheet_cover")
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 90)
    ws.write_string(0, 0, b.title(), x.f["title"])
    ws.write_string(2, 0, w.t("scope_all") if b.theme_key is None else w.t("theme"), x.f["bold"])
    ws.write_string(2, 1, b.scope_label())
    ws.write_string(3, 0, w.t("as_of"), x.f["bold"])
    ws.write_datetime(3, 1, b.as_of, x.f["date"])
    ws.write_string(4, 0, w.t("since"), x.f["bold"])
    ws.write_datetime(4, 1, b.since, x.f["date"])
    notes = w.cover_notes()  # the same notes as the PDF cover
    for i, note in enumerate(notes, start=6):
        ws.write_string(i, 0, note, x.f["note"])
    row = 7 + len(notes)
    ws.write_string(row, 0, w.t("contents"), x.f["h"])
    for n, section in enumerate(SECTIONS, start=1):
        name = w.t(f"sheet_{section}")
        ws.write_url(row + n, 0, f"internal:'{name}'!A1", string=name)


def key_figures(x: Writer) -> None:
    b, w = x.b, x.w
    ws = x.sheet("sheet_key")
    rows: list[list[Cell]] = []
    for f in b.key_figures():
        kind = "eur" if f.kind == "eur" else "int"
        rows.append([("text", f.label(w.lang)), (kind, f.now), (kind, f.before), (kind, f.delta)])
    x.table(ws, 0, w.t("s_key"), w.key_figures_header(), rows, [36, 22, 22, 22])
    ws.write_string(len(rows) + 3, 0, b.since_note(), x.f["note"])


def themes(x: Writer) -> None:
    b, w = x.b, x.w
    ws = x.sheet("sheet_themes")
    statuses = [str(s) for s in ProjectStatus]
    header = [
        *w.labels(THEMES.xlsx),
        *[w.status(s) for s in statuses],
        *[w.light(k) for k in LIGHT_COLUMNS[:-1]],
        w.light(None),
    ]
    rows: list[list[Cell]] = [
        [
            ("text", f"{t.key} {t.name}"),
            ("int", t.projects),
            ("eur", t.total_cost),
            ("eur", t.eligible_cost),
            ("eur", t.requested),
            ("eur", t.approved),
            *[("int", t.by_status.get(s, 0)) for s in statuses],
            *[("int", t.lights.get(k, 0)) for k in LIGHT_COLUMNS],
        ]
        for t in b.themes
    ]
    totals = {1: "int", 2: "eur", 3: "eur", 4: "eur", 5: "eur"}
    end = x.table(
        ws,
        0,
        w.t("s_themes"),
        header,
        rows,
        [40, 10, 20, 20, 20, 20, *[14] * (len(statuses) + 4)],
        totals=totals if len(rows) > 1 else None,
    )
    if rows:
        themes_chart(x, ws, end + 1, len(rows), statuses)


def themes_chart(x: Writer, ws: Worksheet, at: int, themes: int, statuses: list[str]) -> None:
    """Projects per Leitthema stacked by status, from the status columns of the table above."""
    chart = x.book.add_chart({"type": "bar", "subtype": "stacked"})
    first, last = 2, 1 + themes
    name = x.w.t("sheet_themes")
    for i, status in enumerate(statuses):
        col = 6 + i
        chart.add_series(
            {
                "name": [name, 1, col],
                "categories": [name, first, 0, last, 0],
                "values": [name, first, col, last, col],
                "fill": {"color": palette.colour(palette.PROJECT_STATUS_COLOURS, status)},
                "gap": 60,
            }
        )
    chart.set_title({"name": x.w.t("chart_title")})
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 900, "height": 360})
    ws.insert_chart(at, 0, chart)


def funding(x: Writer) -> None:
    """The pipeline, the period's decisions and grant changes, the duties ahead, the warnings:
    one table below the other."""
    b, w = x.b, x.w
    ws = x.sheet("sheet_funding")
    pipeline: list[list[Cell]] = [
        [
            ("text", r.programme),
            ("text", w.application(r.status)),
            ("int", r.applications),
            ("eur", r.requested),
            ("eur", r.approved),
        ]
        for r in b.pipeline
    ]
    top = x.table(
        ws,
        0,
        w.t("pipeline"),
        w.labels(PIPELINE.xlsx),
        pipeline,
        [44, 30, 18, 22, 22, 60],
        totals={2: "int", 3: "eur", 4: "eur"},
    )
    decisions = event_rows(b.decisions, lambda e: w.application(e.new))
    top = x.table(ws, top, w.dated("decisions"), w.labels(DECISIONS.xlsx), decisions)
    changes = event_rows(b.grant_changes, w.grant_change, period_until)
    top = x.table(ws, top, w.dated("grant_changes"), w.labels(GRANT_CHANGES.xlsx), changes)
    top = duties(x, ws, top)
    warnings(x, ws, top)


def event_rows(
    events: Sequence[Event],
    what: Callable[[Event], str],
    extra: Callable[[Event], Cell] | None = None,
) -> list[list[Cell]]:
    """Funding events of the period (decisions, grant changes): day, project, item, ``what``
    happened, the amount (and ``extra``)."""
    return [
        [
            ("date", e.day),
            ("text", e.project_key),
            ("text", e.project_title),
            ("text", e.item_key),
            ("text", e.item_title),
            ("text", what(e)),
            ("eur", e.amount),
            *([extra(e)] if extra is not None else []),
        ]
        for e in events
    ]


def period_until(e: Event) -> Cell:
    """The end of the funding period a grant notice set (its old value)."""
    return ("date", dt.date.fromisoformat(e.old) if e.old else None)


def duties(x: Writer, ws: Worksheet, top: int) -> int:
    w = x.w
    rows: list[list[Cell]] = [
        [
            ("date", d.due),
            ("text", w.duty(d)),
            ("text", d.project_key),
            ("text", d.project_title),
            ("text", d.item_key),
            ("text", d.title),
        ]
        for d in x.b.duties
    ]
    return x.table(ws, top, w.dated("duties"), w.labels(DUTIES.xlsx), rows)


def warnings(x: Writer, ws: Worksheet, top: int) -> int:
    w = x.w
    rows: list[list[Cell]] = [
        [
            ("text", f.project_key),
            ("text", f.project_title),
            ("text", f.item_key),
            ("text", w.warning(f)),
        ]
        for f in x.b.warnings
    ]
    return x.table(ws, top, w.t("warnings"), w.labels(WARNINGS.xlsx), rows)


def milestone_rows(
    items: Sequence[MilestoneRow], extra: Callable[[MilestoneRow], Cell] | None
) -> list[list[Cell]]:
    """Milestones: due date, project, milestone (and ``extra``: when done, days overdue)."""
    return [
        [
            ("date", m.due),
            ("text", m.project_key),
            ("text", m.project_title),
            ("text", m.key),
            ("text", m.title),
            *([extra(m)] if extra is not None else []),
        ]
        for m in items
    ]


def milestones(x: Writer) -> None:
    b, w = x.b, x.w
    ws = x.sheet("sheet_milestones")
    base = w.labels(MILESTONES.xlsx)
    for col, width in enumerate((12, 14, 44, 18, 36, 16)):
        ws.set_column(col, col, width)
    top = x.table(
        ws,
        0,
        w.dated("reached"),
        [*base, w.t("done_on")],
        milestone_rows(b.reached, lambda m: ("date", m.done)),
    )
    top = x.table(
        ws,
        top,
        w.dated("overdue"),
        [*base, w.t("days_overdue")],
        milestone_rows(b.overdue, lambda m: ("int", (b.as_of - m.due).days)),
    )
    x.table(ws, top, w.dated("upcoming"), base, milestone_rows(b.upcoming, None))


def changes(x: Writer) -> None:
    """Every change of the period, one row each: the sentence of the PDF with its date, kind,
    project and author in columns of their own (to filter by)."""
    w = x.w
    ws = x.sheet("sheet_changes")
    rows: list[list[Cell]] = [
        [
            ("date", line.day),
            ("text", group.label),
            ("text", line.project_key),
            ("text", line.project_title),
            ("wrap", line.text),
            ("eur", line.amount),
            ("text", line.author),
        ]
        for group in x.b.change_groups()
        for line in group.lines
    ]
    widths = [12, 24, 14, 36, 90, 18, 24]
    x.table(ws, 0, w.t("s_changes"), w.labels(CHANGE_COLUMNS), rows, widths, freeze=True)


def risks(x: Writer) -> None:
    w = x.w
    ws = x.sheet("sheet_risks")
    rows: list[list[Cell]] = [
        [
            ("text", r.project_key),
            ("text", r.project_title),
            ("text", w.light(r.light)),
            ("date", r.report_date),
            ("wrap", r.risk_text),
            ("wrap", r.decisions_needed or w.t("no_decision")),
        ]
        for r in x.b.risks
    ]
    widths = [14, 44, 10, 14, 70, 50]
    x.table(ws, 0, w.dated("risks_intro"), w.labels(RISKS.xlsx), rows, widths, freeze=True)


def annex(x: Writer) -> None:
    w = x.w
    ws = x.sheet("sheet_annex")
    rows: list[list[Cell]] = [
        [
            ("text", a.key),
            ("text", a.title),
            ("text", a.theme_key),
            ("text", a.lead),
            ("text", w.status(a.status)),
            ("text", w.light(a.light) if a.light else "–"),
            ("eur", a.total_cost),
            ("eur", a.funding),
        ]
        for a in x.b.annex
    ]
    x.table(
        ws,
        0,
        w.t("s_annex"),
        w.labels(ANNEX.xlsx),
        rows,
        [14, 50, 10, 24, 26, 10, 20, 20],
        freeze=True,
        totals={6: "eur", 7: "eur"},
    )
