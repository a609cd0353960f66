"""The project fact sheet (Steckbrief): its figures are the services' figures, it renders on one
or two pages that pdftoppm draws, user text stays text, the published sheet holds only what is
published and never a person, and the route, the command and the project page deliver it."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from db.enums import PublishGroup
from db.models import Project
from portfolio import links, web
from portfolio.cli import main
from portfolio.demo.bochum import load_bochum
from portfolio.demo.synthetic import generate
from portfolio.errors import NotFound
from portfolio.i18n import fmt_date, fmt_eur, fmt_number
from portfolio.policy import PUBLIC, SYSTEM, AccessDenied, set_principal
from portfolio.queries import detail as detail_q
from portfolio.queries import grant as grant_q
from portfolio.queries import register as register_q
from portfolio.queries.factsheet import fact_sheet, published_fact_sheet
from portfolio.services import (
    kpis,
    milestones,
    organisations,
    participations,
    projects,
    status_reports,
)
from reports.factsheet import render_pdf
from reports.texts import tx
from tests.factories import make_application, make_project
from tests.fixtures.base import TESTER, TODAY

PERSON = "Erika Mustermann-Beispiel"
HOSTILE = 'Sensorik <b>&amp; "Daten" & Co</b> <i>kursiv'


def text_of(pdf: bytes) -> str:
    """The PDF's text (pypdf), with no-break spaces as spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def pages_of(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def assert_draws(pdf: bytes, folder: Path) -> None:
    """pdftoppm renders every page without complaint; one or two pages."""
    pages = pages_of(pdf)
    assert 1 <= pages <= 2
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "sheet.pdf"
    source.write_bytes(pdf)
    done = subprocess.run(
        ["pdftoppm", "-r", "30", "-png", str(source), str(folder / "page")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert not done.stderr.strip(), done.stderr
    assert len(list(folder.glob("page*.png"))) == pages


def money(value: Decimal | None, lang: str) -> str:
    return fmt_eur(value, lang).replace("\xa0", " ")


def number(value: Decimal | None, lang: str) -> str:
    return fmt_number(value, lang).replace("\xa0", " ")


def expected_figures(session: Session, key: str, lang: str) -> list[str]:
    """What the sheet must show, asked of the project page's read models and the register."""
    project = projects.get_by_key(session, key)
    detail = detail_q.project_detail(session, key, today=TODAY)
    register = [
        r
        for r in register_q.rows(session, register_q.RegisterFilter(text=key), today=TODAY)
        if r.key == key
    ]
    grants = {
        g.application.values["key"]: g
        for g in grant_q.grants_of_project(session, project.id, today=TODAY)
    }
    shown = [money(project.total_cost, lang), money(project.eligible_cost, lang)]
    shown += [money(register[0].funding_approved, lang), money(register[0].funding_requested, lang)]
    for a in detail.applications:
        if a.extra["archived"]:
            continue
        shown += [
            money(a.values["amount_approved"], lang),
            money(a.values["amount_requested"], lang),
        ]
        shown.append(money(a.extra["paid"], lang))
        grant = grants.get(a.values["key"])
        if grant is not None:  # the Zuwendungen section's figure agrees
            shown.append(money(grant.paid, lang))
    for k in kpis.get_all(session, project_id=project.id):
        shown += [number(k.baseline, lang), number(k.target, lang)]
        if k.measurements:
            newest = k.measurements[-1]
            shown.append(f"{number(newest.value, lang)} ({fmt_date(newest.measured_on, lang)})")
    return shown


@pytest.fixture
def bochum(session: Session) -> Session:
    load_bochum(session, today=TODAY)
    session.commit()
    return session


def test_bochum_fact_sheets_show_the_services_figures(bochum: Session, tmp_path: Path) -> None:
    for key in ("SC-001", "SC-004", "SC-019", "SC-017"):
        sheet = fact_sheet(bochum, key, today=TODAY)
        assert sheet.funding is not None and sheet.funding.lines
        assert sheet.kpis is not None or key == "SC-017"
        for lang in ("de", "en"):
            pdf = render_pdf(sheet, lang=lang)
            assert_draws(pdf, tmp_path / f"{key}-{lang}")
            text = text_of(pdf)
            missing = [f for f in expected_figures(bochum, key, lang) if f not in text]
            assert missing == [], (key, lang)
            assert sheet.title.split(" ")[0] in text
            assert fmt_date(TODAY, lang) in text  # the data date in the footer
            pages = pages_of(pdf)  # "Seite 2 von 2" on the last page
            assert tx("page", lang, page=pages, pages=pages) in text
            assert sheet.responsible_person
            assert sheet.responsible_person in " ".join(text.split())
    sheet = fact_sheet(bochum, "SC-019", today=TODAY)  # in words of either language
    de, en = text_of(render_pdf(sheet)), text_of(render_pdf(sheet, lang="en"))
    assert "Projektsteckbrief" in de and "Meilensteine" in de and "Ausgezahlt" in de
    assert "Project fact sheet" in en and "Milestones" in en and "Paid out" in en
    assert "10.540.000,00 €" in de and "€10,540,000.00" in en
    assert "in Durchführung" in de and "gelb" in de  # labels from portfolio/vocab
    assert "überfällig" in de and "overdue" in en  # the milestone's state, in words


def synthetic_project(session: Session) -> str:
    """A generated project rich in parts (funding paid out, KPIs, milestones)."""
    generate(session, 30, seed=7, today=TODAY)
    session.commit()
    best, score = "", -1
    for project in projects.get_all(session):
        d = detail_q.project_detail(session, project.key, today=TODAY)
        paid = sum(1 for a in d.applications if a.extra["paid"])
        points = 3 * paid + len(d.kpis) + len(d.milestones) + len(d.participations)
        if points > score:
            best, score = project.key, points
    return best


def test_a_synthetic_project_with_hostile_and_long_text(session: Session, tmp_path: Path) -> None:
    key = synthetic_project(session)
    project = projects.get_by_key(session, key)
    projects.update(
        session,
        project.id,
        {
            "title": HOSTILE,
            "summary": (
                "<script>alert(1)</script> & Wort " * 120
            ).strip(),  # about 4,000 characters
            "goals": ("Ziel <u>unterstrichen</u> &amp; mehr. " * 100).strip(),
            "responsible_person": PERSON,
        },
        expected_version=project.version,
    )
    for n in range(25):
        milestones.create(
            session,
            {
                "project_id": project.id,
                "title": f"Meilenstein <b>{n}</b> mit einem recht langen Titel, der umbrechen muss",
                "due_date": dt.date(2026, 1, 1) + dt.timedelta(days=20 * n),
            },
            today=TODAY,
        )
    session.commit()
    sheet = fact_sheet(session, key, today=TODAY)
    assert sheet.title == HOSTILE
    for lang in ("de", "en"):
        pdf = render_pdf(sheet, lang=lang)
        assert_draws(pdf, tmp_path / lang)
        text = text_of(pdf)
        flat = " ".join(text.split())
        assert HOSTILE in flat  # shown as written, never as markup
        assert "<script>alert(1)</script>" in flat
        assert "Meilenstein <b>" in flat
        assert ("gekürzt" if lang == "de" else "shortened") in flat  # said, not hidden
        missing = [f for f in expected_figures(session, key, lang) if f not in text]
        assert missing == []


def test_a_project_with_nothing_but_its_core(session: Session, tmp_path: Path) -> None:
    project = make_project(session, title="Nur Stammdaten", summary=None, goals=None)
    session.commit()
    sheet = fact_sheet(session, project.key, today=TODAY)
    assert sheet.report is None and sheet.kpis == () and sheet.milestones == ()
    pdf = render_pdf(sheet)
    assert_draws(pdf, tmp_path)
    text = text_of(pdf)
    assert "Noch kein Statusbericht." in text
    assert money(Decimal("1000000.00"), "de") in text


# ---- the published sheet ----------------------------------------------------------------------


def rich_project(session: Session, title: str = "Offene Sensorik") -> Project:
    """A project with every part, personal data in each place it may sit."""
    project = make_project(session, title=title, responsible_person=PERSON, goals="Geheimes Ziel")
    make_application(session, project, amount_requested=Decimal("291987.00"))
    stw = organisations.get_by_key(session, "STW")
    participations.create(
        session,
        {
            "project_id": project.id,
            "organisation_id": stw.id,
            "role": "partner",
            "contribution_cash": Decimal("4321.00"),
            "note": f"Ansprechpartnerin {PERSON}, Tel. 0234 910-0",
        },
    )
    milestones.create(
        session,
        {"project_id": project.id, "title": "Verborgener Meilenstein", "due_date": TODAY},
        today=TODAY,
    )
    kpi = kpis.create(
        session,
        {"project_id": project.id, "name": "Sensoren im Netz", "unit": "Stück", "target": 40},
    )
    kpis.create_measurement(
        session,
        {"kpi_id": kpi.id, "measured_on": TODAY, "value": Decimal("17"), "note": PERSON},
    )
    status_reports.create(
        session,
        {
            "project_id": project.id,
            "report_date": TODAY,
            "overall": "yellow",
            "schedule": "red",
            "budget": "green",
            "funding": "green",
            "summary": f"Vertraulicher Bericht von {PERSON}",
            "author": PERSON,
        },
    )
    return project


def publish(session: Session, project: Project, groups: list[str]) -> None:
    project.published = True
    project.publish_groups = groups
    session.commit()


def test_the_published_sheet_holds_only_the_published_groups(session: Session) -> None:
    project = rich_project(session)
    session.commit()
    set_principal(session, PUBLIC)
    with pytest.raises(NotFound):  # not published yet
        published_fact_sheet(session, project.key, today=TODAY)
    with pytest.raises(NotFound):
        published_fact_sheet(session, "SC-999", today=TODAY)
    with pytest.raises(AccessDenied):  # the internal sheet is not for the public
        fact_sheet(session, project.key, today=TODAY)
    set_principal(session, TESTER)
    publish(session, project, [PublishGroup.PARTNERS, PublishGroup.KPIS])
    set_principal(session, PUBLIC)
    sheet = published_fact_sheet(session, project.key, today=TODAY)
    assert sheet.public and sheet.groups == {"partners", "kpis"}
    assert sheet.responsible_person is None and sheet.priority is None
    assert sheet.summary is sheet.goals is sheet.funding is sheet.milestones is sheet.report is None
    assert sheet.partners and all(p.cash is None for p in sheet.partners)
    for lang in ("de", "en"):
        text = text_of(render_pdf(sheet, lang=lang))
        assert project.title in text and "Stadtwerke Bochum" in text and "Sensoren im Netz" in text
        for hidden in (
            PERSON,
            "Mustermann",
            "0234",
            "Geheimes Ziel",
            "Verborgener Meilenstein",
            "Vertraulicher Bericht",
            money(Decimal("291987.00"), lang),
            money(Decimal("1000000.00"), lang),
            money(Decimal("4321.00"), lang),
        ):
            assert hidden not in text, hidden
    # every group: still no person, no note, no report text, no requested or paid amounts
    set_principal(session, TESTER)
    publish(session, project, [str(g) for g in PublishGroup])
    set_principal(session, PUBLIC)
    sheet = published_fact_sheet(session, project.key, today=TODAY)
    assert sheet.report is not None and sheet.report.summary is None
    assert sheet.report.schedule is None
    assert sheet.funding is not None and sheet.funding.requested is None
    text = text_of(render_pdf(sheet))
    assert "Geheimes Ziel" in text and "Verborgener Meilenstein" in text
    assert money(Decimal("1000000.00"), "de") in text and "gelb" in text
    for hidden in (PERSON, "Mustermann", "0234", "Vertraulicher Bericht", "Termine"):
        assert hidden not in text, hidden
    # the internal sheet has the responsible person; an archived project is not public
    set_principal(session, TESTER)
    assert PERSON in text_of(render_pdf(fact_sheet(session, project.key, today=TODAY)))
    projects.archive(session, project.id, expected_version=project.version)
    session.commit()
    set_principal(session, PUBLIC)
    with pytest.raises(NotFound):
        published_fact_sheet(session, project.key, today=TODAY)


# ---- the route, the command, the page ---------------------------------------------------------


@pytest.fixture
def served(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The test database as the process's database (both backends); yields its URL."""
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("PORTFOLIO_DATABASE_URL", url)
    yield url
    from portfolio import store

    found = store._engines.pop(url, None)
    if found is not None:
        found.dispose()


def test_the_route_serves_only_published_sheets(session: Session, served: str) -> None:
    project = rich_project(session, title="Öffentliche <Sensorik> & Co")
    session.commit()
    client = TestClient(Starlette(routes=web.routes()))
    path = urlsplit(links.fact_sheet(project.key, base="http://testserver")).path
    assert path == f"/oeffentlich/steckbrief/{project.key}.pdf"
    hidden = client.get(path)
    assert hidden.status_code == 404 and hidden.text == "Nicht gefunden."
    assert client.get("/oeffentlich/steckbrief/SC-999.pdf").status_code == 404
    publish(session, project, [PublishGroup.DESCRIPTION, PublishGroup.STATUS])
    shown = client.get(path)
    assert shown.status_code == 200
    assert shown.headers["content-type"] == "application/pdf"
    assert shown.headers["cache-control"] == "public, max-age=300"
    assert "default-src 'self'" in shown.headers["content-security-policy"]
    text = text_of(shown.content)
    assert "Öffentliche <Sensorik> & Co" in text and "Veröffentlichte Fassung" in text
    assert PERSON not in text and "Stadtwerke" not in text  # partners not published
    english = client.get(urlsplit(links.fact_sheet(project.key, lang="en")).path + "?lang=en")
    assert english.status_code == 200 and "Published version" in text_of(english.content)
    assert english.headers["content-disposition"].endswith(f'fact-sheet_{project.key}.pdf"')
    set_principal(session, SYSTEM)
    project.published = False
    session.commit()
    assert client.get(path).status_code == 404


def test_the_command_writes_the_sheet(
    session: Session, served: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = rich_project(session)
    session.commit()
    out = tmp_path / "out" / "steckbrief.pdf"
    assert main(["--db", served, "factsheet", project.key, str(out)]) == 0
    assert f"Steckbrief {project.key}" in capsys.readouterr().out
    assert PERSON in text_of(out.read_bytes())
    assert main(["--db", served, "factsheet", "SC-999", str(out)]) == 1
    assert "„SC-999“ wurde nicht gefunden" in capsys.readouterr().err
    assert main(["--db", served, "factsheet", project.key, str(out), "--public"]) == 1
    assert "nicht veröffentlicht" in capsys.readouterr().err
    assert main(["--db", served, "factsheet", project.key, str(tmp_path / "x.txt")]) == 2
    assert ".pdf" in capsys.readouterr().err
    publish(session, project, [PublishGroup.KPIS])
    public = tmp_path / "public.pdf"
    assert (
        main(["--db", served, "factsheet", project.key, str(public), "--public", "--lang", "en"])
        == 0
    )
    text = text_of(public.read_bytes())
    assert "Published version" in text and "Sensoren im Netz" in text and PERSON not in text


def test_the_project_page_offers_the_sheet(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import streamlit as st

    from db.engine import make_engine, make_session_factory
    from tests.fixtures.ui import no_errors, open_page

    db = tmp_path / "page.db"
    shutil.copy(sqlite_template, db)
    engine = make_engine(f"sqlite:///{db}")
    with make_session_factory(engine)() as s, s.begin():
        set_principal(s, TESTER)
        key = make_project(s).key
    engine.dispose()
    monkeypatch.setenv("PORTFOLIO_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.delenv("PORTFOLIO_USER", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = open_page("project", projekt=key)
        no_errors(at)
        buttons = [b.proto.label for b in at.get("download_button")]
        assert "Steckbrief (PDF)" in buttons
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
