"""The brief as a PDF: A4, German by default, page numbers and the as-of date in every footer,
charts as vector graphics (reportlab.graphics), tables that break across pages with their header
row repeated."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from db.enums import ProjectStatus
from portfolio import clock
from portfolio.changes import Event, Kind
from reports.brief import Brief, MilestoneRow
from reports.texts import (
    application_label,
    count,
    day,
    fast_eur,
    grant_change_label,
    light_label,
    signed,
    status_label,
    tx,
)

PDF_LIST_LIMIT = 300
T = TypeVar("T")
ANNEX_CHUNK = 400
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
)
BLUE = colors.HexColor("#004a8f")
GREY = colors.HexColor("#f0f3f7")
LINE = colors.HexColor("#c5ced9")
LIGHT_COLOURS = {
    "green": colors.HexColor("#2e8540"),
    "yellow": colors.HexColor("#e0a800"),
    "red": colors.HexColor("#c62828"),
    "none": colors.HexColor("#9aa5b1"),
}
STATUS_COLOURS = [
    colors.HexColor(c) for c in ("#9ecae1", "#6baed6", "#2171b5", "#2e8540", "#9aa5b1")
]
PAGE_W, PAGE_H = A4
MARGIN = 16 * mm
WIDTH = PAGE_W - 2 * MARGIN


def _register_fonts() -> tuple[str, str]:
    """DejaVu Sans (embedded, covers € and German letters); Helvetica if it is missing."""
    if "DejaVuSans" in pdfmetrics.getRegisteredFontNames():
        return "DejaVuSans", "DejaVuSans-Bold"
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
            return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"  # pragma: no cover - fonts-dejavu-core is installed


class Styles:
    def __init__(self) -> None:
        self.font, self.bold = _register_fonts()
        base = ParagraphStyle("base", fontName=self.font, fontSize=9, leading=11.5)
        self.body = base
        self.small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5)
        self.cell = ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9)
        self.note = ParagraphStyle(
            "note", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#444444")
        )
        self.h1 = ParagraphStyle(
            "h1",
            parent=base,
            fontName=self.bold,
            fontSize=15,
            leading=19,
            textColor=BLUE,
            spaceBefore=4,
            spaceAfter=8,
        )
        self.h2 = ParagraphStyle(
            "h2",
            parent=base,
            fontName=self.bold,
            fontSize=11,
            leading=14,
            spaceBefore=8,
            spaceAfter=4,
        )
        self.title = ParagraphStyle(
            "title", parent=base, fontName=self.bold, fontSize=22, leading=28, textColor=BLUE
        )
        self.cover = ParagraphStyle("cover", parent=base, fontSize=12, leading=17)
        self.right = ParagraphStyle("right", parent=self.cell, alignment=TA_RIGHT)


def a4_document(out: io.BytesIO, *, title: str, subject: str, lang: str) -> BaseDocTemplate:
    """The A4 page of the brief and the fact sheet: margins, one body frame above the footer,
    the document's metadata."""
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=18 * mm,
        title=title,
        author="Smart City Innovation Unit Bochum",
        subject=subject,
        lang="de-DE" if lang == "de" else "en-GB",
    )
    frame = Frame(MARGIN, 18 * mm, WIDTH, PAGE_H - MARGIN - 18 * mm, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    return doc


def numbered_canvas(font: str, lang: str, *, left: str, centre: str) -> type[Canvas]:
    """A canvas whose footer reads ``left`` · ``centre`` · "Seite n von N" (the brief's and the
    fact sheet's)."""

    class NumberedCanvas(Canvas):
        """Keeps each page until the end, then writes "Seite n von N" on all of them."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            self.saveState()
            self.setFont(font, 7.5)
            self.setFillColor(colors.HexColor("#555555"))
            self.setStrokeColor(LINE)
            self.line(MARGIN, 12 * mm, PAGE_W - MARGIN, 12 * mm)
            self.drawString(MARGIN, 8 * mm, left)
            self.drawCentredString(PAGE_W / 2, 8 * mm, centre)
            self.drawRightString(
                PAGE_W - MARGIN,
                8 * mm,
                tx(lang, "page", page=self._pageNumber, pages=total),
            )
            self.restoreState()

    return NumberedCanvas


def _numbered_canvas(brief: Brief, font: str) -> type[Canvas]:
    lang = brief.lang
    return numbered_canvas(
        font,
        lang,
        left=f"{tx(lang, 'title_short')} · {brief.scope_label()}",
        centre=tx(lang, "footer", day=day(brief.as_of, lang)),
    )


def table_style(
    st: Styles, *, numeric: Sequence[int] = (), total: bool = False
) -> list[tuple[Any, ...]]:
    """The look of every table: header row shaded and underlined in blue, thin lines between
    rows, numbers right-aligned, a total row in bold (the brief's and the fact sheet's)."""
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), st.font),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("LEADING", (0, 0), (-1, -1), 9),
        ("BACKGROUND", (0, 0), (-1, 0), GREY),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, BLUE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for col in numeric:
        style.append(("ALIGN", (col, 1), (col, -1), "RIGHT"))
    if total:
        style += [
            ("FONTNAME", (0, -1), (-1, -1), st.bold),
            ("LINEABOVE", (0, -1), (-1, -1), 0.6, BLUE),
        ]
    return style


@lru_cache(maxsize=4096)
def _fit(text: str, width: float, font: str, size: float) -> str:
    """``text`` cut with an ellipsis so it fits ``width`` points."""
    full = stringWidth(text, font, size)
    if full <= width:
        return text
    n = max(0, int(len(text) * width / full))
    while n > 0 and stringWidth(text[:n] + "…", font, size) > width:
        n -= 1
    return text[:n].rstrip() + "…"


class _Builder:
    def __init__(self, brief: Brief) -> None:
        self.brief = brief
        self.lang = brief.lang
        self.st = Styles()
        self.story: list[Flowable] = []

    # -- helpers ----------------------------------------------------------------------------------

    def t(self, key: str, **params: Any) -> str:
        return tx(self.lang, key, **params)

    def d(self, value: Any) -> str:
        return day(value, self.lang)

    def e(self, value: Decimal | None) -> str:
        return fast_eur(value, self.lang)

    def figure(self, value: Decimal | int | None, kind: str) -> str:
        if value is None:
            return "–"
        return self.e(Decimal(value)) if kind == "eur" else count(int(value), self.lang)

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(escape(text), style or self.st.cell)

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        *,
        numeric: Sequence[int] = (),
        long: bool = False,
        total: Sequence[Any] | None = None,
        more: int = 0,
    ) -> None:
        """A table that breaks across pages with its header repeated; ``more`` rows left out."""
        shown = list(rows)
        if not shown:
            self.story.append(self.p(self.t("none"), self.st.note))
            return
        scale = WIDTH / sum(widths)
        col_widths = [w * scale for w in widths]
        head = [
            self.p(h, self.st.right if i in numeric else self.st.cell) for i, h in enumerate(header)
        ]
        data: list[Sequence[Any]] = [head, *shown]
        if total is not None:
            data.append(total)
        cls = LongTable if long else Table
        table = cls(data, colWidths=col_widths, repeatRows=1)
        style = table_style(self.st, numeric=numeric, total=total is not None)
        table.setStyle(TableStyle(style))
        self.story.append(table)
        if more:
            self.story.append(
                self.p(self.t("more_rows", count=count(more, self.lang)), self.st.note)
            )

    def heading(self, key: str, **params: Any) -> None:
        self.story.append(CondPageBreak(40 * mm))
        self.story.append(Paragraph(escape(self.t(key, **params)), self.st.h2))

    def annex_key(self) -> str:
        """The annex's title: all projects, or the largest where the PDF lists only those."""
        return "s_annex_top" if len(self.brief.annex) > PDF_LIST_LIMIT else "s_annex"

    def section(self, key: str) -> None:
        self.story.append(PageBreak())
        self.story.append(Paragraph(escape(self.t(key)), self.st.h1))

    # -- sections ---------------------------------------------------------------------------------

    def cover(self) -> None:
        b, lang = self.brief, self.lang
        self.story += [
            Spacer(1, 30 * mm),
            Paragraph(escape(b.title()), self.st.title),
            Spacer(1, 10 * mm),
            Paragraph(escape(b.scope_label()), self.st.h1),
            Spacer(1, 6 * mm),
        ]
        rows = [
            [self.t("as_of"), self.d(b.as_of)],
            [self.t("since"), self.d(b.since)],
        ]
        table = Table(rows, colWidths=[45 * mm, 80 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (0, -1), self.st.bold),
                    ("FONTNAME", (1, 0), (1, -1), self.st.font),
                    ("FONTSIZE", (0, 0), (-1, -1), 12),
                    ("LEADING", (0, 0), (-1, -1), 16),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        self.story += [table, Spacer(1, 8 * mm)]
        notes = [self.as_of_note(), self.since_note()]
        if b.since_default == "none":
            notes.append(self.t("since_default_none"))
        elif b.since_default == "brief":
            notes.append(self.t("since_default_brief", day=self.d(b.since)))
        generated = clock.to_local(b.generated_at).strftime(
            "%d.%m.%Y %H:%M" if lang == "de" else "%d/%m/%Y %H:%M"
        )
        notes.append(self.t("generated", at=generated, actor=b.actor or "–"))
        for note in notes:
            self.story.append(Paragraph(escape(note), self.st.note))
            self.story.append(Spacer(1, 2 * mm))
        self.story.append(Spacer(1, 10 * mm))
        self.story.append(Paragraph(escape(self.t("contents")), self.st.h2))
        for n, key in enumerate(
            (
                "s_key",
                "s_themes",
                "s_funding",
                "s_milestones",
                "s_changes",
                "s_risks",
                self.annex_key(),
            ),
            start=2,
        ):
            self.story.append(Paragraph(f"{n}. {escape(self.t(key))}", self.st.body))

    def as_of_note(self) -> str:
        b = self.brief
        key = "as_of_live" if b.as_of_source == "live" else "as_of_past"
        return self.t(key, day=self.d(b.as_of))

    def since_note(self) -> str:
        b = self.brief
        if b.since_source == "published":
            return self.t("since_published", id=b.since_brief_id, day=self.d(b.since))
        key = "since_live" if b.since_source == "live" else "since_journal"
        return self.t(key, day=self.d(b.since))

    def key_figures(self) -> None:
        b = self.brief
        self.section("s_key")
        rows = []
        for f in b.key_figures():
            rows.append(
                [
                    f.label(self.lang),
                    self.figure(f.now, f.kind),
                    self.figure(f.before, f.kind),
                    signed(f.delta, f.kind, self.lang),
                ]
            )
        self.table(
            [
                self.t("figure"),
                self.t("now", day=self.d(b.as_of)),
                self.t("before", day=self.d(b.since)),
                self.t("delta"),
            ],
            rows,
            [60, 40, 40, 35],
            numeric=(1, 2, 3),
        )
        self.story.append(Spacer(1, 3 * mm))
        self.story.append(Paragraph(escape(self.since_note()), self.st.note))

    def themes(self) -> None:
        b = self.brief
        self.section("s_themes")
        rows = []
        for t in b.themes:
            lights = " · ".join(
                f"{light_label(None if k == 'none' else k, self.lang)} "
                f"{count(t.lights.get(k, 0), self.lang)}"
                for k in ("green", "yellow", "red", "none")
            )
            rows.append(
                [
                    self.p(f"{t.key} {t.name}"),
                    count(t.projects, self.lang),
                    self.e(t.total_cost),
                    self.e(t.requested),
                    self.e(t.approved),
                    self.p(lights),
                ]
            )
        total = [
            self.t("total"),
            count(sum(t.projects for t in b.themes), self.lang),
            self.e(sum((t.total_cost for t in b.themes), Decimal(0))),
            self.e(sum((t.requested for t in b.themes), Decimal(0))),
            self.e(sum((t.approved for t in b.themes), Decimal(0))),
            "",
        ]
        self.table(
            [
                self.t("theme"),
                self.t("projects"),
                self.t("total_cost"),
                self.t("funding_requested"),
                self.t("funding_approved"),
                self.t("lights"),
            ],
            rows,
            [42, 17, 37, 37, 37, 38],
            numeric=(1, 2, 3, 4),
            total=total if len(b.themes) > 1 else None,
        )
        self.story.append(Spacer(1, 6 * mm))
        self.story.append(KeepTogether([self.p(self.t("chart_title"), self.st.h2), self.chart()]))

    def chart(self) -> Drawing:
        """Projects per Leitthema, stacked by status — as on the dashboard, drawn as vectors."""
        b = self.brief
        statuses = [str(s) for s in ProjectStatus]
        themes = b.themes
        height = 40 + 22 * max(1, len(themes)) + 40
        drawing = Drawing(WIDTH, height)
        chart = HorizontalBarChart()
        chart.x, chart.y = 150, 45
        chart.width, chart.height = WIDTH - 170, 22 * max(1, len(themes))
        chart.data = [[t.by_status.get(s, 0) for t in reversed(themes)] for s in statuses]
        chart.categoryAxis.style = "stacked"
        chart.categoryAxis.categoryNames = [
            _fit(f"{t.key} {t.name}", 140, self.st.font, 7) for t in reversed(themes)
        ]
        chart.categoryAxis.labels.fontName = self.st.font
        chart.categoryAxis.labels.fontSize = 7
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.valueAxis.labels.fontName = self.st.font
        chart.valueAxis.labels.fontSize = 7
        chart.valueAxis.valueMin = 0
        chart.valueAxis.labelTextFormat = lambda v: count(int(v), self.lang)
        chart.barWidth = 14
        chart.groupSpacing = 6
        for i, colour in enumerate(STATUS_COLOURS):
            chart.bars[i].fillColor = colour
            chart.bars[i].strokeColor = colors.white
            chart.bars[i].strokeWidth = 0.3
        drawing.add(chart)
        legend = Legend()
        legend.x, legend.y = 0, 22
        legend.fontName = self.st.font
        legend.fontSize = 7
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.deltax = WIDTH / 5
        legend.dx = legend.dy = 7
        legend.colorNamePairs = [
            (STATUS_COLOURS[i], status_label(s, self.lang)) for i, s in enumerate(statuses)
        ]
        drawing.add(legend)
        return drawing

    def funding(self) -> None:
        b = self.brief
        self.section("s_funding")
        self.heading("pipeline")
        self.table(
            [
                self.t("programme"),
                self.t("status"),
                self.t("applications"),
                self.t("requested"),
                self.t("approved"),
            ],
            [
                [
                    self.p(r.programme),
                    self.p(application_label(r.status, self.lang)),
                    count(r.applications, self.lang),
                    self.e(r.requested),
                    self.e(r.approved),
                ]
                for r in b.pipeline
            ],
            [55, 40, 18, 32, 32],
            numeric=(2, 3, 4),
        )
        self.heading("decisions", day=self.d(b.since))
        decisions, more = _cut(b.decisions)
        self.table(
            [
                self.t("decision_on"),
                self.t("project"),
                self.t("item"),
                self.t("status"),
                self.t("amount"),
            ],
            [
                [
                    self.d(e.day),
                    self.p(f"{e.project_key} {e.project_title}"),
                    self.p(f"{e.item_key or ''} {e.item_title or ''}"),
                    self.p(application_label(e.new, self.lang)),
                    self.e(e.amount),
                ]
                for e in decisions
            ],
            [18, 55, 45, 25, 30],
            numeric=(4,),
            more=more,
        )
        self.heading("grant_changes", day=self.d(b.since))
        grant_changes, more = _cut(b.grant_changes)
        self.table(
            [
                self.t("when"),
                self.t("project"),
                self.t("item"),
                self.t("grant_change_kind"),
                self.t("amount_after"),
            ],
            [
                [
                    self.d(e.day),
                    self.p(f"{e.project_key} {e.project_title}"),
                    self.p(f"{e.item_key or ''} {e.item_title or ''}"),
                    self.p(grant_change_label(e.kind, e.new, self.lang)),
                    self.e(e.amount),
                ]
                for e in grant_changes
            ],
            [18, 55, 45, 25, 30],
            numeric=(4,),
            more=more,
        )
        self.heading("duties", day=self.d(b.horizon))
        duties, more = _cut(b.duties)
        self.table(
            [self.t("due"), self.t("kind"), self.t("project"), self.t("item")],
            [
                [
                    self.d(d.due),
                    self.t(d.kind),
                    self.p(f"{d.project_key} {d.project_title}"),
                    self.p(f"{d.item_key} {d.title}"),
                ]
                for d in duties
            ],
            [18, 30, 70, 55],
            more=more,
        )
        self.heading("warnings")
        warnings, more = _cut(b.warnings)
        self.table(
            [self.t("project"), self.t("item"), self.t("notice")],
            [
                [
                    self.p(f"{w.project_key} {w.project_title}"),
                    self.p(w.item_key),
                    self.p(
                        self.t(
                            f"w_{w.code}",
                            amount=self.e(w.amount),
                            limit=self.e(w.limit),
                            day=self.d(w.day),
                        )
                    ),
                ]
                for w in warnings
            ],
            [55, 35, 85],
            more=more,
        )

    def milestone_table(self, rows: Sequence[MilestoneRow], *, done: bool, overdue: bool) -> None:
        b = self.brief
        header = [self.t("due"), self.t("project"), self.t("milestone")]
        widths = [18, 70, 70]
        if done:
            header.append(self.t("done_on"))
            widths.append(18)
        if overdue:
            header.append(self.t("days_overdue"))
            widths.append(18)
        data = []
        shown, more = _cut(rows)
        for m in shown:
            row: list[Any] = [
                self.d(m.due),
                self.p(f"{m.project_key} {m.project_title}"),
                self.p(f"{m.key} {m.title}"),
            ]
            if done:
                row.append(self.d(m.done))
            if overdue:
                row.append(count((b.as_of - m.due).days, self.lang))
            data.append(row)
        self.table(header, data, widths, numeric=(len(header) - 1,) if overdue else (), more=more)

    def milestones(self) -> None:
        b = self.brief
        self.section("s_milestones")
        self.heading("reached", day=self.d(b.since))
        self.milestone_table(b.reached, done=True, overdue=False)
        self.heading("overdue", day=self.d(b.as_of))
        self.milestone_table(
            sorted(b.overdue, key=lambda m: (m.due, m.project_key, m.key)), done=False, overdue=True
        )
        self.heading("upcoming", day=self.d(b.horizon))
        self.milestone_table(b.upcoming, done=False, overdue=False)

    def event_text(self, e: Event) -> tuple[str, str, str]:
        """(what, before, after) of one change, in words."""
        lang = self.lang
        if e.kind == Kind.STATUS:
            return self.t("status_change"), status_label(e.old, lang), status_label(e.new, lang)
        if e.kind == Kind.MILESTONE_SLIPPED:
            what = f"{self.t('milestone_slipped')}: {e.item_key} {e.item_title or ''}"
            return what, self.d(_iso(e.old)), self.d(_iso(e.new))
        if e.kind == Kind.LIGHT:
            return self.t("light"), light_label(e.old, lang), light_label(e.new, lang)
        if e.kind == Kind.DECISION:
            what = f"{self.t('decision')}: {e.item_key} {e.item_title or ''}"
            after = application_label(e.new, lang)
            if e.amount is not None:
                after += f" ({self.e(e.amount)})"
            return what, application_label(e.old, lang), after
        if e.kind in (Kind.NOTICE, Kind.REFUND):
            what = f"{grant_change_label(e.kind, e.new, lang)}: {e.item_key} {e.item_title or ''}"
            return what, "", self.e(e.amount) if e.amount is not None else ""
        return self.t(e.kind), "", ""

    def changes(self) -> None:
        b = self.brief
        self.section("s_changes")
        counts = b.changes.counts() if b.changes else {}
        summary = self.t(
            "change_counts",
            new=count(counts.get(Kind.NEW_PROJECT, 0), self.lang),
            archived=count(counts.get(Kind.ARCHIVED_PROJECT, 0), self.lang),
            status=count(counts.get(Kind.STATUS, 0), self.lang),
            slipped=count(counts.get(Kind.MILESTONE_SLIPPED, 0), self.lang),
            lights=count(counts.get(Kind.LIGHT, 0), self.lang),
            decisions=count(counts.get(Kind.DECISION, 0), self.lang),
            notices=count(counts.get(Kind.NOTICE, 0), self.lang),
            refunds=count(counts.get(Kind.REFUND, 0), self.lang),
        )
        self.story.append(
            Paragraph(
                escape(
                    self.t(
                        "changes_intro",
                        since=self.d(b.since),
                        as_of=self.d(b.as_of),
                        summary=summary,
                    )
                ),
                self.st.body,
            )
        )
        self.story.append(Spacer(1, 3 * mm))
        rows = []
        events, more = _cut(b.changes.events if b.changes else [])
        for e in events:
            what, old, new = self.event_text(e)
            rows.append(
                [
                    self.d(clock.to_local(e.at).date()),
                    self.p(f"{e.project_key} {e.project_title}"),
                    self.p(what),
                    self.p(old),
                    self.p(new),
                    self.p(e.actor),
                ]
            )
        self.table(
            [
                self.t("when"),
                self.t("project"),
                self.t("change"),
                self.t("old"),
                self.t("new"),
                self.t("by"),
            ],
            rows,
            [17, 48, 45, 25, 30, 20],
            more=more,
        )

    def risks(self) -> None:
        b = self.brief
        self.section("s_risks")
        self.story.append(
            Paragraph(escape(self.t("risks_intro", day=self.d(b.as_of))), self.st.body)
        )
        self.story.append(Spacer(1, 3 * mm))
        risks, more = _cut(b.risks)
        self.table(
            [self.t("project"), self.t("light"), self.t("report_date"), self.t("report_text")],
            [
                [
                    self.p(f"{r.project_key} {r.project_title}"),
                    self.p(light_label(r.light, self.lang)),
                    self.d(r.report_date),
                    self.p(r.text),
                ]
                for r in risks
            ],
            [50, 14, 18, 90],
            more=more,
        )

    def annex(self) -> None:
        b = self.brief
        self.section(self.annex_key())
        font, size = self.st.font, 7.5
        widths = [18, 56, 12, 22, 28, 11, 28, 28]
        scale = WIDTH / sum(widths)
        title_w = widths[1] * scale - 6
        lead_w = widths[3] * scale - 6
        status_w = widths[4] * scale - 6
        header = [
            self.t("project"),
            self.t("title_col"),
            self.t("theme_short"),
            self.t("lead"),
            self.t("status"),
            self.t("light"),
            self.t("cost"),
            self.t("funding"),
        ]
        shown = b.annex
        if len(shown) > PDF_LIST_LIMIT:
            # What a CDO reads: the largest projects by total cost (in key order); every
            # project is in the Excel version, and the totals below stay those of all.
            largest = sorted(b.annex, key=lambda a: (-a.total_cost, a.key))[:PDF_LIST_LIMIT]
            shown = sorted(largest, key=lambda a: a.key)
            self.story.append(
                self.p(
                    self.t(
                        "annex_top",
                        shown=count(len(shown), self.lang),
                        count=count(len(b.annex), self.lang),
                    ),
                    self.st.note,
                )
            )
        rows = [
            [
                a.key,
                _fit(a.title, title_w, font, size),
                a.theme_key,
                _fit(a.lead, lead_w, font, size),
                _fit(status_label(a.status, self.lang), status_w, font, size),
                light_label(a.light, self.lang) if a.light else "–",
                self.e(a.total_cost),
                self.e(a.funding),
            ]
            for a in shown
        ]
        total = [
            self.t("total"),
            count(len(b.annex), self.lang),
            "",
            "",
            "",
            "",
            self.e(sum((a.total_cost for a in b.annex), Decimal(0))),
            self.e(sum((a.funding for a in b.annex), Decimal(0))),
        ]
        if not rows:
            self.story.append(self.p(self.t("none"), self.st.note))
            return
        for start in range(0, len(rows), ANNEX_CHUNK):
            chunk = rows[start : start + ANNEX_CHUNK]
            last = start + ANNEX_CHUNK >= len(rows)
            self.table(
                header,
                chunk,
                widths,
                numeric=(6, 7),
                long=True,
                total=total if last else None,
            )

    def build(self) -> bytes:
        self.cover()
        self.key_figures()
        self.themes()
        self.funding()
        self.milestones()
        self.changes()
        self.risks()
        self.annex()
        out = io.BytesIO()
        doc = a4_document(
            out,
            title=f"{self.brief.title()} – {self.brief.scope_label()} – {self.d(self.brief.as_of)}",
            subject=self.brief.scope_label(),
            lang=self.lang,
        )
        doc.build(self.story, canvasmaker=_numbered_canvas(self.brief, self.st.font))
        return out.getvalue()


def _cut(rows: Sequence[T]) -> tuple[Sequence[T], int]:
    """The first :data:`PDF_LIST_LIMIT` rows and how many are left out."""
    return rows[:PDF_LIST_LIMIT], max(0, len(rows) - PDF_LIST_LIMIT)


def _iso(value: str | None) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(value) if value else None


def render_pdf(brief: Brief) -> bytes:
    """The brief as PDF bytes."""
    return _Builder(brief).build()
