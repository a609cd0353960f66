"""UI words shared by several pages (each page keeps its own catalogue for the rest)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

COMMON: dict[str, dict[str, str]] = {
    "de": {
        "app_title": "Smart-City Portfolio",
        "app_caption": "Smart-City Innovation Unit · Stadt Bochum",
        "language": "Sprache",
        "sec_portfolio": "Portfolio",
        "sec_steering": "Partner & Förderung",
        "sec_data": "Daten & Berichte",
        "nav_overview": "Übersicht",
        "nav_register": "Projekte",
        "nav_project": "Projekt",
        "nav_timeline": "Zeitplan",
        "nav_partners": "Partner",
        "nav_funding": "Förderung",
        "nav_partner_portal": "Meine Projekte",
        "nav_deadlines": "Fristen",
        "nav_publication": "Veröffentlichung",
        "nav_quality": "Datenqualität",
        "nav_exchange": "Datenaustausch",
        "nav_reports": "Berichte",
        "nav_masterdata": "Stammdaten",
        "sec_admin": "Verwaltung",
        "nav_accounts": "Konten",
        "nav_audit": "Sicherheitsprotokoll",
        "as_of": "Stand: {date}",
        "exact": "Genau: {value}",
        "all_themes": "Alle Leitthemen",
        "theme": "Leitthema",
        "empty_title": "Noch keine Projekte im Portfolio",
        "empty_body": (
            "Die Datenbank ist eingerichtet, enthält aber noch keine Projekte. So geht es weiter:\n\n"
            "- **Demo-Portfolio laden:** `make demo` oder `portfolio demo` auf der Kommandozeile.\n"
            "- **Projekte aus Excel übernehmen:** Seite *Datenaustausch*.\n"
            "- **Erstes Projekt anlegen:** Seite *Projekt* → *Neues Projekt*."
        ),
        "empty_filtered": "Keine Einträge für diese Auswahl. Bitte Filter lockern.",
        "open_project": "Projekt öffnen",
        "new_project": "Neues Projekt",
        "page_of": "Seite {page} von {pages}",
        "rows_of": "{start}–{end} von {total}",
        "light_green": "grün",
        "light_yellow": "gelb",
        "light_red": "rot",
        "light_none": "kein Bericht",
        "kind_milestone": "Meilenstein",
        "kind_proof_of_use": "Verwendungsnachweis",
        "kind_payment_request": "Mittelabruf",
        "projects": "Projekte",
        "today": "heute",
        "save": "Speichern",
        "cancel": "Abbrechen",
        "reload": "Neu laden",
        "saved": "Gespeichert.",
        "check_fields": "Bitte die markierten Felder prüfen.",
        "conflict_fields": "Inzwischen geändert: {fields}.",
        "conflict_hint": "Ihre Eingaben sind nicht gespeichert. Nach dem Neuladen sehen Sie den aktuellen Stand und können Ihre Änderung erneut eintragen.",
        "bad_number": "{field}: „{value}“ ist keine Zahl. Bitte z. B. 1.234,56 eintragen.",
        "none_option": "– keine Angabe –",
        "yes": "ja",
        "no": "nein",
    },
    "en": {
        "app_title": "Smart-City Portfolio",
        "app_caption": "Smart-City Innovation Unit · City of Bochum",
        "language": "Language",
        "sec_portfolio": "Portfolio",
        "sec_steering": "Partners & funding",
        "sec_data": "Data & reports",
        "nav_overview": "Overview",
        "nav_register": "Projects",
        "nav_project": "Project",
        "nav_timeline": "Timeline",
        "nav_partners": "Partners",
        "nav_funding": "Funding",
        "nav_partner_portal": "My projects",
        "nav_deadlines": "Deadlines",
        "nav_publication": "Publication",
        "nav_quality": "Data quality",
        "nav_exchange": "Data exchange",
        "nav_reports": "Reports",
        "nav_masterdata": "Master data",
        "sec_admin": "Administration",
        "nav_accounts": "Accounts",
        "nav_audit": "Audit log",
        "as_of": "As of {date}",
        "exact": "Exactly: {value}",
        "all_themes": "All themes",
        "theme": "Theme",
        "empty_title": "No projects in the portfolio yet",
        "empty_body": (
            "The database is set up but holds no projects yet. Next steps:\n\n"
            "- **Load the demo portfolio:** `make demo` or `portfolio demo` on the command line.\n"
            "- **Take projects over from Excel:** page *Data exchange*.\n"
            "- **Create a first project:** page *Project* → *New project*."
        ),
        "empty_filtered": "Nothing matches this selection. Please loosen the filters.",
        "open_project": "Open project",
        "new_project": "New project",
        "page_of": "Page {page} of {pages}",
        "rows_of": "{start}–{end} of {total}",
        "light_green": "green",
        "light_yellow": "yellow",
        "light_red": "red",
        "light_none": "no report",
        "kind_milestone": "Milestone",
        "kind_proof_of_use": "Proof of use",
        "kind_payment_request": "Payment request",
        "projects": "Projects",
        "today": "today",
        "save": "Save",
        "cancel": "Cancel",
        "reload": "Reload",
        "saved": "Saved.",
        "check_fields": "Please check the marked fields.",
        "conflict_fields": "Changed meanwhile: {fields}.",
        "conflict_hint": "Your input was not saved. After reloading you see the current state and can enter your change again.",
        "bad_number": "{field}: “{value}” is not a number. Please enter e.g. 1,234.56.",
        "none_option": "– none –",
        "yes": "yes",
        "no": "no",
    },
}


def option_labels(labels: Mapping[Any, str]) -> Callable[[Any], str]:
    """A select widget's ``format_func``: the label of an option (the option itself if it has none)."""
    return lambda option: labels.get(option, str(option))
