"""Bescheide: the funder's notices on an application — the award (Zuwendungsbescheid, or
Teilbewilligung when less than requested is approved) and its amendments (Änderungsbescheide).

A notice is recorded, never edited in place: the latest one is the notice in force. Recording
one changes the application through :func:`portfolio.services.funding.update`, so every
funding rule (caps, approved ≥ payment requests, …) holds, and recomputes the proof-of-use
deadline from the notice in force (:func:`portfolio.services.funding.proof_of_use_deadline`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import AMENDABLE_GRANT_STATUSES, ApplicationStatus, NoticeKind
from db.models import FundingApplication, GrantNotice
from portfolio import clock
from portfolio.errors import Problem, ValidationFailed
from portfolio.services import funding
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
# Problems of the application's rules named by the notice's field they come from.
_FIELD_OF_APPLICATION = {"decision_on": "dated_on", "status": "kind"}


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
) -> list[Problem]:
    problems: list[Problem] = []
    status = label_both(ApplicationStatus, application.status)
    # An award notice: on a submitted application, or recorded afterwards for a grant awarded
    # before notices were kept; never a second one (changes are amendments).
    if kind == NoticeKind.AWARD and (
        notices
        or application.status not in (ApplicationStatus.SUBMITTED.value, *AMENDABLE_STATUSES)
    ):
        problems.append(Problem("kind", "notice_award_needs_submitted", {"status": status}))
    if kind == NoticeKind.AMENDMENT:
        if application.status not in AMENDABLE_STATUSES:
            problems.append(Problem("kind", "notice_amendment_needs_award", {"status": status}))
        elif not notices:
            problems.append(Problem("kind", "notice_amendment_needs_notice"))
    current = in_force(notices)
    if dated_on > clock.today():
        problems.append(Problem("dated_on", "notice_in_future", {"value": dated_on}))
    elif kind == NoticeKind.AMENDMENT and current is not None and dated_on < current.dated_on:
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


def record(
    session: Session,
    application_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int | None,
) -> GrantNotice:
    """Record a notice on an application (``data``: kind "award" or "amendment", dated_on,
    amount_approved, period_start?, period_end?, reason?, reference_number?) and change the
    application as it says; ``expected_version``: the application's version the caller read.

    An award moves a submitted application to "bewilligt" (stored as a Teilbewilligung when
    less than requested is approved); an amendment changes the approved amount and (when
    given) the funding period of an awarded grant. The notice keeps the period in force after
    it, so the latest notice says what holds."""
    application = funding.get(session, application_id)
    ensure_version(session, application, expected_version)
    clean, problems = validate(FIELDS, data, partial=False)
    if clean.get("kind") == NoticeKind.PARTIAL_AWARD:
        clean["kind"] = NoticeKind.AWARD.value  # what kind of award follows from the amounts
    raise_if(problems)
    kind, dated_on, amount = clean["kind"], clean["dated_on"], clean["amount_approved"]
    notices = get_all(session, application_id)
    raise_if(_rule_problems(application, notices, kind, dated_on))

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
    notice = GrantNotice(
        application_id=application_id,
        kind=kind,
        dated_on=dated_on,
        amount_approved=amount,
        period_start=start,
        period_end=end,
        reason=clean["reason"],
        reference_number=clean["reference_number"],
    )
    changes["proof_of_use_due"] = deadline_in_force(application, [*notices, notice])
    try:
        funding.update(session, application_id, changes, expected_version=expected_version)
    except ValidationFailed as exc:
        raise ValidationFailed(
            [replace(p, field=_FIELD_OF_APPLICATION.get(p.field, p.field)) for p in exc.problems]
        ) from exc
    session.add(notice)
    flush(session, notice)
    return notice
