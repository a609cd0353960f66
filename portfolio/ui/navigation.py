"""The dashboard's pages, their sections, titles, icons, URL paths and the action each needs.

The menu follows the policy: :func:`sections` lists only the pages the principal may use, so
``st.navigation`` never runs another one, even when its address is typed in (Streamlit then
opens the default page). Hiding a page is not the authorisation: every read and write on a page
goes through the guarded services (:mod:`portfolio.policy`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from portfolio.policy import AccessDenied, Action, Principal
from portfolio.ui import runtime
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
"""Served at ``/`` to whoever may read it (else the first page the principal may use); the
default page's own path (``/uebersicht``) forwards there, so both addresses work."""
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
    action: Action | tuple[Action, ...]
    """What the page needs: one action, or several of which any will do."""

    def allows(self, principal: Principal | None) -> bool:
        actions = self.action if isinstance(self.action, tuple) else (self.action,)
        return principal is not None and any(principal.may(a) for a in actions)


READ = Action.READ_PORTFOLIO
PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "overview", "uebersicht", "nav_overview", ":material/dashboard:", "sec_portfolio", READ
    ),
    PageSpec(
        "register", "projekte", "nav_register", ":material/table_rows:", "sec_portfolio", READ
    ),
    PageSpec("project", "projekt", "nav_project", ":material/description:", "sec_portfolio", READ),
    PageSpec("timeline", "zeitplan", "nav_timeline", ":material/timeline:", "sec_portfolio", READ),
    PageSpec("partners", "partner", "nav_partners", ":material/handshake:", "sec_steering", READ),
    PageSpec("funding", "foerderung", "nav_funding", ":material/euro:", "sec_steering", READ),
    PageSpec(
        "partner_portal",
        "meine-projekte",
        "nav_partner_portal",
        ":material/work:",
        "sec_steering",
        Action.PARTNER_READ,
    ),
    PageSpec(
        "deadlines",
        "fristen",
        "nav_deadlines",
        ":material/event:",
        "sec_steering",
        Action.READ_DEADLINES,
    ),
    PageSpec("quality", "datenqualitaet", "nav_quality", ":material/fact_check:", "sec_data", READ),
    PageSpec(
        "exchange",
        "datenaustausch",
        "nav_exchange",
        ":material/sync_alt:",
        "sec_data",
        (Action.IMPORT_WORKBOOK, Action.PARTNER_EXCHANGE),
    ),
    PageSpec(
        "reports",
        "berichte",
        "nav_reports",
        ":material/summarize:",
        "sec_data",
        Action.READ_PUBLISHED,
    ),
    PageSpec("masterdata", "stammdaten", "nav_masterdata", ":material/database:", "sec_data", READ),
    PageSpec(
        "publication",
        "veroeffentlichung",
        "nav_publication",
        ":material/public:",
        "sec_data",
        Action.EDIT_PORTFOLIO,
    ),
    PageSpec(
        "accounts",
        "konten",
        "nav_accounts",
        ":material/manage_accounts:",
        "sec_admin",
        Action.MANAGE_ACCOUNTS,
    ),
    PageSpec(
        "audit",
        "sicherheitsprotokoll",
        "nav_audit",
        ":material/policy:",
        "sec_admin",
        Action.READ_AUDIT,
    ),
)
BY_NAME = {p.name: p for p in PAGES}


def allowed(principal: Principal | None) -> list[PageSpec]:
    """The pages ``principal`` may use, in menu order."""
    return [spec for spec in PAGES if spec.allows(principal)]


def default_name(principal: Principal | None) -> str:
    """The page served at ``/`` for ``principal``: the overview, else its first page."""
    names = [spec.name for spec in allowed(principal)]
    return DEFAULT if DEFAULT in names or not names else names[0]


def script(name: str) -> str:
    return str(ENTRY / f"{name}.py")


def page(name: str) -> st.Page:
    """The ``st.Page`` of ``name`` (usable in ``st.page_link`` and ``st.switch_page``)."""
    spec = BY_NAME[name]
    default = name == default_name(runtime.principal())
    return st.Page(
        script(name),
        title=t(spec.title_key),
        icon=spec.icon,
        url_path=_DEFAULT_INTERNAL_PATH if default else spec.url_path,
        default=default,
    )


def _to_default() -> None:
    """``/uebersicht`` (a bookmark, a typed address): continue at ``/`` with the same query."""
    st.switch_page(page(default_name(runtime.principal())), query_params=st.query_params.to_dict())


def _default_alias(name: str) -> st.Page:
    spec = BY_NAME[name]
    return st.Page(
        _to_default,
        title=t(spec.title_key),
        icon=spec.icon,
        url_path=spec.url_path,
        visibility="hidden",
    )


def _no_pages() -> None:
    """An account whose role opens no page (none of today's roles)."""
    runtime.show_error(AccessDenied(Action.READ_PORTFOLIO))


def sections(principal: Principal) -> dict[str, list[st.Page]]:
    """The pages ``principal`` may use, by section (the policy decides, not the page)."""
    specs = allowed(principal)
    if not specs:
        return {"": [st.Page(_no_pages, title="Smart-City Portfolio", default=True)]}
    out: dict[str, list[st.Page]] = {}
    for spec in specs:
        out.setdefault(t(spec.section), []).append(page(spec.name))
    home = BY_NAME[default_name(principal)]
    out[t(home.section)].append(_default_alias(home.name))
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
