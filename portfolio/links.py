"""Addresses of the dashboard's pages, for everything that links back from outside it: calendar
events, the e-mail digest, the open-data catalogue and the public page. One place, so a link in
a feed and a link in a mail lead to the same page.

The paths are the pages' ``url_path`` (:mod:`portfolio.ui.navigation`) and their query
parameters; the base is :func:`portfolio.settings.base_url`."""

from __future__ import annotations

from urllib.parse import urlencode

from portfolio import settings
from portfolio.policy import Principal

PROJECT_PAGE = "projekt"
PARTNER_PAGE = "meine-projekte"
PUBLIC_PAGE = "oeffentlich"
OPEN_DATA = "opendata"
FEEDS = "feeds"


def absolute(path: str, *, base: str | None = None, **params: str | None) -> str:
    """``base`` (default: the configured base URL) + ``path`` with its query."""
    root = (base or settings.base_url()).rstrip("/")
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{root}/{path.lstrip('/')}" + (f"?{query}" if query else "")


def project_page(
    project_key: str,
    *,
    principal: Principal | None = None,
    section: str | None = None,
    base: str | None = None,
) -> str:
    """The page where ``principal`` works on the project: a partner's own portal ("Meine
    Projekte"), else the project page (``section``: one of its sections, e.g. ``foerderung``)."""
    if principal is not None and principal.is_scoped:
        return absolute(PARTNER_PAGE, base=base, projekt=project_key)
    return absolute(PROJECT_PAGE, base=base, projekt=project_key, bereich=section)


def feed(secret: str, *, base: str | None = None) -> str:
    """The calendar feed's address for a token's secret."""
    return absolute(f"{FEEDS}/{secret}.ics", base=base)


def fact_sheet(project_key: str, *, lang: str = "de", base: str | None = None) -> str:
    """The published fact sheet (Steckbrief) of a project, as a PDF."""
    return absolute(
        f"{PUBLIC_PAGE}/steckbrief/{project_key}.pdf",
        base=base,
        lang="en" if lang == "en" else None,
    )


def digest_entry(
    project_key: str,
    *,
    principal: Principal | None = None,
    partner_portal: bool = False,
    section: str | None = None,
    base: str | None = None,
) -> str:
    """Where an entry of the e-mail digest leads. An account's digest: the page that account
    works on the project in (:func:`project_page`). An organisation's digest goes to its
    contact address: to the partner portal when the organisation has partner accounts (they
    sign in there), else to the project page (the unit works for it)."""
    if partner_portal:
        return absolute(PARTNER_PAGE, base=base, projekt=project_key)
    return project_page(project_key, principal=principal, section=section, base=base)
