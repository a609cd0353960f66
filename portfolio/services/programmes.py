"""Förderprogramme as data: rates, caps per phase, duties."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.enums import CapScope, CostType, FundingLevel, PaymentWindow, ProofOfUseBasis
from db.models import BaseRate, FundingProgramme, ProgrammePhase
from portfolio.errors import Problem
from portfolio.policy import Action, requires
from portfolio.services.base import (
    flush,
    get_by_key_or_raise,
    get_or_raise,
    key_taken,
    raise_if,
    set_archived,
    update_row,
    validate,
)
from portfolio.services.fields import FieldSpec

FIELDS: dict[str, FieldSpec] = {
    "key": FieldSpec("key", required=True, max_length=32),
    "name": FieldSpec("str", required=True, max_length=200),
    "funder": FieldSpec("str", required=True, max_length=200),
    "programme_number": FieldSpec("str", max_length=60),
    "level": FieldSpec("enum", required=True, enum=FundingLevel),
    "standard_rate": FieldSpec("rate", required=True),
    "raised_rate": FieldSpec("rate"),
    "requires_own_share": FieldSpec("bool"),
    "cap": FieldSpec("money"),
    "proof_of_use_months": FieldSpec("int"),
    "proof_of_use_basis": FieldSpec("enum", enum=ProofOfUseBasis),
    "cap_scope": FieldSpec("enum", enum=CapScope),
    "own_share_excluded_level": FieldSpec("enum", enum=FundingLevel),
    "payment_window": FieldSpec("enum", enum=PaymentWindow),
    "refund_interest_points": FieldSpec("rate"),
    "final_share_rate": FieldSpec("rate"),
    "cost_tolerance_rate": FieldSpec("rate"),
    "eligible_cost_types": FieldSpec(
        "tags", allowed=tuple(c.value for c in CostType), enum=CostType
    ),
    "interim_proof_months": FieldSpec("int"),
    "duties": FieldSpec("text", max_length=4000),
}
BASE_RATE_FIELDS: dict[str, FieldSpec] = {
    "valid_from": FieldSpec("date", required=True),
    "rate": FieldSpec("measure", required=True),
}
BASE_RATE_LIMIT = Decimal("20")
"""A base rate outside ±20 % is a typing error (it has ranged from −0,88 % to 4,26 %)."""
PHASE_FIELDS: dict[str, FieldSpec] = {
    "key": FieldSpec("key", required=True, max_length=16),
    "name": FieldSpec("str", required=True, max_length=200),
    "cap": FieldSpec("money"),
    "implementation_cap": FieldSpec("money"),
    "duration_months": FieldSpec("int"),
    "proof_of_use_months": FieldSpec("int"),
    "requires_council_resolution": FieldSpec("bool"),
}


@requires(Action.READ_PORTFOLIO)
def get(session: Session, programme_id: int) -> FundingProgramme:
    return get_or_raise(session, FundingProgramme, programme_id)


@requires(Action.READ_PORTFOLIO)
def get_by_key(session: Session, key: str) -> FundingProgramme:
    return get_by_key_or_raise(session, FundingProgramme, key)


@requires(Action.READ_PORTFOLIO)
def get_all(session: Session, *, include_archived: bool = False) -> Sequence[FundingProgramme]:
    stmt = (
        select(FundingProgramme)
        .options(selectinload(FundingProgramme.phases))
        .order_by(FundingProgramme.name)
    )
    if not include_archived:
        stmt = stmt.where(FundingProgramme.active())
    return session.execute(stmt).scalars().all()


def _check_rates(values: Mapping[str, Any]) -> list[Problem]:
    std, raised = values.get("standard_rate"), values.get("raised_rate")
    if std is not None and raised is not None and raised < std:
        return [
            Problem(
                "raised_rate",
                "rate_above_programme",
                {"rate": raised, "programme": values.get("name"), "max_rate": std},
            )
        ]
    return []


@requires(Action.EDIT_MASTERDATA)
def create(
    session: Session, data: Mapping[str, Any], *, phases: Sequence[Mapping[str, Any]] = ()
) -> FundingProgramme:
    data = dict(data)
    data.setdefault("requires_own_share", True)
    data.setdefault("proof_of_use_basis", ProofOfUseBasis.END)
    clean, problems = validate(FIELDS, data, partial=False)
    if clean.get("key") and key_taken(session, FundingProgramme, clean["key"]):
        problems.append(Problem("key", "duplicate_key", {"value": clean["key"]}))
    problems += _check_rates(clean)
    phase_rows = []
    for phase in phases:
        clean_phase, phase_problems = validate(PHASE_FIELDS, phase, partial=False)
        problems += phase_problems
        phase_rows.append(clean_phase)
    raise_if(problems)
    programme = FundingProgramme(**clean)
    programme.phases = [ProgrammePhase(**row) for row in phase_rows]
    session.add(programme)
    flush(session, programme)
    return programme


@requires(Action.EDIT_MASTERDATA)
def update(
    session: Session, programme_id: int, data: Mapping[str, Any], *, expected_version: int | None
) -> FundingProgramme:
    return update_row(
        session,
        FundingProgramme,
        programme_id,
        FIELDS,
        data,
        expected_version=expected_version,
        rules=lambda values, _id: _check_rates(values),
    )


@requires(Action.EDIT_MASTERDATA)
def archive(
    session: Session, programme_id: int, *, expected_version: int | None
) -> FundingProgramme:
    return set_archived(
        session, FundingProgramme, programme_id, True, expected_version=expected_version
    )


@requires(Action.EDIT_MASTERDATA)
def restore(
    session: Session, programme_id: int, *, expected_version: int | None
) -> FundingProgramme:
    return set_archived(
        session, FundingProgramme, programme_id, False, expected_version=expected_version
    )


# ---- the base rate (Basiszinssatz, § 247 BGB) --------------------------------------------------


@requires(Action.READ_PORTFOLIO)
def get_base_rates(session: Session) -> Sequence[BaseRate]:
    """The base rates recorded, oldest first (each holds from its date until the next)."""
    return session.execute(select(BaseRate).order_by(BaseRate.valid_from)).scalars().all()


@requires(Action.EDIT_MASTERDATA)
def record_base_rate(session: Session, data: Mapping[str, Any]) -> BaseRate:
    """Record the base rate the Bundesbank announced from ``valid_from`` on (``data``:
    valid_from, rate in percent); a rate already recorded for that day is corrected."""
    clean, problems = validate(BASE_RATE_FIELDS, data, partial=False)
    rate = clean.get("rate")
    if rate is not None and abs(rate) > BASE_RATE_LIMIT:
        problems.append(Problem("rate", "base_rate_range", {"value": rate}))
    raise_if(problems)
    assert rate is not None
    valid_from: dt.date = clean["valid_from"]
    row = session.execute(
        select(BaseRate).where(BaseRate.valid_from == valid_from)
    ).scalar_one_or_none()
    if row is None:
        row = BaseRate(valid_from=valid_from, rate=rate)
        session.add(row)
    else:
        row.rate = rate
    flush(session, row)
    return row
