"""Times the CDO brief (PDF and Excel) on a `portfolio demo --synthetic 10000` database.

    .venv/bin/python bench/bench_reports.py [--projects 10000] [--runs 3] [--db URL]

Two cases:
* ``fresh``: the synthetic portfolio as generated today — 10,000 new projects in the
  "what changed" list, the reference figures rebuilt from the journal;
* ``history``: the same journal moved 400 days into the past, 200 edits through the services
  today, the reference date 30 days back — so the reference figures need the full rebuild of
  the past state (every row) from the journal.
Each run builds the brief and renders it (PDF, then Excel), as `portfolio report` does.
Target: each format under 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select, text

from db import migrate
from db.engine import make_engine, make_session_factory
from db.enums import ChangeSource, Role
from db.models import Project
from portfolio import clock
from portfolio.demo.synthetic import generate
from portfolio.policy import Principal, set_principal
from portfolio.seed import ensure_reference_data
from portfolio.services import projects
from reports.brief import build_brief
from reports.pdf import render_pdf
from reports.xlsx import render_xlsx

BENCH = Principal("bench", Role.ADMIN)
"""Who the bench acts as: an administrator."""


def prepare(url: str, count: int, *, history: bool) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        set_principal(session, Principal("bench", Role.ADMIN, source=ChangeSource.SYSTEM))
        ensure_reference_data(session)
        generate(session, count, seed=1)
    if history:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE journal_entry SET at = :at"),
                {"at": clock.utcnow() - dt.timedelta(days=400)},
            )
        with factory() as session, session.begin():
            set_principal(session, BENCH)
            for p in session.execute(select(Project).order_by(Project.id).limit(200)).scalars():
                projects.update(
                    session,
                    p.id,
                    {"total_cost": (p.total_cost or Decimal(0)) + Decimal("100.00")},
                    expected_version=p.version,
                )
    engine.dispose()


def time_case(url: str, since: dt.date, runs: int) -> dict[str, list[float]]:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    out: dict[str, list[float]] = {"build": [], "pdf": [], "xlsx": []}
    pages = 0
    for _ in range(runs):
        for kind in ("pdf", "xlsx"):
            started = time.perf_counter()
            with factory() as session:
                set_principal(session, BENCH)
                brief = build_brief(session, since=since, actor="bench")
            built = time.perf_counter()
            data = render_pdf(brief) if kind == "pdf" else render_xlsx(brief)
            done = time.perf_counter()
            out["build"].append(built - started)
            out[kind].append(done - started)
            if kind == "pdf":
                pages = data.count(b"/Type /Page\n") or data.count(b"/Type /Page")
    engine.dispose()
    out["pages"] = [float(pages)]
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    today = clock.today()
    with tempfile.TemporaryDirectory() as tmp:
        for case, history, since in (
            ("fresh", False, today - dt.timedelta(days=90)),
            ("history", True, today - dt.timedelta(days=30)),
        ):
            url = f"sqlite:///{Path(tmp) / (case + '.db')}"
            started = time.perf_counter()
            prepare(url, args.projects, history=history)
            print(
                f"{case}: database with {args.projects} projects in {time.perf_counter() - started:.1f} s"
            )
            result = time_case(url, since, args.runs)
            for key in ("build", "pdf", "xlsx"):
                values = result[key]
                print(
                    f"  {key:<5} median {statistics.median(values):5.2f} s  "
                    f"(min {min(values):.2f}, max {max(values):.2f}, n={len(values)})"
                )
            print(f"  PDF pages: {int(result['pages'][0])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
