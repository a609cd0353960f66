"""Reference data: Leitthemen, Handlungsfelder, organisations and funding programmes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Archivable, Base, Code, Money, Rate, Versioned


class Theme(Versioned, Base):
    """Leitthema."""

    __tablename__ = "theme"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(16), unique=True)  # "1" … "5"
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    goal: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)
    action_fields: Mapped[list[ActionField]] = relationship(
        back_populates="theme", order_by="ActionField.key"
    )


class ActionField(Versioned, Base):
    """Handlungsfeld, numbered by the concept's chapters like "5.1.1"."""

    __tablename__ = "action_field"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(16), unique=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    theme: Mapped[Theme] = relationship(back_populates="action_fields")


class Organisation(Versioned, Archivable, Base):
    """Partner organisation: city department, municipal company, chamber, …"""

    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[Code]
    contact_role: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))


class FundingProgramme(Versioned, Archivable, Base):
    """Förderprogramm, as data: rates, caps per phase and duties."""

    __tablename__ = "funding_programme"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    funder: Mapped[str] = mapped_column(String(200))
    programme_number: Mapped[str | None] = mapped_column(String(60))
    level: Mapped[Code]
    standard_rate: Mapped[Rate]
    raised_rate: Mapped[Rate | None]
    requires_own_share: Mapped[bool] = mapped_column(default=True)
    cap: Mapped[Money | None]
    proof_of_use_months: Mapped[int | None]
    # From when the proof-of-use deadline counts: "award" (MPSC: months after the commitment)
    # or "end" (most programmes: months after the end of the funding period).
    proof_of_use_basis: Mapped[Code] = mapped_column(default="end", server_default="end")
    # Over which applications the caps bind (CapScope): MPSC is one grant of the city for all
    # its measures, so its caps bind the sum over the city's measures.
    cap_scope: Mapped[Code] = mapped_column(default="project", server_default="project")
    # The funding level whose money may not replace the own share (MPSC: "federal").
    own_share_excluded_level: Mapped[Code | None]
    # Within how long money drawn must be spent (PaymentWindow: "6w" ANBest-P, "2m" ANBest-Gk).
    payment_window: Mapped[Code | None]
    # Percentage points above the base rate charged on refunds and on money drawn too early
    # (§ 49a Abs. 3 und 4 VwVfG: 5 points).
    refund_interest_points: Mapped[Rate | None]
    # Percentage of the grant paid out only after the final proof of use is checked.
    final_share_rate: Mapped[Rate | None]
    # How far a cost item may exceed its approved estimate when savings elsewhere offset it
    # (ANBest-P / ANBest-Gk Nr. 1.2: 20 %); None: every item binds.
    cost_tolerance_rate: Mapped[Rate | None]
    # The cost types (CostType) the programme funds; None: all.
    eligible_cost_types: Mapped[list[str] | None] = mapped_column(JSON)
    # An interim proof (Zwischennachweis) is due this many months after each budget year the
    # funding period runs beyond (ANBest-P Nr. 6.1: 4); None: no interim proofs.
    interim_proof_months: Mapped[int | None]
    duties: Mapped[str | None] = mapped_column(Text)
    phases: Mapped[list[ProgrammePhase]] = relationship(
        back_populates="programme", order_by="ProgrammePhase.key", cascade="all, delete-orphan"
    )


class ProgrammePhase(Versioned, Base):
    """A phase of a programme with its own cap and proof-of-use deadline (MPSC phase A, B)."""

    __tablename__ = "programme_phase"
    __table_args__ = (UniqueConstraint("programme_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("funding_programme.id"), index=True)
    key: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    cap: Mapped[Money | None]
    # Of the cap, at most this much for first implementation measures (MPSC phase A: €1 M).
    implementation_cap: Mapped[Money | None]
    duration_months: Mapped[int | None]
    proof_of_use_months: Mapped[int | None]
    # Applications in this phase need a council resolution before they are handed in (MPSC B).
    requires_council_resolution: Mapped[bool] = mapped_column(default=False, server_default=false())
    programme: Mapped[FundingProgramme] = relationship(back_populates="phases")


class BaseRate(Base):
    """The base rate (Basiszinssatz, § 247 BGB) from a date on; interest on refunds is charged
    at the programme's points above it, period by period."""

    __tablename__ = "base_rate"
    id: Mapped[int] = mapped_column(primary_key=True)
    valid_from: Mapped[dt.date] = mapped_column(unique=True)
    rate: Mapped[Rate]
