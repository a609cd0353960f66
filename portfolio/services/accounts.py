"""Accounts (Konten): create, list, disable, enable, set a role, reset a password; and the two
ways in, the built-in login (:func:`authenticate`) and OpenID Connect
(:func:`principal_for_email`), which end in the same :class:`~portfolio.policy.Principal`
(:func:`principal_for_account`).

Never deleted: a disabled account keeps its name for the journal. Every change is written to
the audit log (:mod:`portfolio.audit`). Accounts are versioned; an edit made on a stale version
is a conflict.

Throttling and lockout. Failed logins are counted per tried name from the audit log's
``login_failed`` events, whether the name exists or not: :data:`LOCK_AFTER` failures within
:data:`FAILURE_WINDOW` lock the name for :data:`LOCK_FOR` (audit ``lockout``). An unknown name
gets the same message and the same lockout as a wrong password, and takes as long (a throw-away
hash is verified), so the login tells nobody which names exist. A success, a lockout, a
password reset and enabling the account start the count afresh. While a name is locked,
attempts are refused without looking at the password (audit ``access_denied``).

A refused login raises :class:`SignInRefused`, but its audit event and counter must be kept:
run the attempt through :func:`sign_in`, which commits them before it raises.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from db.enums import AuditKind, ChangeSource, Role
from db.models import Account, AuditEvent, Organisation
from portfolio import audit, clock, passwords
from portfolio.errors import PortfolioError
from portfolio.i18n import DEFAULT_LANG
from portfolio.policy import Action, Principal, principal_of, requires, role_label
from portfolio.services.base import ensure_version, flush, get_or_raise, unit_of_work

T = TypeVar("T")

LOCK_AFTER = 5
"""Failed logins of one name within :data:`FAILURE_WINDOW` that lock it."""
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCK_FOR = dt.timedelta(minutes=15)
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# ---- errors ----------------------------------------------------------------------------------


class SignInRefused(PortfolioError):
    """A login that gives no access: unknown identity, disabled account, wrong password, lockout.

    ``reason``: ``unknown_email`` (OpenID: no account has this e-mail), ``disabled``,
    ``credentials`` (name or password wrong: one message for both, so nobody learns which names
    exist), ``locked`` (too many failures; ``minutes`` until the next try).
    """

    def __init__(self, reason: str, *, email: str | None = None, minutes: int = 0) -> None:
        self.reason, self.email, self.minutes = reason, email, minutes
        super().__init__(self.message())

    def message(self, lang: str = DEFAULT_LANG) -> str:
        de = lang == "de"
        if self.reason == "unknown_email":
            return (
                f"Für die E-Mail-Adresse {self.email} gibt es kein Konto im Portfolio. "
                "Wenden Sie sich an die Administration der Innovation Unit, wenn Sie Zugang "
                "brauchen."
                if de
                else f"There is no portfolio account for the e-mail address {self.email}. "
                "Ask the Innovation Unit's administrators if you need access."
            )
        if self.reason == "disabled":
            return (
                "Dieses Konto ist gesperrt. Wenden Sie sich an die Administration."
                if de
                else "This account is disabled. Ask the administrators."
            )
        if self.reason == "locked":
            return (
                "Zu viele fehlgeschlagene Anmeldungen: Die Anmeldung ist für "
                f"{self.minutes} Minuten gesperrt. Bitte später erneut versuchen oder die "
                "Administration bitten, das Passwort zurückzusetzen."
                if de
                else "Too many failed sign-ins: signing in is blocked for "
                f"{self.minutes} minutes. Please try again later or ask the administrators to "
                "reset the password."
            )
        return (
            "Anmeldung fehlgeschlagen: Name oder Passwort ist falsch."
            if de
            else "Sign-in failed: the name or the password is wrong."
        )


_REFUSALS: dict[str, tuple[str, str]] = {
    "bad_name": (
        "Der Kontoname „{value}“ ist nicht zulässig: 2 bis 100 Zeichen, Kleinbuchstaben, "
        "Ziffern und . _ - @, am Anfang ein Buchstabe oder eine Ziffer.",
        "The account name “{value}” is not allowed: 2 to 100 characters, lower-case letters, "
        "digits and . _ - @, starting with a letter or a digit.",
    ),
    "name_taken": (
        "Den Kontonamen „{value}“ gibt es schon (auch gesperrte Konten behalten ihren Namen). "
        "Bitte einen anderen wählen.",
        "The account name “{value}” is taken (disabled accounts keep their names too). Please "
        "choose another.",
    ),
    "bad_email": (
        "„{value}“ ist keine E-Mail-Adresse.",
        "“{value}” is not an e-mail address.",
    ),
    "email_taken": (
        "Die E-Mail-Adresse „{value}“ gehört schon zu einem anderen Konto.",
        "The e-mail address “{value}” already belongs to another account.",
    ),
    "email_required": (
        "Ein Konto, das sich nur über OpenID Connect anmeldet, braucht eine E-Mail-Adresse: "
        "über sie wird die Anmeldung zugeordnet.",
        "An account that signs in only through OpenID Connect needs an e-mail address: the "
        "login is matched by it.",
    ),
    "bad_role": (
        "„{value}“ ist keine Rolle. Möglich: {allowed}.",
        "“{value}” is not a role. Possible: {allowed}.",
    ),
    "organisation_required": (
        "Ein Partnerkonto gehört zu genau einer Partnerorganisation. Bitte die Organisation "
        "angeben.",
        "A partner account belongs to exactly one partner organisation. Please name the "
        "organisation.",
    ),
    "organisation_unknown": (
        "Die Organisation „{value}“ gibt es nicht (oder sie ist archiviert).",
        "There is no organisation “{value}” (or it is archived).",
    ),
    "organisation_only_partner": (
        "Nur Partnerkonten gehören zu einer Organisation; für die Rolle „{role}“ bitte keine "
        "Organisation angeben.",
        "Only partner accounts belong to an organisation; for the role “{role}” please name no "
        "organisation.",
    ),
    "too_long": (
        "{field}: höchstens {max} Zeichen.",
        "{field}: at most {max} characters.",
    ),
    "own_account": (
        "Das eigene Konto kann man nicht sperren und ihm nicht die Administration entziehen. "
        "Bitte eine andere Administratorin oder einen anderen Administrator darum bitten.",
        "You cannot disable your own account or take away its administrator role. Please ask "
        "another administrator.",
    ),
    "last_admin": (
        "„{value}“ ist das letzte aktive Administrationskonto. Bitte zuerst ein anderes Konto "
        "zur Administration machen.",
        "“{value}” is the last enabled administrator account. Please make another account an "
        "administrator first.",
    ),
    "oidc_only": (
        "Dieses Konto meldet sich über OpenID Connect an und hat kein Passwort im Portfolio.",
        "This account signs in through OpenID Connect and has no password in the portfolio.",
    ),
    "wrong_password": (
        "Das bisherige Passwort ist falsch.",
        "The current password is wrong.",
    ),
    "unknown_account": (
        "Ein Konto „{value}“ gibt es nicht.",
        "There is no account “{value}”.",
    ),
    "no_account": (
        "Sie sind nicht mit einem Konto des Portfolios angemeldet.",
        "You are not signed in with a portfolio account.",
    ),
    "no_email": (
        "Ihr Konto hat keine E-Mail-Adresse. Bitte die Administration, sie einzutragen; dann "
        "können Sie die Fristen-Übersicht abonnieren.",
        "Your account has no e-mail address. Ask the administrators to add one; then you can "
        "subscribe to the deadline digest.",
    ),
}


class AccountRefused(PortfolioError):
    """An account change the rules don't allow; ``reason`` is a code of :data:`_REFUSALS`."""

    def __init__(self, reason: str, **params: str) -> None:
        self.reason, self.params = reason, params
        super().__init__(self.message())

    def message(self, lang: str = DEFAULT_LANG) -> str:
        de, en = _REFUSALS[self.reason]
        return (de if lang == "de" else en).format(**self.params)


# ---- reading ---------------------------------------------------------------------------------


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


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _is_future(moment: dt.datetime | None, now: dt.datetime) -> bool:
    return moment is not None and _aware(moment) > now


@requires(Action.SIGN_IN)
def sign_in_configured(session: Session) -> bool:
    """Whether any enabled account exists (then every non-demo page needs a login)."""
    return bool(session.scalar(select(exists().where(Account.disabled.is_(False)))))


@requires(Action.MANAGE_ACCOUNTS)
def get(session: Session, account_id: int) -> Account:
    return get_or_raise(session, Account, account_id)


def _by_name(session: Session, name: str) -> Account | None:
    return session.execute(
        select(Account).where(Account.name == normalise_name(name))
    ).scalar_one_or_none()


@requires(Action.MANAGE_ACCOUNTS)
def get_by_name(session: Session, name: str) -> Account:
    account = _by_name(session, name)
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
    return [_row(a, key, org) for a, key, org in session.execute(stmt).all()]


def _row(account: Account, organisation_key: str | None, organisation: str | None) -> AccountRow:
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


# ---- principals ------------------------------------------------------------------------------


def _organisation_key(session: Session, organisation_id: int | None) -> str | None:
    if organisation_id is None:
        return None
    return session.scalar(select(Organisation.key).where(Organisation.id == organisation_id))


@requires(Action.SIGN_IN)
def principal_for_account(
    session: Session, account: Account, *, source: ChangeSource = ChangeSource.UI
) -> Principal:
    """The principal an account signs in as (the same for built-in and OpenID logins)."""
    return Principal(
        account.name,
        Role(account.role),
        organisation_id=account.organisation_id,
        organisation_key=_organisation_key(session, account.organisation_id),
        source=source,
        account_id=account.id,
        display_name=account.display_name,
    )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_name(name: str) -> str:
    return name.strip().lower()


def _succeeded(session: Session, account: Account, *, ip: str | None, method: str) -> Principal:
    account.last_login_at = clock.utcnow()
    account.failed_logins = 0
    account.locked_until = None
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


# ---- OpenID Connect ------------------------------------------------------------------------


class OidcRefused(SignInRefused):
    """An OpenID login refused before any account is looked up: the provider sent no e-mail
    address (``no_email``), or one it marks as not verified (``email_unverified``)."""

    def message(self, lang: str = DEFAULT_LANG) -> str:
        de = lang == "de"
        if self.reason == "no_email":
            return (
                "Der Anmeldedienst der Stadt hat keine E-Mail-Adresse übermittelt, daher kann "
                "Ihrem Zugang kein Konto im Portfolio zugeordnet werden. Wenden Sie sich an die "
                "Administration."
                if de
                else "The city's identity provider sent no e-mail address, so no portfolio "
                "account can be matched. Ask the administrators."
            )
        if self.reason == "email_unverified":
            return (
                f"Der Anmeldedienst der Stadt hat die E-Mail-Adresse {self.email} nicht "
                "bestätigt. Ohne bestätigte Adresse gibt es keinen Zugang zum Portfolio."
                if de
                else f"The city's identity provider has not verified the e-mail address "
                f"{self.email}. Without a verified address there is no access to the portfolio."
            )
        return super().message(lang)


def _unverified(value: object) -> bool:
    """``email_verified`` says no (a boolean; some providers send the text ``"false"``)."""
    if isinstance(value, str):
        return value.strip().lower() == "false"
    return value is False


@requires(Action.SIGN_IN)
def principal_for_claims(
    session: Session, claims: Mapping[str, object], *, ip: str | None
) -> Principal:
    """The principal for an OpenID ID token's ``claims``.

    Refuses (:class:`SignInRefused`, audited) a login without an e-mail claim, with an e-mail
    the provider marks as not verified (``email_verified`` present and false), or whose e-mail
    has no enabled account.
    """
    email = claims.get("email")
    subject = claims.get("sub")
    if not isinstance(email, str) or not email.strip():
        audit.record(
            session,
            AuditKind.UNKNOWN_IDENTITY,
            actor=str(subject or "?"),
            ip=ip,
            detail={"method": "oidc", "reason": "no_email"},
        )
        raise OidcRefused("no_email")
    address = normalise_email(email)
    if _unverified(claims.get("email_verified")):
        audit.record(
            session,
            AuditKind.LOGIN_FAILED,
            actor=address,
            ip=ip,
            detail={"method": "oidc", "reason": "email_unverified"},
        )
        raise OidcRefused("email_unverified", email=address)
    return principal_for_email(session, address, ip=ip)


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
    if restart is not None and _aware(restart) > since:
        since = _aware(restart)
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
        return _aware(account.locked_until) if account.locked_until else None
    last = session.scalar(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.kind == AuditKind.LOCKOUT, AuditEvent.actor == name
        )
    )
    return _aware(last) + LOCK_FOR if last is not None else None


def _minutes_left(until: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))


@requires(Action.SIGN_IN)
def authenticate(session: Session, name: str, password: str, *, ip: str | None) -> Principal:
    """The built-in login: ``name`` and ``password`` of an enabled account.

    Raises :class:`SignInRefused` (``credentials``, ``locked``, ``disabled``; see the module
    docstring for the lockout) after writing the audit event; run it through :func:`sign_in`.
    A success resets the count, sets ``last_login_at``, rehashes a password hashed with older
    parameters and is audited as ``login``. Whether the password must be changed first says
    :func:`password_change_due`.
    """
    tried = normalise_name(name)[:100] or "?"
    now = clock.utcnow()
    account = _by_name(session, tried)
    until = _locked_until(session, tried, account)
    if until is not None and until > now:
        audit.record(
            session, AuditKind.ACCESS_DENIED, actor=tried, ip=ip, detail={"reason": "locked"}
        )
        raise SignInRefused("locked", minutes=_minutes_left(until, now))
    if account is None or account.password_hash is None:
        passwords.waste_time(password)
        matches = False
    else:
        matches = passwords.verify(account.password_hash, password)
    if not matches:
        audit.record(
            session,
            AuditKind.LOGIN_FAILED,
            actor=tried,
            subject=account.name if account is not None else None,
            ip=ip,
            detail={"method": "password"},
        )
        failures = _recent_failures(session, tried, now)
        if account is not None:
            account.failed_logins = failures
        if failures >= LOCK_AFTER:
            if account is not None:
                account.locked_until = now + LOCK_FOR
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
            raise SignInRefused("locked", minutes=_minutes_left(now + LOCK_FOR, now))
        if account is not None:
            flush(session, account)
        raise SignInRefused("credentials")
    assert account is not None and account.password_hash is not None
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


# ---- managing accounts -----------------------------------------------------------------------


@dataclass(frozen=True)
class Created:
    """A new account and its initial password (shown once; None for an OpenID-only account)."""

    account: AccountRow
    initial_password: str | None


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
            func.lower(Organisation.key) == key.lower(), Organisation.archived.is_(False)
        )
    )
    if org_id is None:
        raise AccountRefused("organisation_unknown", value=key)
    return int(org_id)


def _actor(session: Session) -> str:
    return principal_of(session).name


def _audit(
    session: Session,
    kind: AuditKind,
    account: Account,
    *,
    ip: str | None = None,
    detail: dict[str, object] | None = None,
) -> None:
    audit.record(
        session, kind, actor=_actor(session), subject=account.name, ip=ip, detail=dict(detail or {})
    )


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
    return _row(account, org[0] if org else None, org[1] if org else None)


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
    login = normalise_name(name)
    if not NAME_PATTERN.match(login):
        raise AccountRefused("bad_name", value=name.strip())
    if _by_name(session, login) is not None:
        raise AccountRefused("name_taken", value=login)
    address = normalise_email(email) if email and email.strip() else None
    if address is not None:
        if len(address) > 254 or not EMAIL_PATTERN.match(address):
            raise AccountRefused("bad_email", value=address)
        if session.scalar(select(exists().where(func.lower(Account.email) == address))):
            raise AccountRefused("email_taken", value=address)
    elif oidc_only:
        raise AccountRefused("email_required")
    shown = (display_name or "").strip() or None
    if shown is not None and len(shown) > 200:
        raise AccountRefused("too_long", field="Anzeigename", max="200")
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


@requires(Action.MANAGE_ACCOUNTS)
def disable(
    session: Session, account_id: int, *, expected_version: int | None, ip: str | None = None
) -> Account:
    """Disable an account: it can no longer sign in; its name stays in the journal."""
    account = get_or_raise(session, Account, account_id)
    ensure_version(session, account, expected_version)
    if account.disabled:
        return account
    _guard_admin_loss(session, account)
    if principal_of(session).account_id == account.id:
        raise AccountRefused("own_account")
    account.disabled = True
    flush(session, account, expected_version)
    _audit(session, AuditKind.ACCOUNT_DISABLED, account, ip=ip)
    return account


@requires(Action.MANAGE_ACCOUNTS)
def enable(
    session: Session, account_id: int, *, expected_version: int | None, ip: str | None = None
) -> Account:
    """Enable a disabled account again (also lifts a lockout)."""
    account = get_or_raise(session, Account, account_id)
    ensure_version(session, account, expected_version)
    if not account.disabled and account.locked_until is None:
        return account
    account.disabled = False
    account.locked_until = None
    account.failed_logins = 0
    flush(session, account, expected_version)
    _audit(session, AuditKind.ACCOUNT_ENABLED, account, ip=ip)
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
    account = get_or_raise(session, Account, account_id)
    ensure_version(session, account, expected_version)
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
    account = get_or_raise(session, Account, account_id)
    ensure_version(session, account, expected_version)
    initial = passwords.generate()
    account.password_hash = passwords.hash_password(initial)
    account.must_change_password = True
    account.locked_until = None
    account.failed_logins = 0
    flush(session, account, expected_version)
    _audit(session, AuditKind.PASSWORD_RESET, account, ip=ip)
    return initial


@requires(Action.MANAGE_ACCOUNTS)
def names(session: Session) -> Sequence[str]:
    """Every account name (for filters)."""
    return list(session.execute(select(Account.name).order_by(Account.name)).scalars())
