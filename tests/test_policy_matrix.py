"""The role × action matrix: every service verb, read model, export, import and report is guarded,
and every role gets exactly what the issue's role table gives it.

Three layers:

* the spec: :data:`ISSUE_ROLES`, written here from the role table of issue 12 (the issue is the
  specification), must be the policy's table (:data:`portfolio.policy.ALLOWED`);
* completeness: every public function of the service, read-model, exchange and report modules
  that takes a session, engine, connection or session factory (or a ``principal``) is
  registered with an action — a new verb without a policy entry fails here;
* enforcement: each registered function, called as each role, is refused or let through as the
  spec says. The guard checks before the body runs; the test replaces the body by one that only
  says "reached" (:func:`body_replaced`), so "allowed" means the guard passed, not that dummy
  arguments happened to fail in some other way.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.enums import AuditKind, Role
from db.models import AuditEvent, PublishedBrief
from portfolio import policy
from portfolio.errors import PortfolioError
from portfolio.journal import Actor
from portfolio.policy import ALLOWED, REGISTRY, AccessDenied, Action, Principal, set_principal
from portfolio.services.base import unit_of_work
from tests.factories import make_application, make_project
from tests.fixtures.base import TODAY

A = Action
ALWAYS = frozenset({A.SIGN_IN, A.SIGNED_IN, A.READ_PUBLIC})
"""Every role: the login itself, what any signed-in user may (the data stamp, the own
password), and what the city publishes (issue 16: "the public page ... without login")."""
FEEDS = frozenset({A.READ_DEADLINES})
"""Issue 16: calendar feeds "per account, per organisation and per project", listing "exactly
what that account may see": everyone who sees projects (a viewer sees none)."""
ISSUE_ROLES: dict[Role, frozenset[Action]] = {
    # "Administrator: accounts, master data, everything"
    Role.ADMIN: frozenset(Action),  # includes SEND_DIGEST (issue 16: the unit's digest)
    # "Innovation-Unit staff: everything in the portfolio, except accounts" (the audit log is
    # the administrators' page: "Administrators see this on a page")
    Role.STAFF: frozenset(Action) - {A.MANAGE_ACCOUNTS, A.READ_AUDIT},
    # "Leadership (CDO): read all, publish briefs" — reading includes the change history,
    # the downloads of what it reads and the partner views; no edit of a grant
    Role.LEADERSHIP: ALWAYS
    | FEEDS
    | {
        A.READ_PORTFOLIO,
        A.READ_JOURNAL,
        A.EXPORT_DATA,
        A.PARTNER_READ,
        A.READ_PUBLISHED,
        A.PUBLISH_BRIEF,
        # issue 13: "users can save their own register views": whoever reads the register
        A.KEEP_VIEWS,
    },
    # "Partner: scoped to one organisation: reads the projects that organisation takes part in;
    # through its workbook or the partner pages, edits exactly the fields the exchange opens to
    # partners; downloads its own workbook only"
    Role.PARTNER: ALWAYS | FEEDS | {A.PARTNER_READ, A.PARTNER_EDIT, A.PARTNER_EXCHANGE},
    # "Viewer: reads what is published, e.g. council members"
    Role.VIEWER: ALWAYS | {A.READ_PUBLISHED},
}

PACKAGES = ("portfolio.services", "portfolio.queries", "portfolio.exchange", "reports")
MODULES = ("portfolio.figures", "portfolio.changes", "portfolio.funding_rules")
HELPER_MODULES = {
    "portfolio.services.base": "the toolkit the services are made of (lookups, version checks, "
    "flush, unit_of_work); it has no verb of its own and is only called from guarded ones",
    "portfolio.exchange.state": "the exchange's loaders (references, the rows of a sheet, one "
    "query each) on a connection; only called from the guarded export, import and partner "
    "read models",
}
"""Modules whose session-taking functions are building blocks, not entry points."""
PINNED: dict[str, Action] = {
    # what the issue names explicitly
    "portfolio.services.funding.update": A.EDIT_PORTFOLIO,  # "can publish a brief but not edit a grant"
    "portfolio.services.grant_notices.record": A.EDIT_PORTFOLIO,
    "portfolio.services.participations.update": A.EDIT_PORTFOLIO,  # partner contributions
    "portfolio.services.organisations.update": A.EDIT_MASTERDATA,
    "portfolio.services.programmes.create": A.EDIT_MASTERDATA,
    "reports.brief.build_brief": A.PUBLISH_BRIEF,
    "reports.publish.publish": A.PUBLISH_BRIEF,
    "reports.publish.list_published": A.READ_PUBLISHED,
    "reports.publish.published_file": A.READ_PUBLISHED,
    "portfolio.queries.register_export.export_view": A.EXPORT_DATA,
    "portfolio.queries.detail.journal": A.READ_JOURNAL,
    "portfolio.queries.common.data_stamp": A.SIGNED_IN,
}
READ_ACTIONS = frozenset({A.READ_PORTFOLIO, A.READ_JOURNAL, A.READ_PUBLISHED, A.PARTNER_READ})
WRITE_NAME = re.compile(
    r"^(create|update|archive|restore|delete|publish|plan|record)$"
    r"|^(create|update|delete|archive|restore|add|record|sync|follow|apply|set)_"
)
"""Names that say the function changes something: it must not need only a read action."""
HANDLES = re.compile(r"\b(Session|Engine|Connection|sessionmaker)\b")


def _modules() -> list[ModuleType]:
    """The modules above, with every submodule of those that are packages (a module that
    becomes a package keeps being checked)."""
    found = []
    for name in (*MODULES, *PACKAGES):
        module = importlib.import_module(name)
        found.append(module)
        for info in pkgutil.walk_packages(getattr(module, "__path__", []), f"{name}."):
            found.append(importlib.import_module(info.name))
    return found


def _takes_data_access(func: Callable[..., Any]) -> bool:
    """Whether ``func`` takes a session, engine, connection or session factory first, or a
    principal anywhere: then it reaches the data and must be guarded."""
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return False
    if any(p.name == "principal" for p in params):
        return True
    if not params:
        return False
    first = params[0]
    annotation = first.annotation
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    if annotation is inspect.Parameter.empty:
        return first.name in {"session", "engine", "conn", "connection", "factory"}
    return bool(HANDLES.search(str(text)))


def public_data_functions() -> dict[str, Callable[..., Any]]:
    """``module.name`` → function, for every public function defined in the modules above
    that reaches the data."""
    out: dict[str, Callable[..., Any]] = {}
    for module in _modules():
        if module.__name__ in HELPER_MODULES:
            continue
        for name, obj in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(obj):
                continue
            if getattr(inspect.unwrap(obj), "__module__", None) != module.__name__:
                continue  # imported from elsewhere
            if _takes_data_access(obj):
                out[f"{module.__name__}.{name}"] = obj
    return out


FUNCTIONS = public_data_functions()
"""Importing every module also fills :data:`portfolio.policy.REGISTRY`."""


def registered() -> dict[str, tuple[Callable[..., Any], Action]]:
    out: dict[str, tuple[Callable[..., Any], Action]] = {}
    for qualified, action in sorted(REGISTRY.items()):
        module_name, _, name = qualified.rpartition(".")
        func = getattr(importlib.import_module(module_name), name)
        out[qualified] = (func, action)
    return out


REACHED = "policy-matrix: the body was reached"


def _reached(*args: Any, **kwargs: Any) -> None:
    # runs with the replaced function's globals: only builtins resolve here
    raise NotImplementedError("policy-matrix: the body was reached")


@contextmanager
def body_replaced(func: Callable[..., Any]) -> Iterator[None]:
    """Run ``func``'s guard as it is, but with a body that only raises ``REACHED``."""
    inner = inspect.unwrap(func)
    assert inner is not func, f"{func.__qualname__} has no guard around it"
    assert not inner.__code__.co_freevars, f"{func.__qualname__}: a closure, cannot stand in"
    saved = inner.__code__, inner.__defaults__, inner.__kwdefaults__
    inner.__code__, inner.__defaults__, inner.__kwdefaults__ = _reached.__code__, None, None
    try:
        yield
    finally:
        inner.__code__, inner.__defaults__, inner.__kwdefaults__ = saved


def _as(principal: Principal | None) -> Session:
    """A session that carries ``principal`` and never touches a database (the guard only reads
    the principal; the body is replaced)."""
    session = Session()
    if principal is not None:
        set_principal(session, principal)
    return session


def _call(func: Callable[..., Any], principal: Principal | None) -> str:
    """Call ``func`` as ``principal``: "reached", "denied" (by its role or for want of a
    principal) or "scope"."""
    wants_principal = "principal" in inspect.signature(func).parameters
    session = _as(principal)
    with body_replaced(func):
        try:
            if wants_principal:
                first = (
                    session if _first_is_session(func) else None
                )  # an engine or a factory: the guard reads the explicit principal
                func(first, principal=principal)
            else:
                func(session)
        except NotImplementedError as exc:
            if exc.args != (REACHED,):
                raise
            return "reached"
        except AccessDenied as exc:
            return "scope" if exc.reason == "scope" else "denied"
        finally:
            session.close()
    return "reached"  # a context manager: the guard passed, its body runs at ``with``


def _first_is_session(func: Callable[..., Any]) -> bool:
    first = next(iter(inspect.signature(func).parameters.values()))
    return "Session" in str(first.annotation) and "sessionmaker" not in str(first.annotation)


def principal_of_role(role: Role) -> Principal:
    if role is Role.PARTNER:
        return Principal("matrix-partner", role, organisation_id=1, organisation_key="STW")
    return Principal(f"matrix-{role}", role)


# ---- the spec ----------------------------------------------------------------------------------


def test_the_policy_table_is_the_issue_role_table() -> None:
    assert set(ALLOWED) == set(Role)
    for role in Role:
        assert ALLOWED[role] == ISSUE_ROLES[role], role


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_each_action_is_given_to_the_roles_the_issue_names(action: Action) -> None:
    expected = {role for role, actions in ISSUE_ROLES.items() if action in actions}
    assert {role for role in Role if Principal("x", role).may(action)} == expected
    assert Role.ADMIN in expected  # the administrator may everything


def test_leadership_reads_and_publishes_but_edits_nothing() -> None:
    cdo = Principal("cdo", Role.LEADERSHIP)
    assert cdo.may(A.READ_PORTFOLIO) and cdo.may(A.PUBLISH_BRIEF)
    for write in (A.EDIT_PORTFOLIO, A.EDIT_MASTERDATA, A.IMPORT_WORKBOOK, A.PARTNER_EDIT):
        assert not cdo.may(write), write


# ---- completeness ------------------------------------------------------------------------------


def test_every_function_that_reaches_the_data_is_guarded() -> None:
    unguarded = sorted(name for name, func in FUNCTIONS.items() if policy.action_of(func) is None)
    assert unguarded == [], (
        "public functions that take a session, engine, connection or principal but have no "
        "@requires(Action.…) — add the policy entry (or make them private helpers)"
    )


def test_the_registry_knows_every_guarded_function_and_nothing_else() -> None:
    guarded = {name: policy.action_of(func) for name, func in FUNCTIONS.items()}
    for name, action in guarded.items():
        assert REGISTRY.get(name) == action, name
    for name, (func, action) in registered().items():
        assert policy.action_of(func) == action, name


def test_the_enumeration_covers_the_service_verbs_and_read_models() -> None:
    """Guard against a silently empty enumeration: the verbs the issue is about are found."""
    for name in PINNED:
        assert name in FUNCTIONS, name
    assert len(REGISTRY) >= 150


@pytest.mark.parametrize("name", sorted(PINNED))
def test_the_verbs_the_issue_names_need_their_action(name: str) -> None:
    assert REGISTRY[name] is PINNED[name]


def test_verbs_that_change_something_need_more_than_reading() -> None:
    wrong = sorted(
        name
        for name, (_, action) in registered().items()
        if WRITE_NAME.search(name.rpartition(".")[2]) and action in READ_ACTIONS
    )
    assert wrong == []


# ---- enforcement -------------------------------------------------------------------------------


CASES = [(name, role) for name in sorted(REGISTRY) for role in Role]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_each_role_is_refused_or_let_through_as_the_issue_says(name: str, role: Role) -> None:
    func, action = registered()[name]
    outcome = _call(func, principal_of_role(role))
    if action in ISSUE_ROLES[role]:
        assert outcome == "reached", f"{role} may {action} but {name} refused it"
    else:
        assert outcome == "denied", f"{role} may not {action} but {name} let it through"


def test_a_session_without_a_principal_is_refused_everywhere() -> None:
    let_through = [
        name
        for name, (func, action) in registered().items()
        if action is not A.SIGN_IN and _call(func, None) != "denied"
    ]
    assert let_through == []


def test_the_login_itself_is_open_without_a_principal() -> None:
    for name, (func, action) in registered().items():
        if action is A.SIGN_IN:
            assert _call(func, None) == "reached", name


def test_a_denial_names_what_is_missing_in_both_languages() -> None:
    from portfolio.services import funding

    with pytest.raises(AccessDenied) as exc:
        funding.update(_as(Principal("cdo", Role.LEADERSHIP)), 1, {}, expected_version=1)
    assert exc.value.action is A.EDIT_PORTFOLIO
    assert "das Portfolio ändern" in exc.value.message("de")
    assert "changing the portfolio" in exc.value.message("en")
    assert isinstance(exc.value, PortfolioError)  # shown as a message, never a traceback


# ---- the real thing, on both databases -----------------------------------------------------------


def _session(factory: sessionmaker[Session], principal: Principal | None) -> Session:
    session = factory()
    session.info.clear()  # the test factory signs its sessions in: start from nobody
    if principal is not None:
        set_principal(session, principal)
    return session


def test_the_cdo_reads_a_grant_but_cannot_change_it(factory: sessionmaker[Session]) -> None:
    from portfolio.services import funding

    with factory() as setup, setup.begin():
        app = make_application(setup, make_project(setup))
        app_id, version = app.id, app.version
    cdo = Principal("cdo", Role.LEADERSHIP)
    with _session(factory, cdo) as session:
        assert funding.get(session, app_id).id == app_id
        with pytest.raises(AccessDenied):
            funding.update(session, app_id, {"note": "CDO"}, expected_version=version)
        session.rollback()
    with factory() as check:
        assert funding.get(check, app_id).version == version


def test_a_bare_actor_is_no_principal(factory: sessionmaker[Session]) -> None:
    """``unit_of_work`` with only a journal name: every guarded verb refuses the session."""
    from portfolio.services import projects

    plain = sessionmaker(**factory.kw)
    with pytest.raises(AccessDenied) as exc, unit_of_work(plain, Actor("anonymous")) as session:
        projects.get_all(session)
    assert exc.value.reason == "anonymous"


def test_the_cdo_publishes_a_brief_and_the_audit_log_says_who_and_from_where(
    factory: sessionmaker[Session],
) -> None:
    from reports.brief import build_brief
    from reports.publish import list_published, publish

    with factory() as setup, setup.begin():
        make_project(setup)
    cdo = Principal("cdo", Role.LEADERSHIP, display_name="Chief Digital Officer")
    with _session(factory, cdo) as session, session.begin():
        brief = build_brief(session, since=TODAY - dt.timedelta(days=30), today=TODAY)
        record = publish(session, brief, pdf=b"%PDF-", xlsx=b"PK", ip="192.0.2.7")
        brief_id = record.id
    viewer = Principal("council", Role.VIEWER)
    with _session(factory, viewer) as session:
        assert [p.id for p in list_published(session)] == [brief_id]
        with pytest.raises(AccessDenied):
            build_brief(session, since=TODAY - dt.timedelta(days=30), today=TODAY)
        session.rollback()
    with factory() as check:
        stored = check.get(PublishedBrief, brief_id)
        assert stored is not None and stored.actor == "cdo"
        [event] = check.execute(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.BRIEF_PUBLISHED.value)
        ).scalars()
        assert (event.actor, event.ip) == ("cdo", "192.0.2.7")
        assert event.detail["brief_id"] == brief_id
        assert event.detail["scope"] == "all"


def test_a_viewer_reads_published_briefs_only(factory: sessionmaker[Session]) -> None:
    from portfolio import figures
    from portfolio.queries import register
    from portfolio.queries.common import data_stamp

    viewer = Principal("council", Role.VIEWER)
    with _session(factory, viewer) as session:
        assert data_stamp(session) >= 0  # harmless: what every signed-in page needs
        for read in (
            lambda: figures.summary(session, today=TODAY),
            lambda: register.rows(session, register.RegisterFilter(), today=TODAY),
        ):
            with pytest.raises(AccessDenied):
                read()
        session.rollback()


def test_a_past_state_is_read_as_the_same_principal(factory: sessionmaker[Session]) -> None:
    """The figures of a past day come from a snapshot session: it carries the reader, so the
    reads on it pass the same guards (and a reader without the right gets nothing)."""
    from portfolio import figures

    with factory() as setup, setup.begin():
        make_project(setup)
    cdo = Principal("cdo", Role.LEADERSHIP)
    with _session(factory, cdo) as session:
        with figures.state_at(session, TODAY - dt.timedelta(days=1), today=TODAY) as (state, _):
            assert policy.principal_of(state) == cdo
            figures.summary_of_state(state, day=TODAY - dt.timedelta(days=1))
        session.rollback()
    with _session(factory, Principal("partner", Role.PARTNER, organisation_id=1)) as session:
        with pytest.raises(AccessDenied):
            figures.summary(session, today=TODAY - dt.timedelta(days=1))
        session.rollback()
