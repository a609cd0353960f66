"""The base rate (Basiszinssatz) is data the unit keeps current: recorded through the service
or `portfolio base-rate`, and the interest on refunds follows what is recorded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from portfolio.cli import main
from portfolio.errors import ValidationFailed
from portfolio.services import programmes, refunds
from tests.services.revocation_refunds_helpers import awarded, claim, eur, expected_interest, pay

D = dt.date


def test_a_new_base_rate_changes_the_interest_from_its_day(session: Session) -> None:
    app = awarded(session)
    pay(session, app, "20000", paid_on=D(2025, 6, 15))
    refund = claim(
        session,
        app,
        "10000",
        claimed_on=D(2025, 12, 1),
        interest_from=D(2025, 12, 1),
        repaid_on=D(2026, 1, 31),
    )
    before = refunds.interest_of(session, refund)
    assert before == expected_interest(eur("10000"), [(eur("1.27"), 61)])
    programmes.record_base_rate(session, {"valid_from": D(2026, 1, 1), "rate": Decimal("2.00")})
    # 01.12.–31.12.2025: 31 days at 1,27 %; 01.01.–30.01.2026: 30 days at 2,00 % (+ 5 each)
    assert refunds.interest_of(session, refund) == expected_interest(
        eur("10000"), [(eur("1.27"), 31), (eur("2.00"), 30)]
    )
    # A correction of the same day replaces the rate, never a second row for it.
    programmes.record_base_rate(session, {"valid_from": D(2026, 1, 1), "rate": Decimal("1.27")})
    assert refunds.interest_of(session, refund) == before
    assert [r.valid_from for r in programmes.get_base_rates(session)].count(D(2026, 1, 1)) == 1


@pytest.mark.parametrize("rate", ["20.01", "-20.01", "400"])
def test_an_implausible_base_rate_is_refused(session: Session, rate: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        programmes.record_base_rate(session, {"valid_from": D(2026, 7, 1), "rate": Decimal(rate)})
    assert exc.value.problems[0].code == "base_rate_range"
    assert exc.value.message("de").startswith("Satz: ")
    # the neighbour: a negative rate within the range, as from 2016 to 2022
    assert programmes.record_base_rate(
        session, {"valid_from": D(2026, 7, 1), "rate": Decimal("-0.88")}
    ).rate == Decimal("-0.88")


def test_the_cli_lists_and_records_base_rates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    assert main(["--db", db, "db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "base-rate"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[-1] == "01.07.2025  1,27 %" and len(listed) == 7
    assert main(["--db", db, "--user", "kaemmerei", "base-rate", "2026-07-01", "1,52"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "01.07.2026  1,52 %"
    assert main(["--db", db, "base-rate", "2026-07-01", "42"]) == 2
    err = capsys.readouterr().err
    assert "kein plausibler Basiszinssatz" in err and "Traceback" not in err
    assert main(["--db", db, "base-rate", "2026-07-01"]) == 2
