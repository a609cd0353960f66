"""The built-in login in a real browser (Chromium through Playwright against ``streamlit run``):
with accounts configured an anonymous browser sees only the login page and no portfolio data,
at any address; a wrong password; the lockout; the forced change of an initial password; the
sign-out; and a session that expires (a second server whose ``secrets.toml`` sets a timeout of
a few seconds). The browser may reach 127.0.0.1 only."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import AuditKind, Role
from db.models import Account, AuditEvent, Project
from portfolio import passwords
from portfolio.policy import set_principal
from portfolio.services import accounts
from tests.fixtures.base import TESTER
from tests.fixtures.ui import Query, loopback_context, streamlit_server

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

MAIN = '[data-testid="stMain"]'
SIDEBAR = '[data-testid="stSidebar"]'
NAV = '[data-testid="stSidebarNav"]'
PLOT = ".js-plotly-plot .main-svg"
GOOD = "Rathaus-Bochum-2026"
NEW = "Neues-Rathaus-2027"
SHORT_TIMEOUT_MINUTES = 0.25  # fifteen seconds


@dataclass(frozen=True)
class Server:
    base: str
    db: Path
    initial: str  # the initial password of "neu.konto"

    def query(self, fn: Any) -> Any:
        q = Query(f"sqlite:///{self.db}")
        try:
            return q(fn)
        finally:
            q.engine.dispose()


def _accounts(db: Path) -> str:
    """boss (admin), j.berg and sperr.test (staff) with GOOD; neu.konto with an initial one."""

    def create(session: Session) -> str:
        set_principal(session, TESTER)
        for name, role in (
            ("boss", Role.ADMIN),
            ("j.berg", Role.STAFF),
            ("sperr.test", Role.STAFF),
        ):
            made = accounts.create(session, name=name, role=role, display_name=name.title())
            account = session.get(Account, made.account.id)
            assert account is not None
            account.password_hash = passwords.hash_password(GOOD)
            account.must_change_password = False
        return accounts.create(session, name="neu.konto", role=Role.STAFF).initial_password or ""

    q = Query(f"sqlite:///{db}")
    try:
        return q(create)
    finally:
        q.engine.dispose()


def _server(bochum_template: Path, folder: Path, secrets: str | None = None) -> Iterator[Server]:
    db = folder / "portfolio.db"
    shutil.copy(bochum_template, db)
    initial = _accounts(db)
    secrets_file = None
    if secrets is not None:
        secrets_file = folder / "secrets.toml"
        secrets_file.write_text(secrets, encoding="utf-8")
    with streamlit_server(db, folder, secrets=secrets_file) as base:
        yield Server(base, db, initial)


@pytest.fixture(scope="module")
def server(bochum_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _server(bochum_template, tmp_path_factory.mktemp("login"))


@pytest.fixture(scope="module")
def short_server(
    bochum_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    yield from _server(
        bochum_template,
        tmp_path_factory.mktemp("login-short"),
        f"[portfolio]\nsession_timeout_minutes = {SHORT_TIMEOUT_MINUTES}\n",
    )


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) that reaches nothing but 127.0.0.1."""
    blocked: list[str] = []
    context = loopback_context(browser, blocked, viewport={"width": 1440, "height": 1400})
    page = context.new_page()
    try:
        yield page
        assert blocked == []
    finally:
        context.close()


def _settled(page: Any) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )
    page.wait_for_timeout(300)


def _login_page(page: Any, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_label("Anmeldename").wait_for(timeout=30_000)
    _settled(page)


def _submit(page: Any, name: str, password: str) -> None:
    page.get_by_label("Anmeldename").fill(name)
    page.get_by_label("Passwort", exact=True).fill(password)
    page.get_by_role("button", name="Anmelden").click()


def _signed_in(page: Any) -> None:
    page.wait_for_selector(PLOT, state="attached", timeout=45_000)  # the overview drew
    page.locator(NAV).wait_for(timeout=10_000)
    _settled(page)
    assert page.locator('[data-testid="stException"]').count() == 0


def _no_portfolio(page: Any, server: Server) -> None:
    """Nothing of the portfolio: no menu, no chart, no table, no figure, no project's name."""
    assert page.locator(NAV).count() == 0
    assert page.locator(PLOT).count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    rows = server.query(lambda s: list(s.execute(select(Project.key, Project.title).limit(30))))
    text = page.inner_text("body")
    assert not [r for r in rows if r.title in text or r.key in text]
    assert "Demo-Modus" not in text


def _kinds(server: Server, actor: str) -> list[str]:
    return server.query(
        lambda s: list(
            s.scalars(
                select(AuditEvent.kind).where(AuditEvent.actor == actor).order_by(AuditEvent.id)
            )
        )
    )


def _recorded(page: Any, server: Server, actor: str, kind: AuditKind, count: int) -> None:
    """Wait (up to 30 s) until the audit log holds ``count`` events of ``kind`` for ``actor``."""
    for _ in range(150):
        if _kinds(server, actor).count(kind) >= count:
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"{count} × {kind} for {actor} never recorded: {_kinds(server, actor)}")


def test_an_anonymous_browser_sees_only_the_login_page(page: Any, server: Server) -> None:
    key = server.query(lambda s: s.scalar(select(Project.key).order_by(Project.key).limit(1)))
    for path in ("", "projekte", f"projekt?projekt={key}", "foerderung", "konten", "berichte"):
        _login_page(page, f"{server.base}/{path}")
        assert page.get_by_role("button", name="Anmelden").count() == 1
        assert page.get_by_text("Page not found").count() == 0
        _no_portfolio(page, server)


def test_a_wrong_password_then_the_right_one_then_sign_out(page: Any, server: Server) -> None:
    _login_page(page, server.base)
    _submit(page, "j.berg", "falsch-geraten")
    page.get_by_text("Name oder Passwort ist falsch").wait_for(timeout=20_000)
    _settled(page)
    _no_portfolio(page, server)
    assert page.get_by_label("Passwort", exact=True).input_value() == ""
    _submit(page, "j.berg", GOOD)
    _signed_in(page)
    sidebar = page.inner_text(SIDEBAR)
    assert "Angemeldet als" in sidebar and "J.Berg" in sidebar and "Innovation Unit" in sidebar
    page.locator(SIDEBAR).get_by_role("button", name="Abmelden").click()
    page.get_by_text("Sie sind abgemeldet.").wait_for(timeout=20_000)
    _settled(page)
    _no_portfolio(page, server)
    assert _kinds(server, "j.berg") == [AuditKind.LOGIN_FAILED, AuditKind.LOGIN, AuditKind.LOGOUT]


def test_the_lockout(page: Any, server: Server) -> None:
    _login_page(page, server.base)
    for attempt in range(5):
        _submit(page, "sperr.test", f"falsch-{attempt}")
        # the next attempt only once the server has recorded this one: a click during the
        # previous rerun could be taken by that run and lost on a loaded machine
        _recorded(page, server, "sperr.test", AuditKind.LOGIN_FAILED, attempt + 1)
        _settled(page)
    page.get_by_text("15 Minuten gesperrt").wait_for(timeout=20_000)
    _submit(page, "sperr.test", GOOD)  # the right password does not help now
    _settled(page)
    assert page.get_by_text("15 Minuten gesperrt").count() == 1
    _no_portfolio(page, server)
    kinds = _kinds(server, "sperr.test")
    assert kinds.count(AuditKind.LOGIN_FAILED) == 5 and AuditKind.LOCKOUT in kinds
    assert AuditKind.LOGIN not in kinds


def test_an_initial_password_is_changed_before_anything_else(page: Any, server: Server) -> None:
    _login_page(page, server.base)
    _submit(page, "neu.konto", server.initial)
    page.get_by_text("Bitte wählen Sie jetzt ein eigenes Passwort").wait_for(timeout=20_000)
    _settled(page)
    _no_portfolio(page, server)
    page.get_by_label("Bisheriges Passwort").fill(server.initial)
    page.get_by_label("Neues Passwort", exact=True).fill(NEW)
    page.get_by_label("Neues Passwort wiederholen").fill(NEW)
    page.get_by_role("button", name="Passwort speichern").click()
    _signed_in(page)
    assert page.get_by_text("Passwort geändert.").count() == 1
    assert _kinds(server, "neu.konto") == [AuditKind.LOGIN, AuditKind.PASSWORD_CHANGED]


def test_a_session_that_expires(page: Any, short_server: Server) -> None:
    _login_page(page, short_server.base)
    _submit(page, "boss", GOOD)
    page.locator(NAV).wait_for(timeout=15_000)  # signed in (the page may still be drawing)
    assert _kinds(short_server, "boss")[-1] == AuditKind.LOGIN
    # no click: the idle timer notices the timeout and shows the login page by itself
    page.get_by_text("Ihre Sitzung ist abgelaufen").wait_for(timeout=45_000)
    _settled(page)
    _no_portfolio(page, short_server)
    assert _kinds(short_server, "boss")[-1] == AuditKind.SESSION_EXPIRED
    # and one may sign in again
    _submit(page, "boss", GOOD)
    page.locator(NAV).wait_for(timeout=15_000)
    assert _kinds(short_server, "boss")[-1] == AuditKind.LOGIN
