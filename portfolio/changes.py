"""What changed between two dates, and what the data looked like on a past date — from the journal.

Two kinds of question are answered here, both from ``journal_entry`` / ``journal_change`` and
never by guessing from the current rows:

* :func:`what_changed` — the events between two reporting dates: new, archived and restored
  projects, project status changes, slipped milestones (due date moved later), changed traffic
  lights (the overall light of a project's latest status report) and funding decisions.
* :func:`rows_at` / :func:`snapshot` — the state of the portfolio at the end of a past day:
  current rows, minus rows created after that day, with every field set back to the *old value of
  the first change after the day*; rows deleted since are rebuilt by replaying their journal up to
  the day (reference data — Leitthemen, Handlungsfelder, organisations, programmes — is kept
  even where it was set up later). :func:`snapshot` writes that state into a private in-memory SQLite database with the
  same schema, so the very functions that compute today's figures (``portfolio.figures``) compute
  the past ones too.

A reporting date means the end of that day in Bochum (Europe/Berlin); journal times are UTC.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Engine,
    Integer,
    Numeric,
    Table,
    and_,
    bindparam,
    create_engine,
    delete,
    exists,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from db.enums import (
    AWARD_NOTICE_KINDS,
    DECISION_OUTCOMES,
    ApplicationStatus,
    ChangeSource,
    JournalAction,
    NoticeKind,
)
from db.models import (
    Account,
    ActionField,
    Base,
    FundingApplication,
    FundingProgramme,
    GrantNotice,
    JournalChange,
    JournalEntry,
    Milestone,
    Organisation,
    Participation,
    PaymentRequest,
    ProgrammePhase,
    Project,
    Refund,
    StatusReport,
    Theme,
)
from portfolio import clock
from portfolio.i18n import DEFAULT_LANG, Both, fmt_value
from portfolio.policy import Action, requires

LOCAL_TZ = clock.LOCAL_TZ

# Everything the figures and the brief read, in foreign-key order.
RECONSTRUCTED: tuple[type[Base], ...] = (
    Theme,
    ActionField,
    Organisation,
    FundingProgramme,
    ProgrammePhase,
    Project,
    Participation,
    FundingApplication,
    PaymentRequest,
    Refund,
    Milestone,
    StatusReport,
)
# Reference data is kept in a snapshot even where it was set up after the day.
REFERENCE_DATA = frozenset({Theme, ActionField, Organisation, FundingProgramme, ProgrammePhase})
DECISIONS = DECISION_OUTCOMES


def cutoff(day: dt.date) -> dt.datetime:
    """The end of ``day`` in Bochum as a UTC instant: journal entries before it belong to the day."""
    local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TZ)
    return local.astimezone(dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    """Journal times as aware UTC (SQLite hands them back naive)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def local_date(value: dt.datetime) -> dt.date:
    """The Bochum calendar day of a journal time."""
    return clock.to_local(value).date()


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


# ---- values from the journal's text form -----------------------------------------------------


def from_text(column_type: Any, text: str | None) -> Any:
    """The inverse of :func:`portfolio.journal.to_text` for a column of ``column_type``."""
    if text is None:
        return None
    if isinstance(column_type, Boolean):
        return text == "true"
    if isinstance(column_type, Integer):
        return int(text)
    if isinstance(column_type, Numeric):
        return Decimal(text)
    if isinstance(column_type, DateTime):
        return dt.datetime.fromisoformat(text)
    if isinstance(column_type, Date):
        return dt.date.fromisoformat(text)
    if isinstance(column_type, JSON):
        return json.loads(text)
    return text


def _ids_in(column: Any, ids: Iterable[int | None]) -> ColumnElement[bool]:
    """``column IN (ids)`` with the ids written into the statement: at 100,000 projects a set of
    ids outgrows the bound parameters a statement may carry (65,535 on PostgreSQL)."""
    values = sorted({int(i) for i in ids if i is not None})  # NULL matches nothing in IN
    return column.in_(bindparam("ids", values, expanding=True, literal_execute=True, unique=True))


# ---- the state at a past day -----------------------------------------------------------------


@requires(Action.READ_JOURNAL)
def rows_at(
    session: Session,
    model: type[Base],
    at: dt.datetime,
    *,
    where: ColumnElement[bool] | None = None,
    keep_created: bool = False,
) -> list[dict[str, Any]]:
    """The rows of ``model`` as they were at the instant ``at`` (see the module doc).

    ``where`` narrows the current rows looked at (for example to a few projects); rows deleted
    since ``at`` are only rebuilt when ``where`` is None. ``keep_created`` keeps rows created
    after ``at`` (with their first values) — for reference data, so a Leitthema set up after the
    day still shows, with zero projects.
    """
    table = _table(model)
    name = table.name
    # NOT EXISTS, not NOT IN: PostgreSQL plans it as an anti-join; NOT IN (subquery) became a
    # nested loop over the journal for every row (15 minutes at 100,000 projects).
    created_after = exists().where(
        JournalEntry.entity == name,
        JournalEntry.entity_id == table.c.id,
        JournalEntry.at > at,
        JournalEntry.action == JournalAction.CREATE.value,
    )
    stmt = select(table)
    if not keep_created:
        stmt = stmt.where(~created_after)
    if where is not None:
        stmt = stmt.where(where)
    rows: dict[int, dict[str, Any]] = {
        row["id"]: dict(row) for row in session.execute(stmt).mappings()
    }
    for entity_id, fields in _reverts(session, table, at).items():
        if entity_id in rows:
            rows[entity_id].update(fields)
    if where is None:
        rows.update(_deleted_since(session, table, at))
    return [rows[k] for k in sorted(rows)]


def _reverts(session: Session, table: Table, at: dt.datetime) -> dict[int, dict[str, Any]]:
    """Row id → {field: the old value of its first change after ``at``}."""
    after = and_(JournalEntry.entity == table.name, JournalEntry.at > at)
    out: dict[int, dict[str, Any]] = defaultdict(dict)
    columns = table.c
    for entity_id, field_name, old in session.execute(
        select(JournalEntry.entity_id, JournalChange.field, JournalChange.old_value)
        .join(JournalChange, JournalChange.entry_id == JournalEntry.id)
        .where(after, JournalEntry.action != JournalAction.CREATE.value)
        .order_by(JournalEntry.id, JournalChange.id)
    ):
        fields = out[entity_id]
        if field_name in columns and field_name not in fields:
            fields[field_name] = from_text(columns[field_name].type, old)
    return dict(out)


def _deleted_since(session: Session, table: Table, at: dt.datetime) -> dict[int, dict[str, Any]]:
    """Rows deleted after ``at``, rebuilt as they were at ``at``."""
    deleted = set(
        session.execute(
            select(JournalEntry.entity_id).where(
                JournalEntry.entity == table.name,
                JournalEntry.at > at,
                JournalEntry.action == JournalAction.DELETE.value,
            )
        ).scalars()
    )
    return _replay(session, table, deleted, at)


def _copy_sqlite_file(
    session: Session, target: Engine, models: Sequence[type[Base]], at: dt.datetime
) -> bool:
    """Fast path for a SQLite file: copy the rows inside SQLite (ATTACH … INSERT … SELECT),
    then apply the reverts and rebuilt rows. False if the database is not a SQLite file."""
    bind = session.get_bind().engine
    database = bind.url.database if bind.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return False
    stamp = at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with target.connect() as conn:
        conn.exec_driver_sql("ATTACH DATABASE ? AS src", (database,))
        try:
            for model in models:
                table = _table(model)
                cols = ", ".join(f'"{c.name}"' for c in table.c)
                sql = f'INSERT INTO main."{table.name}" ({cols}) SELECT {cols} FROM src."{table.name}"'
                params: tuple[Any, ...] = ()
                if model not in REFERENCE_DATA:
                    sql += (
                        " WHERE id NOT IN (SELECT entity_id FROM src.journal_entry"
                        " WHERE entity = ? AND action = ? AND at > ?)"
                    )
                    params = (table.name, JournalAction.CREATE.value, stamp)
                conn.exec_driver_sql(sql, params)
            conn.commit()
        finally:
            conn.exec_driver_sql("DETACH DATABASE src")
    with target.begin() as conn:
        for model in models:
            table = _table(model)
            keep = {"updated_at": table.c.updated_at} if "updated_at" in table.c else {}
            for row_id, fields in _reverts(session, table, at).items():
                conn.execute(update(table).where(table.c.id == row_id).values(**(keep | fields)))
            rebuilt = _deleted_since(session, table, at)
            if rebuilt:
                conn.execute(delete(table).where(table.c.id.in_(list(rebuilt))))
                conn.execute(insert(table), list(rebuilt.values()))
    return True


def _replay(
    session: Session, table: Table, ids: Iterable[int], at: dt.datetime
) -> dict[int, dict[str, Any]]:
    """Rebuild rows from their journal entries up to ``at`` (create, updates, delete)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    states: dict[int, dict[str, Any] | None] = {}
    entries = session.execute(
        select(JournalEntry.id, JournalEntry.entity_id, JournalEntry.action, JournalEntry.version)
        .where(
            JournalEntry.entity == table.name,
            _ids_in(JournalEntry.entity_id, wanted),
            JournalEntry.at <= at,
        )
        .order_by(JournalEntry.id)
    ).all()
    changes: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
    entry_ids = [e.id for e in entries]
    for start in range(0, len(entry_ids), 500):
        for entry_id, field_name, new in session.execute(
            select(JournalChange.entry_id, JournalChange.field, JournalChange.new_value)
            .where(JournalChange.entry_id.in_(entry_ids[start : start + 500]))
            .order_by(JournalChange.id)
        ):
            changes[entry_id].append((field_name, new))
    for entry in entries:
        if entry.action == JournalAction.CREATE.value:
            state: dict[str, Any] | None = _blank_row(table, entry.entity_id)
            states[entry.entity_id] = state
        elif entry.action == JournalAction.DELETE.value:
            states[entry.entity_id] = None
            continue
        state = states.get(entry.entity_id)
        if state is None:
            continue
        for field_name, new in changes.get(entry.id, []):
            if field_name in table.c:
                state[field_name] = from_text(table.c[field_name].type, new)
        if entry.version is not None and "version" in table.c:
            state["version"] = entry.version
    return {k: v for k, v in states.items() if v is not None}


def _blank_row(table: Table, row_id: int) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for column in table.c:
        if column.name == "id":
            row["id"] = row_id
        elif isinstance(column.type, Boolean):
            row[column.name] = False
        elif isinstance(column.type, JSON):
            row[column.name] = []
        elif column.name == "version":
            row[column.name] = 1
        elif isinstance(column.type, DateTime):
            row[column.name] = clock.utcnow()
        elif isinstance(column.type, Numeric) and not column.nullable:
            row[column.name] = Decimal(0)
        else:
            row[column.name] = None
    return row


@requires(Action.READ_JOURNAL)
def changed_after(session: Session, at: dt.datetime) -> bool:
    """True if the journal holds any change after ``at`` (then the past differs from today)."""
    return (
        session.execute(select(JournalEntry.id).where(JournalEntry.at > at).limit(1)).first()
        is not None
    )


@requires(Action.READ_JOURNAL)
def snapshot(
    session: Session,
    day: dt.date,
    *,
    models: Sequence[type[Base]] | None = None,
    fast: bool = True,
) -> Engine:
    """A private in-memory database holding the portfolio as it was at the end of ``day``.

    ``models`` limits the tables rebuilt (default: all of :data:`RECONSTRUCTED`; the others stay
    empty). On a SQLite file the rows are copied inside SQLite (``fast``; it reads committed
    data); elsewhere row by row. The caller owns the engine (``dispose()`` it when done).
    """
    at = cutoff(day)
    engine = create_engine("sqlite://", poolclass=StaticPool)
    tables = [_table(m) for m in RECONSTRUCTED]
    Base.metadata.create_all(engine, tables=tables)
    wanted = set(models) if models is not None else set(RECONSTRUCTED)
    ordered = [m for m in RECONSTRUCTED if m in wanted]
    if fast and _copy_sqlite_file(session, engine, ordered, at):
        return engine
    with engine.begin() as conn:
        for model, table in zip(RECONSTRUCTED, tables, strict=True):
            if model not in wanted:
                continue
            rows = rows_at(session, model, at, keep_created=model in REFERENCE_DATA)
            if rows:
                conn.execute(insert(table), rows)
    return engine


# ---- who made a change ----------------------------------------------------------------------

# The journal's technical authors (not accounts): the first word of the actor, lower case.
TECHNICAL_ACTORS: dict[str, Both] = {
    "cli": Both("Kommandozeile", "command line"),
    "system": Both("System", "system"),
    "seed": Both("System", "system"),
    "demo": Both("Demodaten", "demo data"),
    "demo-admin": Both("Demodaten", "demo data"),
    "import": Both("Datenimport", "data import"),
}
# What a technical author did the change through, where that says more than its name.
SOURCE_ACTORS: dict[str, Both] = {
    ChangeSource.IMPORT.value: Both("Datenimport", "data import"),
    ChangeSource.CLI.value: Both("Kommandozeile", "command line"),
}


def technical_actor(actor: str) -> bool:
    """Whether the journal's ``actor`` is no person: the command line's fallback user, the
    system, the demo generator, the seed, an import without a user."""
    words = actor.split()
    return not words or words[0].lower() in TECHNICAL_ACTORS


def author_label(
    actor: str,
    source: str | None,
    lang: str = DEFAULT_LANG,
    names: dict[str, str] | None = None,
) -> str:
    """The author of a journal entry as a reader names them: the account's display name (from
    ``names``, see :func:`account_names`); for a technical author a word for what made the change
    ("Kommandozeile", "Datenimport", "System", "Demodaten"); else the name as written."""
    if names and actor in names:
        return names[actor]
    if not technical_actor(actor):
        return actor
    words = actor.split()
    label = SOURCE_ACTORS.get(source or "") or TECHNICAL_ACTORS.get(
        words[0].lower() if words else "system", TECHNICAL_ACTORS["system"]
    )
    return fmt_value(label, lang)


@requires(Action.READ_JOURNAL)
def account_names(session: Session, actors: Iterable[str]) -> dict[str, str]:
    """Account name → its display name (the account name where it has none), for the given
    journal authors that are accounts (accounts are never deleted, so every name resolves)."""
    wanted = sorted({a for a in actors if a})
    out: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        for name, shown in session.execute(
            select(Account.name, Account.display_name).where(
                Account.name.in_(wanted[start : start + 500])
            )
        ):
            out[name] = (shown or "").strip() or name
    return out


# ---- what changed between two days -----------------------------------------------------------


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


def _entries(
    session: Session,
    entity: str,
    start: dt.datetime,
    end: dt.datetime,
    *,
    actions: Sequence[str] | None = None,
    fields: Sequence[str] | None = None,
) -> tuple[list[_Entry], dict[int, dict[str, tuple[str | None, str | None]]]]:
    """Journal entries of ``entity`` in (start, end], with their changes of ``fields``."""
    window = and_(JournalEntry.entity == entity, JournalEntry.at > start, JournalEntry.at <= end)
    stmt = select(
        JournalEntry.id,
        JournalEntry.at,
        JournalEntry.actor,
        JournalEntry.source,
        JournalEntry.entity_id,
        JournalEntry.entity_key,
        JournalEntry.project_id,
        JournalEntry.action,
    ).where(window)
    if actions is not None:
        stmt = stmt.where(JournalEntry.action.in_(list(actions)))
    changes: dict[int, dict[str, tuple[str | None, str | None]]] = defaultdict(dict)
    if fields is not None:
        change_rows = session.execute(
            select(
                JournalChange.entry_id,
                JournalChange.field,
                JournalChange.old_value,
                JournalChange.new_value,
            )
            .join(JournalEntry, JournalEntry.id == JournalChange.entry_id)
            .where(window, JournalChange.field.in_(list(fields)))
        ).all()
        for entry_id, name, old, new in change_rows:
            changes[entry_id][name] = (old, new)
        stmt = stmt.where(
            JournalEntry.id.in_(
                select(JournalChange.entry_id).where(JournalChange.field.in_(list(fields)))
            )
        )
    entries = [_Entry(*row) for row in session.execute(stmt.order_by(JournalEntry.id))]
    if fields is not None:
        entries = [e for e in entries if e.id in changes]
    return entries, changes


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


@requires(Action.READ_JOURNAL)
def what_changed(
    session: Session, *, since: dt.date, as_of: dt.date, theme_key: str | None = None
) -> Changes:
    """The events between the end of ``since`` and the end of ``as_of``, oldest first."""
    start, end = cutoff(since), cutoff(as_of)
    scope = _projects(session, theme_key)
    out = Changes(since=since, as_of=as_of)
    events: list[tuple[int, Event]] = []

    def make(entry: _Entry, kind: str, project_id: int | None, **kw: Any) -> None:
        if project_id is None or project_id not in scope:
            return
        key, title = scope[project_id]
        events.append(
            (
                entry.id,
                Event(
                    kind=kind,
                    at=_utc(entry.at),
                    actor=entry.actor,
                    source=entry.source,
                    project_key=key,
                    project_title=title,
                    **kw,
                ),
            )
        )

    # Projects: created, archived, restored, status changes.
    entries, _ = _entries(
        session,
        "project",
        start,
        end,
        actions=[
            JournalAction.CREATE.value,
            JournalAction.ARCHIVE.value,
            JournalAction.RESTORE.value,
        ],
    )
    kinds = {
        JournalAction.CREATE.value: Kind.NEW_PROJECT,
        JournalAction.ARCHIVE.value: Kind.ARCHIVED_PROJECT,
        JournalAction.RESTORE.value: Kind.RESTORED_PROJECT,
    }
    for entry in entries:
        make(entry, kinds[entry.action], entry.entity_id)
    entries, changes = _entries(
        session,
        "project",
        start,
        end,
        actions=[
            JournalAction.UPDATE.value,
            JournalAction.ARCHIVE.value,
            JournalAction.RESTORE.value,
        ],
        fields=["status"],
    )
    for entry in entries:
        old, new = changes[entry.id]["status"]
        make(entry, Kind.STATUS, entry.entity_id, old=old, new=new)

    # Milestones whose due date moved later.
    entries, changes = _entries(
        session, "milestone", start, end, actions=[JournalAction.UPDATE.value], fields=["due_date"]
    )
    titles = _titles(session, Milestone, {e.entity_id for e in entries})
    for entry in entries:
        old, new = changes[entry.id]["due_date"]
        if old is not None and new is not None and new > old:
            make(
                entry,
                Kind.MILESTONE_SLIPPED,
                entry.project_id,
                item_key=entry.entity_key,
                item_title=titles.get(entry.entity_id),
                old=old,
                new=new,
                day=dt.date.fromisoformat(new),
            )

    # Funding decisions: an application moving to (or entered as) approved or rejected.
    entries, changes = _entries(session, "funding_application", start, end, fields=["status"])
    decided = [e for e in entries if changes[e.id]["status"][1] in DECISIONS]
    apps = {
        row.id: row
        for row in session.execute(
            select(
                FundingApplication.id,
                FundingApplication.amount_approved,
                FundingApplication.amount_requested,
                FundingApplication.decision_on,
                FundingProgramme.name,
            )
            .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
            .where(_ids_in(FundingApplication.id, {e.entity_id for e in decided}))
        )
    }
    # The amount awarded is the award notice's (the grant may have changed since).
    awarded = {
        application_id: amount
        for application_id, amount in session.execute(
            select(GrantNotice.application_id, GrantNotice.amount_approved)
            .where(
                _ids_in(GrantNotice.application_id, {e.entity_id for e in decided}),
                GrantNotice.kind.in_(AWARD_NOTICE_KINDS),
            )
            .order_by(GrantNotice.dated_on.desc(), GrantNotice.id.desc())
        )
    }
    for entry in decided:
        old, new = changes[entry.id]["status"]
        app = apps.get(entry.entity_id)
        make(
            entry,
            Kind.DECISION,
            entry.project_id,
            item_key=entry.entity_key,
            item_title=app.name if app else None,
            old=old,
            new=new,
            amount=(
                awarded.get(entry.entity_id, app.amount_approved)
                if new == ApplicationStatus.APPROVED
                else app.amount_requested
            )
            if app
            else None,
            day=app.decision_on if app else None,
        )

    # Grants changed after the award (amendments, revocations, renunciations) and refunds
    # claimed: the notices and claims recorded in the window (neither is edited later).
    entries, _ = _entries(session, "grant_notice", start, end, actions=[JournalAction.CREATE.value])
    notices = {
        row.id: row
        for row in session.execute(
            select(
                GrantNotice.id,
                GrantNotice.kind,
                GrantNotice.dated_on,
                GrantNotice.amount_approved,
                GrantNotice.period_end,
                FundingApplication.key,
                FundingProgramme.name,
            )
            .join(FundingApplication, FundingApplication.id == GrantNotice.application_id)
            .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
            .where(
                _ids_in(GrantNotice.id, {e.entity_id for e in entries}),
                GrantNotice.kind.in_(LATER_NOTICE_KINDS),
            )
        )
    }
    for entry in entries:
        notice = notices.get(entry.entity_id)
        if notice is not None:
            make(
                entry,
                Kind.NOTICE,
                entry.project_id,
                item_key=notice.key,
                item_title=notice.name,
                new=notice.kind,
                old=notice.period_end.isoformat() if notice.period_end else None,
                amount=notice.amount_approved,
                day=notice.dated_on,
            )
    entries, _ = _entries(session, "refund", start, end, actions=[JournalAction.CREATE.value])
    claims = {
        row.id: row
        for row in session.execute(
            select(
                Refund.id,
                Refund.kind,
                Refund.claimed_on,
                Refund.amount,
                FundingApplication.key,
                FundingProgramme.name,
            )
            .join(FundingApplication, FundingApplication.id == Refund.application_id)
            .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
            .where(_ids_in(Refund.id, {e.entity_id for e in entries}))
        )
    }
    for entry in entries:
        claim = claims.get(entry.entity_id)
        if claim is not None:
            make(
                entry,
                Kind.REFUND,
                entry.project_id,
                item_key=claim.key,
                item_title=claim.name,
                new=claim.kind,
                amount=claim.amount,
                day=claim.claimed_on,
            )

    # Traffic lights: replay the status reports of the affected projects through the window.
    entries, changes = _entries(
        session,
        "status_report",
        start,
        end,
        actions=[JournalAction.CREATE.value, JournalAction.UPDATE.value],
        fields=["overall", "report_date", "project_id"],
    )
    entries = [e for e in entries if e.project_id in scope]
    if entries:
        affected = {e.project_id for e in entries}
        reports: dict[int, dict[int, tuple[str, str]]] = defaultdict(
            dict
        )  # project → id → (date, light)
        for row in rows_at(
            session, StatusReport, start, where=_ids_in(_table(StatusReport).c.project_id, affected)
        ):
            reports[row["project_id"]][row["id"]] = (row["report_date"].isoformat(), row["overall"])

        def light(project_id: int) -> str | None:
            current = reports[project_id]
            return max(current.values())[1] if current else None

        for entry in entries:
            assert entry.project_id is not None
            before = light(entry.project_id)
            fields = changes[entry.id]
            day, overall = reports[entry.project_id].get(entry.entity_id, (None, None))
            if "report_date" in fields:
                day = fields["report_date"][1]
            if "overall" in fields:
                overall = fields["overall"][1]
            if day is None or overall is None:
                continue
            reports[entry.project_id][entry.entity_id] = (day, overall)
            after = light(entry.project_id)
            if before is not None and after != before:
                make(
                    entry,
                    Kind.LIGHT,
                    entry.project_id,
                    old=before,
                    new=after,
                    day=dt.date.fromisoformat(day),
                )

    out.events = [e for _, e in sorted(events, key=lambda pair: pair[0])]
    out.names = account_names(session, {e.actor for e in out.events})
    return out


def _titles(session: Session, model: type[Base], ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    table = _table(model)
    return {
        row_id: title
        for row_id, title in session.execute(
            select(table.c.id, table.c.title).where(_ids_in(table.c.id, ids))
        )
    }
