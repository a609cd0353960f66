"""What one import carries from sheet to sheet: its session and references, the scope it runs
in, the rows it plans to write, and the services' prepare-and-check step of each sheet."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portfolio.exchange.importer.cells import column_for
from portfolio.exchange.importer.result import ImportResult, Issue
from portfolio.exchange.schema import Sheet
from portfolio.exchange.state import Refs, Scope
from portfolio.i18n import t
from portfolio.services import cost_plan, funding, kpis, milestones, participations, projects
from portfolio.services.base import Preparation

Progress = Callable[[float, str], None]

PREPARE: dict[str, Preparation[Any]] = {
    "project": projects.PREPARE,
    "participation": participations.PREPARE,
    "funding_application": funding.PREPARE,
    "payment_request": funding.PAYMENT_PREPARE,
    "cost_item": cost_plan.PREPARE,
    "milestone": milestones.PREPARE,
    "kpi_measurement": kpis.MEASUREMENT_PREPARE,
}
"""The services' prepare-and-check step of each sheet's rows: the same defaults, keys, derived
fields and rules as the dashboard's single edits. Status reports have none: their rows are only
created, by :func:`portfolio.services.status_reports.create` itself (see
:func:`portfolio.exchange.importer.write.write_stage`)."""
FILLED_IN = frozenset({"author"})
"""Fields of a new status report the import fills in when the row leaves them empty."""


@dataclass
class Planned:
    """A row of the file the import writes: a new record, or the changed fields of one."""

    sheet: Sheet
    row: int
    key: str
    action: str  # create, update
    values: dict[str, Any]  # for update: changed fields only; for create: all fields
    existing: dict[str, Any] | None
    project_id: int | None
    cols: dict[str, int]  # field -> column index
    new_id: int | None = None  # the id a created row got


@dataclass
class ImportContext:
    session: Session
    conn: Connection
    refs: Refs
    scope: Scope
    partner_org: int | None
    partner_projects: set[int] | None
    lang: str
    today: dt.date
    result: ImportResult
    planned: list[Planned] = field(default_factory=list)
    outdated: int = 0
    deferred: list[tuple[dict[str, Any], Callable[[], None]]] = field(default_factory=list)
    # new rows of this file that could not be created: entity -> casefolded key -> (sheet, row)
    failed_new: dict[str, dict[str, tuple[str, int]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    repeated: int = 0  # new rows that already exist with the same values (file imported before)
    # the file is a partner's workbook: its locked cells stay locked whatever scope it is read in
    locked_by_file: bool = False
    # conflicts the user decided field by field: (entity, key, field) -> KEEP_FILE / KEEP_CURRENT
    resolutions: Mapping[tuple[str, str, str], str] = field(default_factory=dict)
    write_failed: bool = False
    leads: dict[int, int] = field(default_factory=dict)  # project id -> lead organisation id
    # caps already exceeded before the file's writes (group -> total): not the file's doing
    cap_breaches_before: dict[tuple[Any, ...], Decimal] = field(default_factory=dict)
    # a partner's scope: the projects it leads (Federführung), for the sheets of lead projects
    partner_leads: set[int] | None = None
    # the importing user as a new status report's author (when the row names none)
    author: str = ""
    # (project id, report date) of the new status reports of the file so far
    report_days: set[tuple[int, dt.date]] = field(default_factory=set)

    def title_of(self, sheet: Sheet) -> str:
        """The sheet's title as the file names it."""
        return self.result.sheet_titles.get(sheet.id, sheet.title_de)

    def issue_at(self, p: Planned, fld: str | None, message: str) -> Issue:
        """An error at a planned row's cell of ``fld`` (at the row when the file has none)."""
        column = column_for(p.sheet, fld) if fld else None
        header = column.header(self.lang) if column else None
        col = p.cols.get(fld) if fld else None
        return Issue(self.title_of(p.sheet), p.row, header, message, col, p.key)

    def withdraw(self, p: Planned) -> None:
        """A planned row found invalid after all: counted as invalid, not as new or changed."""
        counts = self.result.counts[p.sheet.id]
        counts.invalid += 1
        if p.action == "create":
            counts.new -= 1
        else:
            counts.changed -= 1

    def refuse_duplicate(self, exc: IntegrityError) -> None:
        """A write the database refused (a unique key taken meanwhile): nothing is applied."""
        self.write_failed = True
        detail = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        self.result.errors.append(
            Issue("", None, None, t("unique_violation", self.lang, detail=detail[:200]))
        )
