"""What every route shares: sessions acting as a principal, plain-text error responses that name
no internals, and the headers a city's app sends (no third-party content, no caching of
personal data)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from portfolio import store
from portfolio.errors import PortfolioError
from portfolio.i18n import DEFAULT_LANG, t
from portfolio.policy import AccessDenied, Principal, set_principal
from portfolio.services.base import unit_of_work

log = logging.getLogger("portfolio.web")

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
PRIVATE = {"Cache-Control": "private, no-store", **SECURITY_HEADERS}
"""For anything behind a token: a shared cache must not keep it."""
PUBLIC_CACHE = {"Cache-Control": "public, max-age=300", **SECURITY_HEADERS}
"""For published data: portals and browsers may keep it for five minutes."""


@contextmanager
def read_session(principal: Principal) -> Iterator[Session]:
    """A read-only session acting as ``principal``, always rolled back."""
    with store.session_factory(read_only=True)() as session:
        set_principal(session, principal)
        try:
            yield session
        finally:
            session.rollback()


@contextmanager
def write_session(principal: Principal) -> Iterator[Session]:
    """One unit of work as ``principal`` (journaled under its name)."""
    with unit_of_work(store.session_factory(), principal) as session:
        yield session


def lang_of(request: Request) -> str:
    """``?lang=en`` switches to English; German otherwise."""
    return "en" if request.query_params.get("lang") == "en" else DEFAULT_LANG


def not_found(lang: str = DEFAULT_LANG) -> Response:
    """The same answer for "does not exist", "revoked" and "not yours": a token or key guessed
    wrong learns nothing."""
    return PlainTextResponse(t("web_not_found", lang), status_code=404, headers=PRIVATE)


def guarded(endpoint: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """Turn a refusal into 404 and any other error into a 500 with a plain sentence (logged with
    its traceback on the server, never sent to the client)."""

    def run(request: Request) -> Response:
        lang = lang_of(request)
        try:
            return endpoint(request)
        except AccessDenied:
            return not_found(lang)
        except PortfolioError as exc:
            return PlainTextResponse(exc.message(lang), status_code=400, headers=PRIVATE)
        except Exception:
            log.exception("route %s failed", request.url.path)
            return PlainTextResponse(t("web_failed", lang), status_code=500, headers=PRIVATE)

    run.__name__ = getattr(endpoint, "__name__", "endpoint")
    run.__doc__ = endpoint.__doc__
    return run


def health(request: Request) -> Response:
    """``/healthz``: 200 when the database answers, 503 otherwise (for a load balancer)."""
    try:
        with store.engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        log.exception("health check failed")
        return JSONResponse({"status": "unavailable"}, status_code=503, headers=PRIVATE)
    return JSONResponse({"status": "ok"}, headers=PRIVATE)


ROUTES: list[BaseRoute] = [Route("/healthz", health, methods=["GET"])]
