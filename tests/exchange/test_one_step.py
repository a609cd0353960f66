"""One truth: a single edit in the dashboard and a workbook row go through the same "prepare and
check" step of the services, so they store the same record (key, defaults, derived fields); the
new stored fields round-trip through the workbook."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import (
    FundingApplication,
    KpiMeasurement,
    Milestone,
    Participation,
    PaymentRequest,
    Project,
)
from portfolio.errors import ValidationFailed
from portfolio.exchange import importer
from portfolio.policy import set_principal
from portfolio.services import (
    catalogue,
    cost_plan,
    funding,
    kpis,
    milestones,
    participations,
    programmes,
    projects,
)
from portfolio.services.fields import FieldSpec
from tests.exchange.helpers import (
    append,
    edit,
    export,
    header_index,
    org_id,
    row_of,
    run,
    small_portfolio,
    snapshot,
)
from tests.fixtures.base import TESTER, TODAY

Rows = dict[str, dict[Any, dict[str, Any]]]


def stored(session: Session) -> Rows:
    """Every record of the sheets' tables, by key (or natural key), with its service fields;
    references to projects and applications by key, so that ids don't matter."""
    project_key: dict[int, str] = {
        r.id: r.key for r in session.execute(select(Project.id, Project.key))
    }
    app_key: dict[int, str] = {
        r.id: r.key for r in session.execute(select(FundingApplication.id, FundingApplication.key))
    }

    def fields(obj: Any, specs: dict[str, FieldSpec]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in specs:
            value = getattr(obj, name)
            if name == "project_id":
                value = project_key[value]
            elif name in ("application_id", "alternative_to_id") and value is not None:
                value = app_key[value]
            out[name] = value
        return out

    return {
        "project": {p.key: fields(p, projects.FIELDS) for p in session.scalars(select(Project))},
        "participation": {
            (project_key[p.project_id], p.organisation_id, p.role): fields(p, participations.FIELDS)
            for p in session.scalars(select(Participation))
        },
        "funding_application": {
            a.key: fields(a, funding.FIELDS) for a in session.scalars(select(FundingApplication))
        },
        "payment_request": {
            r.key: fields(r, funding.PAYMENT_FIELDS)
            for r in session.scalars(select(PaymentRequest))
        },
        "milestone": {
            m.key: fields(m, milestones.FIELDS) for m in session.scalars(select(Milestone))
        },
        "kpi_measurement": {
            (m.kpi_id, m.measured_on): fields(m, kpis.MEASUREMENT_FIELDS)
            for m in session.scalars(select(KpiMeasurement))
        },
    }


def added(after: Rows, before: Rows) -> Rows:
    return {t: {k: v for k, v in rows.items() if k not in before[t]} for t, rows in after.items()}


def test_the_import_uses_the_services_prepare_step() -> None:
    assert importer.PREPARE == {
        "project": projects.PREPARE,
        "participation": participations.PREPARE,
        "funding_application": funding.PREPARE,
        "payment_request": funding.PAYMENT_PREPARE,
        "cost_item": cost_plan.PREPARE,
        "milestone": milestones.PREPARE,
        "kpi_measurement": kpis.MEASUREMENT_PREPARE,
    }


def test_a_rule_of_the_services_holds_for_a_workbook_row_too(
    factory: sessionmaker[Session],
) -> None:
    """Clearing the council resolution a submitted phase-B application stands on: refused in
    the dashboard, and with the same message at the cell in a workbook."""
    keys = small_portfolio(factory)
    with factory() as s:
        set_principal(s, TESTER)
        p1 = projects.get_by_key(s, keys["p1"])
        with pytest.raises(ValidationFailed) as refused:
            projects.update(s, p1.id, {"council_resolution_on": None}, expected_version=p1.version)
        s.rollback()
    data = edit(export(factory), "Projekte", keys["p1"], {"Ratsbeschluss vom": None})
    result = run(factory, data, dry_run=True)
    assert not result.ok
    assert [e.message for e in result.errors] == [p.message("de") for p in refused.value.problems]
    assert {(e.key, e.column) for e in result.errors} == {(keys["p1"], "Ratsbeschluss vom")}


# Long on purpose: the same edits through the services and through a workbook, compared record by
# record.
def test_a_single_edit_and_an_import_store_the_same_records(
    factory: sessionmaker[Session],
) -> None:
    keys = small_portfolio(factory)
    p1 = keys["p1"]
    with factory() as s:
        set_principal(s, TESTER)
        # a gap: SC-001-M1 and SC-001-M4 exist, a new milestone gets M5 (never M2)
        milestones.create(
            s,
            {
                "key": f"{p1}-M4",
                "project_id": keys["p1_id"],
                "title": "Später",
                "due_date": dt.date(2027, 6, 30),
            },
            today=TODAY,
        )
        s.commit()
    base = export(factory)
    with factory() as s:
        before = stored(s)
        kpi_id = kpis.get_by_key(s, keys["kpi"]).id
        app2_id = funding.get_by_key(s, keys["app2"]).id

    # 1. the records as the dashboard creates them, one edit each (then rolled back)
    with factory() as s:
        set_principal(s, TESTER)
        bog = org_id(s, "BOG")
        projects.create(
            s,
            {
                "title": "Ladepunkte Süd",
                "status": "idea",
                "action_field_id": catalogue.get_action_field_by_key(s, "5.3.1").id,
                "responsible_person": "Team Energie",
                "lead_organisation_id": bog,
                "council_resolution_on": dt.date(2025, 1, 20),
            },
        )
        participations.create(
            s, {"project_id": keys["p1_id"], "organisation_id": bog, "role": "partner"}
        )
        milestones.create(
            s,
            {"project_id": keys["p1_id"], "title": "Abnahme", "due_date": dt.date(2027, 2, 1)},
            today=TODAY,
        )
        funding.create(
            s,
            {
                "project_id": keys["p1_id"],
                "programme_id": programmes.get_by_key(s, "MPSC").id,
                "phase": "b",
                "status": "approved",
                "amount_requested": Decimal("100000"),
                "amount_approved": Decimal("90000"),
                "eligible_cost": Decimal("200000"),
                "funding_rate": Decimal("60"),
                "submitted_on": dt.date(2025, 3, 1),
                "decision_on": dt.date(2025, 6, 1),
            },
        )
        funding.create_payment_request(
            s,
            {
                "application_id": app2_id,
                "due_on": dt.date(2026, 9, 1),
                "amount": Decimal("20000"),
                "window_need": Decimal("15000"),
            },
        )
        kpis.create_measurement(
            s, {"kpi_id": kpi_id, "measured_on": dt.date(2026, 6, 1), "value": Decimal(15)}
        )
        by_edit = added(stored(s), before)
        s.rollback()

    # 2. the same records as new rows of a workbook, keys and derived cells left empty
    data = append(
        base,
        "Projekte",
        {
            "Titel": "Ladepunkte Süd",
            "Status": "Ideenstadium",
            "Handlungsfeld": "5.3.1",
            "Verantwortlich": "Team Energie",
            "Federführung": "BOG",
            "Ratsbeschluss vom": "20.01.2025",
        },
    )
    data = append(data, "Beteiligungen", {"Projekt": p1, "Organisation": "BOG", "Rolle": "Partner"})
    data = append(
        data, "Meilensteine", {"Projekt": p1, "Titel": "Abnahme", "Fällig am": "01.02.2027"}
    )
    data = append(
        data,
        "Förderanträge",
        {
            "Projekt": p1,
            "Förderprogramm": "MPSC",
            "Phase": "b",
            "Status": "bewilligt",
            "Beantragt": 100000,
            "Bewilligt": 90000,
            "Förderfähige Kosten": 200000,
            "Förderquote": "60 %",
            "Eingereicht am": "01.03.2025",
            "Entscheidung am": "01.06.2025",
        },
    )
    data = append(
        data,
        "Mittelabrufe",
        {
            "Förderantrag": keys["app2"],
            "Fällig am": "01.09.2026",
            "Betrag": 20000,
            "Bedarf in der Verwendungsfrist": "15.000,00 €",
        },
    )
    data = append(
        data,
        "Messwerte",
        {"Wirkungsindikator": keys["kpi"], "Gemessen am": "01.06.2026", "Wert": 15},
    )
    result = run(factory, data)
    assert result.applied, [e.message for e in result.errors]
    assert result.created == 6  # the lead's participation in the new project is added besides
    with factory() as s:
        by_import = added(stored(s), before)

    assert by_import == by_edit
    # what both stored: keys by the one rule, defaults, derived fields
    (project_key,) = by_edit["project"]
    assert project_key == "SC-003"
    new_project = by_edit["project"][project_key]
    assert new_project["priority"] == "medium"
    assert new_project["council_resolution_on"] == dt.date(2025, 1, 20)
    assert set(by_edit["milestone"]) == {f"{p1}-M5"}
    ((app_key, app),) = by_edit["funding_application"].items()
    assert app_key == f"{p1}-F3"
    assert app["own_share"] == Decimal("110000")  # eligible cost − funding
    assert app["proof_of_use_due"] == funding.add_months(dt.date(2025, 6, 1), 66)
    assert app["phase"] == "B"  # as the programme spells it
    assert (app["budget_emergency"], app["implementation_measure"]) == (False, False)
    ((pay_key, pay),) = by_edit["payment_request"].items()
    assert pay_key == f"{keys['app2']}-M2"
    assert (pay["status"], pay["window_need"]) == ("planned", Decimal("15000"))
    with factory() as s:
        bog = org_id(s, "BOG")
    partner = by_edit["participation"][(p1, bog, "partner")]
    assert (partner["contribution_cash"], partner["contribution_in_kind"]) == (0, 0)
    assert (project_key, bog, "lead") in by_edit["participation"]


def test_new_rows_without_key_get_one_past_the_highest_taken(
    factory: sessionmaker[Session],
) -> None:
    """The one key rule in the import: past every key in use and every key another new row of
    the file states (even further down), gaps are never filled; the dashboard goes on from
    there. (Before, the import filled the first gap: SC-001-M2, SC-001-M3.)"""
    keys = small_portfolio(factory)
    p1 = keys["p1"]
    data = export(factory)
    for title in ("Ohne 1", "Ohne 2"):
        data = append(
            data, "Meilensteine", {"Projekt": p1, "Titel": title, "Fällig am": "01.03.2027"}
        )
    data = append(
        data,
        "Meilensteine",
        {"Schlüssel": f"{p1}-M5", "Projekt": p1, "Titel": "Mit", "Fällig am": "01.04.2027"},
    )
    result = run(factory, data)
    assert result.applied, [e.message for e in result.errors]
    with factory() as s:
        set_principal(s, TESTER)
        by_title = {m.title: m.key for m in milestones.get_all(s, project_id=keys["p1_id"])}
        assert (by_title["Ohne 1"], by_title["Ohne 2"], by_title["Mit"]) == (
            f"{p1}-M6",
            f"{p1}-M7",
            f"{p1}-M5",
        )
        following = milestones.create(
            s,
            {"project_id": keys["p1_id"], "title": "Danach", "due_date": dt.date(2027, 5, 1)},
            today=TODAY,
        )
        assert following.key == f"{p1}-M8"


def _cell(data: bytes, sheet: str, key: str, header: str) -> Any:
    ws = openpyxl.load_workbook(io.BytesIO(data))[sheet]
    return ws.cell(row=row_of(data, sheet, key), column=header_index(ws)[header]).value


# Long on purpose: every newer field out to a workbook and back, field by field.
def test_the_new_fields_round_trip(factory: sessionmaker[Session]) -> None:
    keys = small_portfolio(factory)
    with factory() as s:
        set_principal(s, TESTER)
        p1 = projects.get_by_key(s, keys["p1"])
        projects.update(
            s,
            p1.id,
            {"council_resolution_on": dt.date(2024, 11, 20)},
            expected_version=p1.version,
        )
        app1, app2 = funding.get_by_key(s, keys["app1"]), funding.get_by_key(s, keys["app2"])
        funding.update(
            s,
            app1.id,
            {"alternative_to_id": app2.id, "early_start_consent_on": dt.date(2025, 2, 1)},
            expected_version=app1.version,
        )
        funding.update(s, app2.id, {"implementation_measure": True}, expected_version=app2.version)
        pay = s.execute(
            select(PaymentRequest).where(PaymentRequest.key == keys["pay"])
        ).scalar_one()
        funding.update_payment_request(
            s, pay.id, {"window_need": Decimal("40000")}, expected_version=pay.version
        )
        s.commit()

    data = export(factory)
    assert _cell(data, "Projekte", keys["p1"], "Ratsbeschluss vom") == dt.datetime(2024, 11, 20)
    assert _cell(data, "Förderanträge", keys["app1"], "Alternativantrag zu") == keys["app2"]
    assert _cell(
        data, "Förderanträge", keys["app1"], "Zustimmung vorzeitiger Maßnahmebeginn am"
    ) == dt.datetime(2025, 2, 1)
    assert _cell(data, "Förderanträge", keys["app2"], "Erste Umsetzungsmaßnahme") == "ja"
    assert _cell(data, "Förderanträge", keys["app1"], "Erste Umsetzungsmaßnahme") == "nein"
    assert _cell(data, "Mittelabrufe", keys["pay"], "Bedarf in der Verwendungsfrist") == 40000
    english = export(factory, lang="en")
    assert _cell(english, "Funding applications", keys["app1"], "Alternative to") == keys["app2"]

    # the export imports as no change
    before = snapshot(factory)
    same = run(factory, data)
    assert same.ok and (same.created, same.updated) == (0, 0) and same.diffs == []
    assert {k: v for k, v in snapshot(factory).items() if k != "import_record"} == {
        k: v for k, v in before.items() if k != "import_record"
    }

    # changed in the workbook, they come back
    data = edit(data, "Projekte", keys["p1"], {"Ratsbeschluss vom": "03.02.2025"})
    data = edit(
        data,
        "Förderanträge",
        keys["app1"],
        {"Alternativantrag zu": None, "Zustimmung vorzeitiger Maßnahmebeginn am": "15.02.2025"},
    )
    data = edit(data, "Förderanträge", keys["app2"], {"Erste Umsetzungsmaßnahme": "nein"})
    data = edit(data, "Mittelabrufe", keys["pay"], {"Bedarf in der Verwendungsfrist": "35.000,00"})
    preview = run(factory, data, dry_run=True)
    assert preview.ok, [e.message for e in preview.errors]
    diffs = {(d.key, d.field): (d.old, d.new) for d in preview.diffs}
    assert diffs == {
        (keys["p1"], "council_resolution_on"): ("20.11.2024", "03.02.2025"),
        (keys["app1"], "alternative_to_id"): (keys["app2"], "–"),
        (keys["app1"], "early_start_consent_on"): ("01.02.2025", "15.02.2025"),
        (keys["app2"], "implementation_measure"): ("ja", "nein"),
        (keys["pay"], "window_need"): ("40.000,00\xa0€", "35.000,00\xa0€"),
    }
    assert run(factory, data).applied
    with factory() as s:
        assert projects.get_by_key(s, keys["p1"]).council_resolution_on == dt.date(2025, 2, 3)
        app1, app2 = funding.get_by_key(s, keys["app1"]), funding.get_by_key(s, keys["app2"])
        assert (app1.alternative_to_id, app1.early_start_consent_on) == (
            None,
            dt.date(2025, 2, 15),
        )
        assert app2.implementation_measure is False
        pay = s.execute(
            select(PaymentRequest).where(PaymentRequest.key == keys["pay"])
        ).scalar_one()
        assert pay.window_need == Decimal("35000")

    # the alternative is named by the other application's key (in any case)
    data = edit(
        export(factory),
        "Förderanträge",
        keys["app1"],
        {"Alternativantrag zu": keys["app2"].lower()},
    )
    assert run(factory, data).applied
    with factory() as s:
        app1, app2 = funding.get_by_key(s, keys["app1"]), funding.get_by_key(s, keys["app2"])
        assert app1.alternative_to_id == app2.id
