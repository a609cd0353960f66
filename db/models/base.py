"""Declarative base with a constraint naming convention and the shared column mixins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from sqlalchemy import JSON, ColumnElement, DateTime, MetaData, Numeric, String, Table, false, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MONEY_DIGITS = (14, 2)
"""Precision and scale of every euro column: up to 999.999.999.999,99 €."""
RATE_DIGITS = (5, 2)
MEASURE_DIGITS = (18, 4)
"""KPI values (baseline, target, measurements)."""
INTEGER_MAX = 2**31 - 1
"""The range of an ``Integer`` column on PostgreSQL (and of every id)."""

Money = Annotated[Decimal, mapped_column(Numeric(*MONEY_DIGITS))]
"""Euro amounts: exact decimals with cents, never floats."""
Rate = Annotated[Decimal, mapped_column(Numeric(*RATE_DIGITS))]
"""Percentages such as a funding rate of 65.00 %."""
Code = Annotated[str, mapped_column(String(32))]


_clock: Callable[[], dt.datetime] | None = None


def use_clock(source: Callable[[], dt.datetime]) -> None:
    """Install the product's clock (``portfolio.clock.utcnow`` installs itself on import).

    The data layer depends on nothing of ours, so the one clock is handed down to it.
    """
    global _clock
    _clock = source


def utcnow() -> dt.datetime:
    """The moment a row is stamped with, from the installed clock."""
    if _clock is None:
        raise RuntimeError("no clock installed: import portfolio.clock before writing rows")
    return _clock()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {
        dt.datetime: DateTime(timezone=True),
        Decimal: Numeric(*MONEY_DIGITS),
        list[str]: JSON,
        dict[str, Any]: JSON,
    }


class Timestamped:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class Versioned(Timestamped):
    """Optimistic locking: every UPDATE checks and bumps ``version``."""

    version: Mapped[int] = mapped_column(nullable=False, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class Archivable:
    """Soft delete: archived rows stay for the journal and the reports. Queries keep to the
    rows in use with ``Model.active()``, never a hand-written ``archived`` condition."""

    archived: Mapped[bool] = mapped_column(default=False, server_default=false())

    @classmethod
    def active(cls) -> ColumnElement[bool]:
        """The rows in use (not archived): the one soft-delete condition of every query."""
        return cls.archived.is_(False)


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class, typed for Core statements (bulk paths)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
