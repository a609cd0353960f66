"""What reaches people outside the dashboard and what they keep for themselves: calendar-feed
tokens, the e-mail digest's deliveries, saved views.

None of these tables is journaled. A feed token is a secret (only its SHA-256 is stored;
creating and revoking one is an audit event), a delivery is itself the record of a message sent,
and a saved view is a personal setting, not portfolio data.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, Code, utcnow


class FeedToken(Base):
    """Kalender-Abo: the secret in a calendar feed's URL. The feed lists what its owner account
    may see, narrowed to one organisation or one project where ``scope`` says so."""

    __tablename__ = "feed_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 hex of the secret
    scope: Mapped[Code]  # FeedScope: account, organisation, project
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)  # the owner
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"))
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]


class DigestDelivery(Base):
    """One digest message for one recipient and period ("2026-W49"): sent once, retried on
    failure, never sent twice."""

    __tablename__ = "digest_delivery"
    __table_args__ = (UniqueConstraint("period", "recipient"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(16), index=True)
    recipient: Mapped[str] = mapped_column(String(254))  # e-mail address, lower case
    subject_kind: Mapped[Code]  # DigestSubject: organisation, account
    subject_key: Mapped[str] = mapped_column(String(100))  # organisation key or account name
    state: Mapped[Code]  # DeliveryState: pending, sent, failed
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    items: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]


class SavedView(Base):
    """Gespeicherte Ansicht: a user's named view of a page (the register's filters, sort and
    columns), kept as the page's URL query of codes, so opening it and sharing its link are the
    same thing. A personal setting, not portfolio data: not journaled, deleted for real."""

    __tablename__ = "saved_view"
    __table_args__ = (UniqueConstraint("owner", "page", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)  # the principal's name
    page: Mapped[Code]  # the page's code: "register"
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(String(2000))  # e.g. "thema=2&status=implementation"
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
