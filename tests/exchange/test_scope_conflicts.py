"""Partner scope, conflicts with the journal's who and when, atomicity."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.enums import ChangeSource
from db.models import Organisation
from portfolio.exchange import importer
from portfolio.exchange.schema import PROJECTS
from portfolio.exchange.state import Scope
from portfolio.i18n import t
from portfolio.journal import Actor, set_actor
from portfolio.services import milestones, participations, projects
from portfolio.vocab import field_label
from tests.exchange.helpers import (
    append,
    edit,
    export,
    journal_count,
    partner,
    run,
    small_portfolio,
    snapshot,
)

STW = Scope(partner="STW")


def sheet_keys(data: bytes, title: str) -> list[str]:
    ws = openpyxl.load_workbook(io.BytesIO(data))[title]
    return [r[0].value for r in ws.iter_rows(min_row=2) if r[0].value]


def test_partner_workbook_holds_only_the_partners_projects_and_rows(
    sqlite_factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(sqlite_factory)
    data = export(sqlite_factory, STW)
    assert sheet_keys(data, "Projekte") == [keys["p1"]]
    assert sheet_keys(data, "Meilensteine") == [keys["ms"]]
    with sqlite_factory() as s:
        own = [
            f"BT-{p.id}"
            for p in participations.get_all(s, project_id=keys["p1_id"])
            if p.organisation.key == "STW"
        ]
    assert sheet_keys(data, "Beteiligungen") == own  # not USB's row
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Projekte"]
    headers = {c.value: c.column for c in ws[1]}
    assert ws.protection.sheet
    for column in PROJECTS.columns:
        cell = ws.cell(row=2, column=headers[column.header("de")])
        assert cell.protection.locked is (not column.partner), column.field
    meta = {r[0].value: r[1].value for r in wb["_meta"].iter_rows(min_row=2)}
    assert meta["scope"] == "partner:STW" and wb["_meta"].sheet_state == "hidden"


def test_partner_may_change_partner_fields(sqlite_factory: sessionmaker[Session]) -> None:
    keys = small_portfolio(sqlite_factory)
    data = export(sqlite_factory, principal=partner(sqlite_factory, "STW"))
    data = edit(data, "Meilensteine", keys["ms"], {"Erledigt am": "02.11.2026"})
    data = edit(data, "Projekte", keys["p1"], {"Kurzbeschreibung": "Neue Beschreibung"})
    data = append(
        data,
        "Messwerte",
        {"Wirkungsindikator": keys["kpi"], "Gemessen am": "01.09.2026", "Wert": "20"},
    )
    result = run(sqlite_factory, data, principal=partner(sqlite_factory, "STW"))
    assert result.applied and (result.updated, result.created) == (2, 1), [
        e.message for e in result.errors
    ]


def test_partner_may_not_change_other_fields(sqlite_factory: sessionmaker[Session]) -> None:
    keys = small_portfolio(sqlite_factory)
    data = edit(
        export(sqlite_factory, principal=partner(sqlite_factory, "STW")),
        "Projekte",
        keys["p1"],
        {"Gesamtkosten": 5},
    )
    before = snapshot(sqlite_factory)
    result = run(sqlite_factory, data, principal=partner(sqlite_factory, "STW"))
    expected = t(
        "partner_field",
        "de",
        field=field_label("total_cost"),
        new="5,00\xa0€",
        old="1.000.000,00\xa0€",
    )
    assert not result.applied and [e.message for e in result.errors] == [expected]
    assert snapshot(sqlite_factory) == before


@pytest.mark.parametrize("scope", [Scope(), STW, None], ids=["whole-portfolio", "partner", "file"])
def test_a_locked_cell_changed_in_a_partner_workbook_is_refused_in_any_scope(
    sqlite_factory: sessionmaker[Session], scope: Scope | None
) -> None:
    """An administrator reading Stadtwerke's workbook as the whole portfolio (confirmed) still
    gets a locked-field change for a cell the workbook locked, never an ordinary update."""
    keys = small_portfolio(sqlite_factory)
    data = edit(
        export(sqlite_factory, principal=partner(sqlite_factory, "STW")),
        "Projekte",
        keys["p1"],
        {"Gesamtkosten": 5},
    )
    before = snapshot(sqlite_factory)
    result = run(sqlite_factory, data, scope=scope, confirm_scope=scope is not None)
    code = "locked_field" if scope == Scope() else "partner_field"
    expected = t(
        code, "de", field=field_label("total_cost"), new="5,00\xa0€", old="1.000.000,00\xa0€"
    )
    assert not result.applied and [e.message for e in result.errors] == [expected]
    assert snapshot(sqlite_factory) == before


def test_partner_may_not_touch_other_projects(sqlite_factory: sessionmaker[Session]) -> None:
    keys = small_portfolio(sqlite_factory)
    full = export(sqlite_factory)
    # a row of BOG's project pasted into STW's workbook
    data = append(
        export(sqlite_factory, principal=partner(sqlite_factory, "STW")),
        "Meilensteine",
        {
            "Schlüssel": keys["ms2"],
            "Version": 1,
            "Projekt": keys["p2"],
            "Titel": "Portal online",
            "Fällig am": "30.09.2026",
            "Erledigt am": "01.10.2026",
        },
    )
    result = run(sqlite_factory, data, principal=partner(sqlite_factory, "STW"))
    assert t("partner_row", "de", key=keys["ms2"], partner="STW") in {
        e.message for e in result.errors
    }
    # and the full workbook imported as STW's is rejected row by row, never applied
    result = run(sqlite_factory, full, principal=partner(sqlite_factory, "STW"))
    assert not result.applied and result.errors


def test_partner_workbook_of_another_partner_is_rejected(
    sqlite_factory: sessionmaker[Session],
) -> None:
    small_portfolio(sqlite_factory)
    data = export(sqlite_factory, Scope(partner="BOG"))
    result = run(sqlite_factory, data, scope=STW)
    with sqlite_factory() as session:
        names = {k: n for k, n in session.execute(select(Organisation.key, Organisation.name))}
    expected = t(
        "partner_scope", "de", file_scope=f"{names['BOG']} (BOG)", scope=f"{names['STW']} (STW)"
    )
    assert expected in {e.message for e in result.errors}
    assert not any("partner:" in e.message for e in result.errors)
    assert not result.applied


def test_partner_cannot_add_projects(sqlite_factory: sessionmaker[Session]) -> None:
    small_portfolio(sqlite_factory)
    data = append(
        export(sqlite_factory, principal=partner(sqlite_factory, "STW")),
        "Projekte",
        {"Titel": "Mein eigenes Projekt"},
    )
    result = run(sqlite_factory, data, principal=partner(sqlite_factory, "STW"))
    assert t("partner_create", "de") in {e.message for e in result.errors}


def _change_title_elsewhere(factory: sessionmaker[Session], key: str, title: str) -> None:
    with factory() as s:
        set_actor(s, Actor("m.muster", ChangeSource.UI))
        p = projects.get_by_key(s, key)
        projects.update(s, p.id, {"title": title}, expected_version=p.version)
        s.commit()


def test_stale_edit_is_a_conflict_with_current_value_and_who(
    factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(factory)
    data = edit(export(factory), "Projekte", keys["p1"], {"Titel": "Titel aus der Datei"})
    _change_title_elsewhere(factory, keys["p1"], "Titel aus dem Dashboard")
    before = snapshot(factory)
    result = run(factory, data)
    assert not result.applied and not result.errors
    [conflict] = result.conflicts
    assert (conflict.key, conflict.column, conflict.changed_by) == (keys["p1"], "Titel", "m.muster")
    assert (conflict.current_value, conflict.file_value) == (
        "Titel aus dem Dashboard",
        "Titel aus der Datei",
    )
    assert "m.muster" in conflict.message and "Titel aus dem Dashboard" in conflict.message
    assert result.counts["projects"].conflicting == 1
    assert snapshot(factory) == before
    with factory() as s:
        assert projects.get_by_key(s, keys["p1"]).title == "Titel aus dem Dashboard"


def test_conflicts_are_resolved_field_by_field(factory: sessionmaker[Session]) -> None:
    """Keep mine / take theirs per field: undecided fields stay conflicts; once every field of
    a stale row is decided, the row is written against the current version, journaled."""
    from portfolio.exchange.importer import KEEP_CURRENT, KEEP_FILE

    keys = small_portfolio(factory)
    data = edit(
        export(factory),
        "Projekte",
        keys["p1"],
        {"Titel": "Titel aus der Datei", "Verantwortlich": "Team Datei"},
    )
    _change_title_elsewhere(factory, keys["p1"], "Titel aus dem Dashboard")
    first = run(factory, data, dry_run=True)
    decisions = {c.decision_key: c for c in first.conflicts}
    title_key = ("project", keys["p1"], "title")
    person_key = ("project", keys["p1"], "responsible_person")
    assert set(decisions) == {title_key, person_key}
    # one field decided: the other is still a conflict, nothing is applied
    before = snapshot(factory)
    half = run(factory, data, resolutions={title_key: KEEP_CURRENT})
    assert not half.applied and [c.decision_key for c in half.conflicts] == [person_key]
    assert snapshot(factory) == before
    # theirs for the title, mine for the responsible person
    done = run(factory, data, resolutions={title_key: KEEP_CURRENT, person_key: KEEP_FILE})
    assert done.applied and not done.conflicts and done.updated == 1, [
        c.message for c in done.conflicts
    ]
    with factory() as s:
        p = projects.get_by_key(s, keys["p1"])
        assert (p.title, p.responsible_person) == ("Titel aus dem Dashboard", "Team Datei")
    # mine for the title as well, from the same file: now the file's title wins
    again = run(factory, data, resolutions={title_key: KEEP_FILE, person_key: KEEP_FILE})
    assert again.applied and not again.conflicts
    with factory() as s:
        assert projects.get_by_key(s, keys["p1"]).title == "Titel aus der Datei"


def test_untouched_stale_rows_are_no_conflict(sqlite_factory: sessionmaker[Session]) -> None:
    keys = small_portfolio(sqlite_factory)
    data = edit(export(sqlite_factory), "Projekte", keys["p2"], {"Verantwortlich": "Team Portal"})
    _change_title_elsewhere(sqlite_factory, keys["p1"], "Anderswo geändert")
    result = run(sqlite_factory, data)
    assert result.applied and result.updated == 1 and not result.conflicts
    assert t("outdated_rows", "de", count="1") in result.notices
    with sqlite_factory() as s:
        assert projects.get_by_key(s, keys["p1"]).title == "Anderswo geändert"  # not overwritten


def test_a_failure_in_the_middle_leaves_the_database_as_it_was(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = small_portfolio(factory)
    data = edit(export(factory), "Projekte", keys["p1"], {"Titel": "Halb geschrieben"})
    data = edit(data, "Meilensteine", keys["ms"], {"Erledigt am": "01.11.2026"})
    before = snapshot(factory)
    calls: list[Any] = []

    def boom(ctx: Any) -> None:
        calls.append(ctx)
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_check_totals", boom)
    with pytest.raises(RuntimeError):
        run(factory, data)
    assert calls and snapshot(factory) == before


def test_one_invalid_row_among_valid_ones_applies_nothing(factory: sessionmaker[Session]) -> None:
    keys = small_portfolio(factory)
    data = edit(export(factory), "Projekte", keys["p1"], {"Titel": "Gültig"})
    data = edit(data, "Meilensteine", keys["ms"], {"Fällig am": "kein Datum"})
    journal = journal_count(factory)
    result = run(factory, data)
    assert not result.applied and result.counts["projects"].changed == 1
    assert journal_count(factory) == journal
    with factory() as s:
        assert projects.get_by_key(s, keys["p1"]).title == "Sensorik Innenstadt"


def test_rules_across_rows_use_the_whole_file(sqlite_factory: sessionmaker[Session]) -> None:
    """Two payment requests, each fine alone, together above the approved amount."""
    keys = small_portfolio(sqlite_factory)
    data = append(
        export(sqlite_factory),
        "Mittelabrufe",
        {
            "Förderantrag": keys["app2"],
            "Fällig am": dt.datetime(2026, 6, 1),
            "Betrag": 100_000,
            "Status": "geplant",
        },
    )
    data = edit(data, "Mittelabrufe", keys["pay"], {"Betrag": 90_000})
    result = run(sqlite_factory, data)
    assert not result.applied
    assert any("190.000,00" in e.message for e in result.errors), [e.message for e in result.errors]
    with sqlite_factory() as s:
        assert milestones.get_by_key(s, keys["ms"]).version == 1
