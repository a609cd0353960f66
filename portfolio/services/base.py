"""What every service module shares: lookups, version checks, applying validated changes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db.models import Base, JournalChange, JournalEntry
from portfolio.errors import ConflictError, ConflictInfo, NotFound, Problem, ValidationFailed
from portfolio.services.fields import FieldSpec, check

M = TypeVar("M", bound=Base)


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


def conflict_for(session: Session, obj: Base, expected_version: int) -> ConflictError:
    """A conflict error naming who changed the row last, when, and which fields."""
    table = obj.__tablename__
    entry = session.execute(
        select(JournalEntry)
        .where(JournalEntry.entity == table, JournalEntry.entity_id == obj.id)  # type: ignore[attr-defined]
        .order_by(JournalEntry.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    fields: list[str] = []
    if entry is not None:
        fields = list(
            session.execute(
                select(JournalChange.field).where(JournalChange.entry_id == entry.id)
            ).scalars()
        )
    return ConflictError(
        ConflictInfo(
            entity=table,
            key=str(getattr(obj, "key", None) or obj.id),  # type: ignore[attr-defined]
            expected_version=expected_version,
            current_version=obj.version,  # type: ignore[attr-defined]
            changed_by=entry.actor if entry else None,
            changed_at=entry.at if entry else None,
            changed_fields=fields,
        )
    )


def ensure_version(session: Session, obj: Base, expected_version: int | None) -> None:
    """Raise a conflict if the caller's version is older than the row's."""
    if expected_version is None:
        return
    if obj.version != expected_version:  # type: ignore[attr-defined]
        raise conflict_for(session, obj, expected_version)


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


def flush(session: Session, obj: Base, expected_version: int | None = None) -> None:
    """Flush inside a savepoint, turning a concurrent commit into a :class:`ConflictError`.

    The savepoint keeps the caller's transaction usable: a failed change is undone alone, and
    the caller decides whether to roll back the whole unit of work.
    """
    try:
        with session.begin_nested():
            session.flush()
    except StaleDataError:
        session.refresh(obj)
        raise conflict_for(session, obj, expected_version or 0) from None
    except IntegrityError as exc:
        if not _is_unique_violation(exc):
            raise
        if obj in session:
            if inspect(obj).persistent:
                session.refresh(obj)  # drop the refused change, keep the row
            else:
                session.expunge(obj)
        raise ValidationFailed(
            [Problem("key", "duplicate_key", {"value": getattr(obj, "key", "")})]
        ) from exc


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
