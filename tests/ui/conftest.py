"""Dashboard test fixtures: a per-test SQLite copy of the Bochum demo (or an empty database),
the environment pointing the app at it, and Streamlit caches emptied around every test."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
import streamlit as st
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from db.engine import make_engine, make_session_factory
from db.enums import ChangeSource, Role
from portfolio.policy import Principal, set_principal
from portfolio.ui.runtime import PRINCIPAL_KEY
from tests.conftest import TODAY

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
PAGES = (
    "overview",
    "register",
    "project",
    "timeline",
    "partners",
    "funding",
    "quality",
    "exchange",
    "reports",
    "masterdata",
)


@pytest.fixture(scope="session")
def bochum_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The migrated, seeded database with the Bochum demo portfolio, built once per worker."""
    from portfolio.demo.bochum import load_bochum

    path = tmp_path_factory.mktemp("bochum") / "portfolio.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with make_session_factory(engine)() as session, session.begin():
        set_principal(
            session, Principal("demo", Role.ADMIN, source=ChangeSource.SYSTEM, ref="demo")
        )
        load_bochum(session, today=TODAY)
    engine.dispose()
    return path


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches() -> Iterator[None]:
    """Caches are global per process: AppTest instances would otherwise share them."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _point_app_at(path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{path}"
    monkeypatch.setenv("PORTFOLIO_DATABASE_URL", url)
    monkeypatch.setenv("PORTFOLIO_TODAY", TODAY.isoformat())
    monkeypatch.delenv("PORTFOLIO_USER", raising=False)
    return url


@pytest.fixture
def demo_db(tmp_path: Path, bochum_template: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    path = tmp_path / "ui.db"
    shutil.copy(bochum_template, path)
    return _point_app_at(path, monkeypatch)


@pytest.fixture
def empty_db(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    path = tmp_path / "empty.db"
    shutil.copy(sqlite_template, path)
    return _point_app_at(path, monkeypatch)


class Query:
    """Runs a function in a short session of its own: SQLite's ``BEGIN IMMEDIATE`` takes the
    write lock even for reads, so a test must never hold a transaction while the app runs."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)

    def __call__(self, fn: Callable[[Session], T]) -> T:
        with make_session_factory(self.engine)() as session:
            set_principal(session, Principal("tester", Role.ADMIN))
            with session.begin():
                return fn(session)


@pytest.fixture
def q(demo_db: str) -> Iterator[Query]:
    query = Query(demo_db)
    yield query
    query.engine.dispose()


def open_page(
    page: str | None = None,
    *,
    lang: str | None = None,
    user: str | None = None,
    principal: Principal | None = None,
    **query: Any,
) -> AppTest:
    """An AppTest of the dashboard on ``page`` with ``query`` in the URL, already run, signed in
    as ``principal`` (by default an administrator named ``user`` or "tester")."""
    at = AppTest.from_file(APP, default_timeout=60)
    if lang:
        at.session_state["lang"] = lang
    at.session_state[PRINCIPAL_KEY] = principal or Principal(user or "tester", Role.ADMIN)
    if page in (None, "overview"):
        for name, value in query.items():
            at.query_params[name] = value
    at.run()
    if page and page != "overview":
        at.switch_page(f"portfolio/ui/entry/{page}.py")
        for name, value in query.items():
            at.query_params[name] = value
        at.run()
    return at


def seen(markdown: str) -> str:
    """What a reader sees of a markdown source whose user text went through ``md()``: the
    backslash escapes and word joiners gone, hard line breaks as line breaks."""
    from portfolio.ui.components.safe_text import SPECIAL, WORD_JOINER

    text = re.sub("\\\\([" + re.escape(SPECIAL) + "])", r"\1", markdown)
    return text.replace(WORD_JOINER, "").replace("  \n", "\n")


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


# ---- real browser (tests/ui/test_browser*.py) ------------------------------------------------


def loopback_context(browser: Any, blocked: list[str], **options: Any) -> Any:
    """A fresh browser context (no cookies) that reaches nothing but 127.0.0.1: every other
    request is aborted and its URL appended to ``blocked`` for the test to check."""
    from urllib.parse import urlsplit

    context = browser.new_context(locale="de-DE", **options)

    def only_loopback(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    return context


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def streamlit_server(
    db: Path | str, folder: Path, *, user: str = "browser-test", secrets: Path | None = None
) -> Iterator[str]:
    """``streamlit run streamlit_app.py`` on a free port of 127.0.0.1 against the SQLite file
    ``db`` (or the database URL ``db``), journaling as ``user``; yields the base URL.
    ``secrets``: the only ``secrets.toml`` the server reads (e.g. an ``[auth]`` section for the
    OpenID login). The server's log must hold no traceback when it stops."""
    port = free_port()
    env = {
        **os.environ,
        "PORTFOLIO_DATABASE_URL": db if isinstance(db, str) else f"sqlite:///{db}",
        "PORTFOLIO_TODAY": TODAY.isoformat(),
        "PORTFOLIO_USER": user,
    }
    log_path = folder / "streamlit.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "streamlit_app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.fileWatcherType",
            "none",
            *(["--secrets.files", str(secrets)] if secrets is not None else []),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("streamlit did not start:\n" + log_path.read_text())
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        errors = log_path.read_text()
        assert "Traceback" not in errors, errors


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
