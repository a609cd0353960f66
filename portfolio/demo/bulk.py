"""Rows written in bulk through Core, each journaled as created: COPY on PostgreSQL, an
executemany ``INSERT … RETURNING`` on SQLite. For the synthetic portfolio of the scale tests,
where going through the services row by row would take hours."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert, text

from db.enums import JournalAction
from db.models.base import table_of
from portfolio.journal import Actor, Change, record


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in bulk and return their ids in order: COPY on PostgreSQL, an
    executemany ``INSERT … RETURNING`` elsewhere (SQLite)."""
    if not rows:
        return []
    if conn.dialect.name == "postgresql":
        return _copy_postgres(conn, table, rows)
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(conn.execute(stmt, rows).scalars())


def _copy_postgres(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """PostgreSQL: reserve the ids from the table's own sequence (so it stays ahead of every
    row, no ``setval`` needed afterwards), then COPY the rows with those ids, in the caller's
    transaction. Values go through each column type's bind processing (JSON lists, …)."""
    ids = list(
        conn.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": len(rows)},
        ).scalars()
    )
    columns = list(rows[0])
    dialect = conn.dialect
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
    ]
    raw = conn.connection.driver_connection
    assert raw is not None
    sql = f"COPY {table.name} (id, {', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cur, cur.copy(sql) as copy:
        for row_id, row in zip(ids, rows, strict=True):
            copy.write_row(
                (
                    row_id,
                    *(
                        row[name] if proc is None else proc(row[name])
                        for name, proc in zip(columns, processors, strict=True)
                    ),
                )
            )
    return ids


def journal_created(
    conn: Connection,
    actor: Actor,
    entity: str,
    ids: Sequence[int],
    rows: Sequence[dict[str, Any]],
    project_of: Callable[[int, dict[str, Any]], int | None],
) -> None:
    record(
        conn,
        actor,
        [
            Change(
                entity=entity,
                entity_id=row_id,
                action=JournalAction.CREATE,
                fields={
                    k: (None, v)
                    for k, v in row.items()
                    if v is not None and k not in ("version", "archived")
                },
                entity_key=row.get("key"),
                project_id=project_of(row_id, row),
                version=1,
            )
            for row_id, row in zip(ids, rows, strict=True)
        ],
    )


def by_project(_id: int, row: dict[str, Any]) -> int:
    project_id: int = row["project_id"]
    return project_id


def store(
    conn: Connection,
    actor: Actor,
    model: type[Any],
    entity: str,
    rows: list[dict[str, Any]],
    project_of: Callable[[int, dict[str, Any]], int] = by_project,
) -> list[int]:
    """Insert ``rows`` of ``model`` and journal them; returns their ids."""
    ids = insert_rows(conn, table_of(model), rows)
    journal_created(conn, actor, entity, ids, rows, project_of)
    return ids
