"""The audit log: logins, failed logins, lockouts, account and role changes, exports of partner
data, published briefs. Written in the caller's transaction; read by administrators."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from db.enums import AuditKind
from db.models import AuditEvent


def record(
    session: Session,
    kind: AuditKind,
    *,
    actor: str,
    subject: str | None = None,
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        kind=str(kind),
        actor=actor[:200],
        subject=(subject or None) and subject[:300],
        ip=ip,
        detail=detail or {},
    )
    session.add(event)
    session.flush()
    return event
