"""Operations: ``backup FILE``, ``restore FILE [--force]``, ``verify``.

They work on the database as a whole and run as the system, like ``db upgrade``: whoever can run
them on the server can read the database file anyway. The mechanics are :mod:`db.backup` and
:mod:`db.integrity`; this module words their results and refusals. Exit codes: 0 done (or whole);
1 a target that is not empty, or findings; 2 a file that is no backup of ours, damaged,
truncated, of another engine or schema head, or another usage error. Nothing is changed by a
refusal.
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from db.backup import BackupRefused, Progress, backup, restore
from db.integrity import verify
from portfolio.cli.core import engine_for
from portfolio.i18n import fmt_number, fmt_stamp, t

ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
REFUSED_TARGET = frozenset({"backup_target_not_empty", "backup_restore_mismatch"})


def register(sub: Any) -> None:
    make = sub.add_parser(
        "backup",
        help="die Datenbank im laufenden Betrieb sichern (SQLite-Sicherungs-API bzw. pg_dump)",
        description="Schreibt eine konsistente Sicherung der Datenbank in DATEI, auch während "
        "das Dashboard arbeitet: eine Zip-Datei mit dem Manifest (Schemastand, Zeilen je "
        "Tabelle, Prüfsummen) und der Kopie (SQLite) bzw. dem Abzug (pg_dump -Fc).",
    )
    make.add_argument("file", metavar="DATEI", type=Path, help="die Sicherungsdatei")
    make.set_defaults(handler=cmd_backup)

    back = sub.add_parser(
        "restore",
        help="eine Sicherung in eine leere Datenbank zurückspielen",
        description="Spielt DATEI in die Datenbank (--db) zurück. Verweigert eine Datei, die "
        "keine Sicherung des Portfolios ist, beschädigt oder abgeschnitten ist oder einen anderen "
        "Schemastand hat, und ein Ziel mit Inhalt (außer mit --force). Danach wird der Inhalt "
        "mit dem Manifest verglichen.",
    )
    back.add_argument("file", metavar="DATEI", type=Path, help="die Sicherungsdatei")
    back.add_argument(
        "--force", action="store_true", help="den Inhalt einer nicht leeren Datenbank ersetzen"
    )
    back.set_defaults(handler=cmd_restore)

    check = sub.add_parser(
        "verify",
        help="die Datenbank prüfen (Speicher, Verweise, Schemastand, Journal)",
        description="Prüft Speicher (SQLite integrity_check, PostgreSQL ungültige Indizes), alle "
        "Verweise zwischen Tabellen, den Schemastand und die Lückenlosigkeit des Journals.",
    )
    check.set_defaults(handler=cmd_verify)


def _refused(args: argparse.Namespace, exc: BackupRefused) -> int:
    params = {
        name: ENGINES.get(value, value) if name in ("engine", "file", "target") else value
        for name, value in exc.params.items()
    }
    print(t(exc.code, args.lang, **params), file=sys.stderr)
    return 1 if exc.code in REFUSED_TARGET else 2


def _size(value: int, lang: str) -> str:
    """A file size for people: 1,4 MB; below a megabyte in kB."""
    if value >= 1 << 20:
        return f"{fmt_number(Decimal(value) / (1 << 20), lang, 1)} MB"
    return f"{fmt_number(Decimal(value) / 1024, lang, 1)} kB"


def _progress(args: argparse.Namespace) -> Progress | None:
    """On a terminal, one line that says which table is being checked (a backup of 100,000
    projects takes minutes); nothing in logs and pipes."""
    if not sys.stderr.isatty():
        return None

    def show(table: str, position: int, total: int) -> None:
        line = t("backup_progress", args.lang, table=table, position=position, total=total)
        end = "\n" if position == total else ""
        print(f"\r\033[K{line}", end=end, file=sys.stderr, flush=True)

    return show


def cmd_backup(args: argparse.Namespace) -> int:
    try:
        manifest = backup(engine_for(args), args.file, progress=_progress(args))
    except BackupRefused as exc:
        return _refused(args, exc)
    print(
        t(
            "backup_written",
            args.lang,
            path=str(args.file),
            size=_size(args.file.stat().st_size, args.lang),
            engine=ENGINES[manifest.engine],
            head=manifest.schema_head,
            rows=manifest.rows,
            tables=len(manifest.tables),
            fingerprint=manifest.fingerprint[:12],
        )
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    import datetime as dt

    try:
        manifest = restore(engine_for(args), args.file, force=args.force, progress=_progress(args))
    except BackupRefused as exc:
        return _refused(args, exc)
    print(
        t(
            "backup_restored",
            args.lang,
            path=str(args.file),
            at=fmt_stamp(dt.datetime.fromisoformat(manifest.created_at), args.lang),
            engine=ENGINES[manifest.engine],
            head=manifest.schema_head,
            rows=manifest.rows,
            tables=len(manifest.tables),
        )
    )
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    findings = verify(engine_for(args))
    for finding in findings:
        if finding.ok:
            status = "✔ " + t("verify_ok", args.lang)
        elif finding.count == 1:
            status = "✘ " + t("verify_finding", args.lang)
        else:
            status = "✘ " + t("verify_findings", args.lang, count=finding.count)
        print(f"{t('verify_' + finding.check, args.lang)}: {status}")
        for example in finding.examples:
            print(f"    {example}")
    whole = all(f.ok for f in findings)
    print(t("verify_all_ok" if whole else "verify_failed", args.lang))
    return 0 if whole else 1
