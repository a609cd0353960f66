"""Managing accounts (the administration's verbs): create, disable, enable, set a role, reset a
password, list the names. Accounts are never deleted: a disabled account keeps its name for the
journal. Every change is audited; an edit made on a stale version is a conflict."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from db.enums import AuditKind, Role
from db.models import Account, Organisation
from portfolio import audit, passwords
from portfolio.policy import Action, principal_of, requires, role_label
from portfolio.services.accounts.refusals import AccountRefused
from portfolio.services.accounts.rows import (
    AccountRow,
    account_row,
    lift_lockout,
    named,
    normalise_email,
    normalise_name,
    organisation_key_of,
)
from portfolio.services.base import ensure_version, flush, get_or_raise

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Created:
    """A new account and its initial password (shown once; None for an OpenID-only account)."""

    account: AccountRow
    initial_password: str | None


# ---- checks ----------------------------------------------------------------------------------


def _new_name(session: Session, name: str) -> str:
    """The login name of a new account: allowed and not taken (disabled accounts keep theirs)."""
    login = normalise_name(name)
    if not NAME_PATTERN.match(login):
        raise AccountRefused("bad_name", value=name.strip())
    if session.execute(named(login)).scalar_one_or_none() is not None:
        raise AccountRefused("name_taken", value=login)
    return login


def _new_email(session: Session, email: str | None, *, oidc_only: bool) -> str | None:
    """The e-mail address of a new account (required to sign in through OpenID), not taken."""
    address = normalise_email(email) if email and email.strip() else None
    if address is not None:
        if len(address) > 254 or not EMAIL_PATTERN.match(address):
            raise AccountRefused("bad_email", value=address)
        if session.scalar(select(exists().where(func.lower(Account.email) == address))):
            raise AccountRefused("email_taken", value=address)
    elif oidc_only:
        raise AccountRefused("email_required")
    return address


def _shown_name(display_name: str | None) -> str | None:
    shown = (display_name or "").strip() or None
    if shown is not None and len(shown) > 200:
        raise AccountRefused("too_long", field="Anzeigename", max="200")
    return shown


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise AccountRefused(
            "bad_role", value=str(value), allowed=", ".join(r.value for r in Role)
        ) from None


def _organisation_for(session: Session, role: Role, organisation_key: str | None) -> int | None:
    key = (organisation_key or "").strip()
    if role is not Role.PARTNER:
        if key:
            raise AccountRefused("organisation_only_partner", role=role_label(role))
        return None
    if not key:
        raise AccountRefused("organisation_required")
    org_id = session.scalar(
        select(Organisation.id).where(
            func.lower(Organisation.key) == key.lower(), Organisation.active()
        )
    )
    if org_id is None:
        raise AccountRefused("organisation_unknown", value=key)
    return int(org_id)


def _enabled_admins(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                Account.role == Role.ADMIN.value, Account.disabled.is_(False)
            )
        )
        or 0
    )


def _guard_admin_loss(session: Session, account: Account) -> None:
    """An administrator may not lock out the own account, nor the last enabled one."""
    if account.role != Role.ADMIN.value or account.disabled:
        return
    if principal_of(session).account_id == account.id:
        raise AccountRefused("own_account")
    if _enabled_admins(session) <= 1:
        raise AccountRefused("last_admin", value=account.name)


# ---- reading and writing ---------------------------------------------------------------------


def _organisation_key(session: Session, organisation_id: int | None) -> str | None:
    if organisation_id is None:
        return None
    return session.scalar(organisation_key_of(organisation_id))


def _row_of(session: Session, account: Account) -> AccountRow:
    org = (
        session.execute(
            select(Organisation.key, Organisation.short_name).where(
                Organisation.id == account.organisation_id
            )
        ).first()
        if account.organisation_id is not None
        else None
    )
    return account_row(account, org[0] if org else None, org[1] if org else None)


def _current(session: Session, account_id: int, expected_version: int | None) -> Account:
    """The account to change, at the version the caller read (else a conflict)."""
    account = get_or_raise(session, Account, account_id)
    ensure_version(session, account, expected_version)
    return account


def _audit(
    session: Session,
    kind: AuditKind,
    account: Account,
    *,
    ip: str | None,
    detail: dict[str, object] | None = None,
) -> None:
    """Audit a change to ``account`` as ``kind``, made by the signed-in user."""
    audit.record(
        session,
        kind,
        actor=principal_of(session).name,
        subject=account.name,
        ip=ip,
        detail=dict(detail or {}),
    )


def _saved(
    session: Session,
    account: Account,
    expected_version: int | None,
    kind: AuditKind,
    *,
    ip: str | None,
) -> None:
    """Write the change to ``account`` and audit it as ``kind``."""
    flush(session, account, expected_version)
    _audit(session, kind, account, ip=ip)


# ---- the verbs -------------------------------------------------------------------------------


@requires(Action.MANAGE_ACCOUNTS)
def create(
    session: Session,
    *,
    name: str,
    role: Role | str,
    display_name: str | None = None,
    email: str | None = None,
    organisation_key: str | None = None,
    oidc_only: bool = False,
    ip: str | None = None,
) -> Created:
    """A new account. With a password: a generated initial one, returned once, that must be
    changed at the first login. ``oidc_only``: no password; the account signs in through
    OpenID Connect by its e-mail address. A partner belongs to ``organisation_key``."""
    login = _new_name(session, name)
    address = _new_email(session, email, oidc_only=oidc_only)
    shown = _shown_name(display_name)
    the_role = _role(role)
    organisation_id = _organisation_for(session, the_role, organisation_key)
    initial = None if oidc_only else passwords.generate()
    account = Account(
        name=login,
        display_name=shown,
        email=address,
        role=the_role.value,
        organisation_id=organisation_id,
        password_hash=passwords.hash_password(initial) if initial else None,
        must_change_password=initial is not None,
    )
    session.add(account)
    flush(session, account)
    _audit(
        session,
        AuditKind.ACCOUNT_CREATED,
        account,
        ip=ip,
        detail={
            "role": the_role.value,
            "organisation": _organisation_key(session, organisation_id),
            "oidc_only": oidc_only,
        },
    )
    return Created(_row_of(session, account), initial)


@requires(Action.MANAGE_ACCOUNTS)
def disable(
    session: Session, account_id: int, *, expected_version: int | None, ip: str | None = None
) -> Account:
    """Disable an account: it can no longer sign in; its name stays in the journal."""
    account = _current(session, account_id, expected_version)
    if account.disabled:
        return account
    _guard_admin_loss(session, account)
    if principal_of(session).account_id == account.id:
        raise AccountRefused("own_account")
    account.disabled = True
    _saved(session, account, expected_version, AuditKind.ACCOUNT_DISABLED, ip=ip)
    return account


@requires(Action.MANAGE_ACCOUNTS)
def enable(
    session: Session, account_id: int, *, expected_version: int | None, ip: str | None = None
) -> Account:
    """Enable a disabled account again (also lifts a lockout)."""
    account = _current(session, account_id, expected_version)
    if not account.disabled and account.locked_until is None:
        return account
    account.disabled = False
    lift_lockout(account)
    _saved(session, account, expected_version, AuditKind.ACCOUNT_ENABLED, ip=ip)
    return account


@requires(Action.MANAGE_ACCOUNTS)
def set_role(
    session: Session,
    account_id: int,
    role: Role | str,
    *,
    organisation_key: str | None = None,
    expected_version: int | None,
    ip: str | None = None,
) -> Account:
    """Give an account another role (a partner: with its organisation); audit ``role_changed``
    with the old and the new role."""
    account = _current(session, account_id, expected_version)
    new_role = _role(role)
    organisation_id = _organisation_for(session, new_role, organisation_key)
    old_role, old_org = Role(account.role), account.organisation_id
    if new_role is old_role and organisation_id == old_org:
        return account
    if new_role is not Role.ADMIN:
        _guard_admin_loss(session, account)
    old_key = _organisation_key(session, old_org)
    account.role = new_role.value
    account.organisation_id = organisation_id
    flush(session, account, expected_version)
    _audit(
        session,
        AuditKind.ROLE_CHANGED,
        account,
        ip=ip,
        detail={
            "old": old_role.value,
            "new": new_role.value,
            "old_organisation": old_key,
            "new_organisation": _organisation_key(session, organisation_id),
        },
    )
    return account


@requires(Action.MANAGE_ACCOUNTS)
def reset_password(
    session: Session, account_id: int, *, expected_version: int | None, ip: str | None = None
) -> str:
    """A new initial password for the account (returned once; to be changed at the next login);
    lifts a lockout; audit ``password_reset``. An OpenID-only account gets a password too."""
    account = _current(session, account_id, expected_version)
    initial = passwords.generate()
    account.password_hash = passwords.hash_password(initial)
    account.must_change_password = True
    lift_lockout(account)
    _saved(session, account, expected_version, AuditKind.PASSWORD_RESET, ip=ip)
    return initial


@requires(Action.MANAGE_ACCOUNTS)
def names(session: Session) -> Sequence[str]:
    """Every account name (for filters)."""
    return list(session.execute(select(Account.name).order_by(Account.name)).scalars())
