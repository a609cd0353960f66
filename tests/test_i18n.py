"""German formats first, English on request; labels parse back from either language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
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


@pytest.mark.parametrize(
    ("count", "de", "en"),
    [
        (1, "1 Projekt", "1 project"),
        ("1", "1 Projekt", "1 project"),
        (0, "0 Projekte", "0 projects"),
        (2, "2 Projekte", "2 projects"),
        ("1.001", "1.001 Projekte", "1.001 projects"),
    ],
)
def test_plural_forms_follow_the_languages_rules(count: object, de: str, en: str) -> None:
    from portfolio.i18n import pluralise

    for lang, template, expected in (
        ("de", "{count} {count|Projekt|Projekte}", de),
        ("en", "{count} {count|project|projects}", en),
    ):
        assert pluralise(template, lang, {"count": count}).format(count=count) == expected


def test_every_catalogue_resolves_its_plural_choices() -> None:
    """No text reaches a reader with a raw choice ("{count|Projekt|Projekte}") or a plural that
    disagrees with its count ("1 Konflikte")."""
    from portfolio.i18n import t
    from reports.texts import tx

    assert t("verify_findings", "de", count=1) == "1 Befund"
    assert t("verify_findings", "en", count=3) == "3 findings"
    assert tx("sum_missed_text", "de", count="1", day="01.12.2026") == (
        "1 Meilenstein ist am 01.12.2026 überfällig."
    )
    assert t("outdated_rows", "en", count="1").startswith("1 row comes")


def test_the_two_catalogues_say_the_same_things() -> None:
    """One catalogue per language, with the same keys and the same parameters in each."""
    import re

    from portfolio import i18n_de, i18n_en

    assert set(i18n_de.MESSAGES) == set(i18n_en.MESSAGES)
    placeholder = re.compile(r"\{(\w+)(?:\|[^{}]*)?\}")
    differ = [
        key
        for key, german in i18n_de.MESSAGES.items()
        if set(placeholder.findall(german)) != set(placeholder.findall(i18n_en.MESSAGES[key]))
    ]
    assert differ == []
