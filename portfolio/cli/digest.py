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
from portfolio.i18n import fmt_int, t
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
        raise UsageError(t("cli_not_an_email", args.lang, address=args.to))
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
    with read_session(args, who) as session:
        found = digests.compose(session, today=today)
    for d in found:
        print(t("cli_digest_to", lang, to=target or d.recipient))
        print(t("cli_digest_subject", lang, subject=subject(d, lang)))
        print()
        print(plain_text(d, lang))
        print("=" * 72)
    period = digests.period_key(today)
    print(t("cli_digest_dry_run", lang, period=period, count=len(found)), file=sys.stderr)
    return 0


def _require_smtp(smtp: settings.Smtp, lang: str) -> None:
    """Sending needs an SMTP server: without one, a usage error that says how to set it."""
    from portfolio.cli import UsageError

    if not smtp.configured:
        raise UsageError(t("cli_no_smtp", lang))


def _print_run(result: digests.RunResult, target: str | None, lang: str) -> int:
    """Say what the run did (each failure on stderr); 1 when a message could not be delivered."""
    for failure in result.failures:
        print(
            t(
                "cli_digest_not_delivered",
                lang,
                recipient=failure.recipient,
                attempts=str(failure.attempts),
                error=str(failure.error),
            ),
            file=sys.stderr,
        )
    redirect = t("cli_digest_redirect", lang, target=target) if target is not None else ""
    print(
        t(
            "cli_digest_run",
            lang,
            period=result.period,
            redirect=redirect,
            sent=fmt_int(result.sent, lang),
            skipped=fmt_int(result.skipped, lang),
            failed=fmt_int(result.failed, lang),
        )
    )
    if not result.ok:
        print(t("cli_digest_retry", lang), file=sys.stderr)
        return 1
    return 0
