"""The health route: 200 while the database answers, 503 (and no detail) when it does not."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portfolio import web


def _client() -> TestClient:
    return TestClient(Starlette(routes=web.routes()))


def test_health_answers_when_the_database_does(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    db = tmp_path / "health.db"
    shutil.copy(sqlite_template, db)
    monkeypatch.setenv("PORTFOLIO_DATABASE_URL", f"sqlite:///{db}")
    response = _client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_reports_an_unreachable_database_without_details(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # nothing listens on port 9 of the loopback: the connection is refused at once
    url = "postgresql+psycopg://portfolio-health@127.0.0.1:9/none?connect_timeout=5"
    monkeypatch.setenv("PORTFOLIO_DATABASE_URL", url)
    response = _client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert "portfolio-health" not in response.text
