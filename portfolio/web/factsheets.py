"""Published fact sheets (Steckbriefe) as PDF, linked from the public page and the catalogue.

``GET /oeffentlich/steckbrief/{key}.pdf`` (``?lang=en`` for English), the address
:func:`portfolio.links.fact_sheet` builds: the public sheet of a published project, read as the
anonymous viewer :data:`portfolio.policy.PUBLIC` through
:func:`portfolio.queries.factsheet.published_fact_sheet`. An unpublished, archived or unknown
project is the same 404."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from portfolio import clock
from portfolio.errors import NotFound
from portfolio.policy import PUBLIC
from portfolio.queries.factsheet import published_fact_sheet
from portfolio.web.common import PUBLIC_CACHE, guarded, lang_of, not_found, read_session
from reports.factsheet import file_name, render_pdf

PATH = "/oeffentlich/steckbrief/{key}.pdf"


def fact_sheet_pdf(request: Request) -> Response:
    """The published fact sheet of ``key`` as ``application/pdf``."""
    lang = lang_of(request)
    key = str(request.path_params["key"])
    try:
        with read_session(PUBLIC) as session:
            sheet = published_fact_sheet(session, key, today=clock.today())
    except NotFound:
        return not_found(lang)
    return Response(
        render_pdf(sheet, lang=lang),
        media_type="application/pdf",
        headers={
            **PUBLIC_CACHE,
            "Content-Disposition": f'inline; filename="{file_name(sheet.key, lang)}"',
        },
    )


ROUTES: list[BaseRoute] = [Route(PATH, guarded(fact_sheet_pdf), methods=["GET"])]
