"""The brief's model: the rows of its sections and the :class:`Brief` that holds them, with the
figures and sentences every renderer (PDF, Excel, the Berichte page) reads the same way."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from db.enums import ProjectStatus, TrafficLight
from portfolio import clock
from portfolio import funding_rules as rules
from portfolio.changes import KINDS, Changes, Event, Kind
from portfolio.errors import PortfolioError
from portfolio.figures import Deadline, Summary
from portfolio.i18n import DEFAULT_LANG
from reports.texts import change_kind_label, change_sentence, day, status_label, tx

HORIZON_DAYS = rules.DEADLINE_HORIZON_DAYS
DEFAULT_SINCE_DAYS = 90
ZERO = Decimal("0.00")


class BriefError(PortfolioError):
    """A brief that cannot be made as asked (dates, scope)."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params
        super().__init__(self.message())

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return tx(f"error_{self.code}", lang, **self.params)


def scope_of(theme_key: str | None) -> str:
    """The scope a brief is published under: "all" or "theme:<key>"."""
    return "all" if theme_key is None else f"theme:{theme_key}"


# ---- rows of the sections ---------------------------------------------------------------------


@dataclass(frozen=True)
class KeyFigure:
    key: str
    kind: str  # "int" or "eur"
    now: Decimal | int
    before: Decimal | int | None
    status: str | None = None

    @property
    def delta(self) -> Decimal | int | None:
        if self.before is None:
            return None
        return self.now - self.before

    def label(self, lang: str) -> str:
        if self.status is not None:
            return tx("projects_status", lang, status=status_label(self.status, lang))
        return tx(self.key, lang)


@dataclass(frozen=True)
class ThemeRow:
    key: str
    name: str
    projects: int
    by_status: dict[str, int]
    total_cost: Decimal
    eligible_cost: Decimal
    requested: Decimal
    approved: Decimal
    lights: dict[str, int]  # green, yellow, red, none


@dataclass(frozen=True)
class PipelineRow:
    programme: str
    status: str
    applications: int
    requested: Decimal
    approved: Decimal


Finding = rules.Finding
"""One line of the warnings section: a finding of :mod:`portfolio.funding_rules`."""


@dataclass(frozen=True)
class MilestoneRow:
    project_key: str
    project_title: str
    key: str
    title: str
    due: dt.date
    done: dt.date | None


@dataclass(frozen=True)
class RiskRow:
    project_key: str
    project_title: str
    light: str
    report_date: dt.date
    text: str  # the report's summary
    risks: str = ""  # the report's risks column
    decisions_needed: str = ""
    next_steps: str = ""

    @property
    def risk_text(self) -> str:
        """What the risk is: the report's risks, else its summary (reports before the columns)."""
        return self.risks or self.text


@dataclass(frozen=True)
class Report:
    """The latest status report of a project up to the as-of date."""

    light: str
    day: dt.date
    text: str | None
    budget: str | None = None
    risks: str | None = None
    decisions_needed: str | None = None
    next_steps: str | None = None


@dataclass(frozen=True)
class ChangeLine:
    """One change of the period as the brief tells it: a sentence in the reader's language."""

    kind: str
    project_key: str
    project_title: str
    day: dt.date  # the Bochum day it was recorded
    author: str  # the author as a reader names them
    text: str
    amount: Decimal | None = None


@dataclass(frozen=True)
class ChangeGroup:
    """The changes of one kind (in the order of :data:`portfolio.changes.KINDS`), by project."""

    kind: str
    label: str
    lines: list[ChangeLine]


@dataclass(frozen=True)
class AnnexRow:
    key: str
    title: str
    theme_key: str
    lead: str
    status: str
    light: str | None
    total_cost: Decimal
    funding: Decimal


@dataclass
class Brief:
    lang: str
    theme_key: str | None
    theme_name: str | None
    as_of: dt.date
    since: dt.date
    since_source: str  # "published", "journal", "live"
    since_brief_id: int | None
    since_default: str | None  # None (given), "brief", "none"
    as_of_source: str  # "live" or "journal"
    generated_at: dt.datetime
    actor: str
    now: Summary
    before: Summary
    themes: list[ThemeRow] = field(default_factory=list)
    pipeline: list[PipelineRow] = field(default_factory=list)
    duties: list[Deadline] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    reached: list[MilestoneRow] = field(default_factory=list)
    overdue: list[MilestoneRow] = field(default_factory=list)
    upcoming: list[MilestoneRow] = field(default_factory=list)
    changes: Changes | None = None
    risks: list[RiskRow] = field(default_factory=list)
    annex: list[AnnexRow] = field(default_factory=list)
    money_at_risk: Decimal = ZERO
    at_risk_projects: int = 0

    SUMMARY_KEYS = (
        "projects",
        "total_cost",
        "funding_approved",
        "paid_out",
        "overdue_milestones",
    )
    """The five figures of the executive summary (page 1)."""

    @property
    def has_comparison(self) -> bool:
        """Whether there is something to compare with: a date was asked for or an earlier brief
        was published (not merely the 90-day default of a first brief)."""
        return self.since_default != "none"

    def summary_figures(self) -> list[KeyFigure]:
        """The five figures of page 1; without comparison data ``before`` is None."""
        by_key = {f.key: f for f in self.key_figures() if f.status is None}
        return [
            by_key[key] if self.has_comparison else dataclasses.replace(by_key[key], before=None)
            for key in self.SUMMARY_KEYS
        ]

    def light_counts(self) -> dict[str, int]:
        """Projects per overall light of their latest report (green, yellow, red, none)."""
        keys = (*(str(x) for x in TrafficLight), "none")
        return {k: sum(t.lights.get(k, 0) for t in self.themes) for k in keys}

    @property
    def scope(self) -> str:
        return scope_of(self.theme_key)

    @property
    def horizon(self) -> dt.date:
        return self.as_of + dt.timedelta(days=HORIZON_DAYS)

    def scope_label(self, lang: str | None = None) -> str:
        lang = lang or self.lang
        if self.theme_key is None:
            return tx("scope_all", lang)
        return tx("scope_theme", lang, key=self.theme_key, name=self.theme_name or "")

    def title(self, lang: str | None = None) -> str:
        return tx("title", lang or self.lang)

    def as_of_note(self, lang: str | None = None) -> str:
        """Where today's figures come from (live, or rebuilt for a past day): the PDF's cover
        and the Excel brief say the same."""
        lang = lang or self.lang
        key = "as_of_live" if self.as_of_source == "live" else "as_of_past"
        return tx(key, lang, day=day(self.as_of, lang))

    def since_note(self, lang: str | None = None) -> str:
        """What the comparison figures are (a published brief, live, or rebuilt)."""
        lang = lang or self.lang
        if self.since_source == "published":
            return tx("since_published", lang, id=self.since_brief_id, day=day(self.since, lang))
        key = "since_live" if self.since_source == "live" else "since_journal"
        return tx(key, lang, day=day(self.since, lang))

    @property
    def decisions(self) -> list[Event]:
        """Funding decisions dated inside the period (after ``since``, up to ``as_of``); one
        recorded in the period but dated before it is left out. Without a decision date the day
        it was recorded counts."""
        if not self.changes:
            return []
        return [
            e
            for e in self.changes.of(Kind.DECISION)
            if self.since < (e.day or clock.to_local(e.at).date()) <= self.as_of
        ]

    @property
    def grant_changes(self) -> list[Event]:
        """Amendments, revocations, renunciations and refunds claimed since the reference
        date, in the order they were recorded."""
        if not self.changes:
            return []
        return [e for e in self.changes.events if e.kind in (Kind.NOTICE, Kind.REFUND)]

    def change_groups(self, lang: str | None = None) -> list[ChangeGroup]:
        """The period's changes grouped by kind (fixed order, kinds without changes left out)
        and within a kind by project (a project's changes oldest first), one sentence each."""
        lang = lang or self.lang
        if not self.changes:
            return []
        groups = []
        for kind in KINDS:
            events = sorted(self.changes.of(kind), key=lambda e: e.project_key)
            if not events:
                continue
            lines = []
            for e in events:
                author = self.changes.author(e, lang)
                lines.append(
                    ChangeLine(
                        kind=kind,
                        project_key=e.project_key,
                        project_title=e.project_title,
                        day=clock.to_local(e.at).date(),
                        author=author,
                        text=change_sentence(e, lang, author),
                        amount=e.amount,
                    )
                )
            groups.append(ChangeGroup(kind, change_kind_label(kind, lang), lines))
        return groups

    def key_figures(self) -> list[KeyFigure]:
        now, before = self.now, self.before
        rows = [KeyFigure("projects", "int", now.projects, before.projects)]
        rows += [
            KeyFigure(
                f"projects_{s}", "int", now.by_status.get(s, 0), before.by_status.get(s, 0), s
            )
            for s in (str(x) for x in ProjectStatus)
        ]
        for key in (
            "total_cost",
            "eligible_cost",
            "funding_requested",
            "funding_approved",
            "paid_out",
            "own_share",
            "own_budget",
        ):
            if hasattr(now, key):
                rows.append(KeyFigure(key, "eur", getattr(now, key), getattr(before, key, ZERO)))
        rows.append(
            KeyFigure(
                "overdue_milestones", "int", now.overdue_milestones, before.overdue_milestones
            )
        )
        return rows

    def figures_json(self) -> dict[str, Any]:
        """What a published brief freezes besides its files."""
        return {
            "format": 1,
            "scope": self.scope,
            "as_of": self.as_of.isoformat(),
            "since": self.since.isoformat(),
            "since_source": self.since_source,
            "summary": self.now.to_json(),
            "before": self.before.to_json(),
            "themes": [
                {
                    "key": t.key,
                    "projects": t.projects,
                    "total_cost": str(t.total_cost),
                    "approved": str(t.approved),
                    "lights": t.lights,
                }
                for t in self.themes
            ],
            "changes": self.changes.counts() if self.changes else {},
            "warnings": len(self.warnings),
            "risks": len(self.risks),
        }
