"""Rules across the rows of one file: each new row is checked against the database as it was,
so the totals of several new rows are checked again on the state after the writes — the city's
MPSC caps over two new measures, and the own share a second new application would replace."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import FundingApplication, FundingProgramme
from portfolio.demo.bochum import load_bochum
from portfolio.errors import ValidationFailed
from portfolio.policy import set_principal
from portfolio.services import funding
from tests.exchange.helpers import append, count, edit, export, run, small_portfolio, snapshot
from tests.fixtures.base import TESTER, TODAY

NEW_ABOVE_CAP = {
    "phase": "B",
    "status": "submitted",
    "amount_requested": Decimal(13_000_000),
    "eligible_cost": Decimal(20_000_000),
    "funding_rate": Decimal(65),
    "submitted_on": dt.date(2026, 3, 1),
}


def _two_measures(factory: sessionmaker[Session], each: int) -> bytes:
    keys = small_portfolio(factory)
    data = export(factory)
    for key in (keys["p1"], keys["p2"]):
        data = edit(
            data, "Projekte", key, {"Gesamtkosten": 30_000_000, "Förderfähige Kosten": 30_000_000}
        )
        data = append(
            data,
            "Förderanträge",
            {
                "Projekt": key,
                "Förderprogramm": "MPSC",
                "Phase": "B",
                "Status": "Antrag eingereicht",
                "Beantragt": each,
                "Förderfähige Kosten": 13_000_000,
                "Förderquote": "65 %",
                "Eingereicht am": "01.03.2025",
            },
        )
    return data


@pytest.mark.parametrize(("each", "ok"), [(7_000_000, True), (8_000_000, False)])
def test_the_city_cap_binds_the_new_measures_of_one_file_together(
    factory: sessionmaker[Session], each: int, ok: bool
) -> None:
    """Phase B: at most 15 M € over all the city's measures. The file's two new measures pass one
    by one (each with the stored 300.000 €); together with 16.3 M € they do not."""
    data = _two_measures(factory, each)
    before = snapshot(factory)
    result = run(factory, data)
    if ok:
        assert result.applied, [e.message for e in result.errors]
        assert count(factory, FundingApplication) == 4
        return
    assert not result.applied
    assert snapshot(factory) == before  # nothing written
    (error,) = [e for e in result.errors if "Obergrenze" in e.message]
    assert error.sheet == "Förderanträge" and error.column == "Beantragt"
    assert "16.300.000,00" in error.message and "15.000.000,00" in error.message
    assert "je Stadt" in error.message


@pytest.mark.parametrize(("eligible", "ok"), [(Decimal(800_000), True), (Decimal(700_000), False)])
def test_a_new_federal_application_may_not_replace_a_new_mpsc_own_share(
    factory: sessionmaker[Session], eligible: Decimal, ok: bool
) -> None:
    """MPSC 390.000 € on a cost of 600.000 € and mFUND 200.000 € in the same file: the project's
    eligible cost must hold both costs apart (800.000 €), else the federal money pays the own
    share (700.000 € leave 100.000 € beside the MPSC cost)."""
    keys = small_portfolio(factory)
    data = export(factory)
    p2 = keys["p2"]
    data = edit(data, "Projekte", p2, {"Förderfähige Kosten": int(eligible)})
    for programme, phase, amount, cost, rate in (
        ("MPSC", "B", 390_000, 600_000, "65 %"),
        ("MFUND", "FL1", 200_000, 200_000, "100 %"),
    ):
        data = append(
            data,
            "Förderanträge",
            {
                "Projekt": p2,
                "Förderprogramm": programme,
                "Phase": phase,
                "Status": "Antrag eingereicht",
                "Beantragt": amount,
                "Förderfähige Kosten": cost,
                "Förderquote": rate,
                "Eingereicht am": "01.03.2025",
            },
        )
    result = run(factory, data)
    if ok:
        assert result.applied, [e.message for e in result.errors]
        return
    assert not result.applied
    messages = [e.message for e in result.errors]
    assert any("Eigenanteil" in m and "Bund" in m for m in messages), messages


# Long on purpose: every cross-row rule once through the import and once through the services.
def test_the_import_agrees_with_the_services_on_the_bochum_demo(
    factory: sessionmaker[Session],
) -> None:
    """The demo as exported imports as it is (the import finds nothing the services let in), and
    a change the services refuse is refused by the import with the services' very message."""
    with factory() as session, session.begin():
        set_principal(session, TESTER)
        load_bochum(session, today=TODAY)
    data = export(factory)
    result = run(factory, data, dry_run=True)
    assert result.errors == [] and result.created == result.updated == 0

    with factory() as session:
        app = (
            session.execute(
                select(FundingApplication)
                .join(FundingProgramme, FundingProgramme.id == FundingApplication.programme_id)
                .where(
                    FundingProgramme.key == "MPSC",
                    FundingApplication.phase == "B",
                    FundingApplication.status == "in_progress",
                )
                .order_by(FundingApplication.key)
            )
            .scalars()
            .first()
        )
        assert app is not None
        key, version = app.key, app.version
        project_key = app.project.key
        # more than the city's phase-B cap of 15 M € leaves room for, within the rate
        with pytest.raises(ValidationFailed) as refused:
            funding.update(
                session,
                app.id,
                {
                    "eligible_cost": Decimal(20_000_000),
                    "amount_requested": Decimal(13_000_000),
                    "amount_approved": Decimal(13_000_000),
                },
                expected_version=version,
            )
        session.rollback()
        # the demo's grants carry notices: their approved amount changes only by a notice;
        # a new application above the cap is refused for the cap
        with pytest.raises(ValidationFailed) as refused_new:
            funding.create(
                session,
                {
                    "project_id": app.project_id,
                    "programme_id": app.programme_id,
                    **NEW_ABOVE_CAP,
                },
            )
        session.rollback()
    expected = {p.message("de") for p in refused.value.problems}
    assert any("Bescheid" in m for m in expected), expected
    changed = edit(
        data,
        "Förderanträge",
        key,
        {"Förderfähige Kosten": 20_000_000, "Beantragt": 13_000_000, "Bewilligt": 13_000_000},
    )
    result = run(factory, changed)
    assert not result.applied
    assert {e.message for e in result.errors} == expected
    expected = {p.message("de") for p in refused_new.value.problems}
    assert any("Obergrenze" in m for m in expected), expected
    added = append(
        data,
        "Förderanträge",
        {
            "Projekt": project_key,
            "Förderprogramm": "MPSC",
            "Phase": "B",
            "Status": "Antrag eingereicht",
            "Beantragt": 13_000_000,
            "Förderfähige Kosten": 20_000_000,
            "Förderquote": "65 %",
            "Eingereicht am": "01.03.2026",
        },
    )
    result = run(factory, added)
    assert not result.applied
    assert {e.message for e in result.errors} == expected
