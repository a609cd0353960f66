"""Partner isolation: two partner organisations, neither sees the other's projects anywhere it
can reach — the partner read models, its workbook, the import history, a crafted URL — and a
partner is refused every portfolio-wide read model and page.

The database tests run on SQLite and PostgreSQL with the small portfolio of the exchange tests
(SC-001: Stadtwerke leads, USB takes part; SC-002: BOGESTRA); the page tests use the Bochum
demo, where Stadtwerke (12 projects) and the IHK (3) share none.
"""

from __future__ import annotations

import importlib
import io
import pkgutil
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

import portfolio
import reports
from db.enums import Role
from portfolio.exchange.export import export_partner_workbook
from portfolio.exchange.importer import past_imports
from portfolio.policy import ALLOWED, REGISTRY, AccessDenied, Action, Principal, set_principal
from portfolio.queries import partner_portal
from portfolio.ui import navigation
from portfolio.ui.runtime import PRINCIPAL_KEY
from tests.exchange.helpers import edit, partner, run, small_portfolio
from tests.fixtures.base import TODAY
from tests.fixtures.exchange import signed_in
from tests.fixtures.ui import APP, Query, seen

# the dashboard's Streamlit caches are emptied around every test here, as in tests/ui
pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture
def two(factory: sessionmaker[Session]) -> Iterator[tuple[sessionmaker[Session], dict[str, Any]]]:
    signed = signed_in(factory)
    yield signed, small_portfolio(signed)


def everything_in(data: bytes) -> str:
    """Every cell of every sheet of a workbook (hidden ones too), as one text."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(
        str(cell.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    )


def test_the_partner_read_models_show_only_the_own_organisations_projects(
    two: tuple[sessionmaker[Session], dict[str, Any]],
) -> None:
    factory, keys = two
    stw, bog = partner(factory, "STW"), partner(factory, "BOG")
    for who, mine, theirs, stone in (
        (stw, keys["p1"], keys["p2"], keys["ms"]),
        (bog, keys["p2"], keys["p1"], keys["ms2"]),
    ):
        with factory() as s:
            set_principal(s, who)
            view = partner_portal.portal(s, today=TODAY)
            assert [p.key for p in view.projects] == [mine]
            assert [m.key for m in view.milestones] == [stone]
            assert {d.project_key for d in view.duties} <= {mine}
            assert [o.key for o in partner_portal.organisations(s)] == [who.organisation_key]
            assert partner_portal.project_rows(s, theirs) is None  # not "not found": nothing
            rows = partner_portal.project_rows(s, mine)
            assert rows is not None and rows.project["_key"] == mine
            assert {r["organisation_id"] for r in rows.participations} == {who.organisation_id}
            # asking for the other organisation's portal is refused, not answered
            other = "BOG" if who is stw else "STW"
            with pytest.raises(AccessDenied):
                partner_portal.portal(s, organisation_key=other, today=TODAY)
            with pytest.raises(AccessDenied):
                partner_portal.project_rows(s, theirs, organisation_key=other)


def test_no_download_of_a_partner_holds_the_other_partners_projects(
    two: tuple[sessionmaker[Session], dict[str, Any]],
) -> None:
    factory, keys = two
    titles = {keys["p1"]: "Sensorik Innenstadt", keys["p2"]: "Bürgerportal"}
    for key, theirs in (("STW", keys["p2"]), ("BOG", keys["p1"])):
        who = partner(factory, key)
        with factory() as s:
            set_principal(s, who)
            text = everything_in(export_partner_workbook(s).data)
            with pytest.raises(AccessDenied):
                export_partner_workbook(s, partner="BOG" if key == "STW" else "STW")
        assert theirs not in text and titles[theirs] not in text, key
        mine = keys["p1"] if key == "STW" else keys["p2"]
        assert mine in text and titles[mine] in text


def test_the_import_history_shows_each_partner_only_its_own_imports(
    two: tuple[sessionmaker[Session], dict[str, Any]],
) -> None:
    from tests.exchange.helpers import export

    factory, keys = two
    stw, bog = partner(factory, "STW"), partner(factory, "BOG")
    for who, stone in ((stw, keys["ms"]), (bog, keys["ms2"])):
        data = edit(
            export(factory, principal=who), "Meilensteine", stone, {"Erledigt am": "01.11.2026"}
        )
        assert run(factory, data, principal=who).applied
    for who in (stw, bog):
        with factory() as s:
            set_principal(s, who)
            seen_ = past_imports(s)
            assert [r["actor"] for r in seen_] == [who.name]
            assert {r["scope"] for r in seen_} == {f"partner:{who.organisation_key}"}
            other = "partner:BOG" if who is stw else "partner:STW"
            assert past_imports(s, scope=other) == []


def _guarded_modules() -> None:
    """Import every module that may register a guarded function (not the pages)."""
    for package in (portfolio, reports):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name.startswith(("portfolio.ui", "portfolio.cli")):
                continue
            importlib.import_module(info.name)


def _function(qualified: str) -> Any:
    module_name, _, name = qualified.rpartition(".")
    while module_name:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            module_name, _, outer = module_name.rpartition(".")
            name = f"{outer}.{name}"
            continue
        target: Any = module
        for part in name.split("."):
            target = getattr(target, part)
        return target
    raise AssertionError(qualified)


def test_a_partner_is_refused_every_portfolio_wide_read_model_and_verb(
    two: tuple[sessionmaker[Session], dict[str, Any]],
) -> None:
    """Every guarded function whose action a partner lacks refuses it before doing anything
    (the journal's read models among them), whatever the arguments."""
    factory, _keys = two
    _guarded_modules()
    partner_may = ALLOWED[Role.PARTNER]
    refused = {name: action for name, action in REGISTRY.items() if action not in partner_may}
    assert any(a is Action.READ_JOURNAL for a in refused.values())
    assert any(a is Action.READ_PORTFOLIO for a in refused.values())
    stw = partner(factory, "STW")
    for name in sorted(refused):
        with factory() as s:
            set_principal(s, stw)
            with pytest.raises(AccessDenied):
                _function(name)(s)
            with pytest.raises(AccessDenied):
                _function(name)(s, principal=stw)


# ---- pages ------------------------------------------------------------------------------------


def _principal(demo: Any, key: str) -> Principal:
    from portfolio.services import organisations

    def find(s: Session) -> Principal:
        set_principal(s, Principal("tester", Role.ADMIN))
        org = organisations.get_by_key(s, key)
        return Principal(
            f"{key.lower()}.partner", Role.PARTNER, organisation_id=org.id, organisation_key=key
        )

    return demo(find)  # type: ignore[no-any-return]


def _portal(at_query: dict[str, str], who: Principal) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[PRINCIPAL_KEY] = who
    at.run()
    at.switch_page("portfolio/ui/entry/partner_portal.py")
    for name, value in at_query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _all_text(at: AppTest) -> str:
    parts = [seen(str(getattr(e, "value", ""))) for e in at.main]
    for frame in at.dataframe:
        parts.append(frame.value.to_string())
    for box in at.selectbox:
        parts.extend(str(o) for o in box.options)
    return "\n".join(parts)


def _titles(demo: Any) -> dict[str, str]:
    from sqlalchemy import select

    from db.models import Project

    return demo(lambda s: dict(s.execute(select(Project.key, Project.title)).all()))  # type: ignore[no-any-return]


def _project_keys(demo: Any, who: Principal) -> set[str]:
    def keys(s: Session) -> set[str]:
        set_principal(s, who)
        return {p.key for p in partner_portal.portal(s, today=TODAY).projects}

    return demo(keys)  # type: ignore[no-any-return]


@pytest.mark.parametrize(("mine", "theirs"), [("STW", "IHK"), ("IHK", "STW")])
def test_a_crafted_project_key_in_the_url_shows_nothing_of_the_other_partners_project(
    request: pytest.FixtureRequest, mine: str, theirs: str
) -> None:
    demo: Query = request.getfixturevalue("q")  # the Bochum demo
    who, them = _principal(demo, mine), _principal(demo, theirs)
    titles = _titles(demo)
    own, other = _project_keys(demo, who), _project_keys(demo, them)
    assert own and other and not own & other
    target = sorted(other)[0]
    at = _portal({"projekt": target}, who)
    assert any(
        target in seen(w.value) and "nicht zu den Projekten" in seen(w.value) for w in at.warning
    )
    text = _all_text(at)
    for key in other:
        assert titles[key] not in text, key
    for key in own:
        assert key in text
    # the own project opens with its editable rows
    mine_key = sorted(own)[0]
    at = _portal({"projekt": mine_key}, who)
    assert not at.warning and any(titles[mine_key] in seen(h.value) for h in at.subheader)


def test_a_partner_gets_only_its_pages_and_every_other_page_refuses_it(
    request: pytest.FixtureRequest,
) -> None:
    demo: Query = request.getfixturevalue("q")  # the Bochum demo
    who = _principal(demo, "STW")
    names = {spec.name for spec in navigation.allowed(who)}
    assert "partner_portal" in names
    assert not names & {"overview", "register", "project", "timeline", "partners", "funding"}
    assert not names & {"quality", "masterdata", "accounts", "audit", "reports"}
    titles = _titles(demo)
    stw_titles = {titles[k] for k in ("SC-001", "SC-004")}
    for spec in navigation.PAGES:
        if spec.name in names:
            continue
        at = AppTest.from_function(_render_page, args=(spec.name,), default_timeout=60)
        at.session_state[PRINCIPAL_KEY] = who
        at.run()
        assert not at.exception, (spec.name, [e.value for e in at.exception])
        assert at.error, spec.name
        assert not at.dataframe and not at.metric, spec.name
        text = _all_text(at)
        assert not any(t in text for t in titles.values() if t not in stw_titles), spec.name


def _render_page(name: str) -> None:
    import importlib

    from portfolio.ui.runtime import guarded

    guarded(importlib.import_module(f"portfolio.ui.pages.{name}").render)()
