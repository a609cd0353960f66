"""Reading the journal: the end of a reporting day as a UTC instant, the journal's text values
back in their column types, and id lists written into a statement.

A reporting date means the end of that day in Bochum (Europe/Berlin); journal times are UTC.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Integer,
    Numeric,
    Table,
    bindparam,
)

from db.models import Base
from portfolio import clock

LOCAL_TZ = clock.LOCAL_TZ


def cutoff(day: dt.date) -> dt.datetime:
    """The end of ``day`` in Bochum as a UTC instant: journal entries before it belong to the day."""
    local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TZ)
    return local.astimezone(dt.UTC)


def local_date(value: dt.datetime) -> dt.date:
    """The Bochum calendar day of a journal time."""
    return clock.to_local(value).date()


def table_of(model: type[Base]) -> Table:
    """The table a model is mapped to."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


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


def ids_in(column: Any, ids: Iterable[int | None]) -> ColumnElement[bool]:
    """``column IN (ids)`` with the ids written into the statement: at 100,000 projects a set of
    ids outgrows the bound parameters a statement may carry (65,535 on PostgreSQL)."""
    values = sorted({int(i) for i in ids if i is not None})  # NULL matches nothing in IN
    return column.in_(bindparam("ids", values, expanding=True, literal_execute=True, unique=True))
