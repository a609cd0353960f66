"""Rows changed by someone else: the row as the file's version had it (rebuilt from the
journal), and the conflicts that name who changed it when, field by field — for a stale row of
the file and for a row another writer changed between the import's read and its write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, select

from db.models import JournalChange, JournalEntry
from portfolio.exchange.importer.cells import column_for, shown
from portfolio.exchange.importer.context import ImportContext, Planned
from portfolio.exchange.importer.result import Conflict, Issue
from portfolio.exchange.schema import Column, Sheet
from portfolio.i18n import fmt_stamp, t
from portfolio.journal import to_text
from portfolio.services.base import last_change


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


def stale_base(
    ctx: ImportContext, sheet: Sheet, existing: dict[str, Any], version: int
) -> tuple[dict[str, str | None] | None, JournalEntry | None]:
    """A stored row of ``sheet`` as of the file's ``version`` (None: the journal can't tell),
    and the latest change after it."""
    current = {f: existing.get(f) for f in sheet.specs if f in existing}
    return _journal_base(ctx.conn, sheet.entity, existing["id"], version, current)


@dataclass(frozen=True)
class Stale:
    """A row of the file at ``version`` whose stored row is at ``current_version`` now, last
    changed by ``actor`` at ``at`` (None: the journal does not say)."""

    title: str
    row: int
    key: str
    entity: str
    version: int
    current_version: int
    actor: str | None
    at: dt.datetime | None

    def report(
        self,
        ctx: ImportContext,
        fields: Iterable[str],
        column_of: Callable[[str], Column | None],
        cols: Mapping[str, int],
        old: Mapping[Any, Any],
        new: Mapping[str, Any],
    ) -> None:
        """A conflict for each of ``fields`` (in the order of the file's columns): the
        portfolio's value ``old``, the file's ``new``, and what a resolution names."""
        lang = ctx.lang
        stamp = fmt_stamp(self.at, lang) if self.at is not None else "?"
        for f in sorted(fields, key=lambda f: cols.get(f, 0)):
            column = column_of(f)
            header = column.header(lang) if column else f
            old_text = shown(column, old.get(f), lang, ctx.refs)
            new_text = shown(column, new[f], lang, ctx.refs)
            message = t(
                "conflict_field",
                lang,
                field=header,
                version=str(self.version),
                current=str(self.current_version),
                actor=self.actor if self.actor is not None else "?",
                at=stamp,
                old=old_text,
                new=new_text,
            )
            ctx.result.conflicts.append(
                Conflict(
                    self.title,
                    self.row,
                    header,
                    message,
                    cols.get(f),
                    self.key,
                    file_value=new_text,
                    current_value=old_text,
                    changed_by=self.actor,
                    changed_at=self.at,
                    entity=self.entity,
                    field=f,
                )
            )


def race_conflict(ctx: ImportContext, conn: Connection, table: Any, p: Planned) -> None:
    """A row someone else changed between the import's read and its write (on PostgreSQL, a
    transaction that committed meanwhile): a conflict naming who and when, like a stale row in
    the file. The import's transaction is still usable: a guarded UPDATE that matches no row
    fails nothing, and it reads the committed row and its journal."""
    assert p.existing is not None
    title = ctx.title_of(p.sheet)
    counts = ctx.result.counts[p.sheet.id]
    counts.changed -= 1
    counts.conflicting += 1
    current = conn.execute(select(table).where(table.c.id == p.existing["id"])).mappings().first()
    entry, _fields = last_change(conn, p.sheet.entity, p.existing["id"])
    if current is None or entry is None:
        message = t("concurrent_change", ctx.lang, key=p.key)
        ctx.result.errors.append(Issue(title, p.row, None, message, None, p.key))
        return
    stale = Stale(
        title,
        p.row,
        p.key,
        p.sheet.entity,
        p.existing["version"],
        current["version"],
        entry.actor,
        entry.at,
    )
    stale.report(ctx, p.values, lambda f: column_for(p.sheet, f), p.cols, current, p.values)
