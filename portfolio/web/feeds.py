"""``GET /feeds/{secret}.ics``: the calendar feed of a Kalender-Abo (iCalendar, RFC 5545).

The secret in the address is the only credential (calendar clients cannot sign in):
:func:`portfolio.services.feeds.resolve` turns it into the owner account's principal and the
feed's scope, and the feed lists exactly :func:`portfolio.queries.agenda.agenda` for that
principal and scope, the same rows as the Fristen page. An unknown or revoked token, a disabled
owner, and a scope the owner may no longer see all get the same 404. The answer is private (no
shared cache keeps it)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from portfolio import clock
from portfolio.policy import PUBLIC
from portfolio.queries import agenda
from portfolio.services import feeds
from portfolio.web import common
from reports import calendar

MEDIA_TYPE = "text/calendar; charset=utf-8"


def feed(request: Request) -> Response:
    """The feed of the token whose secret is in the path."""
    lang = common.lang_of(request)
    secret = str(request.path_params.get("secret", ""))
    with common.write_session(PUBLIC) as session:  # notes last_used_at
        found = feeds.resolve(session, secret)
    if found is None:
        return common.not_found(lang)
    with common.read_session(found.principal) as session:
        items = agenda.agenda(
            session,
            today=clock.today(),
            organisation_key=found.organisation_key,
            project_key=found.project_key,
        )
        body = calendar.to_ics(
            items,
            principal=found.principal,
            name=found.label,
            lang=lang,
        )
    return Response(
        body,
        media_type=MEDIA_TYPE,
        headers={**common.PRIVATE, "Content-Disposition": 'inline; filename="fristen.ics"'},
    )


ROUTES: list[BaseRoute] = [
    Route("/feeds/{secret}.ics", common.guarded(feed), methods=["GET"]),
]
"""The calendar feeds."""
