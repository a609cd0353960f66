""":func:`service_race`: writer processes increment a few shared projects through the services,
retrying conflicts with a fresh read, while the partner imports its workbook round after round and
the CDO brief is built as PDF; the final totals, the journal and the partner's contributions are
checked against what the processes report as saved and applied."""

from __future__ import annotations

import io
import multiprocessing as mp
import queue
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tests.racing.processes import WAIT_S, start_workers, stop_workers

# ---- writers through the services, with retry, beside a partner import and a brief -----------

PARTNER_KEY = "USB"
"""The partner taking part in every raced project; its workbook is what the import rounds send."""
CASH_START = Decimal(5000)
CASH_STEP = Decimal(100)
"""What each applied import round adds to the partner's cash contribution in every raced project."""
WAITED_S = 0.1
"""A write attempt longer than this counts as one that waited (for a lock or the busy handler)."""


@dataclass
class ServiceRaceResult:
    processes: int
    edits: int
    """Edits asked of each writer process."""
    projects: int
    seconds: float = 0.0
    saved: int = 0
    """Edits saved (each raised one project's total cost by 1 €, after as many retries as it took)."""
    gave_up: int = 0
    """Edits still a conflict after the last retry (never saved)."""
    not_started: int = 0
    """Edits left when the time limit passed."""
    attempts: int = 0
    conflicts: int = 0
    retries: int = 0
    waits: int = 0
    """Write attempts that took longer than :data:`WAITED_S`."""
    wait_seconds: float = 0.0
    """The time of those attempts."""
    write_seconds: float = 0.0
    """The time of every write attempt (the commit, and the waiting for locks, included)."""
    max_write_seconds: float = 0.0
    failures: Counter[str] = field(default_factory=Counter)
    """Every exception other than a conflict, by class, in any process (target: none)."""
    samples: list[str] = field(default_factory=list)
    saved_by_project: Counter[int] = field(default_factory=Counter)
    import_rounds: int = 0
    imports_applied: int = 0
    imports_conflicting: int = 0
    """Rounds refused because a row of the file was changed meanwhile (nothing applied)."""
    imports_refused: int = 0
    """Rounds refused for any other reason (target: none)."""
    import_seconds: list[float] = field(default_factory=list)
    briefs: int = 0
    brief_seconds: list[float] = field(default_factory=list)
    lost_updates: int = 0
    """Saved edits missing from the final total costs or the journal (target: 0)."""
    lost_import_updates: int = 0
    """Applied import rounds missing from the partner's final contributions (target: 0)."""

    @property
    def ok(self) -> bool:
        return (
            not self.failures
            and self.lost_updates == 0
            and self.lost_import_updates == 0
            and self.imports_refused == 0
            and self.saved + self.gave_up + self.not_started == self.processes * self.edits
        )

    def summary(self) -> str:
        failures = ", ".join(f"{k} {v}" for k, v in sorted(self.failures.items())) or "0"
        imports = (
            f"; import rounds {self.import_rounds} ({self.imports_applied} applied, "
            f"{self.imports_conflicting} refused as conflicts, {self.imports_refused} otherwise, "
            f"max {max(self.import_seconds, default=0):.1f} s)"
            if self.import_rounds
            else ""
        )
        briefs = (
            f"; PDF briefs {self.briefs} (max {max(self.brief_seconds, default=0):.1f} s)"
            if self.briefs
            else ""
        )
        return (
            f"{self.processes} × {self.edits} edits of {self.projects} projects in "
            f"{self.seconds:.1f} s: {self.saved} saved, {self.gave_up} given up, "
            f"{self.not_started} not started; {self.attempts} attempts, {self.conflicts} "
            f"conflicts, {self.retries} retries; {self.waits} waits > {WAITED_S:g} s "
            f"({self.wait_seconds:.1f} s, longest {self.max_write_seconds:.2f} s); failures "
            f"{failures}; lost updates {self.lost_updates}, lost import rounds "
            f"{self.lost_import_updates}{imports}{briefs}"
        )


def prepare_projects(url: str, count: int) -> list[int]:
    """``count`` projects led by STW with :data:`PARTNER_KEY` as partner (cash contribution
    :data:`CASH_START`), in a migrated and seeded database; their ids."""
    from db.engine import make_engine, make_session_factory
    from db.enums import ChangeSource, Role
    from portfolio.policy import Principal, set_principal
    from portfolio.services import organisations, participations
    from tests.factories import make_project

    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            set_principal(session, Principal("race-setup", Role.ADMIN, source=ChangeSource.SYSTEM))
            partner = organisations.get_by_key(session, PARTNER_KEY).id
            ids = []
            for n in range(count):
                project = make_project(session, title=f"Wettlauf {n + 1}")
                participations.create(
                    session,
                    {
                        "project_id": project.id,
                        "organisation_id": partner,
                        "role": "partner",
                        "contribution_cash": CASH_START,
                    },
                )
                ids.append(project.id)
            return ids
    finally:
        engine.dispose()


def _failure(counts: dict[str, Any], where: str, exc: BaseException) -> None:
    name = type(exc).__name__
    counts["failures"][name] = counts["failures"].get(name, 0) + 1
    if len(counts["samples"]) < 3:
        counts["samples"].append(f"{where}: {name}: {str(exc)[:300]}")


# Long on purpose: one racing worker process, its loop of service writes and what it reports, in
# one place.
def _service_writer(
    url: str,
    project_ids: list[int],
    number: int,
    edits: int,
    seconds: float,
    max_retries: int,
    ready: Any,
    go: Any,
    out: Any,
) -> None:
    """``edits`` increments (+1 € total cost) of the projects in turn, each read afresh and
    retried on a conflict up to ``max_retries`` times; reports its counts."""
    counts: dict[str, Any] = {
        "saved": 0,
        "gave_up": 0,
        "not_started": 0,
        "attempts": 0,
        "conflicts": 0,
        "retries": 0,
        "waits": 0,
        "wait_seconds": 0.0,
        "write_seconds": 0.0,
        "max_write_seconds": 0.0,
        "by_project": {},
        "failures": {},
        "samples": [],
    }
    try:
        from db.engine import make_engine, make_session_factory
        from db.enums import Role
        from portfolio.errors import ConflictError
        from portfolio.policy import Principal, set_principal
        from portfolio.services import projects
        from portfolio.services.base import unit_of_work

        engine = make_engine(url)
        reader = make_session_factory(engine, read_only=True)
        writer = make_session_factory(engine)
        actor = Principal(f"writer-{number}", Role.ADMIN)
        with reader() as session:  # connect before the start: the race is about the edits
            set_principal(session, actor)
            projects.get(session, project_ids[0])
    except BaseException as exc:
        _failure(counts, f"writer {number} setup", exc)
        ready.put(number)
        out.put(("writer", counts))
        return
    ready.put(number)
    go.wait(WAIT_S)
    deadline = time.monotonic() + seconds
    try:
        for i in range(edits):
            if time.monotonic() > deadline:
                counts["not_started"] = edits - i
                break
            project_id = project_ids[(number + i) % len(project_ids)]
            for attempt in range(max_retries + 1):
                if attempt:
                    counts["retries"] += 1
                with reader() as session:  # the fresh read: the version and the cost now
                    set_principal(session, actor)
                    project = projects.get(session, project_id)
                    seen, cost = project.version, project.total_cost or Decimal(0)
                    session.rollback()
                change = {"total_cost": cost + 1}
                counts["attempts"] += 1
                started = time.perf_counter()
                try:
                    if attempt % 2 == 0:  # as the service layer's callers write
                        with unit_of_work(writer, actor) as session:
                            projects.update(session, project_id, change, expected_version=seen)
                    else:  # as a plain `with session.begin():` block (the dashboard, the CLI)
                        with writer() as session:
                            set_principal(session, actor)
                            with session.begin():
                                projects.update(session, project_id, change, expected_version=seen)
                    saved = True
                except ConflictError:
                    counts["conflicts"] += 1
                    saved = False
                except Exception as exc:  # counted, never a traceback; the edit is not retried
                    _failure(counts, f"writer {number}", exc)
                    break
                finally:
                    took = time.perf_counter() - started
                    counts["write_seconds"] += took
                    counts["max_write_seconds"] = max(counts["max_write_seconds"], took)
                    if took > WAITED_S:
                        counts["waits"] += 1
                        counts["wait_seconds"] += took
                if saved:
                    counts["saved"] += 1
                    counts["by_project"][project_id] = counts["by_project"].get(project_id, 0) + 1
                    break
            else:
                counts["gave_up"] += 1
        engine.dispose()
    except BaseException as exc:
        _failure(counts, f"writer {number}", exc)
    out.put(("writer", counts))


def partner_round(data: bytes, partner_key: str, step: Decimal, summary: str | None) -> bytes:
    """The partner's workbook with its cash contribution raised by ``step`` in each of its
    participations and, if ``summary``, that summary on every project, as typed in Excel."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    sheets = [("Beteiligungen", "Beitrag (Geld)")] + ([("Projekte", "")] if summary else [])
    for title, header in sheets:
        ws = wb[title]
        cols = {c.value: c.column for c in ws[1] if c.value}
        for row in ws.iter_rows(min_row=2):
            if not row[0].value:
                continue
            if title == "Projekte":
                cell = ws.cell(row=row[0].row, column=cols["Kurzbeschreibung"])
                cell.value, cell.data_type = summary, "s"
                continue
            # the cell reads "STW – Stadtwerke Bochum": the key before the dash
            organisation = str(ws.cell(row=row[0].row, column=cols["Organisation"]).value or "")
            if organisation.split(" – ")[0] != partner_key:
                continue
            cell = ws.cell(row=row[0].row, column=cols[header])
            value = Decimal(str(cell.value)) + step
            assert value == value.to_integral_value(), value
            cell.value = int(value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _import_rounds(
    url: str, seconds: float, pause_s: float, ready: Any, go: Any, stop: Any, out: Any
) -> None:
    """Until the writers are done (at least once): the partner exports its workbook, raises its
    contributions (every other round also rewrites the projects' summaries, rows the writers
    keep changing) and imports it. Reports each round's outcome."""
    counts: dict[str, Any] = {
        "rounds": 0,
        "applied": 0,
        "conflicting": 0,
        "refused": 0,
        "seconds": [],
        "failures": {},
        "samples": [],
    }
    try:
        from db.engine import make_engine, make_session_factory
        from db.enums import Role
        from portfolio.exchange.export import export_partner_workbook
        from portfolio.exchange.importer import import_workbook
        from portfolio.policy import Principal, set_principal
        from portfolio.services import organisations

        engine = make_engine(url)
        factory = make_session_factory(engine)
        with make_session_factory(engine, read_only=True)() as session:
            set_principal(session, Principal("race-setup", Role.ADMIN))
            org = organisations.get_by_key(session, PARTNER_KEY)
            partner = Principal(
                f"{PARTNER_KEY.lower()}.partner",
                Role.PARTNER,
                organisation_id=org.id,
                organisation_key=org.key,
            )
    except BaseException as exc:
        _failure(counts, "import setup", exc)
        ready.put("import")
        out.put(("import", counts))
        return
    ready.put("import")
    go.wait(WAIT_S)
    deadline = time.monotonic() + seconds
    try:
        while counts["rounds"] == 0 or not (stop.is_set() or time.monotonic() > deadline):
            counts["rounds"] += 1
            number = counts["rounds"]
            started = time.perf_counter()
            try:
                with factory() as session, session.begin():  # the export is audited
                    set_principal(session, partner)
                    data = export_partner_workbook(session).data
                summary = f"Rückmeldung Runde {number}" if number % 2 == 0 else None
                result = import_workbook(
                    factory,
                    partner_round(data, PARTNER_KEY, CASH_STEP, summary),
                    principal=partner,
                    file_name=f"runde-{number}.xlsx",
                )
                if result.applied:
                    counts["applied"] += 1
                elif result.conflicts and not result.errors:
                    counts["conflicting"] += 1
                else:
                    counts["refused"] += 1
                    if len(counts["samples"]) < 3:
                        problems = [e.message for e in result.errors]
                        counts["samples"].append(f"import round {number}: {problems[:3]}")
            except Exception as exc:
                _failure(counts, f"import round {number}", exc)
            counts["seconds"].append(time.perf_counter() - started)
            time.sleep(pause_s)
        engine.dispose()
    except BaseException as exc:
        _failure(counts, "import", exc)
    out.put(("import", counts))


def _brief_rounds(url: str, seconds: float, ready: Any, go: Any, stop: Any, out: Any) -> None:
    """Until the writers are done (at least once): the CDO brief, built and rendered as PDF."""
    counts: dict[str, Any] = {"briefs": 0, "seconds": [], "failures": {}, "samples": []}
    try:
        from db.engine import make_engine, make_session_factory
        from db.enums import Role
        from portfolio.policy import Principal, set_principal
        from reports.brief import build_brief
        from reports.pdf import render_pdf

        engine = make_engine(url)
        reader = make_session_factory(engine, read_only=True)
        actor = Principal("cdo-brief", Role.LEADERSHIP)
    except BaseException as exc:
        _failure(counts, "brief setup", exc)
        ready.put("brief")
        out.put(("brief", counts))
        return
    ready.put("brief")
    go.wait(WAIT_S)
    deadline = time.monotonic() + seconds
    try:
        while counts["briefs"] == 0 or not (stop.is_set() or time.monotonic() > deadline):
            started = time.perf_counter()
            try:
                with reader() as session:
                    set_principal(session, actor)
                    brief = build_brief(session, actor=actor.name)
                    session.rollback()  # as the CLI: release the database before rendering
                pdf = render_pdf(brief)
                if not pdf.startswith(b"%PDF"):
                    raise ValueError("the brief is no PDF")
                counts["briefs"] += 1
            except Exception as exc:
                _failure(counts, "brief", exc)
                if len(counts["failures"]) and sum(counts["failures"].values()) > 3:
                    break
            counts["seconds"].append(time.perf_counter() - started)
        engine.dispose()
    except BaseException as exc:
        _failure(counts, "brief", exc)
    out.put(("brief", counts))


# Long on purpose: one race set up, run and judged in order.
def service_race(
    url: str,
    *,
    processes: int = 8,
    edits: int = 50,
    projects: int = 3,
    seconds: float = 300,
    max_retries: int = 200,
    partner_import: bool = True,
    brief: bool = True,
    import_pause_s: float = 0.2,
) -> ServiceRaceResult:
    """``processes`` writers × ``edits`` increments of ``projects`` shared projects through the
    services, retrying conflicts with a fresh read, while (optionally) the partner imports its
    workbook round after round and the CDO brief is built as PDF; stops starting edits after
    ``seconds``. The final total costs, the journal and the partner's contributions are then
    checked against what the processes report as saved and applied."""
    project_ids = prepare_projects(url, projects)
    initial = _totals(url, project_ids)
    ctx = mp.get_context("spawn")
    ready, out, go, stop = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Event()
    workers = [
        ctx.Process(
            target=_service_writer,
            args=(url, project_ids, n, edits, seconds, max_retries, ready, go, out),
            daemon=True,
        )
        for n in range(processes)
    ]
    others = []
    if partner_import:  # not a daemon: the import reads the workbook in a child process
        others.append(
            ctx.Process(
                target=_import_rounds, args=(url, seconds, import_pause_s, ready, go, stop, out)
            )
        )
    if brief:
        others.append(ctx.Process(target=_brief_rounds, args=(url, seconds, ready, go, stop, out)))
    result = ServiceRaceResult(processes, edits, projects)
    pending = {"writer": len(workers), "import": int(partner_import), "brief": int(brief)}
    try:
        start_workers([*workers, *others], ready)
        started = time.perf_counter()
        go.set()
        limit = time.monotonic() + seconds + WAIT_S
        while any(pending.values()):
            what, counts = out.get(timeout=max(1.0, limit - time.monotonic()))
            pending[what] -= 1
            if what == "writer" and pending["writer"] == 0:
                result.seconds = time.perf_counter() - started
                stop.set()
            result.failures.update(counts["failures"])
            result.samples += counts["samples"]
            if what == "writer":
                for name in (
                    "saved",
                    "gave_up",
                    "not_started",
                    "attempts",
                    "conflicts",
                    "retries",
                    "waits",
                ):
                    setattr(result, name, getattr(result, name) + counts[name])
                result.wait_seconds += counts["wait_seconds"]
                result.write_seconds += counts["write_seconds"]
                result.max_write_seconds = max(
                    result.max_write_seconds, counts["max_write_seconds"]
                )
                result.saved_by_project.update(counts["by_project"])
            elif what == "import":
                result.import_rounds = counts["rounds"]
                result.imports_applied = counts["applied"]
                result.imports_conflicting = counts["conflicting"]
                result.imports_refused = counts["refused"]
                result.import_seconds = counts["seconds"]
            else:
                result.briefs = counts["briefs"]
                result.brief_seconds = counts["seconds"]
    except queue.Empty:
        result.failures["process did not report"] += sum(pending.values())
    finally:
        stop.set()
        stop_workers([*workers, *others])
    _check_service_race(url, project_ids, initial, result)
    return result


def _totals(url: str, project_ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """Per project its total cost and the partner's cash contribution."""
    from sqlalchemy import select

    from db.engine import make_engine, make_session_factory
    from db.models import Organisation, Participation, Project

    engine = make_engine(url)
    try:
        with make_session_factory(engine, read_only=True)() as session:
            rows = session.execute(
                select(Project.id, Project.total_cost, Participation.contribution_cash)
                .join(Participation, Participation.project_id == Project.id)
                .join(Organisation, Organisation.id == Participation.organisation_id)
                .where(Project.id.in_(project_ids), Organisation.key == PARTNER_KEY)
            ).all()
            return {pid: (cost or Decimal(0), cash or Decimal(0)) for pid, cost, cash in rows}
    finally:
        engine.dispose()


def _check_service_race(
    url: str,
    project_ids: list[int],
    initial: dict[int, tuple[Decimal, Decimal]],
    result: ServiceRaceResult,
) -> None:
    from sqlalchemy import func, select

    from db.engine import make_engine, make_session_factory
    from db.enums import JournalAction
    from db.models import JournalChange, JournalEntry

    final = _totals(url, project_ids)
    engine = make_engine(url)
    try:
        with make_session_factory(engine, read_only=True)() as session:
            journaled = dict(
                session.execute(
                    select(JournalEntry.entity_id, func.count(func.distinct(JournalEntry.id)))
                    .join(JournalChange, JournalChange.entry_id == JournalEntry.id)
                    .where(
                        JournalEntry.entity == "project",
                        JournalEntry.entity_id.in_(project_ids),
                        JournalEntry.action == JournalAction.UPDATE,
                        JournalEntry.actor.like("writer-%"),
                        JournalChange.field == "total_cost",
                    )
                    .group_by(JournalEntry.entity_id)
                ).all()
            )
    finally:
        engine.dispose()
    for pid in project_ids:
        saved = result.saved_by_project[pid]
        by_cost = saved - int(final[pid][0] - initial[pid][0])
        by_journal = saved - journaled.get(pid, 0)
        result.lost_updates += max(abs(by_cost), abs(by_journal))
        by_cash = result.imports_applied * CASH_STEP - (final[pid][1] - initial[pid][1])
        result.lost_import_updates += abs(int(by_cash / CASH_STEP))
