"""The funding rules on one application's change, one function per rule; :func:`check_application`
runs them all and reports every problem at once. In the order checked:

- the project and the programme exist; the status moves only along the applicant's workflow
  (:data:`portfolio.services.funding_terms.TRANSITIONS`); a decision needs a date, an award an
  approved amount; no decision or filing is dated in the future;
- the payment requests stay consistent (:mod:`portfolio.services.payment_checks`);
- the grant fields change only through a notice (:mod:`portfolio.services.grant_notices`);
- a declared alternative is a live application of the same project and no alternative itself;
- the decision follows the filing, the period ends after it starts, approved <= requested;
- under the programme: the rate at most the programme's, an amount at most the rate times the
  eligible cost; a phase of the programme, with a cap for implementation measures; the caps at
  their scope; a filing under a phase that needs it (MPSC phase B) after the council's
  resolution; the own share at most the rest of the eligible cost and above zero where required;
  the public funding within the eligible cost, no own share replaced by excluded money (the rules
  across rows: :mod:`portfolio.services.funding_cross_checks`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import (
    AWARDED_APPLICATION_STATUSES,
    FILED_APPLICATION_STATUSES,
    LIVE_APPLICATION_STATUSES,
    ApplicationStatus,
    NoticeKind,
)
from db.models import (
    FundingApplication,
    FundingProgramme,
    GrantNotice,
    ProgrammePhase,
    Project,
)
from portfolio import clock
from portfolio import funding_rules as rules
from portfolio.errors import Problem
from portfolio.i18n import Both, Eur, Pct
from portfolio.policy import Action, requires
from portfolio.services.funding_cross_checks import candidate, check_caps, check_cumulation
from portfolio.services.funding_terms import (
    CENT,
    DECIDED,
    TRANSITIONS,
    S,
    funding_amount,
    max_rate,
    proof_of_use_deadline,
)
from portfolio.services.payment_checks import check_application_payments
from portfolio.vocab import label, label_both

RECORDING_NOTICE = "portfolio_recording_notice"
"""``session.info`` flag: set (True) by :func:`portfolio.services.grant_notices.record` around
its own write of the application, the one writer allowed to change the grant fields of an
application with notices (see :func:`_grant_field_problems`)."""
OWN_SHARE_GIVEN = "_own_share_given"
"""``values`` flag for :func:`check_application`: the edit enters the own share (it stays as
entered)."""
OWN_SHARE_WAS_DERIVED = "_own_share_was_derived"
"""``values`` flag for :func:`check_application`: the stored own share was the derived one (it
follows the amounts)."""

Row = TypeVar("Row", Project, FundingProgramme)


def _stored(session: Session, model: type[Row], row_id: Any) -> Row | None:
    return session.get(model, row_id) if row_id else None


def _has_problem(problems: list[Problem], field: str) -> bool:
    return any(p.field == field for p in problems)


# ---- the application itself ------------------------------------------------------------------


def _unknown_references(
    values: Mapping[str, Any], project: Project | None, programme: FundingProgramme | None
) -> list[Problem]:
    problems: list[Problem] = []
    if values.get("project_id") is not None and project is None:
        problems.append(Problem("project_id", "unknown_reference", {"value": values["project_id"]}))
    if values.get("programme_id") is not None and programme is None:
        problems.append(
            Problem("programme_id", "unknown_reference", {"value": values["programme_id"]})
        )
    return problems


def _status_transition(old_status: str | None, status: str | None) -> list[Problem]:
    """The status moves only along the applicant's workflow."""
    if old_status is None or status is None or status == old_status:
        return []
    allowed = TRANSITIONS.get(old_status, ())
    if status in allowed:
        return []
    return [
        Problem(
            "status",
            "status_transition",
            {
                "old": label_both(ApplicationStatus, old_status),
                "new": label_both(ApplicationStatus, status),
                "allowed": Both(
                    *(
                        ", ".join(label(ApplicationStatus, s, lang) for s in allowed) or "–"
                        for lang in ("de", "en")
                    )
                ),
            },
        )
    ]


def _decision_needs_date(values: Mapping[str, Any], status: str | None) -> list[Problem]:
    if status in DECIDED and values.get("decision_on") is None:
        return [
            Problem(
                "decision_on",
                "decision_needs_date",
                {"status": label_both(ApplicationStatus, status)},
            )
        ]
    return []


def _approval_needs_amount(values: Mapping[str, Any], status: str | None) -> list[Problem]:
    if status in AWARDED_APPLICATION_STATUSES and values.get("amount_approved") is None:
        return [
            Problem(
                "amount_approved",
                "approval_needs_amount",
                {"status": label_both(ApplicationStatus, status)},
            )
        ]
    return []


def _decision_in_future(values: Mapping[str, Any], today: dt.date) -> list[Problem]:
    decided = values.get("decision_on")
    if decided and decided > today:
        return [Problem("decision_on", "decision_in_future", {"value": decided})]
    return []


def _submitted_in_future(
    values: Mapping[str, Any], status: str | None, today: dt.date
) -> list[Problem]:
    submitted = values.get("submitted_on")
    if submitted and submitted > today and status in FILED_APPLICATION_STATUSES:
        return [
            Problem(
                "submitted_on",
                "submitted_in_future",
                {"value": submitted, "status": label_both(ApplicationStatus, status)},
            )
        ]
    return []


def _decision_before_submission(values: Mapping[str, Any]) -> list[Problem]:
    submitted, decided = values.get("submitted_on"), values.get("decision_on")
    if submitted and decided and decided < submitted:
        return [
            Problem(
                "decision_on",
                "decision_before_submission",
                {"decision": decided, "submitted": submitted},
            )
        ]
    return []


def _end_before_start(values: Mapping[str, Any]) -> list[Problem]:
    start, end = values.get("period_start"), values.get("period_end")
    if start and end and end < start:
        return [Problem("period_end", "end_before_start", {"start": start, "end": end})]
    return []


def _approved_above_requested(values: Mapping[str, Any]) -> list[Problem]:
    requested, approved = values.get("amount_requested"), values.get("amount_approved")
    if requested is not None and approved is not None and approved > requested:
        return [
            Problem(
                "amount_approved",
                "approved_above_requested",
                {"approved": Eur(approved), "requested": Eur(requested)},
            )
        ]
    return []


# ---- its grant notices and alternatives ------------------------------------------------------


def _grant_field_problems(
    session: Session,
    values: Mapping[str, Any],
    application_id: int | None,
    status: str | None,
    old_status: str | None,
    *,
    status_checked: bool,
) -> list[Problem]:
    """Grant fields change only through a notice (:mod:`portfolio.services.grant_notices`).

    - "revoked" follows only from a revocation notice (Widerrufsbescheid): a direct change to it
      is refused, with or without notices.
    - On an application with notices, a direct edit (dashboard, import) of the approved amount,
      the funding period or the decision date is refused (record an Änderungsbescheid, or a
      Verzicht / Widerruf for less money), and so is renouncing by a status change to
      "withdrawn" (record a Verzicht).
    - Applications without notices (kept before notices were) keep their direct edits.

    ``grant_notices.record`` passes by setting ``session.info[RECORDING_NOTICE]`` while it writes
    (in try/finally). ``status_checked``: the status change is a valid transition (otherwise that
    refusal stands alone)."""
    if session.info.get(RECORDING_NOTICE):
        return []
    problems: list[Problem] = []
    status_changed = status_checked and status is not None and status != old_status
    if status_changed and status == S.REVOKED:
        problems.append(Problem("status", "revoked_needs_notice"))
    if application_id is None:
        return problems
    stored = session.get(FundingApplication, application_id)
    current = session.execute(
        select(GrantNotice.kind, GrantNotice.dated_on)
        .where(GrantNotice.application_id == application_id)
        .order_by(GrantNotice.dated_on.desc(), GrantNotice.id.desc())
        .limit(1)
    ).first()
    if stored is None or current is None:
        return problems  # no notices: the direct edits of old
    from_notice = {"kind": label_both(NoticeKind, current.kind), "notice": current.dated_on}
    for name in ("amount_approved", "period_start", "period_end", "decision_on"):
        if values.get(name) != getattr(stored, name):
            if name == "decision_on":
                problems.append(
                    Problem(name, "grant_decision_from_notice", {"award": stored.decision_on})
                )
            else:
                problems.append(Problem(name, "grant_field_needs_notice", from_notice))
    if status_changed and status == S.WITHDRAWN:
        problems.append(Problem("status", "withdrawal_needs_renunciation", from_notice))
    return problems


def _first_alternative_to(session: Session, application_id: int) -> str | None:
    """The key of an application that declares itself an alternative to this one."""
    return (
        session.execute(
            select(FundingApplication.key).where(
                FundingApplication.alternative_to_id == application_id,
                FundingApplication.active(),
            )
        )
        .scalars()
        .first()
    )


def _alternative_problems(
    session: Session, values: Mapping[str, Any], application_id: int | None
) -> list[Problem]:
    """A declared alternative points at a live application of the same project that is no
    alternative itself; an application others are alternatives to is none itself."""
    target_id = values.get("alternative_to_id")
    if target_id is None:
        return []
    target = session.get(FundingApplication, target_id)
    if target is None or target.archived:
        return [Problem("alternative_to_id", "unknown_reference", {"value": target_id})]
    if target.id == application_id:
        return [Problem("alternative_to_id", "alternative_to_itself")]
    if target.project_id != values.get("project_id"):
        return [Problem("alternative_to_id", "alternative_other_project", {"key": target.key})]
    if target.alternative_to_id is not None:
        first = target.alternative_to.key if target.alternative_to else ""
        return [
            Problem(
                "alternative_to_id",
                "alternative_of_alternative",
                {"key": target.key, "first": first},
            )
        ]
    if target.status not in LIVE_APPLICATION_STATUSES:
        return [
            Problem(
                "alternative_to_id",
                "alternative_not_live",
                {"key": target.key, "status": label_both(ApplicationStatus, target.status)},
            )
        ]
    follower = None if application_id is None else _first_alternative_to(session, application_id)
    if follower is not None:
        return [Problem("alternative_to_id", "alternative_has_alternatives", {"key": follower})]
    return []


# ---- under its programme ---------------------------------------------------------------------


def _rate_above_programme(values: Mapping[str, Any], programme: FundingProgramme) -> list[Problem]:
    limit_rate = max_rate(programme, bool(values.get("budget_emergency")))
    rate = values.get("funding_rate")
    if rate is not None and rate > limit_rate:
        return [
            Problem(
                "funding_rate",
                "rate_above_programme",
                {"rate": Pct(rate), "programme": programme.name, "max_rate": Pct(limit_rate)},
            )
        ]
    return []


def _amount_above_rate(
    values: Mapping[str, Any], programme: FundingProgramme, problems: list[Problem]
) -> list[Problem]:
    """An amount at most the rate (at most the programme's) times the eligible cost; an amount
    with a problem of its own in ``problems`` is not checked again."""
    eligible = values.get("eligible_cost")
    if eligible is None:
        return []
    limit_rate = max_rate(programme, bool(values.get("budget_emergency")))
    rate = values.get("funding_rate")
    effective_rate = min(rate, limit_rate) if rate is not None else limit_rate
    ceiling = (eligible * effective_rate / 100).quantize(CENT, ROUND_HALF_UP)
    found: list[Problem] = []
    for field_name in ("amount_requested", "amount_approved"):
        value = values.get(field_name)
        if value is not None and value > ceiling and not _has_problem(problems, field_name):
            found.append(
                Problem(
                    field_name,
                    "amount_above_rate",
                    {"amount": Eur(value), "rate": Pct(effective_rate), "limit": Eur(ceiling)},
                )
            )
    return found


def _phase_of(programme: FundingProgramme, phase_key: Any) -> ProgrammePhase | None:
    """The programme's phase of that key (in any case), None where there is none."""
    if not phase_key:
        return None
    key = str(phase_key).casefold()
    return next((p for p in programme.phases if p.key.casefold() == key), None)


def _unknown_phase(
    values: Mapping[str, Any], programme: FundingProgramme, phase: ProgrammePhase | None
) -> list[Problem]:
    phase_key = values.get("phase")
    if not phase_key or phase is not None:
        return []
    return [
        Problem(
            "phase",
            "unknown_phase",
            {
                "programme": programme.name,
                "value": phase_key,
                "allowed": ", ".join(p.key for p in programme.phases) or "–",
            },
        )
    ]


def _no_implementation_cap(
    values: Mapping[str, Any], programme: FundingProgramme, phase: ProgrammePhase | None
) -> list[Problem]:
    """An implementation measure needs a phase with a cap for them."""
    if (
        phase is not None
        and phase.implementation_cap is None
        and values.get("implementation_measure")
    ):
        return [
            Problem(
                "implementation_measure",
                "no_implementation_cap",
                {"phase": f"Phase {phase.key}", "programme": programme.name},
            )
        ]
    return []


def _filing_changed(
    session: Session, values: Mapping[str, Any], application_id: int | None, old_status: str | None
) -> bool:
    """Whether a change hands an application in, or changes what it was handed in as (its
    programme, phase or submission date): then the filing's preconditions are checked again."""
    if application_id is None or old_status not in FILED_APPLICATION_STATUSES:
        return True
    stored = session.get(FundingApplication, application_id)
    return stored is None or any(
        getattr(stored, f) != values.get(f) for f in ("programme_id", "phase", "submitted_on")
    )


def _council_resolution_problems(
    project: Project, phase: str, programme: str, submitted: dt.date | None
) -> list[Problem]:
    """Measures of a phase that needs it (MPSC phase B) are applied for only after the council
    resolved on them: the project carries the resolution's date and link."""
    on, url = project.council_resolution_on, project.council_resolution_url
    if on is None or not url:
        return [
            Problem(
                "phase",
                "council_resolution_missing",
                {"phase": f"Phase {phase}", "programme": programme, "project": project.key},
            )
        ]
    if submitted is not None and on > submitted:
        return [
            Problem(
                "phase",
                "council_resolution_after_application",
                {"on": on, "submitted": submitted, "project": project.key},
            )
        ]
    return []


def _own_share_applies(values: Mapping[str, Any]) -> bool:
    """The own share is known from the amounts: an eligible cost and an amount."""
    return values.get("eligible_cost") is not None and (
        values.get("amount_requested") is not None or values.get("amount_approved") is not None
    )


def _own_share_entered(values: Mapping[str, Any]) -> bool:
    """The own share is set explicitly (co-funding by another programme, as Gigabit Bund + Land,
    leaves a smaller own share than the rest), not derived as eligible cost minus funding."""
    given = values.get("own_share")
    explicit = values.get(OWN_SHARE_GIVEN) or (
        given is not None and not values.get(OWN_SHARE_WAS_DERIVED, True)
    )
    return bool(explicit) and given is not None


def _own_share_above_rest(values: Mapping[str, Any]) -> list[Problem]:
    """An entered own share is at most the eligible cost less the funding."""
    if not (_own_share_applies(values) and _own_share_entered(values)):
        return []
    given, eligible, amount = values["own_share"], values["eligible_cost"], funding_amount(values)
    if given + amount > eligible:
        return [
            Problem(
                "own_share",
                "own_share_above_rest",
                {"own_share": Eur(given), "amount": Eur(amount), "eligible": Eur(eligible)},
            )
        ]
    return []


def _derive_own_share(values: dict[str, Any]) -> None:
    """The own share not entered: eligible cost minus funding."""
    if _own_share_applies(values) and not _own_share_entered(values):
        values["own_share"] = (values["eligible_cost"] - funding_amount(values)).quantize(CENT)


def _own_share_required(values: Mapping[str, Any], programme: FundingProgramme) -> list[Problem]:
    own_share = values.get("own_share")
    if programme.requires_own_share and own_share is not None and own_share <= 0:
        return [
            Problem(
                "own_share",
                "own_share_required",
                {"programme": programme.name, "own_share": Eur(own_share)},
            )
        ]
    return []


def _derive_proof_of_use_due(
    values: dict[str, Any], programme: FundingProgramme, phase: ProgrammePhase | None
) -> None:
    """The proof-of-use deadline from the programme's duty, once awarded."""
    decided = values.get("decision_on")
    if (
        values.get("proof_of_use_due") is None
        and values.get("status") in AWARDED_APPLICATION_STATUSES
        and decided
    ):
        values["proof_of_use_due"] = proof_of_use_deadline(
            programme, phase, decided, values.get("period_end")
        )


def _check_under_programme(
    session: Session,
    values: dict[str, Any],
    project: Project | None,
    programme: FundingProgramme,
    *,
    old_status: str | None,
    application_id: int | None,
    problems: list[Problem],
) -> None:
    """The rules under the application's programme, added to ``problems`` (an amount with a
    problem of its own there is not checked against the caps and the cumulation). Fills the
    phase as the programme spells it, the own share and the proof-of-use deadline."""
    status = values.get("status")
    approved = values.get("amount_approved")
    amount_field = "amount_approved" if approved is not None else "amount_requested"
    problems += _rate_above_programme(values, programme)
    problems += _amount_above_rate(values, programme, problems)
    phase = _phase_of(programme, values.get("phase"))
    problems += _unknown_phase(values, programme, phase)
    if phase is not None:
        values["phase"] = phase.key
    problems += _no_implementation_cap(values, programme, phase)
    if project is not None and not _has_problem(problems, amount_field):
        problems += check_caps(session, values, programme, application_id, amount_field)
    if (
        phase is not None
        and phase.requires_council_resolution
        and status in FILED_APPLICATION_STATUSES
        and project is not None
        and _filing_changed(session, values, application_id, old_status)
    ):
        submitted = values.get("submitted_on")
        problems += _council_resolution_problems(project, phase.key, programme.name, submitted)
    problems += _own_share_above_rest(values)
    _derive_own_share(values)
    problems += _own_share_required(values, programme)
    _derive_proof_of_use_due(values, programme, phase)
    if project is not None and not _has_problem(problems, amount_field):
        apps = rules.application_rows(candidate(values, application_id), projects=[project.id])
        problems += check_cumulation(session, project, amount_field, apps=apps)


@requires(Action.EDIT_PORTFOLIO)
def check_application(
    session: Session,
    values: dict[str, Any],
    *,
    old_status: str | None,
    application_id: int | None,
) -> list[Problem]:
    """All funding rules on the merged state of one application, every problem at once. May
    fill derived fields (the phase as the programme spells it, the own share, the proof-of-use
    deadline)."""
    project = _stored(session, Project, values.get("project_id"))
    programme = _stored(session, FundingProgramme, values.get("programme_id"))
    status = values.get("status")
    problems = _unknown_references(values, project, programme)
    transition = _status_transition(old_status, status)
    problems += transition
    transition_ok = not transition
    if transition_ok:
        problems += _decision_needs_date(values, status)
        problems += _approval_needs_amount(values, status)
    today = clock.today()
    problems += _decision_in_future(values, today)
    problems += _submitted_in_future(values, status, today)
    if application_id is not None and transition_ok:
        problems += check_application_payments(session, values, application_id, status, old_status)
    problems += _grant_field_problems(
        session, values, application_id, status, old_status, status_checked=transition_ok
    )
    problems += _alternative_problems(session, values, application_id)
    problems += _decision_before_submission(values)
    problems += _end_before_start(values)
    problems += _approved_above_requested(values)
    if programme is not None:
        _check_under_programme(
            session,
            values,
            project,
            programme,
            old_status=old_status,
            application_id=application_id,
            problems=problems,
        )
    return problems
