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

from sqlalchemy import Numeric, and_, func, literal, or_, select
from sqlalchemy.orm import Session, joinedload

from db.enums import (
    AWARDED_APPLICATION_STATUSES,
    DECIDED_APPLICATION_STATUSES,
    ENDED_GRANT_STATUSES,
    FILED_APPLICATION_STATUSES,
    LIVE_APPLICATION_STATUSES,
    OPEN_PAYMENT_STATUSES,
    ApplicationStatus,
    CapScope,
    FundingLevel,
    NoticeKind,
    PaymentRequestStatus,
    ProofOfUseBasis,
)
from db.models import (
    FundingApplication,
    FundingProgramme,
    GrantNotice,
    PaymentRequest,
    ProgrammePhase,
    Project,
)
from db.models.base import MONEY_DIGITS
from portfolio import clock
from portfolio import funding_rules as rules
from portfolio.errors import Problem, ValidationFailed
from portfolio.i18n import Both, Eur, Pct
from portfolio.policy import Action, requires
from portfolio.services import refunds
from portfolio.services.base import (
    Preparation,
    application_or_problem,
    ensure_version,
    flush,
    free_key,
    get_by_key_or_raise,
    get_or_raise,
    key_under_application,
    set_archived,
)
from portfolio.services.fields import FieldSpec
from portfolio.vocab import label, label_both

S = ApplicationStatus
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.IDEA: (S.SKETCH, S.SUBMITTED, S.WITHDRAWN),
    S.SKETCH: (S.IDEA, S.SUBMITTED, S.WITHDRAWN),
    S.SUBMITTED: (S.APPROVED, S.REJECTED, S.WITHDRAWN),
    # Renouncing a grant (Verzicht, "withdrawn") is possible at any time after the award until
    # it is closed; the funder may revoke it (Widerruf) even then. "revoked" follows only from a
    # revocation notice (see _grant_field_problems), and with notices on record so does a
    # renunciation.
    S.APPROVED: (S.IN_PROGRESS, S.PROOF_SUBMITTED, S.WITHDRAWN, S.REVOKED),
    S.IN_PROGRESS: (S.PROOF_SUBMITTED, S.WITHDRAWN, S.REVOKED),
    S.PROOF_SUBMITTED: (S.IN_PROGRESS, S.CLOSED, S.WITHDRAWN, S.REVOKED),
    S.REJECTED: (),
    S.WITHDRAWN: (),
    S.CLOSED: (S.REVOKED,),
    S.REVOKED: (),
}
DECIDED = DECIDED_APPLICATION_STATUSES

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
        stmt = stmt.where(FundingApplication.archived.is_(False))
    return session.execute(stmt).scalars().all()


@requires(Action.EDIT_PORTFOLIO)
def next_key(session: Session, project: Project) -> str:
    return free_key(session, FundingApplication, f"{project.key}-F")


# ---- rules -----------------------------------------------------------------------------------


def _excess(row: Any, total: str, bound: str) -> Decimal:
    return Decimal(getattr(row, total)) - Decimal(getattr(row, bound))


def _worse(session: Session, now: Any, before: Any, key: Any, total: str, bound: str) -> list[Any]:
    """The breaches of a rule across rows (``now``: the state with the change) that the change
    creates or deepens; one already there and not made worse does not block the edit."""
    old = {key(r): _excess(r, total, bound) for r in session.execute(before)}
    return [
        r for r in session.execute(now) if _excess(r, total, bound) > old.get(key(r), Decimal(0))
    ]


class _Stored:
    """The project's stored eligible cost (no change to it)."""


STORED = _Stored()


def _cumulation_problems(
    session: Session,
    project: Project,
    field: str,
    *,
    apps: Any = None,
    project_eligible: Decimal | _Stored | None = STORED,
) -> list[Problem]:
    """Public funding within the bound and the own share not replaced by excluded money, for
    the state with a change (an application's in ``apps``, or the project's eligible cost)."""
    # the project's eligible cost as the change leaves it (a cleared one included)
    override: Any = (
        None
        if isinstance(project_eligible, _Stored)
        else literal(project_eligible, Numeric(*MONEY_DIGITS))
    )
    problems: list[Problem] = []
    cumulated = _worse(
        session,
        rules.public_above_eligible([project.id], apps=apps, project_eligible=override),
        rules.public_above_eligible([project.id]),
        lambda r: r.project_id,
        "total",
        "eligible_cost",
    )
    own_cost = project.eligible_cost if isinstance(project_eligible, _Stored) else project_eligible
    for row in cumulated:
        code = (
            "public_funding_above_eligible"
            if own_cost is not None
            else "public_funding_above_application_costs"
        )
        problems.append(
            Problem(
                field,
                code,
                {
                    "project": project.key,
                    "total": Eur(row.total),
                    "eligible": Eur(row.eligible_cost),
                },
            )
        )
    replaced = _worse(
        session,
        rules.own_share_replaced([project.id], apps=apps, project_eligible=override),
        rules.own_share_replaced([project.id]),
        lambda r: (r.project_id, r.level),
        "other",
        "room",
    )
    for row in replaced:
        problems.append(
            Problem(
                field,
                "own_share_replaced",
                {
                    "project": project.key,
                    "level": label_both(FundingLevel, row.level),
                    "other": Eur(row.other),
                    "room": Eur(row.room),
                },
            )
        )
    return problems


@requires(Action.EDIT_PORTFOLIO)
def check_project_funding(
    session: Session, project_id: int, *, eligible_cost: Decimal | None
) -> list[Problem]:
    """A project's eligible cost must cover its public funding and leave the own shares that
    may not be replaced unreplaced (see :func:`portfolio.funding_rules.public_above_eligible`).

    ``project_id``: the project (stored) whose eligible cost would become ``eligible_cost``."""
    project = session.get(Project, project_id)
    if project is None:
        return []
    return _cumulation_problems(session, project, "eligible_cost", project_eligible=eligible_cost)


@requires(Action.EDIT_PORTFOLIO)
def check_project_restore(session: Session, project_id: int) -> list[Problem]:
    """Restoring an archived project makes its applications count again: the caps that bind
    across projects (MPSC: the city's) must hold with them."""
    now = rules.cap_totals(apps=rules.application_rows(restored=[project_id])).subquery()
    before = rules.cap_totals(only_exceeding=False).subquery()
    return [
        Problem(
            "archived",
            "restore_exceeds_cap",
            {"programme": row.programme_key, "amount": Eur(row.total), "cap": Eur(row.cap)},
        )
        for row in _worse(
            session,
            select(now),
            select(before),
            lambda r: (r.kind, r.programme_id, r.phase, r.scope_project, r.scope_application),
            "total",
            "cap",
        )
    ]


@requires(Action.EDIT_PORTFOLIO)
def check_project_resolution(
    session: Session, project_id: int, values: Mapping[str, Any]
) -> list[Problem]:
    """A project's council resolution stays in place (dated on or before) while an application
    handed in under a phase that needs one (MPSC phase B) stands on it."""
    first = session.execute(
        select(FundingApplication.key, FundingApplication.submitted_on)
        .join(
            ProgrammePhase,
            and_(
                ProgrammePhase.programme_id == FundingApplication.programme_id,
                ProgrammePhase.key == FundingApplication.phase,
            ),
        )
        .where(
            FundingApplication.project_id == project_id,
            FundingApplication.archived.is_(False),
            FundingApplication.status.in_(FILED_APPLICATION_STATUSES),
            ProgrammePhase.requires_council_resolution.is_(True),
        )
        .order_by(FundingApplication.submitted_on, FundingApplication.key)
        .limit(1)
    ).first()
    if first is None:
        return []
    on, url = values.get("council_resolution_on"), values.get("council_resolution_url")
    if on is None or not url:
        field = "council_resolution_on" if on is None else "council_resolution_url"
        return [Problem(field, "council_resolution_in_use", {"key": first.key})]
    if first.submitted_on is not None and on > first.submitted_on:
        return [
            Problem(
                "council_resolution_on",
                "council_resolution_after_application",
                {"on": on, "submitted": first.submitted_on, "project": first.key},
            )
        ]
    return []


def _cap_problems(
    session: Session,
    values: Mapping[str, Any],
    programme: FundingProgramme,
    application_id: int | None,
    field: str,
) -> list[Problem]:
    """The programme's caps at their scope (per application, per project, per city), on the
    state with this application's change."""
    candidate = {c: values.get(c) for c in rules.APPLICATION_COLUMNS} | {"id": application_id}
    now = rules.cap_totals(
        apps=rules.application_rows(candidate, programme_id=programme.id),
        programme_id=programme.id,
    ).subquery()
    before = rules.cap_totals(programme_id=programme.id, only_exceeding=False).subquery()
    own_id = rules.NEW_ROW_ID if application_id is None else application_id
    mine = and_(
        or_(now.c.scope_project.is_(None), now.c.scope_project == values.get("project_id")),
        or_(now.c.scope_application.is_(None), now.c.scope_application == own_id),
        or_(now.c.phase.is_(None), now.c.phase == values.get("phase")),
    )
    problems: list[Problem] = []
    for row in _worse(
        session,
        select(now).where(mine),
        select(before),
        lambda r: (r.kind, r.phase, r.scope_project, r.scope_application),
        "total",
        "cap",
    ):
        where = programme.name if row.kind == "programme" else f"Phase {row.phase}"
        scope = label_both(CapScope, programme.cap_scope)
        problems.append(
            Problem(
                field,
                "implementation_cap_exceeded" if row.kind == "implementation" else "cap_exceeded",
                {
                    "amount": Eur(row.total),
                    "cap": Eur(row.cap),
                    "phase": where,
                    "programme": programme.name,
                    "scope": scope,
                },
            )
        )
    return problems


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
        return [
            Problem(
                "alternative_to_id",
                "alternative_of_alternative",
                {
                    "key": target.key,
                    "first": target.alternative_to.key if target.alternative_to else "",
                },
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
    if application_id is not None:
        followers = (
            session.execute(
                select(FundingApplication.key).where(
                    FundingApplication.alternative_to_id == application_id,
                    FundingApplication.archived.is_(False),
                )
            )
            .scalars()
            .first()
        )
        if followers is not None:
            return [
                Problem("alternative_to_id", "alternative_has_alternatives", {"key": followers})
            ]
    return []


def _payments_total(session: Session, application_id: int, *conditions: Any) -> Decimal:
    return Decimal(
        session.execute(
            select(func.coalesce(func.sum(PaymentRequest.amount), 0)).where(
                PaymentRequest.application_id == application_id, *conditions
            )
        ).scalar_one()
    )


@requires(Action.EDIT_PORTFOLIO)
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
            )
            transition_ok = False
    if transition_ok and status in DECIDED and values.get("decision_on") is None:
        problems.append(
            Problem(
                "decision_on",
                "decision_needs_date",
                {"status": label_both(ApplicationStatus, status)},
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
                {"status": label_both(ApplicationStatus, status)},
            )
        )
    submitted, decided = values.get("submitted_on"), values.get("decision_on")
    today = clock.today()
    if decided and decided > today:
        problems.append(Problem("decision_on", "decision_in_future", {"value": decided}))
    if submitted and submitted > today and status in FILED_APPLICATION_STATUSES:
        problems.append(
            Problem(
                "submitted_on",
                "submitted_in_future",
                {"value": submitted, "status": label_both(ApplicationStatus, status)},
            )
        )
    if application_id is not None and transition_ok:
        problems += _payment_state_problems(session, values, application_id, status, old_status)
    problems += _grant_field_problems(
        session, values, application_id, status, old_status, status_checked=transition_ok
    )
    problems += _alternative_problems(session, values, application_id)
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
    if (
        phase is not None
        and phase.implementation_cap is None
        and values.get("implementation_measure")
    ):
        problems.append(
            Problem(
                "implementation_measure",
                "no_implementation_cap",
                {"phase": f"Phase {phase.key}", "programme": programme.name},
            )
        )
    if project is not None and not any(p.field == amount_field for p in problems):
        problems += _cap_problems(session, values, programme, application_id, amount_field)
    if (
        phase is not None
        and phase.requires_council_resolution
        and status in FILED_APPLICATION_STATUSES
        and project is not None
        and _filing_changed(session, values, application_id, old_status)
    ):
        problems += _council_resolution_problems(project, phase.key, programme.name, submitted)

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
        values["proof_of_use_due"] = proof_of_use_deadline(
            programme, phase, decided, values.get("period_end")
        )

    if project is not None and not any(p.field == amount_field for p in problems):
        candidate = {c: values.get(c) for c in rules.APPLICATION_COLUMNS} | {"id": application_id}
        problems += _cumulation_problems(
            session,
            project,
            amount_field,
            apps=rules.application_rows(candidate, projects=[project.id]),
        )
    return problems


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


def _payment_state_problems(
    session: Session,
    values: Mapping[str, Any],
    application_id: int,
    status: str | None,
    old_status: str | None,
) -> list[Problem]:
    """An application's payment requests stay consistent with it: no open request under a
    closed grant, and the approved amount never below what the requests already draw net of
    the refunds claimed back (:func:`portfolio.services.refunds.refunded_total`)."""
    problems: list[Problem] = []
    if status == S.CLOSED and old_status != S.CLOSED:
        open_total = _payments_total(session, application_id, rules.open_payment())
        if open_total > 0:
            problems.append(
                Problem("status", "close_with_open_payments", {"amount": Eur(open_total)})
            )
    decided = values.get("decision_on")
    if decided is not None:
        first_paid = session.execute(
            select(func.min(PaymentRequest.paid_on)).where(
                PaymentRequest.application_id == application_id,
                PaymentRequest.status == PaymentRequestStatus.PAID,
            )
        ).scalar_one()
        if first_paid is not None and first_paid < decided:
            problems.append(
                Problem(
                    "decision_on", "decision_after_payment", {"value": decided, "paid": first_paid}
                )
            )
    approved = values.get("amount_approved")
    if approved is not None:
        drawn = _payments_total(session, application_id, rules.counted_payment())
        refunded = refunds.refunded_total(session, application_id)
        if drawn - refunded > approved:
            paid = _payments_total(
                session, application_id, PaymentRequest.status == PaymentRequestStatus.PAID
            )
            params: dict[str, Any] = {
                "approved": Eur(approved),
                "drawn": Eur(drawn),
                "paid": Eur(paid),
            }
            if refunded:
                code = "approved_below_payments_net"
                params |= {"refunds": Eur(refunded), "net": Eur(drawn - refunded)}
            else:
                code = "approved_below_payments"
            problems.append(Problem("amount_approved", code, params))
    return problems


RECORDING_NOTICE = "portfolio_recording_notice"
"""``session.info`` flag: set (True) by :func:`portfolio.services.grant_notices.record` around
its own write of the application, the one writer allowed to change the grant fields of an
application with notices (see :func:`_grant_field_problems`)."""


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


# ---- commands --------------------------------------------------------------------------------


def _application_key_prefix(session: Session, data: Mapping[str, Any]) -> str | None:
    project = session.get(Project, data["project_id"]) if data.get("project_id") else None
    return f"{project.key}-F" if project is not None else None


OWN_SHARE_GIVEN = "_own_share_given"
OWN_SHARE_WAS_DERIVED = "_own_share_was_derived"


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


@requires(Action.EDIT_PORTFOLIO)
def check_payment(
    session: Session, values: Mapping[str, Any], request_id: int | None
) -> list[Problem]:
    application, problems = application_or_problem(session, values)
    if application is None:
        return problems
    status, paid_on = values.get("status"), values.get("paid_on")
    is_open = status in OPEN_PAYMENT_STATUSES
    # What was paid under a grant renounced or revoked since stays on record (to be refunded).
    renounced_history = (
        application.status in ENDED_GRANT_STATUSES
        and application.decision_on is not None
        and not is_open
    )
    if application.status not in AWARDED_APPLICATION_STATUSES and not renounced_history:
        problems.append(
            Problem(
                "application_id",
                "payment_needs_award",
                {"status": label_both(ApplicationStatus, application.status)},
            )
        )
    elif application.status == S.CLOSED and is_open:
        problems.append(Problem("application_id", "payment_under_closed_grant"))
    if status == PaymentRequestStatus.PAID and paid_on is None:
        problems.append(Problem("paid_on", "paid_needs_date"))
    if paid_on is not None and paid_on > clock.today():
        problems.append(Problem("paid_on", "date_in_future", {"value": paid_on}))
    elif (
        paid_on is not None
        and application.decision_on is not None
        and paid_on < application.decision_on
    ):
        problems.append(
            Problem(
                "paid_on",
                "paid_before_award",
                {"value": paid_on, "decision": application.decision_on},
            )
        )
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
        # counted net of the refunds claimed back (a revocation lowers the approved amount and
        # claims what was paid above it back)
        refunded = refunds.refunded_total(session, application.id)
        total = Decimal(session.execute(stmt).scalar_one()) + amount - refunded
        if total > application.amount_approved:
            params: dict[str, Any] = {
                "total": Eur(total),
                "approved": Eur(application.amount_approved),
            }
            if refunded:
                params["refunds"] = Eur(refunded)
            code = "payments_above_approved_net" if refunded else "payments_above_approved"
            problems.append(Problem("amount", code, params))
    # what was paid stays at least what is claimed back (a paid request later rejected or cut)
    if request_id is not None:
        refunded = refunds.refunded_total(session, application.id)
        if refunded:
            paid_elsewhere = session.execute(
                select(func.coalesce(func.sum(PaymentRequest.amount), 0)).where(
                    PaymentRequest.application_id == application.id,
                    PaymentRequest.status == PaymentRequestStatus.PAID.value,
                    PaymentRequest.id != request_id,
                )
            ).scalar_one()
            paid = Decimal(paid_elsewhere) + (
                amount if status == PaymentRequestStatus.PAID and amount is not None else 0
            )
            if paid < refunded:
                problems.append(
                    Problem(
                        "status",
                        "paid_below_refunds",
                        {"paid": Eur(paid), "refunds": Eur(refunded)},
                    )
                )
    # the final share after the check of the proof of use (proofs reads this module: lazily)
    from portfolio.services import proofs

    problems += proofs.final_share_problems(session, application, values, request_id)
    return problems


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
