"""Text is text, in a real browser: hostile user text on every page renders literally and makes
the browser fetch nothing from anywhere but the app.

One server for the module: the Bochum demo with the payload corpus of tests/ui/payloads.py in
every free-text field (written through the services; the two URL fields of one project hold
values the services refuse, as legacy rows may), journaling as a hostile ``PORTFOLIO_USER``.
Every page (every section of the project page) is opened in Chromium at 1280 px; every expander
is opened; then:

- no request went to a host other than the app's (``127.0.0.1:<port>``): no markdown image, no
  ``<img>``, no favicon from fonts.gstatic.com;
- no image, no link but the app's own and the link buttons we make of http(s) URL fields (with
  their percent-encoded target); no ``javascript:`` link;
- nothing of the payloads rendered as markup (no maths, no coloured text, no bold "fett", no
  material icon, no emoji);
- the payloads are there as literal text (the word joiners ``md()`` puts into URLs, icon codes
  and addresses are invisible and removed before comparing).

Screenshots go to test-artifacts/screenshots/payloads/, the request counts of each page to
test-artifacts/payload-requests/<page>.json.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from portfolio.ui.components.safe_text import WORD_JOINER, safe_url
from tests.fixtures.ui import ROOT, streamlit_server
from tests.ui import payloads as pl

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

WIDTH = 1280
SHOTS = ROOT / "test-artifacts" / "screenshots" / "payloads"
COUNTS = ROOT / "test-artifacts" / "payload-requests"
PLOT = ".js-plotly-plot .main-svg"
FRAME = '[data-testid="stDataFrame"]'
EVERYTHING = [
    pl.IMAGE,
    pl.TRACKER,
    pl.LINK,
    pl.COLOUR,
    pl.BOLD,
    pl.MATHS,
    pl.HTML,
    pl.ICON,
    pl.EMOJI,
]
# name, url path and query ({key}: the hostile project, {link}: the one with an accepted but
# breaking-out repository URL), the element that shows the page drew, the payloads to read there
PAGES: list[tuple[str, str, str, list[str]]] = [
    ("uebersicht", "", PLOT, [pl.IMAGE, pl.ORG_SHORT]),
    ("projekte", "projekte", FRAME, EVERYTHING),
    *(
        (f"projekt-{section}", f"projekt?projekt={{key}}&bereich={section}", "h1", EVERYTHING)
        for section in ("stammdaten", "partner", "foerderung", "meilensteine", "status")
    ),
    ("projekt-kpis", "projekt?projekt={key}&bereich=kpis", "h1", [*EVERYTHING, pl.SHORT]),
    ("projekt-journal", "projekt?projekt={key}&bereich=journal", "h1", [*EVERYTHING, pl.ACTOR]),
    ("projekt-link", "projekt?projekt={link}", "h1", EVERYTHING),
    ("zeitplan", "zeitplan", PLOT, [pl.IMAGE]),
    ("partner", "partner?partner=XSS-ORG", PLOT, EVERYTHING),
    ("foerderung", "foerderung", PLOT, EVERYTHING),
    ("datenqualitaet", "datenqualitaet", PLOT, EVERYTHING),
    ("datenaustausch", "datenaustausch", '[data-testid="stDownloadButton"]', []),
    ("berichte", "berichte", '[data-testid="stMetric"]', EVERYTHING),
    ("stammdaten-organisation", "stammdaten?eintrag=XSS-ORG", FRAME, EVERYTHING),
    (
        "stammdaten-programm",
        "stammdaten?bereich=programme&eintrag=XSS-PRG",
        FRAME,
        EVERYTHING,
    ),
    ("stammdaten-themen", "stammdaten?bereich=themen", FRAME, []),
]


@pytest.fixture(scope="module")
def hostile(
    bochum_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, pl.Seeded]]:
    folder = tmp_path_factory.mktemp("payloads")
    db = folder / "portfolio.db"
    shutil.copy(bochum_template, db)
    seeded = pl.seed(f"sqlite:///{db}")
    with streamlit_server(db, folder, user=pl.ACTOR) as base:
        yield base, seeded


def test_the_services_refuse_the_hostile_urls(hostile: tuple[str, pl.Seeded]) -> None:
    """The services store only http(s) URLs; the legacy values come in around them."""
    _, seeded = hostile
    assert seeded.refused == {
        "repository_url": ["bad_url"],
        "council_resolution_url": ["bad_url"],
    }


def _page_text(page: Any) -> str:
    """What a reader reads: the main area's text, the dataframes' cells, the charts' texts."""
    main = page.inner_text('[data-testid="stMain"]')
    cells = page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=stMain] [role=gridcell],"
        " [data-testid=stMain] [role=columnheader]')].map(e => e.textContent).join('\\n')"
    )
    charts = page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=stMain] .js-plotly-plot text')]"
        ".map(e => e.textContent).join('\\n')"
    )
    return "\n".join((main, cells, charts)).replace(WORD_JOINER, "")


def _open_expanders(page: Any) -> None:
    for summary in page.locator('[data-testid="stExpander"] summary').all():
        details = summary.locator("xpath=..")
        if details.get_attribute("open") is None:
            summary.click()
    page.wait_for_timeout(600)


# Long on purpose: one page in a real browser, every place a payload can appear checked in turn.
@pytest.mark.parametrize(
    ("name", "target", "element", "expected"), PAGES, ids=[p[0] for p in PAGES]
)
def test_hostile_text_stays_text(
    hostile: tuple[str, pl.Seeded],
    browser: Any,
    name: str,
    target: str,
    element: str,
    expected: list[str],
) -> None:
    base, seeded = hostile
    app = urlsplit(base).netloc
    context = browser.new_context(viewport={"width": WIDTH, "height": 2400}, locale="de-DE")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        url = f"{base}/{target.format(key=seeded.project_key, link=seeded.link_project_key)}"
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector('[data-testid="stMain"]', timeout=30_000)
        page.wait_for_selector(element, state="attached", timeout=45_000)
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
        )
        _open_expanders(page)
        page.wait_for_timeout(800)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-{WIDTH}.png"), full_page=True)

        assert page.locator('[data-testid="stException"]').count() == 0
        text = _page_text(page)
        assert "Das hat nicht geklappt" not in text

        # nothing fetched from anywhere but the app
        foreign = [
            u
            for u in requests
            if urlsplit(u).scheme not in ("data", "blob", "about") and urlsplit(u).netloc != app
        ]
        COUNTS.mkdir(parents=True, exist_ok=True)
        (COUNTS / f"{name}.json").write_text(
            json.dumps({"requests": len(requests), "foreign": foreign}, indent=2) + "\n",
            encoding="utf-8",
        )
        assert foreign == []
        images = page.evaluate(
            "() => [...document.querySelectorAll('[data-testid=stMain] img')].map(i => i.src)"
        )
        assert [src for src in images if not src.startswith(("data:", base))] == []

        # no link but the app's own and the URL fields we make links of
        ours = {safe_url(v) for v in (pl.URL_BREAKOUT, pl.URL_BREAKOUT_NO_SPACE) if safe_url(v)}
        links = page.evaluate(
            "() => [...document.querySelectorAll('[data-testid=stMain] a[href]')].map(a => a.href)"
        )
        assert [h for h in links if h.lower().startswith("javascript")] == []
        assert [h for h in links if not h.startswith(base) and h not in ours] == []

        # nothing of the payloads rendered as markup
        rendered = page.evaluate(
            """() => {
                const main = document.querySelector('[data-testid=stMain]');
                const texts = (selector) => [...main.querySelectorAll(selector)]
                    .map(e => e.textContent.trim());
                return {
                    maths: main.querySelectorAll('.katex').length,
                    coloured: texts('.stMarkdownColoredText').filter(t => t === 'rot').length,
                    bold: texts('strong, b').filter(t => t === 'fett').length,
                    icons: main.querySelectorAll('[aria-label="home icon"]').length,
                    emoji: main.textContent.includes('\\u{1F604}') ? 1 : 0,
                };
            }"""
        )
        assert rendered == {"maths": 0, "coloured": 0, "bold": 0, "icons": 0, "emoji": 0}

        # ... but shown as the literal characters
        missing = [p for p in expected if p not in text]
        assert missing == [], text[:3000]
        if name == "projekt-stammdaten":
            assert pl.SCRIPT_URL in text  # the refused scheme: its text, no link
            assert safe_url(pl.URL_BREAKOUT) in links
        if name == "projekt-link":
            assert safe_url(pl.URL_BREAKOUT_NO_SPACE) in links
    finally:
        context.close()
