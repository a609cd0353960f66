"""Two dashboard processes against one database (issue 15): two ``streamlit run`` servers on
different ports of 127.0.0.1 share one PostgreSQL database (and one SQLite file), as several app
processes behind a load balancer would. Anna and Ben sign in, one on each server, and open the
same project's edit form; Anna saves, then Ben saves his form, loaded before her save: he gets
the conflict message naming Anna, and her value stays. The browsers may reach 127.0.0.1 only."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

import pytest
from sqlalchemy.orm import Session

from db.enums import Role
from db.models import Account
from portfolio import passwords
from portfolio.policy import set_principal
from portfolio.services import accounts, projects
from tests.factories import make_project
from tests.fixtures.base import TESTER
from tests.fixtures.ui import Query, loopback_context, streamlit_server
from tests.services.test_concurrency import shared_url  # noqa: F401  (the fixture: one database per backend)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "Zwei-Server-2026"
FORM = '[data-testid="stForm"]'
ALERT = '[data-testid="stAlert"]'


def _prepare(url: str) -> tuple[str, int]:
    """The accounts anna and ben (staff) and a project to edit; its key and id."""

    def create(session: Session) -> tuple[str, int]:
        set_principal(session, TESTER)
        for name in ("anna", "ben"):
            made = accounts.create(session, name=name, role=Role.STAFF, display_name=name.title())
            account = session.get(Account, made.account.id)
            assert account is not None
            account.password_hash = passwords.hash_password(PASSWORD)
            account.must_change_password = False
        project = make_project(session, title="Zwei Server, ein Projekt")
        return project.key, project.id

    q = Query(url)
    try:
        return q(create)
    finally:
        q.engine.dispose()


def _responsible(url: str, project_id: int) -> str | None:
    q = Query(url)
    try:
        return q(lambda s: projects.get(s, project_id).responsible_person)
    finally:
        q.engine.dispose()


def _settled(page: Any) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )


def _open_edit_form(page: Any, base: str, key: str, name: str) -> None:
    """Sign in as ``name`` at the project's address, then switch its master data to editing."""
    page.goto(f"{base}/projekt?projekt={key}", wait_until="domcontentloaded")
    page.get_by_label("Anmeldename").wait_for(timeout=30_000)
    _settled(page)
    page.get_by_label("Anmeldename").fill(name)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_text("Bearbeiten", exact=True).click(timeout=45_000)
    page.locator(FORM).get_by_role("button", name="Speichern").wait_for(timeout=30_000)
    _settled(page)


def _save(page: Any, responsible: str) -> None:
    field = page.locator(FORM).get_by_label("Verantwortlich *", exact=True)
    field.fill(responsible)
    field.press("Tab")  # Streamlit takes the value when the field loses focus
    page.locator(FORM).get_by_role("button", name="Speichern").click()


def _start_together(stack: ExitStack, servers: list[Any]) -> list[str]:
    """Enter the servers' contexts at the same time (each waits for its own start); every one
    that started is stopped by ``stack``."""
    with ThreadPoolExecutor(len(servers)) as pool:
        started = [pool.submit(server.__enter__) for server in servers]
    for server, future in zip(servers, started, strict=True):
        if future.exception() is None:
            stack.push(server)
    return [future.result() for future in started]


@pytest.fixture
def pages(browser: Any) -> Iterator[list[Any]]:
    """Two browser contexts of their own (no shared cookies) that reach nothing but 127.0.0.1."""
    blocked: list[str] = []
    contexts = [
        loopback_context(browser, blocked, viewport={"width": 1440, "height": 1400})
        for _ in range(2)
    ]
    try:
        yield [c.new_page() for c in contexts]
        assert blocked == []
    finally:
        for c in contexts:
            c.close()


def test_the_second_of_two_dashboard_processes_gets_the_conflict(
    shared_url: str,  # noqa: F811
    pages: list[Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    key, project_id = _prepare(shared_url)
    with ExitStack() as servers:
        bases = _start_together(
            servers,
            [streamlit_server(shared_url, tmp_path_factory.mktemp(f"server-{n}")) for n in (1, 2)],
        )
        assert bases[0] != bases[1]
        anna, ben = pages
        _open_edit_form(anna, bases[0], key, "anna")
        _open_edit_form(ben, bases[1], key, "ben")

        _save(anna, "Anna auf Server eins")
        deadline = time.monotonic() + 30
        while _responsible(shared_url, project_id) != "Anna auf Server eins":
            assert time.monotonic() < deadline, "the first server did not save"
            time.sleep(0.2)

        _save(ben, "Ben auf Server zwei")
        warning = ben.locator(ALERT).filter(has_text="wurde inzwischen geändert")
        warning.wait_for(timeout=30_000)
        text = warning.inner_text()
        assert f"„{key}“" in text and "von anna" in text, text
        assert "Bitte neu laden und die Änderung erneut eintragen." in text, text
        assert ben.locator('[data-testid="stException"]').count() == 0
        assert _responsible(shared_url, project_id) == "Anna auf Server eins"  # not overwritten
