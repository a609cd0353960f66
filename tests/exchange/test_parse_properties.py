"""Property tests: the number and date parsers, and text that must survive the round trip."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from decimal import Decimal

import pytest
import xlsxwriter
from babel.numbers import format_decimal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from portfolio.exchange.export import Formats as _Formats
from portfolio.exchange.parse import CellError, parse_date, parse_number, parse_rate, parse_text
from portfolio.exchange.reader import read_workbook
from portfolio.exchange.schema import PROJECTS
from portfolio.services import projects
from portfolio.services.fields import CONTROL_CHARS, LINE_BREAKS
from tests.exchange.helpers import export, run, small_portfolio

amounts = st.decimals(
    min_value=Decimal("-99999999999.99"),
    max_value=Decimal("99999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@given(amounts)
def test_german_numbers_with_and_without_euro(value: Decimal) -> None:
    german = format_decimal(value, format="#,##0.00", locale="de_DE")
    assert parse_number(german) == value
    assert parse_number(f"{german} €") == value
    assert parse_number(german.replace(".", "")) == value  # without thousands separators


@given(amounts)
def test_english_numbers_and_number_cells(value: Decimal) -> None:
    english = format_decimal(value, format="#,##0.00", locale="en_GB")
    assert parse_number(english) == value
    assert parse_number(float(value)).quantize(Decimal("0.01")) == value  # type: ignore[union-attr]
    assert parse_number(str(value)) == value


@given(st.decimals(min_value=0, max_value=100, places=2))
def test_rates_as_excel_fractions_and_as_text(value: Decimal) -> None:
    assert parse_rate(f"{format_decimal(value, format='0.##', locale='de_DE')} %") == value
    if value > 1:
        assert parse_rate(float(value)) == value  # a plain number of percent points
    assert Decimal(str(parse_rate(float(value) / 100))).quantize(Decimal("0.01")) == value


@given(st.text(alphabet="0123456789.,€ -abc%", max_size=12))
def test_number_parser_never_guesses(text: str) -> None:
    try:
        parse_number(text)
    except CellError as exc:
        assert exc.code == "bad_number"


@given(st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_dates_in_every_accepted_form(day: dt.date) -> None:
    assert parse_date(day) == day
    assert parse_date(dt.datetime.combine(day, dt.time())) == day
    assert parse_date(day.strftime("%d.%m.%Y")) == day
    assert parse_date(f"{day.day}.{day.month}.{day.year:04d}") == day
    assert parse_date(day.isoformat()) == day
    serial = (day - dt.date(1899, 12, 30)).days
    assert parse_date(float(serial)) == day


@given(st.text(max_size=12))
def test_date_parser_rejects_or_returns_a_date(text: str) -> None:
    try:
        value = parse_date(text)
    except CellError as exc:
        assert exc.code in ("bad_date", "date_with_time")
    else:
        assert value is None or isinstance(value, dt.date)


safe_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
    min_size=1,
    max_size=60,
).filter(
    # what the services can store in a one-line field: NFC, trimmed, without control characters
    # or line breaks
    lambda s: (
        not CONTROL_CHARS.search(s)
        and not LINE_BREAKS.search(s)
        and s.strip() == s
        and s.strip()
        and unicodedata.normalize("NFC", s) == s
    )
)
dangerous = st.sampled_from(
    ["=", "+", "-", "@", "'", "\t", "=cmd|' /C calc'!A0", "_x0041_"]
).flatmap(lambda prefix: safe_text.map(lambda rest: (prefix + rest).strip() or prefix))


@settings(max_examples=150, deadline=None)
@given(st.one_of(safe_text, dangerous))
def test_text_is_written_as_text_and_read_back_unchanged(text: str) -> None:
    """Through the export's own cell format and the import's reader: no formula, no change."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    ws = wb.add_worksheet(PROJECTS.title_de)
    ws.write_string(0, 0, "Schlüssel")
    ws.write_string(1, 0, text, _Formats(wb).of(PROJECTS.columns[2], False))
    wb.close()
    book = read_workbook(out.getvalue())
    assert parse_text(book.sheets[0].rows[1][0]) == text


@pytest.mark.parametrize(
    "text",
    [
        "=SUMME(A1:A3)",
        "+49 234 910-0",
        "-Entwurf-",
        "@Stadtwerke",
        "'zitiert'",
        "01067",
        "31.12.2026",
        "FALSE",
    ],
)
def test_dangerous_text_survives_export_and_import(
    sqlite_factory: sessionmaker[Session], text: str
) -> None:
    keys = small_portfolio(sqlite_factory)
    with sqlite_factory() as s:
        p = projects.get_by_key(s, keys["p1"])
        projects.update(s, p.id, {"spatial_note": text}, expected_version=p.version)
        s.commit()
    data = export(sqlite_factory)
    assert b"<f>" not in data  # no formula anywhere in the workbook
    result = run(sqlite_factory, data, dry_run=True)
    assert result.ok and result.updated == 0


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.one_of(
        safe_text.filter(lambda s: len(s) <= 200), dangerous.filter(lambda s: len(s) <= 200)
    )
)
def test_any_title_round_trips_through_the_database(
    sqlite_factory: sessionmaker[Session], text: str
) -> None:
    with sqlite_factory() as s:
        if not s.execute(projects.select(projects.Project.id)).first():
            s.close()
            small_portfolio(sqlite_factory)
    with sqlite_factory() as s:
        p = projects.get_all(s)[0]
        projects.update(s, p.id, {"title": text}, expected_version=p.version)
        s.commit()
        stored = p.title
    result = run(sqlite_factory, export(sqlite_factory), dry_run=True)
    assert result.ok and result.updated == 0, (stored, [d.to_json() for d in result.diffs])
