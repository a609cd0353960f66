"""The public page and the open-data routes on the Bochum demo: no login, only published
projects, hostile text shown as text, English with ?lang=en, no third-party host, and the
catalogue's files with their media types."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph
from starlette.applications import Starlette
from starlette.testclient import TestClient

from db.engine import make_engine, make_session_factory
from portfolio import links, web
from portfolio.demo.bochum import DEMO_PUBLISHED, load_bochum
from portfolio.policy import SYSTEM, set_principal
from portfolio.services import projects
from tests.fixtures.base import TODAY

HOSTILE = '<script>alert("x")</script> Böse & Co'


@pytest.fixture(scope="module")
def demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("public") / "portfolio.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with make_session_factory(engine)() as s, s.begin():
        set_principal(s, SYSTEM)
        load_bochum(s, today=TODAY)
        p = projects.get_by_key(s, "SC-022")  # published
        projects.update(s, p.id, {"title": HOSTILE}, expected_version=p.version)
    engine.dispose()
    return path


@pytest.fixture
def client(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    db = tmp_path / "public.db"
    shutil.copy(demo_template, db)
    monkeypatch.setenv("PORTFOLIO_DATABASE_URL", f"sqlite:///{db}")
    return TestClient(Starlette(routes=web.routes()))


def _titles(html: str) -> list[str]:
    return re.findall(r'<h3 id="p-\d+">(.*?)</h3>', html, flags=re.S)


def test_the_public_page_lists_only_the_published_projects(client: TestClient) -> None:
    r = client.get("/oeffentlich")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["cache-control"] == "public, max-age=300"
    html = r.text
    assert '<html lang="de">' in html
    assert len(_titles(html)) == len(DEMO_PUBLISHED)
    for key in DEMO_PUBLISHED:
        assert f">{key} ·" in html
        assert links.fact_sheet(key) in html
    assert "SC-003" not in html and "Stadtlabor der Smart City Bochum" not in html
    assert "Kulturportal Bochum" not in html  # SC-017, not published
    assert "Produktverantwortung" not in html  # SC-001's responsible person
    assert 'href="/opendata/catalog.jsonld"' in html


def test_hostile_text_is_escaped(client: TestClient) -> None:
    html = client.get("/oeffentlich").text
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Böse &amp; Co" in html


def test_filters_and_english(client: TestClient) -> None:
    r = client.get("/oeffentlich", params={"lang": "en", "phase": "completed"})
    assert r.status_code == 200
    html = r.text
    assert '<html lang="en">' in html and "Smart-city projects" in html
    completed = {"SC-002", "SC-009", "SC-022"}  # published and completed in the demo
    assert {k for k in DEMO_PUBLISHED if f">{k} ·" in html} == completed
    assert 'name="lang" value="en"' in html
    assert links.fact_sheet("SC-002", lang="en") in html
    only = client.get("/oeffentlich", params={"suche": "LoRaWAN"}).text
    found = [k for k in DEMO_PUBLISHED if f">{k} ·" in only]
    assert "SC-009" in found and 0 < len(found) < len(DEMO_PUBLISHED)
    assert "SC-022" not in found
    by_partner = client.get("/oeffentlich", params={"partner": "IHK Mittleres Ruhrgebiet"}).text
    assert {k for k in DEMO_PUBLISHED if f">{k} ·" in by_partner} == {"SC-014", "SC-019"}
    # the search never looks at the responsible person (not public)
    hidden = client.get("/oeffentlich", params={"suche": "Produktverantwortung"}).text
    assert _titles(hidden) == []


def test_no_third_party_host(client: TestClient) -> None:
    r = client.get("/oeffentlich")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    html = r.text
    assert not re.search(r"<(script|link|img|iframe)\b", html)
    assert "fonts.googleapis" not in html and "cdn." not in html
    # every link goes to this app's own routes, its base URL or a project's repository
    for href in re.findall(r'href="([^"]+)"', html):
        assert href.startswith(("/", links.absolute(""), "https://", "http://", "#")), href


@pytest.mark.parametrize(
    ("name", "media"),
    [
        ("catalog.jsonld", "application/ld+json"),
        ("catalog.ttl", "text/turtle; charset=utf-8"),
        ("projekte.csv", "text/csv; charset=utf-8"),
        ("projekte.json", "application/json"),
        ("leitthemen.csv", "text/csv; charset=utf-8"),
        ("partner.json", "application/json"),
        ("foerderung.csv", "text/csv; charset=utf-8"),
    ],
)
def test_open_data_files_are_served_with_their_media_types(
    client: TestClient, name: str, media: str
) -> None:
    r = client.get(f"/opendata/{name}")
    assert r.status_code == 200
    assert r.headers["content-type"] == media
    assert r.headers["cache-control"] == "public, max-age=300"
    if name.startswith("catalog"):
        g = Graph().parse(data=r.content, format="json-ld" if name.endswith("jsonld") else "turtle")
        assert len(g) > 0
    assert b"SC-003" not in r.content


def test_open_data_index_and_unknown_files(client: TestClient) -> None:
    r = client.get("/opendata/")
    assert r.status_code == 200 and "catalog.ttl" in r.text
    assert client.get("/opendata/secrets.toml").status_code == 404
    assert client.get("/opendata/projekte.xlsx").status_code == 404
