"""Field specifications: type, bounds and vocabulary of every editable field, and their checks.

The same specs drive the service validation, the dashboard's forms and the Excel exchange.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Literal
from urllib.parse import urlsplit

from db.models.base import INTEGER_MAX, MEASURE_DIGITS, MONEY_DIGITS
from portfolio import clock
from portfolio.errors import Problem
from portfolio.i18n import Both, Eur
from portfolio.vocab import labels

DATE_FORMAT = Both("TT.MM.JJJJ", "DD.MM.YYYY")
"""How a date is written, in the reader's language (the hint of a refused date)."""

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

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]")
UNSTORABLE_CHARS = re.compile(r"[\ud800-\udfff\ufffe\uffff]")
"""Lone surrogates (no UTF-8 form: the database refuses them) and non-characters."""


def _largest(digits: tuple[int, int]) -> Decimal:
    precision, scale = digits
    return Decimal(10) ** (precision - scale) - Decimal(1).scaleb(-scale)


EARLIEST_DATE = dt.date(1990, 1, 1)
YEARS_AHEAD = 15


def plausible_dates(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The span every stored date and every reporting date lies in: from 1990 to 15 years after
    today. A day outside it is a typo (1900 for 2019, 2202 for 2022)."""
    day = today or clock.today()
    try:
        last = day.replace(year=day.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        last = day.replace(year=day.year + YEARS_AHEAD, day=28)
    return EARLIEST_DATE, last


def is_plausible_date(day: dt.date, today: dt.date | None = None) -> bool:
    first, last = plausible_dates(today)
    return first <= day <= last


MONEY_MAX = _largest(MONEY_DIGITS)
"""999.999.999.999,99 €: what a money column holds, checked before the database sees it."""
MEASURE_MAX = _largest(MEASURE_DIGITS)
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


def is_invisible(value: str) -> bool:
    """Text with nothing a reader can see: only spaces and format characters (zero-width
    space and joiners, BOM, direction marks)."""
    return all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in value)


URL_FORBIDDEN = re.compile(r'[\s<>"`{}|\\^]')


def is_web_url(value: str) -> bool:
    """An absolute http(s) address with a host and no characters a URL can't hold unencoded.

    Only these are stored in URL fields, so a page can always render them as a plain link.
    """
    if URL_FORBIDDEN.search(value) or CONTROL_CHARS.search(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _number(value: Any) -> Decimal | None:
    """A finite decimal, or None for what is not one (NaN, sNaN, infinities, garbage)."""
    if isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def coerce(name: str, spec: FieldSpec, value: Any, problems: list[Problem]) -> Any:
    """Check one value of an already typed input (dashboard, services); append problems."""
    if isinstance(value, str) and spec.kind not in ("tags",):
        storable, value = _cleaned(name, value, problems)
        if not storable:
            return None
    if value is None or (isinstance(value, list) and value == []):
        if spec.required:
            problems.append(Problem(name, "required"))
        return [] if spec.kind == "tags" else None
    coercer = _COERCERS.get(spec.kind)
    if coercer is None:
        raise AssertionError(spec.kind)  # pragma: no cover
    return coercer(name, spec, value, problems)


def _cleaned(name: str, value: str, problems: list[Problem]) -> tuple[bool, str | None]:
    """Typed text, cleaned (None when it is empty); False when it cannot be stored at all."""
    if UNSTORABLE_CHARS.search(value):
        problems.append(Problem(name, "bad_chars"))
        return False, None
    value = clean_text(value)
    if value and is_invisible(value):
        problems.append(Problem(name, "invisible_only"))
        return False, None
    return True, value or None


def _text(name: str, spec: FieldSpec, value: Any, problems: list[Problem]) -> Any:
    """str, text, url, email, key."""
    kind = spec.kind
    if not isinstance(value, str):
        value = str(value)
    if UNSTORABLE_CHARS.search(value):
        problems.append(Problem(name, "bad_chars"))
        return None
    if CONTROL_CHARS.search(value) or (kind != "text" and LINE_BREAKS.search(value)):
        problems.append(Problem(name, "control_chars"))
    if spec.max_length and len(value) > spec.max_length:
        problems.append(Problem(name, "too_long", {"max": spec.max_length, "length": len(value)}))
    if kind == "url" and not is_web_url(value):
        problems.append(Problem(name, "bad_url", {"value": value}))
    if kind == "email" and not EMAIL_PATTERN.match(value):
        problems.append(Problem(name, "bad_email", {"value": value}))
    if kind == "key" and (not KEY_PATTERN.match(value) or len(value) > (spec.max_length or 32)):
        problems.append(Problem(name, "bad_key", {"value": value, "max": spec.max_length or 32}))
    return value


def _date(name: str, spec: FieldSpec, value: Any, problems: list[Problem]) -> Any:
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            problems.append(Problem(name, "not_in_list", {"value": value, "allowed": DATE_FORMAT}))
            return None
    first, last = plausible_dates()
    if not first <= day <= last:
        problems.append(Problem(name, "date_range", {"value": day, "first": first, "last": last}))
        return None
    return day


def _decimal(name: str, spec: FieldSpec, value: Any, problems: list[Problem]) -> Any:
    """money, rate, measure."""
    # An invalid value becomes None, so that rules across fields don't report it twice.
    number = _number(value)
    if number is None:
        problems.append(Problem(name, "not_a_number", {"value": str(value)[:40]}))
        return None
    if spec.kind == "money":
        return _money(name, number, problems)
    if spec.kind == "rate":
        if not Decimal(0) <= number <= Decimal(100):
            problems.append(Problem(name, "percent_range", {"value": number}))
            return None
        return number.quantize(Decimal("0.01"))
    if abs(number) > MEASURE_MAX:
        problems.append(Problem(name, "number_range", {"max": MEASURE_MAX}))
        return None
    return number


def _money(name: str, number: Decimal, problems: list[Problem]) -> Decimal | None:
    if number < 0:
        problems.append(Problem(name, "not_negative", {"value": Eur(number)}))
        return None
    # compare before rounding (a huge value can't be rounded) and after (….995 rounds up)
    if number > MONEY_MAX or (number := number.quantize(Decimal("0.01"))) > MONEY_MAX:
        problems.append(Problem(name, "money_range", {"max": Eur(MONEY_MAX)}))
        return None
    return number


def _integer(name: str, spec: FieldSpec, value: Any, problems: list[Problem]) -> Any:
    """int, ref."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        problems.append(Problem(name, "unknown_reference", {"value": value}))
        return None
    try:
        number = int(value)
    except ValueError:
        problems.append(Problem(name, "unknown_reference", {"value": value}))
        return None
    if not -INTEGER_MAX <= number <= INTEGER_MAX:
        problems.append(Problem(name, "number_range", {"max": INTEGER_MAX}))
        return None
    return number


def _enum(name: str, spec: FieldSpec, value: Any, problems: list[Problem]) -> Any:
    assert spec.enum is not None
    codes = labels(spec.enum)
    if str(value) not in codes:
        allowed = Both(", ".join(codes.values()), ", ".join(labels(spec.enum, "en").values()))
        problems.append(Problem(name, "not_in_list", {"value": value, "allowed": allowed}))
        return None
    return str(value)


def _tags(name: str, spec: FieldSpec, value: Any, problems: list[Problem]) -> Any:
    items = [clean_text(str(v)) for v in (value if isinstance(value, list | tuple) else [value])]
    items = [v for v in items if v]
    allowed = spec.allowed or ()
    for item in items:
        if allowed and item not in allowed:
            problems.append(
                Problem(name, "bad_tag", {"value": item, "allowed": ", ".join(allowed)})
            )
    # stable order, no duplicates
    return [a for a in allowed if a in items] if allowed else sorted(set(items))


_Coercer = Callable[[str, FieldSpec, Any, list[Problem]], Any]
_COERCERS: dict[str, _Coercer] = {
    **dict.fromkeys(("str", "text", "url", "email", "key"), _text),
    "date": _date,
    **dict.fromkeys(("money", "rate", "measure"), _decimal),
    **dict.fromkeys(("int", "ref"), _integer),
    "bool": lambda _name, _spec, value, _problems: bool(value),
    "enum": _enum,
    "tags": _tags,
}
"""The check of each kind of field, after an empty value has been handled."""


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
