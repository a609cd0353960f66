"""What the cost-plan and grant-follow-up tests of the exchange share: a small portfolio with a
cost plan, and reading a sheet's rows and cells back."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import openpyxl
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import CostItem
from portfolio.exchange.importer import ImportResult, cell_name
from portfolio.exchange.state import Scope
from portfolio.policy import set_principal
from portfolio.services import cost_plan, funding
from tests.exchange.helpers import header_index, row_of, small_portfolio
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
