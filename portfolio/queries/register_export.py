"""The register view as a formatted Excel file: real dates and numbers, the view's order.

Written with XlsxWriter directly (fast, constant memory for big views). Text is always written
as text (never a formula, whatever it starts with), control characters are removed, and a second
sheet records what the view was: filters, sort order, day, number of rows.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import xlsxwriter
from sqlalchemy import Engine

from db.engine import make_session_factory
from portfolio.i18n import fmt_date, pick, t
from portfolio.policy import Action, Principal, requires, set_principal
from portfolio.queries.register import RegisterFilter, RegisterRow
from portfolio.queries.register import rows as register_rows
from portfolio.vocab import label
from portfolio.xlsx import safe_text, workbook_options


@dataclass(frozen=True)
class Column:
    key: str
    title_de: str
    title_en: str
    kind: str  # text, date, money, int
    width: float
    value: Callable[[RegisterRow, str], Any]


def _status(row: RegisterRow, lang: str) -> str:
    from db.enums import ProjectStatus

    return label(ProjectStatus, row.status, lang)


def _priority(row: RegisterRow, lang: str) -> str:
    from db.enums import Priority

    return label(Priority, row.priority, lang)


def _light(row: RegisterRow, lang: str) -> str:
    from db.enums import TrafficLight

    return label(TrafficLight, row.light, lang) if row.light else ""


COLUMNS: tuple[Column, ...] = (
    Column("key", "Schlüssel", "Key", "text", 12, lambda r, _: r.key),
    Column("title", "Titel", "Title", "text", 44, lambda r, _: r.title),
    Column("status", "Status", "Status", "text", 22, _status),
    Column("priority", "Priorität", "Priority", "text", 10, _priority),
    Column(
        "theme",
        "Leitthema",
        "Theme",
        "text",
        34,
        lambda r, lang: f"{r.theme_key} {pick(r.theme_name, r.theme_name_en, lang)}",
    ),
    Column(
        "action_field",
        "Handlungsfeld",
        "Action field",
        "text",
        36,
        lambda r, lang: (
            f"{r.action_field_key} {pick(r.action_field_name, r.action_field_name_en, lang)}"
        ),
    ),
    Column("lead", "Federführung", "Lead", "text", 18, lambda r, _: r.lead or ""),
    Column(
        "responsible",
        "Verantwortlich",
        "Responsible",
        "text",
        28,
        lambda r, _: r.responsible_person,
    ),
    Column("start_date", "Beginn", "Start", "date", 12, lambda r, _: r.start_date),
    Column("end_date", "Ende", "End", "date", 12, lambda r, _: r.end_date),
    Column("total_cost", "Gesamtkosten", "Total cost", "money", 16, lambda r, _: r.total_cost),
    Column(
        "eligible_cost",
        "Förderfähige Kosten",
        "Eligible cost",
        "money",
        16,
        lambda r, _: r.eligible_cost,
    ),
    Column(
        "requested",
        "Förderung beantragt",
        "Funding requested",
        "money",
        16,
        lambda r, _: r.funding_requested,
    ),
    Column(
        "approved",
        "Förderung bewilligt",
        "Funding approved",
        "money",
        16,
        lambda r, _: r.funding_approved,
    ),
    Column("light", "Ampel", "Light", "text", 8, _light),
    Column(
        "last_report",
        "Letzter Statusbericht",
        "Last status report",
        "date",
        14,
        lambda r, _: r.last_report,
    ),
    Column(
        "overdue",
        "Überfällige Meilensteine",
        "Overdue milestones",
        "int",
        12,
        lambda r, _: r.overdue_milestones,
    ),
    Column(
        "next_milestone",
        "Nächster Meilenstein",
        "Next milestone",
        "date",
        14,
        lambda r, _: r.next_milestone,
    ),
)


def clean(text: str) -> str:
    return safe_text(text)


def build_register_xlsx(
    rows: Sequence[RegisterRow],
    *,
    lang: str,
    as_of: dt.date,
    view: Sequence[tuple[str, str]] = (),
) -> bytes:
    """The workbook: sheet "Projekte" with the rows, sheet "Ansicht" with ``view`` (name, value)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, workbook_options(in_memory=True, default_date_format="dd.mm.yyyy")
    )
    header = workbook.add_format(
        {
            "bold": True,
            "bg_color": "#1F5F8B",
            "font_color": "#FFFFFF",
            "text_wrap": True,
            "valign": "top",
            "border": 1,
        }
    )
    formats = {
        "text": workbook.add_format({"valign": "top"}),
        "date": workbook.add_format(
            {"num_format": "dd/mm/yyyy" if lang == "en" else "dd.mm.yyyy", "valign": "top"}
        ),
        "money": workbook.add_format({"num_format": '#,##0.00 "€"', "valign": "top"}),
        "int": workbook.add_format({"num_format": "#,##0", "valign": "top"}),
    }
    sheet = workbook.add_worksheet(t("register_sheet_projects", lang))
    for col, spec in enumerate(COLUMNS):
        sheet.write_string(0, col, pick(spec.title_de, spec.title_en, lang), header)
        sheet.set_column(col, col, spec.width)
    sheet.set_row(0, 32)
    for r, row in enumerate(rows, start=1):
        for c, spec in enumerate(COLUMNS):
            value = spec.value(row, lang)
            fmt = formats[spec.kind]
            if value is None or value == "":
                sheet.write_blank(r, c, None, fmt)
            elif spec.kind == "date":
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), fmt)
            elif spec.kind == "money":
                sheet.write_number(r, c, float(Decimal(value)), fmt)
            elif spec.kind == "int":
                sheet.write_number(r, c, int(value), fmt)
            else:
                sheet.write_string(r, c, clean(str(value)), fmt)
    sheet.freeze_panes(1, 2)
    sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)

    info = workbook.add_worksheet(t("register_sheet_view", lang))
    bold = workbook.add_format({"bold": True})
    info.set_column(0, 0, 28)
    info.set_column(1, 1, 70)
    lines = [
        (t("register_as_of", lang), fmt_date(as_of, lang)),
        (t("register_rows", lang), str(len(rows))),
        *view,
    ]
    for i, (name, value) in enumerate(lines):
        info.write_string(i, 0, clean(name), bold)
        info.write_string(i, 1, clean(value))
    workbook.close()
    return buffer.getvalue()


def column_titles(lang: str) -> list[str]:
    return [pick(c.title_de, c.title_en, lang) for c in COLUMNS]


@requires(Action.EXPORT_DATA)
def export_view(
    engine: Engine,
    f: RegisterFilter,
    *,
    today: dt.date,
    lang: str,
    view: Sequence[tuple[str, str]] = (),
    principal: Principal,
) -> bytes:
    """Query the view's rows in a session of its own and build the workbook (for a download
    that runs outside the dashboard's script run), as ``principal``."""
    with make_session_factory(engine, read_only=True)() as session:
        set_principal(session, principal)
        rows = register_rows(session, f, today=today)
        session.rollback()
    return build_register_xlsx(rows, lang=lang, as_of=today, view=view)


@requires(Action.EXPORT_DATA)
def exchange_view(
    engine: Engine, f: RegisterFilter, *, today: dt.date, lang: str, principal: Principal
) -> bytes:
    """The partner-exchange workbook of exactly the projects of a register view (in its order),
    as ``principal``."""
    from portfolio.exchange.export import export_workbook
    from portfolio.exchange.state import Scope

    with make_session_factory(engine, read_only=True)() as session:
        set_principal(session, principal)
        keys = tuple(row.key for row in register_rows(session, f, today=today))
        return export_workbook(session, scope=Scope(project_keys=keys), lang=lang).data
