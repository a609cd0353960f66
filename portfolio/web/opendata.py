"""Open data under stable addresses, for portals that harvest DCAT-AP.de.

``GET /opendata/``                 a small index (HTML) of the catalogue's files
``GET /opendata/catalog.jsonld``   the DCAT-AP.de catalogue as JSON-LD (application/ld+json)
``GET /opendata/catalog.ttl``      the same as Turtle (text/turtle)
``GET /opendata/{file}``           the distributions: projekte, leitthemen, partner, foerderung
                                   as .csv (text/csv; charset=utf-8) and .json (application/json)

Read as the anonymous viewer :data:`portfolio.policy.PUBLIC`: only what is published. The files
are those ``portfolio opendata OUTDIR`` writes (:mod:`reports.opendata`), as of the clock's day.
"""

from __future__ import annotations

from jinja2 import Environment, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from portfolio import clock
from portfolio.errors import NotFound
from portfolio.i18n import t
from portfolio.policy import PUBLIC
from portfolio.web.common import PUBLIC_CACHE, guarded, lang_of, not_found, read_session
from reports import opendata

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_INDEX = _ENV.from_string(
    """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;
line-height:1.5;color:#1a1a1a}a{color:#004b87}li{margin:.25rem 0}</style></head>
<body><main><h1>{{ title }}</h1><p>{{ intro }}</p>
<ul>{% for name, href, kind in files %}<li><a href="{{ href }}">{{ name }}</a> – {{ kind }}</li>
{% endfor %}</ul>
<p><a href="{{ public_page }}">{{ public_label }}</a></p></main></body></html>
"""
)


def index(request: Request) -> Response:
    lang = lang_of(request)
    files = [
        (name, f"/opendata/{name}", opendata.media_type(name).split(";")[0])
        for name in opendata.file_names()
    ]
    body = _INDEX.render(
        lang=lang,
        title=t("opendata_title", lang),
        intro=t("opendata_intro", lang),
        files=files,
        public_page="/oeffentlich" + ("?lang=en" if lang == "en" else ""),
        public_label=t("opendata_public_page", lang),
    )
    return HTMLResponse(body, headers=PUBLIC_CACHE)


def open_data_file(request: Request) -> Response:
    """One file of the catalogue with its media type; an unknown name is 404."""
    name = str(request.path_params["file"])
    if name not in opendata.file_names():
        return not_found(lang_of(request))
    try:
        with read_session(PUBLIC) as session:
            content, media = opendata.open_data_file(session, name, today=clock.today())
    except NotFound:
        return not_found(lang_of(request))
    return Response(content, media_type=media, headers=PUBLIC_CACHE)


ROUTES: list[BaseRoute] = [
    Route("/opendata/", guarded(index), methods=["GET"]),
    Route("/opendata/{file}", guarded(open_data_file), methods=["GET"]),
]
