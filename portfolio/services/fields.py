"""Field specifications: type, bounds and vocabulary of every editable field, and their checks.

The same specs drive the service validation, the dashboard's forms and the Excel exchange.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Literal

from portfolio.errors import Problem
from portfolio.i18n import Eur
from portfolio.vocab import labels

Kind = Literal[
    "str",
    "text",
    "date",
    "money",
    "rate",
    "int",
    "bool",
    "enum",
    "tags",
    "url",
    "email",
    "ref",
    "measure",
    "key",
]

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class FieldSpec:
    kind: Kind
    required: bool = False
    max_length: int | None = None
    enum: type[StrEnum] | None = None
    allowed: tuple[str, ...] | None = None  # for tags


def clean_text(value: str) -> str:
    """NFC-normalised, trimmed text."""
    return unicodedata.normalize("NFC", value).strip()


def coerce(name: str, spec: FieldSpec, value: Any, problems: list[Problem]) -> Any:
    """Check one value of an already typed input (dashboard, services); append problems."""
    if isinstance(value, str) and spec.kind not in ("tags",):
        value = clean_text(value)
        if value == "":
            value = None
    if value is None or value == []:
        if spec.required:
            problems.append(Problem(name, "required"))
        return [] if spec.kind == "tags" else None
    kind = spec.kind
    if kind in ("str", "text", "url", "email", "key"):
        if not isinstance(value, str):
            value = str(value)
        if CONTROL_CHARS.search(value):
            problems.append(Problem(name, "control_chars"))
        if spec.max_length and len(value) > spec.max_length:
            problems.append(
                Problem(name, "too_long", {"max": spec.max_length, "length": len(value)})
            )
        if kind == "url" and not re.match(r"^https?://\S+$", value):
            problems.append(Problem(name, "bad_url", {"value": value}))
        if kind == "email" and not EMAIL_PATTERN.match(value):
            problems.append(Problem(name, "bad_email", {"value": value}))
        if kind == "key" and (not KEY_PATTERN.match(value) or len(value) > (spec.max_length or 32)):
            problems.append(
                Problem(name, "bad_key", {"value": value, "max": spec.max_length or 32})
            )
        return value
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            problems.append(Problem(name, "not_in_list", {"value": value, "allowed": "TT.MM.JJJJ"}))
            return None
    if kind in ("money", "rate", "measure"):
        try:
            number = value if isinstance(value, Decimal) else Decimal(str(value))
        except InvalidOperation:
            problems.append(Problem(name, "not_negative", {"value": value}))
            return None
        if not number.is_finite():
            problems.append(Problem(name, "not_negative", {"value": value}))
            return None
        # An invalid value becomes None, so that rules across fields don't report it twice.
        if kind == "money":
            number = number.quantize(Decimal("0.01"))
            if number < 0:
                problems.append(Problem(name, "not_negative", {"value": Eur(number)}))
                return None
        if kind == "rate":
            number = number.quantize(Decimal("0.01"))
            if not Decimal(0) <= number <= Decimal(100):
                problems.append(Problem(name, "percent_range", {"value": number}))
                return None
        return number
    if kind in ("int", "ref"):
        if isinstance(value, bool) or not isinstance(value, int | str):
            problems.append(Problem(name, "unknown_reference", {"value": value}))
            return None
        try:
            return int(value)
        except ValueError:
            problems.append(Problem(name, "unknown_reference", {"value": value}))
            return None
    if kind == "bool":
        return bool(value)
    if kind == "enum":
        assert spec.enum is not None
        codes = labels(spec.enum)
        if str(value) not in codes:
            problems.append(
                Problem(name, "not_in_list", {"value": value, "allowed": ", ".join(codes.values())})
            )
            return None
        return str(value)
    if kind == "tags":
        items = [
            clean_text(str(v)) for v in (value if isinstance(value, list | tuple) else [value])
        ]
        items = [v for v in items if v]
        allowed = spec.allowed or ()
        for item in items:
            if allowed and item not in allowed:
                problems.append(
                    Problem(name, "bad_tag", {"value": item, "allowed": ", ".join(allowed)})
                )
        # stable order, no duplicates
        ordered = [a for a in allowed if a in items] if allowed else sorted(set(items))
        return ordered
    raise AssertionError(kind)  # pragma: no cover


def check(
    specs: Mapping[str, FieldSpec], data: Mapping[str, Any], *, partial: bool
) -> tuple[dict[str, Any], list[Problem]]:
    """Coerce ``data`` by ``specs``. ``partial``: only the given fields (an update)."""
    problems: list[Problem] = []
    clean: dict[str, Any] = {}
    for name in data:
        if name not in specs:
            raise TypeError(f"unknown field {name!r}")
    for name, spec in specs.items():
        if name in data:
            clean[name] = coerce(name, spec, data[name], problems)
        elif not partial:
            if spec.required:
                problems.append(Problem(name, "required"))
            clean[name] = [] if spec.kind == "tags" else None
    return clean, problems
