"""The fact sheet's building blocks: its styles, its words and values in the sheet's language,
and the pieces every section is made of (escaped paragraphs, a coloured mark with its word, a
section heading, a free text, a table of rows), each cut to the sheet's :class:`Limits`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Table, TableStyle

from portfolio.i18n import fmt_date, fmt_eur, fmt_int, fmt_number
from portfolio.queries.factsheet import FactSheet
from portfolio.vocab import field_label
from reports.factsheet.fitting import Limits, cut_rows, shorten
from reports.factsheet.wording import sheet_text
from reports.pdf import BLUE, LIGHT_COLOURS, WIDTH, Styles, table_style
from reports.texts import light_label

T = TypeVar("T")

MARK = "\u25cf"  # ●


class SheetWriter:
    """The story of one fact sheet in one language, and the blocks that add to it."""

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
        return sheet_text(self.lang, name, **params)

    def f(self, name: str) -> str:
        return field_label(name, self.lang)

    def d(self, value: dt.date | None) -> str:
        return fmt_date(value, self.lang)

    def e(self, value: Decimal | None) -> str:
        return fmt_eur(value, self.lang)

    def n(self, value: Decimal | None) -> str:
        return fmt_number(value, self.lang)

    # -- blocks -----------------------------------------------------------------------------------

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
        shown, cut = shorten(text, self.limits.text)
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

    def cut(self, rows: Sequence[T]) -> tuple[list[T], int]:
        return cut_rows(rows, self.limits.rows)
