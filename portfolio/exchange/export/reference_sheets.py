"""The reference sheets after the data sheets: themes, action fields, organisations and
programmes with their keys, and the sheet "Listen" with every value of each list. Their last
column ("CODE – Name") and the lists are the sources of the data sheets' dropdowns
(:class:`Dropdowns`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from db.enums import (
    ApplicationStatus,
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
from db.models import ProgrammePhase
from portfolio.exchange.export.book import Book, print_setup
from portfolio.exchange.schema import REFERENCE_TITLES
from portfolio.exchange.state import Refs, ref_label
from portfolio.i18n import pick, t
from portfolio.vocab import label, labels
from portfolio.xlsx import safe_text

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
ENUM_LIST = {enum: name for name, enum in LISTS if name not in ("kind", "level")}
"""Enum → the list a data sheet's column of it takes its dropdown from (organisation kinds and
funding levels are listed for reference only)."""
CHOICE_COLUMN = {"action_field": "D", "organisation": "E", "programme": "I"}
"""The reference sheets' last column, "CODE – Name": the source of the reference dropdowns."""
REFERENCED_BY = {
    "action_field": "action_fields",
    "organisation": "organisations",
    "programme": "programmes",
}
"""The reference → its sheet, for the references with a "CODE – Name" column."""


@dataclass(frozen=True)
class Dropdowns:
    """The sources of the data sheets' dropdowns, as formulas of cell ranges."""

    lists: dict[str, str]  # list name → its column on the sheet "Listen"
    refs: dict[str, str]  # reference → the "CODE – Name" column of its sheet


@dataclass(frozen=True)
class _Table:
    headers: list[str]
    rows: list[list[Any]]
    widths: list[int]


def _title(name: str, lang: str) -> str:
    return pick(*REFERENCE_TITLES[name], lang)


def _range(name: str, lang: str, col: str, n: int) -> str:
    """Rows 2 to ``n + 1`` (at least row 2) of column ``col`` on the reference sheet ``name``."""
    return f"='{_title(name, lang)}'!${col}$2:${col}${max(n + 1, 2)}"


def _list_columns(lang: str) -> tuple[list[str], list[list[str]]]:
    """The names of the lists, in their column order on the sheet "Listen", and their values."""
    names = [name for name, _ in LISTS] + ["yes_no"]
    values = [list(labels(enum, lang).values()) for _, enum in LISTS] + [
        [t("yes", lang), t("no", lang)]
    ]
    return names, values


def _dropdowns(lang: str, rows: dict[str, int]) -> Dropdowns:
    """The dropdowns' sources for reference sheets of ``rows`` rows each (sheet name → rows)."""
    names, values = _list_columns(lang)
    return Dropdowns(
        lists={
            n: _range("lists", lang, chr(ord("A") + i), len(values[i])) for i, n in enumerate(names)
        },
        refs={
            ref: _range(sheet, lang, CHOICE_COLUMN[ref], rows[sheet])
            for ref, sheet in REFERENCED_BY.items()
        },
    )


def reference_ranges(refs: Refs, lang: str) -> Dropdowns:
    """The dropdowns' sources before the reference sheets are written: XlsxWriter resolves sheet
    names only when the formula is written, so the data sheets before them can use them."""
    return _dropdowns(
        lang,
        {
            "action_fields": len(refs.action_field.by_id),
            "organisations": sum(1 for o in refs.organisation.by_id.values() if not o["archived"]),
            "programmes": sum(1 for p in refs.programme.by_id.values() if not p["archived"]),
        },
    )


def write_reference_sheets(book: Book, refs: Refs, conn: Connection) -> Dropdowns:
    """The reference sheets and the sheet "Listen", protected; the dropdowns' sources on them."""
    lang = book.lang
    tables = {
        "themes": _themes(refs, lang),
        "action_fields": _action_fields(refs, lang),
        "organisations": _organisations(refs, lang),
        "programmes": _programmes(refs, _phases(conn), lang),
        "lists": _lists(lang),
    }
    for name, table in tables.items():
        _write_sheet(book, name, table)
    return _dropdowns(lang, {name: len(table.rows) for name, table in tables.items()})


def _write_sheet(book: Book, name: str, table: _Table) -> None:
    fm = book.fm
    ws = book.wb.add_worksheet(_title(name, book.lang))
    for i, (h, w) in enumerate(zip(table.headers, table.widths, strict=True)):
        ws.set_column(i, i, w)
        ws.write_string(0, i, h, fm.ref_header)
    for r, row in enumerate(table.rows, start=1):
        for i, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(r, i, safe_text(value), fm.ref_text)
            else:
                ws.write(r, i, value)
    ws.freeze_panes(1, 0)
    print_setup(ws, book)
    ws.protect(book.password, {"autofilter": True, "sort": True, "select_locked_cells": True})


_KEY = ("Schlüssel", "Key")
_THEME = ("Leitthema", "Theme")
_CHOICE = ("Auswahl (Schlüssel – Name)", "Choice (key – name)")


def _headers(lang: str, *texts: tuple[str, str]) -> list[str]:
    return [pick(*text, lang) for text in texts]


def _name(record: dict[str, Any], lang: str) -> str:
    """A theme's or action field's name in the workbook's language (German if it has none)."""
    return pick(record["name"], record["name_en"], lang)


def _themes(refs: Refs, lang: str) -> _Table:
    return _Table(
        _headers(lang, _KEY, _THEME),
        [[t["key"], _name(t, lang)] for t in refs.themes],
        [10, 50],
    )


def _action_fields(refs: Refs, lang: str) -> _Table:
    return _Table(
        _headers(lang, _KEY, ("Handlungsfeld", "Action field"), _THEME, _CHOICE),
        [
            [
                a["key"],
                _name(a, lang),
                a["theme"]["key"] if a["theme"] else None,
                ref_label("action_field", a, lang),
            ]
            for a in refs.action_field.by_id.values()
        ],
        [10, 44, 10, 50],
    )


def _organisations(refs: Refs, lang: str) -> _Table:
    return _Table(
        _headers(
            lang, _KEY, ("Kurzname", "Short name"), ("Name", "Name"), ("Art", "Kind"), _CHOICE
        ),
        [
            [
                o["key"],
                o["short_name"],
                o["name"],
                label(OrganisationKind, o["kind"], lang),
                ref_label("organisation", o, lang),
            ]
            for o in refs.organisation.by_id.values()
            if not o["archived"]
        ],
        [10, 28, 50, 24, 50],
    )


def _phases(conn: Connection) -> dict[int, list[str]]:
    """Programme id → the keys of its phases, in order."""
    phases: dict[int, list[str]] = {}
    for programme_id, key in conn.execute(
        select(ProgrammePhase.programme_id, ProgrammePhase.key).order_by(ProgrammePhase.key)
    ):
        phases.setdefault(programme_id, []).append(key)
    return phases


def _programmes(refs: Refs, phases: dict[int, list[str]], lang: str) -> _Table:
    return _Table(
        _headers(
            lang,
            _KEY,
            ("Förderprogramm", "Programme"),
            ("Fördergeber", "Funder"),
            ("Ebene", "Level"),
            ("Förderquote", "Rate"),
            ("Erhöhte Quote", "Raised rate"),
            ("Obergrenze (€)", "Cap (€)"),
            ("Phasen", "Phases"),
            _CHOICE,
        ),
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
            for p in refs.programme.by_id.values()
            if not p["archived"]
        ],
        [12, 44, 30, 10, 10, 10, 16, 10, 50],
    )


def _lists(lang: str) -> _Table:
    """The sheet "Listen": a column of values for each list."""
    names, values = _list_columns(lang)
    height = max(len(v) for v in values)
    return _Table(
        [pick(*LIST_HEADERS[n], lang) for n in names],
        [[v[r] if r < len(v) else None for v in values] for r in range(height)],
        [24] * len(names),
    )
