"""The exchange workbook, written with XlsxWriter.

Real types (dates, numbers with EUR and percent formats), dropdowns from the reference sheets,
date and number validations with the services' bounds, frozen header, filters, widths, locked
columns under sheet protection, A4 landscape print set-up (one page wide, repeated header row
and key column, sheet name and page numbers), a German (or English) instruction sheet and a hidden ``_meta`` sheet with format version, export time and scope, signed
with the server's key (:mod:`portfolio.exchange.signing`). Text is always written as text with a quote prefix, so ``=SUMME(A1)`` or ``@x`` is
never evaluated and comes back unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import xlsxwriter
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from db.enums import (
    ApplicationStatus,
    AuditKind,
    CostType,
    FundingLevel,
    OrganisationKind,
    ParticipationRole,
    PaymentRequestStatus,
    Priority,
    ProjectStatus,
    SpatialScope,
    TrafficLight,
)
from db.models import Organisation, ProgrammePhase
from db.models.base import utcnow
from portfolio import audit
from portfolio.errors import NotFound
from portfolio.exchange import signing
from portfolio.exchange.schema import (
    FORMAT_VERSION,
    META_SHEET,
    NAMED_REFS,
    REFERENCE_TITLES,
    SHEETS,
    Column,
    Sheet,
)
from portfolio.exchange.state import (
    Refs,
    Scope,
    load_refs,
    load_rows,
    partner_id,
    ref_label,
    scope_project_ids,
)
from portfolio.i18n import fmt_date, fmt_eur, fmt_number
from portfolio.policy import (
    Action,
    Principal,
    check,
    principal_of,
    require_organisation,
    requires,
)
from portfolio.services.fields import INTEGER_MAX, MEASURE_MAX, MONEY_MAX
from portfolio.vocab import label, labels
from portfolio.xlsx import safe_text, workbook_options

Progress = Callable[[float, str], None]
NEW_ROWS = 500  # rows below the data kept editable (and with dropdowns) for new entries
LISTS: tuple[tuple[str, type[Any]], ...] = (
    ("status", ProjectStatus),
    ("priority", Priority),
    ("spatial_scope", SpatialScope),
    ("role", ParticipationRole),
    ("application_status", ApplicationStatus),
    ("payment_status", PaymentRequestStatus),
    ("kind", OrganisationKind),
    ("level", FundingLevel),
    ("cost_type", CostType),
    ("light", TrafficLight),
)
LIST_HEADERS = {
    "status": ("Projektstatus", "Project status"),
    "priority": ("Priorität", "Priority"),
    "spatial_scope": ("Raumbezug", "Spatial scope"),
    "role": ("Rolle", "Role"),
    "application_status": ("Antragsstatus", "Application status"),
    "payment_status": ("Abrufstatus", "Payment status"),
    "kind": ("Organisationsart", "Organisation kind"),
    "level": ("Förderebene", "Funding level"),
    "cost_type": ("Ausgabeart", "Cost type"),
    "light": ("Ampel", "Traffic light"),
    "yes_no": ("Ja/Nein", "Yes/No"),
}
ENUM_LIST = {
    ProjectStatus: "status",
    Priority: "priority",
    SpatialScope: "spatial_scope",
    ParticipationRole: "role",
    ApplicationStatus: "application_status",
    PaymentRequestStatus: "payment_status",
    CostType: "cost_type",
    TrafficLight: "light",
}
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


CHOICE_COLUMN = {"action_field": "D", "organisation": "E", "programme": "I"}
"""The reference sheets' last column, "CODE – Name": the source of the reference dropdowns."""


A4_PAPER = 9  # Excel's paper code for A4
INSTRUCTIONS_WIDTH = 110
"""Width (characters) of the instruction sheet's one column: it fits an A4 landscape page at
100 % (about 775 of the page's 1,045 printable pixels), so its wrapped lines are never cut."""


LINE_HEIGHT = 13  # points per line of 10-point text
TITLE_HEIGHT = 20  # the instruction sheet's 14-point title


@dataclass
class ExportResult:
    data: bytes
    scope: str
    rows: dict[str, int]
    file_name: str


def _t(lang: str, de: str, en: str) -> str:
    return en if lang == "en" else de


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        base: dict[str, Any] = {"font_name": "Calibri", "font_size": 10, "valign": "top"}
        locked_look: dict[str, Any] = {"bg_color": "#EDEDED", "font_color": "#404040"}
        self.header = wb.add_format(
            {
                **base,
                "bold": True,
                "bg_color": "#1F4E79",
                "font_color": "#FFFFFF",
                "text_wrap": True,
                "border": 1,
                "border_color": "#BFBFBF",
            }
        )
        self.header_locked = wb.add_format(
            {
                **base,
                "bold": True,
                "bg_color": "#7F7F7F",
                "font_color": "#FFFFFF",
                "text_wrap": True,
                "border": 1,
                "border_color": "#BFBFBF",
            }
        )
        kinds: dict[str, dict[str, Any]] = {
            "text": {"quote_prefix": True},
            "date": {"num_format": "DD.MM.YYYY"},
            "money": {"num_format": '#,##0.00 "€"'},
            "rate": {"num_format": "0.00%"},
            "measure": {"num_format": "General"},
            "int": {"num_format": "0"},
        }
        self.cell: dict[tuple[str, bool], Format] = {}
        for kind, props in kinds.items():
            self.cell[(kind, False)] = wb.add_format({**base, **props, "locked": False})
            self.cell[(kind, True)] = wb.add_format(
                {**base, **props, **locked_look, "locked": True}
            )
        self.title = wb.add_format({**base, "bold": True, "font_size": 14, "font_color": "#1F4E79"})
        self.bold = wb.add_format({**base, "bold": True})
        self.wrap = wb.add_format({**base, "text_wrap": True})
        self.ref_header = wb.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "border": 1})
        self.ref_text = wb.add_format({**base, "quote_prefix": True})

    def of(self, column: Column, locked: bool) -> Format:
        kind = {
            "date": "date",
            "money": "money",
            "rate": "rate",
            "measure": "measure",
            "version": "int",
        }.get(column.kind, "text")
        return self.cell[(kind, locked)]


def _header_text(text: str) -> str:
    """``text`` for an Excel header or footer, where ``&`` starts a code."""
    return text.replace("&", "&&")


def _print_setup(
    ws: Worksheet, lang: str, heading: str, stamp: dt.datetime, *, table: bool = True
) -> None:
    """A4 landscape, one page wide (as many tall as needed), small margins, the sheet's name and
    the workbook's ``heading`` in the header, the export date and "page x of y" in the footer;
    a ``table`` repeats its header row and key column on every page and prints gridlines."""
    ws.set_landscape()
    ws.set_paper(A4_PAPER)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header(f'&L&"-,Bold"&A&R{_header_text(heading)}', {"margin": 0.25})
    ws.set_footer(
        "&L"
        + _header_text(_t(lang, "Export vom ", "Exported on ") + fmt_date(stamp.date(), lang))
        + "&R"
        + _t(lang, "Seite &P von &N", "Page &P of &N"),
        {"margin": 0.25},
    )
    if table:
        ws.repeat_rows(0)
        ws.repeat_columns(0)
        ws.hide_gridlines(0)  # gridlines on screen and on paper: rows are easy to follow


def _float_at_most(bound: Decimal) -> float:
    """The largest float whose shortest text (as the import reads a number cell) is within
    ``bound``."""
    value = float(bound)
    while Decimal(repr(value)) > bound:
        value = math.nextafter(value, -math.inf)
    return value


def _number_validation(column: Column, spec_kind: str | None, lang: str) -> dict[str, Any] | None:
    """The data validation of a numeric column's editable cells, None for other columns.

    The bounds are the services' (:mod:`portfolio.services.fields`): amounts 0 to the largest a
    money column holds, rates 0 to 100 % (a cell holds 0.65 for 65 %, or 65 typed without the
    percent format: both are read as 65 %), measured values within the measure column's range,
    whole numbers for integer fields. A warning, like the lists': the import checks again."""
    kind = column.kind if column.kind in ("money", "rate", "measure") else spec_kind
    if kind == "money":
        largest = fmt_eur(MONEY_MAX, lang)
        rule: dict[str, Any] = {
            "validate": "decimal",
            "minimum": 0,
            "maximum": _float_at_most(MONEY_MAX),
            "error_title": _t(lang, "Ungültiger Betrag", "Invalid amount"),
            "error_message": _t(
                lang,
                f"Bitte einen Betrag in Euro eintragen, nicht negativ, höchstens {largest}.",
                f"Please enter an amount in euros, not negative, at most {largest}.",
            ),
        }
    elif kind == "rate":
        rule = {
            "validate": "decimal",
            "minimum": 0,
            "maximum": 100,
            "error_title": _t(lang, "Ungültiger Prozentsatz", "Invalid percentage"),
            "error_message": _t(
                lang,
                "Bitte einen Prozentsatz von 0 bis 100 % eintragen, z. B. 65 %.",
                "Please enter a percentage from 0 to 100 %, e.g. 65 %.",
            ),
        }
    elif kind == "measure":
        largest = fmt_number(MEASURE_MAX, lang, digits=4)
        rule = {
            "validate": "decimal",
            "minimum": -_float_at_most(MEASURE_MAX),
            "maximum": _float_at_most(MEASURE_MAX),
            "error_title": _t(lang, "Ungültige Zahl", "Invalid number"),
            "error_message": _t(
                lang,
                f"Bitte eine Zahl eintragen, dem Betrag nach höchstens {largest}.",
                f"Please enter a number, at most {largest} in absolute value.",
            ),
        }
    elif kind == "int":
        rule = {
            "validate": "integer",
            "minimum": 0,
            "maximum": INTEGER_MAX,
            "error_title": _t(lang, "Ungültige Zahl", "Invalid number"),
            "error_message": _t(
                lang,
                f"Bitte eine ganze Zahl von 0 bis {fmt_number(INTEGER_MAX, lang, digits=0)} "
                "eintragen.",
                f"Please enter a whole number from 0 to {fmt_number(INTEGER_MAX, lang, digits=0)}.",
            ),
        }
    else:
        return None
    return {"criteria": "between", "error_type": "warning", **rule}


def _cell_writer(
    column: Column, refs: Refs, lang: str
) -> Callable[[Worksheet, int, int, Any, dict[str, Any], Format], None]:
    """A function writing one cell of ``column`` from a loaded row."""
    kind = column.kind
    yes, no = YES_NO["en" if lang == "en" else "de"]

    def text(ws: Worksheet, r: int, c: int, value: Any, fmt: Format) -> None:
        if value is None or value == "":
            ws.write_blank(r, c, None, fmt)
        else:
            ws.write_string(r, c, safe_text(str(value)), fmt)

    if kind in ("key",):
        return lambda ws, r, c, v, row, fmt: text(ws, r, c, row["_key"], fmt)
    if kind == "version":
        return lambda ws, r, c, v, row, fmt: ws.write_number(r, c, row["version"], fmt)
    if kind in ("str", "text"):
        return lambda ws, r, c, v, row, fmt: text(ws, r, c, v, fmt)
    if kind == "date":
        return lambda ws, r, c, v, row, fmt: (
            ws.write_blank(r, c, None, fmt) if v is None else ws.write_datetime(r, c, v, fmt)
        )
    if kind in ("money", "measure"):
        return lambda ws, r, c, v, row, fmt: (
            ws.write_blank(r, c, None, fmt) if v is None else ws.write_number(r, c, float(v), fmt)
        )
    if kind == "rate":
        return lambda ws, r, c, v, row, fmt: (
            ws.write_blank(r, c, None, fmt)
            if v is None
            else ws.write_number(r, c, float(v) / 100, fmt)
        )
    if kind == "enum":
        enum = column.enum
        assert enum is not None
        names = labels(enum, lang)
        return lambda ws, r, c, v, row, fmt: text(ws, r, c, names.get(v, v) if v else None, fmt)
    if kind == "bool":
        return lambda ws, r, c, v, row, fmt: text(ws, r, c, yes if v else no, fmt)
    if kind == "tags":
        return lambda ws, r, c, v, row, fmt: text(ws, r, c, ", ".join(v or []), fmt)
    if kind == "ref":
        assert column.ref is not None
        lookup, target = refs.lookup(column.ref), column.ref

        def reference(v: Any) -> str | None:
            found = lookup.by_id.get(v) if v is not None else None
            return ref_label(target, found, lang) if found else None

        return lambda ws, r, c, v, row, fmt: text(ws, r, c, reference(v), fmt)
    # context columns
    name = column.field
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

    return lambda ws, r, c, v, row, fmt: text(ws, r, c, context(row), fmt)


def _column_comment(sheet: Sheet, column: Column, lang: str, partner: bool) -> str:
    spec = sheet.specs.get(column.field)
    parts: list[str] = []
    kinds = {
        "key": (
            _t(
                lang,
                "Schlüssel der Zeile – nicht ändern; bei neuen Zeilen leer lassen",
                "Row key – do not change; leave empty in new rows",
            )
            if sheet.id_key_prefix
            else _t(
                lang,
                "Schlüssel der Zeile – nicht ändern; neue Zeilen: leer lassen (wird vergeben) "
                "oder einen freien Schlüssel eintragen, auf den sich andere neue Zeilen beziehen",
                "Row key – do not change; new rows: leave empty (assigned) or enter a free key "
                "that other new rows can refer to",
            )
        ),
        "version": _t(
            lang,
            "Version der Zeile beim Export – nicht ändern",
            "Row version at export – do not change",
        ),
        "date": _t(lang, "Datum (TT.MM.JJJJ)", "Date (DD.MM.YYYY)"),
        "money": _t(lang, "Betrag in Euro, z. B. 1.234,56", "Amount in euros, e.g. 1,234.56"),
        "rate": _t(lang, "Prozent, z. B. 65 %", "Percent, e.g. 65 %"),
        "measure": _t(lang, "Zahl", "Number"),
        "enum": _t(lang, "Auswahl aus der Liste", "Choose from the list"),
        "bool": _t(lang, "ja oder nein", "yes or no"),
        "tags": _t(lang, "Liste, durch Komma getrennt", "List, separated by commas"),
        "ref": (
            _t(
                lang,
                "Auswahl aus der Liste: „Schlüssel – Name“ (Referenzblatt); der Schlüssel allein "
                "genügt",
                "Choose from the list: “key – name” (reference sheet); the key alone will do",
            )
            if column.ref in NAMED_REFS
            else _t(lang, "Schlüssel aus dem Referenzblatt", "Key from the reference sheet")
        ),
        "context": _t(
            lang, "Nur zur Information, wird nicht eingelesen", "For information only, not imported"
        ),
    }
    if column.field in FIELD_COMMENTS:
        parts.append(_t(lang, *FIELD_COMMENTS[column.field]))
    elif column.kind in kinds:
        parts.append(kinds[column.kind])
    elif spec and spec.max_length:
        parts.append(
            _t(
                lang,
                f"Text, höchstens {spec.max_length} Zeichen",
                f"Text, at most {spec.max_length} characters",
            )
        )
    if spec and spec.required and column.kind not in ("key",):
        parts.append(_t(lang, "Pflichtfeld", "Required"))
    if sheet.frozen_rows and column.editable:
        parts.append(_t(lang, *FROZEN_COMMENT))
        if partner and column.field not in sheet.partner_create:
            parts.append(_t(lang, "Nur Lesen (Partner)", "Read-only (partners)"))
    elif partner and column.editable:
        if column.partner:
            parts.append(_t(lang, "Für Partner änderbar", "Partners may change it"))
        elif sheet.grant:
            parts.append(_t(lang, *GRANT_READ_ONLY))
        else:
            parts.append(_t(lang, "Nur Lesen (Partner)", "Read-only (partners)"))
    return " · ".join(parts)


def _write_data_sheet(
    wb: xlsxwriter.Workbook,
    fm: _Formats,
    sheet: Sheet,
    rows: list[dict[str, Any]],
    refs: Refs,
    lang: str,
    partner: bool,
    list_ranges: dict[str, str],
    ref_ranges: dict[str, str],
    heading: str,
    stamp: dt.datetime,
    password: str,
) -> None:
    ws = wb.add_worksheet(sheet.title(lang))
    _print_setup(ws, lang, heading, stamp)
    columns = sheet.columns
    can_create = bool(sheet.partner_create) if partner else True
    writable_existing = [
        (c.partner if partner else True) and c.editable and not sheet.frozen_rows for c in columns
    ]
    writable_new = [
        can_create
        and ((c.field in sheet.partner_create) if partner else (c.editable or c.kind == "key"))
        for c in columns
    ]
    for i, c in enumerate(columns):
        ws.set_column(i, i, c.width, fm.of(c, not writable_new[i]))
    ws.set_row(0, 30)
    for i, c in enumerate(columns):
        open_header = writable_existing[i] or (sheet.frozen_rows and writable_new[i])
        ws.write_string(0, i, c.header(lang), fm.header if open_header else fm.header_locked)
        ws.write_comment(0, i, _column_comment(sheet, c, lang, partner), {"x_scale": 1.6})
    writers = [_cell_writer(c, refs, lang) for c in columns]
    fmts = [fm.of(c, not writable_existing[i]) for i, c in enumerate(columns)]
    key_fmt = fm.of(columns[0], True)
    fmts[0] = fmts[1] = key_fmt
    # A blank cell needs writing only where its format differs from the column's.
    blank_needed = [writable_existing[i] != writable_new[i] for i in range(len(columns))]
    fields = [c.field for c in columns]
    plan = list(zip(range(len(columns)), writers, fields, fmts, blank_needed, strict=True))
    for r, row in enumerate(rows, start=1):
        for i, write, name, fmt, blank in plan:
            value = row.get(name)
            if value is None and not blank and columns[i].kind not in ("key", "version", "context"):
                continue
            write(ws, r, i, value, row, fmt)
    last_row = len(rows) + (NEW_ROWS if can_create else 0)
    for i, c in enumerate(columns):
        if not (writable_existing[i] or writable_new[i]):
            continue
        source = None
        if c.kind == "enum" and c.enum in ENUM_LIST:
            source = list_ranges[ENUM_LIST[c.enum]]
        elif c.kind == "bool":
            source = list_ranges["yes_no"]
        elif c.kind == "ref" and c.ref in ref_ranges:
            source = ref_ranges[c.ref]
        if source:
            ws.data_validation(
                1,
                i,
                max(last_row, 1),
                i,
                {
                    "validate": "list",
                    "source": source,
                    "error_type": "warning",
                    "error_title": _t(lang, "Unbekannter Wert", "Unknown value"),
                    "error_message": _t(
                        lang,
                        "Bitte einen Eintrag aus der Liste wählen.",
                        "Please choose an entry from the list.",
                    ),
                },
            )
        elif c.kind == "date":
            ws.data_validation(
                1,
                i,
                max(last_row, 1),
                i,
                {
                    "validate": "date",
                    "criteria": "between",
                    "minimum": dt.date(1990, 1, 1),
                    "maximum": dt.date(2100, 12, 31),
                    "error_type": "warning",
                    "error_message": _t(
                        lang,
                        "Bitte ein Datum TT.MM.JJJJ eintragen.",
                        "Please enter a date DD.MM.YYYY.",
                    ),
                },
            )
        else:
            spec = sheet.specs.get(c.field)
            rule = _number_validation(c, spec.kind if spec else None, lang)
            if rule:
                ws.data_validation(1, i, max(last_row, 1), i, rule)
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    ws.protect(
        password,
        {
            "autofilter": True,
            "sort": True,
            "format_columns": True,
            "format_rows": True,
            "insert_rows": can_create,
            "select_locked_cells": True,
            "select_unlocked_cells": True,
        },
    )


def _write_reference_sheets(
    wb: xlsxwriter.Workbook,
    fm: _Formats,
    refs: Refs,
    conn: Connection,
    lang: str,
    heading: str,
    stamp: dt.datetime,
    password: str,
) -> tuple[dict[str, str], dict[str, str]]:
    en = lang == "en"

    def sheet(name: str, headers: list[str], rows: list[list[Any]], widths: list[int]) -> str:
        title = REFERENCE_TITLES[name][1 if en else 0]
        ws = wb.add_worksheet(title)
        for i, (h, w) in enumerate(zip(headers, widths, strict=True)):
            ws.set_column(i, i, w)
            ws.write_string(0, i, h, fm.ref_header)
        for r, row in enumerate(rows, start=1):
            for i, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(r, i, safe_text(value), fm.ref_text)
                else:
                    ws.write(r, i, value)
        ws.freeze_panes(1, 0)
        _print_setup(ws, lang, heading, stamp)
        ws.protect(password, {"autofilter": True, "sort": True, "select_locked_cells": True})
        return title

    def ref(title: str, col: str, n: int) -> str:
        return f"='{title}'!${col}$2:${col}${max(n + 1, 2)}"

    choice = _t(lang, "Auswahl (Schlüssel – Name)", "Choice (key – name)")
    sheet(
        "themes",
        [_t(lang, "Schlüssel", "Key"), _t(lang, "Leitthema", "Theme")],
        [[t["key"], (t["name_en"] if en and t["name_en"] else t["name"])] for t in refs.themes],
        [10, 50],
    )
    afs = list(refs.action_field.by_id.values())
    af_title = sheet(
        "action_fields",
        [
            _t(lang, "Schlüssel", "Key"),
            _t(lang, "Handlungsfeld", "Action field"),
            _t(lang, "Leitthema", "Theme"),
            choice,
        ],
        [
            [
                a["key"],
                (a["name_en"] if en and a["name_en"] else a["name"]),
                a["theme"]["key"] if a["theme"] else None,
                ref_label("action_field", a, lang),
            ]
            for a in afs
        ],
        [10, 44, 10, 50],
    )
    orgs = [o for o in refs.organisation.by_id.values() if not o["archived"]]
    org_title = sheet(
        "organisations",
        [
            _t(lang, "Schlüssel", "Key"),
            _t(lang, "Kurzname", "Short name"),
            _t(lang, "Name", "Name"),
            _t(lang, "Art", "Kind"),
            choice,
        ],
        [
            [
                o["key"],
                o["short_name"],
                o["name"],
                label(OrganisationKind, o["kind"], lang),
                ref_label("organisation", o, lang),
            ]
            for o in orgs
        ],
        [10, 28, 50, 24, 50],
    )
    phases: dict[int, list[str]] = {}
    for programme_id, key in conn.execute(
        select(ProgrammePhase.programme_id, ProgrammePhase.key).order_by(ProgrammePhase.key)
    ):
        phases.setdefault(programme_id, []).append(key)
    progs = [p for p in refs.programme.by_id.values() if not p["archived"]]
    prog_title = sheet(
        "programmes",
        [
            _t(lang, "Schlüssel", "Key"),
            _t(lang, "Förderprogramm", "Programme"),
            _t(lang, "Fördergeber", "Funder"),
            _t(lang, "Ebene", "Level"),
            _t(lang, "Förderquote", "Rate"),
            _t(lang, "Erhöhte Quote", "Raised rate"),
            _t(lang, "Obergrenze (€)", "Cap (€)"),
            _t(lang, "Phasen", "Phases"),
            choice,
        ],
        [
            [
                p["key"],
                p["name"],
                p["funder"],
                label(FundingLevel, p["level"], lang),
                float(p["standard_rate"]) / 100,
                float(p["raised_rate"]) / 100 if p["raised_rate"] is not None else None,
                float(p["cap"]) if p["cap"] is not None else None,
                ", ".join(phases.get(p["id"], [])),
                ref_label("programme", p, lang),
            ]
            for p in progs
        ],
        [12, 44, 30, 10, 10, 10, 16, 10, 50],
    )
    lists_rows: list[list[Any]] = []
    list_values = [list(labels(enum, lang).values()) for _, enum in LISTS] + [
        list(YES_NO["en" if en else "de"])
    ]
    height = max(len(v) for v in list_values)
    for r in range(height):
        lists_rows.append([v[r] if r < len(v) else None for v in list_values])
    names = [name for name, _ in LISTS] + ["yes_no"]
    list_title = sheet(
        "lists",
        [LIST_HEADERS[n][1 if en else 0] for n in names],
        lists_rows,
        [24] * len(names),
    )
    list_ranges = {
        n: ref(list_title, chr(ord("A") + i), len(list_values[i])) for i, n in enumerate(names)
    }
    ref_ranges = {
        "action_field": ref(af_title, CHOICE_COLUMN["action_field"], len(afs)),
        "organisation": ref(org_title, CHOICE_COLUMN["organisation"], len(orgs)),
        "programme": ref(prog_title, CHOICE_COLUMN["programme"], len(progs)),
    }
    return list_ranges, ref_ranges


def _instructions(lang: str, scope: str, partner_name: str | None) -> list[tuple[str, str]]:
    """(style, text) lines of the instruction sheet."""
    new_rows = _new_rows_instruction(lang, scope != "all")
    if lang == "en":
        lines = [
            ("title", "Smart-City Portfolio Bochum – data exchange workbook"),
            (
                "",
                f"Scope: {'projects of ' + partner_name if partner_name else 'the whole portfolio'}",
            ),
            ("", ""),
            ("bold", "How to use this workbook"),
            (
                "",
                "1. Change values only in white cells. Grey cells and columns are read-only context.",
            ),
            (
                "",
                "2. Never change the columns “Key” and “Version”: they match each row with the database.",
            ),
            ("", new_rows),
            (
                "",
                "4. Rows you delete are not deleted in the portfolio; to end something, change its status.",
            ),
            (
                "",
                "5. Dates as DD.MM.YYYY (or 2026-12-31), amounts like 1,234.56 or 1.234,56 €, percentages like 65 %.",
            ),
            (
                "",
                "6. Lists and references: choose an entry from the dropdown (references read “key – "
                "name”, the key alone will do); the sheet “Lists” and the reference sheets "
                "(organisations, action fields …) show every allowed entry.",
            ),
            (
                "",
                "7. Rows whose first filled cell starts with # are comments and are ignored.",
            ),
            (
                "",
                "8. Save as .xlsx (not .xlsm, not .csv, without password) and send the file back.",
            ),
            ("", ""),
            ("bold", "What happens on import"),
            (
                "",
                "Every cell is checked. You get a preview of all changes first. If anything is invalid, or if a row "
                "was changed in the portfolio since your export, nothing is applied and you receive this workbook back "
                "with the cells marked in red and a comment on each.",
            ),
        ]
    else:
        lines = [
            ("title", "Smart-City-Portfolio Bochum – Arbeitsmappe für den Datenaustausch"),
            (
                "",
                f"Umfang: {'Projekte mit Beteiligung von ' + partner_name if partner_name else 'gesamtes Portfolio'}",
            ),
            ("", ""),
            ("bold", "So arbeiten Sie mit dieser Arbeitsmappe"),
            (
                "",
                "1. Ändern Sie nur Werte in weißen Zellen. Graue Zellen und Spalten sind Kontext und schreibgeschützt.",
            ),
            (
                "",
                "2. Die Spalten „Schlüssel“ und „Version“ bitte nie ändern: Sie ordnen jede Zeile dem Datenbestand zu.",
            ),
            ("", new_rows),
            (
                "",
                "4. Gelöschte Zeilen werden im Portfolio nicht gelöscht; zum Beenden bitte den Status ändern.",
            ),
            (
                "",
                "5. Datum als TT.MM.JJJJ (oder 2026-12-31), Beträge wie 1.234,56 oder 1.234,56 €, Prozent wie 65 %.",
            ),
            (
                "",
                "6. Listen und Verweise: einen Eintrag der Auswahlliste wählen (Verweise: „Schlüssel – "
                "Name“ oder nur der Schlüssel); alle zulässigen Einträge zeigen das Blatt „Listen“ und "
                "die Referenzblätter (Organisationen …).",
            ),
            (
                "",
                "7. Zeilen, deren erste ausgefüllte Zelle mit # beginnt, sind Kommentare und werden "
                "übergangen.",
            ),
            (
                "",
                "8. Als .xlsx speichern (nicht .xlsm, nicht .csv, ohne Kennwort) und zurücksenden.",
            ),
            ("", ""),
            ("bold", "Was beim Einlesen passiert"),
            (
                "",
                "Jede Zelle wird geprüft. Zuerst sehen Sie eine Vorschau aller Änderungen. Ist etwas ungültig oder wurde "
                "eine Zeile seit Ihrem Export im Portfolio geändert, wird nichts übernommen, und Sie erhalten diese "
                "Arbeitsmappe zurück – mit rot markierten Zellen und einem Kommentar an jeder.",
            ),
        ]
    lines += [("", ""), ("bold", _t(lang, "Blätter", "Sheets"))]
    for s in SHEETS:
        editable = [c.header(lang) for c in s.columns if c.partner] if scope != "all" else None
        what = (
            _t(lang, "änderbar: ", "editable: ") + (", ".join(editable) if editable else "–")
            if editable is not None
            else _t(lang, "alle weißen Spalten änderbar", "all white columns editable")
        )
        if editable is not None and s.grant:
            what += _t(
                lang,
                " (Förderungen pflegt die Smart-City Innovation Unit)",
                " (grants are kept by the Smart-City Innovation Unit)",
            )
        if s.frozen_rows:
            what = _t(lang, "bestehende Berichte nur Lesen; ", "existing reports read-only; ") + (
                _t(
                    lang,
                    "neue Berichte für Projekte unter Ihrer Federführung (siehe 3.)",
                    "new reports for the projects you lead (see 3.)",
                )
                if editable is not None and s.lead_only
                else _t(lang, "neue Berichte in neuen Zeilen", "new reports in new rows")
            )
        elif editable is not None and s.partner_create:
            what += _t(lang, "; neue Zeilen: ", "; new rows: ") + ", ".join(
                _create_headers(s, lang)
            )
        lines.append(("", f"{s.title(lang)}: {what}"))
    return lines


def _create_headers(sheet: Sheet, lang: str) -> list[str]:
    """The headers of the columns a partner fills in a new row of ``sheet``."""
    return [c.header(lang) for c in sheet.columns if c.field in sheet.partner_create]


def _new_rows_instruction(lang: str, partner: bool) -> str:
    """Instruction 3, on new rows: where the workbook takes them (a partner's: only the sheets
    whose rows below the list are unlocked, see :func:`_write_data_sheet`) and how to fill them."""
    if not partner:
        return _t(
            lang,
            "3. Neue Zeilen (in jedem Datenblatt möglich): unterhalb der Liste ausfüllen, "
            "„Version“ leer lassen. „Schlüssel“ leer lassen (wird vergeben) oder bei Projekten, "
            "Förderanträgen, Mittelabrufen, Kostenpositionen und Meilensteinen einen freien "
            "Schlüssel eintragen (z. B. SC-031): Zeilen anderer Blätter können sich dann mit diesem "
            "Schlüssel auf den neuen Eintrag beziehen, z. B. die Meilensteine eines neuen Projekts.",
            "3. New rows (possible in every data sheet): fill in a row below the list and leave "
            "“Version” empty. Leave “Key” empty (a key is assigned) or, for projects, funding "
            "applications, payment requests, cost items and milestones, enter a free key (e.g. "
            "SC-031): rows of other sheets can then refer to the new record by that key, e.g. the "
            "milestones of a new project.",
        )
    open_, close = _t(lang, "„", "“"), _t(lang, "“", "”")
    creatable = [s for s in SHEETS if s.partner_create]
    lead = _t(
        lang, "; nur für Projekte unter Ihrer Federführung", "; only for the projects you lead"
    )
    each = [
        _t(lang, "im Blatt ", "in the sheet ")
        + f"{open_}{s.title(lang)}{close} ({', '.join(_create_headers(s, lang))}"
        + (lead if s.lead_only else "")
        + ")"
        for s in creatable
    ]
    where = (
        ", ".join(each[:-1]) + _t(lang, " und ", " and ") + each[-1] if len(each) > 1 else each[0]
    )
    others = ", ".join(f"{open_}{s.title(lang)}{close}" for s in SHEETS if not s.partner_create)
    return _t(
        lang,
        f"3. Neue Zeilen nur {where}: unterhalb der Liste in den weißen Zellen ausfüllen, "
        "„Schlüssel“ und „Version“ bleiben leer (der Schlüssel wird vergeben). Die Blätter "
        f"{others} nehmen keine neuen Zeilen auf (unterhalb der Liste gesperrt): diese Einträge "
        "legt die Smart-City Innovation Unit an.",
        f"3. New rows only {where}: fill in the white cells of a row below the list; "
        "“Key” and “Version” stay empty (the key is assigned). The sheets "
        f"{others} take no new rows (locked below the list): those entries are made by the "
        "Smart-City Innovation Unit.",
    )


@requires(Action.EXPORT_DATA)
def export_workbook(
    session: Session,
    *,
    scope: Scope | None = None,
    lang: str = "de",
    now: dt.datetime | None = None,
    progress: Progress | None = None,
    ip: str | None = None,
) -> ExportResult:
    """The exchange workbook for ``scope`` as bytes: the whole portfolio or a list of projects
    (``export_data``); a partner's workbook needs ``partner_exchange`` too and is recorded in the
    audit log like :func:`export_partner_workbook` (in the session's transaction: the caller
    commits)."""
    scope = scope or Scope()
    if scope.partner:
        check(principal_of(session), Action.PARTNER_EXCHANGE)
        return export_partner_workbook(
            session,
            partner=scope.partner,
            project_keys=scope.project_keys,
            lang=lang,
            now=now,
            progress=progress,
            ip=ip,
        )
    return _export(session, scope, lang=lang, now=now, progress=progress)


@requires(Action.PARTNER_EXCHANGE)
def export_partner_workbook(
    session: Session,
    *,
    partner: str | None = None,
    project_keys: tuple[str, ...] | None = None,
    lang: str = "de",
    now: dt.datetime | None = None,
    progress: Progress | None = None,
    ip: str | None = None,
) -> ExportResult:
    """The workbook of one partner organisation (``partner``: its key; a partner's own by
    default, and a partner may export only its own), recorded in the audit log as a partner
    export (who, from where ``ip``; in the session's transaction: the caller commits)."""
    who = principal_of(session)
    org = _organisation_of(session, who, partner)
    require_organisation(who, org.id)
    result = _export(
        session,
        Scope(partner=org.key, project_keys=project_keys),
        lang=lang,
        now=now,
        progress=progress,
    )
    audit.record(
        session,
        AuditKind.PARTNER_EXPORT,
        actor=who.name,
        subject=org.key,
        ip=ip,
        detail={"scope": result.scope, "rows": result.rows, "file": result.file_name}
        | ({"filtered": True} if project_keys is not None else {}),
    )
    return result


def _organisation_of(session: Session, who: Principal, key: str | None) -> Organisation:
    """The organisation a partner export is for: ``key`` (key or name, as the import reads
    it), else the principal's own."""
    if key is None:
        if who.organisation_id is None:
            raise NotFound("organisation", "–")
        found = session.get(Organisation, who.organisation_id)
        if found is None:
            raise NotFound("organisation", str(who.organisation_id))
        return found
    refs = load_refs(session.connection())
    org_id = partner_id(refs, key)
    found = session.get(Organisation, org_id)
    assert found is not None
    return found


PROTECTION = "sheet_password"
"""The ``_meta`` entry holding the password the sheets are protected with."""


def sheet_password(key: bytes, stamp: dt.datetime, scope: Scope) -> str:
    """The sheets' protection password of one export: derived from the server's key, the export
    time and the scope (16 characters; not guessable without the key, the same for the same
    export). Sheet protection guards against slips, not against a determined user; the
    importer's checks of locked cells are what counts."""
    text = f"protect|{stamp.isoformat(timespec='seconds')}|{scope.label}".encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()[:16]


def _export(
    session: Session,
    scope: Scope,
    *,
    lang: str,
    now: dt.datetime | None,
    progress: Progress | None,
) -> ExportResult:
    """The workbook itself (nothing is written to the database)."""
    key = signing.key_of(session.get_bind())
    conn = session.connection()
    refs = load_refs(conn)
    partner_org = partner_id(refs, scope.partner) if scope.partner else None
    if partner_org is not None:
        scope = Scope(
            partner=refs.organisation.by_id[partner_org]["key"], project_keys=scope.project_keys
        )
    project_ids = scope_project_ids(conn, refs, scope)
    stamp = now or utcnow()
    password = sheet_password(key, stamp, scope)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buffer, workbook_options(constant_memory=True, default_date_format="DD.MM.YYYY")
    )
    wb.set_properties(
        {
            "title": _t(
                lang,
                "Smart-City-Portfolio – Datenaustausch",
                "Smart-City Portfolio – data exchange",
            ),
            "author": "Smart-City Innovation Unit Bochum",
            "company": "Stadt Bochum",
        }
    )
    fm = _Formats(wb)
    partner_name = refs.organisation.by_id[partner_org]["name"] if partner_org else None
    heading = _t(lang, "Smart-City-Portfolio Bochum", "Smart-City Portfolio Bochum") + (
        f" – {partner_name}" if partner_name else ""
    )
    info = wb.add_worksheet(REFERENCE_TITLES["instructions"][1 if lang == "en" else 0])
    _print_setup(info, lang, heading, stamp, table=False)
    info.set_column(0, 0, INSTRUCTIONS_WIDTH)
    for r, (style, line) in enumerate(_instructions(lang, scope.label, partner_name)):
        fmt = {"title": fm.title, "bold": fm.bold}.get(style, fm.wrap)
        if style == "title":
            info.set_row(r, TITLE_HEIGHT)
        elif (lines := len(textwrap.wrap(line, INSTRUCTIONS_WIDTH))) > 1:
            # Neither Excel nor LibreOffice grows a row for wrapped text on opening a file: a
            # line's row is as high as its wrapped lines at the column's width (at most as many
            # as characters fit, so rather a little space below than a cut line).
            info.set_row(r, LINE_HEIGHT * lines + 2)
        if line:
            info.write_string(r, 0, line, fmt)
    info.protect(password, {"select_locked_cells": True})
    counts: dict[str, int] = {}
    loaded: list[tuple[Sheet, list[dict[str, Any]]]] = []
    for i, sheet in enumerate(SHEETS):
        rows = load_rows(
            conn,
            sheet,
            refs,
            project_ids=project_ids,
            partner_org=partner_org,
            include_archived=False,
        )
        loaded.append((sheet, rows))
        counts[sheet.id] = len(rows)
        if progress:
            progress(0.3 * (i + 1) / len(SHEETS), sheet.title(lang))
    # Reference sheets are written after the data sheets but their ranges are needed first:
    # XlsxWriter resolves sheet names only when the formula is written, so compute the names.
    list_ranges, ref_ranges = _reference_ranges(refs, lang)
    total = sum(counts.values()) or 1
    done = 0
    for sheet, rows in loaded:
        _write_data_sheet(
            wb,
            fm,
            sheet,
            rows,
            refs,
            lang,
            partner_org is not None,
            list_ranges,
            ref_ranges,
            heading,
            stamp,
            password,
        )
        done += len(rows)
        if progress:
            progress(0.3 + 0.6 * done / total, sheet.title(lang))
    got_lists, got_refs = _write_reference_sheets(
        wb, fm, refs, conn, lang, heading, stamp, password
    )
    assert got_lists == list_ranges and got_refs == ref_ranges
    meta = {
        "format_version": str(FORMAT_VERSION),
        "exported_at": stamp.isoformat(timespec="seconds"),
        "scope": scope.label,
        "lang": lang,
        # the sheets' protection password: in the signed entries, so the Innovation Unit can lift
        # the protection in an office program and the file still proves where it came from
        PROTECTION: password,
        **{f"rows:{k}": str(v) for k, v in counts.items()},
    }
    if scope.project_keys is not None:
        meta["filtered"] = "true"
    meta = signing.sign(meta, key)
    ms = wb.add_worksheet(META_SHEET)
    ms.write_string(0, 0, "name")
    ms.write_string(0, 1, "value")
    for r, (k, v) in enumerate(meta.items(), start=1):
        ms.write_string(r, 0, k)
        ms.write_string(r, 1, v)
    ms.hide()
    info.activate()
    wb.close()
    if progress:
        progress(1.0, "")
    suffix = scope.partner or _t(lang, "gesamt", "all")
    file_name = f"portfolio-{suffix}-{stamp:%Y-%m-%d}.xlsx"
    return ExportResult(buffer.getvalue(), scope.label, counts, file_name)


def _reference_ranges(refs: Refs, lang: str) -> tuple[dict[str, str], dict[str, str]]:
    en = lang == "en"

    def ref(name: str, col: str, n: int) -> str:
        title = REFERENCE_TITLES[name][1 if en else 0]
        return f"='{title}'!${col}$2:${col}${max(n + 1, 2)}"

    list_values = [list(labels(enum, lang).values()) for _, enum in LISTS] + [
        list(YES_NO["en" if en else "de"])
    ]
    names = [name for name, _ in LISTS] + ["yes_no"]
    list_ranges = {
        n: ref("lists", chr(ord("A") + i), len(list_values[i])) for i, n in enumerate(names)
    }
    ref_ranges = {
        "action_field": ref(
            "action_fields", CHOICE_COLUMN["action_field"], len(refs.action_field.by_id)
        ),
        "organisation": ref(
            "organisations",
            CHOICE_COLUMN["organisation"],
            sum(1 for o in refs.organisation.by_id.values() if not o["archived"]),
        ),
        "programme": ref(
            "programmes",
            CHOICE_COLUMN["programme"],
            sum(1 for p in refs.programme.by_id.values() if not p["archived"]),
        ),
    }
    return list_ranges, ref_ranges
