"""The story of the brief's PDF as its sections write it: paragraphs, tables that break across
pages with their header row repeated, section titles on a new page, headings kept with what
follows, lists cut at :data:`PDF_LIST_LIMIT` rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    LongTable,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Table,
    TableStyle,
)

from reports.brief.model import Brief
from reports.brief.wording import Words
from reports.pdf.layout import WIDTH, Heading, Styles, light_mark, table_style

PDF_LIST_LIMIT = 300
T = TypeVar("T")


def cut(rows: Sequence[T]) -> tuple[Sequence[T], int]:
    """The first :data:`PDF_LIST_LIMIT` rows and how many are left out."""
    return rows[:PDF_LIST_LIMIT], max(0, len(rows) - PDF_LIST_LIMIT)


class Story:
    """The flowables of one brief's PDF, with its words (:class:`Words`) and styles."""

    def __init__(self, brief: Brief) -> None:
        self.brief = brief
        self.w = Words(brief)
        self.st = Styles()
        self.story: list[Flowable] = []

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(escape(text), style or self.st.cell)

    def note(self, text: str) -> Paragraph:
        return self.p(text, self.st.note)

    def marked(self, code: str | None, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph led by a traffic light's coloured mark."""
        return Paragraph(f"{light_mark(code)} {escape(text)}", style or self.st.cell)

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
            return [self.note(self.w.t("none"))]
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
            out.append(self.note(self.w.more_rows(more)))
        return out

    def listing(
        self,
        title: str,
        header: Sequence[str],
        items: Sequence[T],
        row: Callable[[T], Sequence[Any]],
        widths: Sequence[float],
        *,
        numeric: Sequence[int] = (),
    ) -> None:
        """A titled table of ``items`` (one ``row`` each), cut at :data:`PDF_LIST_LIMIT` with a
        note of how many more the Excel brief lists."""
        self.heading(title)
        shown, more = cut(items)
        self.table(header, [row(item) for item in shown], widths, numeric=numeric, more=more)

    def heading(self, text: str) -> None:
        """A table's title, kept on the page with the start of the table."""
        self.story.append(CondPageBreak(40 * mm))
        self.story.append(Paragraph(escape(text), self.st.h2))

    def section(self, key: str, *, wide: bool = False) -> None:
        """A new page (landscape if ``wide``) headed by the section's title."""
        if wide:
            self.story.append(NextPageTemplate("landscape"))
        self.story.append(PageBreak())
        self.story.append(Heading(self.w.t(key), self.st.h1, key))
