"""The queries behind the brief's sections, run on the session of the as-of day's state
(:func:`reports.brief.build.state_session`): the Leitthemen, the funding pipeline, the rules'
findings, the milestones, the risks, the funding at risk and the annex."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from db.enums import REPORTING_PROJECT_STATUSES, ApplicationStatus, TrafficLight
from db.models import (
    ActionField,
    FundingApplication,
    FundingProgramme,
    Milestone,
    Organisation,
    Project,
    StatusReport,
    Theme,
)
from portfolio import funding_rules as rules
from portfolio.figures import Summary, deadlines
from portfolio.policy import Action, requires
from portfolio.services.milestones import overdue_condition
from reports.brief.model import (
    HORIZON_DAYS,
    ZERO,
    AnnexRow,
    Brief,
    Finding,
    MilestoneRow,
    PipelineRow,
    Report,
    RiskRow,
    ThemeRow,
)


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
                FundingApplication.active(),
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
            FundingApplication.active(),
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


@requires(Action.READ_PORTFOLIO)
def fill_sections(s: Session, brief: Brief, theme_id: int | None) -> None:
    """Every section of ``brief`` but the changes, from ``s`` (the state of its as-of day)."""
    as_of, since = brief.as_of, brief.since
    due = deadlines(s, today=as_of, days=HORIZON_DAYS, theme_key=brief.theme_key)
    brief.themes = theme_rows(s, brief.now, as_of, theme_id)
    brief.pipeline = pipeline_rows(s, theme_id)
    brief.duties = [d for d in due if d.kind != "milestone"]
    brief.warnings = warning_rows(s, as_of, theme_id)
    brief.reached = milestone_rows(
        s,
        theme_id,
        Milestone.active(),
        Milestone.done_date > since,
        Milestone.done_date <= as_of,
        order=(Milestone.done_date, Project.key, Milestone.key),
    )
    brief.overdue = milestone_rows(s, theme_id, overdue_condition(as_of))
    brief.upcoming = milestone_rows(
        s,
        theme_id,
        Milestone.active(),
        Milestone.done_date.is_(None),
        Milestone.due_date >= as_of,
        Milestone.due_date <= brief.horizon,
    )
    brief.risks = risk_rows(s, as_of, theme_id)
    brief.annex = annex_rows(s, as_of, theme_id)
    brief.money_at_risk, brief.at_risk_projects = money_at_risk(s, as_of, theme_id)
