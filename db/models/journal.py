"""The append-only journal: who changed what, when, through what, field by field."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, Code, utcnow


class JournalEntry(Base):
    __tablename__ = "journal_entry"
    __table_args__ = (
        Index("ix_journal_entry_entity", "entity", "entity_id"),
        Index("ix_journal_entry_project_at", "project_id", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    source: Mapped[Code]  # ui, import, cli, system
    source_ref: Mapped[str | None] = mapped_column(String(200))  # e.g. "import:17"
    entity: Mapped[str] = mapped_column(String(40))  # table name
    entity_id: Mapped[int]
    entity_key: Mapped[str | None] = mapped_column(String(60))
    project_id: Mapped[int | None]  # the project the row belongs to, for the project journal
    action: Mapped[Code]
    version: Mapped[int | None]  # row version after the change

    changes: Mapped[list[JournalChange]] = relationship(
        back_populates="entry", order_by="JournalChange.id", cascade="all, delete-orphan"
    )


class JournalChange(Base):
    __tablename__ = "journal_change"
    __table_args__ = (Index("ix_journal_change_field", "field"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entry.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)

    entry: Mapped[JournalEntry] = relationship(back_populates="changes")
