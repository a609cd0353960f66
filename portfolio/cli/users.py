"""``portfolio user add|list|disable|enable|reset-password|set-role``: the accounts, from the
server's command line (as the operator, with administrator rights: :func:`operator`).

``add`` and ``reset-password`` print the initial password once; it must be changed at the first
login. Accounts are never deleted, only disabled.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from db.engine import make_session_factory
from db.enums import Role
from db.models import Account
from portfolio.cli.core import add_group, engine_for, operator, read_session
from portfolio.i18n import fmt_stamp, t
from portfolio.policy import role_label
from portfolio.services import accounts
from portfolio.services.base import unit_of_work

T = TypeVar("T")
ROLE_HELP = ", ".join(f"{r.value} ({role_label(r)})" for r in Role)


def register(sub: Any) -> None:
    user_sub = add_group(
        sub,
        "user",
        dest="user_command",
        help="Konten verwalten (anlegen, auflisten, sperren, entsperren, Passwort, Rolle)",
        description="Konten des Portfolios. Die Kommandozeile handelt mit "
        "Administrationsrechten als das Konto, das --user nennt.",
    )

    add = user_sub.add_parser("add", help="ein Konto anlegen (zeigt das erste Passwort einmal)")
    add.add_argument("name", help="Anmeldename (Kleinbuchstaben, Ziffern, . _ - @)")
    add.add_argument(
        "--role", required=True, choices=[r.value for r in Role], help=f"Rolle: {ROLE_HELP}"
    )
    add.add_argument("--display-name", metavar="TEXT", help="angezeigter Name")
    add.add_argument("--email", metavar="ADRESSE", help="E-Mail-Adresse (für OpenID Connect)")
    add.add_argument(
        "--organisation", metavar="KEY", help="Schlüssel der Partnerorganisation (Rolle partner)"
    )
    add.add_argument(
        "--oidc-only",
        action="store_true",
        help="ohne Passwort: Anmeldung nur über OpenID Connect mit der E-Mail-Adresse",
    )
    add.set_defaults(handler=cmd_add)

    lst = user_sub.add_parser("list", help="alle Konten auflisten")
    lst.add_argument("--json", action="store_true", help="als JSON ausgeben")
    lst.set_defaults(handler=cmd_list)

    for name, helptext, handler in (
        ("disable", "ein Konto sperren (es bleibt mit seinem Namen erhalten)", cmd_disable),
        ("enable", "ein gesperrtes Konto wieder freigeben (hebt auch eine Sperre auf)", cmd_enable),
        (
            "reset-password",
            "ein neues erstes Passwort vergeben (zeigt es einmal)",
            cmd_reset_password,
        ),
    ):
        action = user_sub.add_parser(name, help=helptext)
        action.add_argument("name", help="Anmeldename")
        action.set_defaults(handler=handler)

    role = user_sub.add_parser("set-role", help="die Rolle eines Kontos ändern")
    role.add_argument("name", help="Anmeldename")
    role.add_argument("role", choices=[r.value for r in Role], help=f"neue Rolle: {ROLE_HELP}")
    role.add_argument(
        "--organisation", metavar="KEY", help="Schlüssel der Partnerorganisation (Rolle partner)"
    )
    role.set_defaults(handler=cmd_set_role)


def _factory(args: argparse.Namespace) -> Any:
    return make_session_factory(engine_for(args))


def cmd_add(args: argparse.Namespace) -> int:
    who = operator(args, "user add")
    with unit_of_work(_factory(args), who) as session:
        created = accounts.create(
            session,
            name=args.name,
            role=args.role,
            display_name=args.display_name,
            email=args.email,
            organisation_key=args.organisation,
            oidc_only=args.oidc_only,
        )
    row = created.account
    org = f", {row.organisation_key}" if row.organisation_key else ""
    role = row.role_label(args.lang)
    print(t("cli_account_created", args.lang, name=row.name, role=role, organisation=org))
    if created.initial_password is None:
        print(t("cli_account_oidc_only", args.lang, email=str(row.email)))
    else:
        _print_initial(args, created.initial_password)
    return 0


def _print_initial(args: argparse.Namespace, password: str) -> None:
    print(t("cli_initial_password", args.lang))
    print(f"  {password}")


def cmd_list(args: argparse.Namespace) -> int:
    who = operator(args, "user list")
    with read_session(args, who) as session:
        rows = accounts.get_all(session)
    lang = args.lang
    if args.json:
        json.dump(
            [
                {
                    "name": r.name,
                    "display_name": r.display_name,
                    "email": r.email,
                    "role": r.role.value,
                    "organisation": r.organisation_key,
                    "disabled": r.disabled,
                    "locked": r.is_locked(),
                    "must_change_password": r.must_change_password,
                    "password": r.has_password,
                    "last_login_at": r.last_login_at.isoformat() if r.last_login_at else None,
                }
                for r in rows
            ],
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        print()
        return 0
    if not rows:
        print(t("cli_no_accounts", args.lang))
        return 0
    for r in rows:
        state = _state(args, r)
        print(
            f"{r.name:<24} {r.role_label(lang):<24} {r.organisation_key or '–':<8} "
            f"{state:<22} {fmt_stamp(r.last_login_at, lang)}"
        )
    return 0


def _state(args: argparse.Namespace, row: accounts.AccountRow) -> str:
    if row.disabled:
        return t("cli_state_disabled", args.lang)
    if row.is_locked():
        return t("cli_state_locked", args.lang)
    if not row.has_password:
        return t("cli_state_oidc_only", args.lang)
    if row.must_change_password:
        return t("cli_state_password_to_change", args.lang)
    return t("cli_state_enabled", args.lang)


def _change_account(
    args: argparse.Namespace, verb: str, change: Callable[[Session, int], T]
) -> tuple[Account, T]:
    """``change`` (a service verb on a session and an account id) on the account ``args.name``,
    as the operator with the journal reference ``user VERB``: the account and what it returned."""
    who = operator(args, f"user {verb}")
    with unit_of_work(_factory(args), who) as session:
        account = accounts.get_by_name(session, args.name)
        result = change(session, account.id)
    return account, result


def cmd_disable(args: argparse.Namespace) -> int:
    account, _ = _change_account(args, "disable", partial(accounts.disable, expected_version=None))
    print(t("cli_account_disabled", args.lang, name=account.name))
    return 0


def cmd_enable(args: argparse.Namespace) -> int:
    account, _ = _change_account(args, "enable", partial(accounts.enable, expected_version=None))
    print(t("cli_account_enabled", args.lang, name=account.name))
    return 0


def cmd_reset_password(args: argparse.Namespace) -> int:
    account, password = _change_account(
        args, "reset-password", partial(accounts.reset_password, expected_version=None)
    )
    print(t("cli_password_reset", args.lang, name=account.name))
    _print_initial(args, password)
    return 0


def cmd_set_role(args: argparse.Namespace) -> int:
    who = operator(args, "user set-role")
    with unit_of_work(_factory(args), who) as session:
        account = accounts.get_by_name(session, args.name)
        old = role_label(account.role, args.lang)
        accounts.set_role(
            session,
            account.id,
            args.role,
            organisation_key=args.organisation,
            expected_version=None,
        )
    new = role_label(args.role, args.lang)
    print(t("cli_role_changed", args.lang, name=account.name, old=old, new=new))
    return 0
