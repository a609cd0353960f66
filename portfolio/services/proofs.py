"""Nachweise: the proofs a grant owes its funder, their deadlines and their check.

What an awarded grant owes (:func:`duties`, pure):

- an interim proof (Zwischennachweis, ANBest-P Nr. 6.1) for each budget year of the funding
  period that ends before the period does (a year Y with Y < the year of the period end, from
  the year of the award on: nothing is received before it), due ``interim_proof_months`` after
  31 December of Y (MPSC, EFRE, …: 4 months, so 30 April); programmes without that duty owe none;
- the factual report (Sachbericht) and the final proof of use (Verwendungsnachweis), both due on
  the application's proof-of-use deadline (:func:`portfolio.services.funding.proof_of_use_deadline`,
  the one computation).

A grant ended early with nothing left (renounced or revoked, approved amount 0) owes nothing
new; an application never awarded owes nothing.

:func:`sync_duties` keeps the stored proofs in step after every change of the application (a
notice, a direct edit): it adds the missing ones, re-dates those still due, drops the due ones no
longer owed, and never touches a proof handed in or checked.

:func:`update` is the state machine of one proof: fällig → eingereicht → in Prüfung → geprüft
(ohne Beanstandung | mit Rückforderung). Handing in the final proof moves a running grant to
"Verwendungsnachweis eingereicht"; a check with a recovery claims the refund
(:func:`portfolio.services.refunds.create`) in the same transaction.

:func:`final_share_problems` holds back the programme's final share (MPSC: the last 5 %) until
the final proof is checked; :func:`portfolio.services.funding.check_payment` calls it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.enums import (
    AWARDED_APPLICATION_STATUSES,
    CHECKED_PROOF_STATES,
    ENDED_GRANT_STATUSES,
    OPEN_PROOF_STATES,
    ApplicationStatus,
    PaymentRequestStatus,
    ProofKind,
    ProofState,
    RefundKind,
)
from db.models import FundingApplication, FundingProgramme, PaymentRequest, Project, ProofOfUse
from portfolio import clock
from portfolio import funding_rules as rules
from portfolio.errors import Problem, ValidationFailed
from portfolio.i18n import Both, Eur, Pct
from portfolio.policy import Action, requires
from portfolio.services import funding, refunds
from portfolio.services.base import (
    assign,
    ensure_version,
    flush,
    get_or_raise,
    raise_if,
    validate,
)
from portfolio.services.fields import FieldSpec
from portfolio.vocab import field_label, label, label_both

K, P = ProofKind, ProofState
CENT = Decimal("0.01")

FIELDS: dict[str, FieldSpec] = {
    "kind": FieldSpec("enum", required=True, enum=ProofKind),
    "budget_year": FieldSpec("int"),
    "due_on": FieldSpec("date", required=True),
    "state": FieldSpec("enum", required=True, enum=ProofState),
    "submitted_on": FieldSpec("date"),
    "check_started_on": FieldSpec("date"),
    "checked_on": FieldSpec("date"),
    "recovery_amount": FieldSpec("money"),
    "note": FieldSpec("text", max_length=4000),
}
"""The fields of a proof (what the pages show)."""
EDITABLE: dict[str, FieldSpec] = {
    name: FIELDS[name]
    for name in (
        "state",
        "submitted_on",
        "check_started_on",
        "checked_on",
        "recovery_amount",
        "note",
    )
}
"""What :func:`update` takes: the state, its dates, the recovery and the note. Kind, budget year
and deadline follow from the grant (:func:`sync_duties`)."""

TRANSITIONS: dict[str, tuple[str, ...]] = {
    P.DUE: (P.SUBMITTED,),
    P.SUBMITTED: (P.UNDER_CHECK,),
    P.UNDER_CHECK: (P.ACCEPTED, P.ACCEPTED_WITH_RECOVERY),
    P.ACCEPTED: (),
    P.ACCEPTED_WITH_RECOVERY: (),
}
"""A proof moves one step forward at a time, never back."""
STEP_DATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("submitted_on", (P.SUBMITTED, P.UNDER_CHECK, *CHECKED_PROOF_STATES)),
    ("check_started_on", (P.UNDER_CHECK, *CHECKED_PROOF_STATES)),
    ("checked_on", CHECKED_PROOF_STATES),
)
"""The date of each step, in order, with the states that have reached it (and need it)."""
_STEP_STATE = {"submitted_on": P.SUBMITTED, "check_started_on": P.UNDER_CHECK}
RECOVERY_REASON = "Prüfung des Verwendungsnachweises"
# Problems of the application's and the refund's rules named by the proof's field they come from.
_FIELD_OF_APPLICATION = {"status": "state"}
_FIELD_OF_REFUND = {"amount": "recovery_amount", "claimed_on": "checked_on"}


@dataclass(frozen=True)
class Duty:
    """A proof a grant owes: its kind, the budget year (interim proofs; else 0) and deadline."""

    kind: str
    budget_year: int
    due_on: dt.date


@dataclass(frozen=True)
class OpenDuty:
    """A proof still to hand in, for the pages' deadline lists."""

    proof_id: int
    version: int
    application_id: int
    application_key: str
    reference_number: str | None
    project_key: str
    project_title: str
    kind: str
    budget_year: int
    due_on: dt.date
    overdue: bool


# ---- what is owed ----------------------------------------------------------------------------


def owes_proofs(application: FundingApplication) -> bool:
    """Whether an application owes proofs: awarded, or ended early (renounced, revoked) with an
    approved amount left (money paid under it is accounted for)."""
    if application.status in AWARDED_APPLICATION_STATUSES:
        return True
    return (
        application.status in ENDED_GRANT_STATUSES
        and application.decision_on is not None
        and (application.amount_approved or 0) > 0
    )


def duties(application: FundingApplication, programme: FundingProgramme) -> list[Duty]:
    """The proofs an application owes under ``programme`` (pure; see the module's docstring),
    interim proofs by year, then the factual report and the final proof."""
    if not owes_proofs(application):
        return []
    out: list[Duty] = []
    months = programme.interim_proof_months
    start = application.period_start or application.decision_on
    end = application.period_end
    if months and start is not None and end is not None:
        first = start.year
        if application.decision_on is not None:
            first = max(first, application.decision_on.year)
        out += [
            Duty(K.INTERIM.value, year, funding.add_months(dt.date(year, 12, 31), months))
            for year in range(first, end.year)
        ]
    due = application.proof_of_use_due
    if due is not None:
        out += [Duty(K.FACTUAL_REPORT.value, 0, due), Duty(K.FINAL.value, 0, due)]
    return out


@requires(Action.READ_PORTFOLIO)
def get_all(session: Session, application_id: int) -> Sequence[ProofOfUse]:
    """The proofs of an application by deadline (on one day the factual report before the final
    proof)."""
    return (
        session.execute(
            select(ProofOfUse)
            .where(ProofOfUse.application_id == application_id)
            .order_by(ProofOfUse.due_on, ProofOfUse.kind, ProofOfUse.budget_year)
        )
        .scalars()
        .all()
    )


@requires(Action.READ_PORTFOLIO)
def get(session: Session, proof_id: int) -> ProofOfUse:
    return get_or_raise(session, ProofOfUse, proof_id)


@requires(Action.EDIT_PORTFOLIO)
def sync_duties(session: Session, application: FundingApplication) -> None:
    """Create, re-date or drop the application's open proofs after its grant changed: a proof
    owed and not stored is added (due); one still due gets the deadline it owes now, or goes
    when it is no longer owed; proofs handed in or checked stay as they are. Writes nothing when
    all is in step."""
    owed = {(d.kind, d.budget_year): d for d in duties(application, application.programme)}
    stored = session.execute(
        select(ProofOfUse).where(ProofOfUse.application_id == application.id)
    ).scalars()
    seen: set[tuple[str, int]] = set()
    changed = False
    for proof in stored:
        key = (proof.kind, proof.budget_year)
        seen.add(key)
        if proof.state not in OPEN_PROOF_STATES:
            continue
        duty = owed.get(key)
        if duty is None:
            session.delete(proof)
            changed = True
        elif proof.due_on != duty.due_on:
            proof.due_on = duty.due_on
            changed = True
    for key, duty in owed.items():
        if key not in seen:
            session.add(
                ProofOfUse(
                    application_id=application.id,
                    kind=duty.kind,
                    budget_year=duty.budget_year,
                    due_on=duty.due_on,
                    state=P.DUE.value,
                )
            )
            changed = True
    if changed:
        flush(session)
        session.expire(application, ["proofs"])


# ---- the state machine -----------------------------------------------------------------------


def _transition_problem(old: str, new: str) -> Problem:
    allowed = TRANSITIONS.get(old, ())
    return Problem(
        "state",
        "status_transition",
        {
            "old": label_both(ProofState, old),
            "new": label_both(ProofState, new),
            "allowed": Both(
                *(
                    ", ".join(label(ProofState, s, lang) for s in allowed) or "–"
                    for lang in ("de", "en")
                )
            ),
        },
    )


def _rule_problems(
    proof: ProofOfUse,
    application: FundingApplication,
    values: Mapping[str, Any],
    changes: Mapping[str, Any],
    today: dt.date,
) -> list[Problem]:
    """The rules of a proof's merged state ``values`` (``changes``: what the edit sets)."""
    old, state = proof.state, values["state"]
    if state != old and state not in TRANSITIONS.get(old, ()):
        return [_transition_problem(old, state)]
    problems: list[Problem] = []
    state_label = label_both(ProofState, state)
    previous: tuple[str, dt.date] | None = None
    for name, reached in STEP_DATES:
        day = values.get(name)
        if state in reached and day is None:
            problems.append(Problem(name, "proof_needs_date", {"state": state_label}))
        elif state not in reached and day is not None:
            step = _STEP_STATE.get(name, P.ACCEPTED)
            problems.append(
                Problem(
                    name,
                    "proof_date_without_state",
                    {"state": label_both(ProofState, step), "current": state_label},
                )
            )
        if day is None:
            continue
        if name in changes and day > today:
            problems.append(Problem(name, "date_in_future", {"value": day}))
        elif application.decision_on is not None and day < application.decision_on:
            problems.append(
                Problem(
                    name, "proof_before_award", {"value": day, "decision": application.decision_on}
                )
            )
        elif previous is not None and day < previous[1]:
            problems.append(
                Problem(
                    name,
                    "proof_date_before_previous",
                    {
                        "value": day,
                        "previous": previous[1],
                        "previous_field": Both(
                            field_label(previous[0], "de"), field_label(previous[0], "en")
                        ),
                    },
                )
            )
        previous = (name, day)
    recovery = values.get("recovery_amount")
    if state == P.ACCEPTED_WITH_RECOVERY:
        if old == P.ACCEPTED_WITH_RECOVERY:
            # the refund is claimed: its amount and day are corrected there
            for name in ("checked_on", "recovery_amount"):
                if name in changes and changes[name] != getattr(proof, name):
                    problems.append(Problem(name, "proof_recovery_recorded"))
        elif recovery is None or recovery <= 0:
            problems.append(Problem("recovery_amount", "proof_recovery_required"))
    elif recovery is not None and recovery > 0:
        problems.append(
            Problem(
                "recovery_amount",
                "proof_recovery_not_allowed",
                {"amount": Eur(recovery), "state": label_both(ProofState, state)},
            )
        )
    return problems


def _renamed(exc: ValidationFailed, fields: Mapping[str, str]) -> ValidationFailed:
    return ValidationFailed([replace(p, field=fields.get(p.field, p.field)) for p in exc.problems])


@requires(Action.EDIT_PORTFOLIO)
def update(
    session: Session, proof_id: int, data: Mapping[str, Any], *, expected_version: int | None
) -> ProofOfUse:
    """Move a proof on or correct it (``data``: state?, submitted_on?, check_started_on?,
    checked_on?, recovery_amount?, note?); ``expected_version``: the proof's version the caller
    read.

    One step at a time (fällig → eingereicht → in Prüfung → geprüft, with or without recovery),
    each with its date: not in the future, not before the award, not before the step before.
    Dates and note may be corrected within a state. Handing in the final proof moves a running
    grant (bewilligt, in Durchführung) to "Verwendungsnachweis eingereicht" through
    :func:`portfolio.services.funding.update`; a check with a recovery claims the refund through
    :func:`portfolio.services.refunds.create` — both in the caller's transaction."""
    proof = get(session, proof_id)
    ensure_version(session, proof, expected_version)
    clean, problems = validate(EDITABLE, data, partial=True)
    raise_if(problems)
    if clean.get("state") is None:
        clean.pop("state", None)  # an empty state leaves it as it is
    if clean.get("recovery_amount") == 0:
        clean["recovery_amount"] = None
    values = {name: getattr(proof, name) for name in EDITABLE} | clean
    application = funding.get(session, proof.application_id)
    raise_if(_rule_problems(proof, application, values, clean, clock.today()))

    old, state = proof.state, values["state"]
    with session.begin_nested():  # all or nothing: the proof and what follows from it
        if (
            old != state
            and state == P.SUBMITTED
            and proof.kind == K.FINAL
            and application.status in (ApplicationStatus.APPROVED, ApplicationStatus.IN_PROGRESS)
        ):
            try:
                funding.update(
                    session,
                    application.id,
                    {"status": ApplicationStatus.PROOF_SUBMITTED.value},
                    expected_version=application.version,
                )
            except ValidationFailed as exc:
                raise _renamed(exc, _FIELD_OF_APPLICATION) from exc
        if old != state and state == P.ACCEPTED_WITH_RECOVERY:
            try:
                refunds.create(
                    session,
                    {
                        "application_id": application.id,
                        "kind": RefundKind.REFUND.value,
                        "claimed_on": values["checked_on"],
                        "amount": values["recovery_amount"],
                        "reason": RECOVERY_REASON,
                    },
                )
            except ValidationFailed as exc:
                raise _renamed(exc, _FIELD_OF_REFUND) from exc
        if assign(proof, clean):
            flush(session, proof, expected_version)
    return proof


# ---- the final share -------------------------------------------------------------------------

_HELD_BACK_STATUSES: tuple[str, ...] = (
    PaymentRequestStatus.SUBMITTED.value,
    PaymentRequestStatus.PAID.value,
)
"""Payment requests that draw money (handed in or paid): planned ones are only plans."""


@requires(Action.READ_PORTFOLIO)
def final_proof_checked(session: Session, application_id: int) -> bool:
    """Whether the funder has checked the final proof of use (accepted, with or without a
    recovery)."""
    return (
        session.execute(
            select(ProofOfUse.id).where(
                ProofOfUse.application_id == application_id,
                ProofOfUse.kind == K.FINAL.value,
                ProofOfUse.state.in_(CHECKED_PROOF_STATES),
            )
        ).first()
        is not None
    )


def _drawn(session: Session, application_id: int, request_id: int | None) -> Decimal:
    stmt = select(func.coalesce(func.sum(PaymentRequest.amount), 0)).where(
        PaymentRequest.application_id == application_id,
        PaymentRequest.status.in_(_HELD_BACK_STATUSES),
    )
    if request_id is not None:
        stmt = stmt.where(PaymentRequest.id != request_id)
    return Decimal(session.execute(stmt).scalar_one())


@requires(Action.EDIT_PORTFOLIO)
def final_share_problems(
    session: Session,
    application: FundingApplication,
    values: Mapping[str, Any],
    request_id: int | None,
) -> list[Problem]:
    """The programme's final share (``final_share_rate`` percent of the approved amount; MPSC:
    5 %) is paid only after the check of the final proof: a payment request handed in or paid
    (``values``, the request as it would be written; ``request_id``: the stored one or None)
    that brings the requests handed in or paid above approved × (1 − rate) is refused until
    the final proof is accepted (with or without a recovery). Planned requests are plans and
    pass; a change that does not raise the total above the bound (an old row's note) passes."""
    rate = application.programme.final_share_rate
    approved, amount = application.amount_approved, values.get("amount")
    if (
        not rate
        or approved is None
        or amount is None
        or values.get("status") not in _HELD_BACK_STATUSES
    ):
        return []
    limit = (approved * (100 - rate) / 100).quantize(CENT, ROUND_HALF_UP)
    others = _drawn(session, application.id, request_id)
    total = others + amount
    if total <= limit:
        return []
    stored = session.get(PaymentRequest, request_id) if request_id is not None else None
    before = others
    if (
        stored is not None
        and stored.application_id == application.id
        and stored.status in _HELD_BACK_STATUSES
    ):
        before += stored.amount
    if total <= before or final_proof_checked(session, application.id):
        return []
    return [
        Problem(
            "amount",
            "final_share_before_check",
            {
                "rate": Pct(rate),
                "total": Eur(total),
                "limit": Eur(limit),
                "share": Eur(approved - limit),
            },
        )
    ]


# ---- for the pages ---------------------------------------------------------------------------


@requires(Action.READ_PORTFOLIO)
def open_duties(
    session: Session,
    *,
    today: dt.date,
    application_ids: Iterable[int] | None = None,
    theme_id: int | None = None,
) -> list[OpenDuty]:
    """The proofs still to hand in (due), of applications that count (not archived, of active
    projects; ``theme_id``: of that Leitthema), oldest deadline first; ``overdue``: the deadline
    is before ``today``; ``application_ids``: only those applications."""
    stmt = (
        select(
            ProofOfUse,
            FundingApplication.key,
            FundingApplication.reference_number,
            Project.key,
            Project.title,
        )
        .join(FundingApplication, FundingApplication.id == ProofOfUse.application_id)
        .join(Project, Project.id == FundingApplication.project_id)
        .where(
            ProofOfUse.state.in_(OPEN_PROOF_STATES),
            rules.application_counts(rules.project_scope(theme_id)),
        )
        .order_by(
            ProofOfUse.due_on,
            FundingApplication.key,
            ProofOfUse.kind,
            ProofOfUse.budget_year,
        )
    )
    if application_ids is not None:
        stmt = stmt.where(ProofOfUse.application_id.in_(list(application_ids)))
    return [
        OpenDuty(
            proof_id=proof.id,
            version=proof.version,
            application_id=proof.application_id,
            application_key=app_key,
            reference_number=reference,
            project_key=project_key,
            project_title=project_title,
            kind=proof.kind,
            budget_year=proof.budget_year,
            due_on=proof.due_on,
            overdue=proof.due_on < today,
        )
        for proof, app_key, reference, project_key, project_title in session.execute(stmt)
    ]
