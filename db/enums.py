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


REPORTING_PROJECT_STATUSES: tuple[str, ...] = (
    ProjectStatus.PLANNING.value,
    ProjectStatus.IMPLEMENTATION.value,
)
"""Running projects, expected to report regularly (status reports)."""


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
    REVOKED = "revoked"  # widerrufen (Widerruf in voller Höhe)


# ---- named status groups: the one place a rule, figure or page takes a set of codes from ------
# Plain ``str`` values in workflow order, so they serve ``in`` tests and SQL ``IN`` alike.

PUBLIC_FUNDING_LEVELS: tuple[str, ...] = tuple(
    s.value for s in (FundingLevel.EU, FundingLevel.FEDERAL, FundingLevel.STATE)
)
"""Public funders (EU, Bund, Land): together at most a project's eligible cost."""

_A = ApplicationStatus
LIVE_APPLICATION_STATUSES: tuple[str, ...] = tuple(
    s.value for s in _A if s not in (_A.REJECTED, _A.WITHDRAWN, _A.REVOKED)
)
"""Applications whose money counts (requested): everything but the dead ends."""
AWARDED_APPLICATION_STATUSES: tuple[str, ...] = tuple(
    s.value for s in (_A.APPROVED, _A.IN_PROGRESS, _A.PROOF_SUBMITTED, _A.CLOSED)
)
"""Applications with a funding decision in their favour (approved money)."""
RUNNING_GRANT_STATUSES: tuple[str, ...] = tuple(s.value for s in (_A.APPROVED, _A.IN_PROGRESS))
"""Awarded grants whose proof of use is still to be handed in (proof-of-use deadlines)."""
DECIDED_APPLICATION_STATUSES: tuple[str, ...] = (*AWARDED_APPLICATION_STATUSES, _A.REJECTED.value)
"""Applications the funder has decided on (they need a decision date)."""
AMENDABLE_GRANT_STATUSES: tuple[str, ...] = tuple(
    s.value for s in (_A.APPROVED, _A.IN_PROGRESS, _A.PROOF_SUBMITTED)
)
"""Awarded grants a notice (Änderungsbescheid) can still amend: not closed."""
DECISION_OUTCOMES: tuple[str, ...] = (_A.APPROVED.value, _A.REJECTED.value)
"""The statuses a funding decision moves an application into (the brief's "decisions")."""
FILED_APPLICATION_STATUSES: tuple[str, ...] = (
    _A.SUBMITTED.value,
    *AWARDED_APPLICATION_STATUSES,
    _A.REJECTED.value,
)
"""Applications handed in to the funder (submitted, whatever was decided since)."""
UNDECIDED_APPLICATION_STATUSES: tuple[str, ...] = tuple(
    s.value for s in (_A.IDEA, _A.SKETCH, _A.SUBMITTED)
)
"""Live applications still waiting for the funder's decision."""


ENDED_GRANT_STATUSES: tuple[str, ...] = (_A.WITHDRAWN.value, _A.REVOKED.value)
"""Where a grant ends early: renounced (Verzicht) or revoked in whole (Widerruf)."""


class NoticeKind(StrEnum):
    """The kind of a notice on an application: the funder's Bescheide and the city's Verzicht."""

    AWARD = "award"  # Zuwendungsbescheid
    PARTIAL_AWARD = "partial_award"  # Teilbewilligung: less approved than requested
    AMENDMENT = "amendment"  # Änderungsbescheid
    REVOCATION = "revocation"  # Widerrufsbescheid, in whole (amount 0) or in part
    RENUNCIATION = "renunciation"  # Verzicht: the city gives the grant up (its declaration)


AWARD_NOTICE_KINDS: tuple[str, ...] = (NoticeKind.AWARD.value, NoticeKind.PARTIAL_AWARD.value)
"""The notices that award a grant (the first notice of an application)."""
ENDING_NOTICE_KINDS: tuple[str, ...] = (
    NoticeKind.REVOCATION.value,
    NoticeKind.RENUNCIATION.value,
)
"""The notices that take (part of) a grant back: money paid above what remains is refunded."""


class RefundKind(StrEnum):
    """A claim of the funder on money paid out (Rückforderung, § 49a VwVfG)."""

    REFUND = "refund"  # Erstattung: the amount goes back, with interest from interest_from
    EARLY_DRAW_INTEREST = "early_draw_interest"  # Zinsen: drawn too early, spent late (§ 49a (4))


class ProofKind(StrEnum):
    """The proofs a grant owes its funder (ANBest Nr. 6 / 7)."""

    INTERIM = "interim"  # Zwischennachweis über ein Haushaltsjahr
    FACTUAL_REPORT = "factual_report"  # Sachbericht
    FINAL = "final"  # Verwendungsnachweis


class ProofState(StrEnum):
    """Where a proof stands: due → submitted → under check → accepted (with a recovery)."""

    DUE = "due"  # fällig
    SUBMITTED = "submitted"  # eingereicht
    UNDER_CHECK = "under_check"  # in Prüfung
    ACCEPTED = "accepted"  # geprüft, ohne Beanstandung
    ACCEPTED_WITH_RECOVERY = "accepted_with_recovery"  # geprüft, mit Rückforderung


OPEN_PROOF_STATES: tuple[str, ...] = (ProofState.DUE.value,)
"""Proofs still to be handed in (their deadline is a duty)."""
CHECKED_PROOF_STATES: tuple[str, ...] = (
    ProofState.ACCEPTED.value,
    ProofState.ACCEPTED_WITH_RECOVERY.value,
)
"""Proofs the funder has checked: after the final one, the final share may be paid."""


class CostType(StrEnum):
    """Cost types of a cost and financing plan (Kostenplan: Ausgabearten)."""

    PERSONNEL = "personnel"  # Personalausgaben
    MATERIAL = "material"  # Sachausgaben
    INVESTMENT = "investment"  # Investitionen
    EXTERNAL_SERVICES = "external_services"  # Fremdleistungen / Aufträge


class ProofOfUseBasis(StrEnum):
    AWARD = "award"  # N months after the award (MPSC)
    END = "end"  # N months after the end of the funding period


class CapScope(StrEnum):
    """Over which applications a programme's caps (programme and phase) bind."""

    APPLICATION = "application"  # je Antrag
    PROJECT = "project"  # je Projekt: alle Anträge eines Projekts im Programm (und der Phase)
    CITY = "city"  # je Stadt und Aufruf: alle Maßnahmen der Stadt (MPSC: eine Zuwendung)


class PaymentWindow(StrEnum):
    """Within how long money drawn must be spent (Nr. 1.4 of the ANBest)."""

    SIX_WEEKS = "6w"  # ANBest-P: binnen sechs Wochen nach Auszahlung
    TWO_MONTHS = "2m"  # ANBest-Gk (NRW), ANBest-K: binnen zwei Monaten nach Auszahlung


class PaymentRequestStatus(StrEnum):
    PLANNED = "planned"  # geplant
    SUBMITTED = "submitted"  # eingereicht
    PAID = "paid"  # ausgezahlt
    REJECTED = "rejected"  # abgelehnt


_P = PaymentRequestStatus
OPEN_PAYMENT_STATUSES: tuple[str, ...] = tuple(s.value for s in (_P.PLANNED, _P.SUBMITTED))
"""Payment requests neither paid nor rejected: overdue once their due date has passed."""
COUNTED_PAYMENT_STATUSES: tuple[str, ...] = (*OPEN_PAYMENT_STATUSES, _P.PAID.value)
"""Payment requests that count against the approved amount (all but rejected ones)."""


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


class Role(StrEnum):
    """What an account may do (the role × action table is :mod:`portfolio.policy`)."""

    ADMIN = "admin"  # Administration: accounts, master data, everything
    STAFF = "staff"  # Innovation Unit: everything in the portfolio but accounts
    LEADERSHIP = "leadership"  # Leitung (CDO): reads everything, publishes briefs
    PARTNER = "partner"  # Partner: scoped to one organisation
    VIEWER = "viewer"  # Lesezugriff: reads what is published (e.g. council members)


class AuditKind(StrEnum):
    """Security-relevant events kept in the audit log (who, when, from where)."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOCKOUT = "lockout"
    LOGOUT = "logout"
    SESSION_EXPIRED = "session_expired"
    UNKNOWN_IDENTITY = "unknown_identity"  # an OpenID login whose e-mail has no account
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    ACCOUNT_CREATED = "account_created"
    ROLE_CHANGED = "role_changed"
    ACCOUNT_DISABLED = "account_disabled"
    ACCOUNT_ENABLED = "account_enabled"
    PARTNER_EXPORT = "partner_export"
    PARTNER_IMPORT = "partner_import"
    BRIEF_PUBLISHED = "brief_published"
    ACCESS_DENIED = "access_denied"
    FEED_CREATED = "feed_created"  # a calendar-feed token was issued
    FEED_REVOKED = "feed_revoked"
    DIGEST_SENT = "digest_sent"  # one digest run: messages sent and failed
    DIGEST_FAILED = "digest_failed"  # a message that could not be delivered after its attempts
    DIGEST_SUBSCRIPTION = "digest_subscription"  # an account subscribed to or left the digest
    PUBLICATION_CHANGED = "publication_changed"  # a project's publish flag or field groups


class FeedScope(StrEnum):
    """What a calendar feed lists: all its owner may see, one organisation's or one project's."""

    ACCOUNT = "account"
    ORGANISATION = "organisation"
    PROJECT = "project"


class DigestSubject(StrEnum):
    """Whom a digest is about: an organisation's projects, or what one account may see."""

    ORGANISATION = "organisation"
    ACCOUNT = "account"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class DeadlineKind(StrEnum):
    """What a deadline on the agenda is (calendar feeds, the digest, the Fristen page)."""

    MILESTONE = "milestone"  # Meilenstein
    PAYMENT_REQUEST = "payment_request"  # Mittelabruf
    PROOF = "proof"  # Zwischennachweis, Sachbericht, Verwendungsnachweis
    STATUS_REPORT = "status_report"  # Statusbericht fällig
    PERIOD_END = "period_end"  # Ende des Bewilligungszeitraums


class PublishGroup(StrEnum):
    """Field groups of a published project beyond its always-public core (key, title, Leitthema,
    Handlungsfeld, stage, spatial effect, open-source repository)."""

    DESCRIPTION = "description"  # summary and goals
    PARTNERS = "partners"  # the organisations and their roles (never persons)
    FUNDING = "funding"  # costs, programmes, amounts approved
    MILESTONES = "milestones"
    KPIS = "kpis"
    STATUS = "status"  # the overall traffic light of the newest status report
