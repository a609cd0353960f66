"""German formats first, English on request; labels parse back from either language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from db.enums import ApplicationStatus, ProjectStatus
from portfolio.i18n import fmt_date, fmt_eur, fmt_eur_short, fmt_percent, t
from portfolio.vocab import label, labels, parse_code


def test_german_and_english_formats() -> None:
    assert fmt_eur(Decimal("1234567.891")) == "1.234.567,89\xa0€"
    assert fmt_eur(Decimal("1234567.891"), "en") == "€1,234,567.89"
    assert fmt_date(dt.date(2026, 12, 31)) == "31.12.2026"
    assert fmt_percent(Decimal("65")) == "65\xa0%"
    assert fmt_eur_short(Decimal("32165000")) == "32,2\xa0Mio.\xa0€"
    assert fmt_eur_short(Decimal("552500")) == "552.500\xa0€"
    # our contract for English: the currency sign first, one decimal, the unit "million"
    # (Babel writes it "M" up to 2.18 and "m" from 2.19; the spelling of the letter is Babel's)
    short_en = fmt_eur_short(Decimal("32165000"), "en")
    assert short_en.startswith("€32.2") and short_en[len("€32.2") :].upper() == "M"
    assert t("required", "en", field="Title") == "Title: required. Please enter a value."


def test_every_enum_label_parses_back() -> None:
    for enum in (ProjectStatus, ApplicationStatus):
        for code in enum:
            for lang in ("de", "en"):
                assert parse_code(enum, label(enum, code, lang).upper()) == code
            assert parse_code(enum, f"  {code} ") == code
    assert parse_code(ProjectStatus, "fertig") is None
    assert labels(ProjectStatus)["implementation"] == "in Umsetzung"


@given(
    st.decimals(
        min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False
    )
)
def test_euro_format_round_trips(value: Decimal) -> None:
    text = fmt_eur(value).replace("\xa0€", "").replace(".", "").replace(",", ".").replace("-", "-")
    assert Decimal(text) == value
