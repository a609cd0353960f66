"""Veröffentlichung: a project's publish flag and the field groups it publishes.

A published (and not archived) project appears on the public page, in the open-data catalogue
and as a public fact sheet, with its always-public core (key, title, Leitthema, Handlungsfeld,
stage, spatial effect, open-source repository, start and end) and the field groups
(:class:`db.enums.PublishGroup`) listed in ``publish_groups``. Personal data is in no group.

The change is an update of the project (journaled by the listener under the session's
principal, checked against the caller's version like every other edit) and an audit event
(:attr:`db.enums.AuditKind.PUBLICATION_CHANGED`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import AuditKind, PublishGroup
from db.models import Project
from portfolio import audit
from portfolio.errors import Problem
from portfolio.i18n import Both
from portfolio.policy import Action, principal_of, requires
from portfolio.services.base import assign, ensure_version, flush, get_or_raise, raise_if
from portfolio.vocab import labels

GROUPS: tuple[str, ...] = tuple(str(g) for g in PublishGroup)
"""Every field group, in the vocabulary's order (the order stored)."""


def _groups_or_problems(groups: Iterable[str]) -> tuple[list[str], list[Problem]]:
    wanted = {str(g).strip() for g in groups if str(g).strip()}
    unknown = sorted(wanted.difference(GROUPS))
    problems = [
        Problem(
            "publish_groups",
            "not_in_list",
            {
                "value": code,
                "allowed": Both(
                    ", ".join(labels(PublishGroup, "de").values()),
                    ", ".join(labels(PublishGroup, "en").values()),
                ),
            },
        )
        for code in unknown
    ]
    return [g for g in GROUPS if g in wanted], problems


@requires(Action.EDIT_PORTFOLIO)
def set_publication(
    session: Session,
    project_id: int,
    *,
    published: bool,
    groups: Iterable[str],
    expected_version: int | None,
) -> Project:
    """Publish (or withdraw) ``project_id`` with the field ``groups`` (PublishGroup codes).

    Unknown codes are refused (:class:`~portfolio.errors.ValidationFailed`, in the user's
    language); a stale ``expected_version`` raises :class:`~portfolio.errors.ConflictError`.
    A save that changes nothing writes nothing (no journal entry, no audit event)."""
    project = get_or_raise(session, Project, project_id)
    ensure_version(session, project, expected_version)
    clean, problems = _groups_or_problems(groups)
    raise_if(problems)
    before = {"published": bool(project.published), "groups": list(project.publish_groups or [])}
    if assign(project, {"published": bool(published), "publish_groups": clean}):
        flush(session, project, expected_version)
        audit.record(
            session,
            AuditKind.PUBLICATION_CHANGED,
            actor=principal_of(session).name,
            subject=project.key,
            detail={
                "before": before,
                "after": {"published": bool(published), "groups": clean},
            },
        )
    return project


@dataclass(frozen=True)
class PublicationRow:
    """A project as the Veröffentlichung page lists it."""

    id: int
    version: int
    key: str
    title: str
    archived: bool
    published: bool
    groups: tuple[str, ...]


@requires(Action.READ_PORTFOLIO)
def publication_rows(session: Session) -> list[PublicationRow]:
    """Every project (archived last) with its publish flag and field groups, in key order."""
    rows = session.execute(
        select(
            Project.id,
            Project.version,
            Project.key,
            Project.title,
            Project.archived,
            Project.published,
            Project.publish_groups,
        ).order_by(Project.archived, Project.key)
    )
    return [
        PublicationRow(
            r.id,
            r.version,
            r.key,
            r.title,
            bool(r.archived),
            bool(r.published),
            tuple(g for g in GROUPS if g in (r.publish_groups or [])),
        )
        for r in rows
    ]
