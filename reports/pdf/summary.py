"""Page 1 of the brief's PDF, the executive summary: the five key figures, the lights, the top
risks with the decisions they need, the missed milestones and the funding at risk."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepInFrame, Paragraph, Spacer, Table, TableStyle

from reports.brief.model import KeyFigure
from reports.brief.wording import SUMMARY_MILESTONE_COLUMNS, SUMMARY_RISK_COLUMNS
from reports.pdf.layout import BLUE, GREY, LIGHTS, WIDTH, Heading, light_mark, short_text
from reports.pdf.story import Story

SUMMARY_RISKS = 5
SUMMARY_MILESTONES = 3
SUMMARY_TEXT = 220  # characters of a risk or decision on page 1


def summary(s: Story) -> None:
    """Page 1, shrunk to one page if need be."""
    b, w, st = s.brief, s.w, s.st
    s.story += [
        Paragraph(escape(b.title()), st.top),
        Paragraph(escape(w.where()), st.note),
        Spacer(1, 2 * mm),
        Heading(w.t("s_summary"), st.h1, "s_summary"),
    ]
    parts: list[Flowable] = [Paragraph(escape(w.t("sum_figures")), st.h2)]
    parts.append(figure_tiles(s, b.summary_figures()))
    if not b.has_comparison:
        parts += [Spacer(1, 1 * mm), s.note(w.t("no_comparison_note"))]
    parts.append(Paragraph(escape(w.dated("sum_lights")), st.h2))
    parts.append(light_strip(s, b.light_counts()))
    parts.append(Paragraph(escape(w.t("sum_risks")), st.h2))
    parts += top_risks(s)
    parts.append(Paragraph(escape(w.t("sum_missed")), st.h2))
    parts += missed_milestones(s)
    parts.append(Paragraph(escape(w.t("sum_money")), st.h2))
    parts.append(Paragraph(escape(w.e(b.money_at_risk)), st.tile_value))
    parts.append(
        s.note(
            w.t(
                "sum_money_text",
                amount=w.e(b.money_at_risk),
                projects=w.n(b.at_risk_projects),
            )
        )
    )
    s.story.append(KeepInFrame(0, 0, parts, mode="shrink"))


def figure_tiles(s: Story, figures: Sequence[KeyFigure]) -> Table:
    """The key figures side by side: label, value, change (or "no comparison data")."""
    w, st = s.w, s.st
    cells = []
    for f in figures:
        if f.before is None:
            delta = w.t("no_comparison")
        else:
            delta = w.t("sum_delta", delta=w.delta(f.delta, f.kind), day=w.d(s.brief.since))
        cells.append(
            [
                s.p(f.label(w.lang), st.tile_label),
                s.p(w.figure(f.now, f.kind), st.tile_value),
                s.p(delta, st.tile_delta),
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


def light_strip(s: Story, counts: dict[str, int]) -> Table:
    """Projects per traffic light, each as its coloured mark with its label and count."""
    cells = [
        Paragraph(
            f'<font size="14">{light_mark(k)}</font> '
            f"{escape(s.w.light_or_none(k))}: "
            f"<b>{escape(s.w.n(counts.get(k, 0)))}</b>",
            s.st.lights,
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


def top_risks(s: Story) -> list[Flowable]:
    """The first risks (red before yellow) with the decision each needs."""
    b, w = s.brief, s.w
    top = b.risks[:SUMMARY_RISKS]
    out = s.make_table(
        w.labels(SUMMARY_RISK_COLUMNS),
        [
            [
                s.p(short_text(f"{r.project_key} {r.project_title}", 70)),
                s.marked(r.light, w.light(r.light)),
                s.p(short_text(r.risk_text, SUMMARY_TEXT) or "–"),
                s.p(short_text(r.decisions_needed, SUMMARY_TEXT) or w.t("no_decision")),
            ]
            for r in top
        ],
        [40, 17, 62, 56],
    )
    if len(b.risks) > len(top):
        out.append(s.note(w.t("sum_risks_more", shown=w.n(len(top)), count=w.n(len(b.risks)))))
    return out


def missed_milestones(s: Story) -> list[Flowable]:
    """How many milestones are overdue, and the longest overdue."""
    b, w = s.brief, s.w
    oldest = sorted(b.overdue, key=lambda m: (m.due, m.project_key, m.key))
    out: list[Flowable] = [
        s.p(
            w.t("sum_missed_text", count=w.n(b.now.overdue_milestones), day=w.d(b.as_of)),
            s.st.body,
        ),
        Spacer(1, 1.5 * mm),
    ]
    if oldest:
        out += s.make_table(
            w.labels(SUMMARY_MILESTONE_COLUMNS),
            [
                [
                    w.d(m.due),
                    s.p(short_text(f"{m.project_key} {m.project_title}", 70)),
                    s.p(short_text(f"{m.key} {m.title}", 70)),
                    w.days_overdue(m.due),
                ]
                for m in oldest[:SUMMARY_MILESTONES]
            ],
            [18, 70, 70, 18],
            numeric=(3,),
        )
    return out
