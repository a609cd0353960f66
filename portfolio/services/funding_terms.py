"""The terms of a grant the funding checks and verbs compute with: the applicant's status
workflow, the highest funding rate, the amount an application counts with, the derived own share
and the proof-of-use deadline."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from db.enums import DECIDED_APPLICATION_STATUSES, ApplicationStatus, ProofOfUseBasis
from db.models import FundingApplication, FundingProgramme, ProgrammePhase

S = ApplicationStatus
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.IDEA: (S.SKETCH, S.SUBMITTED, S.WITHDRAWN),
    S.SKETCH: (S.IDEA, S.SUBMITTED, S.WITHDRAWN),
    S.SUBMITTED: (S.APPROVED, S.REJECTED, S.WITHDRAWN),
    # Renouncing a grant (Verzicht, "withdrawn") is possible at any time after the award until
    # it is closed; the funder may revoke it (Widerruf) even then. "revoked" follows only from a
    # revocation notice (see funding_checks._grant_field_problems), and with notices on record so
    # does a renunciation.
    S.APPROVED: (S.IN_PROGRESS, S.PROOF_SUBMITTED, S.WITHDRAWN, S.REVOKED),
    S.IN_PROGRESS: (S.PROOF_SUBMITTED, S.WITHDRAWN, S.REVOKED),
    S.PROOF_SUBMITTED: (S.IN_PROGRESS, S.CLOSED, S.WITHDRAWN, S.REVOKED),
    S.REJECTED: (),
    S.WITHDRAWN: (),
    S.CLOSED: (S.REVOKED,),
    S.REVOKED: (),
}
DECIDED = DECIDED_APPLICATION_STATUSES
CENT = Decimal("0.01")


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def proof_of_use_deadline(
    programme: FundingProgramme,
    phase: ProgrammePhase | None,
    award_day: dt.date | None,
    period_end: dt.date | None,
) -> dt.date | None:
    """The proof-of-use deadline from the programme's duty (the one place it is computed): the
    phase's months or else the programme's, counted from the award (``proof_of_use_basis``
    "award", MPSC: the first award) or from the end of the funding period in force ("end");
    None where the duty or its starting day is unknown."""
    months = (phase.proof_of_use_months if phase is not None else None) or (
        programme.proof_of_use_months
    )
    basis = award_day if programme.proof_of_use_basis == ProofOfUseBasis.AWARD else period_end
    if not months or basis is None:
        return None
    return add_months(basis, months)


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
