"""A published brief is frozen: later edits change neither its files nor its figures."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db.models import Project, PublishedBrief
from portfolio.cli import main
from portfolio.figures import summary
from portfolio.i18n import fmt_eur
from portfolio.services import projects
from reports.brief import build_brief
from reports.publish import list_published, publish, published_file
from tests.fixtures.reports import History


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).replace(
        "\u00a0", " "
    )


def test_published_brief_stays_unchanged_after_later_edits(
    session: Session, history: History
) -> None:
    brief = build_brief(session, since=history.since, actor="cdo-office")
    record = publish(session, brief, actor="cdo-office")
    session.commit()
    old_total = summary(session, today=history.today).total_cost
    pdf_before, xlsx_before = bytes(record.pdf or b""), bytes(record.xlsx or b"")

    p = (
        session.execute(
            select(Project).where(Project.archived.is_(False), Project.total_cost.is_not(None))
        )
        .scalars()
        .first()
    )
    assert p is not None and p.total_cost is not None
    projects.update(
        session, p.id, {"total_cost": p.total_cost + Decimal("5000.00")}, expected_version=p.version
    )
    session.commit()
    new_total = summary(session, today=history.today).total_cost
    assert new_total == old_total + Decimal("5000.00")

    listed = list_published(session)
    assert [r.id for r in listed] == [record.id]
    name, pdf = published_file(session, record.id, "pdf")
    assert name.endswith(".pdf") and pdf == pdf_before
    assert published_file(session, record.id, "xlsx")[1] == xlsx_before
    text = pdf_text(pdf)
    assert fmt_eur(old_total).replace("\u00a0", " ") in text
    assert fmt_eur(new_total).replace("\u00a0", " ") not in text
    frozen = session.get(PublishedBrief, record.id)
    assert frozen is not None and frozen.figures["summary"]["total_cost"] == str(old_total)

    assert build_brief(session, since=history.since).now.total_cost == new_total


def test_next_brief_compares_with_the_frozen_figures_of_the_last_one(
    session: Session, history: History
) -> None:
    earlier = build_brief(session, as_of=history.since, since=history.base)
    record = publish(session, earlier, actor="cdo-office")
    session.commit()
    # Tamper with the frozen figures: the next brief must show what was published, not recompute.
    figures = dict(record.figures)
    figures["summary"] = dict(figures["summary"], total_cost="1.23")
    record.figures = figures
    session.commit()

    later = build_brief(session, actor="cdo-office")
    assert later.since == history.since and later.since_default == "brief"
    assert later.since_source == "published" and later.since_brief_id == record.id
    assert later.before.total_cost == Decimal("1.23")
    assert later.before.projects == history.before.projects


def test_cli_report_publish_list_and_download(
    engine: Engine, session: Session, history: History, tmp_path: Path, capsys: object
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    pdf, xlsx, again = tmp_path / "b.pdf", tmp_path / "b.xlsx", tmp_path / "again.pdf"
    session.close()
    assert (
        main(["--db", url, "report", str(pdf), "--since", history.since.isoformat(), "--publish"])
        == 0
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    assert main(["--db", url, "report", str(xlsx), "--theme", "1"]) == 0
    assert xlsx.read_bytes()[:2] == b"PK"
    assert main(["--db", url, "report", "--list"]) == 0
    assert main(["--db", url, "report", str(again), "--published", "1"]) == 0
    assert again.read_bytes() == pdf.read_bytes()
    assert main(["--db", url, "report", str(tmp_path / "x.docx")]) == 2
    assert main(["--db", url, "report", str(tmp_path / "x.pdf"), "--theme", "99"]) == 1
    assert main(["--db", url, "report", str(tmp_path / "x.pdf"), "--published", "42"]) == 1


def test_the_report_command_speaks_the_language_it_is_asked_for(
    engine: Engine,
    session: Session,
    history: History,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    session.close()
    out = tmp_path / "brief.xlsx"
    assert main(["--lang", "en", "--db", url, "report", str(out), "--theme", "1"]) == 0
    said = capfd.readouterr()
    assert "compared with" in said.out and "total cost" in said.out
    assert f"{out} written in" in said.out and "Brief composed" in said.err
    assert "geschrieben" not in said.out + said.err
    assert main(["--lang", "en", "--db", url, "report", str(tmp_path / "x.docx")]) == 2
    assert "please name a file ending in .pdf or .xlsx" in capfd.readouterr().err
    assert main(["--db", url, "report", str(tmp_path / "x.docx")]) == 2
    assert "Bitte eine Datei mit der Endung .pdf oder .xlsx" in capfd.readouterr().err
