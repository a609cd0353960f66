"""Building blocks shared by the read models: scopes, the newest status report, the data stamp."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from db.enums import REPORTING_PROJECT_STATUSES
from db.models import JournalEntry, Organisation, Project, StatusReport, Theme
from portfolio import funding_rules as rules
from portfolio.i18n import pick as pick  # re-exported: pages and reports import it from here
from portfolio.policy import Action, requires

RUNNING_STATUSES: tuple[str, ...] = REPORTING_PROJECT_STATUSES
"""Projects that are expected to report regularly."""
STALE_REPORT_DAYS = 90
NO_LIGHT = "none"
"""Filter value for projects without any status report."""


@requires(Action.SIGNED_IN)
def data_stamp(session: Session) -> int:
    """The newest journal entry id: it moves with every change, from any path that journals.

    Caches take it as part of their key, so edits from another session, the CLI or an import
    show up on the next run without a manual refresh.
    """
    return int(session.execute(select(func.coalesce(func.max(JournalEntry.id), 0))).scalar_one())


@requires(Action.READ_PORTFOLIO)
def theme_id_of(session: Session, theme_key: str | None) -> int | None:
    if not theme_key:
        return None
    return session.execute(select(Theme.id).where(Theme.key == theme_key)).scalar_one_or_none()


def latest_report_date() -> Any:
    """Correlated scalar subquery: the date of the project's newest status report."""
    return (
        select(func.max(StatusReport.report_date))
        .where(StatusReport.project_id == Project.id)
        .correlate(Project)
        .scalar_subquery()
    )


def latest_light() -> Any:
    """Correlated scalar subquery: the overall light of the project's newest status report."""
    return (
        select(StatusReport.overall)
        .where(StatusReport.project_id == Project.id)
        .order_by(StatusReport.report_date.desc())
        .limit(1)
        .correlate(Project)
        .scalar_subquery()
    )


def active_projects(
    theme_id: int | None = None, *, statuses: Sequence[str] | None = None
) -> Select[Any]:
    """The ids of the active projects (:func:`portfolio.funding_rules.project_scope`), of one
    Leitthema or all, optionally of some statuses only."""
    stmt = rules.project_scope(theme_id)
    if statuses:
        stmt = stmt.where(Project.status.in_(list(statuses)))
    return stmt


def stale_report_condition(today: dt.date) -> ColumnElement[bool]:
    """A running project whose newest status report is missing or older than 90 days."""
    newest = latest_report_date()
    cutoff = today - dt.timedelta(days=STALE_REPORT_DAYS)
    return Project.status.in_(RUNNING_STATUSES) & ((newest.is_(None)) | (newest < cutoff))


@requires(Action.READ_PORTFOLIO)
def organisation_options(session: Session) -> list[tuple[str, str]]:
    """(key, short name) of every active organisation, by short name."""
    return [
        (key, short)
        for key, short in session.execute(
            select(Organisation.key, Organisation.short_name)
            .where(Organisation.active())
            .order_by(Organisation.short_name)
        )
    ]


@requires(Action.READ_PORTFOLIO)
def project_counts(session: Session) -> tuple[int, int]:
    """(active, archived) projects: cheap, for the pages' empty states."""
    from sqlalchemy import case

    active, archived = session.execute(
        select(
            func.count(case((Project.active(), 1))),
            func.count(case((Project.archived.is_(True), 1))),
        )
    ).one()
    return int(active or 0), int(archived or 0)
