"""Hostile text in every free-text field: a corpus of markdown, directive, maths, HTML and URL
payloads, and a function that writes it into a demo database through the services.

Shared by the AppTest checks (tests/ui/test_text_is_text.py) and the real-browser check
(tests/ui/test_browser_payloads.py). Nothing of it may render as markup, and no browser may
fetch anything because of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from db.enums import ChangeSource, Role
from db.models import Organisation, Project
from portfolio.errors import ValidationFailed
from portfolio.policy import Principal, set_principal
from portfolio.services import (
    funding,
    kpis,
    milestones,
    organisations,
    participations,
    programmes,
    projects,
    status_reports,
)
from tests.fixtures.base import TODAY
from tests.fixtures.ui import Query

IMAGE = "![x](http://127.0.0.2:9/x.png)"
TRACKER = "![t](https://tracker.example/t.png)"
LINK = "[Passwort erneuern](https://phish.example/)"
COLOUR = ":red[rot]"
BOLD = "**fett**"
MATHS = "$x^2$"
HTML = "<img src=http://127.0.0.3/y.png>"
ICON = ":material/home:"
ICON_TEXT = ":material_home:"
EMOJI = ":smile:"
AUTOLINK = "www.tracker.example"
URL_BREAKOUT = "https://ok.example/a) ![x](http://127.0.0.4/z.png"
URL_BREAKOUT_NO_SPACE = "https://ok.example/a)![x](http://127.0.0.4/z.png)"
SCRIPT_URL = "javascript:alert(1)"

LONG = " ".join([IMAGE, TRACKER, LINK, COLOUR, BOLD, MATHS, HTML, ICON, EMOJI])
"""The payloads at once (174 characters): for fields of up to 200 characters."""
EXTRA = f"{ICON_TEXT} {AUTOLINK} {IMAGE}"
"""The rest, for the longer text fields."""
SHORT = f"{IMAGE} {COLOUR}"
"""For short fields (unit: 40, organisation short name: 60)."""
MULTILINE = f"{LONG}\n{EXTRA}\n# Überschrift\n> Zitat\n- Punkt\n1. Liste\n    eingerückt\n\n{IMAGE}"
ACTOR = f"{IMAGE} {COLOUR} {BOLD}"
"""The journal's actor (the dashboard's PORTFOLIO_USER, the seeding session's actor name)."""
REMOTE_HOSTS = ("127.0.0.2", "127.0.0.3", "127.0.0.4", "tracker.example", "phish.example")
ORG_KEY = "XSS-ORG"
ORG_SHORT = f"{IMAGE} **f** $x$"
"""The organisation's short name (60 characters at most): chart labels, tables, choices."""
PROGRAMME_KEY = "XSS-PRG"


@dataclass(frozen=True)
class Seeded:
    project_key: str  # every field hostile, both URL fields stored as given (legacy data)
    project_id: int
    link_project_key: str  # a repository URL the services accept but that tries to break out
    org_key: str
    programme_key: str
    refused: dict[str, list[str]]  # what the services refused: field -> problem codes


def _refusals(exc: ValidationFailed) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in exc.problems:
        out.setdefault(p.field, []).append(p.code)
    return out


def seed(url: str) -> Seeded:
    """Write the corpus into the database at ``url`` (one transaction per step)."""
    q = Query(url)
    try:
        return _seed(q)
    finally:
        q.engine.dispose()


def _as_actor(q: Query, fn: Any) -> Any:
    def run(session: Session) -> Any:
        set_principal(session, Principal(ACTOR, Role.ADMIN, source=ChangeSource.UI, ref=SHORT))
        return fn(session)

    return q(run)


# Long on purpose: one hostile payload in every text field of every kind of record, listed in full
# so the test shows what it covers.
def _seed(q: Query) -> Seeded:
    first, second = q(
        lambda s: list(
            s.execute(
                select(Project.id, Project.key)
                .where(Project.archived.is_(False))
                .order_by(Project.key)
                .limit(2)
            )
        )
    )
    pid, key = first
    link_pid, link_key = second

    org = _as_actor(
        q,
        lambda s: (
            organisations.create(
                s,
                {
                    "key": ORG_KEY,
                    "name": LONG,
                    "short_name": ORG_SHORT,
                    "kind": "company",
                    "contact_role": LONG,
                    "contact_email": "kontakt@tracker.example",
                    "address": f"{LONG} {EXTRA}",
                },
            ).id
        ),
    )
    programme = _as_actor(
        q,
        lambda s: (
            programmes.create(
                s,
                {
                    "key": PROGRAMME_KEY,
                    "name": LONG,
                    "funder": LONG,
                    "programme_number": f"{IMAGE} **1**",
                    "level": "federal",
                    "standard_rate": Decimal("80"),
                    "requires_own_share": False,
                    "duties": MULTILINE,
                },
            ).id
        ),
    )

    def edit_project(session: Session) -> None:
        project = projects.get(session, pid)
        projects.update(
            session,
            pid,
            {
                "title": LONG,
                "summary": MULTILINE,
                "goals": MULTILINE,
                "responsible_person": LONG,
                "spatial_note": LONG,
                "origin": LONG,
                "lead_organisation_id": org,
            },
            expected_version=project.version,
        )

    _as_actor(q, edit_project)

    refused: dict[str, list[str]] = {}

    def hostile_urls(session: Session) -> None:
        project = projects.get(session, pid)
        projects.update(
            session,
            pid,
            {"repository_url": URL_BREAKOUT, "council_resolution_url": SCRIPT_URL},
            expected_version=project.version,
        )

    try:
        _as_actor(q, hostile_urls)
    except ValidationFailed as exc:
        refused = _refusals(exc)
    # Rows written before the check (or by another tool) may hold such values all the same:
    # the pages must cope with whatever is stored.
    q(
        lambda s: s.execute(
            update(Project)
            .where(Project.id == pid)
            .values(repository_url=URL_BREAKOUT, council_resolution_url=SCRIPT_URL)
        )
    )

    def accepted_url(session: Session) -> None:
        project = projects.get(session, link_pid)
        projects.update(
            session,
            link_pid,
            {
                "repository_url": URL_BREAKOUT_NO_SPACE,
                "council_resolution_url": URL_BREAKOUT_NO_SPACE,
                "title": f"{LONG} (2)",
            },
            expected_version=project.version,
        )

    _as_actor(q, accepted_url)

    # Long on purpose: the hostile records of one project, one after the other.
    def parts(session: Session) -> None:
        participations.create(
            session,
            {
                "project_id": pid,
                "organisation_id": org,
                "role": "partner",
                "contribution_cash": Decimal("1000"),
                "note": LONG,
            },
        )
        milestones.create(
            session,
            {
                "project_id": pid,
                "title": LONG,
                "due_date": TODAY - dt.timedelta(days=5),
                "responsible_organisation_id": org,
            },
            today=TODAY,
        )
        milestones.create(
            session,
            {
                "project_id": pid,
                "title": f"{LONG} (bald)",
                "due_date": TODAY + dt.timedelta(days=10),
                "responsible_organisation_id": org,
            },
            today=TODAY,
        )
        status_reports.create(
            session,
            {
                "project_id": pid,
                "report_date": TODAY,
                "overall": "red",
                "schedule": "yellow",
                "budget": "green",
                "funding": "red",
                "summary": MULTILINE,
                "author": LONG,
            },
        )
        kpi = kpis.create(
            session,
            {
                "project_id": pid,
                "name": LONG,
                "unit": SHORT,
                "baseline": Decimal("1"),
                "target": Decimal("5"),
            },
        )
        kpis.create_measurement(
            session,
            {"kpi_id": kpi.id, "measured_on": TODAY, "value": Decimal("2"), "note": LONG},
        )
        application = funding.create(
            session,
            {
                "project_id": pid,
                "programme_id": programme,
                "status": "approved",
                "amount_requested": Decimal("8000"),
                "amount_approved": Decimal("8000"),
                "eligible_cost": Decimal("10000"),
                "funding_rate": Decimal("80"),
                "own_share": Decimal("2000"),
                "reference_number": f"{IMAGE} **1**",
                "submitted_on": TODAY - dt.timedelta(days=200),
                "decision_on": TODAY - dt.timedelta(days=100),
                "period_start": TODAY - dt.timedelta(days=100),
                "period_end": TODAY + dt.timedelta(days=300),
                "note": MULTILINE,
            },
        )
        funding.create_payment_request(
            session,
            {
                "application_id": application.id,
                "due_on": TODAY - dt.timedelta(days=3),
                "amount": Decimal("1000"),
                "status": "planned",
                "note": LONG,
            },
        )

    _as_actor(q, parts)
    org_id = q(
        lambda s: s.execute(select(Organisation.id).where(Organisation.key == ORG_KEY)).scalar()
    )
    assert org_id == org
    return Seeded(key, pid, link_key, ORG_KEY, PROGRAMME_KEY, refused)


def journal_actors(url: str) -> list[str]:
    q = Query(url)
    try:
        return q(
            lambda s: [r[0] for r in s.execute(text("select distinct actor from journal_entry"))]
        )
    finally:
        q.engine.dispose()
