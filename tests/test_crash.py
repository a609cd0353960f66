"""Crash safety (issue 15): an import or a brief killed with SIGKILL at any moment leaves the
database as it was, and it still opens and verifies. On SQLite and PostgreSQL.

The command runs in a child process of its own (``portfolio import`` / ``portfolio report`` as
an operator runs them). A SQLAlchemy event hook in the child kills it with SIGKILL, the signal
nothing can catch, at a chosen moment: before its first write, halfway through its writes, or
at the COMMIT itself (before the database received it). The parent then compares every row of
every table with what was there before.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine

from db import integrity
from db.backup import fingerprint
from db.engine import make_engine
from portfolio.cli import main
from tests.fixtures.databases import Databases

pytestmark = pytest.mark.slow  # child processes, each a few seconds

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    moment, at = sys.argv[1], int(sys.argv[2])
    writes = 0
    log = open(sys.argv[3], "a")

    @event.listens_for(Engine, "before_cursor_execute")
    def _statement(conn, cursor, statement, parameters, context, executemany):
        global writes
        verb = statement.lstrip().split(None, 1)[0].upper()
        counted = verb in ("INSERT", "UPDATE", "DELETE") or moment == "any"
        if counted:
            writes += 1
            log.write(f"{writes} {verb}\\n")
            log.flush()
            if moment in ("write", "any") and writes >= at:
                os.kill(os.getpid(), signal.SIGKILL)

    @event.listens_for(Engine, "commit")
    def _commit(conn):
        log.write("commit\\n")
        log.flush()
        if moment == "commit" and writes > 0:  # the import's, not a read's
            os.kill(os.getpid(), signal.SIGKILL)

    from portfolio.cli import main
    sys.exit(main(sys.argv[4:]))
    """
)


EXCHANGE_KEY = "crash-test-exchange-key-0123456789abcdef"
"""The workbook's signing key, the same for the exporting test and the importing child (each
demo copy would otherwise make a key of its own beside its file)."""


def run_killed(
    moment: str, at: int, args: list[str], log: Path
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PORTFOLIO_USER="crash.test", PORTFOLIO_EXCHANGE_KEY=EXCHANGE_KEY)
    return subprocess.run(
        [sys.executable, "-c", KILLER, moment, str(at), str(log), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def changed_workbook(path: Path) -> None:
    """Every project's and every milestone's title changed: 130 rows, some 136 write statements."""
    workbook = openpyxl.load_workbook(path)
    for sheet in ("Projekte", "Meilensteine"):
        ws = workbook[sheet]
        column = [c.value for c in ws[1]].index("Titel") + 1
        for row in range(2, ws.max_row + 1):
            cell = ws.cell(row=row, column=column)
            if cell.value:
                cell.value = f"{cell.value} (neu)"
                cell.data_type = "s"
    workbook.save(path)


def state(engine: Engine) -> tuple[dict[str, int], str]:
    engine.dispose()  # what a new process sees, not a pooled connection's view
    with engine.connect() as conn:
        found = fingerprint(conn)
        conn.rollback()
    return found.tables, found.digest


@pytest.fixture(scope="module")
def workbook(databases: Databases, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crash") / "rücklauf.xlsx"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORTFOLIO_EXCHANGE_KEY", EXCHANGE_KEY)
        assert main(["--db", databases.demo(), "export", str(path)]) == 0
    changed_workbook(path)
    return path


@pytest.fixture(scope="module")
def import_writes(
    databases: Databases, workbook: Path, tmp_path_factory: pytest.TempPathFactory
) -> int:
    """The control: the same import in the same child, not killed, applies every change (130
    rows journaled); returns how many write statements it issued (batched on PostgreSQL)."""
    url = databases.demo()
    engine = make_engine(url)
    before = state(engine)
    log = tmp_path_factory.mktemp("control") / "statements.log"
    done = run_killed("never", 0, ["--db", url, "import", str(workbook)], log)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Übernommen")
    after = state(engine)
    assert after[1] != before[1]
    assert after[0]["journal_entry"] == before[0]["journal_entry"] + 130
    assert all(f.ok for f in integrity.verify(engine))
    engine.dispose()
    writes = [line for line in log.read_text().splitlines() if line != "commit"]
    assert len(writes) >= 3
    return len(writes)


@pytest.mark.parametrize(
    ("moment", "fraction"),
    [("write", 0.0), ("write", 0.5), ("write", 1.0), ("commit", 1.0)],
    ids=["first-write", "halfway", "last-write", "at-commit"],
)
def test_an_import_killed_at_any_moment_changes_nothing(
    databases: Databases,
    workbook: Path,
    import_writes: int,
    tmp_path: Path,
    moment: str,
    fraction: float,
) -> None:
    at = max(1, round(import_writes * fraction))
    url = databases.demo()
    engine = make_engine(url)
    before = state(engine)
    log = tmp_path / "statements.log"
    done = run_killed(moment, at, ["--db", url, "import", str(workbook)], log)
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stdout, done.stderr)
    seen = log.read_text().splitlines()
    writes = [line for line in seen if line != "commit"]
    if moment == "write":
        assert len(writes) == at  # killed at the write it was meant to
    else:
        assert seen[-1] == "commit" and len(writes) == import_writes  # all written, no COMMIT
    assert state(engine) == before
    assert all(f.ok for f in integrity.verify(engine)), integrity.verify(engine)
    engine.dispose()


@pytest.mark.parametrize("at", [40])
def test_a_brief_killed_halfway_leaves_no_file_and_the_database_as_it_was(
    databases: Databases, tmp_path: Path, at: int
) -> None:
    url = databases.demo()
    engine = make_engine(url)
    before = state(engine)
    out = tmp_path / "brief.pdf"
    done = run_killed("any", at, ["--db", url, "report", str(out)], tmp_path / "log")
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stderr)
    assert not out.exists()
    assert state(engine) == before
    assert all(f.ok for f in integrity.verify(engine))
    engine.dispose()
