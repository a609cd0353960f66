"""Server-side render time of each dashboard page (AppTest, warm process).

Usage:
    .venv/bin/portfolio --db sqlite:////tmp/syn10k.db demo --synthetic 10000   # once
    .venv/bin/python bench/bench_pages.py [--db sqlite:////tmp/syn10k.db] [--runs 5]

For every page it prints the median of ``--runs`` renders in two states:
  - "cold cache": data caches emptied before each render (what the first visitor after a
    change waits for: every figure is queried from the database);
  - "warm cache": the same page rendered again (caches hit).
A render is a full run of the page's script in a session that is already open (the AppTest
harness's own start-up, about 0.25 s per new AppTest, is not counted).
Targets (issue 3): Übersicht < 1.0 s, Projekte < 1.5 s, Projekt detail < 0.5 s — checked
against the cold-cache numbers, the stricter of the two.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# Long on purpose: one benchmark run read top to bottom (set-up, each page's timing, the table it
# prints).
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="sqlite:////tmp/syn10k.db")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--project", default="SYN-05000", help="project key for the detail page")
    args = parser.parse_args()
    os.environ["PORTFOLIO_DATABASE_URL"] = args.db
    logging.getLogger("streamlit").setLevel(logging.ERROR)

    import streamlit as st
    from sqlalchemy import func, select
    from streamlit.testing.v1 import AppTest

    from db.engine import make_engine
    from db.enums import Role
    from db.models import Project
    from portfolio.policy import Principal
    from portfolio.ui.runtime import PRINCIPAL_KEY

    engine = make_engine(args.db)
    with engine.connect() as conn:
        projects = conn.execute(select(func.count()).select_from(Project)).scalar_one()
    engine.dispose()

    cases: list[tuple[str, float | None, str | None, dict[str, str]]] = [
        ("Übersicht", 1.0, None, {}),
        ("Übersicht, Leitthema 2", 1.0, None, {"thema": "2"}),
        ("Projekte", 1.5, "register", {}),
        (
            "Projekte, gefiltert und sortiert",
            1.5,
            "register",
            {
                "thema": "1",
                "status": "implementation",
                "sortierung": "funding_approved",
                "absteigend": "1",
            },
        ),
        ("Projekte, Suche", 1.5, "register", {"suche": "mobil"}),
        ("Projekt detail (Stammdaten)", 0.5, "project", {"projekt": args.project}),
        (
            "Projekt detail (Förderung)",
            0.5,
            "project",
            {"projekt": args.project, "bereich": "foerderung"},
        ),
        (
            "Projekt detail (Journal)",
            0.5,
            "project",
            {"projekt": args.project, "bereich": "journal"},
        ),
        ("Zeitplan", None, "timeline", {}),
        ("Partner", None, "partners", {"partner": "STW"}),
        ("Förderung", None, "funding", {}),
        ("Datenqualität", None, "quality", {}),
    ]

    def open_app(page: str | None, query: dict[str, str]) -> AppTest:
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
        at.session_state[PRINCIPAL_KEY] = Principal("bench", Role.ADMIN)  # signed in
        at.query_params.update(query)
        at.run()  # the app opens on the Übersicht; then the page is chosen
        if page is not None:
            at.switch_page(f"portfolio/ui/entry/{page}.py")
            at.query_params.update(query)
            at.run()
        return at

    def render(at: AppTest, *, cold: bool) -> float:
        """One full server-side run of the page's script (what a rerun or a reload costs)."""
        if cold:
            st.cache_data.clear()
        started = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - started
        if at.exception or at.error:
            raise SystemExit(f"{[e.value for e in [*at.exception, *at.error]]}")
        return elapsed

    # Warm the process: imports, engine, plotly, pandas.
    for _, _, page, query in cases:
        render(open_app(page, query), cold=True)

    print(
        f"Database: {args.db} ({projects:,} projects); median of {args.runs} renders\n".replace(
            ",", "."
        )
    )
    print(f"{'Page':<36} {'cold cache':>11} {'warm cache':>11}  target")
    failed = False
    for title, target, page, query in cases:
        at = open_app(page, query)
        cold, warm = [], []
        for _ in range(args.runs):
            cold.append(render(at, cold=True))
            warm.append(render(at, cold=False))
        c, w = statistics.median(cold), statistics.median(warm)
        verdict = ""
        if target is not None:
            ok = c < target
            failed |= not ok
            verdict = f"< {target:.1f} s {'ok' if ok else 'MISSED'}"
        print(f"{title:<36} {c:>9.3f} s {w:>9.3f} s  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
