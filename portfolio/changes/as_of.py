"""The portfolio as it was at the end of a past day, rebuilt from the journal.

:func:`rows_at` / :func:`snapshot`: current rows, minus rows created after that day, with every
field set back to the *old value of the first change after the day*; rows deleted since are
rebuilt by replaying their journal up to the day (reference data — Leitthemen, Handlungsfelder,
organisations, programmes — is kept even where it was set up later). :func:`snapshot` writes
that state into a private in-memory SQLite database with the same schema, so the very functions
that compute today's figures (``portfolio.figures``) compute the past ones too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    DateTime,
    Engine,
    Numeric,
    Table,
    and_,
    create_engine,
    delete,
    exists,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from db.enums import JournalAction
from db.models import (
    ActionField,
    Base,
    FundingApplication,
    FundingProgramme,
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
from portfolio.changes.reading import cutoff, from_text, ids_in, table_of
from portfolio.policy import Action, requires

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
    table = table_of(model)
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
                table = table_of(model)
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
            table = table_of(model)
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
            ids_in(JournalEntry.entity_id, wanted),
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
    tables = [table_of(m) for m in RECONSTRUCTED]
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
