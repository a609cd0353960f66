"""A small portfolio built through the services for the read-model tests: three projects in two
Leitthemen (one without dates), a partner with cash, milestones around today, a status report,
an application, and an archived project that no read model may count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from db.models import Project
from portfolio import clock
from portfolio.services import (
    catalogue,
    milestones,
    organisations,
    participations,
    projects,
    status_reports,
)
from tests.factories import make_application, make_project


@dataclass
class Small:
    today: dt.date
    sensors: Project  # 5.1.2 (Leitthema 1), implementation, USB partner, report, application
    platform: Project  # 5.1.3 (Leitthema 1), planning, no report
    services: Project  # 5.2.1 (Leitthema 2), idea, no dates
    archived: Project  # 5.1.2, archived: counted nowhere


def _field(session: Session, key: str) -> int:
    return catalogue.get_action_field_by_key(session, key).id


@pytest.fixture
def small(session: Session) -> Small:
    today = clock.today()
    sensors = make_project(session, title="Sensoren", total_cost=Decimal("1000000.00"))
    platform = make_project(
        session,
        title="Datenplattform",
        status="planning",
        action_field_id=_field(session, "5.1.3"),
        total_cost=Decimal("250000.00"),
        eligible_cost=Decimal("200000.00"),
    )
    services = make_project(
        session,
        title="Bürgerdienste",
        status="idea",
        action_field_id=_field(session, "5.2.1"),
        start_date=None,
        end_date=None,
        total_cost=Decimal("40000.00"),
        eligible_cost=Decimal("0.00"),
    )
    archived = make_project(
        session, title="Alt", total_cost=Decimal("999.00"), eligible_cost=Decimal("999.00")
    )
    usb = organisations.get_by_key(session, "USB")
    participations.create(
        session,
        {
            "project_id": sensors.id,
            "organisation_id": usb.id,
            "role": "partner",
            "contribution_cash": Decimal("1000.00"),
        },
    )
    participations.create(
        session, {"project_id": archived.id, "organisation_id": usb.id, "role": "partner"}
    )
    for key, project, due, org in (
        ("M-SOON", sensors, today + dt.timedelta(days=10), usb.id),
        ("M-LATER", sensors, today + dt.timedelta(days=60), None),
        ("M-LATE", platform, today - dt.timedelta(days=5), usb.id),
        ("M-ARCH", archived, today - dt.timedelta(days=5), usb.id),
    ):
        milestones.create(
            session,
            {
                "key": key,
                "project_id": project.id,
                "title": f"Meilenstein {key}",
                "due_date": due,
                "responsible_organisation_id": org,
            },
            today=today,
        )
    status_reports.create(
        session,
        {
            "project_id": sensors.id,
            "report_date": today - dt.timedelta(days=10),
            "overall": "green",
            "schedule": "green",
            "budget": "green",
            "funding": "green",
        },
    )
    make_application(session, sensors)
    projects.archive(session, archived.id, expected_version=archived.version)
    session.flush()
    return Small(today, sensors, platform, services, archived)
