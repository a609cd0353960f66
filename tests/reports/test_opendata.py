"""The open-data catalogue on the Bochum demo (both databases): JSON-LD and Turtle parse with
rdflib, every dataset has the DCAT-AP.de mandatory properties, unpublished projects and personal
data appear in no file, CSV cells are never formulas, and the funding totals are the read
model's figures."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import RDF, Graph
from rdflib.namespace import DCAT, DCTERMS, FOAF
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import Account, Organisation, Participation, Project, StatusReport
from portfolio.demo.bochum import DEMO_PUBLISHED, load_bochum
from portfolio.errors import NotFound
from portfolio.policy import PUBLIC, set_principal
from portfolio.queries import public
from portfolio.queries import register as register_q
from portfolio.services import accounts, projects
from reports import opendata
from tests.fixtures.base import TODAY

HOSTILE = '=HYPERLINK("http://evil.example")'


@pytest.fixture
def demo(factory: sessionmaker[Session]) -> Iterator[sessionmaker[Session]]:
    with factory() as s, s.begin():
        load_bochum(s, today=TODAY)
        accounts.create(
            s,
            name="erika.mustermann",
            role="staff",
            display_name="Erika Mustermann",
            email="erika.mustermann@bochum.example",
            oidc_only=True,
        )
        p = projects.get_by_key(s, "SC-022")  # published, description only
        projects.update(
            s, p.id, {"title": HOSTILE, "spatial_note": "@SUM(A1)"}, expected_version=p.version
        )
    yield factory


def _write(factory: sessionmaker[Session], tmp: Path) -> list[Path]:
    outdir = tmp / "out"  # the test database lives in tmp itself
    with factory() as s:
        set_principal(s, PUBLIC)
        return opendata.write_open_data(s, outdir, today=TODAY)


def _catalogue_parses_and_every_dataset_has_the_mandatory_properties(
    demo: sessionmaker[Session], tmp_path: Path
) -> None:
    written = sorted((tmp_path / "out").iterdir())
    out = tmp_path / "out"
    assert sorted(p.name for p in written) == sorted(opendata.file_names())
    jsonld, ttl = Graph(), Graph()
    jsonld.parse(out / "catalog.jsonld", format="json-ld")
    ttl.parse(out / "catalog.ttl", format="turtle")
    assert len(jsonld) == len(ttl) > 0
    assert jsonld.isomorphic(ttl)
    for g in (jsonld, ttl):
        catalogs = list(g.subjects(RDF.type, DCAT.Catalog))
        assert len(catalogs) == 1
        datasets = list(g.subjects(RDF.type, DCAT.Dataset))
        assert len(datasets) == len(opendata.DATASETS) == 4
        assert set(g.objects(catalogs[0], DCAT.dataset)) == set(datasets)
        for ds in datasets:
            for prop in (
                DCTERMS.title,
                DCTERMS.description,
                DCTERMS.publisher,
                DCTERMS.license,
                opendata.DCATDE.contributorID,
                DCAT.theme,
                DCTERMS.modified,
                DCTERMS.issued,
                DCTERMS.spatial,
            ):
                assert g.value(ds, prop) is not None, (ds, prop)
            publisher = g.value(ds, DCTERMS.publisher)
            assert (publisher, RDF.type, FOAF.Agent) in g
            assert str(g.value(publisher, FOAF.name)) == "Stadt Bochum"
            assert g.value(ds, DCTERMS.license) == opendata.LICENSE
            dists = list(g.objects(ds, DCAT.distribution))
            assert len(dists) >= 1
            for d in dists:
                access = g.value(d, DCAT.accessURL)
                fmt = g.value(d, DCTERMS.format)
                assert access is not None and fmt is not None
                assert str(fmt).startswith(opendata.FILE_TYPE)
                assert g.value(d, DCTERMS.license) == opendata.LICENSE
                assert g.value(d, DCTERMS.title) is not None
                name = str(access).rsplit("/", 1)[1]
                assert (out / name).exists()  # every access URL names a written file
                assert str(access) == opendata.url(name)


def _no_unpublished_project_and_no_personal_data_in_any_file(
    demo: sessionmaker[Session], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with demo() as s:
        rows = s.execute(select(Project.key, Project.title, Project.published)).all()
        secret: set[str] = {r.responsible_person for r in s.scalars(select(Project))}
        secret |= {e for e in s.scalars(select(Organisation.contact_email)) if e}
        secret |= {a.name for a in s.scalars(select(Account))}
        secret |= {a.email for a in s.scalars(select(Account)) if a.email}
        secret |= {a.display_name for a in s.scalars(select(Account)) if a.display_name}
        secret |= {n for n in s.scalars(select(Participation.note)) if n and len(n) > 12}
        secret |= {t for t in s.scalars(select(StatusReport.summary)) if t and len(t) > 12}
    unpublished = [(r.key, r.title) for r in rows if not r.published]
    assert len(unpublished) == 25 - len(DEMO_PUBLISHED)
    assert "erika.mustermann" in secret and "smart-city@stadtwerke-bochum.example" in secret
    blobs = {p.name: p.read_bytes() for p in out.iterdir()}
    for name, blob in blobs.items():
        for key, title in unpublished:
            assert key.encode() not in blob, (name, key)
            assert title.encode() not in blob, (name, title)
        for value in secret:
            assert value.encode() not in blob, (name, value)
    published = json.loads(blobs["projekte.json"])["projekte"]
    assert sorted(p["schluessel"] for p in published) == sorted(DEMO_PUBLISHED)


def _csv_cells_are_never_formulas(demo: sessionmaker[Session], tmp_path: Path) -> None:
    out = tmp_path / "out"
    seen_hostile = False
    for path in out.glob("*.csv"):
        text = path.read_bytes().decode("utf-8")
        assert not text.startswith("\ufeff")
        for row in csv.reader(io.StringIO(text), delimiter=";"):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@")), (path.name, cell)
                seen_hostile |= cell == "'" + HOSTILE
    assert seen_hostile  # the hostile title is there, as text


def _groups_decide_what_a_project_shows(demo: sessionmaker[Session], tmp_path: Path) -> None:
    out = tmp_path / "out"
    rows = {
        p["schluessel"]: p for p in json.loads((out / "projekte.json").read_bytes())["projekte"]
    }
    full, minimal = rows["SC-001"], rows["SC-022"]
    for group_field in (
        "beschreibung",
        "partner",
        "foerderung",
        "meilensteine",
        "kennzahlen",
        "ampel",
    ):
        assert group_field in full
    assert "beschreibung" in minimal
    for group_field in ("partner", "foerderung", "meilensteine", "kennzahlen", "ampel"):
        assert group_field not in minimal
    for core in (
        "titel",
        "leitthema",
        "handlungsfeld",
        "phase",
        "raeumliche_wirkung",
        "open_source_repository",
        "beginn",
        "ende",
    ):
        assert core in minimal
    assert rows["SC-002"]["open_source_repository"]


def _funding_totals_are_the_read_models_figures(
    demo: sessionmaker[Session], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    doc = json.loads((out / "foerderung.json").read_bytes())
    with demo() as s:
        set_principal(s, PUBLIC)
        totals = public.funding_totals(s, today=TODAY)
    with demo() as s:  # the register's per-project figures, as the staff see them
        register = {r.key: r for r in register_q.rows(s, register_q.RegisterFilter(), today=TODAY)}
    assert doc["summe"]["bewilligt"] == str(totals.approved)
    assert doc["summe"]["gesamtkosten"] == str(totals.total_cost)
    funded = [k for k, groups in DEMO_PUBLISHED.items() if "funding" in groups]
    assert sorted(p["schluessel"] for p in doc["projekte"]) == sorted(funded)
    for p in doc["projekte"]:
        assert Decimal(p["bewilligt"]) == register[p["schluessel"]].funding_approved
        assert Decimal(p["gesamtkosten"]) == register[p["schluessel"]].total_cost
    assert totals.approved == sum((register[k].funding_approved for k in funded), Decimal("0.00"))
    assert totals.approved > 0
    summe = next(
        r
        for r in csv.DictReader(
            io.StringIO((out / "foerderung.csv").read_text("utf-8")), delimiter=";"
        )
        if r["schluessel"] == "SUMME"
    )
    assert Decimal(summe["bewilligt"]) == totals.approved


def test_the_catalogue_files_on_the_demo(demo: sessionmaker[Session], tmp_path: Path) -> None:
    """One demo load (slow), every check on the files written from it."""
    _write(demo, tmp_path)
    _catalogue_parses_and_every_dataset_has_the_mandatory_properties(demo, tmp_path)
    _no_unpublished_project_and_no_personal_data_in_any_file(demo, tmp_path)
    _csv_cells_are_never_formulas(demo, tmp_path)
    _groups_decide_what_a_project_shows(demo, tmp_path)
    _funding_totals_are_the_read_models_figures(demo, tmp_path)


def test_one_file_by_name_and_an_unknown_name(demo: sessionmaker[Session]) -> None:
    with demo() as s:
        set_principal(s, PUBLIC)
        body, media = opendata.open_data_file(s, "partner.json", today=TODAY)
        assert media == "application/json"
        names = {p["organisation"] for p in json.loads(body)["partner"]}
        assert "Stadtwerke Bochum" in names
        with pytest.raises(NotFound):
            opendata.open_data_file(s, "../secrets.toml", today=TODAY)
