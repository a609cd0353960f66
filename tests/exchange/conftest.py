"""Fixtures of the exchange tests."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from db.engine import make_session_factory


@pytest.fixture
def sqlite_factory(sqlite_engine: Engine) -> sessionmaker[Session]:
    """SQLite only, for tests about the workbook rather than the database."""
    return make_session_factory(sqlite_engine)
