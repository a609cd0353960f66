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


# ---- accounts and the operator ------------------------------------------------------------------


@pytest.fixture
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher, profiles

    from portfolio import passwords

    monkeypatch.setattr(passwords, "HASHER", PasswordHasher.from_parameters(profiles.CHEAPEST))


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str], cheap_hashes: None) -> str:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    assert run(capsys, "--db", url, "db", "upgrade")[0] == 0
    return url


def initial_password(out: str) -> str:
    lines = out.splitlines()
    return next(lines[i + 1].strip() for i, line in enumerate(lines) if "Erstes Passwort" in line)


def test_the_bootstrap_operator_creates_the_first_administrator(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import select

    from db.engine import make_engine, make_session_factory
    from db.models import AuditEvent
    from portfolio.services import accounts

    code, out, err = run(
        capsys, "--db", db, "--user", "root", "user", "add", "boss", "--role", "admin"
    )
    assert code == 0, err
    assert "Konto „boss“ angelegt (Administration)" in out
    password = initial_password(out)
    assert len(password) >= 12
    engine = make_engine(db)
    factory = make_session_factory(engine)
    who = accounts.sign_in(factory, lambda s: accounts.authenticate(s, "boss", password, ip=None))
    assert who.name == "boss"
    with factory() as session:
        created = session.execute(
            select(AuditEvent).where(AuditEvent.kind == "account_created")
        ).scalar_one()
        assert (created.actor, created.subject) == ("root", "boss")
        assert password not in str(created.detail)
    engine.dispose()
    # from now on the operator must be an enabled account
    code, _, err = run(capsys, "--db", db, "--user", "root", "summary")
    assert code == 2 and "„root“ ist kein Konto" in err and "--user" in err
    code, _, err = run(capsys, "--db", db, "--lang", "en", "--user", "root", "summary")
    assert code == 2 and "“root” is no account" in err
    assert run(capsys, "--db", db, "--user", "boss", "summary")[0] == 0


def test_the_operator_defaults_to_portfolio_user(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, "--db", db, "--user", "root", "user", "add", "ops", "--role", "staff")
    monkeypatch.setenv("PORTFOLIO_USER", "ops")
    assert run(capsys, "--db", db, "summary")[0] == 0
    monkeypatch.setenv("PORTFOLIO_USER", "someone")
    assert run(capsys, "--db", db, "summary")[0] == 2


def test_the_journal_writes_the_operator(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    from sqlalchemy import select

    from db.engine import make_engine, make_session_factory
    from db.models import JournalEntry

    run(capsys, "--db", db, "--user", "root", "user", "add", "ops", "--role", "staff")
    code, _, err = run(capsys, "--db", db, "--user", "OPS", "base-rate", "2026-07-01", "1,27")
    assert code == 0, err
    engine = make_engine(db)
    with make_session_factory(engine)() as session:
        entry = (
            session.execute(
                select(JournalEntry)
                .where(JournalEntry.entity == "base_rate")
                .order_by(JournalEntry.id.desc())
            )
            .scalars()
            .first()
        )
        assert entry is not None
        assert (entry.actor, entry.source, entry.source_ref) == ("ops", "cli", "base-rate")
    engine.dispose()


def test_user_list_disable_enable_set_role_reset(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def cli(*argv: str) -> tuple[int, str, str]:
        return run(capsys, "--db", db, "--user", "boss", *argv)

    assert (
        run(capsys, "--db", db, "--user", "boss", "user", "add", "boss", "--role", "admin")[0] == 0
    )
    code, out, err = cli(
        "user",
        "add",
        "p.stw",
        "--role",
        "partner",
        "--organisation",
        "STW",
        "--display-name",
        "Stadtwerke Sachbearbeitung",
        "--email",
        "P.Stw@Stadtwerke.de",
    )
    assert code == 0 and "(Partner, STW)" in out, err
    code, out, err = cli("user", "add", "cdo", "--role", "leadership", "--oidc-only")
    assert code == 1 and "E-Mail-Adresse" in err  # OpenID-only needs the address
    code, out, _ = cli(
        "user", "add", "cdo", "--role", "leadership", "--oidc-only", "--email", "cdo@bochum.de"
    )
    assert code == 0 and "Ohne Passwort" in out and "Erstes Passwort" not in out
    code, _, err = cli("user", "add", "p2", "--role", "partner")
    assert code == 1 and "Partnerorganisation" in err

    code, out, _ = cli("user", "list")
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert set(lines) == {"boss", "cdo", "p.stw"}
    assert "Leitung (CDO)" in lines["cdo"] and "nur OpenID" in lines["cdo"]
    assert "STW" in lines["p.stw"] and "Passwort zu ändern" in lines["p.stw"]

    assert cli("user", "disable", "p.stw")[0] == 0
    code, _, err = run(capsys, "--db", db, "--user", "p.stw", "summary")
    assert code == 2 and "gesperrt" in err
    assert cli("user", "enable", "p.stw")[0] == 0
    code, out, _ = cli("user", "set-role", "cdo", "viewer")
    assert code == 0 and "Leitung (CDO) → Lesezugriff" in out
    code, _, err = cli("user", "disable", "boss")
    assert code == 1 and "eigene Konto" in err
    code, _, err = cli("user", "disable", "nobody")
    assert code == 1 and "nobody" in err
    code, out, _ = cli("user", "reset-password", "cdo")
    assert code == 0 and len(initial_password(out)) >= 12

    code, out, _ = run(capsys, "--db", db, "--user", "boss", "user", "list", "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["cdo"]["role"] == "viewer" and rows["cdo"]["password"]
    assert rows["cdo"]["must_change_password"]
    assert rows["p.stw"]["email"] == "p.stw@stadtwerke.de"
    assert rows["p.stw"]["organisation"] == "STW" and not rows["p.stw"]["disabled"]
    assert "password_hash" not in out and "argon2" not in out
