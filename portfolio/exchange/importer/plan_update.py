"""Planning a stored row of the file: which of its values change, whether the importing scope
may change them, whether the file's version is the current one (else: what someone else changed
meanwhile, and the user's decisions on it), and the services' prepare-and-check step on the
changed values."""

from __future__ import annotations

from functools import partial
from typing import Any

from portfolio.errors import Problem
from portfolio.exchange.importer.cells import shown
from portfolio.exchange.importer.conflicts import Stale, stale_base
from portfolio.exchange.importer.context import PREPARE, ImportContext, Planned
from portfolio.exchange.importer.result import KEEP_CURRENT, KEEP_FILE, SheetCounts, cell_name
from portfolio.exchange.importer.rows import Row, changed_fields
from portfolio.exchange.schema import partner_fields
from portfolio.i18n import t
from portfolio.journal import to_text

Values = dict[str, Any]


def plan_update(
    ctx: ImportContext,
    row: Row,
    key: str,
    version: int | None,
    existing: Values,
    values: Values,
) -> None:
    """Plan the changes of the stored row ``existing`` the file's row states (``values``); its
    rule checks are deferred to the end of the sheet."""
    sp = row.plan
    # Only values that differ from the database are coerced and checked (fast for the many
    # unchanged rows; a legacy value the file merely repeats is not re-judged).
    candidates = changed_fields(values, existing)
    if not candidates:
        sp.counts.unchanged += 1
        return
    if sp.sheet.frozen_rows:
        _refuse_frozen(ctx, row, key, version, existing, candidates)
        return
    prepare = PREPARE[sp.sheet.entity]
    clean, problems = prepare.update_values(ctx.session, existing, candidates)
    changed = changed_fields(clean, existing)
    if not changed and not problems:
        sp.counts.unchanged += 1
        return
    if existing["_archived"]:  # an archived row is only an error if the file changes it
        row.err(t("archived_row", ctx.lang, key=key), sp.key_index, key=key)
        return
    if problems:
        row.refuse(problems, key=key, at=None)
        return
    if ctx.partner_org is not None or ctx.locked_by_file:
        _check_locked(ctx, row, key, version, existing, changed)
        if row.errors:
            return
    # A row without version never gets here: it is a new row (refused above when its key exists).
    assert version is not None
    kept = _against_current(ctx, row, key, version, existing, changed, clean)
    if kept is None:
        return
    changed, clean = kept
    merged = prepare.merged(existing, clean)
    ctx.deferred.append((merged, partial(_finish_update, ctx, row, key, existing, merged, changed)))


def _refuse_frozen(
    ctx: ImportContext,
    row: Row,
    key: str,
    version: int | None,
    existing: Values,
    candidates: Values,
) -> None:
    """A stored report is never changed through the exchange (its history is kept): a cell
    that differs from the row's version in the file is refused; one that repeats it (the
    report was edited in the dashboard since the export) is the older state, skipped."""
    sp, lang, refs = row.plan, ctx.lang, ctx.refs
    typed = candidates
    if version is not None and version < existing["version"]:
        base, _ = stale_base(ctx, sp.sheet, existing, version)
        if base is not None:
            typed = {f: v for f, v in candidates.items() if to_text(v) != base.get(f)}
    for f in sorted(typed, key=lambda f: sp.cols_by_field.get(f, 0)):
        column = sp.column_of.get(f)
        message = t(
            "frozen_row",
            lang,
            field=column.header(lang) if column else f,
            key=key,
            sheet=sp.title,
            new=shown(column, typed[f], lang, refs),
            old=shown(column, existing.get(f), lang, refs),
        )
        row.err(message, sp.cols_by_field.get(f), key=key)
    if not typed:
        ctx.outdated += 1
        sp.counts.unchanged += 1


def _check_locked(
    ctx: ImportContext,
    row: Row,
    key: str,
    version: int | None,
    existing: Values,
    changed: Values,
) -> None:
    """A partner changes only the fields open to partners (and a partner's workbook, read in
    any scope, only its unlocked cells). A stale row repeats the values of its version: a
    locked field someone else changed meanwhile is not the partner's change (the version check
    judges the rest)."""
    sp = row.plan
    base_of_file: dict[str, str | None] | None = None
    if version is not None and version < existing["version"]:
        base_of_file, _ = stale_base(ctx, sp.sheet, existing, version)
    allowed = partner_fields(sp.sheet)
    for f, v in changed.items():
        if base_of_file is not None and to_text(v) == base_of_file.get(f):
            continue
        if f not in allowed:
            col = sp.cols_by_field.get(f)
            row.err(_locked_message(ctx, row, f, v, existing.get(f), col), col, key=key)


def _locked_message(
    ctx: ImportContext, row: Row, f: str, value: Any, old_value: Any, col: int | None
) -> str:
    sp, lang = row.plan, ctx.lang
    column = sp.column_of.get(f)
    new = shown(column, value, lang, ctx.refs)
    old = shown(column, old_value, lang, ctx.refs)
    if sp.sheet.grant:
        # a grant is the Innovation Unit's: the message names the cell
        params = {"cell": cell_name(col, row.excel_row) or "?", "new": new, "old": old}
        return Problem(f, "partner_grant_field", params).message(lang)
    field_name = column.header(lang) if column else f
    code = "partner_field" if ctx.partner_org is not None else "locked_field"
    return t(code, lang, field=field_name, new=new, old=old)


def _against_current(
    ctx: ImportContext,
    row: Row,
    key: str,
    version: int,
    existing: Values,
    changed: Values,
    clean: Values,
) -> tuple[Values, Values] | None:
    """The row's changes (``changed``, ``clean``) as they apply to the stored version; None
    when nothing is left to write (or the row is an error or a conflict)."""
    sp = row.plan
    current_version = existing["version"]
    if version > current_version:
        message = t("version_ahead", ctx.lang, value=str(version), current=str(current_version))
        row.err(message, sp.version_index, key=key)
        return None
    if version == current_version:
        return changed, clean
    base, latest = stale_base(ctx, sp.sheet, existing, version)
    user_changed = (
        {f for f in changed if to_text(changed[f]) != base.get(f)}
        if base is not None
        else set(changed)
    )
    if not user_changed:
        ctx.outdated += 1
        sp.counts.unchanged += 1
        return None
    decided = {f: ctx.resolutions.get((sp.sheet.entity, key, f)) for f in user_changed}
    undecided = {f for f, d in decided.items() if d not in (KEEP_FILE, KEEP_CURRENT)}
    if undecided:
        sp.counts.conflicting += 1
        stale = Stale(
            sp.title,
            row.excel_row,
            key,
            sp.sheet.entity,
            version,
            current_version,
            latest.actor if latest is not None else None,
            latest.at if latest is not None else None,
        )
        stale.report(ctx, undecided, sp.column_of.get, sp.cols_by_field, existing, changed)
        return None
    return _decided(sp.counts, decided, changed, clean)


def _decided(
    counts: SheetCounts, decided: dict[str, str | None], changed: Values, clean: Values
) -> tuple[Values, Values] | None:
    """Every conflict decided: the file's value where the user chose it, the portfolio's
    everywhere else (also where only the portfolio changed since the export)."""
    keep = {f for f, d in decided.items() if d == KEEP_FILE}
    changed = {f: v for f, v in changed.items() if f in keep}
    if not changed:
        counts.unchanged += 1
        return None
    return changed, {f: v for f, v in clean.items() if f in keep}


def _finish_update(
    ctx: ImportContext,
    row: Row,
    key: str,
    existing: Values,
    merged: Values,
    changed: Values,
) -> None:
    """The services' rules on the changed row; a row that passes is planned."""
    sp = row.plan
    prepare = PREPARE[sp.sheet.entity]
    problems = prepare.update_rules(ctx.session, existing, merged, changed, today=ctx.today)
    if problems:
        row.refuse(problems, key=key, at=sp.key_index)
        row.flush(ctx)
        return
    changed = prepare.writes(existing, merged, changed)  # with the derived fields that follow
    sp.counts.changed += 1
    project_id = existing["_project_id"]
    ctx.planned.append(
        Planned(
            sp.sheet, row.excel_row, key, "update", changed, existing, project_id, sp.cols_by_field
        )
    )
    sp.diff(ctx, row.excel_row, key, "update", changed, existing)
