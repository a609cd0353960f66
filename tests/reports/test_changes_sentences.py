""" "Was hat sich geändert?" tells the period's changes in sentences: grouped by kind in a fixed
order and by project within a kind, every code as its label, the project by key and title, the
author by the account's display name (technical authors by a word for what made the change),
a bounded list in the PDF and the full one in the Excel brief."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import ChangeSource, Role
from db.models import Project
from portfolio import clock
from portfolio.changes import KINDS, Kind, account_names, author_label, technical_actor
from portfolio.policy import Principal, set_principal
from portfolio.services import accounts, projects
from reports.brief import Brief, build_brief
from reports.pdf import CHANGES_PER_KIND, render_pdf
from reports.texts import TEXTS, change_kind_label, tx
from reports.xlsx import render_xlsx
from tests.factories import make_project
from tests.fixtures.base import TESTER
from tests.fixtures.reports import History
from tests.reports.test_changes import scripted_edits

MARIA = Principal("m.muster", Role.ADMIN)
CLI = Principal("cli", Role.ADMIN, source=ChangeSource.CLI)
IMPORT = Principal("cli", Role.ADMIN, source=ChangeSource.IMPORT, ref="import:1")


def flat(text: str) -> str:
    """Text as one line: sentences wrap over lines in the PDF; no-break spaces made plain."""
    return " ".join(text.replace("\u00a0", " ").split())


def changes_section(pdf: bytes, lang: str = "de") -> str:
    """The text of the pages of "Was hat sich geändert?" (up to the section "Risiken")."""
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]

    def first(key: str) -> int:
        title = tx(key, lang)
        return next(i for i, p in enumerate(pages) if p.strip().splitlines()[0].strip() == title)

    return flat("\n".join(pages[first("s_changes") : first("s_risks")]))


def sheet_rows(data: bytes, lang: str = "de") -> list[dict[str, object]]:
    """The change rows of the Excel brief by their header."""
    ws = openpyxl.load_workbook(io.BytesIO(data))[tx("sheet_changes", lang)]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, r, strict=True)) for r in rows[1:] if isinstance(r[0], dt.datetime)]


def with_maria(session: Session) -> None:
    """An account with a display name, and the session acting as it."""
    set_principal(session, TESTER)
    accounts.create(session, name="m.muster", role="admin", display_name="Maria Muster")
    session.commit()
    set_principal(session, MARIA)


def recorded(brief: Brief, kind: str, key: str) -> str:
    """The recording day of the change of ``kind`` on project ``key``, as the brief writes it."""
    assert brief.changes is not None
    event = next(e for e in brief.changes.of(kind) if e.project_key == key)
    return clock.to_local(event.at).strftime("%d.%m.%Y")


def test_changes_are_sentences_with_labels_grouped_by_kind(
    session: Session, history: History
) -> None:
    with_maria(session)
    expected = scripted_edits(session, history)  # status, slip, new, decision, light, archive
    set_principal(session, CLI)
    late = make_project(session, title="Nachzügler über die Kommandozeile", status="idea")
    session.commit()
    brief = build_brief(session, since=history.since, actor="tester")
    text = changes_section(render_pdf(brief))

    # One sentence per change: the status change in its labels, with date and display name.
    status = next(e for e in expected if e[0] == Kind.STATUS)
    project = session.execute(select(Project).where(Project.key == status[1])).scalar_one()
    day = recorded(brief, Kind.STATUS, project.key)
    assert (
        flat(
            f"{project.key} {project.title}: Status von „Vorbereitung/Planung“ auf „in Umsetzung“ "
            f"geändert (am {day} von Maria Muster)."
        )
        in text
    )
    assert (
        flat(
            f"{late.key} {late.title}: neu aufgenommen "
            f"(am {recorded(brief, Kind.NEW_PROJECT, late.key)} von Kommandozeile)."
        )
        in text
    )
    # The milestone slip names its dates in the reader's format, the light change its labels.
    slip = next(e for e in expected if e[0] == Kind.MILESTONE_SLIPPED)
    old, new = (dt.date.fromisoformat(v or "").strftime("%d.%m.%Y") for v in slip[2:])
    assert f"vom {old} auf den {new} verschoben" in text
    light = next(e for e in expected if e[0] == Kind.LIGHT)
    words = {"green": "grün", "yellow": "gelb", "red": "rot"}
    assert f"Gesamtampel von „{words[light[2] or '']}“ auf „{words[light[3] or '']}“" in text
    assert "über 250.000,00 € bewilligt" in text

    # No codes, no technical author, no internal ids.
    for raw in ("implementation", "planning", "approved", "submitted", "Project:", "m.muster"):
        assert raw not in text, raw
    assert not re.search(r"\bcli\b", text)
    assert "Maria Muster" in text and "Kommandozeile" in text

    # Kind headings in the fixed order of KINDS, with their counts; kinds without changes absent.
    assert brief.changes is not None
    counts = brief.changes.counts()
    headings = [
        tx("changes_heading", "de", kind=change_kind_label(k, "de"), count=str(counts[k]))
        for k in KINDS
        if counts[k]
    ]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    assert len(headings) == len({e[0] for e in expected}) == 6
    absent = tx("changes_heading", "de", kind=change_kind_label(Kind.REFUND, "de"), count="0")
    assert absent not in text
    # Each sentence stands under its kind's heading, before the next kind's.
    status_at = text.index(
        tx("changes_heading", "de", kind=change_kind_label(Kind.STATUS, "de"), count="1")
    )
    slipped_at = text.index(
        tx(
            "changes_heading",
            "de",
            kind=change_kind_label(Kind.MILESTONE_SLIPPED, "de"),
            count="1",
        )
    )
    assert status_at < text.index("Status von „Vorbereitung/Planung“") < slipped_at


def test_sentences_are_ordered_by_project_within_a_kind(session: Session, history: History) -> None:
    set_principal(session, CLI)
    made = [make_project(session, title=f"Reihenfolge {i}") for i in range(3)]
    for p in reversed(made):  # archived in the reverse order of their keys
        projects.archive(session, p.id, expected_version=p.version)
    session.commit()
    brief = build_brief(session, since=history.since)
    [archived] = [g for g in brief.change_groups() if g.kind == Kind.ARCHIVED_PROJECT]
    assert [line.project_key for line in archived.lines] == sorted(p.key for p in made)
    assert all(line.author == "Kommandozeile" for line in archived.lines)


def test_the_pdf_shows_a_few_per_kind_and_the_excel_sheet_all(
    session: Session, history: History
) -> None:
    with_maria(session)
    extra = 5
    made = [
        make_project(session, title=f"Zählprojekt {i:02d}") for i in range(CHANGES_PER_KIND + extra)
    ]
    set_principal(session, IMPORT)
    p = made[0]
    projects.update(session, p.id, {"status": "planning"}, expected_version=p.version)
    session.commit()
    brief = build_brief(session, since=history.since)
    text = changes_section(render_pdf(brief))
    heading = tx(
        "changes_heading",
        "de",
        kind=change_kind_label(Kind.NEW_PROJECT, "de"),
        count=str(CHANGES_PER_KIND + extra),
    )
    assert heading in text
    assert text.count("neu aufgenommen") == CHANGES_PER_KIND
    assert flat(tx("more_rows", "de", count=str(extra))) in text
    assert "… und 5 weitere" in text
    # The import's change is by "Datenimport", not by its technical user.
    assert "(am " in text and "von Datenimport)." in text

    # The Excel sheet: one row per change, the same sentences, with kind, project, date, author.
    rows = sheet_rows(render_xlsx(brief))
    assert brief.changes is not None
    assert len(rows) == len(brief.changes.events) == CHANGES_PER_KIND + extra + 1
    sentences = [line.text for g in brief.change_groups() for line in g.lines]
    assert [r[tx("change", "de")] for r in rows] == sentences
    shown = [s for s in sentences if flat(s) in text]
    assert len(shown) == CHANGES_PER_KIND + 1  # the cut ones are in the sheet only
    new_rows = [r for r in rows if r[tx("kind", "de")] == change_kind_label(Kind.NEW_PROJECT, "de")]
    assert sorted(str(r[tx("project", "de")]) for r in new_rows) == sorted(m.key for m in made)
    assert {r[tx("by", "de")] for r in new_rows} == {"Maria Muster"}
    assert {r[tx("title_col", "de")] for r in new_rows} == {m.title for m in made}
    when = rows[0][tx("when", "de")]
    assert (
        isinstance(when, dt.datetime)
        and when.date() == clock.to_local(brief.changes.events[0].at).date()
    )
    [status_row] = [r for r in rows if r[tx("kind", "de")] == change_kind_label(Kind.STATUS, "de")]
    assert status_row[tx("by", "de")] == "Datenimport"
    assert "„Vorbereitung/Planung“" in str(status_row[tx("change", "de")])


def test_english_brief_has_english_sentences(session: Session, history: History) -> None:
    with_maria(session)
    p = (
        session.execute(select(Project).where(Project.status == "planning").order_by(Project.id))
        .scalars()
        .first()
    )
    assert p is not None
    projects.update(session, p.id, {"status": "implementation"}, expected_version=p.version)
    session.commit()
    brief = build_brief(session, since=history.since, lang="en")
    text = changes_section(render_pdf(brief), "en")
    day = recorded(brief, Kind.STATUS, p.key).replace(".", "/")
    assert (
        flat(
            f"{p.key} {p.title}: status changed from “Preparation/planning” to “In implementation” "
            f"(on {day} by Maria Muster)."
        )
        in text
    )
    assert "Status changes (1)" in text


def test_authors_are_named_as_readers_know_them(session: Session) -> None:
    set_principal(session, TESTER)
    accounts.create(session, name="m.muster", role="admin", display_name="Maria Muster")
    accounts.create(session, name="k.kein", role="admin")
    names = account_names(session, ["m.muster", "k.kein", "cli", "unbekannt", ""])
    assert names == {"m.muster": "Maria Muster", "k.kein": "k.kein"}
    assert author_label("m.muster", "ui", "de", names) == "Maria Muster"
    assert author_label("m.muster", "import", "de", names) == "Maria Muster"
    assert author_label("k.kein", "cli", "en", names) == "k.kein"
    assert author_label("cli", "cli", "de", names) == "Kommandozeile"
    assert author_label("cli", "cli", "en", names) == "command line"
    assert author_label("cli", "import", "de", names) == "Datenimport"
    assert author_label("cli", "import", "en", names) == "data import"
    assert author_label("system", "system", "de") == "System"
    assert author_label("seed", "system", "en") == "system"
    assert author_label("demo --synthetic", "system", "de") == "Demodaten"
    assert author_label("", "system", "de") == "System"
    assert author_label("unbekannt", "ui", "de", names) == "unbekannt"  # a name, kept
    assert technical_actor("cli") and technical_actor("demo --synthetic")
    assert not technical_actor("m.muster")


def test_grant_changes_and_refunds_are_sentences(session: Session) -> None:
    from tests.reports.test_grant_changes import _scripted

    today = clock.today()
    expected = _scripted(session, today)
    brief = build_brief(session, since=today - dt.timedelta(days=400), as_of=today)
    groups = {g.kind: g for g in brief.change_groups()}
    notices = [line.text for line in groups[Kind.NOTICE].lines]
    refunds_ = [line.text for line in groups[Kind.REFUND].lines]
    assert len(notices) == 3 and len(refunds_) == 3
    key = expected[0][1]

    def d(days: int) -> str:
        return (today - dt.timedelta(days=days)).strftime("%d.%m.%Y")

    assert f"Änderungsbescheid vom {d(200)} zu {key} (" in notices[0]
    assert "Zuwendung nun 280.000,00\u00a0€, Förderzeitraum bis 31.12.2026 (am " in notices[0]
    assert notices[1].split(": ", 1)[1].startswith(f"Widerrufsbescheid vom {d(60)} zu {key}")
    assert "Zuwendung nun 0,00\u00a0€" in notices[2] and "Verzicht" in notices[2]
    assert f"Rückforderung zu {key} (" in refunds_[0]
    assert "über 50.000,00\u00a0€, geltend gemacht am " in refunds_[0]
    assert "Zinsen für vorzeitig abgerufene Mittel" in refunds_[1]
    assert all("Sensornetz Innenstadt" in t for t in notices + refunds_)
    assert all(t.endswith("von tester).") for t in notices + refunds_)
    for t in notices + refunds_:
        for raw in ("amendment", "revocation", "renunciation", "early_draw_interest"):
            assert raw not in t


def test_an_empty_period_says_so(session: Session, history: History) -> None:
    brief = build_brief(session, as_of=history.since, since=history.base + dt.timedelta(days=1))
    assert brief.change_groups() == []
    text = changes_section(render_pdf(brief))
    assert tx("changes_none", "de") in text
    assert sheet_rows(render_xlsx(brief)) == []


def test_both_languages_have_the_same_texts() -> None:
    assert set(TEXTS["de"]) == set(TEXTS["en"])
    for kind in KINDS:
        for lang in ("de", "en"):
            assert change_kind_label(kind, lang)
            assert f"change_{kind}" in TEXTS[lang]
