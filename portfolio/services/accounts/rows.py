"""An account as it is read: the row the Konten page shows, the lookups, and the principal it
signs in as (the same for the built-in and the OpenID login)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from db.enums import ChangeSource, Role
from db.models import Account, Organisation
from portfolio import clock
from portfolio.i18n import DEFAULT_LANG
from portfolio.policy import Action, Principal, requires, role_label
from portfolio.services.accounts.refusals import AccountRefused
from portfolio.services.base import get_or_raise


@dataclass(frozen=True)
class AccountRow:
    """An account as the Konten page and ``portfolio user list`` show it (never the hash)."""

    id: int
    name: str
    display_name: str | None
    email: str | None
    role: Role
    organisation_key: str | None
    organisation_name: str | None
    disabled: bool
    locked_until: dt.datetime | None
    must_change_password: bool
    has_password: bool
    last_login_at: dt.datetime | None
    version: int

    def role_label(self, lang: str = DEFAULT_LANG) -> str:
        return role_label(self.role, lang)

    def is_locked(self, now: dt.datetime | None = None) -> bool:
        return _is_future(self.locked_until, now or clock.utcnow())


def _is_future(moment: dt.datetime | None, now: dt.datetime) -> bool:
    return moment is not None and clock.as_utc(moment) > now


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_name(name: str) -> str:
    return name.strip().lower()


def named(name: str) -> Select[Account]:
    """The statement that reads the account of a login name (compared normalised)."""
    return select(Account).where(Account.name == normalise_name(name))


def organisation_key_of(organisation_id: int) -> Select[str]:
    """The statement that reads the key of an organisation."""
    return select(Organisation.key).where(Organisation.id == organisation_id)


def lift_lockout(account: Account) -> None:
    """Start the count of failed logins afresh and lift a lockout."""
    account.failed_logins = 0
    account.locked_until = None


def account_row(
    account: Account, organisation_key: str | None, organisation: str | None
) -> AccountRow:
    """The row of ``account`` with its organisation's key and short name."""
    return AccountRow(
        id=account.id,
        name=account.name,
        display_name=account.display_name,
        email=account.email,
        role=Role(account.role),
        organisation_key=organisation_key,
        organisation_name=organisation,
        disabled=account.disabled,
        locked_until=account.locked_until,
        must_change_password=account.must_change_password,
        has_password=account.password_hash is not None,
        last_login_at=account.last_login_at,
        version=account.version,
    )


@requires(Action.SIGN_IN)
def sign_in_configured(session: Session) -> bool:
    """Whether any enabled account exists (then every non-demo page needs a login)."""
    return bool(session.scalar(select(exists().where(Account.disabled.is_(False)))))


@requires(Action.MANAGE_ACCOUNTS)
def get(session: Session, account_id: int) -> Account:
    return get_or_raise(session, Account, account_id)


@requires(Action.MANAGE_ACCOUNTS)
def get_by_name(session: Session, name: str) -> Account:
    account = session.execute(named(name)).scalar_one_or_none()
    if account is None:
        raise AccountRefused("unknown_account", value=normalise_name(name))
    return account


@requires(Action.MANAGE_ACCOUNTS)
def get_all(session: Session, *, include_disabled: bool = True) -> list[AccountRow]:
    """Every account by name, with its organisation (the Konten page, ``portfolio user list``)."""
    stmt = (
        select(Account, Organisation.key, Organisation.short_name)
        .outerjoin(Organisation, Organisation.id == Account.organisation_id)
        .order_by(Account.name)
    )
    if not include_disabled:
        stmt = stmt.where(Account.disabled.is_(False))
    return [account_row(a, key, org) for a, key, org in session.execute(stmt).all()]


@requires(Action.SIGN_IN)
def principal_for_account(
    session: Session, account: Account, *, source: ChangeSource = ChangeSource.UI
) -> Principal:
    """The principal an account signs in as (the same for built-in and OpenID logins)."""
    organisation_id = account.organisation_id
    return Principal(
        account.name,
        Role(account.role),
        organisation_id=organisation_id,
        organisation_key=(
            session.scalar(organisation_key_of(organisation_id))
            if organisation_id is not None
            else None
        ),
        source=source,
        account_id=account.id,
        display_name=account.display_name,
    )
