"""Query-count guards (issue 15): every page of the dashboard issues the same number of SQL
statements for 60 and for 150 projects — no page loads the portfolio row by row.

The count comes from SQLAlchemy's ``before_cursor_execute`` hook on every engine of the process
(the app makes its own), around one server-side render (AppTest) with the data caches cleared.
"""

from __future__ import annotations

import logging
from collections import Counter as Tally
from collections.abc import Iterator
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import Engine, event
from streamlit.testing.v1 import AppTest

from db.engine import make_session_factory
from db.enums import ChangeSource, Role
from portfolio.demo.synthetic import generate
from portfolio.policy import Principal, set_principal
from portfolio.ui.runtime import PRINCIPAL_KEY
from tests.fixtures.base import TODAY
from tests.fixtures.ui import APP

SMALL, LARGE = 60, 150
"""Enough projects for every Leitthema and Handlungsfeld to have some (a page draws a chart per
field that has projects), then two and a half times as many."""
PAGES: tuple[tuple[str, dict[str, str]], ...] = (
    ("overview", {}),
    ("overview", {"thema": "2"}),
    ("register", {}),
    ("register", {"status": "implementation", "sortierung": "funding_approved"}),
    ("project", {"projekt": "SYN-00003"}),
    ("project", {"projekt": "SYN-00003", "bereich": "foerderung"}),
    ("project", {"projekt": "SYN-00003", "bereich": "journal"}),
    ("timeline", {}),
    ("partners", {"partner": "STW"}),
    ("funding", {}),
    ("quality", {}),
    ("deadlines", {}),
    ("exchange", {}),
    ("reports", {}),
    ("masterdata", {}),
    ("publication", {}),
    ("accounts", {}),
    ("audit", {}),
)


class Counter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(" ".join(statement.split())[:160])


@pytest.fixture
def counter() -> Iterator[Counter]:
    count = Counter()
    event.listen(Engine, "before_cursor_execute", count)
    yield count
    event.remove(Engine, "before_cursor_execute", count)


def _add_projects(engine: Engine, n: int) -> None:
    with make_session_factory(engine)() as session, session.begin():
        set_principal(session, Principal("demo", Role.ADMIN, source=ChangeSource.SYSTEM))
        generate(session, n, seed=1, today=TODAY)


def _counts(counter: Counter) -> dict[str, list[str]]:
    """The statements of one render of every page, by page."""
    out: dict[str, list[str]] = {}
    for page, query in PAGES:
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state[PRINCIPAL_KEY] = Principal("tester", Role.ADMIN)
        if page == "overview":
            at.query_params.update(query)
        at.run()
        if page != "overview":
            at.switch_page(f"portfolio/ui/entry/{page}.py")
            at.query_params.update(query)
            at.run()
        st.cache_data.clear()
        counter.statements = []
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        out[f"{page} {query}"] = list(counter.statements)
    return out


@pytest.mark.slow
def test_pages_issue_a_bounded_number_of_queries(
    engine: Engine, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    monkeypatch.setenv("PORTFOLIO_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("PORTFOLIO_TODAY", TODAY.isoformat())
    monkeypatch.delenv("PORTFOLIO_USER", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()  # the app's engine of an earlier test
    try:
        _add_projects(engine, SMALL)
        small = _counts(counter)
        _add_projects(engine, LARGE - SMALL)
        large = _counts(counter)
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
    assert all(small.values()), small
    grown = {
        page: (
            len(small[page]),
            len(large[page]),
            sorted((Tally(large[page]) - Tally(small[page])).elements()),
        )
        for page in small
        if len(large[page]) != len(small[page])
    }
    assert not grown, f"queries ({SMALL} projects, {LARGE} projects, extra statements): {grown}"
