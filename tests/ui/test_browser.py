"""Real-browser smoke test: Debian's Chromium through Playwright against `streamlit run`.

One server for the module (Bochum demo in a private SQLite file, a free port); every page is
opened, must show no Streamlit exception box, must draw its main element (a plotly chart where
the page has one), and is saved as a screenshot under test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TODAY
from tests.ui.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = ROOT / "test-artifacts" / "screenshots"
# url path, query, the element that shows the page drew its main content
PAGES = [
    ("", "", ".js-plotly-plot .main-svg"),
    ("projekte", "", '[data-testid="stDataFrame"]'),
    ("projekt", "?projekt={key}", "h1"),
    ("projekt", "?projekt={key}&bereich=status", ".js-plotly-plot .main-svg"),
    ("zeitplan", "", ".js-plotly-plot .main-svg"),
    ("partner", "?partner=STW", ".js-plotly-plot .main-svg"),
    ("foerderung", "", ".js-plotly-plot .main-svg"),
    ("datenqualitaet", "", ".js-plotly-plot .main-svg"),
    ("datenaustausch", "", '[data-testid="stDownloadButton"]'),
    ("berichte", "", '[data-testid="stMetric"]'),
    ("stammdaten", "", '[data-testid="stDataFrame"]'),
    ("stammdaten", "?eintrag=MPSC&bereich=programme", '[data-testid="stDataFrame"]'),
    ("uebersicht", "", ".js-plotly-plot .main-svg"),  # the overview at its own address too
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(bochum_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    db = folder / "portfolio.db"
    shutil.copy(bochum_template, db)
    port = _free_port()
    env = {
        **os.environ,
        "PORTFOLIO_DATABASE_URL": f"sqlite:///{db}",
        "PORTFOLIO_TODAY": TODAY.isoformat(),
        "PORTFOLIO_USER": "browser-test",
    }
    log = (folder / "streamlit.log").open("w")
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
                pytest.fail("streamlit did not start:\n" + (folder / "streamlit.log").read_text())
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        errors = (folder / "streamlit.log").read_text()
        assert "Traceback" not in errors, errors


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


def _project_key(bochum_template: Path) -> str:
    import sqlite3

    with sqlite3.connect(bochum_template) as conn:
        return str(
            conn.execute(
                "select key from project where archived = 0 order by key limit 1"
            ).fetchone()[0]
        )


@pytest.mark.parametrize(
    ("path", "query", "element"),
    PAGES,
    ids=[
        (p or "uebersicht") + ("-" + q.split("bereich=")[-1] if "bereich=" in q else "")
        for p, q, _ in PAGES
    ],
)
def test_page_opens_in_a_real_browser(
    server: str, browser: object, bochum_template: Path, path: str, query: str, element: str
) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 2200}, locale="de-DE")  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        url = f"{server}/{path}{query.format(key=_project_key(bochum_template))}"
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector('[data-testid="stMain"]', timeout=30_000)
        page.wait_for_selector(element, state="attached", timeout=45_000)
        # let the run finish (the status widget shows "Running" while the script works)
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
        )
        page.wait_for_timeout(800)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.get_by_text("Page not found").count() == 0
        body = page.inner_text('[data-testid="stMain"]')
        assert "Traceback" not in body
        assert "Das hat nicht geklappt" not in body
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = (path or "uebersicht") + (
            "-" + query.split("bereich=")[-1] if "bereich=" in query else ""
        )
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    finally:
        context.close()
