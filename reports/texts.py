"""Words of the CDO brief in German (default) and English, and the formats of its values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from db.enums import ApplicationStatus, NoticeKind, ProjectStatus, RefundKind, TrafficLight
from portfolio import clock
from portfolio.changes import Event, Kind
from portfolio.i18n import fmt_date, fmt_eur, fmt_int, pluralise
from portfolio.vocab import label

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "title": "Smart-City-Portfolio Bochum – Bericht für den Chief Digital Officer",
        "title_short": "Portfolio-Bericht",
        "scope_all": "Gesamtportfolio",
        "scope_theme": "Leitthema {key}: {name}",
        "as_of": "Stand",
        "since": "Verglichen mit",
        "generated": "Erstellt am {at} von {actor}",
        "since_published": "Vergleichswerte: eingefrorene Kennzahlen des veröffentlichten Berichts Nr. {id} vom {day}.",
        "since_journal": "Vergleichswerte: aus dem Änderungsjournal für das Ende des {day} rekonstruiert.",
        "since_live": "Vergleichswerte: seit dem {day} ist nichts geändert worden; sie entsprechen dem heutigen Datenstand zum Stichtag {day}.",
        "since_default_none": "Noch kein Bericht veröffentlicht: verglichen wird mit dem Stand 90 Tage vor dem Stichtag.",
        "since_default_brief": "Verglichen wird mit dem zuletzt veröffentlichten Bericht (Stand {day}).",
        "as_of_past": "Stand der Daten: aus dem Änderungsjournal für das Ende des {day} rekonstruiert.",
        "as_of_live": "Stand der Daten: aktueller Datenbestand, Stichtag {day}.",
        "s_summary": "Zusammenfassung",
        "sum_figures": "Kennzahlen auf einen Blick",
        "sum_change": "Veränderung seit {day}",
        "no_comparison": "keine Vergleichsdaten",
        "sum_delta": "{delta} seit {day}",
        "no_comparison_note": "Noch kein früherer Bericht veröffentlicht: Veränderungen zeigt erst der nächste Bericht.",
        "sum_lights": "Gesamtampeln der Projekte (letzter Statusbericht bis {day})",
        "sum_risks": "Größte Risiken und erforderliche Entscheidungen",
        "sum_risks_more": "{shown} von {count} Projekten mit roter oder gelber Ampel; alle stehen im Abschnitt „Risiken“.",
        "risk": "Risiko",
        "decision_needed": "Erforderliche Entscheidung",
        "no_decision": "keine angegeben",
        "sum_missed": "Verpasste Meilensteine",
        "sum_missed_text": "{count} {count|Meilenstein ist|Meilensteine sind} am {day} überfällig.",
        "sum_money": "Gefährdete Fördermittel",
        "sum_money_text": "{amount} bewilligte Förderung in {projects} Projekten: rote Budgetampel im letzten Statusbericht eines laufenden Projekts oder überfälliger Verwendungsnachweis.",
        "contents": "Inhalt",
        "s_key": "Kennzahlen",
        "s_themes": "Leitthemen",
        "s_funding": "Förderung",
        "s_milestones": "Meilensteine",
        "s_changes": "Was hat sich geändert?",
        "s_risks": "Risiken",
        "s_annex": "Anhang: alle Projekte",
        "s_annex_top": "Anhang: die größten Projekte",
        "figure": "Kennzahl",
        "now": "Stand {day}",
        "before": "Stand {day}",
        "delta": "Veränderung",
        "projects": "Projekte",
        "projects_status": "Projekte {status}",
        "total_cost": "Gesamtkosten",
        "eligible_cost": "Förderfähige Kosten",
        "funding_requested": "Förderung beantragt",
        "funding_approved": "Förderung bewilligt",
        "paid_out": "Ausgezahlt",
        "own_share": "Eigenanteil",
        "own_budget": "Städtische Haushaltsmittel",
        "overdue_milestones": "Überfällige Meilensteine",
        "theme": "Leitthema",
        "theme_short": "Thema",
        "lights": "Ampeln",
        "no_report": "ohne Bericht",
        "chart_title": "Projekte je Leitthema nach Status",
        "pipeline": "Förderpipeline nach Programm und Status",
        "programme": "Programm",
        "status": "Status",
        "applications": "Anträge",
        "requested": "beantragt",
        "approved": "bewilligt",
        "decisions": "Förderentscheidungen seit dem {day}",
        "grant_changes": "Änderungen an Zuwendungen und Rückforderungen seit dem {day}",
        "grant_change_kind": "Vorgang",
        "grant_notice": "Bescheid",
        "amount_after": "Betrag",
        "period_until": "Förderzeitraum bis",
        "refund": "Rückforderung",
        "duties": "Anstehende Pflichten bis {day} (Verwendungsnachweise, Mittelabrufe)",
        "warnings": "Hinweise aus den Förderregeln",
        "due": "fällig",
        "kind": "Art",
        "item": "Vorgang",
        "project": "Projekt",
        "title_col": "Titel",
        "amount": "Betrag",
        "decision_on": "Entscheidung",
        "proof_of_use": "Verwendungsnachweis",
        "payment_request": "Mittelabruf",
        "milestone": "Meilenstein",
        "reached": "Erreicht seit dem {day}",
        "overdue": "Überfällig am {day}",
        "upcoming": "Fällig bis {day}",
        "done_on": "erledigt",
        "days_overdue": "Tage überfällig",
        "changes_intro": "Aus dem Änderungsjournal vom {since} bis {as_of}: {summary}.",
        "change_counts": "{new} neue, {archived} archivierte Projekte, {status} Statuswechsel, {slipped} verschobene Meilensteine, {lights} Ampelwechsel, {decisions} Förderentscheidungen, {notices} Änderungen an Zuwendungen, {refunds} Rückforderungen",
        "changes_none": "Im Zeitraum ist nichts geändert worden.",
        "changes_heading": "{kind} ({count})",
        "ck_new_project": "Neue Projekte",
        "ck_archived_project": "Archivierte Projekte",
        "ck_restored_project": "Wiederhergestellte Projekte",
        "ck_status": "Statuswechsel",
        "ck_milestone_slipped": "Verschobene Meilensteine",
        "ck_light": "Geänderte Ampeln",
        "ck_decision": "Förderentscheidungen",
        "ck_grant_notice": "Änderungen an Zuwendungen",
        "ck_refund": "Rückforderungen",
        "quoted": "„{text}“",
        "change_when": "am {day} von {author}",
        "change_new_project": "{project}: neu aufgenommen ({when}).",
        "change_archived_project": "{project}: archiviert ({when}).",
        "change_restored_project": "{project}: aus dem Archiv wiederhergestellt ({when}).",
        "change_status": "{project}: Status von {old} auf {new} geändert ({when}).",
        "change_status_set": "{project}: Status auf {new} gesetzt ({when}).",
        "change_milestone_slipped": "{project}: Meilenstein {item} vom {old} auf den {new} verschoben ({when}).",
        "change_light": "{project}: Gesamtampel von {old} auf {new} gewechselt, Statusbericht vom {report} ({when}).",
        "change_decision_approved": "{project}: Förderantrag {item} über {amount} bewilligt{decided} ({when}).",
        "change_decision_rejected": "{project}: Förderantrag {item} abgelehnt{decided} ({when}).",
        "change_decision": "{project}: Förderantrag {item} auf {new} gesetzt{decided} ({when}).",
        "change_decided_on": ", Entscheidung vom {day}",
        "change_grant_notice": "{project}: {what} vom {day} zu {item}{amount}{period} ({when}).",
        "change_amount_now": ", Zuwendung nun {amount}",
        "change_period_until": ", Förderzeitraum bis {day}",
        "change_refund": "{project}: {what} zu {item} über {amount}, geltend gemacht am {day} ({when}).",
        "when": "Datum",
        "change": "Änderung",
        "old": "vorher",
        "new": "nachher",
        "by": "durch",
        "new_project": "neues Projekt",
        "archived_project": "Projekt archiviert",
        "restored_project": "Projekt wiederhergestellt",
        "status_change": "Status",
        "milestone_slipped": "Meilenstein verschoben",
        "light": "Ampel",
        "decision": "Förderentscheidung",
        "risks_intro": "Projekte mit roter oder gelber Gesamtampel im letzten Statusbericht bis zum {day}.",
        "report_date": "Bericht vom",
        "report_text": "Aus dem Statusbericht",
        "lead": "Federführung",
        "cost": "Kosten",
        "funding": "Förderung",
        "none": "keine",
        "more_rows": "… und {count} weitere (vollständig in der Excel-Fassung).",
        "annex_top": "Die {shown} Projekte mit den höchsten Gesamtkosten; alle {count} Projekte "
        "stehen in der Excel-Fassung.",
        "page": "Seite {page} von {pages}",
        "footer": "Stand {day}",
        "total": "Summe",
        "w_public_above_eligible": "Öffentliche Förderung ({amount}) übersteigt die förderfähigen Kosten ({limit}).",
        "w_payments_above_approved": "Mittelabrufe ({amount}) übersteigen den bewilligten Betrag ({limit}).",
        "w_approved_above_requested": "Bewilligt ({amount}) ist mehr als beantragt ({limit}).",
        "w_proof_overdue": "Verwendungsnachweis war am {day} fällig.",
        "w_payment_overdue": "Mittelabruf über {amount} war am {day} fällig und ist noch offen (geplant oder eingereicht).",
        "w_own_share_missing": "Programm verlangt einen Eigenanteil; er liegt bei {amount}.",
        "w_cap_exceeded": "Förderung ({amount}) übersteigt die Obergrenze ({limit}).",
        "w_own_share_replaced": "Andere Mittel derselben Ebene ({amount}) übersteigen den Raum außerhalb des Eigenanteils ({limit}).",
        "w_early_start_without_consent": "Förderzeitraum ab {day} beginnt vor der Bewilligung; keine Zustimmung zum vorzeitigen Maßnahmebeginn erfasst.",
        "w_payment_above_window_need": "Mittelabruf über {amount} übersteigt den Bedarf in der Verwendungsfrist ({limit}).",
        "w_grant_period_outside_project": "Förderzeitraum reicht über die Projektlaufzeit hinaus (Grenze {day}).",
        "w_payment_outside_project": "Mittelabruf über {amount} am {day} liegt außerhalb der Projektlaufzeit.",
        "w_approved_without_amount": "Bewilligt, aber ohne bewilligten Betrag.",
        "w_live_without_amounts": "Laufender Antrag ohne beantragten und bewilligten Betrag.",
        "w_own_share_gap": "Eigenanteil ({limit}) zu {amount} weder durch Haushaltsmittel noch durch Geldbeiträge der Partner gedeckt.",
        "notice": "Hinweis",
        "sheet_cover": "Deckblatt",
        "sheet_key": "Kennzahlen",
        "sheet_themes": "Leitthemen",
        "sheet_funding": "Förderung",
        "sheet_milestones": "Meilensteine",
        "sheet_changes": "Änderungen",
        "sheet_risks": "Risiken",
        "sheet_annex": "Anhang",
        # ---- text2: a brief that cannot be made (brief/model.py BriefError) ----
        "error_future": "Der Stichtag {as_of} liegt in der Zukunft. Bitte höchstens heute wählen.",
        "error_since_not_before": "Das Vergleichsdatum {since} muss vor dem Stichtag {as_of} liegen.",
    },
    "en": {
        "title": "Smart-City Portfolio Bochum – Brief for the Chief Digital Officer",
        "title_short": "Portfolio brief",
        "scope_all": "Whole portfolio",
        "scope_theme": "Theme {key}: {name}",
        "as_of": "As of",
        "since": "Compared with",
        "generated": "Generated on {at} by {actor}",
        "since_published": "Reference figures: frozen figures of published brief no. {id} as of {day}.",
        "since_journal": "Reference figures: reconstructed from the change journal for the end of {day}.",
        "since_live": "Reference figures: nothing changed since {day}; they are today's data as of {day}.",
        "since_default_none": "No brief published yet: compared with the state 90 days before the as-of date.",
        "since_default_brief": "Compared with the last published brief (as of {day}).",
        "as_of_past": "Data: reconstructed from the change journal for the end of {day}.",
        "as_of_live": "Data: current database, as of {day}.",
        "s_summary": "Executive summary",
        "sum_figures": "Key figures at a glance",
        "sum_change": "Change since {day}",
        "no_comparison": "no comparison data",
        "sum_delta": "{delta} since {day}",
        "no_comparison_note": "No earlier brief published yet: the next brief will show the changes.",
        "sum_lights": "Overall traffic lights of the projects (latest status report up to {day})",
        "sum_risks": "Top risks and decisions needed",
        "sum_risks_more": "{shown} of {count} projects with a red or yellow light; all of them are in the section “Risks”.",
        "risk": "Risk",
        "decision_needed": "Decision needed",
        "no_decision": "none given",
        "sum_missed": "Missed milestones",
        "sum_missed_text": "{count} {count|milestone is|milestones are} overdue on {day}.",
        "sum_money": "Funding at risk",
        "sum_money_text": "{amount} of approved funding in {projects} projects: a red budget light in the latest status report of a running project, or an overdue proof of use.",
        "contents": "Contents",
        "s_key": "Key figures",
        "s_themes": "Themes",
        "s_funding": "Funding",
        "s_milestones": "Milestones",
        "s_changes": "What changed?",
        "s_risks": "Risks",
        "s_annex": "Annex: all projects",
        "s_annex_top": "Annex: the largest projects",
        "figure": "Figure",
        "now": "As of {day}",
        "before": "As of {day}",
        "delta": "Change",
        "projects": "Projects",
        "projects_status": "Projects {status}",
        "total_cost": "Total cost",
        "eligible_cost": "Eligible cost",
        "funding_requested": "Funding requested",
        "funding_approved": "Funding approved",
        "paid_out": "Paid out",
        "own_share": "Own share",
        "own_budget": "City budget funds",
        "overdue_milestones": "Overdue milestones",
        "theme": "Theme",
        "theme_short": "Theme",
        "lights": "Traffic lights",
        "no_report": "no report",
        "chart_title": "Projects per theme by status",
        "pipeline": "Funding pipeline by programme and status",
        "programme": "Programme",
        "status": "Status",
        "applications": "Applications",
        "requested": "requested",
        "approved": "approved",
        "decisions": "Funding decisions since {day}",
        "grant_changes": "Changes to grants and refunds since {day}",
        "grant_change_kind": "What",
        "grant_notice": "Notice",
        "amount_after": "Amount",
        "period_until": "Funding period until",
        "refund": "Refund",
        "duties": "Upcoming duties until {day} (proofs of use, payment requests)",
        "warnings": "Funding-rule warnings",
        "due": "due",
        "kind": "Kind",
        "item": "Item",
        "project": "Project",
        "title_col": "Title",
        "amount": "Amount",
        "decision_on": "Decision",
        "proof_of_use": "Proof of use",
        "payment_request": "Payment request",
        "milestone": "Milestone",
        "reached": "Reached since {day}",
        "overdue": "Overdue on {day}",
        "upcoming": "Due until {day}",
        "done_on": "done",
        "days_overdue": "Days overdue",
        "changes_intro": "From the change journal, {since} to {as_of}: {summary}.",
        "change_counts": "{new} new, {archived} archived projects, {status} status changes, {slipped} slipped milestones, {lights} traffic-light changes, {decisions} funding decisions, {notices} changes to grants, {refunds} refunds",
        "changes_none": "Nothing changed in the period.",
        "changes_heading": "{kind} ({count})",
        "ck_new_project": "New projects",
        "ck_archived_project": "Archived projects",
        "ck_restored_project": "Restored projects",
        "ck_status": "Status changes",
        "ck_milestone_slipped": "Slipped milestones",
        "ck_light": "Changed traffic lights",
        "ck_decision": "Funding decisions",
        "ck_grant_notice": "Changes to grants",
        "ck_refund": "Refunds",
        "quoted": "“{text}”",
        "change_when": "on {day} by {author}",
        "change_new_project": "{project}: added to the portfolio ({when}).",
        "change_archived_project": "{project}: archived ({when}).",
        "change_restored_project": "{project}: restored from the archive ({when}).",
        "change_status": "{project}: status changed from {old} to {new} ({when}).",
        "change_status_set": "{project}: status set to {new} ({when}).",
        "change_milestone_slipped": "{project}: milestone {item} moved from {old} to {new} ({when}).",
        "change_light": "{project}: overall traffic light changed from {old} to {new}, status report of {report} ({when}).",
        "change_decision_approved": "{project}: funding application {item} approved for {amount}{decided} ({when}).",
        "change_decision_rejected": "{project}: funding application {item} rejected{decided} ({when}).",
        "change_decision": "{project}: funding application {item} set to {new}{decided} ({when}).",
        "change_decided_on": ", decided on {day}",
        "change_grant_notice": "{project}: {what} of {day} for {item}{amount}{period} ({when}).",
        "change_amount_now": ", grant now {amount}",
        "change_period_until": ", funding period until {day}",
        "change_refund": "{project}: {what} for {item} of {amount}, claimed on {day} ({when}).",
        "when": "Date",
        "change": "Change",
        "old": "before",
        "new": "after",
        "by": "by",
        "new_project": "new project",
        "archived_project": "project archived",
        "restored_project": "project restored",
        "status_change": "Status",
        "milestone_slipped": "Milestone moved",
        "light": "Traffic light",
        "decision": "Funding decision",
        "risks_intro": "Projects with a red or yellow overall light in their latest status report up to {day}.",
        "report_date": "Report of",
        "report_text": "From the status report",
        "lead": "Lead",
        "cost": "Cost",
        "funding": "Funding",
        "none": "none",
        "more_rows": "… and {count} more (all of them in the Excel version).",
        "annex_top": "The {shown} projects with the highest total cost; all {count} projects are "
        "in the Excel version.",
        "page": "Page {page} of {pages}",
        "footer": "As of {day}",
        "total": "Total",
        "w_public_above_eligible": "Public funding ({amount}) exceeds the eligible cost ({limit}).",
        "w_payments_above_approved": "Payment requests ({amount}) exceed the approved amount ({limit}).",
        "w_approved_above_requested": "Approved ({amount}) is more than requested ({limit}).",
        "w_proof_overdue": "Proof of use was due on {day}.",
        "w_payment_overdue": "Payment request of {amount} was due on {day} and is still open (planned or submitted).",
        "w_own_share_missing": "The programme requires an own share; it is {amount}.",
        "w_cap_exceeded": "Funding ({amount}) exceeds the cap ({limit}).",
        "w_own_share_replaced": "Other money of the same level ({amount}) exceeds the room outside the own share ({limit}).",
        "w_early_start_without_consent": "Funding period from {day} starts before the award; no consent to an early start recorded.",
        "w_payment_above_window_need": "Payment request of {amount} exceeds the need within the spending window ({limit}).",
        "w_grant_period_outside_project": "Funding period reaches beyond the project period (limit {day}).",
        "w_payment_outside_project": "Payment request of {amount} on {day} lies outside the project period.",
        "w_approved_without_amount": "Approved without an approved amount.",
        "w_live_without_amounts": "Live application with neither a requested nor an approved amount.",
        "w_own_share_gap": "Own share ({limit}): {amount} covered neither by the city's budget nor by partners' cash.",
        "notice": "Note",
        "sheet_cover": "Cover",
        "sheet_key": "Key figures",
        "sheet_themes": "Themes",
        "sheet_funding": "Funding",
        "sheet_milestones": "Milestones",
        "sheet_changes": "Changes",
        "sheet_risks": "Risks",
        "sheet_annex": "Annex",
        # ---- text2: a brief that cannot be made (brief/model.py BriefError) ----
        "error_future": "The as-of date {as_of} is in the future. Please choose today or earlier.",
        "error_since_not_before": "The reference date {since} must be before the as-of date {as_of}.",
    },
}


def tx(key: str, lang: str, /, **params: Any) -> str:
    """The report text ``key`` in ``lang``: the arguments in the order of :func:`portfolio.i18n.t`."""
    catalogue = TEXTS.get(lang) or TEXTS["de"]
    template = catalogue.get(key) or TEXTS["de"][key]
    return pluralise(template, lang, params).format(**params) if params else template


def day(value: dt.date | None, lang: str) -> str:
    return fmt_date(value, lang)


def eur(value: Decimal | None, lang: str) -> str:
    return fmt_eur(value, lang)


def fast_eur(value: Decimal | None, lang: str) -> str:
    """Exactly what :func:`portfolio.i18n.fmt_eur` gives, about 20 times faster (for the annex of
    10,000 lines); a test checks both agree."""
    if value is None:
        return "–"
    amount = Decimal(value).quantize(Decimal("0.01"))
    text = f"{abs(amount):,.2f}"
    sign = "-" if Decimal(value) < 0 else ""
    if lang == "en":
        return f"{sign}€{text}"
    if lang != "de":
        return eur(value, lang)
    return sign + text.replace(",", "\x00").replace(".", ",").replace("\x00", ".") + "\u00a0€"


def count(value: int | None, lang: str) -> str:
    return fmt_int(value, lang)


def signed(value: Decimal | int | None, kind: str, lang: str) -> str:
    """A change with its sign: "+1.234,00 €", "−3", "±0"."""
    if value is None:
        return "–"
    if value == 0:
        return "±0"
    text = eur(abs(Decimal(value)), lang) if kind == "eur" else count(abs(int(value)), lang)
    return ("+" if value > 0 else "−") + text


def status_label(code: str | None, lang: str) -> str:
    return label(ProjectStatus, code, lang) if code else "–"


def light_label(code: str | None, lang: str) -> str:
    return label(TrafficLight, code, lang) if code else tx("no_report", lang)


def grant_change_label(kind: str, code: str | None, lang: str) -> str:
    """What a grant change is: the notice's kind (Änderungsbescheid, Widerruf, Verzicht) or the
    refund's (Rückforderung, Zinsen)."""
    if code is None:
        return "–"
    return label(NoticeKind if kind == Kind.NOTICE else RefundKind, code, lang)


def application_label(code: str | None, lang: str) -> str:
    return label(ApplicationStatus, code, lang) if code else "–"


def change_kind_label(kind: str, lang: str) -> str:
    """The heading of a kind of change: "Statuswechsel", "Verschobene Meilensteine" …"""
    return tx(f"ck_{kind}", lang)


def _quoted(text: str, lang: str) -> str:
    return tx("quoted", lang, text=text)


def _iso_day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _item(e: Event, lang: str) -> str:
    """The item a change concerns: a milestone's key and title, an application's key and
    programme."""
    key = e.item_key or ""
    if not e.item_title:
        return key
    if e.kind == Kind.MILESTONE_SLIPPED:
        return f"{key} {_quoted(e.item_title, lang)}".strip()
    return f"{key} ({e.item_title})".strip()


def change_sentence(e: Event, lang: str, author: str) -> str:
    """One change of the journal as one sentence: the project's key and title, what changed in
    labels (never codes), when it was recorded and by whom (``author``, a name a reader knows)."""
    recorded = clock.to_local(e.at).date()
    words: dict[str, Any] = {
        "project": f"{e.project_key} {e.project_title}".strip(),
        "when": tx("change_when", lang, day=day(recorded, lang), author=author),
    }
    tell = _SENTENCES.get(e.kind)
    if tell is None:
        return tx(f"change_{e.kind}", lang, **words)
    return tell(e, lang, words)


def _status_sentence(e: Event, lang: str, words: dict[str, Any]) -> str:
    key = "change_status" if e.old else "change_status_set"
    old = _quoted(status_label(e.old, lang), lang)
    return tx(key, lang, old=old, new=_quoted(status_label(e.new, lang), lang), **words)


def _slipped_sentence(e: Event, lang: str, words: dict[str, Any]) -> str:
    return tx(
        "change_milestone_slipped",
        lang,
        item=_item(e, lang),
        old=day(_iso_day(e.old), lang),
        new=day(_iso_day(e.new), lang),
        **words,
    )


def _light_sentence(e: Event, lang: str, words: dict[str, Any]) -> str:
    return tx(
        "change_light",
        lang,
        old=_quoted(light_label(e.old, lang), lang),
        new=_quoted(light_label(e.new, lang), lang),
        report=day(e.day, lang),
        **words,
    )


def _decision_sentence(e: Event, lang: str, words: dict[str, Any]) -> str:
    decided = tx("change_decided_on", lang, day=day(e.day, lang)) if e.day else ""
    if e.new == ApplicationStatus.APPROVED and e.amount is not None:
        key = "change_decision_approved"
    elif e.new == ApplicationStatus.REJECTED:
        key = "change_decision_rejected"
    else:
        key = "change_decision"
    return tx(
        key,
        lang,
        item=_item(e, lang),
        amount=eur(e.amount, lang),
        new=_quoted(application_label(e.new, lang), lang),
        decided=decided,
        **words,
    )


def _notice_sentence(e: Event, lang: str, words: dict[str, Any]) -> str:
    amount = tx("change_amount_now", lang, amount=eur(e.amount, lang))
    amount = amount if e.amount is not None else ""
    until = _iso_day(e.old)
    period = tx("change_period_until", lang, day=day(until, lang)) if until else ""
    return tx(
        "change_grant_notice",
        lang,
        what=grant_change_label(e.kind, e.new, lang),
        day=day(e.day, lang),
        item=_item(e, lang),
        amount=amount,
        period=period,
        **words,
    )


def _refund_sentence(e: Event, lang: str, words: dict[str, Any]) -> str:
    return tx(
        "change_refund",
        lang,
        what=grant_change_label(e.kind, e.new, lang),
        item=_item(e, lang),
        amount=eur(e.amount, lang),
        day=day(e.day, lang),
        **words,
    )


_SENTENCES: dict[str, Callable[[Event, str, dict[str, Any]], str]] = {
    Kind.STATUS: _status_sentence,
    Kind.MILESTONE_SLIPPED: _slipped_sentence,
    Kind.LIGHT: _light_sentence,
    Kind.DECISION: _decision_sentence,
    Kind.NOTICE: _notice_sentence,
    Kind.REFUND: _refund_sentence,
}
"""The sentence of each kind of change that says more than the project and when."""
