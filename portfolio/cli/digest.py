"""``portfolio digest``: the e-mail digest of open deadlines, for cron or a systemd timer.

portfolio digest              send this period's digests that have not gone out yet
portfolio digest --dry-run    print each recipient's digest (plain text); send and write nothing
portfolio digest --to ADDR    a test run: every digest to ADDR; the real recipients' deliveries
                              stay untouched, so the regular run still sends theirs

The day is the clock's (``PORTFOLIO_TODAY`` pins it). Exit codes: 0 every due message went out
(or there was none); 1 at least one message could not be delivered (recorded, audited and
retried on the next run); 2 usage errors, among them an SMTP server that is not configured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from email.message import EmailMessage
from typing import Any

from db.engine import make_session_factory
from portfolio import clock, settings
from portfolio.cli.core import engine_for, operator, read_session
from portfolio.i18n import fmt_int
from portfolio.policy import Principal
from portfolio.services import digest as digests
from portfolio.services.accounts import normalise_email
from portfolio.services.fields import EMAIL_PATTERN


def register(sub: Any) -> None:
    cmd = sub.add_parser(
        "digest",
        help="Fristen-Übersicht per E-Mail an Organisationen und Konten versenden",
        description="Versendet die Fristen-Übersicht (überfällig, fällig in den nächsten Tagen, "
        "veraltete Statusberichte) an jede Organisation mit Kontaktadresse und jedes Konto, "
        "das sie abonniert hat; höchstens eine Nachricht je Empfänger und Zeitraum.",
    )
    cmd.add_argument(
        "--dry-run",
        action="store_true",
        help="jede Übersicht als Text ausgeben; nichts versenden, nichts speichern",
    )
    cmd.add_argument(
        "--to",
        metavar="ADRESSE",
        help="Testlauf: alle Übersichten an diese Adresse statt an die Empfänger "
        "(deren Versand bleibt offen)",
    )
    cmd.set_defaults(handler=cmd_digest)


def cmd_digest(args: argparse.Namespace) -> int:
    from reports.digest_mail import render

    lang = args.lang
    who = operator(args, "digest")
    today = clock.today()
    target = _redirect_target(args)
    smtp = _smtp_settings(lang)
    if args.dry_run:
        return _dry_run(args, who, today=today, target=target)
    _require_smtp(smtp, lang)

    def in_language(d: digests.Digest) -> EmailMessage:
        return render(d, lang=lang)

    result = digests.send(
        make_session_factory(engine_for(args)),
        principal=who,
        today=today,
        render=in_language,
        transport=digests.SmtpTransport(smtp),
        redirect_to=target,
    )
    return _print_run(result, target, lang)


def _redirect_target(args: argparse.Namespace) -> str | None:
    """The address of ``--to`` (normalised), None without it; not an address: a usage error."""
    from portfolio.cli import UsageError

    if args.to is None:
        return None
    target = normalise_email(args.to)
    if not EMAIL_PATTERN.match(target):
        raise UsageError(
            f"„{args.to}“ ist keine E-Mail-Adresse."
            if args.lang == "de"
            else f"“{args.to}” is not an e-mail address."
        )
    return target


def _smtp_settings(lang: str) -> settings.Smtp:
    """The SMTP settings, the digest's settings checked too; a wrong setting is a usage error."""
    from portfolio.cli import UsageError

    try:
        smtp = settings.smtp()
        settings.digest()
    except settings.SettingError as exc:
        raise UsageError(exc.message(lang)) from None
    return smtp


def _dry_run(
    args: argparse.Namespace, who: Principal, *, today: dt.date, target: str | None
) -> int:
    """Print each recipient's digest as plain text; send and write nothing."""
    from reports.digest_mail import plain_text, subject

    lang = args.lang
    de = lang == "de"
    with read_session(args, who) as session:
        found = digests.compose(session, today=today)
    for d in found:
        print(f"An: {target or d.recipient}" if de else f"To: {target or d.recipient}")
        print(f"{'Betreff' if de else 'Subject'}: {subject(d, lang)}")
        print()
        print(plain_text(d, lang))
        print("=" * 72)
    period = digests.period_key(today)
    print(
        f"Testlauf {period}: {fmt_int(len(found), lang)} Übersichten, nichts versandt."
        if de
        else f"Dry run {period}: {fmt_int(len(found), lang)} digests, nothing sent.",
        file=sys.stderr,
    )
    return 0


def _require_smtp(smtp: settings.Smtp, lang: str) -> None:
    """Sending needs an SMTP server: without one, a usage error that says how to set it."""
    from portfolio.cli import UsageError

    if not smtp.configured:
        raise UsageError(
            "Kein SMTP-Server eingerichtet: bitte [smtp] host (mit port, security, user, "
            "password, sender) in .streamlit/secrets.toml oder PORTFOLIO_SMTP_HOST setzen, "
            "oder mit --dry-run nur anzeigen."
            if lang == "de"
            else "No SMTP server configured: please set [smtp] host (with port, security, "
            "user, password, sender) in .streamlit/secrets.toml or PORTFOLIO_SMTP_HOST, or "
            "only show the digests with --dry-run."
        )


def _print_run(result: digests.RunResult, target: str | None, lang: str) -> int:
    """Say what the run did (each failure on stderr); 1 when a message could not be delivered."""
    de = lang == "de"
    for failure in result.failures:
        print(
            f"Nicht zugestellt an {failure.recipient} nach {failure.attempts} Versuchen: "
            f"{failure.error}"
            if de
            else f"Not delivered to {failure.recipient} after {failure.attempts} attempts: "
            f"{failure.error}",
            file=sys.stderr,
        )
    redirect = (
        (f" (alle an {target})" if de else f" (all to {target})") if target is not None else ""
    )
    print(
        f"Fristen-Übersicht {result.period}{redirect}: {fmt_int(result.sent, lang)} versandt, "
        f"{fmt_int(result.skipped, lang)} bereits versandt, "
        f"{fmt_int(result.failed, lang)} fehlgeschlagen."
        if de
        else f"Deadline digest {result.period}{redirect}: {fmt_int(result.sent, lang)} sent, "
        f"{fmt_int(result.skipped, lang)} already sent, {fmt_int(result.failed, lang)} failed."
    )
    if not result.ok:
        print(
            "Die fehlgeschlagenen Nachrichten werden beim nächsten Lauf erneut versucht."
            if de
            else "The failed messages are tried again on the next run.",
            file=sys.stderr,
        )
        return 1
    return 0
