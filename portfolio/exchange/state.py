"""The database side of the exchange: scope, reference lookups and the rows of each sheet.

Everything is read with a few Core queries (one per sheet), never row by row, so the export and
the import of 10,000 projects stay fast. Export and import use the same loaders, so what the
import compares against is exactly what the export wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from db.models import (
    ActionField,
    CostItem,
    FundingApplication,
    FundingProgramme,
    Kpi,
    KpiMeasurement,
    Milestone,
    Organisation,
    Participation,
    PaymentRequest,
    Project,
    StatusReport,
    Theme,
)
from portfolio.errors import NotFound
from portfolio.exchange.schema import NAME_SEPARATOR, NAMED_REFS, Sheet
from portfolio.i18n import pick


@dataclass(frozen=True)
class Scope:
    """Which part of the portfolio a workbook covers: all of it, or one partner's projects.

    ``project_keys`` narrows an export to a list of projects (the dashboard's filtered view).
    """

    partner: str | None = None
    project_keys: tuple[str, ...] | None = None

    @property
    def label(self) -> str:
        return f"partner:{self.partner}" if self.partner else "all"

    @classmethod
    def parse(cls, label: str) -> Scope:
        if label.startswith("partner:"):
            return cls(partner=label.split(":", 1)[1])
        return cls()


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


@dataclass
class Lookup:
    """Keys and names of one kind of referenced row, resolved case-insensitively (keys first)."""

    by_id: dict[int, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)
    names: dict[str, int | None] = field(default_factory=dict)  # None: ambiguous name

    def add(self, row: dict[str, Any], *names: str | None) -> None:
        self.by_id[row["id"]] = row
        self.keys[_norm(row["key"])] = row["id"]
        for name in names:
            if not name:
                continue
            n = _norm(name)
            if n in self.names and self.names[n] != row["id"]:
                self.names[n] = None
            else:
                self.names[n] = row["id"]

    def resolve(self, text: str) -> int | None:
        n = _norm(text)
        if n in self.keys:
            return self.keys[n]
        return self.names.get(n)

    def key_of(self, id_: int | None) -> str | None:
        if id_ is None:
            return None
        row = self.by_id.get(id_)
        return row["key"] if row else None


def code_of(text: str) -> str | None:
    """The code of a "CODE – Name" cell (``STW – Stadtwerke Bochum GmbH`` → ``STW``), None for
    text without the separator. A plain hyphen between spaces counts too (typed by hand)."""
    for sep in (NAME_SEPARATOR, " - ", " — "):
        head, found, _rest = text.partition(sep)
        if found and head.strip():
            return head.strip()
    return None


def ref_label(target: str, row: dict[str, Any], lang: str) -> str:
    """What a reference cell and its dropdown show: "CODE – Name" for the targets in
    :data:`NAMED_REFS` (the name in the workbook's language where there is one), else the key."""
    if target not in NAMED_REFS:
        return str(row["key"])
    name = pick(row.get("name"), row.get("name_en"), lang)
    return f"{row['key']}{NAME_SEPARATOR}{' '.join(str(name).split())}" if name else str(row["key"])


@dataclass
class Refs:
    action_field: Lookup
    organisation: Lookup
    programme: Lookup
    project: Lookup
    application: Lookup
    kpi: Lookup
    themes: list[dict[str, Any]]

    def lookup(self, target: str) -> Lookup:
        found: Lookup = getattr(self, target)
        return found


def _rows(conn: Connection, stmt: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(stmt).mappings()]


def load_refs(conn: Connection) -> Refs:
    themes = _rows(
        conn,
        select(Theme.id, Theme.key, Theme.name, Theme.name_en).order_by(Theme.position, Theme.key),
    )
    theme_by_id = {t["id"]: t for t in themes}
    action_field = Lookup()
    for row in _rows(
        conn,
        select(
            ActionField.id,
            ActionField.key,
            ActionField.name,
            ActionField.name_en,
            ActionField.theme_id,
        ).order_by(ActionField.key),
    ):
        row["theme"] = theme_by_id.get(row["theme_id"])
        action_field.add(row, row["name"], row["name_en"])
    organisation = Lookup()
    for row in _rows(
        conn,
        select(
            Organisation.id,
            Organisation.key,
            Organisation.name,
            Organisation.short_name,
            Organisation.kind,
            Organisation.archived,
        ).order_by(Organisation.key),
    ):
        organisation.add(row, row["short_name"], row["name"])
    programme = Lookup()
    for row in _rows(
        conn,
        select(
            FundingProgramme.id,
            FundingProgramme.key,
            FundingProgramme.name,
            FundingProgramme.funder,
            FundingProgramme.level,
            FundingProgramme.standard_rate,
            FundingProgramme.raised_rate,
            FundingProgramme.cap,
            FundingProgramme.archived,
        ).order_by(FundingProgramme.key),
    ):
        programme.add(row, row["name"])
    project = Lookup()
    for row in _rows(
        conn, select(Project.id, Project.key, Project.title, Project.archived).order_by(Project.key)
    ):
        project.add(row)
    application = Lookup()
    for row in _rows(
        conn,
        select(FundingApplication.id, FundingApplication.key, FundingApplication.project_id),
    ):
        application.add(row)
    kpi = Lookup()
    for row in _rows(conn, select(Kpi.id, Kpi.key, Kpi.name, Kpi.unit, Kpi.project_id)):
        kpi.add(row)
    return Refs(action_field, organisation, programme, project, application, kpi, themes)


def partner_id(refs: Refs, partner: str) -> int:
    org_id = refs.organisation.resolve(partner)
    if org_id is None:
        raise NotFound("organisation", partner)
    return org_id


def lead_projects_stmt(org: int) -> Any:
    """The ids of the projects ``org`` leads (Federführung): a subquery."""
    return select(Project.id).where(Project.lead_organisation_id == org)


def lead_project_ids(conn: Connection, org: int) -> set[int]:
    return set(conn.execute(lead_projects_stmt(org)).scalars())


def scope_project_ids(conn: Connection, refs: Refs, scope: Scope) -> set[int] | None:
    """The projects a scope covers (None: every project)."""
    ids: set[int] | None = None
    if scope.partner:
        org = partner_id(refs, scope.partner)
        ids = set(
            conn.execute(
                select(Participation.project_id).where(Participation.organisation_id == org)
            ).scalars()
        )
    if scope.project_keys is not None:
        found = (refs.project.keys.get(_norm(k)) for k in scope.project_keys)
        chosen = {i for i in found if i is not None}
        ids = chosen if ids is None else ids & chosen
    return ids


TABLE_OF = {
    "project": Project,
    "participation": Participation,
    "funding_application": FundingApplication,
    "payment_request": PaymentRequest,
    "cost_item": CostItem,
    "milestone": Milestone,
    "kpi_measurement": KpiMeasurement,
    "status_report": StatusReport,
}


def row_key(sheet: Sheet, row: dict[str, Any]) -> str:
    if sheet.id_key_prefix:
        return f"{sheet.id_key_prefix}-{row['id']}"
    return str(row["key"])


def load_rows(
    conn: Connection,
    sheet: Sheet,
    refs: Refs,
    *,
    project_ids: set[int] | None,
    partner_org: int | None,
    include_archived: bool,
) -> list[dict[str, Any]]:
    """The rows of ``sheet`` in scope, in the order the workbook lists them.

    Every row has ``id``, ``version``, ``_key``, ``_project_id``, ``_archived`` and one entry
    per service field.
    """
    model: Any = TABLE_OF[sheet.entity]
    table = model.__table__
    cols = [table.c.id, table.c.version] + [table.c[f] for f in sheet.specs if f in table.c]
    project_col: Any
    stmt: Any
    archived_cols: list[Any] = []
    if "archived" in table.c:
        archived_cols.append(table.c.archived)
    if sheet.entity in ("payment_request", "cost_item"):
        project_col = FundingApplication.project_id
        archived_cols.append(FundingApplication.archived.label("_parent_archived"))
        stmt = select(*cols, project_col.label("_project_id"), *archived_cols).join(
            FundingApplication, FundingApplication.id == table.c.application_id
        )
    elif sheet.entity == "kpi_measurement":
        project_col = Kpi.project_id
        archived_cols.append(Kpi.archived.label("_parent_archived"))
        stmt = select(*cols, project_col.label("_project_id"), *archived_cols).join(
            Kpi, Kpi.id == KpiMeasurement.kpi_id
        )
    elif sheet.entity == "project":
        project_col = table.c.id
        stmt = select(*cols, table.c.id.label("_project_id"), *archived_cols)
    else:
        project_col = table.c.project_id
        stmt = select(*cols, project_col.label("_project_id"), *archived_cols)
    if partner_org is not None:
        stmt = stmt.where(
            project_col.in_(
                select(Participation.project_id).where(Participation.organisation_id == partner_org)
            )
        )
        if sheet.entity == "participation":
            stmt = stmt.where(Participation.organisation_id == partner_org)
        if sheet.lead_only:
            stmt = stmt.where(project_col.in_(lead_projects_stmt(partner_org)))
    rows = _rows(conn, stmt)
    out: list[dict[str, Any]] = []
    projects = refs.project.by_id
    for row in rows:
        pid = row["_project_id"]
        if project_ids is not None and pid not in project_ids:
            continue
        project = projects.get(pid)
        archived = bool(row.pop("archived", False)) or bool(row.pop("_parent_archived", False))
        archived = archived or bool(project and project["archived"])
        if archived and not include_archived:
            continue
        row["_archived"] = archived
        row["_key"] = row_key(sheet, row)
        out.append(row)
    out.sort(key=_order(sheet, refs))
    return out


def _order(sheet: Sheet, refs: Refs) -> Any:
    projects = refs.project.by_id
    kpis = refs.kpi.by_id

    def project_key(row: dict[str, Any]) -> str:
        p = projects.get(row["_project_id"])
        return p["key"] if p else ""

    if sheet.entity == "participation":
        return lambda r: (project_key(r), r["id"])
    if sheet.entity == "milestone":
        return lambda r: (project_key(r), r["due_date"], r["key"])
    if sheet.entity == "kpi_measurement":
        return lambda r: (kpis[r["kpi_id"]]["key"] if r["kpi_id"] in kpis else "", r["measured_on"])
    if sheet.entity == "status_report":
        return lambda r: (project_key(r), r["report_date"], r["id"])
    return lambda r: r["_key"]


def chunks(items: Iterable[Any], size: int = 500) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
