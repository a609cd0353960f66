"""Förderantrag (funding application) and Mittelabruf (payment request)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
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
    refunds: Mapped[list[Refund]] = relationship(
        back_populates="application", order_by="(Refund.claimed_on, Refund.id)"
    )
    proofs: Mapped[list[ProofOfUse]] = relationship(
        back_populates="application", order_by="(ProofOfUse.due_on, ProofOfUse.id)"
    )
    cost_items: Mapped[list[CostItem]] = relationship(
        back_populates="application", order_by="CostItem.key"
    )
    budget_years: Mapped[list[BudgetYear]] = relationship(
        back_populates="application", order_by="BudgetYear.year"
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


class Refund(Versioned, Base):
    """Rückforderung: a claim of the funder on money paid out, after a revocation, a
    renunciation or the check of a proof of use; or interest on money drawn too early. A
    refund is money flowing back (a negative cash flow), never a changed payment request."""

    __tablename__ = "refund"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(48), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("funding_application.id"), index=True)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("grant_notice.id"), index=True)
    kind: Mapped[Code]
    claimed_on: Mapped[dt.date]
    # The principal: the amount to pay back (refund) or the amount drawn too early (interest).
    amount: Mapped[Money]
    # Interest runs from this day (the payout, or the revocation taking effect) …
    interest_from: Mapped[dt.date | None]
    # … until this day (the money spent, for money drawn too early; else until repaid).
    interest_to: Mapped[dt.date | None]
    repaid_on: Mapped[dt.date | None]
    reason: Mapped[str | None] = mapped_column(Text)

    application: Mapped[FundingApplication] = relationship(back_populates="refunds")


class ProofOfUse(Versioned, Base):
    """A proof owed to the funder: an interim proof (Zwischennachweis) for a budget year, the
    factual report (Sachbericht) or the final proof of use (Verwendungsnachweis), with its
    deadline and its check."""

    __tablename__ = "proof_of_use"
    __table_args__ = (UniqueConstraint("application_id", "kind", "budget_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("funding_application.id"), index=True)
    kind: Mapped[Code]
    # The budget year an interim proof covers; 0 for the factual report and the final proof.
    budget_year: Mapped[int] = mapped_column(default=0, server_default="0")
    due_on: Mapped[dt.date] = mapped_column(index=True)
    state: Mapped[Code]
    submitted_on: Mapped[dt.date | None]
    check_started_on: Mapped[dt.date | None]
    checked_on: Mapped[dt.date | None]
    # What the check found to be recovered (then a refund is claimed).
    recovery_amount: Mapped[Money | None]
    note: Mapped[str | None] = mapped_column(Text)

    application: Mapped[FundingApplication] = relationship(back_populates="proofs")


class CostItem(Versioned, Base):
    """A line of the cost and financing plan (Kostenplan) of an application: requested,
    approved and actually spent per cost type."""

    __tablename__ = "cost_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(48), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("funding_application.id"), index=True)
    cost_type: Mapped[Code]
    label: Mapped[str] = mapped_column(String(200))
    requested: Mapped[Money | None]
    approved: Mapped[Money | None]
    actual: Mapped[Money | None]

    application: Mapped[FundingApplication] = relationship(back_populates="cost_items")


class BudgetYear(Versioned, Base):
    """Jahresscheibe: the part of a grant (and of its own share) that falls into one budget
    year; payment requests due in that year draw against it."""

    __tablename__ = "budget_year"
    __table_args__ = (UniqueConstraint("application_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("funding_application.id"), index=True)
    year: Mapped[int]
    grant_amount: Mapped[Money]
    own_amount: Mapped[Money | None]

    application: Mapped[FundingApplication] = relationship(back_populates="budget_years")
