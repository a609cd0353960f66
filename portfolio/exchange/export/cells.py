"""The cells of one column of a data sheet: how a loaded value is written (:func:`cell_writer`),
the header's comment that says what the column takes (:func:`column_comment`) and the
validation of a numeric column's editable cells (:func:`number_validation`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from portfolio.exchange.schema import NAMED_REFS, Column, Sheet
from portfolio.exchange.state import Refs, ref_label
from portfolio.i18n import fmt_eur, fmt_number, pick, t
from portfolio.services.fields import INTEGER_MAX, MEASURE_MAX, MONEY_MAX
from portfolio.vocab import labels
from portfolio.xlsx import safe_text

FIELD_COMMENTS = (
    "alternative_to_id",
    "implementation_measure",
    "window_need",
    "cost_type",
    "actual",
)
"""Fields whose kind alone does not say enough: their column comment is ``xlsx_field_<field>``."""

GRANT_READ_ONLY = (t("xlsx_grant_read_only", "de"), t("xlsx_grant_read_only", "en"))
"""The comment on a grant column in a partner's workbook, German and English."""

CellWriter = Callable[[Worksheet, int, int, Any, dict[str, Any], Format], None]
"""Writes one cell: (sheet, row, column, the value of the column's field, the loaded row,
the cell's format)."""


# ---- values ----------------------------------------------------------------------------------


def _write_text(ws: Worksheet, r: int, c: int, value: Any, fmt: Format) -> None:
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt)
    else:
        ws.write_string(r, c, safe_text(str(value)), fmt)


_VALUE_WRITERS: dict[str, CellWriter] = {
    "key": lambda ws, r, c, v, row, fmt: _write_text(ws, r, c, row["_key"], fmt),
    "version": lambda ws, r, c, v, row, fmt: ws.write_number(r, c, row["version"], fmt),
    "str": lambda ws, r, c, v, row, fmt: _write_text(ws, r, c, v, fmt),
    "text": lambda ws, r, c, v, row, fmt: _write_text(ws, r, c, v, fmt),
    "date": lambda ws, r, c, v, row, fmt: (
        ws.write_blank(r, c, None, fmt) if v is None else ws.write_datetime(r, c, v, fmt)
    ),
    "money": lambda ws, r, c, v, row, fmt: (
        ws.write_blank(r, c, None, fmt) if v is None else ws.write_number(r, c, float(v), fmt)
    ),
    "measure": lambda ws, r, c, v, row, fmt: (
        ws.write_blank(r, c, None, fmt) if v is None else ws.write_number(r, c, float(v), fmt)
    ),
    "rate": lambda ws, r, c, v, row, fmt: (
        ws.write_blank(r, c, None, fmt) if v is None else ws.write_number(r, c, float(v) / 100, fmt)
    ),
}
"""The writers of the kinds whose cell depends on the value (or the row) alone."""


def cell_writer(column: Column, refs: Refs, lang: str) -> CellWriter:
    """A function writing one cell of ``column`` from a loaded row."""
    kind = column.kind
    if kind in _VALUE_WRITERS:
        return _VALUE_WRITERS[kind]
    if kind == "enum":
        enum = column.enum
        assert enum is not None
        names = labels(enum, lang)
        return lambda ws, r, c, v, row, fmt: _write_text(
            ws, r, c, names.get(v, v) if v else None, fmt
        )
    if kind == "bool":
        yes, no = t("yes", lang), t("no", lang)
        return lambda ws, r, c, v, row, fmt: _write_text(ws, r, c, yes if v else no, fmt)
    if kind == "tags":
        return lambda ws, r, c, v, row, fmt: _write_text(ws, r, c, ", ".join(v or []), fmt)
    if kind == "ref":
        reference = _reference_label(column, refs, lang)
        return lambda ws, r, c, v, row, fmt: _write_text(ws, r, c, reference(v), fmt)
    context = _context_value(column.field, refs, lang)
    return lambda ws, r, c, v, row, fmt: _write_text(ws, r, c, context(row), fmt)


def _reference_label(column: Column, refs: Refs, lang: str) -> Callable[[Any], str | None]:
    """The "key – name" label of the record a reference column's value points to."""
    assert column.ref is not None
    lookup, target = refs.lookup(column.ref), column.ref

    def reference(v: Any) -> str | None:
        found = lookup.by_id.get(v) if v is not None else None
        return ref_label(target, found, lang) if found else None

    return reference


def _context_value(name: str, refs: Refs, lang: str) -> Callable[[dict[str, Any]], str | None]:
    """The text of the context column ``name`` (not imported) for a loaded row."""
    projects, kpis = refs.project.by_id, refs.kpi.by_id

    def context(row: dict[str, Any]) -> str | None:
        if name == "theme":
            af = refs.action_field.by_id.get(row.get("action_field_id"))  # type: ignore[arg-type]
            theme = af["theme"] if af else None
            if not theme:
                return None
            return f"{theme['key']} {pick(theme['name'], theme['name_en'], lang)}"
        if name == "project_title":
            p = projects.get(row["_project_id"])
            return p["title"] if p else None
        if name == "project_key":
            p = projects.get(row["_project_id"])
            return p["key"] if p else None
        if name == "organisation_name":
            org = refs.organisation.by_id.get(row.get("organisation_id"))  # type: ignore[arg-type]
            return org["name"] if org else None
        if name in ("kpi_name", "kpi_unit"):
            k = kpis.get(row.get("kpi_id"))  # type: ignore[arg-type]
            return (k["name"] if name == "kpi_name" else k["unit"]) if k else None
        return None  # pragma: no cover

    return context


# ---- header comments -------------------------------------------------------------------------


def column_comment(sheet: Sheet, column: Column, lang: str, partner: bool) -> str:
    """The comment on the header of ``column``: what it takes, whether it is required, and who
    may change it."""
    spec = sheet.specs.get(column.field)
    parts: list[str] = []
    kinds = _kind_comments(sheet, column, lang)
    if column.field in FIELD_COMMENTS:
        parts.append(t(f"xlsx_field_{column.field}", lang))
    elif column.kind in kinds:
        parts.append(kinds[column.kind])
    elif spec and spec.max_length:
        parts.append(t("xlsx_text_at_most", lang, max=str(spec.max_length)))
    if spec and spec.required and column.kind not in ("key",):
        parts.append(t("xlsx_required", lang))
    parts += _access_comments(sheet, column, lang, partner)
    return " · ".join(parts)


def _kind_comments(sheet: Sheet, column: Column, lang: str) -> dict[str, str]:
    """Column kind → what a column of that kind takes."""
    key = "xlsx_kind_key" if sheet.id_key_prefix else "xlsx_kind_key_free"
    ref = "xlsx_kind_ref_named" if column.ref in NAMED_REFS else "xlsx_kind_ref"
    kinds = {"key": key, "ref": ref} | {kind: f"xlsx_kind_{kind}" for kind in _KINDS}
    return {kind: t(message, lang) for kind, message in kinds.items()}


_KINDS = ("version", "date", "money", "rate", "measure", "enum", "bool", "tags", "context")
"""The kinds whose comment is ``xlsx_kind_<kind>`` whatever the column."""


def _access_comments(sheet: Sheet, column: Column, lang: str, partner: bool) -> list[str]:
    """Who may change ``column``: frozen reports, and in a partner's workbook the partner."""
    read_only = t("xlsx_read_only_partners", lang)
    if sheet.frozen_rows and column.editable:
        frozen = [t("xlsx_frozen_rows", lang)]
        if partner and column.field not in sheet.partner_create:
            frozen.append(read_only)
        return frozen
    if partner and column.editable:
        if column.partner:
            return [t("xlsx_partners_may_change", lang)]
        return [t("xlsx_grant_read_only", lang)] if sheet.grant else [read_only]
    return []


# ---- validations -----------------------------------------------------------------------------


def _float_at_most(bound: Decimal) -> float:
    """The largest float whose shortest text (as the import reads a number cell) is within
    ``bound``."""
    value = float(bound)
    while Decimal(repr(value)) > bound:
        value = math.nextafter(value, -math.inf)
    return value


def _money_rule(lang: str) -> dict[str, Any]:
    largest = fmt_eur(MONEY_MAX, lang)
    return {
        "validate": "decimal",
        "minimum": 0,
        "maximum": _float_at_most(MONEY_MAX),
        "error_title": t("xlsx_invalid_amount", lang),
        "error_message": t("xlsx_amount_rule", lang, largest=largest),
    }


def _rate_rule(lang: str) -> dict[str, Any]:
    return {
        "validate": "decimal",
        "minimum": 0,
        "maximum": 100,
        "error_title": t("xlsx_invalid_percentage", lang),
        "error_message": t("xlsx_rate_rule", lang),
    }


def _measure_rule(lang: str) -> dict[str, Any]:
    largest = fmt_number(MEASURE_MAX, lang, digits=4)
    return {
        "validate": "decimal",
        "minimum": -_float_at_most(MEASURE_MAX),
        "maximum": _float_at_most(MEASURE_MAX),
        "error_title": t("xlsx_invalid_number", lang),
        "error_message": t("xlsx_measure_rule", lang, largest=largest),
    }


def _int_rule(lang: str) -> dict[str, Any]:
    largest = fmt_number(INTEGER_MAX, lang, digits=0)
    return {
        "validate": "integer",
        "minimum": 0,
        "maximum": INTEGER_MAX,
        "error_title": t("xlsx_invalid_number", lang),
        "error_message": t("xlsx_int_rule", lang, largest=largest),
    }


_NUMBER_RULES: dict[str, Callable[[str], dict[str, Any]]] = {
    "money": _money_rule,
    "rate": _rate_rule,
    "measure": _measure_rule,
    "int": _int_rule,
}


def number_validation(column: Column, spec_kind: str | None, lang: str) -> dict[str, Any] | None:
    """The data validation of a numeric column's editable cells, None for other columns.

    The bounds are the services' (:mod:`portfolio.services.fields`): amounts 0 to the largest a
    money column holds, rates 0 to 100 % (a cell holds 0.65 for 65 %, or 65 typed without the
    percent format: both are read as 65 %), measured values within the measure column's range,
    whole numbers for integer fields. A warning, like the lists': the import checks again."""
    kind = column.kind if column.kind in ("money", "rate", "measure") else spec_kind
    rule = _NUMBER_RULES.get(kind) if kind is not None else None
    if rule is None:
        return None
    return {"criteria": "between", "error_type": "warning", **rule(lang)}
