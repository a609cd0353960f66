"""Förderanträge and Mittelabrufe: the service verbs, with the funding rules.

Rules (each with its own message; one function per rule in
:mod:`portfolio.services.funding_checks`, :mod:`portfolio.services.payment_checks` and, across
rows, :mod:`portfolio.services.funding_cross_checks`):
- the funding rate is at most the programme's (the raised rate under Haushaltsnotlage);
- the approved amount is at most the requested one;
- an amount is at most the rate times the eligible cost of the application;
- an amount is at most the cap of the phase (or of the programme);
- where the programme requires an own share, it stays above zero;
- the public funding (EU, Bund, Land) of a project adds up to at most its eligible cost;
- the status moves only along the applicant's workflow; decisions need a date and an amount;
- payment requests only under an awarded application and up to the approved amount.

The terms the rules compute with (workflow, rate, counted amount, own share, proof-of-use
deadline) are in :mod:`portfolio.services.funding_terms`; this module keeps their names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from db.enums import ApplicationStatus, PaymentRequestStatus
from db.models import FundingApplication, PaymentRequest, Project
from portfolio.errors import Problem, ValidationFailed
from portfolio.policy import Action, requires
from portfolio.services.base import (
    Preparation,
    ensure_version,
    flush,
    free_key,
    get_by_key_or_raise,
    get_or_raise,
    key_under_application,
    set_archived,
)
from portfolio.services.fields import FieldSpec
from portfolio.services.funding_checks import (
    OWN_SHARE_GIVEN,
    OWN_SHARE_WAS_DERIVED,
    check_application,
)
from portfolio.services.funding_checks import RECORDING_NOTICE as RECORDING_NOTICE
from portfolio.services.funding_cross_checks import check_project_funding as check_project_funding
from portfolio.services.funding_cross_checks import (
    check_project_resolution as check_project_resolution,
)
from portfolio.services.funding_cross_checks import check_project_restore as check_project_restore
from portfolio.services.funding_terms import DECIDED as DECIDED
from portfolio.services.funding_terms import TRANSITIONS as TRANSITIONS
from portfolio.services.funding_terms import add_months as add_months
from portfolio.services.funding_terms import funding_amount as funding_amount
from portfolio.services.funding_terms import max_rate as max_rate
from portfolio.services.funding_terms import own_share_was_derived
from portfolio.services.funding_terms import proof_of_use_deadline as proof_of_use_deadline
from portfolio.services.payment_checks import check_payment

FIELDS: dict[str, FieldSpec] = {
    "key": FieldSpec("key", required=True, max_length=40),
    "project_id": FieldSpec("ref", required=True),
    "programme_id": FieldSpec("ref", required=True),
    "phase": FieldSpec("str", max_length=16),
    "status": FieldSpec("enum", required=True, enum=ApplicationStatus),
    "budget_emergency": FieldSpec("bool"),
    "implementation_measure": FieldSpec("bool"),
    "alternative_to_id": FieldSpec("ref"),
    "amount_requested": FieldSpec("money"),
    "amount_approved": FieldSpec("money"),
    "eligible_cost": FieldSpec("money"),
    "funding_rate": FieldSpec("rate"),
    "own_share": FieldSpec("money"),
    "reference_number": FieldSpec("str", max_length=60),
    "submitted_on": FieldSpec("date"),
    "decision_on": FieldSpec("date"),
    "period_start": FieldSpec("date"),
    "period_end": FieldSpec("date"),
    "early_start_consent_on": FieldSpec("date"),
    "proof_of_use_due": FieldSpec("date"),
    "note": FieldSpec("text", max_length=4000),
}
PAYMENT_FIELDS: dict[str, FieldSpec] = {
    "key": FieldSpec("key", required=True, max_length=48),
    "application_id": FieldSpec("ref", required=True),
    "due_on": FieldSpec("date", required=True),
    "amount": FieldSpec("money", required=True),
    "status": FieldSpec("enum", required=True, enum=PaymentRequestStatus),
    "paid_on": FieldSpec("date"),
    "window_need": FieldSpec("money"),
    "note": FieldSpec("str", max_length=300),
}


# ---- queries ---------------------------------------------------------------------------------


@requires(Action.READ_PORTFOLIO)
def get(session: Session, application_id: int) -> FundingApplication:
    return get_or_raise(session, FundingApplication, application_id)


@requires(Action.READ_PORTFOLIO)
def get_by_key(session: Session, key: str) -> FundingApplication:
    return get_by_key_or_raise(session, FundingApplication, key)


@requires(Action.READ_PORTFOLIO)
def get_all(
    session: Session, *, project_id: int | None = None, include_archived: bool = False
) -> Sequence[FundingApplication]:
    stmt = (
        select(FundingApplication)
        .options(joinedload(FundingApplication.programme))
        .order_by(FundingApplication.key)
    )
    if project_id is not None:
        stmt = stmt.where(FundingApplication.project_id == project_id)
    if not include_archived:
        stmt = stmt.where(FundingApplication.active())
    return session.execute(stmt).scalars().all()


@requires(Action.EDIT_PORTFOLIO)
def next_key(session: Session, project: Project) -> str:
    return free_key(session, FundingApplication, f"{project.key}-F")


# ---- commands --------------------------------------------------------------------------------


def _application_key_prefix(session: Session, data: Mapping[str, Any]) -> str | None:
    project = session.get(Project, data["project_id"]) if data.get("project_id") else None
    return f"{project.key}-F" if project is not None else None


def _application_rules(
    session: Session,
    values: dict[str, Any],
    stored: Mapping[str, Any] | None,
    changes: Mapping[str, Any],
    _today: dt.date,
) -> list[Problem]:
    """:func:`check_application` on one application, told whether the own share is entered by
    the edit (then it stays as entered) or was derived before (then it follows the amounts)."""
    values[OWN_SHARE_GIVEN] = changes.get("own_share") is not None
    if stored is not None:
        values[OWN_SHARE_WAS_DERIVED] = own_share_was_derived(stored)
    try:
        return check_application(
            session,
            values,
            old_status=stored["status"] if stored is not None else None,
            application_id=stored["id"] if stored is not None else None,
        )
    finally:
        values.pop(OWN_SHARE_GIVEN, None)
        values.pop(OWN_SHARE_WAS_DERIVED, None)


PREPARE: Preparation[FundingApplication] = Preparation(
    FundingApplication,
    FIELDS,
    _application_rules,
    defaults={"budget_emergency": False, "implementation_measure": False},
    defaults_on_update=True,
    key_prefix=_application_key_prefix,
    # derived unless entered: own share from the amounts, the proof-of-use deadline from the
    # programme's duty, the phase spelled as the programme's
    derived=("own_share", "proof_of_use_due", "phase"),
    rules_despite_field_problems=False,
)
"""The prepare-and-check step of funding applications (the dashboard's edits and the import)."""


def _follow(session: Session, application: FundingApplication) -> FundingApplication:
    # grant_life depends on the services that depend on this one: imported when used.
    from portfolio.services import grant_life

    grant_life.follow(session, application)
    return application


@requires(Action.EDIT_PORTFOLIO)
def create(session: Session, data: Mapping[str, Any]) -> FundingApplication:
    return _follow(session, PREPARE.create(session, data))


@requires(Action.EDIT_PORTFOLIO)
def update(
    session: Session, application_id: int, data: Mapping[str, Any], *, expected_version: int | None
) -> FundingApplication:
    application = PREPARE.update(session, application_id, data, expected_version=expected_version)
    return _follow(session, application)


@requires(Action.EDIT_PORTFOLIO)
def archive(
    session: Session, application_id: int, *, expected_version: int | None
) -> FundingApplication:
    return set_archived(
        session, FundingApplication, application_id, True, expected_version=expected_version
    )


@requires(Action.EDIT_PORTFOLIO)
def restore(
    session: Session, application_id: int, *, expected_version: int | None
) -> FundingApplication:
    """Restore an archived application: it counts again, so the rules across rows (caps,
    cumulation, own share) must hold with it."""
    application = get(session, application_id)
    ensure_version(session, application, expected_version)
    if application.archived:
        values = {name: getattr(application, name) for name in FIELDS}
        values[OWN_SHARE_GIVEN] = True  # the stored values stay as they are
        problems = check_application(
            session, values, old_status=application.status, application_id=application.id
        )
        if problems:
            raise ValidationFailed(problems)
    return set_archived(
        session, FundingApplication, application_id, False, expected_version=expected_version
    )


# ---- payment requests (Mittelabrufe) ---------------------------------------------------------


@requires(Action.READ_PORTFOLIO)
def get_payment_request(session: Session, request_id: int) -> PaymentRequest:
    return get_or_raise(session, PaymentRequest, request_id)


@requires(Action.READ_PORTFOLIO)
def get_payment_requests(session: Session, *, application_id: int) -> Sequence[PaymentRequest]:
    return (
        session.execute(
            select(PaymentRequest)
            .where(PaymentRequest.application_id == application_id)
            .order_by(PaymentRequest.due_on)
        )
        .scalars()
        .all()
    )


PAYMENT_PREPARE: Preparation[PaymentRequest] = Preparation(
    PaymentRequest,
    PAYMENT_FIELDS,
    lambda session, values, stored, _changes, _today: check_payment(
        session, values, stored["id"] if stored is not None else None
    ),
    defaults={"status": PaymentRequestStatus.PLANNED},
    key_prefix=key_under_application("M"),
)
"""The prepare-and-check step of payment requests (the dashboard's edits and the import)."""


@requires(Action.EDIT_PORTFOLIO)
def create_payment_request(session: Session, data: Mapping[str, Any]) -> PaymentRequest:
    return PAYMENT_PREPARE.create(session, data)


@requires(Action.EDIT_PORTFOLIO)
def update_payment_request(
    session: Session, request_id: int, data: Mapping[str, Any], *, expected_version: int | None
) -> PaymentRequest:
    return PAYMENT_PREPARE.update(session, request_id, data, expected_version=expected_version)


@requires(Action.EDIT_PORTFOLIO)
def delete_payment_request(
    session: Session, request_id: int, *, expected_version: int | None
) -> None:
    request = get_payment_request(session, request_id)
    ensure_version(session, request, expected_version)
    session.delete(request)
    flush(session, request, expected_version)
