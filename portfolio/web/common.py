"""What every route shares: the headers a city's app sends (no third-party content, no caching
of anything behind a token), and the health check."""

from __future__ import annotations

import logging

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from portfolio import store

log = logging.getLogger("portfolio.web")

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
PRIVATE = {"Cache-Control": "private, no-store", **SECURITY_HEADERS}
"""For anything behind a token: a shared cache must not keep it."""


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
