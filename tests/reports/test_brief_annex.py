"""The PDF brief's annex is limited to what a CDO reads; the Excel brief keeps every project."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import Engine

from db.engine import make_session_factory
from db.enums import ChangeSource, Role
from portfolio.demo.synthetic import generate
from portfolio.policy import Principal, set_principal
from reports.brief import build_brief
from reports.pdf import PDF_LIST_LIMIT, render_pdf
from reports.xlsx import render_xlsx
from tests.fixtures.base import TESTER, TODAY
from tests.reports.test_publish import pdf_text


def test_pdf_annex_lists_the_largest_projects_and_points_to_the_excel(
    sqlite_engine: Engine,
) -> None:
    factory = make_session_factory(sqlite_engine)
    with factory() as session, session.begin():
        set_principal(session, Principal("demo", Role.ADMIN, source=ChangeSource.SYSTEM))
        generate(session, PDF_LIST_LIMIT + 12, seed=5, today=TODAY)
    with factory() as session:
        set_principal(session, TESTER)
        brief = build_brief(session, actor="cdo-office", today=TODAY)
    assert len(brief.annex) == PDF_LIST_LIMIT + 12
    by_cost = sorted(brief.annex, key=lambda a: (-a.total_cost, a.key))
    text = pdf_text(render_pdf(brief))
    annex = text[text.rindex("Die 300 Projekte") :]
    assert "Anhang: die größten Projekte" in text and "Anhang: alle Projekte" not in text
    assert (
        "Die 300 Projekte mit den höchsten Gesamtkosten; alle 312 Projekte stehen in der "
        "Excel-Fassung." in " ".join(annex.split())
    )
    assert by_cost[0].key in annex and by_cost[PDF_LIST_LIMIT - 1].key in annex
    assert all(a.key not in annex for a in by_cost[PDF_LIST_LIMIT:])
    assert "Summe 312" in " ".join(annex.split())  # the totals line counts every project
    sheet = load_workbook(io.BytesIO(render_xlsx(brief)), read_only=True)["Anhang"]
    keys = {row[0] for row in sheet.iter_rows(values_only=True)}
    assert {a.key for a in brief.annex} <= keys
