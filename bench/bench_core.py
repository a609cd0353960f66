"""Core benchmark (issue 2): `portfolio demo --synthetic 10000` and `portfolio summary`.

Times the real commands as a user runs them (process start included) on a fresh SQLite file,
and on PostgreSQL when PORTFOLIO_TEST_POSTGRES_URL is set. Targets: demo < 60 s, summary < 1 s.

    .venv/bin/python bench/bench_core.py [--projects 10000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

EXE = str(Path(sys.executable).parent / "portfolio")


def timed(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([EXE, *args], check=True, capture_output=True)
    return time.perf_counter() - started


def bench(url: str, projects: int) -> dict[str, float]:
    demo = timed("--db", url, "demo", "--synthetic", str(projects), "--seed", "1")
    summaries = [timed("--db", url, "summary") for _ in range(5)]
    json_runs = [timed("--db", url, "summary", "--json") for _ in range(3)]
    return {
        "demo": demo,
        "summary": statistics.median(summaries),
        "summary_json": statistics.median(json_runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=10_000)
    args = parser.parse_args()
    results: list[tuple[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(("SQLite", bench(f"sqlite:///{Path(tmp) / 'bench.db'}", args.projects)))
    pg = os.environ.get("PORTFOLIO_TEST_POSTGRES_URL")
    if pg:
        name = f"portfolio_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(pg).set(database=name).render_as_string(hide_password=False)
            results.append(("PostgreSQL", bench(url, args.projects)))
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    print(f"projects: {args.projects}")
    print(f"{'database':<12} {'demo --synthetic':>18} {'summary':>10} {'summary --json':>16}")
    for name, r in results:
        print(
            f"{name:<12} {r['demo']:>16.1f} s {r['summary']:>8.2f} s {r['summary_json']:>14.2f} s"
        )
    ok = all(r["demo"] < 60 and r["summary"] < 1.0 for _, r in results)
    print("targets (demo < 60 s, summary < 1 s):", "met" if ok else "MISSED")


if __name__ == "__main__":
    main()
