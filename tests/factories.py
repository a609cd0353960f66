"""Small builders for test data that go through the services, so every test keeps the rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from db.models import FundingApplication, Project
from portfolio.services import catalogue, funding, organisations, programmes, projects


def make_project(session: Session, **overrides: Any) -> Project:
    data: dict[str, Any] = {
        "title": "Testprojekt Sensorik",
        "status": "implementation",
        "priority": "high",
        "action_field_id": catalogue.get_action_field_by_key(session, "5.1.2").id,
        "lead_organisation_id": organisations.get_by_key(session, "STW").id,
        "responsible_person": "Projektleitung Smart City Innovation Unit",
        "start_date": dt.date(2025, 1, 1),
        "end_date": dt.date(2027, 12, 31),
        "total_cost": Decimal("1000000.00"),
        "eligible_cost": Decimal("800000.00"),
        # MPSC phase B (the default application) needs a council resolution before it.
        "council_resolution_on": dt.date(2024, 12, 12),
        "council_resolution_url": "https://session.bochum.de/bi/vo020.asp?VOLFDNR=1001",
    }
    data.update(overrides)
    return projects.create(session, data)


def make_application(session: Session, project: Project, **overrides: Any) -> FundingApplication:
    data: dict[str, Any] = {
        "project_id": project.id,
        "programme_id": programmes.get_by_key(session, "MPSC").id,
        "phase": "B",
        "status": "submitted",
        "amount_requested": Decimal("300000.00"),
        "eligible_cost": Decimal("500000.00"),
        "funding_rate": Decimal("60"),
        "submitted_on": dt.date(2025, 3, 1),
    }
    data.update(overrides)
    return funding.create(session, data)
