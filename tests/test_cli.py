"""The `portfolio` command: db upgrade, demo, summary; exit codes and no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from portfolio.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_db_upgrade_is_idempotent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    code, out, _ = run(capsys, "--db", db, "db", "upgrade")
    assert code == 0 and "Stammdatensätze ergänzt" in out
    added_first = int(out.split(";")[1].split()[0])
    assert added_first > 30
    code, out, _ = run(capsys, "--db", db, "db", "upgrade")
    assert code == 0 and "; 0 Stammdatensätze" in out
    assert run(capsys, "--db", db, "db", "current")[0] == 0


def test_synthetic_demo_and_json_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    code, out, _ = run(capsys, "--db", db, "demo", "--synthetic", "25", "--seed", "4")
    assert code == 0 and "25 Projekte geladen" in out
    code, out, _ = run(capsys, "--db", db, "summary", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["projects"] == 25
    assert len(data["themes"]) == 5
    assert sum(data["by_status"].values()) == 25
    assert {p["key"] for p in data["programmes"]} >= {
        "MPSC",
        "EFRE",
        "GIGA-BUND",
        "GIGA-NRW",
        "MFUND",
        "HAUSHALT",
    }
    mpsc = next(p for p in data["programmes"] if p["key"] == "MPSC")
    assert mpsc["standard_rate"] == "65.00"
    # --if-empty leaves a filled database alone
    code, out, _ = run(capsys, "--db", db, "demo", "--if-empty")
    assert code == 0 and "schon 25 Projekte" in out


def test_text_summary_in_german_and_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    run(capsys, "--db", db, "demo", "--synthetic", "5")
    code, out, _ = run(capsys, "--db", db, "summary")
    assert code == 0 and "Gesamtkosten:" in out and "€" in out and "Überfällige Meilensteine" in out
    code, out, _ = run(capsys, "--db", db, "--lang", "en", "summary")
    assert code == 0 and "Total cost:" in out


def test_summary_on_unmigrated_database_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--db", f"sqlite:///{tmp_path / 'new.db'}", "summary")
    assert code == 2
    assert "portfolio db upgrade" in err and "Traceback" not in err


def test_internal_error_shows_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "summary")
    assert code == 3
    assert "Interner Fehler" in err and "Traceback" not in err


def test_console_script_is_installed(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "portfolio"
    result = subprocess.run(
        [str(exe), "--db", f"sqlite:///{tmp_path / 'p.db'}", "db", "upgrade"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_bochum_demo_twice_is_refused_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    code, out, _ = run(capsys, "--db", db, "demo")
    assert code == 0 and "Projekte geladen" in out
    code, _, err = run(capsys, "--db", db, "demo")
    assert code == 1 and "leere Datenbank" in err
    code, out, _ = run(capsys, "--db", db, "summary", "--json")
    data = json.loads(out)
    assert data["projects"] >= 20 and data["organisations"] >= 12 and len(data["themes"]) == 5
    mpsc = next(p for p in data["programmes"] if p["key"] == "MPSC")
    assert mpsc["name"] == "Modellprojekte Smart Cities" and mpsc["standard_rate"] == "65.00"
