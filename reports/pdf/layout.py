"""The layout of our PDFs (the brief's and the fact sheet's): A4 pages and their margins, the
fonts, colours and paragraph styles, the look of a table, the document with its contents list
and outline, the footer with "Seite n von N", and text cut to fit."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from db.enums import TrafficLight
from portfolio import palette
from reports.texts import tx

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


def status_colour(code: str) -> colors.Color:
    """A project status's colour from :mod:`portfolio.palette`."""
    return colors.HexColor(palette.colour(palette.PROJECT_STATUS_COLOURS, code))


def light_colour(code: str | None) -> colors.Color:
    return LIGHT_COLOURS.get(code or palette.NO_LIGHT, LIGHT_COLOURS[palette.NO_LIGHT])


def light_mark(code: str | None) -> str:
    """Paragraph markup of a traffic light's mark in its colour (shape and colour)."""
    hex_ = palette.colour(palette.LIGHT_COLOURS, code or palette.NO_LIGHT)
    return f'<font color="{hex_}">{palette.mark(palette.LIGHT_MARKS, code)}</font>'


def short_text(text: str, limit: int) -> str:
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


class Heading(Paragraph):
    """A section heading: an entry of the contents list and of the PDF's outline."""

    def __init__(self, text: str, style: ParagraphStyle, key: str) -> None:
        super().__init__(escape(text), style)
        self.toc_key = key
        self.toc_text = text


class BriefDocument(BaseDocTemplate):
    """The brief: A4 portrait pages and landscape ones (the annex); every :class:`Heading` goes
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
        if isinstance(flowable, Heading):
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
                tx("page", lang, page=self._pageNumber, pages=total),
            )
            self.restoreState()

    return NumberedCanvas


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
def fit_text(text: str, width: float, font: str, size: float) -> str:
    """``text`` cut with an ellipsis so it fits ``width`` points."""
    full = stringWidth(text, font, size)
    if full <= width:
        return text
    n = max(0, int(len(text) * width / full))
    while n > 0 and stringWidth(text[:n] + "…", font, size) > width:
        n -= 1
    return text[:n].rstrip() + "…"
