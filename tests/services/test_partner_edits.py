"""A partner's direct edits (portfolio.services.partner_edits): exactly the fields the exchange
opens to partners, on its own projects and its own participation, journaled under its name,
stale edits a conflict; everything else refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.enums import ChangeSource, JournalAction, Role
from db.models import CostItem, JournalEntry, KpiMeasurement, Milestone, Participation, Project
from portfolio.errors import ConflictError
from portfolio.policy import AccessDenied, Principal
from portfolio.services import cost_plan, funding, partner_edits
from portfolio.services.base import unit_of_work
from tests.exchange.helpers import org_id, partner, small_portfolio
from tests.fixtures.base import TESTER, TODAY
from tests.fixtures.exchange import signed_in


@pytest.fixture
def signed(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    return signed_in(factory)


def portfolio(factory: sessionmaker[Session]) -> dict[str, Any]:
    """The small portfolio (SC-001: STW leads, USB takes part; SC-002: BOG) with a cost item."""
    keys = small_portfolio(factory)
    with unit_of_work(factory, TESTER) as s:
        app = funding.get_by_key(s, keys["app2"])
        item = cost_plan.create(
            s,
            {
                "application_id": app.id,
                "cost_type": "investment",
                "label": "Sensoren",
                "requested": Decimal("80000"),
                "approved": Decimal("80000"),
            },
        )
        keys["item_id"] = item.id
        ids = {
            (p.organisation_id, p.project_id): p.id
            for p in s.execute(select(Participation)).scalars()
        }
        keys["stw_share"] = ids[(org_id(s, "STW"), keys["p1_id"])]
        keys["usb_share"] = ids[(org_id(s, "USB"), keys["p1_id"])]
        keys["ms_id"] = s.execute(
            select(Milestone.id).where(Milestone.key == keys["ms"])
        ).scalar_one()
        keys["ms2_id"] = s.execute(
            select(Milestone.id).where(Milestone.key == keys["ms2"])
        ).scalar_one()
    return keys


def version(factory: sessionmaker[Session], model: Any, row_id: int) -> int:
    with factory() as s:
        return int(s.get(model, row_id).version)  # type: ignore[union-attr]


def edit(factory: sessionmaker[Session], who: Principal, *edits: partner_edits.Edit) -> int:
    with unit_of_work(factory, who) as s:
        return partner_edits.apply(s, list(edits), today=TODAY)


def test_a_partner_edits_the_open_fields_of_its_project_journaled_under_its_name(
    signed: sessionmaker[Session],
) -> None:
    keys = portfolio(signed)
    stw = partner(signed, "STW", "anna.stadtwerke")
    changed = edit(
        signed,
        stw,
        partner_edits.Edit(
            "project",
            keys["p1_id"],
            version(signed, Project, keys["p1_id"]),
            {"summary": "Sensoren messen Luft und Lärm.", "title": "Sensorik Innenstadt"},
        ),
        partner_edits.Edit("milestone", keys["ms_id"], 1, {"done_date": dt.date(2026, 11, 3)}),
        partner_edits.Edit(
            "participation",
            keys["stw_share"],
            version(signed, Participation, keys["stw_share"]),
            {"contribution_cash": Decimal("25000"), "note": "Eigenmittel"},
        ),
        partner_edits.Edit("cost_item", keys["item_id"], 1, {"actual": Decimal("61250.50")}),
        partner_edits.Edit("kpi_measurement", keys["measurement_id"], 1, {"value": Decimal("14")}),
    )
    assert changed == 5  # the title was sent unchanged: no change, no refusal
    with unit_of_work(signed, stw) as s:
        added = partner_edits.create_measurement(
            s,
            {
                "kpi_id": s.execute(select(KpiMeasurement.kpi_id)).scalar_one(),
                "measured_on": dt.date(2026, 9, 1),
                "value": Decimal("20"),
            },
        )
        assert added.id
    with signed() as s:
        assert s.get(Project, keys["p1_id"]).summary == "Sensoren messen Luft und Lärm."  # type: ignore[union-attr]
        assert s.get(Milestone, keys["ms_id"]).done_date == dt.date(2026, 11, 3)  # type: ignore[union-attr]
        assert s.get(CostItem, keys["item_id"]).actual == Decimal("61250.50")  # type: ignore[union-attr]
        entries = (
            s.execute(select(JournalEntry).where(JournalEntry.actor == "anna.stadtwerke"))
            .scalars()
            .all()
        )
        assert {(e.entity, e.action) for e in entries} >= {
            ("project", JournalAction.UPDATE),
            ("milestone", JournalAction.UPDATE),
            ("participation", JournalAction.UPDATE),
            ("cost_item", JournalAction.UPDATE),
            ("kpi_measurement", JournalAction.UPDATE),
            ("kpi_measurement", JournalAction.CREATE),
        }
        assert {e.source for e in entries} == {ChangeSource.UI}


@pytest.mark.parametrize(
    ("entity", "field", "value"),
    [
        ("project", "title", "Umbenannt"),
        ("project", "total_cost", Decimal("9999999")),
        ("milestone", "due_date", dt.date(2027, 1, 1)),
        ("cost_item", "approved", Decimal("90000")),
        ("participation", "role", "partner"),
    ],
)
def test_fields_the_unit_keeps_are_refused(
    signed: sessionmaker[Session], entity: str, field: str, value: Any
) -> None:
    keys = portfolio(signed)
    row = {
        "project": keys["p1_id"],
        "milestone": keys["ms_id"],
        "cost_item": keys["item_id"],
        "participation": keys["stw_share"],
    }[entity]
    model = partner_edits.MODELS[entity]
    stw = partner(signed, "STW")
    with pytest.raises(partner_edits.NotOpen) as caught:
        edit(
            signed,
            stw,
            partner_edits.Edit(entity, row, version(signed, model, row), {field: value}),
        )
    assert "Innovation Unit" in caught.value.message("de")
    assert "Innovation Unit" in caught.value.message("en")
    with signed() as s:
        assert getattr(s.get(model, row), field) != value


def test_rows_of_other_organisations_are_refused(signed: sessionmaker[Session]) -> None:
    keys = portfolio(signed)
    stw = partner(signed, "STW")
    # BOG's project, and USB's share in STW's own project
    for entity, row, changes in (
        ("milestone", keys["ms2_id"], {"done_date": dt.date(2026, 10, 1)}),
        ("project", keys["p2_id"], {"summary": "fremd"}),
        ("participation", keys["usb_share"], {"contribution_cash": Decimal("1")}),
    ):
        with pytest.raises(AccessDenied) as caught:
            edit(signed, stw, partner_edits.Edit(entity, row, 1, changes))
        assert caught.value.reason == "scope", entity
    with signed() as s:
        assert s.get(Milestone, keys["ms2_id"]).done_date is None  # type: ignore[union-attr]
    # nor a measurement of another organisation's indicator, nor fields beyond the new row's
    bog = partner(signed, "BOG")
    with unit_of_work(signed, bog) as s, pytest.raises(AccessDenied):
        kpi_id = s.execute(select(KpiMeasurement.kpi_id)).scalar_one()
        partner_edits.create_measurement(
            s, {"kpi_id": kpi_id, "measured_on": dt.date(2026, 9, 1), "value": Decimal(1)}
        )


def test_a_stale_edit_is_a_conflict_and_one_refusal_writes_nothing(
    signed: sessionmaker[Session],
) -> None:
    keys = portfolio(signed)
    stw = partner(signed, "STW")
    edit(signed, stw, partner_edits.Edit("milestone", keys["ms_id"], 1, {"done_date": TODAY}))
    with pytest.raises(ConflictError):
        edit(
            signed,
            stw,
            partner_edits.Edit("milestone", keys["ms_id"], 1, {"done_date": dt.date(2026, 1, 1)}),
        )
    with pytest.raises(partner_edits.NotOpen):
        edit(
            signed,
            stw,
            partner_edits.Edit("cost_item", keys["item_id"], 1, {"actual": Decimal("5")}),
            partner_edits.Edit("project", keys["p1_id"], 99, {"title": "x"}),
        )
    with signed() as s:
        assert s.get(Milestone, keys["ms_id"]).done_date == TODAY  # type: ignore[union-attr]
        assert s.get(CostItem, keys["item_id"]).actual is None  # type: ignore[union-attr]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.LEADERSHIP])
def test_roles_without_partner_edit_are_refused(signed: sessionmaker[Session], role: Role) -> None:
    keys = portfolio(signed)
    with pytest.raises(AccessDenied) as caught:
        edit(
            signed,
            Principal("jemand", role),
            partner_edits.Edit("milestone", keys["ms_id"], 1, {"done_date": TODAY}),
        )
    assert caught.value.reason == "role"


def test_the_unit_may_edit_as_a_partner(signed: sessionmaker[Session]) -> None:
    keys = portfolio(signed)
    staff = Principal("m.muster", Role.STAFF)
    assert (
        edit(
            signed, staff, partner_edits.Edit("milestone", keys["ms2_id"], 1, {"done_date": TODAY})
        )
        == 1
    )
