"""What changed between two reporting dates, from the journal (never guessed from the rows).

:func:`what_changed` — the events between two reporting dates: new, archived and restored
projects, project status changes, slipped milestones (due date moved later), changed traffic
lights (the overall light of a project's latest status report), funding decisions, notices that
change a grant after its award, and refunds claimed. Each kind is one step over the journal
window; the events come out in the journal's order.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, Select, and_, select
from sqlalchemy.orm import Session

from db.enums import (
    AWARD_NOTICE_KINDS,
    DECISION_OUTCOMES,
    ApplicationStatus,
    JournalAction,
    NoticeKind,
)
from db.models import (
    ActionField,
    Base,
    FundingApplication,
    FundingProgramme,
    GrantNotice,
    JournalChange,
    JournalEntry,
    Milestone,
    Project,
    Refund,
    StatusReport,
    Theme,
)
from portfolio import clock
from portfolio.changes.as_of import rows_at
from portfolio.changes.authors import account_names, author_label
from portfolio.changes.reading import cutoff, ids_in, table_of
from portfolio.i18n import DEFAULT_LANG
from portfolio.policy import Action, requires

DECISIONS = DECISION_OUTCOMES

_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])


class Kind:
    NEW_PROJECT = "new_project"
    ARCHIVED_PROJECT = "archived_project"
    RESTORED_PROJECT = "restored_project"
    STATUS = "status"
    MILESTONE_SLIPPED = "milestone_slipped"
    LIGHT = "light"
    DECISION = "decision"
    NOTICE = "grant_notice"  # a notice after the award: Änderungsbescheid, Widerruf, Verzicht
    REFUND = "refund"  # a refund claimed (Rückforderung)


# The notices that change a grant after its award (the award itself is a decision).
LATER_NOTICE_KINDS: tuple[str, ...] = (
    NoticeKind.AMENDMENT.value,
    NoticeKind.REVOCATION.value,
    NoticeKind.RENUNCIATION.value,
)

KINDS = (
    Kind.NEW_PROJECT,
    Kind.ARCHIVED_PROJECT,
    Kind.RESTORED_PROJECT,
    Kind.STATUS,
    Kind.MILESTONE_SLIPPED,
    Kind.LIGHT,
    Kind.DECISION,
    Kind.NOTICE,
    Kind.REFUND,
)


@dataclass(frozen=True)
class Event:
    """One change a reader of the brief should know about.

    ``old`` / ``new`` are stored codes or ISO dates (status codes, light codes, due dates);
    renderers turn them into labels.
    """

    kind: str
    at: dt.datetime
    actor: str
    source: str
    project_key: str
    project_title: str
    item_key: str | None = None
    item_title: str | None = None
    old: str | None = None
    new: str | None = None
    amount: Decimal | None = None
    day: dt.date | None = None


@dataclass
class Changes:
    since: dt.date
    as_of: dt.date
    events: list[Event] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    """Account name → the name shown for it (:func:`account_names`) of the events' authors."""

    def of(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.kind == kind]

    def author(self, event: Event, lang: str = DEFAULT_LANG) -> str:
        """Who made ``event``, as a reader names them (:func:`author_label`)."""
        return author_label(event.actor, event.source, lang, self.names)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(KINDS, 0)
        for e in self.events:
            out[e.kind] += 1
        return out


@dataclass(frozen=True)
class _Entry:
    id: int
    at: dt.datetime
    actor: str
    source: str
    entity_id: int
    entity_key: str | None
    project_id: int | None
    action: str


FieldChanges = dict[int, dict[str, tuple[str | None, str | None]]]
"""Journal entry id → field → (old, new) in the journal's text form."""


@dataclass(frozen=True)
class _Window:
    """The journal window (start, end] between the ends of two reporting days."""

    start: dt.datetime
    end: dt.datetime

    def of(self, entity: str) -> ColumnElement[bool]:
        return and_(
            JournalEntry.entity == entity, JournalEntry.at > self.start, JournalEntry.at <= self.end
        )


def _entries(
    session: Session,
    entity: str,
    window: _Window,
    *,
    actions: Sequence[str] | None = None,
    fields: Sequence[str] | None = None,
) -> tuple[list[_Entry], FieldChanges]:
    """Journal entries of ``entity`` in the window, with their changes of ``fields`` (given
    ``fields``: only the entries that change one of them)."""
    stmt = select(
        JournalEntry.id,
        JournalEntry.at,
        JournalEntry.actor,
        JournalEntry.source,
        JournalEntry.entity_id,
        JournalEntry.entity_key,
        JournalEntry.project_id,
        JournalEntry.action,
    ).where(window.of(entity))
    if actions is not None:
        stmt = stmt.where(JournalEntry.action.in_(list(actions)))
    changes: FieldChanges = defaultdict(dict)
    if fields is not None:
        changes = _changes(session, window.of(entity), fields)
        stmt = stmt.where(
            JournalEntry.id.in_(
                select(JournalChange.entry_id).where(JournalChange.field.in_(list(fields)))
            )
        )
    entries = [_Entry(*row) for row in session.execute(stmt.order_by(JournalEntry.id))]
    if fields is not None:
        entries = [e for e in entries if e.id in changes]
    return entries, changes


def _changes(session: Session, window: ColumnElement[bool], fields: Sequence[str]) -> FieldChanges:
    """The changes of ``fields`` made by the journal entries in ``window``."""
    changes: FieldChanges = defaultdict(dict)
    for entry_id, name, old, new in session.execute(
        select(
            JournalChange.entry_id,
            JournalChange.field,
            JournalChange.old_value,
            JournalChange.new_value,
        )
        .join(JournalEntry, JournalEntry.id == JournalChange.entry_id)
        .where(window, JournalChange.field.in_(list(fields)))
    ).all():
        changes[entry_id][name] = (old, new)
    return changes


def _projects(session: Session, theme_key: str | None) -> dict[int, tuple[str, str]]:
    """Project id → (key, title) of the projects in scope (all themes, or one Leitthema)."""
    stmt = select(Project.id, Project.key, Project.title)
    if theme_key is not None:
        stmt = (
            stmt.join(ActionField, ActionField.id == Project.action_field_id)
            .join(Theme, Theme.id == ActionField.theme_id)
            .where(Theme.key == theme_key)
        )
    return {pid: (key, title) for pid, key, title in session.execute(stmt)}


class _Found:
    """The events found so far, in the projects in scope, each with its journal entry's id."""

    def __init__(self, scope: dict[int, tuple[str, str]]) -> None:
        self.scope = scope
        self._pairs: list[tuple[int, Event]] = []

    def add(self, entry: _Entry, kind: str, project_id: int | None, **details: Any) -> None:
        """An event of ``kind`` made by ``entry`` (dropped when its project is out of scope)."""
        if project_id is None or project_id not in self.scope:
            return
        key, title = self.scope[project_id]
        event = Event(
            kind=kind,
            at=clock.as_utc(entry.at),
            actor=entry.actor,
            source=entry.source,
            project_key=key,
            project_title=title,
            **details,
        )
        self._pairs.append((entry.id, event))

    def events(self) -> list[Event]:
        """The events in the journal's order (the steps' order within one entry)."""
        return [e for _, e in sorted(self._pairs, key=lambda pair: pair[0])]


_Step = Callable[[Session, _Window, _Found], None]


@requires(Action.READ_JOURNAL)
def what_changed(
    session: Session, *, since: dt.date, as_of: dt.date, theme_key: str | None = None
) -> Changes:
    """The events between the end of ``since`` and the end of ``as_of``, oldest first."""
    window = _Window(cutoff(since), cutoff(as_of))
    found = _Found(_projects(session, theme_key))
    for step in _STEPS:
        step(session, window, found)
    out = Changes(since=since, as_of=as_of)
    out.events = found.events()
    out.names = account_names(session, {e.actor for e in out.events})
    return out


# ---- the steps, one kind of event each ----------------------------------------------------------

_PROJECT_KINDS = {
    JournalAction.CREATE.value: Kind.NEW_PROJECT,
    JournalAction.ARCHIVE.value: Kind.ARCHIVED_PROJECT,
    JournalAction.RESTORE.value: Kind.RESTORED_PROJECT,
}


def _projects_created_archived_restored(session: Session, window: _Window, found: _Found) -> None:
    entries, _ = _entries(session, "project", window, actions=list(_PROJECT_KINDS))
    for entry in entries:
        found.add(entry, _PROJECT_KINDS[entry.action], entry.entity_id)


def _project_status(session: Session, window: _Window, found: _Found) -> None:
    """Status changes, also those an archive or a restore made."""
    entries, changes = _entries(
        session,
        "project",
        window,
        actions=[
            JournalAction.UPDATE.value,
            JournalAction.ARCHIVE.value,
            JournalAction.RESTORE.value,
        ],
        fields=["status"],
    )
    for entry in entries:
        old, new = changes[entry.id]["status"]
        found.add(entry, Kind.STATUS, entry.entity_id, old=old, new=new)


def _slipped_milestones(session: Session, window: _Window, found: _Found) -> None:
    """Milestones whose due date moved later."""
    entries, changes = _entries(
        session, "milestone", window, actions=[JournalAction.UPDATE.value], fields=["due_date"]
    )
    titles = _titles(session, Milestone, {e.entity_id for e in entries})
    for entry in entries:
        old, new = changes[entry.id]["due_date"]
        if old is not None and new is not None and new > old:
            found.add(
                entry,
                Kind.MILESTONE_SLIPPED,
                entry.project_id,
                item_key=entry.entity_key,
                item_title=titles.get(entry.entity_id),
                old=old,
                new=new,
                day=dt.date.fromisoformat(new),
            )


def _titles(session: Session, model: type[Base], ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    table = table_of(model)
    return {
        row_id: title
        for row_id, title in session.execute(
            select(table.c.id, table.c.title).where(ids_in(table.c.id, ids))
        )
    }


def _with_programme(stmt: _S) -> _S:
    """``stmt`` over funding applications, joined to their programme."""
    return stmt.join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)


def _decisions(session: Session, window: _Window, found: _Found) -> None:
    """Funding decisions: an application moving to (or entered as) approved or rejected."""
    entries, changes = _entries(session, "funding_application", window, fields=["status"])
    decided = [e for e in entries if changes[e.id]["status"][1] in DECISIONS]
    ids = {e.entity_id for e in decided}
    apps = {
        row.id: row
        for row in session.execute(
            _with_programme(
                select(
                    FundingApplication.id,
                    FundingApplication.amount_approved,
                    FundingApplication.amount_requested,
                    FundingApplication.decision_on,
                    FundingProgramme.name,
                )
            ).where(ids_in(FundingApplication.id, ids))
        )
    }
    awarded = _awarded(session, ids)
    for entry in decided:
        old, new = changes[entry.id]["status"]
        app = apps.get(entry.entity_id)
        found.add(
            entry,
            Kind.DECISION,
            entry.project_id,
            item_key=entry.entity_key,
            item_title=app.name if app else None,
            old=old,
            new=new,
            amount=_decided_amount(app, new, awarded),
            day=app.decision_on if app else None,
        )


def _awarded(session: Session, application_ids: set[int]) -> dict[int, Decimal | None]:
    """Application id → the amount of its award notice (the grant may have changed since)."""
    return {
        application_id: amount
        for application_id, amount in session.execute(
            select(GrantNotice.application_id, GrantNotice.amount_approved)
            .where(
                ids_in(GrantNotice.application_id, application_ids),
                GrantNotice.kind.in_(AWARD_NOTICE_KINDS),
            )
            .order_by(GrantNotice.dated_on.desc(), GrantNotice.id.desc())
        )
    }


def _decided_amount(
    app: Row[*tuple[Any, ...]] | None, new: str | None, awarded: Mapping[int, Decimal | None]
) -> Decimal | None:
    """An approval's amount is the award's; a rejection's the amount requested."""
    if app is None:
        return None
    if new == ApplicationStatus.APPROVED:
        return awarded.get(app.id, app.amount_approved)
    return app.amount_requested


def _recorded_under_application(
    session: Session,
    window: _Window,
    found: _Found,
    kind: str,
    model: type[GrantNotice] | type[Refund],
    details: Callable[[Row[*tuple[Any, ...]]], dict[str, Any]],
    columns: Sequence[Any],
    *conditions: ColumnElement[bool],
) -> None:
    """Events of ``kind`` for the notices or refunds recorded in the window (neither is edited
    later): the application's key and programme, the row's kind as ``new``, and the ``details``
    of the row's ``columns``."""
    table = table_of(model)
    entries, _ = _entries(session, table.name, window, actions=[JournalAction.CREATE.value])
    rows = {
        row.id: row
        for row in session.execute(
            _with_programme(
                select(table.c.id, *columns, FundingApplication.key, FundingProgramme.name).join(
                    FundingApplication, FundingApplication.id == table.c.application_id
                )
            ).where(ids_in(table.c.id, {e.entity_id for e in entries}), *conditions)
        )
    }
    for entry in entries:
        row = rows.get(entry.entity_id)
        if row is not None:
            found.add(
                entry,
                kind,
                entry.project_id,
                item_key=row.key,
                item_title=row.name,
                new=row.kind,
                **details(row),
            )


def _later_notices(session: Session, window: _Window, found: _Found) -> None:
    """Grants changed after the award: amendments, revocations, renunciations."""
    _recorded_under_application(
        session,
        window,
        found,
        Kind.NOTICE,
        GrantNotice,
        lambda notice: {
            "old": notice.period_end.isoformat() if notice.period_end else None,
            "amount": notice.amount_approved,
            "day": notice.dated_on,
        },
        (
            GrantNotice.kind,
            GrantNotice.dated_on,
            GrantNotice.amount_approved,
            GrantNotice.period_end,
        ),
        GrantNotice.kind.in_(LATER_NOTICE_KINDS),
    )


def _refunds_claimed(session: Session, window: _Window, found: _Found) -> None:
    _recorded_under_application(
        session,
        window,
        found,
        Kind.REFUND,
        Refund,
        lambda claim: {"amount": claim.amount, "day": claim.claimed_on},
        (Refund.kind, Refund.claimed_on, Refund.amount),
    )


_Reports = defaultdict[int, dict[int, tuple[str, str]]]
"""Project id → status report id → (report date, overall light), both as ISO text / codes."""


def _lights(session: Session, window: _Window, found: _Found) -> None:
    """Traffic lights: replay the status reports of the affected projects through the window;
    an event where a project's light (that of its latest report) changes."""
    entries, changes = _entries(
        session,
        "status_report",
        window,
        actions=[JournalAction.CREATE.value, JournalAction.UPDATE.value],
        fields=["overall", "report_date", "project_id"],
    )
    entries = [e for e in entries if e.project_id in found.scope]
    if not entries:
        return
    reports = _reports_at(session, window.start, {e.project_id for e in entries})
    for entry in entries:
        assert entry.project_id is not None
        before = _light(reports[entry.project_id])
        fields = changes[entry.id]
        day, overall = reports[entry.project_id].get(entry.entity_id, (None, None))
        if "report_date" in fields:
            day = fields["report_date"][1]
        if "overall" in fields:
            overall = fields["overall"][1]
        if day is None or overall is None:
            continue
        reports[entry.project_id][entry.entity_id] = (day, overall)
        after = _light(reports[entry.project_id])
        if before is not None and after != before:
            found.add(
                entry,
                Kind.LIGHT,
                entry.project_id,
                old=before,
                new=after,
                day=dt.date.fromisoformat(day),
            )


def _reports_at(session: Session, at: dt.datetime, projects: set[int | None]) -> _Reports:
    """The status reports of ``projects`` as they were at ``at``."""
    reports: _Reports = defaultdict(dict)
    where = ids_in(table_of(StatusReport).c.project_id, projects)
    for row in rows_at(session, StatusReport, at, where=where):
        reports[row["project_id"]][row["id"]] = (row["report_date"].isoformat(), row["overall"])
    return reports


def _light(reports: dict[int, tuple[str, str]]) -> str | None:
    """A project's light: that of its latest status report (None without one)."""
    return max(reports.values())[1] if reports else None


_STEPS: tuple[_Step, ...] = (
    _projects_created_archived_restored,
    _project_status,
    _slipped_milestones,
    _decisions,
    _later_notices,
    _refunds_claimed,
    _lights,
)
"""The kinds of event in the order they are looked for (ties within one entry keep it)."""
