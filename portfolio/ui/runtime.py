"""What every page needs: the one engine per process, a new session per action, the user, the
language, UI texts, and a guard that turns any error into a message instead of a traceback."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

from db.engine import make_session_factory
from portfolio import clock, store
from portfolio.errors import PortfolioError
from portfolio.i18n import DEFAULT_LANG, pluralise
from portfolio.journal import Actor
from portfolio.policy import AccessDenied, Action, Principal, set_principal
from portfolio.services.base import unit_of_work
from portfolio.ui.components.safe_text import md

log = logging.getLogger("portfolio.ui")
T = TypeVar("T")


def engine() -> Engine:
    """The process-wide engine for ``PORTFOLIO_DATABASE_URL`` (migrated on first use)."""
    return store.engine()


def database_key() -> str:
    """Part of every cache key, so caches never mix two databases."""
    return str(engine().url)


def today() -> dt.date:
    """The reference day of every figure on the pages (:func:`portfolio.clock.today`)."""
    return clock.today()


def data_stamp() -> int:
    """Moves with every journaled change (from any session, the CLI or an import).

    Part of every data cache key next to :func:`database_key`, so a cache never serves figures
    older than the newest change.
    """
    from portfolio.queries.common import data_stamp as stamp

    with read_session() as session:
        return stamp(session)


_DATA_CACHES: list[Any] = []


def data_cache(func: Callable[..., T]) -> Callable[..., T]:
    """``st.cache_data`` for read models; registered so :func:`clear_caches` can empty it."""
    cached = st.cache_data(show_spinner=False, max_entries=64)(func)
    _DATA_CACHES.append(cached)
    return cached


def clear_caches() -> None:
    """Empty the dashboard's data caches (after a write; the stamp would also move)."""
    for cached in _DATA_CACHES:
        cached.clear()


PRINCIPAL_KEY = "principal"
"""Where the signed-in :class:`Principal` lives in ``st.session_state`` (set by the login gate,
:mod:`portfolio.ui.auth`)."""


def principal() -> Principal | None:
    """The signed-in user of this browser session, or None before the login."""
    value = st.session_state.get(PRINCIPAL_KEY)
    return value if isinstance(value, Principal) else None


def require_principal() -> Principal:
    who = principal()
    if who is None:
        raise AccessDenied(None, reason="anonymous")
    return who


def access_key() -> str:
    """Part of every data cache key: two users share a cached result only if the policy lets
    them see the same data (:attr:`Principal.cache_key`)."""
    who = principal()
    return who.cache_key if who is not None else "anonymous"


def may(action: Action) -> bool:
    """Whether the signed-in user may ``action`` (menus and buttons follow the same policy the
    services enforce)."""
    who = principal()
    return who is not None and who.may(action)


def user_name() -> str:
    """The signed-in user's name, as the journal writes it."""
    return require_principal().name


def actor() -> Actor:
    return require_principal().actor


SessionFactory = sessionmaker[Session]


def session_factory(*, read_only: bool = False) -> SessionFactory:
    """Sessions on the process-wide engine, for a service that runs its own transactions (the
    login, which must keep its audit trail even when it refuses; the import) or for work done
    outside the script run (:func:`session_as`)."""
    return make_session_factory(engine(), read_only=read_only)


@contextmanager
def session_as(
    who: Principal, factory: SessionFactory, *, write: bool = False
) -> Iterator[Session]:
    """A session acting as ``who`` for work that runs after the script run ended (a download
    built when it is clicked): ``factory`` and ``who`` are captured while the run lasts. A write
    session is one unit of work; a read session is rolled back."""
    if write:
        with unit_of_work(factory, who) as session:
            yield session
        return
    with factory() as session:
        set_principal(session, who)
        try:
            yield session
        finally:
            session.rollback()


@contextmanager
def read_session() -> Iterator[Session]:
    """A short read-only session for one action (never takes SQLite's write lock)."""
    with make_session_factory(engine(), read_only=True)() as session:
        who = principal()
        if who is not None:
            set_principal(session, who)
        try:
            yield session
        finally:
            session.rollback()


@contextmanager
def write_session() -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any error; journaled as the user."""
    with unit_of_work(make_session_factory(engine()), require_principal()) as session:
        yield session


def lang() -> str:
    value = st.session_state.get("lang")
    if value in ("de", "en"):
        return str(value)
    return DEFAULT_LANG


def tr(texts: Mapping[str, Mapping[str, str]], key: str, /, **params: Any) -> str:
    """A UI text from a page's own catalogue ``{"de": {...}, "en": {...}}``."""
    catalogue = texts.get(lang()) or texts[DEFAULT_LANG]
    template = catalogue.get(key) or texts[DEFAULT_LANG].get(key) or key
    return pluralise(template, lang(), params).format(**params) if params else template


class Catalogue:
    """A page's or component's own texts ``{"de": {...}, "en": {...}}`` as one callable:
    ``tx = Catalogue(TEXTS)``, then ``tx("title")``, ``tx("found", count=3)`` in the user's
    language (:func:`tr`)."""

    def __init__(self, texts: Mapping[str, Mapping[str, str]]) -> None:
        self.texts = texts

    def __call__(self, key: str, /, **params: Any) -> str:
        return tr(self.texts, key, **params)


def show_error(exc: BaseException) -> None:
    """A user-facing message for ``exc``; unexpected errors are logged, never shown raw."""
    st.error(error_text(exc))


def error_text(exc: BaseException) -> str:
    """What a user reads about ``exc`` (markdown-safe); an unexpected error is logged and told
    in general words, never as a traceback."""
    if isinstance(exc, PortfolioError | clock.ClockConfigError):
        return md(exc.message(lang()), lines=True)  # messages quote user input
    log.exception("unexpected error in the dashboard", exc_info=exc)
    return (
        "Das hat nicht geklappt. Bitte die Seite neu laden; wenn es wieder passiert, "
        "das Team der Innovation Unit informieren."
        if lang() == "de"
        else "Something went wrong. Please reload the page; if it happens again, tell the Innovation Unit team."
    )


def guarded(render: Callable[[], T]) -> Callable[[], T | None]:
    """Wrap a page's ``render`` so no exception reaches the user as a traceback."""

    def run() -> T | None:
        try:
            return render()
        except (RerunException, StopException):
            raise  # Streamlit's own control flow (st.rerun, st.stop, st.switch_page)
        except Exception as exc:
            show_error(exc)
            return None

    run.__name__ = getattr(render, "__name__", "page")
    return run
