"""Writing the planned rows of a sheet: Core executemany, the UPDATEs guarded by the version
the row was read at (a row another writer changed meanwhile is a conflict), the INSERTs with
the ids they got, new status reports through their service, all journaled under the import."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, bindparam, insert, update
from sqlalchemy.exc import IntegrityError

from db.enums import JournalAction
from db.models.base import utcnow
from portfolio.errors import ValidationFailed
from portfolio.exchange.importer.conflicts import race_conflict
from portfolio.exchange.importer.context import ImportContext, Planned
from portfolio.exchange.state import TABLE_OF
from portfolio.journal import Actor, Change, record, set_actor
from portfolio.services import status_reports


def write_stage(ctx: ImportContext, actor: Actor, items: list[Planned]) -> None:
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
        ctx.refuse_duplicate(exc)
        _forget_new(ctx, items)
        return
    _add_refs(ctx, items)
    # ORM objects the later rule checks may have loaded must not hide the written values
    written = {TABLE_OF[p.sheet.entity] for p in items}
    for obj in list(ctx.session.identity_map.values()):
        if type(obj) in written:
            ctx.session.expire(obj)


def _add_refs(ctx: ImportContext, items: list[Planned]) -> None:
    """New projects and applications, for the references of later sheets."""
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


def _create_reports(ctx: ImportContext, actor: Actor, items: list[Planned]) -> None:
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
            for problem in exc.problems:
                ctx.result.errors.append(ctx.issue_at(p, problem.field, problem.message(ctx.lang)))
            ctx.withdraw(p)


def _forget_new(ctx: ImportContext, items: list[Planned]) -> None:
    """New rows that were not written: later rows referring to them say so."""
    for p in items:
        if p.action == "create" and p.values.get("key"):
            title = ctx.title_of(p.sheet)
            ctx.failed_new[p.sheet.entity][str(p.values["key"]).casefold()] = (title, p.row)


def _write(ctx: ImportContext, actor: Actor, planned: list[Planned]) -> None:
    """The rows of each table in dependency order, journaled in one go."""
    now = utcnow()
    journal: list[Change] = []
    by_sheet: dict[str, list[Planned]] = defaultdict(list)
    for p in planned:
        by_sheet[p.sheet.entity].append(p)
    for entity in TABLE_OF:
        items = by_sheet.get(entity, [])
        if not items:
            continue
        table = TABLE_OF[entity].__table__
        updates = [p for p in items if p.action == "update"]
        journal += _write_updates(ctx, entity, table, updates, now)
        creates = [p for p in items if p.action == "create"]
        journal += _write_creates(ctx, entity, table, creates, now)
    record(ctx.conn, actor, journal, at=now)


def _write_updates(
    ctx: ImportContext, entity: str, table: Any, updates: list[Planned], now: dt.datetime
) -> list[Change]:
    """The changed rows, one guarded executemany for the rows changing the same fields."""
    journal: list[Change] = []
    groups: dict[tuple[str, ...], list[Planned]] = defaultdict(list)
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
        _guarded_update(ctx, ctx.conn, stmt, params, group)
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
            _note_lead(ctx, entity, p.existing["id"], p)
    return journal


def _write_creates(
    ctx: ImportContext, entity: str, table: Any, creates: list[Planned], now: dt.datetime
) -> list[Change]:
    """The new rows, in one executemany that returns their ids in order."""
    if not creates:
        return []
    rows = [{**p.values, "version": 1, "created_at": now, "updated_at": now} for p in creates]
    ids = (
        ctx.conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
        .scalars()
        .all()
    )
    journal: list[Change] = []
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
        _note_lead(ctx, entity, new_id, p)
    return journal


def _note_lead(ctx: ImportContext, entity: str, row_id: int, p: Planned) -> None:
    """A project whose lead organisation the file sets: its participations follow later."""
    if entity == "project" and p.values.get("lead_organisation_id"):
        ctx.leads[row_id] = p.values["lead_organisation_id"]


def _guarded_update(
    ctx: ImportContext,
    conn: Connection,
    stmt: Any,
    params: list[dict[str, Any]],
    group: list[Planned],
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
        race_conflict(ctx, conn, stmt.table, p)
