"""Planning a sheet: read each row's cells, tell new rows from stored ones by key and version,
skip rows the database already holds, and hand each row to :mod:`plan_update` or
:mod:`plan_create`; the rule checks of the planned rows run last, after one load of what they
look up."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import select

from db.models import FundingApplication, Kpi, Project
from portfolio.exchange import parse
from portfolio.exchange.importer.cells import cell_message, header_map
from portfolio.exchange.importer.context import FILLED_IN, PREPARE, ImportContext, Planned, Progress
from portfolio.exchange.importer.plan_create import plan_create
from portfolio.exchange.importer.plan_update import plan_update
from portfolio.exchange.importer.result import Issue, SheetCounts, cell_name
from portfolio.exchange.importer.rows import Row, SheetPlan, differs
from portfolio.exchange.reader import RawSheet
from portfolio.exchange.safety import UnreadableFile
from portfolio.exchange.schema import Column, Sheet
from portfolio.exchange.state import TABLE_OF, chunks, load_rows
from portfolio.i18n import t
from portfolio.services.fields import check
from portfolio.vocab import field_label

_REF_ENTITY = {"project": "project", "application": "funding_application"}


def plan_sheet(
    ctx: ImportContext, raw: RawSheet, progress: Progress | None, base: float, span: float
) -> None:
    """Check every row of one sheet and plan what it writes (``ctx.planned``); what is wrong
    goes to the result at its cell."""
    sp = _open_sheet(ctx, raw)
    if sp is None:
        return
    planned_before = len(ctx.planned)
    rows = raw.rows
    total = max(len(rows) - 1, 1)
    for n, cells in enumerate(rows[1:], start=1):
        excel_row = raw.first_row + n
        if excel_row in sp.formula_rows:
            continue  # refused cell by cell already
        if progress and n % 2000 == 0:
            progress(base + span * n / total, raw.title)
        if not _skipped(cells):
            _plan_row(ctx, Row(sp, excel_row), cells)
    _run_deferred(ctx)
    _note_failed_new(ctx, sp, ctx.planned[planned_before:])


def _open_sheet(ctx: ImportContext, raw: RawSheet) -> SheetPlan | None:
    """The sheet's columns and stored rows; None when it has no key column to read by."""
    sheet, lang, result = raw.sheet, ctx.lang, ctx.result
    counts = result.counts.setdefault(sheet.id, SheetCounts())
    result.sheet_titles[sheet.id] = raw.title
    mapping, key_index, unknown = header_map(raw)
    formula_rows = _formula_errors(ctx, raw, mapping, counts)
    if unknown:
        columns = ", ".join(unknown)
        result.notices.append(t("ignored_columns", lang, sheet=raw.title, columns=columns))
    if key_index is None:
        message = UnreadableFile("no_header", sheet=raw.title).message(lang)
        result.errors.append(Issue(raw.title, raw.first_row, None, message))
        return None
    version_index = next((i for i, c in mapping.items() if c.kind == "version"), None)
    state = load_rows(
        ctx.conn,
        sheet,
        ctx.refs,
        project_ids=None,
        partner_org=ctx.partner_org,
        include_archived=True,
    )
    in_use = _keys_in_use(ctx, sheet)
    return SheetPlan(
        raw, lang, counts, mapping, key_index, version_index, state, formula_rows, in_use, ctx.refs
    )


def _keys_in_use(ctx: ImportContext, sheet: Sheet) -> Iterable[str]:
    """The sheet's keys outside the loaded scope too (a new row may not take them)."""
    if sheet.entity == "project":
        return ctx.refs.project.keys
    if sheet.entity == "funding_application":
        return ctx.refs.application.keys
    if sheet.entity in ("milestone", "payment_request", "cost_item"):
        table = TABLE_OF[sheet.entity].__table__
        return ctx.conn.execute(select(table.c.key)).scalars()
    return ()


def _skipped(cells: list[Any]) -> bool:
    """An empty row, or a comment (its first cell starts with ``#``)."""
    if all(parse.is_blank(c) for c in cells):
        return True
    first = next((c for c in cells if not parse.is_blank(c)), "")
    return isinstance(first, str) and first.lstrip().startswith("#")


def _plan_row(ctx: ImportContext, row: Row, cells: list[Any]) -> None:
    sp = row.plan
    key = parse.parse_key(cells[sp.key_index]) if sp.key_index < len(cells) else None
    version = _read_version(ctx, row, cells, key)
    values = _read_values(ctx, row, cells, key)
    existing = sp.by_key.get(key.casefold()) if key else None
    _note_seen(ctx, row, key, existing)
    if _repeats_stored(ctx, row, key, version, existing, values):
        sp.counts.unchanged += 1
        ctx.repeated += 1
        return
    if row.errors:
        _report_invalid(ctx, row, key, values)
        return
    if existing is not None:
        assert key is not None
        plan_update(ctx, row, key, version, existing, values)
    else:
        plan_create(ctx, row, key, values)
    if row.errors:
        row.flush(ctx)


def _read_version(ctx: ImportContext, row: Row, cells: list[Any], key: str | None) -> int | None:
    index = row.plan.version_index
    if index is None or index >= len(cells):
        return None
    try:
        return parse.parse_int(cells[index])
    except parse.CellError:
        name = field_label("version", ctx.lang)
        value = parse.display(cells[index])
        row.err(t("bad_version", ctx.lang, field=name, value=value), index, key=key)
        return None


def _read_values(ctx: ImportContext, row: Row, cells: list[Any], key: str | None) -> dict[str, Any]:
    """The typed values of the row's editable cells (a cell that can't be read is an error)."""
    sp = row.plan
    values: dict[str, Any] = {}
    for f in sp.present:
        i = sp.cols_by_field[f]
        try:
            values[f] = sp.parsers[f](cells[i] if i < len(cells) else "")
        except parse.CellError as exc:
            row.err(_ref_message(ctx, exc, sp.mapping[i], ctx.lang), i, key=key)
    return values


def _note_seen(
    ctx: ImportContext, row: Row, key: str | None, existing: dict[str, Any] | None
) -> None:
    """A key the sheet has in an earlier row already is an error."""
    sp = row.plan
    if not key:
        return
    folded = key.casefold()
    if folded in sp.seen_rows:
        code = "duplicate_row" if existing is not None else "duplicate_new_key"
        other = str(sp.seen_rows[folded])
        row.err(t(code, ctx.lang, key=key, other=other), sp.key_index, key=key)
    else:
        sp.seen_rows[folded] = row.excel_row


def _repeats_stored(
    ctx: ImportContext,
    row: Row,
    key: str | None,
    version: int | None,
    existing: dict[str, Any] | None,
    values: dict[str, Any],
) -> bool:
    """Whether the row repeats a stored record exactly (a file imported a second time); checks
    the key of a row that is not stored on the way."""
    sp = row.plan
    if key and existing is None:
        _check_new_key(ctx, row, key, version)
        return False
    if row.errors:
        return False
    if existing is not None and version is None:
        # A row without version whose key exists: the same record again is unchanged; anything
        # else is a new row with a taken key, or an existing row whose version was cleared.
        # Either way: never overwrite.
        if _same_record(sp.sheet, existing, values):
            return True
        row.err(t("key_exists", ctx.lang, key=key or ""), sp.key_index, key=key)
        return False
    if key is None and sp.sheet.id_key_prefix:
        # a keyless row of a sheet with id keys: the same participation or measurement again?
        twin = _natural_twin(sp, values)
        return twin is not None and _same_record(sp.sheet, twin, values)
    return False


def _check_new_key(ctx: ImportContext, row: Row, key: str, version: int | None) -> None:
    """A key the loaded rows don't have: another partner's row, one that does not exist, or
    the key a new row states for itself."""
    sp, lang = row.plan, ctx.lang
    other = _exists_elsewhere(ctx, sp.sheet, key)
    if ctx.partner_org is not None and other:
        partner = ctx.scope.partner or ""
        row.err(t("partner_row", lang, key=key, partner=partner), sp.key_index, key=key)
    elif version is not None or sp.sheet.id_key_prefix or other:
        row.err(t("key_not_found", lang, key=key), sp.key_index, key=key)
    else:
        sp.declared.setdefault(key.casefold(), row.excel_row)


def _report_invalid(ctx: ImportContext, row: Row, key: str | None, values: dict[str, Any]) -> None:
    """An invalid row: the other fields' problems of the row too, in one go."""
    sp = row.plan
    failed = {e.col_index for e in row.errors}
    for p in check(sp.sheet.specs, values, partial=True)[1]:
        col = sp.cols_by_field.get(p.field)
        if col not in failed:
            row.err(p.message(ctx.lang), col, key=key)
    row.flush(ctx)


def _note_failed_new(ctx: ImportContext, sp: SheetPlan, planned: list[Planned]) -> None:
    """The keys new rows stated that were not planned: later rows referring to them say so."""
    created = {
        str(p.values["key"]).casefold()
        for p in planned
        if p.action == "create" and p.values.get("key")
    }
    for k, row_no in sp.declared.items():
        if k not in created:
            ctx.failed_new[sp.sheet.entity][k] = (sp.title, row_no)


def _same_record(sheet: Sheet, existing: dict[str, Any], values: dict[str, Any]) -> bool:
    """Whether a new row of the file describes the stored row ``existing`` exactly, as its
    create() would have stored it (a file imported a second time): cells left empty where
    create() fills in a default or the rules derive a value count as equal."""
    if sheet.entity not in PREPARE:  # a status report: the import fills in only the author
        return all(
            (v in (None, []) and f in FILLED_IN) or not differs(v, existing.get(f))
            for f, v in values.items()
        )
    prepare = PREPARE[sheet.entity]
    data = prepare.with_defaults(values)
    for f, v in data.items():
        if f not in values:  # a missing column: not stated
            continue
        if v in (None, []) and f in prepare.derived:
            continue
        if differs(v, existing.get(f)):
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


def _natural_twin(sp: SheetPlan, values: dict[str, Any]) -> dict[str, Any] | None:
    """The stored row with the same natural key as ``values``, if any."""
    nk = _natural_key(sp.sheet, values)
    if nk is None:
        return None
    if sp.natural is None:
        sp.natural = {}
        for stored in sp.state:
            sp.natural.setdefault(cast(tuple[Any, ...], _natural_key(sp.sheet, stored)), stored)
    return sp.natural.get(nk)


def _formula_errors(
    ctx: ImportContext, raw: RawSheet, mapping: dict[int, Column], counts: SheetCounts
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


def _ref_message(ctx: ImportContext, exc: parse.CellError, column: Column, lang: str) -> str:
    """The message of a cell that could not be read; a reference to a new row of this file
    that has errors says so instead of "unknown"."""
    if exc.code == "unknown_reference" and column.ref in _REF_ENTITY:
        text = " ".join(str(exc.value).split()).casefold()
        found = ctx.failed_new[_REF_ENTITY[column.ref]].get(text)
        if found is not None:
            return t(
                "ref_to_failed_new_row",
                lang,
                field=column.header(lang),
                value=str(exc.value).strip(),
                sheet=found[0],
                row=str(found[1]),
            )
    return cell_message(exc.code, column, exc.value, lang)


def _run_deferred(ctx: ImportContext) -> None:
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


def _exists_elsewhere(ctx: ImportContext, sheet: Sheet, key: str) -> bool:
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
