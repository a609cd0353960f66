"""Rules across rows, checked in SQL on the state after the file's writes: a project's public
funding within its eligible cost, own shares not replaced, the programmes' caps, and payment
requests within the approved amount. An excess is an error at the file's first row behind it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from db.enums import CapScope, FundingLevel
from db.models import FundingProgramme
from portfolio import funding_rules
from portfolio.errors import Problem
from portfolio.exchange.importer.context import ImportContext, Planned
from portfolio.exchange.state import chunks
from portfolio.i18n import Eur
from portfolio.vocab import label_both

Touched = dict[int, Planned]  # a project's or an application's id -> the first row changing it


def check_totals(ctx: ImportContext) -> None:
    """Rules across rows, on the state after the writes: public funding and payment totals."""
    projects_touched, apps_touched = _touched(ctx)
    _check_public_funding(ctx, projects_touched)
    _check_own_shares(ctx, projects_touched)
    _check_caps(ctx)
    _check_payments(ctx, apps_touched)


def cap_breaches(ctx: ImportContext) -> dict[tuple[Any, ...], Decimal]:
    """Every cap exceeded now, by group, with its total: what an import may not deepen."""
    rows = ctx.conn.execute(funding_rules.cap_totals())
    return {_cap_group(r): Decimal(r.total) for r in rows}


def _cap_group(row: Any) -> tuple[Any, ...]:
    return (row.kind, row.programme_id, row.phase, row.scope_project, row.scope_application)


def _touched(ctx: ImportContext) -> tuple[Touched, Touched]:
    """The projects whose funding and the applications whose payments the file changed."""
    projects_touched: Touched = {}
    apps_touched: Touched = {}
    for p in ctx.planned:
        entity = p.sheet.entity
        if entity == "funding_application" and p.project_id is not None:
            projects_touched.setdefault(p.project_id, p)
            if p.existing is not None:
                apps_touched.setdefault(p.existing["id"], p)
        elif entity == "project" and p.existing is not None and "eligible_cost" in p.values:
            projects_touched.setdefault(p.existing["id"], p)
        elif entity == "payment_request":
            app_id = p.values.get("application_id") or (p.existing or {}).get("application_id")
            if app_id is not None:
                apps_touched.setdefault(app_id, p)
    return projects_touched, apps_touched


def _check_public_funding(ctx: ImportContext, projects_touched: Touched) -> None:
    for batch in chunks(projects_touched):
        rows = ctx.conn.execute(funding_rules.public_above_eligible(batch)).all()
        for pid, key, _title, total, eligible in rows:
            p = projects_touched[pid]
            if p.sheet.entity == "project":
                fld = "eligible_cost"
            elif p.values.get("amount_approved") is not None:
                fld = "amount_approved"
            else:
                fld = "amount_requested"
            params = {"project": key, "total": Eur(total), "eligible": Eur(eligible)}
            problem = Problem(fld, "public_funding_above_eligible", params)
            _total_error(ctx, p, fld, problem.message(ctx.lang))


def _check_own_shares(ctx: ImportContext, projects_touched: Touched) -> None:
    for batch in chunks(projects_touched):
        for row in ctx.conn.execute(funding_rules.own_share_replaced(batch)).all():
            p = projects_touched[row.project_id]
            fld = _amount_field(p)
            params = {
                "project": row.key,
                "level": label_both(FundingLevel, row.level),
                "other": Eur(row.other),
                "room": Eur(row.room),
            }
            problem = Problem(fld, "own_share_replaced", params)
            _total_error(ctx, p, fld, problem.message(ctx.lang))


def _check_payments(ctx: ImportContext, apps_touched: Touched) -> None:
    for batch in chunks(apps_touched):
        app_rows = ctx.conn.execute(funding_rules.payments_above_approved(batch)).all()
        for app_id, total, approved in app_rows:
            if approved is None:  # nothing approved yet: the services' rule, not the import's
                continue
            p = apps_touched[app_id]
            fld = "amount" if p.sheet.entity == "payment_request" else "amount_approved"
            params = {"total": Eur(total), "approved": Eur(approved)}
            problem = Problem(fld, "payments_above_approved", params)
            _total_error(ctx, p, fld, problem.message(ctx.lang))


def _amount_field(p: Planned) -> str:
    """The amount an application row counts with (the approved once given)."""
    if p.sheet.entity == "project":
        return "eligible_cost"
    merged = {**(p.existing or {}), **p.values}
    return "amount_approved" if merged.get("amount_approved") is not None else "amount_requested"


def _check_caps(ctx: ImportContext) -> None:
    """The programmes' caps at their scope (MPSC: the city's measures together) on the state
    after the writes; an excess the file creates or deepens is an error at its first row."""
    apps = [p for p in ctx.planned if p.sheet.entity == "funding_application"]
    if not apps:
        return
    merged = [(p, {**(p.existing or {}), **p.values}) for p in apps]
    programmes_ = {int(m["programme_id"]) for _p, m in merged if m.get("programme_id")}
    for programme_id in sorted(programmes_):
        for row in ctx.conn.execute(funding_rules.cap_totals(programme_id=programme_id)):
            if Decimal(row.total) <= ctx.cap_breaches_before.get(_cap_group(row), Decimal(0)):
                continue
            first = _first_in_cap(merged, programme_id, row)
            if first is None:
                continue
            fld = _amount_field(first)
            _total_error(ctx, first, fld, _cap_message(ctx, programme_id, row, fld))


def _first_in_cap(
    merged: list[tuple[Planned, dict[str, Any]]], programme_id: int, row: Any
) -> Planned | None:
    """The file's first application row that counts towards the cap group ``row``."""
    return next(
        (
            p
            for p, m in merged
            if m.get("programme_id") == programme_id
            and (row.phase is None or m.get("phase") == row.phase)
            and (row.scope_project is None or p.project_id == row.scope_project)
            and (row.kind != "implementation" or m.get("implementation_measure"))
        ),
        None,
    )


def _cap_message(ctx: ImportContext, programme_id: int, row: Any, fld: str) -> str:
    programme = ctx.session.get(FundingProgramme, programme_id)
    name = programme.name if programme is not None else str(row.programme_key)
    code = "implementation_cap_exceeded" if row.kind == "implementation" else "cap_exceeded"
    params = {
        "amount": Eur(row.total),
        "cap": Eur(row.cap),
        "phase": name if row.kind == "programme" else f"Phase {row.phase}",
        "programme": name,
        "scope": label_both(CapScope, programme.cap_scope if programme else None),
    }
    return Problem(fld, code, params).message(ctx.lang)


def _total_error(ctx: ImportContext, p: Planned, fld: str, message: str) -> None:
    """An error of the rules across rows at ``p``'s cell of ``fld``, once per row and message."""
    issue = ctx.issue_at(p, fld, message)
    if all(
        (e.sheet, e.row, e.message) != (issue.sheet, issue.row, issue.message)
        for e in ctx.result.errors
    ):
        ctx.result.errors.append(issue)
        ctx.withdraw(p)
