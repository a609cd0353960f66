"""Bescheide: the notices on an application — the funder's award (Zuwendungsbescheid, or
Teilbewilligung when less than requested is approved), its amendments (Änderungsbescheide) and
its revocation (Widerrufsbescheid), and the city's renunciation (Verzicht).

A notice is recorded, never edited in place: the latest one is the notice in force. Recording
one changes the application through :func:`portfolio.services.funding.update`, so every
funding rule (caps, approved ≥ payment requests net of refunds, …) holds, and recomputes the
proof-of-use deadline from the notice in force (:func:`deadline_in_force`). Once an application
has notices, its grant fields (approved amount, period, decision date, renouncing) change only
through :func:`record` (the rule is :func:`portfolio.services.funding_checks._grant_field_problems`;
``record`` passes it by setting ``session.info[funding.RECORDING_NOTICE]`` while it writes).

Ending a grant early (:data:`db.enums.ENDING_NOTICE_KINDS`):

* **Widerruf** (revocation), on an awarded grant at any time after the award, closed ones
  included: in whole (amount 0, the status becomes "widerrufen") or in part (a lower amount,
  the status stays).
* **Verzicht** (renunciation by the city), while the grant runs (bewilligt, in Durchführung,
  Verwendungsnachweis eingereicht): in whole (amount 0, the status becomes "zurückgezogen /
  Verzicht") or in part (a lower amount).

Both take money back, never add it (a higher amount is an amendment), and are dated on or after
the notice in force. Where the remaining amount is below what was paid out net of the refunds
claimed so far, the same transaction claims the difference back (:mod:`portfolio.services.refunds`,
kind "refund", claimed on the notice's day, interest from the data key ``interest_from`` or else
that day, linked to the notice). Open payment requests above the remaining amount must be
rejected or lowered first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.enums import (
    AMENDABLE_GRANT_STATUSES,
    AWARDED_APPLICATION_STATUSES,
    ENDING_NOTICE_KINDS,
    OPEN_PAYMENT_STATUSES,
    ApplicationStatus,
    NoticeKind,
    RefundKind,
)
from db.models import FundingApplication, GrantNotice, PaymentRequest
from portfolio import clock
from portfolio.errors import Problem, ValidationFailed
from portfolio.i18n import Eur
from portfolio.policy import Action, requires
from portfolio.services import funding, refunds
from portfolio.services.base import ensure_version, flush, raise_if, validate
from portfolio.services.fields import FieldSpec
from portfolio.vocab import label_both

FIELDS: dict[str, FieldSpec] = {
    "kind": FieldSpec("enum", required=True, enum=NoticeKind),
    "dated_on": FieldSpec("date", required=True),
    "amount_approved": FieldSpec("money", required=True),
    "period_start": FieldSpec("date"),
    "period_end": FieldSpec("date"),
    "reason": FieldSpec("text", max_length=4000),
    "reference_number": FieldSpec("str", max_length=60),
}
AWARD_KINDS: tuple[str, ...] = (NoticeKind.AWARD.value, NoticeKind.PARTIAL_AWARD.value)
"""The notices that award a grant (the first notice of an application)."""
AMENDABLE_STATUSES = AMENDABLE_GRANT_STATUSES
ENDABLE_STATUSES: dict[str, tuple[str, ...]] = {
    NoticeKind.REVOCATION.value: (*AMENDABLE_GRANT_STATUSES, ApplicationStatus.CLOSED.value),
    NoticeKind.RENUNCIATION.value: AMENDABLE_GRANT_STATUSES,
}
"""Where a grant can be ended early: renounced while it runs, revoked even once closed."""
ENDED_STATUS: dict[str, str] = {
    NoticeKind.REVOCATION.value: ApplicationStatus.REVOKED.value,
    NoticeKind.RENUNCIATION.value: ApplicationStatus.WITHDRAWN.value,
}
"""The status a grant ends in when an ending notice leaves nothing of it (amount 0)."""
EXTRA_FIELDS: dict[str, FieldSpec] = {"interest_from": FieldSpec("date")}
"""Data of an ending notice that is not stored on it: from when the refund it claims bears
interest (default: the notice's day)."""
# Problems of the application's (and the refund's) rules named by the notice's field they
# come from.
_FIELD_OF_APPLICATION = {
    "decision_on": "dated_on",
    "status": "kind",
    "claimed_on": "dated_on",
    "amount": "amount_approved",
}


@requires(Action.READ_PORTFOLIO)
def get_all(session: Session, application_id: int) -> Sequence[GrantNotice]:
    """The notices of an application, oldest first (the last one is in force)."""
    return (
        session.execute(
            select(GrantNotice)
            .where(GrantNotice.application_id == application_id)
            .order_by(GrantNotice.dated_on, GrantNotice.id)
        )
        .scalars()
        .all()
    )


def _order(notice: GrantNotice) -> tuple[dt.date, bool, int]:
    """Notices by date, then as recorded (one not yet stored last)."""
    return notice.dated_on, notice.id is None, notice.id or 0


def in_force(notices: Sequence[GrantNotice]) -> GrantNotice | None:
    """The notice in force: the latest (by date, then as recorded)."""
    return max(notices, key=_order, default=None)


def first_award(notices: Sequence[GrantNotice]) -> GrantNotice | None:
    """The award a grant's life starts with (MPSC counts the proof-of-use deadline from it)."""
    return min((n for n in notices if n.kind in AWARD_KINDS), key=_order, default=None)


def deadline_in_force(
    application: FundingApplication, notices: Sequence[GrantNotice]
) -> dt.date | None:
    """The proof-of-use deadline the notices give: counted from the first award (basis
    "award") or from the end of the funding period of the notice in force (basis "end")."""
    award, current = first_award(notices), in_force(notices)
    programme = application.programme
    phase = next((p for p in programme.phases if p.key == application.phase), None)
    return funding.proof_of_use_deadline(
        programme,
        phase,
        award.dated_on if award is not None else None,
        current.period_end if current is not None else None,
    )


def _rule_problems(
    application: FundingApplication,
    notices: Sequence[GrantNotice],
    kind: str,
    dated_on: dt.date,
    amount: Decimal,
) -> list[Problem]:
    problems: list[Problem] = []
    status = label_both(ApplicationStatus, application.status)
    current = in_force(notices)
    # An award notice: on a submitted application, or recorded afterwards for a grant awarded
    # before notices were kept (a closed one too: it may still be revoked); never a second one
    # (changes are amendments).
    if kind == NoticeKind.AWARD and (
        notices
        or application.status
        not in (ApplicationStatus.SUBMITTED.value, *AWARDED_APPLICATION_STATUSES)
    ):
        problems.append(Problem("kind", "notice_award_needs_submitted", {"status": status}))
    if kind == NoticeKind.AMENDMENT:
        if application.status not in AMENDABLE_STATUSES:
            problems.append(Problem("kind", "notice_amendment_needs_award", {"status": status}))
        elif not notices:
            problems.append(Problem("kind", "notice_amendment_needs_notice"))
    if kind in ENDING_NOTICE_KINDS:
        problems += _ending_problems(application, current, kind, amount)
    return problems + _date_problems(application, current, kind, dated_on)


def _ending_problems(
    application: FundingApplication, current: GrantNotice | None, kind: str, amount: Decimal
) -> list[Problem]:
    """A revocation or renunciation: of a grant that can end, lowering the amount in force."""
    what = label_both(NoticeKind, kind)
    if application.status not in ENDABLE_STATUSES[kind]:
        status = label_both(ApplicationStatus, application.status)
        return [Problem("kind", "notice_ending_needs_award", {"kind": what, "status": status})]
    if current is None:
        return [Problem("kind", "notice_ending_needs_notice", {"kind": what})]
    if amount > current.amount_approved:
        return [
            Problem(
                "amount_approved",
                "notice_ending_above_amount",
                {"kind": what, "amount": Eur(amount), "in_force": Eur(current.amount_approved)},
            )
        ]
    return []


def _date_problems(
    application: FundingApplication, current: GrantNotice | None, kind: str, dated_on: dt.date
) -> list[Problem]:
    """A notice is not dated in the future, before the application, nor (a later notice)
    before the notice in force."""
    problems: list[Problem] = []
    follows = kind == NoticeKind.AMENDMENT or kind in ENDING_NOTICE_KINDS
    if dated_on > clock.today():
        problems.append(Problem("dated_on", "notice_in_future", {"value": dated_on}))
    elif follows and current is not None and dated_on < current.dated_on:
        problems.append(
            Problem(
                "dated_on",
                "notice_before_previous",
                {"value": dated_on, "previous": current.dated_on},
            )
        )
    if application.submitted_on is not None and dated_on < application.submitted_on:
        problems.append(
            Problem(
                "dated_on",
                "notice_before_submission",
                {"value": dated_on, "submitted": application.submitted_on},
            )
        )
    return problems


def _money_back(
    session: Session, application: FundingApplication, amount: Decimal
) -> tuple[list[Problem], Decimal]:
    """What an ending notice leaving ``amount`` means for the money: the open payment requests
    must fit into it (else: reject or lower them first), and what was paid out above it net of
    the refunds claimed so far is claimed back. Returns the problems and the refund due."""
    paid = refunds.paid_total(session, application.id)
    net_paid = paid - refunds.refunded_total(session, application.id)
    open_total = Decimal(
        session.execute(
            select(func.coalesce(func.sum(PaymentRequest.amount), 0)).where(
                PaymentRequest.application_id == application.id,
                PaymentRequest.status.in_(OPEN_PAYMENT_STATUSES),
            )
        ).scalar_one()
    )
    problems: list[Problem] = []
    if open_total > 0 and net_paid + open_total > amount:
        problems.append(
            Problem(
                "amount_approved",
                "notice_open_payments_above_amount",
                {"open": Eur(open_total), "amount": Eur(amount), "paid": Eur(net_paid)},
            )
        )
    return problems, max(net_paid - amount, Decimal(0))


@requires(Action.EDIT_PORTFOLIO)
def record(
    session: Session,
    application_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int | None,
) -> GrantNotice:
    """Record a notice on an application (``data``: kind "award", "amendment", "revocation" or
    "renunciation", dated_on, amount_approved, period_start?, period_end?, reason?,
    reference_number?, and for an ending notice interest_from?) and change the application as
    it says; ``expected_version``: the application's version the caller read.

    An award moves a submitted application to "bewilligt" (stored as a Teilbewilligung when
    less than requested is approved); an amendment changes the approved amount and (when
    given) the funding period of an awarded grant; a revocation or renunciation lowers the
    amount, ends the grant when it leaves nothing, and claims back what was paid above it (see
    the module). The notice keeps the period in force after it, so the latest notice says what
    holds. Everything is written in one savepoint: a refusal leaves nothing behind."""
    application = funding.get(session, application_id)
    ensure_version(session, application, expected_version)
    clean, interest_from = _checked(data)
    kind, dated_on, amount = clean["kind"], clean["dated_on"], clean["amount_approved"]
    notices = get_all(session, application_id)
    raise_if(_rule_problems(application, notices, kind, dated_on, amount))
    refund_due = Decimal(0)
    if kind in ENDING_NOTICE_KINDS:
        money_problems, refund_due = _money_back(session, application, amount)
        raise_if(money_problems)
    notice, changes = _notice_and_changes(application, notices, clean)
    _write(
        session,
        notice,
        changes,
        refund_due=refund_due,
        interest_from=interest_from or dated_on,
        expected_version=expected_version,
    )
    return notice


def _checked(data: Mapping[str, Any]) -> tuple[dict[str, Any], dt.date | None]:
    """The notice's fields checked by :data:`FIELDS` (an award's kind follows from the amounts
    later), and the ``interest_from`` of an ending notice; refused with all problems."""
    extra = {name: data[name] for name in EXTRA_FIELDS if name in data}
    clean, problems = validate(
        FIELDS, {k: v for k, v in data.items() if k not in EXTRA_FIELDS}, partial=False
    )
    extra_clean, extra_problems = validate(EXTRA_FIELDS, extra, partial=True)
    problems += extra_problems
    if clean.get("kind") == NoticeKind.PARTIAL_AWARD:
        clean["kind"] = NoticeKind.AWARD.value  # what kind of award follows from the amounts
    raise_if(problems)
    return clean, extra_clean.get("interest_from")


def _notice_and_changes(
    application: FundingApplication, notices: Sequence[GrantNotice], clean: Mapping[str, Any]
) -> tuple[GrantNotice, dict[str, Any]]:
    """The notice to record, and what it changes on the application (the notice keeps the
    period in force after it)."""
    kind, dated_on, amount = clean["kind"], clean["dated_on"], clean["amount_approved"]
    start = clean["period_start"] if clean["period_start"] is not None else application.period_start
    end = clean["period_end"] if clean["period_end"] is not None else application.period_end
    changes: dict[str, Any] = {"amount_approved": amount, "period_start": start, "period_end": end}
    if kind == NoticeKind.AWARD:
        requested = application.amount_requested
        if requested is not None and amount < requested:
            kind = NoticeKind.PARTIAL_AWARD.value
        changes["decision_on"] = dated_on
        if application.status == ApplicationStatus.SUBMITTED:
            changes["status"] = ApplicationStatus.APPROVED.value
        if clean["reference_number"] is not None:
            changes["reference_number"] = clean["reference_number"]
    if kind in ENDING_NOTICE_KINDS and amount == 0:
        changes["status"] = ENDED_STATUS[kind]
    notice = GrantNotice(
        application_id=application.id,
        kind=kind,
        dated_on=dated_on,
        amount_approved=amount,
        period_start=start,
        period_end=end,
        reason=clean["reason"],
        reference_number=clean["reference_number"],
    )
    changes["proof_of_use_due"] = deadline_in_force(application, [*notices, notice])
    return notice, changes


def _write(
    session: Session,
    notice: GrantNotice,
    changes: Mapping[str, Any],
    *,
    refund_due: Decimal,
    interest_from: dt.date,
    expected_version: int | None,
) -> None:
    """Write the notice, the refund it claims and the application's ``changes`` in one
    savepoint, as the notice that may change the grant fields; an application's (or the
    refund's) problem is named by the notice's field it comes from."""
    passing = session.info.get(funding.RECORDING_NOTICE)
    session.info[funding.RECORDING_NOTICE] = True
    try:
        with session.begin_nested():
            session.add(notice)
            flush(session, notice)
            if refund_due > 0:
                refunds.create(
                    session,
                    {
                        "application_id": notice.application_id,
                        "notice_id": notice.id,
                        "kind": RefundKind.REFUND.value,
                        "claimed_on": notice.dated_on,
                        "amount": refund_due,
                        "interest_from": interest_from,
                        "reason": notice.reason,
                    },
                )
            funding.update(
                session, notice.application_id, changes, expected_version=expected_version
            )
    except ValidationFailed as exc:
        raise ValidationFailed(
            [replace(p, field=_FIELD_OF_APPLICATION.get(p.field, p.field)) for p in exc.problems]
        ) from exc
    finally:
        if passing is None:
            session.info.pop(funding.RECORDING_NOTICE, None)
        else:
            session.info[funding.RECORDING_NOTICE] = passing
