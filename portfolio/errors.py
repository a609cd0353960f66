"""The errors services raise. Each carries what a user needs to fix the input, in both languages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from portfolio.i18n import DEFAULT_LANG, fmt_stamp, t
from portfolio.vocab import entity_label, field_label


@dataclass(frozen=True)
class Problem:
    """One invalid field: which field, which rule, with which values."""

    field: str
    code: str
    params: dict[str, Any] = dc_field(default_factory=dict)
    entity: str | None = None

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return t(self.code, lang, field=field_label(self.field, lang), **self.params)


class PortfolioError(Exception):
    """Base of every error a user may see; ``message(lang)`` says what happened and what to do."""

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return str(self)


class ValidationFailed(PortfolioError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message() for p in problems))

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return "\n".join(p.message(lang) for p in self.problems)

    def by_field(self, lang: str = DEFAULT_LANG) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for p in self.problems:
            out.setdefault(p.field, []).append(p.message(lang))
        return out


class NotFound(PortfolioError):
    def __init__(self, entity: str, key: object) -> None:
        self.entity, self.key = entity, key
        super().__init__(self.message())

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return t("not_found", lang, entity=entity_label(self.entity, lang), key=str(self.key))


@dataclass
class ConflictInfo:
    entity: str
    key: str
    expected_version: int
    current_version: int
    changed_by: str | None = None
    changed_at: dt.datetime | None = None
    changed_fields: list[str] = dc_field(default_factory=list)


class ConflictError(PortfolioError):
    """A stale edit: the row changed since the user loaded it. Never overwritten silently."""

    def __init__(self, info: ConflictInfo) -> None:
        self.info = info
        super().__init__(self.message())

    def message(self, lang: str = DEFAULT_LANG) -> str:
        i = self.info
        params: dict[str, Any] = {
            "entity": entity_label(i.entity, lang),
            "key": i.key,
            "expected": str(i.expected_version),
            "current": str(i.current_version),
        }
        if i.changed_by and i.changed_at:
            stamp = fmt_stamp(i.changed_at, lang)
            return t("conflict", lang, actor=i.changed_by, at=stamp, **params)
        return t("conflict_unknown", lang, **params)
