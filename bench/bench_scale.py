"""Growth benchmark (issue 15): 1k, 10k and 100k synthetic projects on SQLite and PostgreSQL.

For every database and size it measures

- load: ``portfolio demo --synthetic N --seed 1`` (whole process; COPY on PostgreSQL);
- summary: ``portfolio summary`` (whole process, median of ``--runs``);
- pages: Übersicht, Projekte, Projekt, Förderung (and Partner, Datenqualität, Zeitplan),
  rendered server-side with AppTest in a warm process, the data caches cleared before each
  render (median of ``--runs``);
- exchange: one partner's workbook exported, then imported again (checks, diff, apply);
- brief: the CDO brief built and rendered as PDF and as Excel;

then prints every time and the growth factor per 10× of data (1.0 = constant, 10 = linear).
Targets: no step grows faster than linearly (factor ≤ 10 per 10×, with a margin for noise);
pages and summary < 1 s at 100k on PostgreSQL; the brief < 10 s.

    .venv/bin/python bench/bench_scale.py [--sizes 1000,10000,100000] [--backends sqlite,postgres]
        [--dir /tmp/scale] [--keep] [--runs 3] [--steps load,summary,pages,exchange,brief]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--drop]

``--keep`` reuses a database that already holds N synthetic projects (its load time is read
from the ``.load.json`` file written next to it when it was made), so reruns are cheap; without
it every database is made anew. PostgreSQL databases are called ``scale_pg_<N>`` on the server
of ``--pg-url`` (default: PORTFOLIO_TEST_POSTGRES_URL); ``--drop`` drops them at the end.
Each step runs in a process of its own, so one step's caches never help the next.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXE = str(Path(sys.executable).parent / "portfolio")
TODAY = "2026-11-26"
PAGES: tuple[tuple[str, str | None, dict[str, str]], ...] = (
    ("Übersicht", None, {}),
    ("Projekte", "register", {}),
    ("Projekt", "project", {"projekt": "SYN-00500"}),
    ("Förderung", "funding", {}),
    ("Partner", "partners", {"partner": "STW"}),
    ("Datenqualität", "quality", {}),
    ("Zeitplan", "timeline", {}),
)
TARGET_PAGES = ("Übersicht", "Projekte", "Projekt", "Förderung")
PARTNER = "STW"


def env() -> dict[str, str]:
    out = dict(os.environ)
    out.setdefault("PORTFOLIO_TODAY", TODAY)
    return out


def timed_cli(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([EXE, *args], check=True, capture_output=True, env=env())
    return time.perf_counter() - started


# --- workers (run in a child process each) ----------------------------------------------------


def work_pages(url: str, runs: int) -> dict[str, float]:
    import logging

    os.environ["PORTFOLIO_DATABASE_URL"] = url
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from db.enums import Role
    from portfolio.policy import Principal
    from portfolio.ui.runtime import PRINCIPAL_KEY

    def open_app(page: str | None, query: dict[str, str]) -> AppTest:
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=600)
        at.session_state[PRINCIPAL_KEY] = Principal("bench", Role.ADMIN)
        at.query_params.update(query)
        at.run()
        if page is not None:
            at.switch_page(f"portfolio/ui/entry/{page}.py")
            at.query_params.update(query)
            at.run()
        return at

    def render(at: AppTest) -> float:
        st.cache_data.clear()
        started = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - started
        if at.exception or at.error:
            raise SystemExit(f"{[e.value for e in [*at.exception, *at.error]]}")
        return elapsed

    out: dict[str, float] = {}
    apps = {title: open_app(page, query) for title, page, query in PAGES}  # warms the process
    for title, at in apps.items():
        out[title] = statistics.median(render(at) for _ in range(runs))
    return out


def work_exchange(url: str, runs: int) -> dict[str, float]:
    from db.engine import make_engine, make_session_factory
    from db.enums import Role
    from portfolio.exchange.export import export_workbook
    from portfolio.exchange.importer import import_workbook
    from portfolio.exchange.state import Scope
    from portfolio.policy import Principal, set_principal

    who = Principal("bench", Role.ADMIN)
    factory = make_session_factory(make_engine(url))
    exports, imports = [], []
    data = b""
    for _ in range(runs):
        started = time.perf_counter()
        with factory() as session, session.begin():
            set_principal(session, who)
            data = export_workbook(session, scope=Scope(partner=PARTNER)).data
        exports.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = import_workbook(factory, data, principal=who, file_name="partner.xlsx")
        imports.append(time.perf_counter() - started)
        if not result.ok:
            raise SystemExit(f"import failed: {[e.to_json() for e in result.errors[:5]]}")
    return {
        "export": statistics.median(exports),
        "import": statistics.median(imports),
        "workbook MB": len(data) / 1e6,
    }


def work_brief(url: str, runs: int) -> dict[str, float]:
    from db.engine import make_engine, make_session_factory
    from db.enums import Role
    from portfolio.policy import Principal, set_principal
    from reports.brief import build_brief
    from reports.pdf import render_pdf
    from reports.xlsx import render_xlsx

    who = Principal("bench", Role.ADMIN)
    factory = make_session_factory(make_engine(url))
    out: dict[str, list[float]] = {"brief PDF": [], "brief Excel": []}
    for _ in range(runs):
        for name, render in (("brief PDF", render_pdf), ("brief Excel", render_xlsx)):
            started = time.perf_counter()
            with factory() as session:
                set_principal(session, who)
                brief = build_brief(session, actor="bench")
            render(brief)
            out[name].append(time.perf_counter() - started)
    return {k: statistics.median(v) for k, v in out.items()}


WORKERS = {"pages": work_pages, "exchange": work_exchange, "brief": work_brief}


def run_worker(step: str, url: str, runs: int) -> dict[str, float]:
    """One step in a process of its own; a failure is printed and leaves the step out."""
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", step, "--url", url, "--runs", str(runs)],
        capture_output=True,
        text=True,
        env=env(),
    )
    if proc.returncode != 0:
        print(f"  {step} FAILED:\n{proc.stderr[-3000:]}", flush=True)
        return {}
    result = dict(json.loads(proc.stdout.strip().splitlines()[-1]))
    print("  " + ", ".join(f"{k} {v:.2f}" for k, v in result.items()), flush=True)
    return result


# --- databases ------------------------------------------------------------------------------


def project_count(url: str) -> int | None:
    from sqlalchemy import text

    from db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM project")).scalar_one())
    except Exception:
        return None
    finally:
        engine.dispose()


def pg_admin(pg_url: str, sql: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(sql))
    finally:
        admin.dispose()


def database(backend: str, size: int, args: argparse.Namespace) -> tuple[str, float | None]:
    """The URL of the database for ``backend`` and ``size`` and its load time."""
    from sqlalchemy.engine import make_url

    meta = args.dir / f"{backend}_{size}.load.json"
    if backend == "sqlite":
        path = args.dir / f"sqlite_{size}.db"
        url = f"sqlite:///{path}"
    else:
        name = f"scale_pg_{size}"
        url = make_url(args.pg_url).set(database=name).render_as_string(hide_password=False)
    if args.keep and project_count(url) == size:
        timed_cli("--db", url, "db", "upgrade")  # new migrations (indexes) on a kept database
        load = json.loads(meta.read_text())["load"] if meta.exists() else None
        return url, load
    if backend == "sqlite":
        path.unlink(missing_ok=True)
    else:
        pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg_admin(args.pg_url, f'CREATE DATABASE "{name}"')
    load = timed_cli("--db", url, "demo", "--synthetic", str(size), "--seed", "1")
    meta.write_text(json.dumps({"load": load}))
    return url, load


# --- report ---------------------------------------------------------------------------------


def growth(values: list[float | None]) -> str:
    """Growth per 10× of data between the first and last measured size."""
    known = [v for v in values if v]
    if len(known) < 2:
        return "–"
    factor = (known[-1] / known[0]) ** (1 / (len(known) - 1))
    return f"{factor:.1f}×"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/scale"))
    parser.add_argument("--keep", action="store_true", help="reuse databases of the right size")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--steps", default="load,summary,pages,exchange,brief")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "PORTFOLIO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--drop", action="store_true", help="drop the PostgreSQL databases")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.url, args.runs)))
        return 0

    sizes = [int(s) for s in args.sizes.split(",")]
    backends = args.backends.split(",")
    steps = set(args.steps.split(","))
    args.dir.mkdir(parents=True, exist_ok=True)
    table: dict[str, dict[str, dict[int, float | None]]] = {}
    for backend in backends:
        rows: dict[str, dict[int, float | None]] = {}
        table[backend] = rows
        for size in sizes:
            url, load = database(backend, size, args)
            if "load" in steps:
                rows.setdefault("load", {})[size] = load
            print(f"{backend} {size}: load {load and round(load, 1)} s", flush=True)
            if "summary" in steps:
                runs = [timed_cli("--db", url, "summary") for _ in range(args.runs)]
                rows.setdefault("summary", {})[size] = statistics.median(runs)
            for step in ("pages", "exchange", "brief"):
                if step in steps:
                    for name, seconds in run_worker(step, url, args.runs).items():
                        rows.setdefault(name, {})[size] = seconds
            print(
                "  " + ", ".join(f"{k} {v[size]:.2f}" for k, v in rows.items() if v.get(size)),
                flush=True,
            )
        if backend == "postgres" and args.drop:
            for size in sizes:
                pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "scale_pg_{size}" WITH (FORCE)')

    print()
    head = " | ".join(f"{s:,}".replace(",", ".") for s in sizes)
    print(f"| database | step | {head} | growth per 10× | target |")
    print("|---|---|" + "---:|" * len(sizes) + "---:|---|")
    failed = False
    for backend, rows in table.items():
        for name, by_size in rows.items():
            values = [by_size.get(s) for s in sizes]
            cells = " | ".join("–" if v is None else _fmt(name, v) for v in values)
            verdict = _verdict(backend, name, sizes, values)
            failed |= "MISSED" in verdict
            print(f"| {backend} | {name} | {cells} | {growth(values)} | {verdict} |")
    return 1 if failed else 0


def _fmt(name: str, value: float) -> str:
    return f"{value:.1f}" if name == "workbook MB" else f"{value:.2f} s"


def _verdict(backend: str, name: str, sizes: list[int], values: list[float | None]) -> str:
    notes = []
    known = [(s, v) for s, v in zip(sizes, values, strict=True) if v]
    if len(known) >= 2 and name != "workbook MB":
        (s0, v0), (s1, v1) = known[0], known[-1]
        exponent = math.log(v1 / v0) / math.log(s1 / s0)
        notes.append(f"≤ linear {'ok' if exponent <= 1.1 else 'MISSED'}")
    last = dict(known).get(100_000)
    if last is not None and backend == "postgres" and (name in TARGET_PAGES or name == "summary"):
        notes.append(f"< 1 s {'ok' if last < 1 else 'MISSED'}")
    if last is not None and name.startswith("brief"):
        notes.append(f"< 10 s {'ok' if last < 10 else 'MISSED'}")
    return ", ".join(notes)


if __name__ == "__main__":
    raise SystemExit(main())
