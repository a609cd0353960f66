"""The versioned rows a transaction writes, each with the version it read (its UPDATE expects
it), remembered at every flush; and whether an error is a lost race. A failed flush or commit
needs both to say what changed meanwhile (:func:`portfolio.services.base.lost_race`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.exc import StaleDataError

from db.models import Base

RACE_SQLSTATES = frozenset({"40001", "40P01"})
"""PostgreSQL's serialization_failure and deadlock_detected: the transaction lost a race."""
HELD_ROWS = "portfolio_held_rows"
"""The key in ``session.info`` of the rows the session's transaction writes."""


@dataclass(frozen=True)
class HeldRow:
    """A versioned row a transaction writes, with the version it read (its UPDATE expects it)."""

    model: type[Base]
    id: int
    key: str | None
    version: int


def held_row(obj: object) -> HeldRow | None:
    """``obj`` as a held row, read from its loaded state only; None for an unversioned or a new
    row."""
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
        session.info[HELD_ROWS] = {}


@event.listens_for(Session, "before_flush")
def _remember_held_rows(session: Session, _context: Any, _instances: Any) -> None:
    """Which versioned rows this transaction writes, with the version it read (the first one, if
    it writes a row twice): a failed flush or commit needs them to say what changed meanwhile."""
    held: dict[tuple[type[Base], int], HeldRow] = session.info.setdefault(HELD_ROWS, {})
    for obj in (*session.dirty, *session.deleted):
        row = held_row(obj)
        if row is not None:
            held.setdefault((row.model, row.id), row)


def is_race(exc: BaseException) -> bool:
    """A lost race: a stale version guard, or a PostgreSQL serialization failure / deadlock."""
    if isinstance(exc, StaleDataError):
        return True
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in RACE_SQLSTATES
