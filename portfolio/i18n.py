"""Languages and formats: German first, English on request.

``t(key, lang, **params)`` looks a message up in the catalogue (:mod:`portfolio.i18n_de`, :mod:`portfolio.i18n_en`);
amounts, dates and percentages in ``params`` are formatted for the language with Babel
(1.234,56 €, 31.12.2026). ``pick`` chooses between a German and an English name or label.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.numbers import (
    format_compact_currency,
    format_currency,
    format_decimal,
    format_percent,
)

from portfolio import i18n_de, i18n_en
from portfolio.clock import to_local

MESSAGES: dict[str, dict[str, str]] = {"de": i18n_de.MESSAGES, "en": i18n_en.MESSAGES}
"""One catalogue per language (:mod:`portfolio.i18n_de`, :mod:`portfolio.i18n_en`)."""

Lang = Literal["de", "en"]
LANGUAGES: tuple[Lang, ...] = ("de", "en")
DEFAULT_LANG: Lang = "de"
_LOCALES = {"de": "de_DE", "en": "en_GB"}


def locale_of(lang: str) -> str:
    return _LOCALES.get(lang, _LOCALES[DEFAULT_LANG])


def fmt_eur(
    value: Decimal | int | float | None, lang: str = DEFAULT_LANG, *, cents: bool = True
) -> str:
    if value is None:
        return "–"
    fmt = None if cents else "#,##0\u00a0¤"
    if lang == "en" and not cents:
        fmt = "¤#,##0"
    return format_currency(value, "EUR", format=fmt, locale=locale_of(lang), currency_digits=cents)


def fmt_eur_short(value: Decimal | int | float | None, lang: str = DEFAULT_LANG) -> str:
    """A euro amount for narrow tiles: "32,2 Mio. €" from a million on, else whole euros."""
    if value is None or abs(Decimal(str(value))) < 1_000_000:
        return fmt_eur(value, lang, cents=False)
    return format_compact_currency(value, "EUR", locale=locale_of(lang), fraction_digits=1)


def fmt_number(
    value: Decimal | int | float | None, lang: str = DEFAULT_LANG, digits: int = 2
) -> str:
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=locale_of(lang))


def fmt_int(value: int | None, lang: str = DEFAULT_LANG) -> str:
    return "–" if value is None else format_decimal(value, format="#,##0", locale=locale_of(lang))


def fmt_percent(value: Decimal | float | None, lang: str = DEFAULT_LANG) -> str:
    """``value`` in percent points: 65 → "65 %"."""
    if value is None:
        return "–"
    return format_percent(
        Decimal(str(value)) / 100, format="#,##0.##\u00a0%", locale=locale_of(lang)
    )


def fmt_date(value: dt.date | None, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return "–"
    if isinstance(value, dt.datetime):
        value = value.date()
    return _babel_date(
        value, format="dd.MM.yyyy" if lang == "de" else "dd/MM/yyyy", locale=locale_of(lang)
    )


def pick(de: str | None, en: str | None, lang: str) -> str:
    """The English name where there is one and English is asked for, else the German one."""
    if lang == "en" and en:
        return en
    return de or en or ""


class Eur(Decimal):
    """A Decimal that messages show as a euro amount."""


class Pct(Decimal):
    """A Decimal that messages show as a percentage (65 → 65 %)."""


class Both(NamedTuple):
    """A word in both languages (a label), picked when the message is formatted."""

    de: str
    en: str


def fmt_value(value: Any, lang: str = DEFAULT_LANG) -> str:
    if isinstance(value, Both):
        return value.en if lang == "en" else value.de
    if isinstance(value, Eur):
        return fmt_eur(value, lang)
    if isinstance(value, Pct):
        return fmt_percent(value, lang)
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    if isinstance(value, dt.date):
        return fmt_date(value, lang)
    if isinstance(value, Decimal):
        return fmt_number(value, lang)
    if isinstance(value, int):
        return fmt_int(value, lang)
    if value is None:
        return "–"
    return str(value)


def t(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The message ``key`` in ``lang`` with ``params`` formatted for that language."""
    catalogue = MESSAGES.get(lang, MESSAGES[DEFAULT_LANG])
    template = catalogue.get(key) or MESSAGES[DEFAULT_LANG].get(key) or key
    formatted = {name: fmt_value(value, lang) for name, value in params.items()}
    return pluralise(template, lang, params).format(**formatted)


_PLURAL = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")
_GROUPING = re.compile(r"[.,\s\u00a0\u202f']")


def _count(value: Any) -> int | None:
    """A count from an int or a number already formatted for reading ("1.234")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    digits = _GROUPING.sub("", str(value))
    return int(digits) if digits.isdigit() else None


def pluralise(template: str, lang: str, params: Mapping[str, Any]) -> str:
    """Resolve the plural choices of a text by the language's plural rules (Babel/CLDR):
    ``"{count} {count|Projekt|Projekte}"`` with ``count=1`` reads "1 Projekt", with 3
    "3 Projekte". Used by every text catalogue (UI, messages, exchange, reports) before
    ``str.format``; a template without a choice is returned as it is."""
    if "|" not in template:
        return template

    def choose(match: re.Match[str]) -> str:
        n = _count(params.get(match.group(1)))
        form = Locale.parse(locale_of(lang)).plural_form(n) if n is not None else "other"
        return match.group(2) if form == "one" else match.group(3)

    return _PLURAL.sub(choose, template)


def fmt_stamp(value: dt.datetime | None, lang: str = DEFAULT_LANG) -> str:
    """A stored timestamp as a user reads it: the local (Bochum) date and time, 26.11.2026 14:05."""
    if value is None:
        return "–"
    local = to_local(value)
    return f"{fmt_date(local.date(), lang)} {local:%H:%M}"
