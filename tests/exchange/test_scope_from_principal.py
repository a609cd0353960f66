"""The import's scope comes from the principal and the (signed) file, never from a default:
a partner imports only its own workbook; the unit gets the scope the file states and must
confirm another one; the journal, the import record and the audit log name the user."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.enums import AuditKind, ChangeSource, JournalAction, Role
from db.models import AuditEvent, ImportRecord, JournalEntry
from portfolio.exchange.export import export_partner_workbook, export_workbook
from portfolio.exchange.importer import import_workbook, past_imports, workbook_scope
from portfolio.exchange.state import Scope
from portfolio.i18n import t
from portfolio.policy import AccessDenied, Principal, set_principal
from portfolio.services import milestones, projects
from portfolio.vocab import field_label
from tests.exchange.helpers import (
    edit,
    export,
    partner,
    run,
    small_portfolio,
    snapshot,
)
from tests.fixtures.base import TODAY

STW = Scope(partner="STW")
STAFF = Principal("m.muster", Role.STAFF)
LEADERSHIP = Principal("cdo", Role.LEADERSHIP)


def organisation_name(factory: sessionmaker[Session], key: str) -> str:
    from db.models import Organisation

    with factory() as session:
        return str(session.scalars(select(Organisation.name).where(Organisation.key == key)).one())


def errors(result: object) -> list[str]:
    return [e.message for e in result.errors]  # type: ignore[attr-defined]


def locked_change(factory: sessionmaker[Session], keys: dict[str, object]) -> bytes:
    """STW's workbook with a cost the partner may not change (the locked Gesamtkosten) and a
    done date it may change."""
    data = export(factory, STW)
    data = edit(data, "Projekte", str(keys["p1"]), {"Gesamtkosten": 9_999_999})
    return edit(data, "Meilensteine", str(keys["ms"]), {"Erledigt am": "02.11.2026"})


# ---- partners ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["de", "en"])
def test_a_partner_cannot_import_another_partners_workbook(
    sqlite_factory: sessionmaker[Session], lang: str
) -> None:
    small_portfolio(sqlite_factory)
    bog = export(sqlite_factory, Scope(partner="BOG"))
    before = snapshot(sqlite_factory)
    result = run(sqlite_factory, bog, principal=partner(sqlite_factory, "STW"), lang=lang)
    assert not result.applied and result.scope == "partner:STW"
    [first, *_] = errors(result)
    assert "(BOG)" in first and "(STW)" in first
    assert ("Meine Projekte" if lang == "de" else "My projects") in first
    assert snapshot(sqlite_factory) == before


def test_a_partner_cannot_import_the_whole_portfolio_whatever_it_asks(
    sqlite_factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(sqlite_factory)
    stw = partner(sqlite_factory, "STW")
    whole = edit(export(sqlite_factory), "Projekte", str(keys["p2"]), {"Titel": "Übernommen?"})
    before = snapshot(sqlite_factory)
    for asked in (Scope(), Scope(partner="BOG")):
        with pytest.raises(AccessDenied) as caught:
            run(sqlite_factory, whole, principal=stw, scope=asked, confirm_scope=True)
        assert caught.value.reason == "scope"
    # without asking: read in its own scope; the file is another scope's and BOG's row refused
    result = run(sqlite_factory, whole, principal=stw, confirm_scope=True)
    assert not result.applied and result.scope == "partner:STW"
    assert t("partner_row", "de", key=keys["p2"], partner="STW") in errors(result)
    assert snapshot(sqlite_factory) == before


def test_a_partner_import_is_journaled_recorded_and_audited_under_the_partners_name(
    factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(factory)
    stw = partner(factory, "STW", "anna.stadtwerke")
    data = edit(
        export(factory, principal=stw),
        "Meilensteine",
        str(keys["ms"]),
        {"Erledigt am": "03.11.2026"},
    )
    result = import_workbook(
        factory, data, principal=stw, file_name="stw.xlsx", today=TODAY, ip="10.1.2.3"
    )
    assert result.applied, errors(result)
    bog = partner(factory, "BOG")
    with factory() as s:
        record = s.get(ImportRecord, result.import_id)
        assert record is not None and (record.actor, record.scope) == (
            "anna.stadtwerke",
            "partner:STW",
        )
        [entry] = s.execute(
            select(JournalEntry).where(
                JournalEntry.entity == "milestone", JournalEntry.action == JournalAction.UPDATE
            )
        ).scalars()
        assert (entry.actor, entry.source, entry.source_ref) == (
            "anna.stadtwerke",
            ChangeSource.IMPORT,
            f"import:{result.import_id}",
        )
        [event] = s.execute(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.PARTNER_IMPORT.value)
        ).scalars()
        assert (event.actor, event.subject, event.ip) == ("anna.stadtwerke", "STW", "10.1.2.3")
        assert event.detail["import_id"] == result.import_id and event.detail["updated"] == 1
        # the unit sees the import in the history; the partner sees its own imports only
        set_principal(s, STAFF)
        assert [r["actor"] for r in past_imports(s)] == ["anna.stadtwerke"]
        set_principal(s, bog)
        assert past_imports(s) == []


def test_a_dry_run_and_a_refused_import_leave_no_audit_trace(
    sqlite_factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(sqlite_factory)
    stw = partner(sqlite_factory, "STW")
    good = edit(
        export(sqlite_factory, STW), "Meilensteine", str(keys["ms"]), {"Erledigt am": "03.11.2026"}
    )
    assert run(sqlite_factory, good, principal=stw, dry_run=True).ok
    assert not run(sqlite_factory, locked_change(sqlite_factory, keys), principal=stw).applied
    with sqlite_factory() as s:
        assert s.execute(select(AuditEvent)).first() is None


# ---- the unit ---------------------------------------------------------------------------------


def test_the_unit_gets_the_scope_the_file_states(sqlite_factory: sessionmaker[Session]) -> None:
    """The incident of the issue: a partner's workbook with a locked change, imported by the
    unit without choosing a scope, is read as the partner's, so the locked cell is refused."""
    keys = small_portfolio(sqlite_factory)
    data = locked_change(sqlite_factory, keys)
    with sqlite_factory() as s:
        set_principal(s, STAFF)
    assert workbook_scope(sqlite_factory, data, principal=STAFF) == STW
    before = snapshot(sqlite_factory)
    result = run(sqlite_factory, data, principal=STAFF)
    assert not result.applied and result.scope == "partner:STW"
    expected = t(
        "partner_field",
        "de",
        field=field_label("total_cost"),
        new="9.999.999,00\xa0€",
        old="1.000.000,00\xa0€",
    )
    assert errors(result) == [expected]
    assert snapshot(sqlite_factory) == before


@pytest.mark.parametrize("lang", ["de", "en"])
def test_another_scope_than_the_files_needs_a_confirmation(
    sqlite_factory: sessionmaker[Session], lang: str
) -> None:
    keys = small_portfolio(sqlite_factory)
    data = locked_change(sqlite_factory, keys)
    before = snapshot(sqlite_factory)
    refused = run(sqlite_factory, data, principal=STAFF, scope=Scope(), lang=lang)
    assert not refused.applied and refused.scope == "all"
    stw = f"{organisation_name(sqlite_factory, 'STW')} (STW)"
    whole = t("scope_all_name", lang)
    assert t("partner_scope", lang, file_scope=stw, scope=whole) in errors(refused)
    assert not any("partner:" in e for e in errors(refused))  # names, never the internal code
    assert any("--confirm-scope" in n for n in refused.notices)
    assert snapshot(sqlite_factory) == before
    # confirmed, the file is read as the whole portfolio, but what Stadtwerke's workbook locked
    # stays locked: the changed Gesamtkosten is a locked-field change, and nothing is applied
    locked = run(
        sqlite_factory, data, principal=STAFF, scope=Scope(), confirm_scope=True, lang=lang
    )
    total = "9.999.999,00\xa0€" if lang == "de" else "€9,999,999.00"
    old = "1.000.000,00\xa0€" if lang == "de" else "€1,000,000.00"
    assert not locked.applied and errors(locked) == [
        t("locked_field", lang, field=field_label("total_cost", lang), new=total, old=old)
    ]
    assert snapshot(sqlite_factory) == before
    # the partner's own change alone (the done date) goes through once the scope is confirmed
    allowed = edit(
        export(sqlite_factory, STW), "Meilensteine", str(keys["ms"]), {"Erledigt am": "02.11.2026"}
    )
    confirmed = run(
        sqlite_factory, allowed, principal=STAFF, scope=Scope(), confirm_scope=True, lang=lang
    )
    assert confirmed.applied and confirmed.updated == 1, errors(confirmed)
    assert any("Stadtwerke" in n for n in confirmed.notices)
    with sqlite_factory() as s:
        set_principal(s, STAFF)
        assert projects.get_by_key(s, str(keys["p1"])).total_cost == 1_000_000
        assert milestones.get_by_key(s, str(keys["ms"])).done_date == dt.date(2026, 11, 2)
        record = s.get(ImportRecord, confirmed.import_id)
        assert record is not None and (record.scope, record.actor) == ("all", "m.muster")


def test_a_workbook_without_meta_needs_a_confirmed_scope(
    sqlite_factory: sessionmaker[Session],
) -> None:
    """A partner could delete the hidden sheet to lose its scope: then nothing is assumed."""
    keys = small_portfolio(sqlite_factory)
    wb = openpyxl.load_workbook(io.BytesIO(locked_change(sqlite_factory, keys)))
    del wb["_meta"]
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    assert workbook_scope(sqlite_factory, data, principal=STAFF) is None
    unknown = run(sqlite_factory, data, principal=STAFF)
    assert not unknown.applied
    assert t("scope_unknown", "de", scope="Gesamtes Portfolio", file_scope="unbekannt") in errors(
        unknown
    )
    as_stw = run(sqlite_factory, data, principal=STAFF, scope=STW, confirm_scope=True)
    assert not as_stw.applied and len(as_stw.errors) == 1  # the locked cost, refused
    # a partner's upload without _meta is simply read in the partner's own scope
    stw = partner(sqlite_factory, "STW")
    assert errors(run(sqlite_factory, data, principal=stw)) == errors(as_stw)


def test_leadership_may_neither_import_nor_exchange_partner_workbooks(
    sqlite_factory: sessionmaker[Session],
) -> None:
    small_portfolio(sqlite_factory)
    data = export(sqlite_factory)
    with pytest.raises(AccessDenied):
        run(sqlite_factory, data, principal=LEADERSHIP)
    with sqlite_factory() as s:
        set_principal(s, LEADERSHIP)
        assert export_workbook(s).rows["projects"] == 2  # the whole portfolio: export_data
        with pytest.raises(AccessDenied):
            export_workbook(s, scope=STW)
        with pytest.raises(AccessDenied):
            export_partner_workbook(s, partner="STW")


# ---- exports ----------------------------------------------------------------------------------


def test_a_partner_exports_only_its_own_workbook_and_it_is_audited(
    factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(factory)
    stw = partner(factory, "STW", "anna.stadtwerke")
    with factory() as s:
        set_principal(s, stw)
        with pytest.raises(AccessDenied):
            export_workbook(s)  # the whole portfolio
        with pytest.raises(AccessDenied) as caught:
            export_partner_workbook(s, partner="BOG")
        assert caught.value.reason == "scope"
        result = export_partner_workbook(s, ip="192.0.2.7")
        assert result.scope == "partner:STW" and result.rows["projects"] == 1
        s.commit()
    wb = openpyxl.load_workbook(io.BytesIO(result.data))
    assert [r[0].value for r in wb["Projekte"].iter_rows(min_row=2) if r[0].value] == [keys["p1"]]
    with factory() as s:
        [event] = s.execute(select(AuditEvent)).scalars()
        assert (event.kind, event.actor, event.subject, event.ip) == (
            AuditKind.PARTNER_EXPORT.value,
            "anna.stadtwerke",
            "STW",
            "192.0.2.7",
        )
        assert event.detail["rows"]["projects"] == 1


def test_milestones_of_other_partners_stay_untouched_by_a_partner_import(
    sqlite_factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(sqlite_factory)
    stw = partner(sqlite_factory, "STW")
    data = edit(
        export(sqlite_factory, principal=stw),
        "Meilensteine",
        str(keys["ms"]),
        {"Erledigt am": "03.11.2026"},
    )
    assert run(sqlite_factory, data, principal=stw).applied
    with sqlite_factory() as s:
        assert milestones.get_by_key(s, str(keys["ms2"])).done_date is None


def test_the_command_line_reads_the_files_scope_and_confirms_another(
    sqlite_factory: sessionmaker[Session], tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from portfolio.cli import main

    keys = small_portfolio(sqlite_factory)
    db = str(sqlite_factory.kw["bind"].url)
    out = tmp_path / "stw.xlsx"
    assert main(["--db", db, "--user", "operator", "export", str(out), "--partner", "STW"]) == 0
    path = tmp_path / "back.xlsx"
    path.write_bytes(edit(out.read_bytes(), "Projekte", str(keys["p1"]), {"Titel": "Neu"}))
    capsys.readouterr()
    # in the file's scope: the locked title is refused
    assert main(["--db", db, "import", str(path), "--dry-run"]) == 1
    assert "darf von Partnern nicht geändert werden" in capsys.readouterr().err
    # another scope without the confirmation: checked, not applied
    assert main(["--db", db, "import", str(path), "--whole-portfolio"]) == 1
    captured = capsys.readouterr()
    assert "--confirm-scope" in captured.out + captured.err
    # confirmed: read as the whole portfolio, but the workbook's locked title stays locked
    assert main(["--db", db, "import", str(path), "--whole-portfolio", "--confirm-scope"]) == 1
    assert "in dieser Partner-Arbeitsmappe gesperrt" in capsys.readouterr().err
    allowed = tmp_path / "allowed.xlsx"
    allowed.write_bytes(
        edit(out.read_bytes(), "Meilensteine", str(keys["ms"]), {"Erledigt am": "02.11.2026"})
    )
    assert main(["--db", db, "import", str(allowed), "--whole-portfolio", "--confirm-scope"]) == 0
    with sqlite_factory() as s:
        assert projects.get_by_key(s, str(keys["p1"])).title != "Neu"
        assert milestones.get_by_key(s, str(keys["ms"])).done_date == dt.date(2026, 11, 2)
        kinds = [e.kind for e in s.execute(select(AuditEvent)).scalars()]
        assert kinds == [AuditKind.PARTNER_EXPORT.value]  # the whole-portfolio import: none
