"""The signed-in user's own account: the principal as the account now is, the own password,
the digest subscription, and signing out."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from db.enums import AuditKind
from db.models import Account
from portfolio import audit, clock, passwords
from portfolio.policy import Action, Principal, principal_of, requires
from portfolio.services.accounts.refusals import AccountRefused
from portfolio.services.accounts.rows import principal_for_account
from portfolio.services.base import flush


def _own_account(session: Session) -> Account:
    who = principal_of(session)
    account = session.get(Account, who.account_id) if who.account_id is not None else None
    if account is None:
        raise AccountRefused("no_account")
    return account


@requires(Action.SIGNED_IN)
def refresh(session: Session) -> Principal | None:
    """The signed-in principal as its account now is (role and organisation as changed
    meanwhile), or None when the account was disabled or is gone: checked on every page run, so
    disabling an account or changing its role takes effect at once. A principal without an
    account (the CLI's bootstrap operator, the demo) stays as it is."""
    who = principal_of(session)
    if who.account_id is None:
        return who
    account = session.get(Account, who.account_id)
    if account is None or account.disabled:
        return None
    return principal_for_account(session, account, source=who.source).with_ref(who.ref)


@requires(Action.SIGNED_IN)
def password_change_due(session: Session) -> bool:
    """Whether the signed-in account must replace its (initial) password before anything else."""
    who = principal_of(session)
    if who.account_id is None:
        return False
    account = session.get(Account, who.account_id)
    return account is not None and account.must_change_password


@requires(Action.SIGNED_IN)
def change_password(session: Session, *, current: str, new: str, ip: str | None = None) -> None:
    """The signed-in user replaces the own password: the current one must match and the new one
    meet the rules (:mod:`portfolio.passwords`); audit ``password_changed``."""
    account = _own_account(session)
    if account.password_hash is None:
        raise AccountRefused("oidc_only")
    if not passwords.verify(account.password_hash, current):
        audit.record(
            session,
            AuditKind.ACCESS_DENIED,
            actor=account.name,
            subject=account.name,
            ip=ip,
            detail={"reason": "wrong_current_password"},
        )
        raise AccountRefused("wrong_password")
    reasons = passwords.problems(new, name=account.name, email=account.email)
    if new == current:
        reasons = (*reasons, "same_as_old")
    if reasons:
        raise passwords.PasswordRejected(reasons)
    account.password_hash = passwords.hash_password(new)
    account.must_change_password = False
    account.password_changed_at = clock.utcnow()
    flush(session, account)
    audit.record(
        session, AuditKind.PASSWORD_CHANGED, actor=account.name, subject=account.name, ip=ip
    )


@dataclass(frozen=True)
class DigestSubscription:
    """Whether the signed-in account gets the e-mail digest, and where it would go."""

    email: str | None
    wanted: bool


@requires(Action.READ_DEADLINES)
def digest_subscription(session: Session) -> DigestSubscription | None:
    """The signed-in account's digest subscription; None without an account."""
    who = principal_of(session)
    account = session.get(Account, who.account_id) if who.account_id is not None else None
    if account is None:
        return None
    return DigestSubscription(account.email, bool(account.wants_digest and account.email))


@requires(Action.READ_DEADLINES)
def set_digest_subscription(session: Session, *, wanted: bool) -> DigestSubscription:
    """The signed-in account subscribes to the e-mail digest of its deadlines (or leaves it);
    it needs an e-mail address. Audited as ``digest_subscription``."""
    account = _own_account(session)
    if wanted and not account.email:
        raise AccountRefused("no_email")
    if account.wants_digest != wanted:
        account.wants_digest = wanted
        flush(session, account)
        audit.record(
            session,
            AuditKind.DIGEST_SUBSCRIPTION,
            actor=account.name,
            subject=account.name,
            detail={"wanted": wanted},
        )
    return DigestSubscription(account.email, wanted)


@requires(Action.SIGNED_IN)
def sign_out(session: Session, *, ip: str | None = None, expired: bool = False) -> None:
    """Record the end of the signed-in user's session: ``logout``, or ``session_expired``."""
    who = principal_of(session)
    audit.record(
        session,
        AuditKind.SESSION_EXPIRED if expired else AuditKind.LOGOUT,
        actor=who.name,
        subject=who.name,
        ip=ip,
    )
