"""The words of each section of the brief, for the PDF and the Excel renderer alike: section and
table titles with their dates, the column labels of every table, the notes of the cover, the
warnings' sentences and the labels of codes. The texts themselves are in :mod:`reports.texts`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from portfolio import clock, palette
from portfolio.changes import Event, Kind
from portfolio.figures import Deadline
from reports.brief.model import Brief, ChangeGroup, Finding
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

SECTIONS = ("key", "themes", "funding", "milestones", "changes", "risks", "annex")
"""The sections after the cover, in order: ``s_<name>`` titles a PDF section, ``sheet_<name>``
names a sheet of the workbook."""

DATED = {
    "decisions": "since",
    "grant_changes": "since",
    "reached": "since",
    "duties": "horizon",
    "upcoming": "horizon",
    "overdue": "as_of",
    "risks_intro": "as_of",
    "sum_lights": "as_of",
}
"""Titles that name a day of the brief: the reference date, the as-of date or the horizon."""


@dataclass(frozen=True)
class Columns:
    """The column labels (text keys) of one table: the PDF's and the workbook's, which gives a
    project's key and title (and an item's) columns of their own to filter by."""

    pdf: tuple[str, ...]
    xlsx: tuple[str, ...]


PIPELINE = Columns(
    pdf=("programme", "status", "applications", "requested", "approved"),
    xlsx=("programme", "status", "applications", "requested", "approved"),
)
DECISIONS = Columns(
    pdf=("decision_on", "project", "item", "status", "amount"),
    xlsx=("decision_on", "project", "title_col", "item", "programme", "status", "amount"),
)
GRANT_CHANGES = Columns(
    pdf=("when", "project", "item", "grant_change_kind", "amount_after"),
    xlsx=(
        "when",
        "project",
        "title_col",
        "item",
        "programme",
        "grant_change_kind",
        "amount_after",
        "period_until",
    ),
)
DUTIES = Columns(
    pdf=("due", "kind", "project", "item"),
    xlsx=("due", "kind", "project", "title_col", "item", "notice"),
)
WARNINGS = Columns(
    pdf=("project", "item", "notice"),
    xlsx=("project", "title_col", "item", "notice"),
)
MILESTONES = Columns(
    pdf=("due", "project", "milestone"),
    xlsx=("due", "project", "title_col", "milestone", "title_col"),
)
RISKS = Columns(
    pdf=("project", "light", "report_date", "report_text", "decision_needed"),
    xlsx=("project", "title_col", "light", "report_date", "risk", "decision_needed"),
)
ANNEX = Columns(
    pdf=("project", "title_col", "theme_short", "lead", "status", "light", "cost", "funding"),
    xlsx=("project", "title_col", "theme", "lead", "status", "light", "cost", "funding"),
)
THEMES = Columns(
    pdf=("theme", "projects", "total_cost", "funding_requested", "funding_approved", "lights"),
    xlsx=(
        "theme",
        "projects",
        "total_cost",
        "eligible_cost",
        "funding_requested",
        "funding_approved",
    ),
)
CHANGE_COLUMNS = ("when", "kind", "project", "title_col", "change", "amount", "by")
"""The workbook's list of changes (the PDF tells them as sentences)."""
# The tables of page 1 of the PDF: the top risks, the longest overdue milestones.
SUMMARY_RISK_COLUMNS = ("project", "light", "risk", "decision_needed")
SUMMARY_MILESTONE_COLUMNS = ("due", "project", "milestone", "days_overdue")


CHANGE_COUNTS = {
    "new": Kind.NEW_PROJECT,
    "archived": Kind.ARCHIVED_PROJECT,
    "status": Kind.STATUS,
    "slipped": Kind.MILESTONE_SLIPPED,
    "lights": Kind.LIGHT,
    "decisions": Kind.DECISION,
    "notices": Kind.NOTICE,
    "refunds": Kind.REFUND,
}
"""The placeholders of the "change_counts" text and the kinds of change they count."""


class Words:
    """The words of one brief in its language."""

    def __init__(self, brief: Brief) -> None:
        self.brief = brief
        self.lang = brief.lang

    # -- texts and values -------------------------------------------------------------------------

    def t(self, key: str, **params: Any) -> str:
        return tx(key, self.lang, **params)

    def d(self, value: dt.date | None) -> str:
        return day(value, self.lang)

    def e(self, value: Decimal | None) -> str:
        return fast_eur(value, self.lang)

    def n(self, value: int | None) -> str:
        return count(value, self.lang)

    def figure(self, value: Decimal | int | None, kind: str) -> str:
        if value is None:
            return "–"
        return self.e(Decimal(value)) if kind == "eur" else self.n(int(value))

    def labels(self, keys: tuple[str, ...]) -> list[str]:
        """The column labels of a table."""
        return [self.t(key) for key in keys]

    def dated(self, key: str) -> str:
        """A title that names its day (:data:`DATED`)."""
        b = self.brief
        days = {"since": b.since, "as_of": b.as_of, "horizon": b.horizon}
        return self.t(key, day=self.d(days[DATED[key]]))

    # -- labels of codes --------------------------------------------------------------------------

    def status(self, code: str | None) -> str:
        return status_label(code, self.lang)

    def light(self, code: str | None) -> str:
        return light_label(code, self.lang)

    def light_or_none(self, code: str) -> str:
        """A traffic light of :data:`portfolio.palette` ("none": no report yet)."""
        return self.light(None if code == palette.NO_LIGHT else code)

    def application(self, code: str | None) -> str:
        return application_label(code, self.lang)

    def grant_change(self, e: Event) -> str:
        return grant_change_label(e.kind, e.new, self.lang)

    def duty(self, d: Deadline) -> str:
        """The kind of an upcoming duty (proof of use, payment request)."""
        return self.t(d.kind)

    # -- the cover and the footer -----------------------------------------------------------------

    def cover_notes(self) -> list[str]:
        """Where today's and the comparison figures come from, and how the reference date was
        chosen: the PDF's cover and the workbook's say the same."""
        b = self.brief
        notes = [b.as_of_note(), b.since_note()]
        if b.since_default == "none":
            notes.append(self.t("since_default_none"))
        elif b.since_default == "brief":
            notes.append(self.t("since_default_brief", day=self.d(b.since)))
        return notes

    def generated(self) -> str:
        """When the brief was made, and by whom."""
        b = self.brief
        at = clock.to_local(b.generated_at).strftime(
            "%d.%m.%Y %H:%M" if self.lang == "de" else "%d/%m/%Y %H:%M"
        )
        return self.t("generated", at=at, actor=b.actor or "–")

    def footer(self) -> str:
        return self.t("footer", day=self.d(self.brief.as_of))

    def footer_left(self) -> str:
        return f"{self.t('title_short')} · {self.brief.scope_label()}"

    # -- the sections -----------------------------------------------------------------------------

    def where(self) -> str:
        """The line under the title of page 1: scope, as-of date and reference date."""
        b = self.brief
        where = f"{b.scope_label()} · {self.t('as_of')} {self.d(b.as_of)}"
        if b.has_comparison:
            where += f" · {self.t('since')} {self.d(b.since)}"
        return where

    def key_figures_header(self) -> list[str]:
        b = self.brief
        return [
            self.t("figure"),
            self.t("now", day=self.d(b.as_of)),
            self.t("before", day=self.d(b.since)),
            self.t("delta"),
        ]

    def delta(self, value: Decimal | int | None, kind: str) -> str:
        return signed(value, kind, self.lang)

    def warning(self, w: Finding) -> str:
        """What a finding of the funding rules says."""
        return self.t(
            f"w_{w.code}", amount=self.e(w.amount), limit=self.e(w.limit), day=self.d(w.day)
        )

    def change_summary(self) -> str:
        """The sentence above the changes: the period and how many changes of each kind."""
        b = self.brief
        counts = b.changes.counts() if b.changes else {}
        summary = self.t(
            "change_counts",
            **{word: self.n(counts.get(kind, 0)) for word, kind in CHANGE_COUNTS.items()},
        )
        return self.t(
            "changes_intro", since=self.d(b.since), as_of=self.d(b.as_of), summary=summary
        )

    def change_heading(self, group: ChangeGroup) -> str:
        return self.t("changes_heading", kind=group.label, count=self.n(len(group.lines)))

    def more_rows(self, more: int) -> str:
        return self.t("more_rows", count=self.n(more))

    def days_overdue(self, due: dt.date) -> str:
        return self.n((self.brief.as_of - due).days)
