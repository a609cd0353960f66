"""Cell parsers: what a partner's spreadsheet may hold, turned into typed values.

Each parser takes the raw cell value as the reader returns it (str, float, int, bool, date,
datetime, or "" for an empty cell) and returns the typed value or raises :class:`CellError`
with a message code. Nothing is guessed silently: an ambiguous or malformed value is an error.

Numbers: German first (``1.234,56``, ``1.234,56 €``, ``65 %``), English accepted when it is
unambiguous (``1,234.56``). A single separator followed by exactly three digits is a German
thousands separator when it is a dot (``1.234`` = 1234) and a decimal comma when it is a comma
(``1,234`` = 1.234), as a German user means them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from portfolio.vocab import parse_code

EXCEL_EPOCH = dt.date(1899, 12, 30)
MAX_EXCEL_SERIAL = 2958465  # 31.12.9999
#: A number with more digits before the decimal point is refused as too large: no amount,
#: rate or measurement of the portfolio comes near it (amounts end at 999,999,999,999.99), and
#: formatting such a number in a message (a cell holding 1e308) must not fail.
MAX_INTEGER_DIGITS = 15
_CURRENCY = re.compile(r"(?i)(€|eur(o)?)")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_DE_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")


class CellError(ValueError):
    def __init__(self, code: str, value: Any) -> None:
        super().__init__(code)
        self.code = code
        self.value = value


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def display(value: Any) -> str:
    """How a raw cell is quoted back in a message."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, float):
        return repr(value).upper() if "e" in repr(value) else str(value)  # 1E+308, as Excel
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def parse_text(value: Any) -> str | None:
    """Text exactly as written (NFC), numbers as they look (no ``.0``), dates as dd.mm.yyyy."""
    if is_blank(value):
        return None
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, bool):
        return "ja" if value else "nein"
    return display(value)


def _grouped(text: str, sep: str) -> bool:
    parts = text.split(sep)
    return (
        1 <= len(parts[0]) <= 3
        and parts[0].isdigit()
        and all(len(p) == 3 and p.isdigit() for p in parts[1:])
    )


def _number_text(text: str) -> Decimal:
    raw = text
    text = _CURRENCY.sub("", text)
    text = _SPACES.sub("", text)
    negative = False
    if text.startswith(("-", "−")):
        negative, text = True, text[1:]
    elif text.startswith("+"):
        text = text[1:]
    if text.endswith("-"):
        negative, text = True, text[:-1]
    if not text or not re.fullmatch(r"[\d.,]+", text) or not re.search(r"\d", text):
        raise CellError("bad_number", raw)
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        whole, _, frac = text.rpartition(decimal_sep)
        if text.count(decimal_sep) != 1 or not _grouped(whole, group_sep) or not frac.isdigit():
            raise CellError("bad_number", raw)
        digits = whole.replace(group_sep, "") + "." + frac
    elif commas:
        if commas == 1:
            whole, _, frac = text.partition(",")
            if not whole:
                whole = "0"
            if not (whole.isdigit() and frac.isdigit()):
                raise CellError("bad_number", raw)
            digits = whole + "." + frac
        elif _grouped(text, ","):
            digits = text.replace(",", "")
        else:
            raise CellError("bad_number", raw)
    elif dots:
        if dots > 1:
            if not _grouped(text, "."):
                raise CellError("bad_number", raw)
            digits = text.replace(".", "")
        else:
            whole, _, frac = text.partition(".")
            if len(frac) == 3 and whole and whole != "0" and _grouped(text, "."):
                digits = whole + frac  # German thousands: 1.234
            else:
                digits = (whole or "0") + "." + frac
                if not frac.isdigit() or not (whole or "0").isdigit():
                    raise CellError("bad_number", raw)
    else:
        digits = text
    try:
        number = Decimal(digits)
    except InvalidOperation:
        raise CellError("bad_number", raw) from None
    return -number if negative else number


def parse_number(value: Any) -> Decimal | None:
    """A Decimal from a number cell or a German/English number text (with € or %)."""
    number = _parse_number(value)
    if number is not None and number.is_finite() and number.adjusted() >= MAX_INTEGER_DIGITS:
        raise CellError("number_too_large", display(value) if not isinstance(value, str) else value)
    return number


def _parse_number(value: Any) -> Decimal | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError("bad_number", value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError("bad_number", value)
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, dt.date):
        raise CellError("bad_number", display(value))
    text = str(value).strip().rstrip("%").strip()
    return _number_text(text)


def parse_rate(value: Any) -> Decimal | None:
    """A funding rate in percent points. A number cell up to 1 is a fraction (Excel's 65 %)."""
    if is_blank(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = parse_number(value)
        assert number is not None
        return number * 100 if 0 <= number <= 1 else number
    return parse_number(value)


def parse_int(value: Any) -> int | None:
    number = parse_number(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError("bad_number", value)
    return int(number)


def parse_date(value: Any) -> dt.date | None:
    """A date from a date cell, an Excel serial number, ``31.12.2026`` or ``2026-12-31``."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0, 0):
            raise CellError("date_with_time", display(value))
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError("bad_date", value)
    if isinstance(value, int | float):
        if not (
            math.isfinite(value) and float(value).is_integer() and 1 <= value <= MAX_EXCEL_SERIAL
        ):
            raise CellError("bad_date", display(value))
        serial = int(value)
        if serial < 61:  # Excel's phantom 29.02.1900
            serial += 1
        return EXCEL_EPOCH + dt.timedelta(days=serial)
    text = str(value).strip()
    match = _DE_DATE.match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        match = _ISO_DATE.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    except ValueError:
        raise CellError("bad_date", text) from None
    raise CellError("bad_date", text)


TRUE_WORDS = {"ja", "j", "yes", "y", "wahr", "true", "x", "1", "✓"}
FALSE_WORDS = {"nein", "n", "no", "falsch", "false", "0", "-", "–"}


def parse_bool(value: Any) -> bool | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = str(value).strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("bad_bool", display(value))


def parse_enum(enum: type[StrEnum], value: Any) -> str | None:
    """A stored code from its code or German/English label, case-insensitive."""
    text = parse_text(value)
    if text is None:
        return None
    code = parse_code(enum, text)
    if code is None:
        raise CellError("bad_enum", text)
    return code


def parse_tags(value: Any) -> list[str]:
    """A list from ``L1, L3`` or ``3; 11`` (numbers from a number cell count as one tag)."""
    text = parse_text(value)
    if text is None:
        return []
    return [p.strip() for p in re.split(r"[,;\n]", text) if p.strip()]


def parse_key(value: Any) -> str | None:
    text = parse_text(value)
    return text.strip() if text is not None else None
