"""The demo's grants and the AppTest helpers the tests of the grant sections share
(tests/ui/test_grants*.py): open a project's Zuwendungen, submit a form, read its tables,
errors and warnings, and the notices and journal behind them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import select
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from db.models import (
    FundingApplication,
    JournalEntry,
)
from portfolio.services import grant_notices
from tests.fixtures.ui import Query, no_errors, open_page, seen

PARTIAL = "SC-003"  # MPSC phase B: Teilbewilligung (812.500 of 845.000), Änderungsbescheid
RUNNING = "SC-004"  # MPSC phase B, in Durchführung: award and Änderungsbescheid
PROOF_HANDED_IN = "SC-002"  # MPSC phase B: the final proof handed in, not yet under check
RENOUNCED = "SC-017"  # NRW-DIGI, renounced; the first instalment repaid with interest


# ---- helpers ----------------------------------------------------------------------------------


def application_of(q: Query, project_key: str) -> FundingApplication:
    return q(
        lambda s: s.execute(
            select(FundingApplication).where(FundingApplication.key == f"{project_key}-F1")
        ).scalar_one()
    )


def open_grants(project_key: str, *, user: str | None = None) -> AppTest:
    at = open_page("project", user=user, projekt=project_key, bereich="zuwendung")
    no_errors(at)
    return at


def submit(at: AppTest, form_key: str) -> AppTest:
    """Click the submit button of the form ``form_key`` (several forms share a label)."""
    prefix = f"FormSubmitter:{form_key}-"
    buttons = [b for b in at.button if b.key and b.key.startswith(prefix)]
    assert len(buttons) == 1, f"no button of {form_key!r}: {[b.key for b in at.button]}"
    return buttons[0].click().run()


def displayed(frame: Any) -> pd.DataFrame:
    """What a table shows: the display values of its Styler (German money and dates)."""
    styler = frame.proto.arrow_data.styler
    assert styler.display_values, "the table is not formatted"
    return dataframe_util.convert_arrow_bytes_to_pandas_df(styler.display_values)


def table_with(at: AppTest, column: str, value: str) -> pd.DataFrame:
    for frame in at.dataframe:
        if frame.editing_mode != "read_only":
            continue
        shown = displayed(frame)
        if column in shown.columns and value in list(shown[column]):
            return shown
    raise AssertionError(f"no table with {value!r} in {column!r}")


def shown_errors(at: AppTest) -> list[str]:
    return [seen(e.value) for e in at.error]


def shown_warnings(at: AppTest) -> list[str]:
    return [seen(w.value) for w in at.warning]


def notices_of(q: Query, application_id: int) -> list[tuple[str, dt.date, Decimal, dt.date | None]]:
    return q(
        lambda s: [
            (n.kind, n.dated_on, n.amount_approved, n.period_end)
            for n in grant_notices.get_all(s, application_id)
        ]
    )


def last_actor(q: Query, entity: str, entity_id: int | None = None) -> str | None:
    stmt = select(JournalEntry.actor).where(JournalEntry.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(JournalEntry.entity_id == entity_id)
    return q(lambda s: s.execute(stmt.order_by(JournalEntry.id.desc()).limit(1)).scalar())
