"""The projects in scope and the applications that count."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, select

from db.models import ActionField, FundingApplication, Project

ProjectIds = Select[Any] | Iterable[int]
"""The projects in scope: a SELECT of project ids, or the ids themselves."""


def project_scope(theme_id: int | None = None) -> Select[Any]:
    """Ids of the active (not archived) projects, of one Leitthema or all."""
    stmt = select(Project.id).where(Project.active())
    if theme_id is not None:
        stmt = stmt.join(ActionField, ActionField.id == Project.action_field_id).where(
            ActionField.theme_id == theme_id
        )
    return stmt


def scope_ids(projects: ProjectIds) -> Any:
    """The projects in scope, to filter by with ``in_``."""
    # Never correlated with an enclosing query that reads the same table.
    return projects.correlate(None) if isinstance(projects, Select) else list(projects)


def application_counts(projects: ProjectIds) -> ColumnElement[bool]:
    """An application that counts: not archived, of a project in scope."""
    return and_(
        FundingApplication.active(),
        FundingApplication.project_id.in_(scope_ids(projects)),
    )
