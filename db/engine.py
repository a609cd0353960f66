"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_SQLITE_PATH = Path("data") / "portfolio.db"
SQLITE_BUSY_TIMEOUT_MS = 120_000
"""How long a SQLite writer waits for the write lock before "database is locked". SQLite has one
writer at a time and an Excel import holds the lock for its whole transaction, so this is sized
to the longest import with room to spare: 30,000 changed rows in the workbook of 10,000 projects
(167,000 rows) hold it ≈ 20 s on the 2-core bench machine (bench/bench_concurrency.py,
docs/operations.md "Concurrent writers")."""


def database_url(explicit: str | None = None) -> str:
    """The URL from the argument, else ``PORTFOLIO_DATABASE_URL``, else ``data/portfolio.db``."""
    if explicit:
        return explicit
    env = os.environ.get("PORTFOLIO_DATABASE_URL")
    if env:
        return env
    return f"sqlite:///{DEFAULT_SQLITE_PATH.resolve()}"


READ_ONLY_OPTION = "portfolio_read_only"


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, issue BEGIN, so we can make it BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        # SQLite's lower() folds ASCII only; searches must find "Über" with "über".
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A transaction that reads and then writes would fail at once under WAL when another
        # writer holds the lock; taking the write lock up front makes it wait instead. Sessions
        # that only read (make_session_factory(read_only=True)) begin deferred and never block.
        if conn.get_execution_options().get(READ_ONLY_OPTION):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create the engine for ``url`` (see :func:`database_url`), with SQLite pragmas applied."""
    resolved = make_url(database_url(url))
    if resolved.drivername.startswith("sqlite"):
        if resolved.database and resolved.database != ":memory:":
            Path(resolved.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(resolved, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(resolved, **kwargs)


def make_session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions on ``engine``; ``read_only`` sessions don't take SQLite's write lock."""
    bind = engine.execution_options(**{READ_ONLY_OPTION: True}) if read_only else engine
    return sessionmaker(bind, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
