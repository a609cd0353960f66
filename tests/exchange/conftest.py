"""The exchange tests' ``factory``: sessions signed in as the tests' administrator (TESTER), not
SYSTEM as the suite's ``factory`` in tests/fixtures/base.py. It overrides that one for this folder
only, so it stays here rather than in tests/fixtures/exchange.py (a plugin applies suite-wide)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from db.engine import make_session_factory
from tests.fixtures.exchange import signed_in


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return signed_in(make_session_factory(engine))
