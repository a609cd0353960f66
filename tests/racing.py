"""Races of real processes on one database, shared by tests/test_concurrency.py and
bench/bench_concurrency.py.

:func:`race`: every worker process opens its own engine on the same database and repeats the
dashboard's edit: read the project in one session (its version and total cost), then in a new
write session update it with the version it read, raising the cost by one euro. A lost update
shows as a final cost, version or journal that disagrees with the number of saved edits; every
failure other than :class:`~portfolio.errors.ConflictError` is counted by its type. Edits
alternate between the two ways callers write: a plain ``with session.begin():`` block (the
dashboard's ``write_session``, the CLI) and :func:`portfolio.services.base.unit_of_work`.

:func:`import_race`: an applied import in one process; once it holds its transaction, two
service writes in other processes: one of a row the import does not touch, one of a project the
import changes (with the version read before the import). Each reports how long it took and how
it ended.

Everything here runs in spawned processes, so it imports the product inside the functions and
nothing of ``tests.conftest`` (which pins the clock for the suite).
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import queue
import sys
import time
import traceback
import types
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

WAIT_S = 180
"""How long the parent waits for a worker to start or to report."""


# ---- many editors of one project -------------------------------------------------------------


@dataclass
class RaceResult:
    processes: int
    edits: int
    successes: int = 0
    conflicts: int = 0
    guard_conflicts: int = 0
    """Conflicts caught by the version guard of the UPDATE (at a flush or the commit), after the
    service's own version check had passed."""
    unnamed_conflicts: int = 0
    """Conflicts that don't say who changed the row meanwhile, when, and which fields."""
    others: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    seconds: float = 0.0
    final_version: int = 0
    final_cost: Decimal = Decimal(0)
    journal_updates: int = 0
    lost_updates: int = 0

    @property
    def other_exceptions(self) -> int:
        return sum(self.others.values())

    def summary(self) -> str:
        others = ", ".join(f"{k} {v}" for k, v in sorted(self.others.items())) or "0"
        return (
            f"{self.processes} × {self.edits} edits in {self.seconds:.1f} s: "
            f"{self.successes} saved, {self.conflicts} conflicts ({self.guard_conflicts} at the "
            f"version guard, {self.unnamed_conflicts} without a name), other exceptions {others}, "
            f"lost updates {self.lost_updates} (version {self.final_version}, "
            f"{self.journal_updates} journaled updates)"
        )


def prepare(url: str) -> tuple[int, Decimal]:
    """A project to race on (the database is migrated and seeded); its id and total cost."""
    from db.engine import make_engine, make_session_factory
    from db.enums import ChangeSource, Role
    from portfolio.policy import Principal, set_principal
    from tests.factories import make_project

    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            set_principal(session, Principal("race-setup", Role.ADMIN, source=ChangeSource.SYSTEM))
            project = make_project(session, title="Wettlauf")
            return project.id, project.total_cost
    finally:
        engine.dispose()


def _edit_worker(
    url: str, project_id: int, number: int, edits: int, ready: Any, go: Any, out: Any
) -> None:
    counts: dict[str, Any] = {
        "successes": 0,
        "conflicts": 0,
        "guard": 0,
        "unnamed": 0,
        "others": {},
        "samples": [],
    }

    def other(exc: BaseException) -> None:
        name = type(exc).__name__
        counts["others"][name] = counts["others"].get(name, 0) + 1
        if len(counts["samples"]) < 3:
            counts["samples"].append("".join(traceback.format_exception(exc))[-2000:])

    try:
        from sqlalchemy.exc import DBAPIError
        from sqlalchemy.orm.exc import StaleDataError

        from db.engine import make_engine, make_session_factory
        from db.enums import Role
        from portfolio.errors import ConflictError
        from portfolio.policy import Principal, set_principal
        from portfolio.services import projects
        from portfolio.services.base import unit_of_work

        engine = make_engine(url)
        reader = make_session_factory(engine, read_only=True)
        writer = make_session_factory(engine)
        actor = Principal(f"worker-{number}", Role.ADMIN)
        with reader() as session:  # connect before the start: the race is about the edits
            set_principal(session, actor)
            projects.get(session, project_id)
        ready.put(number)
        go.wait(WAIT_S)
        for i in range(edits):
            with reader() as session:
                set_principal(session, actor)
                project = projects.get(session, project_id)
                seen, cost = project.version, project.total_cost
                session.rollback()
            change = {"total_cost": cost + 1}
            try:
                if i % 2 == 0:
                    with writer() as session:
                        set_principal(session, actor)
                        with session.begin():
                            projects.update(session, project_id, change, expected_version=seen)
                else:
                    with unit_of_work(writer, actor) as session:
                        projects.update(session, project_id, change, expected_version=seen)
                counts["successes"] += 1
            except ConflictError as exc:
                counts["conflicts"] += 1
                if isinstance(exc.__cause__, StaleDataError | DBAPIError):
                    counts["guard"] += 1
                info = exc.info
                if not (info.changed_by and info.changed_at and info.changed_fields):
                    counts["unnamed"] += 1
                    if len(counts["samples"]) < 3:
                        counts["samples"].append(f"conflict without a name: {info}")
            except Exception as exc:
                other(exc)
        engine.dispose()
    except BaseException as exc:  # reported by the parent
        other(exc)
        counts["others"]["worker failed"] = 1
    out.put(counts)


@contextlib.contextmanager
def _plain_main() -> Iterator[None]:
    """Spawn children without re-running ``__main__``: a Streamlit AppTest earlier in the same
    test process leaves its page script there, which a spawned child would execute."""
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = saved


def _start(workers: list[Any], ready: Any) -> None:
    with _plain_main():
        for w in workers:
            w.start()
    for _ in workers:
        ready.get(timeout=WAIT_S)


def race(url: str, *, processes: int = 8, edits: int = 50) -> RaceResult:
    """``processes`` spawned workers × ``edits`` read-then-write edits of one project."""
    project_id, initial_cost = prepare(url)
    ctx = mp.get_context("spawn")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    workers = [
        ctx.Process(
            target=_edit_worker, args=(url, project_id, n, edits, ready, go, out), daemon=True
        )
        for n in range(processes)
    ]
    result = RaceResult(processes, edits)
    try:
        _start(workers, ready)
        started = time.perf_counter()
        go.set()
        for _ in workers:
            counts = out.get(timeout=WAIT_S)
            result.successes += counts["successes"]
            result.conflicts += counts["conflicts"]
            result.guard_conflicts += counts["guard"]
            result.unnamed_conflicts += counts["unnamed"]
            result.others.update(counts["others"])
            result.samples += counts["samples"]
        result.seconds = time.perf_counter() - started
    except queue.Empty:
        result.others["worker did not report"] += 1
    finally:
        _stop(workers)
    _check(url, project_id, initial_cost, result)
    return result


def _stop(workers: list[Any]) -> None:
    for w in workers:
        w.join(10)
        if w.is_alive():
            w.kill()
            w.join()


def _check(url: str, project_id: int, initial_cost: Decimal, result: RaceResult) -> None:
    from sqlalchemy import func, select

    from db.engine import make_engine, make_session_factory
    from db.enums import JournalAction
    from db.models import JournalEntry, Project

    engine = make_engine(url)
    try:
        with make_session_factory(engine, read_only=True)() as session:
            project = session.get(Project, project_id)
            assert project is not None
            result.final_version = project.version
            result.final_cost = project.total_cost
            result.journal_updates = session.execute(
                select(func.count())
                .select_from(JournalEntry)
                .where(
                    JournalEntry.entity == "project",
                    JournalEntry.entity_id == project_id,
                    JournalEntry.action == JournalAction.UPDATE,
                )
            ).scalar_one()
    finally:
        engine.dispose()
    # Every saved edit raised the cost and the version by one and wrote one journal entry; an
    # overwritten edit makes the cost fall behind the saves.
    by_cost = result.successes - int(result.final_cost - initial_cost)
    by_version = result.successes - (result.final_version - 1)
    by_journal = result.successes - result.journal_updates
    result.lost_updates = max(abs(by_cost), abs(by_version), abs(by_journal))


# ---- service writes during an import ---------------------------------------------------------

IMPORT_ACTOR = "import-race"


@dataclass
class WriteOutcome:
    kind: str  # "other row" or "same row"
    outcome: str  # "saved", "conflict" or the exception's type
    seconds: float
    message: str = ""
    changed_by: str | None = None


@dataclass
class ImportRaceResult:
    import_seconds: float = 0.0
    """The whole import_workbook call."""
    held_seconds: float = 0.0
    """From the moment the import held its transaction to its end."""
    applied: bool = False
    updated: int = 0
    import_problems: list[str] = field(default_factory=list)
    writes: dict[str, WriteOutcome] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"import: {self.import_seconds:.1f} s ({self.held_seconds:.1f} s holding its "
            f"transaction), {'applied' if self.applied else 'NOT applied'}, "
            f"{self.updated:,} rows updated"
            + (f"; {'; '.join(self.import_problems[:3])}" if self.import_problems else "")
        ]
        for w in self.writes.values():
            who = f", changed by {w.changed_by}" if w.changed_by else ""
            lines.append(f"service write of the {w.kind}: {w.outcome} after {w.seconds:.2f} s{who}")
        lines += self.failures
        return "\n".join(lines)


def _import_worker(
    url: str, path: str, hold_at: str, hold_s: float, holding: Any, out: Any
) -> None:
    try:
        from db.engine import make_engine, make_session_factory
        from db.enums import Role
        from portfolio.exchange.importer import import_workbook
        from portfolio.policy import Principal

        engine = make_engine(url)
        factory = make_session_factory(engine)
        data = Path(path).read_bytes()
        marks: dict[str, float] = {}

        def progress(fraction: float, label: str) -> None:
            # from 0.1 on the import is inside its transaction (SQLite: holds the write lock);
            # "write" comes after every sheet is written (PostgreSQL: holds the row locks)
            inside = fraction >= 0.1 and (hold_at == "start" or label == "write")
            if inside and "holding" not in marks:
                marks["holding"] = time.perf_counter()
                holding.put(True)
                if hold_s:
                    time.sleep(hold_s)

        started = time.perf_counter()
        result = import_workbook(
            factory,
            data,
            file_name=Path(path).name,
            principal=Principal(IMPORT_ACTOR, Role.ADMIN),
            progress=progress,
        )
        ended = time.perf_counter()
        engine.dispose()
        problems = [e.message for e in result.errors] + [c.message for c in result.conflicts]
        out.put(
            (
                "import",
                {
                    "seconds": ended - started,
                    "held": ended - marks.get("holding", ended),
                    "applied": result.applied,
                    "updated": result.updated,
                    "problems": problems[:5],
                },
            )
        )
    except BaseException as exc:
        holding.put(False)
        out.put(("failure", "import: " + "".join(traceback.format_exception(exc))[-2000:]))


def _write_worker(url: str, kind: str, key: str, ready: Any, go: Any, out: Any) -> None:
    try:
        from db.engine import make_engine, make_session_factory
        from db.enums import Role
        from portfolio.errors import ConflictError
        from portfolio.policy import Principal, set_principal
        from portfolio.services import organisations, projects
        from portfolio.services.base import unit_of_work

        engine = make_engine(url)
        factory = make_session_factory(engine)
        actor = Principal(f"writer ({kind})", Role.ADMIN)
        service: Any = organisations if kind == "other row" else projects
        with make_session_factory(engine, read_only=True)() as session:
            set_principal(session, actor)
            row = service.get_by_key(session, key)
            row_id, seen = row.id, row.version
        ready.put(kind)
        go.wait(WAIT_S)
        started = time.perf_counter()
        change = {"contact_role": "Wartet auf den Import"}
        if kind != "other row":
            change = {"responsible_person": "Schreibt während des Imports"}
        try:
            with unit_of_work(factory, actor) as session:
                service.update(session, row_id, change, expected_version=seen)
            outcome = WriteOutcome(kind, "saved", time.perf_counter() - started)
        except ConflictError as exc:
            outcome = WriteOutcome(
                kind,
                "conflict",
                time.perf_counter() - started,
                exc.message("en"),
                exc.info.changed_by,
            )
        except Exception as exc:
            outcome = WriteOutcome(
                kind, type(exc).__name__, time.perf_counter() - started, str(exc)[:300]
            )
        engine.dispose()
        out.put(("write", outcome))
    except BaseException as exc:
        ready.put(kind)
        out.put(("failure", f"{kind}: " + "".join(traceback.format_exception(exc))[-2000:]))


def import_race(
    url: str,
    workbook: Path,
    *,
    other_key: str,
    same_key: str,
    hold_at: str = "start",
    hold_s: float = 0.0,
    delay_s: float = 0.5,
) -> ImportRaceResult:
    """Import ``workbook``; ``delay_s`` after it holds its transaction (at its start, or once
    every sheet is written: ``hold_at="write"``, where it pauses ``hold_s``, as a bigger file
    would), update organisation ``other_key`` and project ``same_key`` in two other processes."""
    ctx = mp.get_context("spawn")
    ready, holding, out, go = ctx.Queue(), ctx.Queue(), ctx.Queue(), ctx.Event()
    writers = [
        ctx.Process(target=_write_worker, args=(url, kind, key, ready, go, out), daemon=True)
        for kind, key in (("other row", other_key), ("same row", same_key))
    ]
    importer = ctx.Process(  # not a daemon: the import reads the workbook in a child process
        target=_import_worker, args=(url, str(workbook), hold_at, hold_s, holding, out)
    )
    result = ImportRaceResult()
    try:
        _start(writers, ready)
        with _plain_main():
            importer.start()
        if holding.get(timeout=WAIT_S):
            time.sleep(delay_s)
        go.set()
        for _ in range(len(writers) + 1):
            what, value = out.get(timeout=WAIT_S)
            if what == "write":
                result.writes[value.kind] = value
            elif what == "import":
                result.import_seconds = value["seconds"]
                result.held_seconds = value["held"]
                result.applied = value["applied"]
                result.updated = value["updated"]
                result.import_problems = value["problems"]
            else:
                result.failures.append(value)
    except queue.Empty:
        result.failures.append("a process did not report")
    finally:
        _stop([*writers, importer])
    return result
