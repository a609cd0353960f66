"""Languages and formats: German first, English on request.

``t(key, lang, **params)`` looks a message up in the catalogues below; amounts, dates and
percentages in ``params`` are formatted for the language with Babel (1.234,56 €, 31.12.2026).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal, NamedTuple

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
        # proofs of use and the final share (de)
        # cost plan and budget years (de)
        # exchange of cost items (de)
        # errors as a whole
        "validation_failed": "Bitte die markierten Angaben prüfen ({count}).",
        "conflict": "{entity} „{key}“ wurde inzwischen geändert (Version {current} statt {expected}) von {actor} am {at}. Bitte neu laden und die Änderung erneut eintragen.",
        "conflict_unknown": "{entity} „{key}“ wurde inzwischen geändert (Version {current} statt {expected}). Bitte neu laden und die Änderung erneut eintragen.",
        "not_found": "{entity} „{key}“ wurde nicht gefunden.",
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
        # proofs of use and the final share (en)
        # cost plan and budget years (en)
        # exchange of cost items (en)
        "validation_failed": "Please check the marked entries ({count}).",
        "conflict": "{entity} “{key}” was changed meanwhile (version {current} instead of {expected}) by {actor} on {at}. Please reload and enter your change again.",
        "conflict_unknown": "{entity} “{key}” was changed meanwhile (version {current} instead of {expected}). Please reload and enter your change again.",
        "not_found": "{entity} “{key}” was not found.",
    },
}


def t(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The message ``key`` in ``lang`` with ``params`` formatted for that language."""
    catalogue = MESSAGES.get(lang, MESSAGES[DEFAULT_LANG])
    template = catalogue.get(key) or MESSAGES[DEFAULT_LANG].get(key) or key
    formatted = {name: fmt_value(value, lang) for name, value in params.items()}
    return template.format(**formatted)


def fmt_stamp(value: dt.datetime | None, lang: str = DEFAULT_LANG) -> str:
    """A stored timestamp as a user reads it: the local (Bochum) date and time, 26.11.2026 14:05."""
    if value is None:
        return "–"
    local = to_local(value)
    return f"{fmt_date(local.date(), lang)} {local:%H:%M}"
