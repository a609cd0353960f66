"""The one clock: the pinned day, Bochum's local day whatever the host's zone, no other clock."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine

from portfolio import clock

ROOT = Path(__file__).resolve().parent.parent
WALL_CLOCK = re.compile(
    r"\b(?:date|datetime)\.today\(|\bdatetime\.(?:now|utcnow)\(|\btime\.(?:localtime|gmtime|ctime)\("
    r"|\bdt\.datetime\.now\(|\bdt\.date\.today\(|\.astimezone\(\)"
)


def test_the_pinned_day_is_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.ENV_TODAY, "2030-02-28")
    assert clock.today() == dt.date(2030, 2, 28)
    assert clock.now().date() == dt.date(2030, 2, 28)
    assert clock.now().tzinfo is clock.LOCAL_TZ
    assert clock.utcnow().utcoffset() == dt.timedelta(0)


def test_now_keeps_the_time_of_day_on_the_pinned_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.ENV_TODAY, "2026-11-26")
    with time_machine.travel(dt.datetime(2031, 7, 1, 8, 15, tzinfo=dt.UTC), tick=False):
        # 08:15 UTC is 10:15 in Bochum in summer; the pinned day stays the day
        assert clock.now() == dt.datetime(2026, 11, 26, 10, 15, tzinfo=clock.LOCAL_TZ)
        assert clock.today() == dt.date(2026, 11, 26)


def test_without_a_pin_the_day_is_bochums(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.ENV_TODAY)
    # 23:30 UTC on New Year's Eve is already 1 January in Bochum, whatever TZ the host has
    monkeypatch.setenv("TZ", "America/New_York")
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), tick=False):
        assert clock.today() == dt.date(2027, 1, 1)
        assert clock.utcnow() == dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
        assert clock.to_local(dt.datetime(2026, 12, 31, 23, 30)).date() == dt.date(2027, 1, 1)


def test_a_mistyped_pin_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.ENV_TODAY, "26.11.2026")
    with pytest.raises(clock.ClockConfigError) as exc:
        clock.today()
    assert "JJJJ-MM-TT" in exc.value.message("de")
    assert "YYYY-MM-DD" in exc.value.message("en")


def test_the_cli_refuses_a_mistyped_pin_with_exit_2(tmp_path: Path) -> None:
    env = {"PORTFOLIO_TODAY": "morgen", "PATH": "/usr/bin:/bin"}
    exe = Path(sys.executable).parent / "portfolio"
    done = subprocess.run(
        [str(exe), "--db", f"sqlite:///{tmp_path}/x.db", "summary"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "PORTFOLIO_TODAY='morgen'" in done.stderr
    assert "Traceback" not in done.stderr


def test_stamps_written_by_the_data_layer_come_from_the_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from db.models.base import utcnow

    monkeypatch.setenv(clock.ENV_TODAY, "2028-03-03")
    assert clock.to_local(utcnow()).date() == dt.date(2028, 3, 3)


def test_no_code_reads_the_wall_clock_behind_the_clock_module() -> None:
    offenders = []
    for folder in ("db", "portfolio", "reports", "bench", "migrations", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "portfolio" / "clock.py" or path == Path(__file__):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if WALL_CLOCK.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}")
    for path in (ROOT / "streamlit_app.py",):
        if WALL_CLOCK.search(path.read_text(encoding="utf-8")):
            offenders.append(path.name)
    assert offenders == []
