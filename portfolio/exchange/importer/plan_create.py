"""Planning a new row of the file: whether the importing scope may add it, the services'
defaults, key and field checks, and whether it belongs to a project of the scope."""

from __future__ import annotations

from functools import partial
from typing import Any

from portfolio.errors import Problem
from portfolio.exchange.importer.cells import shown
from portfolio.exchange.importer.context import PREPARE, ImportContext, Planned
from portfolio.exchange.importer.result import cell_name
from portfolio.exchange.importer.rows import Row, SheetPlan
from portfolio.exchange.schema import Sheet
from portfolio.i18n import t
from portfolio.services import status_reports
from portfolio.services.fields import check
from portfolio.vocab import field_label

Values = dict[str, Any]


def plan_create(ctx: ImportContext, row: Row, key: str | None, values: Values) -> None:
    """Plan the new row ``values`` (``key``: the key it states for itself, if any); its rule
    checks are deferred to the end of the sheet."""
    sp, lang = row.plan, ctx.lang
    if ctx.partner_org is not None and not _partner_may_add(ctx, row, key, values):
        return
    if key and sp.sheet.id_key_prefix:
        row.err(t("key_for_new_row", lang), sp.key_index, key=key)
        return
    for name, spec in sp.sheet.specs.items():
        if spec.required and name not in sp.cols_by_field and name != "key":
            row.err(t("missing_column", lang, field=field_label(name, lang)))
    if row.errors:
        return
    clean, problems = _prepared(ctx, sp, key, values)
    key = key or clean.get("key")
    if problems:
        row.refuse(problems, key=key, at=sp.key_index)
        return
    project_id = _project_of(ctx, sp.sheet, clean)
    if not _within_scope(ctx, row, clean, project_id):
        return
    if clean.get("key"):
        sp.keys.add(clean["key"])
    ctx.deferred.append((clean, partial(_finish_create, ctx, row, key, clean, project_id)))


def _partner_may_add(ctx: ImportContext, row: Row, key: str | None, values: Values) -> bool:
    """A partner adds rows only to the sheets that take them, and sets only the fields a
    partner sets when adding a row."""
    sp, lang = row.plan, ctx.lang
    if not sp.sheet.partner_create:
        if sp.sheet.grant:
            cell = cell_name(sp.key_index, row.excel_row) or "?"
            params = {"row": str(row.excel_row), "cell": cell}
            message = Problem("key", "partner_grant_row", params).message(lang)
        else:
            message = t("partner_create", lang)
        row.err(message, sp.key_index, key=key)
        return False
    for f, v in values.items():
        if v not in (None, []) and f not in sp.sheet.partner_create:
            column = sp.column_of[f]
            new = shown(column, v, lang, ctx.refs)
            message = t("partner_field", lang, field=column.header(lang), new=new, old="–")
            row.err(message, sp.cols_by_field.get(f))
    return not row.errors


def _prepared(
    ctx: ImportContext, sp: SheetPlan, key: str | None, values: Values
) -> tuple[Values, list[Problem]]:
    """The services' defaults, key (one past the highest taken; a row without a key of its own
    also leaves the keys other new rows of the sheet state free) and field checks."""
    sheet = sp.sheet
    data = dict(values)
    if key:
        data["key"] = key
    stated = {k: v for k, v in data.items() if k in sheet.specs}
    prepare = PREPARE.get(sheet.entity)
    if prepare is None:  # a status report: the service's field checks, the author filled in
        clean, problems = check(sheet.specs, stated, partial=False)
        if not clean.get("author") and ctx.author:
            clean["author"] = ctx.author
        return clean, problems
    taken = (sp.keys.for_new() if not key else sp.keys.taken) if "key" in sheet.specs else None
    return prepare.create_values(ctx.session, stated, taken_keys=taken)


def _within_scope(ctx: ImportContext, row: Row, clean: Values, project_id: int | None) -> bool:
    """A partner adds rows only to its projects (to the ones it leads, on some sheets); a
    status report's project and date are new in the file too."""
    sp, lang, refs = row.plan, ctx.lang, ctx.refs
    partner = ctx.scope.partner or ""
    project_key = refs.project.key_of(project_id) or "?"
    if sp.sheet.lead_only and ctx.partner_leads is not None and project_id not in ctx.partner_leads:
        message = t(
            "partner_not_lead",
            lang,
            row=str(row.excel_row),
            sheet=sp.title,
            key=project_key,
            partner=partner,
        )
        row.err(message, sp.cols_by_field.get("project_id"))
        return False
    if sp.sheet.entity == "status_report" and not _new_report_day(ctx, row, clean):
        return False
    if ctx.partner_projects is not None and project_id not in ctx.partner_projects:
        message = t("partner_row", lang, key=project_key, partner=partner)
        row.err(message, sp.cols_by_field.get(_parent_field(sp.sheet)))
        return False
    return True


def _new_report_day(ctx: ImportContext, row: Row, clean: Values) -> bool:
    """Whether the file has no other new report of the same project and date."""
    day = (clean["project_id"], clean["report_date"])
    if day in ctx.report_days:
        problem = Problem("report_date", "report_exists", {"date": clean["report_date"]})
        row.err(problem.message(ctx.lang), row.plan.cols_by_field.get("report_date"))
        return False
    ctx.report_days.add(day)
    return True


def _finish_create(
    ctx: ImportContext,
    row: Row,
    key: str | None,
    clean: Values,
    project_id: int | None,
) -> None:
    """The services' rules on the new row; a row that passes is planned."""
    sp = row.plan
    prepare = PREPARE.get(sp.sheet.entity)
    problems = (
        prepare.create_rules(ctx.session, clean, today=ctx.today)
        if prepare is not None
        else status_reports.check_report(ctx.session, clean, None)
    )
    if problems:
        row.refuse(problems, key=key, at=sp.key_index)
        row.flush(ctx)
        return
    shown_key = clean.get("key") or f"{sp.title} {row.excel_row}"
    sp.counts.new += 1
    ctx.planned.append(
        Planned(
            sp.sheet, row.excel_row, shown_key, "create", clean, None, project_id, sp.cols_by_field
        )
    )
    stated = {f: v for f, v in clean.items() if v is not None and v != [] and f != "key"}
    sp.diff(ctx, row.excel_row, shown_key, "create", stated, None)


def _parent_field(sheet: Sheet) -> str:
    return {
        "payment_request": "application_id",
        "cost_item": "application_id",
        "kpi_measurement": "kpi_id",
    }.get(sheet.entity, "project_id")


def _project_of(ctx: ImportContext, sheet: Sheet, values: Values) -> int | None:
    if sheet.entity in ("payment_request", "cost_item"):
        app = ctx.refs.application.by_id.get(values.get("application_id"))  # type: ignore[arg-type]
        return app["project_id"] if app else None
    if sheet.entity == "kpi_measurement":
        kpi = ctx.refs.kpi.by_id.get(values.get("kpi_id"))  # type: ignore[arg-type]
        return kpi["project_id"] if kpi else None
    return values.get("project_id")
