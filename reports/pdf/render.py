"""The brief as a PDF: A4, German by default, page numbers and the as-of date in every footer,
charts as vector graphics (reportlab.graphics), tables that break across pages with their header
row repeated. Page 1 is :mod:`reports.pdf.summary`, the rest :mod:`reports.pdf.sections`."""

from __future__ import annotations

import io

from reportlab.platypus import PageBreak

from reports.brief.model import Brief
from reports.pdf import sections
from reports.pdf.layout import BriefDocument, numbered_canvas
from reports.pdf.story import Story
from reports.pdf.summary import summary


def render_pdf(brief: Brief) -> bytes:
    """The brief as PDF bytes."""
    s = Story(brief)
    summary(s)
    s.story.append(PageBreak())
    sections.cover(s)
    sections.key_figures(s)
    sections.themes(s)
    sections.funding(s)
    sections.milestones(s)
    sections.changes(s)
    sections.risks(s)
    sections.annex(s)
    out = io.BytesIO()
    w = s.w
    doc = BriefDocument(
        out,
        title=f"{brief.title()} – {brief.scope_label()} – {w.d(brief.as_of)}",
        subject=brief.scope_label(),
        lang=brief.lang,
    )
    canvas = numbered_canvas(s.st.font, brief.lang, left=w.footer_left(), centre=w.footer())
    # Two passes (or more): the contents list learns the pages of the sections.
    doc.multiBuild(s.story, canvasmaker=canvas)
    return out.getvalue()
