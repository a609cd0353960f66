"""A row's values on their way in: checked by the field specs (:func:`validate`), refused with
all their problems at once (:func:`raise_if`), defaults filled into the fields left empty
(:func:`fill_defaults`), and only the values that differ set (:func:`assign`). No database here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from db.models import Base
from portfolio.errors import Problem, ValidationFailed
from portfolio.journal import to_text
from portfolio.services.fields import FieldSpec, check


def validate(
    specs: Mapping[str, FieldSpec], data: Mapping[str, Any], *, partial: bool
) -> tuple[dict[str, Any], list[Problem]]:
    return check(specs, data, partial=partial)


def raise_if(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(problems)


def assign(obj: Base, values: Mapping[str, Any]) -> bool:
    """Set only the values that differ; True if anything changed."""
    changed = False
    for name, value in values.items():
        if to_text(getattr(obj, name)) != to_text(value):
            setattr(obj, name, value)
            changed = True
    return changed


def is_empty(value: Any) -> bool:
    """A field left empty: no value, or only blank text."""
    return value is None or (isinstance(value, str) and not value.strip())


def fill_defaults(
    data: Mapping[str, Any], defaults: Mapping[str, Any], *, partial: bool = False
) -> dict[str, Any]:
    """``data`` with ``defaults`` for the fields left empty; ``partial`` (an update): only for
    the fields ``data`` sets."""
    out = dict(data)
    for name, value in defaults.items():
        if (name in out or not partial) and is_empty(out.get(name)):
            out[name] = value
    return out
