"""The journal: every change to a domain row, written in the same transaction as the change.

A session carries its :class:`Actor` in ``session.info``. After each flush the listener below
compares old and new values of every new, changed or archived row and appends one
``journal_entry`` with one ``journal_change`` per field. A save that changes nothing writes
nothing. Bulk paths that bypass the ORM (demo generator, Excel import) call :func:`record`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, event, insert, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from db.enums import ChangeSource, JournalAction
from db.models import (
    Base,
    BudgetYear,
    CostItem,
    FundingApplication,
    GrantNotice,
    JournalChange,
    JournalEntry,
    Kpi,
    KpiMeasurement,
    PaymentRequest,
    Project,
    ProofOfUse,
    Refund,
)
from db.models.access import Account, AuditEvent
from db.models.base import table_of, utcnow
from db.models.outreach import DigestDelivery, FeedToken, SavedView
from db.models.records import ImportRecord, PublishedBrief

SKIPPED_FIELDS = frozenset({"id", "version", "created_at", "updated_at"})
UNJOURNALED = (
    JournalEntry,
    JournalChange,
    ImportRecord,
    PublishedBrief,
    Account,
    AuditEvent,
    FeedToken,
    DigestDelivery,
    SavedView,
)


@dataclass(frozen=True)
class Actor:
    """Who makes a change and through what: ``Actor("m.muster", ChangeSource.UI)``."""

    name: str
    source: ChangeSource = ChangeSource.UI
    ref: str | None = None


SYSTEM = Actor("system", ChangeSource.SYSTEM)


def set_actor(session: Session, actor: Actor) -> None:
    session.info["actor"] = actor


def actor_of(session: Session) -> Actor:
    actor = session.info.get("actor")
    return actor if isinstance(actor, Actor) else SYSTEM


def open_session(factory: sessionmaker[Session], actor: Actor) -> Session:
    session = factory()
    set_actor(session, actor)
    return session


def to_text(value: Any) -> str | None:
    """How a value is kept in the journal: ISO dates, plain decimals, JSON lists."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


@dataclass
class Change:
    """One journal entry for :func:`record`."""

    entity: str
    entity_id: int
    action: JournalAction
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    entity_key: str | None = None
    project_id: int | None = None
    version: int | None = None


def record(
    conn: Connection, actor: Actor, changes: Sequence[Change], at: dt.datetime | None = None
) -> None:
    """Append ``changes`` in bulk through Core (for paths that bypass the ORM)."""
    if not changes:
        return
    stamp = at or utcnow()
    entry_rows = [
        {
            "at": stamp,
            "actor": actor.name,
            "source": str(actor.source),
            "source_ref": actor.ref,
            "entity": c.entity,
            "entity_id": c.entity_id,
            "entity_key": c.entity_key,
            "project_id": c.project_id,
            "action": str(c.action),
            "version": c.version,
        }
        for c in changes
    ]
    if conn.dialect.name == "postgresql":
        _copy_postgres(conn, entry_rows, changes)
        return
    table = table_of(JournalEntry)
    ids = (
        conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), entry_rows)
        .scalars()
        .all()
    )
    change_rows = [
        {"entry_id": entry_id, "field": name, "old_value": to_text(old), "new_value": to_text(new)}
        for entry_id, c in zip(ids, changes, strict=True)
        for name, (old, new) in c.fields.items()
    ]
    if change_rows:
        conn.execute(insert(table_of(JournalChange)), change_rows)


ENTRY_COLUMNS = (
    "at",
    "actor",
    "source",
    "source_ref",
    "entity",
    "entity_id",
    "entity_key",
    "project_id",
    "action",
    "version",
)


def _copy_postgres(
    conn: Connection, entry_rows: list[dict[str, Any]], changes: Sequence[Change]
) -> None:
    """PostgreSQL: reserve the ids, then COPY entries and changes (an order of magnitude
    faster than executemany for the bulk paths), in the caller's transaction."""
    ids = list(
        conn.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('journal_entry', 'id')) FROM generate_series(1, :n)"
            ),
            {"n": len(entry_rows)},
        ).scalars()
    )
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur:
        with cur.copy(f"COPY journal_entry (id, {', '.join(ENTRY_COLUMNS)}) FROM STDIN") as copy:
            for entry_id, row in zip(ids, entry_rows, strict=True):
                copy.write_row((entry_id, *(row[c] for c in ENTRY_COLUMNS)))
        with cur.copy(
            "COPY journal_change (entry_id, field, old_value, new_value) FROM STDIN"
        ) as copy:
            for entry_id, c in zip(ids, changes, strict=True):
                for name, (old, new) in c.fields.items():
                    copy.write_row((entry_id, name, to_text(old), to_text(new)))


def _values_differ(old: Any, new: Any) -> bool:
    return to_text(old) != to_text(new)


def _project_id(session: Session, obj: Base) -> int | None:
    if isinstance(obj, Project):
        return obj.id
    if isinstance(obj, PaymentRequest | GrantNotice | Refund | ProofOfUse | CostItem | BudgetYear):
        return (
            session.connection()
            .execute(
                select(FundingApplication.project_id).where(
                    FundingApplication.id == obj.application_id
                )
            )
            .scalar_one_or_none()
        )
    if isinstance(obj, KpiMeasurement):
        return (
            session.connection()
            .execute(select(Kpi.project_id).where(Kpi.id == obj.kpi_id))
            .scalar_one_or_none()
        )
    return getattr(obj, "project_id", None)


def _diff(obj: Base, *, new: bool) -> dict[str, tuple[Any, Any]]:
    state = inspect(obj)
    changes: dict[str, tuple[Any, Any]] = {}
    for attr in state.mapper.column_attrs:
        name = attr.key
        if name in SKIPPED_FIELDS:
            continue
        if new:
            value = getattr(obj, name)
            if value is not None and value != [] and value is not False:
                changes[name] = (None, value)
            continue
        hist = state.attrs[name].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        value = hist.added[0] if hist.added else getattr(obj, name)
        if _values_differ(old, value):
            changes[name] = (old, value)
    return changes


def _collect(session: Session) -> list[Change]:
    out: list[Change] = []
    candidates: Iterable[tuple[Base, bool]] = [(o, True) for o in session.new] + [
        (o, False) for o in session.dirty
    ]
    for obj, is_new in candidates:
        if isinstance(obj, UNJOURNALED) or not isinstance(obj, Base):
            continue
        fields = _diff(obj, new=is_new)
        if not fields:
            continue
        action = JournalAction.CREATE if is_new else JournalAction.UPDATE
        if not is_new and "archived" in fields:
            action = JournalAction.ARCHIVE if fields["archived"][1] else JournalAction.RESTORE
        out.append(
            Change(
                entity=obj.__tablename__,
                entity_id=obj.id,  # type: ignore[attr-defined]
                action=action,
                fields=fields,
                entity_key=getattr(obj, "key", None),
                project_id=None,
                version=getattr(obj, "version", None),
            )
        )
        out[-1].project_id = _project_id(session, obj)
    for obj in session.deleted:
        if isinstance(obj, UNJOURNALED) or not isinstance(obj, Base):
            continue
        out.append(
            Change(
                entity=obj.__tablename__,
                entity_id=obj.id,  # type: ignore[attr-defined]
                action=JournalAction.DELETE,
                entity_key=getattr(obj, "key", None),
                project_id=_project_id(session, obj),
            )
        )
    return out


@event.listens_for(Session, "after_flush")
def _journal_after_flush(session: Session, _flush_context: Any) -> None:
    if session.info.get("journal_disabled"):
        return
    changes = _collect(session)
    if changes:
        record(session.connection(), actor_of(session), changes)
