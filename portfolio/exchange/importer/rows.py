"""A sheet while its rows are planned: the file's columns, the stored rows by key, the keys new
rows may not take; and one row with the errors found at its cells so far."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import InitVar, dataclass, field
from itertools import chain
from typing import Any

from portfolio.errors import Problem
from portfolio.exchange import parse
from portfolio.exchange.importer.cells import parser, shown
from portfolio.exchange.importer.context import ImportContext
from portfolio.exchange.importer.result import FieldDiff, Issue, SheetCounts
from portfolio.exchange.reader import RawSheet
from portfolio.exchange.schema import Column, Sheet
from portfolio.exchange.state import Refs
from portfolio.journal import to_text
from portfolio.services.base import KeySet
from portfolio.vocab import field_label


def differs(value: Any, old: Any) -> bool:
    """Whether a cell's value differs from the stored one (also as the journal writes them)."""
    return value != old and to_text(value) != to_text(old)


def changed_fields(values: Mapping[str, Any], existing: Mapping[str, Any]) -> dict[str, Any]:
    """The values that differ from the stored row's."""
    return {f: v for f, v in values.items() if differs(v, existing.get(f))}


@dataclass
class SheetKeys:
    """The keys of one sheet the import must not hand out: ``taken`` (the database's and those
    of the file's new rows accepted so far) and, for a new row without a key, also the keys
    the sheet's other new rows state for themselves (``reserved``, found when first needed)."""

    taken: KeySet
    reserved: Callable[[], set[str]]
    _for_new: KeySet | None = None

    def for_new(self) -> KeySet:
        if self._for_new is None:
            self._for_new = self.taken.union(self.reserved())
        return self._for_new

    def add(self, key: str) -> None:
        self.taken.add(key)
        if self._for_new is not None:
            self._for_new.add(key)


@dataclass
class SheetPlan:
    """One sheet of the file as its rows are planned."""

    raw: RawSheet
    lang: str
    counts: SheetCounts
    mapping: dict[int, Column]  # column index -> column, as the header row names them
    key_index: int
    version_index: int | None
    state: list[dict[str, Any]]  # the stored rows in the import's scope
    formula_rows: set[int]  # refused cell by cell already
    in_use: InitVar[Iterable[str]]  # the sheet's keys outside the loaded scope too
    refs: InitVar[Refs]
    cols_by_field: dict[str, int] = field(init=False)  # the editable columns
    present: list[str] = field(init=False)  # the editable columns with a field spec
    parsers: dict[str, Callable[[Any], Any]] = field(init=False)  # of the present fields
    column_of: dict[str, Column] = field(init=False)
    by_key: dict[str, dict[str, Any]] = field(init=False)  # casefolded key -> stored row
    keys: SheetKeys = field(init=False)
    seen_rows: dict[str, int] = field(default_factory=dict)  # casefolded key -> its first row
    declared: dict[str, int] = field(default_factory=dict)  # keys new rows state -> row
    # stored rows of a sheet with id keys by what identifies them otherwise (found when needed)
    natural: dict[tuple[Any, ...], dict[str, Any]] | None = None

    def __post_init__(self, in_use: Iterable[str], refs: Refs) -> None:
        self.cols_by_field = {c.field: i for i, c in self.mapping.items() if c.editable}
        self.present = [f for f in self.cols_by_field if f in self.sheet.specs]
        self.parsers = {f: parser(self.mapping[self.cols_by_field[f]], refs) for f in self.present}
        self.column_of = {c.field: c for c in self.mapping.values()}
        self.by_key = {r["_key"].casefold(): r for r in self.state}
        self.keys = SheetKeys(KeySet(chain(self.by_key, in_use)), self._stated_keys)

    def _stated_keys(self) -> set[str]:
        """The keys new rows of this sheet state (found on the first keyless new row only)."""
        found: set[str] = set()
        for cells in self.raw.rows[1:]:
            k = parse.parse_key(cells[self.key_index]) if self.key_index < len(cells) else None
            if k and k.casefold() not in self.by_key:
                found.add(k.casefold())
        return found

    @property
    def sheet(self) -> Sheet:
        return self.raw.sheet

    @property
    def title(self) -> str:
        return self.raw.title

    def diff(
        self,
        ctx: ImportContext,
        row: int,
        key: str,
        action: str,
        values: Mapping[str, Any],
        old: Mapping[str, Any] | None,
    ) -> None:
        """The changes a planned row makes, field by field, for the preview (``old`` None: a
        new row)."""
        lang = self.lang
        for f, v in values.items():
            column = self.column_of.get(f)
            header = column.header(lang) if column else field_label(f, lang)
            before = shown(column, old.get(f), lang, ctx.refs) if old is not None else "–"
            after = shown(column, v, lang, ctx.refs)
            ctx.result.diffs.append(
                FieldDiff(self.title, row, key, action, f, header, before, after)
            )


@dataclass
class Row:
    """One row of a sheet and the errors found at its cells."""

    plan: SheetPlan
    excel_row: int
    errors: list[Issue] = field(default_factory=list)

    def err(self, message: str, col: int | None = None, *, key: str | None = None) -> None:
        mapping = self.plan.mapping
        header = mapping[col].header(self.plan.lang) if col is not None and col in mapping else None
        self.errors.append(Issue(self.plan.title, self.excel_row, header, message, col, key))

    def refuse(self, problems: Iterable[Problem], *, key: str | None, at: int | None) -> None:
        """The services' problems, each at its field's column (else at column ``at``)."""
        for p in problems:
            self.err(p.message(self.plan.lang), self.plan.cols_by_field.get(p.field, at), key=key)

    def flush(self, ctx: ImportContext) -> None:
        """The row is invalid: its errors go to the result."""
        self.plan.counts.invalid += 1
        ctx.result.errors.extend(self.errors)
        self.errors.clear()
