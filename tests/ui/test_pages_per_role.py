"""Pages and menus follow the policy: each role gets the pages it may use, forms only where it
may change something, and an address of another page shows nothing of it. (The services refuse
anyway: tests/test_policy_matrix.py.)"""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest
from sqlalchemy import select
from streamlit.runtime.caching.cache_utils import CachedFunc
from streamlit.testing.v1 import AppTest

from db.enums import AuditKind, Role
from db.models import AuditEvent, PublishedBrief
from portfolio.policy import Principal
from portfolio.queries import register as register_q
from portfolio.ui import navigation
from tests.fixtures.base import TODAY
from tests.fixtures.ui import Query, no_errors, open_page, seen

ADMIN = Principal("tester", Role.ADMIN)
STAFF = Principal("i.unit", Role.STAFF)
CDO = Principal("cdo", Role.LEADERSHIP, display_name="Chief Digital Officer")
VIEWER = Principal("council", Role.VIEWER)
PARTNER = Principal("partner", Role.PARTNER, organisation_id=1, organisation_key="STW")

PORTFOLIO_PAGES = {
    "overview",
    "register",
    "project",
    "timeline",
    "partners",
    "funding",
    "quality",
    "masterdata",
}
MENU: dict[Role, set[str]] = {
    Role.ADMIN: PORTFOLIO_PAGES | {"exchange", "reports"},
    Role.STAFF: PORTFOLIO_PAGES | {"exchange", "reports"},
    Role.LEADERSHIP: PORTFOLIO_PAGES | {"reports"},
    Role.PARTNER: {"exchange"},
    Role.VIEWER: {"reports"},
}
"""Of the pages this file is about (the account, audit and partner pages have their own
tests): what each role's menu holds."""


def _principal(role: Role) -> Principal:
    return {
        Role.ADMIN: ADMIN,
        Role.STAFF: STAFF,
        Role.LEADERSHIP: CDO,
        Role.PARTNER: PARTNER,
        Role.VIEWER: VIEWER,
    }[role]


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_gets_its_pages_and_its_home(role: Role) -> None:
    names = {spec.name for spec in navigation.allowed(_principal(role))}
    assert names & (PORTFOLIO_PAGES | {"exchange", "reports"}) == MENU[role]
    home = navigation.default_name(_principal(role))
    assert home in names
    if "overview" in names:
        assert home == "overview"
    assert not navigation.allowed(None)


def _registered(at: AppTest) -> dict[str, str]:
    """url path → page hash of the pages the run's navigation registered."""
    return {str(v.get("url_pathname")): k for k, v in at._registered_pages.items()}


def _titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def test_a_viewer_gets_the_published_briefs_and_nothing_else(demo_db: str, q: Query) -> None:
    at = open_page(principal=VIEWER)
    no_errors(at)
    assert _titles(at) == ["Berichte"]  # the viewer's home
    assert set(_registered(at)) == {"", "berichte"}  # "/" and its own address, nothing else
    assert not at.get("download_button")  # nothing published yet
    assert not [b for b in at.button if b.key == "rep_publish"]
    assert not at.metric  # no figures of the live portfolio

    # an address of a page it may not use (a link an administrator sent): the page never runs
    admin = open_page(principal=ADMIN)
    at._page_hash = _registered(admin)["stammdaten"]
    at.run()
    no_errors(at)
    assert _titles(at) == ["Berichte"]
    assert not at.dataframe


def test_the_cdo_reads_every_project_but_gets_no_form(demo_db: str, q: Query) -> None:
    key = q(lambda s: register_q.page(s, register_q.RegisterFilter(), today=TODAY, limit=1)).rows[0]
    at = open_page("project", principal=CDO, projekt=key.key)
    no_errors(at)
    assert _titles(at) and seen(_titles(at)[0]).startswith(f"{key.key} · ")
    assert not [t for t in at.toggle if t.key == "prj_edit"]  # no "Bearbeiten"
    assert not [e for e in at.expander if e.label in ("Neu", "Bearbeiten")]
    for section in ("partner", "foerderung", "zuwendung", "meilensteine", "status", "kpis"):
        at.segmented_control(key="prj_section").set_value(section).run()
        no_errors(at)
        assert not at.get("form"), section
        assert [w.key for w in at.text_input] == ["prj_search"], section  # only the search
    at.segmented_control(key="prj_section").set_value("journal").run()
    no_errors(at)
    assert at.markdown  # the change history is the CDO's to read

    # a typed address for a new project: refused with a message, no form
    at = open_page("project", principal=CDO, neu="1")
    assert not at.get("form")
    assert [e.value for e in at.error] and "das Portfolio ändern" in at.error[0].value


def test_staff_get_the_forms(demo_db: str, q: Query) -> None:
    key = q(lambda s: register_q.page(s, register_q.RegisterFilter(), today=TODAY, limit=1)).rows[0]
    at = open_page("project", principal=STAFF, projekt=key.key)
    no_errors(at)
    assert [t for t in at.toggle if t.key == "prj_edit"]
    at.segmented_control(key="prj_section").set_value("meilensteine").run()
    assert at.get("form")


def test_the_cdo_sees_master_data_read_only(demo_db: str) -> None:
    at = open_page("masterdata", principal=CDO)
    no_errors(at)
    assert at.dataframe  # the organisations
    assert not at.get("form")
    at.selectbox(key="md_pick").select_index(0).run()
    no_errors(at)
    assert not at.get("form")  # facts, no edit or archive form
    assert any("**" in m.value for m in at.markdown)


def test_the_cdo_downloads_the_register_and_publishes_a_brief(demo_db: str, q: Query) -> None:
    at = open_page("register", principal=CDO)
    no_errors(at)
    assert at.get("download_button")  # reading includes the download of what it reads
    assert not [p for p in at.get("page_link") if "neu" in str(p.proto.query_string)]

    at = open_page("reports", principal=CDO)
    no_errors(at)
    at.checkbox(key="rep_confirm").check().run()
    at.button(key="rep_publish").click().run()
    no_errors(at)
    actor = q(lambda s: s.execute(select(PublishedBrief.actor)).scalar_one())
    assert actor == "cdo"
    event = q(
        lambda s: s.execute(
            select(AuditEvent.actor, AuditEvent.kind).where(
                AuditEvent.kind == AuditKind.BRIEF_PUBLISHED.value
            )
        ).one()
    )
    assert tuple(event) == ("cdo", "brief_published")


def _cached_functions() -> list[tuple[str, CachedFunc]]:
    from portfolio.ui import data
    from portfolio.ui.pages import masterdata, reports

    modules: list[ModuleType] = [data, masterdata, reports]
    return [
        (f"{m.__name__}.{name}", obj)
        for m in modules
        for name, obj in vars(m).items()
        if isinstance(obj, CachedFunc)
    ]


def test_every_cached_read_is_keyed_by_the_readers_access() -> None:
    """Streamlit's caches are shared by every session of the server: a result cached for one
    role must never be served to another (``st.cache_data`` ignores parameters that start
    with ``_``)."""
    found = _cached_functions()
    assert len(found) >= 15
    for name, cached in found:
        params = inspect.signature(cached.__wrapped__).parameters  # type: ignore[attr-defined]
        assert "access" in params, name


def test_the_access_key_tells_roles_and_partners_apart() -> None:
    keys = {p.cache_key for p in (ADMIN, STAFF, CDO, VIEWER, PARTNER)}
    assert len(keys) == 5
    other = Principal("partner-2", Role.PARTNER, organisation_id=2, organisation_key="USB")
    assert other.cache_key != PARTNER.cache_key
