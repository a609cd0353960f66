"""The Bochum demo portfolio and the synthetic generator keep every rule."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import (
    ActionField,
    FundingApplication,
    JournalEntry,
    Kpi,
    Milestone,
    Organisation,
    Participation,
    Project,
    StatusReport,
)
from portfolio.demo.bochum import load_bochum
from portfolio.demo.synthetic import generate
from portfolio.figures import deadlines, summary
from portfolio.services import funding, projects
from portfolio.services.fields import check
from tests.fixtures.base import TODAY


def test_bochum_demo(session: Session) -> None:
    count = load_bochum(session, today=TODAY)
    session.commit()
    figures = summary(session, today=TODAY)
    assert count == figures.projects >= 20
    assert all(n > 0 for n in figures.by_status.values()), figures.by_status
    assert len(figures.themes) == 5 and all(t.projects >= 3 for t in figures.themes)
    assert figures.organisations >= 12
    mpsc = next(p for p in figures.programmes if p.key == "MPSC")
    assert (
        mpsc.name == "Modellprojekte Smart Cities"
        and mpsc.standard_rate == 65
        and mpsc.approved > 0
    )
    assert figures.overdue_milestones > 0
    assert deadlines(session, today=TODAY, days=30)
    titles = set(session.execute(select(Project.title)).scalars())
    for expected in ("Bochum-App", "LoRaWAN", "BoKliNet", "Gigabit", "Haus des Wissens"):
        assert any(expected.casefold() in t.casefold() for t in titles), expected
    # every row was journaled as created
    created = session.execute(
        select(func.count())
        .select_from(JournalEntry)
        .where(JournalEntry.action == "create", JournalEntry.entity == "project")
    ).scalar_one()
    assert created == count
    # contacts are role titles, not names of private persons
    for person in session.execute(select(Project.responsible_person)).scalars():
        assert any(
            word in person
            for word in (
                "leitung",
                "Leitung",
                "Team",
                "Referat",
                "Projekt",
                "Fach",
                "Stab",
                "Koordination",
                "Beauftragte",
                "Abteilung",
                "Unit",
                "Sachgebiet",
                "Amt",
                "Geschäftsführung",
                "Bereich",
                "Innovation",
            )
        ), person
    # an update through the services passes the rules on demo data
    first = session.execute(select(Project).order_by(Project.key)).scalars().first()
    assert first is not None
    projects.update(session, first.id, {"summary": "geändert"}, expected_version=first.version)


def test_synthetic_portfolio_is_plausible_and_keeps_the_funding_rules(session: Session) -> None:
    generate(session, 40, seed=11, today=TODAY)
    session.commit()
    ids = list(session.execute(select(Project.id).where(Project.key.like("SYN-%"))).scalars())
    assert len(ids) == 40
    per_project = {
        model: Counter(
            session.execute(select(model.project_id).where(model.project_id.in_(ids))).scalars()
        )
        for model in (Milestone, FundingApplication, Participation, StatusReport, Kpi)
    }
    assert all(4 <= per_project[Milestone][i] <= 6 for i in ids)
    assert all(1 <= per_project[FundingApplication][i] <= 3 for i in ids)
    assert all(2 <= per_project[Participation][i] <= 5 for i in ids)
    assert all(per_project[StatusReport][i] >= 1 for i in ids)
    for app in session.execute(select(FundingApplication)).scalars():
        values, problems = check(
            funding.FIELDS, {k: getattr(app, k) for k in funding.FIELDS}, partial=False
        )
        values["_own_share_given"] = True
        problems += funding.check_application(
            session, values, old_status=None, application_id=app.id
        )
        assert problems == [], (app.key, [p.message() for p in problems])
    themes = set(session.execute(select(ActionField.theme_id).join(Project)).scalars())
    assert len(themes) == 5
    assert session.execute(select(func.count()).select_from(Organisation)).scalar_one() == 12


def test_synthetic_is_reproducible_by_seed(factory) -> None:  # type: ignore[no-untyped-def]
    titles = []
    for _ in range(2):
        with factory() as s:
            generate(s, 5, seed=99, today=TODAY)
            titles.append(list(s.execute(select(Project.title).order_by(Project.id)).scalars()))
            s.rollback()
    assert titles[0] == titles[1]
