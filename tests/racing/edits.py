""":func:`race`: every worker process opens its own engine on the same database and repeats the
dashboard's edit: read the project in one session (its version and total cost), then in a new
write session update it with the version it read, raising the cost by one euro. A lost update
shows as a final cost, version or journal that disagrees with the number of saved edits; every
failure other than :class:`~portfolio.errors.ConflictError` is counted by its type. Edits
alternate between the two ways callers write: a plain ``with session.begin():`` block (the
dashboard's ``write_session``, the CLI) and :func:`portfolio.services.base.unit_of_work`."""

from __future__ import annotations

import multiprocessing as mp
import queue
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tests.racing.processes import WAIT_S, start_workers, stop_workers

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
            return project.id, project.total_cost or Decimal(0)
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
                seen, cost = project.version, project.total_cost or Decimal(0)
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
        start_workers(workers, ready)
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
        stop_workers(workers)
    _check(url, project_id, initial_cost, result)
    return result


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
            result.final_cost = project.total_cost or Decimal(0)
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
