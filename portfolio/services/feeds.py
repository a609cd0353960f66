"""Kalender-Abos: the secret tokens in the addresses of the calendar feeds (iCalendar).

A feed belongs to one account, its owner, and lists the deadlines that owner may see
(:func:`portfolio.queries.agenda.agenda` as the owner's principal), all of them (scope
``account``), one organisation's or one project's. Calendar clients cannot sign in, so the
feed's address carries a secret instead: made by :func:`secrets.token_urlsafe` (32 random bytes),
shown once when the feed is created and never stored; the table keeps only its SHA-256 hex
digest. Whoever knows the address reads the feed, so it can be revoked at any time; a revoked
or unknown token, or a disabled owner account, gets the same 404 (:func:`resolve` answers None).

Who may: everyone with :attr:`Action.READ_DEADLINES` makes and revokes the own feeds; a partner
only for its own organisation and its own projects (the same scope checks as everywhere,
:func:`portfolio.policy.require_organisation` and :func:`~portfolio.policy.require_project`).
Administrators may revoke anyone's feed. Creating and revoking are written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import AuditKind, ChangeSource, FeedScope, Role
from db.models import Account, FeedToken, Organisation, Project
from portfolio import audit, clock
from portfolio.errors import NotFound, PortfolioError, Problem, ValidationFailed
from portfolio.i18n import DEFAULT_LANG, t
from portfolio.policy import (
    AccessDenied,
    Action,
    Principal,
    principal_of,
    require_organisation,
    require_project,
    requires,
    visible_project_ids,
)
from portfolio.services.accounts import principal_for_account
from portfolio.services.base import flush

SECRET_BYTES = 32
"""Random bytes in a secret (43 URL-safe characters)."""
LABEL_MAX = 200
DEFAULT_LABEL = "Smart-City-Fristen"
"""The start of a feed's name (the calendar's name in the client) when none is given."""
_SECRET = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
"""What a secret can look like; anything else is not looked up at all."""
TOUCH_EVERY = dt.timedelta(minutes=5)
"""``last_used_at`` moves at most this often: a client polling every minute writes no more."""


class FeedRefused(PortfolioError):
    """A feed needs an account: the local demo administrator and the CLI's bootstrap operator
    have none."""

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return t("feed_needs_account", lang)


@dataclass(frozen=True)
class FeedRow:
    """A feed as the Fristen page lists it (never its secret, which is not stored)."""

    id: int
    scope: FeedScope
    label: str
    owner: str  # the owner account's name
    organisation_key: str | None
    organisation_name: str | None
    project_key: str | None
    project_title: str | None
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class CreatedFeed:
    """A new feed and its secret: shown once (:func:`portfolio.links.feed` makes the address)."""

    feed: FeedRow
    secret: str


@dataclass(frozen=True)
class ResolvedFeed:
    """What a feed's address stands for: its owner as a principal, and the scope."""

    token_id: int
    principal: Principal
    scope: FeedScope
    label: str
    organisation_key: str | None
    project_key: str | None


@dataclass(frozen=True)
class FeedChoices:
    """What the principal may subscribe to besides "everything I may see"."""

    organisations: list[tuple[str, str]]  # key, short name
    projects: list[tuple[str, str]]  # key, title


def hash_secret(secret: str) -> str:
    """The SHA-256 hex digest the table keeps of a secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _row(session: Session, token: FeedToken) -> FeedRow:
    org = (
        session.execute(
            select(Organisation.key, Organisation.short_name).where(
                Organisation.id == token.organisation_id
            )
        ).first()
        if token.organisation_id is not None
        else None
    )
    project = (
        session.execute(
            select(Project.key, Project.title).where(Project.id == token.project_id)
        ).first()
        if token.project_id is not None
        else None
    )
    owner = session.scalar(select(Account.name).where(Account.id == token.account_id)) or ""
    return FeedRow(
        id=token.id,
        scope=FeedScope(token.scope),
        label=token.label,
        owner=owner,
        organisation_key=org[0] if org else None,
        organisation_name=org[1] if org else None,
        project_key=project[0] if project else None,
        project_title=project[1] if project else None,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


def _scope_of(value: FeedScope | str) -> FeedScope:
    try:
        return FeedScope(value)
    except ValueError:
        allowed = ", ".join(s.value for s in FeedScope)
        raise ValidationFailed(
            [Problem("scope", "not_in_list", {"value": str(value), "allowed": allowed})]
        ) from None


@requires(Action.READ_DEADLINES)
def create(
    session: Session,
    *,
    scope: FeedScope | str,
    organisation_key: str | None = None,
    project_key: str | None = None,
    label: str = "",
) -> CreatedFeed:
    """A new feed of the signed-in account: everything it may see (``account``), one
    organisation's projects (``organisation``, ``organisation_key``) or one project
    (``project``, ``project_key``). Returns the secret, which is shown once and not kept."""
    who = principal_of(session)
    if who.account_id is None or session.get(Account, who.account_id) is None:
        raise FeedRefused()
    kind = _scope_of(scope)
    problems: list[Problem] = []
    org_id: int | None = None
    project_id: int | None = None
    if kind is FeedScope.ORGANISATION:
        key = (organisation_key or "").strip()
        org_id = (
            session.scalar(
                select(Organisation.id).where(Organisation.key == key, Organisation.active())
            )
            if key
            else None
        )
        if not key:
            problems.append(Problem("organisation", "required"))
        elif org_id is None:
            problems.append(Problem("organisation", "unknown_reference", {"value": key}))
    if kind is FeedScope.PROJECT:
        key = (project_key or "").strip()
        project_id = (
            session.scalar(select(Project.id).where(Project.key == key, Project.active()))
            if key
            else None
        )
        if not key:
            problems.append(Problem("project", "required"))
        elif project_id is None:
            problems.append(Problem("project", "unknown_reference", {"value": key}))
    text = " ".join((label or "").split())
    if len(text) > LABEL_MAX:
        problems.append(Problem("label", "too_long", {"max": LABEL_MAX, "length": len(text)}))
    if problems:
        raise ValidationFailed(problems)
    if org_id is not None:
        require_organisation(who, org_id)
    if project_id is not None:
        require_project(session, project_id, who)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    token = FeedToken(
        token_hash=hash_secret(secret),
        scope=kind.value,
        account_id=who.account_id,
        organisation_id=org_id,
        project_id=project_id,
        label=text or _default_label(kind, organisation_key, project_key),
    )
    session.add(token)
    flush(session, token)
    row = _row(session, token)
    audit.record(
        session,
        AuditKind.FEED_CREATED,
        actor=who.name,
        subject=who.name,
        detail={
            "feed": token.id,
            "scope": kind.value,
            "organisation": row.organisation_key,
            "project": row.project_key,
        },
    )
    return CreatedFeed(row, secret)


def _default_label(kind: FeedScope, organisation_key: str | None, project_key: str | None) -> str:
    """What the calendar client shows as the subscription's name when none is given."""
    if kind is FeedScope.ORGANISATION:
        return f"{DEFAULT_LABEL} {(organisation_key or '').strip()}"
    if kind is FeedScope.PROJECT:
        return f"{DEFAULT_LABEL} {(project_key or '').strip()}"
    return DEFAULT_LABEL


@requires(Action.READ_DEADLINES)
def get_all(session: Session, *, include_revoked: bool = False) -> list[FeedRow]:
    """The signed-in account's own feeds, newest first (an account-less principal has none)."""
    who = principal_of(session)
    if who.account_id is None:
        return []
    stmt = select(FeedToken).where(FeedToken.account_id == who.account_id)
    if not include_revoked:
        stmt = stmt.where(FeedToken.revoked_at.is_(None))
    tokens = session.execute(stmt.order_by(FeedToken.id.desc())).scalars()
    return [_row(session, t) for t in tokens]


@requires(Action.READ_DEADLINES)
def revoke(session: Session, token_id: int) -> FeedRow:
    """Revoke a feed: its address answers 404 from now on. One's own feed, or any as an
    administrator; another's is "not found" (nobody learns which ids exist). Revoking a revoked
    feed changes nothing."""
    who = principal_of(session)
    token = session.get(FeedToken, token_id)
    if token is None or (token.account_id != who.account_id and who.role is not Role.ADMIN):
        raise NotFound("feed_token", token_id)
    if token.revoked_at is None:
        token.revoked_at = clock.utcnow()
        flush(session, token)
        audit.record(
            session,
            AuditKind.FEED_REVOKED,
            actor=who.name,
            subject=_row(session, token).owner,
            detail={"feed": token.id, "scope": token.scope},
        )
    return _row(session, token)


@requires(Action.READ_DEADLINES)
def choices(session: Session) -> FeedChoices:
    """The organisations and projects the principal may make a feed of: a partner its own
    organisation and its projects, everyone else every active one."""
    who = principal_of(session)
    orgs = select(Organisation.key, Organisation.short_name).where(Organisation.active())
    if who.is_scoped:
        orgs = orgs.where(Organisation.id == who.organisation_id)
    projects = select(Project.key, Project.title).where(Project.active())
    visible = visible_project_ids(who)
    if visible is not None:
        projects = projects.where(Project.id.in_(visible))
    return FeedChoices(
        [(k, n) for k, n in session.execute(orgs.order_by(Organisation.short_name))],
        [(k, t) for k, t in session.execute(projects.order_by(Project.key))],
    )


@requires(Action.SIGN_IN)
def resolve(session: Session, secret: str) -> ResolvedFeed | None:
    """The feed a secret opens, or None: unknown, revoked, its owner account disabled or gone,
    or the owner's role no longer reads deadlines. Notes the use (``last_used_at``).

    Guarded like the login (:attr:`Action.SIGN_IN`, open to anyone): a calendar client calls
    it without being signed in; the secret *is* its credential, and this function turns it into
    the owner's principal, under which the feed is then read (every other guard applies to
    that principal). The session only needs to be a writing one."""
    if not _SECRET.match(secret or ""):
        return None
    token = session.execute(
        select(FeedToken).where(FeedToken.token_hash == hash_secret(secret))
    ).scalar_one_or_none()
    if token is None or token.revoked_at is not None:
        return None
    account = session.get(Account, token.account_id)
    if account is None or account.disabled:
        return None
    owner = principal_for_account(session, account, source=ChangeSource.SYSTEM).with_ref(
        f"feed {token.id}"
    )
    if not owner.may(Action.READ_DEADLINES):
        return None
    row = _row(session, token)
    if owner.is_scoped:  # a partner moved to another organisation: its old feeds stop
        try:
            if token.organisation_id is not None:
                require_organisation(owner, token.organisation_id)
            if token.project_id is not None:
                require_project(session, token.project_id, owner)
        except AccessDenied:
            return None
    now = clock.utcnow()
    last = token.last_used_at
    if last is None or clock.as_utc(last) + TOUCH_EVERY <= now:
        token.last_used_at = now
        flush(session, token)
    return ResolvedFeed(
        token.id,
        owner,
        FeedScope(token.scope),
        token.label,
        row.organisation_key,
        row.project_key,
    )
