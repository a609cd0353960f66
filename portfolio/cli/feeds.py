"""``portfolio feed add|list|revoke``: calendar feeds (Kalender-Abos) of the operator's account.

A feed belongs to an account and lists what that account may see (:mod:`portfolio.queries.agenda`);
the command line makes it for the account ``--user`` names and acts as that account (with its
own role and scope, not the operator's administrator rights), as the Fristen page does for the
signed-in user. ``add`` prints the feed's address once: only its SHA-256 is kept.
"""

from __future__ import annotations

import argparse
from typing import Any

from db.engine import make_session_factory
from db.enums import ChangeSource, FeedScope
from db.models import Account
from portfolio import links
from portfolio.cli.core import add_group, engine_for, operator, read_session
from portfolio.i18n import fmt_stamp, t
from portfolio.policy import SYSTEM, Principal
from portfolio.services import accounts, feeds
from portfolio.services.base import unit_of_work
from portfolio.vocab import label


def register(sub: Any) -> None:
    verbs = add_group(
        sub,
        "feed",
        dest="verb",
        help="Kalender-Abos (iCalendar) des Kontos von --user anlegen, auflisten, widerrufen",
        description="Kalender-Abos des Kontos, das --user nennt: alle Fristen, die das Konto "
        "sehen darf, oder die einer Organisation oder eines Projekts.",
    )
    add = verbs.add_parser("add", help="ein Abo anlegen und seine Adresse einmal zeigen")
    which = add.add_mutually_exclusive_group()
    which.add_argument(
        "--organisation", metavar="KÜRZEL", help="nur die Projekte dieser Organisation"
    )
    which.add_argument("--project", metavar="SC-001", help="nur dieses Projekt")
    add.add_argument("--label", default="", help="Name des Abos (Standard: nach dem Umfang)")
    add.set_defaults(handler=cmd_add)
    listing = verbs.add_parser("list", help="die aktiven Abos des Kontos")
    listing.set_defaults(handler=cmd_list)
    revoke = verbs.add_parser("revoke", help="ein Abo widerrufen (seine Adresse antwortet 404)")
    revoke.add_argument("id", type=int, metavar="NR", help="die Nummer aus „portfolio feed list“")
    revoke.set_defaults(handler=cmd_revoke)


def _owner(args: argparse.Namespace, ref: str) -> Principal:
    """The account ``--user`` names, as itself: a feed lists what its owner may see, so it is
    made with the owner's role and scope. Without an account the service refuses."""
    who = operator(args, ref)
    if who.account_id is None:
        return who
    with read_session(args, SYSTEM) as session:
        account = session.get(Account, who.account_id)
        owner = (
            accounts.principal_for_account(session, account, source=ChangeSource.CLI)
            if account is not None
            else who
        )
    return owner.with_ref(ref)


def cmd_add(args: argparse.Namespace) -> int:
    who = _owner(args, "feed add")
    scope = (
        FeedScope.ORGANISATION
        if args.organisation
        else FeedScope.PROJECT
        if args.project
        else FeedScope.ACCOUNT
    )
    with unit_of_work(make_session_factory(engine_for(args)), who) as session:
        created = feeds.create(
            session,
            scope=scope,
            organisation_key=args.organisation,
            project_key=args.project,
            label=args.label,
        )
    print(t("cli_feed_created", args.lang, id=str(created.feed.id), label=str(created.feed.label)))
    print(f"  {links.feed(created.secret)}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    who = _owner(args, "feed list")
    with read_session(args, who) as session:
        rows = feeds.get_all(session)
    if not rows:
        print(t("cli_no_feeds", args.lang))
        return 0
    for row in rows:
        used = fmt_stamp(row.last_used_at, args.lang) if row.last_used_at else "–"
        scope = label(FeedScope, row.scope, args.lang)
        print(f"{row.id:>4}  {row.label}  {t('cli_feed_row', args.lang, scope=scope, used=used)}")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    who = _owner(args, "feed revoke")
    with unit_of_work(make_session_factory(engine_for(args)), who) as session:
        row = feeds.revoke(session, args.id)
    print(t("cli_feed_revoked", args.lang, id=str(row.id), label=str(row.label)))
    return 0
