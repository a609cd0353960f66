"""The exchange workbook's layout: sheets, columns, types and who may edit what.

One description serves the export, the import, the annotated error workbook and
``docs/exchange-format.md``. Field types and bounds come from the services' ``FIELDS``; this
module only adds how a field appears in the workbook (header, kind of cell, reference target)
and the partner rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from db.enums import (
    ApplicationStatus,
    CostType,
    ParticipationRole,
    PaymentRequestStatus,
    Priority,
    ProjectStatus,
    SpatialScope,
    TrafficLight,
)
from portfolio.i18n import pick
from portfolio.services import (
    cost_plan,
    funding,
    kpis,
    milestones,
    participations,
    projects,
    status_reports,
)
from portfolio.services.fields import FieldSpec
from portfolio.vocab import field_label

FORMAT_VERSION = 1
META_SHEET = "_meta"

CellKind = Literal[
    "key",
    "version",
    "str",
    "text",
    "date",
    "money",
    "rate",
    "measure",
    "enum",
    "bool",
    "tags",
    "ref",
    "context",
]
RefTarget = Literal["project", "organisation", "action_field", "programme", "application", "kpi"]
NAMED_REFS: frozenset[str] = frozenset({"organisation", "action_field", "programme"})
"""References whose cells show and offer "CODE – Name" (``STW – Stadtwerke Bochum GmbH``),
their reference sheets' dropdown column too; the import reads the code before the first " – "
(or the code alone, or the name). Projects, indicators and applications stay keys: a project's
and an indicator's name stand in the context column beside them, applications have none."""
NAME_SEPARATOR = " – "

CONTEXT_LABELS: dict[str, tuple[str, str]] = {
    "theme": ("Leitthema", "Theme"),
    "project_title": ("Projekttitel", "Project title"),
    "organisation_name": ("Organisationsname", "Organisation name"),
    "project_key": ("Projekt", "Project"),
    "kpi_name": ("Indikator", "Indicator"),
    "kpi_unit": ("Einheit", "Unit"),
}
REF_LABELS: dict[str, tuple[str, str]] = {
    "action_field_id": ("Handlungsfeld", "Action field"),
    "lead_organisation_id": ("Federführung", "Lead organisation"),
    "project_id": ("Projekt", "Project"),
    "organisation_id": ("Organisation", "Organisation"),
    "programme_id": ("Förderprogramm", "Funding programme"),
    "application_id": ("Förderantrag", "Funding application"),
    "responsible_organisation_id": ("Verantwortliche Organisation", "Responsible organisation"),
    "kpi_id": ("Wirkungsindikator", "Impact indicator"),
}


@dataclass(frozen=True)
class Column:
    """One column: ``field`` is the service field it writes, or a context name (read-only)."""

    field: str
    kind: CellKind
    enum: type[StrEnum] | None = None
    ref: RefTarget | None = None
    partner: bool = False  # a partner may change it in existing rows
    width: int = 14

    @property
    def editable(self) -> bool:
        return self.kind not in ("key", "version", "context")

    def header(self, lang: str) -> str:
        pair = CONTEXT_LABELS.get(self.field) if self.kind == "context" else None
        pair = pair or REF_LABELS.get(self.field)
        if pair:
            return pick(pair[0], pair[1], lang)
        return field_label(self.field, lang)

    def headers(self) -> set[str]:
        """Every header this column is recognised by: German, English, the field code."""
        names = {self.header("de"), self.header("en"), self.field}
        if self.field.endswith("_id"):
            names.add(self.field[:-3])
        return {" ".join(n.split()).casefold() for n in names}


@dataclass(frozen=True)
class Sheet:
    id: str
    entity: str  # table name
    title_de: str
    title_en: str
    specs: dict[str, FieldSpec]
    columns: tuple[Column, ...]
    id_key_prefix: str | None = None  # rows without a natural key: "BT-17"
    partner_create: tuple[str, ...] = ()  # fields a partner sets when adding a row
    extra_titles: tuple[str, ...] = field(default=())
    # part of a grant (applications, payment requests, cost plan): kept by the Innovation Unit,
    # read-only for partners except the columns marked ``partner`` (the cost items' actuals)
    grant: bool = False
    # rows already stored are read-only context for everyone (a dated snapshot: the status
    # reports' history is kept); the sheet takes only new rows
    frozen_rows: bool = False
    # a partner adds rows only for the projects it leads (Federführung), not for every project
    # it takes part in
    lead_only: bool = False

    def title(self, lang: str) -> str:
        return pick(self.title_de, self.title_en, lang)

    def titles(self) -> set[str]:
        return {t.casefold() for t in (self.title_de, self.title_en, self.id, *self.extra_titles)}

    @property
    def data_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.editable)


def _col(name: str, kind: CellKind, **kw: object) -> Column:
    return Column(name, kind, **kw)  # type: ignore[arg-type]


KEY = Column("key", "key", width=16)
VERSION = Column("version", "version", width=8)

PROJECTS = Sheet(
    "projects",
    "project",
    "Projekte",
    "Projects",
    projects.FIELDS,
    (
        KEY,
        VERSION,
        _col("title", "str", width=40),
        _col("status", "enum", enum=ProjectStatus, width=22),
        _col("priority", "enum", enum=Priority, width=10),
        _col("action_field_id", "ref", ref="action_field", width=12),
        _col("theme", "context", width=30),
        _col("lead_organisation_id", "ref", ref="organisation", width=12),
        _col("responsible_person", "str", width=30),
        _col("start_date", "date", width=12),
        _col("end_date", "date", width=12),
        _col("total_cost", "money", width=16),
        _col("eligible_cost", "money", width=16),
        _col("spatial_scope", "enum", enum=SpatialScope, width=16),
        _col("spatial_note", "str", partner=True, width=20),
        _col("charter_guidelines", "tags", width=12),
        _col("sdgs", "tags", width=10),
        _col("summary", "text", partner=True, width=50),
        _col("goals", "text", partner=True, width=40),
        _col("origin", "str", width=18),
        _col("council_resolution_on", "date", width=12),
        _col("council_resolution_url", "str", width=30),
        _col("repository_url", "str", partner=True, width=30),
    ),
)
PARTICIPATIONS = Sheet(
    "participations",
    "participation",
    "Beteiligungen",
    "Participations",
    participations.FIELDS,
    (
        KEY,
        VERSION,
        _col("project_id", "ref", ref="project", width=14),
        _col("project_title", "context", width=36),
        _col("organisation_id", "ref", ref="organisation", width=12),
        _col("organisation_name", "context", width=30),
        _col("role", "enum", enum=ParticipationRole, width=18),
        _col("contribution_cash", "money", partner=True, width=16),
        _col("contribution_in_kind", "money", partner=True, width=16),
        _col("note", "str", partner=True, width=30),
    ),
    id_key_prefix="BT",
)
APPLICATIONS = Sheet(
    "applications",
    "funding_application",
    "Förderanträge",
    "Funding applications",
    funding.FIELDS,
    (
        KEY,
        VERSION,
        _col("project_id", "ref", ref="project", width=14),
        _col("project_title", "context", width=30),
        _col("programme_id", "ref", ref="programme", width=14),
        _col("phase", "str", width=8),
        _col("status", "enum", enum=ApplicationStatus, width=22),
        _col("budget_emergency", "bool", width=10),
        _col("implementation_measure", "bool", width=12),
        _col("alternative_to_id", "ref", ref="application", width=16),
        _col("amount_requested", "money", width=16),
        _col("amount_approved", "money", width=16),
        _col("eligible_cost", "money", width=16),
        _col("funding_rate", "rate", width=10),
        _col("own_share", "money", width=16),
        _col("reference_number", "str", width=16),
        _col("submitted_on", "date", width=12),
        _col("decision_on", "date", width=12),
        _col("period_start", "date", width=12),
        _col("period_end", "date", width=12),
        _col("early_start_consent_on", "date", width=12),
        _col("proof_of_use_due", "date", width=12),
        _col("note", "text", width=30),
    ),
    grant=True,
)
PAYMENTS = Sheet(
    "payments",
    "payment_request",
    "Mittelabrufe",
    "Payment requests",
    funding.PAYMENT_FIELDS,
    (
        KEY,
        VERSION,
        _col("application_id", "ref", ref="application", width=18),
        _col("project_key", "context", width=14),
        _col("due_on", "date", width=12),
        _col("amount", "money", width=16),
        _col("window_need", "money", width=16),
        _col("status", "enum", enum=PaymentRequestStatus, width=14),
        _col("paid_on", "date", width=12),
        _col("note", "str", width=30),
    ),
    grant=True,
)
COST_ITEMS = Sheet(
    "cost_items",
    "cost_item",
    "Kostenplan",
    "Cost plan",
    cost_plan.FIELDS,
    (
        KEY,
        VERSION,
        _col("application_id", "ref", ref="application", width=18),
        _col("project_key", "context", width=14),
        _col("cost_type", "enum", enum=CostType, width=20),
        _col("label", "str", width=36),
        _col("requested", "money", width=16),
        _col("approved", "money", width=16),
        _col("actual", "money", partner=True, width=16),
    ),
    grant=True,
)
MILESTONES = Sheet(
    "milestones",
    "milestone",
    "Meilensteine",
    "Milestones",
    milestones.FIELDS,
    (
        KEY,
        VERSION,
        _col("project_id", "ref", ref="project", width=14),
        _col("project_title", "context", width=30),
        _col("title", "str", width=36),
        _col("due_date", "date", width=12),
        _col("done_date", "date", partner=True, width=12),
        _col("responsible_organisation_id", "ref", ref="organisation", width=14),
    ),
)
MEASUREMENTS = Sheet(
    "measurements",
    "kpi_measurement",
    "Messwerte",
    "Measurements",
    kpis.MEASUREMENT_FIELDS,
    (
        KEY,
        VERSION,
        _col("kpi_id", "ref", ref="kpi", width=18),
        _col("kpi_name", "context", width=30),
        _col("kpi_unit", "context", width=10),
        _col("project_key", "context", width=14),
        _col("measured_on", "date", width=12),
        _col("value", "measure", partner=True, width=14),
        _col("note", "str", partner=True, width=30),
    ),
    id_key_prefix="MW",
    partner_create=("kpi_id", "measured_on", "value", "note"),
)

STATUS_REPORTS = Sheet(
    "status_reports",
    "status_report",
    "Statusberichte",
    "Status reports",
    status_reports.FIELDS,
    (
        KEY,
        VERSION,
        _col("project_id", "ref", ref="project", width=14),
        _col("project_title", "context", width=30),
        _col("report_date", "date", width=12),
        # widths as their headers need (and never two alike side by side: XlsxWriter writes
        # equal neighbours as one column range, which some readers see only at its first column)
        _col("overall", "enum", enum=TrafficLight, width=11),
        _col("schedule", "enum", enum=TrafficLight, width=10),
        _col("budget", "enum", enum=TrafficLight, width=9),
        _col("funding", "enum", enum=TrafficLight, width=11),
        _col("summary", "text", width=40),
        _col("risks", "text", width=32),
        _col("decisions_needed", "text", width=30),
        _col("next_steps", "text", width=28),
        _col("author", "str", width=20),
    ),
    id_key_prefix="SB",
    partner_create=(
        "project_id",
        "report_date",
        "overall",
        "schedule",
        "budget",
        "funding",
        "summary",
        "risks",
        "decisions_needed",
        "next_steps",
    ),
    frozen_rows=True,
    lead_only=True,
)

SHEETS: tuple[Sheet, ...] = (
    PROJECTS,
    PARTICIPATIONS,
    APPLICATIONS,
    PAYMENTS,
    COST_ITEMS,
    MILESTONES,
    MEASUREMENTS,
    STATUS_REPORTS,
)
SHEETS_BY_ID = {s.id: s for s in SHEETS}

# Reference and help sheets (read-only, never imported).
REFERENCE_TITLES = {
    "instructions": ("Anleitung", "Instructions"),
    "themes": ("Leitthemen", "Themes"),
    "action_fields": ("Handlungsfelder", "Action fields"),
    "organisations": ("Organisationen", "Organisations"),
    "programmes": ("Förderprogramme", "Funding programmes"),
    "lists": ("Listen", "Lists"),
}


def partner_fields(sheet: Sheet) -> set[str]:
    return {c.field for c in sheet.columns if c.partner}


def find_sheet(title: str) -> Sheet | None:
    wanted = " ".join(title.split()).casefold()
    return next((s for s in SHEETS if wanted in s.titles()), None)
