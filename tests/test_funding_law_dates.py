"""Funding law, adversarially (see tests/funding_law_helpers.py): no decision in the future,
plausible dates, and MPSC phase B's council resolution before the application."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portfolio.errors import ValidationFailed
from portfolio.services import milestones, projects
from tests.fixtures.base import TODAY
from tests.funding_law_helpers import (
    AFTER_LAST_DAY,
    BEFORE_FIRST_DAY,
    FIRST_DAY,
    LAST_DAY,
    RESOLUTION_URL,
    SUBMITTED,
    TOMORROW,
    D,
    apply,
    approve,
    change,
    eur,
    mpsc,
    new_project,
    pay,
    refused,
)

# ==== 6. No decision in the future =============================================================
# A decision (award or rejection) and a submission are facts: they cannot lie after today.


@pytest.mark.parametrize(
    ("day", "allowed"), [(TODAY, True), (TOMORROW, False)], ids=["today", "tomorrow"]
)
def test_award_date_not_in_the_future(session: Session, day: dt.date, allowed: bool) -> None:
    """Awarded today is fine, awarded tomorrow is not a fact yet."""
    app = apply(session, new_project(session))
    if allowed:
        assert approve(session, app, day=day).decision_on == TODAY
    else:
        with refused("decision_on"):
            approve(session, app, day=day)


def test_rejection_date_not_in_the_future(session: Session) -> None:
    """A rejection dated tomorrow is refused as well."""
    app = apply(session, new_project(session))
    with refused("decision_on"):
        change(session, app, status="rejected", decision_on=TOMORROW)


@pytest.mark.parametrize(
    ("status", "day", "allowed"),
    [
        ("submitted", TOMORROW, False),
        ("submitted", TODAY, True),
        ("sketch", TOMORROW, True),
    ],
    ids=["submitted-tomorrow", "submitted-today", "planned-submission"],
)
def test_submission_date_not_in_the_future_once_submitted(
    session: Session, status: str, day: dt.date, allowed: bool
) -> None:
    """Submitted tomorrow is not a fact; a sketch may carry the planned submission day."""
    project = new_project(session)
    if allowed:
        assert apply(session, project, status=status, submitted_on=day).id
    else:
        with refused("submitted_on"):
            apply(session, project, status=status, submitted_on=day)


# ==== 7. Plausible dates =======================================================================
# Every stored date lies between 1 Jan 1990 and 15 years after today (else it is a typo).


def _write_date(session: Session, entity: str, field: str, day: dt.date) -> object:
    if entity == "project":
        return new_project(session, **{field: day})
    project = new_project(session)
    if entity == "application":
        data: dict[str, Any] = {field: day}
        if field == "decision_on":
            data |= {"status": "rejected"}
        return apply(session, project, **data)
    if entity == "milestone":
        data = {"project_id": project.id, "title": "Abnahme", "due_date": D(2026, 6, 30)}
        data[field] = day
        return milestones.create(session, data)
    app = approve(session, apply(session, project))
    if field == "paid_on":
        return pay(session, app, eur(1000), status="paid", paid_on=day)
    return pay(session, app, eur(1000), **{field: day})


@pytest.mark.parametrize(
    ("entity", "field", "day"),
    [
        ("project", "start_date", BEFORE_FIRST_DAY),
        ("project", "end_date", AFTER_LAST_DAY),
        ("project", "council_resolution_on", BEFORE_FIRST_DAY),
        ("application", "submitted_on", BEFORE_FIRST_DAY),
        ("application", "decision_on", BEFORE_FIRST_DAY),
        ("application", "period_start", BEFORE_FIRST_DAY),
        ("application", "period_end", AFTER_LAST_DAY),
        ("application", "early_start_consent_on", BEFORE_FIRST_DAY),
        ("milestone", "due_date", AFTER_LAST_DAY),
        ("milestone", "done_date", BEFORE_FIRST_DAY),
        ("payment", "due_on", AFTER_LAST_DAY),
        ("payment", "paid_on", BEFORE_FIRST_DAY),
    ],
    ids=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v),
)
def test_implausible_date_is_refused(
    session: Session, entity: str, field: str, day: dt.date
) -> None:
    """Before 1990 or more than 15 years ahead: refused, naming the field."""
    with refused(field):
        _write_date(session, entity, field, day)


@pytest.mark.parametrize(
    ("entity", "field", "day"),
    [
        ("project", "start_date", FIRST_DAY),
        ("project", "end_date", LAST_DAY),
        ("application", "period_end", LAST_DAY),
        ("milestone", "due_date", LAST_DAY),
        ("payment", "due_on", LAST_DAY),
    ],
    ids=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v),
)
def test_date_at_the_edge_of_the_plausible_span_is_accepted(
    session: Session, entity: str, field: str, day: dt.date
) -> None:
    """1 Jan 1990 and exactly 15 years ahead are still plausible."""
    assert _write_date(session, entity, field, day) is not None


# ==== 10. MPSC phase B needs a council resolution before the application =======================
# Implementation phase only with a council resolution (Rats-/Gemeinderatsbeschluss), dated on or
# before the submission and published (URL).


@pytest.mark.parametrize(
    ("resolution_on", "url"),
    [
        (None, None),
        (SUBMITTED + dt.timedelta(days=1), RESOLUTION_URL),
        (D(2024, 12, 1), None),
        (None, RESOLUTION_URL),
    ],
    ids=["none", "after-submission", "no-url", "no-date"],
)
def test_phase_b_submitted_without_resolution_is_refused(
    session: Session, resolution_on: dt.date | None, url: str | None
) -> None:
    """Phase B handed in without a (timely, documented) council resolution: refused on phase."""
    project = new_project(session, council_resolution_on=resolution_on, council_resolution_url=url)
    with refused("phase"):
        apply(session, project)


def test_submitting_a_phase_b_sketch_without_resolution_is_refused(session: Session) -> None:
    """Moving a phase-B sketch to submitted needs the resolution as well."""
    project = new_project(session, council_resolution_on=None, council_resolution_url=None)
    app = apply(session, project, status="sketch", submitted_on=None)
    with refused("phase"):
        change(session, app, status="submitted", submitted_on=SUBMITTED)


def test_moving_a_submitted_application_into_phase_b_needs_the_resolution(
    session: Session,
) -> None:
    """A submitted phase-A application moved to phase B needs the resolution like any other."""
    project = new_project(session, council_resolution_on=None, council_resolution_url=None)
    app = mpsc(session, project, "A", eur(300_000))
    with refused("phase"):
        change(session, app, phase="B")


def test_submission_date_corrected_to_before_the_resolution_is_refused(session: Session) -> None:
    """Resolution of 1 Feb 2025: the submission cannot be corrected to 15 Jan 2025."""
    project = new_project(session, council_resolution_on=D(2025, 2, 1))
    app = apply(session, project)
    with refused("phase"):
        change(session, app, submitted_on=D(2025, 1, 15))


def test_clearing_the_resolution_of_a_project_with_a_phase_b_application_is_refused(
    session: Session,
) -> None:
    """The resolution a submitted phase-B application stands on cannot be removed."""
    project = new_project(session)
    apply(session, project)
    with refused("council_resolution_on", "council_resolution_url", "phase"):
        projects.update(
            session,
            project.id,
            {"council_resolution_on": None},
            expected_version=project.version,
        )


def test_correcting_the_resolution_link_keeps_the_application(session: Session) -> None:
    """Replacing the resolution's link by another one is fine."""
    project = new_project(session)
    apply(session, project)
    url = "https://session.bochum.de/bi/vo0050.asp?__kvonr=4712"
    projects.update(
        session, project.id, {"council_resolution_url": url}, expected_version=project.version
    )
    assert project.council_resolution_url == url


def test_phase_b_with_resolution_on_the_submission_day_is_accepted(session: Session) -> None:
    """A resolution of the same day as the submission is in time."""
    project = new_project(session, council_resolution_on=SUBMITTED)
    assert apply(session, project).id


@pytest.mark.parametrize(
    ("programme", "phase", "status"),
    [
        ("MPSC", "A", "submitted"),
        ("MFUND", "FL2", "submitted"),
        ("MPSC", "B", "idea"),
        ("MPSC", "B", "sketch"),
    ],
    ids=["mpsc-a", "mfund", "b-idea", "b-sketch"],
)
def test_no_resolution_needed(session: Session, programme: str, phase: str, status: str) -> None:
    """Phase A, other programmes and phase-B ideas or sketches need no council resolution."""
    project = new_project(session, council_resolution_on=None, council_resolution_url=None)
    data: dict[str, Any] = {"phase": phase, "status": status}
    if programme != "MPSC":
        data["funding_rate"] = None
    assert apply(session, project, programme, **data).id


def test_a_council_resolution_is_not_dated_in_the_future(session: Session) -> None:
    """A resolution the council has not taken yet can't stand behind an application."""
    project = new_project(session)
    with pytest.raises(ValidationFailed) as exc:
        projects.update(
            session,
            project.id,
            {"council_resolution_on": TODAY + dt.timedelta(days=1)},
            expected_version=project.version,
        )
    assert [p.field for p in exc.value.problems] == ["council_resolution_on"]
    projects.update(
        session, project.id, {"council_resolution_on": TODAY}, expected_version=project.version
    )
