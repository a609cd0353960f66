"""The two ways in and what they share: the built-in login (:func:`authenticate`) with its
throttling and lockout, the e-mail an OpenID login names (:func:`principal_for_email`), and
:func:`sign_in`, which runs an attempt so that a refusal's audit trail is kept.

Throttling and lockout. Failed logins are counted per tried name from the audit log's
``login_failed`` events, whether the name exists or not: :data:`LOCK_AFTER` failures within
:data:`FAILURE_WINDOW` lock the name for :data:`LOCK_FOR` (audit ``lockout``). An unknown name
gets the same message and the same lockout as a wrong password, and takes as long (a throw-away
hash is verified), so the login tells nobody which names exist. A success, a lockout, a
password reset and enabling the account start the count afresh. While a name is locked,
attempts are refused without looking at the password (audit ``access_denied``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import NoReturn, TypeVar

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from db.enums import AuditKind
from db.models import Account, AuditEvent
from portfolio import audit, clock, passwords
from portfolio.policy import Action, Principal, requires
from portfolio.services.accounts.refusals import SignInRefused
from portfolio.services.accounts.rows import (
    lift_lockout,
    named,
    normalise_email,
    normalise_name,
    principal_for_account,
)
from portfolio.services.base import flush, unit_of_work

T = TypeVar("T")

LOCK_AFTER = 5
"""Failed logins of one name within :data:`FAILURE_WINDOW` that lock it."""
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCK_FOR = dt.timedelta(minutes=15)


def _succeeded(session: Session, account: Account, *, ip: str | None, method: str) -> Principal:
    account.last_login_at = clock.utcnow()
    lift_lockout(account)
    flush(session, account)
    audit.record(
        session,
        AuditKind.LOGIN,
        actor=account.name,
        subject=account.name,
        ip=ip,
        detail={"method": method},
    )
    return principal_for_account(session, account)


@requires(Action.SIGN_IN)
def principal_for_email(session: Session, email: str, *, ip: str | None) -> Principal:
    """The OpenID path: the e-mail claim (case-insensitive) names an enabled account.

    An unknown e-mail raises :class:`SignInRefused` (audit ``unknown_identity``), a disabled
    account too (audit ``login_failed``); a success is audited as ``login`` and sets
    ``last_login_at``. Run it through :func:`sign_in` so a refusal's audit is kept.
    """
    address = normalise_email(email or "")
    account = (
        session.execute(select(Account).where(func.lower(Account.email) == address))
        .scalars()
        .first()
        if address
        else None
    )
    if account is None or account.disabled:
        reason = "unknown_email" if account is None else "disabled"
        audit.record(
            session,
            AuditKind.UNKNOWN_IDENTITY if account is None else AuditKind.LOGIN_FAILED,
            actor=address or "?",
            subject=account.name if account is not None else None,
            ip=ip,
            detail={"method": "oidc", "reason": reason},
        )
        raise SignInRefused(reason, email=address or "?")
    return _succeeded(session, account, ip=ip, method="oidc")


@requires(Action.SIGN_IN)
def sign_in(factory: sessionmaker[Session], attempt: Callable[[Session], T]) -> T:
    """Run a login ``attempt`` (:func:`principal_for_email`, :func:`authenticate`) in its own
    transaction, which commits the audit trail and the failure count even when the attempt is
    refused; a :class:`SignInRefused` is raised after the commit.

    ``accounts.sign_in(factory, lambda s: accounts.principal_for_email(s, email, ip=ip))``
    """
    refused: SignInRefused | None = None
    with unit_of_work(factory) as session:
        try:
            return attempt(session)
        except SignInRefused as exc:
            refused = exc
    raise refused


# ---- the built-in login ----------------------------------------------------------------------


def _restart_point(session: Session, name: str) -> dt.datetime | None:
    """Since when failures of ``name`` count: its last login, lockout, reset or enabling."""
    return session.scalar(
        select(func.max(AuditEvent.at)).where(
            or_(
                and_(
                    AuditEvent.kind.in_([AuditKind.LOGIN, AuditKind.LOCKOUT]),
                    AuditEvent.actor == name,
                ),
                and_(
                    AuditEvent.kind.in_([AuditKind.PASSWORD_RESET, AuditKind.ACCOUNT_ENABLED]),
                    AuditEvent.subject == name,
                ),
            )
        )
    )


def _recent_failures(session: Session, name: str, now: dt.datetime) -> int:
    since = now - FAILURE_WINDOW
    restart = _restart_point(session, name)
    if restart is not None and clock.as_utc(restart) > since:
        since = clock.as_utc(restart)
    return int(
        session.scalar(
            select(func.count()).where(
                AuditEvent.kind == AuditKind.LOGIN_FAILED,
                AuditEvent.actor == name,
                AuditEvent.at > since,
            )
        )
        or 0
    )


def _locked_until(session: Session, name: str, account: Account | None) -> dt.datetime | None:
    if account is not None:
        return clock.as_utc(account.locked_until) if account.locked_until else None
    last = session.scalar(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.kind == AuditKind.LOCKOUT, AuditEvent.actor == name
        )
    )
    return clock.as_utc(last) + LOCK_FOR if last is not None else None


def _minutes_left(until: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))


@requires(Action.SIGN_IN)
def authenticate(session: Session, name: str, password: str, *, ip: str | None) -> Principal:
    """The built-in login: ``name`` and ``password`` of an enabled account.

    Raises :class:`SignInRefused` (``credentials``, ``locked``, ``disabled``; see the module
    docstring for the lockout) after writing the audit event; run it through :func:`sign_in`.
    A success resets the count, sets ``last_login_at``, rehashes a password hashed with older
    parameters and is audited as ``login``. Whether the password must be changed first says
    :func:`~portfolio.services.accounts.own.password_change_due`.
    """
    tried = normalise_name(name)[:100] or "?"
    now = clock.utcnow()
    account = session.execute(named(tried)).scalar_one_or_none()
    until = _locked_until(session, tried, account)
    if until is not None and until > now:
        audit.record(
            session, AuditKind.ACCESS_DENIED, actor=tried, ip=ip, detail={"reason": "locked"}
        )
        raise SignInRefused("locked", minutes=_minutes_left(until, now))
    if account is None or account.password_hash is None:
        passwords.waste_time(password)
        _refuse_wrong_password(session, tried, account, now, ip=ip)
    if not passwords.verify(account.password_hash, password):
        _refuse_wrong_password(session, tried, account, now, ip=ip)
    if account.disabled:
        audit.record(
            session,
            AuditKind.LOGIN_FAILED,
            actor=tried,
            subject=account.name,
            ip=ip,
            detail={"method": "password", "reason": "disabled"},
        )
        raise SignInRefused("disabled")
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    return _succeeded(session, account, ip=ip, method="password")


def _refuse_wrong_password(
    session: Session, tried: str, account: Account | None, now: dt.datetime, *, ip: str | None
) -> NoReturn:
    """A wrong password or an unknown name: audit ``login_failed``, count the failure and lock
    the name at :data:`LOCK_AFTER` failures (audit ``lockout``)."""
    audit.record(
        session,
        AuditKind.LOGIN_FAILED,
        actor=tried,
        subject=account.name if account is not None else None,
        ip=ip,
        detail={"method": "password"},
    )
    failures = _recent_failures(session, tried, now)
    locks = failures >= LOCK_AFTER
    if account is not None:
        account.failed_logins = failures
        if locks:
            account.locked_until = now + LOCK_FOR
    if locks:
        audit.record(
            session,
            AuditKind.LOCKOUT,
            actor=tried,
            subject=account.name if account is not None else None,
            ip=ip,
            detail={"failures": failures, "minutes": int(LOCK_FOR.total_seconds() // 60)},
        )
    if account is not None:
        flush(session, account)
    if locks:
        raise SignInRefused("locked", minutes=_minutes_left(now + LOCK_FOR, now))
    raise SignInRefused("credentials")
