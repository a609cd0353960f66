"""Förderantrag (funding application) and Mittelabruf (payment request)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Archivable, Base, Code, Money, Rate, Versioned
from db.models.catalogue import FundingProgramme
from db.models.project import Project


class FundingApplication(Versioned, Archivable, Base):
    __tablename__ = "funding_application"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("funding_programme.id"), index=True)
    phase: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[Code]
    budget_emergency: Mapped[bool] = mapped_column(default=False)
    # A first implementation measure (erste Umsetzungsmaßnahme) inside a strategy phase: counts
    # against the phase's implementation cap (MPSC phase A).
    implementation_measure: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A declared alternative application (the same cost applied for elsewhere, disclosed as
    # such): counts towards the cumulation only once it is awarded beside the other.
    alternative_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("funding_application.id"), index=True
    )
    amount_requested: Mapped[Money | None]
    amount_approved: Mapped[Money | None]
    eligible_cost: Mapped[Money | None]
    funding_rate: Mapped[Rate | None]
    own_share: Mapped[Money | None]
    reference_number: Mapped[str | None] = mapped_column(String(60))
    submitted_on: Mapped[dt.date | None]
    decision_on: Mapped[dt.date | None]
    period_start: Mapped[dt.date | None]
    period_end: Mapped[dt.date | None]
    # The funder's consent to start before the award (vorzeitiger Maßnahmebeginn).
    early_start_consent_on: Mapped[dt.date | None]
    proof_of_use_due: Mapped[dt.date | None] = mapped_column(index=True)
    note: Mapped[str | None] = mapped_column(Text)

    project: Mapped[Project] = relationship()
    programme: Mapped[FundingProgramme] = relationship()
    alternative_to: Mapped[FundingApplication | None] = relationship(remote_side=[id])
    payment_requests: Mapped[list[PaymentRequest]] = relationship(
        back_populates="application", order_by="PaymentRequest.due_on"
    )
    notices: Mapped[list[GrantNotice]] = relationship(
        back_populates="application", order_by="(GrantNotice.dated_on, GrantNotice.id)"
    )


class PaymentRequest(Versioned, Base):
    __tablename__ = "payment_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(48), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("funding_application.id"), index=True)
    due_on: Mapped[dt.date] = mapped_column(index=True)
    amount: Mapped[Money]
    status: Mapped[Code]
    paid_on: Mapped[dt.date | None]
    # What the payments due within the programme's window after the payout need (ANBest Nr. 1.4:
    # money drawn is spent within 6 weeks / 2 months); a request above it draws too early.
    window_need: Mapped[Money | None]
    note: Mapped[str | None] = mapped_column(String(300))

    application: Mapped[FundingApplication] = relationship(back_populates="payment_requests")


class GrantNotice(Versioned, Base):
    """A funder's notice (Bescheid) on an application: the award (Zuwendungsbescheid, or a
    Teilbewilligung when less than requested is approved) and every amendment
    (Änderungsbescheid). The latest one is the notice in force."""

    __tablename__ = "grant_notice"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("funding_application.id"), index=True)
    kind: Mapped[Code]
    dated_on: Mapped[dt.date]
    amount_approved: Mapped[Money]
    period_start: Mapped[dt.date | None]
    period_end: Mapped[dt.date | None]
    reason: Mapped[str | None] = mapped_column(Text)
    reference_number: Mapped[str | None] = mapped_column(String(60))

    application: Mapped[FundingApplication] = relationship(back_populates="notices")
