"""Labels users read for every stored code and field, in German and English.

The exchange workbook, the dashboard and the reports all take their words from here, so a
status is called the same everywhere.
"""

from __future__ import annotations

from enum import StrEnum

from db.enums import (
    ApplicationStatus,
    CapScope,
    ChangeSource,
    CostType,
    DeadlineKind,
    FeedScope,
    FundingLevel,
    JournalAction,
    MilestoneState,
    NoticeKind,
    OrganisationKind,
    ParticipationRole,
    PaymentRequestStatus,
    PaymentWindow,
    Priority,
    ProjectStatus,
    ProofKind,
    ProofOfUseBasis,
    ProofState,
    PublishGroup,
    RefundKind,
    SpatialScope,
    TrafficLight,
)
from portfolio.i18n import DEFAULT_LANG, Both, pick

Labels = dict[str, tuple[str, str]]  # code -> (German, English)

ENUM_LABELS: dict[type[StrEnum], Labels] = {
    FeedScope: {
        "account": ("alles, was ich sehen darf", "everything I may see"),
        "organisation": ("eine Organisation", "one organisation"),
        "project": ("ein Projekt", "one project"),
    },
    PublishGroup: {
        "description": ("Beschreibung und Ziele", "Description and goals"),
        "partners": ("Partner (nur Organisationen)", "Partners (organisations only)"),
        "funding": ("Kosten und Förderung", "Costs and funding"),
        "milestones": ("Meilensteine", "Milestones"),
        "kpis": ("Kennzahlen", "KPIs"),
        "status": ("Ampel des letzten Statusberichts", "Light of the newest status report"),
    },
    DeadlineKind: {
        "milestone": ("Meilenstein", "Milestone"),
        "payment_request": ("Mittelabruf", "Payment request"),
        "proof": ("Nachweis", "Proof of use"),
        "status_report": ("Statusbericht fällig", "Status report due"),
        "period_end": ("Ende des Bewilligungszeitraums", "End of the funding period"),
    },
    ProjectStatus: {
        "idea": ("Ideenstadium", "Idea"),
        "planning": ("Vorbereitung/Planung", "Preparation/planning"),
        "implementation": ("in Umsetzung", "In implementation"),
        "completed": ("umgesetzt/abgeschlossen", "Implemented/completed"),
        "discontinued": ("nicht weiter verfolgt", "Discontinued"),
    },
    Priority: {"high": ("hoch", "high"), "medium": ("mittel", "medium"), "low": ("niedrig", "low")},
    SpatialScope: {
        "citywide": ("gesamtstädtisch", "City-wide"),
        "district": ("Stadtbezirk", "District"),
        "quarter": ("Quartier", "Neighbourhood"),
        "site": ("Standort", "Site"),
    },
    OrganisationKind: {
        "city_department": ("Städtische Dienststelle", "City department"),
        "municipal_company": ("Kommunales Unternehmen", "Municipal company"),
        "chamber": ("Kammer", "Chamber"),
        "network": ("Netzwerk", "Network"),
        "university": ("Hochschule", "University"),
        "company": ("Unternehmen", "Company"),
        "bank": ("Bank", "Bank"),
    },
    ParticipationRole: {
        "lead": ("Federführung", "Lead"),
        "partner": ("Partner", "Partner"),
        "cofinancing": ("Kofinanzierung", "Co-financing"),
        "implementation": ("Umsetzung", "Implementation"),
        "data_provider": ("Datenbereitstellung", "Data provision"),
        "operation": ("Betrieb", "Operation"),
    },
    FundingLevel: {
        "eu": ("EU", "EU"),
        "federal": ("Bund", "Federal"),
        "state": ("Land", "State"),
        "municipal": ("Kommune", "Municipal"),
        "private": ("privat", "Private"),
    },
    ApplicationStatus: {
        "idea": ("Idee", "Idea"),
        "sketch": ("Projektskizze", "Project outline"),
        "submitted": ("Antrag eingereicht", "Application submitted"),
        "approved": ("bewilligt", "Approved"),
        "rejected": ("abgelehnt", "Rejected"),
        "withdrawn": ("zurückgezogen / Verzicht", "Withdrawn / renounced"),
        "in_progress": ("in Durchführung", "In progress"),
        "proof_submitted": ("Verwendungsnachweis eingereicht", "Proof of use submitted"),
        "closed": ("abgeschlossen", "Closed"),
        "revoked": ("widerrufen", "Revoked"),
    },
    NoticeKind: {
        "award": ("Zuwendungsbescheid", "Award"),
        "partial_award": ("Teilbewilligung", "Partial award"),
        "amendment": ("Änderungsbescheid", "Amendment"),
        "revocation": ("Widerrufsbescheid", "Revocation"),
        "renunciation": ("Verzicht", "Renunciation"),
    },
    RefundKind: {
        "refund": ("Rückforderung", "Refund"),
        "early_draw_interest": (
            "Zinsen für vorzeitig abgerufene Mittel",
            "Interest on money drawn early",
        ),
    },
    ProofKind: {
        "interim": ("Zwischennachweis", "Interim proof"),
        "factual_report": ("Sachbericht", "Factual report"),
        "final": ("Verwendungsnachweis", "Proof of use"),
    },
    ProofState: {
        "due": ("fällig", "Due"),
        "submitted": ("eingereicht", "Submitted"),
        "under_check": ("in Prüfung", "Under check"),
        "accepted": ("geprüft, ohne Beanstandung", "Accepted"),
        "accepted_with_recovery": ("geprüft, mit Rückforderung", "Accepted with recovery"),
    },
    CostType: {
        "personnel": ("Personalausgaben", "Personnel"),
        "material": ("Sachausgaben", "Material"),
        "investment": ("Investitionen", "Investment"),
        "external_services": ("Fremdleistungen", "External services"),
    },
    ProofOfUseBasis: {
        "award": ("nach Bewilligung", "after the award"),
        "end": ("nach Ende des Förderzeitraums", "after the end of the funding period"),
    },
    CapScope: {
        "application": ("je Antrag", "per application"),
        "project": ("je Projekt", "per project"),
        "city": ("je Stadt (alle Maßnahmen)", "per city (all measures)"),
    },
    PaymentWindow: {
        "6w": ("6 Wochen (ANBest-P)", "6 weeks (ANBest-P)"),
        "2m": ("2 Monate (ANBest-Gk)", "2 months (ANBest-Gk)"),
    },
    PaymentRequestStatus: {
        "planned": ("geplant", "Planned"),
        "submitted": ("eingereicht", "Submitted"),
        "paid": ("ausgezahlt", "Paid"),
        "rejected": ("abgelehnt", "Rejected"),
    },
    TrafficLight: {"green": ("grün", "green"), "yellow": ("gelb", "yellow"), "red": ("rot", "red")},
    MilestoneState: {
        "open": ("offen", "open"),
        "done": ("erledigt", "done"),
        "due_soon": ("bald fällig", "due soon"),
        "overdue": ("überfällig", "overdue"),
    },
    ChangeSource: {
        "ui": ("Dashboard", "Dashboard"),
        "import": ("Import", "Import"),
        "cli": ("Kommandozeile", "Command line"),
        "system": ("System", "System"),
    },
    JournalAction: {
        "create": ("angelegt", "created"),
        "update": ("geändert", "changed"),
        "archive": ("archiviert", "archived"),
        "restore": ("wiederhergestellt", "restored"),
        "delete": ("gelöscht", "deleted"),
    },
}

# Smart City Charta guidelines (Leitlinien) a project may be tagged with.
CHARTER_GUIDELINES: Labels = {
    "L1": ("Ziele, Strategien und Strukturen", "Goals, strategies and structures"),
    "L2": (
        "Transparenz, Teilhabe und Mitgestaltung",
        "Transparency, participation and co-creation",
    ),
    "L3": ("Infrastrukturen, Daten und Dienstleistungen", "Infrastructure, data and services"),
    "L4": ("Ressourcen, Kompetenzen und Kooperationen", "Resources, skills and cooperation"),
}
SDGS: tuple[str, ...] = tuple(str(n) for n in range(1, 18))

FIELD_LABELS: dict[str, tuple[str, str]] = {
    # shared
    "key": ("Schlüssel", "Key"),
    "version": ("Version", "Version"),
    "archived": ("Archiviert", "Archived"),
    "note": ("Bemerkung", "Note"),
    "name": ("Name", "Name"),
    "status": ("Status", "Status"),
    "project": ("Projekt", "Project"),
    "project_id": ("Projekt", "Project"),
    "organisation_id": ("Organisation", "Organisation"),
    # project
    "title": ("Titel", "Title"),
    "summary": ("Kurzbeschreibung", "Summary"),
    # status report
    "risks": ("Risiken", "Risks"),
    "decisions_needed": ("Erforderliche Entscheidungen", "Decisions needed"),
    "next_steps": ("Nächste Schritte", "Next steps"),
    # saved view
    "view_name": ("Name der Ansicht", "View name"),
    "view_query": ("Ansicht", "View"),
    "goals": ("Ziele", "Goals"),
    "priority": ("Priorität", "Priority"),
    "theme": ("Leitthema", "Theme"),
    "action_field_id": ("Handlungsfeld", "Action field"),
    "action_field": ("Handlungsfeld", "Action field"),
    "lead_organisation_id": ("Federführung", "Lead organisation"),
    "responsible_person": ("Verantwortlich", "Responsible"),
    "start_date": ("Beginn", "Start"),
    "end_date": ("Ende", "End"),
    "total_cost": ("Gesamtkosten", "Total cost"),
    "eligible_cost": ("Förderfähige Kosten", "Eligible cost"),
    "spatial_scope": ("Raumbezug", "Spatial scope"),
    "spatial_note": ("Ort / Gebiet", "Place / area"),
    "charter_guidelines": ("Smart City Charta", "Smart City Charter"),
    "sdgs": ("SDGs", "SDGs"),
    "origin": ("Herkunft", "Origin"),
    "council_resolution_on": ("Ratsbeschluss vom", "Council resolution of"),
    "council_resolution_url": ("Ratsbeschluss", "Council resolution"),
    "repository_url": ("Open-Source-Repository", "Open-source repository"),
    "published": ("Veröffentlicht", "Published"),
    "publish_groups": ("Veröffentlichte Angaben", "Published field groups"),
    # organisation
    "short_name": ("Kurzname", "Short name"),
    "kind": ("Art", "Kind"),
    "contact_role": ("Ansprechperson (Funktion)", "Contact (role)"),
    "contact_email": ("E-Mail", "E-mail"),
    "address": ("Adresse", "Address"),
    # participation
    "role": ("Rolle", "Role"),
    "contribution_cash": ("Beitrag (Geld)", "Contribution (cash)"),
    "contribution_in_kind": ("Beitrag (Sachleistung)", "Contribution (in kind)"),
    # funding
    "programme_id": ("Förderprogramm", "Funding programme"),
    "programme": ("Förderprogramm", "Funding programme"),
    "phase": ("Phase", "Phase"),
    "budget_emergency": ("Haushaltsnotlage", "Budget emergency"),
    "implementation_measure": ("Erste Umsetzungsmaßnahme", "First implementation measure"),
    "alternative_to_id": ("Alternativantrag zu", "Alternative to"),
    "early_start_consent_on": (
        "Zustimmung vorzeitiger Maßnahmebeginn am",
        "Early start consented on",
    ),
    "amount_requested": ("Beantragt", "Requested"),
    "amount_approved": ("Bewilligt", "Approved"),
    "funding_rate": ("Förderquote", "Funding rate"),
    "own_share": ("Eigenanteil", "Own share"),
    "reference_number": ("Förderkennzeichen", "Grant reference"),
    "submitted_on": ("Eingereicht am", "Submitted on"),
    "decision_on": ("Entscheidung am", "Decision on"),
    "period_start": ("Förderzeitraum von", "Funding period from"),
    "period_end": ("Förderzeitraum bis", "Funding period to"),
    "proof_of_use_due": ("Verwendungsnachweis fällig", "Proof of use due"),
    "proof_of_use_months": ("Verwendungsnachweis nach Monaten", "Proof of use after months"),
    "proof_of_use_basis": ("Frist zählt ab", "Deadline counts from"),
    "standard_rate": ("Förderquote", "Funding rate"),
    "raised_rate": ("Erhöhte Quote (Haushaltsnotlage)", "Raised rate (budget emergency)"),
    "requires_own_share": ("Eigenanteil erforderlich", "Own share required"),
    "cap": ("Obergrenze", "Cap"),
    "cap_scope": ("Obergrenze gilt", "Cap applies"),
    "implementation_cap": (
        "davon für erste Umsetzungsmaßnahmen",
        "of which for first implementation measures",
    ),
    "requires_council_resolution": ("Ratsbeschluss vor Antrag nötig", "Council resolution needed"),
    "own_share_excluded_level": (
        "Eigenanteil nicht ersetzbar durch Mittel von",
        "Own share not replaceable by money of",
    ),
    "payment_window": ("Verwendungsfrist nach Auszahlung", "Spending window after payout"),
    "window_need": ("Bedarf in der Verwendungsfrist", "Need within the spending window"),
    "duration_months": ("Laufzeit (Monate)", "Duration (months)"),
    "funder": ("Fördergeber", "Funder"),
    "programme_number": ("Programmnummer", "Programme number"),
    "level": ("Ebene", "Level"),
    "duties": ("Pflichten", "Duties"),
    "application_id": ("Förderantrag", "Funding application"),
    "due_on": ("Fällig am", "Due on"),
    "amount": ("Betrag", "Amount"),
    "paid_on": ("Ausgezahlt am", "Paid on"),
    # tracking
    "due_date": ("Fällig am", "Due date"),
    "done_date": ("Erledigt am", "Done on"),
    "responsible_organisation_id": ("Verantwortliche Organisation", "Responsible organisation"),
    "report_date": ("Berichtsdatum", "Report date"),
    "overall": ("Gesamtampel", "Overall light"),
    "schedule": ("Termine", "Schedule"),
    "budget": ("Budget", "Budget"),
    "funding": ("Förderung", "Funding"),
    "author": ("Verfasst von", "Author"),
    "published_on": ("Veröffentlicht am", "Published on"),
    "unit": ("Einheit", "Unit"),
    "baseline": ("Ausgangswert", "Baseline"),
    "target": ("Zielwert", "Target"),
    "target_date": ("Zieldatum", "Target date"),
    "kpi_id": ("Wirkungsindikator", "Impact indicator"),
    "measured_on": ("Gemessen am", "Measured on"),
    "value": ("Wert", "Value"),
    "dated_on": ("Bescheid vom", "Notice dated"),
    "reason": ("Begründung", "Reason"),
    # grant life cycle
    "refund_interest_points": (
        "Zinsaufschlag über Basiszinssatz",
        "Interest points above base rate",
    ),
    "final_share_rate": ("Schlussrate nach Prüfung", "Final share after the check"),
    "cost_tolerance_rate": ("Toleranz je Kostenposition", "Tolerance per cost item"),
    "eligible_cost_types": ("Förderfähige Ausgabearten", "Eligible cost types"),
    "interim_proof_months": (
        "Zwischennachweis (Monate nach Jahresende)",
        "Interim proof (months after year end)",
    ),
    "valid_from": ("Gültig ab", "Valid from"),
    "rate": ("Satz", "Rate"),
    "notice_id": ("Bescheid", "Notice"),
    "claimed_on": ("Gefordert am", "Claimed on"),
    "interest_from": ("Zinsen ab", "Interest from"),
    "interest_to": ("Zinsen bis", "Interest until"),
    "repaid_on": ("Zurückgezahlt am", "Repaid on"),
    "interest": ("Zinsen", "Interest"),
    "budget_year": ("Haushaltsjahr", "Budget year"),
    "state": ("Stand", "State"),
    "check_started_on": ("Prüfung begonnen am", "Check started on"),
    "checked_on": ("Geprüft am", "Checked on"),
    "recovery_amount": ("Rückforderung aus der Prüfung", "Recovery from the check"),
    "cost_type": ("Ausgabeart", "Cost type"),
    "label": ("Position", "Item"),
    "requested": ("Beantragt", "Requested"),
    "approved": ("Bewilligt", "Approved"),
    "actual": ("Ist-Ausgaben", "Actual spending"),
    "year": ("Haushaltsjahr", "Budget year"),
    "grant_amount": ("Zuwendung", "Grant"),
    "own_amount": ("Eigenanteil", "Own share"),
}

ENTITY_LABELS: dict[str, tuple[str, str]] = {
    "saved_view": ("Gespeicherte Ansicht", "Saved view"),
    "theme": ("Leitthema", "Theme"),
    "action_field": ("Handlungsfeld", "Action field"),
    "organisation": ("Organisation", "Organisation"),
    "funding_programme": ("Förderprogramm", "Funding programme"),
    "programme_phase": ("Programmphase", "Programme phase"),
    "project": ("Projekt", "Project"),
    "participation": ("Beteiligung", "Participation"),
    "funding_application": ("Förderantrag", "Funding application"),
    "payment_request": ("Mittelabruf", "Payment request"),
    "grant_notice": ("Bescheid", "Notice"),
    "refund": ("Rückforderung", "Refund"),
    "proof_of_use": ("Nachweis", "Proof"),
    "cost_item": ("Kostenposition", "Cost item"),
    "budget_year": ("Jahresscheibe", "Budget year"),
    "base_rate": ("Basiszinssatz", "Base rate"),
    "milestone": ("Meilenstein", "Milestone"),
    "status_report": ("Statusbericht", "Status report"),
    "kpi": ("Wirkungsindikator", "Impact indicator"),
    "kpi_measurement": ("Messwert", "Measurement"),
}


def label(enum: type[StrEnum], code: str | None, lang: str = DEFAULT_LANG) -> str:
    """The label of a stored code, e.g. ``label(ProjectStatus, "idea") == "Ideenstadium"``."""
    if code is None:
        return ""
    pair = ENUM_LABELS[enum].get(str(code))
    return pick(*pair, lang) if pair else str(code)


def label_both(enum: type[StrEnum], code: str | None) -> Both:
    """The label of a stored code in both languages, for messages formatted later."""
    return Both(label(enum, code, "de"), label(enum, code, "en"))


def labels(enum: type[StrEnum], lang: str = DEFAULT_LANG) -> dict[str, str]:
    """All codes of ``enum`` with their labels, in the vocabulary's order."""
    return {code: pick(*pair, lang) for code, pair in ENUM_LABELS[enum].items()}


def field_label(field: str, lang: str = DEFAULT_LANG) -> str:
    pair = FIELD_LABELS.get(field)
    return pick(*pair, lang) if pair else field


def entity_label(entity: str, lang: str = DEFAULT_LANG) -> str:
    pair = ENTITY_LABELS.get(entity)
    return pick(*pair, lang) if pair else entity


def parse_code(enum: type[StrEnum], text: str) -> str | None:
    """A code from its code or its German or English label, case-insensitive; None if unknown."""
    wanted = " ".join(text.split()).casefold()
    for code, (de, en) in ENUM_LABELS[enum].items():
        if wanted in (code.casefold(), de.casefold(), en.casefold()):
            return code
    return None
