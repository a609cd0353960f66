"""Languages and formats: German first, English on request.

``t(key, lang, **params)`` looks a message up in the catalogues below; amounts, dates and
percentages in ``params`` are formatted for the language with Babel (1.234,56 €, 31.12.2026).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.numbers import (
    format_compact_currency,
    format_currency,
    format_decimal,
    format_percent,
)

from portfolio.clock import to_local

Lang = Literal["de", "en"]
LANGUAGES: tuple[Lang, ...] = ("de", "en")
DEFAULT_LANG: Lang = "de"
_LOCALES = {"de": "de_DE", "en": "en_GB"}


def locale_of(lang: str) -> str:
    return _LOCALES.get(lang, _LOCALES[DEFAULT_LANG])


def fmt_eur(
    value: Decimal | int | float | None, lang: str = DEFAULT_LANG, *, cents: bool = True
) -> str:
    if value is None:
        return "–"
    fmt = None if cents else "#,##0\u00a0¤"
    if lang == "en" and not cents:
        fmt = "¤#,##0"
    return format_currency(value, "EUR", format=fmt, locale=locale_of(lang), currency_digits=cents)


def fmt_eur_short(value: Decimal | int | float | None, lang: str = DEFAULT_LANG) -> str:
    """A euro amount for narrow tiles: "32,2 Mio. €" from a million on, else whole euros."""
    if value is None or abs(Decimal(str(value))) < 1_000_000:
        return fmt_eur(value, lang, cents=False)
    return format_compact_currency(value, "EUR", locale=locale_of(lang), fraction_digits=1)


def fmt_number(
    value: Decimal | int | float | None, lang: str = DEFAULT_LANG, digits: int = 2
) -> str:
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=locale_of(lang))


def fmt_int(value: int | None, lang: str = DEFAULT_LANG) -> str:
    return "–" if value is None else format_decimal(value, format="#,##0", locale=locale_of(lang))


def fmt_percent(value: Decimal | float | None, lang: str = DEFAULT_LANG) -> str:
    """``value`` in percent points: 65 → "65 %"."""
    if value is None:
        return "–"
    return format_percent(
        Decimal(str(value)) / 100, format="#,##0.##\u00a0%", locale=locale_of(lang)
    )


def fmt_date(value: dt.date | None, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return "–"
    if isinstance(value, dt.datetime):
        value = value.date()
    return _babel_date(
        value, format="dd.MM.yyyy" if lang == "de" else "dd/MM/yyyy", locale=locale_of(lang)
    )


class Eur(Decimal):
    """A Decimal that messages show as a euro amount."""


class Pct(Decimal):
    """A Decimal that messages show as a percentage (65 → 65 %)."""


class Both(NamedTuple):
    """A word in both languages (a label), picked when the message is formatted."""

    de: str
    en: str


def fmt_value(value: Any, lang: str = DEFAULT_LANG) -> str:
    if isinstance(value, Both):
        return value.en if lang == "en" else value.de
    if isinstance(value, Eur):
        return fmt_eur(value, lang)
    if isinstance(value, Pct):
        return fmt_percent(value, lang)
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    if isinstance(value, dt.date):
        return fmt_date(value, lang)
    if isinstance(value, Decimal):
        return fmt_number(value, lang)
    if isinstance(value, int):
        return fmt_int(value, lang)
    if value is None:
        return "–"
    return str(value)


MESSAGES: dict[str, dict[str, str]] = {
    "de": {
        "yes": "ja",
        "no": "nein",
        # generic field checks
        "required": "{field}: Pflichtfeld. Bitte einen Wert eintragen.",
        "too_long": "{field}: höchstens {max} Zeichen erlaubt (jetzt {length}). Bitte kürzen.",
        "not_negative": "{field}: darf nicht negativ sein ({value}). Bitte einen Betrag ab 0 eintragen.",
        "not_in_list": "{field}: „{value}“ ist kein gültiger Wert. Erlaubt: {allowed}.",
        "unknown_reference": "{field}: „{value}“ gibt es nicht. Bitte einen Eintrag aus der Liste wählen.",
        "duplicate_key": "{field}: Der Schlüssel „{value}“ ist schon vergeben. Bitte einen anderen wählen.",
        "bad_key": "{field}: „{value}“ ist kein gültiger Schlüssel (nur Buchstaben, Ziffern, - und _; höchstens {max} Zeichen).",
        "bad_url": "{field}: „{value}“ ist keine Web-Adresse. Bitte mit https:// beginnen.",
        "bad_email": "{field}: „{value}“ ist keine E-Mail-Adresse.",
        "invalid_view": "{field}: keine gültige Ansicht. Bitte die Ansicht auf der Seite einstellen und dann speichern.",
        "too_many_views": "{field}: höchstens {max} gespeicherte Ansichten. Bitte zuerst eine nicht mehr gebrauchte löschen.",
        "control_chars": "{field}: enthält Steuer- oder Zeilenumbruchzeichen. Bitte den Text ohne sie eintragen (Zeilenumbrüche nur in mehrzeiligen Feldern).",
        "bad_chars": "{field}: enthält Zeichen, die sich nicht speichern lassen (z. B. aus einer defekten Kopie). Bitte den Text neu eintippen.",
        "invisible_only": "{field}: enthält nur unsichtbare Zeichen. Bitte einen lesbaren Text eintragen oder das Feld leeren.",
        "not_a_number": "{field}: „{value}“ ist keine Zahl. Bitte eine Zahl wie 1.234,56 eintragen.",
        "money_range": "{field}: Betrag zu groß, höchstens {max}. Bitte den Betrag prüfen.",
        "date_range": "{field}: {value} liegt nicht zwischen {first} und {last}. Bitte das Jahr prüfen.",
        "number_range": "{field}: Zahl zu groß, höchstens {max}. Bitte den Wert prüfen.",
        "percent_range": "{field}: {value} liegt nicht zwischen 0 % und 100 %.",
        # project rules
        "end_before_start": "{field}: Das Ende ({end}) liegt vor dem Beginn ({start}). Bitte ein Ende am oder nach dem Beginn eintragen.",
        "eligible_above_total": "{field}: Die förderfähigen Kosten ({eligible}) übersteigen die Gesamtkosten ({total}). Bitte höchstens die Gesamtkosten eintragen.",
        "archived_project": "Das Projekt „{key}“ ist archiviert. Bitte erst wiederherstellen, dann ändern.",
        "bad_tag": "{field}: „{value}“ ist kein gültiger Eintrag. Erlaubt: {allowed}.",
        # funding rules
        "rate_above_programme": "{field}: {rate} liegt über der Förderquote des Programms „{programme}“ ({max_rate}). Bitte höchstens {max_rate} eintragen.",
        "approved_above_requested": "{field}: Der bewilligte Betrag ({approved}) übersteigt den beantragten ({requested}). Bitte höchstens den beantragten Betrag eintragen.",
        "amount_above_rate": "{field}: {amount} übersteigt {rate} der förderfähigen Kosten ({limit}). Bitte den Betrag oder die förderfähigen Kosten prüfen.",
        "public_funding_above_eligible": "{field}: Die öffentliche Förderung des Projekts „{project}“ summiert sich auf {total} und übersteigt damit seine förderfähigen Kosten ({eligible}). Bitte Beträge senken oder förderfähige Kosten anpassen.",
        "own_share_required": "{field}: Das Programm „{programme}“ verlangt einen Eigenanteil; er liegt bei {own_share}. Bitte die Förderung so bemessen, dass ein Eigenanteil bleibt.",
        "own_share_above_rest": "{field}: Eigenanteil ({own_share}) und Förderung ({amount}) übersteigen zusammen die förderfähigen Kosten ({eligible}). Bitte den Eigenanteil senken; den Rest tragen andere Geldgeber.",
        "cap_exceeded": "{field}: Zusammen {amount} übersteigen die Obergrenze von {cap} für {phase} im Programm „{programme}“ (die Obergrenze gilt {scope}). Bitte den Betrag so senken, dass die Summe höchstens {cap} beträgt.",
        "implementation_cap_exceeded": "{field}: Erste Umsetzungsmaßnahmen in {phase} des Programms „{programme}“ kommen zusammen auf {amount}; erlaubt sind höchstens {cap} (die Grenze gilt {scope}). Bitte den Betrag senken oder die Maßnahme nicht als erste Umsetzungsmaßnahme führen.",
        "no_implementation_cap": "{field}: {phase} im Programm „{programme}“ sieht keine ersten Umsetzungsmaßnahmen vor. Bitte das Häkchen entfernen.",
        "public_funding_above_application_costs": "{field}: Die öffentliche Förderung des Projekts „{project}“ summiert sich auf {total} und übersteigt die förderfähigen Kosten der Anträge ({eligible}); ohne förderfähige Kosten des Projekts gelten Anträge verschiedener Programme als Förderung derselben Kosten. Bitte Beträge senken, einen Antrag als Alternativantrag kennzeichnen oder beim Projekt die förderfähigen Kosten eintragen.",
        "own_share_replaced": "{field}: Im Projekt „{project}“ würden andere Mittel der Ebene „{level}“ ({other}) den Eigenanteil ersetzen, den das Programm verlangt; Platz ist nur für {room} außerhalb der dort geförderten Kosten. Bitte diese Förderung senken oder beim Projekt die förderfähigen Kosten so angeben, dass beide Kosten getrennt abgedeckt sind.",
        "alternative_to_itself": "{field}: Ein Antrag kann nicht Alternativantrag zu sich selbst sein. Bitte einen anderen Antrag wählen oder das Feld leeren.",
        "alternative_other_project": "{field}: Der Antrag {key} gehört zu einem anderen Projekt. Ein Alternativantrag betrifft dieselben Kosten desselben Projekts.",
        "alternative_of_alternative": "{field}: {key} ist selbst ein Alternativantrag (zu {first}). Bitte den ersten Antrag {first} wählen.",
        "alternative_not_live": "{field}: Der Antrag {key} ist „{status}“ und braucht keine Alternative mehr. Bitte das Feld leeren.",
        "alternative_has_alternatives": "{field}: Zu diesem Antrag ist {key} als Alternativantrag erfasst; er kann nicht selbst Alternative sein. Bitte zuerst dort die Angabe ändern.",
        "notice_award_needs_submitted": "{field}: Ein Zuwendungsbescheid ergeht nur auf einen eingereichten Antrag (jetzt: „{status}“). Bitte den Antrag zuerst als eingereicht erfassen oder, wenn schon bewilligt, einen Änderungsbescheid eintragen.",
        "notice_amendment_needs_award": "{field}: Ein Änderungsbescheid ändert nur eine laufende Bewilligung (jetzt: „{status}“). Bitte zuerst den Zuwendungsbescheid eintragen.",
        "notice_amendment_needs_notice": "{field}: Zu diesem Antrag ist noch kein Zuwendungsbescheid erfasst. Bitte zuerst den Zuwendungsbescheid eintragen, dann die Änderung.",
        "notice_in_future": "{field}: Der Bescheid vom {value} liegt in der Zukunft. Bitte den Bescheid erst eintragen, wenn er vorliegt, mit seinem Datum.",
        "notice_before_previous": "{field}: Der Bescheid vom {value} liegt vor dem zuletzt erfassten Bescheid vom {previous}. Bitte das Datum prüfen; ein Änderungsbescheid folgt dem geltenden Bescheid.",
        "notice_before_submission": "{field}: Der Bescheid vom {value} liegt vor der Einreichung des Antrags am {submitted}. Bitte die Daten prüfen.",
        "decision_in_future": "{field}: Die Entscheidung vom {value} liegt in der Zukunft. Bitte das Datum des Bescheids eintragen, sobald er vorliegt.",
        "submitted_in_future": "{field}: {value} liegt in der Zukunft, der Status ist aber „{status}“. Bitte das Datum der Einreichung eintragen oder den Status zurücksetzen.",
        "council_resolution_missing": "{field}: Maßnahmen der {phase} im Programm „{programme}“ brauchen vor dem Antrag einen Ratsbeschluss. Bitte beim Projekt {project} Datum und Link des Ratsbeschlusses eintragen.",
        "council_resolution_after_application": "{field}: Der Ratsbeschluss des Projekts {project} ist vom {on}, der Antrag wurde am {submitted} eingereicht. Der Beschluss muss vor dem Antrag liegen; bitte die Daten prüfen.",
        "close_with_open_payments": "{field}: Es sind noch Mittelabrufe über {amount} offen (geplant oder eingereicht). Bitte sie zuerst als ausgezahlt oder abgelehnt erfassen, dann abschließen.",
        "approved_below_payments": "{field}: Bewilligt wären {approved}, die Mittelabrufe umfassen aber schon {drawn} (davon ausgezahlt {paid}). Bitte zuerst die Mittelabrufe anpassen oder einen höheren Betrag eintragen.",
        "payment_under_closed_grant": "{field}: Der Förderantrag ist abgeschlossen; offene Mittelabrufe sind nicht mehr möglich. Bitte den Abruf als ausgezahlt oder abgelehnt erfassen.",
        "paid_before_award": "{field}: Ausgezahlt am {value} liegt vor der Bewilligung am {decision}. Bitte das Auszahlungsdatum prüfen.",
        "restore_exceeds_cap": "{field}: Mit den Anträgen dieses Projekts kämen die Anträge im Programm „{programme}“ zusammen auf {amount} und überschritten die Obergrenze von {cap}. Bitte zuerst Beträge senken oder Anträge zurückziehen.",
        "council_resolution_in_use": "{field}: Der Förderantrag {key} ist mit diesem Ratsbeschluss eingereicht und braucht ihn. Bitte Datum und Link des Ratsbeschlusses stehen lassen (oder berichtigen).",
        "decision_after_payment": "{field}: Die Bewilligung am {value} läge nach der ersten Auszahlung am {paid}. Bitte das Datum des Bescheids oder der Auszahlung prüfen.",
        "unknown_phase": "{field}: Das Programm „{programme}“ kennt die Phase „{value}“ nicht. Erlaubt: {allowed}.",
        "status_transition": "{field}: Der Wechsel von „{old}“ zu „{new}“ ist nicht vorgesehen. Möglich sind: {allowed}.",
        "decision_needs_date": "{field}: Für den Status „{status}“ bitte das Datum der Entscheidung eintragen.",
        "approval_needs_amount": "{field}: Für den Status „{status}“ bitte den bewilligten Betrag eintragen.",
        "decision_before_submission": "{field}: Die Entscheidung ({decision}) liegt vor der Einreichung ({submitted}). Bitte die Daten prüfen.",
        "payments_above_approved": "{field}: Die Mittelabrufe summieren sich auf {total} und übersteigen den bewilligten Betrag ({approved}). Bitte den Betrag senken.",
        "payment_needs_award": "{field}: Mittel können erst abgerufen werden, wenn der Antrag bewilligt ist (jetzt: „{status}“).",
        "paid_needs_date": "{field}: Für einen ausgezahlten Mittelabruf bitte das Auszahlungsdatum eintragen.",
        "participation_exists": "{field}: „{organisation}“ ist in diesem Projekt schon mit der Rolle „{role}“ eingetragen.",
        "measurement_exists": "{field}: Für den {date} gibt es schon einen Messwert. Bitte diesen ändern.",
        "report_exists": "{field}: Für den {date} gibt es schon einen Statusbericht. Bitte diesen ändern.",
        "date_in_future": "{field}: {value} liegt in der Zukunft. Bitte ein Datum bis heute eintragen.",
        # notices, revocation, renunciation and refunds (de)
        "base_rate_range": "{field}: {value} % ist kein plausibler Basiszinssatz (er lag bisher zwischen −0,88 % und 4,26 %). Bitte den Wert aus der Bekanntmachung der Bundesbank eintragen.",
        "paid_below_refunds": "{field}: Ausgezahlt blieben nur {paid}, zurückgefordert sind aber schon {refunds}. Eine Rückforderung übersteigt nie das Ausgezahlte: bitte zuerst die Rückforderung anpassen.",
        "notice_ending_needs_award": "{field}: Ein {kind} ist nur auf eine bewilligte Zuwendung möglich (jetzt: „{status}“); auf eine abgeschlossene nur ein Widerruf. Bitte den Status prüfen.",
        "notice_ending_needs_notice": "{field}: Zu dieser Bewilligung ist noch kein Zuwendungsbescheid erfasst. Bitte zuerst den Zuwendungsbescheid eintragen, dann den {kind}.",
        "notice_ending_above_amount": "{field}: Ein {kind} kann die Zuwendung nur mindern: {amount} liegt über dem geltenden Betrag von {in_force}. Für mehr Geld bitte einen Änderungsbescheid eintragen.",
        "notice_open_payments_above_amount": "{field}: Es bleiben {amount}, ausgezahlt sind (abzüglich Rückforderungen) schon {paid}, und offene Mittelabrufe über {open} gingen darüber hinaus. Bitte die offenen Mittelabrufe zuerst ablehnen oder senken, dann den Bescheid eintragen.",
        "revoked_needs_notice": "{field}: „widerrufen“ folgt nur aus einem Widerrufsbescheid. Bitte statt des Statuswechsels den Widerrufsbescheid eintragen (Betrag 0 beim Widerruf in voller Höhe); ist zu der Bewilligung noch kein Bescheid erfasst, zuerst den Zuwendungsbescheid.",
        "grant_field_needs_notice": "{field}: Diese Bewilligung ist durch Bescheide belegt (geltend: {kind} vom {notice}); Betrag und Förderzeitraum ändern sich nur durch einen neuen Bescheid. Bitte einen Änderungsbescheid eintragen, für weniger Geld auch einen Verzicht oder Widerruf.",
        "grant_decision_from_notice": "{field}: Das Datum der Bewilligung ({award}) steht im erfassten Zuwendungsbescheid; Bescheide werden nicht geändert. Bitte das Datum stehen lassen und Änderungen der Bewilligung als Änderungsbescheid eintragen.",
        "withdrawal_needs_renunciation": "{field}: Diese Bewilligung ist durch Bescheide belegt (geltend: {kind} vom {notice}). Bitte statt des Statuswechsels einen Verzicht eintragen (Betrag 0 beim Verzicht auf die ganze Zuwendung); der Status folgt daraus.",
        "approved_below_payments_net": "{field}: Bewilligt wären {approved}; die Mittelabrufe umfassen {drawn} (davon ausgezahlt {paid}), abzüglich der Rückforderungen ({refunds}) bleiben {net}. Bitte zuerst die Mittelabrufe anpassen oder einen höheren Betrag eintragen.",
        "payments_above_approved_net": "{field}: Die Mittelabrufe abzüglich der Rückforderungen ({refunds}) summieren sich auf {total} und übersteigen den bewilligten Betrag ({approved}). Bitte den Betrag senken.",
        "refund_needs_award": "{field}: Eine Rückforderung gibt es nur zu einer bewilligten Zuwendung (mit Datum der Bewilligung; jetzt: „{status}“). Bitte den Förderantrag prüfen.",
        "refund_amount_not_positive": "{field}: {value} ist kein Betrag, der zurückzuzahlen wäre. Bitte einen Betrag über 0 eintragen.",
        "refund_before_award": "{field}: Gefordert am {value} liegt vor der Bewilligung am {decision}. Bitte das Datum der Rückforderung prüfen.",
        "repaid_before_claim": "{field}: Zurückgezahlt am {value} liegt vor der Forderung am {claimed}. Bitte die Daten prüfen.",
        "early_draw_needs_days": "{field}: Zinsen für vorzeitig abgerufene Mittel laufen vom Tag der Auszahlung bis zum Tag der Verwendung. Bitte beide Tage eintragen.",
        "interest_before_base_rates": "{field}: Für den {value} ist kein Basiszinssatz erfasst (der erste gilt ab {first}). Bitte das Datum prüfen oder den Basiszinssatz nachtragen lassen.",
        "refund_above_paid": "{field}: Die Rückforderungen summieren sich auf {total}, ausgezahlt wurden aber nur {paid}. Bitte höchstens den ausgezahlten Betrag zurückfordern.",
        "refund_needed_for_payments": "{field}: Ohne diesen Betrag (Rückforderungen dann {refunds}) überstiegen die Mittelabrufe ({drawn}) den bewilligten Betrag ({approved}). Bitte die Rückforderung stehen lassen oder zuerst Bescheid und Mittelabrufe prüfen.",
        # proofs of use and the final share (de)
        "proof_needs_date": "{field}: Für den Stand „{state}“ bitte dieses Datum eintragen.",
        "proof_date_without_state": "{field}: Das Datum gehört zum Schritt „{state}“, den der Nachweis noch nicht erreicht hat (jetzt: „{current}“). Bitte das Feld leeren oder den Nachweis erst in diesen Stand setzen.",
        "proof_before_award": "{field}: {value} liegt vor der Bewilligung am {decision}. Bitte das Datum prüfen.",
        "proof_date_before_previous": "{field}: {value} liegt vor dem vorigen Schritt ({previous_field}: {previous}). Bitte ein Datum am oder nach dem {previous} eintragen.",
        "proof_recovery_required": "{field}: Für „geprüft, mit Rückforderung“ bitte den zurückgeforderten Betrag (über 0 €) eintragen, sonst „geprüft, ohne Beanstandung“ wählen.",
        "proof_recovery_not_allowed": "{field}: Eine Rückforderung ({amount}) gibt es nur beim Stand „geprüft, mit Rückforderung“, nicht bei „{state}“. Bitte diesen Stand wählen oder das Feld leeren.",
        "proof_recovery_recorded": "{field}: Die Rückforderung aus dieser Prüfung ist schon erfasst. Bitte Betrag und Datum bei der Rückforderung berichtigen.",
        "final_share_before_check": "{field}: Eingereichte und ausgezahlte Mittelabrufe kämen zusammen auf {total}. Die Schlussrate von {rate} ({share}) wird erst nach der Prüfung des Verwendungsnachweises ausgezahlt; bis dahin sind höchstens {limit} abrufbar. Bitte den Betrag senken oder den Abruf als geplant erfassen, bis der Verwendungsnachweis geprüft ist.",
        # cost plan and budget years (de)
        "cost_type_not_eligible": "{field}: Das Programm „{programme}“ fördert die Ausgabeart „{type}“ nicht. Förderfähig sind: {allowed}. Bitte eine dieser Ausgabearten wählen oder die Position aus dem Kostenplan nehmen.",
        "cost_item_over_tolerance": "{field}: Die Position {item} „{label}“ liegt mit {actual} um {excess} über dem bewilligten Ansatz von {approved}, mehr als die Toleranz von {tolerance} im Programm „{programme}“ erlaubt (höchstens {limit}). Bitte die Ausgaben prüfen oder beim Zuwendungsgeber eine Änderung des Kostenplans beantragen.",
        "cost_item_over_approved": "{field}: Die Position {item} „{label}“ liegt mit {actual} um {excess} über dem bewilligten Ansatz von {approved}; das Programm „{programme}“ lässt keine Überschreitung einzelner Positionen zu. Bitte die Ausgaben prüfen oder beim Zuwendungsgeber eine Änderung des Kostenplans beantragen.",
        "cost_item_not_offset": "{field}: Die Position {item} „{label}“ liegt mit {actual} um {excess} über dem bewilligten Ansatz von {approved}. Das ist innerhalb der Toleranz von {tolerance}, aber Einsparungen bei anderen Positionen gleichen es nicht aus (Ist-Ausgaben insgesamt {actual_total}, bewilligt insgesamt {approved_total}). Bitte Einsparungen bei anderen Positionen ausweisen oder eine Änderung des Kostenplans beantragen.",
        "cost_plan_total_differs": "{field}: Die bewilligten Ansätze des Kostenplans ergeben zusammen {total}, die förderfähigen Kosten des Antrags betragen {eligible} (Differenz {difference}). Bitte Kostenplan und förderfähige Kosten angleichen.",
        "budget_years_need_approval": "{field}: Jahresscheiben gibt es erst für eine bewilligte Zuwendung; der Antrag hat noch keinen bewilligten Betrag. Bitte zuerst den Zuwendungsbescheid eintragen.",
        "budget_years_need_period": "{field}: Jahresscheiben folgen dem Förderzeitraum; der Antrag hat keinen vollständigen Förderzeitraum. Bitte zuerst Beginn und Ende des Förderzeitraums eintragen.",
        "budget_year_duplicate": "{field}: Das Haushaltsjahr {year} ist mehrfach angegeben. Bitte jedes Jahr nur einmal planen.",
        "budget_year_outside_period": "{field}: Das Haushaltsjahr {year} liegt außerhalb des Förderzeitraums ({start} bis {end}). Bitte nur Jahre des Förderzeitraums planen.",
        "budget_years_grant_below": "{field}: Die Jahresscheiben der Zuwendung ergeben zusammen {total}, bewilligt sind {approved}; es fehlen {difference}. Bitte die Beträge so verteilen, dass sie zusammen {approved} ergeben.",
        "budget_years_grant_above": "{field}: Die Jahresscheiben der Zuwendung ergeben zusammen {total}, bewilligt sind {approved}; das sind {difference} zu viel. Bitte die Beträge so verteilen, dass sie zusammen {approved} ergeben.",
        "budget_years_own_below": "{field}: Die Jahresscheiben des Eigenanteils ergeben zusammen {total}, der Eigenanteil beträgt {own_share}; es fehlen {difference}. Bitte die Beträge so verteilen, dass sie zusammen {own_share} ergeben.",
        "budget_years_own_above": "{field}: Die Jahresscheiben des Eigenanteils ergeben zusammen {total}, der Eigenanteil beträgt {own_share}; das sind {difference} zu viel. Bitte die Beträge so verteilen, dass sie zusammen {own_share} ergeben.",
        "payments_above_budget_year": "{field}: Die im Haushaltsjahr {year} fälligen Mittelabrufe (offen und ausgezahlt) ergeben zusammen {drawn} und übersteigen die Jahresscheibe von {instalment} um {excess}. Bitte die Jahresscheiben anpassen oder Abrufe in ein anderes Jahr legen.",
        "payments_without_budget_year": "{field}: Im Haushaltsjahr {year} sind Mittelabrufe über {drawn} fällig, für dieses Jahr ist aber keine Jahresscheibe geplant. Bitte die Jahresscheiben anpassen oder die Abrufe in ein geplantes Jahr legen.",
        # exchange of cost items (de)
        "partner_grant_field": "{field}: Zelle {cell} kann in der Arbeitsmappe eines Partners nicht geändert werden – Förderungen (Anträge, Mittelabrufe, Kostenplan) pflegt die Smart-City Innovation Unit (in der Datei „{new}“, im Portfolio „{old}“). Bitte den Wert aus dem Export stehen lassen und die Änderung der Innovation Unit melden; im Kostenplan tragen Partner nur die Ist-Ausgaben ein.",
        "partner_grant_row": "{field}: Zeile {row} (Zelle {cell}) ist eine neue Zeile; in der Arbeitsmappe eines Partners können hier keine Zeilen angelegt werden – Förderungen (Anträge, Mittelabrufe, Kostenplan) pflegt die Smart-City Innovation Unit. Bitte die Zeile löschen und den neuen Eintrag der Innovation Unit melden.",
        # errors as a whole
        "validation_failed": "Bitte die markierten Angaben prüfen ({count}).",
        "conflict": "{entity} „{key}“ wurde inzwischen geändert (Version {current} statt {expected}) von {actor} am {at}. Bitte neu laden und die Änderung erneut eintragen.",
        "conflict_unknown": "{entity} „{key}“ wurde inzwischen geändert (Version {current} statt {expected}). Bitte neu laden und die Änderung erneut eintragen.",
        "not_found": "{entity} „{key}“ wurde nicht gefunden.",
        # backup, restore, verify (db/backup.py, db/integrity.py)
        "backup_target_is_folder": "„{path}“ ist ein Ordner. Bitte einen Dateinamen für die Sicherung angeben, z. B. portfolio-2026-12-03.backup.",
        "backup_engine_unsupported": "Datenbanken der Art „{engine}“ kann das Portfolio nicht sichern (nur SQLite und PostgreSQL).",
        "backup_memory_database": "Eine Datenbank nur im Arbeitsspeicher lässt sich nicht sichern oder wiederherstellen. Bitte eine Datei-Datenbank angeben.",
        "backup_source_missing": "Die Datenbankdatei „{path}“ gibt es nicht. Bitte --db oder PORTFOLIO_DATABASE_URL prüfen.",
        "backup_not_a_portfolio": "Diese Datenbank ist (noch) keine Portfolio-Datenbank: Sie hat keinen Schemastand. Bitte --db prüfen oder zuerst `portfolio db upgrade`.",
        "backup_tool_missing": "Das Programm „{tool}“ fehlt auf diesem Rechner. Bitte die PostgreSQL-Client-Werkzeuge in der Version des Servers installieren (Debian: postgresql-client).",
        "backup_tool_failed": "{tool} ist gescheitert: {detail}. Nichts wurde verändert.",
        "backup_missing": "Die Sicherungsdatei „{path}“ gibt es nicht. Bitte den Pfad prüfen.",
        "backup_unreadable": "Die Sicherungsdatei „{path}“ lässt sich nicht lesen ({detail}).",
        "backup_foreign_or_damaged": "Die Datei ist keine Sicherung des Smart-City-Portfolios, oder sie ist beschädigt oder abgeschnitten. Nichts wurde verändert. Bitte eine vollständige Sicherungsdatei angeben.",
        "backup_foreign": "Die Datei ist keine Sicherung des Smart-City-Portfolios (ihr fehlt das Manifest dieser Anwendung). Nichts wurde verändert.",
        "backup_format_version": "Die Sicherung hat das Format {version}, dieses Programm liest Format 1. Bitte mit der Programmversion wiederherstellen, die sie geschrieben hat.",
        "backup_damaged": "Die Sicherung ist beschädigt oder abgeschnitten (ihr Inhalt passt nicht zur Prüfsumme im Manifest). Nichts wurde verändert. Bitte eine andere Sicherung verwenden.",
        "backup_other_engine": "Die Sicherung stammt aus {file}, das Ziel ist {target}. Sie lässt sich nur in eine Datenbank derselben Art wiederherstellen. Nichts wurde verändert.",
        "backup_other_head": "Die Sicherung hat den Schemastand {file}, dieses Programm den Stand {program}. Bitte mit der Programmversion wiederherstellen, die zum Stand {file} gehört, und danach `portfolio db upgrade` ausführen. Nichts wurde verändert.",
        "backup_target_not_empty": "Die Zieldatenbank ist nicht leer ({rows} Zeilen in {tables} Tabellen). Eine Sicherung wird nur in eine leere Datenbank wiederhergestellt; mit --force wird der Inhalt ersetzt. Nichts wurde verändert.",
        "backup_restore_mismatch": "Nach der Wiederherstellung stimmt der Inhalt nicht mit dem Manifest überein. Bitte die Zieldatenbank nicht verwenden und die Wiederherstellung wiederholen.",
        "backup_written": "Sicherung geschrieben: {path} ({size}; {engine}, Schemastand {head}, {rows} Zeilen in {tables} Tabellen, Inhalt {fingerprint}).",
        "backup_restored": "Wiederhergestellt: {path} vom {at} ({engine}, Schemastand {head}, {rows} Zeilen in {tables} Tabellen). Der Inhalt stimmt mit dem Manifest überein.",
        "backup_progress": "Prüfsumme über alle Zeilen: Tabelle {position} von {total} ({table}) …",
        "verify_storage": "Speicher (Seiten, Indizes)",
        "verify_foreign_keys": "Verweise zwischen Tabellen",
        "verify_schema": "Schemastand",
        "verify_journal_rows": "Jede Zeile mit ihrem Journal",
        "verify_journal_steps": "Lückenlose Versionen im Journal",
        "verify_journal_deleted": "Keine Zeile ohne Löschung im Journal verschwunden",
        "verify_ok": "in Ordnung",
        "verify_finding": "1 Befund",
        "verify_findings": "{count} {count|Befund|Befunde}",
        "verify_all_ok": "Die Datenbank ist in Ordnung.",
        "verify_failed": "Die Datenbank hat Befunde. Bitte die Sicherung der letzten Nacht prüfen (docs/operations.md, „Wiederherstellung“).",
    },
    "en": {
        "yes": "yes",
        "no": "no",
        "required": "{field}: required. Please enter a value.",
        "too_long": "{field}: at most {max} characters allowed (now {length}). Please shorten it.",
        "not_negative": "{field}: must not be negative ({value}). Please enter an amount of 0 or more.",
        "not_in_list": "{field}: “{value}” is not a valid value. Allowed: {allowed}.",
        "unknown_reference": "{field}: “{value}” does not exist. Please choose an entry from the list.",
        "duplicate_key": "{field}: the key “{value}” is taken. Please choose another one.",
        "bad_key": "{field}: “{value}” is not a valid key (letters, digits, - and _ only; at most {max} characters).",
        "bad_url": "{field}: “{value}” is not a web address. Please start with https://.",
        "bad_email": "{field}: “{value}” is not an e-mail address.",
        "invalid_view": "{field}: not a valid view. Please set the view up on the page and save it then.",
        "too_many_views": "{field}: at most {max} saved views. Please delete one you no longer need first.",
        "control_chars": "{field}: contains control characters or line breaks. Please enter the text without them (line breaks only in multi-line fields).",
        "bad_chars": "{field}: contains characters that cannot be stored (e.g. from a broken copy). Please type the text again.",
        "invisible_only": "{field}: contains only invisible characters. Please enter readable text or clear the field.",
        "not_a_number": "{field}: “{value}” is not a number. Please enter a number such as 1,234.56.",
        "money_range": "{field}: amount too large, at most {max}. Please check the amount.",
        "date_range": "{field}: {value} is not between {first} and {last}. Please check the year.",
        "number_range": "{field}: number too large, at most {max}. Please check the value.",
        "percent_range": "{field}: {value} is not between 0 % and 100 %.",
        "end_before_start": "{field}: the end ({end}) is before the start ({start}). Please enter an end on or after the start.",
        "eligible_above_total": "{field}: the eligible cost ({eligible}) exceeds the total cost ({total}). Please enter at most the total cost.",
        "archived_project": "Project “{key}” is archived. Please restore it before changing it.",
        "bad_tag": "{field}: “{value}” is not a valid entry. Allowed: {allowed}.",
        "rate_above_programme": "{field}: {rate} is above the funding rate of programme “{programme}” ({max_rate}). Please enter at most {max_rate}.",
        "approved_above_requested": "{field}: the approved amount ({approved}) exceeds the requested one ({requested}). Please enter at most the requested amount.",
        "amount_above_rate": "{field}: {amount} exceeds {rate} of the eligible cost ({limit}). Please check the amount or the eligible cost.",
        "public_funding_above_eligible": "{field}: public funding of project “{project}” adds up to {total}, more than its eligible cost ({eligible}). Please lower the amounts or adjust the eligible cost.",
        "own_share_required": "{field}: programme “{programme}” requires an own share; it is {own_share}. Please leave an own share.",
        "own_share_above_rest": "{field}: own share ({own_share}) and funding ({amount}) together exceed the eligible cost ({eligible}). Please lower the own share; other funders carry the rest.",
        "cap_exceeded": "{field}: together {amount} exceed the cap of {cap} for {phase} in programme “{programme}” (the cap applies {scope}). Please lower the amount so the sum is at most {cap}.",
        "implementation_cap_exceeded": "{field}: first implementation measures in {phase} of programme “{programme}” add up to {amount}; at most {cap} is allowed (the limit applies {scope}). Please lower the amount or don't mark the measure as a first implementation measure.",
        "no_implementation_cap": "{field}: {phase} of programme “{programme}” has no first implementation measures. Please clear the tick.",
        "public_funding_above_application_costs": "{field}: public funding of project “{project}” adds up to {total}, more than the applications' eligible costs ({eligible}); without an eligible cost of the project, applications under different programmes count as funding the same cost. Please lower the amounts, mark an application as an alternative, or enter the project's eligible cost.",
        "own_share_replaced": "{field}: in project “{project}” other money of level “{level}” ({other}) would replace the own share the programme requires; there is room for only {room} outside the cost funded there. Please lower that funding or enter the project's eligible cost so that both costs are covered separately.",
        "alternative_to_itself": "{field}: an application can't be an alternative to itself. Please choose another application or clear the field.",
        "alternative_other_project": "{field}: application {key} belongs to another project. An alternative concerns the same cost of the same project.",
        "alternative_of_alternative": "{field}: {key} is itself an alternative (to {first}). Please choose the first application {first}.",
        "alternative_not_live": "{field}: application {key} is “{status}” and needs no alternative any more. Please clear the field.",
        "alternative_has_alternatives": "{field}: {key} is recorded as an alternative to this application, so it can't be an alternative itself. Please change that one first.",
        "notice_award_needs_submitted": "{field}: an award is only made on a submitted application (now: “{status}”). Please record the application as submitted first or, if it is awarded already, record an amendment.",
        "notice_amendment_needs_award": "{field}: an amendment only changes a running award (now: “{status}”). Please record the award first.",
        "notice_amendment_needs_notice": "{field}: no award notice is recorded for this application yet. Please record the award first, then the amendment.",
        "notice_in_future": "{field}: the notice of {value} lies in the future. Please record the notice once it has arrived, with its date.",
        "notice_before_previous": "{field}: the notice of {value} is before the latest recorded notice of {previous}. Please check the date; an amendment follows the notice in force.",
        "notice_before_submission": "{field}: the notice of {value} is before the application was submitted on {submitted}. Please check the dates.",
        "decision_in_future": "{field}: the decision of {value} lies in the future. Please enter the notice's date once it has arrived.",
        "submitted_in_future": "{field}: {value} lies in the future, but the status is “{status}”. Please enter the submission date or set the status back.",
        "council_resolution_missing": "{field}: measures of {phase} in programme “{programme}” need a council resolution before the application. Please enter the resolution's date and link on project {project}.",
        "council_resolution_after_application": "{field}: the council resolution of project {project} is dated {on}, the application was submitted on {submitted}. The resolution must come first; please check the dates.",
        "close_with_open_payments": "{field}: payment requests of {amount} are still open (planned or submitted). Please record them as paid or rejected first, then close.",
        "approved_below_payments": "{field}: {approved} would be approved, but the payment requests already come to {drawn} (of which paid {paid}). Please adjust the payment requests first or enter a higher amount.",
        "payment_under_closed_grant": "{field}: the application is closed; open payment requests are no longer possible. Please record the request as paid or rejected.",
        "paid_before_award": "{field}: paid on {value} is before the award on {decision}. Please check the payment date.",
        "restore_exceeds_cap": "{field}: with this project's applications, the applications under programme “{programme}” would add up to {amount}, more than the cap of {cap}. Please lower amounts or withdraw applications first.",
        "council_resolution_in_use": "{field}: application {key} was submitted on this council resolution and needs it. Please keep (or correct) the resolution's date and link.",
        "decision_after_payment": "{field}: an award on {value} would come after the first payment on {paid}. Please check the date of the notice or of the payment.",
        "unknown_phase": "{field}: programme “{programme}” has no phase “{value}”. Allowed: {allowed}.",
        "status_transition": "{field}: moving from “{old}” to “{new}” is not allowed. Possible: {allowed}.",
        "decision_needs_date": "{field}: status “{status}” needs the decision date.",
        "approval_needs_amount": "{field}: status “{status}” needs the approved amount.",
        "decision_before_submission": "{field}: the decision ({decision}) is before the submission ({submitted}). Please check the dates.",
        "payments_above_approved": "{field}: payment requests add up to {total}, more than the approved amount ({approved}). Please lower the amount.",
        "payment_needs_award": "{field}: funds can only be requested once the application is approved (now: “{status}”).",
        "paid_needs_date": "{field}: a paid request needs the payment date.",
        "participation_exists": "{field}: “{organisation}” already takes part in this project as “{role}”.",
        "measurement_exists": "{field}: there is already a measurement for {date}. Please change that one.",
        "report_exists": "{field}: there is already a status report for {date}. Please change that one.",
        "date_in_future": "{field}: {value} is in the future. Please enter a date up to today.",
        # notices, revocation, renunciation and refunds (en)
        "base_rate_range": "{field}: {value} % is no plausible base rate (so far it ranged from −0.88 % to 4.26 %). Please enter the value the Bundesbank announced.",
        "paid_below_refunds": "{field}: only {paid} would remain paid out, but {refunds} are already claimed back. A refund never exceeds what was paid: please adjust the refund first.",
        "notice_ending_needs_award": "{field}: a {kind} is only possible on an awarded grant (now: “{status}”); a closed one can only be revoked. Please check the status.",
        "notice_ending_needs_notice": "{field}: no award notice is recorded for this grant yet. Please record the award first, then the {kind}.",
        "notice_ending_above_amount": "{field}: a {kind} can only reduce the grant: {amount} is above the amount in force of {in_force}. For more money please record an amendment.",
        "notice_open_payments_above_amount": "{field}: {amount} would remain, {paid} is paid out already (net of refunds), and open payment requests of {open} would go beyond it. Please reject or lower the open payment requests first, then record the notice.",
        "revoked_needs_notice": "{field}: “revoked” follows only from a revocation notice. Please record the revocation instead of changing the status (amount 0 for a revocation in whole); if the grant has no notice yet, record the award first.",
        "grant_field_needs_notice": "{field}: this grant rests on notices (in force: {kind} of {notice}); its amount and funding period change only through a new notice. Please record an amendment, or for less money a renunciation or revocation.",
        "grant_decision_from_notice": "{field}: the award date ({award}) is that of the recorded award notice; notices are not edited. Please leave the date and record changes of the grant as an amendment.",
        "withdrawal_needs_renunciation": "{field}: this grant rests on notices (in force: {kind} of {notice}). Please record a renunciation instead of changing the status (amount 0 to renounce the whole grant); the status follows from it.",
        "approved_below_payments_net": "{field}: the approved amount would be {approved}; the payment requests come to {drawn} (of it paid {paid}), net of the refunds ({refunds}) {net}. Please adjust the payment requests first or enter a higher amount.",
        "payments_above_approved_net": "{field}: payment requests net of the refunds ({refunds}) add up to {total}, more than the approved amount ({approved}). Please lower the amount.",
        "refund_needs_award": "{field}: a refund is only claimed under an awarded grant (with its award date; now: “{status}”). Please check the funding application.",
        "refund_amount_not_positive": "{field}: {value} is no amount to pay back. Please enter an amount above 0.",
        "refund_before_award": "{field}: claimed on {value} is before the award on {decision}. Please check the date of the claim.",
        "repaid_before_claim": "{field}: repaid on {value} is before the claim on {claimed}. Please check the dates.",
        "early_draw_needs_days": "{field}: interest on money drawn early runs from the day it was paid out to the day it was spent. Please enter both days.",
        "interest_before_base_rates": "{field}: no base rate is recorded for {value} (the first holds from {first}). Please check the date or have the base rate added.",
        "refund_above_paid": "{field}: the refunds add up to {total}, but only {paid} was paid out. Please claim back at most what was paid out.",
        "refund_needed_for_payments": "{field}: without this amount (refunds then {refunds}) the payment requests ({drawn}) would exceed the approved amount ({approved}). Please keep the refund or check the notice and the payment requests first.",
        # proofs of use and the final share (en)
        "proof_needs_date": "{field}: state “{state}” needs this date. Please enter it.",
        "proof_date_without_state": "{field}: this date belongs to the step “{state}”, which the proof has not reached (now: “{current}”). Please clear the field or move the proof to that state first.",
        "proof_before_award": "{field}: {value} is before the award on {decision}. Please check the date.",
        "proof_date_before_previous": "{field}: {value} is before the previous step ({previous_field}: {previous}). Please enter a date on or after {previous}.",
        "proof_recovery_required": "{field}: “accepted with recovery” needs the amount recovered (above 0 €); otherwise choose “accepted”.",
        "proof_recovery_not_allowed": "{field}: a recovery ({amount}) exists only in state “accepted with recovery”, not “{state}”. Please choose that state or clear the field.",
        "proof_recovery_recorded": "{field}: the recovery from this check is already claimed as a refund. Please correct amount and date on the refund.",
        "final_share_before_check": "{field}: payment requests submitted and paid would add up to {total}. The final share of {rate} ({share}) is paid only after the proof of use is checked; until then at most {limit} can be drawn. Please lower the amount or record the request as planned until the proof of use is checked.",
        # cost plan and budget years (en)
        "cost_type_not_eligible": "{field}: programme “{programme}” does not fund the cost type “{type}”. Eligible are: {allowed}. Please choose one of these or take the item out of the cost plan.",
        "cost_item_over_tolerance": "{field}: item {item} “{label}” spends {actual}, {excess} above its approved amount of {approved} and more than the tolerance of {tolerance} in programme “{programme}” allows (at most {limit}). Please check the spending or ask the funder to amend the cost plan.",
        "cost_item_over_approved": "{field}: item {item} “{label}” spends {actual}, {excess} above its approved amount of {approved}; programme “{programme}” allows no item to exceed its amount. Please check the spending or ask the funder to amend the cost plan.",
        "cost_item_not_offset": "{field}: item {item} “{label}” spends {actual}, {excess} above its approved amount of {approved}. That is within the tolerance of {tolerance}, but savings on other items do not offset it (actual spending in all {actual_total}, approved in all {approved_total}). Please show savings on other items or ask the funder to amend the cost plan.",
        "cost_plan_total_differs": "{field}: the approved amounts of the cost plan add up to {total}, the application's eligible cost is {eligible} (difference {difference}). Please bring the cost plan and the eligible cost in line.",
        "budget_years_need_approval": "{field}: budget years exist only for an awarded grant; the application has no approved amount yet. Please record the award notice first.",
        "budget_years_need_period": "{field}: budget years follow the funding period; the application has no complete funding period. Please enter the period's start and end first.",
        "budget_year_duplicate": "{field}: budget year {year} is given more than once. Please plan each year once.",
        "budget_year_outside_period": "{field}: budget year {year} lies outside the funding period ({start} to {end}). Please plan only years of the funding period.",
        "budget_years_grant_below": "{field}: the grant's budget years add up to {total}, {approved} is approved; {difference} is missing. Please spread the amounts so they add up to {approved}.",
        "budget_years_grant_above": "{field}: the grant's budget years add up to {total}, {approved} is approved; that is {difference} too much. Please spread the amounts so they add up to {approved}.",
        "budget_years_own_below": "{field}: the own share's budget years add up to {total}, the own share is {own_share}; {difference} is missing. Please spread the amounts so they add up to {own_share}.",
        "budget_years_own_above": "{field}: the own share's budget years add up to {total}, the own share is {own_share}; that is {difference} too much. Please spread the amounts so they add up to {own_share}.",
        "payments_above_budget_year": "{field}: the payment requests due in budget year {year} (open and paid) add up to {drawn}, {excess} above the year's instalment of {instalment}. Please adjust the budget years or move requests to another year.",
        "payments_without_budget_year": "{field}: payment requests of {drawn} are due in budget year {year}, but no instalment is planned for that year. Please adjust the budget years or move the requests to a planned year.",
        # exchange of cost items (en)
        "partner_grant_field": "{field}: cell {cell} cannot be changed in a partner's workbook – grants (applications, payment requests, cost plan) are kept by the Smart-City Innovation Unit (file “{new}”, portfolio “{old}”). Please keep the exported value and report the change to the Innovation Unit; in the cost plan partners enter the actual spending only.",
        "partner_grant_row": "{field}: row {row} (cell {cell}) is a new row; a partner's workbook cannot add rows here – grants (applications, payment requests, cost plan) are kept by the Smart-City Innovation Unit. Please delete the row and report the new entry to the Innovation Unit.",
        "validation_failed": "Please check the marked entries ({count}).",
        "conflict": "{entity} “{key}” was changed meanwhile (version {current} instead of {expected}) by {actor} on {at}. Please reload and enter your change again.",
        "conflict_unknown": "{entity} “{key}” was changed meanwhile (version {current} instead of {expected}). Please reload and enter your change again.",
        "not_found": "{entity} “{key}” was not found.",
        # backup, restore, verify (db/backup.py, db/integrity.py)
        "backup_target_is_folder": "“{path}” is a folder. Please give a file name for the backup, e.g. portfolio-2026-12-03.backup.",
        "backup_engine_unsupported": "The portfolio cannot back up databases of the kind “{engine}” (only SQLite and PostgreSQL).",
        "backup_memory_database": "A database held only in memory cannot be backed up or restored. Please give a file database.",
        "backup_source_missing": "The database file “{path}” does not exist. Please check --db or PORTFOLIO_DATABASE_URL.",
        "backup_not_a_portfolio": "This database is not (yet) a portfolio database: it has no schema revision. Please check --db or run `portfolio db upgrade` first.",
        "backup_tool_missing": "The program “{tool}” is missing on this machine. Please install the PostgreSQL client tools of the server's version (Debian: postgresql-client).",
        "backup_tool_failed": "{tool} failed: {detail}. Nothing was changed.",
        "backup_missing": "The backup file “{path}” does not exist. Please check the path.",
        "backup_unreadable": "The backup file “{path}” cannot be read ({detail}).",
        "backup_foreign_or_damaged": "The file is not a backup of the Smart-City Portfolio, or it is damaged or truncated. Nothing was changed. Please give a complete backup file.",
        "backup_foreign": "The file is not a backup of the Smart-City Portfolio (it lacks this application's manifest). Nothing was changed.",
        "backup_format_version": "The backup has format {version}; this program reads format 1. Please restore it with the program version that wrote it.",
        "backup_damaged": "The backup is damaged or truncated (its content does not match the checksum in its manifest). Nothing was changed. Please use another backup.",
        "backup_other_engine": "The backup comes from {file}, the target is {target}. It can only be restored into a database of the same kind. Nothing was changed.",
        "backup_other_head": "The backup has schema revision {file}, this program {program}. Please restore it with the program version of revision {file}, then run `portfolio db upgrade`. Nothing was changed.",
        "backup_target_not_empty": "The target database is not empty ({rows} rows in {tables} tables). A backup is restored only into an empty database; --force replaces the content. Nothing was changed.",
        "backup_restore_mismatch": "After the restore the content does not match the manifest. Please do not use the target database and repeat the restore.",
        "backup_written": "Backup written: {path} ({size}; {engine}, schema revision {head}, {rows} rows in {tables} tables, content {fingerprint}).",
        "backup_restored": "Restored: {path} of {at} ({engine}, schema revision {head}, {rows} rows in {tables} tables). The content matches the manifest.",
        "backup_progress": "Checksum over every row: table {position} of {total} ({table}) …",
        "verify_storage": "Storage (pages, indexes)",
        "verify_foreign_keys": "References between tables",
        "verify_schema": "Schema revision",
        "verify_journal_rows": "Every row with its journal",
        "verify_journal_steps": "No gaps in the journal's versions",
        "verify_journal_deleted": "No row vanished without a deletion in the journal",
        "verify_ok": "ok",
        "verify_finding": "1 finding",
        "verify_findings": "{count} {count|finding|findings}",
        "verify_all_ok": "The database is whole.",
        "verify_failed": "The database has findings. Please check last night's backup (docs/operations.md, “Restore”).",
    },
}


def t(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The message ``key`` in ``lang`` with ``params`` formatted for that language."""
    catalogue = MESSAGES.get(lang, MESSAGES[DEFAULT_LANG])
    template = catalogue.get(key) or MESSAGES[DEFAULT_LANG].get(key) or key
    formatted = {name: fmt_value(value, lang) for name, value in params.items()}
    return pluralise(template, lang, params).format(**formatted)


_PLURAL = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")
_GROUPING = re.compile(r"[.,\s\u00a0\u202f']")


def _count(value: Any) -> int | None:
    """A count from an int or a number already formatted for reading ("1.234")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    digits = _GROUPING.sub("", str(value))
    return int(digits) if digits.isdigit() else None


def pluralise(template: str, lang: str, params: Mapping[str, Any]) -> str:
    """Resolve the plural choices of a text by the language's plural rules (Babel/CLDR):
    ``"{count} {count|Projekt|Projekte}"`` with ``count=1`` reads "1 Projekt", with 3
    "3 Projekte". Used by every text catalogue (UI, messages, exchange, reports) before
    ``str.format``; a template without a choice is returned as it is."""
    if "|" not in template:
        return template

    def choose(match: re.Match[str]) -> str:
        n = _count(params.get(match.group(1)))
        form = Locale.parse(locale_of(lang)).plural_form(n) if n is not None else "other"
        return match.group(2) if form == "one" else match.group(3)

    return _PLURAL.sub(choose, template)


def fmt_stamp(value: dt.datetime | None, lang: str = DEFAULT_LANG) -> str:
    """A stored timestamp as a user reads it: the local (Bochum) date and time, 26.11.2026 14:05."""
    if value is None:
        return "–"
    local = to_local(value)
    return f"{fmt_date(local.date(), lang)} {local:%H:%M}"
