"""What an import reports: its counts per sheet, the errors and conflicts at the cells of the
file, the changes it makes field by field, and the resolutions a conflict takes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, overload

from portfolio.vocab import entity_label

KEEP_FILE = "file"
"""A conflict's resolution: the file's value wins (the user's "keep mine")."""
KEEP_CURRENT = "current"
"""A conflict's resolution: the portfolio's current value stays ("take theirs")."""


def cell_name(col_index: int | None, row: int | None) -> str | None:
    if col_index is None or row is None:
        return None
    letters, n = "", col_index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


@dataclass
class Issue:
    """An error (or a conflict) at a sheet, row and column of the uploaded file."""

    sheet: str
    row: int | None
    column: str | None
    message: str
    col_index: int | None = None
    key: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "cell": cell_name(self.col_index, self.row),
            "key": self.key,
            "message": self.message,
        }


@dataclass
class Conflict(Issue):
    file_value: str = ""
    current_value: str = ""
    changed_by: str | None = None
    changed_at: dt.datetime | None = None
    entity: str = ""  # with ``key`` and ``field``: what a resolution names
    field: str = ""

    @property
    def decision_key(self) -> tuple[str, str, str]:
        """The key of this conflict in ``import_workbook(resolutions=…)``."""
        return (self.entity, self.key or "", self.field)

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        out.update(
            file_value=self.file_value,
            current_value=self.current_value,
            changed_by=self.changed_by,
            changed_at=self.changed_at.isoformat() if self.changed_at else None,
        )
        return out


@dataclass
class FieldDiff:
    sheet: str
    row: int
    key: str
    action: str  # create, update
    field: str
    column: str
    old: str
    new: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class SheetCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    conflicting: int = 0
    invalid: int = 0

    def to_json(self) -> dict[str, int]:
        return dict(self.__dict__)


class _Total:
    """A count of :class:`SheetCounts` summed over the sheets, read as ``result.created``."""

    def __init__(self, count: str) -> None:
        self.count = count

    @overload
    def __get__(self, result: None, owner: type[ImportResult]) -> _Total: ...

    @overload
    def __get__(self, result: ImportResult, owner: type[ImportResult]) -> int: ...

    def __get__(self, result: ImportResult | None, owner: type[ImportResult]) -> _Total | int:
        if result is None:
            return self
        return sum(getattr(c, self.count) for c in result.counts.values())


@dataclass
class ImportResult:
    file_name: str
    sha256: str
    scope: str
    dry_run: bool
    applied: bool = False
    import_id: int | None = None
    counts: dict[str, SheetCounts] = field(default_factory=dict)
    sheet_titles: dict[str, str] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    diffs: list[FieldDiff] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    created = _Total("new")
    updated = _Total("changed")
    unchanged = _Total("unchanged")
    invalid = _Total("invalid")

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflicts

    def to_json(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "conflicts": [c.to_json() for c in self.conflicts],
            "errors": [e.to_json() for e in self.errors],
            "applied": self.applied,
            "dry_run": self.dry_run,
            "invalid": self.invalid,
            "file": self.file_name,
            "sha256": self.sha256,
            "scope": self.scope,
            "import_id": self.import_id,
            "counts": {k: v.to_json() for k, v in self.counts.items()},
            "changes": [d.to_json() for d in self.diffs],
            "notices": self.notices,
        }


def entity_title(entity: str, lang: str) -> str:
    return entity_label(entity, lang)
