"""Accounts (who may sign in, with which role) and the audit log of security events.

Neither table is journaled: a password hash must never reach the journal, and the audit log is
itself the record of what happened to accounts. Accounts are never deleted, only disabled, so
every name the journal holds stays resolvable.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, Code, Versioned, utcnow


class Account(Versioned, Base):
    """Konto: a person (or a partner's clerk) who signs in, built-in or through OpenID Connect."""

    __tablename__ = "account"
    __table_args__ = (
        CheckConstraint(
            "role <> 'partner' OR organisation_id IS NOT NULL", name="partner_has_organisation"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)  # login name, in the journal
    display_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)  # lower case
    role: Mapped[Code]
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))  # Argon2id; None: OpenID only
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    disabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None]
    last_login_at: Mapped[dt.datetime | None]
    password_changed_at: Mapped[dt.datetime | None]
    # Receives the weekly digest of what it may see (besides its organisation's contact address).
    wants_digest: Mapped[bool] = mapped_column(default=False, server_default=false())


class AuditEvent(Base):
    """One security event: a login, a failed login, a lockout, a role change, an export of a
    partner's data, a published brief. ``actor`` is who acted (for a failed login: the name that
    was tried), ``subject`` what it concerned, ``ip`` where it came from as Streamlit reports it."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[Code] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(200), index=True)
    subject: Mapped[str | None] = mapped_column(String(300))
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
