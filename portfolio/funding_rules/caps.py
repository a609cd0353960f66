"""The caps of a programme (of a phase, of the programme, of a phase's implementation measures)
against the live applications' money, at the scope the programme counts them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    Subquery,
    and_,
    case,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from db.enums import LIVE_APPLICATION_STATUSES, CapScope
from db.models import FundingProgramme, ProgrammePhase
from portfolio.funding_rules.across_rows import AppRows, app_amount, application_rows
from portfolio.funding_rules.scope import ProjectIds, scope_ids
from portfolio.funding_rules.sql import Rows, exceeds

CAP_KINDS = ("phase", "programme", "implementation")
"""The caps of a programme: of a phase, of the programme over all its phases, and of a phase's
first implementation measures."""


def _capped_programmes() -> Select[Any]:
    """Ids of the programmes with a cap of any kind (of the programme or of one of its phases)."""
    return select(FundingProgramme.id).where(
        or_(
            FundingProgramme.cap.is_not(None),
            FundingProgramme.id.in_(
                select(ProgrammePhase.programme_id).where(
                    or_(
                        ProgrammePhase.cap.is_not(None),
                        ProgrammePhase.implementation_cap.is_not(None),
                    )
                )
            ),
        )
    )


def _capped_rows(a: AppRows, programme_id: int | None) -> Subquery:
    """The live applications under a cap, each with the scope its programme counts the caps at
    and the caps: (programme_id, programme_key, phase, scope_project, scope_application, amount,
    implementation_measure, programme_cap, phase_cap, implementation_cap)."""
    capped = or_(
        FundingProgramme.cap.is_not(None),
        ProgrammePhase.cap.is_not(None),
        ProgrammePhase.implementation_cap.is_not(None),
    )
    city = FundingProgramme.cap_scope == CapScope.CITY.value
    per_app = FundingProgramme.cap_scope == CapScope.APPLICATION.value
    rows = (
        select(
            a.c.programme_id,
            FundingProgramme.key.label("programme_key"),
            a.c.phase,
            case((city, null()), else_=a.c.project_id).label("scope_project"),
            case((per_app, a.c.id), else_=null()).label("scope_application"),
            app_amount(a).label("amount"),
            a.c.implementation_measure,
            FundingProgramme.cap.label("programme_cap"),
            ProgrammePhase.cap.label("phase_cap"),
            ProgrammePhase.implementation_cap.label("implementation_cap"),
        )
        .join(FundingProgramme, FundingProgramme.id == a.c.programme_id)
        .join(
            ProgrammePhase,
            and_(
                ProgrammePhase.programme_id == a.c.programme_id,
                ProgrammePhase.key == a.c.phase,
            ),
            isouter=True,
        )
        .where(a.c.status.in_(LIVE_APPLICATION_STATUSES), capped)
    )
    if programme_id is not None:
        rows = rows.where(a.c.programme_id == programme_id)
    return rows.subquery()


def _cap_total(
    r: Subquery,
    kind: str,
    cap: Any,
    where: Sequence[ColumnElement[bool]],
    *extra: ColumnElement[bool],
    by_phase: bool,
    only_exceeding: bool,
) -> Rows:
    """The money under one kind of cap, per scope (and per phase with ``by_phase``)."""
    scope = (r.c.programme_id, r.c.programme_key, r.c.scope_project, r.c.scope_application)
    total = func.sum(r.c.amount)
    stmt = (
        select(
            literal(kind).label("kind"),
            r.c.programme_id,
            r.c.programme_key,
            (r.c.phase if by_phase else null()).label("phase"),
            r.c.scope_project,
            r.c.scope_application,
            total.label("total"),
            func.max(cap).label("cap"),
        )
        .where(cap.is_not(None), *where, *extra)
        .group_by(*scope, *((r.c.phase,) if by_phase else ()))
    )
    if only_exceeding:
        stmt = stmt.having(exceeds(total, func.max(cap)))
    return stmt


def cap_totals(
    projects: ProjectIds | None = None,
    *,
    apps: AppRows | None = None,
    programme_id: int | None = None,
    only_exceeding: bool = True,
) -> CompoundSelect[*tuple[Any, ...]]:
    """Live applications' money against the caps of their programme, at the programme's scope
    (:class:`db.enums.CapScope`: per application, per project, or the sum over all the city's
    measures): (kind, programme_id, programme_key, phase, scope_project, scope_application,
    total, cap). ``scope_project`` is empty for a city-wide cap, ``scope_application`` set only
    for a cap per application. With ``projects`` only the caps binding applications of those
    projects (a city-wide cap always binds all)."""
    a = apps
    if a is None:
        a = application_rows(programme_id=programme_id, programmes=_capped_programmes())
    r = _capped_rows(a, programme_id)
    where: list[ColumnElement[bool]] = []
    if projects is not None:
        where.append(or_(r.c.scope_project.is_(None), r.c.scope_project.in_(scope_ids(projects))))
    implementation = r.c.implementation_measure.is_(True)
    return union_all(
        _cap_total(r, "phase", r.c.phase_cap, where, by_phase=True, only_exceeding=only_exceeding),
        _cap_total(
            r, "programme", r.c.programme_cap, where, by_phase=False, only_exceeding=only_exceeding
        ),
        _cap_total(
            r,
            "implementation",
            r.c.implementation_cap,
            where,
            implementation,
            by_phase=True,
            only_exceeding=only_exceeding,
        ),
    )


def caps_exceeded(projects: ProjectIds) -> Rows:
    """The caps exceeded, for the warnings (see :func:`cap_totals`)."""
    return select(cap_totals(projects).subquery())
