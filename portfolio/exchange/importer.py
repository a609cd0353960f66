"""The import: validate every cell, compare by key and version, preview, apply all or nothing.

Pipeline: :func:`safety.prescan` → :func:`reader.read_workbook` → in ONE database transaction:
load the current state (one query per sheet) → parse and check each row (types, partner scope,
versions and conflicts, and the services' prepare-and-check step — defaults, keys of new rows,
field specs, derived fields, business and funding rules — on new and changed rows only, the
same step the dashboard's single edits take) → write the valid changes with Core executemany
under a version guard and journal them with :func:`portfolio.journal.record` → keep what follows
from every application the file created or changed in step (its duties and budget years,
:func:`portfolio.services.grant_life.follow`, as after a single edit) → check the rules
across rows (public funding of a project, payment requests of an application) in SQL → commit
only when the file is clean, else (and for a dry run) roll back. The preview is therefore
exactly what applying would do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain
from typing import Any, cast

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from db.enums import AuditKind, CapScope, ChangeSource, FundingLevel, JournalAction
from db.models import (
    ActionField,
    FundingApplication,
    FundingProgramme,
    ImportRecord,
    JournalChange,
    JournalEntry,
    Kpi,
    Organisation,
    Participation,
    Project,
)
from db.models.base import utcnow
from portfolio import audit, clock, funding_rules
from portfolio.errors import PortfolioError, Problem, ValidationFailed
from portfolio.exchange import parse, signing
from portfolio.exchange.messages import msg
from portfolio.exchange.reader import RawSheet, RawWorkbook, read_workbook
from portfolio.exchange.safety import UnreadableFile, prescan
from portfolio.exchange.schema import (
    FORMAT_VERSION,
    NAMED_REFS,
    Column,
    Sheet,
    partner_fields,
)
from portfolio.exchange.state import (
    TABLE_OF,
    Lookup,
    Refs,
    Scope,
    chunks,
    code_of,
    lead_project_ids,
    load_refs,
    load_rows,
    partner_id,
    ref_label,
)
from portfolio.i18n import Eur, fmt_stamp, fmt_value
from portfolio.journal import Actor, Change, record, set_actor, to_text
from portfolio.policy import (
    AccessDenied,
    Action,
    Principal,
    principal_of,
    requires,
    set_principal,
)
from portfolio.policy import check as allow
from portfolio.services import (
    cost_plan,
    funding,
    grant_life,
    kpis,
    milestones,
    participations,
    projects,
    status_reports,
)
from portfolio.services.base import KeySet, Preparation, is_race, last_change, lost_race
from portfolio.services.fields import check
from portfolio.vocab import entity_label, field_label, label, label_both, labels

Progress = Callable[[float, str], None]


# ---- results ---------------------------------------------------------------------------------


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

    def _sum(self, name: str) -> int:
        return sum(getattr(c, name) for c in self.counts.values())

    @property
    def created(self) -> int:
        return self._sum("new")

    @property
    def updated(self) -> int:
        return self._sum("changed")

    @property
    def unchanged(self) -> int:
        return self._sum("unchanged")

    @property
    def invalid(self) -> int:
        return self._sum("invalid")

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


class _Rollback(Exception):
    pass


# ---- planning --------------------------------------------------------------------------------


@dataclass
class _Planned:
    sheet: Sheet
    row: int
    key: str
    action: str  # create, update
    values: dict[str, Any]  # for update: changed fields only; for create: all fields
    existing: dict[str, Any] | None
    project_id: int | None
    cols: dict[str, int]  # field -> column index
    new_id: int | None = None  # the id a created row got


@dataclass
class _Ctx:
    session: Session
    conn: Connection
    refs: Refs
    scope: Scope
    partner_org: int | None
    partner_projects: set[int] | None
    lang: str
    today: dt.date
    result: ImportResult
    planned: list[_Planned] = field(default_factory=list)
    outdated: int = 0
    deferred: list[tuple[dict[str, Any], Callable[[], None]]] = field(default_factory=list)
    # new rows of this file that could not be created: entity -> casefolded key -> (sheet, row)
    failed_new: dict[str, dict[str, tuple[str, int]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    repeated: int = 0  # new rows that already exist with the same values (file imported before)
    # the file is a partner's workbook: its locked cells stay locked whatever scope it is read in
    locked_by_file: bool = False
    # conflicts the user decided field by field: (entity, key, field) -> KEEP_FILE / KEEP_CURRENT
    resolutions: Mapping[tuple[str, str, str], str] = field(default_factory=dict)
    write_failed: bool = False
    leads: dict[int, int] = field(default_factory=dict)  # project id -> lead organisation id
    # caps already exceeded before the file's writes (group -> total): not the file's doing
    cap_breaches_before: dict[tuple[Any, ...], Decimal] = field(default_factory=dict)
    # a partner's scope: the projects it leads (Federführung), for the sheets of lead projects
    partner_leads: set[int] | None = None
    # the importing user as a new status report's author (when the row names none)
    author: str = ""
    # (project id, report date) of the new status reports of the file so far
    report_days: set[tuple[int, dt.date]] = field(default_factory=set)


KEEP_FILE = "file"
"""A conflict's resolution: the file's value wins (the user's "keep mine")."""
KEEP_CURRENT = "current"
"""A conflict's resolution: the portfolio's current value stays ("take theirs")."""


def _report_conflicts(
    ctx: _Ctx,
    entity: str,
    title: str,
    excel_row: int,
    key: str,
    version: int,
    current_version: int,
    latest: Any,
    fields: set[str],
    changed: Mapping[str, Any],
    existing: Mapping[str, Any],
    column_of: Mapping[str, Column],
    cols_by_field: Mapping[str, int],
    counts: SheetCounts,
) -> None:
    """A stale row's undecided fields as conflicts: who changed the row when, the portfolio's
    value and the file's, and what a resolution names (entity, key, field)."""
    lang, refs = ctx.lang, ctx.refs
    counts.conflicting += 1
    at = latest.at if latest is not None else None
    stamp = fmt_stamp(at, lang) if at is not None else "?"
    for f in sorted(fields, key=lambda f: cols_by_field.get(f, 0)):
        column = column_of.get(f)
        old = _shown(column, existing.get(f), lang, refs)
        new = _shown(column, changed[f], lang, refs)
        ctx.result.conflicts.append(
            Conflict(
                title,
                excel_row,
                column.header(lang) if column else f,
                msg(
                    "conflict_field",
                    lang,
                    field=column.header(lang) if column else f,
                    version=str(version),
                    current=str(current_version),
                    actor=latest.actor if latest is not None else "?",
                    at=stamp,
                    old=old,
                    new=new,
                ),
                cols_by_field.get(f),
                key,
                file_value=new,
                current_value=old,
                changed_by=latest.actor if latest is not None else None,
                changed_at=at,
                entity=entity,
                field=f,
            )
        )


def _shown(column: Column | None, value: Any, lang: str, refs: Refs) -> str:
    """A typed value as the user reads it in the diff and in messages."""
    if value is None or value == []:
        return "–"
    if column is not None:
        if column.kind == "enum" and column.enum is not None:
            return label(column.enum, value, lang)
        if column.kind == "ref" and column.ref is not None:
            return refs.lookup(column.ref).key_of(value) or str(value)
        if column.kind == "money":
            return fmt_value(Eur(value), lang)
        if column.kind == "rate":
            return fmt_value(value, lang) + " %"
        if column.kind == "tags":
            return ", ".join(value)
    if isinstance(value, str):
        return value
    return fmt_value(value, lang)


def _parse_cell(column: Column, raw: Any, refs: Refs) -> Any:
    kind = column.kind
    if kind in ("str", "text"):
        return parse.parse_text(raw)
    if kind == "date":
        return parse.parse_date(raw)
    if kind == "money":
        return parse.parse_number(raw)
    if kind == "measure":
        number = parse.parse_number(raw)
        if number is not None and number.as_tuple().exponent < -4:  # type: ignore[operator]
            number = number.quantize(Decimal("0.0001"))
        return number
    if kind == "rate":
        return parse.parse_rate(raw)
    if kind == "enum":
        assert column.enum is not None
        return parse.parse_enum(column.enum, raw)
    if kind == "bool":
        return bool(parse.parse_bool(raw))  # empty means "no", as the export writes it
    if kind == "tags":
        return parse.parse_tags(raw)
    if kind == "ref":
        assert column.ref is not None
        text = parse.parse_text(raw)
        if text is None:
            return None
        found = _resolve_ref(refs.lookup(column.ref), text.strip())
        if found is None:
            raise parse.CellError("unknown_reference", text)
        return found
    raise AssertionError(kind)  # pragma: no cover


def _resolve_ref(lookup: Lookup, text: str) -> int | None:
    """The id a reference cell names: a key, "CODE – Name" as the export writes it and the
    dropdowns offer it (the code before the first " – " counts; the name after it is not
    compared, so a renamed organisation's old workbook still reads), or a unique name."""
    n = _norm_text(text)
    if n in lookup.keys:
        return lookup.keys[n]
    code = code_of(text)
    if code is not None and (by_code := lookup.keys.get(_norm_text(code))) is not None:
        return by_code
    return lookup.names.get(n)


def _norm_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def _parser(column: Column, refs: Refs) -> Callable[[Any], Any]:
    """``_parse_cell`` for one column, with fast paths for what calamine returns."""
    kind = column.kind
    if kind in ("str", "text"):

        def text(v: Any) -> Any:
            if type(v) is str:
                if not v or v.isspace():
                    return None
                return v if v.isascii() else unicodedata.normalize("NFC", v)
            return parse.parse_text(v)

        return text
    if kind == "date":
        return lambda v: v if type(v) is dt.date else parse.parse_date(v)
    if kind == "money":
        return lambda v: Decimal(repr(v)) if type(v) is float else parse.parse_number(v)
    if kind == "enum":
        assert column.enum is not None
        enum = column.enum
        table: dict[str, str] = {}
        for code in labels(enum, "de"):
            for name in (code, label(enum, code, "de"), label(enum, code, "en")):
                table[name.casefold()] = code

        def choice(v: Any) -> Any:
            if type(v) is str and (code := table.get(v.casefold())) is not None:
                return code
            return parse.parse_enum(enum, v)

        return choice
    if kind == "ref":
        assert column.ref is not None
        lookup, target = refs.lookup(column.ref), column.ref
        keys = lookup.keys
        if target in NAMED_REFS:  # the cells as exported: "STW – Stadtwerke Bochum GmbH"
            keys = dict(keys)
            for row in lookup.by_id.values():
                for lang in ("de", "en"):
                    keys.setdefault(ref_label(target, row, lang).casefold(), row["id"])

        def reference(v: Any) -> Any:
            if type(v) is str and (found := keys.get(v.casefold())) is not None:
                return found
            return _parse_cell(column, v, refs)

        return reference
    return lambda v: _parse_cell(column, v, refs)


def _cell_message(code: str, column: Column, value: Any, lang: str) -> str:
    name = field_label(column.field, lang) if column.kind != "ref" else column.header(lang)
    if code == "bad_enum":
        assert column.enum is not None
        return Problem(
            column.field,
            "not_in_list",
            {"value": value, "allowed": ", ".join(labels(column.enum, lang).values())},
        ).message(lang)
    if code == "unknown_reference":
        return Problem(column.field, "unknown_reference", {"value": value}).message(lang)
    return msg(code, lang, field=name, value=parse.display(value))


def _header_map(raw: RawSheet) -> tuple[dict[int, Column], int | None, list[str]]:
    """Column index -> Column of the first row; the index of the key column; unknown headers."""
    lookup: dict[str, Column] = {}
    for column in raw.sheet.columns:
        for name in column.headers():
            lookup.setdefault(name, column)
    mapping: dict[int, Column] = {}
    unknown: list[str] = []
    header = raw.rows[0] if raw.rows else []
    seen: set[str] = set()
    for i, cell in enumerate(header):
        text = parse.parse_text(cell)
        if text is None:
            continue
        found = lookup.get(" ".join(text.split()).casefold())
        if found is None or found.field in seen:
            if text.casefold() not in ("fehler", "errors"):
                unknown.append(text)
            continue
        seen.add(found.field)
        mapping[i] = found
    key_index = next((i for i, c in mapping.items() if c.kind == "key"), None)
    return mapping, key_index, unknown


def _journal_base(
    conn: Connection, entity: str, entity_id: int, version: int, current: dict[str, Any]
) -> tuple[dict[str, str | None] | None, JournalEntry | None]:
    """The row's values as of ``version`` (from the journal), and the latest change after it."""
    entries = conn.execute(
        select(JournalEntry.id, JournalEntry.version, JournalEntry.actor, JournalEntry.at)
        .where(JournalEntry.entity == entity, JournalEntry.entity_id == entity_id)
        .order_by(JournalEntry.id.desc())
    ).all()
    later = [e for e in entries if e.version is not None and e.version > version]
    latest = cast(JournalEntry | None, later[0] if later else (entries[0] if entries else None))
    if not later:
        return None, latest
    base: dict[str, str | None] = {k: to_text(v) for k, v in current.items()}
    ids = [e.id for e in later]
    changes = conn.execute(
        select(JournalChange.entry_id, JournalChange.field, JournalChange.old_value)
        .where(JournalChange.entry_id.in_(ids))
        .order_by(JournalChange.entry_id.desc(), JournalChange.id.desc())
    ).all()
    for change in changes:
        if change.field in base:
            base[change.field] = change.old_value
    # The reconstruction is exact only if the journal has every version in between.
    versions = {e.version for e in later}
    if versions != set(range(version + 1, max(versions) + 1)):
        return None, latest
    return base, latest


PREPARE: dict[str, Preparation[Any]] = {
    "project": projects.PREPARE,
    "participation": participations.PREPARE,
    "funding_application": funding.PREPARE,
    "payment_request": funding.PAYMENT_PREPARE,
    "cost_item": cost_plan.PREPARE,
    "milestone": milestones.PREPARE,
    "kpi_measurement": kpis.MEASUREMENT_PREPARE,
}
"""The services' prepare-and-check step of each sheet's rows: the same defaults, keys, derived
fields and rules as the dashboard's single edits. Status reports have none: their rows are only
created, by :func:`portfolio.services.status_reports.create` itself (see :func:`_write_stage`)."""
FILLED_IN = frozenset({"author"})
"""Fields of a new status report the import fills in when the row leaves them empty."""


@dataclass
class _SheetKeys:
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


def _same_record(sheet: Sheet, existing: dict[str, Any], values: dict[str, Any]) -> bool:
    """Whether a new row of the file describes the stored row ``existing`` exactly, as its
    create() would have stored it (a file imported a second time): cells left empty where
    create() fills in a default or the rules derive a value count as equal."""
    if sheet.entity not in PREPARE:  # a status report: the import fills in only the author
        return all(
            (v in (None, []) and f in FILLED_IN)
            or v == (old := existing.get(f))
            or to_text(v) == to_text(old)
            for f, v in values.items()
        )
    prepare = PREPARE[sheet.entity]
    data = prepare.with_defaults(values)
    for f, v in data.items():
        if f not in values:  # a missing column: not stated
            continue
        old = existing.get(f)
        if v in (None, []) and f in prepare.derived:
            continue
        if v != old and to_text(v) != to_text(old):
            return False
    return True


def _natural_key(sheet: Sheet, values: dict[str, Any]) -> tuple[Any, ...] | None:
    """What identifies a row of a sheet whose keys are ids (``BT-17``): one participation per
    project, organisation and role; one measurement per indicator and date."""
    if sheet.entity == "participation":
        fields: tuple[str, ...] = ("project_id", "organisation_id", "role")
    elif sheet.entity == "kpi_measurement":
        fields = ("kpi_id", "measured_on")
    elif sheet.entity == "status_report":
        fields = ("project_id", "report_date")
    else:
        return None
    found = tuple(values.get(f) for f in fields)
    return None if any(v is None for v in found) else found


_REF_ENTITY = {"project": "project", "application": "funding_application"}


def _plan_sheet(
    ctx: _Ctx, raw: RawSheet, progress: Progress | None, base: float, span: float
) -> None:
    sheet, lang, refs, result = raw.sheet, ctx.lang, ctx.refs, ctx.result
    title = raw.title
    counts = result.counts.setdefault(sheet.id, SheetCounts())
    result.sheet_titles[sheet.id] = title
    mapping, key_index, unknown = _header_map(raw)
    formula_rows = _formula_errors(ctx, raw, mapping, counts)
    if unknown:
        result.notices.append(msg("ignored_columns", lang, sheet=title, columns=", ".join(unknown)))
    if key_index is None:
        result.errors.append(
            Issue(
                title, raw.first_row, None, UnreadableFile("no_header", sheet=title).message(lang)
            )
        )
        return
    version_index = next((i for i, c in mapping.items() if c.kind == "version"), None)
    cols_by_field = {c.field: i for i, c in mapping.items() if c.editable}
    state = load_rows(
        ctx.conn,
        sheet,
        refs,
        project_ids=None,
        partner_org=ctx.partner_org,
        include_archived=True,
    )
    by_key = {r["_key"].casefold(): r for r in state}
    in_use: Iterable[str] = ()  # the keys outside the loaded scope too
    if sheet.entity == "project":
        in_use = refs.project.keys
    elif sheet.entity == "funding_application":
        in_use = refs.application.keys
    elif sheet.entity in ("milestone", "payment_request", "cost_item"):
        table = TABLE_OF[sheet.entity].__table__
        in_use = ctx.conn.execute(select(table.c.key)).scalars()
    taken = KeySet(chain(by_key, in_use))
    allowed_partner = partner_fields(sheet)
    seen_rows: dict[str, int] = {}
    specs = sheet.specs
    present = [f for f in cols_by_field if f in specs]
    parsers = {f: _parser(mapping[cols_by_field[f]], refs) for f in present}
    rows = raw.rows
    total = max(len(rows) - 1, 1)
    planned_before = len(ctx.planned)
    declared: dict[str, int] = {}  # keys new rows state for themselves -> row
    reserved_cache: list[set[str]] = []
    natural: dict[tuple[Any, ...], dict[str, Any]] | None = None

    def reserved() -> set[str]:
        """The keys new rows of this sheet state (found on the first keyless new row only)."""
        if not reserved_cache:
            found: set[str] = set()
            for cells in rows[1:]:
                k = parse.parse_key(cells[key_index]) if key_index < len(cells) else None
                if k and k.casefold() not in by_key:
                    found.add(k.casefold())
            reserved_cache.append(found)
        return reserved_cache[0]

    keys = _SheetKeys(taken, reserved)

    for n, cells in enumerate(rows[1:], start=1):
        excel_row = raw.first_row + n
        if excel_row in formula_rows:
            continue  # refused cell by cell above
        if progress and n % 2000 == 0:
            progress(base + span * n / total, title)
        if all(parse.is_blank(c) for c in cells):
            continue
        first = next((c for c in cells if not parse.is_blank(c)), "")
        if isinstance(first, str) and first.lstrip().startswith("#"):
            continue
        row_errors: list[Issue] = []

        def err(
            message: str,
            col: int | None = None,
            *,
            key: str | None = None,
            _row: int = excel_row,
            _errs: list[Issue] = row_errors,
        ) -> None:
            _errs.append(
                Issue(
                    title,
                    _row,
                    mapping[col].header(lang) if col is not None and col in mapping else None,
                    message,
                    col,
                    key,
                )
            )

        key = parse.parse_key(cells[key_index]) if key_index < len(cells) else None
        version: int | None = None
        if version_index is not None and version_index < len(cells):
            try:
                version = parse.parse_int(cells[version_index])
            except parse.CellError:
                err(
                    msg(
                        "bad_version",
                        lang,
                        field=field_label("version", lang),
                        value=parse.display(cells[version_index]),
                    ),
                    version_index,
                    key=key,
                )
        values: dict[str, Any] = {}
        for f in present:
            i = cols_by_field[f]
            column = mapping[i]
            raw_value = cells[i] if i < len(cells) else ""
            try:
                values[f] = parsers[f](raw_value)
            except parse.CellError as exc:
                err(_ref_message(ctx, exc, column, lang), i, key=key)
        existing = by_key.get(key.casefold()) if key else None
        if key and key.casefold() in seen_rows:
            code = "duplicate_row" if existing is not None else "duplicate_new_key"
            err(msg(code, lang, key=key, other=str(seen_rows[key.casefold()])), key_index, key=key)
        elif key:
            seen_rows[key.casefold()] = excel_row

        if key and existing is None:
            other = _exists_elsewhere(ctx, sheet, key)
            if ctx.partner_org is not None and other:
                err(
                    msg("partner_row", lang, key=key, partner=ctx.scope.partner or ""),
                    key_index,
                    key=key,
                )
            elif version is not None or sheet.id_key_prefix or other:
                err(msg("key_not_found", lang, key=key), key_index, key=key)
            else:
                declared.setdefault(key.casefold(), excel_row)
        elif existing is not None and version is None and not row_errors:
            # A row without version whose key exists: the same record again (a file imported a
            # second time) is unchanged; anything else is a new row with a taken key, or an
            # existing row whose version was cleared. Either way: never overwrite.
            if _same_record(sheet, existing, values):
                counts.unchanged += 1
                ctx.repeated += 1
                continue
            err(msg("key_exists", lang, key=key or ""), key_index, key=key)
        elif key is None and not row_errors and sheet.id_key_prefix:
            # a keyless row of a sheet with id keys: the same participation or measurement again?
            nk = _natural_key(sheet, values)
            if nk is not None:
                if natural is None:
                    natural = {}
                    for row in state:
                        natural.setdefault(cast(tuple[Any, ...], _natural_key(sheet, row)), row)
                twin = natural.get(nk)
                if twin is not None and _same_record(sheet, twin, values):
                    counts.unchanged += 1
                    ctx.repeated += 1
                    continue
        if row_errors:
            # report the other fields' problems of the row too, in one go
            failed = {e.col_index for e in row_errors}
            for p in check(specs, values, partial=True)[1]:
                col = cols_by_field.get(p.field)
                if col not in failed:
                    err(p.message(lang), col, key=key)
            counts.invalid += 1
            result.errors.extend(row_errors)
            continue

        if existing is not None:
            assert key is not None
            _plan_update(
                ctx,
                sheet,
                title,
                excel_row,
                key,
                version,
                existing,
                values,
                mapping,
                cols_by_field,
                allowed_partner,
                key_index,
                version_index,
                counts,
                err,
                row_errors,
            )
        else:
            _plan_create(
                ctx,
                sheet,
                title,
                excel_row,
                key,
                values,
                mapping,
                cols_by_field,
                key_index,
                counts,
                err,
                row_errors,
                keys,
            )
        if row_errors:
            counts.invalid += 1
            result.errors.extend(row_errors)
    _run_deferred(ctx)
    created = {
        str(p.values["key"]).casefold()
        for p in ctx.planned[planned_before:]
        if p.action == "create" and p.values.get("key")
    }
    for k, row_no in declared.items():
        if k not in created:
            ctx.failed_new[sheet.entity][k] = (title, row_no)


def _formula_errors(
    ctx: _Ctx, raw: RawSheet, mapping: dict[int, Column], counts: SheetCounts
) -> set[int]:
    """Every cell of the sheet that holds a formula is an error (a formula's cached value is
    what a clerk sees, and the file may not carry it: calamine reads it as empty); such rows are
    not checked further. Returns their Excel row numbers."""
    if not raw.formulas:
        return set()
    lang, title = ctx.lang, raw.title
    header = raw.rows[0] if raw.rows else []
    key_index = next((i for i, c in mapping.items() if c.kind == "key"), None)
    for row, cols in sorted(raw.formulas.items()):
        cells = raw.rows[row - raw.first_row] if 0 <= row - raw.first_row < len(raw.rows) else []
        key = None
        if key_index is not None and key_index < len(cells) and key_index not in cols:
            key = parse.parse_key(cells[key_index]) if isinstance(cells[key_index], str) else None
        for col in sorted(cols):
            column = mapping.get(col)
            name = column.header(lang) if column is not None else None
            if name is None and col < len(header) and not parse.is_blank(header[col]):
                name = parse.display(header[col])
            cell = cell_name(col, row) or ""
            message = UnreadableFile(
                "formula", sheet=title, cell=cell, field=name or cell.rstrip("0123456789")
            ).message(lang)
            ctx.result.errors.append(Issue(title, row, name, message, col, key))
        if row != raw.first_row:
            counts.invalid += 1
    return set(raw.formulas)


def _ref_message(ctx: _Ctx, exc: parse.CellError, column: Column, lang: str) -> str:
    """The message of a cell that could not be read; a reference to a new row of this file
    that has errors says so instead of "unknown"."""
    if exc.code == "unknown_reference" and column.ref in _REF_ENTITY:
        text = " ".join(str(exc.value).split()).casefold()
        found = ctx.failed_new[_REF_ENTITY[column.ref]].get(text)
        if found is not None:
            return msg(
                "ref_to_failed_new_row",
                lang,
                field=column.header(lang),
                value=str(exc.value).strip(),
                sheet=found[0],
                row=str(found[1]),
            )
    return _cell_message(exc.code, column, exc.value, lang)


def _flush_row_errors(ctx: _Ctx, counts: SheetCounts, row_errors: list[Issue]) -> None:
    """Errors found by the deferred rule checks of one row."""
    counts.invalid += 1
    ctx.result.errors.extend(row_errors)
    row_errors.clear()


def _run_deferred(ctx: _Ctx) -> None:
    """The rule checks of the changed rows, after loading what they look up in a few queries."""
    wanted: dict[Any, set[int]] = defaultdict(set)
    for values, _ in ctx.deferred:
        for name, model in (
            ("project_id", Project),
            ("kpi_id", Kpi),
            ("application_id", FundingApplication),
        ):
            if values.get(name) is not None:
                wanted[model].add(values[name])
    for model, ids in wanted.items():
        for batch in chunks(ids):
            ctx.session.execute(select(model).where(model.id.in_(batch))).scalars().all()
    deferred, ctx.deferred = ctx.deferred, []
    for _, finish in deferred:
        finish()


def _exists_elsewhere(ctx: _Ctx, sheet: Sheet, key: str) -> bool:
    """Whether ``key`` names a row outside the loaded scope (another partner's, say)."""
    refs = ctx.refs
    if sheet.entity == "project":
        return refs.project.resolve(key) is not None
    if sheet.entity == "funding_application":
        return refs.application.resolve(key) is not None
    table = TABLE_OF[sheet.entity].__table__
    if sheet.id_key_prefix:
        prefix = sheet.id_key_prefix + "-"
        if not key.upper().startswith(prefix) or not key[len(prefix) :].isdigit():
            return False
        return (
            ctx.conn.execute(
                select(table.c.id).where(table.c.id == int(key[len(prefix) :]))
            ).first()
            is not None
        )
    return ctx.conn.execute(select(table.c.id).where(table.c.key == key)).first() is not None


def _plan_update(
    ctx: _Ctx,
    sheet: Sheet,
    title: str,
    excel_row: int,
    key: str,
    version: int | None,
    existing: dict[str, Any],
    values: dict[str, Any],
    mapping: dict[int, Column],
    cols_by_field: dict[str, int],
    allowed_partner: set[str],
    key_index: int,
    version_index: int | None,
    counts: SheetCounts,
    err: Callable[..., None],
    row_errors: list[Issue],
) -> None:
    lang, refs = ctx.lang, ctx.refs
    # Only values that differ from the database are coerced and checked (fast for the many
    # unchanged rows; a legacy value the file merely repeats is not re-judged).
    candidates = {
        f: v
        for f, v in values.items()
        if v != (old := existing.get(f)) and to_text(v) != to_text(old)
    }
    if not candidates:
        counts.unchanged += 1
        return
    if sheet.frozen_rows:
        # A stored report is never changed through the exchange (its history is kept): a cell
        # that differs from the row's version in the file is refused; one that repeats it (the
        # report was edited in the dashboard since the export) is the older state, skipped.
        typed = candidates
        if version is not None and version < existing["version"]:
            current = {f: existing.get(f) for f in sheet.specs if f in existing}
            base, _ = _journal_base(ctx.conn, sheet.entity, existing["id"], version, current)
            if base is not None:
                typed = {f: v for f, v in candidates.items() if to_text(v) != base.get(f)}
        column_by_field = {c.field: c for c in mapping.values()}
        for f in sorted(typed, key=lambda f: cols_by_field.get(f, 0)):
            column = column_by_field.get(f)
            err(
                msg(
                    "frozen_row",
                    lang,
                    field=column.header(lang) if column else f,
                    key=key,
                    sheet=title,
                    new=_shown(column, typed[f], lang, refs),
                    old=_shown(column, existing.get(f), lang, refs),
                ),
                cols_by_field.get(f),
                key=key,
            )
        if not typed:
            ctx.outdated += 1
            counts.unchanged += 1
        return
    prepare = PREPARE[sheet.entity]
    clean, problems = prepare.update_values(ctx.session, existing, candidates)
    changed = {
        f: v
        for f, v in clean.items()
        if v != (old := existing.get(f)) and to_text(v) != to_text(old)
    }
    column_of = {c.field: c for c in mapping.values()}
    if not changed and not problems:
        counts.unchanged += 1
        return
    if existing["_archived"]:  # an archived row is only an error if the file changes it
        err(msg("archived_row", lang, key=key), key_index, key=key)
        return
    if problems:
        for p in problems:
            err(p.message(lang), cols_by_field.get(p.field), key=key)
        return
    if ctx.partner_org is not None or ctx.locked_by_file:
        # A stale row repeats the values of its version: a locked field someone else changed
        # meanwhile is not the partner's change (the version check below judges the rest).
        base_of_file: dict[str, str | None] | None = None
        if version is not None and version < existing["version"]:
            current = {f: existing.get(f) for f in sheet.specs if f in existing}
            base_of_file, _ = _journal_base(
                ctx.conn, sheet.entity, existing["id"], version, current
            )
        for f, v in changed.items():
            if base_of_file is not None and to_text(v) == base_of_file.get(f):
                continue
            if f not in allowed_partner:
                column = column_of.get(f)
                new = _shown(column, v, lang, refs)
                old = _shown(column, existing.get(f), lang, refs)
                col = cols_by_field.get(f)
                if sheet.grant:
                    # a grant is the Innovation Unit's: the message names the cell
                    text = Problem(
                        f,
                        "partner_grant_field",
                        {"cell": cell_name(col, excel_row) or "?", "new": new, "old": old},
                    ).message(lang)
                else:
                    field_name = column.header(lang) if column else f
                    code = "partner_field" if ctx.partner_org is not None else "locked_field"
                    text = msg(code, lang, field=field_name, new=new, old=old)
                err(text, col, key=key)
        if row_errors:
            return
    # A row without version never gets here: it is a new row (refused above when its key exists).
    assert version is not None
    current_version = existing["version"]
    if version > current_version:
        err(
            msg("version_ahead", lang, value=str(version), current=str(current_version)),
            version_index,
            key=key,
        )
        return
    if version < current_version:
        current = {f: existing.get(f) for f in sheet.specs if f in existing}
        base, latest = _journal_base(ctx.conn, sheet.entity, existing["id"], version, current)
        user_changed = (
            {f for f in changed if to_text(changed[f]) != base.get(f)}
            if base is not None
            else set(changed)
        )
        if not user_changed:
            ctx.outdated += 1
            counts.unchanged += 1
            return
        decided = {f: ctx.resolutions.get((sheet.entity, key, f)) for f in user_changed}
        undecided = {f for f, d in decided.items() if d not in (KEEP_FILE, KEEP_CURRENT)}
        if not undecided:
            # every conflict decided: the file's value where the user chose it, the portfolio's
            # everywhere else (also where only the portfolio changed since the export)
            keep = {f for f, d in decided.items() if d == KEEP_FILE}
            changed = {f: v for f, v in changed.items() if f in keep}
            clean = {f: v for f, v in clean.items() if f in keep}
            if not changed:
                counts.unchanged += 1
                return
        else:
            _report_conflicts(
                ctx,
                sheet.entity,
                title,
                excel_row,
                key,
                version,
                current_version,
                latest,
                undecided,
                changed,
                existing,
                column_of,
                cols_by_field,
                counts,
            )
            return
    merged = prepare.merged(existing, clean)

    def finish() -> None:
        _finish_update(
            ctx,
            sheet,
            title,
            excel_row,
            key,
            existing,
            merged,
            changed,
            mapping,
            cols_by_field,
            key_index,
            counts,
            err,
            row_errors,
        )

    ctx.deferred.append((merged, finish))


def _finish_update(
    ctx: _Ctx,
    sheet: Sheet,
    title: str,
    excel_row: int,
    key: str,
    existing: dict[str, Any],
    merged: dict[str, Any],
    changed: dict[str, Any],
    mapping: dict[int, Column],
    cols_by_field: dict[str, int],
    key_index: int,
    counts: SheetCounts,
    err: Callable[..., None],
    row_errors: list[Issue],
) -> None:
    lang, refs = ctx.lang, ctx.refs
    column_of = {c.field: c for c in mapping.values()}
    prepare = PREPARE[sheet.entity]
    problems = prepare.update_rules(ctx.session, existing, merged, changed, today=ctx.today)
    if problems:
        for p in problems:
            err(p.message(lang), cols_by_field.get(p.field, key_index), key=key)
        _flush_row_errors(ctx, counts, row_errors)
        return
    changed = prepare.writes(existing, merged, changed)  # with the derived fields that follow
    counts.changed += 1
    ctx.planned.append(
        _Planned(
            sheet,
            excel_row,
            key,
            "update",
            changed,
            existing,
            existing["_project_id"],
            cols_by_field,
        )
    )
    for f, v in changed.items():
        column = column_of.get(f)
        ctx.result.diffs.append(
            FieldDiff(
                title,
                excel_row,
                key,
                "update",
                f,
                column.header(lang) if column else field_label(f, lang),
                _shown(column, existing.get(f), lang, refs),
                _shown(column, v, lang, refs),
            )
        )


def _plan_create(
    ctx: _Ctx,
    sheet: Sheet,
    title: str,
    excel_row: int,
    key: str | None,
    values: dict[str, Any],
    mapping: dict[int, Column],
    cols_by_field: dict[str, int],
    key_index: int,
    counts: SheetCounts,
    err: Callable[..., None],
    row_errors: list[Issue],
    keys: _SheetKeys,
) -> None:
    lang, refs = ctx.lang, ctx.refs
    if ctx.partner_org is not None and not sheet.partner_create:
        if sheet.grant:
            cell = cell_name(key_index, excel_row) or "?"
            params = {"row": str(excel_row), "cell": cell}
            err(Problem("key", "partner_grant_row", params).message(lang), key_index, key=key)
        else:
            err(msg("partner_create", lang), key_index, key=key)
        return
    if ctx.partner_org is not None:
        extra = [
            f for f, v in values.items() if v not in (None, []) and f not in sheet.partner_create
        ]
        for f in extra:
            column = next(c for c in mapping.values() if c.field == f)
            err(
                msg(
                    "partner_field",
                    lang,
                    field=column.header(lang),
                    new=_shown(column, values[f], lang, refs),
                    old="–",
                ),
                cols_by_field.get(f),
            )
        if row_errors:
            return
    data = dict(values)
    if key and sheet.id_key_prefix:
        err(msg("key_for_new_row", lang), key_index, key=key)
        return
    for name, spec in sheet.specs.items():
        if spec.required and name not in cols_by_field and name != "key":
            err(msg("missing_column", lang, field=field_label(name, lang)))
    if row_errors:
        return
    # The services' defaults, key (one past the highest taken; a row without a key of its own
    # also leaves the keys other new rows of the sheet state free) and field checks.
    prepare = PREPARE.get(sheet.entity)
    if key:
        data["key"] = key
    if prepare is None:  # a status report: the service's field checks, the author filled in
        clean, problems = check(
            sheet.specs, {k: v for k, v in data.items() if k in sheet.specs}, partial=False
        )
        if not clean.get("author") and ctx.author:
            clean["author"] = ctx.author
    else:
        clean, problems = prepare.create_values(
            ctx.session,
            {k: v for k, v in data.items() if k in sheet.specs},
            taken_keys=(keys.for_new() if not key else keys.taken)
            if "key" in sheet.specs
            else None,
        )
    key = key or clean.get("key")
    if problems:
        for p in problems:
            err(p.message(lang), cols_by_field.get(p.field, key_index), key=key)
        return
    project_id = _project_of(ctx, sheet, clean)
    if sheet.lead_only and ctx.partner_leads is not None and project_id not in ctx.partner_leads:
        err(
            msg(
                "partner_not_lead",
                lang,
                row=str(excel_row),
                sheet=title,
                key=refs.project.key_of(project_id) or "?",
                partner=ctx.scope.partner or "",
            ),
            cols_by_field.get("project_id"),
        )
        return
    if sheet.entity == "status_report":
        day = (clean["project_id"], clean["report_date"])
        if day in ctx.report_days:  # the same project and date twice in the file
            err(
                Problem("report_date", "report_exists", {"date": clean["report_date"]}).message(
                    lang
                ),
                cols_by_field.get("report_date"),
            )
            return
        ctx.report_days.add(day)
    if ctx.partner_projects is not None and project_id not in ctx.partner_projects:
        err(
            msg(
                "partner_row",
                lang,
                key=refs.project.key_of(project_id) or "?",
                partner=ctx.scope.partner or "",
            ),
            cols_by_field.get(_parent_field(sheet)),
        )
        return
    if clean.get("key"):
        keys.add(clean["key"])

    def finish() -> None:
        _finish_create(
            ctx,
            sheet,
            title,
            excel_row,
            key,
            clean,
            project_id,
            mapping,
            cols_by_field,
            key_index,
            counts,
            err,
            row_errors,
        )

    ctx.deferred.append((clean, finish))


def _finish_create(
    ctx: _Ctx,
    sheet: Sheet,
    title: str,
    excel_row: int,
    key: str | None,
    clean: dict[str, Any],
    project_id: int | None,
    mapping: dict[int, Column],
    cols_by_field: dict[str, int],
    key_index: int,
    counts: SheetCounts,
    err: Callable[..., None],
    row_errors: list[Issue],
) -> None:
    lang, refs = ctx.lang, ctx.refs
    prepare = PREPARE.get(sheet.entity)
    problems = (
        prepare.create_rules(ctx.session, clean, today=ctx.today)
        if prepare is not None
        else status_reports.check_report(ctx.session, clean, None)
    )
    if problems:
        for p in problems:
            err(p.message(lang), cols_by_field.get(p.field, key_index), key=key)
        _flush_row_errors(ctx, counts, row_errors)
        return
    shown_key = clean.get("key") or f"{title} {excel_row}"
    counts.new += 1
    ctx.planned.append(
        _Planned(sheet, excel_row, shown_key, "create", clean, None, project_id, cols_by_field)
    )
    column_of = {c.field: c for c in mapping.values()}
    for f, v in clean.items():
        if v is None or v == [] or f == "key":
            continue
        col_of = column_of.get(f)
        ctx.result.diffs.append(
            FieldDiff(
                title,
                excel_row,
                shown_key,
                "create",
                f,
                col_of.header(lang) if col_of else field_label(f, lang),
                "–",
                _shown(col_of, v, lang, refs),
            )
        )


def _parent_field(sheet: Sheet) -> str:
    return {
        "payment_request": "application_id",
        "cost_item": "application_id",
        "kpi_measurement": "kpi_id",
    }.get(sheet.entity, "project_id")


def _project_of(ctx: _Ctx, sheet: Sheet, values: dict[str, Any]) -> int | None:
    if sheet.entity in ("payment_request", "cost_item"):
        app = ctx.refs.application.by_id.get(values.get("application_id"))  # type: ignore[arg-type]
        return app["project_id"] if app else None
    if sheet.entity == "kpi_measurement":
        kpi = ctx.refs.kpi.by_id.get(values.get("kpi_id"))  # type: ignore[arg-type]
        return kpi["project_id"] if kpi else None
    return values.get("project_id")


def _preload(session: Session) -> None:
    """Reference rows the rule functions look up by id, into the identity map in one go."""
    session.execute(select(ActionField)).scalars().all()
    session.execute(select(Organisation)).scalars().all()
    session.execute(
        select(FundingProgramme).options(selectinload(FundingProgramme.phases))
    ).scalars().all()


# ---- writing ---------------------------------------------------------------------------------


def _write_stage(ctx: _Ctx, actor: Actor, items: list[_Planned]) -> None:
    """Write the planned rows of one sheet (in a savepoint), so that the rows of later sheets
    can refer to the records it creates and are checked against its new values."""
    if ctx.write_failed:
        _forget_new(ctx, items)
        return
    if not items:
        return
    reports = [p for p in items if p.sheet.entity == "status_report"]
    try:
        with ctx.conn.begin_nested():
            _write(ctx, actor, [p for p in items if p.sheet.entity != "status_report"])
            _create_reports(ctx, actor, reports)
    except IntegrityError as exc:
        ctx.write_failed = True
        _forget_new(ctx, items)
        detail = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        ctx.result.errors.append(
            Issue("", None, None, msg("unique_violation", ctx.lang, detail=detail[:200]))
        )
        return
    refs = ctx.refs
    for p in items:
        if p.new_id is None:
            continue
        if p.sheet.entity == "project":
            refs.project.add(
                {
                    "id": p.new_id,
                    "key": p.values["key"],
                    "title": p.values.get("title"),
                    "archived": False,
                }
            )
        elif p.sheet.entity == "funding_application":
            refs.application.add(
                {"id": p.new_id, "key": p.values["key"], "project_id": p.values.get("project_id")}
            )
    # ORM objects the later rule checks may have loaded must not hide the written values
    written = {TABLE_OF[p.sheet.entity] for p in items}
    for obj in list(ctx.session.identity_map.values()):
        if type(obj) in written:
            ctx.session.expire(obj)


def _create_reports(ctx: _Ctx, actor: Actor, items: list[_Planned]) -> None:
    """The file's new status reports, each through :func:`status_reports.create` (its checks,
    journaled as the importing user under the import, like the other new rows)."""
    if not items:
        return
    session = ctx.session
    set_actor(session, actor)
    for p in items:
        try:
            p.new_id = status_reports.create(session, p.values).id
        except ValidationFailed as exc:  # a report of the same date written meanwhile
            ctx.write_failed = True
            title = ctx.result.sheet_titles.get(p.sheet.id, p.sheet.title_de)
            for problem in exc.problems:
                col = p.cols.get(problem.field)
                column = next((c for c in p.sheet.columns if c.field == problem.field), None)
                header = column.header(ctx.lang) if column else None
                message = problem.message(ctx.lang)
                ctx.result.errors.append(Issue(title, p.row, header, message, col, p.key))
            counts = ctx.result.counts[p.sheet.id]
            counts.invalid += 1
            counts.new -= 1


def _forget_new(ctx: _Ctx, items: list[_Planned]) -> None:
    """New rows that were not written: later rows referring to them say so."""
    for p in items:
        if p.action == "create" and p.values.get("key"):
            title = ctx.result.sheet_titles.get(p.sheet.id, p.sheet.title_de)
            ctx.failed_new[p.sheet.entity][str(p.values["key"]).casefold()] = (title, p.row)


def _write(ctx: _Ctx, actor: Actor, planned: list[_Planned]) -> None:
    conn, now = ctx.conn, utcnow()
    journal: list[Change] = []
    by_sheet: dict[str, list[_Planned]] = defaultdict(list)
    for p in planned:
        by_sheet[p.sheet.entity].append(p)
    lead_projects = ctx.leads
    for entity in TABLE_OF:
        items = by_sheet.get(entity, [])
        if not items:
            continue
        model: Any = TABLE_OF[entity]
        table = model.__table__
        updates = [p for p in items if p.action == "update"]
        groups: dict[tuple[str, ...], list[_Planned]] = defaultdict(list)
        for p in updates:
            groups[tuple(sorted(p.values))].append(p)
        for fields, group in groups.items():
            stmt = (
                update(table)
                .where(table.c.id == bindparam("_id"), table.c.version == bindparam("_v"))
                .values(
                    {f: bindparam(f"p_{f}") for f in fields}
                    | {"version": bindparam("_nv"), "updated_at": bindparam("_now")}
                )
            )
            params = [
                {
                    "_id": existing["id"],
                    "_v": existing["version"],
                    "_nv": existing["version"] + 1,
                    "_now": now,
                    **{f"p_{f}": p.values[f] for f in fields},
                }
                for p in group
                if (existing := p.existing) is not None
            ]
            _guarded_update(ctx, conn, stmt, params, group)
            for p in group:
                assert p.existing is not None
                journal.append(
                    Change(
                        entity,
                        p.existing["id"],
                        JournalAction.UPDATE,
                        {f: (p.existing.get(f), p.values[f]) for f in fields},
                        entity_key=p.existing.get("key"),
                        project_id=p.project_id,
                        version=p.existing["version"] + 1,
                    )
                )
                if (
                    entity == "project"
                    and "lead_organisation_id" in p.values
                    and p.values["lead_organisation_id"]
                ):
                    lead_projects[p.existing["id"]] = p.values["lead_organisation_id"]
        creates = [p for p in items if p.action == "create"]
        if creates:
            rows = [
                {**p.values, "version": 1, "created_at": now, "updated_at": now} for p in creates
            ]
            ids = (
                conn.execute(
                    insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
                )
                .scalars()
                .all()
            )
            for p, new_id in zip(creates, ids, strict=True):
                p.new_id = new_id
                fields_set = {
                    f: (None, v)
                    for f, v in p.values.items()
                    if v is not None and v != [] and v is not False
                }
                journal.append(
                    Change(
                        entity,
                        new_id,
                        JournalAction.CREATE,
                        fields_set,
                        entity_key=p.values.get("key"),
                        project_id=new_id if entity == "project" else p.project_id,
                        version=1,
                    )
                )
                if entity == "project" and p.values.get("lead_organisation_id"):
                    lead_projects[new_id] = p.values["lead_organisation_id"]
    record(conn, actor, journal, at=now)


def _guarded_update(
    ctx: _Ctx, conn: Connection, stmt: Any, params: list[dict[str, Any]], group: list[_Planned]
) -> None:
    """Run the version-guarded UPDATE of ``group``; every row it refuses is a conflict.

    One executemany says how many rows matched, not which. When some did not, the batch is
    undone (its savepoint) and run row by row: looking for rows "now at the version this import
    gives them" cannot tell them apart from rows another writer moved to the same version."""
    if conn.dialect.supports_sane_multi_rowcount:
        with conn.begin_nested() as batch:
            if conn.execute(stmt, params).rowcount == len(params):
                return
            batch.rollback()
    failed = [
        p for one, p in zip(params, group, strict=True) if conn.execute(stmt, one).rowcount != 1
    ]
    for p in failed:
        _race_conflict(ctx, conn, stmt.table, p)


def _race_conflict(ctx: _Ctx, conn: Connection, table: Any, p: _Planned) -> None:
    """A row someone else changed between the import's read and its write (on PostgreSQL, a
    transaction that committed meanwhile): a conflict naming who and when, like a stale row in
    the file. The import's transaction is still usable: a guarded UPDATE that matches no row
    fails nothing, and it reads the committed row and its journal."""
    assert p.existing is not None
    lang, title = ctx.lang, ctx.result.sheet_titles.get(p.sheet.id, p.sheet.title_de)
    counts = ctx.result.counts[p.sheet.id]
    counts.changed -= 1
    counts.conflicting += 1
    current = conn.execute(select(table).where(table.c.id == p.existing["id"])).mappings().first()
    entry, _fields = last_change(conn, p.sheet.entity, p.existing["id"])
    if current is None or entry is None:
        ctx.result.errors.append(
            Issue(title, p.row, None, msg("concurrent_change", lang, key=p.key), None, p.key)
        )
        return
    stamp = fmt_stamp(entry.at, lang)
    for f in sorted(p.values, key=lambda f: p.cols.get(f, 0)):
        column = next((c for c in p.sheet.columns if c.field == f), None)
        header = column.header(lang) if column else f
        old = _shown(column, current.get(f), lang, ctx.refs)
        new = _shown(column, p.values[f], lang, ctx.refs)
        ctx.result.conflicts.append(
            Conflict(
                title,
                p.row,
                header,
                msg(
                    "conflict_field",
                    lang,
                    field=header,
                    version=str(p.existing["version"]),
                    current=str(current["version"]),
                    actor=entry.actor,
                    at=stamp,
                    old=old,
                    new=new,
                ),
                p.cols.get(f),
                p.key,
                file_value=new,
                current_value=old,
                changed_by=entry.actor,
                changed_at=entry.at,
                entity=p.sheet.entity,
                field=f,
            )
        )


def _ensure_leads(session: Session, leads: dict[int, int], actor: Actor) -> None:
    """The lead organisation takes part in its project as Federführung, a former lead as partner:
    the projects service's own rule, run through the ORM (and so journaled) for these rows."""
    set_actor(session, actor)
    session.expire_all()
    for batch in chunks(leads):
        for project in session.execute(select(Project).where(Project.id.in_(batch))).scalars():
            projects.ensure_lead_participation(session, project)
    session.flush()


def _follow_grants(ctx: _Ctx, actor: Actor) -> None:
    """What follows from a grant (its proof-of-use duties and budget years,
    :func:`portfolio.services.grant_life.follow`) for every application the file created or
    changed, on the state after the writes, in the import's transaction: the same step as after
    a single edit in the dashboard, through the ORM and so journaled under the import.

    A refusal there is an error at the application's row (nothing is applied); the session may
    have been rolled back by then, so ``write_failed`` stops the checks that would follow."""
    rows: dict[int, _Planned] = {}
    for p in ctx.planned:
        if p.sheet.entity != "funding_application":
            continue
        app_id = p.new_id if p.action == "create" else (p.existing or {}).get("id")
        if app_id is not None:
            rows.setdefault(app_id, p)
    if not rows:
        return
    session = ctx.session
    set_actor(session, actor)
    current: _Planned | None = None
    try:
        for batch in chunks(sorted(rows)):
            stmt = select(FundingApplication).where(FundingApplication.id.in_(batch))
            for application in session.execute(stmt).scalars().all():
                current = rows[application.id]
                grant_life.follow(session, application)
        current = None
        session.flush()
    except ValidationFailed as exc:
        ctx.write_failed = True
        for problem in exc.problems:
            _follow_error(ctx, current, problem.field, problem.message(ctx.lang))
    except PortfolioError as exc:  # a conflict with another writer: the session is rolled back
        ctx.write_failed = True
        _follow_error(ctx, current, None, exc.message(ctx.lang))
    except StaleDataError as exc:
        ctx.write_failed = True
        _follow_error(ctx, current, None, lost_race(session, exc).message(ctx.lang))


def _follow_error(ctx: _Ctx, p: _Planned | None, fld: str | None, message: str) -> None:
    if p is None:
        ctx.result.errors.append(Issue("", None, None, message))
        return
    title = ctx.result.sheet_titles.get(p.sheet.id, p.sheet.title_de)
    col = p.cols.get(fld) if fld else None
    column = next((c for c in p.sheet.columns if c.field == fld), None)
    header = column.header(ctx.lang) if column else None
    ctx.result.errors.append(Issue(title, p.row, header, message, col, p.key))
    counts = ctx.result.counts[p.sheet.id]
    counts.invalid += 1
    if p.action == "create":
        counts.new -= 1
    else:
        counts.changed -= 1


def _check_totals(ctx: _Ctx) -> None:
    """Rules across rows, on the state after the writes: public funding and payment totals."""
    conn, lang = ctx.conn, ctx.lang
    projects_touched: dict[int, _Planned] = {}
    apps_touched: dict[int, _Planned] = {}
    for p in ctx.planned:
        entity = p.sheet.entity
        if entity == "funding_application" and p.project_id is not None:
            projects_touched.setdefault(p.project_id, p)
            if p.existing is not None:
                apps_touched.setdefault(p.existing["id"], p)
        elif entity == "project" and p.existing is not None and "eligible_cost" in p.values:
            projects_touched.setdefault(p.existing["id"], p)
        elif entity == "payment_request":
            app_id = p.values.get("application_id") or (p.existing or {}).get("application_id")
            if app_id is not None:
                apps_touched.setdefault(app_id, p)
    for batch in chunks(projects_touched):
        rows = conn.execute(funding_rules.public_above_eligible(batch)).all()
        for pid, key, _title, total, eligible in rows:
            p = projects_touched[pid]
            fld = (
                "eligible_cost"
                if p.sheet.entity == "project"
                else (
                    "amount_approved"
                    if p.values.get("amount_approved") is not None
                    else "amount_requested"
                )
            )
            _total_error(
                ctx,
                p,
                fld,
                Problem(
                    fld,
                    "public_funding_above_eligible",
                    {"project": key, "total": Eur(total), "eligible": Eur(eligible)},
                ).message(lang),
            )
    for batch in chunks(projects_touched):
        for row in conn.execute(funding_rules.own_share_replaced(batch)).all():
            p = projects_touched[row.project_id]
            fld = _amount_field(p)
            _total_error(
                ctx,
                p,
                fld,
                Problem(
                    fld,
                    "own_share_replaced",
                    {
                        "project": row.key,
                        "level": label_both(FundingLevel, row.level),
                        "other": Eur(row.other),
                        "room": Eur(row.room),
                    },
                ).message(lang),
            )
    _check_caps(ctx)
    for batch in chunks(apps_touched):
        app_rows = conn.execute(funding_rules.payments_above_approved(batch)).all()
        for app_id, total, approved in app_rows:
            if approved is None:  # nothing approved yet: the services' rule, not the import's
                continue
            p = apps_touched[app_id]
            fld = "amount" if p.sheet.entity == "payment_request" else "amount_approved"
            _total_error(
                ctx,
                p,
                fld,
                Problem(
                    fld, "payments_above_approved", {"total": Eur(total), "approved": Eur(approved)}
                ).message(lang),
            )


def _amount_field(p: _Planned) -> str:
    """The amount an application row counts with (the approved once given)."""
    if p.sheet.entity == "project":
        return "eligible_cost"
    merged = {**(p.existing or {}), **p.values}
    return "amount_approved" if merged.get("amount_approved") is not None else "amount_requested"


def _cap_breaches(conn: Connection) -> dict[tuple[Any, ...], Decimal]:
    """Every cap exceeded now, by group, with its total: what an import may not deepen."""
    return {
        (r.kind, r.programme_id, r.phase, r.scope_project, r.scope_application): Decimal(r.total)
        for r in conn.execute(funding_rules.cap_totals())
    }


def _check_caps(ctx: _Ctx) -> None:
    """The programmes' caps at their scope (MPSC: the city's measures together) on the state
    after the writes; an excess the file creates or deepens is an error at its first row."""
    apps = [p for p in ctx.planned if p.sheet.entity == "funding_application"]
    if not apps:
        return
    merged = [(p, {**(p.existing or {}), **p.values}) for p in apps]
    programmes_ = {int(m["programme_id"]) for _p, m in merged if m.get("programme_id")}
    for programme_id in sorted(programmes_):
        for row in ctx.conn.execute(funding_rules.cap_totals(programme_id=programme_id)):
            group = (
                row.kind,
                row.programme_id,
                row.phase,
                row.scope_project,
                row.scope_application,
            )
            if Decimal(row.total) <= ctx.cap_breaches_before.get(group, Decimal(0)):
                continue
            first = next(
                (
                    p
                    for p, m in merged
                    if m.get("programme_id") == programme_id
                    and (row.phase is None or m.get("phase") == row.phase)
                    and (row.scope_project is None or p.project_id == row.scope_project)
                    and (row.kind != "implementation" or m.get("implementation_measure"))
                ),
                None,
            )
            if first is None:
                continue
            fld = _amount_field(first)
            programme = ctx.session.get(FundingProgramme, programme_id)
            name = programme.name if programme is not None else str(row.programme_key)
            _total_error(
                ctx,
                first,
                fld,
                Problem(
                    fld,
                    "implementation_cap_exceeded"
                    if row.kind == "implementation"
                    else "cap_exceeded",
                    {
                        "amount": Eur(row.total),
                        "cap": Eur(row.cap),
                        "phase": name if row.kind == "programme" else f"Phase {row.phase}",
                        "programme": name,
                        "scope": label_both(CapScope, programme.cap_scope if programme else None),
                    },
                ).message(ctx.lang),
            )


def _total_error(ctx: _Ctx, p: _Planned, fld: str, message: str) -> None:
    title = ctx.result.sheet_titles.get(p.sheet.id, p.sheet.title_de)
    col = p.cols.get(fld)
    column = next((c for c in p.sheet.columns if c.field == fld), None)
    issue = Issue(title, p.row, column.header(ctx.lang) if column else None, message, col, p.key)
    if all(
        (e.sheet, e.row, e.message) != (issue.sheet, issue.row, issue.message)
        for e in ctx.result.errors
    ):
        ctx.result.errors.append(issue)
        counts = ctx.result.counts[p.sheet.id]
        counts.invalid += 1
        if p.action == "create":
            counts.new -= 1
        else:
            counts.changed -= 1


# ---- entry points ----------------------------------------------------------------------------


def _verify_meta(book: RawWorkbook, key: bytes) -> Scope | None:
    """The scope the file's ``_meta`` sheet states, after checking its signature and format
    (None: the file has no ``_meta``). Raises :class:`UnreadableFile` for a changed sheet, one
    signed with another key and one from before the signature (export again)."""
    meta = book.meta
    if meta is None:
        return None
    verdict = signing.verify(meta, key)
    if verdict is signing.Verdict.UNSIGNED:
        raise UnreadableFile("meta_unsigned")
    if verdict is signing.Verdict.OTHER_KEY:
        raise UnreadableFile("meta_other_key")
    if verdict is not signing.Verdict.VALID:
        raise UnreadableFile("meta_tampered")
    try:
        version = int(meta.get("format_version", "0"))
    except ValueError:
        raise UnreadableFile("meta_tampered") from None
    if version != FORMAT_VERSION:
        raise UnreadableFile("format_version", found=str(version), expected=str(FORMAT_VERSION))
    return Scope.parse(meta.get("scope", "all"))


META_TITLE = "_meta"


def _bind_of(factory: sessionmaker[Session]) -> Any:
    with factory() as session:
        return session.get_bind()


def scope_name(refs: Refs, scope: Scope | None, lang: str) -> str:
    """A scope as users read it: "Gesamtes Portfolio", "Stadtwerke Bochum GmbH (STW)"."""
    if scope is None:
        return msg("scope_unknown_name", lang)
    if not scope.partner:
        return msg("scope_all_name", lang)
    org_id = refs.organisation.resolve(scope.partner)
    org = refs.organisation.by_id.get(org_id) if org_id is not None else None
    return f"{org['name']} ({org['key']})" if org else scope.partner


def _same_scope(refs: Refs, a: Scope, b: Scope) -> bool:
    if not a.partner or not b.partner:
        return not a.partner and not b.partner
    return refs.organisation.resolve(a.partner) == refs.organisation.resolve(b.partner)


def _resolve_scope(
    refs: Refs,
    principal: Principal,
    asked: Scope | None,
    file_scope: Scope | None,
    confirmed: bool,
    result: ImportResult,
    lang: str,
) -> Scope:
    """The scope the import runs in.

    A partner imports in its own organisation's scope, whatever the file says (a workbook of
    another scope is an error; asking for another scope is refused). Anyone else gets the scope
    the file states (a file without ``_meta``: unknown) unless ``asked`` names another one, which
    needs ``confirmed``; without the confirmation the file is checked but not applied. The whole
    portfolio needs ``import_workbook``."""
    if principal.is_scoped:
        own = refs.organisation.by_id.get(principal.organisation_id or -1)
        if own is None:
            raise AccessDenied(Action.PARTNER_EXCHANGE, reason="scope")
        scope = Scope(partner=own["key"])
        if asked is not None and not _same_scope(refs, asked, scope):
            raise AccessDenied(Action.PARTNER_EXCHANGE, reason="scope")
        if file_scope is not None and not _same_scope(refs, file_scope, scope):
            result.errors.append(
                Issue(
                    META_TITLE,
                    None,
                    None,
                    msg(
                        "partner_own_scope",
                        lang,
                        file_scope=scope_name(refs, file_scope, lang),
                        scope=scope_name(refs, scope, lang),
                    ),
                )
            )
        return scope
    chosen = asked if asked is not None else (file_scope or Scope())
    if chosen.partner:
        chosen = Scope(partner=refs.organisation.by_id[partner_id(refs, chosen.partner)]["key"])
    else:
        allow(principal, Action.IMPORT_WORKBOOK)
    if file_scope is not None and _same_scope(refs, file_scope, chosen):
        return chosen
    shown = {
        "file_scope": scope_name(refs, file_scope, lang),
        "scope": scope_name(refs, chosen, lang),
    }
    if confirmed:
        code = "scope_confirmed" if file_scope is not None else "scope_unknown_confirmed"
        result.notices.append(msg(code, lang, **shown))
    elif file_scope is None:
        result.errors.append(Issue(META_TITLE, None, None, msg("scope_unknown", lang, **shown)))
    else:
        result.errors.append(
            Issue(
                META_TITLE,
                None,
                None,
                msg("partner_scope", lang, **shown),
            )
        )
        result.notices.append(msg("scope_confirm_hint", lang, **shown))
    return chosen


@requires(Action.PARTNER_EXCHANGE)
def workbook_scope(
    factory: sessionmaker[Session], data: bytes, *, principal: Principal
) -> Scope | None:
    """The scope a workbook's ``_meta`` sheet states (None: it has none), its signature checked;
    for the dashboard to preselect it. Raises :class:`UnreadableFile` like the import."""
    book = read_workbook(data)
    return _verify_meta(book, signing.key_of(_bind_of(factory)))


@requires(Action.PARTNER_EXCHANGE)
def import_workbook(
    factory: sessionmaker[Session],
    data: bytes,
    *,
    principal: Principal,
    file_name: str,
    scope: Scope | None = None,
    confirm_scope: bool = False,
    dry_run: bool = False,
    lang: str = "de",
    today: dt.date | None = None,
    progress: Progress | None = None,
    ip: str | None = None,
    resolutions: Mapping[tuple[str, str, str], str] | None = None,
) -> ImportResult:
    """Check ``data`` and, unless ``dry_run`` or anything is wrong, apply it in one transaction,
    as ``principal`` (the journal's and the import record's name).

    ``resolutions``: the user's decisions on conflicts, field by field — a
    :attr:`Conflict.decision_key` → :data:`KEEP_FILE` ("keep mine") or :data:`KEEP_CURRENT`
    ("take theirs"). A stale row whose conflicts are all decided is written against the current
    version with the file's values where chosen and the portfolio's elsewhere.

    The scope: see :func:`_resolve_scope` (``scope``: the one asked for; None: the file's;
    ``confirm_scope``: a scope other than the file's is meant). An applied import into a
    partner's scope is recorded in the audit log (from ``ip``).

    Raises :class:`UnreadableFile` for files that can't or mustn't be read (nothing written).
    """
    sha = hashlib.sha256(data).hexdigest()
    key = signing.key_of(_bind_of(factory))
    if progress:
        progress(0.0, "prescan")
    scan = prescan(data)
    if progress:
        progress(0.05, "read")
    book = read_workbook(data, scan=scan)
    file_scope = _verify_meta(book, key)
    shown = scope if scope is not None and not principal.is_scoped else file_scope
    result = ImportResult(
        file_name=file_name, sha256=sha, scope=(shown or Scope()).label, dry_run=dry_run
    )
    with factory() as session:
        set_principal(session, principal)
        _apply(
            session,
            book,
            result,
            principal=principal,
            scope=scope,
            file_scope=file_scope,
            confirm_scope=confirm_scope,
            lang=lang,
            today=today or clock.today(),
            progress=progress,
            ip=ip,
            resolutions=resolutions or {},
        )
    if progress:
        progress(1.0, "")
    return result


@requires(Action.PARTNER_EXCHANGE)
def _apply(
    session: Session,
    book: RawWorkbook,
    result: ImportResult,
    *,
    principal: Principal,
    scope: Scope | None,
    file_scope: Scope | None,
    confirm_scope: bool,
    lang: str,
    today: dt.date,
    progress: Progress | None,
    ip: str | None,
    resolutions: Mapping[tuple[str, str, str], str],
) -> None:
    """The import's one transaction in ``session`` (whose principal :func:`import_workbook`'s
    guard allowed: the services' guarded steps inside pass as nested calls)."""
    sha, dry_run = result.sha256, result.dry_run
    actor = principal.name
    trans = session.begin()
    try:
        conn = session.connection()
        refs = load_refs(conn)
        scope = _resolve_scope(refs, principal, scope, file_scope, confirm_scope, result, lang)
        result.scope = scope.label
        partner_org = partner_id(refs, scope.partner) if scope.partner else None
        partner_projects = None
        if partner_org is not None:
            partner_projects = set(
                conn.execute(
                    select(Participation.project_id).where(
                        Participation.organisation_id == partner_org
                    )
                ).scalars()
            )
        _preload(session)
        breaches_before = _cap_breaches(conn)
        ctx = _Ctx(session, conn, refs, scope, partner_org, partner_projects, lang, today, result)
        ctx.cap_breaches_before = breaches_before
        ctx.locked_by_file = file_scope is not None and bool(file_scope.partner)
        ctx.resolutions = resolutions
        ctx.author = (principal.display_name or principal.name)[:200]
        if partner_org is not None:
            ctx.partner_leads = lead_project_ids(conn, partner_org)
        previous = conn.execute(
            select(ImportRecord.id, ImportRecord.at, ImportRecord.actor)
            .where(ImportRecord.sha256 == sha, ImportRecord.outcome == "applied")
            .order_by(ImportRecord.id.desc())
            .limit(1)
        ).first()
        if previous is not None:
            result.notices.append(
                msg(
                    "same_file",
                    lang,
                    at=fmt_stamp(previous.at, lang),
                    actor=previous.actor,
                    id=str(previous.id),
                )
            )
        record_id = conn.execute(
            insert(ImportRecord).returning(ImportRecord.id),
            {
                "actor": actor,
                "file_name": result.file_name[:300],
                "sha256": sha,
                "scope": scope.label,
                "outcome": "applied",
                "counts": {},
                "at": utcnow(),
            },
        ).scalar_one()
        import_actor = Actor(actor, ChangeSource.IMPORT, f"import:{record_id}")
        # Sheets in dependency order (the reader sorts them): projects, then the rows that
        # refer to projects, payment requests after applications. Each sheet's rows are
        # written before the next sheet is read, so rows may refer to new records of
        # earlier sheets; the transaction still commits only a clean file.
        n = len(book.sheets)
        for i, raw in enumerate(book.sheets):
            if progress:
                progress(0.1 + 0.75 * i / n, raw.title)
            planned_before = len(ctx.planned)
            _plan_sheet(ctx, raw, progress, 0.1 + 0.75 * i / n, 0.75 / n)
            _write_stage(ctx, import_actor, ctx.planned[planned_before:])
        if ctx.outdated:
            result.notices.append(msg("outdated_rows", lang, count=str(ctx.outdated)))
        if ctx.repeated:
            result.notices.append(msg("repeated_rows", lang, count=str(ctx.repeated)))
        if progress:
            progress(0.85, "write")
        if ctx.leads and not ctx.write_failed:
            try:
                with conn.begin_nested():
                    _ensure_leads(session, ctx.leads, import_actor)
            except IntegrityError as exc:
                ctx.write_failed = True
                detail = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
                result.errors.append(
                    Issue("", None, None, msg("unique_violation", lang, detail=detail[:200]))
                )
            except StaleDataError as exc:
                # a participation changed meanwhile: the session rolled the import back
                ctx.write_failed = True
                result.errors.append(Issue("", None, None, lost_race(session, exc).message(lang)))
        if not ctx.write_failed:
            _follow_grants(ctx, import_actor)
        if not ctx.write_failed:
            _check_totals(ctx)
        if progress:
            progress(0.95, "check")
        if result.ok and not dry_run:
            conn.execute(
                update(ImportRecord)
                .where(ImportRecord.id == record_id)
                .values(counts={k: v.to_json() for k, v in result.counts.items()})
            )
            if scope.partner:
                _audit(session, result, principal, scope, ip, import_id=record_id)
            trans.commit()
            result.applied = True
            result.import_id = record_id
        else:
            session.rollback()
    except (StaleDataError, DBAPIError) as exc:
        # PostgreSQL: a deadlock or serialization failure with another writer (SQLSTATE
        # 40P01 / 40001). Nothing was applied; the file can simply be imported again.
        session.rollback()
        if not is_race(exc):
            raise
        result.errors.append(Issue("", None, None, msg("concurrent_import", lang)))
    except BaseException:
        session.rollback()
        raise


def _audit(
    session: Session,
    result: ImportResult,
    principal: Principal,
    scope: Scope,
    ip: str | None,
    *,
    import_id: int,
) -> None:
    """An applied import into a partner's scope, in the audit log (in the import's transaction;
    a refused file writes nothing, not even this)."""
    audit.record(
        session,
        AuditKind.PARTNER_IMPORT,
        actor=principal.name,
        subject=scope.partner,
        ip=ip,
        detail={
            "import_id": import_id,
            "file": result.file_name[:300],
            "sha256": result.sha256,
            "created": result.created,
            "updated": result.updated,
            "errors": len(result.errors),
            "conflicts": len(result.conflicts),
        },
    )


@requires(Action.PARTNER_READ)
def past_imports(
    session: Session, limit: int = 50, *, scope: str | None = None
) -> list[dict[str, Any]]:
    """The latest imports, newest first, for the dashboard's list (``scope``: only those into
    that scope, e.g. ``partner:STW``); a partner sees only the imports into its own
    organisation's scope (its own and the unit's on its behalf)."""
    who = principal_of(session)
    stmt = select(ImportRecord).order_by(ImportRecord.id.desc()).limit(limit)
    if scope is not None:
        stmt = stmt.where(ImportRecord.scope == scope)
    if who.is_scoped:
        org = session.get(Organisation, who.organisation_id) if who.organisation_id else None
        if org is None:
            return []
        stmt = stmt.where(ImportRecord.scope == Scope(partner=org.key).label)
    else:
        allow(who, Action.READ_JOURNAL)
    rows = session.execute(stmt).scalars()
    return [
        {
            "id": r.id,
            "at": r.at,
            "actor": r.actor,
            "file_name": r.file_name,
            "sha256": r.sha256,
            "scope": r.scope,
            "outcome": r.outcome,
            "counts": r.counts,
        }
        for r in rows
    ]


def entity_title(entity: str, lang: str) -> str:
    return entity_label(entity, lang)
