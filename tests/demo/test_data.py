"""The demo's project files: all of them fit the schema, and a wrong one is refused with the file
and the field named, before anything is loaded."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from db.enums import ApplicationStatus, ProjectStatus
from portfolio.demo.data import PROJECT_FILES, DemoDataError, read_project, read_projects

SAMPLE = PROJECT_FILES / "SC-002.toml"


def test_every_project_file_fits_the_schema() -> None:
    demos = read_projects()
    assert [d.key for d in demos] == [p.stem for p in sorted(PROJECT_FILES.glob("*.toml"))]
    assert len(demos) >= 20
    first = read_project(SAMPLE)
    assert first.status is ProjectStatus.COMPLETED
    assert first.total_cost == Decimal("750000") and first.start == dt.date(2022, 1, 1)
    assert first.funding[0].status is ApplicationStatus.PROOF_SUBMITTED
    assert first.reports[1].when == -40  # days before the demo's day


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / SAMPLE.name
    text = SAMPLE.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "field", "says"),
    [
        ('status = "completed"', 'status = "done"', "status", "not one of idea, planning"),
        ('total_cost = "750000"', "total_cost = 750000.5", "total_cost", "string of digits"),
        ('total_cost = "750000"', 'total_cost = "7,5 Mio"', "total_cost", "not an amount"),
        ("start = 2022-01-01", 'start = "2022"', "start", "a date or a number of days"),
        ('in_kind = "20000"', 'in_kind = "20000"\ncolour = "red"', "parts[0].colour", "no such"),
        (
            'lights = ["green", "green", "green", "green"]',
            'lights = ["green", "green"]',
            "reports[0].lights",
            "4 values are expected",
        ),
        ('title = "Beteiligungsplattform', 'titel = "Beteiligungsplattform', "titel", "no such"),
    ],
)
def test_a_wrong_field_is_named_with_its_file(
    tmp_path: Path, old: str, new: str, field: str, says: str
) -> None:
    with pytest.raises(DemoDataError) as refused:
        read_project(_broken(tmp_path, old, new))
    assert (refused.value.file, refused.value.field) == ("SC-002.toml", field)
    assert says in refused.value.problem
    assert str(refused.value).startswith(f"SC-002.toml: {field}: ")


def test_a_missing_field_a_bad_key_and_a_file_that_is_no_toml(tmp_path: Path) -> None:
    without_goals = tmp_path / SAMPLE.name
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    without_goals.write_text(
        "\n".join(line for line in lines if not line.startswith("goals = ")), encoding="utf-8"
    )
    with pytest.raises(DemoDataError) as missing:
        read_project(without_goals)
    assert (missing.value.field, missing.value.problem) == ("goals", "missing")
    renamed = tmp_path / "SC-099.toml"
    shutil.copy(SAMPLE, renamed)
    with pytest.raises(DemoDataError) as misnamed:
        read_project(renamed)
    assert misnamed.value.field == "key"
    garbage = tmp_path / "SC-002.toml"
    garbage.write_text("title = \n", encoding="utf-8")
    with pytest.raises(DemoDataError) as not_toml:
        read_project(garbage)
    assert (not_toml.value.file, not_toml.value.field) == ("SC-002.toml", "")
