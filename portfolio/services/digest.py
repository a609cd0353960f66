"""The e-mail digest ("Fristen-Übersicht"): who gets one, what it holds, and sending it once per
period.

Recipients (:func:`compose`):

- each organisation with a contact address (``Organisation.contact_email``) that is responsible
  for open deadlines: the agenda items of the projects it takes part in whose
  ``organisation_ids`` name it (the milestones it owns, the duties of the projects it leads);
- each enabled account with ``wants_digest`` and an e-mail address: the agenda of what that
  account may see (run as its own principal, so a partner's digest holds only its
  organisation's projects).

A recipient with nothing overdue, nothing due within ``[digest] horizon_days`` and no stale
status report gets no message. Two subjects with the same address get one message holding both.

Each message has three groups: overdue deadlines, deadlines due within the horizon, and stale
status reports (the agenda's status-report items that are overdue). Deadlines come only from
:func:`portfolio.queries.agenda.agenda`; links from :func:`portfolio.links.digest_entry`.

Sending (:func:`send`) is idempotent per period (``2026-W49`` weekly, ``2026-12-03`` daily) and
recipient: a :class:`db.models.DigestDelivery` row records each message. A rerun in the same
period skips what was sent; a failed message is retried within the run (``[smtp] attempts``,
with a short backoff) and again on every later run of the period until it goes out. Every
failure is logged, recorded on its row (``last_error``, never a password), audited
(``digest_failed``) and counted in the result; each run is audited (``digest_sent``) with its
counts. A redirected test run (``redirect_to``) sends every message to that one address and
leaves the deliveries of the real recipients untouched.

The rendering lives in :mod:`reports.digest_mail` (the services do not import reports): the
caller passes it in as ``render``.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Protocol

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from db.enums import AuditKind, DeadlineKind, DeliveryState, DigestSubject, Role
from db.models import Account, DigestDelivery, Organisation
from portfolio import audit, clock, links, settings
from portfolio.policy import Action, Principal, principal_of, requires, set_principal
from portfolio.queries.agenda import AgendaItem, agenda
from portfolio.services.accounts import normalise_email, principal_for_account
from portfolio.services.base import unit_of_work

log = logging.getLogger(__name__)

BACKOFF_SECONDS = 0.5
"""Wait before the n-th retry of a message within a run: n × this (0.5 s, 1 s, …)."""
ERROR_LIMIT = 500
"""How much of an error the delivery row and the audit log keep."""


# ---- what a digest holds ---------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One deadline of a digest with the link to the page it is worked on."""

    item: AgendaItem
    link: str


@dataclass(frozen=True)
class Digest:
    """One message: for one address, about one organisation or account (or both, when they
    share the address)."""

    recipient: str  # lower case
    subject_kind: DigestSubject
    subject_key: str  # organisation key or account name
    name: str  # whom it is addressed to: the organisation's name, the account's display name
    today: dt.date
    until: dt.date  # the horizon: due on or before this day
    period: str
    overdue: tuple[Entry, ...] = ()
    due: tuple[Entry, ...] = ()
    stale: tuple[Entry, ...] = ()

    @property
    def items(self) -> int:
        return len(self.overdue) + len(self.due) + len(self.stale)

    @property
    def empty(self) -> bool:
        return self.items == 0

    @property
    def entries(self) -> tuple[Entry, ...]:
        return self.overdue + self.due + self.stale


def period_key(today: dt.date, period: str | None = None) -> str:
    """The period a message belongs to: the ISO week ``2026-W49`` (weekly) or the day
    ``2026-12-03`` (daily); ``period`` defaults to ``[digest] period``."""
    kind = period or settings.digest().period
    if kind == "daily":
        return today.isoformat()
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


def _grouped(
    entries: Sequence[Entry],
) -> tuple[tuple[Entry, ...], tuple[Entry, ...], tuple[Entry, ...]]:
    overdue, due, stale = [], [], []
    for entry in entries:
        item = entry.item
        if item.overdue and item.kind is DeadlineKind.STATUS_REPORT:
            stale.append(entry)
        elif item.overdue:
            overdue.append(entry)
        else:
            due.append(entry)
    return tuple(overdue), tuple(due), tuple(stale)


def _digest(
    recipient: str,
    kind: DigestSubject,
    key: str,
    name: str,
    entries: Sequence[Entry],
    today: dt.date,
    until: dt.date,
    period: str,
) -> Digest:
    overdue, due, stale = _grouped(entries)
    return Digest(recipient, kind, key, name, today, until, period, overdue, due, stale)


def _merge(first: Digest, second: Digest) -> Digest:
    """One message for an address that two subjects share: the first's heading, every deadline
    once (the first's link)."""
    seen = {e.item.uid for e in first.entries}
    extra = [e for e in second.entries if e.item.uid not in seen]
    every = sorted(
        [*first.entries, *extra],
        key=lambda e: (e.item.due, e.item.project_key, e.item.kind, e.item.ref),
    )
    overdue, due, stale = _grouped(every)
    return replace(first, overdue=overdue, due=due, stale=stale)


def _organisation_digests(
    session: Session, today: dt.date, until: dt.date, period: str
) -> list[Digest]:
    partner_accounts = exists().where(
        Account.organisation_id == Organisation.id,
        Account.role == Role.PARTNER,
        Account.disabled.is_(False),
    )
    rows = session.execute(
        select(
            Organisation.id,
            Organisation.key,
            Organisation.name,
            Organisation.contact_email,
            partner_accounts.label("portal"),
        )
        .where(
            Organisation.active(),
            Organisation.contact_email.is_not(None),
            Organisation.contact_email != "",
        )
        .order_by(Organisation.key)
    ).all()
    out = []
    for row in rows:
        entries = [
            Entry(
                item,
                links.digest_entry(
                    item.project_key, partner_portal=bool(row.portal), section=item.section
                ),
            )
            for item in agenda(session, today=today, organisation_key=row.key, until=until)
            if row.id in item.organisation_ids
        ]
        out.append(
            _digest(
                normalise_email(row.contact_email),
                DigestSubject.ORGANISATION,
                row.key,
                row.name,
                entries,
                today,
                until,
                period,
            )
        )
    return out


def _account_digests(session: Session, today: dt.date, until: dt.date, period: str) -> list[Digest]:
    accounts = (
        session.execute(
            select(Account)
            .where(
                Account.disabled.is_(False),
                Account.wants_digest.is_(True),
                Account.email.is_not(None),
                Account.email != "",
            )
            .order_by(Account.name)
        )
        .scalars()
        .all()
    )
    operator = principal_of(session)
    out = []
    for account in accounts:
        who = principal_for_account(session, account)
        if not who.may(Action.READ_DEADLINES):  # a viewer sees no project
            continue
        set_principal(session, who)  # the agenda scopes by the session's principal
        try:
            items = agenda(session, today=today, until=until)
        finally:
            set_principal(session, operator)
        entries = [
            Entry(item, links.digest_entry(item.project_key, principal=who, section=item.section))
            for item in items
        ]
        out.append(
            _digest(
                normalise_email(account.email or ""),
                DigestSubject.ACCOUNT,
                account.name,
                account.display_name or account.name,
                entries,
                today,
                until,
                period,
            )
        )
    return out


@requires(Action.SEND_DIGEST)
def compose(session: Session, *, today: dt.date) -> list[Digest]:
    """Every digest of the period ``today`` falls in, one per address, organisations first (by
    key), then accounts (by name); recipients with nothing to report are left out."""
    until = today + dt.timedelta(days=settings.digest().horizon_days)
    period = period_key(today)
    by_address: dict[str, Digest] = {}
    for digest in [
        *_organisation_digests(session, today, until, period),
        *_account_digests(session, today, until, period),
    ]:
        if digest.empty:
            continue
        known = by_address.get(digest.recipient)
        by_address[digest.recipient] = digest if known is None else _merge(known, digest)
    return list(by_address.values())


# ---- the transport ---------------------------------------------------------------------------


class Transport(Protocol):
    """Hands one message to a mail server; raises on failure (``smtplib.SMTPException`` or
    ``OSError``)."""

    def send(self, message: EmailMessage) -> None: ...

    @property
    def sender(self) -> str: ...

    @property
    def secrets(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class SmtpTransport:
    """``[smtp]`` from :func:`portfolio.settings.smtp`: one connection per message (a retry
    starts afresh), STARTTLS, implicit TLS or plain, a login when a user is set."""

    config: settings.Smtp

    @property
    def sender(self) -> str:
        return self.config.sender

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.config.password,) if self.config.password else ()

    def send(self, message: EmailMessage) -> None:
        c = self.config
        context = ssl.create_default_context()
        server: smtplib.SMTP
        if c.security == "tls":
            server = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout_seconds, context=context)
        else:
            server = smtplib.SMTP(c.host, c.port, timeout=c.timeout_seconds)
        with server:
            if c.security == "starttls":
                server.starttls(context=context)
            if c.user:
                server.login(c.user, c.password)
            server.send_message(message)


# ---- sending ---------------------------------------------------------------------------------


@dataclass
class Failure:
    recipient: str
    subject_key: str
    attempts: int
    error: str


@dataclass
class RunResult:
    """What one run did: ``sent`` messages, ``skipped`` (already sent this period), ``failed``
    (recorded, retried on the next run)."""

    period: str
    recipients: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    redirected_to: str | None = None
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0


def error_text(exc: BaseException, secrets: Sequence[str] = ()) -> str:
    """An SMTP failure in one line, without the password and without a traceback."""
    if isinstance(exc, smtplib.SMTPResponseException):
        raw = exc.smtp_error
        reply = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        text = f"{exc.smtp_code} {reply}"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = "; ".join(
            f"{address}: {code} {reply.decode('utf-8', 'replace')}"
            for address, (code, reply) in exc.recipients.items()
        )
    else:
        text = f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text[:ERROR_LIMIT]


def _addressed(message: EmailMessage, sender: str, to: str, original: str | None) -> EmailMessage:
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    if original is not None:
        message["X-Original-To"] = original
    return message


def _deliver(
    transport: Transport, message: EmailMessage, attempts: int, backoff: float
) -> tuple[int, str | None]:
    """Try up to ``attempts`` times; (tries made, None when it went out, else the last
    error)."""
    error: str | None = None
    for attempt in range(1, attempts + 1):
        if attempt > 1 and backoff > 0:
            time.sleep(backoff * (attempt - 1))
        try:
            transport.send(message)
        except (smtplib.SMTPException, OSError) as exc:
            error = error_text(exc, transport.secrets)
            log.warning(
                "digest to %s: attempt %d of %d failed: %s",
                message["To"],
                attempt,
                attempts,
                error,
            )
            continue
        return attempt, None
    return attempts, error


def _claim(factory: sessionmaker[Session], who: Principal, digest: Digest) -> bool:
    """Make sure the delivery row exists; False when this period's message was already sent
    (or another run holds it)."""
    try:
        with unit_of_work(factory, who) as session:
            row = session.execute(
                select(DigestDelivery).where(
                    DigestDelivery.period == digest.period,
                    DigestDelivery.recipient == digest.recipient,
                )
            ).scalar_one_or_none()
            if row is not None:
                return row.state != DeliveryState.SENT
            session.add(
                DigestDelivery(
                    period=digest.period,
                    recipient=digest.recipient,
                    subject_kind=str(digest.subject_kind),
                    subject_key=digest.subject_key,
                    state=str(DeliveryState.PENDING),
                    items=digest.items,
                )
            )
    except IntegrityError:  # a concurrent run inserted it first: that run sends it
        return False
    return True


def _settle(
    factory: sessionmaker[Session],
    who: Principal,
    digest: Digest,
    tries: int,
    error: str | None,
) -> None:
    with unit_of_work(factory, who) as session:
        row = session.execute(
            select(DigestDelivery).where(
                DigestDelivery.period == digest.period,
                DigestDelivery.recipient == digest.recipient,
            )
        ).scalar_one()
        row.attempts += tries
        row.items = digest.items
        row.subject_kind, row.subject_key = str(digest.subject_kind), digest.subject_key
        if error is None:
            row.state, row.last_error, row.sent_at = str(DeliveryState.SENT), None, clock.utcnow()
        else:
            row.state, row.last_error = str(DeliveryState.FAILED), error


def _audit_failure(
    factory: sessionmaker[Session], who: Principal, digest: Digest, failure: Failure
) -> None:
    with unit_of_work(factory, who) as session:
        audit.record(
            session,
            AuditKind.DIGEST_FAILED,
            actor=who.name,
            subject=f"{digest.subject_kind}:{digest.subject_key}",
            detail={
                "period": digest.period,
                "recipient": failure.recipient,
                "attempts": failure.attempts,
                "error": failure.error,
            },
        )


@requires(Action.SEND_DIGEST)
def send(
    factory: sessionmaker[Session],
    *,
    principal: Principal,
    today: dt.date,
    render: Callable[[Digest], EmailMessage],
    transport: Transport,
    redirect_to: str | None = None,
    backoff_seconds: float = BACKOFF_SECONDS,
) -> RunResult:
    """Send this period's digests that have not gone out yet; see the module docstring.

    Each message is claimed, sent and settled in transactions of its own, so what went out is
    recorded even if a later message fails or the run is interrupted. ``redirect_to`` sends
    every digest to that address instead (a test run): no delivery row is read or written, so
    the real recipients still get theirs.
    """
    attempts = settings.smtp().attempts
    with unit_of_work(factory, principal) as session:
        digests = compose(session, today=today)
    target = normalise_email(redirect_to) if redirect_to else None
    result = RunResult(period_key(today), recipients=len(digests), redirected_to=target)
    for digest in digests:
        if target is None and not _claim(factory, principal, digest):
            result.skipped += 1
            continue
        message = _addressed(
            render(digest),
            transport.sender,
            target or digest.recipient,
            digest.recipient if target else None,
        )
        tries, error = _deliver(transport, message, attempts, backoff_seconds)
        if target is None:
            _settle(factory, principal, digest, tries, error)
        if error is None:
            result.sent += 1
            log.info("digest %s sent to %s (%d items)", digest.period, message["To"], digest.items)
            continue
        failure = Failure(message["To"], digest.subject_key, tries, error)
        result.failed += 1
        result.failures.append(failure)
        log.error(
            "digest %s to %s failed after %d attempts: %s",
            digest.period,
            failure.recipient,
            tries,
            error,
        )
        _audit_failure(factory, principal, digest, failure)
    with unit_of_work(factory, principal) as session:
        audit.record(
            session,
            AuditKind.DIGEST_SENT,
            actor=principal.name,
            subject=result.period,
            detail={
                "recipients": result.recipients,
                "sent": result.sent,
                "skipped": result.skipped,
                "failed": result.failed,
                **({"redirected_to": target} if target else {}),
            },
        )
    return result
