"""OpenID Connect login end to end, in Chromium through Playwright.

A local OpenID provider (``oidc-provider-mock``, tests/ui/oidc_fixtures.py) runs in this process
on a free port of 127.0.0.1; ``streamlit run`` reads a ``secrets.toml`` whose ``[auth]`` section
points at it. The browser clicks "Mit dem Konto der Stadt anmelden", is sent to the provider
(``st.login``), enters the subject on the provider's page, comes back through
``/oauth2callback`` and is signed in as the portfolio account whose e-mail the ID token names, or
refused when no account has it. The browser may reach 127.0.0.1 only: every other request is
blocked and recorded, and the only one allowed to be attempted is the provider's own stylesheet.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from db.enums import AuditKind, Role
from db.models import Account, AuditEvent, Project
from portfolio.ui.components.safe_text import WORD_JOINER
from tests.fixtures.ui import Query, loopback_context, streamlit_server
from tests.ui.oidc_fixtures import oidc_provider, set_claims, write_secrets

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    # the mock provider signs its ID tokens through an Authlib API Authlib has deprecated
    pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning"),
]

BUTTON = "Mit dem Konto der Stadt anmelden"
PROVIDER_CSS = "https://cdn.jsdelivr.net/npm/@picocss/pico@2/css/pico.min.css"
MAIN = '[data-testid="stMain"]'
SIDEBAR = '[data-testid="stSidebar"]'
PLOT = ".js-plotly-plot .main-svg"
NAV = '[data-testid="stSidebarNav"]'

ANNA = {
    "name": "anna.schmidt",
    "display_name": "Anna Schmidt",
    "email": "anna.schmidt@stadt-bochum.example",
}


@dataclass(frozen=True)
class Setup:
    issuer: str
    base: str
    db: Path

    def query(self, fn: Any) -> Any:
        q = Query(f"sqlite:///{self.db}")
        try:
            return q(fn)
        finally:
            q.engine.dispose()


@pytest.fixture(scope="module")
def setup(bochum_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    folder = tmp_path_factory.mktemp("oidc")
    db = folder / "portfolio.db"
    shutil.copy(bochum_template, db)
    q = Query(f"sqlite:///{db}")
    q(lambda s: s.add(Account(role=Role.STAFF, **ANNA)))
    q.engine.dispose()
    with (
        oidc_provider() as issuer,
        streamlit_server(db, folder, secrets=write_secrets(folder, issuer)) as base,
    ):
        yield Setup(issuer, base, db)


@pytest.fixture
def page(browser: Any, setup: Setup) -> Iterator[Any]:
    """A fresh browser context (no cookies) that reaches nothing but 127.0.0.1."""
    blocked: list[str] = []
    context = loopback_context(browser, blocked, viewport={"width": 1440, "height": 1400})
    page = context.new_page()
    try:
        yield page
        assert set(blocked) <= {PROVIDER_CSS}, blocked
    finally:
        context.close()


def _settled(page: Any) -> None:
    """The script run has finished (the status widget shows while it works)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=20_000
    )
    page.wait_for_timeout(300)


def _sign_in_at_provider(page: Any, setup: Setup, sub: str) -> None:
    """From the login page through the provider's authorisation form back to the app."""
    page.goto(setup.base, wait_until="domcontentloaded")
    page.get_by_role("button", name=BUTTON).click(timeout=25_000)
    page.wait_for_url(f"{setup.issuer}/oauth2/authorize?**", timeout=20_000)
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{setup.base}/**", timeout=20_000)
    page.wait_for_selector(MAIN, timeout=20_000)


def _events(setup: Setup, actor: str) -> list[tuple[str, str | None, dict[str, Any]]]:
    return setup.query(
        lambda s: [
            (e.kind, e.subject, e.detail)
            for e in s.scalars(
                select(AuditEvent).where(AuditEvent.actor == actor).order_by(AuditEvent.id)
            )
        ]
    )


def _no_portfolio(page: Any, setup: Setup) -> None:
    """Nothing of the portfolio on the page: no menu, no chart, no table, no project title."""
    assert page.locator(NAV).count() == 0
    assert page.locator(PLOT).count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    titles = setup.query(lambda s: list(s.scalars(select(Project.title).limit(20))))
    text = page.inner_text("body")
    assert not [t for t in titles if t in text]


def test_the_login_page_offers_the_city_account_and_shows_no_data(page: Any, setup: Setup) -> None:
    page.goto(setup.base, wait_until="domcontentloaded")
    page.get_by_role("button", name=BUTTON).wait_for(timeout=25_000)
    _settled(page)
    _no_portfolio(page, setup)


def test_a_city_account_signs_in_as_its_portfolio_account(page: Any, setup: Setup) -> None:
    # the provider spells the address differently: the match ignores case
    set_claims(
        setup.issuer,
        "anna",
        {"email": "Anna.Schmidt@Stadt-Bochum.example", "email_verified": True, "name": "A. S."},
    )
    _sign_in_at_provider(page, setup, "anna")
    # the overview shows its key figures (the charts draw later)
    page.wait_for_selector(f'{MAIN} [data-testid="stMetric"]', timeout=25_000)
    _settled(page)
    assert page.locator(NAV).count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_role("button", name=BUTTON).count() == 0
    assert ANNA["display_name"] in page.inner_text(SIDEBAR)
    kind, subject, detail = _events(setup, ANNA["name"])[-1]
    assert (kind, subject, detail.get("method")) == (AuditKind.LOGIN, ANNA["name"], "oidc")
    assert "Demo-Modus" not in page.inner_text("body")
    assert setup.query(
        lambda s: s.scalar(select(Account.last_login_at).where(Account.name == ANNA["name"]))
    )


def test_signing_out_ends_the_city_login(page: Any, setup: Setup) -> None:
    """Streamlit's identity cookie is deleted and the provider's session ended: a new page load
    shows the login page, it does not sign in again from the cookie."""
    set_claims(setup.issuer, "anna", {"email": ANNA["email"], "email_verified": True})
    _sign_in_at_provider(page, setup, "anna")
    page.locator(NAV).wait_for(timeout=25_000)
    page.locator(SIDEBAR).get_by_role("button", name="Abmelden").click()
    page.wait_for_url(f"{setup.issuer}/oauth2/end_session?**", timeout=20_000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{setup.base}/**", timeout=20_000)
    page.get_by_role("button", name=BUTTON).wait_for(timeout=25_000)
    page.reload(wait_until="domcontentloaded")
    page.get_by_role("button", name=BUTTON).wait_for(timeout=25_000)
    _settled(page)
    _no_portfolio(page, setup)
    assert _events(setup, ANNA["name"])[-1][0] == AuditKind.LOGOUT


def test_an_email_without_an_account_gets_no_access(page: Any, setup: Setup) -> None:
    stranger = "fremd@extern.example"
    set_claims(setup.issuer, "fremd", {"email": stranger, "email_verified": True})
    _sign_in_at_provider(page, setup, "fremd")
    page.get_by_text("Kein Zugang").wait_for(timeout=25_000)
    _settled(page)
    message = page.inner_text(MAIN).replace(WORD_JOINER, "")  # md() breaks up the address
    assert f"Für die E-Mail-Adresse {stranger} gibt es kein Konto im Portfolio" in message
    _no_portfolio(page, setup)
    assert _events(setup, stranger)[-1][0] == AuditKind.UNKNOWN_IDENTITY

    # a crafted address of a page changes nothing: still refused, still no data
    page.goto(f"{setup.base}/projekte", wait_until="domcontentloaded")
    page.get_by_text("Kein Zugang").wait_for(timeout=25_000)
    _settled(page)
    _no_portfolio(page, setup)

    # signing out ends the provider's session too and comes back to the login page
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url(f"{setup.issuer}/oauth2/end_session?**", timeout=20_000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{setup.base}/**", timeout=20_000)
    page.get_by_role("button", name=BUTTON).wait_for(timeout=25_000)
    _settled(page)
    _no_portfolio(page, setup)
