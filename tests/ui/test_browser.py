"""Real-browser smoke test: Debian's Chromium through Playwright against `streamlit run`.

One server for the module (Bochum demo in a private SQLite file, a free port; the server and the
browser come from tests/fixtures/ui.py, shared with test_browser_payloads.py); every page is
opened, must show no Streamlit exception box, must draw its main element (a plotly chart where
the page has one), and is saved as a screenshot under test-artifacts/screenshots/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.ui import ROOT, streamlit_server

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

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


@pytest.fixture(scope="module")
def server(bochum_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    db = folder / "portfolio.db"
    shutil.copy(bochum_template, db)
    with streamlit_server(db, folder) as base:
        yield base


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
        assert _cut_tiles(page) == []
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = (path or "uebersicht") + (
            "-" + query.split("bereich=")[-1] if "bereich=" in query else ""
        )
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    finally:
        context.close()


def _cut_tiles(page: object) -> list[str]:
    """The key-figure tiles whose value or label the page cuts off (an ellipsis)."""
    return page.evaluate(  # type: ignore[attr-defined]
        """() => [...document.querySelectorAll(
                '[data-testid=stMetricValue], [data-testid=stMetricValue] *,'
                + ' [data-testid=stMetricLabel], [data-testid=stMetricLabel] *')]
            .filter(e => e.scrollWidth > e.clientWidth + 1)
            .map(e => e.textContent.trim())"""
    )


@pytest.mark.parametrize("path", ["", "foerderung", "berichte"])
def test_key_figures_are_not_cut_at_1280_px(
    server: str, browser: object, bochum_template: Path, path: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 1600}, locale="de-DE")  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(f"{server}/{path.format(key=_project_key(bochum_template))}")
        page.wait_for_selector('[data-testid="stMetric"]', state="attached", timeout=45_000)
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
        )
        page.wait_for_timeout(500)
        assert _cut_tiles(page) == []
    finally:
        context.close()


def test_http_routes_are_served_by_the_dashboards_own_process(server: str) -> None:
    """``streamlit run streamlit_app.py`` serves the st.App: the health route answers from the
    same process that serves the dashboard, with the app's security headers."""
    import json
    import urllib.request

    with urllib.request.urlopen(f"{server}/healthz", timeout=30) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"status": "ok"}
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    with urllib.request.urlopen(f"{server}/", timeout=30) as response:
        assert response.status == 200
        assert b"<noscript>" in response.read()  # Streamlit's page, from the same server


def _trace_colours(page: object) -> dict[str, str]:
    """Every plotly trace's name (or a pie's slice label) → the colour the browser drew."""
    pairs = page.evaluate(  # type: ignore[attr-defined]
        """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(el =>
            (el.data || []).flatMap(tr => {
                if (tr.type === 'pie') {
                    return (tr.labels || []).map((l, i) => [l, tr.marker.colors[i]]);
                }
                const c = tr.marker && tr.marker.color;
                return tr.name && typeof c === 'string' ? [[tr.name, c]] : [];
            }))"""
    )
    return {str(name): str(colour).lower() for name, colour in pairs}


def _settled(page: object, url: str) -> None:
    page.goto(url)  # type: ignore[attr-defined]
    page.wait_for_selector(".js-plotly-plot .main-svg", state="attached", timeout=45_000)  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )
    page.wait_for_timeout(500)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("path", "filtered"), [("", "?thema=1"), ("foerderung", "?thema=1"), ("zeitplan", "?thema=2")]
)
def test_status_colours_are_fixed_and_stay_under_filters(
    server: str, browser: object, path: str, filtered: str
) -> None:
    """A status has its palette colour in every chart, with or without a filter: colours are
    keyed by the status code, never handed out in order of appearance."""
    from db.enums import ApplicationStatus, MilestoneState, ProjectStatus
    from portfolio import palette
    from portfolio.vocab import label

    expected = {
        label(enum, code, "de"): colour.lower()
        for enum, table in (
            (ApplicationStatus, palette.APPLICATION_STATUS_COLOURS),
            (ProjectStatus, palette.PROJECT_STATUS_COLOURS),
            (MilestoneState, palette.MILESTONE_STATE_COLOURS),
        )
        for code, colour in table.items()
    }
    context = browser.new_context(viewport={"width": 1440, "height": 1800}, locale="de-DE")  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        _settled(page, f"{server}/{path}")
        everything = _trace_colours(page)
        _settled(page, f"{server}/{path}{filtered}")
        narrowed = _trace_colours(page)
    finally:
        context.close()
    statuses = {n for n in everything if n in expected}
    assert statuses, everything  # the page draws statuses at all
    assert {n for n in narrowed if n in expected}, narrowed  # and still does when filtered
    for name in statuses | {n for n in narrowed if n in expected}:
        drawn = {everything.get(name), narrowed.get(name)} - {None}
        assert drawn == {expected[name]}, (name, drawn, expected[name])


def test_the_overview_prints_without_sidebar_and_streamlit_speaks_german(
    server: str, browser: object
) -> None:
    """The browser's print of the Übersicht: no sidebar, no toolbar, full width. And the file
    uploader's own words (which Streamlit draws in English) read German."""
    context = browser.new_context(viewport={"width": 1280, "height": 1200}, locale="de-DE")  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        _settled(page, f"{server}/")
        page.emulate_media(media="print")
        shown = page.evaluate(
            """() => ['stSidebar', 'stHeader'].map(id => {
                const el = document.querySelector(`[data-testid="${id}"]`);
                return el ? getComputedStyle(el).display : 'none';
            })"""
        )
        assert shown == ["none", "none"]
        main = page.evaluate(
            "() => document.querySelector('[data-testid=stMain]').getBoundingClientRect().left"
        )
        assert main < 40  # the content starts at the page's left edge
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(SHOTS / "uebersicht-print.pdf"), landscape=True)
        page.emulate_media(media="screen")
        page.goto(f"{server}/datenaustausch")
        page.get_by_role("tab", name="Import", exact=False).first.click()
        button = page.wait_for_selector(
            '[data-testid="stFileUploaderDropzone"] button', state="attached", timeout=45_000
        )
        words = page.evaluate("(b) => getComputedStyle(b, '::after').content", button)
        assert "Datei wählen" in words
    finally:
        context.close()


def test_clicking_a_milestone_row_opens_its_change_form(
    server: str, browser: object, bochum_template: Path
) -> None:
    import sqlite3

    key = _project_key(bochum_template)
    with sqlite3.connect(bochum_template) as conn:
        # the second row: without the click the form would show the first
        second = conn.execute(
            "select m.title from milestone m join project p on p.id = m.project_id"
            " where p.key = ? and m.archived = 0 order by m.due_date, m.key limit 1 offset 1",
            (key,),
        ).fetchone()[0]
    context = browser.new_context(viewport={"width": 1440, "height": 1400}, locale="de-DE")  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(f"{server}/projekt?projekt={key}&bereich=meilensteine")
        grid = page.wait_for_selector('[data-testid="stDataFrame"]', timeout=45_000)
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
        )
        box = grid.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + 12, box["y"] + 35 + 35 + 17)  # row 2's selection cell
        expander = page.locator('[data-testid="stExpander"]', has_text="Ändern").first
        expander.locator('[data-testid="stSelectbox"]').first.wait_for(timeout=30_000)
        title = expander.locator('[data-testid="stTextInput"] input').first
        # the rerun replaces the form's elements: ask the locator again until it shows row 2
        for _ in range(60):
            if title.input_value() == second:
                break
            page.wait_for_timeout(500)
        assert title.input_value() == second
    finally:
        context.close()
