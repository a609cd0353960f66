"""What every service module shares: lookups, version checks, applying validated changes, and
the unit of work that turns a lost race into a conflict.

Races. Two users edit the same row: each read its version, each saves with it. The service
check (:func:`ensure_version`) refuses an edit the database already shows as stale; the version
guard of the UPDATE (``WHERE version = :v``, SQLAlchemy's ``version_id_col``) catches the rest,
as a :class:`~sqlalchemy.orm.exc.StaleDataError` at the flush or the commit. Lost races on
PostgreSQL may also end as a serialization failure or a deadlock (SQLSTATE 40001, 40P01).
After any of these the transaction is dead (SQLAlchemy rolls the database transaction back when
a flush fails; PostgreSQL refuses further statements), so :func:`flush` and :func:`unit_of_work`
roll the session back, read the current row and its last journal entry on a fresh connection and
raise a :class:`ConflictError` that names who changed the row, when, and which fields. Nothing
half-written remains; the session can begin a new transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, event, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from db.engine import READ_ONLY_OPTION
from db.models import Base, JournalChange, JournalEntry
from portfolio.errors import (
    ConflictError,
    ConflictInfo,
    NotFound,
    PortfolioError,
    Problem,
    ValidationFailed,
)
from portfolio.journal import Actor, set_actor
from portfolio.services.fields import FieldSpec, check

M = TypeVar("M", bound=Base)

RACE_SQLSTATES = frozenset({"40001", "40P01"})
"""PostgreSQL's serialization_failure and deadlock_detected: the transaction lost a race."""
RACE_WAIT_S = 5
"""After a deadlock, how long the conflict's read waits for the other transaction to finish."""


def get_or_raise(session: Session, model: type[M], id_: int) -> M:
    obj = session.get(model, id_)
    if obj is None:
        raise NotFound(model.__tablename__, id_)
    return obj


def get_by_key_or_raise(session: Session, model: type[M], key: str) -> M:
    obj = session.execute(select(model).where(model.key == key)).scalar_one_or_none()  # type: ignore[attr-defined]
    if obj is None:
        raise NotFound(model.__tablename__, key)
    return obj


def key_taken(
    session: Session, model: type[Base], key: str, *, except_id: int | None = None
) -> bool:
    stmt = select(model.id).where(model.key == key)  # type: ignore[attr-defined]
    if except_id is not None:
        stmt = stmt.where(model.id != except_id)  # type: ignore[attr-defined]
    return session.execute(stmt).first() is not None


def last_change(
    executor: Session | Connection, entity: str, entity_id: int
) -> tuple[Any, list[str]]:
    """The newest journal entry of a row (``id``, ``actor``, ``at``, ``version``) and its fields."""
    entry = executor.execute(
        select(JournalEntry.id, JournalEntry.actor, JournalEntry.at, JournalEntry.version)
        .where(JournalEntry.entity == entity, JournalEntry.entity_id == entity_id)
        .order_by(JournalEntry.id.desc())
        .limit(1)
    ).first()
    if entry is None:
        return None, []
    fields = executor.execute(
        select(JournalChange.field)
        .where(JournalChange.entry_id == entry.id)
        .order_by(JournalChange.id)
    ).scalars()
    return entry, list(fields)


def _conflict(
    entity: str, key: str, expected: int, current: int, entry: Any, fields: list[str]
) -> ConflictError:
    return ConflictError(
        ConflictInfo(
            entity=entity,
            key=key,
            expected_version=expected,
            current_version=current,
            changed_by=entry.actor if entry is not None else None,
            changed_at=entry.at if entry is not None else None,
            changed_fields=fields if entry is not None else [],
        )
    )


def conflict_for(session: Session, obj: Base, expected_version: int) -> ConflictError:
    """A conflict error naming who changed the row last, when, and which fields."""
    entry, fields = last_change(session, obj.__tablename__, obj.id)  # type: ignore[attr-defined]
    return _conflict(
        obj.__tablename__,
        str(getattr(obj, "key", None) or obj.id),  # type: ignore[attr-defined]
        expected_version,
        obj.version,  # type: ignore[attr-defined]
        entry,
        fields,
    )


def ensure_version(session: Session, obj: Base, expected_version: int | None) -> None:
    """Raise a conflict if the caller's version is older than the row's."""
    if expected_version is None:
        return
    if obj.version != expected_version:  # type: ignore[attr-defined]
        raise conflict_for(session, obj, expected_version)


# ---- lost races ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldRow:
    """A versioned row a transaction writes, with the version it read (its UPDATE expects it)."""

    model: type[Base]
    id: int
    key: str | None
    version: int


_HELD = "portfolio_held_rows"


def _held_row(obj: object) -> HeldRow | None:
    state = inspect(obj)
    mapper = state.mapper
    if mapper.version_id_col is None or state.identity is None:
        return None  # unversioned, or a new row (an INSERT loses no version race)
    values = state.dict  # never loads: after a failed flush the session may not touch the database
    version = values.get(mapper.get_property_by_column(mapper.version_id_col).key)
    if not isinstance(version, int):
        return None
    key = values.get("key")
    return HeldRow(mapper.class_, state.identity[0], key if isinstance(key, str) else None, version)


@event.listens_for(Session, "after_transaction_create")
def _forget_held_rows(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info[_HELD] = {}


@event.listens_for(Session, "before_flush")
def _remember_held_rows(session: Session, _context: Any, _instances: Any) -> None:
    """Which versioned rows this transaction writes, with the version it read (the first one, if
    it writes a row twice): a failed flush or commit needs them to say what changed meanwhile."""
    held: dict[tuple[type[Base], int], HeldRow] = session.info.setdefault(_HELD, {})
    for obj in (*session.dirty, *session.deleted):
        row = _held_row(obj)
        if row is not None:
            held.setdefault((row.model, row.id), row)


def is_race(exc: BaseException) -> bool:
    """A lost race: a stale version guard, or a PostgreSQL serialization failure / deadlock."""
    if isinstance(exc, StaleDataError):
        return True
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in RACE_SQLSTATES


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def lost_race(session: Session, exc: BaseException, obj: Base | None = None) -> PortfolioError:
    """Roll the session back after ``exc`` (see :func:`is_race`) and say what happened: a
    :class:`ConflictError` naming who changed the row meanwhile, read in a fresh transaction
    (or :class:`NotFound` if the row was deleted meanwhile). ``obj``: the row the caller edits,
    named first if it is one of the rows that moved on."""
    held: dict[tuple[type[Base], int], HeldRow] = session.info.get(_HELD) or {}
    rows = list(held.values())
    mine = _held_row(obj) if obj is not None else None
    if mine is not None:
        mine = held.get((mine.model, mine.id), mine)
        rows = [mine, *(r for r in rows if r != mine)]
    engine = _engine_of(session)
    session.rollback()
    wait = not isinstance(exc, StaleDataError)  # a deadlock's winner may still be running
    error = read_conflict(engine, rows, wait=wait)
    if error is None:
        raise exc  # no versioned row was written: not a race we can name
    return error


def _key_of(row: HeldRow) -> str:
    return row.key or str(row.id)


def _current_version(conn: Connection, row: HeldRow, *, wait: bool) -> int | None:
    table = row.model.__table__
    stmt = select(table.c.version).where(table.c.id == row.id)
    if wait and conn.dialect.name == "postgresql":
        # wait (briefly) for the transaction that won the deadlock, so its change is what we name
        try:
            with conn.begin_nested():
                conn.execute(text(f"SET LOCAL lock_timeout = '{RACE_WAIT_S}s'"))
                return conn.execute(stmt.with_for_update(read=True)).scalar_one_or_none()
        except DBAPIError:
            pass  # still locked: report what is committed now
    return conn.execute(stmt).scalar_one_or_none()


def read_conflict(
    engine: Engine, rows: list[HeldRow], *, wait: bool = False
) -> PortfolioError | None:
    """What a transaction that wrote ``rows`` lost to, read on a fresh connection: the first row
    whose version moved on (or that is gone), with its last journal entry."""
    if not rows:
        return None
    with engine.execution_options(**{READ_ONLY_OPTION: True}).connect() as conn:
        try:
            chosen: HeldRow = rows[0]
            current: int | None = chosen.version
            for row in rows:
                now = _current_version(conn, row, wait=wait)
                if now != row.version:
                    chosen, current = row, now
                    break
            entity, key = chosen.model.__tablename__, _key_of(chosen)
            if current is None:
                return NotFound(entity, key)
            if current == chosen.version:  # nobody else has committed a change to these rows
                return _conflict(entity, key, chosen.version, current, None, [])
            entry, fields = last_change(conn, entity, chosen.id)
            return _conflict(entity, key, chosen.version, current, entry, fields)
        finally:
            conn.rollback()


@contextmanager
def unit_of_work(factory: sessionmaker[Session], actor: Actor | None = None) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any error. A write that loses a race,
    at a flush inside or at the commit, raises :class:`ConflictError` (the session is rolled back).

    ``with unit_of_work(factory, Actor("anna")) as session: projects.update(session, ...)``
    """
    with factory() as session:
        if actor is not None:
            set_actor(session, actor)
        try:
            with session.begin():
                yield session
                flush(session)
        except (StaleDataError, DBAPIError) as exc:
            if not is_race(exc):
                raise
            raise lost_race(session, exc) from exc


def validate(
    specs: Mapping[str, FieldSpec], data: Mapping[str, Any], *, partial: bool
) -> tuple[dict[str, Any], list[Problem]]:
    return check(specs, data, partial=partial)


def raise_if(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(problems)


def assign(obj: Base, values: Mapping[str, Any]) -> bool:
    """Set only the values that differ; True if anything changed."""
    from portfolio.journal import to_text

    changed = False
    for name, value in values.items():
        if to_text(getattr(obj, name)) != to_text(value):
            setattr(obj, name, value)
            changed = True
    return changed


def _is_unique_violation(exc: IntegrityError) -> bool:
    code = getattr(exc.orig, "sqlstate", None)  # psycopg
    return code == "23505" or "UNIQUE constraint failed" in str(exc.orig)


def flush(session: Session, obj: Base | None = None, expected_version: int | None = None) -> None:
    """Flush the session's changes, turning a lost race into a :class:`ConflictError` (see the
    module's docstring) and a key taken meanwhile into :class:`ValidationFailed`.

    ``obj`` is the row being written (named first in a conflict). ``expected_version``, the
    version the caller checked with :func:`ensure_version`, is what the transaction read and what
    a conflict reports as expected. After a conflict or a duplicate key the session has been
    rolled back: the failed unit of work is undone as a whole, never in part.
    """
    try:
        session.flush()
    except IntegrityError as exc:
        if not _is_unique_violation(exc):
            raise
        key = inspect(obj).dict.get("key") if obj is not None else None
        session.rollback()
        raise ValidationFailed([Problem("key", "duplicate_key", {"value": key or ""})]) from exc
    except (StaleDataError, DBAPIError) as exc:
        if not is_race(exc):
            raise
        raise lost_race(session, exc, obj) from exc


def free_key(session: Session, model: type[Base], prefix: str) -> str:
    """The next free key ``<prefix><n>`` (e.g. ``SC-001-M4``), past the highest one in use."""
    keys = session.execute(
        select(model.key).where(model.key.like(f"{prefix}%"))  # type: ignore[attr-defined]
    ).scalars()
    numbers = [int(k[len(prefix) :]) for k in keys if k[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


def set_archived(
    session: Session, model: type[M], id_: int, archived: bool, *, expected_version: int | None
) -> M:
    """Archive (soft delete) or restore a row; journaled as ``archive`` / ``restore``."""
    obj = get_or_raise(session, model, id_)
    ensure_version(session, obj, expected_version)
    if assign(obj, {"archived": archived}):
        flush(session, obj, expected_version)
    return obj


Rules = Callable[[dict[str, Any], int | None], list[Problem]]
"""Cross-field rules of an entity: (the merged values, the row's id or None on create)."""


def _key_problems(
    session: Session, model: type[Base], clean: Mapping[str, Any], except_id: int | None
) -> list[Problem]:
    key = clean.get("key")
    if key and key_taken(session, model, key, except_id=except_id):
        return [Problem("key", "duplicate_key", {"value": key})]
    return []


def create_row(
    session: Session,
    model: type[M],
    specs: Mapping[str, FieldSpec],
    data: Mapping[str, Any],
    rules: Rules | None = None,
) -> M:
    """Validate ``data`` completely, apply ``rules``, insert the row (journaled by the listener)."""
    clean, problems = validate(specs, data, partial=False)
    problems += _key_problems(session, model, clean, None)
    if rules is not None:
        problems += rules(clean, None)
    raise_if(problems)
    obj = model(**clean)
    session.add(obj)
    flush(session, obj)
    return obj


def update_row(
    session: Session,
    model: type[M],
    id_: int,
    specs: Mapping[str, FieldSpec],
    data: Mapping[str, Any],
    *,
    expected_version: int | None,
    rules: Rules | None = None,
) -> M:
    """Check the version, validate the given fields, apply ``rules`` to the merged state and
    write only what changed (a save that changes nothing writes nothing)."""
    obj = get_or_raise(session, model, id_)
    ensure_version(session, obj, expected_version)
    clean, problems = validate(specs, data, partial=True)
    problems += _key_problems(session, model, clean, obj.id)  # type: ignore[attr-defined]
    if rules is not None:
        merged = {name: getattr(obj, name) for name in specs} | clean
        problems += rules(merged, obj.id)  # type: ignore[attr-defined]
    raise_if(problems)
    if assign(obj, clean):
        flush(session, obj, expected_version)
    return obj
