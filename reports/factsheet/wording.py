"""The fact sheet's own words, German and English; any other word comes from the brief's
(:func:`reports.texts.tx`)."""

from __future__ import annotations

from typing import Any

from reports.texts import tx

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "kicker": "Projektsteckbrief · Smart City Bochum",
        "doc_title": "Projektsteckbrief {key}",
        "internal": "Interne Fassung mit Angaben, die nicht veröffentlicht werden.",
        "internal_short": "intern",
        "public": "Veröffentlichte Fassung.",
        "archived": "Dieses Projekt ist archiviert.",
        "stage": "Projektphase",
        "period": "Laufzeit",
        "spatial": "Räumliche Wirkung",
        "s_partners": "Partner",
        "s_funding": "Kosten und Förderung",
        "s_milestones": "Meilensteine",
        "s_kpis": "Wirkung (KPIs)",
        "s_status": "Status",
        "organisation": "Organisation",
        "state": "Zustand",
        "kpi": "Kennzahl",
        "latest": "Letzter Wert",
        "measurements": "Messwerte",
        "no_measurements": "noch keine Messwerte",
        "report_of": "Letzter Statusbericht vom {day}",
        "no_report": "Noch kein Statusbericht.",
        "no_funding": "Keine Förderlinien.",
        "more": "… und {count} weitere (vollständig im Dashboard).",
        "shortened": "(gekürzt; vollständig im Dashboard)",
        "charts_more": "Verläufe weiterer Kennzahlen im Dashboard.",
    },
    "en": {
        "kicker": "Project fact sheet · Smart City Bochum",
        "doc_title": "Project fact sheet {key}",
        "internal": "Internal version with details that are not published.",
        "internal_short": "internal",
        "public": "Published version.",
        "archived": "This project is archived.",
        "stage": "Stage",
        "period": "Period",
        "spatial": "Spatial effect",
        "s_partners": "Partners",
        "s_funding": "Costs and funding",
        "s_milestones": "Milestones",
        "s_kpis": "Impact (KPIs)",
        "s_status": "Status",
        "organisation": "Organisation",
        "state": "State",
        "kpi": "Indicator",
        "latest": "Latest value",
        "measurements": "Measurements",
        "no_measurements": "no measurements yet",
        "report_of": "Newest status report of {day}",
        "no_report": "No status report yet.",
        "no_funding": "No funding lines.",
        "more": "… and {count} more (all of them in the dashboard).",
        "shortened": "(shortened; in full in the dashboard)",
        "charts_more": "Trends of further indicators in the dashboard.",
    },
}


def sheet_text(lang: str, name: str, /, **params: Any) -> str:
    """The text ``name`` in ``lang``, filled with ``params``: the sheet's own, else the brief's."""
    own = TEXTS[lang].get(name)
    if own is None:
        return tx(name, lang, **params)
    return own.format(**params) if params else own
