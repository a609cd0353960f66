"""Meilensteine, Statusberichte and Wirkungsindikatoren of a project."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import MEASURE_DIGITS, Archivable, Base, Code, Versioned
from db.models.catalogue import Organisation
from db.models.project import Project

Measure = Numeric(*MEASURE_DIGITS)


class Milestone(Versioned, Archivable, Base):
    __tablename__ = "milestone"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(48), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[dt.date] = mapped_column(index=True)
    done_date: Mapped[dt.date | None]
    responsible_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))

    project: Mapped[Project] = relationship()
    responsible_organisation: Mapped[Organisation | None] = relationship()


class StatusReport(Versioned, Base):
    """A dated snapshot; the history of a project's reports is kept."""

    __tablename__ = "status_report"
    __table_args__ = (UniqueConstraint("project_id", "report_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    report_date: Mapped[dt.date] = mapped_column(index=True)
    overall: Mapped[Code]
    schedule: Mapped[Code]
    budget: Mapped[Code]
    funding: Mapped[Code]
    summary: Mapped[str | None] = mapped_column(Text)
    risks: Mapped[str | None] = mapped_column(Text)
    decisions_needed: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(200))
    published_on: Mapped[dt.date | None]

    project: Mapped[Project] = relationship()


class Kpi(Versioned, Archivable, Base):
    """Wirkungsindikator: what is measured, in which unit, from where to where."""

    __tablename__ = "kpi"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(48), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40))
    baseline: Mapped[Decimal | None] = mapped_column(Measure)
    target: Mapped[Decimal | None] = mapped_column(Measure)
    target_date: Mapped[dt.date | None]

    project: Mapped[Project] = relationship()
    measurements: Mapped[list[KpiMeasurement]] = relationship(
        back_populates="kpi", order_by="KpiMeasurement.measured_on"
    )


class KpiMeasurement(Versioned, Base):
    __tablename__ = "kpi_measurement"
    __table_args__ = (UniqueConstraint("kpi_id", "measured_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id"), index=True)
    measured_on: Mapped[dt.date]
    value: Mapped[Decimal] = mapped_column(Measure)
    note: Mapped[str | None] = mapped_column(String(300))

    kpi: Mapped[Kpi] = relationship(back_populates="measurements")
