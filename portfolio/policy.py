"""Who may do what: the one role × action table, the principal, and the guard every service
verb, read model, export, import and report goes through.

A :class:`Principal` is the signed-in user as the domain sees it: a name (the one the journal
writes), a role and, for a partner, the one organisation it is scoped to. Built-in accounts,
OpenID Connect, the CLI's operator and the local demo all end in the same principal. It rides in
the session (:func:`set_principal`), like the journal's actor, so a service reads it where it
reads everything else; functions that open their own connections take it as ``principal=``.

``@requires(Action.EDIT_PORTFOLIO)`` on a public function checks the principal before the body
runs, and registers the function, so a test can enumerate every verb with its action. The check
is made at the outermost guarded call: a verb that the policy allowed may use other services
internally (a partner's edit through :mod:`portfolio.services.partner_edits` writes through the
milestone service), but nothing is reachable from outside without passing one guard.

What a partner may see within the actions it has is narrowed by :func:`require_project` and
:func:`visible_project_ids`: the projects its organisation takes part in.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from db.enums import ChangeSource, Role
from db.models import Participation
from portfolio.errors import PortfolioError
from portfolio.i18n import DEFAULT_LANG, Both, pick, t
from portfolio.journal import Actor, set_actor

P = ParamSpec("P")
R = TypeVar("R")


class Action(StrEnum):
    """What a guarded function does, as the policy table names it."""

    SIGN_IN = "sign_in"  # the login itself: open to anyone, with or without a principal
    SIGNED_IN = "signed_in"  # anything a signed-in user may: the data stamp, the own password
    READ_PORTFOLIO = "read_portfolio"  # every project, figure, chart, list and search
    READ_JOURNAL = "read_journal"  # the change history of every row
    EDIT_PORTFOLIO = "edit_portfolio"  # projects, partners' roles, milestones, reports, funding
    EDIT_MASTERDATA = "edit_masterdata"  # Leitthemen, Handlungsfelder, organisations, programmes
    EXPORT_DATA = "export_data"  # the register and whole-portfolio workbooks as files
    IMPORT_WORKBOOK = "import_workbook"  # any workbook, in the scope its file states
    PARTNER_READ = "partner_read"  # the partner view of one organisation's projects
    PARTNER_EDIT = "partner_edit"  # the fields the exchange opens to partners, on those projects
    PARTNER_EXCHANGE = "partner_exchange"  # one organisation's workbook: download, upload, apply
    READ_PUBLISHED = "read_published"  # published briefs
    PUBLISH_BRIEF = "publish_brief"  # build and publish the CDO brief
    MANAGE_ACCOUNTS = "manage_accounts"  # accounts and roles
    READ_AUDIT = "read_audit"  # the audit log of logins, role changes, exports
    READ_DEADLINES = "read_deadlines"  # the deadlines of the projects one may see (feeds)
    KEEP_VIEWS = "keep_views"  # one's own saved views of the register (a personal setting)
    SEND_DIGEST = "send_digest"  # the e-mail digest to organisations and accounts
    READ_PUBLIC = "read_public"  # what the city publishes: open data, public page, fact sheets


_ALL = frozenset(Action)
_PORTFOLIO_READ = frozenset(
    {
        Action.SIGN_IN,
        Action.SIGNED_IN,
        Action.READ_PORTFOLIO,
        Action.READ_JOURNAL,
        Action.EXPORT_DATA,
        Action.PARTNER_READ,
        Action.READ_PUBLISHED,
        Action.PUBLISH_BRIEF,
        Action.READ_DEADLINES,
        Action.READ_PUBLIC,
        Action.KEEP_VIEWS,
    }
)
ALLOWED: Mapping[Role, frozenset[Action]] = {
    Role.ADMIN: _ALL,
    Role.STAFF: _ALL - {Action.MANAGE_ACCOUNTS, Action.READ_AUDIT},
    Role.LEADERSHIP: _PORTFOLIO_READ,
    Role.PARTNER: frozenset(
        {
            Action.SIGN_IN,
            Action.SIGNED_IN,
            Action.PARTNER_READ,
            Action.PARTNER_EDIT,
            Action.PARTNER_EXCHANGE,
            Action.READ_DEADLINES,
            Action.READ_PUBLIC,
        }
    ),
    Role.VIEWER: frozenset(
        {Action.SIGN_IN, Action.SIGNED_IN, Action.READ_PUBLISHED, Action.READ_PUBLIC}
    ),
}
"""The role × action table: the only place that says who may do what."""

ROLE_LABELS: Mapping[Role, tuple[str, str]] = {
    Role.ADMIN: ("Administration", "Administrator"),
    Role.STAFF: ("Innovation Unit", "Innovation Unit staff"),
    Role.LEADERSHIP: ("Leitung (CDO)", "Leadership (CDO)"),
    Role.PARTNER: ("Partner", "Partner"),
    Role.VIEWER: ("Lesezugriff", "Viewer"),
}
ACTION_LABELS: Mapping[Action, tuple[str, str]] = {
    Action.SIGN_IN: ("sich anmelden", "signing in"),
    Action.SIGNED_IN: ("angemeldet sein", "being signed in"),
    Action.READ_PORTFOLIO: ("das Portfolio lesen", "reading the portfolio"),
    Action.READ_JOURNAL: ("die Änderungshistorie lesen", "reading the change history"),
    Action.EDIT_PORTFOLIO: ("das Portfolio ändern", "changing the portfolio"),
    Action.EDIT_MASTERDATA: ("Stammdaten ändern", "changing master data"),
    Action.EXPORT_DATA: ("Portfoliodaten herunterladen", "downloading portfolio data"),
    Action.IMPORT_WORKBOOK: ("Arbeitsmappen einlesen", "importing workbooks"),
    Action.PARTNER_READ: ("Partnerprojekte lesen", "reading a partner's projects"),
    Action.PARTNER_EDIT: ("Partnerangaben ändern", "changing a partner's entries"),
    Action.PARTNER_EXCHANGE: (
        "die Partner-Arbeitsmappe austauschen",
        "exchanging a partner workbook",
    ),
    Action.READ_PUBLISHED: ("veröffentlichte Berichte lesen", "reading published briefs"),
    Action.PUBLISH_BRIEF: ("Berichte veröffentlichen", "publishing briefs"),
    Action.MANAGE_ACCOUNTS: ("Konten verwalten", "managing accounts"),
    Action.READ_AUDIT: ("das Sicherheitsprotokoll lesen", "reading the audit log"),
    Action.READ_DEADLINES: ("Fristen abonnieren", "subscribing to deadlines"),
    Action.KEEP_VIEWS: ("eigene Ansichten speichern", "keeping one's own saved views"),
    Action.SEND_DIGEST: ("die Fristen-Übersicht versenden", "sending the deadline digest"),
    Action.READ_PUBLIC: ("veröffentlichte Projektdaten lesen", "reading published project data"),
}


def role_label(role: str, lang: str = DEFAULT_LANG) -> str:
    return pick(*ROLE_LABELS[Role(role)], lang)


@dataclass(frozen=True)
class Principal:
    """The signed-in user: ``name`` is what the journal writes; a partner carries the id and key
    of its one organisation."""

    name: str
    role: Role
    organisation_id: int | None = None
    organisation_key: str | None = None
    source: ChangeSource = ChangeSource.UI
    ref: str | None = None
    account_id: int | None = None
    display_name: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.name, self.source, self.ref)

    @property
    def is_scoped(self) -> bool:
        """Sees only its organisation's projects."""
        return self.role is Role.PARTNER

    def may(self, action: Action) -> bool:
        return action in ALLOWED[self.role]

    def with_ref(self, ref: str | None, source: ChangeSource | None = None) -> Principal:
        return Principal(
            self.name,
            self.role,
            self.organisation_id,
            self.organisation_key,
            source or self.source,
            ref,
            self.account_id,
            self.display_name,
        )

    @property
    def cache_key(self) -> str:
        """What every cached read must be keyed by: two principals with the same key see the
        same data."""
        return f"{self.role}:{self.organisation_id or ''}"


SYSTEM = Principal("system", Role.ADMIN, source=ChangeSource.SYSTEM)
"""Migrations, seeding and the demo loader."""

PUBLIC = Principal("public", Role.VIEWER, source=ChangeSource.SYSTEM, display_name="Öffentlichkeit")
"""Anyone on the internet: the public page, the open-data files and published fact sheets. A
viewer's rights, of which only :attr:`Action.READ_PUBLIC` reaches project data."""


class AccessDenied(PortfolioError):
    """The principal may not do this, or not on this project or organisation."""

    def __init__(self, action: Action | None, *, reason: str = "role") -> None:
        self.action, self.reason = action, reason
        super().__init__(self.message())

    def message(self, lang: str = DEFAULT_LANG) -> str:
        if self.reason in ("anonymous", "scope"):
            return t(f"access_{self.reason}", lang)
        permission = Both(*ACTION_LABELS[self.action]) if self.action else ""
        return t("access_role", lang, permission=permission)


_PRINCIPAL = "principal"
_INSIDE = "policy.inside"


def set_principal(session: Session, principal: Principal) -> None:
    """Let ``session`` act as ``principal``; the journal writes its name."""
    session.info[_PRINCIPAL] = principal
    set_actor(session, principal.actor)


def principal_of(session: Session) -> Principal:
    """The session's principal; a session without one may do nothing guarded."""
    principal = session.info.get(_PRINCIPAL)
    if not isinstance(principal, Principal):
        raise AccessDenied(None, reason="anonymous")
    return principal


def check(principal: Principal | None, action: Action) -> Principal:
    if principal is None:
        raise AccessDenied(action, reason="anonymous")
    if not principal.may(action):
        raise AccessDenied(action)
    return principal


REGISTRY: dict[str, Action] = {}
"""Every guarded function (``module.qualname``) with its action, for the matrix test."""


def _principal_for(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> tuple[Principal, Any]:
    explicit = kwargs.get("principal")
    session = kwargs.get("session", args[0] if args else None)
    if isinstance(explicit, Principal):
        return explicit, session if isinstance(session, Session) else None
    if isinstance(session, Session):
        return principal_of(session), session
    raise AccessDenied(None, reason="anonymous")


def requires(action: Action) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Guard a public function: its session's principal (or its ``principal=`` argument) must be
    allowed ``action``; registered in :data:`REGISTRY`."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            session = kwargs.get("session", args[0] if args else None)
            if action is Action.SIGN_IN or (
                isinstance(session, Session) and session.info.get(_INSIDE)
            ):
                return func(*args, **kwargs)
            principal, session = _principal_for(args, kwargs)
            check(principal, action)
            if session is None:
                return func(*args, **kwargs)
            session.info[_INSIDE] = True
            try:
                return func(*args, **kwargs)
            finally:
                session.info[_INSIDE] = False

        guarded.__policy__ = action  # type: ignore[attr-defined]
        REGISTRY[f"{func.__module__}.{func.__qualname__}"] = action
        return guarded

    return decorate


def action_of(func: Callable[..., Any]) -> Action | None:
    """The action a guarded function requires (None: not guarded)."""
    value = getattr(func, "__policy__", None)
    return value if isinstance(value, Action) else None


def visible_project_ids(principal: Principal) -> Select[Any] | None:
    """For a scoped principal, the ids of the projects its organisation takes part in (a
    subquery to filter by); None for a principal who sees the whole portfolio."""
    if not principal.is_scoped:
        return None
    return (
        select(Participation.project_id)
        .where(Participation.organisation_id == principal.organisation_id)
        .distinct()
    )


def may_see_project(session: Session, principal: Principal, project_id: int) -> bool:
    if not principal.is_scoped:
        return True
    return bool(
        session.scalar(
            select(
                exists().where(
                    Participation.project_id == project_id,
                    Participation.organisation_id == principal.organisation_id,
                )
            )
        )
    )


def require_project(session: Session, project_id: int, principal: Principal | None = None) -> None:
    """A scoped principal may touch only its organisation's projects."""
    who = principal or principal_of(session)
    if not may_see_project(session, who, project_id):
        raise AccessDenied(None, reason="scope")


def require_organisation(principal: Principal, organisation_id: int | None) -> None:
    """A scoped principal may act only for its own organisation."""
    if principal.is_scoped and organisation_id != principal.organisation_id:
        raise AccessDenied(None, reason="scope")
