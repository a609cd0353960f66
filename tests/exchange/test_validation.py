"""One test per validation rule and message; accepted formats; every message points at its cell.

Expected messages are rendered by the same catalogues the services use (Problem.message,
portfolio.i18n.t), never written out here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from db.enums import ApplicationStatus, ParticipationRole, ProjectStatus
from portfolio.errors import Problem
from portfolio.exchange.parse import display
from portfolio.i18n import Eur, Pct, t
from portfolio.services import funding, milestones, organisations, programmes, projects
from portfolio.services.funding import TRANSITIONS
from portfolio.vocab import field_label, label, labels
from tests.exchange.helpers import append, edit, export, row_of, run, small_portfolio, snapshot
from tests.fixtures.base import TODAY

Expect = Callable[[Session], str]


def problem(field: str, code: str, **params: Any) -> Expect:
    return lambda _s: Problem(field, code, params).message()


def own(code: str, **params: Any) -> Expect:
    return lambda _s: t(code, "de", **params)


def rate_message(s: Session) -> str:
    mpsc = programmes.get_by_key(s, "MPSC")
    return Problem(
        "funding_rate",
        "rate_above_programme",
        {"rate": Pct(70), "programme": mpsc.name, "max_rate": Pct(mpsc.standard_rate)},
    ).message()


def transition_message(_s: Session) -> str:
    old, new = ApplicationStatus.SUBMITTED, ApplicationStatus.IDEA
    return Problem(
        "status",
        "status_transition",
        {
            "old": label(ApplicationStatus, old),
            "new": label(ApplicationStatus, new),
            "allowed": ", ".join(label(ApplicationStatus, s) for s in TRANSITIONS[old]),
        },
    ).message()


CASES: list[tuple[str, str, str, str, Any, Expect]] = [
    (
        "bad_number",
        "Projekte",
        "p1",
        "Gesamtkosten",
        "12,34,5",
        own("bad_number", field=field_label("total_cost"), value="12,34,5"),
    ),
    (
        "bad_date",
        "Projekte",
        "p1",
        "Beginn",
        "31.02.2026",
        own("bad_date", field=field_label("start_date"), value="31.02.2026"),
    ),
    (
        "date_with_time",
        "Projekte",
        "p1",
        "Beginn",
        dt.datetime(2026, 1, 1, 12, 30),
        own(
            "date_with_time",
            field=field_label("start_date"),
            value=display(dt.datetime(2026, 1, 1, 12, 30)),
        ),
    ),
    (
        "bad_bool",
        "Förderanträge",
        "app1",
        "Haushaltsnotlage",
        "vielleicht",
        own("bad_bool", field=field_label("budget_emergency"), value="vielleicht"),
    ),
    (
        "not_in_list",
        "Projekte",
        "p1",
        "Status",
        "fertig",
        problem(
            "status",
            "not_in_list",
            value="fertig",
            allowed=", ".join(labels(ProjectStatus).values()),
        ),
    ),
    (
        "unknown_reference",
        "Projekte",
        "p1",
        "Handlungsfeld",
        "9.9.9",
        problem("action_field_id", "unknown_reference", value="9.9.9"),
    ),
    ("required", "Projekte", "p1", "Titel", None, problem("title", "required")),
    (
        "too_long",
        "Projekte",
        "p1",
        "Titel",
        "x" * 201,
        problem("title", "too_long", max=200, length=201),
    ),
    (
        "control_chars",
        "Projekte",
        "p1",
        "Titel",
        "Sensorik_x0007_",
        problem("title", "control_chars"),
    ),
    (
        "bad_url",
        "Projekte",
        "p1",
        "Ratsbeschluss",
        "ftp://rat.bochum.de",
        problem("council_resolution_url", "bad_url", value="ftp://rat.bochum.de"),
    ),
    (
        "end_before_start",
        "Projekte",
        "p1",
        "Ende",
        "01.01.2024",
        problem("end_date", "end_before_start", start=dt.date(2025, 1, 1), end=dt.date(2024, 1, 1)),
    ),
    (
        "eligible_above_total",
        "Projekte",
        "p1",
        "Förderfähige Kosten",
        2_000_000,
        problem(
            "eligible_cost", "eligible_above_total", eligible=Eur(2_000_000), total=Eur(1_000_000)
        ),
    ),
    (
        "approved_above_requested",
        "Förderanträge",
        "app2",
        "Bewilligt",
        210_000,
        problem(
            "amount_approved",
            "approved_above_requested",
            approved=Eur(210_000),
            requested=Eur(200_000),
        ),
    ),
    ("rate_above_programme", "Förderanträge", "app1", "Förderquote", "70 %", rate_message),
    ("status_transition", "Förderanträge", "app1", "Status", "Idee", transition_message),
    (
        "payments_above_approved",
        "Mittelabrufe",
        "pay",
        "Betrag",
        200_000,
        problem("amount", "payments_above_approved", total=Eur(200_000), approved=Eur(180_000)),
    ),
    (
        "done_in_future",
        "Meilensteine",
        "ms",
        "Erledigt am",
        TODAY + dt.timedelta(days=3),
        problem("done_date", "date_in_future", value=TODAY + dt.timedelta(days=3)),
    ),
    (
        "bad_version",
        "Projekte",
        "p1",
        "Version",
        "zwei",
        own("bad_version", field=field_label("version"), value="zwei"),
    ),
]


@pytest.mark.parametrize(
    ("sheet", "key", "header", "value", "expected"),
    [pytest.param(*c[1:], id=c[0]) for c in CASES],
)
def test_invalid_cell_is_reported_at_its_cell(
    sqlite_factory: sessionmaker[Session],
    sheet: str,
    key: str,
    header: str,
    value: Any,
    expected: Expect,
) -> None:
    factory = sqlite_factory
    keys = small_portfolio(factory)
    data = edit(export(factory), sheet, keys[key], {header: value})
    before = snapshot(factory)
    result = run(factory, data)
    assert not result.ok and not result.applied
    with factory() as s:
        wanted = expected(s)
    hits = [e for e in result.errors if e.message == wanted]
    assert hits, [e.message for e in result.errors]
    assert (hits[0].sheet, hits[0].row, hits[0].column) == (
        sheet,
        row_of(data, sheet, keys[key]),
        header,
    )
    assert result.counts[_sheet_id(sheet)].invalid == 1
    assert snapshot(factory) == before


def _sheet_id(title: str) -> str:
    from portfolio.exchange.schema import find_sheet

    found = find_sheet(title)
    assert found is not None
    return found.id


def test_cleared_version_version_ahead_and_unknown_key(
    sqlite_factory: sessionmaker[Session],
) -> None:
    factory = sqlite_factory
    keys = small_portfolio(factory)
    data = export(factory)
    data = edit(data, "Projekte", keys["p1"], {"Titel": "Neu", "Version": None})
    data = edit(data, "Projekte", keys["p2"], {"Titel": "Neu 2", "Version": 99})
    data = append(data, "Meilensteine", {"Schlüssel": "SC-999-M1", "Version": 1, "Titel": "x"})
    result = run(factory, data)
    messages = {e.message for e in result.errors}
    assert t("key_exists", "de", key=keys["p1"]) in messages
    assert t("version_ahead", "de", value="99", current="1") in messages
    assert t("key_not_found", "de", key="SC-999-M1") in messages
    assert not result.applied


def test_a_key_twice_in_the_file(sqlite_factory: sessionmaker[Session]) -> None:
    keys = small_portfolio(sqlite_factory)
    data = export(sqlite_factory)
    data = append(data, "Projekte", {"Schlüssel": keys["p1"], "Version": 1, "Titel": "Doppelt"})
    result = run(sqlite_factory, data)
    first = row_of(data, "Projekte", keys["p1"])
    assert t("duplicate_row", "de", key=keys["p1"], other=str(first)) in {
        e.message for e in result.errors
    }


def test_archived_rows_cannot_be_changed(sqlite_factory: sessionmaker[Session]) -> None:
    keys = small_portfolio(sqlite_factory)
    data = edit(export(sqlite_factory), "Meilensteine", keys["ms"], {"Titel": "Geändert"})
    with sqlite_factory() as s:
        ms = milestones.get_by_key(s, keys["ms"])
        milestones.archive(s, ms.id, expected_version=ms.version)
        s.commit()
    result = run(sqlite_factory, data)
    assert t("archived_row", "de", key=keys["ms"]) in {e.message for e in result.errors}


def test_duplicates_against_the_database(sqlite_factory: sessionmaker[Session]) -> None:
    keys = small_portfolio(sqlite_factory)
    data = append(
        export(sqlite_factory),
        "Messwerte",
        {"Wirkungsindikator": keys["kpi"], "Gemessen am": "01.03.2026", "Wert": 3},
    )
    data = append(
        data,
        "Beteiligungen",
        {"Projekt": keys["p1"], "Organisation": "USB", "Rolle": "Partner"},
    )
    result = run(sqlite_factory, data)
    messages = {e.message for e in result.errors}
    assert (
        Problem("measured_on", "measurement_exists", {"date": dt.date(2026, 3, 1)}).message()
        in messages
    )
    with sqlite_factory() as s:
        usb = organisations.get_by_key(s, "USB")
        exists = Problem(
            "role",
            "participation_exists",
            {"organisation": usb.short_name, "role": label(ParticipationRole, "partner")},
        )
        assert exists.message() in messages


def test_new_row_needs_the_required_columns(sqlite_factory: sessionmaker[Session]) -> None:
    import io

    import openpyxl

    small_portfolio(sqlite_factory)
    data = export(sqlite_factory)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Meilensteine"]
    title_col = next(c.column for c in ws[1] if c.value == "Titel")
    ws.delete_cols(title_col)
    out = io.BytesIO()
    wb.save(out)
    data = append(out.getvalue(), "Meilensteine", {"Projekt": "SC-001", "Fällig am": "01.02.2027"})
    result = run(sqlite_factory, data)
    assert t("missing_column", "de", field=field_label("title")) in {
        e.message for e in result.errors
    }


ACCEPTED: list[tuple[str, str, str, Any, str, Any]] = [
    (
        "german_money_with_euro",
        "Projekte",
        "Gesamtkosten",
        "1.234.567,89 €",
        "total_cost",
        Decimal("1234567.89"),
    ),
    (
        "german_money_plain",
        "Projekte",
        "Gesamtkosten",
        "1234567,5",
        "total_cost",
        Decimal("1234567.50"),
    ),
    (
        "english_money",
        "Projekte",
        "Gesamtkosten",
        "1,234,567.89",
        "total_cost",
        Decimal("1234567.89"),
    ),
    ("number_cell", "Projekte", "Gesamtkosten", 1234567.89, "total_cost", Decimal("1234567.89")),
    ("german_date", "Projekte", "Ende", "31.12.2026", "end_date", dt.date(2026, 12, 31)),
    ("iso_date", "Projekte", "Ende", "2026-12-31", "end_date", dt.date(2026, 12, 31)),
    (
        "excel_date",
        "Projekte",
        "Ende",
        dt.datetime(2026, 12, 31),
        "end_date",
        dt.date(2026, 12, 31),
    ),
    ("status_by_code", "Projekte", "Status", "completed", "status", "completed"),
    (
        "status_by_english_label",
        "Projekte",
        "Status",
        "implemented/COMPLETED",
        "status",
        "completed",
    ),
    (
        "status_case_insensitive",
        "Projekte",
        "Status",
        "  NICHT weiter   verfolgt ",
        "status",
        "discontinued",
    ),
    ("reference_by_key_any_case", "Projekte", "Federführung", "bog", "lead_organisation_id", "BOG"),
    (
        "reference_by_short_name",
        "Projekte",
        "Federführung",
        "BOGESTRA",
        "lead_organisation_id",
        "BOG",
    ),
    (
        "tags_with_semicolons",
        "Projekte",
        "Smart City Charta",
        "L3; L1",
        "charter_guidelines",
        ["L1", "L3"],
    ),
    (
        "text_starting_with_equals",
        "Projekte",
        "Kurzbeschreibung",
        "=SUMME(A1:A9)",
        "summary",
        "=SUMME(A1:A9)",
    ),
]


@pytest.mark.parametrize(
    ("sheet", "header", "value", "field", "expected"),
    [pytest.param(*c[1:], id=c[0]) for c in ACCEPTED],
)
def test_accepted_formats(
    sqlite_factory: sessionmaker[Session],
    sheet: str,
    header: str,
    value: Any,
    field: str,
    expected: Any,
) -> None:
    keys = small_portfolio(sqlite_factory)
    data = edit(export(sqlite_factory), sheet, keys["p1"], {header: value})
    result = run(sqlite_factory, data)
    assert result.ok, [e.message for e in result.errors]
    with sqlite_factory() as s:
        project = projects.get_by_key(s, keys["p1"])
        if field == "lead_organisation_id":
            expected = organisations.get_by_key(s, expected).id
        assert getattr(project, field) == expected


def test_comment_and_blank_rows_are_ignored(sqlite_factory: sessionmaker[Session]) -> None:
    keys = small_portfolio(sqlite_factory)
    data = export(sqlite_factory)
    data = append(data, "Projekte", {"Schlüssel": "# Anmerkung des Partners: bitte anrufen"})
    data = append(data, "Projekte", {"Titel": "   "})
    result = run(sqlite_factory, data)
    assert result.ok and result.created == 0 and result.updated == 0
    assert keys


def test_english_headers_and_labels_are_read(sqlite_factory: sessionmaker[Session]) -> None:
    keys = small_portfolio(sqlite_factory)
    data = export(sqlite_factory, lang="en")
    data = edit(data, "Funding applications", keys["app1"], {"Requested": "290,000.00"})
    result = run(sqlite_factory, data)
    assert result.applied and result.updated == 1
    with sqlite_factory() as s:
        assert funding.get_by_key(s, keys["app1"]).amount_requested == Decimal("290000")
