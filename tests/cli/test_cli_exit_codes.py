"""Exit codes as the README promises them (0 done, 1 rejected, 2 unreadable file or usage error,
3 internal error), for the core and report commands, through the installed `portfolio` program.
The exchange commands have their own table in tests/exchange/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXE = Path(sys.executable).parent / "portfolio"

# (case, arguments after --db, expected code, a word the message must contain)
CASES: list[tuple[str, list[str], int, str]] = [
    ("summary of the whole portfolio", ["summary"], 0, "Projekte"),
    ("summary of an unknown theme", ["summary", "--theme", "99"], 1, "Vorhanden: 1, 2, 3, 4, 5"),
    ("summary as of year 1", ["summary", "--as-of", "0001-01-01"], 2, "01.01.1990"),
    ("summary as of a date that does not exist", ["summary", "--as-of", "2026-02-30"], 2, "JJJJ"),
    ("report of an unknown theme", ["report", "{tmp}/r.pdf", "--theme", "99"], 1, "Leitthema"),
    ("report as of year 1", ["report", "{tmp}/r.pdf", "--as-of", "0001-01-01"], 2, "1990"),
    ("report since year 1", ["report", "{tmp}/r.pdf", "--since", "0001-01-01"], 2, "1990"),
    ("report as of the future", ["report", "{tmp}/r.pdf", "--as-of", "2030-01-01"], 1, "Zukunft"),
    ("summary as of 9999", ["summary", "--as-of", "9999-12-31"], 2, "26.11.2041"),
    ("report into an unknown format", ["report", "{tmp}/r.docx"], 2, ".pdf"),
    ("report a brief never published", ["report", "{tmp}/r.pdf", "--published", "999"], 1, "999"),
    ("a negative synthetic demo", ["demo", "--synthetic", "-5"], 2, "1 bis"),
    ("a synthetic demo of zero", ["demo", "--synthetic", "0"], 2, "1 bis"),
    ("a synthetic demo of text", ["demo", "--synthetic", "viele"], 2, "1 bis"),
    ("no command", [], 2, "BEFEHL"),
    ("an account without a role", ["user", "add", "x"], 2, "--role"),
    ("an account with an unknown role", ["user", "add", "x", "--role", "chef"], 2, "chef"),
    ("a partner without organisation", ["user", "add", "p1", "--role", "partner"], 1, "Partner"),
    ("an account name with spaces", ["user", "add", "a b", "--role", "staff"], 1, "Kontoname"),
    ("disable an account that does not exist", ["user", "disable", "nobody"], 1, "nobody"),
    ("a role for an unknown account", ["user", "set-role", "nobody", "viewer"], 1, "nobody"),
]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('exit') / 'p.db'}"
    done = subprocess.run(
        [str(EXE), "--db", url, "db", "upgrade"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return url


def portfolio(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(EXE), *argv], capture_output=True, text=True, check=False)


@pytest.mark.parametrize(("case", "argv", "code", "word"), CASES, ids=[c[0] for c in CASES])
def test_exit_code(
    database: str, tmp_path: Path, case: str, argv: list[str], code: int, word: str
) -> None:
    done = portfolio("--db", database, *[a.format(tmp=tmp_path) for a in argv])
    assert done.returncode == code, (case, done.stdout, done.stderr)
    assert word in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("lang", "url", "code", "word"),
    [
        ("de", "notaurl", 2, "keine Datenbank-Adresse"),
        ("de", "mysql+nodriver://x@y/z", 2, "keine Datenbank-Adresse"),
        ("de", "postgresql+psycopg://nobody@127.0.0.1:1/none", 3, "nicht erreichbar"),
        ("en", "notaurl", 2, "is not a database address"),
        ("en", "postgresql+psycopg://nobody@127.0.0.1:1/none", 3, "Database not reachable"),
    ],
)
def test_a_database_url_that_cannot_be_opened(lang: str, url: str, code: int, word: str) -> None:
    done = portfolio("--lang", lang, "--db", url, "summary")
    assert done.returncode == code, done.stderr
    assert word in done.stderr
    # one line, no SQL, no link to SQLAlchemy's docs, no traceback
    assert "sqlalche.me" not in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_an_operator_who_is_no_account(tmp_path: Path) -> None:
    """Once the database has accounts, the CLI acts only as one of them (exit code 2)."""
    url = f"sqlite:///{tmp_path / 'p.db'}"
    assert portfolio("--db", url, "db", "upgrade").returncode == 0
    done = portfolio("--db", url, "--user", "root", "user", "add", "ops", "--role", "staff")
    assert done.returncode == 0, done.stderr
    for argv in (["summary"], ["user", "list"]):
        done = portfolio("--db", url, "--user", "mallory", *argv)
        assert done.returncode == 2, (argv, done.stdout, done.stderr)
        assert "„mallory“ ist kein Konto" in done.stderr and "Traceback" not in done.stderr
        assert portfolio("--db", url, "--user", "ops", *argv).returncode == 0, argv
    # db upgrade and demo run as the system, whoever runs them
    assert portfolio("--db", url, "--user", "mallory", "db", "upgrade").returncode == 0
