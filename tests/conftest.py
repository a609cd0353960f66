"""Shared fixtures: a migrated, seeded database on SQLite and (when configured) PostgreSQL.

``PORTFOLIO_TEST_POSTGRES_URL`` points at a PostgreSQL server; every test worker gets its own
database there, created and migrated once, truncated and re-seeded before each test. When the
variable is set but the server cannot be reached, the suite fails instead of skipping.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from db import migrate
from db.engine import make_engine, make_session_factory
from db.enums import ChangeSource, Role
from db.models import Base
from portfolio import clock
from portfolio.journal import Actor, set_actor
from portfolio.policy import SYSTEM, Principal, set_principal
from portfolio.seed import ensure_reference_data

POSTGRES_URL = os.environ.get("PORTFOLIO_TEST_POSTGRES_URL")
pytest_plugins = ["tests.fixtures.databases"]
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
TODAY = dt.date(2026, 11, 26)
# The whole suite, its session fixtures and every subprocess it starts (CLI, Streamlit server)
# live on TODAY through the one clock; nothing may compare with the wall clock.
os.environ[clock.ENV_TODAY] = TODAY.isoformat()
# Hypothesis: "ci" (the default, what `make test` runs) has no per-example deadline, since a
# shared 2-core machine once took 398 ms for an example against the 200 ms default; "dev"
# (HYPOTHESIS_PROFILE=dev) keeps the deadline to spot slow properties while writing them.
settings.register_profile("ci", deadline=None, print_blob=True)
settings.register_profile("dev", deadline=200)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
TESTER = Principal("tester", Role.ADMIN)
"""Who the tests act as: an administrator (the role tests of :mod:`portfolio.policy` use others)."""


def _seed(engine: Engine) -> None:
    with make_session_factory(engine)() as session, session.begin():
        set_actor(session, Actor("seed", ChangeSource.SYSTEM))
        ensure_reference_data(session)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "portfolio.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    _seed(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


def create_postgres_database(prefix: str) -> str:
    """A new empty database on the test server; returns its URL."""
    assert POSTGRES_URL
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - reported as a failure, never a skip
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is not reachable: {exc}")
    finally:
        admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    assert POSTGRES_URL
    name = make_url(url).database
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    url = create_postgres_database("portfolio_test")
    engine = make_engine(url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    drop_postgres_database(url)


def _reset_postgres(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    _seed(engine)


@pytest.fixture(params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Engine]:
    if request.param == "sqlite":
        path = tmp_path / "portfolio.db"
        shutil.copy(sqlite_template, path)
        eng = make_engine(f"sqlite:///{path}")
        yield eng
        eng.dispose()
    else:
        eng = request.getfixturevalue("postgres_engine")
        _reset_postgres(eng)
        yield eng


@pytest.fixture
def sqlite_engine(tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    """SQLite only, for tests that are about the product, not the database."""
    path = tmp_path / "portfolio.db"
    shutil.copy(sqlite_template, path)
    eng = make_engine(f"sqlite:///{path}")
    yield eng
    eng.dispose()


class SignedInSession(Session):
    """A test session signed in as :data:`portfolio.policy.SYSTEM`, the administrator the
    journal names "system" (as it named a session without an actor before the policy)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_principal(self, SYSTEM)


def signed_in_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """:func:`db.engine.make_session_factory`, with every session signed in as ``SYSTEM``
    (tests about the policy itself make their sessions without a principal)."""
    plain = make_session_factory(engine, read_only=read_only)
    return sessionmaker(class_=SignedInSession, **plain.kw)


def admin(name: str, source: ChangeSource = ChangeSource.UI, ref: str | None = None) -> Principal:
    """An administrator named ``name``: the journal writes ``name`` (``source``, ``ref``)."""
    return Principal(name, Role.ADMIN, source=source, ref=ref)


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on the test database, signed in as the system administrator."""
    return signed_in_factory(engine)


@pytest.fixture
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as s:
        set_principal(s, TESTER)
        yield s
