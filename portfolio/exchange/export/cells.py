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

from portfolio.exchange.export.book import de_en
from portfolio.exchange.schema import NAMED_REFS, Column, Sheet
from portfolio.exchange.state import Refs, ref_label
from portfolio.i18n import fmt_eur, fmt_number
from portfolio.services.fields import INTEGER_MAX, MEASURE_MAX, MONEY_MAX
from portfolio.vocab import labels
from portfolio.xlsx import safe_text

YES_NO = {"de": ("ja", "nein"), "en": ("yes", "no")}
FIELD_COMMENTS: dict[str, tuple[str, str]] = {
    "alternative_to_id": (
        "Schlüssel des Förderantrags desselben Projekts, zu dem dieser Antrag als Alternative "
        "offengelegt ist (Blatt „Förderanträge“); leer: kein Alternativantrag",
        "Key of the funding application of the same project this one is a declared alternative "
        "to (sheet “Funding applications”); empty: no alternative",
    ),
    "implementation_measure": (
        "ja: erste Umsetzungsmaßnahme (zählt gegen die Obergrenze der Phase dafür)",
        "yes: a first implementation measure (counts against the phase's cap for them)",
    ),
    "window_need": (
        "Betrag in Euro: was die Zahlungen in der Verwendungsfrist nach der Auszahlung brauchen",
        "Amount in euros: what the payments within the spending window after the payout need",
    ),
    "cost_type": (
        "Auswahl aus der Liste (Blatt „Listen“): nur Ausgabearten, die das Förderprogramm des "
        "Antrags fördert",
        "Choose from the list (sheet “Lists”): only cost types the application's programme funds",
    ),
    "actual": (
        "Betrag in Euro: was für diese Position bisher tatsächlich ausgegeben wurde (Ist)",
        "Amount in euros: what has actually been spent on this item so far",
    ),
}
"""Column comments of fields whose kind alone does not say enough."""

FROZEN_COMMENT = (
    "Bestehende Berichte nur Lesen (der Verlauf bleibt erhalten); neue Berichte in neuen Zeilen",
    "Existing reports read-only (the history is kept); new reports in new rows",
)
GRANT_READ_ONLY = (
    "Nur Lesen (Partner): Förderungen pflegt die Smart-City Innovation Unit",
    "Read-only (partners): grants are kept by the Smart-City Innovation Unit",
)

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
        yes, no = YES_NO["en" if lang == "en" else "de"]
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
    en = lang == "en"

    def context(row: dict[str, Any]) -> str | None:
        if name == "theme":
            af = refs.action_field.by_id.get(row.get("action_field_id"))  # type: ignore[arg-type]
            theme = af["theme"] if af else None
            if not theme:
                return None
            return (
                f"{theme['key']} {(theme['name_en'] if en and theme['name_en'] else theme['name'])}"
            )
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
        parts.append(de_en(lang, *FIELD_COMMENTS[column.field]))
    elif column.kind in kinds:
        parts.append(kinds[column.kind])
    elif spec and spec.max_length:
        parts.append(
            de_en(
                lang,
                f"Text, höchstens {spec.max_length} Zeichen",
                f"Text, at most {spec.max_length} characters",
            )
        )
    if spec and spec.required and column.kind not in ("key",):
        parts.append(de_en(lang, "Pflichtfeld", "Required"))
    parts += _access_comments(sheet, column, lang, partner)
    return " · ".join(parts)


def _kind_comments(sheet: Sheet, column: Column, lang: str) -> dict[str, str]:
    """Column kind → what a column of that kind takes."""
    return {
        "key": (
            de_en(
                lang,
                "Schlüssel der Zeile – nicht ändern; bei neuen Zeilen leer lassen",
                "Row key – do not change; leave empty in new rows",
            )
            if sheet.id_key_prefix
            else de_en(
                lang,
                "Schlüssel der Zeile – nicht ändern; neue Zeilen: leer lassen (wird vergeben) "
                "oder einen freien Schlüssel eintragen, auf den sich andere neue Zeilen beziehen",
                "Row key – do not change; new rows: leave empty (assigned) or enter a free key "
                "that other new rows can refer to",
            )
        ),
        "version": de_en(
            lang,
            "Version der Zeile beim Export – nicht ändern",
            "Row version at export – do not change",
        ),
        "date": de_en(lang, "Datum (TT.MM.JJJJ)", "Date (DD.MM.YYYY)"),
        "money": de_en(lang, "Betrag in Euro, z. B. 1.234,56", "Amount in euros, e.g. 1,234.56"),
        "rate": de_en(lang, "Prozent, z. B. 65 %", "Percent, e.g. 65 %"),
        "measure": de_en(lang, "Zahl", "Number"),
        "enum": de_en(lang, "Auswahl aus der Liste", "Choose from the list"),
        "bool": de_en(lang, "ja oder nein", "yes or no"),
        "tags": de_en(lang, "Liste, durch Komma getrennt", "List, separated by commas"),
        "ref": (
            de_en(
                lang,
                "Auswahl aus der Liste: „Schlüssel – Name“ (Referenzblatt); der Schlüssel allein "
                "genügt",
                "Choose from the list: “key – name” (reference sheet); the key alone will do",
            )
            if column.ref in NAMED_REFS
            else de_en(lang, "Schlüssel aus dem Referenzblatt", "Key from the reference sheet")
        ),
        "context": de_en(
            lang, "Nur zur Information, wird nicht eingelesen", "For information only, not imported"
        ),
    }


def _access_comments(sheet: Sheet, column: Column, lang: str, partner: bool) -> list[str]:
    """Who may change ``column``: frozen reports, and in a partner's workbook the partner."""
    read_only = de_en(lang, "Nur Lesen (Partner)", "Read-only (partners)")
    if sheet.frozen_rows and column.editable:
        frozen = [de_en(lang, *FROZEN_COMMENT)]
        if partner and column.field not in sheet.partner_create:
            frozen.append(read_only)
        return frozen
    if partner and column.editable:
        if column.partner:
            return [de_en(lang, "Für Partner änderbar", "Partners may change it")]
        return [de_en(lang, *GRANT_READ_ONLY)] if sheet.grant else [read_only]
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
        "error_title": de_en(lang, "Ungültiger Betrag", "Invalid amount"),
        "error_message": de_en(
            lang,
            f"Bitte einen Betrag in Euro eintragen, nicht negativ, höchstens {largest}.",
            f"Please enter an amount in euros, not negative, at most {largest}.",
        ),
    }


def _rate_rule(lang: str) -> dict[str, Any]:
    return {
        "validate": "decimal",
        "minimum": 0,
        "maximum": 100,
        "error_title": de_en(lang, "Ungültiger Prozentsatz", "Invalid percentage"),
        "error_message": de_en(
            lang,
            "Bitte einen Prozentsatz von 0 bis 100 % eintragen, z. B. 65 %.",
            "Please enter a percentage from 0 to 100 %, e.g. 65 %.",
        ),
    }


def _measure_rule(lang: str) -> dict[str, Any]:
    largest = fmt_number(MEASURE_MAX, lang, digits=4)
    return {
        "validate": "decimal",
        "minimum": -_float_at_most(MEASURE_MAX),
        "maximum": _float_at_most(MEASURE_MAX),
        "error_title": de_en(lang, "Ungültige Zahl", "Invalid number"),
        "error_message": de_en(
            lang,
            f"Bitte eine Zahl eintragen, dem Betrag nach höchstens {largest}.",
            f"Please enter a number, at most {largest} in absolute value.",
        ),
    }


def _int_rule(lang: str) -> dict[str, Any]:
    largest = fmt_number(INTEGER_MAX, lang, digits=0)
    return {
        "validate": "integer",
        "minimum": 0,
        "maximum": INTEGER_MAX,
        "error_title": de_en(lang, "Ungültige Zahl", "Invalid number"),
        "error_message": de_en(
            lang,
            f"Bitte eine ganze Zahl von 0 bis {largest} eintragen.",
            f"Please enter a whole number from 0 to {largest}.",
        ),
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
