"""SQL helpers that work alike on SQLite and PostgreSQL, and the cents the rules read back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeAlias

from sqlalchemy import ColumnElement, Select, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

Rows: TypeAlias = Select[*tuple[Any, ...]]
"""A SELECT of any number of columns."""


def money(value: Any) -> Decimal:
    """A sum read back from the database, in cents (none counts as zero)."""
    return Decimal(str(value) if value is not None else 0).quantize(CENT)


class _greatest(FunctionElement[Any]):
    """The larger of two values: ``greatest`` on PostgreSQL, the two-argument ``max`` on SQLite
    (both arguments must be non-null there)."""

    inherit_cache = True
    name = "greatest"


class _least(FunctionElement[Any]):
    """The smaller of two values (see :class:`_greatest`)."""

    inherit_cache = True
    name = "least"


@compiles(_greatest)
def _greatest_default(element: Any, compiler: Any, **kw: Any) -> str:
    return f"greatest({compiler.process(element.clauses, **kw)})"


@compiles(_greatest, "sqlite")
def _greatest_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(_least)
def _least_default(element: Any, compiler: Any, **kw: Any) -> str:
    return f"least({compiler.process(element.clauses, **kw)})"


@compiles(_least, "sqlite")
def _least_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


def lesser(a: Any, b: Any) -> Any:
    """The smaller of ``a`` and ``b`` (both non-null)."""
    return _least(a, b)


def positive(a: Any) -> Any:
    """``a`` where above zero, else 0."""
    return _greatest(a, 0)


def exceeds(a: Any, b: Any) -> ColumnElement[bool]:
    """``a > b`` by at least a cent (never by float noise)."""
    return func.round(a - b, 2) > 0
