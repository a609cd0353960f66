"""The record of each import (``ImportRecord``): opened with the transaction, its counts once
applied, the same file applied before, the audit log entry of an import into a partner's
scope, and the dashboard's list of past imports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from db.enums import AuditKind
from db.models import ImportRecord, Organisation
from db.models.base import utcnow
from portfolio import audit
from portfolio.exchange.importer.context import ImportContext
from portfolio.exchange.state import Scope
from portfolio.i18n import fmt_stamp, t
from portfolio.policy import Action, principal_of, requires
from portfolio.policy import check as allow


def same_file_notice(ctx: ImportContext) -> str | None:
    """A notice when the same file was applied before: when, by whom, which import."""
    previous = ctx.conn.execute(
        select(ImportRecord.id, ImportRecord.at, ImportRecord.actor)
        .where(ImportRecord.sha256 == ctx.result.sha256, ImportRecord.outcome == "applied")
        .order_by(ImportRecord.id.desc())
        .limit(1)
    ).first()
    if previous is None:
        return None
    return t(
        "same_file",
        ctx.lang,
        at=fmt_stamp(previous.at, ctx.lang),
        actor=previous.actor,
        id=str(previous.id),
    )


def open_record(ctx: ImportContext, actor: str) -> int:
    """The import's record (its id names the journal entries it writes); it stays only if the
    import is applied."""
    return ctx.conn.execute(
        insert(ImportRecord).returning(ImportRecord.id),
        {
            "actor": actor,
            "file_name": ctx.result.file_name[:300],
            "sha256": ctx.result.sha256,
            "scope": ctx.scope.label,
            "outcome": "applied",
            "counts": {},
            "at": utcnow(),
        },
    ).scalar_one()


def count_record(ctx: ImportContext, record_id: int) -> None:
    """The applied import's counts, per sheet."""
    counts = {k: v.to_json() for k, v in ctx.result.counts.items()}
    ctx.conn.execute(update(ImportRecord).where(ImportRecord.id == record_id).values(counts=counts))


def audit_import(ctx: ImportContext, actor: str, ip: str | None, *, import_id: int) -> None:
    """An applied import into a partner's scope, in the audit log (in the import's transaction;
    a refused file writes nothing, not even this)."""
    result = ctx.result
    audit.record(
        ctx.session,
        AuditKind.PARTNER_IMPORT,
        actor=actor,
        subject=ctx.scope.partner,
        ip=ip,
        detail={
            "import_id": import_id,
            "file": result.file_name[:300],
            "sha256": result.sha256,
            "created": result.created,
            "updated": result.updated,
            "errors": len(result.errors),
            "conflicts": len(result.conflicts),
        },
    )


@requires(Action.PARTNER_READ)
def past_imports(
    session: Session, limit: int = 50, *, scope: str | None = None
) -> list[dict[str, Any]]:
    """The latest imports, newest first, for the dashboard's list (``scope``: only those into
    that scope, e.g. ``partner:STW``); a partner sees only the imports into its own
    organisation's scope (its own and the unit's on its behalf)."""
    who = principal_of(session)
    stmt = select(ImportRecord).order_by(ImportRecord.id.desc()).limit(limit)
    if scope is not None:
        stmt = stmt.where(ImportRecord.scope == scope)
    if who.is_scoped:
        org = session.get(Organisation, who.organisation_id) if who.organisation_id else None
        if org is None:
            return []
        stmt = stmt.where(ImportRecord.scope == Scope(partner=org.key).label)
    else:
        allow(who, Action.READ_JOURNAL)
    rows = session.execute(stmt).scalars()
    return [
        {
            "id": r.id,
            "at": r.at,
            "actor": r.actor,
            "file_name": r.file_name,
            "sha256": r.sha256,
            "scope": r.scope,
            "outcome": r.outcome,
            "counts": r.counts,
        }
        for r in rows
    ]
