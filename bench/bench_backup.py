"""Backup, restore and verify at scale (issue 15): seconds and file size per database.

For each ``--db`` (a synthetic portfolio, e.g. the databases ``bench/bench_scale.py`` keeps):
``portfolio backup`` into a temporary folder, ``portfolio restore`` into a new empty database of
the same engine (a new SQLite file, or a new PostgreSQL database on the same server, dropped
afterwards), and ``portfolio verify`` of the original; each as a whole process, as an operator
runs it. Prints rows, file size and seconds; the restore's own check (counts and fingerprint
equal the manifest's) must pass.

Usage: ``python bench/bench_backup.py --db sqlite:////tmp/syn10k.db
--db postgresql+psycopg://postgres@127.0.0.1:5432/scale_pg_100000``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PORTFOLIO = str(Path(sys.executable).with_name("portfolio"))


def timed(*args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run([PORTFOLIO, *args], capture_output=True, text=True, check=False, cwd=ROOT)
    return time.perf_counter() - started, done


def fresh_target(url: str, folder: Path) -> tuple[str, str | None]:
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        return f"sqlite:///{folder / 'restored.db'}", None
    name = f"portfolio_bench_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False), name


def drop(url: str, name: str | None) -> None:
    if name is None:
        return
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", action="append", required=True, help="database URL (repeat)")
    args = parser.parse_args()
    os.environ.setdefault("PORTFOLIO_USER", "bench")
    print("| database | projects | rows | file | backup | restore (with its check) | verify |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    failed = False
    for url in args.db:
        with tempfile.TemporaryDirectory(prefix="bench-backup-") as work:
            folder = Path(work)
            file = folder / "portfolio.backup"
            made, done = timed("--db", url, "backup", str(file))
            if done.returncode != 0:
                print(f"backup of {url} failed: {done.stderr.strip()}", file=sys.stderr)
                failed = True
                continue
            with zipfile.ZipFile(file) as archive:
                manifest = json.loads(archive.read("manifest.json"))
            target, name = fresh_target(url, folder)
            try:
                back, done = timed("--db", target, "restore", str(file))
                if done.returncode != 0:
                    print(f"restore failed: {done.stderr.strip()}", file=sys.stderr)
                    failed = True
            finally:
                drop(url, name)
            checked, done = timed("--db", url, "verify")
            if done.returncode != 0:
                print(f"verify of {url} found: {done.stdout.strip()}", file=sys.stderr)
                failed = True
            rows = sum(manifest["tables"].values())
            projects = manifest["tables"].get("project", 0)
            size = file.stat().st_size / 2**20
            engine = "SQLite" if manifest["engine"] == "sqlite" else "PostgreSQL"
            print(
                f"| {engine} | {projects:,} | {rows:,} | {size:,.1f} MB | {made:.1f} s "
                f"| {back:.1f} s | {checked:.1f} s |"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
