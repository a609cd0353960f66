"""The ``portfolio`` command. Each module in COMMAND_MODULES adds its sub-commands.

The CLI is the operator's tool on the server and acts with administrator rights, as the account
``--user`` names (:func:`portfolio.cli.core.operator`).

Exit codes: 0 done; 1 rejected (invalid data, conflicts; nothing written) or a digest message
that could not be delivered (retried on the next run); 2 a file that cannot
or must not be read, or a usage error; 3 an unexpected internal error (no traceback unless
``--debug``).
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

from portfolio import clock
from portfolio.errors import PortfolioError
from portfolio.i18n import t

COMMAND_MODULES = [
    "portfolio.cli.core",
    "portfolio.cli.users",
    "portfolio.cli.exchange",
    "portfolio.cli.report",
    "portfolio.cli.feeds",
    "portfolio.cli.digest",
    "portfolio.cli.opendata",
    "portfolio.cli.ops",
]


def default_user() -> str:
    """``--user`` when not given: ``PORTFOLIO_USER``, else the operating-system user."""
    explicit = os.environ.get("PORTFOLIO_USER", "").strip()
    if explicit:
        return explicit
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (containers)
        return "cli"


class UsageError(Exception):
    """Wrong arguments or an unreadable input: exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="portfolio",
        description="Smart-City Portfolio: Projekte, Partner, Förderung der Smart-City Innovation Unit.",
    )
    parser.add_argument(
        "--db", help="Datenbank-URL (sonst PORTFOLIO_DATABASE_URL, sonst data/portfolio.db)"
    )
    parser.add_argument(
        "--lang",
        choices=["de", "en"],
        default=os.environ.get("PORTFOLIO_LANG", "de"),
        help="Sprache der Ausgaben",
    )
    parser.add_argument(
        "--user",
        default=default_user(),
        help="das Konto, als das die Kommandozeile (mit Administrationsrechten) handelt; "
        "sein Name steht im Änderungsjournal (Standard: PORTFOLIO_USER, sonst der "
        "Benutzer des Betriebssystems)",
    )
    parser.add_argument(
        "--debug", action="store_true", help="bei internen Fehlern den Traceback zeigen"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="BEFEHL")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        clock.pinned_day()  # a mistyped PORTFOLIO_TODAY is a usage error, before any work
    except clock.ClockConfigError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 2
    try:
        return int(args.handler(args))
    except UsageError as exc:
        print(t("cli_error", args.lang, error=str(exc)), file=sys.stderr)
        return 2
    except PortfolioError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # the last line of defence: no traceback for users
        if args.debug:
            traceback.print_exc()
        what = _one_line(exc, args.lang)
        print(t("cli_internal_error", args.lang, what=what), file=sys.stderr)
        return 3


def _one_line(exc: BaseException, lang: str) -> str:
    """What went wrong in one line: never an SQL statement, its parameters or a URL to docs."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(exc, OperationalError):
        first = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
        return t("cli_database_unreachable", lang, detail=first)[:300]
    if isinstance(exc, DBAPIError):
        first = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
        return f"{type(exc.orig).__name__}: {first}"[:300]
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:300]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
