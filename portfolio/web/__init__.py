"""HTTP endpoints served by the dashboard's own process (Streamlit's ``st.App`` takes Starlette
routes): calendar feeds, open data, the public project list and fact sheets, and a health check.

Same layer as the dashboard and the command line: it calls the read models, services and
reports with a principal, never SQL of its own. Every route is listed in :func:`routes`.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from portfolio.web import common, factsheets, feeds, opendata, public


def routes() -> list[BaseRoute]:
    """Every route the app serves besides Streamlit's own."""
    return [
        *common.ROUTES,
        *feeds.ROUTES,
        *opendata.ROUTES,
        *public.ROUTES,
        *factsheets.ROUTES,
    ]
