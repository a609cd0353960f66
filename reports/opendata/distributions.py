"""The datasets' content as of a day, from the public read model: a JSON document and CSV rows
for each of the projects, the Leitthemen with their Handlungsfelder, the partners and the
funding (with its totals)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from db.enums import ParticipationRole
from portfolio.policy import Action, requires
from portfolio.queries import public
from portfolio.vocab import label
from reports.opendata.records import (
    PROJECT_COLUMNS,
    as_text,
    joined,
    project_csv_row,
    project_record,
)

THEME_COLUMNS = ("typ", "schluessel", "name", "name_en", "leitthema_schluessel", "projekte")
PARTNER_COLUMNS = ("organisation", "kurzname", "rollen", "projekte")
FUNDING_COLUMNS = ("schluessel", "titel", "gesamtkosten", "bewilligt", "programme")


@dataclass(frozen=True)
class Tables:
    """The distributions' content: JSON documents and CSV rows per dataset."""

    as_of: dt.date
    json: dict[str, Any]
    csv: dict[str, tuple[Sequence[str], list[dict[str, Any]]]]


@requires(Action.READ_PUBLIC)
def tables(session: Session, *, today: dt.date, base: str | None = None) -> Tables:
    """Every dataset's rows as of ``today``, from the public read model."""
    project_rows = [project_record(s, base) for s in public.projects(session, today=today)]
    theme_json, theme_rows = _themes(session, today)
    partner_json, partner_rows = _partners(session, today)
    funding_json, funding_rows = _funding(session, today)
    stamp = today.isoformat()
    return Tables(
        as_of=today,
        json={
            "projekte": {"stand": stamp, "projekte": project_rows},
            "leitthemen": {"stand": stamp, "leitthemen": theme_json},
            "partner": {"stand": stamp, "partner": partner_json},
            "foerderung": funding_json,
        },
        csv={
            "projekte": (PROJECT_COLUMNS, [project_csv_row(r) for r in project_rows]),
            "leitthemen": (THEME_COLUMNS, theme_rows),
            "partner": (PARTNER_COLUMNS, partner_rows),
            "foerderung": (FUNDING_COLUMNS, funding_rows),
        },
    )


def _label_en(name: str, name_en: str | None) -> str:
    return name_en or name


def _theme_row(
    kind: str, key: str, name: str, name_en: str | None, theme_key: str, projects: int
) -> dict[str, Any]:
    """A row of the Leitthemen table: a Leitthema or a Handlungsfeld (``kind``)."""
    return {
        "typ": kind,
        "schluessel": key,
        "name": name,
        "name_en": _label_en(name, name_en),
        "leitthema_schluessel": theme_key,
        "projekte": projects,
    }


def _themes(session: Session, today: dt.date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The Leitthemen with their Handlungsfelder nested (JSON), and both as rows of one table
    (CSV: a Leitthema, then its Handlungsfelder)."""
    theme_rows: list[dict[str, Any]] = []
    theme_json = []
    for th in public.themes(session, today=today):
        theme_rows.append(_theme_row("leitthema", th.key, th.name, th.name_en, th.key, th.projects))
        fields = []
        for af in th.action_fields:
            theme_rows.append(
                _theme_row("handlungsfeld", af.key, af.name, af.name_en, th.key, af.projects)
            )
            fields.append(
                {
                    "schluessel": af.key,
                    "name": af.name,
                    "name_en": _label_en(af.name, af.name_en),
                    "projekte": af.projects,
                }
            )
        theme_json.append(
            {
                "schluessel": th.key,
                "name": th.name,
                "name_en": _label_en(th.name, th.name_en),
                "projekte": th.projects,
                "handlungsfelder": fields,
            }
        )
    return theme_json, theme_rows


def _partners(
    session: Session, today: dt.date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The organisations taking part in published projects (JSON), and as CSV rows (roles
    labelled, lists joined)."""
    partner_json = [
        {
            "organisation": o.name,
            "kurzname": o.short_name,
            "rollen": list(o.roles),
            "projekte": list(o.projects),
        }
        for o in public.organisations(session, today=today)
    ]
    partner_rows = [
        {
            "organisation": p["organisation"],
            "kurzname": p["kurzname"],
            "rollen": joined(label(ParticipationRole, r) for r in p["rollen"]),
            "projekte": joined(p["projekte"]),
        }
        for p in partner_json
    ]
    return partner_json, partner_rows


def _funding(session: Session, today: dt.date) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The funding totals, per project and per funding line (JSON), and as CSV rows: a row a
    project, then the sum."""
    totals = public.funding_totals(session, today=today)
    funding_json: dict[str, Any] = {
        "stand": today.isoformat(),
        "summe": {
            "projekte": len(totals.projects),
            "gesamtkosten": as_text(totals.total_cost),
            "bewilligt": as_text(totals.approved),
        },
        "projekte": [
            {
                "schluessel": p.key,
                "titel": p.title,
                "gesamtkosten": as_text(p.total_cost),
                "bewilligt": as_text(p.approved),
                "programme": list(p.programmes),
            }
            for p in totals.projects
        ],
        "foerderlinien": [
            {
                "projekt": line.project_key,
                "programm": line.programme,
                "stand": line.status,
                "bewilligt": as_text(line.approved),
            }
            for line in totals.lines
        ],
    }
    funding_rows: list[dict[str, Any]] = [
        {
            "schluessel": p["schluessel"],
            "titel": p["titel"],
            "gesamtkosten": p["gesamtkosten"],
            "bewilligt": p["bewilligt"],
            "programme": joined(p["programme"]),
        }
        for p in funding_json["projekte"]
    ]
    funding_rows.append(
        {
            "schluessel": "SUMME",
            "titel": f"Summe über {len(totals.projects)} Projekte",
            "gesamtkosten": as_text(totals.total_cost),
            "bewilligt": as_text(totals.approved),
            "programme": "",
        }
    )
    return funding_json, funding_rows
