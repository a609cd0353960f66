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

import datetime as dt
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from db.engine import READ_ONLY_OPTION
from db.models import Base, FundingApplication, JournalChange, JournalEntry
from portfolio import clock
from portfolio.errors import (
    ConflictError,
    ConflictInfo,
    NotFound,
    PortfolioError,
    Problem,
    ValidationFailed,
)
from portfolio.journal import Actor, set_actor, to_text
from portfolio.policy import Principal, set_principal
from portfolio.services.fields import FieldSpec
from portfolio.services.held_rows import HELD_ROWS, HeldRow, held_row, is_race
from portfolio.services.keys import KeySet as KeySet
from portfolio.services.keys import is_key_in, next_free_key
from portfolio.services.values import assign, fill_defaults, is_empty, raise_if, validate

M = TypeVar("M", bound=Base)

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


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def lost_race(session: Session, exc: BaseException, obj: Base | None = None) -> PortfolioError:
    """Roll the session back after ``exc`` (see :func:`is_race`) and say what happened: a
    :class:`ConflictError` naming who changed the row meanwhile, read in a fresh transaction
    (or :class:`NotFound` if the row was deleted meanwhile). ``obj``: the row the caller edits,
    named first if it is one of the rows that moved on."""
    held: dict[tuple[type[Base], int], HeldRow] = session.info.get(HELD_ROWS) or {}
    rows = list(held.values())
    mine = held_row(obj) if obj is not None else None
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
def unit_of_work(
    factory: sessionmaker[Session], who: Principal | Actor | None = None
) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any error. A write that loses a race,
    at a flush inside or at the commit, raises :class:`ConflictError` (the session is rolled back).

    ``with unit_of_work(factory, principal) as session: projects.update(session, ...)``; the
    principal is checked by every guarded service (:mod:`portfolio.policy`) and journaled. A bare
    :class:`Actor` only names the journal's author: guarded services refuse such a session.
    """
    with factory() as session:
        if isinstance(who, Principal):
            set_principal(session, who)
        elif who is not None:
            set_actor(session, who)
        try:
            with session.begin():
                yield session
                flush(session)
        except (StaleDataError, DBAPIError) as exc:
            if not is_race(exc):
                raise
            raise lost_race(session, exc) from exc


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


# ---- keys of new rows (the rule: :mod:`portfolio.services.keys`) -------------------------------


def keys_with_prefix(session: Session, model: type[Base], prefix: str) -> list[str]:
    """The stored keys of ``model`` that start with ``prefix``."""
    return list(
        session.execute(
            select(model.key).where(model.key.like(f"{prefix}%"))  # type: ignore[attr-defined]
        ).scalars()
    )


def free_key(session: Session, model: type[Base], prefix: str, *, width: int = 0) -> str:
    """The next free key ``<prefix><n>`` (e.g. ``SC-001-M4``) in the database: the one rule of
    :func:`next_free_key` over the stored keys."""
    return next_free_key(prefix, keys_with_prefix(session, model, prefix), width=width)


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


# ---- prepare and check -----------------------------------------------------------------------

RowRules = Callable[
    [Session, dict[str, Any], Mapping[str, Any] | None, Mapping[str, Any], dt.date], list[Problem]
]
"""The rules of an entity: ``(session, values, stored, changes, today)``. ``values`` is the whole
row as it would be written (the rules may fill derived fields into it); ``stored`` is the row as
stored (its ``id`` and fields) or None for a new row; ``changes`` are the fields the edit sets
(on create: all of them)."""


def _default_key_taken(
    session: Session, model: type[Base], key: str, except_id: int | None
) -> bool:
    return key_taken(session, model, key, except_id=except_id)


@dataclass(frozen=True)
class Preparation(Generic[M]):
    """The one "prepare and check" step of an entity, which its single edits (``create``,
    ``update``) and the bulk import both go through: what create() fills into empty fields, the
    key of a new row (:func:`next_free_key`), the field checks of :data:`specs`, the fields the
    rules derive (:data:`derived`) and the rules. It returns the clean values to write and the
    problems; the commands (and the import) then only write.

    The import works on plain dicts of stored rows and checks the rules of its rows later, in
    batches; it calls the halves :meth:`create_values` + :meth:`create_rules` and
    :meth:`update_values` + :meth:`update_rules` + :meth:`writes`, of which
    :meth:`prepare_create` and :meth:`prepare_update` consist.
    """

    model: type[M]
    specs: Mapping[str, FieldSpec]
    rules: RowRules
    defaults: Mapping[str, Any] = field(default_factory=dict)
    """What create() fills in when a field is left empty."""
    defaults_on_update: bool = False
    """Whether an update that empties such a field gets the default too (else: "required")."""
    key_prefix: Callable[[Session, Mapping[str, Any]], str | None] | None = None
    """The prefix of a new row's key (``SC-001-M``), from its values; None: no key to give."""
    key_width: int = 0
    derived: tuple[str, ...] = ()
    """Fields the rules derive when left empty (an application's own share from the amounts)."""
    rules_despite_field_problems: bool = True
    """Whether the rules run when a field is invalid (on the other fields' values)."""
    key_in_use: Callable[[Session, type[Base], str, int | None], bool] = _default_key_taken
    """Whether a key is stored for another row: ``(session, model, key, except_id)``."""

    # ---- create

    def with_defaults(self, data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
        """``data`` with what create() fills into the empty fields."""
        return fill_defaults(data, self.defaults, partial=partial)

    def new_key(
        self, session: Session, data: Mapping[str, Any], taken_keys: Collection[str] | None = None
    ) -> str | None:
        """The key a new row with ``data`` gets: one past the highest taken key of its prefix;
        ``taken_keys`` None: the database's keys."""
        if self.key_prefix is None:
            return None
        prefix = self.key_prefix(session, data)
        if prefix is None:
            return None
        if taken_keys is None:
            return free_key(session, self.model, prefix, width=self.key_width)
        return next_free_key(prefix, taken_keys, width=self.key_width)

    def _key_problems(
        self,
        session: Session,
        clean: Mapping[str, Any],
        taken_keys: Collection[str] | None,
        except_id: int | None,
    ) -> list[Problem]:
        key = clean.get("key")
        if not key:
            return []
        if taken_keys is not None:
            taken = is_key_in(key, taken_keys)
        else:
            taken = self.key_in_use(session, self.model, key, except_id)
        return [Problem("key", "duplicate_key", {"value": key})] if taken else []

    def _create_values(
        self, session: Session, data: Mapping[str, Any], taken_keys: Collection[str] | None
    ) -> tuple[dict[str, Any], list[Problem], list[Problem]]:
        values = self.with_defaults(data)
        if "key" in self.specs and is_empty(values.get("key")):
            key = self.new_key(session, values, taken_keys)
            if key is not None:
                values["key"] = key
        clean, problems = validate(self.specs, values, partial=False)
        return clean, problems, self._key_problems(session, clean, taken_keys, None)

    def create_values(
        self,
        session: Session,
        data: Mapping[str, Any],
        *,
        taken_keys: Collection[str] | None = None,
    ) -> tuple[dict[str, Any], list[Problem]]:
        """The first half of :meth:`prepare_create`: defaults, the key, the field checks and
        whether a stated key is free. ``taken_keys``: the keys in use (the import's: the
        database's and its new rows'; with the keys other new rows of the file state when the
        row has no key of its own); None: look them up in the database."""
        clean, problems, key_problems = self._create_values(session, data, taken_keys)
        return clean, problems + key_problems

    def create_rules(
        self, session: Session, values: dict[str, Any], *, today: dt.date | None = None
    ) -> list[Problem]:
        """The second half of :meth:`prepare_create`: the rules on the new row's ``values``
        (which get the derived fields)."""
        return self.rules(session, values, None, values, today or clock.today())

    def prepare_create(
        self,
        session: Session,
        data: Mapping[str, Any],
        *,
        taken_keys: Collection[str] | None = None,
        today: dt.date | None = None,
    ) -> tuple[dict[str, Any], list[Problem]]:
        """The values a new row is written with, and every problem (see the class)."""
        clean, problems, key_problems = self._create_values(session, data, taken_keys)
        if self.rules_despite_field_problems or not problems:
            key_problems += self.create_rules(session, clean, today=today)
        return clean, problems + key_problems

    # ---- update

    def stored(self, obj: M) -> dict[str, Any]:
        """A stored row as the prepare step reads it: its ``id`` and its fields."""
        return {"id": obj.id, **{name: getattr(obj, name) for name in self.specs}}  # type: ignore[attr-defined]

    def update_values(
        self, session: Session, stored: Mapping[str, Any], changes: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[Problem]]:
        """The first half of :meth:`prepare_update`: the changed fields checked by their specs
        (and a changed key: free)."""
        data = self.with_defaults(changes, partial=True) if self.defaults_on_update else changes
        clean, problems = validate(self.specs, data, partial=True)
        return clean, problems + self._key_problems(session, clean, None, stored["id"])

    def merged(self, stored: Mapping[str, Any], clean: Mapping[str, Any]) -> dict[str, Any]:
        """The whole row after the change."""
        return {name: stored.get(name) for name in self.specs} | dict(clean)

    def update_rules(
        self,
        session: Session,
        stored: Mapping[str, Any],
        merged: dict[str, Any],
        changes: Mapping[str, Any],
        *,
        today: dt.date | None = None,
    ) -> list[Problem]:
        """The second half of :meth:`prepare_update`: the rules on the ``merged`` row (which
        gets the derived fields)."""
        return self.rules(session, merged, stored, changes, today or clock.today())

    def writes(
        self, stored: Mapping[str, Any], merged: Mapping[str, Any], changes: Mapping[str, Any]
    ) -> dict[str, Any]:
        """What an update writes: the changed fields, then the derived ones the rules changed."""
        out = {name: merged[name] for name in changes if name in self.specs}
        for name in self.derived:
            if to_text(merged.get(name)) != to_text(stored.get(name)):
                out[name] = merged[name]
        return out

    def prepare_update(
        self,
        session: Session,
        stored: Mapping[str, Any],
        changes: Mapping[str, Any],
        *,
        today: dt.date | None = None,
    ) -> tuple[dict[str, Any], list[Problem]]:
        """The values an update of the ``stored`` row (its ``id`` and fields, see
        :meth:`stored`) with ``changes`` writes, and every problem."""
        clean, problems = self.update_values(session, stored, changes)
        merged = self.merged(stored, clean)
        if self.rules_despite_field_problems or not problems:
            problems += self.update_rules(session, stored, merged, clean, today=today)
        return self.writes(stored, merged, clean), problems

    # ---- the commands

    def create(
        self, session: Session, data: Mapping[str, Any], *, today: dt.date | None = None
    ) -> M:
        """Prepare and check ``data``, insert the row (journaled by the listener)."""
        values, problems = self.prepare_create(session, data, today=today)
        raise_if(problems)
        obj = self.model(**values)
        session.add(obj)
        flush(session, obj)
        return obj

    def update(
        self,
        session: Session,
        id_: int,
        data: Mapping[str, Any],
        *,
        expected_version: int | None,
        today: dt.date | None = None,
    ) -> M:
        """Check the version, prepare and check the change, write only what changed (a save
        that changes nothing writes nothing)."""
        obj = get_or_raise(session, self.model, id_)
        ensure_version(session, obj, expected_version)
        writes, problems = self.prepare_update(session, self.stored(obj), data, today=today)
        raise_if(problems)
        if assign(obj, writes):
            flush(session, obj, expected_version)
        return obj


# ---- entities whose rules need only the values ----------------------------------------------


def _plain(model: type[M], specs: Mapping[str, FieldSpec], rules: Rules | None) -> Preparation[M]:
    """The prepare-and-check step of an entity whose ``rules`` read only the values and the id
    (no defaults, no generated key)."""

    def row_rules(
        _session: Session,
        values: dict[str, Any],
        stored: Mapping[str, Any] | None,
        _changes: Mapping[str, Any],
        _today: dt.date,
    ) -> list[Problem]:
        if rules is None:
            return []
        return rules(values, stored["id"] if stored is not None else None)

    return Preparation(model, specs, row_rules)


def create_row(
    session: Session,
    model: type[M],
    specs: Mapping[str, FieldSpec],
    data: Mapping[str, Any],
    rules: Rules | None = None,
) -> M:
    """Validate ``data`` completely, apply ``rules``, insert the row (journaled by the listener)."""
    return _plain(model, specs, rules).create(session, data)


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
    return _plain(model, specs, rules).update(session, id_, data, expected_version=expected_version)


# ---- rows under an application (payment requests, refunds, cost items) ------------------------


def application_of(session: Session, values: Mapping[str, Any]) -> FundingApplication | None:
    """The application a row under an application belongs to (``values["application_id"]``)."""
    application_id = values.get("application_id")
    return session.get(FundingApplication, application_id) if application_id else None


def application_or_problem(
    session: Session, values: Mapping[str, Any]
) -> tuple[FundingApplication | None, list[Problem]]:
    """:func:`application_of`, and the problem of an id that names no application."""
    application = application_of(session, values)
    if application is None and values.get("application_id") is not None:
        problem = Problem(
            "application_id", "unknown_reference", {"value": values["application_id"]}
        )
        return None, [problem]
    return application, []


def key_under_application(letter: str) -> Callable[[Session, Mapping[str, Any]], str | None]:
    """The key prefix of a row under an application: the application's key, "-", ``letter``
    (``SC-001-F1-M`` for payment requests, ``-R`` refunds, ``-K`` cost items)."""

    def prefix(session: Session, data: Mapping[str, Any]) -> str | None:
        application = application_of(session, data)
        return f"{application.key}-{letter}" if application is not None else None

    return prefix
