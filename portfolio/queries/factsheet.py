"""The project fact sheet (Steckbrief): one project on one or two pages, as plain data.

Everything is read where the project page reads it, so the sheet and the page agree:

* core, partners, the funding lines (programme, status, requested, approved, paid out),
  milestones with their state, KPIs with their measurements and the status reports come from
  :func:`portfolio.queries.detail.project_detail`;
* the project's funding requested and approved in total are the register's figures
  (:func:`portfolio.queries.register.rows`: live applications requested, awarded by the day
  approved), the same numbers the register and its export show.

Two entry points: :func:`fact_sheet`, the internal sheet for those who read the portfolio (with
the responsible person, the priority and the newest report's text), and
:func:`published_fact_sheet`, the public one: only for a published project, with its core and
the field groups it publishes (:class:`db.enums.PublishGroup`), never personal data (no
responsible person, no e-mail address, phone number, note or report text).

The sheet holds codes, not words: it is rendered in German or English by
:func:`reports.factsheet.render_pdf`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from db.enums import PublishGroup
from portfolio.errors import NotFound
from portfolio.policy import Action, require_project, requires
from portfolio.queries import detail as detail_q
from portfolio.queries import register as register_q
from portfolio.services import organisations, projects

ALL_GROUPS: frozenset[str] = frozenset(str(g) for g in PublishGroup)


@dataclass(frozen=True)
class PartnerLine:
    organisation: str
    """The organisation's full name (never a person)."""
    short_name: str
    role: str  # ParticipationRole code
    cash: Decimal | None = None  # internal sheet only
    in_kind: Decimal | None = None  # internal sheet only


@dataclass(frozen=True)
class FundingLine:
    """One funding line (application) as the project page's Förderung table shows it."""

    key: str
    programme: str
    status: str  # ApplicationStatus code
    requested: Decimal | None
    approved: Decimal | None
    paid: Decimal | None
    """Paid out by the payment requests (the page's "ausgezahlt"); internal sheet only."""


@dataclass(frozen=True)
class Funding:
    total_cost: Decimal | None
    eligible_cost: Decimal | None
    approved: Decimal
    """Approved in total: the register's figure (awarded by the sheet's day)."""
    requested: Decimal | None
    """Requested in total (live applications): the register's figure; internal sheet only."""
    lines: tuple[FundingLine, ...] = ()


@dataclass(frozen=True)
class MilestoneLine:
    key: str
    title: str
    due: dt.date
    done: dt.date | None
    state: str  # MilestoneState code, as of the sheet's day


@dataclass(frozen=True)
class Measurement:
    measured_on: dt.date
    value: Decimal


@dataclass(frozen=True)
class KpiLine:
    key: str
    name: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None
    target_date: dt.date | None
    measurements: tuple[Measurement, ...] = ()

    @property
    def latest(self) -> Measurement | None:
        """The newest measurement (they come ordered by day)."""
        return self.measurements[-1] if self.measurements else None


@dataclass(frozen=True)
class StatusLine:
    """The newest status report: its day and lights (the public sheet: the overall light)."""

    report_date: dt.date
    overall: str  # TrafficLight code
    schedule: str | None = None
    budget: str | None = None
    funding: str | None = None
    summary: str | None = None  # internal sheet only


@dataclass(frozen=True)
class FactSheet:
    """One project's fact sheet. ``groups``: the field groups shown (all on the internal sheet);
    a group not shown has its field ``None``; ``status`` is also ``None`` when the project has
    no report yet."""

    public: bool
    as_of: dt.date
    key: str
    title: str
    status: str  # ProjectStatus code
    theme_key: str
    theme_name: str
    theme_name_en: str | None
    action_field_key: str
    action_field_name: str
    action_field_name_en: str | None
    spatial_scope: str | None
    spatial_note: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    repository_url: str | None
    groups: frozenset[str]
    priority: str | None = None  # internal sheet only
    responsible_person: str | None = None  # internal sheet only: never published
    lead: str | None = None  # lead organisation (with the partners group when published)
    archived: bool = False
    summary: str | None = None
    goals: str | None = None
    partners: tuple[PartnerLine, ...] | None = None
    funding: Funding | None = None
    milestones: tuple[MilestoneLine, ...] | None = None
    kpis: tuple[KpiLine, ...] | None = None
    report: StatusLine | None = None

    def shows(self, group: PublishGroup | str) -> bool:
        return str(group) in self.groups


@requires(Action.READ_PORTFOLIO)
def fact_sheet(session: Session, project_key: str, *, today: dt.date) -> FactSheet:
    """The internal fact sheet of ``project_key``: every group, the responsible person, the
    priority and the newest report's text. Raises :class:`portfolio.errors.NotFound`; a scoped
    principal only for its organisation's projects."""
    project = projects.get_by_key(session, project_key)
    require_project(session, project.id)
    return _build(session, project_key, today=today, groups=ALL_GROUPS, public=False)


@requires(Action.READ_PUBLIC)
def published_fact_sheet(session: Session, project_key: str, *, today: dt.date) -> FactSheet:
    """The public fact sheet of ``project_key``: only when the project is published (and not
    archived), with its core and the groups it publishes; never personal data. An unpublished
    or unknown project raises :class:`portfolio.errors.NotFound` alike."""
    project = projects.get_by_key(session, project_key)
    if not project.published or project.archived:
        raise NotFound("project", project_key)
    groups = frozenset(g for g in (project.publish_groups or []) if g in ALL_GROUPS)
    return _build(session, project_key, today=today, groups=groups, public=True)


def _build(
    session: Session, key: str, *, today: dt.date, groups: frozenset[str], public: bool
) -> FactSheet:
    d = detail_q.project_detail(session, key, today=today)
    v = d.project.values
    shows = groups.__contains__
    described = shows(PublishGroup.DESCRIPTION)
    return FactSheet(
        public=public,
        as_of=today,
        key=v["key"],
        title=v["title"],
        status=v["status"],
        theme_key=d.theme_key,
        theme_name=d.theme_name,
        theme_name_en=d.theme_name_en,
        action_field_key=d.action_field_key,
        action_field_name=d.action_field_name,
        action_field_name_en=d.action_field_name_en,
        spatial_scope=v["spatial_scope"],
        spatial_note=v["spatial_note"],
        start_date=v["start_date"],
        end_date=v["end_date"],
        repository_url=v["repository_url"],
        groups=groups,
        priority=None if public else v["priority"],
        responsible_person=None if public else v["responsible_person"],
        lead=d.lead if (not public or shows(PublishGroup.PARTNERS)) else None,
        archived=d.archived,
        summary=v["summary"] if described else None,
        goals=v["goals"] if described else None,
        partners=_partners(session, d, public=public) if shows(PublishGroup.PARTNERS) else None,
        funding=(
            _funding(session, key, d, today=today, public=public)
            if shows(PublishGroup.FUNDING)
            else None
        ),
        milestones=_milestones(d) if shows(PublishGroup.MILESTONES) else None,
        kpis=_kpis(d) if shows(PublishGroup.KPIS) else None,
        report=_report(d, public=public) if shows(PublishGroup.STATUS) else None,
    )


def _partners(
    session: Session, d: detail_q.ProjectDetail, *, public: bool
) -> tuple[PartnerLine, ...]:
    """The partners (organisations by their full name); contributions on the internal sheet."""
    return tuple(
        PartnerLine(
            organisation=organisations.get_by_key(session, p.extra["organisation_key"]).name,
            short_name=p.extra["organisation"],
            role=p.values["role"],
            cash=None if public else p.values["contribution_cash"],
            in_kind=None if public else p.values["contribution_in_kind"],
        )
        for p in d.participations
    )


def _funding(
    session: Session, key: str, d: detail_q.ProjectDetail, *, today: dt.date, public: bool
) -> Funding:
    """Costs, the register's totals and the live funding lines; requested and paid out on the
    internal sheet only."""
    v = d.project.values
    row = _register_row(session, key, archived=d.archived, today=today)
    return Funding(
        total_cost=v["total_cost"],
        eligible_cost=v["eligible_cost"],
        approved=row.funding_approved if row else Decimal("0.00"),
        requested=None if public else (row.funding_requested if row else Decimal("0.00")),
        lines=tuple(
            FundingLine(
                key=a.values["key"],
                programme=a.extra["programme"],
                status=a.values["status"],
                requested=None if public else a.values["amount_requested"],
                approved=a.values["amount_approved"],
                paid=None if public else a.extra["paid"],
            )
            for a in d.applications
            if not a.extra["archived"]
        ),
    )


def _milestones(d: detail_q.ProjectDetail) -> tuple[MilestoneLine, ...]:
    """The milestones with their state as of the sheet's day."""
    return tuple(
        MilestoneLine(
            key=m.values["key"],
            title=m.values["title"],
            due=m.values["due_date"],
            done=m.values["done_date"],
            state=m.extra["state"],
        )
        for m in d.milestones
    )


def _kpis(d: detail_q.ProjectDetail) -> tuple[KpiLine, ...]:
    """The KPIs with their measurements (ordered by day)."""
    return tuple(
        KpiLine(
            key=k.values["key"],
            name=k.values["name"],
            unit=k.values["unit"],
            baseline=k.values["baseline"],
            target=k.values["target"],
            target_date=k.values["target_date"],
            measurements=tuple(
                Measurement(m.values["measured_on"], m.values["value"])
                for m in d.measurements.get(k.id, [])
            ),
        )
        for k in d.kpis
    )


def _report(d: detail_q.ProjectDetail, *, public: bool) -> StatusLine | None:
    """The newest status report (None without one): the public sheet shows its overall light
    only."""
    if not d.reports:
        return None
    newest = d.reports[0].values  # newest first
    if public:
        return StatusLine(newest["report_date"], newest["overall"])
    return StatusLine(
        newest["report_date"],
        newest["overall"],
        newest["schedule"],
        newest["budget"],
        newest["funding"],
        newest["summary"],
    )


def _register_row(
    session: Session, key: str, *, archived: bool, today: dt.date
) -> register_q.RegisterRow | None:
    """The project's row of the register (its funding totals), found by its key."""
    rows = register_q.rows(
        session, register_q.RegisterFilter(text=key, archived=archived), today=today
    )
    return next((r for r in rows if r.key == key), None)
