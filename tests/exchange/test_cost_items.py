"""The cost plan (Kostenplan) in the exchange workbook, and grants read-only for partners.

- the sheet round-trips; its cost type is a list with a dropdown;
- a partner enters the actual spending of an item of its project (journaled under the partner),
  and nothing else: approved amounts, the grant's own sheets (applications, payment requests)
  and new rows there are refused with a message naming the cell and saying who keeps grants;
- milestone done dates stay the partners' to report;
- the unit's full workbook creates and edits items through the cost plan's own rules (a cost
  type the programme does not fund is refused with the service's message).

What follows from a grant after an import: test_grant_follow_up.py.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.enums import ChangeSource, JournalAction
from db.models import JournalEntry
from portfolio.errors import Problem, ValidationFailed
from portfolio.exchange.annotate import annotate_errors
from portfolio.exchange.export import GRANT_READ_ONLY
from portfolio.exchange.schema import COST_ITEMS
from portfolio.exchange.state import Scope
from portfolio.i18n import Eur, fmt_value
from portfolio.policy import set_principal
from portfolio.services import (
    cost_plan,
    milestones,
    programmes,
    projects,
)
from tests.exchange.cost_plan_helpers import (
    SHEET,
    STW,
    cell_of,
    item,
    messages,
    sheet_rows,
    with_cost_plan,
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
