"""Every figure in the PDF and the workbook equals the service layer's figure for its date."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy.orm import Session

from portfolio.figures import Summary, summary
from portfolio.i18n import fmt_eur, fmt_int
from reports.brief import Brief, build_brief
from reports.pdf import render_pdf
from reports.texts import fast_eur, signed, tx
from reports.xlsx import render_xlsx
from tests.fixtures.reports import History
from tests.reports.test_changes import scripted_edits

EUR_KEYS = (
    "total_cost",
    "eligible_cost",
    "funding_requested",
    "funding_approved",
    "paid_out",
    "own_share",
    "own_budget",
)


def plain(text: str) -> str:
    """PDF text shows the non-breaking space before € as a plain space."""
    return text.replace("\u00a0", " ")


def expected_rows(now: Summary, before: Summary) -> dict[str, tuple[str, str, str]]:
    """Label → (now, before, change) formatted as the brief must show them, from the services."""
    rows = {
        tx("projects", "de"): (now.projects, before.projects, "int"),
        tx("overdue_milestones", "de"): (now.overdue_milestones, before.overdue_milestones, "int"),
    }
    from reports.texts import status_label

    for code, n in now.by_status.items():
        label = tx("projects_status", "de", status=status_label(code, "de"))
        rows[label] = (n, before.by_status[code], "int")
    for key in EUR_KEYS:
        if hasattr(now, key):
            rows[tx(key, "de")] = (getattr(now, key), getattr(before, key), "eur")
    out = {}
    for label, (a, b, kind) in rows.items():
        fmt = fmt_eur if kind == "eur" else fmt_int
        out[label] = (plain(fmt(a)), plain(fmt(b)), plain(signed(a - b, kind, "de")))
    return out


def pdf_lines(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [
        plain(line.strip()) for page in reader.pages for line in page.extract_text().splitlines()
    ]


def check_pdf(brief: Brief, pdf: bytes, now: Summary, before: Summary) -> None:
    lines = pdf_lines(pdf)
    start = lines.index(tx("s_key", "de"))
    for label, values in expected_rows(now, before).items():
        i = lines.index(label, start)
        assert tuple(lines[i + 1 : i + 4]) == values, label
    # The annex sums and the Leitthemen table agree with the services too.
    total_line = max(i for i, line in enumerate(lines) if line == tx("total", "de"))
    assert plain(fmt_eur(now.total_cost)) in lines[total_line : total_line + 8]
    assert plain(fmt_eur(now.funding_approved)) in lines[total_line : total_line + 8]
    text = "\n".join(lines)
    for theme in now.themes:
        # the theme's key and full name (a wrapped cell breaks at spaces: rejoined with one)
        assert f"{theme.key} {theme.name}" in text.replace("\n", " "), theme.name
        assert plain(fmt_eur(theme.total_cost)) in lines
    assert f"Stand {brief.as_of.strftime('%d.%m.%Y')}" in text


def check_xlsx(data: bytes, now: Summary, before: Summary) -> None:
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book[tx("sheet_key", "de")]
    found = {}
    for row in ws.iter_rows(min_row=3, values_only=True):
        if row[0] is None or row[1] is None:
            continue
        found[row[0]] = row[1:4]
    expected = expected_rows(now, before)
    assert set(expected) <= set(found)
    for label, (a, b, d) in expected.items():
        got = found[label]
        if label.startswith("Projekte") or label == tx("overdue_milestones", "de"):
            shown = (fmt_int(got[0]), fmt_int(got[1]), signed(got[2], "int", "de"))
        else:
            cents = [Decimal(str(v)).quantize(Decimal("0.01")) for v in got]
            shown = (fmt_eur(cents[0]), fmt_eur(cents[1]), signed(cents[2], "eur", "de"))
        assert tuple(plain(s) for s in shown) == (a, b, d), label
    annex = book[tx("sheet_annex", "de")]
    rows = list(annex.iter_rows(min_row=3, values_only=True))
    data_rows = [r for r in rows if r[0] not in (None, tx("total", "de"))]
    assert len(data_rows) == now.projects
    cost = sum((Decimal(str(r[6])).quantize(Decimal("0.01")) for r in data_rows), Decimal(0))
    funding = sum((Decimal(str(r[7])).quantize(Decimal("0.01")) for r in data_rows), Decimal(0))
    assert fmt_eur(cost) == fmt_eur(now.total_cost)
    assert fmt_eur(funding) == fmt_eur(now.funding_approved)
    themes = book[tx("sheet_themes", "de")]
    assert themes._charts, "the Leitthemen sheet carries a native chart"
    by_key = {
        str(r[0]).split(" ", 1)[0]: r for r in themes.iter_rows(min_row=3, values_only=True) if r[0]
    }
    for theme in now.themes:
        assert by_key[theme.key][1] == theme.projects
        assert fmt_eur(Decimal(str(by_key[theme.key][2])).quantize(Decimal("0.01"))) == fmt_eur(
            theme.total_cost
        )


def test_brief_figures_equal_the_services_today_and_at_the_reference_date(
    session: Session, history: History
) -> None:
    scripted_edits(session, history)
    brief = build_brief(session, since=history.since, actor="tester")
    now = summary(session, today=history.today)
    assert brief.since_source == "journal"
    assert brief.before == history.before
    check_pdf(brief, render_pdf(brief), now, history.before)
    check_xlsx(render_xlsx(brief), now, history.before)


def test_theme_brief_and_past_as_of(session: Session, history: History) -> None:
    scripted_edits(session, history)
    brief = build_brief(session, theme_key="2", since=history.since)
    now = summary(session, today=history.today, theme_key="2")
    check_pdf(brief, render_pdf(brief), now, history.before_theme("2"))
    check_xlsx(render_xlsx(brief), now, history.before_theme("2"))
    past = build_brief(session, as_of=history.since, since=history.base)
    assert past.as_of_source == "journal"
    assert past.before == history.at_base
    check_xlsx(render_xlsx(past), history.before, history.at_base)


def test_pdf_renders_to_images_with_pdftoppm(
    session: Session, history: History, tmp_path: Path
) -> None:
    scripted_edits(session, history)
    pdf = render_pdf(build_brief(session, since=history.since))
    path = tmp_path / "brief.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(PdfReader(io.BytesIO(pdf)).pages) >= 8
    assert all(p.stat().st_size > 1000 for p in pages)


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_fast_euro_format_equals_babel(value: Decimal) -> None:
    for lang in ("de", "en"):
        assert fast_eur(value, lang) == fmt_eur(value, lang)


def test_since_must_be_before_as_of(session: Session, history: History) -> None:
    from reports.brief import BriefError

    with pytest.raises(BriefError) as err:
        build_brief(session, as_of=history.since, since=history.since)
    assert "vor dem Stichtag" in err.value.message("de")
    with pytest.raises(BriefError):
        build_brief(session, as_of=history.today + dt.timedelta(days=1))
