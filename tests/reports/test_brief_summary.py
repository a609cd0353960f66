"""The committee-ready brief: an executive summary on page 1, a contents list whose page numbers
are right, only the period's decisions, no closed projects among the risks, a landscape annex."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import Destination
from sqlalchemy.orm import Session

from db.enums import ProjectStatus
from db.models import Project
from portfolio import palette
from portfolio.services import funding, projects, status_reports
from reports.brief import Brief, build_brief
from reports.pdf import render_pdf
from reports.texts import fast_eur, signed, tx
from tests.factories import make_application, make_project
from tests.fixtures.reports import History

SUMMARY_HEADINGS = ("s_summary", "sum_figures", "sum_risks", "sum_missed", "sum_money")
SECTIONS = (
    "s_summary",
    "s_key",
    "s_themes",
    "s_funding",
    "s_milestones",
    "s_changes",
    "s_risks",
    "s_annex",
)


def layout_page(pdf: bytes, page: int, tmp_path: Path) -> str:
    """One page's text as poppler's pdftotext lays it out (lines as they are printed)."""
    path = tmp_path / "brief.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.replace("\u00a0", " ")


def pages_of(pdf: bytes) -> list[str]:
    """The text of each page (the non-breaking space before € as a plain one)."""
    return [p.extract_text().replace("\u00a0", " ") for p in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def section_text(pages: list[str], start: str, end: str) -> str:
    """The text from the heading ``start`` to the heading ``end`` (after the contents list)."""
    body = "\n".join(pages[2:])
    first = body.index(start)
    return body[first : body.index(end, first)]


def report(session: Session, project: Project, day: dt.date, light: str, **extra: str) -> None:
    status_reports.create(
        session,
        {
            "project_id": project.id,
            "report_date": day,
            "overall": light,
            "schedule": light,
            "budget": extra.pop("budget", "green"),
            "funding": "green",
            "summary": "Bericht zum Stand.",
            **extra,
        },
    )


def test_page_one_is_the_summary_without_comparison_data(
    session: Session, history: History
) -> None:
    brief = build_brief(session, actor="tester")  # no brief published: the 90-day default
    assert brief.since_default == "none" and not brief.has_comparison
    pages = pages_of(render_pdf(brief))
    first = pages[0]
    for key in SUMMARY_HEADINGS:
        assert tx(key, "de") in first, key
    assert tx("sum_lights", "de", day=brief.as_of.strftime("%d.%m.%Y")) in flat(first)
    for key in Brief.SUMMARY_KEYS:
        assert tx(key, "de") in flat(first), key
    # Nothing to compare with: said in words, and no change amount anywhere on the page.
    assert flat(first).count(tx("no_comparison", "de")) == len(Brief.SUMMARY_KEYS)
    assert "+" not in first and "±" not in first and "−" not in first
    # The summary comes before the contents list.
    assert tx("contents", "de") not in first
    assert tx("contents", "de") in pages[1]
    # The traffic-light split: every light as its mark with its count.
    counts = brief.light_counts()
    assert sum(counts.values()) == brief.now.projects
    for code, n in counts.items():
        assert palette.LIGHT_MARKS[code] in first
        assert f": {n}" in first
    assert fast_eur(brief.money_at_risk, "de").replace("\u00a0", " ") in first
    assert len(pages[0]) and len(PdfReader(io.BytesIO(render_pdf(brief))).pages) >= 9


def test_summary_shows_the_changes_against_the_comparison_date(
    session: Session, history: History
) -> None:
    brief = build_brief(session, since=history.since, actor="tester")
    assert brief.has_comparison
    first = pages_of(render_pdf(brief))[0]
    assert tx("no_comparison", "de") not in first
    for f in brief.summary_figures():
        assert f.before is not None
        change = signed(f.delta, f.kind, "de").replace("\u00a0", " ")
        assert tx("sum_delta", "de", delta=change, day=brief.since.strftime("%d.%m.%Y")) in flat(
            first
        )


def test_contents_page_numbers_are_where_the_sections_start(
    session: Session, history: History, tmp_path: Path
) -> None:
    pdf = render_pdf(build_brief(session, since=history.since))
    pages = pages_of(pdf)
    contents = layout_page(pdf, 2, tmp_path)
    contents = contents[contents.index(tx("contents", "de")) :]
    listed: dict[str, int] = {}
    for line in contents.splitlines()[1:]:
        match = re.match(r"^(\S.*?)[\s.]+(\d+)$", line.strip())
        if match:
            listed[match.group(1)] = int(match.group(2))
    for key in SECTIONS:
        title = tx(key, "de")
        assert title in listed, (title, contents)
        page = pages[listed[title] - 1]
        assert page.strip().splitlines()[0].strip() == title or (
            key == "s_summary" and title in page.splitlines()
        ), (title, listed[title])
    listed = {tx(key, "de"): listed[tx(key, "de")] for key in SECTIONS}
    assert list(listed.values()) == sorted(listed.values())
    assert listed[tx("s_summary", "de")] == 1
    # The PDF's outline (bookmarks) leads to the same pages.
    reader = PdfReader(io.BytesIO(pdf))
    outline = {
        o.title: (reader.get_destination_page_number(o) or 0) + 1
        for o in reader.outline
        if isinstance(o, Destination)
    }
    assert outline == listed


def test_only_decisions_dated_in_the_period_are_listed(session: Session, history: History) -> None:
    new = make_project(session, title="Entscheidungsprojekt")
    early = make_application(session, new, status="submitted", submitted_on=history.base)
    late = make_application(session, new, status="submitted", submitted_on=history.base)
    # Both recorded today; one decision is dated before the reference date.
    for app, day in ((early, history.since - dt.timedelta(days=3)), (late, history.today)):
        funding.update(
            session,
            app.id,
            {"status": "approved", "amount_approved": Decimal("100000.00"), "decision_on": day},
            expected_version=app.version,
        )
    session.commit()
    brief = build_brief(session, since=history.since)
    assert [e.item_key for e in brief.decisions] == [late.key]
    pages = pages_of(render_pdf(brief))
    since = history.since.strftime("%d.%m.%Y")
    decided = section_text(
        pages, tx("decisions", "de", day=since), tx("grant_changes", "de", day=since)[:20]
    )
    assert late.key in decided and early.key not in decided


def test_closed_projects_are_no_risks_and_risks_carry_the_decision_needed(
    session: Session, history: History
) -> None:
    gone = make_project(session, title="Eingestelltes Vorhaben", status="implementation")
    running = make_project(session, title="Laufendes Vorhaben", status="implementation")
    report(session, gone, history.since - dt.timedelta(days=1), "red")
    projects.update(
        session,
        gone.id,
        {"status": ProjectStatus.DISCONTINUED.value},
        expected_version=gone.version,
    )
    report(
        session,
        running,
        history.today,
        "red",
        risks="Ausschreibung ohne Angebot.",
        decisions_needed="Freigabe einer zweiten Ausschreibung durch den Lenkungskreis.",
    )
    session.commit()
    brief = build_brief(session, since=history.since)
    keys = [r.project_key for r in brief.risks]
    assert running.key in keys and gone.key not in keys
    pages = pages_of(render_pdf(brief))
    first = flat(pages[0])
    assert running.key in first and gone.key not in first
    assert "Ausschreibung ohne Angebot." in first
    assert "Freigabe einer zweiten Ausschreibung durch den Lenkungskreis." in first
    risks = section_text(pages, tx("risks_intro", "de", day="")[:30], tx("s_annex", "de"))
    assert running.key in risks and gone.key not in risks
    # the Excel brief's risk sheet: the same rows, with the risk and the decision needed
    import openpyxl

    from reports.xlsx import render_xlsx

    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(brief)))
    sheet = book[tx("sheet_risks", "de")]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header = next(r for r in rows if tx("decision_needed", "de") in r)
    row = next(r for r in rows if r[0] == running.key)
    assert row[header.index(tx("risk", "de"))] == "Ausschreibung ohne Angebot."
    assert row[header.index(tx("decision_needed", "de"))] == (
        "Freigabe einer zweiten Ausschreibung durch den Lenkungskreis."
    )
    assert all(r[0] != gone.key for r in rows)


def test_money_at_risk_counts_the_approved_funding_of_a_red_budget(
    session: Session, history: History
) -> None:
    before = build_brief(session, since=history.since)
    new = make_project(session, title="Budget in Gefahr", status="implementation")
    app = make_application(session, new, status="submitted", submitted_on=history.base)
    funding.update(
        session,
        app.id,
        {
            "status": "approved",
            "amount_approved": Decimal("123456.78"),
            "decision_on": history.today,
        },
        expected_version=app.version,
    )
    report(session, new, history.today, "yellow", budget="red")
    session.commit()
    after = build_brief(session, since=history.since)
    assert after.money_at_risk - before.money_at_risk == Decimal("123456.78")
    assert after.at_risk_projects == before.at_risk_projects + 1
    first = pages_of(render_pdf(after))[0]
    assert fast_eur(after.money_at_risk, "de").replace("\u00a0", " ") in first


def test_annex_is_landscape_and_nothing_is_cut(
    session: Session, history: History, tmp_path: Path
) -> None:
    brief = build_brief(session, since=history.since)
    pdf = render_pdf(brief)
    reader = PdfReader(io.BytesIO(pdf))
    pages = pages_of(pdf)
    annex = [i for i, text in enumerate(pages) if text.strip().startswith(tx("s_annex", "de"))]
    assert annex, "the annex starts a page"
    start = annex[0]
    for i, page in enumerate(reader.pages):
        box = page.mediabox
        wide = float(box.width) > float(box.height)
        assert wide == (i >= start), i
    text = flat("\n".join(pages[start:]))
    assert "…" not in text
    for row in brief.annex:
        assert flat(row.title) in text, row.title
        assert flat(row.lead) in text, row.lead
    # Headers whole: no word of a header broken across lines.
    laid_out = layout_page(pdf, start + 1, tmp_path).splitlines()
    header_line = next(line for line in laid_out if tx("title_col", "de") in line)
    for key in ("project", "title_col", "theme_short", "lead", "status", "light", "cost"):
        assert re.search(rf"\b{tx(key, 'de')}\b", header_line), (key, header_line)
    assert header_line.split()[-1] == tx("funding", "de")


def test_english_summary_says_no_comparison_data(session: Session, history: History) -> None:
    first = pages_of(render_pdf(build_brief(session, lang="en")))[0]
    assert tx("s_summary", "en") in first and tx("no_comparison", "en") in first
    assert "+" not in first
