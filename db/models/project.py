"""Projekt and its participating organisations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Archivable, Base, Code, Money, Versioned
from db.models.catalogue import ActionField, Organisation


class Project(Versioned, Archivable, Base):
    __tablename__ = "project"
    __table_args__ = (
        Index("ix_project_status_archived", "status", "archived"),
        Index("ix_project_action_field_archived", "action_field_id", "archived"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    goals: Mapped[str | None] = mapped_column(Text)
    status: Mapped[Code]
    priority: Mapped[Code]
    action_field_id: Mapped[int] = mapped_column(ForeignKey("action_field.id"))
    lead_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id"), index=True
    )
    responsible_person: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[dt.date | None]
    end_date: Mapped[dt.date | None]
    total_cost: Mapped[Money | None]
    eligible_cost: Mapped[Money | None]
    spatial_scope: Mapped[Code | None]
    spatial_note: Mapped[str | None] = mapped_column(String(200))
    charter_guidelines: Mapped[list[str]] = mapped_column(default=list)
    sdgs: Mapped[list[str]] = mapped_column(default=list)
    origin: Mapped[str | None] = mapped_column(String(200))
    council_resolution_on: Mapped[dt.date | None]
    council_resolution_url: Mapped[str | None] = mapped_column(String(500))
    repository_url: Mapped[str | None] = mapped_column(String(500))
    # Open data: a published project appears in the catalogue, the public page and its fact
    # sheet with its core fields and the field groups (PublishGroup) listed here.
    published: Mapped[bool] = mapped_column(default=False, server_default=false())
    publish_groups: Mapped[list[str]] = mapped_column(default=list, server_default="[]")

    action_field: Mapped[ActionField] = relationship()
    lead_organisation: Mapped[Organisation | None] = relationship()
    participations: Mapped[list[Participation]] = relationship(
        back_populates="project", order_by="Participation.id"
    )


class Participation(Versioned, Base):
    """An organisation's part in a project: role and contribution (cash and in kind)."""

    __tablename__ = "participation"
    __table_args__ = (UniqueConstraint("project_id", "organisation_id", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    role: Mapped[Code]
    contribution_cash: Mapped[Money] = mapped_column(default=0)
    contribution_in_kind: Mapped[Money] = mapped_column(default=0)
    note: Mapped[str | None] = mapped_column(String(300))

    project: Mapped[Project] = relationship(back_populates="participations")
    organisation: Mapped[Organisation] = relationship()
