"""The instruction sheet, first in the workbook: how to fill the workbook in (in German or
English, for the whole portfolio or a partner's projects) and what each data sheet lets change."""

from __future__ import annotations

import textwrap

from xlsxwriter.worksheet import Worksheet

from portfolio.exchange.export.book import Book, de_en, print_setup
from portfolio.exchange.schema import REFERENCE_TITLES, SHEETS, Sheet

INSTRUCTIONS_WIDTH = 110
"""Width (characters) of the instruction sheet's one column: it fits an A4 landscape page at
100 % (about 775 of the page's 1,045 printable pixels), so its wrapped lines are never cut."""
LINE_HEIGHT = 13  # points per line of 10-point text
TITLE_HEIGHT = 20  # the instruction sheet's 14-point title

_TITLE = (
    "Smart-City-Portfolio Bochum – Arbeitsmappe für den Datenaustausch",
    "Smart-City Portfolio Bochum – data exchange workbook",
)
_HOW_TO = ("So arbeiten Sie mit dieser Arbeitsmappe", "How to use this workbook")
_STEPS: tuple[tuple[str, str], ...] = (
    (
        "1. Ändern Sie nur Werte in weißen Zellen. Graue Zellen und Spalten sind Kontext und "
        "schreibgeschützt.",
        "1. Change values only in white cells. Grey cells and columns are read-only context.",
    ),
    (
        "2. Die Spalten „Schlüssel“ und „Version“ bitte nie ändern: Sie ordnen jede Zeile "
        "dem Datenbestand zu.",
        "2. Never change the columns “Key” and “Version”: they match each row with the database.",
    ),
    (
        "4. Gelöschte Zeilen werden im Portfolio nicht gelöscht; zum Beenden bitte den "
        "Status ändern.",
        "4. Rows you delete are not deleted in the portfolio; to end something, change its status.",
    ),
    (
        "5. Datum als TT.MM.JJJJ (oder 2026-12-31), Beträge wie 1.234,56 oder 1.234,56 €, "
        "Prozent wie 65 %.",
        "5. Dates as DD.MM.YYYY (or 2026-12-31), amounts like 1,234.56 or 1.234,56 €, "
        "percentages like 65 %.",
    ),
    (
        "6. Listen und Verweise: einen Eintrag der Auswahlliste wählen (Verweise: „Schlüssel "
        "– Name“ oder nur der Schlüssel); alle zulässigen Einträge zeigen das Blatt „Listen“ "
        "und die Referenzblätter (Organisationen …).",
        "6. Lists and references: choose an entry from the dropdown (references read “key – "
        "name”, the key alone will do); the sheet “Lists” and the reference sheets "
        "(organisations, action fields …) show every allowed entry.",
    ),
    (
        "7. Zeilen, deren erste ausgefüllte Zelle mit # beginnt, sind Kommentare und werden "
        "übergangen.",
        "7. Rows whose first filled cell starts with # are comments and are ignored.",
    ),
    (
        "8. Als .xlsx speichern (nicht .xlsm, nicht .csv, ohne Kennwort) und zurücksenden.",
        "8. Save as .xlsx (not .xlsm, not .csv, without password) and send the file back.",
    ),
)
"""Steps 1, 2 and 4 to 8 of the instructions (3, on new rows, depends on the workbook)."""
_ON_IMPORT = ("Was beim Einlesen passiert", "What happens on import")
_ON_IMPORT_TEXT = (
    "Jede Zelle wird geprüft. Zuerst sehen Sie eine Vorschau aller Änderungen. Ist etwas "
    "ungültig oder wurde eine Zeile seit Ihrem Export im Portfolio geändert, wird nichts "
    "übernommen, und Sie erhalten diese Arbeitsmappe zurück – mit rot markierten Zellen und "
    "einem Kommentar an jeder.",
    "Every cell is checked. You get a preview of all changes first. If anything is invalid, "
    "or if a row was changed in the portfolio since your export, nothing is applied and you "
    "receive this workbook back with the cells marked in red and a comment on each.",
)


def write_instructions(book: Book, scope: str, partner_name: str | None) -> Worksheet:
    """The instruction sheet of a workbook for ``scope`` (its label), protected."""
    fm = book.fm
    info = book.wb.add_worksheet(REFERENCE_TITLES["instructions"][1 if book.lang == "en" else 0])
    print_setup(info, book, table=False)
    info.set_column(0, 0, INSTRUCTIONS_WIDTH)
    for r, (style, line) in enumerate(instructions(book.lang, scope, partner_name)):
        fmt = {"title": fm.title, "bold": fm.bold}.get(style, fm.wrap)
        if style == "title":
            info.set_row(r, TITLE_HEIGHT)
        elif (lines := len(textwrap.wrap(line, INSTRUCTIONS_WIDTH))) > 1:
            # Neither Excel nor LibreOffice grows a row for wrapped text on opening a file: a
            # line's row is as high as its wrapped lines at the column's width (at most as many
            # as characters fit, so rather a little space below than a cut line).
            info.set_row(r, LINE_HEIGHT * lines + 2)
        if line:
            info.write_string(r, 0, line, fmt)
    info.protect(book.password, {"select_locked_cells": True})
    return info


def instructions(lang: str, scope: str, partner_name: str | None) -> list[tuple[str, str]]:
    """(style, text) lines of the instruction sheet."""
    steps = [de_en(lang, *step) for step in _STEPS]
    steps.insert(2, _new_rows_instruction(lang, scope != "all"))
    lines = [
        ("title", de_en(lang, *_TITLE)),
        ("", _scope_line(lang, partner_name)),
        ("", ""),
        ("bold", de_en(lang, *_HOW_TO)),
        *(("", step) for step in steps),
        ("", ""),
        ("bold", de_en(lang, *_ON_IMPORT)),
        ("", de_en(lang, *_ON_IMPORT_TEXT)),
        ("", ""),
        ("bold", de_en(lang, "Blätter", "Sheets")),
    ]
    lines += [("", f"{s.title(lang)}: {_sheet_line(s, lang, scope)}") for s in SHEETS]
    return lines


def _scope_line(lang: str, partner_name: str | None) -> str:
    if partner_name:
        return de_en(
            lang,
            f"Umfang: Projekte mit Beteiligung von {partner_name}",
            f"Scope: projects of {partner_name}",
        )
    return de_en(lang, "Umfang: gesamtes Portfolio", "Scope: the whole portfolio")


def _sheet_line(s: Sheet, lang: str, scope: str) -> str:
    """What the data sheet ``s`` lets change: in a partner's workbook its columns open to
    partners and the columns of a new row."""
    editable = [c.header(lang) for c in s.columns if c.partner] if scope != "all" else None
    what = (
        de_en(lang, "änderbar: ", "editable: ") + (", ".join(editable) if editable else "–")
        if editable is not None
        else de_en(lang, "alle weißen Spalten änderbar", "all white columns editable")
    )
    if editable is not None and s.grant:
        what += de_en(
            lang,
            " (Förderungen pflegt die Smart-City Innovation Unit)",
            " (grants are kept by the Smart-City Innovation Unit)",
        )
    if s.frozen_rows:
        return de_en(lang, "bestehende Berichte nur Lesen; ", "existing reports read-only; ") + (
            de_en(
                lang,
                "neue Berichte für Projekte unter Ihrer Federführung (siehe 3.)",
                "new reports for the projects you lead (see 3.)",
            )
            if editable is not None and s.lead_only
            else de_en(lang, "neue Berichte in neuen Zeilen", "new reports in new rows")
        )
    if editable is not None and s.partner_create:
        what += de_en(lang, "; neue Zeilen: ", "; new rows: ") + ", ".join(_create_headers(s, lang))
    return what


def _create_headers(sheet: Sheet, lang: str) -> list[str]:
    """The headers of the columns a partner fills in a new row of ``sheet``."""
    return [c.header(lang) for c in sheet.columns if c.field in sheet.partner_create]


def _new_rows_instruction(lang: str, partner: bool) -> str:
    """Instruction 3, on new rows: where the workbook takes them (a partner's: only the sheets
    whose rows below the list are unlocked, see :mod:`portfolio.exchange.export.data_sheet`) and
    how to fill them."""
    if not partner:
        return de_en(
            lang,
            "3. Neue Zeilen (in jedem Datenblatt möglich): unterhalb der Liste ausfüllen, "
            "„Version“ leer lassen. „Schlüssel“ leer lassen (wird vergeben) oder bei Projekten, "
            "Förderanträgen, Mittelabrufen, Kostenpositionen und Meilensteinen einen freien "
            "Schlüssel eintragen (z. B. SC-031): Zeilen anderer Blätter können sich dann mit diesem "
            "Schlüssel auf den neuen Eintrag beziehen, z. B. die Meilensteine eines neuen Projekts.",
            "3. New rows (possible in every data sheet): fill in a row below the list and leave "
            "“Version” empty. Leave “Key” empty (a key is assigned) or, for projects, funding "
            "applications, payment requests, cost items and milestones, enter a free key (e.g. "
            "SC-031): rows of other sheets can then refer to the new record by that key, e.g. the "
            "milestones of a new project.",
        )
    open_, close = de_en(lang, "„", "“"), de_en(lang, "“", "”")
    creatable = [s for s in SHEETS if s.partner_create]
    lead = de_en(
        lang, "; nur für Projekte unter Ihrer Federführung", "; only for the projects you lead"
    )
    each = [
        de_en(lang, "im Blatt ", "in the sheet ")
        + f"{open_}{s.title(lang)}{close} ({', '.join(_create_headers(s, lang))}"
        + (lead if s.lead_only else "")
        + ")"
        for s in creatable
    ]
    where = (
        ", ".join(each[:-1]) + de_en(lang, " und ", " and ") + each[-1]
        if len(each) > 1
        else each[0]
    )
    others = ", ".join(f"{open_}{s.title(lang)}{close}" for s in SHEETS if not s.partner_create)
    return de_en(
        lang,
        f"3. Neue Zeilen nur {where}: unterhalb der Liste in den weißen Zellen ausfüllen, "
        "„Schlüssel“ und „Version“ bleiben leer (der Schlüssel wird vergeben). Die Blätter "
        f"{others} nehmen keine neuen Zeilen auf (unterhalb der Liste gesperrt): diese Einträge "
        "legt die Smart-City Innovation Unit an.",
        f"3. New rows only {where}: fill in the white cells of a row below the list; "
        "“Key” and “Version” stay empty (the key is assigned). The sheets "
        f"{others} take no new rows (locked below the list): those entries are made by the "
        "Smart-City Innovation Unit.",
    )
