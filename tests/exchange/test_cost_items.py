"""The cost plan (Kostenplan) in the exchange workbook, and grants read-only for partners.

- the sheet round-trips; its cost type is a list with a dropdown;
- a partner enters the actual spending of an item of its project (journaled under the partner),
  and nothing else: approved amounts, the grant's own sheets (applications, payment requests)
  and new rows there are refused with a message naming the cell and saying who keeps grants;
- milestone done dates stay the partners' to report;
- the unit's full workbook creates and edits items through the cost plan's own rules (a cost
  type the programme does not fund is refused with the service's message);
- after the import's writes, what follows from a grant (grant_life.follow: proofs-of-use
  duties, budget years) is kept in step for every application the file created or changed,
  exactly as after the same edit in the dashboard.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.enums import ChangeSource, JournalAction
from db.models import BudgetYear, CostItem, JournalEntry, ProofOfUse
from portfolio.errors import Problem, ValidationFailed
from portfolio.exchange import importer
from portfolio.exchange.annotate import annotate_errors
from portfolio.exchange.export import GRANT_READ_ONLY
from portfolio.exchange.importer import ImportResult, cell_name
from portfolio.exchange.schema import COST_ITEMS
from portfolio.exchange.state import Scope
from portfolio.i18n import Eur, fmt_value
from portfolio.policy import set_principal
from portfolio.services import (
    cost_plan,
    funding,
    grant_life,
    milestones,
    programmes,
    projects,
)
from tests.exchange.helpers import (
    append,
    edit,
    export,
    header_index,
    journal_count,
    partner,
    row_of,
    run,
    small_portfolio,
    snapshot,
)
from tests.factories import make_application
from tests.fixtures.base import TESTER

STW = Scope(partner="STW")
SHEET = "Kostenplan"


def with_cost_plan(factory: sessionmaker[Session]) -> dict[str, Any]:
    """The small portfolio, and a cost plan of two items for its awarded application (SC-001,
    where STW leads and USB takes part; SC-002 is BOG's)."""
    keys = small_portfolio(factory)
    with factory() as s:
        set_principal(s, TESTER)
        app = funding.get_by_key(s, keys["app2"])
        staff = cost_plan.create(
            s,
            {
                "application_id": app.id,
                "cost_type": "personnel",
                "label": "Projektleitung",
                "requested": Decimal("120000"),
                "approved": Decimal("100000"),
                "actual": Decimal("40000"),
            },
        )
        sensors = cost_plan.create(
            s,
            {
                "application_id": app.id,
                "cost_type": "investment",
                "label": "Sensoren",
                "requested": Decimal("80000"),
                "approved": Decimal("80000"),
            },
        )
        s.commit()
        keys.update(staff=staff.key, sensors=sensors.key, app2_id=app.id)
    return keys


def item(factory: sessionmaker[Session], key: str) -> CostItem:
    with factory() as s:
        found = s.execute(select(CostItem).where(CostItem.key == key)).scalar_one()
        s.expunge(found)
        return found


def sheet_rows(data: bytes, title: str = SHEET) -> dict[str, dict[str, Any]]:
    ws = openpyxl.load_workbook(io.BytesIO(data))[title]
    headers = [c.value for c in ws[1]]
    return {
        r[0].value: dict(zip(headers, (c.value for c in r), strict=True))
        for r in ws.iter_rows(min_row=2)
        if r[0].value
    }


def cell_of(data: bytes, sheet: str, key: str, header: str) -> str:
    ws = openpyxl.load_workbook(io.BytesIO(data))[sheet]
    name = cell_name(header_index(ws)[header] - 1, row_of(data, sheet, key))
    assert name is not None
    return name


def messages(result: ImportResult) -> list[str]:
    return [e.message for e in result.errors]


# ---- the sheet -------------------------------------------------------------------------------


def test_the_cost_plan_round_trips(factory: sessionmaker[Session]) -> None:
    keys = with_cost_plan(factory)
    data = export(factory)
    rows = sheet_rows(data)
    assert list(rows) == sorted([keys["staff"], keys["sensors"]])
    assert keys["staff"] == f"{keys['app2']}-K1"
    assert rows[keys["staff"]] == {
        "Schlüssel": keys["staff"],
        "Version": 1,
        "Förderantrag": keys["app2"],
        "Projekt": keys["p1"],
        "Ausgabeart": "Personalausgaben",
        "Position": "Projektleitung",
        "Beantragt": 120000,
        "Bewilligt": 100000,
        "Ist-Ausgaben": 40000,
    }
    assert rows[keys["sensors"]]["Ist-Ausgaben"] is None
    before = snapshot(factory)
    result = run(factory, data)
    assert result.applied and result.counts["cost_items"].unchanged == 2, messages(result)
    assert (result.created, result.updated, result.diffs) == (0, 0, [])
    after = snapshot(factory)
    del before["import_record"], after["import_record"]
    assert after == before
    english = export(factory, lang="en")
    assert sheet_rows(english, "Cost plan")[keys["staff"]]["Cost type"] == "Personnel"
    assert run(factory, english, dry_run=True).ok


def test_the_cost_type_is_a_list_from_the_lists_sheet(
    sqlite_factory: sessionmaker[Session],
) -> None:
    with_cost_plan(sqlite_factory)
    wb = openpyxl.load_workbook(io.BytesIO(export(sqlite_factory)))
    ws = wb[SHEET]
    column = header_index(ws)["Ausgabeart"]
    letter = openpyxl.utils.get_column_letter(column)
    [validation] = [
        v for v in ws.data_validations.dataValidation if str(v.sqref).startswith(f"{letter}2")
    ]
    assert validation.type == "list"
    lists = wb["Listen"]
    [list_column] = [c.column_letter for c in lists[1] if c.value == "Ausgabeart"]
    assert validation.formula1 == f"'Listen'!${list_column}$2:${list_column}$5"
    assert [lists[f"{list_column}{r}"].value for r in range(2, 6)] == [
        "Personalausgaben",
        "Sachausgaben",
        "Investitionen",
        "Fremdleistungen",
    ]


def test_in_a_partner_workbook_only_the_actuals_are_open(
    sqlite_factory: sessionmaker[Session],
) -> None:
    keys = with_cost_plan(sqlite_factory)
    data = export(sqlite_factory, STW)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[SHEET]
    assert ws.protection.sheet
    headers = header_index(ws)
    row = row_of(data, SHEET, keys["staff"])
    for column in COST_ITEMS.columns:
        cell = ws.cell(row=row, column=headers[column.header("de")])
        assert cell.protection.locked is (column.field != "actual"), column.field
    approved = ws.cell(row=1, column=headers["Bewilligt"])
    assert approved.comment is not None and GRANT_READ_ONLY[0] in approved.comment.text
    # the grant's own sheets: every cell locked, marked as the unit's
    for title in ("Förderanträge", "Mittelabrufe"):
        sheet = wb[title]
        assert all(c.protection.locked for c in sheet[2]), title
        status = sheet.cell(row=1, column=header_index(sheet)["Status"])
        assert status.comment is not None and GRANT_READ_ONLY[0] in status.comment.text
    instructions = [c.value for c in wb["Anleitung"]["A"] if c.value]
    assert (
        "Kostenplan: änderbar: Ist-Ausgaben (Förderungen pflegt die Smart-City Innovation Unit)"
        in instructions
    )
    assert (
        "Förderanträge: änderbar: – (Förderungen pflegt die Smart-City Innovation Unit)"
        in instructions
    )
    # and BOG's workbook holds no item of STW's project
    assert sheet_rows(export(sqlite_factory, Scope(partner="BOG"))) == {}


# ---- partners --------------------------------------------------------------------------------


def test_a_partner_enters_an_actual(factory: sessionmaker[Session]) -> None:
    keys = with_cost_plan(factory)
    data = edit(
        export(factory, principal=partner(factory, "STW")),
        SHEET,
        keys["sensors"],
        {"Ist-Ausgaben": "61.250,50 €"},
    )
    preview = run(factory, data, principal=partner(factory, "STW"), dry_run=True)
    assert preview.ok and preview.updated == 1, messages(preview)
    [diff] = preview.diffs
    assert (diff.key, diff.field, diff.old, diff.new) == (
        keys["sensors"],
        "actual",
        "–",
        "61.250,50\xa0€",
    )
    result = run(factory, data, principal=partner(factory, "STW"))
    assert result.applied and result.counts["cost_items"].changed == 1, messages(result)
    changed = item(factory, keys["sensors"])
    assert (changed.actual, changed.approved, changed.version) == (
        Decimal("61250.50"),
        Decimal("80000"),
        2,
    )
    with factory() as s:
        [entry] = s.execute(
            select(JournalEntry)
            .where(JournalEntry.entity == "cost_item", JournalEntry.entity_id == changed.id)
            .where(JournalEntry.action == JournalAction.UPDATE)
        ).scalars()
        assert (entry.actor, entry.source, entry.source_ref) == (
            "stw.partner",
            ChangeSource.IMPORT,
            f"import:{result.import_id}",
        )
        assert entry.project_id == keys["p1_id"] and entry.version == 2
        [change] = entry.changes
        assert (change.field, change.old_value) == ("actual", None)
        assert Decimal(change.new_value or "") == Decimal("61250.50")


def test_the_participating_partner_may_enter_actuals_too(
    sqlite_factory: sessionmaker[Session],
) -> None:
    """USB takes part in SC-001 without leading it: its workbook carries the items as well."""
    keys = with_cost_plan(sqlite_factory)
    usb = partner(sqlite_factory, "USB")
    data = edit(
        export(sqlite_factory, principal=usb), SHEET, keys["staff"], {"Ist-Ausgaben": 45000}
    )
    result = run(sqlite_factory, data, principal=usb)
    assert result.applied and result.updated == 1, messages(result)
    assert item(sqlite_factory, keys["staff"]).actual == Decimal(45000)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_a_partner_may_not_change_an_approved_amount(
    factory: sessionmaker[Session], lang: str
) -> None:
    keys = with_cost_plan(factory)
    exported = export(factory, principal=partner(factory, "STW"), lang=lang)
    sheet, header = ("Cost plan", "Approved") if lang == "en" else (SHEET, "Bewilligt")
    data = edit(exported, sheet, keys["staff"], {header: 110000})
    before = snapshot(factory)
    result = run(factory, data, principal=partner(factory, "STW"), lang=lang)
    cell = cell_of(data, sheet, keys["staff"], header)
    expected = Problem(
        "approved",
        "partner_grant_field",
        {
            "cell": cell,
            "new": fmt_value(Eur(Decimal(110000)), lang),
            "old": fmt_value(Eur(Decimal(100000)), lang),
        },
    ).message(lang)
    assert not result.applied and messages(result) == [expected]
    assert ("Innovation Unit" in expected) and (cell in expected)
    [issue] = result.errors
    assert issue.to_json()["cell"] == cell and issue.key == keys["staff"]
    assert snapshot(factory) == before
    # the partner's file comes back with the cell marked and the message on it
    marked = openpyxl.load_workbook(io.BytesIO(annotate_errors(data, result)))[sheet][cell]
    assert marked.comment is not None and expected in marked.comment.text


def test_a_partner_may_not_change_the_grant_itself(factory: sessionmaker[Session]) -> None:
    """Applications and payment requests are the unit's: a partner's change of an amount there
    is refused at the cell, with the actual it enters in the same file: nothing is written."""
    keys = with_cost_plan(factory)
    data = edit(
        export(factory, principal=partner(factory, "STW")),
        "Förderanträge",
        keys["app2"],
        {"Bewilligt": 190000},
    )
    data = edit(data, "Mittelabrufe", keys["pay"], {"Betrag": 60000})
    data = edit(data, SHEET, keys["sensors"], {"Ist-Ausgaben": 1000})  # allowed on its own
    before = snapshot(factory)
    journal = journal_count(factory)
    result = run(factory, data, principal=partner(factory, "STW"))
    assert not result.applied
    assert messages(result) == [
        Problem(
            "amount_approved",
            "partner_grant_field",
            {
                "cell": cell_of(data, "Förderanträge", keys["app2"], "Bewilligt"),
                "new": "190.000,00\xa0€",
                "old": "180.000,00\xa0€",
            },
        ).message(),
        Problem(
            "amount",
            "partner_grant_field",
            {
                "cell": cell_of(data, "Mittelabrufe", keys["pay"], "Betrag"),
                "new": "60.000,00\xa0€",
                "old": "50.000,00\xa0€",
            },
        ).message(),
    ]
    assert snapshot(factory) == before and journal_count(factory) == journal


def test_a_partner_may_not_add_cost_items_nor_applications(
    sqlite_factory: sessionmaker[Session],
) -> None:
    keys = with_cost_plan(sqlite_factory)
    data = append(
        export(sqlite_factory, principal=partner(sqlite_factory, "STW")),
        SHEET,
        {
            "Förderantrag": keys["app2"],
            "Ausgabeart": "Sachausgaben",
            "Position": "Mehr Sensoren",
            "Ist-Ausgaben": 500,
        },
    )
    data = append(
        data,
        "Förderanträge",
        {"Projekt": keys["p1"], "Förderprogramm": "MPSC", "Status": "Idee"},
    )
    before = snapshot(sqlite_factory)
    result = run(sqlite_factory, data, principal=partner(sqlite_factory, "STW"))
    rows = {
        title: openpyxl.load_workbook(io.BytesIO(data))[title].max_row
        for title in (SHEET, "Förderanträge")
    }
    assert not result.applied
    assert sorted(messages(result)) == sorted(
        Problem("key", "partner_grant_row", {"row": str(row), "cell": f"A{row}"}).message()
        for row in rows.values()
    )
    assert snapshot(sqlite_factory) == before


def test_partners_report_milestone_dates(factory: sessionmaker[Session]) -> None:
    """The done date of a milestone is the partner's to report (journaled under the partner)."""
    keys = small_portfolio(factory)
    data = edit(
        export(factory, principal=partner(factory, "STW")),
        "Meilensteine",
        keys["ms"],
        {"Erledigt am": "03.11.2026"},
    )
    result = run(factory, data, principal=partner(factory, "STW"))
    assert result.applied and result.updated == 1, messages(result)
    with factory() as s:
        stone = milestones.get_by_key(s, keys["ms"])
        assert stone.done_date == dt.date(2026, 11, 3)
        [entry] = s.execute(
            select(JournalEntry).where(
                JournalEntry.entity == "milestone",
                JournalEntry.entity_id == stone.id,
                JournalEntry.action == JournalAction.UPDATE,
            )
        ).scalars()
        assert (entry.actor, entry.source) == ("stw.partner", ChangeSource.IMPORT)


# ---- the unit's full workbook ----------------------------------------------------------------


def test_the_unit_creates_and_edits_items(factory: sessionmaker[Session]) -> None:
    keys = with_cost_plan(factory)
    data = append(
        export(factory),
        SHEET,
        {
            "Förderantrag": keys["app2"],
            "Ausgabeart": "Fremdleistungen",
            "Position": "Datenplattform (Auftrag)",
            "Beantragt": "30.000",
            "Bewilligt": "25.000",
        },
    )
    data = edit(
        data, SHEET, keys["staff"], {"Bewilligt": 90000, "Position": "Projektleitung (TV-L 13)"}
    )
    result = run(factory, data, actor="innovation.unit")
    assert result.applied and (result.created, result.updated) == (1, 1), messages(result)
    new_key = f"{keys['app2']}-K3"  # one past the highest key of the application's items
    created = item(factory, new_key)
    assert (created.cost_type, created.label, created.requested, created.approved) == (
        "external_services",
        "Datenplattform (Auftrag)",
        Decimal(30000),
        Decimal(25000),
    )
    assert created.application_id == keys["app2_id"] and created.actual is None
    edited = item(factory, keys["staff"])
    assert (edited.approved, edited.label, edited.version) == (
        Decimal(90000),
        "Projektleitung (TV-L 13)",
        2,
    )
    with factory() as s:
        [entry] = s.execute(
            select(JournalEntry).where(
                JournalEntry.entity == "cost_item", JournalEntry.entity_id == created.id
            )
        ).scalars()
        assert (entry.action, entry.actor, entry.entity_key, entry.project_id) == (
            JournalAction.CREATE,
            "innovation.unit",
            new_key,
            keys["p1_id"],
        )


def test_a_cost_type_the_programme_does_not_fund_is_refused(
    factory: sessionmaker[Session],
) -> None:
    """mFUND funds no investments: the import refuses the item with the cost plan's own message
    at the cell; the neighbour, an external service, is accepted."""
    keys = small_portfolio(factory)
    with factory() as s:
        set_principal(s, TESTER)
        p2 = projects.get_by_key(s, keys["p2"])
        app = make_application(
            s,
            p2,
            programme_id=programmes.get_by_key(s, "MFUND").id,
            phase="FL1",
            amount_requested=Decimal("100000"),
            eligible_cost=Decimal("100000"),
            funding_rate=Decimal("100"),
        )
        s.commit()
        with pytest.raises(ValidationFailed) as refused:
            cost_plan.create(
                s,
                {"application_id": app.id, "cost_type": "investment", "label": "Server"},
            )
        s.rollback()
        app_key = app.key
    [problem] = refused.value.problems
    assert problem.field == "cost_type"
    row = {"Förderantrag": app_key, "Ausgabeart": "Investitionen", "Position": "Server"}
    data = append(export(factory), SHEET, row)
    before = snapshot(factory)
    result = run(factory, data)
    assert not result.applied
    [issue] = result.errors
    assert issue.message == problem.message("de")
    assert issue.column == "Ausgabeart"
    assert snapshot(factory) == before
    fine = append(export(factory), SHEET, {**row, "Ausgabeart": "Fremdleistungen"})
    result = run(factory, fine)
    assert result.applied and result.created == 1, messages(result)


# ---- what follows from a grant ---------------------------------------------------------------


def _follow_up(session: Session, application_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """What follows from a grant, without ids: its duties and its budget years."""
    proofs = session.execute(
        select(
            ProofOfUse.kind,
            ProofOfUse.budget_year,
            ProofOfUse.due_on,
            ProofOfUse.state,
        )
        .where(ProofOfUse.application_id == application_id)
        .order_by(ProofOfUse.kind, ProofOfUse.budget_year)
    ).all()
    years = session.execute(
        select(BudgetYear.year, BudgetYear.grant_amount, BudgetYear.own_amount)
        .where(BudgetYear.application_id == application_id)
        .order_by(BudgetYear.year)
    ).all()
    return {"proofs": [tuple(p) for p in proofs], "years": [tuple(y) for y in years]}


def test_an_imported_grant_change_keeps_duties_and_budget_years_in_step(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two equal grants: one amended in the dashboard, the other by the same change in a
    workbook. Afterwards both have the same duties and budget years, the import called
    grant_life.follow once for each application it created or changed (none other), and
    calling it again changes nothing."""
    keys = small_portfolio(factory)
    grant: dict[str, Any] = {
        "phase": "B",
        "status": "approved",
        "amount_requested": Decimal("100000"),
        "amount_approved": Decimal("100000"),
        "eligible_cost": Decimal("200000"),
        "funding_rate": Decimal("50"),
        "decision_on": dt.date(2025, 6, 1),
        "period_start": dt.date(2025, 7, 1),
        "period_end": dt.date(2026, 12, 31),
    }
    change = {"amount_approved": Decimal("90000"), "period_end": dt.date(2027, 12, 31)}
    with factory() as s:
        set_principal(s, TESTER)
        by_dashboard = make_application(s, projects.get_by_key(s, keys["p1"]), **grant)
        by_file = make_application(s, projects.get_by_key(s, keys["p2"]), **grant)
        s.commit()
        ids = {"dashboard": by_dashboard.id, "file": by_file.id}
        file_key = by_file.key
        as_awarded = _follow_up(s, by_file.id)
        assert _follow_up(s, by_dashboard.id) == as_awarded
        funding.update(s, by_dashboard.id, change, expected_version=by_dashboard.version)
        s.commit()
    data = edit(
        export(factory),
        "Förderanträge",
        file_key,
        {"Bewilligt": 90000, "Förderzeitraum bis": "31.12.2027"},
    )
    data = append(
        data,
        "Förderanträge",
        {
            "Schlüssel": "SC-002-F9",
            "Projekt": keys["p2"],
            "Förderprogramm": "MPSC",
            "Phase": "B",
            "Status": "Antrag eingereicht",
            "Eingereicht am": "01.10.2026",
            "Beantragt": 10000,
            "Förderfähige Kosten": 20000,
            "Förderquote": "50 %",
        },
    )
    followed: list[str] = []
    real = grant_life.follow

    def spy(session: Session, application: Any) -> None:
        followed.append(application.key)
        real(session, application)

    monkeypatch.setattr(grant_life, "follow", spy)
    preview = run(factory, data, dry_run=True)
    assert preview.ok and (preview.updated, preview.created) == (1, 1), messages(preview)
    assert sorted(followed) == sorted([file_key, "SC-002-F9"])
    followed.clear()
    result = run(factory, data, actor="innovation.unit")
    assert result.applied, messages(result)
    assert sorted(followed) == sorted([file_key, "SC-002-F9"])
    with factory() as s:
        amended = _follow_up(s, ids["file"])
        assert amended == _follow_up(s, ids["dashboard"])
        assert amended != as_awarded  # a year longer: another interim proof, other years
        # what the import wrote for the grant is journaled under the import
        entries = (
            s.execute(
                select(JournalEntry).where(
                    JournalEntry.entity.in_(["proof_of_use", "budget_year"]),
                    JournalEntry.project_id == keys["p2_id"],
                    JournalEntry.source_ref == f"import:{result.import_id}",
                )
            )
            .scalars()
            .all()
        )
        assert entries and all(e.actor == "innovation.unit" for e in entries)
    # in step: following the stored grant again writes nothing
    before = journal_count(factory)
    with factory() as s:
        set_principal(s, TESTER)
        real(s, funding.get(s, ids["file"]))
        s.flush()
        s.commit()
    assert journal_count(factory) == before


def test_an_unchanged_grant_is_not_followed(
    sqlite_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = with_cost_plan(sqlite_factory)
    followed: list[Any] = []
    monkeypatch.setattr(importer.grant_life, "follow", lambda s, a: followed.append(a.key))
    data = edit(export(sqlite_factory), SHEET, keys["staff"], {"Ist-Ausgaben": 50000})
    result = run(sqlite_factory, data)
    assert result.applied and result.updated == 1 and followed == []


def test_a_refusal_while_following_a_grant_rejects_the_file(
    sqlite_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = with_cost_plan(sqlite_factory)

    def refuse(session: Session, application: Any) -> None:
        raise ValidationFailed([Problem("period_end", "required")])

    monkeypatch.setattr(grant_life, "follow", refuse)
    data = edit(export(sqlite_factory), "Förderanträge", keys["app2"], {"Bemerkung": "neu"})
    before = snapshot(sqlite_factory)
    result = run(sqlite_factory, data)
    assert not result.applied
    [issue] = result.errors
    assert (issue.sheet, issue.key, issue.column) == (
        "Förderanträge",
        keys["app2"],
        "Förderzeitraum bis",
    )
    assert issue.message == Problem("period_end", "required").message()
    assert result.counts["applications"].invalid == 1
    assert snapshot(sqlite_factory) == before
