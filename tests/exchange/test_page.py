"""The Datenaustausch page: upload, preview with counts and diff, apply, errors, past imports."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from db.engine import make_engine, make_session_factory
from portfolio.services import milestones
from tests.exchange.helpers import edit, export, signed_in_app, small_portfolio
from tests.fixtures.exchange import signed_in
from tests.fixtures.ui import seen


def _page() -> None:
    from portfolio.ui.pages.exchange import render

    render()


@pytest.fixture
def page_db(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    path = tmp_path / "page.db"
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv("PORTFOLIO_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("PORTFOLIO_USER", "m.muster")
    st.cache_data.clear()
    st.cache_resource.clear()
    engine = make_engine(f"sqlite:///{path}")
    yield signed_in(make_session_factory(engine))
    engine.dispose()
    st.cache_resource.clear()


def _upload(at: AppTest, data: bytes) -> None:
    uploader = at.get("file_uploader")[0]
    uploader.set_value(("rücklauf.xlsx", data, "application/octet-stream"))  # type: ignore[attr-defined]
    at.run()


def test_upload_preview_apply_and_history(page_db: Any) -> None:
    keys = small_portfolio(page_db)
    data = edit(export(page_db), "Meilensteine", keys["ms"], {"Erledigt am": "03.11.2026"})
    at = signed_in_app(_page).run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Export", "Import", "Bisherige Importe"]
    _upload(at, data)
    at.button(key="exchange_check").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["geändert"] == "1" and metrics["ungültig"] == "0"
    diff = at.dataframe[-1].value
    assert list(diff["bisher"]) == ["–"] and list(diff["neu"]) == ["03.11.2026"]
    with page_db() as s:
        assert milestones.get_by_key(s, keys["ms"]).done_date is None  # preview only
    at.button(key="exchange_apply").click().run()
    assert not at.exception
    assert any("Übernommen" in seen(m.value) for m in at.success)
    with page_db() as s:
        assert milestones.get_by_key(s, keys["ms"]).done_date is not None
    history = at.dataframe[-1].value
    assert list(history["Datei"]) == ["rücklauf.xlsx"] and len(history["von"]) == 1


def test_invalid_upload_shows_errors_and_offers_the_annotated_workbook(page_db: Any) -> None:
    keys = small_portfolio(page_db)
    data = edit(export(page_db), "Projekte", keys["p1"], {"Beginn": "gestern"})
    at = signed_in_app(_page).run()
    _upload(at, data)
    at.button(key="exchange_check").click().run()
    assert not at.exception
    assert any("nichts geändert" in seen(e.value) for e in at.error)
    assert "exchange_apply" not in [b.key for b in at.button]
    frames = [f.value for f in at.dataframe]
    assert any(
        "Meldung" in f.columns and f["Meldung"].str.contains("gestern").any() for f in frames
    )


def test_hostile_upload_gives_a_message_not_a_traceback(page_db: Any) -> None:
    small_portfolio(page_db)
    at = signed_in_app(_page).run()
    _upload(at, b"Schl\xc3\xbcssel;Titel\nSC-001;x\n")
    at.button(key="exchange_check").click().run()
    assert not at.exception
    assert any("keine Excel-Arbeitsmappe" in seen(e.value) for e in at.error)


def test_import_scope_starts_at_the_files_and_another_needs_a_confirmation(
    page_db: Any,
) -> None:
    """ "Eingelesen als" is the scope the workbook states (Stadtwerke's), so a locked cell is
    refused; the whole portfolio needs the box ticked before anything can be checked."""
    from portfolio.exchange.state import Scope

    keys = small_portfolio(page_db)
    data = edit(export(page_db, Scope(partner="STW")), "Projekte", keys["p1"], {"Titel": "Neu"})
    allowed = edit(
        export(page_db, Scope(partner="STW")),
        "Meilensteine",
        keys["ms"],
        {"Erledigt am": "02.11.2026"},
    )
    at = signed_in_app(_page).run()
    _upload(at, data)
    assert at.selectbox(key="exchange_import_scope").value == "partner:STW"
    assert "exchange_confirm_scope" not in [c.key for c in at.checkbox]
    at.button(key="exchange_check").click().run()
    assert not at.exception
    frames = [f.value for f in at.dataframe]
    assert any(
        "Meldung" in f.columns and f["Meldung"].str.contains("Partnern nicht geändert").any()
        for f in frames
    )
    assert "exchange_apply" not in [b.key for b in at.button]
    at.selectbox(key="exchange_import_scope").set_value("all").run()
    assert at.button(key="exchange_check").disabled
    at.checkbox(key="exchange_confirm_scope").check().run()
    assert not at.button(key="exchange_check").disabled
    at.button(key="exchange_check").click().run()
    # read as the whole portfolio, what Stadtwerke's workbook locked is still locked
    assert not at.exception
    frames = [f.value for f in at.dataframe]
    assert any(
        "Meldung" in f.columns and f["Meldung"].str.contains("Partner-Arbeitsmappe gesperrt").any()
        for f in frames
    )
    assert "exchange_apply" not in [b.key for b in at.button]
    # the partner's own change alone goes through in the confirmed scope
    _upload(at, allowed)
    at.selectbox(key="exchange_import_scope").set_value("all").run()
    at.checkbox(key="exchange_confirm_scope").check().run()
    at.button(key="exchange_check").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("ausdrücklich bestätigt" in seen(i.value) for i in at.info)
    at.button(key="exchange_apply").click().run()
    assert any("Übernommen" in seen(m.value) for m in at.success)
    history = at.dataframe[-1].value
    assert list(history["Umfang"]) == ["Gesamtes Portfolio"]


def test_a_partner_on_the_exchange_page_imports_in_its_own_scope_only(page_db: Any) -> None:
    from portfolio.exchange.state import Scope
    from tests.exchange.helpers import partner

    keys = small_portfolio(page_db)
    stw = partner(page_db, "STW")
    data = edit(
        export(page_db, Scope(partner="BOG")),
        "Meilensteine",
        keys["ms2"],
        {"Erledigt am": "01.10.2026"},
    )
    at = signed_in_app(_page, stw).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    _upload(at, data)
    assert "exchange_import_scope" not in [s.key for s in at.selectbox]
    at.button(key="exchange_check").click().run()
    assert not at.exception
    assert any("nichts geändert" in seen(e.value) for e in at.error)
    assert "exchange_apply" not in [b.key for b in at.button]


def test_conflicts_are_decided_field_by_field_on_the_page(page_db: Any) -> None:
    """A stale row's conflicts get a choice each (file or portfolio); checked again with the
    decisions, the workbook applies: the portfolio's title stays, the file's person comes in."""
    from portfolio.journal import Actor, set_actor
    from portfolio.services import projects

    keys = small_portfolio(page_db)
    data = edit(
        export(page_db),
        "Projekte",
        keys["p1"],
        {"Titel": "Titel aus der Datei", "Verantwortlich": "Team Datei"},
    )
    with page_db() as s:
        set_actor(s, Actor("m.muster"))
        p = projects.get_by_key(s, keys["p1"])
        projects.update(s, p.id, {"title": "Titel aus dem Dashboard"}, expected_version=p.version)
        s.commit()
    at = signed_in_app(_page).run()
    _upload(at, data)
    at.button(key="exchange_check").click().run()
    assert not at.exception
    assert "exchange_apply" not in [b.key for b in at.button]
    assert at.button(key="exchange_recheck").disabled  # not before every conflict is decided
    choices = {c.key: c for c in at.get("button_group")}
    title = choices[f"exchange_resolve_project_{keys['p1']}_title"]
    person = choices[f"exchange_resolve_project_{keys['p1']}_responsible_person"]
    assert list(title.options) == [
        "Datei: Titel aus der Datei",
        "Portfolio: Titel aus dem Dashboard",
    ]
    title.set_value("current")
    person.set_value("file").run()
    at.button(key="exchange_recheck").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "exchange_recheck" not in [b.key for b in at.button]  # no conflicts left
    at.button(key="exchange_apply").click().run()
    assert any("Übernommen" in seen(m.value) for m in at.success)
    with page_db() as s:
        p = projects.get_by_key(s, keys["p1"])
        assert (p.title, p.responsible_person) == ("Titel aus dem Dashboard", "Team Datei")
