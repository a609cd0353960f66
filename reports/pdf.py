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
from reportlab.lib.pagesizes import A4, landscape
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
    KeepInFrame,
    KeepTogether,
    LongTable,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from db.enums import ProjectStatus, TrafficLight
from portfolio import clock, palette
from portfolio.changes import Event, Kind
from reports.brief import Brief, KeyFigure, MilestoneRow
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
CHANGES_PER_KIND = 8  # sentences per kind of change; all of them are in the Excel brief
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
LIGHT_COLOURS = {code: colors.HexColor(hex_) for code, hex_ in palette.LIGHT_COLOURS.items()}
"""The traffic lights of :mod:`portfolio.palette` as reportlab colours (the fact sheet's too)."""
LIGHTS = (*(str(x) for x in TrafficLight), palette.NO_LIGHT)
PAGE_W, PAGE_H = A4
LAND_W, LAND_H = landscape(A4)
MARGIN = 16 * mm
WIDTH = PAGE_W - 2 * MARGIN
LAND_WIDTH = LAND_W - 2 * MARGIN
SUMMARY_RISKS = 5
SUMMARY_MILESTONES = 3
SUMMARY_TEXT = 220  # characters of a risk or decision on page 1


def status_colour(code: str) -> colors.Color:
    """A project status's colour from :mod:`portfolio.palette`."""
    return colors.HexColor(palette.colour(palette.PROJECT_STATUS_COLOURS, code))


def light_colour(code: str | None) -> colors.Color:
    return LIGHT_COLOURS.get(code or palette.NO_LIGHT, LIGHT_COLOURS[palette.NO_LIGHT])


def light_mark(code: str | None) -> str:
    """Paragraph markup of a traffic light's mark in its colour (shape and colour)."""
    hex_ = palette.colour(palette.LIGHT_COLOURS, code or palette.NO_LIGHT)
    return f'<font color="{hex_}">{palette.mark(palette.LIGHT_MARKS, code)}</font>'


def _short(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word with an ellipsis after ``limit`` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + " …"


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
        # Headers of the annex: wrapped between words, never inside one.
        self.head = ParagraphStyle("head", parent=self.cell, splitLongWords=0)
        self.head_right = ParagraphStyle("head_right", parent=self.right, splitLongWords=0)
        self.top = ParagraphStyle(
            "top", parent=base, fontName=self.bold, fontSize=12, leading=15, textColor=BLUE
        )
        self.tile_label = ParagraphStyle("tile_label", parent=base, fontSize=8, leading=10)
        self.tile_value = ParagraphStyle(
            "tile_value", parent=base, fontName=self.bold, fontSize=10.5, leading=13
        )
        self.tile_delta = ParagraphStyle(
            "tile_delta",
            parent=base,
            fontSize=7.5,
            leading=9.5,
            textColor=colors.HexColor("#444444"),
        )
        self.lights = ParagraphStyle("lights", parent=base, fontSize=10, leading=14)
        self.toc = ParagraphStyle("toc", parent=base, fontSize=10.5, leading=16)
        # One change of "Was hat sich geändert?": a sentence led by a bullet.
        self.item = ParagraphStyle(
            "item",
            parent=base,
            leftIndent=5 * mm,
            bulletIndent=1 * mm,
            bulletFontName=self.font,
            spaceAfter=2,
        )


def _page_options(title: str, subject: str, lang: str) -> dict[str, Any]:
    """What every A4 document of ours shares: margins above the footer and the metadata."""
    return {
        "pagesize": A4,
        "leftMargin": MARGIN,
        "rightMargin": MARGIN,
        "topMargin": MARGIN,
        "bottomMargin": 18 * mm,
        "title": title,
        "author": "Smart City Innovation Unit Bochum",
        "subject": subject,
        "lang": "de-DE" if lang == "de" else "en-GB",
    }


def a4_document(out: io.BytesIO, *, title: str, subject: str, lang: str) -> BaseDocTemplate:
    """The A4 page of the brief and the fact sheet: margins, one body frame above the footer,
    the document's metadata."""
    doc = BaseDocTemplate(out, **_page_options(title, subject, lang))
    frame = Frame(MARGIN, 18 * mm, WIDTH, PAGE_H - MARGIN - 18 * mm, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    return doc


class _Heading(Paragraph):
    """A section heading: an entry of the contents list and of the PDF's outline."""

    def __init__(self, text: str, style: ParagraphStyle, key: str) -> None:
        super().__init__(escape(text), style)
        self.toc_key = key
        self.toc_text = text


class BriefDocument(BaseDocTemplate):
    """The brief: A4 portrait pages and landscape ones (the annex); every :class:`_Heading` goes
    into the contents list (:class:`TableOfContents`, filled by ``multiBuild``) and the outline."""

    def __init__(self, out: io.BytesIO, *, title: str, subject: str, lang: str) -> None:
        super().__init__(out, **_page_options(title, subject, lang))
        portrait = Frame(MARGIN, 18 * mm, WIDTH, PAGE_H - MARGIN - 18 * mm, id="body")
        wide = Frame(MARGIN, 18 * mm, LAND_WIDTH, LAND_H - MARGIN - 18 * mm, id="wide")
        self.addPageTemplates(
            [
                PageTemplate(id="page", frames=[portrait], pagesize=A4),
                PageTemplate(id="landscape", frames=[wide], pagesize=landscape(A4)),
            ]
        )

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, _Heading):
            self.canv.bookmarkPage(flowable.toc_key)
            self.canv.addOutlineEntry(flowable.toc_text, flowable.toc_key, level=0)
            self.notify("TOCEntry", (0, flowable.toc_text, self.page, flowable.toc_key))


def numbered_canvas(font: str, lang: str, *, left: str, centre: str) -> type[Canvas]:
    """A canvas whose footer reads ``left`` · ``centre`` · "Seite n von N" (the brief's and the
    fact sheet's)."""

    class NumberedCanvas(Canvas):
        """Keeps each page until the end, then writes "Seite n von N" on all of them."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self._marks: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

        def bookmarkPage(self, *args: Any, **kwargs: Any) -> None:
            # Kept with the page: the page it names exists once it is written in save().
            self._marks.append((args, kwargs))

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._marks = []
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                for args, kwargs in state["_marks"]:
                    super().bookmarkPage(*args, **kwargs)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            page_w = self._pagesize[0]  # portrait or landscape
            self.saveState()
            self.setFont(font, 7.5)
            self.setFillColor(colors.HexColor("#555555"))
            self.setStrokeColor(LINE)
            self.line(MARGIN, 12 * mm, page_w - MARGIN, 12 * mm)
            self.drawString(MARGIN, 8 * mm, left)
            self.drawCentredString(page_w / 2, 8 * mm, centre)
            self.drawRightString(
                page_w - MARGIN,
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

    def table(self, *args: Any, **kwargs: Any) -> None:
        """A table that breaks across pages with its header repeated (:meth:`make_table`'s
        arguments), added to the story."""
        self.story += self.make_table(*args, **kwargs)

    def make_table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        *,
        numeric: Sequence[int] = (),
        long: bool = False,
        total: Sequence[Any] | None = None,
        more: int = 0,
        width: float = WIDTH,
        whole_words: bool = False,
    ) -> list[Flowable]:
        """The flowables of :meth:`table`; ``whole_words`` keeps header words unbroken."""
        shown = list(rows)
        if not shown:
            return [self.p(self.t("none"), self.st.note)]
        scale = width / sum(widths)
        col_widths = [w * scale for w in widths]
        left, right = (
            (self.st.head, self.st.head_right) if whole_words else (self.st.cell, self.st.right)
        )
        head = [self.p(h, right if i in numeric else left) for i, h in enumerate(header)]
        data: list[Sequence[Any]] = [head, *shown]
        if total is not None:
            data.append(total)
        cls = LongTable if long else Table
        table = cls(data, colWidths=col_widths, repeatRows=1)
        style = table_style(self.st, numeric=numeric, total=total is not None)
        table.setStyle(TableStyle(style))
        out: list[Flowable] = [table]
        if more:
            out.append(self.p(self.t("more_rows", count=count(more, self.lang)), self.st.note))
        return out

    def marked(self, code: str | None, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph led by a traffic light's coloured mark."""
        return Paragraph(f"{light_mark(code)} {escape(text)}", style or self.st.cell)

    def heading(self, key: str, **params: Any) -> None:
        self.story.append(CondPageBreak(40 * mm))
        self.story.append(Paragraph(escape(self.t(key, **params)), self.st.h2))

    def annex_key(self) -> str:
        """The annex's title: all projects, or the largest where the PDF lists only those."""
        return "s_annex_top" if len(self.brief.annex) > PDF_LIST_LIMIT else "s_annex"

    def section(self, key: str, *, wide: bool = False) -> None:
        """A new page (landscape if ``wide``) headed by the section's title."""
        if wide:
            self.story.append(NextPageTemplate("landscape"))
        self.story.append(PageBreak())
        self.story.append(_Heading(self.t(key), self.st.h1, key))

    # -- sections ---------------------------------------------------------------------------------

    # -- page 1: the executive summary -----------------------------------------------------------

    def summary(self) -> None:
        """Page 1: the five key figures, the lights, the top risks with the decisions they need,
        the missed milestones and the funding at risk — shrunk to one page if need be."""
        b, st = self.brief, self.st
        where = f"{b.scope_label()} · {self.t('as_of')} {self.d(b.as_of)}"
        if b.has_comparison:
            where += f" · {self.t('since')} {self.d(b.since)}"
        self.story += [
            Paragraph(escape(b.title()), st.top),
            Paragraph(escape(where), st.note),
            Spacer(1, 2 * mm),
            _Heading(self.t("s_summary"), st.h1, "s_summary"),
        ]
        parts: list[Flowable] = [Paragraph(escape(self.t("sum_figures")), st.h2)]
        parts.append(self.figure_tiles(b.summary_figures()))
        if not b.has_comparison:
            parts += [Spacer(1, 1 * mm), self.p(self.t("no_comparison_note"), st.note)]
        parts.append(Paragraph(escape(self.t("sum_lights", day=self.d(b.as_of))), st.h2))
        parts.append(self.light_strip(b.light_counts()))
        parts.append(Paragraph(escape(self.t("sum_risks")), st.h2))
        parts += self.top_risks()
        parts.append(Paragraph(escape(self.t("sum_missed")), st.h2))
        parts += self.missed_milestones()
        parts.append(Paragraph(escape(self.t("sum_money")), st.h2))
        parts.append(Paragraph(escape(self.e(b.money_at_risk)), st.tile_value))
        parts.append(
            self.p(
                self.t(
                    "sum_money_text",
                    amount=self.e(b.money_at_risk),
                    projects=count(b.at_risk_projects, self.lang),
                ),
                st.note,
            )
        )
        self.story.append(KeepInFrame(0, 0, parts, mode="shrink"))

    def figure_tiles(self, figures: Sequence[KeyFigure]) -> Table:
        """The key figures side by side: label, value, change (or "no comparison data")."""
        b, st = self.brief, self.st
        cells = []
        for f in figures:
            if f.before is None:
                delta = self.t("no_comparison")
            else:
                delta = self.t(
                    "sum_delta", delta=signed(f.delta, f.kind, self.lang), day=self.d(b.since)
                )
            cells.append(
                [
                    self.p(f.label(self.lang), st.tile_label),
                    self.p(self.figure(f.now, f.kind), st.tile_value),
                    self.p(delta, st.tile_delta),
                ]
            )
        # Amounts get the wider tiles, so "123.456.789,00 €" stays on one line.
        shares = [1.25 if f.kind == "eur" else 0.75 for f in figures]
        table = Table([cells], colWidths=[WIDTH * x / sum(shares) for x in shares])
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), GREY),
                    ("LINEABOVE", (0, 0), (-1, 0), 1.2, BLUE),
                    ("LINEAFTER", (0, 0), (-2, -1), 2, colors.white),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                    ("LEFTPADDING", (0, 0), (-1, -1), 5),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return table

    def light_strip(self, counts: dict[str, int]) -> Table:
        """Projects per traffic light, each as its coloured mark with its label and count."""
        cells = [
            Paragraph(
                f'<font size="14">{light_mark(k)}</font> '
                f"{escape(light_label(None if k == palette.NO_LIGHT else k, self.lang))}: "
                f"<b>{escape(count(counts.get(k, 0), self.lang))}</b>",
                self.st.lights,
            )
            for k in LIGHTS
        ]
        table = Table([cells], colWidths=[WIDTH / len(cells)] * len(cells))
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return table

    def top_risks(self) -> list[Flowable]:
        """The first risks (red before yellow) with the decision each needs."""
        b = self.brief
        top = b.risks[:SUMMARY_RISKS]
        out = self.make_table(
            [self.t("project"), self.t("light"), self.t("risk"), self.t("decision_needed")],
            [
                [
                    self.p(_short(f"{r.project_key} {r.project_title}", 70)),
                    self.marked(r.light, light_label(r.light, self.lang)),
                    self.p(_short(r.risk_text, SUMMARY_TEXT) or "–"),
                    self.p(_short(r.decisions_needed, SUMMARY_TEXT) or self.t("no_decision")),
                ]
                for r in top
            ],
            [40, 17, 62, 56],
        )
        if len(b.risks) > len(top):
            out.append(
                self.p(
                    self.t(
                        "sum_risks_more",
                        shown=count(len(top), self.lang),
                        count=count(len(b.risks), self.lang),
                    ),
                    self.st.note,
                )
            )
        return out

    def missed_milestones(self) -> list[Flowable]:
        """How many milestones are overdue, and the longest overdue."""
        b = self.brief
        oldest = sorted(b.overdue, key=lambda m: (m.due, m.project_key, m.key))
        out: list[Flowable] = [
            self.p(
                self.t(
                    "sum_missed_text",
                    count=count(b.now.overdue_milestones, self.lang),
                    day=self.d(b.as_of),
                ),
                self.st.body,
            ),
            Spacer(1, 1.5 * mm),
        ]
        if oldest:
            out += self.make_table(
                [self.t("due"), self.t("project"), self.t("milestone"), self.t("days_overdue")],
                [
                    [
                        self.d(m.due),
                        self.p(_short(f"{m.project_key} {m.project_title}", 70)),
                        self.p(_short(f"{m.key} {m.title}", 70)),
                        count((b.as_of - m.due).days, self.lang),
                    ]
                    for m in oldest[:SUMMARY_MILESTONES]
                ],
                [18, 70, 70, 18],
                numeric=(3,),
            )
        return out

    # -- page 2: cover details and contents -------------------------------------------------------

    def cover(self) -> None:
        b, lang = self.brief, self.lang
        self.story += [
            Spacer(1, 12 * mm),
            Paragraph(escape(b.title()), self.st.title),
            Spacer(1, 6 * mm),
            Paragraph(escape(b.scope_label()), self.st.h1),
            Spacer(1, 4 * mm),
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
        self.story += [table, Spacer(1, 6 * mm)]
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
        self.story.append(Spacer(1, 8 * mm))
        self.story.append(Paragraph(escape(self.t("contents")), self.st.h2))
        toc = TableOfContents()
        toc.levelStyles = [self.st.toc]
        toc.dotsMinLevel = 0
        self.story.append(toc)

    def as_of_note(self) -> str:
        return self.brief.as_of_note()

    def since_note(self) -> str:
        return self.brief.since_note()

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
            lights = "<br/>".join(
                f"{light_mark(k)} "
                f"{escape(light_label(None if k == palette.NO_LIGHT else k, self.lang))} "
                f"{count(t.lights.get(k, 0), self.lang)}"
                for k in LIGHTS
            )
            rows.append(
                [
                    self.p(f"{t.key} {t.name}"),
                    count(t.projects, self.lang),
                    self.e(t.total_cost),
                    self.e(t.requested),
                    self.e(t.approved),
                    Paragraph(lights, self.st.cell),
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
        # Each status its palette colour and its count written on the bar, so the chart reads in
        # greyscale as well.
        chart.barLabelFormat = lambda v: count(int(v), self.lang) if v else ""
        chart.barLabels.fontName = self.st.font
        chart.barLabels.fontSize = 6.5
        chart.barLabels.boxTarget = "mid"
        chart.barLabels.boxAnchor = "c"
        for i, code in enumerate(statuses):
            hex_ = palette.colour(palette.PROJECT_STATUS_COLOURS, code)
            chart.bars[i].fillColor = colors.HexColor(hex_)
            chart.bars[i].strokeColor = colors.white
            chart.bars[i].strokeWidth = 0.3
            chart.barLabels[i].fillColor = colors.HexColor(palette.text_colour(hex_))
        drawing.add(chart)
        legend = Legend()
        legend.x, legend.y = 0, 22
        legend.fontName = self.st.font
        legend.fontSize = 7
        legend.alignment = "right"
        legend.columnMaximum = 2
        legend.deltax = WIDTH / 3
        legend.deltay = 10
        legend.dx = legend.dy = 7
        legend.strokeColor = colors.black
        legend.strokeWidth = 0.3
        legend.colorNamePairs = [(status_colour(s), status_label(s, self.lang)) for s in statuses]
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
        groups = b.change_groups()
        if not groups:
            self.story.append(Spacer(1, 3 * mm))
            self.story.append(self.p(self.t("changes_none"), self.st.note))
            return
        for group in groups:
            self.story.append(CondPageBreak(30 * mm))
            self.story.append(
                Paragraph(
                    escape(
                        self.t(
                            "changes_heading",
                            kind=group.label,
                            count=count(len(group.lines), self.lang),
                        )
                    ),
                    self.st.h2,
                )
            )
            for line in group.lines[:CHANGES_PER_KIND]:
                self.story.append(Paragraph(escape(line.text), self.st.item, bulletText="•"))
            more = len(group.lines) - CHANGES_PER_KIND
            if more > 0:
                self.story.append(
                    self.p(self.t("more_rows", count=count(more, self.lang)), self.st.note)
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
            [
                self.t("project"),
                self.t("light"),
                self.t("report_date"),
                self.t("report_text"),
                self.t("decision_needed"),
            ],
            [
                [
                    self.p(f"{r.project_key} {r.project_title}"),
                    self.marked(r.light, light_label(r.light, self.lang)),
                    self.d(r.report_date),
                    self.p(r.risk_text),
                    self.p(r.decisions_needed or "–"),
                ]
                for r in risks
            ],
            [42, 16, 18, 58, 42],
            more=more,
        )

    def annex(self) -> None:
        """Every project (or the largest) on landscape pages; cells wrap, nothing is cut."""
        b = self.brief
        self.section(self.annex_key(), wide=True)
        widths = [22, 80, 14, 44, 40, 26, 30, 30]
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
                self.p(a.key),
                self.p(a.title),
                a.theme_key,
                self.p(a.lead),
                self.p(status_label(a.status, self.lang)),
                self.marked(a.light, light_label(a.light, self.lang)) if a.light else "–",
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
                width=LAND_WIDTH,
                whole_words=True,
            )

    def build(self) -> bytes:
        self.summary()
        self.story.append(PageBreak())
        self.cover()
        self.key_figures()
        self.themes()
        self.funding()
        self.milestones()
        self.changes()
        self.risks()
        self.annex()
        out = io.BytesIO()
        doc = BriefDocument(
            out,
            title=f"{self.brief.title()} – {self.brief.scope_label()} – {self.d(self.brief.as_of)}",
            subject=self.brief.scope_label(),
            lang=self.lang,
        )
        # Two passes (or more): the contents list learns the pages of the sections.
        doc.multiBuild(self.story, canvasmaker=_numbered_canvas(self.brief, self.st.font))
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
