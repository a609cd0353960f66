"""Validation and business rules of projects, organisations, participations and their messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Participation, Project
from portfolio.errors import ValidationFailed
from portfolio.services import catalogue, organisations, participations, projects
from tests.factories import make_project


def problems_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {p.field: p.code for p in exc.value.problems}


def test_create_project_assigns_key_and_lead_participation(session: Session) -> None:
    project = make_project(session)
    assert project.key == "SC-001"
    assert make_project(session, title="Zweites").key == "SC-002"
    roles = (
        session.execute(select(Participation.role).where(Participation.project_id == project.id))
        .scalars()
        .all()
    )
    assert roles == ["lead"]


def test_responsible_person_is_required_with_german_message(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_project(session, responsible_person="  ")
    assert problems_of(exc) == {"responsible_person": "required"}
    assert (
        exc.value.problems[0].message()
        == "Verantwortlich: Pflichtfeld. Bitte einen Wert eintragen."
    )
    assert exc.value.problems[0].message("en") == "Responsible: required. Please enter a value."


def test_end_before_start_is_rejected(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_project(session, start_date=dt.date(2026, 5, 1), end_date=dt.date(2026, 4, 30))
    assert problems_of(exc) == {"end_date": "end_before_start"}
    assert "Das Ende (30.04.2026) liegt vor dem Beginn (01.05.2026)" in exc.value.message()


def test_end_equal_to_start_is_fine(session: Session) -> None:
    project = make_project(session, start_date=dt.date(2026, 5, 1), end_date=dt.date(2026, 5, 1))
    assert project.end_date == project.start_date


def test_eligible_cost_above_total_is_rejected(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_project(session, total_cost=Decimal("100"), eligible_cost=Decimal("100.01"))
    assert problems_of(exc) == {"eligible_cost": "eligible_above_total"}
    assert "100,01\xa0€" in exc.value.message()


def test_negative_cost_is_rejected(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_project(session, total_cost=Decimal("-1"))
    assert problems_of(exc)["total_cost"] == "not_negative"


def test_unknown_status_lists_the_allowed_labels(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_project(session, status="fertig")
    assert problems_of(exc) == {"status": "not_in_list"}
    assert "Ideenstadium" in exc.value.message() and "nicht weiter verfolgt" in exc.value.message()


def test_unknown_action_field_and_lead_are_rejected(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_project(session, action_field_id=99999, lead_organisation_id=88888)
    assert problems_of(exc) == {
        "action_field_id": "unknown_reference",
        "lead_organisation_id": "unknown_reference",
    }


def test_tags_are_checked_and_ordered(session: Session) -> None:
    project = make_project(session, charter_guidelines=["L3", "L1", "L3"], sdgs=["11", "9"])
    assert project.charter_guidelines == ["L1", "L3"]
    assert project.sdgs == ["9", "11"]
    with pytest.raises(ValidationFailed) as exc:
        make_project(session, charter_guidelines=["L9"])
    assert problems_of(exc) == {"charter_guidelines": "bad_tag"}


def test_links_must_be_web_addresses(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_project(session, repository_url="gitlab.opencode.de/bochum")
    assert problems_of(exc) == {"repository_url": "bad_url"}


def test_duplicate_key_is_rejected(session: Session) -> None:
    make_project(session, key="SC-100")
    with pytest.raises(ValidationFailed) as exc:
        make_project(session, key="SC-100")
    assert problems_of(exc) == {"key": "duplicate_key"}


def test_control_characters_and_overlong_titles_are_rejected(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_project(session, title="Bell\x07")
    assert problems_of(exc) == {"title": "control_chars"}
    with pytest.raises(ValidationFailed) as exc:
        make_project(session, title="x" * 201)
    assert problems_of(exc) == {"title": "too_long"}


def test_all_problems_are_reported_at_once(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_project(session, title="", responsible_person="", status="x", total_cost=Decimal("-5"))
    assert set(problems_of(exc)) == {"title", "responsible_person", "status", "total_cost"}


def test_update_checks_rules_on_merged_state(session: Session) -> None:
    project = make_project(session)
    with pytest.raises(ValidationFailed) as exc:
        projects.update(
            session, project.id, {"end_date": dt.date(2024, 1, 1)}, expected_version=project.version
        )
    assert problems_of(exc) == {"end_date": "end_before_start"}


def test_archive_is_a_soft_delete(session: Session) -> None:
    project = make_project(session)
    projects.archive(session, project.id, expected_version=project.version)
    session.flush()
    assert session.get(Project, project.id) is not None
    assert project.archived
    assert project not in projects.get_all(session)
    assert project in projects.get_all(session, include_archived=True)


def test_changing_lead_moves_the_lead_role(session: Session) -> None:
    project = make_project(session)
    usb = organisations.get_by_key(session, "USB")
    projects.update(
        session, project.id, {"lead_organisation_id": usb.id}, expected_version=project.version
    )
    roles = {
        (p.organisation.key, p.role) for p in participations.get_all(session, project_id=project.id)
    }
    assert roles == {("STW", "partner"), ("USB", "lead")}


def test_participation_rules(session: Session) -> None:
    project = make_project(session)
    spk = organisations.get_by_key(session, "SPK")
    p = participations.create(
        session,
        {
            "project_id": project.id,
            "organisation_id": spk.id,
            "role": "cofinancing",
            "contribution_cash": Decimal("25000"),
        },
    )
    assert p.contribution_in_kind == 0
    with pytest.raises(ValidationFailed) as exc:
        participations.create(
            session, {"project_id": project.id, "organisation_id": spk.id, "role": "cofinancing"}
        )
    assert problems_of(exc) == {"role": "participation_exists"}
    assert "Sparkasse" in exc.value.message() and "Kofinanzierung" in exc.value.message()
    with pytest.raises(ValidationFailed) as exc:
        participations.create(
            session,
            {
                "project_id": project.id,
                "organisation_id": spk.id,
                "role": "partner",
                "contribution_cash": Decimal("-1"),
            },
        )
    assert problems_of(exc) == {"contribution_cash": "not_negative"}


def test_archived_organisation_cannot_take_a_new_role(session: Session) -> None:
    project = make_project(session)
    ihk = organisations.get_by_key(session, "IHK")
    organisations.archive(session, ihk.id, expected_version=ihk.version)
    with pytest.raises(ValidationFailed) as exc:
        participations.create(
            session, {"project_id": project.id, "organisation_id": ihk.id, "role": "partner"}
        )
    assert problems_of(exc) == {"organisation_id": "unknown_reference"}


def test_organisation_rules(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        organisations.create(
            session,
            {"key": "STW", "name": "X", "short_name": "X", "kind": "bank", "contact_email": "nope"},
        )
    assert problems_of(exc) == {"key": "duplicate_key", "contact_email": "bad_email"}
    org = organisations.create(
        session,
        {
            "key": "RUB",
            "name": "Ruhr-Universität Bochum",
            "short_name": "RUB",
            "kind": "university",
        },
    )
    assert org.id and organisations.get_by_key(session, "RUB") is org


def test_action_fields_belong_to_the_five_themes(session: Session) -> None:
    themes = catalogue.get_all_themes(session)
    assert [t.name for t in themes] == [
        "Zukunftsfähige Infrastruktur",
        "Intelligentes Stadtmanagement",
        "Digitale Gesellschaft",
        "Nachhaltige Mobilität und Umweltschutz",
        "Innovative Wirtschaft und Wissenschaft",
    ]
    fields = catalogue.get_all_action_fields(session)
    assert len(fields) == 15
    assert catalogue.get_action_field_by_key(session, "5.1.1").name == "Netz-Infrastruktur"


def test_archived_project_is_read_only_until_restored(session: Session) -> None:
    project = make_project(session)
    projects.archive(session, project.id, expected_version=project.version)
    with pytest.raises(ValidationFailed) as exc:
        projects.update(session, project.id, {"title": "Neu"}, expected_version=project.version)
    assert problems_of(exc) == {"archived": "archived_project"}
    assert "erst wiederherstellen" in exc.value.message()
    projects.restore(session, project.id, expected_version=project.version)
    projects.update(session, project.id, {"title": "Neu"}, expected_version=project.version)
    assert project.title == "Neu"


def test_programme_rates(session: Session) -> None:
    from portfolio.services import programmes

    data = {
        "key": "TEST",
        "name": "Testprogramm",
        "funder": "Land",
        "level": "state",
        "standard_rate": Decimal("60"),
        "raised_rate": Decimal("50"),
    }
    with pytest.raises(ValidationFailed) as exc:
        programmes.create(session, data)
    assert problems_of(exc) == {"raised_rate": "rate_above_programme"}
    programme = programmes.create(session, {**data, "raised_rate": Decimal("80")})
    with pytest.raises(ValidationFailed) as exc:
        programmes.update(
            session, programme.id, {"key": "MPSC"}, expected_version=programme.version
        )
    assert problems_of(exc) == {"key": "duplicate_key"}
