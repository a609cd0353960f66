"""All ORM models; importing this package registers every table on ``Base.metadata``."""

from db.models.access import Account, AuditEvent
from db.models.base import Base
from db.models.catalogue import (
    ActionField,
    BaseRate,
    FundingProgramme,
    Organisation,
    ProgrammePhase,
    Theme,
)
from db.models.funding import (
    BudgetYear,
    CostItem,
    FundingApplication,
    GrantNotice,
    PaymentRequest,
    ProofOfUse,
    Refund,
)
from db.models.journal import JournalChange, JournalEntry
from db.models.outreach import DigestDelivery, FeedToken, SavedView
from db.models.project import Participation, Project
from db.models.records import ImportRecord, PublishedBrief
from db.models.tracking import Kpi, KpiMeasurement, Milestone, StatusReport

__all__ = [
    "Account",
    "ActionField",
    "AuditEvent",
    "Base",
    "BaseRate",
    "BudgetYear",
    "CostItem",
    "DigestDelivery",
    "FeedToken",
    "FundingApplication",
    "FundingProgramme",
    "GrantNotice",
    "ImportRecord",
    "JournalChange",
    "JournalEntry",
    "Kpi",
    "KpiMeasurement",
    "Milestone",
    "Organisation",
    "Participation",
    "PaymentRequest",
    "ProgrammePhase",
    "Project",
    "ProofOfUse",
    "PublishedBrief",
    "Refund",
    "SavedView",
    "StatusReport",
    "Theme",
]
