"""AppTest of every page: renders without exception, shows the service layer's figures, keeps the
view in the URL, speaks English on request."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from db.enums import ProjectStatus, Role
from portfolio.figures import summary
from portfolio.i18n import fmt_eur, fmt_eur_short, fmt_int
from portfolio.policy import Principal
from portfolio.queries import quality as quality_q
from portfolio.queries import register as register_q
from portfolio.queries.register_export import column_titles, export_view
from portfolio.ui.runtime import PRINCIPAL_KEY
from portfolio.vocab import field_label, label
from tests.fixtures.base import TESTER, TODAY
from tests.fixtures.ui import APP, PAGES, Query, no_errors, open_page, seen


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_demo(demo_db: str, page: str) -> None:
    at = open_page(page)
    no_errors(at)
    if page not in ("exchange", "reports"):
        assert at.title, "every page of ours has a title"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_explains_a_fresh_database(empty_db: str, page: str) -> None:
    at = open_page(page)
    no_errors(at)
    if page in ("overview", "register", "timeline", "partners", "funding", "quality"):
        texts = " ".join(s.value for s in at.subheader)
        assert "Noch keine Projekte" in texts
        assert "portfolio demo" in " ".join(m.value for m in at.markdown)


def _metrics(at) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {m.label: m.value for m in at.metric}


def _money(at, title: str, amount, lang: str = "de") -> None:  # type: ignore[no-untyped-def]
    """A money tile shows the compact amount and, in its help, the exact sum to the euro."""
    tile = next(m for m in at.metric if m.label == title)
    assert tile.value == fmt_eur_short(amount, lang)
    assert fmt_eur(amount, lang, cents=False) in tile.proto.help


def test_overview_tiles_equal_the_figures(demo_db: str, q: Query) -> None:
    at = open_page("overview")
    no_errors(at)
    s = q(lambda s: summary(s, today=TODAY))
    tiles = _metrics(at)
    assert tiles["Projekte"] == fmt_int(s.projects)
    _money(at, "Gesamtkosten", s.total_cost)
    _money(at, "Förderung beantragt", s.funding_requested)
    _money(at, "Förderung bewilligt", s.funding_approved)
    _money(at, "Eigenanteil", s.own_share)
    assert tiles["Überfällige Meilensteine"] == fmt_int(s.overdue_milestones)
    status_line = " ".join(c.value for c in at.caption)
    for code, count in s.by_status.items():
        assert f"{label(ProjectStatus, code)}: {fmt_int(count)}" in status_line


def test_choosing_a_theme_filters_the_overview(demo_db: str, q: Query) -> None:
    at = open_page("overview", thema="1")
    no_errors(at)
    s = q(lambda s: summary(s, today=TODAY, theme_key="1"))
    everything = q(lambda s: summary(s, today=TODAY))
    assert s.projects < everything.projects
    assert _metrics(at)["Projekte"] == fmt_int(s.projects)
    _money(at, "Gesamtkosten", s.total_cost)
    at.segmented_control(key="ov_theme").set_value("3").run()
    assert at.query_params["thema"] == ["3"] or at.query_params["thema"] == "3"
    assert _metrics(at)["Projekte"] == fmt_int(
        q(lambda s: summary(s, today=TODAY, theme_key="3")).projects
    )


def test_charts_use_german_separators_and_formatted_hover(demo_db: str, q: Query) -> None:
    at = open_page("overview")
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(specs) == 5
    assert all(spec["layout"]["separators"] == ",." for spec in specs)
    hover = json.dumps(
        [trace.get("customdata") for spec in specs for trace in spec["data"]], ensure_ascii=False
    )
    assert "\xa0€" in hover and "€1" not in hover  # German currency format: 1.234 €
    pipeline = next(s for s in specs if s["layout"].get("barmode") == "stack")
    assert pipeline["layout"]["xaxis"]["ticksuffix"] == " Mio. €"


def test_english_switch(demo_db: str, q: Query) -> None:
    at = open_page("overview")
    assert at.title[0].value == "Übersicht"
    at.sidebar.button_group[0].set_value("en").run()
    no_errors(at)
    assert at.session_state["lang"] == "en"
    assert at.title[0].value == "Overview"
    s = q(lambda s: summary(s, today=TODAY))
    tiles = _metrics(at)
    assert tiles["Projects"] == fmt_int(s.projects, "en")
    _money(at, "Total cost", s.total_cost, "en")
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert all(spec["layout"]["separators"] == ".," for spec in specs)
    for page in PAGES[:7]:
        at.switch_page(f"portfolio/ui/entry/{page}.py").run()
        no_errors(at)
    assert at.title[0].value == "Data quality"


def test_register_reads_its_view_from_the_url(demo_db: str, q: Query) -> None:
    at = open_page(
        "register",
        thema="1",
        status="implementation,planning",
        sortierung="total_cost",
        absteigend="1",
    )
    no_errors(at)
    f = register_q.RegisterFilter(
        theme="1", statuses=("planning", "implementation"), sort="total_cost", descending=True
    )
    expected = q(lambda s: register_q.page(s, f, today=TODAY, offset=0, limit=50))
    shown = at.dataframe[0].value
    assert list(shown["key"]) == [r.key for r in expected.rows]
    assert f"**{fmt_int(expected.total)} Projekte**" in [m.value for m in at.markdown]
    # changing a filter writes the view back to the URL, as codes
    light = expected.rows[0].light or "none"
    at.selectbox(key="reg_light").set_value(light).run()
    assert at.query_params["ampel"] in (light, [light])
    by_light = register_q.RegisterFilter(**{**f.__dict__, "light": light})
    narrowed = q(lambda s: register_q.page(s, by_light, today=TODAY))
    assert 0 < narrowed.total <= expected.total
    assert list(at.dataframe[0].value["key"]) == [r.key for r in narrowed.rows]


def test_register_download_is_exactly_the_view(demo_db: str, q: Query) -> None:
    from db.engine import make_engine

    f = register_q.RegisterFilter(theme="1", sort="end_date", descending=True)
    data = export_view(
        make_engine(demo_db),
        f,
        today=TODAY,
        lang="de",
        view=[("Leitthema", "1")],
        principal=TESTER,
    )
    rows = q(lambda s: register_q.rows(s, f, today=TODAY))
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Projekte"]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == column_titles("de")
    assert [v[0] for v in values[1:]] == [r.key for r in rows]
    start = column_titles("de").index("Beginn")
    cost = column_titles("de").index("Gesamtkosten")
    for row, cells in zip(rows, sheet.iter_rows(min_row=2), strict=True):
        if row.start_date:
            assert cells[start].is_date and cells[start].value.date() == row.start_date
            assert cells[start].number_format == "dd.mm.yyyy"
        if row.total_cost is not None:
            assert cells[cost].value == pytest.approx(float(row.total_cost))
            assert "€" in cells[cost].number_format
    view = dict(book["Ansicht"].iter_rows(values_only=True))
    assert view["Zeilen"] == str(len(rows))


def test_project_page_shows_every_field_and_part(demo_db: str, q: Query) -> None:
    from portfolio.services import projects

    key = (
        q(lambda s: register_q.page(s, register_q.RegisterFilter(), today=TODAY, limit=1))
        .rows[0]
        .key
    )
    at = open_page("project", projekt=key)
    no_errors(at)
    text = " ".join(m.value for m in at.markdown)
    for name in projects.FIELDS:
        assert f"**{field_label(name)}**" in text
    for section in ("partner", "foerderung", "meilensteine", "status", "kpis", "journal"):
        at.segmented_control(key="prj_section").set_value(section).run()
        no_errors(at)
        assert at.query_params["bereich"] in (section, [section])


def test_quality_page_lists_the_queries_scores(demo_db: str, q: Query) -> None:
    report = q(lambda s: quality_q.quality(s, today=TODAY, limit=25))
    at = open_page("quality")
    no_errors(at)
    shown = [seen(m.value) for m in at.markdown if m.value.startswith("**")]
    assert len([s for s in shown if " · " in s]) == len(report.rows)
    if report.rows:
        assert report.rows[0].key in shown[0]  # the lowest score first, as the query orders


def test_a_change_elsewhere_shows_on_the_next_run(demo_db: str, q: Query) -> None:
    """Caches are keyed by the data stamp: a write through the services shows without a restart."""
    from tests.factories import make_project

    at = open_page("overview")
    before = q(lambda s: summary(s, today=TODAY)).projects
    q(lambda s: make_project(s, title="Neu von nebenan"))
    at.run()
    assert _metrics(at)["Projekte"] == fmt_int(before + 1)


def test_exchange_export_of_the_register_view_holds_exactly_its_projects(
    demo_db: str, q: Query
) -> None:
    from python_calamine import CalamineWorkbook

    from db.engine import make_engine
    from portfolio.queries.register_export import exchange_view

    f = register_q.RegisterFilter(theme="2", sort="title")
    data = exchange_view(make_engine(demo_db), f, today=TODAY, lang="de", principal=TESTER)
    expected = sorted(r.key for r in q(lambda s: register_q.rows(s, f, today=TODAY)))
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Projekte")
    rows = sheet.to_python()
    key_col = [str(c) for c in rows[0]].index("Schlüssel")
    keys = sorted(str(r[key_col]) for r in rows[1:] if r[key_col])
    assert 0 < len(keys) == len(expected)
    assert keys == expected


def test_datenaustausch_offers_the_register_view(demo_db: str) -> None:
    at = open_page("register", thema="3")
    no_errors(at)
    at.switch_page("portfolio/ui/entry/exchange.py").run()
    no_errors(at)
    labels = [str(o) for r in at.radio for o in r.options]
    assert any("Aktuelle Auswahl im Projektregister" in label for label in labels), labels


def test_the_language_is_in_the_url_and_survives_a_reload(demo_db: str) -> None:
    # ``lang`` is open_page's own argument (session state); the address is set by hand here
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[PRINCIPAL_KEY] = Principal("tester", Role.ADMIN)
    at.query_params["lang"] = "en"
    at.run()
    no_errors(at)
    assert at.title[0].value == "Overview"  # a new session (a reload) reads ?lang=en
    at.sidebar.button_group[0].set_value("de").run()
    assert at.title[0].value == "Übersicht"
    assert "lang" not in at.query_params  # German is the default and stays out of the URL
    at.sidebar.button_group[0].set_value("en").run()
    assert at.query_params["lang"] in ("en", ["en"])
    at.segmented_control(key="ov_theme").set_value("2").run()  # a page writing its own state
    assert at.query_params["lang"] in ("en", ["en"])
    assert at.query_params["thema"] in ("2", ["2"])


def test_a_saved_register_view_comes_back_with_its_filters_and_columns(demo_db: str) -> None:
    at = open_page("register", thema="2", status="implementation", spalten="status,total")
    no_errors(at)
    at.text_input(key="reg_views_name").input("Stadtmanagement in Umsetzung").run()
    next(b for b in at.button if b.key == "reg_views_save").click().run()
    no_errors(at)
    at.selectbox(key="reg_theme").set_value("3").run()
    at.multiselect(key="reg_status").set_value([]).run()
    assert at.session_state["reg_theme"] == "3"
    view = next(b for b in at.button if b.label == "Stadtmanagement in Umsetzung")
    view.click().run()
    no_errors(at)
    assert at.session_state["reg_theme"] == "2"
    assert at.session_state["reg_status"] == ["implementation"]
    assert at.session_state["reg_columns"] == ["status", "total"]
    headers = list(at.dataframe[0].value.columns)
    assert headers == ["key", "title", "status", "total"]


def test_the_themes_light_colours_are_the_palettes() -> None:
    """Streamlit colours ":green[…]" marks and badges with its theme; the theme's lights must be
    the palette's, or a light would have two colours."""
    import tomllib

    from portfolio import palette
    from tests.fixtures.ui import ROOT

    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    assert (theme["greenColor"], theme["yellowColor"], theme["redColor"]) == (
        palette.LIGHT_COLOURS["green"],
        palette.LIGHT_COLOURS["yellow"],
        palette.LIGHT_COLOURS["red"],
    )


def test_the_overview_search_opens_the_register_with_the_search(demo_db: str, q: Query) -> None:
    at = open_page("register", thema="3")  # an earlier register view must not win
    at.switch_page("portfolio/ui/entry/overview.py").run()
    at.text_input(key="ov_search").input("Klima").run()
    no_errors(at)
    assert at.title[0].value == "Projekte"
    assert at.session_state["reg_text"] == "Klima"
    assert at.session_state["reg_theme"] is None
    expected = q(
        lambda s: register_q.page(s, register_q.RegisterFilter(text="Klima"), today=TODAY)
    ).total
    assert expected > 0
    assert any(m.value.startswith(f"**{fmt_int(expected)} ") for m in at.markdown), [
        m.value for m in at.markdown
    ][:5]
