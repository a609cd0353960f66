"""Concurrent writers (issue 9): conflicts are conflicts on both databases, writers wait.

1. The race, on SQLite and (with PORTFOLIO_TEST_POSTGRES_URL) PostgreSQL: P processes × E edits
   of one project (default 8 × 50), each edit read in one session and written in another with
   the version it read (tests/racing/). Prints saves, conflicts, other exceptions (target 0),
   lost updates (target 0) and seconds.
2. Service writes during a big import: a synthetic portfolio (``portfolio demo --synthetic N``,
   default 10,000 projects), its workbook exported with C changed rows (default 30,000: every
   project's responsible person, then milestone titles), the applied import in one process and,
   half a second after it holds its transaction, a service write of an organisation (a row the
   import does not touch) and of a project the import changes, each in its own process. Prints
   the import's seconds and how long each write waited and how it ended. Targets: the write of
   the other row is saved (SQLite: after waiting for the import; PostgreSQL: at once); of the
   write of the same row and the import, one wins and the other is a conflict naming it (SQLite:
   always the import, which holds the write lock). The import's time is what
   ``db.engine.SQLITE_BUSY_TIMEOUT_MS`` must cover.
3. Writers through the services with retry, beside a partner import and a brief (issue 15):
   P processes × E increments (default 8 × 50) of the same few projects (default 3), each edit
   +1 € on a project's total cost through ``portfolio.services.projects.update``, retried with a
   fresh read on every :class:`~portfolio.errors.ConflictError`; meanwhile the partner (USB)
   exports its workbook, raises its cash contribution in each of those projects by 100 € (every
   other round also rewrites their summaries, rows the writers keep changing) and imports it,
   round after round, and the CDO brief is built and rendered as PDF, again and again, until
   the writers are done. No edit starts after ``--seconds``. Prints edits saved, attempts,
   conflicts, retries, waits (write attempts > 0.1 s, lock waits included), failures by class
   (target 0; nothing escapes as a traceback), the import rounds applied or refused as
   conflicts, the briefs, and the lost updates (target 0): the final total costs and the
   journal against the saved edits, the partner's contributions against the applied rounds.
   ``--markdown FILE`` writes these figures as a table.

Every database is local: SQLite files in a temporary folder, PostgreSQL only on 127.0.0.1.

Usage: ``python bench/bench_concurrency.py [--processes 8] [--edits 50] [--projects 10000]
[--changes 30000] [--race-projects 3] [--seconds 300] [--skip-race] [--skip-import]
[--skip-services] [--markdown FILE] [--backend sqlite|postgresql]``
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import python_calamine
import xlsxwriter
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from db import migrate  # noqa: E402
from db.engine import SQLITE_BUSY_TIMEOUT_MS, make_engine, make_session_factory  # noqa: E402
from db.enums import ChangeSource, Role  # noqa: E402
from portfolio.exchange.schema import SHEETS  # noqa: E402
from portfolio.policy import Principal, set_principal  # noqa: E402
from portfolio.seed import ensure_reference_data  # noqa: E402
from tests import racing  # noqa: E402


@contextmanager
def database(backend: str, tmp: Path, *, empty: bool = False) -> Iterator[str]:
    """A new database (migrated and seeded unless ``empty``) on ``backend``; its URL."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp / f'bench-{uuid.uuid4().hex[:6]}.db'}"
        admin = None
    else:
        pg = os.environ["PORTFOLIO_TEST_POSTGRES_URL"]
        if make_url(pg).host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"PostgreSQL must be local (127.0.0.1), not {make_url(pg).host}")
        name = f"portfolio_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(pg).set(database=name).render_as_string(hide_password=False)
    try:
        if not empty:
            engine = make_engine(url)
            migrate.upgrade(engine)
            with make_session_factory(engine)() as session, session.begin():
                set_principal(session, Principal("bench", Role.ADMIN, source=ChangeSource.SYSTEM))
                ensure_reference_data(session)
            engine.dispose()
        yield url
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(
                    text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
                )
            admin.dispose()


def changed_copy(data: bytes, changes: int) -> tuple[bytes, int, str]:
    """The workbook, every sheet and row, with ``changes`` edited rows (every project's
    responsible person, then milestone titles), saved plainly as another program would; also the
    key of the first edited project."""
    wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    out = io.BytesIO()
    writer = xlsxwriter.Workbook(
        out,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False},
    )
    date_fmt = writer.add_format({"num_format": "DD.MM.YYYY"})
    edits, first = 0, ""
    titles = {s.title_de for s in SHEETS} | {"_meta"}
    for name in (n for n in wb.sheet_names if n in titles):  # every data sheet, all rows
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        col = {h: i for i, h in enumerate(rows[0])} if rows else {}
        for row in rows[1:] if name in ("Projekte", "Meilensteine") else []:
            if edits >= changes or not row[0]:
                break
            if name == "Projekte":
                row[col["Verantwortlich"]] = f"Projektleitung {edits}"
                first = first or str(row[0])
            else:
                row[col["Titel"]] = f"{row[col['Titel']]} (geprüft)"[:200]
            edits += 1
        ws = writer.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value in ("", None):
                    continue
                if hasattr(value, "isoformat") and not isinstance(value, str):
                    ws.write_datetime(r, c, value, date_fmt)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write(r, c, value)
    writer.close()
    return out.getvalue(), edits, first


def bench_race(backends: list[str], tmp: Path, processes: int, edits: int) -> bool:
    ok = True
    print(
        f"1. {processes} processes × {edits} edits of one project (read, then write with the read's version)"
    )
    for backend in backends:
        with database(backend, tmp) as url:
            result = racing.race(url, processes=processes, edits=edits)
        print(f"  {backend:<11} {result.summary()}", flush=True)
        for sample in result.samples[:2]:
            print("    " + sample.replace("\n", "\n    "))
        ok &= result.other_exceptions == 0 and result.lost_updates == 0
        ok &= (
            result.unnamed_conflicts == 0
            and result.successes + result.conflicts == processes * edits
        )
    return ok


def bench_import(backends: list[str], tmp: Path, projects: int, changes: int) -> bool:
    from portfolio.cli import main as portfolio_main
    from portfolio.exchange.export import export_workbook

    ok = True
    print(
        f"2. service writes during an applied import of {changes:,} changed rows "
        f"({projects:,} synthetic projects); SQLite busy timeout {SQLITE_BUSY_TIMEOUT_MS / 1000:.0f} s"
    )
    for backend in backends:
        with database(backend, tmp, empty=True) as url:
            started = time.perf_counter()
            portfolio_main(["--db", url, "demo", "--synthetic", str(projects), "--seed", "1"])
            engine = make_engine(url)
            with make_session_factory(engine)() as session:
                set_principal(session, Principal("bench", Role.ADMIN))
                exported = export_workbook(session).data
            engine.dispose()
            data, edits, same_key = changed_copy(exported, changes)
            path = tmp / f"changed-{backend}.xlsx"
            path.write_bytes(data)
            print(
                f"  {backend}: portfolio and workbook ready in {time.perf_counter() - started:.0f} s "
                f"({edits:,} changed rows, {len(data) / 1e6:.1f} MB)",
                flush=True,
            )
            result = racing.import_race(url, path, other_key="USB", same_key=same_key)
        print("    " + result.summary().replace("\n", "\n    "), flush=True)
        other, same = result.writes.get("other row"), result.writes.get("same row")
        ok &= not result.failures and other is not None and same is not None
        if other is None or same is None:
            continue
        ok &= other.outcome == "saved"
        import_won = same.outcome == "conflict" and same.changed_by == racing.IMPORT_ACTOR
        ok &= import_won == result.applied and result.updated == edits - (not import_won)
        if backend == "sqlite":  # the import holds the write lock from its start: it wins
            ok &= import_won and result.held_seconds * 1000 < SQLITE_BUSY_TIMEOUT_MS
        else:  # row locks only; the writer wins if it saves before the import writes the row
            ok &= other.seconds < 2
            ok &= import_won or any("writer (same row)" in p for p in result.import_problems)
    return ok


SERVICE_COLUMNS = (
    "database",
    "processes × edits",
    "projects",
    "seconds",
    "saved",
    "given up",
    "not started",
    "attempts",
    "conflicts",
    "retries",
    "waits > 0.1 s (s)",
    "longest write (s)",
    "failures",
    "import rounds: applied / conflict / other",
    "PDF briefs (longest s)",
    "lost updates",
)


def service_row(backend: str, r: racing.ServiceRaceResult) -> list[str]:
    failures = ", ".join(f"{k} {v}" for k, v in sorted(r.failures.items())) or "0"
    return [
        backend,
        f"{r.processes} × {r.edits}",
        str(r.projects),
        f"{r.seconds:.1f}",
        str(r.saved),
        str(r.gave_up),
        str(r.not_started),
        str(r.attempts),
        str(r.conflicts),
        str(r.retries),
        f"{r.waits} ({r.wait_seconds:.1f})",
        f"{r.max_write_seconds:.2f}",
        failures,
        f"{r.import_rounds}: {r.imports_applied} / {r.imports_conflicting} / {r.imports_refused}",
        f"{r.briefs} ({max(r.brief_seconds, default=0):.1f})",
        f"{r.lost_updates} (+{r.lost_import_updates} import)",
    ]


def bench_services(
    backends: list[str],
    tmp: Path,
    processes: int,
    edits: int,
    projects: int,
    seconds: float,
    markdown: Path | None,
) -> bool:
    ok = True
    print(
        f"3. {processes} processes × {edits} increments of {projects} projects through the "
        f"services, retried on conflicts, beside partner imports and PDF briefs (≤ {seconds:.0f} s)"
    )
    rows = []
    for backend in backends:
        with database(backend, tmp) as url:
            result = racing.service_race(
                url, processes=processes, edits=edits, projects=projects, seconds=seconds
            )
        print(f"  {backend:<11} {result.summary()}", flush=True)
        for sample in result.samples[:3]:
            print("    " + sample)
        rows.append(service_row(backend, result))
        # every edit saved (none given up, none cut off by the time limit) and nothing lost
        ok &= result.ok and result.saved == processes * edits
        ok &= result.briefs > 0 and result.imports_applied > 0
    if markdown is not None:
        lines = [
            "| " + " | ".join(SERVICE_COLUMNS) + " |",
            "|" + "---|" * len(SERVICE_COLUMNS),
            *("| " + " | ".join(row) + " |" for row in rows),
        ]
        markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"  table written to {markdown}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=30_000)
    parser.add_argument("--race-projects", type=int, default=3)
    parser.add_argument(
        "--seconds", type=float, default=300, help="no service edit starts after this"
    )
    parser.add_argument("--skip-race", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-services", action="store_true")
    parser.add_argument("--markdown", type=Path, help="write the service figures as a table")
    parser.add_argument(
        "--backend",
        action="append",
        choices=["sqlite", "postgresql"],
        help="only this database (repeatable); default: SQLite, and PostgreSQL if "
        "PORTFOLIO_TEST_POSTGRES_URL is set",
    )
    args = parser.parse_args()
    backends = args.backend or ["sqlite"]
    if not args.backend and os.environ.get("PORTFOLIO_TEST_POSTGRES_URL"):
        backends.append("postgresql")
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-concurrency-") as tmp:
        if not args.skip_race:
            ok &= bench_race(backends, Path(tmp), args.processes, args.edits)
        if not args.skip_import:
            ok &= bench_import(backends, Path(tmp), args.projects, args.changes)
        if not args.skip_services:
            ok &= bench_services(
                backends,
                Path(tmp),
                args.processes,
                args.edits,
                args.race_projects,
                args.seconds,
                args.markdown,
            )
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
