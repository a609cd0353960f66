"""Messages of the exchange that the services' catalogue (portfolio.i18n) has no words for."""

from __future__ import annotations

from typing import Any

from portfolio.i18n import fmt_value, pluralise

MESSAGES: dict[str, tuple[str, str]] = {
    "bad_number": (
        "{field}: „{value}“ ist keine Zahl. Bitte z. B. 1.234,56 eintragen.",
        "{field}: “{value}” is not a number. Please enter e.g. 1,234.56.",
    ),
    "number_too_large": (
        "{field}: „{value}“ ist zu groß (höchstens 15 Stellen vor dem Komma). Bitte den Wert "
        "prüfen.",
        "{field}: “{value}” is too large (at most 15 digits before the decimal point). Please "
        "check the value.",
    ),
    "bad_date": (
        "{field}: „{value}“ ist kein gültiges Datum. Bitte TT.MM.JJJJ eintragen, z. B. 31.12.2026.",
        "{field}: “{value}” is not a valid date. Please enter DD.MM.YYYY, e.g. 31.12.2026.",
    ),
    "date_with_time": (
        "{field}: „{value}“ enthält eine Uhrzeit. Bitte nur das Datum eintragen.",
        "{field}: “{value}” contains a time of day. Please enter the date only.",
    ),
    "bad_bool": (
        "{field}: „{value}“ ist weder „ja“ noch „nein“. Bitte „ja“ oder „nein“ eintragen.",
        "{field}: “{value}” is neither “yes” nor “no”. Please enter “yes” or “no”.",
    ),
    "bad_version": (
        "{field}: „{value}“ ist keine gültige Version. Bitte die Spalte nicht ändern; neu exportieren.",
        "{field}: “{value}” is not a valid version. Please don't change this column; export again.",
    ),
    "version_ahead": (
        "Version: {value} ist neuer als der Datenbestand ({current}). Bitte die Spalte nicht ändern; neu exportieren.",
        "Version: {value} is newer than the database's ({current}). Please don't change this column; export again.",
    ),
    "key_not_found": (
        "Schlüssel: „{key}“ gibt es im Portfolio nicht (mehr). Für eine neue Zeile die Version leer "
        "lassen (und den Schlüssel leer lassen oder einen freien eintragen, wo das Blatt das erlaubt).",
        "Key: “{key}” does not exist in the portfolio (any more). For a new row leave the version "
        "empty (and leave the key empty or enter a free one where the sheet allows it).",
    ),
    "duplicate_new_key": (
        "Schlüssel: „{key}“ steht schon in Zeile {other} für eine neue Zeile. Jeder neue Schlüssel "
        "darf nur einmal vorkommen: bitte einen anderen wählen oder das Feld leer lassen (dann wird "
        "ein Schlüssel vergeben).",
        "Key: “{key}” is already used for a new row in row {other}. Each new key may appear only "
        "once: please choose another one or leave the cell empty (a key is then assigned).",
    ),
    "key_exists": (
        "Schlüssel: „{key}“ ist im Portfolio schon vergeben, die Zeile hat aber keine Version. "
        "Für eine neue Zeile einen freien Schlüssel eintragen oder das Feld leer lassen; soll die "
        "bestehende Zeile geändert werden, die Version aus dem Export stehen lassen (neu exportieren).",
        "Key: “{key}” is already taken in the portfolio, but the row has no version. For a new "
        "row enter a free key or leave the cell empty; to change the existing row keep the version "
        "from the export (export again).",
    ),
    "ref_to_failed_new_row": (
        "{field}: „{value}“ ist ein neuer Eintrag dieser Datei (Blatt „{sheet}“, Zeile {row}), der "
        "wegen Fehlern dort nicht angelegt werden kann. Bitte zuerst diese Fehler beheben.",
        "{field}: “{value}” is a new entry of this file (sheet “{sheet}”, row {row}) that cannot "
        "be created because of errors there. Please fix those errors first.",
    ),
    "repeated_rows": (
        "{count} neue Zeilen gibt es schon mit denselben Werten (wurde die Datei schon eingelesen?); "
        "sie werden übergangen.",
        "{count} new rows already exist with the same values (was the file imported before?); "
        "they are skipped.",
    ),
    "duplicate_row": (
        "Schlüssel: „{key}“ steht schon in Zeile {other}. Jede Zeile darf nur einmal vorkommen.",
        "Key: “{key}” already appears in row {other}. Each row may appear only once.",
    ),
    "archived_row": (
        "„{key}“ ist archiviert und kann nicht über den Datenaustausch geändert werden.",
        "“{key}” is archived and cannot be changed through the data exchange.",
    ),
    "key_for_new_row": (
        "Schlüssel: In diesem Blatt werden Schlüssel vergeben; bitte für neue Zeilen leer lassen.",
        "Key: keys are assigned in this sheet; please leave it empty for new rows.",
    ),
    "partner_field": (
        "{field}: darf von Partnern nicht geändert werden (in der Datei „{new}“, im Portfolio „{old}“).",
        "{field}: partners may not change it (file “{new}”, portfolio “{old}”).",
    ),
    "locked_field": (
        "{field}: ist in dieser Partner-Arbeitsmappe gesperrt (in der Datei „{new}“, im Portfolio „{old}“). Bitte im Portfolio selbst ändern oder eine Arbeitsmappe des ganzen Portfolios verwenden.",
        "{field}: locked in this partner workbook (file “{new}”, portfolio “{old}”). Please change it in the portfolio itself or use a whole-portfolio workbook.",
    ),
    "partner_row": (
        "„{key}“ gehört nicht zu den Projekten von {partner}. Partner können nur eigene Projekte ändern.",
        "“{key}” is not one of {partner}'s projects. Partners can change their own projects only.",
    ),
    "partner_create": (
        "Partner können in diesem Blatt keine neuen Zeilen anlegen.",
        "Partners cannot add rows to this sheet.",
    ),
    "partner_not_lead": (
        "Zeile {row}: Das Projekt „{key}“ steht nicht unter der Federführung von {partner}. "
        "Statusberichte legen Partner nur für Projekte an, die sie federführend leiten; diese "
        "Zeile bitte löschen oder den Bericht der Smart-City Innovation Unit schicken.",
        "Row {row}: project “{key}” is not led by {partner}. Partners add status reports only "
        "for the projects they lead; please delete this row or send the report to the "
        "Smart-City Innovation Unit.",
    ),
    "frozen_row": (
        "{field}: „{key}“ ist ein gespeicherter Eintrag des Blatts „{sheet}“ und wird über den "
        "Datenaustausch nicht geändert (in der Datei „{new}“, im Portfolio „{old}“); der Verlauf "
        "bleibt erhalten. Bitte einen neuen Bericht in einer neuen Zeile anlegen.",
        "{field}: “{key}” is a stored entry of the sheet “{sheet}” and is not changed through "
        "the data exchange (file “{new}”, portfolio “{old}”); the history is kept. Please add a "
        "new report in a new row.",
    ),
    "partner_scope": (
        "Die Arbeitsmappe wurde für „{file_scope}“ exportiert, eingelesen wird für „{scope}“. "
        "Bitte die Arbeitsmappe des richtigen Partners verwenden.",
        "The workbook was exported for “{file_scope}” but is imported for “{scope}”. "
        "Please use the right partner's workbook.",
    ),
    "conflict_field": (
        "{field}: Konflikt – seit Ihrem Export (Version {version}) hat {actor} am {at} die Zeile geändert "
        "(jetzt Version {current}). Im Portfolio steht jetzt „{old}“, in der Datei „{new}“. Nichts wurde "
        "überschrieben: bitte neu exportieren und die Änderung erneut eintragen.",
        "{field}: conflict – since your export (version {version}) {actor} changed the row on {at} "
        "(now version {current}). The portfolio now has “{old}”, the file “{new}”. Nothing was "
        "overwritten: please export again and enter your change again.",
    ),
    "concurrent_change": (
        "„{key}“ wurde während des Imports von anderer Seite geändert. Bitte erneut einlesen.",
        "“{key}” was changed by someone else during the import. Please import again.",
    ),
    "concurrent_import": (
        "Während des Imports haben andere gleichzeitig dieselben Zeilen geändert; nichts wurde "
        "übernommen. Bitte die Datei erneut einlesen.",
        "Others changed the same rows at the same time as the import; nothing was applied. "
        "Please import the file again.",
    ),
    "unique_violation": (
        "Eine Zeile verletzt eine Eindeutigkeit (z. B. zweimal derselbe Messwert oder dieselbe Beteiligung): {detail}",
        "A row breaks a uniqueness rule (e.g. the same measurement or participation twice): {detail}",
    ),
    "missing_column": (
        "Spalte „{field}“ fehlt, wird aber für neue Zeilen gebraucht.",
        "Column “{field}” is missing but needed for new rows.",
    ),
    "same_file": (
        "Diese Datei (gleiche SHA-256) wurde bereits am {at} von {actor} eingelesen (Import {id}).",
        "This file (same SHA-256) was already imported on {at} by {actor} (import {id}).",
    ),
    "outdated_rows": (
        "{count} {count|Zeile stammt|Zeilen stammen} aus einem älteren Stand, {count|ist|sind} aber unverändert; {count|sie wird|sie werden} übergangen.",
        "{count} {count|row comes|rows come} from an older state but {count|is|are} unchanged; {count|it is|they are} skipped.",
    ),
    "ignored_columns": (
        "Blatt „{sheet}“: unbekannte Spalten werden übergangen: {columns}.",
        "Sheet “{sheet}”: unknown columns are skipped: {columns}.",
    ),
    "partner_own_scope": (
        "Diese Arbeitsmappe gehört zu „{file_scope}“. Sie können nur die Arbeitsmappe Ihrer "
        "Organisation ({scope}) einlesen; nichts wurde übernommen. Bitte laden Sie Ihre eigene "
        "Arbeitsmappe unter „Meine Projekte“ herunter und tragen Sie die Änderungen dort ein.",
        "This workbook belongs to “{file_scope}”. You can import only your organisation's "
        "workbook ({scope}); nothing was applied. Please download your own workbook under "
        "“My projects” and enter the changes there.",
    ),
    "scope_confirm_hint": (
        "Die Arbeitsmappe wurde für „{file_scope}“ exportiert. Soll sie trotzdem als „{scope}“ "
        "eingelesen werden, bitte diesen Umfang ausdrücklich bestätigen (im Datenaustausch das "
        "Kästchen unter „Eingelesen als“, auf der Kommandozeile --confirm-scope).",
        "The workbook was exported for “{file_scope}”. To import it as “{scope}” all the same, "
        "please confirm that scope explicitly (in the data exchange the box below “Import as”, "
        "on the command line --confirm-scope).",
    ),
    "scope_confirmed": (
        "Die Arbeitsmappe wurde für „{file_scope}“ exportiert und wird – ausdrücklich "
        "bestätigt – als „{scope}“ eingelesen.",
        "The workbook was exported for “{file_scope}” and is imported – explicitly confirmed – "
        "as “{scope}”.",
    ),
    "scope_unknown": (
        "Die Arbeitsmappe hat kein Blatt „_meta“; für welchen Umfang sie exportiert wurde, ist "
        "unbekannt. Bitte den Umfang wählen und ausdrücklich bestätigen (im Datenaustausch das "
        "Kästchen unter „Eingelesen als“, auf der Kommandozeile --confirm-scope) oder die "
        "Arbeitsmappe neu exportieren.",
        "The workbook has no “_meta” sheet; which scope it was exported for is unknown. Please "
        "choose the scope and confirm it explicitly (in the data exchange the box below “Import "
        "as”, on the command line --confirm-scope) or export the workbook again.",
    ),
    "scope_unknown_confirmed": (
        "Die Arbeitsmappe hat kein Blatt „_meta“ und wird – ausdrücklich bestätigt – als "
        "„{scope}“ eingelesen.",
        "The workbook has no “_meta” sheet and is imported – explicitly confirmed – as “{scope}”.",
    ),
    "scope_all_name": ("Gesamtes Portfolio", "Whole portfolio"),
    "scope_unknown_name": ("unbekannt", "unknown"),
}


def msg(code: str, lang: str, **params: Any) -> str:
    de, en = MESSAGES[code]
    formatted = {k: v if isinstance(v, str) else fmt_value(v, lang) for k, v in params.items()}
    return pluralise(en if lang == "en" else de, lang, params).format(**formatted)
