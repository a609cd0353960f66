"""The project page's "Zuwendungen" in a real browser: its tabs, the notices and the budget
years against ``streamlit run``."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.ui import streamlit_server
from tests.ui.grants_helpers import PARTIAL

# ---- real browser -------------------------------------------------------------------------------

_TAB_LABELS = ["Bescheide", "Kostenplan", "Jahresscheiben", "Nachweise", "Rückforderungen"]


def _cut_tabs(page: Any) -> list[str]:
    """The tab labels the page cuts off: an ellipsis, or a tab outside its visible tab bar."""
    cut: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=stMain] [role=tab]')]
            .filter(tab => {
                const bar = tab.closest('[role=tablist]').getBoundingClientRect();
                const box = tab.getBoundingClientRect();
                const cut = [tab, ...tab.querySelectorAll('*')]
                    .some(e => e.scrollWidth > e.clientWidth + 1);
                return cut || box.left < bar.left - 1 || box.right > bar.right + 1;
            })
            .map(tab => tab.textContent.trim())"""
    )
    return cut


def _settled(page: Any) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )
    page.wait_for_timeout(800)
    assert page.locator('[data-testid="stException"]').count() == 0
    body = page.inner_text('[data-testid="stMain"]')
    assert "Traceback" not in body and "Das hat nicht geklappt" not in body


# On one worker with test_browser.py (``-n 2 --dist loadgroup``); the mark is known only where
# xdist runs the tests, so a single-process run (``-p no:xdist``) still collects this module.
_ONE_WORKER = [pytest.mark.xdist_group("browser")] if os.environ.get("PYTEST_XDIST_WORKER") else []


@pytest.mark.browser
@pytest.mark.parametrize("width", [pytest.param(w, marks=_ONE_WORKER) for w in (1280, 1440)])
def test_grants_and_budget_years_in_a_real_browser(
    grant_server: str, browser: Any, width: int, request: pytest.FixtureRequest
) -> None:
    # test_browser.py marks its tests for xdist; run without it (-p no:xdist), the strict
    # markers would refuse its import unless the mark is known.
    if not request.config.pluginmanager.hasplugin("xdist"):
        request.config.addinivalue_line("markers", "xdist_group(name): xdist's test group")
    from tests.ui.test_browser import SHOTS, _cut_tiles

    context = browser.new_context(viewport={"width": width, "height": 1600}, locale="de-DE")
    page = context.new_page()
    try:
        page.goto(f"{grant_server}/projekt?projekt={PARTIAL}&bereich=zuwendung")
        page.wait_for_selector('[data-testid="stMetric"]', state="attached", timeout=45_000)
        page.wait_for_selector('[role="tab"]', state="attached", timeout=45_000)
        _settled(page)
        tiles = page.locator('[data-testid="stMetric"]')
        assert tiles.count() == 4
        assert "812.500,00" in page.inner_text('[data-testid="stMain"]')
        assert _cut_tiles(page) == []
        tabs = [
            t.strip() for t in page.locator('[data-testid="stMain"] [role="tab"]').all_inner_texts()
        ]
        assert tabs == _TAB_LABELS
        assert _cut_tabs(page) == []
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"projekt-zuwendung-{width}.png"), full_page=True)
        for name in _TAB_LABELS[1:]:  # every tab draws without an exception
            page.get_by_role("tab", name=name).click()
            page.wait_for_timeout(300)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert _cut_tabs(page) == []

        page.goto(f"{grant_server}/foerderung")
        heading = page.get_by_text("Geld je Haushaltsjahr und Quelle", exact=True)
        heading.wait_for(state="attached", timeout=45_000)
        _settled(page)
        table = heading.locator('xpath=following::div[@data-testid="stDataFrame"][1]')
        table.scroll_into_view_if_needed()
        table.locator("canvas").first.wait_for(state="visible", timeout=30_000)
        box = table.bounding_box()
        assert box is not None and box["height"] > 100 and box["width"] > 400
        # The grid draws on a canvas (in German formats, which the AppTest test checks); its
        # accessible table holds the header and the rows drawn, with the raw values.
        grid = table.locator('table[role="grid"]')
        assert grid.get_attribute("aria-colcount") == "8"
        headers = [h.strip() for h in grid.locator('[role="columnheader"]').all_text_contents()]
        # the columns drawn (the grid draws only what is in view: 5 of 8 at 1280 px)
        assert headers[:4] == [
            "Haushaltsjahr",
            "Quelle",
            "Jahresscheibe Zuwendung",
            "Jahresscheibe Eigenanteil",
        ], headers
        assert re.search(r"Summe 20\d\d", grid.text_content() or "")
        SHOTS.mkdir(parents=True, exist_ok=True)
        table.screenshot(path=str(SHOTS / f"foerderung-haushaltsjahre-{width}.png"))
        assert _cut_tiles(page) == []
    finally:
        context.close()


@pytest.fixture(scope="module")
def grant_server(bochum_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser-grants")
    db = folder / "portfolio.db"
    shutil.copy(bochum_template, db)
    with streamlit_server(db, folder) as base:
        yield base
