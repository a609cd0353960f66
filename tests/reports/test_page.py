"""The Berichte page: preview, scope and dates, publishing and the list of published briefs."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import PublishedBrief
from portfolio.figures import summary
from portfolio.i18n import fmt_eur, fmt_eur_short
from tests.fixtures.base import TODAY
from tests.fixtures.ui import Query, no_errors, open_page

# the dashboard's Streamlit caches are emptied around every test here, as in tests/ui
pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def test_reports_page_previews_publishes_and_lists(q: Query) -> None:
    at = open_page("reports")
    no_errors(at)
    figures = q(lambda s: summary(s, today=TODAY))
    metrics = {m.label: (m.value, m.proto.help) for m in at.metric}
    # compact on the tile, exact to the cent on hover
    assert metrics["Gesamtkosten"] == (
        fmt_eur_short(figures.total_cost),
        fmt_eur(figures.total_cost),
    )
    assert metrics["Förderung bewilligt"] == (
        fmt_eur_short(figures.funding_approved),
        fmt_eur(figures.funding_approved),
    )
    assert len(at.get("download_button")) == 2

    at.checkbox(key="rep_confirm").check().run()
    at.button(key="rep_publish").click().run()
    no_errors(at)
    assert (
        q(lambda s: s.execute(select(func.count()).select_from(PublishedBrief)).scalar_one()) == 1
    )
    assert any("veröffentlicht" in s.value for s in at.success)
    assert len(at.get("download_button")) == 4  # current brief + the published one

    # A theme brief in English.
    at.session_state["lang"] = "en"
    at.selectbox(key="rep_scope").select("2").run()
    no_errors(at)
    theme = q(lambda s: summary(s, today=TODAY, theme_key="2"))
    metrics = {m.label: (m.value, m.proto.help) for m in at.metric}
    assert metrics["Total cost"] == (
        fmt_eur_short(theme.total_cost, "en"),
        fmt_eur(theme.total_cost, "en"),
    )
