"""After an import's writes, what follows from a grant (grant_life.follow: proofs-of-use duties,
budget years) is kept in step for every application the file created or changed, exactly as
after the same edit in the dashboard; a refusal while following rejects the whole file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import BudgetYear, JournalEntry, ProofOfUse
from portfolio.errors import Problem, ValidationFailed
from portfolio.exchange import importer
from portfolio.policy import set_principal
from portfolio.services import (
    funding,
    grant_life,
    projects,
)
from tests.exchange.cost_plan_helpers import SHEET, messages, with_cost_plan
from tests.exchange.helpers import (
    append,
    edit,
    export,
    journal_count,
    run,
    small_portfolio,
    snapshot,
)
from tests.factories import make_application
from tests.fixtures.base import TESTER

# ---- what follows from a grant ---------------------------------------------------------------


def _follow_up(session: Session, application_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """What follows from a grant, without ids: its duties and its budget years."""
    proofs = session.execute(
        select(
            ProofOfUse.kind,
            ProofOfUse.budget_year,
            ProofOfUse.due_on,
            ProofOfUse.state,
        )
        .where(ProofOfUse.application_id == application_id)
        .order_by(ProofOfUse.kind, ProofOfUse.budget_year)
    ).all()
    years = session.execute(
        select(BudgetYear.year, BudgetYear.grant_amount, BudgetYear.own_amount)
        .where(BudgetYear.application_id == application_id)
        .order_by(BudgetYear.year)
    ).all()
    return {"proofs": [tuple(p) for p in proofs], "years": [tuple(y) for y in years]}


# Long on purpose: one grant change imported, then each duty and budget year that follows from it
# checked.
def test_an_imported_grant_change_keeps_duties_and_budget_years_in_step(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two equal grants: one amended in the dashboard, the other by the same change in a
    workbook. Afterwards both have the same duties and budget years, the import called
    grant_life.follow once for each application it created or changed (none other), and
    calling it again changes nothing."""
    keys = small_portfolio(factory)
    grant: dict[str, Any] = {
        "phase": "B",
        "status": "approved",
        "amount_requested": Decimal("100000"),
        "amount_approved": Decimal("100000"),
        "eligible_cost": Decimal("200000"),
        "funding_rate": Decimal("50"),
        "decision_on": dt.date(2025, 6, 1),
        "period_start": dt.date(2025, 7, 1),
        "period_end": dt.date(2026, 12, 31),
    }
    change = {"amount_approved": Decimal("90000"), "period_end": dt.date(2027, 12, 31)}
    with factory() as s:
        set_principal(s, TESTER)
        by_dashboard = make_application(s, projects.get_by_key(s, keys["p1"]), **grant)
        by_file = make_application(s, projects.get_by_key(s, keys["p2"]), **grant)
        s.commit()
        ids = {"dashboard": by_dashboard.id, "file": by_file.id}
        file_key = by_file.key
        as_awarded = _follow_up(s, by_file.id)
        assert _follow_up(s, by_dashboard.id) == as_awarded
        funding.update(s, by_dashboard.id, change, expected_version=by_dashboard.version)
        s.commit()
    data = edit(
        export(factory),
        "Förderanträge",
        file_key,
        {"Bewilligt": 90000, "Förderzeitraum bis": "31.12.2027"},
    )
    data = append(
        data,
        "Förderanträge",
        {
            "Schlüssel": "SC-002-F9",
            "Projekt": keys["p2"],
            "Förderprogramm": "MPSC",
            "Phase": "B",
            "Status": "Antrag eingereicht",
            "Eingereicht am": "01.10.2026",
            "Beantragt": 10000,
            "Förderfähige Kosten": 20000,
            "Förderquote": "50 %",
        },
    )
    followed: list[str] = []
    real = grant_life.follow

    def spy(session: Session, application: Any) -> None:
        followed.append(application.key)
        real(session, application)

    monkeypatch.setattr(grant_life, "follow", spy)
    preview = run(factory, data, dry_run=True)
    assert preview.ok and (preview.updated, preview.created) == (1, 1), messages(preview)
    assert sorted(followed) == sorted([file_key, "SC-002-F9"])
    followed.clear()
    result = run(factory, data, actor="innovation.unit")
    assert result.applied, messages(result)
    assert sorted(followed) == sorted([file_key, "SC-002-F9"])
    with factory() as s:
        amended = _follow_up(s, ids["file"])
        assert amended == _follow_up(s, ids["dashboard"])
        assert amended != as_awarded  # a year longer: another interim proof, other years
        # what the import wrote for the grant is journaled under the import
        entries = (
            s.execute(
                select(JournalEntry).where(
                    JournalEntry.entity.in_(["proof_of_use", "budget_year"]),
                    JournalEntry.project_id == keys["p2_id"],
                    JournalEntry.source_ref == f"import:{result.import_id}",
                )
            )
            .scalars()
            .all()
        )
        assert entries and all(e.actor == "innovation.unit" for e in entries)
    # in step: following the stored grant again writes nothing
    before = journal_count(factory)
    with factory() as s:
        set_principal(s, TESTER)
        real(s, funding.get(s, ids["file"]))
        s.flush()
        s.commit()
    assert journal_count(factory) == before


def test_an_unchanged_grant_is_not_followed(
    sqlite_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = with_cost_plan(sqlite_factory)
    followed: list[Any] = []
    monkeypatch.setattr(importer.grant_life, "follow", lambda s, a: followed.append(a.key))
    data = edit(export(sqlite_factory), SHEET, keys["staff"], {"Ist-Ausgaben": 50000})
    result = run(sqlite_factory, data)
    assert result.applied and result.updated == 1 and followed == []


def test_a_refusal_while_following_a_grant_rejects_the_file(
    sqlite_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = with_cost_plan(sqlite_factory)

    def refuse(session: Session, application: Any) -> None:
        raise ValidationFailed([Problem("period_end", "required")])

    monkeypatch.setattr(grant_life, "follow", refuse)
    data = edit(export(sqlite_factory), "Förderanträge", keys["app2"], {"Bemerkung": "neu"})
    before = snapshot(sqlite_factory)
    result = run(sqlite_factory, data)
    assert not result.applied
    [issue] = result.errors
    assert (issue.sheet, issue.key, issue.column) == (
        "Förderanträge",
        keys["app2"],
        "Förderzeitraum bis",
    )
    assert issue.message == Problem("period_end", "required").message()
    assert result.counts["applications"].invalid == 1
    assert snapshot(sqlite_factory) == before
