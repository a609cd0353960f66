"""One published project as an open-data record: the JSON record (codes with their German
labels, ISO dates, decimals as text) and its CSV row (lists joined in one cell)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from db.enums import ParticipationRole, ProjectStatus, PublishGroup, SpatialScope, TrafficLight
from portfolio import links
from portfolio.queries.factsheet import FactSheet
from portfolio.vocab import label

LIST_SEPARATOR = " | "
PROJECT_COLUMNS = (
    "schluessel",
    "titel",
    "leitthema_schluessel",
    "leitthema",
    "handlungsfeld_schluessel",
    "handlungsfeld",
    "phase",
    "phase_bezeichnung",
    "raeumliche_wirkung",
    "raeumliche_wirkung_bezeichnung",
    "raeumliche_wirkung_ort",
    "beginn",
    "ende",
    "open_source_repository",
    "beschreibung",
    "ziele",
    "partner",
    "gesamtkosten",
    "bewilligte_foerderung",
    "foerderprogramme",
    "meilensteine",
    "kennzahlen",
    "ampel",
    "ampel_stand",
    "veroeffentlichte_angaben",
    "steckbrief",
)


def as_text(value: Any) -> Any:
    """A decimal as its text and a day in ISO 8601; anything else as it is."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def joined(items: Iterable[str]) -> str:
    """A list in one CSV cell."""
    return LIST_SEPARATOR.join(items)


def project_record(s: FactSheet, lang_base: str | None) -> dict[str, Any]:
    """The JSON record of a published fact sheet: its core, then each group it publishes."""
    row: dict[str, Any] = {
        "schluessel": s.key,
        "titel": s.title,
        "leitthema_schluessel": s.theme_key,
        "leitthema": s.theme_name,
        "handlungsfeld_schluessel": s.action_field_key,
        "handlungsfeld": s.action_field_name,
        "phase": s.status,
        "phase_bezeichnung": label(ProjectStatus, s.status),
        "raeumliche_wirkung": s.spatial_scope,
        "raeumliche_wirkung_bezeichnung": (
            label(SpatialScope, s.spatial_scope) if s.spatial_scope else None
        ),
        "raeumliche_wirkung_ort": s.spatial_note,
        "beginn": as_text(s.start_date),
        "ende": as_text(s.end_date),
        "open_source_repository": s.repository_url,
        "veroeffentlichte_angaben": [g for g in (str(p) for p in PublishGroup) if s.shows(g)],
        "steckbrief": links.fact_sheet(s.key, base=lang_base),
    }
    if s.shows(PublishGroup.DESCRIPTION):
        row |= {"beschreibung": s.summary, "ziele": s.goals}
    return row | _published_groups(s)


def _published_groups(s: FactSheet) -> dict[str, Any]:
    """The record's fields of the groups ``s`` publishes (partners, funding, milestones, KPIs,
    status), in that order."""
    row: dict[str, Any] = {}
    if s.partners is not None:
        row["partner"] = [
            {
                "organisation": p.organisation,
                "rolle": p.role,
                "rolle_bezeichnung": label(ParticipationRole, p.role),
            }
            for p in s.partners
        ]
    if s.funding is not None:
        row["foerderung"] = {
            "gesamtkosten": as_text(s.funding.total_cost),
            "bewilligt": as_text(s.funding.approved),
            "programme": [
                {
                    "programm": line.programme,
                    "stand": line.status,
                    "bewilligt": as_text(line.approved),
                }
                for line in s.funding.lines
            ],
        }
    if s.milestones is not None:
        row["meilensteine"] = [
            {"titel": m.title, "faellig": as_text(m.due), "erledigt": as_text(m.done)}
            for m in s.milestones
        ]
    if s.kpis is not None:
        row["kennzahlen"] = [
            {
                "name": k.name,
                "einheit": k.unit,
                "ausgangswert": as_text(k.baseline),
                "zielwert": as_text(k.target),
                "zieldatum": as_text(k.target_date),
                "letzter_wert": as_text(k.latest.value) if k.latest else None,
                "gemessen_am": as_text(k.latest.measured_on) if k.latest else None,
            }
            for k in s.kpis
        ]
    if s.shows(PublishGroup.STATUS):
        row["ampel"] = s.report.overall if s.report else None
        row["ampel_bezeichnung"] = label(TrafficLight, s.report.overall) if s.report else None
        row["ampel_stand"] = as_text(s.report.report_date) if s.report else None
    return row


def project_csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """A project's CSV row from its JSON record: the columns of :data:`PROJECT_COLUMNS`, lists
    joined in one cell."""
    out = {k: row.get(k) for k in PROJECT_COLUMNS}
    partners = row.get("partner")
    out["partner"] = (
        joined(f"{p['organisation']} ({p['rolle_bezeichnung']})" for p in partners)
        if partners is not None
        else None
    )
    funding = row.get("foerderung")
    if funding is not None:
        out["gesamtkosten"] = funding["gesamtkosten"]
        out["bewilligte_foerderung"] = funding["bewilligt"]
        out["foerderprogramme"] = joined(dict.fromkeys(p["programm"] for p in funding["programme"]))
    milestones = row.get("meilensteine")
    if milestones is not None:
        out["meilensteine"] = joined(
            f"{m['titel']} (fällig {m['faellig']}"
            + (f", erledigt {m['erledigt']})" if m["erledigt"] else ")")
            for m in milestones
        )
    kpis = row.get("kennzahlen")
    if kpis is not None:
        out["kennzahlen"] = joined(
            f"{k['name']}: {k['letzter_wert'] or '–'} {k['einheit']} (Ziel {k['zielwert'] or '–'})"
            for k in kpis
        )
    out["veroeffentlichte_angaben"] = joined(row["veroeffentlichte_angaben"])
    return out
