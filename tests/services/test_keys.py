"""The one rule for the keys of new rows (portfolio.services.base.next_free_key), as the
dashboard's single edits and the import apply it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from portfolio.services import funding, milestones, programmes, projects
from portfolio.services.base import KeySet, next_free_key
from tests.factories import make_application, make_project
from tests.fixtures.base import TODAY


def test_one_past_the_highest_taken_number_gaps_are_not_filled() -> None:
    taken = {"SC-001-M1", "SC-001-M4", "SC-001-F2", "SC-002-M9", "SC-001-M2-X"}
    assert next_free_key("SC-001-M", taken) == "SC-001-M5"
    assert next_free_key("SC-001-F", taken) == "SC-001-F3"
    assert next_free_key("SC-003-M", taken) == "SC-003-M1"
    assert next_free_key("SC-", {"SC-001", "sc-024", "SC-1x"}, width=3) == "SC-025"
    assert next_free_key("SC-", set(), width=3) == "SC-001"
    assert next_free_key("SC-001-F1-M", ["SC-001-F1-M2", "SC-001-F11-M7"]) == "SC-001-F1-M3"


def test_the_indexed_set_gives_the_same_keys() -> None:
    keys = ["SC-001-M1", "SC-001-M4", "SC-001-F1-M2", "SC-001-F11-M7", "sc-024", "X9", "7"]
    indexed = KeySet(keys)
    for prefix in ("SC-001-M", "SC-001-F1-M", "SC-001-F11-M", "SC-", "X", "", "SC-001-F1"):
        assert next_free_key(prefix, indexed) == next_free_key(prefix, keys), prefix
    indexed.add("SC-001-M12")
    assert next_free_key("SC-001-M", indexed) == "SC-001-M13"
    wider = indexed.union(["SC-001-M20"])
    assert next_free_key("SC-001-M", wider) == "SC-001-M21"
    assert next_free_key("SC-001-M", indexed) == "SC-001-M13"  # a union is a new set
    assert "sc-001-m4" in indexed and "SC-001-M20" not in indexed and len(wider) == len(keys) + 2


def test_the_services_give_keys_by_the_same_rule(session: Session) -> None:
    project = make_project(session, key="SC-007")
    assert projects.next_key(session) == "SC-008"
    make_application(session, project, key="SC-007-F4")
    assert make_application(session, project).key == "SC-007-F5"
    values, problems = funding.PREPARE.prepare_create(
        session,
        {"project_id": project.id, "programme_id": programmes.get_by_key(session, "EFRE").id},
        taken_keys={"SC-007-F4", "SC-007-F5", "SC-007-F9"},  # F9: stated by another new row
    )
    assert values["key"] == "SC-007-F10"
    assert [p.code for p in problems] == ["required"]  # the status: checked all the same
    stone = {"project_id": project.id, "title": "Start", "due_date": dt.date(2027, 1, 1)}
    milestones.create(session, stone | {"key": "SC-007-M3"}, today=TODAY)
    assert milestones.create(session, stone, today=TODAY).key == "SC-007-M4"
