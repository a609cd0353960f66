"""Excel exchange speed against plain pandas/openpyxl, measured in the same run.

Builds a synthetic portfolio of N projects (default 10,000, with milestones, funding lines,
payment requests, participations and KPI measurements) in a temporary SQLite database, then
prints the seconds of:

- our export (XlsxWriter, with styles, dropdowns, protection) vs a plain ``DataFrame.to_excel``
  (openpyxl) of the same tables;
- a plain ``pandas.read_excel(engine="openpyxl")`` of every sheet of the exported workbook vs our
  dry-run import and our applied import of a modified copy (so the applied import really writes:
  about 1 in 10 projects and measurements and every open milestone changed).

Targets (issue 4): dry run ≤ 0.5 × pandas read; applied ≤ 1.0 × pandas read; export ≤ 1.0 ×
pandas write. Usage: ``python bench/bench_exchange.py [--projects N] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
import python_calamine
import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from db.engine import make_engine, make_session_factory  # noqa: E402
from db.enums import Role  # noqa: E402
from portfolio import clock  # noqa: E402
from portfolio.cli import main as portfolio_main  # noqa: E402
from portfolio.exchange.export import export_workbook  # noqa: E402
from portfolio.exchange.importer import import_workbook  # noqa: E402
from portfolio.exchange.schema import SHEETS  # noqa: E402
from portfolio.policy import Principal, set_principal  # noqa: E402

TODAY = clock.today()


def timed(label: str, fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - started
    print(f"  {label:<52} {seconds:8.2f} s", flush=True)
    return seconds, value


def modified_copy(data: bytes) -> tuple[bytes, int]:
    """The workbook's values with edits, written plainly (as another program would save it)."""
    wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    titles = {s.title_de: s for s in SHEETS}
    out = io.BytesIO()
    writer = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    date_fmt = writer.add_format({"num_format": "DD.MM.YYYY"})
    edits = 0
    for name in wb.sheet_names:
        if name not in titles and name != "_meta":
            continue
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        header = rows[0] if rows else []
        col = {h: i for i, h in enumerate(header)}
        for n, row in enumerate(rows[1:], start=1):
            if name == "Projekte" and n % 10 == 0:
                row[col["Verantwortlich"]] = f"Projektleitung {n}"
                edits += 1
            elif name == "Meilensteine" and row[col["Erledigt am"]] in ("", None):
                due = row[col["Fällig am"]]
                if isinstance(due, dt.date) and due <= TODAY:
                    row[col["Erledigt am"]] = due
                    edits += 1
            elif name == "Messwerte" and n % 10 == 0:
                row[col["Wert"]] = float(row[col["Wert"]]) + 1
                edits += 1
        ws = writer.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value in ("", None):
                    continue
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, value, date_fmt)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write(r, c, value)
    writer.close()
    return out.getvalue(), edits


BENCH = Principal("bench", Role.ADMIN)
"""Who the bench acts as: an administrator."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="keep the database and workbooks here")
    args = parser.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="bench-exchange-"))
    tmp.mkdir(parents=True, exist_ok=True)
    db_path = tmp / "bench.db"
    db_path.unlink(missing_ok=True)
    url = f"sqlite:///{db_path}"
    print(f"Excel exchange benchmark, {args.projects:,} projects ({tmp})")
    timed(
        "build synthetic portfolio (portfolio demo --synthetic)",
        lambda: portfolio_main(
            ["--db", url, "demo", "--synthetic", str(args.projects), "--seed", "1"]
        ),
    )
    engine = make_engine(url)
    factory = make_session_factory(engine)

    def our_export() -> Any:
        with factory() as session:
            set_principal(session, BENCH)
            return export_workbook(session)

    t_export, exported = timed("our export (XlsxWriter, styled, validated)", our_export)
    path = tmp / "export.xlsx"
    path.write_bytes(exported.data)
    cells = 0
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    frames: dict[str, pd.DataFrame] = {}
    for sheet in SHEETS:
        rows = book.get_sheet_by_name(sheet.title_de).to_python()
        frames[sheet.title_de] = pd.DataFrame(rows[1:], columns=rows[0])
        cells += len(rows) * len(rows[0])
    print(
        f"  workbook: {len(exported.data) / 1e6:.1f} MB, {sum(exported.rows.values()):,} rows, {cells:,} cells"
    )

    def pandas_write() -> None:
        with pd.ExcelWriter(tmp / "pandas.xlsx", engine="openpyxl") as writer:
            for name, frame in frames.items():
                frame.to_excel(writer, sheet_name=name, index=False)

    t_pwrite, _ = timed("plain DataFrame.to_excel (openpyxl), same tables", pandas_write)
    t_pread, _ = timed(
        "plain pandas.read_excel(engine='openpyxl'), every sheet",
        lambda: pd.read_excel(path, sheet_name=None, engine="openpyxl"),
    )
    modified, edits = modified_copy(exported.data)
    print(f"  modified copy: {edits:,} edited rows")
    run = lambda dry: import_workbook(  # noqa: E731
        factory, modified, file_name="modified.xlsx", principal=BENCH, dry_run=dry
    )
    t_dry, dry = timed("our dry-run import (calamine, checks, diff)", lambda: run(True))
    assert dry.ok and dry.updated == edits, (
        dry.updated,
        edits,
        [e.to_json() for e in dry.errors[:5]],
    )
    t_apply, applied = timed("our applied import (one transaction, journaled)", lambda: run(False))
    assert applied.applied and applied.updated == edits
    print()
    print("| measure | seconds | ratio | target |")
    print("|---|---:|---:|---|")
    print(f"| pandas.read_excel (openpyxl), every sheet | {t_pread:.2f} | 1.00 | |")
    print(
        f"| our dry-run import ({edits:,} changed rows) | {t_dry:.2f} | {t_dry / t_pread:.2f} | ≤ 0.50 × read |"
    )
    print(f"| our applied import | {t_apply:.2f} | {t_apply / t_pread:.2f} | ≤ 1.00 × read |")
    print(f"| DataFrame.to_excel (openpyxl) | {t_pwrite:.2f} | 1.00 | |")
    print(f"| our export | {t_export:.2f} | {t_export / t_pwrite:.2f} | ≤ 1.00 × write |")
    ok = t_dry <= 0.5 * t_pread and t_apply <= t_pread and t_export <= t_pwrite
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
