"""Förderanträge and Mittelabrufe, with the funding rules.

Rules (each with its own message):
- the funding rate is at most the programme's (the raised rate under Haushaltsnotlage);
- the approved amount is at most the requested one;
- an amount is at most the rate times the eligible cost of the application;
- an amount is at most the cap of the phase (or of the programme);
- where the programme requires an own share, it stays above zero;
- the public funding (EU, Bund, Land) of a project adds up to at most its eligible cost;
- the status moves only along the applicant's workflow; decisions need a date and an amount;
- payment requests only under an awarded application and up to the approved amount.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from db.enums import (
    AWARDED_APPLICATION_STATUSES,
    DECIDED_APPLICATION_STATUSES,
    LIVE_APPLICATION_STATUSES,
    PUBLIC_FUNDING_LEVELS,
    ApplicationStatus,
    PaymentRequestStatus,
)
from db.models import FundingApplication, FundingProgramme, PaymentRequest, Project
from portfolio import clock
from portfolio import funding_rules as rules
from portfolio.errors import Problem
from portfolio.i18n import Eur, Pct
from portfolio.services.base import (
    assign,
    create_row,
    ensure_version,
    flush,
    free_key,
    get_by_key_or_raise,
    get_or_raise,
    raise_if,
    set_archived,
    update_row,
    validate,
)
from portfolio.services.fields import FieldSpec
from portfolio.vocab import label

S = ApplicationStatus
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.IDEA: (S.SKETCH, S.SUBMITTED, S.WITHDRAWN),
    S.SKETCH: (S.IDEA, S.SUBMITTED, S.WITHDRAWN),
    S.SUBMITTED: (S.APPROVED, S.REJECTED, S.WITHDRAWN),
    S.APPROVED: (S.IN_PROGRESS, S.PROOF_SUBMITTED, S.WITHDRAWN),
    S.IN_PROGRESS: (S.PROOF_SUBMITTED,),
    S.PROOF_SUBMITTED: (S.IN_PROGRESS, S.CLOSED),
    S.REJECTED: (),
    S.WITHDRAWN: (),
    S.CLOSED: (),
}
DECIDED = DECIDED_APPLICATION_STATUSES

FIELDS: dict[str, FieldSpec] = {
    "key": FieldSpec("key", required=True, max_length=40),
    "project_id": FieldSpec("ref", required=True),
    "programme_id": FieldSpec("ref", required=True),
    "phase": FieldSpec("str", max_length=16),
    "status": FieldSpec("enum", required=True, enum=ApplicationStatus),
    "budget_emergency": FieldSpec("bool"),
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
    "note": FieldSpec("str", max_length=300),
}
CENT = Decimal("0.01")


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def funding_amount(app: Mapping[str, Any] | FundingApplication) -> Decimal:
    """What an application counts with: the approved amount once decided, else the requested one."""
    get = app.get if isinstance(app, Mapping) else lambda k: getattr(app, k)
    approved, requested = get("amount_approved"), get("amount_requested")
    if approved is not None:
        return Decimal(approved)
    return Decimal(requested or 0)


def own_share_was_derived(stored: Mapping[str, Any] | FundingApplication) -> bool:
    """Whether a stored own share is the derived one (eligible cost − funding), so that it
    follows changed amounts; an explicitly entered own share stays as it is."""

    def get(k: str) -> Any:
        return stored.get(k) if isinstance(stored, Mapping) else getattr(stored, k)

    own, eligible = get("own_share"), get("eligible_cost")
    return own is None or (eligible is not None and own == eligible - funding_amount(stored))


def max_rate(programme: FundingProgramme, budget_emergency: bool) -> Decimal:
    if budget_emergency and programme.raised_rate is not None:
        return Decimal(programme.raised_rate)
    return Decimal(programme.standard_rate)


# ---- queries ---------------------------------------------------------------------------------


def get(session: Session, application_id: int) -> FundingApplication:
    return get_or_raise(session, FundingApplication, application_id)


def get_by_key(session: Session, key: str) -> FundingApplication:
    return get_by_key_or_raise(session, FundingApplication, key)


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
        stmt = stmt.where(FundingApplication.archived.is_(False))
    return session.execute(stmt).scalars().all()


def next_key(session: Session, project: Project) -> str:
    return free_key(session, FundingApplication, f"{project.key}-F")


# ---- rules -----------------------------------------------------------------------------------


def public_funding_of_project(
    session: Session, project_id: int, *, except_id: int | None = None
) -> Decimal:
    stmt = (
        select(func.coalesce(func.sum(rules.counted_amount()), 0))
        .join(FundingProgramme)
        .where(
            FundingApplication.project_id == project_id,
            FundingApplication.archived.is_(False),
            rules.live_application(),
            rules.public_programme(),
        )
    )
    if except_id is not None:
        stmt = stmt.where(FundingApplication.id != except_id)
    return Decimal(session.execute(stmt).scalar_one())


def _sum_under_cap(
    session: Session, project_id: int, programme_id: int, phase: str | None, except_id: int | None
) -> Decimal:
    stmt = select(func.coalesce(func.sum(rules.counted_amount()), 0)).where(
        FundingApplication.project_id == project_id,
        FundingApplication.programme_id == programme_id,
        FundingApplication.archived.is_(False),
        rules.live_application(),
    )
    stmt = stmt.where(
        FundingApplication.phase.is_(None) if phase is None else FundingApplication.phase == phase
    )
    if except_id is not None:
        stmt = stmt.where(FundingApplication.id != except_id)
    return Decimal(session.execute(stmt).scalar_one())


def check_project_funding(
    session: Session, project: Project, *, eligible_cost: Decimal | None
) -> list[Problem]:
    """A project's eligible cost must cover its public funding."""
    if eligible_cost is None:
        return []
    total = public_funding_of_project(session, project.id)
    if total > eligible_cost:
        return [
            Problem(
                "eligible_cost",
                "public_funding_above_eligible",
                {"project": project.key, "total": Eur(total), "eligible": Eur(eligible_cost)},
            )
        ]
    return []


def check_application(
    session: Session,
    values: dict[str, Any],
    *,
    old_status: str | None,
    application_id: int | None,
) -> list[Problem]:
    """All funding rules on the merged state of one application. May fill derived fields."""
    problems: list[Problem] = []
    project = session.get(Project, values["project_id"]) if values.get("project_id") else None
    if values.get("project_id") is not None and project is None:
        problems.append(Problem("project_id", "unknown_reference", {"value": values["project_id"]}))
    programme = (
        session.get(FundingProgramme, values["programme_id"])
        if values.get("programme_id")
        else None
    )
    if values.get("programme_id") is not None and programme is None:
        problems.append(
            Problem("programme_id", "unknown_reference", {"value": values["programme_id"]})
        )
    status = values.get("status")

    transition_ok = True
    if old_status is not None and status is not None and status != old_status:
        allowed = TRANSITIONS.get(old_status, ())
        if status not in allowed:
            problems.append(
                Problem(
                    "status",
                    "status_transition",
                    {
                        "old": label(ApplicationStatus, old_status),
                        "new": label(ApplicationStatus, status),
                        "allowed": ", ".join(label(ApplicationStatus, s) for s in allowed) or "–",
                    },
                )
            )
            transition_ok = False
    if transition_ok and status in DECIDED and values.get("decision_on") is None:
        problems.append(
            Problem(
                "decision_on", "decision_needs_date", {"status": label(ApplicationStatus, status)}
            )
        )
    if (
        transition_ok
        and status in AWARDED_APPLICATION_STATUSES
        and values.get("amount_approved") is None
    ):
        problems.append(
            Problem(
                "amount_approved",
                "approval_needs_amount",
                {"status": label(ApplicationStatus, status)},
            )
        )
    submitted, decided = values.get("submitted_on"), values.get("decision_on")
    if submitted and decided and decided < submitted:
        problems.append(
            Problem(
                "decision_on",
                "decision_before_submission",
                {"decision": decided, "submitted": submitted},
            )
        )
    start, end = values.get("period_start"), values.get("period_end")
    if start and end and end < start:
        problems.append(Problem("period_end", "end_before_start", {"start": start, "end": end}))

    requested, approved = values.get("amount_requested"), values.get("amount_approved")
    if requested is not None and approved is not None and approved > requested:
        problems.append(
            Problem(
                "amount_approved",
                "approved_above_requested",
                {"approved": Eur(approved), "requested": Eur(requested)},
            )
        )
    if programme is None:
        return problems

    limit_rate = max_rate(programme, bool(values.get("budget_emergency")))
    rate = values.get("funding_rate")
    if rate is not None and rate > limit_rate:
        problems.append(
            Problem(
                "funding_rate",
                "rate_above_programme",
                {"rate": Pct(rate), "programme": programme.name, "max_rate": Pct(limit_rate)},
            )
        )
    effective_rate = min(rate, limit_rate) if rate is not None else limit_rate
    eligible = values.get("eligible_cost")
    amount_field = "amount_approved" if approved is not None else "amount_requested"
    amount = funding_amount(values)
    if eligible is not None:
        ceiling = (eligible * effective_rate / 100).quantize(CENT, ROUND_HALF_UP)
        for field_name in ("amount_requested", "amount_approved"):
            value = values.get(field_name)
            already = any(p.field == field_name for p in problems)
            if value is not None and value > ceiling and not already:
                problems.append(
                    Problem(
                        field_name,
                        "amount_above_rate",
                        {"amount": Eur(value), "rate": Pct(effective_rate), "limit": Eur(ceiling)},
                    )
                )

    phase_key = values.get("phase")
    phase = None
    if phase_key:
        phase = next(
            (p for p in programme.phases if p.key.casefold() == str(phase_key).casefold()), None
        )
        if phase is None:
            problems.append(
                Problem(
                    "phase",
                    "unknown_phase",
                    {
                        "programme": programme.name,
                        "value": phase_key,
                        "allowed": ", ".join(p.key for p in programme.phases) or "–",
                    },
                )
            )
        else:
            values["phase"] = phase.key
    cap = phase.cap if phase is not None and phase.cap is not None else programme.cap
    # The cap holds for all live applications of a project under the programme and phase.
    capped = amount
    if cap is not None and project is not None:
        capped += _sum_under_cap(
            session, project.id, programme.id, values.get("phase"), application_id
        )
    if cap is not None and capped > cap:
        problems.append(
            Problem(
                amount_field,
                "cap_exceeded",
                {
                    "amount": Eur(capped),
                    "cap": Eur(cap),
                    "phase": f"Phase {phase.key}" if phase else "das Programm",
                    "programme": programme.name,
                },
            )
        )

    # Own share: derived as eligible cost minus funding, unless set explicitly (co-funding by
    # another programme, as Gigabit Bund + Land, leaves a smaller own share than the rest).
    if eligible is not None and (requested is not None or approved is not None):
        given = values.get("own_share")
        explicit = values.get("_own_share_given") or (
            given is not None and not values.get("_own_share_was_derived", True)
        )
        if explicit and given is not None:
            if given + amount > eligible:
                problems.append(
                    Problem(
                        "own_share",
                        "own_share_above_rest",
                        {"own_share": Eur(given), "amount": Eur(amount), "eligible": Eur(eligible)},
                    )
                )
        else:
            values["own_share"] = (eligible - amount).quantize(CENT)
    own_share = values.get("own_share")
    if programme.requires_own_share and own_share is not None and own_share <= 0:
        problems.append(
            Problem(
                "own_share",
                "own_share_required",
                {"programme": programme.name, "own_share": Eur(own_share)},
            )
        )

    # Proof-of-use deadline from the programme's duty, once awarded.
    if (
        values.get("proof_of_use_due") is None
        and status in AWARDED_APPLICATION_STATUSES
        and decided
    ):
        months = (
            phase.proof_of_use_months if phase is not None else None
        ) or programme.proof_of_use_months
        basis = decided if programme.proof_of_use_basis == "award" else values.get("period_end")
        if months and basis:
            values["proof_of_use_due"] = add_months(basis, months)

    if (
        project is not None
        and project.eligible_cost is not None
        and programme.level in PUBLIC_FUNDING_LEVELS
    ) and status in LIVE_APPLICATION_STATUSES:
        total = public_funding_of_project(session, project.id, except_id=application_id) + amount
        if total > project.eligible_cost:
            problems.append(
                Problem(
                    amount_field,
                    "public_funding_above_eligible",
                    {
                        "project": project.key,
                        "total": Eur(total),
                        "eligible": Eur(project.eligible_cost),
                    },
                )
            )
    return problems


# ---- commands --------------------------------------------------------------------------------


def create(session: Session, data: Mapping[str, Any]) -> FundingApplication:
    data = dict(data)
    project = session.get(Project, data.get("project_id")) if data.get("project_id") else None
    if not data.get("key") and project is not None:
        data["key"] = next_key(session, project)
    data.setdefault("budget_emergency", False)
    clean, problems = validate(FIELDS, data, partial=False)
    clean["_own_share_given"] = clean.get("own_share") is not None
    if not problems:
        problems += check_application(session, clean, old_status=None, application_id=None)
    clean.pop("_own_share_given", None)
    if (
        clean.get("key")
        and session.execute(
            select(FundingApplication.id).where(FundingApplication.key == clean["key"])
        ).first()
    ):
        problems.append(Problem("key", "duplicate_key", {"value": clean["key"]}))
    raise_if(problems)
    application = FundingApplication(**clean)
    session.add(application)
    flush(session, application)
    return application


def update(
    session: Session, application_id: int, data: Mapping[str, Any], *, expected_version: int | None
) -> FundingApplication:
    application = get(session, application_id)
    ensure_version(session, application, expected_version)
    clean, problems = validate(FIELDS, data, partial=True)
    merged = {name: getattr(application, name) for name in FIELDS} | clean
    merged["_own_share_given"] = "own_share" in clean and clean["own_share"] is not None
    merged["_own_share_was_derived"] = own_share_was_derived(application)
    if not problems:
        problems += check_application(
            session, merged, old_status=application.status, application_id=application.id
        )
    merged.pop("_own_share_given", None)
    merged.pop("_own_share_was_derived", None)
    raise_if(problems)
    changes = {
        k: merged[k]
        for k in FIELDS
        if k in clean or k in ("own_share", "proof_of_use_due", "phase")
    }
    if assign(application, changes):
        flush(session, application, expected_version)
    return application


def archive(
    session: Session, application_id: int, *, expected_version: int | None
) -> FundingApplication:
    return set_archived(
        session, FundingApplication, application_id, True, expected_version=expected_version
    )


def restore(
    session: Session, application_id: int, *, expected_version: int | None
) -> FundingApplication:
    return set_archived(
        session, FundingApplication, application_id, False, expected_version=expected_version
    )


# ---- payment requests (Mittelabrufe) ---------------------------------------------------------


def get_payment_request(session: Session, request_id: int) -> PaymentRequest:
    return get_or_raise(session, PaymentRequest, request_id)


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


def check_payment(
    session: Session, values: Mapping[str, Any], request_id: int | None
) -> list[Problem]:
    problems: list[Problem] = []
    application = (
        session.get(FundingApplication, values["application_id"])
        if values.get("application_id")
        else None
    )
    if application is None:
        if values.get("application_id") is not None:
            problems.append(
                Problem("application_id", "unknown_reference", {"value": values["application_id"]})
            )
        return problems
    if application.status not in AWARDED_APPLICATION_STATUSES:
        problems.append(
            Problem(
                "application_id",
                "payment_needs_award",
                {"status": label(ApplicationStatus, application.status)},
            )
        )
    if values.get("status") == PaymentRequestStatus.PAID and values.get("paid_on") is None:
        problems.append(Problem("paid_on", "paid_needs_date"))
    if values.get("paid_on") is not None and values["paid_on"] > clock.today():
        problems.append(Problem("paid_on", "date_in_future", {"value": values["paid_on"]}))
    amount = values.get("amount")
    if (
        amount is not None
        and application.amount_approved is not None
        and values.get("status") != PaymentRequestStatus.REJECTED
    ):
        stmt = select(func.coalesce(func.sum(PaymentRequest.amount), 0)).where(
            PaymentRequest.application_id == application.id, rules.counted_payment()
        )
        if request_id is not None:
            stmt = stmt.where(PaymentRequest.id != request_id)
        total = Decimal(session.execute(stmt).scalar_one()) + amount
        if total > application.amount_approved:
            problems.append(
                Problem(
                    "amount",
                    "payments_above_approved",
                    {"total": Eur(total), "approved": Eur(application.amount_approved)},
                )
            )
    return problems


def create_payment_request(session: Session, data: Mapping[str, Any]) -> PaymentRequest:
    data = dict(data)
    application = (
        session.get(FundingApplication, data.get("application_id"))
        if data.get("application_id")
        else None
    )
    if not data.get("key") and application is not None:
        data["key"] = free_key(session, PaymentRequest, f"{application.key}-M")
    data.setdefault("status", PaymentRequestStatus.PLANNED)
    return create_row(
        session,
        PaymentRequest,
        PAYMENT_FIELDS,
        data,
        lambda v, row_id: check_payment(session, v, row_id),
    )


def update_payment_request(
    session: Session, request_id: int, data: Mapping[str, Any], *, expected_version: int | None
) -> PaymentRequest:
    return update_row(
        session,
        PaymentRequest,
        request_id,
        PAYMENT_FIELDS,
        data,
        expected_version=expected_version,
        rules=lambda v, row_id: check_payment(session, v, row_id),
    )


def delete_payment_request(
    session: Session, request_id: int, *, expected_version: int | None
) -> None:
    request = get_payment_request(session, request_id)
    ensure_version(session, request, expected_version)
    session.delete(request)
    flush(session, request, expected_version)
