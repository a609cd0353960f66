"""Hostile and out-of-range values are refused at the field, on both databases, and nothing is
written: amounts beyond the column, non-finite and signalling decimals, huge integers, lone
surrogates, control characters, invisible-only text, URLs that are not web addresses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Project
from portfolio.errors import ValidationFailed
from portfolio.services import organisations, projects
from portfolio.services.fields import MONEY_MAX, FieldSpec, coerce
from tests.factories import make_project


def refused(session: Session, **overrides: Any) -> dict[str, str]:
    before = session.execute(select(func.count()).select_from(Project)).scalar_one()
    with pytest.raises(ValidationFailed) as exc:
        make_project(session, **overrides)
    after = session.execute(select(func.count()).select_from(Project)).scalar_one()
    assert after == before
    for problem in exc.value.problems:  # every message renders in both languages
        assert problem.message("de") and problem.message("en")
    return {p.field: p.code for p in exc.value.problems}


def test_the_largest_amount_the_column_holds_is_stored_exactly(session: Session) -> None:
    project = make_project(session, total_cost=MONEY_MAX, eligible_cost=MONEY_MAX)
    session.flush()
    session.expire(project)
    assert project.total_cost == Decimal("999999999999.99")


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("1000000000000"),
        Decimal("999999999999.995"),  # rounds up past the column
        Decimal(10) ** 17 + Decimal("568.37"),
        Decimal("1e999999"),
        "1e999999",
        Decimal(10) ** 30,
    ],
)
def test_amounts_beyond_the_column_are_refused_with_the_limit(
    session: Session, amount: Any
) -> None:
    assert refused(session, total_cost=amount) == {"total_cost": "money_range"}


def test_the_range_message_names_the_limit_in_german_format(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_project(session, total_cost=Decimal("1e12"))
    assert "höchstens 999.999.999.999,99\xa0€" in exc.value.message("de")
    assert "at most €999,999,999,999.99" in exc.value.message("en")


@pytest.mark.parametrize(
    "value", [Decimal("sNaN"), Decimal("NaN"), Decimal("Infinity"), "-inf", "nan", "zwölf", True]
)
def test_non_finite_and_non_numbers_are_refused(session: Session, value: Any) -> None:
    assert refused(session, total_cost=value) == {"total_cost": "not_a_number"}


def test_a_huge_integer_reference_is_refused(session: Session) -> None:
    assert refused(session, lead_organisation_id=10**30) == {"lead_organisation_id": "number_range"}


@pytest.mark.parametrize("title", ["Sensor\ud800netz", "\udfff", "Netz\uffff"])
def test_lone_surrogates_and_non_characters_are_refused(session: Session, title: str) -> None:
    assert refused(session, title=title) == {"title": "bad_chars"}


@pytest.mark.parametrize(
    "title", ["\u200b\u200b\u200b", "\ufeff", " \u200d\u2060 ", "\u200e\u00a0"]
)
def test_invisible_only_text_is_refused(session: Session, title: str) -> None:
    assert refused(session, title=title) == {"title": "invisible_only"}


@pytest.mark.parametrize("title", ["Netz\x00", "Netz\x1b[31m", "Ne\x85tz", "Zwei\nZeilen"])
def test_control_characters_and_line_breaks_in_a_single_line_field(
    session: Session, title: str
) -> None:
    assert refused(session, title=title) == {"title": "control_chars"}


def test_line_breaks_are_fine_in_multi_line_fields(session: Session) -> None:
    project = make_project(session, summary="Erste Zeile\nZweite Zeile\tmit Tab")
    assert project.summary == "Erste Zeile\nZweite Zeile\tmit Tab"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "https://ok.example/a) ![x](http://127.0.0.4/z.png",
        "https://ok.example/<img>",
        "https:///no-host",
        "ftp://files.example/x",
        "//evil.example/x",
    ],
)
def test_only_web_addresses_are_stored_in_url_fields(session: Session, url: str) -> None:
    assert refused(session, repository_url=url) == {"repository_url": "bad_url"}


def test_web_addresses_with_parentheses_and_upper_case_schemes_are_fine(session: Session) -> None:
    project = make_project(
        session, repository_url="HTTPS://de.wikipedia.org/wiki/Bochum_(Stadt)?a=1#x"
    )
    assert project.repository_url == "HTTPS://de.wikipedia.org/wiki/Bochum_(Stadt)?a=1#x"


def test_an_update_with_a_range_error_leaves_the_row_as_it_was(session: Session) -> None:
    project = make_project(session)
    with pytest.raises(ValidationFailed):
        projects.update(
            session,
            project.id,
            {"total_cost": Decimal("1e13"), "title": "Neu"},
            expected_version=project.version,
        )
    session.expire(project)
    assert project.title == "Testprojekt Sensorik"
    assert project.total_cost == Decimal("1000000.00")


def test_organisation_names_refuse_invisible_text(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        organisations.create(session, {"key": "NEU", "name": "\u200b", "kind": "company"})
    assert {p.field: p.code for p in exc.value.problems}["name"] == "invisible_only"


def test_measures_and_integers_have_their_column_range() -> None:
    problems: list[Any] = []
    assert coerce("value", FieldSpec("measure"), Decimal("1e14"), problems) is None
    assert coerce("months", FieldSpec("int"), "99999999999", problems) is None
    assert [p.code for p in problems] == ["number_range", "number_range"]


@pytest.mark.parametrize(
    ("field", "day", "accepted"),
    [
        ("start_date", dt.date(1900, 1, 1), False),
        ("start_date", dt.date(1989, 12, 31), False),
        ("start_date", dt.date(1990, 1, 1), True),
        ("end_date", dt.date(2041, 11, 26), True),  # 15 years after the pinned day
        ("end_date", dt.date(2041, 11, 27), False),
        ("end_date", dt.date(2200, 1, 1), False),
    ],
)
def test_dates_are_plausible(session: Session, field: str, day: dt.date, accepted: bool) -> None:
    overrides: dict[str, Any] = {field: day}
    if field == "start_date":
        overrides["end_date"] = None
    else:
        overrides["start_date"] = dt.date(2025, 1, 1)
    if accepted:
        assert getattr(make_project(session, **overrides), field) == day
    else:
        assert refused(session, **overrides) == {field: "date_range"}


def test_the_date_message_says_which_span(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_project(session, start_date=dt.date(1900, 1, 1), end_date=None)
    assert "01.01.1900 liegt nicht zwischen 01.01.1990 und 26.11.2041" in exc.value.message()
