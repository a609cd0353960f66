"""The dashboard's pages, their sections, titles, icons and URL paths."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from portfolio.policy import Principal
from portfolio.ui.components.safe_text import md
from portfolio.ui.components.widgets import t

ENTRY = Path(__file__).parent / "entry"
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
    '<rect width="24" height="24" rx="4" fill="#1f5f8b"/>'
    '<path fill="#ffffff" d="M4 20V10h4V6h5v5h3V8h4v12z"/>'
    '<path fill="#1f5f8b" d="M6 12h1.5v1.5H6zm0 3h1.5v1.5H6zm4.5-6H12v1.5h-1.5zm0 3H12v1.5h-1.5z'
    'm0 3H12v1.5h-1.5zm7.5-4.5h1.5V12H18zm0 3h1.5V15H18z"/></svg>'
)
"""The browser tab's icon, shipped with the app: an SVG that Streamlit turns into a ``data:`` URL.

``page_icon=":material/…:"`` would make every page load the icon from fonts.gstatic.com (the
Material Symbols *font* for the icons in the navigation and on buttons is served by the app)."""
DEFAULT = "overview"
"""Served at ``/``; its own path (``/uebersicht``) forwards there, so both addresses work."""
_DEFAULT_INTERNAL_PATH = "start"
"""Streamlit serves the default page at ``/`` and identifies pages by their url_path; the default
page takes this internal one so its public path can belong to the forwarding page."""


@dataclass(frozen=True)
class PageSpec:
    name: str  # module in portfolio/ui/pages and portfolio/ui/entry
    url_path: str
    title_key: str
    icon: str
    section: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "uebersicht", "nav_overview", ":material/dashboard:", "sec_portfolio"),
    PageSpec("register", "projekte", "nav_register", ":material/table_rows:", "sec_portfolio"),
    PageSpec("project", "projekt", "nav_project", ":material/description:", "sec_portfolio"),
    PageSpec("timeline", "zeitplan", "nav_timeline", ":material/timeline:", "sec_portfolio"),
    PageSpec("partners", "partner", "nav_partners", ":material/handshake:", "sec_steering"),
    PageSpec("funding", "foerderung", "nav_funding", ":material/euro:", "sec_steering"),
    PageSpec("quality", "datenqualitaet", "nav_quality", ":material/fact_check:", "sec_data"),
    PageSpec("exchange", "datenaustausch", "nav_exchange", ":material/sync_alt:", "sec_data"),
    PageSpec("reports", "berichte", "nav_reports", ":material/summarize:", "sec_data"),
    PageSpec("masterdata", "stammdaten", "nav_masterdata", ":material/database:", "sec_data"),
)
BY_NAME = {p.name: p for p in PAGES}


def script(name: str) -> str:
    return str(ENTRY / f"{name}.py")


def page(name: str) -> st.Page:
    """The ``st.Page`` of ``name`` (usable in ``st.page_link`` and ``st.switch_page``)."""
    spec = BY_NAME[name]
    default = name == DEFAULT
    return st.Page(
        script(name),
        title=t(spec.title_key),
        icon=spec.icon,
        url_path=_DEFAULT_INTERNAL_PATH if default else spec.url_path,
        default=default,
    )


def _to_default() -> None:
    """``/uebersicht`` (a bookmark, a typed address): continue at ``/`` with the same query."""
    st.switch_page(page(DEFAULT), query_params=st.query_params.to_dict())


def _default_alias() -> st.Page:
    spec = BY_NAME[DEFAULT]
    return st.Page(
        _to_default,
        title=t(spec.title_key),
        icon=spec.icon,
        url_path=spec.url_path,
        visibility="hidden",
    )


def sections(principal: Principal) -> dict[str, list[st.Page]]:
    """The pages ``principal`` may use, by section (the policy decides, not the page)."""
    out: dict[str, list[st.Page]] = {}
    for spec in PAGES:
        out.setdefault(t(spec.section), []).append(page(spec.name))
    out[t(BY_NAME[DEFAULT].section)].append(_default_alias())
    return out


def link_to_project(key: str, *, label: str | None = None, section: str | None = None) -> None:
    params = {"projekt": key}
    if section:
        params["bereich"] = section
    st.page_link(
        page("project"),
        label=md(label or key),
        query_params=params,
        icon=":material/open_in_new:",
    )
