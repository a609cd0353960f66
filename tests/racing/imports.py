""":func:`import_race`: an applied import in one process; once it holds its transaction, two
service writes in other processes: one of a row the import does not touch, one of a project the
import changes (with the version read before the import). Each reports how long it took and how
it ended."""

from __future__ import annotations

import multiprocessing as mp
import queue
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.racing.processes import WAIT_S, plain_main, start_workers, stop_workers

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
        start_workers(writers, ready)
        with plain_main():
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
        stop_workers([*writers, importer])
    return result
