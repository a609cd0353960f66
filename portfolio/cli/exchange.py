"""``portfolio export`` and ``portfolio import``: the Excel exchange with partner organisations.

Both act as the operator (:func:`portfolio.cli.core.operator`, administrator rights): the
journal and the import record name the operator; a partner's workbook exported here is recorded
in the audit log like a download in the dashboard. ``import`` reads a workbook in the scope its
(signed) ``_meta`` sheet states; ``--partner KEY`` or ``--whole-portfolio`` name another scope,
which ``--confirm-scope`` must confirm, else the file is checked but not applied.

Exit codes of ``import``: 0 applied (or a clean dry run), 1 rejected for errors or conflicts
(database untouched), 2 a file that can't or mustn't be read (too large, hostile, broken), or a
usage error (a file or folder that does not exist, a file name that is not UTF-8, a file that
cannot be written). ``export`` exits with 0 or 2 alike; 3 stays for internal errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from db.engine import make_session_factory
from portfolio.cli.core import engine_for, operator, read_session, write_atomically
from portfolio.i18n import fmt_int, t
from portfolio.services.base import unit_of_work

if TYPE_CHECKING:
    from portfolio.exchange.importer import ImportResult
    from portfolio.exchange.safety import UnreadableFile

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
    which = imp.add_mutually_exclusive_group()
    which.add_argument(
        "--partner",
        metavar="ORG_KEY",
        help="als Rücklauf dieses Partners einlesen (Standard: der Umfang, für den die "
        "Arbeitsmappe exportiert wurde)",
    )
    which.add_argument(
        "--whole-portfolio",
        dest="whole",
        action="store_true",
        help="als Arbeitsmappe des gesamten Portfolios einlesen",
    )
    imp.add_argument(
        "--confirm-scope",
        action="store_true",
        help="bestätigen, dass die Arbeitsmappe in einem anderen Umfang eingelesen wird als dem, "
        "für den sie exportiert wurde (--partner, --whole-portfolio)",
    )
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


def _shown_path(raw: str) -> str:
    """A path as the user can read it, also when it holds bytes that are not UTF-8."""
    return raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _path_arg(args: argparse.Namespace, raw: str) -> Path:
    """``raw`` as a Path, refused (exit code 2) when the name is not valid UTF-8: it could be
    neither shown nor stored in the import record."""
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        shown = _shown_path(raw)
        raise _usage(t("cli_file_name_not_utf8", args.lang, name=shown)) from None
    return Path(raw)


def _output_path(args: argparse.Namespace, raw: str, option: str) -> Path:
    """An .xlsx file to write: its folder must exist (checked before any work is done)."""
    out = _path_arg(args, raw)
    if out.suffix.lower() != ".xlsx":
        raise _usage(t("cli_needs_xlsx", args.lang, option=option))
    folder = out.parent
    if not folder.is_dir():
        raise _usage(t("cli_no_folder", args.lang, folder=str(folder), file=out.name))
    if out.is_dir():
        raise _usage(t("cli_is_folder", args.lang, path=str(out)))
    return out


def _write(args: argparse.Namespace, out: Path, data: bytes) -> None:
    try:
        write_atomically(out, data)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise _usage(t("cli_cannot_write", args.lang, path=str(out), reason=reason)) from None


def cmd_export(args: argparse.Namespace) -> int:
    from portfolio.exchange.export import export_partner_workbook, export_workbook
    from portfolio.exchange.state import Scope

    out = _output_path(args, args.out, t("cli_target_file", args.lang))
    who = operator(args, "export")
    engine = engine_for(args)
    keys = tuple(args.project) if args.project else None
    if args.partner:
        # a partner's data leaves the portfolio: recorded in the audit log (committed)
        with unit_of_work(make_session_factory(engine), who) as session:
            result = export_partner_workbook(
                session, partner=args.partner, project_keys=keys, lang=args.lang
            )
    else:
        with read_session(args, who) as session:
            result = export_workbook(session, scope=Scope(project_keys=keys), lang=args.lang)
    _write(args, out, result.data)
    rows = ", ".join(f"{k}={fmt_int(v, args.lang)}" for k, v in result.rows.items())
    print(t("cli_wrote", args.lang, path=str(out), scope=str(result.scope), rows=rows))
    return 0


_COUNTS = ("new", "changed", "unchanged", "conflicting", "invalid")


def _print_result(result: ImportResult, lang: str, diff_limit: int) -> None:
    out = sys.stdout
    outcome = "dry_run" if result.dry_run else "applied" if result.applied else "rejected"
    print(f"{t('cli_import_' + outcome, lang)}: {result.file_name} ({result.scope})", file=out)
    labels = [t(f"cli_count_{name}", lang) for name in _COUNTS]
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
        print(t("cli_changes", lang), file=out)
        for d in result.diffs[:diff_limit]:
            print(f"  {d.sheet} {d.row} {d.key}: {d.column}: {d.old} → {d.new}", file=out)
        if len(result.diffs) > diff_limit:
            more = len(result.diffs) - diff_limit
            print(f"  … {t('cli_more_changes', lang, count=more)}", file=out)
    for conflict in result.conflicts:
        where = t("cli_sheet_row", lang, sheet=conflict.sheet, row=str(conflict.row))
        print(f"  ⚠ {where}: {conflict.message}", file=sys.stderr)
    for e in result.errors[:diff_limit]:
        where = t("cli_sheet_row", lang, sheet=e.sheet, row=str(e.row)) if e.row else e.sheet
        print(f"  ✗ {where}: {e.message}", file=sys.stderr)
    if len(result.errors) > diff_limit:
        rest = len(result.errors) - diff_limit
        print(f"  … {t('cli_more_errors', lang, count=rest)}", file=sys.stderr)


def _print_unreadable(exc: UnreadableFile, args: argparse.Namespace) -> int:
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


def cmd_import(args: argparse.Namespace) -> int:
    from portfolio.exchange.safety import UnreadableFile

    try:
        return _import(args)
    except UnreadableFile as exc:
        return _print_unreadable(exc, args)


def _import(args: argparse.Namespace) -> int:
    from portfolio.exchange.annotate import annotate_errors
    from portfolio.exchange.importer import import_workbook
    from portfolio.exchange.safety import check_file_size
    from portfolio.exchange.state import Scope

    path = _path_arg(args, args.file)
    if not path.is_file():
        raise _usage(t("cli_file_not_found", args.lang, path=str(path)))
    errors_out = _output_path(args, args.errors_out, "--errors-out") if args.errors_out else None
    check_file_size(path.stat().st_size)
    who = operator(args, "import")
    engine = engine_for(args)
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise _usage(t("cli_cannot_read", args.lang, path=str(path), reason=reason)) from None
    result = import_workbook(
        make_session_factory(engine),
        data,
        principal=who,
        file_name=path.name,
        scope=Scope(partner=args.partner) if args.partner else Scope() if args.whole else None,
        confirm_scope=args.confirm_scope,
        dry_run=args.dry_run,
        lang=args.lang,
    )
    if errors_out is not None and not result.ok:
        _write(args, errors_out, annotate_errors(data, result, lang=args.lang))
    if args.json:
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2, default=str)
        print()
    else:
        _print_result(result, args.lang, args.diff_limit)
        if errors_out is not None and not result.ok:
            print(t("cli_errors_annotated", args.lang, path=str(errors_out)))
    return 0 if result.ok else 1
