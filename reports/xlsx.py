"""The brief as an Excel workbook (XlsxWriter): the sections of the PDF as sheets, real numbers
with euro and date formats, native Excel charts, frozen header rows and filters.

Texts are written with ``write_string`` and ``strings_to_formulas`` off, so a project title that
starts with "=" stays text (no formula injection)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from db.enums import ProjectStatus
from portfolio import palette
from portfolio.xlsx import workbook_options
from reports.brief import Brief, MilestoneRow
from reports.texts import (
    application_label,
    grant_change_label,
    light_label,
    status_label,
    tx,
)

EUR_FORMAT = '#,##0.00 "€";-#,##0.00 "€"'
DATE_FORMAT = "dd.mm.yyyy"
Cell = tuple[str, Any]  # ("text" | "int" | "eur" | "date", value)


class _Writer:
    def __init__(self, brief: Brief, book: Workbook) -> None:
        self.b = brief
        self.lang = brief.lang
        self.book = book
        self.f = {
            "title": book.add_format({"bold": True, "font_size": 16, "font_color": "#004A8F"}),
            "h": book.add_format({"bold": True, "font_size": 12, "font_color": "#004A8F"}),
            "head": book.add_format(
                {"bold": True, "bg_color": "#F0F3F7", "bottom": 1, "text_wrap": True}
            ),
            "text": book.add_format({"valign": "top"}),
            "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
            "int": book.add_format({"num_format": "#,##0", "valign": "top"}),
            "eur": book.add_format({"num_format": EUR_FORMAT, "valign": "top"}),
            "date": book.add_format({"num_format": DATE_FORMAT, "valign": "top", "align": "left"}),
            "bold": book.add_format({"bold": True}),
            "note": book.add_format({"italic": True, "font_color": "#555555"}),
            "eur_total": book.add_format({"num_format": EUR_FORMAT, "bold": True, "top": 1}),
            "int_total": book.add_format({"num_format": "#,##0", "bold": True, "top": 1}),
        }

    def t(self, key: str, **params: Any) -> str:
        return tx(self.lang, key, **params)

    def d(self, value: Any) -> str:
        from reports.texts import day

        return day(value, self.lang)

    def put(self, ws: Worksheet, row: int, col: int, cell: Cell) -> None:
        kind, value = cell
        if value is None:
            ws.write_blank(row, col, None, self.f["text"])
        elif kind == "eur":
            ws.write_number(row, col, float(Decimal(value)), self.f["eur"])
        elif kind == "int":
            ws.write_number(row, col, int(value), self.f["int"])
        elif kind == "date":
            ws.write_datetime(row, col, value, self.f["date"])
        else:
            ws.write_string(row, col, str(value), self.f["wrap" if kind == "wrap" else "text"])

    def sheet(self, key: str) -> Worksheet:
        ws = self.book.add_worksheet(self.t(key)[:31])
        ws.hide_gridlines(2)
        ws.set_paper(9)  # A4
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_footer(
            "&L"
            + self.b.scope_label().replace("&", "&&")
            + "&C"
            + self.t("footer", day=self.d(self.b.as_of))
            + "&R&P / &N"
        )
        return ws

    def table(
        self,
        ws: Worksheet,
        top: int,
        title: str | None,
        header: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        widths: Sequence[float] | None = None,
        *,
        freeze: bool = False,
        totals: dict[int, str] | None = None,
    ) -> int:
        """Write a titled table at ``top``; returns the next free row."""
        if title:
            ws.write_string(top, 0, title, self.f["h"])
            top += 1
        for col, text in enumerate(header):
            ws.write_string(top, col, text, self.f["head"])
        if widths:
            for col, width in enumerate(widths):
                ws.set_column(col, col, width)
        if freeze:
            ws.freeze_panes(top + 1, 0)
            ws.repeat_rows(top)
        first = top + 1
        for r, row in enumerate(rows, start=first):
            for c, cell in enumerate(row):
                self.put(ws, r, c, cell)
        last = first + len(rows) - 1
        if rows and freeze:
            ws.autofilter(top, 0, last, len(header) - 1)
        if not rows:
            ws.write_string(first, 0, self.t("none"), self.f["note"])
            return first + 2
        if totals:
            ws.write_string(last + 1, 0, self.t("total"), self.f["bold"])
            for col, kind in totals.items():
                letter = xlsxwriter.utility.xl_col_to_name(col)
                formula = f"=SUBTOTAL(109,{letter}{first + 1}:{letter}{last + 1})"
                ws.write_formula(
                    last + 1,
                    col,
                    formula,
                    self.f["eur_total" if kind == "eur" else "int_total"],
                    self._sum(rows, col, kind),
                )
            return last + 3
        return last + 2

    @staticmethod
    def _sum(rows: Sequence[Sequence[Cell]], col: int, kind: str) -> float | int:
        values = [row[col][1] or 0 for row in rows]
        return float(sum(Decimal(v) for v in values)) if kind == "eur" else sum(values)

    # -- sheets -----------------------------------------------------------------------------------

    def cover(self) -> None:
        b = self.b
        ws = self.sheet("sheet_cover")
        ws.set_column(0, 0, 24)
        ws.set_column(1, 1, 90)
        ws.write_string(0, 0, b.title(), self.f["title"])
        ws.write_string(
            2, 0, self.t("scope_all") if b.theme_key is None else self.t("theme"), self.f["bold"]
        )
        ws.write_string(2, 1, b.scope_label())
        ws.write_string(3, 0, self.t("as_of"), self.f["bold"])
        ws.write_datetime(3, 1, b.as_of, self.f["date"])
        ws.write_string(4, 0, self.t("since"), self.f["bold"])
        ws.write_datetime(4, 1, b.since, self.f["date"])
        notes = [b.as_of_note(), b.since_note()]  # the same notes as the PDF cover
        if b.since_default == "none":
            notes.append(self.t("since_default_none"))
        elif b.since_default == "brief":
            notes.append(self.t("since_default_brief", day=self.d(b.since)))
        for i, note in enumerate(notes, start=6):
            ws.write_string(i, 0, note, self.f["note"])
        row = 7 + len(notes)
        ws.write_string(row, 0, self.t("contents"), self.f["h"])
        for n, key in enumerate(
            (
                "sheet_key",
                "sheet_themes",
                "sheet_funding",
                "sheet_milestones",
                "sheet_changes",
                "sheet_risks",
                "sheet_annex",
            ),
            start=1,
        ):
            name = self.t(key)
            ws.write_url(row + n, 0, f"internal:'{name}'!A1", string=name)

    def key_figures(self) -> None:
        b = self.b
        ws = self.sheet("sheet_key")
        rows: list[list[Cell]] = []
        for f in b.key_figures():
            kind = "eur" if f.kind == "eur" else "int"
            rows.append(
                [("text", f.label(self.lang)), (kind, f.now), (kind, f.before), (kind, f.delta)]
            )
        self.table(
            ws,
            0,
            self.t("s_key"),
            [
                self.t("figure"),
                self.t("now", day=self.d(b.as_of)),
                self.t("before", day=self.d(b.since)),
                self.t("delta"),
            ],
            rows,
            [36, 22, 22, 22],
        )
        ws.write_string(len(rows) + 3, 0, b.since_note(), self.f["note"])

    def themes(self) -> None:
        b = self.b
        ws = self.sheet("sheet_themes")
        statuses = [str(s) for s in ProjectStatus]
        header = [
            self.t("theme"),
            self.t("projects"),
            self.t("total_cost"),
            self.t("eligible_cost"),
            self.t("funding_requested"),
            self.t("funding_approved"),
            *[status_label(s, self.lang) for s in statuses],
            *[light_label(k, self.lang) for k in ("green", "yellow", "red")],
            light_label(None, self.lang),
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
                *[("int", t.lights.get(k, 0)) for k in ("green", "yellow", "red", "none")],
            ]
            for t in b.themes
        ]
        totals = {1: "int", 2: "eur", 3: "eur", 4: "eur", 5: "eur"}
        end = self.table(
            ws,
            0,
            self.t("s_themes"),
            header,
            rows,
            [40, 10, 20, 20, 20, 20, *[14] * (len(statuses) + 4)],
            totals=totals if len(rows) > 1 else None,
        )
        if not rows:
            return
        chart = self.book.add_chart({"type": "bar", "subtype": "stacked"})
        first, last = 2, 1 + len(rows)
        name = self.t("sheet_themes")
        for i in range(len(statuses)):
            col = 6 + i
            chart.add_series(
                {
                    "name": [name, 1, col],
                    "categories": [name, first, 0, last, 0],
                    "values": [name, first, col, last, col],
                    "fill": {"color": palette.colour(palette.PROJECT_STATUS_COLOURS, statuses[i])},
                    "gap": 60,
                }
            )
        chart.set_title({"name": self.t("chart_title")})
        chart.set_y_axis({"reverse": True})
        chart.set_x_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 900, "height": 360})
        ws.insert_chart(end + 1, 0, chart)

    def funding(self) -> None:
        b = self.b
        ws = self.sheet("sheet_funding")
        top = self.table(
            ws,
            0,
            self.t("pipeline"),
            [
                self.t("programme"),
                self.t("status"),
                self.t("applications"),
                self.t("requested"),
                self.t("approved"),
            ],
            [
                [
                    ("text", r.programme),
                    ("text", application_label(r.status, self.lang)),
                    ("int", r.applications),
                    ("eur", r.requested),
                    ("eur", r.approved),
                ]
                for r in b.pipeline
            ],
            [44, 30, 18, 22, 22, 60],
            totals={2: "int", 3: "eur", 4: "eur"},
        )
        top = self.table(
            ws,
            top,
            self.t("decisions", day=self.d(b.since)),
            [
                self.t("decision_on"),
                self.t("project"),
                self.t("title_col"),
                self.t("item"),
                self.t("programme"),
                self.t("status"),
                self.t("amount"),
            ],
            [
                [
                    ("date", e.day),
                    ("text", e.project_key),
                    ("text", e.project_title),
                    ("text", e.item_key),
                    ("text", e.item_title),
                    ("text", application_label(e.new, self.lang)),
                    ("eur", e.amount),
                ]
                for e in b.decisions
            ],
        )
        top = self.table(
            ws,
            top,
            self.t("grant_changes", day=self.d(b.since)),
            [
                self.t("when"),
                self.t("project"),
                self.t("title_col"),
                self.t("item"),
                self.t("programme"),
                self.t("grant_change_kind"),
                self.t("amount_after"),
                self.t("period_until"),
            ],
            [
                [
                    ("date", e.day),
                    ("text", e.project_key),
                    ("text", e.project_title),
                    ("text", e.item_key),
                    ("text", e.item_title),
                    ("text", grant_change_label(e.kind, e.new, self.lang)),
                    ("eur", e.amount),
                    ("date", dt.date.fromisoformat(e.old) if e.old else None),
                ]
                for e in b.grant_changes
            ],
        )
        top = self.table(
            ws,
            top,
            self.t("duties", day=self.d(b.horizon)),
            [
                self.t("due"),
                self.t("kind"),
                self.t("project"),
                self.t("title_col"),
                self.t("item"),
                self.t("notice"),
            ],
            [
                [
                    ("date", d.due),
                    ("text", self.t(d.kind)),
                    ("text", d.project_key),
                    ("text", d.project_title),
                    ("text", d.item_key),
                    ("text", d.title),
                ]
                for d in b.duties
            ],
        )
        self.table(
            ws,
            top,
            self.t("warnings"),
            [self.t("project"), self.t("title_col"), self.t("item"), self.t("notice")],
            [
                [
                    ("text", w.project_key),
                    ("text", w.project_title),
                    ("text", w.item_key),
                    (
                        "text",
                        self.t(
                            f"w_{w.code}",
                            amount=self._eur(w.amount),
                            limit=self._eur(w.limit),
                            day=self.d(w.day),
                        ),
                    ),
                ]
                for w in b.warnings
            ],
        )

    def _eur(self, value: Decimal | None) -> str:
        from reports.texts import eur

        return eur(value, self.lang)

    def milestones(self) -> None:
        b = self.b
        ws = self.sheet("sheet_milestones")

        def rows(
            items: Sequence[MilestoneRow], extra: Callable[[MilestoneRow], Cell] | None
        ) -> list[list[Cell]]:
            out: list[list[Cell]] = []
            for m in items:
                row: list[Cell] = [
                    ("date", m.due),
                    ("text", m.project_key),
                    ("text", m.project_title),
                    ("text", m.key),
                    ("text", m.title),
                ]
                if extra is not None:
                    row.append(extra(m))
                out.append(row)
            return out

        base = [
            self.t("due"),
            self.t("project"),
            self.t("title_col"),
            self.t("milestone"),
            self.t("title_col"),
        ]
        ws.set_column(0, 0, 12)
        ws.set_column(1, 1, 14)
        ws.set_column(2, 2, 44)
        ws.set_column(3, 3, 18)
        ws.set_column(4, 4, 36)
        ws.set_column(5, 5, 16)
        top = self.table(
            ws,
            0,
            self.t("reached", day=self.d(b.since)),
            [*base, self.t("done_on")],
            rows(b.reached, lambda m: ("date", m.done)),
        )
        top = self.table(
            ws,
            top,
            self.t("overdue", day=self.d(b.as_of)),
            [*base, self.t("days_overdue")],
            rows(b.overdue, lambda m: ("int", (b.as_of - m.due).days)),
        )
        self.table(ws, top, self.t("upcoming", day=self.d(b.horizon)), base, rows(b.upcoming, None))

    def changes(self) -> None:
        """Every change of the period, one row each: the sentence of the PDF with its date, kind,
        project and author in columns of their own (to filter by)."""
        b = self.b
        ws = self.sheet("sheet_changes")
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
            for group in b.change_groups()
            for line in group.lines
        ]
        self.table(
            ws,
            0,
            self.t("s_changes"),
            [
                self.t("when"),
                self.t("kind"),
                self.t("project"),
                self.t("title_col"),
                self.t("change"),
                self.t("amount"),
                self.t("by"),
            ],
            rows,
            [12, 24, 14, 36, 90, 18, 24],
            freeze=True,
        )

    def risks(self) -> None:
        b = self.b
        ws = self.sheet("sheet_risks")
        self.table(
            ws,
            0,
            self.t("risks_intro", day=self.d(b.as_of)),
            [
                self.t("project"),
                self.t("title_col"),
                self.t("light"),
                self.t("report_date"),
                self.t("risk"),
                self.t("decision_needed"),
            ],
            [
                [
                    ("text", r.project_key),
                    ("text", r.project_title),
                    ("text", light_label(r.light, self.lang)),
                    ("date", r.report_date),
                    ("wrap", r.risk_text),
                    ("wrap", r.decisions_needed or self.t("no_decision")),
                ]
                for r in b.risks
            ],
            [14, 44, 10, 14, 70, 50],
            freeze=True,
        )

    def annex(self) -> None:
        b = self.b
        ws = self.sheet("sheet_annex")
        self.table(
            ws,
            0,
            self.t("s_annex"),
            [
                self.t("project"),
                self.t("title_col"),
                self.t("theme"),
                self.t("lead"),
                self.t("status"),
                self.t("light"),
                self.t("cost"),
                self.t("funding"),
            ],
            [
                [
                    ("text", a.key),
                    ("text", a.title),
                    ("text", a.theme_key),
                    ("text", a.lead),
                    ("text", status_label(a.status, self.lang)),
                    ("text", light_label(a.light, self.lang) if a.light else "–"),
                    ("eur", a.total_cost),
                    ("eur", a.funding),
                ]
                for a in b.annex
            ],
            [14, 50, 10, 24, 26, 10, 20, 20],
            freeze=True,
            totals={6: "eur", 7: "eur"},
        )


def render_xlsx(brief: Brief) -> bytes:
    """The brief as .xlsx bytes."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, workbook_options(in_memory=True, default_date_format=DATE_FORMAT)
    )
    book.set_properties(
        {
            "title": f"{brief.title()} – {brief.scope_label()}",
            "author": "Smart City Innovation Unit Bochum",
            "comments": f"as_of={brief.as_of.isoformat()} since={brief.since.isoformat()}",
        }
    )
    writer = _Writer(brief, book)
    writer.cover()
    writer.key_figures()
    writer.themes()
    writer.funding()
    writer.milestones()
    writer.changes()
    writer.risks()
    writer.annex()
    book.close()
    return out.getvalue()
