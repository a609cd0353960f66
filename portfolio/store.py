"""The one engine per process and database: migrated to the schema head and given its
reference data on first use. The dashboard (:mod:`portfolio.ui.runtime`) and the HTTP routes
(:mod:`portfolio.web`) served by the same process share it, and so its connection pool."""

from __future__ import annotations

import os
import threading

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from db import migrate
from db.engine import make_engine, make_session_factory
from db.enums import ChangeSource
from portfolio.journal import Actor, set_actor
from portfolio.seed import ensure_reference_data

_engines: dict[str | None, Engine] = {}
_lock = threading.Lock()


def engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default ``PORTFOLIO_DATABASE_URL``), migrated on first use."""
    key = url or os.environ.get("PORTFOLIO_DATABASE_URL")
    with _lock:
        found = _engines.get(key)
        if found is None:
            found = make_engine(key)
            if not migrate.is_up_to_date(found):
                migrate.upgrade(found)
                with make_session_factory(found)() as session, session.begin():
                    set_actor(session, Actor("system", ChangeSource.SYSTEM, "app start"))
                    ensure_reference_data(session)
            _engines[key] = found
        return found


def session_factory(url: str | None = None, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions on :func:`engine` (``read_only``: never takes SQLite's write lock)."""
    return make_session_factory(engine(url), read_only=read_only)
