"""The demo portfolio's schema: what one project file in ``portfolio/demo/projects/`` holds.

The files are TOML; :mod:`portfolio.demo.data` reads them into these dataclasses and says which
file and field is wrong. In a file, an amount is a string of digits (``"240000"``, exact), a date
is a TOML date, and a date that moves with the demo's day is a whole number of days relative to
it (``-9``: nine days before); a choice is the value the database stores (``"implementation"``).
A field that may be empty (``| None``) is left out for "none"; a list of tables (``[[parts]]``)
with a default may be left out for "none".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeAlias

from db.enums import (
    ApplicationStatus,
    NoticeKind,
    ParticipationRole,
    PaymentRequestStatus,
    Priority,
    ProjectStatus,
    ProofKind,
    SpatialScope,
    TrafficLight,
)

When: TypeAlias = dt.date | int
"""A fixed date, or a number of days relative to ``today`` (negative: in the past)."""

ZERO = Decimal(0)


@dataclass(frozen=True)
class ParticipationDef:
    org: str
    role: ParticipationRole
    cash: Decimal = ZERO
    in_kind: Decimal = ZERO
    note: str | None = None


@dataclass(frozen=True)
class PaymentDef:
    due: When
    amount: Decimal
    status: PaymentRequestStatus
    paid: When | None = None
    note: str | None = None


@dataclass(frozen=True)
class NoticeDef:
    """A notice recorded on the application (grant_notices.record)."""

    kind: NoticeKind
    dated: When
    amount: Decimal | None = None  # None: the amount in force
    period: tuple[When, When] | None = None  # None: the period in force
    reason: str | None = None
    interest_from: When | None = None  # revocation / renunciation: interest on the refund from


@dataclass(frozen=True)
class ProofDef:
    """How far a proof has come: handed in, check started, checked (with a recovery)."""

    kind: ProofKind
    submitted: When
    check_started: When | None = None
    checked: When | None = None
    recovery: Decimal | None = None


@dataclass(frozen=True)
class ApplicationDef:
    programme: str
    status: ApplicationStatus
    eligible: Decimal
    rate: Decimal
    requested: Decimal
    approved: Decimal | None = None
    own_share: Decimal | None = None  # None: eligible cost minus funding (derived)
    phase: str | None = None
    budget_emergency: bool = False
    reference: str | None = None
    submitted: When | None = None
    decided: When | None = None
    period: tuple[When, When] | None = None
    proof_due: When | None = None  # None: the service derives it from the decision date
    note: str | None = None
    payments: tuple[PaymentDef, ...] = ()
    early_start_consent: When | None = None  # vorzeitiger Maßnahmebeginn
    # The grant's life: the award (when not given, the stored award is recorded as its
    # notice) and later notices before the payments; proofs; a notice ending it after them.
    notices: tuple[NoticeDef, ...] = ()
    proofs: tuple[ProofDef, ...] = ()
    ending: NoticeDef | None = None
    refund_repaid: When | None = None  # the refund claimed by the ending notice repaid on


@dataclass(frozen=True)
class MilestoneDef:
    title: str
    due: When
    done: When | None = None
    org: str | None = None


@dataclass(frozen=True)
class ReportDef:
    when: When
    lights: tuple[
        TrafficLight, TrafficLight, TrafficLight, TrafficLight
    ]  # overall, schedule, budget, funding
    summary: str
    author: str
    published: When | None = None


@dataclass(frozen=True)
class KpiDef:
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    target_date: dt.date
    values: tuple[tuple[When, Decimal], ...]


@dataclass(frozen=True)
class ProjectDef:
    """One project of the demo: one TOML file in ``portfolio/demo/projects/``, named by its key."""

    key: str

    title: str
    action_field: str
    status: ProjectStatus
    priority: Priority
    lead: str
    responsible: str
    summary: str
    goals: str
    origin: str
    scope: SpatialScope | None
    scope_note: str | None
    charter: tuple[str, ...]
    sdgs: tuple[str, ...]
    start: When | None
    end: When | None
    total_cost: Decimal | None
    eligible_cost: Decimal | None
    parts: tuple[ParticipationDef, ...]
    milestones: tuple[MilestoneDef, ...]
    reports: tuple[ReportDef, ...]
    funding: tuple[ApplicationDef, ...] = ()
    kpis: tuple[KpiDef, ...] = ()
    repository_url: str | None = None
    council_resolution_on: dt.date | None = None  # the council's resolution on the measure
    council_resolution_url: str | None = None
