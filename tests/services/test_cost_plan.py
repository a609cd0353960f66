"""Kostenplan: cost items by cost type, each rule on both sides, the tolerance warnings naming
the item, and the totals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import CostItem, FundingApplication, JournalEntry
from portfolio.errors import ConflictError, Problem, ValidationFailed
from portfolio.services import cost_plan, programmes
from tests.factories import make_application, make_project


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {p.field: p.code for p in exc.value.problems}


def item(session: Session, app: FundingApplication, **data: Any) -> CostItem:
    values: dict[str, Any] = {
        "application_id": app.id,
        "cost_type": "investment",
        "label": "Sensoren und Gateways",
        "requested": Decimal("250000"),
        "approved": Decimal("250000"),
    }
    return cost_plan.create(session, values | data)


def giga(session: Session) -> FundingApplication:
    """A Gigabit (Bund) application: only investment and external services are eligible."""
    return make_application(
        session,
        make_project(session),
        programme_id=programmes.get_by_key(session, "GIGA-BUND").id,
        phase=None,
        funding_rate=Decimal("50"),
        amount_requested=Decimal("250000"),
    )


def item_codes(found: list[Problem]) -> list[tuple[str, str]]:
    return [(p.code, p.params.get("item", "")) for p in found]


# ---- create, keys, update, delete -------------------------------------------------------------


def test_items_get_keys_after_the_application_and_are_journaled(session: Session) -> None:
    app = make_application(session, make_project(session))
    first = item(session, app)
    second = item(session, app, cost_type="personnel", label="Projektleitung")
    assert (first.key, second.key) == (f"{app.key}-K1", f"{app.key}-K2")
    assert [i.key for i in cost_plan.get_all(session, app.id)] == [first.key, second.key]
    assert cost_plan.get(session, first.id) is first
    entry = session.execute(
        select(JournalEntry).where(
            JournalEntry.entity == "cost_item", JournalEntry.entity_id == first.id
        )
    ).scalar_one()
    assert entry.action == "create" and entry.project_id == app.project_id


def test_update_and_delete_check_the_version(session: Session) -> None:
    app = make_application(session, make_project(session))
    row = item(session, app)
    version = row.version
    cost_plan.update(session, row.id, {"actual": Decimal("1000")}, expected_version=version)
    assert row.actual == Decimal("1000.00") and row.version == version + 1
    with pytest.raises(ConflictError):
        cost_plan.update(session, row.id, {"actual": Decimal("2000")}, expected_version=version)
    with pytest.raises(ConflictError):
        cost_plan.delete(session, row.id, expected_version=version)
    cost_plan.delete(session, row.id, expected_version=row.version)
    assert cost_plan.get_all(session, app.id) == []


def test_label_and_cost_type_are_required(session: Session) -> None:
    app = make_application(session, make_project(session))
    with pytest.raises(ValidationFailed) as exc:
        item(session, app, label=" ", cost_type=None)
    assert codes(exc) == {"label": "required", "cost_type": "required"}
    with pytest.raises(ValidationFailed) as exc:
        item(session, app, label="x" * 201)
    assert codes(exc) == {"label": "too_long"}
    assert item(session, app, label="x" * 200).label == "x" * 200


def test_unknown_cost_type_is_refused(session: Session) -> None:
    app = make_application(session, make_project(session))
    with pytest.raises(ValidationFailed) as exc:
        item(session, app, cost_type="catering")
    assert codes(exc) == {"cost_type": "not_in_list"}


# ---- rules ------------------------------------------------------------------------------------


def test_a_cost_type_the_programme_does_not_fund_is_refused(session: Session) -> None:
    app = giga(session)
    with pytest.raises(ValidationFailed) as exc:
        item(session, app, cost_type="personnel", label="Projektleitung")
    assert codes(exc) == {"cost_type": "cost_type_not_eligible"}
    german = exc.value.message("de")
    assert german.startswith("Ausgabeart: ")
    assert "„Personalausgaben“" in german and "Gigabit-Förderung des Bundes" in german
    assert "Investitionen" in german  # what is eligible
    assert "does not fund the cost type" in exc.value.message("en")
    assert cost_plan.get_all(session, app.id) == []
    # the neighbour: an eligible type
    assert item(session, app, cost_type="investment").cost_type == "investment"


def test_changing_an_item_to_an_ineligible_type_is_refused(session: Session) -> None:
    app = giga(session)
    row = item(session, app, cost_type="external_services")
    with pytest.raises(ValidationFailed) as exc:
        cost_plan.update(session, row.id, {"cost_type": "material"}, expected_version=row.version)
    assert codes(exc) == {"cost_type": "cost_type_not_eligible"}
    assert row.cost_type == "external_services"


def test_a_programme_funding_all_types_accepts_each(session: Session) -> None:
    app = make_application(session, make_project(session))  # MPSC: all types
    for cost_type in ("personnel", "material", "investment", "external_services"):
        assert item(session, app, cost_type=cost_type).cost_type == cost_type


def test_none_means_every_type_is_eligible(session: Session) -> None:
    app = giga(session)
    app.programme.eligible_cost_types = None  # test setup: a programme without the rule
    session.flush()
    assert item(session, app, cost_type="personnel").cost_type == "personnel"


def test_a_programme_narrowing_its_types_later_blocks_no_other_edit(session: Session) -> None:
    app = make_application(session, make_project(session))
    row = item(session, app, cost_type="personnel", label="Projektleitung")
    app.programme.eligible_cost_types = ["investment"]  # test setup: the programme changes
    session.flush()
    cost_plan.update(session, row.id, {"actual": Decimal("1000")}, expected_version=row.version)
    assert row.actual == Decimal("1000.00")


def test_approved_above_requested_is_refused(session: Session) -> None:
    app = make_application(session, make_project(session))
    with pytest.raises(ValidationFailed) as exc:
        item(session, app, requested=Decimal("1000"), approved=Decimal("1000.01"))
    assert codes(exc) == {"approved": "approved_above_requested"}
    german = exc.value.message("de")
    assert german.startswith("Bewilligt: ") and "1.000,01" in german and "1.000,00" in german
    assert item(session, app, requested=Decimal("1000"), approved=Decimal("1000")).approved == (
        Decimal("1000.00")
    )
    assert item(session, app, requested=None, approved=Decimal("5")).approved == Decimal("5.00")


def test_approved_above_requested_is_refused_on_update(session: Session) -> None:
    app = make_application(session, make_project(session))
    row = item(session, app, requested=Decimal("1000"), approved=Decimal("900"))
    with pytest.raises(ValidationFailed) as exc:
        cost_plan.update(
            session, row.id, {"requested": Decimal("800")}, expected_version=row.version
        )
    assert codes(exc) == {"approved": "approved_above_requested"}
    cost_plan.update(session, row.id, {"requested": Decimal("900")}, expected_version=row.version)
    assert row.requested == Decimal("900.00")


@pytest.mark.parametrize("field", ["requested", "approved", "actual"])
def test_negative_amounts_are_refused(session: Session, field: str) -> None:
    app = make_application(session, make_project(session))
    data = {"requested": None, "approved": None} | {field: Decimal("-0.01")}
    with pytest.raises(ValidationFailed) as exc:
        item(session, app, **data)
    assert codes(exc) == {field: "not_negative"}
    assert getattr(item(session, app, **(data | {field: Decimal("0")})), field) == Decimal("0")


def test_an_unknown_application_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed) as exc:
        cost_plan.create(
            session, {"application_id": 999999, "cost_type": "material", "label": "Material"}
        )
    assert codes(exc)["application_id"] == "unknown_reference"  # (and no key to give it)


# ---- warnings ---------------------------------------------------------------------------------


def two_items(
    session: Session, actual_a: str, actual_b: str
) -> tuple[FundingApplication, CostItem, CostItem]:
    """An MPSC application (tolerance 20 %, eligible cost 500.000 €) with two items approved at
    250.000 € each, so the plan's approved total equals the eligible cost."""
    app = make_application(session, make_project(session))
    a = item(session, app, label="Sensoren", actual=Decimal(actual_a))
    b = item(session, app, cost_type="external_services", label="Montage", actual=Decimal(actual_b))
    return app, a, b


def test_19_percent_over_with_offsetting_savings_is_no_warning(session: Session) -> None:
    app, _, _ = two_items(session, "297500", "200000")  # +19 %, −20 %
    assert cost_plan.warnings(session, app.id) == []


def test_21_percent_over_is_a_warning_naming_the_item(session: Session) -> None:
    app, a, _ = two_items(session, "302500", "100000")  # +21 %, savings elsewhere do not help
    found = cost_plan.warnings(session, app.id)
    assert item_codes(found) == [("cost_item_over_tolerance", a.key)]
    german, english = cost_plan.messages(found, "de")[0], cost_plan.messages(found, "en")[0]
    assert german.startswith("Ist-Ausgaben: ")
    assert a.key in german and "„Sensoren“" in german
    assert "302.500,00" in german and "52.500,00" in german and "20\xa0%" in german
    assert "300.000,00" in german  # the most the tolerance allows
    assert a.key in english and "“Sensoren”" in english and "tolerance" in english


def test_20_percent_over_with_savings_is_within_the_tolerance(session: Session) -> None:
    app, _, _ = two_items(session, "300000", "200000")
    assert cost_plan.warnings(session, app.id) == []


def test_10_percent_over_without_offset_is_a_warning(session: Session) -> None:
    app, a, b = two_items(session, "275000", "250000")
    found = cost_plan.warnings(session, app.id)
    assert item_codes(found) == [("cost_item_not_offset", a.key)]
    german = cost_plan.messages(found)[0]
    assert a.key in german and "Sensoren" in german and b.key not in german
    assert "525.000,00" in german and "500.000,00" in german  # actual and approved in all
    # the neighbour: the other item saves enough
    cost_plan.update(session, b.id, {"actual": Decimal("225000")}, expected_version=b.version)
    assert cost_plan.warnings(session, app.id) == []


def test_without_a_tolerance_any_excess_is_a_warning(session: Session) -> None:
    app, a, _ = two_items(session, "250000.01", "100000")
    app.programme.cost_tolerance_rate = None  # test setup: every item binds
    session.flush()
    found = cost_plan.warnings(session, app.id)
    assert item_codes(found) == [("cost_item_over_approved", a.key)]
    assert "keine Überschreitung" in cost_plan.messages(found)[0]
    cost_plan.update(session, a.id, {"actual": Decimal("250000")}, expected_version=a.version)
    assert cost_plan.warnings(session, app.id) == []


def test_items_without_approval_or_actuals_give_no_item_warning(session: Session) -> None:
    app = make_application(session, make_project(session))
    item(session, app, approved=None, actual=Decimal("999999"))
    item(session, app, requested=None, approved=Decimal("500000"), actual=None)
    assert cost_plan.warnings(session, app.id) == []


def test_plan_total_differing_from_the_eligible_cost_is_a_warning(session: Session) -> None:
    app = make_application(session, make_project(session))  # eligible cost 500.000 €
    row = item(session, app, approved=Decimal("250000"))
    found = cost_plan.warnings(session, app.id)
    assert [p.code for p in found] == ["cost_plan_total_differs"]
    german = cost_plan.messages(found)[0]
    assert "250.000,00" in german and "500.000,00" in german
    assert "difference" in cost_plan.messages(found, "en")[0]
    # the neighbour: the plan's approved total equals the eligible cost
    cost_plan.update(
        session,
        row.id,
        {"requested": Decimal("500000"), "approved": Decimal("500000")},
        expected_version=row.version,
    )
    assert cost_plan.warnings(session, app.id) == []


def test_no_warning_on_the_total_without_an_eligible_cost(session: Session) -> None:
    app = make_application(session, make_project(session), eligible_cost=None)
    item(session, app, approved=Decimal("1"))
    assert cost_plan.warnings(session, app.id) == []


# ---- totals -----------------------------------------------------------------------------------


def test_totals_per_cost_type_and_overall(session: Session) -> None:
    app = make_application(session, make_project(session))
    item(session, app, cost_type="external_services", requested=Decimal("100"), approved=None)
    item(session, app, requested=Decimal("10"), approved=Decimal("8"), actual=Decimal("9"))
    item(session, app, requested=Decimal("20"), approved=Decimal("20"), actual=Decimal("1.5"))
    totals = cost_plan.totals(session, app.id)
    assert list(totals.by_type) == ["investment", "external_services"]  # vocabulary order
    assert totals.by_type["investment"] == cost_plan.Totals(
        Decimal("30"), Decimal("28"), Decimal("10.5")
    )
    assert totals.by_type["external_services"] == cost_plan.Totals(Decimal("100"))
    assert totals.overall == cost_plan.Totals(Decimal("130"), Decimal("28"), Decimal("10.5"))
    assert cost_plan.totals(session, make_application(session, app.project).id).overall == (
        cost_plan.Totals()
    )


def test_the_tolerance_limit_rounds_to_the_cent() -> None:
    assert cost_plan.tolerance_limit(Decimal("0.05"), Decimal("20")) == Decimal("0.06")
    assert cost_plan.tolerance_limit(Decimal("100"), None) == Decimal("100")
    assert cost_plan.tolerance_limit(Decimal("100"), Decimal("0")) == Decimal("100.00")


def test_totals_read_rows_and_their_values_alike(session: Session) -> None:
    app = make_application(session, make_project(session))
    rows = [
        item(session, app, requested=Decimal("10"), approved=Decimal("8"), actual=Decimal("9")),
        item(session, app, cost_type="material", requested=Decimal("5"), approved=None),
    ]
    values = [{name: getattr(r, name) for name in cost_plan.FIELDS} for r in rows]
    from_rows, from_values = cost_plan.totals_of(rows), cost_plan.totals_of(values)
    assert from_rows == from_values
    assert (from_values.requested, from_values.approved, from_values.actual) == (
        Decimal("15"),
        Decimal("8"),
        Decimal("9"),
    )
    assert list(from_values.by_type) == ["material", "investment"]
