"""Fixtures of the exchange tests.

Their sessions act as the administrator the suite signs in as (:data:`tests.conftest.TESTER`):
the services and the exchange check the principal. A test that models a partner imports and
exports as a partner principal (:func:`tests.exchange.helpers.partner`).
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from db.engine import make_session_factory
from portfolio.policy import set_principal
from tests.conftest import TESTER


def signed_in(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """``factory`` whose sessions start signed in as the tests' administrator."""
    probe = factory()
    set_principal(probe, TESTER)
    factory.configure(info=dict(probe.info))
    probe.close()
    return factory


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return signed_in(make_session_factory(engine))


@pytest.fixture
def sqlite_factory(sqlite_engine: Engine) -> sessionmaker[Session]:
    """SQLite only, for tests about the workbook rather than the database."""
    return signed_in(make_session_factory(sqlite_engine))
