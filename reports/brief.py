"""The content of the CDO brief, gathered once and rendered as PDF and Excel alike.

``build_brief`` answers every section from the services and the journal:

* figures for *today* come from :func:`portfolio.figures.summary_of_state` on the live database,
  as :func:`portfolio.figures.summary` computes them, so the brief agrees with the dashboard and
  ``portfolio summary`` to the cent;
* figures for a *past* as-of date come from the same function run on
  :func:`portfolio.changes.snapshot` — the portfolio rebuilt from the current rows and the journal
  (old value of the first change after the day; rows created later left out; archive state set
  back likewise); when nothing changed after the day, the live database is used as it is. This
  is the state ``portfolio summary --as-of`` reads too (:func:`portfolio.figures.state_at`);
* every funding condition (requested, awarded and paid by the day, overdue, own share) and every
  warning comes from :mod:`portfolio.funding_rules`, shared with the Förderung page;
* the reference ("since") figures are the frozen figures of a published brief of the same scope
  for exactly that date where one exists, and otherwise rebuilt the same way;
* "what changed" comes from :func:`portfolio.changes.what_changed` (the journal, never guessed).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from db.enums import REPORTING_PROJECT_STATUSES, ApplicationStatus, ProjectStatus, TrafficLight
from db.models import (
    ActionField,
    FundingApplication,
    FundingProgramme,
    Milestone,
    Organisation,
    Project,
    PublishedBrief,
    StatusReport,
    Theme,
)
from portfolio import changes as journal_changes
from portfolio import clock
from portfolio import funding_rules as rules
from portfolio.changes import KINDS, Changes, Event, Kind
from portfolio.errors import PortfolioError
from portfolio.figures import (
    SUMMARY_TABLES,
    Deadline,
    PartnerFigures,
    ProgrammeFigures,
    Summary,
    ThemeFigures,
    deadlines,
    state_at,
    summary_of_state,
    theme_id_of,
)
from portfolio.i18n import DEFAULT_LANG
from portfolio.policy import Action, requires
from portfolio.services.milestones import overdue_condition
from reports.texts import change_kind_label, change_sentence, day, tx

HORIZON_DAYS = rules.DEADLINE_HORIZON_DAYS
DEFAULT_SINCE_DAYS = 90
ZERO = Decimal("0.00")
# What the reference figures (a whole Summary) read: everything but the status reports.
SINCE_TABLES = SUMMARY_TABLES


class BriefError(PortfolioError):
    """A brief that cannot be made as asked (dates, scope)."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params
        super().__init__(self.message())

    def message(self, lang: str = DEFAULT_LANG) -> str:
        texts = {
            "future": (
                "Der Stichtag {as_of} liegt in der Zukunft. Bitte höchstens heute wählen.",
                "The as-of date {as_of} is in the future. Please choose today or earlier.",
            ),
            "since_not_before": (
                "Das Vergleichsdatum {since} muss vor dem Stichtag {as_of} liegen.",
                "The reference date {since} must be before the as-of date {as_of}.",
            ),
        }
        de, en = texts[self.code]
        return (en if lang == "en" else de).format(**self.params)


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
            from reports.texts import status_label

            return tx(lang, "projects_status", status=status_label(self.status, lang))
        return tx(lang, self.key)


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
        return "all" if self.theme_key is None else f"theme:{self.theme_key}"

    @property
    def horizon(self) -> dt.date:
        return self.as_of + dt.timedelta(days=HORIZON_DAYS)

    def scope_label(self, lang: str | None = None) -> str:
        lang = lang or self.lang
        if self.theme_key is None:
            return tx(lang, "scope_all")
        return tx(lang, "scope_theme", key=self.theme_key, name=self.theme_name or "")

    def title(self, lang: str | None = None) -> str:
        return tx(lang or self.lang, "title")

    def as_of_note(self, lang: str | None = None) -> str:
        """Where today's figures come from (live, or rebuilt for a past day): the PDF's cover
        and the Excel brief say the same."""
        lang = lang or self.lang
        key = "as_of_live" if self.as_of_source == "live" else "as_of_past"
        return tx(lang, key, day=day(self.as_of, lang))

    def since_note(self, lang: str | None = None) -> str:
        """What the comparison figures are (a published brief, live, or rebuilt)."""
        lang = lang or self.lang
        if self.since_source == "published":
            return tx(lang, "since_published", id=self.since_brief_id, day=day(self.since, lang))
        key = "since_live" if self.since_source == "live" else "since_journal"
        return tx(lang, key, day=day(self.since, lang))

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


def summary_from_json(data: dict[str, Any]) -> Summary:
    """A :class:`Summary` back from :meth:`Summary.to_json` (the frozen figures of a brief).

    Figures a newer version added and an old brief lacks come back as zero.
    """

    def dec(value: Any) -> Decimal:
        return Decimal(str(value if value is not None else 0)).quantize(Decimal("0.01"))

    def made(cls: Any, values: dict[str, Any], **special: Any) -> Any:
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name in special:
                kwargs[f.name] = special[f.name]
                continue
            value = values.get(f.name)
            kind = str(f.type)
            if kind.startswith("Decimal"):
                kwargs[f.name] = dec(value)
            elif kind == "int":
                kwargs[f.name] = int(value or 0)
            elif kind.startswith("dict"):
                kwargs[f.name] = {k: int(v) for k, v in (value or {}).items()}
            else:
                kwargs[f.name] = value
        return cls(**kwargs)

    result: Summary = made(
        Summary,
        data,
        as_of=dt.date.fromisoformat(data["as_of"]),
        themes=[made(ThemeFigures, t) for t in data.get("themes", [])],
        programmes=[made(ProgrammeFigures, p) for p in data.get("programmes", [])],
        partners=[made(PartnerFigures, p) for p in data.get("partners", [])],
    )
    return result


# ---- the state of a day -----------------------------------------------------------------------


@requires(Action.READ_PORTFOLIO)
@contextmanager
def state_session(
    session: Session, day: dt.date, today: dt.date, tables: tuple[Any, ...] | None = None
) -> Iterator[tuple[Session, str]]:
    """A session on the portfolio as it was at the end of ``day``: the live one if nothing has
    changed since, else a session on a rebuilt snapshot. Yields (session, "live"|"journal").
    The same state :func:`portfolio.figures.summary` reads for a past day."""
    with state_at(session, day, today=today, tables=tables) as state:
        yield state


@requires(Action.READ_PUBLISHED)
def published_for(session: Session, scope: str, as_of: dt.date) -> PublishedBrief | None:
    return session.execute(
        select(PublishedBrief)
        .where(PublishedBrief.scope == scope, PublishedBrief.as_of == as_of)
        .order_by(PublishedBrief.id.desc())
        .limit(1)
    ).scalar_one_or_none()


@requires(Action.READ_PUBLISHED)
def last_published_before(session: Session, scope: str, as_of: dt.date) -> PublishedBrief | None:
    return session.execute(
        select(PublishedBrief)
        .where(PublishedBrief.scope == scope, PublishedBrief.as_of < as_of)
        .order_by(PublishedBrief.as_of.desc(), PublishedBrief.id.desc())
        .limit(1)
    ).scalar_one_or_none()


# ---- queries for the sections (on the state session) ------------------------------------------


def _scope_ids(theme_id: int | None) -> Any:
    return rules.project_scope(theme_id)


def _dec(value: Any) -> Decimal:
    return Decimal(value if value is not None else 0).quantize(Decimal("0.01"))


def _latest(as_of: dt.date, theme_id: int | None) -> Any:
    """(project_id, day) of each project's latest status report up to ``as_of``."""
    return (
        select(StatusReport.project_id, func.max(StatusReport.report_date).label("day"))
        .where(StatusReport.report_date <= as_of, StatusReport.project_id.in_(_scope_ids(theme_id)))
        .group_by(StatusReport.project_id)
        .subquery()
    )


@requires(Action.READ_PORTFOLIO)
def latest_report_rows(s: Session, as_of: dt.date, theme_id: int | None) -> dict[int, Report]:
    """Project id → its latest status report up to ``as_of``."""
    latest = _latest(as_of, theme_id)
    return {
        row[0]: Report(*row[1:])
        for row in s.execute(
            select(
                StatusReport.project_id,
                StatusReport.overall,
                StatusReport.report_date,
                StatusReport.summary,
                StatusReport.budget,
                StatusReport.risks,
                StatusReport.decisions_needed,
                StatusReport.next_steps,
            ).join(
                latest,
                and_(
                    latest.c.project_id == StatusReport.project_id,
                    latest.c.day == StatusReport.report_date,
                ),
            )
        )
    }


@requires(Action.READ_PORTFOLIO)
def latest_reports(
    s: Session, as_of: dt.date, theme_id: int | None
) -> dict[int, tuple[str, dt.date, str | None]]:
    """Project id → (overall light, date, text) of its latest status report up to ``as_of``."""
    return {
        pid: (r.light, r.day, r.text) for pid, r in latest_report_rows(s, as_of, theme_id).items()
    }


@requires(Action.READ_PORTFOLIO)
def theme_rows(s: Session, now: Summary, as_of: dt.date, theme_id: int | None) -> list[ThemeRow]:
    projects = _scope_ids(theme_id)
    in_scope = Project.id.in_(projects)
    money: dict[str, tuple[Decimal, Decimal]] = {}
    for key, requested, approved in s.execute(
        select(
            Theme.key,
            func.sum(FundingApplication.amount_requested).filter(rules.live_application()),
            func.sum(FundingApplication.amount_approved).filter(rules.awarded_by(as_of)),
        )
        .select_from(FundingApplication)
        .join(Project, Project.id == FundingApplication.project_id)
        .join(ActionField, ActionField.id == Project.action_field_id)
        .join(Theme, Theme.id == ActionField.theme_id)
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .where(rules.application_counts(projects), rules.external_programme())
        .group_by(Theme.key)
    ):
        money[key] = (_dec(requested), _dec(approved))
    lights: dict[str, dict[str, int]] = {}
    reports = latest_reports(s, as_of, theme_id)
    for pid, key in s.execute(
        select(Project.id, Theme.key)
        .join(ActionField, ActionField.id == Project.action_field_id)
        .join(Theme, Theme.id == ActionField.theme_id)
        .where(in_scope)
    ):
        light = reports[pid][0] if pid in reports else "none"
        counts = lights.setdefault(key, {})
        counts[light] = counts.get(light, 0) + 1
    return [
        ThemeRow(
            key=t.key,
            name=t.name,
            projects=t.projects,
            by_status=dict(t.by_status),
            total_cost=t.total_cost,
            eligible_cost=t.eligible_cost,
            requested=money.get(t.key, (ZERO, ZERO))[0],
            approved=money.get(t.key, (ZERO, ZERO))[1],
            lights={k: lights.get(t.key, {}).get(k, 0) for k in ("green", "yellow", "red", "none")},
        )
        for t in now.themes
    ]


@requires(Action.READ_PORTFOLIO)
def pipeline_rows(s: Session, theme_id: int | None) -> list[PipelineRow]:
    order = {str(x): i for i, x in enumerate(ApplicationStatus)}
    rows = [
        PipelineRow(name, status, n, _dec(req), _dec(appr))
        for name, status, n, req, appr in s.execute(
            select(
                FundingProgramme.name,
                FundingApplication.status,
                func.count(),
                func.sum(FundingApplication.amount_requested),
                func.sum(FundingApplication.amount_approved),
            )
            .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
            .where(
                FundingApplication.archived.is_(False),
                FundingApplication.project_id.in_(_scope_ids(theme_id)),
            )
            .group_by(FundingProgramme.name, FundingApplication.status)
        )
    ]
    return sorted(rows, key=lambda r: (r.programme, order.get(r.status, 99)))


@requires(Action.READ_PORTFOLIO)
def warning_rows(s: Session, as_of: dt.date, theme_id: int | None) -> list[Finding]:
    """Every finding of the funding rules on the day, by project, rule and item."""
    found = rules.findings(s, _scope_ids(theme_id), as_of)
    out = [f for code in rules.WARNING_CODES for f in found[code]]
    return sorted(out, key=lambda w: (w.project_key, w.code, w.item_key))


@requires(Action.READ_PORTFOLIO)
def milestone_rows(
    s: Session, theme_id: int | None, *conditions: Any, order: Any = None
) -> list[MilestoneRow]:
    stmt = (
        select(
            Project.key,
            Project.title,
            Milestone.key,
            Milestone.title,
            Milestone.due_date,
            Milestone.done_date,
        )
        .join(Project, Project.id == Milestone.project_id)
        .where(Milestone.project_id.in_(_scope_ids(theme_id)), *conditions)
        .order_by(
            *(order if order is not None else (Milestone.due_date, Project.key, Milestone.key))
        )
    )
    return [MilestoneRow(*row) for row in s.execute(stmt)]


@requires(Action.READ_PORTFOLIO)
def risk_rows(s: Session, as_of: dt.date, theme_id: int | None) -> list[RiskRow]:
    """Running projects (:data:`db.enums.REPORTING_PROJECT_STATUSES`) whose latest report has a
    red or yellow overall light; completed, discontinued and idea projects are no risks."""
    reports = latest_report_rows(s, as_of, theme_id)
    rank = {TrafficLight.RED.value: 0, TrafficLight.YELLOW.value: 1}
    risky = [pid for pid, r in reports.items() if r.light in rank]
    rows = []
    for start in range(0, len(risky), 5000):
        for pid, key, title in s.execute(
            select(Project.id, Project.key, Project.title).where(
                Project.id.in_(risky[start : start + 5000]),
                Project.status.in_(REPORTING_PROJECT_STATUSES),
            )
        ):
            r = reports[pid]
            rows.append(
                RiskRow(
                    key,
                    title,
                    r.light,
                    r.day,
                    r.text or "",
                    r.risks or "",
                    r.decisions_needed or "",
                    r.next_steps or "",
                )
            )
    return sorted(rows, key=lambda r: (rank[r.light], r.project_key))


@requires(Action.READ_PORTFOLIO)
def money_at_risk(s: Session, as_of: dt.date, theme_id: int | None) -> tuple[Decimal, int]:
    """(approved funding, projects) at risk on the day: the funding awarded by then
    (:func:`portfolio.funding_rules.awarded_by`, external programmes, as "Förderung bewilligt")
    of running projects whose latest report has a red budget light, or of grants whose proof of
    use is overdue (:func:`portfolio.funding_rules.proof_overdue`). Each grant counts once."""
    latest = _latest(as_of, theme_id)
    red_budget = (
        select(StatusReport.project_id)
        .join(
            latest,
            and_(
                latest.c.project_id == StatusReport.project_id,
                latest.c.day == StatusReport.report_date,
            ),
        )
        .where(StatusReport.budget == TrafficLight.RED.value)
    )
    at_risk = or_(
        rules.proof_overdue(as_of),
        and_(
            FundingApplication.project_id.in_(red_budget),
            Project.status.in_(REPORTING_PROJECT_STATUSES),
        ),
    )
    amount, projects = s.execute(
        select(
            func.sum(FundingApplication.amount_approved),
            func.count(func.distinct(FundingApplication.project_id)),
        )
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .join(Project, Project.id == FundingApplication.project_id)
        .where(
            rules.application_counts(_scope_ids(theme_id)),
            rules.external_programme(),
            rules.awarded_by(as_of),
            at_risk,
        )
    ).one()
    return _dec(amount), int(projects or 0)


@requires(Action.READ_PORTFOLIO)
def annex_rows(s: Session, as_of: dt.date, theme_id: int | None) -> list[AnnexRow]:
    reports = latest_reports(s, as_of, theme_id)
    funding = (
        select(
            FundingApplication.project_id,
            func.sum(FundingApplication.amount_approved).label("approved"),
        )
        .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
        .where(
            FundingApplication.archived.is_(False),
            rules.awarded_by(as_of),
            rules.external_programme(),
        )
        .group_by(FundingApplication.project_id)
        .subquery()
    )
    stmt = (
        select(
            Project.id,
            Project.key,
            Project.title,
            Theme.key,
            Organisation.short_name,
            Project.status,
            Project.total_cost,
            funding.c.approved,
        )
        .join(ActionField, ActionField.id == Project.action_field_id)
        .join(Theme, Theme.id == ActionField.theme_id)
        .join(Organisation, Organisation.id == Project.lead_organisation_id, isouter=True)
        .join(funding, funding.c.project_id == Project.id, isouter=True)
        .where(Project.id.in_(_scope_ids(theme_id)))
        .order_by(Project.key)
    )
    return [
        AnnexRow(
            key,
            title,
            theme,
            lead or "–",
            status,
            reports[pid][0] if pid in reports else None,
            _dec(cost),
            _dec(approved),
        )
        for pid, key, title, theme, lead, status, cost, approved in s.execute(stmt)
    ]


# ---- the brief --------------------------------------------------------------------------------


@requires(Action.PUBLISH_BRIEF)
def resolve_dates(
    session: Session,
    *,
    theme_key: str | None,
    as_of: dt.date | None,
    since: dt.date | None,
    today: dt.date | None = None,
) -> tuple[dt.date, dt.date, str | None]:
    """(as_of, since, how since was chosen) with the defaults: today; the last published brief of
    the same scope before the as-of date, else 90 days before it."""
    today = today or clock.today()
    as_of = as_of or today
    if as_of > today:
        raise BriefError("future", as_of=as_of.strftime("%d.%m.%Y"))
    how: str | None = None
    if since is None:
        scope = "all" if theme_key is None else f"theme:{theme_key}"
        last = last_published_before(session, scope, as_of)
        if last is not None:
            since, how = last.as_of, "brief"
        else:
            since, how = as_of - dt.timedelta(days=DEFAULT_SINCE_DAYS), "none"
    if since >= as_of:
        raise BriefError(
            "since_not_before",
            since=since.strftime("%d.%m.%Y"),
            as_of=as_of.strftime("%d.%m.%Y"),
        )
    return as_of, since, how


@requires(Action.PUBLISH_BRIEF)
def build_brief(
    session: Session,
    *,
    theme_key: str | None = None,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
    lang: str = DEFAULT_LANG,
    actor: str = "",
    today: dt.date | None = None,
) -> Brief:
    """Gather every section of the brief (see the module doc for where each figure comes from)."""
    today = today or clock.today()
    theme_name: str | None = None
    theme_id = theme_id_of(session, theme_key)
    if theme_id is not None:
        row = session.execute(select(Theme.name, Theme.name_en).where(Theme.id == theme_id)).one()
        theme_name = (row.name_en or row.name) if lang == "en" else row.name
    as_of, since, how = resolve_dates(
        session, theme_key=theme_key, as_of=as_of, since=since, today=today
    )
    scope = "all" if theme_key is None else f"theme:{theme_key}"

    # The reference figures: frozen where a brief was published for exactly that date.
    frozen = published_for(session, scope, since)
    since_brief_id: int | None = None
    if frozen is not None and "summary" in (frozen.figures or {}):
        before = summary_from_json(frozen.figures["summary"])
        since_source, since_brief_id = "published", frozen.id
    else:
        with state_session(session, since, today, SINCE_TABLES) as (s, source):
            before = summary_of_state(s, day=since, theme_key=theme_key)
        since_source = source

    with state_session(session, as_of, today) as (s, as_of_source):
        now = summary_of_state(s, day=as_of, theme_key=theme_key)
        horizon = as_of + dt.timedelta(days=HORIZON_DAYS)
        due = deadlines(s, today=as_of, days=HORIZON_DAYS, theme_key=theme_key)
        brief = Brief(
            lang=lang,
            theme_key=theme_key,
            theme_name=theme_name,
            as_of=as_of,
            since=since,
            since_source=since_source,
            since_brief_id=since_brief_id,
            since_default=how,
            as_of_source=as_of_source,
            generated_at=clock.utcnow(),
            actor=actor,
            now=now,
            before=before,
            themes=theme_rows(s, now, as_of, theme_id),
            pipeline=pipeline_rows(s, theme_id),
            duties=[d for d in due if d.kind != "milestone"],
            warnings=warning_rows(s, as_of, theme_id),
            reached=milestone_rows(
                s,
                theme_id,
                Milestone.archived.is_(False),
                Milestone.done_date > since,
                Milestone.done_date <= as_of,
                order=(Milestone.done_date, Project.key, Milestone.key),
            ),
            overdue=milestone_rows(s, theme_id, overdue_condition(as_of)),
            upcoming=milestone_rows(
                s,
                theme_id,
                Milestone.archived.is_(False),
                Milestone.done_date.is_(None),
                Milestone.due_date >= as_of,
                Milestone.due_date <= horizon,
            ),
            risks=risk_rows(s, as_of, theme_id),
            annex=annex_rows(s, as_of, theme_id),
        )
        brief.money_at_risk, brief.at_risk_projects = money_at_risk(s, as_of, theme_id)
    brief.changes = journal_changes.what_changed(
        session, since=since, as_of=as_of, theme_key=theme_key
    )
    return brief
