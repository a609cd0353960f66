"""The agenda ("Fristen"): every open deadline of the projects a principal may see, the one list
behind the Fristen page, the calendar feeds and the e-mail digest.

Five kinds (:class:`db.enums.DeadlineKind`), each read by the rule that owns it:

- open milestones (not archived, no done date);
- open payment requests (Mittelabrufe) of applications that count
  (:func:`portfolio.funding_rules.open_payment`);
- proofs still to hand in (:data:`db.enums.OPEN_PROOF_STATES`): interim proofs, the Sachbericht
  and the Verwendungsnachweis, each with the deadline :mod:`portfolio.services.proofs` keeps;
- the next status report of a running project: due :data:`STALE_REPORT_DAYS` after the newest
  one (after the project's start when there is none yet), overdue exactly when the project
  counts as "Statusbericht veraltet" (:func:`portfolio.queries.common.stale_report_condition`);
- the end of the funding period of a running grant (:func:`portfolio.funding_rules.running_grant`).

A partner sees the projects its organisation takes part in (:func:`portfolio.policy.visible_project_ids`);
``organisation_key`` narrows to one organisation's projects, ``project_key`` to one project.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, select
from sqlalchemy.orm import Session

from db.enums import OPEN_PROOF_STATES, DeadlineKind, ProofKind
from db.models import (
    FundingApplication,
    FundingProgramme,
    Milestone,
    Organisation,
    Participation,
    PaymentRequest,
    Project,
    ProofOfUse,
)
from portfolio import funding_rules as rules
from portfolio.errors import NotFound
from portfolio.i18n import DEFAULT_LANG, fmt_eur, t
from portfolio.policy import (
    Action,
    Principal,
    principal_of,
    require_organisation,
    require_project,
    requires,
    visible_project_ids,
)
from portfolio.queries.common import RUNNING_STATUSES, STALE_REPORT_DAYS, latest_report_date
from portfolio.vocab import label

REMINDER_DAYS: Mapping[DeadlineKind, int] = {
    DeadlineKind.MILESTONE: 7,
    DeadlineKind.PAYMENT_REQUEST: 14,
    DeadlineKind.PROOF: 28,
    DeadlineKind.STATUS_REPORT: 7,
    DeadlineKind.PERIOD_END: 60,
}
"""How many days ahead a calendar alarm rings: four weeks for a proof of use (ANBest: the
documents of a whole budget year), two for a payment request (the funder's processing time),
two months for the end of a funding period (an extension must be asked for before it ends)."""

SECTION_OF: Mapping[DeadlineKind, str] = {
    DeadlineKind.MILESTONE: "meilensteine",
    DeadlineKind.PAYMENT_REQUEST: "zuwendung",
    DeadlineKind.PROOF: "zuwendung",
    DeadlineKind.STATUS_REPORT: "status",
    DeadlineKind.PERIOD_END: "foerderung",
}
"""The project page's section each kind of deadline is worked on in."""


@dataclass(frozen=True)
class AgendaItem:
    kind: DeadlineKind
    due: dt.date
    overdue: bool  # open and due before today
    project_key: str
    project_title: str
    ref: str  # identifies the item within its kind, stable across exports
    subject: str  # milestone title, proof kind, programme name; "" for status reports
    application_key: str = ""  # payment requests, proofs, period ends
    reference_number: str = ""  # the funder's file number (Aktenzeichen)
    amount: Decimal | None = None  # payment requests
    budget_year: int = 0  # interim proofs
    organisation_ids: frozenset[int] = frozenset()  # who is responsible (milestone, lead)
    responsible: str = ""  # short name of the responsible organisation

    @property
    def uid(self) -> str:
        """Stable across exports and edits of the date or title: a calendar client updates the
        event instead of adding a second one."""
        return f"{self.kind}-{self.ref}@smart-city-portfolio"

    @property
    def reminder_days(self) -> int:
        return REMINDER_DAYS[self.kind]

    @property
    def section(self) -> str:
        return SECTION_OF[self.kind]


def title(item: AgendaItem, lang: str = DEFAULT_LANG) -> str:
    """One line naming the deadline, e.g. "Verwendungsnachweis · SC-004 Smarte Parkplätze"."""
    return f"{what(item, lang)} · {item.project_key} {item.project_title}"


def what(item: AgendaItem, lang: str = DEFAULT_LANG) -> str:
    if item.kind is DeadlineKind.MILESTONE:
        return f"{label(DeadlineKind, item.kind, lang)}: {item.subject}"
    if item.kind is DeadlineKind.PAYMENT_REQUEST:
        money = f" {fmt_eur(item.amount, lang)}" if item.amount is not None else ""
        return f"{label(DeadlineKind, item.kind, lang)}{money}"
    if item.kind is DeadlineKind.PROOF:
        kind = label(ProofKind, item.subject, lang)
        if item.subject == ProofKind.INTERIM and item.budget_year:
            kind += f" {item.budget_year}"
        return kind
    if item.kind is DeadlineKind.PERIOD_END:
        return t("agenda_period_end", lang, subject=item.subject)
    return label(DeadlineKind, item.kind, lang)


def description(item: AgendaItem, lang: str = DEFAULT_LANG) -> str:
    """The lines a calendar event or a digest entry explains the deadline with."""
    lines = [
        t("agenda_project", lang, project=f"{item.project_key} {item.project_title}"),
        t("agenda_due_overdue" if item.overdue else "agenda_due", lang, day=item.due),
    ]
    if item.application_key:
        ref = f" ({item.reference_number})" if item.reference_number else ""
        lines.append(t("agenda_application", lang, key=item.application_key, ref=ref))
    if item.responsible:
        lines.append(t("agenda_responsible", lang, name=item.responsible))
    return "\n".join(lines)


def _scope(
    session: Session, who: Principal, organisation_key: str | None, project_key: str | None
) -> Select[Any]:
    """The ids of the active projects in scope."""
    stmt = select(Project.id).where(Project.active())
    visible = visible_project_ids(who)
    if visible is not None:
        stmt = stmt.where(Project.id.in_(visible))
    if organisation_key is not None:
        org_id = session.scalar(select(Organisation.id).where(Organisation.key == organisation_key))
        if org_id is None:
            raise NotFound("organisation", organisation_key)
        require_organisation(who, org_id)
        stmt = stmt.where(
            Project.id.in_(
                select(Participation.project_id).where(Participation.organisation_id == org_id)
            )
        )
    if project_key is not None:
        project_id = session.scalar(select(Project.id).where(Project.key == project_key))
        if project_id is None:
            raise NotFound("project", project_key)
        require_project(session, project_id, who)
        stmt = stmt.where(Project.id == project_id)
    return stmt


def _window(column: Any, since: dt.date | None, until: dt.date | None) -> ColumnElement[bool]:
    parts = [column.is_not(None)]
    if since is not None:
        parts.append(column >= since)
    if until is not None:
        parts.append(column <= until)
    return and_(*parts)


class _Owners:
    """Who owes a deadline: the organisations named, and the short name of the first."""

    def __init__(self, session: Session) -> None:
        self.short: dict[int, str] = {
            oid: name
            for oid, name in session.execute(select(Organisation.id, Organisation.short_name))
        }

    def __call__(self, *ids: int | None) -> tuple[frozenset[int], str]:
        found = frozenset(i for i in ids if i is not None)
        first = next((i for i in ids if i is not None), None)
        return found, self.short.get(first, "") if first is not None else ""


@dataclass(frozen=True)
class _Window:
    today: dt.date
    since: dt.date | None
    until: dt.date | None

    def of(self, column: Any) -> ColumnElement[bool]:
        return _window(column, self.since, self.until)


def _milestones(
    session: Session, projects: Select[Any], when: _Window, owners: _Owners
) -> Iterable[AgendaItem]:
    for m in session.execute(
        select(
            Milestone.key,
            Milestone.title,
            Milestone.due_date,
            Milestone.responsible_organisation_id,
            Project.key.label("pkey"),
            Project.title.label("ptitle"),
            Project.lead_organisation_id,
        )
        .join(Project, Project.id == Milestone.project_id)
        .where(
            Project.id.in_(projects),
            Milestone.active(),
            Milestone.done_date.is_(None),
            when.of(Milestone.due_date),
        )
    ):
        ids, name = owners(m.responsible_organisation_id or m.lead_organisation_id)
        yield AgendaItem(
            DeadlineKind.MILESTONE,
            m.due_date,
            m.due_date < when.today,
            m.pkey,
            m.ptitle,
            m.key,
            m.title,
            organisation_ids=ids,
            responsible=name,
        )


def _applications(session: Session, projects: Select[Any]) -> dict[int, Any]:
    """The counted applications in scope by id, with what their deadlines show of them."""
    return {
        row.id: row
        for row in session.execute(
            select(
                FundingApplication.id,
                FundingApplication.key.label("akey"),
                FundingApplication.reference_number,
                FundingProgramme.name.label("programme"),
                Project.key.label("pkey"),
                Project.title.label("ptitle"),
                Project.lead_organisation_id,
            )
            .join(Project, Project.id == FundingApplication.project_id)
            .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
            .where(rules.application_counts(projects))
        )
    }


def _grant_item(
    kind: DeadlineKind,
    due: dt.date,
    a: Any,
    ref: str,
    title: str,
    when: _Window,
    owners: _Owners,
    **extra: Any,
) -> AgendaItem:
    """A deadline of the application ``a``, owed by its project's lead organisation."""
    owner, name = owners(a.lead_organisation_id)
    return AgendaItem(
        kind,
        due,
        due < when.today,
        a.pkey,
        a.ptitle,
        ref,
        title,
        a.akey,
        a.reference_number or "",
        organisation_ids=owner,
        responsible=name,
        **extra,
    )


def _grant_deadlines(
    session: Session, apps: dict[int, Any], when: _Window, owners: _Owners
) -> Iterable[AgendaItem]:
    """Open payment requests, open proofs of use and the ends of running grants' periods."""
    ids = list(apps)
    for p in session.execute(
        select(
            PaymentRequest.key,
            PaymentRequest.due_on,
            PaymentRequest.amount,
            PaymentRequest.application_id,
        ).where(
            PaymentRequest.application_id.in_(ids),
            rules.open_payment(),
            when.of(PaymentRequest.due_on),
        )
    ):
        a = apps[p.application_id]
        yield _grant_item(
            DeadlineKind.PAYMENT_REQUEST, p.due_on, a, p.key, "", when, owners, amount=p.amount
        )
    for proof in session.execute(
        select(
            ProofOfUse.kind, ProofOfUse.budget_year, ProofOfUse.due_on, ProofOfUse.application_id
        ).where(
            ProofOfUse.application_id.in_(ids),
            ProofOfUse.state.in_(OPEN_PROOF_STATES),
            when.of(ProofOfUse.due_on),
        )
    ):
        a = apps[proof.application_id]
        ref = f"{a.akey}-{proof.kind}-{proof.budget_year}"
        yield _grant_item(
            DeadlineKind.PROOF,
            proof.due_on,
            a,
            ref,
            proof.kind,
            when,
            owners,
            budget_year=proof.budget_year,
        )
    for row in session.execute(
        select(FundingApplication.id, FundingApplication.period_end).where(
            FundingApplication.id.in_(ids),
            rules.running_grant(),
            when.of(FundingApplication.period_end),
        )
    ):
        a = apps[row.id]
        yield _grant_item(
            DeadlineKind.PERIOD_END, row.period_end, a, a.akey, a.programme, when, owners
        )


@requires(Action.READ_DEADLINES)
def agenda(
    session: Session,
    *,
    today: dt.date,
    organisation_key: str | None = None,
    project_key: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[AgendaItem]:
    """The open deadlines in scope, soonest first; ``since``/``until`` bound the due date
    (None: every open one, overdue ones included)."""
    projects = _scope(session, principal_of(session), organisation_key, project_key)
    when, owners = _Window(today, since, until), _Owners(session)
    items = list(_milestones(session, projects, when, owners))
    apps = _applications(session, projects)
    if apps:
        items.extend(_grant_deadlines(session, apps, when, owners))
    items.extend(_status_reports(session, projects, today, since, until, owners))
    items.sort(key=lambda i: (i.due, i.project_key, i.kind, i.ref))
    return items


def _status_reports(
    session: Session,
    projects: Select[Any],
    today: dt.date,
    since: dt.date | None,
    until: dt.date | None,
    owners: _Owners,
) -> Iterable[AgendaItem]:
    """The next status report of each running project, owed by its lead organisation."""
    newest = latest_report_date()
    for r in session.execute(
        select(
            Project.key,
            Project.title,
            Project.start_date,
            Project.lead_organisation_id,
            newest.label("newest"),
        ).where(Project.id.in_(projects), Project.status.in_(RUNNING_STATUSES))
    ):
        if r.newest is not None:
            due = r.newest + dt.timedelta(days=STALE_REPORT_DAYS)
            overdue = due < today
        else:  # never reported: owed since the start, and stale (the data-quality rule) now
            due = min(r.start_date or today, today)
            overdue = True
        if (since is not None and due < since) or (until is not None and due > until):
            continue
        owner, name = owners(r.lead_organisation_id)
        yield AgendaItem(
            DeadlineKind.STATUS_REPORT,
            due,
            overdue,
            r.key,
            r.title,
            r.key,
            "",
            organisation_ids=owner,
            responsible=name,
        )


def count_by_kind(items: Iterable[AgendaItem]) -> dict[DeadlineKind, int]:
    out: dict[DeadlineKind, int] = {}
    for item in items:
        out[item.kind] = out.get(item.kind, 0) + 1
    return out
