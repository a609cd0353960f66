"""The funding rules across rows, on the state with one change: the public funding of a project
within what binds it (cumulation), the own share not replaced by money the programme excludes,
the programme's caps at their scope; and the checks a change to a project runs against its
applications (eligible cost, restore, council resolution). A breach already there and not made
worse never blocks an edit."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, and_, literal, or_, select
from sqlalchemy.orm import Session

from db.enums import FILED_APPLICATION_STATUSES, CapScope, FundingLevel
from db.models import FundingApplication, FundingProgramme, ProgrammePhase, Project
from db.models.base import MONEY_DIGITS
from portfolio import funding_rules as rules
from portfolio.errors import Problem
from portfolio.i18n import Eur
from portfolio.policy import Action, requires
from portfolio.vocab import label_both


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


def candidate(values: Mapping[str, Any], application_id: int | None) -> dict[str, Any]:
    """What the rules across rows read of one application about to be written (``id`` None
    when new), see :func:`portfolio.funding_rules.application_rows`."""
    return {c: values.get(c) for c in rules.APPLICATION_COLUMNS} | {"id": application_id}


def _public_funding_problems(
    session: Session, project: Project, field: str, apps: Any, override: Any, own_cost: Any
) -> list[Problem]:
    """The public funding (EU, Bund, Land) of the project within its eligible cost, or where it
    has none, within the applications' own eligible costs."""
    cumulated = _worse(
        session,
        rules.public_above_eligible([project.id], apps=apps, project_eligible=override),
        rules.public_above_eligible([project.id]),
        lambda r: r.project_id,
        "total",
        "eligible_cost",
    )
    code = (
        "public_funding_above_eligible"
        if own_cost is not None
        else "public_funding_above_application_costs"
    )
    return [
        Problem(
            field,
            code,
            {"project": project.key, "total": Eur(row.total), "eligible": Eur(row.eligible_cost)},
        )
        for row in cumulated
    ]


def _own_share_replaced_problems(
    session: Session, project: Project, field: str, apps: Any, override: Any
) -> list[Problem]:
    """The own share not paid by money of a level its programme excludes (MPSC: other federal
    money)."""
    replaced = _worse(
        session,
        rules.own_share_replaced([project.id], apps=apps, project_eligible=override),
        rules.own_share_replaced([project.id]),
        lambda r: (r.project_id, r.level),
        "other",
        "room",
    )
    return [
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
        for row in replaced
    ]


@requires(Action.EDIT_PORTFOLIO)
def check_cumulation(
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
    own_cost = project.eligible_cost if isinstance(project_eligible, _Stored) else project_eligible
    return [
        *_public_funding_problems(session, project, field, apps, override, own_cost),
        *_own_share_replaced_problems(session, project, field, apps, override),
    ]


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
    return check_cumulation(session, project, "eligible_cost", project_eligible=eligible_cost)


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
            FundingApplication.active(),
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


@requires(Action.EDIT_PORTFOLIO)
def check_caps(
    session: Session,
    values: Mapping[str, Any],
    programme: FundingProgramme,
    application_id: int | None,
    field: str,
) -> list[Problem]:
    """The programme's caps at their scope (per application, per project, per city), on the
    state with this application's change."""
    now = rules.cap_totals(
        apps=rules.application_rows(candidate(values, application_id), programme_id=programme.id),
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
