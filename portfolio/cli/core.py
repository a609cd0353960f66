"""Core sub-commands: ``db upgrade``, ``demo``, ``base-rate``, ``summary``; and the operator
every command acts as.

The CLI is the operator's tool on the server: every command acts with administrator rights as
the operator :func:`operator` names (``--user``, else ``PORTFOLIO_USER``, else the OS user),
and the journal writes that name. Once the database has an enabled account, the name must be
an enabled account's (exit code 2 otherwise). A fresh or demo database without accounts lets
the bootstrap operator act under the given name, so that ``portfolio user add`` can create the
first administrator. ``db upgrade`` and ``demo`` run as the system.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session

from db import migrate
from db.engine import database_url, make_engine, make_session_factory
from db.enums import ChangeSource, ProjectStatus, Role
from db.models import Account, Project
from portfolio.figures import summary
from portfolio.i18n import fmt_date, fmt_eur, fmt_int, t
from portfolio.journal import Actor
from portfolio.policy import SYSTEM, Principal, set_principal
from portfolio.seed import ensure_reference_data
from portfolio.services.fields import is_plausible_date, plausible_dates
from portfolio.vocab import label


def date_arg(text: str) -> dt.date:
    """An ``--as-of`` / ``--since`` day: an ISO date within the plausible span."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"„{text}“ ist kein Datum im Format JJJJ-MM-TT (z. B. 2026-11-26)"
        ) from None
    if not is_plausible_date(day):
        first, last = plausible_dates()
        raise argparse.ArgumentTypeError(
            f"{fmt_date(day)} liegt nicht zwischen {fmt_date(first)} und {fmt_date(last)}"
        )
    return day


SYNTHETIC_MAX = 1_000_000


def count_arg(text: str) -> int:
    """``--synthetic N``: a whole number from 1 to SYNTHETIC_MAX."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if not 1 <= number <= SYNTHETIC_MAX:
        raise argparse.ArgumentTypeError(
            f"„{text}“: bitte eine ganze Zahl von 1 bis {fmt_int(SYNTHETIC_MAX)} angeben"
        )
    return number


def add_group(sub: Any, name: str, *, dest: str, **options: Any) -> Any:
    """A command with actions of its own (``portfolio NAME AKTION``), ``options`` its help and
    description: the sub-parsers its actions are added to; ``dest`` holds the action's name."""
    group = sub.add_parser(name, **options)
    return group.add_subparsers(dest=dest, required=True, metavar="AKTION")


def register(sub: Any) -> None:
    db_sub = add_group(sub, "db", dest="db_command", help="Datenbank verwalten")
    up = db_sub.add_parser("upgrade", help="Schema migrieren und Stammdaten anlegen")
    up.set_defaults(handler=cmd_db_upgrade)
    cur = db_sub.add_parser("current", help="Stand der Migrationen zeigen")
    cur.set_defaults(handler=cmd_db_current)

    demo = sub.add_parser("demo", help="Demo-Portfolio laden (Bochum, oder synthetisch)")
    demo.add_argument(
        "--synthetic", type=count_arg, metavar="N", help="N synthetische Projekte erzeugen"
    )
    demo.add_argument("--seed", type=int, default=1, help="Zufallsstartwert für --synthetic")
    demo.add_argument(
        "--if-empty", action="store_true", help="nur laden, wenn noch keine Projekte da sind"
    )
    demo.set_defaults(handler=cmd_demo)

    rate = sub.add_parser(
        "base-rate",
        help="Basiszinssatz (§ 247 BGB) zeigen oder eintragen, z. B. base-rate 2026-07-01 1,27",
    )
    rate.add_argument("valid_from", nargs="?", type=date_arg, help="gültig ab (JJJJ-MM-TT)")
    rate.add_argument("rate", nargs="?", help="Satz in Prozent, z. B. 1,27 oder -0,88")
    rate.set_defaults(handler=cmd_base_rate)

    summ = sub.add_parser("summary", help="Kennzahlen des Portfolios")
    summ.add_argument("--json", action="store_true", help="als JSON ausgeben")
    summ.add_argument("--theme", metavar="KEY", help="nur ein Leitthema (Schlüssel 1–5)")
    summ.add_argument("--as-of", type=date_arg, help="Stichtag (JJJJ-MM-TT), Standard heute")
    summ.set_defaults(handler=cmd_summary)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all or nothing: a hidden file beside it, flushed to disk, then
    renamed into place. A command killed halfway leaves the old file (or none), never half a
    file; only its hidden ``.NAME.part-*`` may stay behind. Raises OSError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.part-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def engine_for(args: argparse.Namespace) -> Engine:
    """The engine for ``--db`` / PORTFOLIO_DATABASE_URL (one per command); a malformed URL is a
    usage error."""
    from portfolio.cli import UsageError

    cached = getattr(args, "_engine", None)
    if isinstance(cached, Engine):
        return cached
    try:
        engine = make_engine(args.db)
        args._engine = engine
        return engine
    except (ArgumentError, NoSuchModuleError, ValueError):
        url = args.db or database_url()
        raise UsageError(t("cli_not_a_database_url", args.lang, url=url)) from None


def require_up_to_date(args: argparse.Namespace) -> Engine:
    """The engine, refused (exit code 2) when the database is not migrated to the newest state."""
    from portfolio.cli import UsageError

    engine = engine_for(args)
    if not migrate.is_up_to_date(engine):
        raise UsageError(t("cli_database_outdated", args.lang))
    return engine


def operator(args: argparse.Namespace, ref: str | None = None) -> Principal:
    """The operator a command acts as: an administrator named by ``--user`` (see the module
    docstring), source ``cli``, ``ref`` for the journal (e.g. the command).

    Once the database has an enabled account, the name must be one of them; a name that is a
    disabled account is refused always. Refusals are usage errors (exit code 2). Checked once
    per command; the database must be migrated.
    """
    from portfolio.cli import UsageError
    from portfolio.services import accounts

    name = (args.user or "").strip()
    engine = require_up_to_date(args)
    checked = getattr(args, "_operator", None)
    if not isinstance(checked, Principal):
        with make_session_factory(engine, read_only=True)() as session:
            set_principal(session, SYSTEM)
            row = session.execute(
                select(Account.id, Account.name, Account.display_name, Account.disabled).where(
                    Account.name == accounts.normalise_name(name)
                )
            ).first()
            configured = accounts.sign_in_configured(session)
            session.rollback()
        account = row
        if account is not None and account.disabled:
            raise UsageError(t("cli_operator_disabled", args.lang, name=account.name))
        if account is None and configured:
            raise UsageError(t("cli_operator_unknown", args.lang, name=name))
        if account is None and not name:
            raise UsageError(t("cli_operator_missing", args.lang))
        checked = Principal(
            account.name if account is not None else name,
            Role.ADMIN,
            source=ChangeSource.CLI,
            account_id=account.id if account is not None else None,
            display_name=account.display_name if account is not None else None,
        )
        args._operator = checked
    return checked.with_ref(ref)


@contextmanager
def read_session(args: argparse.Namespace, who: Principal) -> Iterator[Session]:
    """A read-only session on the command's database that acts as ``who``; its transaction is
    ended when the block is left."""
    with make_session_factory(engine_for(args), read_only=True)() as session:
        set_principal(session, who)
        yield session
        session.rollback()


def actor_for(args: argparse.Namespace, ref: str | None = None) -> Actor:
    """The journal's author of a command: the :func:`operator`'s name."""
    return operator(args, ref).actor


def upgrade_and_seed(engine: Engine, who: Principal) -> int:
    from portfolio.services.base import unit_of_work

    migrate.upgrade(engine)
    with unit_of_work(make_session_factory(engine), who) as session:
        return ensure_reference_data(session)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    engine = engine_for(args)
    added = upgrade_and_seed(engine, SYSTEM.with_ref("db upgrade"))
    print(
        f"Datenbank auf Stand {migrate.current_revision(engine)}; {added} Stammdatensätze ergänzt."
    )
    return 0


def cmd_db_current(args: argparse.Namespace) -> int:
    engine = engine_for(args)
    current, head = migrate.current_revision(engine), migrate.head_revision()
    print(f"aktuell: {current or '–'}; neueste: {head}")
    return 0 if current == head else 1


def _progress(done: int, total: int) -> None:
    print(f"\r  {done:>7} / {total} Projekte", end="", file=sys.stderr, flush=True)


def cmd_demo(args: argparse.Namespace) -> int:
    engine = engine_for(args)
    who = SYSTEM.with_ref("demo")
    upgrade_and_seed(engine, who)
    started = time.perf_counter()
    with make_session_factory(engine)() as session, session.begin():
        set_principal(session, who)
        existing = session.execute(select(func.count()).select_from(Project)).scalar_one()
        if args.if_empty and existing:
            print(f"Die Datenbank enthält schon {existing} Projekte; Demo nicht geladen.")
            return 0
        if args.synthetic:
            from portfolio.demo.synthetic import generate

            added = generate(session, args.synthetic, seed=args.seed, progress=_progress)
            print(file=sys.stderr)
        else:
            from portfolio.demo.bochum import load_bochum

            taken = session.execute(
                select(func.count()).select_from(Project).where(Project.key.like("SC-%"))
            ).scalar_one()
            if taken:
                print(
                    f"Die Datenbank enthält schon {taken} Projekte mit Schlüsseln SC-…; das "
                    "Bochum-Demo braucht diese Schlüssel. Bitte eine leere Datenbank wählen "
                    "(--db oder PORTFOLIO_DATABASE_URL).",
                    file=sys.stderr,
                )
                return 1
            added = load_bochum(session)
    print(f"{added} Projekte geladen in {time.perf_counter() - started:.1f} s.")
    return 0


def cmd_base_rate(args: argparse.Namespace) -> int:
    """List the base rates, or record one (the interest on refunds follows it)."""
    from portfolio.cli import UsageError
    from portfolio.errors import ValidationFailed
    from portfolio.i18n import fmt_number
    from portfolio.services import programmes
    from portfolio.services.base import unit_of_work

    if (args.valid_from is None) != (args.rate is None):
        raise UsageError(
            "Bitte Datum und Satz angeben, z. B. `portfolio base-rate 2026-07-01 1,27`."
        )
    who = operator(args, "base-rate")
    with unit_of_work(make_session_factory(engine_for(args)), who) as session:
        if args.valid_from is not None:
            text = args.rate.strip().replace("−", "-")
            try:
                rate = Decimal(text.replace(".", "").replace(",", ".") if "," in text else text)
            except InvalidOperation:
                raise UsageError(f"„{args.rate}“ ist keine Zahl. Beispiel: 1,27") from None
            try:
                programmes.record_base_rate(session, {"valid_from": args.valid_from, "rate": rate})
            except ValidationFailed as exc:
                raise UsageError(exc.message(args.lang)) from None
        for row in programmes.get_base_rates(session):
            print(f"{fmt_date(row.valid_from, args.lang)}  {fmt_number(row.rate, args.lang)} %")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    who = operator(args, "summary")
    with read_session(args, who) as session:
        figures = summary(session, today=args.as_of, theme_key=args.theme)
    if args.json:
        json.dump(figures.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    lang = args.lang

    def line(key: str, value: str = "") -> None:
        print(f"  {t(key, lang)}:{' ' + value if value else ''}")

    print(t("cli_summary_as_of", lang, day=figures.as_of.isoformat()))
    line("cli_summary_projects", fmt_int(figures.projects, lang))
    for code, count in figures.by_status.items():
        print(f"    {label(ProjectStatus, code, lang):<28} {fmt_int(count, lang):>8}")
    line("cli_summary_total_cost", fmt_eur(figures.total_cost, lang))
    line("cli_summary_eligible_cost", fmt_eur(figures.eligible_cost, lang))
    line("cli_summary_funding_requested", fmt_eur(figures.funding_requested, lang))
    line("cli_summary_funding_approved", fmt_eur(figures.funding_approved, lang))
    line("cli_summary_own_share", fmt_eur(figures.own_share, lang))
    line("cli_summary_paid_out", fmt_eur(figures.paid_out, lang))
    line("cli_summary_own_budget", fmt_eur(figures.own_budget, lang))
    line("cli_summary_overdue_milestones", fmt_int(figures.overdue_milestones, lang))
    line("cli_summary_themes")
    for theme in figures.themes:
        print(
            f"    {theme.key} {theme.name:<44} {fmt_int(theme.projects, lang):>7}  {fmt_eur(theme.total_cost, lang):>20}"
        )
    line("cli_summary_programmes")
    for p in figures.programmes:
        print(
            f"    {p.name:<52} {fmt_int(p.applications, lang):>7}  {fmt_eur(p.approved, lang):>20}"
        )
    return 0
