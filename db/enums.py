"""Stored codes of every controlled vocabulary.

Codes are stable English identifiers kept in the database; the German and English labels users
read live in :mod:`portfolio.vocab`.
"""

from __future__ import annotations

from enum import StrEnum


class ProjectStatus(StrEnum):
    IDEA = "idea"  # Ideenstadium
    PLANNING = "planning"  # Vorbereitung/Planung
    IMPLEMENTATION = "implementation"  # in Umsetzung
    COMPLETED = "completed"  # umgesetzt/abgeschlossen
    DISCONTINUED = "discontinued"  # nicht weiter verfolgt


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class SpatialScope(StrEnum):
    CITYWIDE = "citywide"  # gesamtstädtisch
    DISTRICT = "district"  # Stadtbezirk
    QUARTER = "quarter"  # Quartier
    SITE = "site"  # Standort


class OrganisationKind(StrEnum):
    CITY_DEPARTMENT = "city_department"
    MUNICIPAL_COMPANY = "municipal_company"
    CHAMBER = "chamber"
    NETWORK = "network"
    UNIVERSITY = "university"
    COMPANY = "company"
    BANK = "bank"


class ParticipationRole(StrEnum):
    LEAD = "lead"  # Federführung
    PARTNER = "partner"
    COFINANCING = "cofinancing"  # Kofinanzierung
    IMPLEMENTATION = "implementation"  # Umsetzung
    DATA_PROVIDER = "data_provider"  # Datenbereitstellung
    OPERATION = "operation"  # Betrieb


class FundingLevel(StrEnum):
    EU = "eu"
    FEDERAL = "federal"  # Bund
    STATE = "state"  # Land
    MUNICIPAL = "municipal"  # Kommune
    PRIVATE = "private"


PUBLIC_FUNDING_LEVELS = (FundingLevel.EU, FundingLevel.FEDERAL, FundingLevel.STATE)


class ApplicationStatus(StrEnum):
    IDEA = "idea"  # Idee
    SKETCH = "sketch"  # Projektskizze
    SUBMITTED = "submitted"  # Antrag eingereicht
    APPROVED = "approved"  # bewilligt
    REJECTED = "rejected"  # abgelehnt
    WITHDRAWN = "withdrawn"  # zurückgezogen
    IN_PROGRESS = "in_progress"  # in Durchführung
    PROOF_SUBMITTED = "proof_submitted"  # Verwendungsnachweis eingereicht
    CLOSED = "closed"  # abgeschlossen


# Applications whose money counts: everything but the dead ends.
LIVE_APPLICATION_STATUSES = tuple(
    s
    for s in ApplicationStatus
    if s not in (ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN)
)
# Applications with a funding decision in their favour.
AWARDED_APPLICATION_STATUSES = (
    ApplicationStatus.APPROVED,
    ApplicationStatus.IN_PROGRESS,
    ApplicationStatus.PROOF_SUBMITTED,
    ApplicationStatus.CLOSED,
)


class ProofOfUseBasis(StrEnum):
    AWARD = "award"  # N months after the award (MPSC)
    END = "end"  # N months after the end of the funding period


class PaymentRequestStatus(StrEnum):
    PLANNED = "planned"  # geplant
    SUBMITTED = "submitted"  # eingereicht
    PAID = "paid"  # ausgezahlt
    REJECTED = "rejected"  # abgelehnt


class TrafficLight(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class MilestoneState(StrEnum):
    """Derived, never stored."""

    OPEN = "open"  # offen
    DONE = "done"  # erledigt
    DUE_SOON = "due_soon"  # bald fällig
    OVERDUE = "overdue"  # überfällig


class ChangeSource(StrEnum):
    UI = "ui"
    IMPORT = "import"
    CLI = "cli"
    SYSTEM = "system"


class JournalAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    ARCHIVE = "archive"
    RESTORE = "restore"
    DELETE = "delete"
