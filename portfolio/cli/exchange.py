"""``portfolio export`` and ``portfolio import``: the Excel exchange with partner organisations.

Exit codes of ``import``: 0 applied (or a clean dry run), 1 rejected for errors or conflicts
(database untouched), 2 a file that can't or mustn't be read, or a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from db import migrate
from db.engine import make_session_factory
from portfolio.cli.core import engine_for
from portfolio.i18n import fmt_int

if TYPE_CHECKING:
    from portfolio.exchange.importer import ImportResult

# The exchange modules (openpyxl, calamine, XlsxWriter) are imported inside the handlers, so
# that other sub-commands such as `portfolio summary` start fast.


def register(sub: Any) -> None:
    exp = sub.add_parser("export", help="Arbeitsmappe für den Datenaustausch schreiben")
    exp.add_argument("out", metavar="OUT.xlsx", help="Zieldatei")
    exp.add_argument("--partner", metavar="ORG_KEY", help="nur die Projekte dieses Partners")
    exp.add_argument(
        "--project", action="append", metavar="KEY", help="nur diese Projekte (mehrfach möglich)"
    )
    exp.set_defaults(handler=cmd_export)

    imp = sub.add_parser("import", help="Arbeitsmappe prüfen und einlesen")
    imp.add_argument("file", metavar="FILE.xlsx", help="die zurückgesandte Arbeitsmappe")
    imp.add_argument("--partner", metavar="ORG_KEY", help="als Rücklauf dieses Partners einlesen")
    imp.add_argument("--dry-run", action="store_true", help="nur prüfen und Vorschau zeigen")
    imp.add_argument("--json", action="store_true", help="Ergebnis als JSON ausgeben")
    imp.add_argument(
        "--errors-out", metavar="ANNOTATED.xlsx", help="Fehler markiert in diese Datei schreiben"
    )
    imp.add_argument(
        "--limit",
        dest="diff_limit",
        type=int,
        default=50,
        help="höchstens so viele Änderungen und Fehler zeigen (Standard 50)",
    )
    imp.set_defaults(handler=cmd_import)


def _usage(message: str) -> Exception:
    from portfolio.cli import UsageError

    return UsageError(message)


def _check_db(args: argparse.Namespace) -> Any:
    engine = engine_for(args)
    if not migrate.is_up_to_date(engine):
        raise _usage(
            "Die Datenbank ist nicht auf dem neuesten Stand. Bitte zuerst `portfolio db upgrade`."
        )
    return engine


def cmd_export(args: argparse.Namespace) -> int:
    from portfolio.exchange.export import export_workbook
    from portfolio.exchange.state import Scope

    engine = _check_db(args)
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise _usage("Die Zieldatei muss auf .xlsx enden.")
    scope = Scope(partner=args.partner, project_keys=tuple(args.project) if args.project else None)
    with make_session_factory(engine, read_only=True)() as session:
        result = export_workbook(session, scope=scope, lang=args.lang)
    out.write_bytes(result.data)
    en = args.lang == "en"
    rows = ", ".join(f"{k}={fmt_int(v, args.lang)}" for k, v in result.rows.items())
    print(f"{'Wrote' if en else 'Geschrieben'}: {out} ({result.scope}; {rows})")
    return 0


def _print_result(result: ImportResult, lang: str, diff_limit: int) -> None:
    en = lang == "en"
    out = sys.stdout
    head = (
        ("Dry run" if en else "Probelauf")
        if result.dry_run
        else ("Applied" if en else "Übernommen")
        if result.applied
        else ("Rejected – nothing was changed" if en else "Abgelehnt – nichts wurde geändert")
    )
    print(f"{head}: {result.file_name} ({result.scope})", file=out)
    labels = (
        ("new", "changed", "unchanged", "conflicting", "invalid")
        if en
        else ("neu", "geändert", "unverändert", "Konflikte", "ungültig")
    )
    for sheet_id, c in result.counts.items():
        title = result.sheet_titles.get(sheet_id, sheet_id)
        values = (c.new, c.changed, c.unchanged, c.conflicting, c.invalid)
        parts = ", ".join(
            f"{name} {fmt_int(v, lang)}" for name, v in zip(labels, values, strict=True)
        )
        print(f"  {title:<22} {parts}", file=out)
    for notice in result.notices:
        print(f"  ℹ {notice}", file=out)
    if result.diffs:
        print("Changes:" if en else "Änderungen:", file=out)
        for d in result.diffs[:diff_limit]:
            print(f"  {d.sheet} {d.row} {d.key}: {d.column}: {d.old} → {d.new}", file=out)
        if len(result.diffs) > diff_limit:
            more = len(result.diffs) - diff_limit
            print(
                f"  … {'and' if en else 'und'} {fmt_int(more, lang)} {'more' if en else 'weitere'}",
                file=out,
            )
    for conflict in result.conflicts:
        print(
            f"  ⚠ {conflict.sheet} {'row' if en else 'Zeile'} {conflict.row}: {conflict.message}",
            file=sys.stderr,
        )
    for e in result.errors[:diff_limit]:
        where = f"{e.sheet} {'row' if en else 'Zeile'} {e.row}" if e.row else e.sheet
        print(f"  ✗ {where}: {e.message}", file=sys.stderr)
    if len(result.errors) > diff_limit:
        rest = fmt_int(len(result.errors) - diff_limit, lang)
        print(
            f"  … {rest} {'more errors (see --errors-out or --json)' if en else 'weitere Fehler (siehe --errors-out oder --json)'}",
            file=sys.stderr,
        )


def cmd_import(args: argparse.Namespace) -> int:
    from portfolio.exchange.annotate import annotate_errors
    from portfolio.exchange.importer import import_workbook
    from portfolio.exchange.safety import MAX_FILE_BYTES, UnreadableFile
    from portfolio.exchange.state import Scope

    path = Path(args.file)
    if not path.is_file():
        raise _usage(f"Datei nicht gefunden: {path}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise UnreadableFile(
            "too_large",
            size=f"{path.stat().st_size / 1e6:.1f}",
            limit=f"{MAX_FILE_BYTES / 1e6:.0f}",
        )
    if args.errors_out and Path(args.errors_out).suffix.lower() != ".xlsx":
        raise _usage("--errors-out muss auf .xlsx enden.")
    engine = _check_db(args)
    data = path.read_bytes()
    try:
        result = import_workbook(
            make_session_factory(engine),
            data,
            file_name=path.name,
            actor=args.user,
            scope=Scope(partner=args.partner),
            dry_run=args.dry_run,
            lang=args.lang,
        )
    except UnreadableFile as exc:
        if args.json:
            json.dump(
                {
                    "created": 0,
                    "updated": 0,
                    "unchanged": 0,
                    "conflicts": [],
                    "errors": [
                        {
                            "sheet": None,
                            "row": None,
                            "column": None,
                            "message": exc.message(args.lang),
                        }
                    ],
                    "applied": False,
                },
                sys.stdout,
                ensure_ascii=False,
                indent=2,
            )
            print()
        else:
            print(exc.message(args.lang), file=sys.stderr)
        return 2
    if args.errors_out and not result.ok:
        Path(args.errors_out).write_bytes(annotate_errors(data, result, lang=args.lang))
    if args.json:
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2, default=str)
        print()
    else:
        _print_result(result, args.lang, args.diff_limit)
        if args.errors_out and not result.ok:
            print(
                ("Annotated errors: " if args.lang == "en" else "Fehler markiert in: ")
                + args.errors_out
            )
    return 0 if result.ok else 1
