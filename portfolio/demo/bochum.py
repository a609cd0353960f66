"""The Bochum demo portfolio: the Smart-City Innovation Unit's real projects, partners and funding.

The projects are data: one TOML file each in ``portfolio/demo/projects/`` (schema:
:mod:`portfolio.demo.schema`, read and checked by :mod:`portfolio.demo.data`; what is public
record and what is a demo assumption: ``portfolio/demo/projects/README.md``). This module loads
them through the services, so every row is validated and journaled.

Dates in the files are either fixed (the history) or days relative to ``today``, so the
dashboard always shows milestones due soon or overdue, fresh status reports and payment requests
due in the coming months. The history is written for a ``today`` from late 2026 on; for an
earlier ``today``, a milestone done after it stays open and later reports and measurements are
left out.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from db.enums import (
    AWARDED_APPLICATION_STATUSES,
    CostType,
    NoticeKind,
    PaymentRequestStatus,
    ProofKind,
    ProofState,
)
from db.models import FundingApplication
from portfolio import clock
from portfolio.demo.data import read_projects
from portfolio.demo.schema import ApplicationDef, NoticeDef, ProjectDef, ProofDef, When
from portfolio.services import (
    budget_years,
    catalogue,
    cost_plan,
    funding,
    grant_notices,
    kpis,
    milestones,
    organisations,
    participations,
    programmes,
    projects,
    proofs,
    refunds,
    status_reports,
)

D = Decimal
ZERO = Decimal(0)
PAY = PaymentRequestStatus


def _on(when: When, today: dt.date) -> dt.date:
    return when if isinstance(when, dt.date) else today + dt.timedelta(days=when)


def _opt(when: When | None, today: dt.date) -> dt.date | None:
    return None if when is None else _on(when, today)


class _Ids:
    """Reference ids by key, looked up once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._orgs: dict[str, int] = {}
        self._programmes: dict[str, int] = {}

    def org(self, key: str | None) -> int | None:
        if key is None:
            return None
        if key not in self._orgs:
            self._orgs[key] = organisations.get_by_key(self.session, key).id
        return self._orgs[key]

    def programme(self, key: str) -> int:
        if key not in self._programmes:
            self._programmes[key] = programmes.get_by_key(self.session, key).id
        return self._programmes[key]


DEMO_CONTACTS: dict[str, str] = {
    "STADT": "smart-city@bochum.example",
    "STW": "smart-city@stadtwerke-bochum.example",
    "BOG": "digitalisierung@bogestra.example",
    "USB": "it@usb-bochum.example",
}
"""Example contact addresses (reserved ``.example`` domain): the organisations the e-mail
digest reaches in the demo."""


def load_bochum(session: Session, *, today: dt.date | None = None) -> int:
    """Load the Bochum demo portfolio through the services; returns the number of projects."""
    today = today or clock.today()
    ids = _Ids(session)
    demos = read_projects()
    for demo in demos:
        _load_project(session, demo, today, ids)
    for key, email in DEMO_CONTACTS.items():
        org = organisations.get_by_key(session, key)
        if not org.contact_email:
            organisations.update(
                session, org.id, {"contact_email": email}, expected_version=org.version
            )
    _publish_demo(session)
    return len(demos)


_ALL_GROUPS = ("description", "partners", "funding", "milestones", "kpis", "status")
DEMO_PUBLISHED: dict[str, tuple[str, ...]] = {
    "SC-001": _ALL_GROUPS,
    "SC-002": _ALL_GROUPS,
    "SC-004": ("description", "partners", "kpis"),
    "SC-005": ("description", "partners", "milestones", "status"),
    "SC-006": ("description", "partners", "kpis"),
    "SC-009": ("description", "partners", "funding"),
    "SC-012": ("description", "kpis", "status"),
    "SC-014": ("description", "partners", "funding", "milestones"),
    "SC-015": ("description", "funding", "status"),
    "SC-018": ("description", "partners", "milestones"),
    "SC-019": ("description", "partners", "funding", "milestones", "status"),
    "SC-022": ("description",),
}
"""The demo's published projects (public page, open data, public fact sheets) and the field
groups each publishes; the other projects stay internal."""


def _publish_demo(session: Session) -> None:
    from portfolio.services import publication

    for key, groups in DEMO_PUBLISHED.items():
        project = projects.get_by_key(session, key)
        publication.set_publication(
            session,
            project.id,
            published=True,
            groups=groups,
            expected_version=project.version,
        )


def _create_project(session: Session, demo: ProjectDef, today: dt.date, ids: _Ids) -> int:
    project = projects.create(
        session,
        {
            "key": demo.key,
            "title": demo.title,
            "summary": demo.summary,
            "goals": demo.goals,
            "status": demo.status,
            "priority": demo.priority,
            "action_field_id": catalogue.get_action_field_by_key(session, demo.action_field).id,
            "lead_organisation_id": ids.org(demo.lead),
            "responsible_person": demo.responsible,
            "start_date": _opt(demo.start, today),
            "end_date": _opt(demo.end, today),
            "total_cost": demo.total_cost,
            "eligible_cost": demo.eligible_cost,
            "spatial_scope": demo.scope,
            "spatial_note": demo.scope_note,
            "charter_guidelines": list(demo.charter),
            "sdgs": list(demo.sdgs),
            "origin": demo.origin,
            "repository_url": demo.repository_url,
            "council_resolution_on": demo.council_resolution_on,
            "council_resolution_url": demo.council_resolution_url,
        },
    )
    for part in demo.parts:
        participations.create(
            session,
            {
                "project_id": project.id,
                "organisation_id": ids.org(part.org),
                "role": part.role,
                "contribution_cash": part.cash,
                "contribution_in_kind": part.in_kind,
                "note": part.note,
            },
        )
    return project.id


def _load_application(
    session: Session, project_id: int, app: ApplicationDef, today: dt.date, ids: _Ids
) -> None:
    """The application, then its grant's life in order: notices, proofs, payments, the ending
    notice and the refund it claims; an MPSC measure's cost plan and budget years last."""
    application = funding.create(
        session,
        {
            "project_id": project_id,
            "programme_id": ids.programme(app.programme),
            "phase": app.phase,
            "status": app.status,
            "budget_emergency": app.budget_emergency,
            "amount_requested": app.requested,
            "amount_approved": app.approved,
            "own_share": app.own_share,
            "eligible_cost": app.eligible,
            "funding_rate": app.rate,
            "reference_number": app.reference,
            "submitted_on": _opt(app.submitted, today),
            "decision_on": _opt(app.decided, today),
            "period_start": _opt(app.period[0], today) if app.period else None,
            "period_end": _opt(app.period[1], today) if app.period else None,
            "proof_of_use_due": _opt(app.proof_due, today),
            "early_start_consent_on": _opt(app.early_start_consent, today),
            "note": app.note,
        },
    )
    for notice in _notices_before_payments(app):
        _record(session, application, notice, today)
    _hand_in_proofs(session, application, app.proofs, today)
    for pay in app.payments:
        funding.create_payment_request(
            session,
            {
                "application_id": application.id,
                "due_on": _on(pay.due, today),
                "amount": pay.amount,
                "status": pay.status,
                "paid_on": _opt(pay.paid, today),
                "note": pay.note,
            },
        )
    if app.ending is not None:
        _record(session, application, app.ending, today)
    if app.refund_repaid is not None:
        for claim in refunds.get_all(session, application.id):
            if claim.repaid_on is None:
                refunds.update(
                    session,
                    claim.id,
                    {"repaid_on": _on(app.refund_repaid, today)},
                    expected_version=claim.version,
                )
    if app.programme == "MPSC":
        _cost_plan(session, application)
        _budget_years_as_drawn(session, application)


def _load_milestones(
    session: Session, project_id: int, demo: ProjectDef, today: dt.date, ids: _Ids
) -> None:
    for ms in demo.milestones:
        done = _opt(ms.done, today)
        milestones.create(
            session,
            {
                "project_id": project_id,
                "title": ms.title,
                "due_date": _on(ms.due, today),
                # History written for a later `today` has not happened yet: still open.
                "done_date": done if done is not None and done <= today else None,
                "responsible_organisation_id": ids.org(ms.org),
            },
            today=today,
        )


def _load_reports_and_kpis(
    session: Session, project_id: int, demo: ProjectDef, today: dt.date
) -> None:
    """Reports and measurements: none after `today`; one per date (a relative date that lands on
    a fixed one replaces it)."""
    reports = {day: r for r in demo.reports if (day := _on(r.when, today)) <= today}
    for day, report in sorted(reports.items()):
        overall, schedule, budget, funding_light = report.lights
        status_reports.create(
            session,
            {
                "project_id": project_id,
                "report_date": day,
                "overall": overall,
                "schedule": schedule,
                "budget": budget,
                "funding": funding_light,
                "summary": report.summary,
                "author": report.author,
                "published_on": _opt(report.published, today),
            },
        )
    for kpi in demo.kpis:
        indicator = kpis.create(
            session,
            {
                "project_id": project_id,
                "name": kpi.name,
                "unit": kpi.unit,
                "baseline": kpi.baseline,
                "target": kpi.target,
                "target_date": kpi.target_date,
            },
        )
        values = {day: v for when, v in kpi.values if (day := _on(when, today)) <= today}
        for day, value in sorted(values.items()):
            kpis.create_measurement(
                session, {"kpi_id": indicator.id, "measured_on": day, "value": value}
            )


def _load_project(session: Session, demo: ProjectDef, today: dt.date, ids: _Ids) -> None:
    project_id = _create_project(session, demo, today, ids)
    for app in demo.funding:
        _load_application(session, project_id, app, today, ids)
    _load_milestones(session, project_id, demo, today, ids)
    _load_reports_and_kpis(session, project_id, demo, today)


def _notices_before_payments(app: ApplicationDef) -> tuple[NoticeDef, ...]:
    """The notices recorded before the payments: the stated ones, or else (for an awarded
    application) its stored award as the Zuwendungsbescheid it stands for."""
    if app.notices or app.status not in AWARDED_APPLICATION_STATUSES or app.decided is None:
        return app.notices
    return (NoticeDef(NoticeKind.AWARD, app.decided, app.approved, app.period),)


def _record(
    session: Session, application: FundingApplication, notice: NoticeDef, today: dt.date
) -> None:
    data: dict[str, Any] = {
        "kind": notice.kind,
        "dated_on": _on(notice.dated, today),
        "amount_approved": notice.amount
        if notice.amount is not None
        else application.amount_approved,
        "reason": notice.reason,
    }
    if notice.period is not None:
        data["period_start"] = _on(notice.period[0], today)
        data["period_end"] = _on(notice.period[1], today)
    if notice.interest_from is not None:
        data["interest_from"] = _on(notice.interest_from, today)
    grant_notices.record(session, application.id, data, expected_version=application.version)


# ⚠ Demo assumption: interim proofs are handed in two weeks before their deadline and accepted
# ten weeks after it.
INTERIM_HANDED_IN = dt.timedelta(days=14)
INTERIM_CHECKED = dt.timedelta(days=70)


def _hand_in_proofs(
    session: Session, application: FundingApplication, done: tuple[ProofDef, ...], today: dt.date
) -> None:
    """Move the grant's proofs on as the demo says (the interim proofs of past years: handed in
    and accepted)."""
    steps = {step.kind: step for step in done}
    for proof in proofs.get_all(session, application.id):
        step = steps.get(ProofKind(proof.kind))
        if step is None and proof.kind == ProofKind.INTERIM:
            handed_in = proof.due_on - INTERIM_HANDED_IN
            if handed_in > today:
                continue
            checked = proof.due_on + INTERIM_CHECKED
            step = ProofDef(
                ProofKind.INTERIM, handed_in, handed_in, checked if checked <= today else None
            )
        if step is None:
            continue
        moves: list[dict[str, Any]] = [
            {"state": ProofState.SUBMITTED, "submitted_on": _on(step.submitted, today)}
        ]
        if step.check_started is not None:
            moves.append(
                {
                    "state": ProofState.UNDER_CHECK,
                    "check_started_on": _on(step.check_started, today),
                }
            )
        if step.checked is not None:
            moves.append(
                {
                    "state": ProofState.ACCEPTED_WITH_RECOVERY
                    if step.recovery
                    else ProofState.ACCEPTED,
                    "checked_on": _on(step.checked, today),
                    "recovery_amount": step.recovery,
                }
            )
        for change in moves:
            proof = proofs.update(session, proof.id, change, expected_version=proof.version)


# ⚠ Demo assumption: the cost plan of an MPSC measure splits its eligible cost into personnel
# 35 %, external services 45 %, material and investment 10 % each; spending so far follows the
# money paid out, personnel 6 % above and external services 5 % below the plan (offset).
MPSC_COST_SPLIT: tuple[tuple[CostType, str, Decimal, Decimal], ...] = (
    (CostType.PERSONNEL, "Projektpersonal der Stadt", D("0.35"), D("1.06")),
    (CostType.EXTERNAL_SERVICES, "Aufträge an Dienstleister", D("0.45"), D("0.95")),
    (CostType.MATERIAL, "Sachausgaben, Lizenzen, Veranstaltungen", D("0.10"), D(1)),
    (CostType.INVESTMENT, "Hardware und Ausstattung", D("0.10"), D(1)),
)


def _cost_plan(session: Session, application: FundingApplication) -> None:
    eligible = application.eligible_cost
    approved = application.amount_approved
    if eligible is None or not approved:
        return
    paid = sum((r.amount for r in application.payment_requests if r.status == PAY.PAID), start=ZERO)
    spent = paid / approved
    left = eligible
    for index, (cost_type, title, share, pace) in enumerate(MPSC_COST_SPLIT):
        last = index == len(MPSC_COST_SPLIT) - 1
        amount = left if last else (eligible * share).quantize(D(1))
        left -= amount
        cost_plan.create(
            session,
            {
                "application_id": application.id,
                "cost_type": cost_type,
                "label": title,
                "requested": amount,
                "approved": amount,
                "actual": (amount * spent * pace).quantize(D(1)) if paid else None,
            },
        )


# ⚠ Demo assumption: an MPSC measure's budget years were planned as its payment requests draw
# (the rest of the grant in the last year of the period), its own share in proportion.
def _budget_years_as_drawn(session: Session, application: FundingApplication) -> None:
    approved, start, end = (
        application.amount_approved,
        application.period_start,
        application.period_end,
    )
    if (
        not approved
        or start is None
        or end is None
        or application.status not in AWARDED_APPLICATION_STATUSES
    ):
        return
    years = list(range(start.year, end.year + 1))
    grant = dict.fromkeys(years, ZERO)
    for r in application.payment_requests:
        if r.status != PAY.REJECTED and r.due_on.year in grant:
            grant[r.due_on.year] += r.amount
    grant[years[-1]] += approved - sum(grant.values(), ZERO)
    own_share = application.own_share
    own: dict[int, Decimal | None] = dict.fromkeys(years, None)
    if own_share is not None:
        for year in years:
            own[year] = (own_share * grant[year] / approved).quantize(D("0.01"))
        own[years[-1]] = (
            (own[years[-1]] or ZERO) + own_share - sum((v or ZERO for v in own.values()), ZERO)
        )
    session.refresh(application)
    budget_years.plan(
        session,
        application.id,
        [{"year": y, "grant_amount": grant[y], "own_amount": own[y]} for y in years],
        expected_version=application.version,
    )
