"""The fact sheet's sections, in the order they stand, and the document they make: the head
with the project's facts, description, partners, costs and funding, KPIs (with their charts),
milestones and status, on A4 with the brief's page footer."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from db.enums import MilestoneState, ParticipationRole, Priority, PublishGroup, SpatialScope
from portfolio.queries.common import pick
from portfolio.queries.factsheet import Funding
from portfolio.vocab import label
from reports.factsheet.charts import chart_grid
from reports.factsheet.fitting import cut_milestones
from reports.factsheet.writer import SheetWriter
from reports.pdf import BLUE, LIGHT_COLOURS, WIDTH, a4_document, numbered_canvas
from reports.texts import application_label, status_label, tx

STATE_COLOURS = {
    MilestoneState.DONE.value: LIGHT_COLOURS["green"],
    MilestoneState.DUE_SOON.value: LIGHT_COLOURS["yellow"],
    MilestoneState.OVERDUE.value: LIGHT_COLOURS["red"],
    MilestoneState.OPEN.value: LIGHT_COLOURS["none"],
}
RULE = colors.HexColor("#c5ced9")


class FactSheetDocument(SheetWriter):
    """One fact sheet, in one language, cut to one step's limits."""

    # -- the head ---------------------------------------------------------------------------------

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
        self.story.append(self.fact_grid(self.facts()))

    def facts(self) -> list[tuple[str, Paragraph]]:
        """The project's facts, each a label and its value; the internal ones on the internal
        sheet only."""
        s = self.s
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
        return facts

    def fact_grid(self, facts: list[tuple[str, Paragraph]]) -> Table:
        """The facts two a row, between blue rules."""
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
                    ("LINEBELOW", (0, 0), (-1, -2), 0.25, RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return grid

    def spatial(self) -> str:
        s = self.s
        scope = label(SpatialScope, s.spatial_scope, self.lang) if s.spatial_scope else ""
        parts = [p for p in (scope, s.spatial_note or "") if p]
        return " – ".join(parts) or "–"

    # -- description and partners -----------------------------------------------------------------

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

    # -- costs and funding ------------------------------------------------------------------------

    def funding(self) -> None:
        f = self.s.funding
        if f is None:
            return
        self.section("s_funding")
        self.funding_tiles(f)
        if not f.lines:
            self.story.append(self.p(self.t("no_funding"), self.st.note))
            return
        self.funding_lines(f)

    def funding_tiles(self, f: Funding) -> None:
        """The totals as a row of tiles: cost, eligible cost, requested (internal), approved."""
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

    def funding_lines(self, f: Funding) -> None:
        """The funding lines; requested and paid out on the internal sheet only."""
        shown, more = self.cut(f.lines)
        internal = not self.s.public
        header = [self.t("programme"), self.t("status")]
        widths: list[float] = [70, 35]
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

    # -- milestones and KPIs ----------------------------------------------------------------------

    def milestones(self) -> None:
        s = self.s
        if s.milestones is None:
            return
        self.section("s_milestones")
        shown, more = cut_milestones(s.milestones, self.limits.rows)
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
            self.story.append(chart_grid(self, charts))
        if len(charted) > len(charts):
            self.story.append(self.p(self.t("charts_more"), self.st.note))

    # -- status -----------------------------------------------------------------------------------

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
                    ("LINEABOVE", (0, 0), (-1, 0), 0.25, RULE),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.25, RULE),
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
            centre=tx("footer", lang, day=self.d(s.as_of)),
        )
        doc.build(self.story, canvasmaker=canvas)
        return out.getvalue(), int(doc.page)
