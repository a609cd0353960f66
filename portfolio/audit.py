"""The audit log: logins, failed logins, lockouts, account and role changes, exports of partner
data, published briefs. Written in the caller's transaction (:func:`record`, open to every
service: it is the record of what was done, not a verb of its own); read by administrators
(:func:`events`, guarded by ``read_audit``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from db.enums import AuditKind
from db.models import AuditEvent
from portfolio.i18n import DEFAULT_LANG, pick
from portfolio.policy import Action, requires

KIND_LABELS: Mapping[AuditKind, tuple[str, str]] = {
    AuditKind.LOGIN: ("Anmeldung", "Sign-in"),
    AuditKind.LOGIN_FAILED: ("Anmeldung fehlgeschlagen", "Failed sign-in"),
    AuditKind.LOCKOUT: ("Anmeldung gesperrt", "Sign-in locked"),
    AuditKind.LOGOUT: ("Abmeldung", "Sign-out"),
    AuditKind.SESSION_EXPIRED: ("Sitzung abgelaufen", "Session expired"),
    AuditKind.UNKNOWN_IDENTITY: ("Unbekannte Identität (OpenID)", "Unknown identity (OpenID)"),
    AuditKind.PASSWORD_CHANGED: ("Passwort geändert", "Password changed"),
    AuditKind.PASSWORD_RESET: ("Passwort zurückgesetzt", "Password reset"),
    AuditKind.ACCOUNT_CREATED: ("Konto angelegt", "Account created"),
    AuditKind.ROLE_CHANGED: ("Rolle geändert", "Role changed"),
    AuditKind.ACCOUNT_DISABLED: ("Konto gesperrt", "Account disabled"),
    AuditKind.ACCOUNT_ENABLED: ("Konto entsperrt", "Account enabled"),
    AuditKind.PARTNER_EXPORT: ("Partnerdaten heruntergeladen", "Partner data downloaded"),
    AuditKind.PARTNER_IMPORT: ("Partner-Arbeitsmappe eingelesen", "Partner workbook imported"),
    AuditKind.BRIEF_PUBLISHED: ("Bericht veröffentlicht", "Brief published"),
    AuditKind.ACCESS_DENIED: ("Zugriff verweigert", "Access denied"),
    AuditKind.FEED_CREATED: ("Kalender-Abo angelegt", "Calendar feed created"),
    AuditKind.FEED_REVOKED: ("Kalender-Abo widerrufen", "Calendar feed revoked"),
    AuditKind.DIGEST_SENT: ("Fristen-Übersicht versandt", "Deadline digest sent"),
    AuditKind.DIGEST_FAILED: (
        "Fristen-Übersicht nicht zugestellt",
        "Deadline digest not delivered",
    ),
    AuditKind.DIGEST_SUBSCRIPTION: (
        "Fristen-Übersicht abonniert oder abbestellt",
        "Deadline digest subscribed or left",
    ),
    AuditKind.PUBLICATION_CHANGED: ("Veröffentlichung geändert", "Publication changed"),
}


def kind_label(kind: str, lang: str = DEFAULT_LANG) -> str:
    try:
        return pick(*KIND_LABELS[AuditKind(kind)], lang)
    except ValueError:
        return kind


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
        ip=ip[:64] if isinstance(ip, str) and ip else None,  # AppTest reports a mock
        detail=detail or {},
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class EventRow:
    id: int
    at: dt.datetime
    kind: str
    actor: str
    subject: str | None
    ip: str | None
    detail: dict[str, Any]


AUDIT_LIMIT = 500


@requires(Action.READ_AUDIT)
def events(
    session: Session,
    *,
    kinds: list[str] | None = None,
    name: str | None = None,
    limit: int = AUDIT_LIMIT,
) -> tuple[list[EventRow], int]:
    """The newest events first (at most ``limit``), and how many match in all. ``kinds``: only
    these; ``name``: events whose actor or subject contains it (case-insensitive)."""
    conditions: list[ColumnElement[bool]] = []
    if kinds:
        conditions.append(AuditEvent.kind.in_(kinds))
    if name and name.strip():
        pattern = f"%{name.strip().lower()}%"
        conditions.append(
            or_(
                func.lower(AuditEvent.actor).like(pattern),
                func.lower(AuditEvent.subject).like(pattern),
            )
        )
    total = int(
        session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    )
    rows = session.execute(
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).scalars()
    return [
        EventRow(e.id, e.at, e.kind, e.actor, e.subject, e.ip, dict(e.detail or {})) for e in rows
    ], total
