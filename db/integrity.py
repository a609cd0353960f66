"""``portfolio verify``: is the database whole? Storage, references, schema and journal.

Checks, each with the number of findings and a few examples:

- ``storage``: SQLite's ``PRAGMA integrity_check`` (pages, indexes, constraints); on PostgreSQL,
  which checks its pages itself, no index may be left invalid (a failed concurrent build);
- ``foreign_keys``: every reference of every table points at an existing row (SQLite enforces
  them only on connections that switch them on; a restored or hand-edited file may not have);
- ``schema``: the database is at this code's schema head;
- ``journal_rows``: every row of a journaled table has its journal, and the journal's last
  entry for it is not a deletion and carries the row's version (no change behind the journal);
- ``journal_steps``: within one row's history every version follows the one before by one;
- ``journal_deleted``: a row the journal shows as existing (its last entry is no deletion)
  exists.

Accounts are versioned but audited (``audit_event``), not journaled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    and_,
    exists,
    func,
    not_,
    or_,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError

from db import migrate
from db.backup import portfolio_tables
from db.enums import JournalAction
from db.models import Base, JournalEntry
from db.models.base import Versioned, table_of

EXAMPLES = 5
UNJOURNALED = frozenset({"account"})
"""Versioned tables whose changes are audited instead of journaled."""


@dataclass(frozen=True)
class Finding:
    check: str
    count: int
    examples: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.count == 0


CHECKS = ("storage", "foreign_keys", "schema", "journal_rows", "journal_steps", "journal_deleted")


def verify(engine: Engine) -> list[Finding]:
    """Every check in :data:`CHECKS` order; a database that is whole has no findings."""
    findings = [
        _guarded(engine, ["storage"], lambda conn: [_storage(conn)]),
        _guarded(engine, ["foreign_keys"], lambda conn: [_foreign_keys(conn)]),
        _guarded(engine, ["schema"], lambda conn: [_schema(conn)]),
        _guarded(engine, list(CHECKS[3:]), _journal),
    ]
    return [finding for group in findings for finding in group]


def _guarded(
    engine: Engine, checks: list[str], run: Callable[[Connection], list[Finding]]
) -> list[Finding]:
    """Run checks on a connection of their own; a database too damaged to answer is a finding
    of each of them (with the database's words), not an exception."""
    try:
        with engine.connect() as conn:
            found = run(conn)
            conn.rollback()
            return found
    except DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
        return [Finding(check, 1, [first[:300]]) for check in checks]


def _storage(conn: Connection) -> Finding:
    if conn.dialect.name == "sqlite":
        lines = [str(r[0]) for r in conn.execute(text("PRAGMA integrity_check"))]
        bad = [line for line in lines if line != "ok"]
        return Finding("storage", len(bad), bad[:EXAMPLES])
    invalid = [
        str(r[0])
        for r in conn.execute(
            text(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE NOT i.indisvalid ORDER BY 1"
            )
        )
    ]
    return Finding("storage", len(invalid), invalid[:EXAMPLES])


def _foreign_keys(conn: Connection) -> Finding:
    present = {t.name for t in portfolio_tables(conn)}
    count, examples = 0, []
    for table in Base.metadata.sorted_tables:
        if table.name not in present:
            continue
        for constraint in table.foreign_key_constraints:
            parent = constraint.referred_table.alias("referred")  # the table itself, too
            pairs = [(e.parent, parent.c[e.column.name]) for e in constraint.elements]
            missing = (
                select(*table.primary_key.columns)
                .where(
                    and_(*(child.is_not(None) for child, _ in pairs)),
                    not_(
                        exists()
                        .where(and_(*(ref == child for child, ref in pairs)))
                        .select_from(parent)
                        .correlate(table)
                    ),
                )
                .order_by(*table.primary_key.columns)
            )
            rows = conn.execute(missing).all()
            count += len(rows)
            columns = ", ".join(child.name for child, _ in pairs)
            examples += [
                f"{table.name}.{columns} → {constraint.referred_table.name} (id {r[0]})"
                for r in rows
            ]
    return Finding("foreign_keys", count, examples[:EXAMPLES])


def _schema(conn: Connection) -> Finding:
    head = migrate.head_revision_quick()
    current = None
    if "alembic_version" in {t.name for t in portfolio_tables(conn)}:
        current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if current == head:
        return Finding("schema", 0)
    return Finding("schema", 1, [f"{current or '–'} ≠ {head or '–'}"])


def journaled_tables() -> list[Table]:
    """The versioned tables whose every change the journal records."""
    versioned = {
        str(mapper.persist_selectable.description)
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, Versioned)
    }
    return [t for t in Base.metadata.sorted_tables if t.name in versioned - UNJOURNALED]


def _newest_id(entity: str, entity_id: Any) -> Any:
    """The id of the newest journal entry of the row ``entity_id`` (correlated)."""
    inner = table_of(JournalEntry).alias("inner")
    return (
        select(func.max(inner.c.id))
        .where(inner.c.entity == entity, inner.c.entity_id == entity_id)
        .scalar_subquery()
    )


def _journal(conn: Connection) -> list[Finding]:
    """The three journal checks, table by table. Each reaches the journal through its
    ``(entity, entity_id)`` index (a row's newest entry is a ``max(id)`` per row, never a join
    of two whole histories), so the checks stay linear in the journal's size."""
    present = {t.name for t in portfolio_tables(conn)}
    je = table_of(JournalEntry)
    rows = Finding("journal_rows", 0)
    steps = Finding("journal_steps", 0)
    deleted = Finding("journal_deleted", 0)
    if je.name not in present:
        return [rows, steps, deleted]
    for table in sorted(journaled_tables(), key=lambda t: t.name):
        if table.name not in present:
            continue
        newest = je.alias("newest")
        unjournaled = (
            select(table.c.id, table.c.version, newest.c.action, newest.c.version)
            .select_from(table.outerjoin(newest, newest.c.id == _newest_id(table.name, table.c.id)))
            .where(
                or_(
                    newest.c.id.is_(None),
                    newest.c.action == JournalAction.DELETE.value,
                    newest.c.version.is_distinct_from(table.c.version),
                )
            )
            .order_by(table.c.id)
        )
        found = conn.execute(unjournaled).all()
        rows = _add(
            rows,
            len(found),
            [f"{table.name} {r[0]}: Version {r[1]}, Journal {r[3] or '–'}" for r in found],
        )
        history = (
            select(
                je.c.entity_id,
                je.c.action,
                je.c.version,
                func.lag(je.c.version)
                .over(partition_by=je.c.entity_id, order_by=je.c.id)
                .label("before"),
            )
            .where(je.c.entity == table.name)
            .subquery()
        )
        gaps = (
            select(history.c.entity_id, history.c.before, history.c.version)
            .where(
                history.c.before.is_not(None),
                history.c.action.not_in([JournalAction.CREATE.value, JournalAction.DELETE.value]),
                history.c.version != history.c.before + 1,
            )
            .order_by(history.c.entity_id)
        )
        jumps = conn.execute(gaps).all()
        steps = _add(steps, len(jumps), [f"{table.name} {r[0]}: {r[1]} → {r[2]}" for r in jumps])
        vanished = (
            select(je.c.entity_id)
            .where(
                je.c.entity == table.name,
                not_(exists().where(table.c.id == je.c.entity_id)),
                je.c.id == _newest_id(table.name, je.c.entity_id),
                je.c.action != JournalAction.DELETE.value,
            )
            .order_by(je.c.entity_id)
        )
        gone = conn.execute(vanished).all()
        deleted = _add(deleted, len(gone), [f"{table.name} {r[0]}" for r in gone])
    return [rows, steps, deleted]


def _add(finding: Finding, count: int, examples: list[str]) -> Finding:
    return Finding(finding.check, finding.count + count, (finding.examples + examples)[:EXAMPLES])
