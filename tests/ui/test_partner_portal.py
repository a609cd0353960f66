"""Meine Projekte, the partner portal: AppTest for what a partner, the unit and the others see,
the direct edits and the upload; and the whole round trip in Chromium as a partner signed in
with the built-in login (download, edit with openpyxl, upload, preview, apply)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from db.enums import AuditKind, ChangeSource, JournalAction, Role
from db.models import (
    Account,
    AuditEvent,
    JournalEntry,
    Milestone,
    Organisation,
    Participation,
    Project,
)
from portfolio import passwords
from portfolio.exchange.export import export_partner_workbook
from portfolio.policy import Principal, set_principal
from portfolio.services import accounts, organisations
from tests.exchange.helpers import edit
from tests.fixtures.base import TESTER, TODAY
from tests.fixtures.ui import Query, loopback_context, no_errors, open_page, seen, streamlit_server

PAGE = "partner_portal"
PASSWORD = "Zeche-Hannover-2026"


def _partner(q: Query, key: str, name: str | None = None) -> Principal:
    def find(s: Session) -> Principal:
        set_principal(s, TESTER)
        org = organisations.get_by_key(s, key)
        return Principal(
            name or f"{key.lower()}.partner",
            Role.PARTNER,
            organisation_id=org.id,
            organisation_key=org.key,
        )

    return q(find)


def _own_projects(q: Query, key: str) -> list[str]:
    return q(
        lambda s: sorted(
            s.execute(
                select(Project.key)
                .join(Participation, Participation.project_id == Project.id)
                .join(Organisation, Organisation.id == Participation.organisation_id)
                .where(Project.archived.is_(False), Organisation.key == key)
                .distinct()
            ).scalars()
        )
    )


def _projects_frame(at: AppTest) -> list[str]:
    frame = next(f.value for f in at.dataframe if "Schlüssel" in f.value.columns)
    return list(frame["Schlüssel"])


def _open_stone(q: Query, project: str) -> tuple[str, int]:
    return q(
        lambda s: tuple(
            s.execute(
                select(Milestone.key, Milestone.id)
                .join(Project, Project.id == Milestone.project_id)
                .where(Project.key == project, Milestone.done_date.is_(None))
                .order_by(Milestone.key)
                .limit(1)
            ).one()
        )
    )


def test_a_partner_sees_its_organisations_projects_milestones_and_duties(q: Query) -> None:
    stw = _partner(q, "STW")
    at = open_page(PAGE, principal=stw)
    no_errors(at)
    assert [t.value for t in at.title] == ["Meine Projekte"]
    assert "portal_org" not in [s.key for s in at.selectbox]  # no choice: its own organisation
    assert _projects_frame(at) == _own_projects(q, "STW")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Projekte"] == str(len(_own_projects(q, "STW")))
    assert [t.label for t in at.tabs] == ["Projekte", "Arbeitsmappe", "Bisherige Importe"]
    assert at.get("file_uploader") and at.get("download_button")
    stones = next(f.value for f in at.dataframe if "Meilenstein" in f.value.columns)
    assert set(stones["Projekt"]) <= set(_own_projects(q, "STW"))


def test_the_portal_speaks_english(q: Query) -> None:
    at = open_page(PAGE, lang="en", principal=_partner(q, "IHK"))
    no_errors(at)
    assert [t.value for t in at.title] == ["My projects"]
    assert [t.label for t in at.tabs] == ["Projects", "Workbook", "Past imports"]
    assert _projects_frame_en(at) == _own_projects(q, "IHK")


def _projects_frame_en(at: AppTest) -> list[str]:
    frame = next(f.value for f in at.dataframe if "Key" in f.value.columns)
    return list(frame["Key"])


def test_the_unit_views_the_portal_as_a_chosen_partner(q: Query) -> None:
    at = open_page(PAGE, principal=Principal("m.muster", Role.STAFF))
    no_errors(at)
    assert not at.dataframe
    at.selectbox(key="portal_org").set_value("IHK").run()
    no_errors(at)
    assert _projects_frame(at) == _own_projects(q, "IHK")
    # the leadership reads it too, but exchanges no workbook
    at = open_page(PAGE, principal=Principal("cdo", Role.LEADERSHIP))
    at.selectbox(key="portal_org").set_value("IHK").run()
    no_errors(at)
    assert _projects_frame(at) == _own_projects(q, "IHK")
    assert not at.get("file_uploader") and not at.get("download_button")


def test_a_viewer_is_refused(q: Query) -> None:
    at = AppTest.from_function(_render, default_timeout=60)
    at.session_state["principal"] = Principal("rat", Role.VIEWER)
    at.run()
    assert not at.exception
    assert any("Berechtigung" in seen(e.value) for e in at.error)
    assert not at.dataframe


def _render() -> None:
    from portfolio.ui.pages.partner_portal import render
    from portfolio.ui.runtime import guarded

    guarded(render)()


def test_a_partner_edits_its_project_texts_on_the_page(q: Query) -> None:
    stw = _partner(q, "STW", "anna.stadtwerke")
    project = _own_projects(q, "STW")[0]
    at = open_page(PAGE, principal=stw, projekt=project)
    no_errors(at)
    assert not at.warning
    summary = next(a for a in at.text_area if a.key and a.key.endswith(":summary"))
    summary.set_value("Neue Kurzbeschreibung aus dem Partnerportal")
    at.button[[b.label for b in at.button].index("Speichern")].click().run()
    no_errors(at)
    found = q(
        lambda s: (
            s.execute(select(Project.summary).where(Project.key == project)).scalar_one(),
            s.execute(
                select(JournalEntry.actor, JournalEntry.source)
                .where(
                    JournalEntry.entity == "project", JournalEntry.action == JournalAction.UPDATE
                )
                .order_by(JournalEntry.id.desc())
                .limit(1)
            ).one(),
        )
    )
    assert found[0] == "Neue Kurzbeschreibung aus dem Partnerportal"
    assert tuple(found[1]) == ("anna.stadtwerke", ChangeSource.UI)


def test_a_partner_uploads_previews_and_applies_its_workbook_in_the_portal(
    q: Query, demo_db: str
) -> None:
    stw = _partner(q, "STW", "anna.stadtwerke")
    project = _own_projects(q, "STW")[0]
    stone, stone_id = _open_stone(q, project)

    def download(s: Session) -> bytes:
        set_principal(s, stw)
        return export_partner_workbook(s).data

    data = edit(q(download), "Meilensteine", stone, {"Erledigt am": "03.11.2026"})
    at = open_page(PAGE, principal=stw)
    at.get("file_uploader")[0].set_value(("stw.xlsx", data, "application/octet-stream"))  # type: ignore[attr-defined]
    at.run()
    no_errors(at)
    assert any("Stadtwerke" in seen(c.value) for c in at.caption)
    at.button(key="portal_check").click().run()
    no_errors(at)
    assert any("in Ordnung" in seen(s.value) for s in at.success)
    diff = next(f.value for f in at.dataframe if "bisher" in f.value.columns)
    assert list(diff["neu"]) == ["03.11.2026"]
    at.button(key="portal_apply").click().run()
    no_errors(at)
    assert any("Übernommen" in seen(s.value) for s in at.success)
    done = q(lambda s: s.get(Milestone, stone_id).done_date)  # type: ignore[union-attr]
    assert done == dt.date(2026, 11, 3)
    history = next(f.value for f in at.dataframe if "Datei" in f.value.columns)
    assert list(history["von"]) == ["anna.stadtwerke"]


# ---- the round trip in Chromium ---------------------------------------------------------------

MAIN = '[data-testid="stMain"]'


@pytest.fixture(scope="module")
def partner_server(
    bochum_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """``streamlit run`` on the Bochum demo with a partner account of the Stadtwerke (so the
    demo mode is off and the login is required)."""
    folder = tmp_path_factory.mktemp("portal")
    db = folder / "portfolio.db"
    shutil.copy(bochum_template, db)
    q = Query(f"sqlite:///{db}")

    def create(s: Session) -> None:
        set_principal(s, TESTER)
        made = accounts.create(
            s, name="anna.stw", role=Role.PARTNER, display_name="Anna", organisation_key="STW"
        )
        account = s.get(Account, made.account.id)
        assert account is not None
        account.password_hash = passwords.hash_password(PASSWORD)
        account.must_change_password = False

    try:
        q(create)
    finally:
        q.engine.dispose()
    with streamlit_server(db, folder) as base:
        yield base, db


def _settled(page: Any) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )
    page.wait_for_timeout(400)


# Long on purpose: one partner's whole round trip in a real browser, step by step as the user does
# it.
@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_the_round_trip_in_a_real_browser(
    partner_server: tuple[str, Path], browser: Any, tmp_path: Path
) -> None:
    base, db = partner_server
    q = Query(f"sqlite:///{db}")
    try:
        project = _own_projects(q, "STW")[0]
        stone, stone_id = _open_stone(q, project)
        foreign = q(
            lambda s: list(
                s.execute(
                    select(Project.title).where(
                        ~Project.id.in_(
                            select(Participation.project_id)
                            .join(Organisation, Organisation.id == Participation.organisation_id)
                            .where(Organisation.key == "STW")
                        )
                    )
                ).scalars()
            )
        )
    finally:
        q.engine.dispose()
    blocked: list[str] = []
    context = loopback_context(
        browser, blocked, viewport={"width": 1440, "height": 2400}, accept_downloads=True
    )
    page = context.new_page()
    try:
        page.goto(base, wait_until="domcontentloaded")
        page.get_by_label("Anmeldename").wait_for(timeout=30_000)
        _settled(page)
        page.get_by_label("Anmeldename").fill("anna.stw")
        page.get_by_label("Passwort", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        page.get_by_role("heading", name="Meine Projekte").wait_for(timeout=45_000)
        _settled(page)
        text = page.inner_text(MAIN)  # (tables draw on a canvas: their cells are not text)
        assert "Stadtwerke" in text and not [t for t in foreign if t in text]
        # download
        page.get_by_role("tab", name="Arbeitsmappe").click()
        with page.expect_download(timeout=60_000) as waiting:
            page.get_by_role("button", name="Arbeitsmappe herunterladen").click()
        path = tmp_path / "stw.xlsx"
        waiting.value.save_as(path)
        # edit in "Excel"
        changed = edit(path.read_bytes(), "Meilensteine", stone, {"Erledigt am": "04.11.2026"})
        path.write_bytes(changed)
        # upload, preview, apply
        page.locator(MAIN).locator('input[type="file"]').set_input_files(str(path))
        page.get_by_role("button", name="Prüfen (Vorschau)").wait_for(timeout=60_000)
        _settled(page)
        page.get_by_role("button", name="Prüfen (Vorschau)").click()
        page.get_by_text("Die Arbeitsmappe ist in Ordnung").wait_for(timeout=60_000)
        _settled(page)
        page.get_by_role("button", name="Änderungen übernehmen").click()
        page.get_by_text("Übernommen:").wait_for(timeout=60_000)
        _settled(page)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()
    assert blocked == []
    q = Query(f"sqlite:///{db}")
    try:
        done = q(lambda s: s.get(Milestone, stone_id).done_date)  # type: ignore[union-attr]
        entry = q(
            lambda s: tuple(
                s.execute(
                    select(JournalEntry.actor, JournalEntry.source)
                    .where(JournalEntry.entity == "milestone", JournalEntry.entity_id == stone_id)
                    .order_by(JournalEntry.id.desc())
                    .limit(1)
                ).one()
            )
        )
        kinds = q(
            lambda s: list(
                s.execute(
                    select(AuditEvent.kind)
                    .where(AuditEvent.actor == "anna.stw")
                    .order_by(AuditEvent.id)
                ).scalars()
            )
        )
    finally:
        q.engine.dispose()
    assert done == dt.date(2026, 11, 4)
    assert entry == ("anna.stw", ChangeSource.IMPORT)
    assert AuditKind.PARTNER_EXPORT in kinds and AuditKind.PARTNER_IMPORT in kinds


def test_the_portal_and_the_partner_page_count_the_same_open_and_overdue_milestones(
    q: Query,
) -> None:
    """One truth: what an organisation is responsible for is the same number on the Partner page
    (staff) and in the organisation's own portal."""
    from portfolio.queries import partner_portal, partners

    def both(session: Session) -> list[tuple[str, tuple[int, int], tuple[int, int]]]:
        out = []
        for line in partners.partner_lines(session, today=TODAY):
            portal = partner_portal.portal(session, organisation_key=line.key, today=TODAY)
            own = [m for m in portal.milestones if m.own]
            out.append(
                (
                    line.key,
                    (line.open_milestones, line.overdue_milestones),
                    (len(own), sum(m.overdue for m in own)),
                )
            )
        return out

    rows = q(both)
    assert sum(page[1] for _, page, _ in rows) > 0  # the demo has overdue milestones
    assert [(key, page) for key, page, _ in rows] == [(key, mine) for key, _, mine in rows]
