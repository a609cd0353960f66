"""Why an uploaded file is refused: the codes, their messages in German and English, and
:class:`UnreadableFile`, the error that carries one (CLI exit code 2, nothing written)."""

from __future__ import annotations

from portfolio.errors import PortfolioError
from portfolio.i18n import fmt_int, fmt_number

MESSAGES: dict[str, tuple[str, str]] = {
    "empty": ("Die Datei ist leer.", "The file is empty."),
    "too_large": (
        "Die Datei ist mit {size} MB zu groß (höchstens {limit} MB). Bitte nur die geänderten "
        "Blätter senden.",
        "The file is too large ({size} MB, at most {limit} MB). Please send only the changed "
        "sheets.",
    ),
    "encrypted": (
        "Die Datei ist verschlüsselt oder im alten .xls-Format. Bitte ohne Kennwort als "
        "Excel-Arbeitsmappe (.xlsx) speichern und erneut hochladen.",
        "The file is encrypted or in the old .xls format. Please save it without a password "
        "as an Excel workbook (.xlsx) and upload it again.",
    ),
    "not_xlsx": (
        "Die Datei ist keine Excel-Arbeitsmappe (.xlsx) – vielleicht eine umbenannte CSV- oder "
        "Textdatei. Bitte die exportierte Arbeitsmappe verwenden.",
        "The file is not an Excel workbook (.xlsx) – perhaps a renamed CSV or text file. "
        "Please use the exported workbook.",
    ),
    "broken": (
        "Die Datei ist beschädigt oder unvollständig (abgebrochene Übertragung?). Bitte erneut "
        "speichern und hochladen.",
        "The file is damaged or incomplete (interrupted transfer?). Please save and upload it again.",
    ),
    "macro": (
        "Die Datei enthält Makros (.xlsm). Aus Sicherheitsgründen werden nur Arbeitsmappen ohne "
        "Makros angenommen: bitte als .xlsx speichern.",
        "The file contains macros (.xlsm). For safety only workbooks without macros are "
        "accepted: please save it as .xlsx.",
    ),
    "too_many_entries": (
        "Die Datei hat einen ungewöhnlichen Aufbau ({count} Bestandteile) und wird nicht gelesen.",
        "The file has an unusual structure ({count} parts) and is not read.",
    ),
    "bomb": (
        "Die Datei entpackt sich auf mehr als {limit} MB und wird nicht gelesen.",
        "The file unpacks to more than {limit} MB and is not read.",
    ),
    "ratio": (
        "Der Bestandteil „{part}“ der Datei ist ungewöhnlich stark gepackt (mehr als {ratio} : 1) "
        "und wird nicht gelesen. Bitte die Arbeitsmappe in Excel oder LibreOffice öffnen, ohne "
        "eingebettete Dateien als .xlsx speichern und erneut hochladen.",
        "Part “{part}” of the file is packed unusually tightly (more than {ratio} : 1) and is "
        "not read. Please open the workbook in Excel or LibreOffice, save it as .xlsx without "
        "embedded files and upload it again.",
    ),
    "doctype": (
        "Die Datei enthält unzulässige XML-Deklarationen und wird nicht gelesen.",
        "The file contains XML declarations that are not allowed and is not read.",
    ),
    "xml_encoding": (
        "Der Bestandteil „{part}“ der Datei ist nicht in UTF-8 gespeichert ({encoding}) und wird "
        "nicht gelesen. Bitte die Arbeitsmappe in Excel oder LibreOffice öffnen, als "
        "Excel-Arbeitsmappe (.xlsx) speichern und erneut hochladen.",
        "Part “{part}” of the file is not stored in UTF-8 ({encoding}) and is not read. Please "
        "open the workbook in Excel or LibreOffice, save it as an Excel workbook (.xlsx) and "
        "upload it again.",
    ),
    "structure": (
        "Der Bestandteil „{part}“ der Datei hat einen ungewöhnlichen Aufbau und wird nicht "
        "gelesen. Bitte die Arbeitsmappe in Excel oder LibreOffice öffnen, als "
        "Excel-Arbeitsmappe (.xlsx) speichern und erneut hochladen.",
        "Part “{part}” of the file has an unusual structure and is not read. Please open the "
        "workbook in Excel or LibreOffice, save it as an Excel workbook (.xlsx) and upload it "
        "again.",
    ),
    "far_cell": (
        "Blatt „{sheet}“, Zelle {cell}: liegt außerhalb des Bereichs, den das Portfolio liest "
        "(höchstens {rows} Zeilen und {columns} Spalten, also bis Zelle {last}). Bitte den "
        "Inhalt dieser Zelle und alles rechts oder unterhalb der Tabelle löschen, speichern und "
        "die Datei erneut hochladen.",
        "Sheet “{sheet}”, cell {cell}: lies outside the range the portfolio reads (at most "
        "{rows} rows and {columns} columns, i.e. up to cell {last}). Please delete the content "
        "of this cell and everything right of or below the table, save and upload the file "
        "again.",
    ),
    "formula": (
        "Blatt „{sheet}“, Zelle {cell} ({field}): enthält eine Formel. Formeln werden nicht "
        "eingelesen, denn ihr Ergebnis steht nicht sicher in der Datei. Bitte die Formel durch "
        "ihren Wert ersetzen (kopieren und als „Werte“ einfügen) und die Datei erneut hochladen.",
        "Sheet “{sheet}”, cell {cell} ({field}): contains a formula. Formulas are not read, "
        "because the file may not hold their result. Please replace the formula by its value "
        "(copy and paste as “values”) and upload the file again.",
    ),
    "not_workbook": (
        "Die Datei ist keine Excel-Arbeitsmappe (es fehlt der Arbeitsmappen-Teil).",
        "The file is not an Excel workbook (the workbook part is missing).",
    ),
    "unreadable": (
        "Die Arbeitsmappe lässt sich nicht lesen ({detail}). Bitte in Excel oder LibreOffice "
        "öffnen, als .xlsx speichern und erneut hochladen.",
        "The workbook cannot be read ({detail}). Please open it in Excel or LibreOffice, save "
        "it as .xlsx and upload it again.",
    ),
    "parse_memory": (
        "Die Arbeitsmappe braucht beim Lesen mehr als {limit} MB Arbeitsspeicher und wurde nicht "
        "gelesen; nichts wurde geändert. Bitte nur die Blätter und Zeilen senden, die sich "
        "geändert haben, oder die Arbeitsmappe in Excel oder LibreOffice neu als .xlsx speichern.",
        "Reading the workbook needs more than {limit} MB of memory; it was not read and nothing "
        "was changed. Please send only the sheets and rows that changed, or save the workbook "
        "again as .xlsx in Excel or LibreOffice.",
    ),
    "parse_timeout": (
        "Das Lesen der Arbeitsmappe dauerte länger als {seconds} Sekunden und wurde abgebrochen; "
        "nichts wurde geändert. Bitte nur die Blätter und Zeilen senden, die sich geändert haben.",
        "Reading the workbook took longer than {seconds} seconds and was stopped; nothing was "
        "changed. Please send only the sheets and rows that changed.",
    ),
    "parse_crashed": (
        "Die Arbeitsmappe ließ sich nicht lesen: das Lesen brach ab ({detail}); nichts wurde "
        "geändert. Bitte die Datei in Excel oder LibreOffice öffnen, als Excel-Arbeitsmappe "
        "(.xlsx) speichern und erneut hochladen.",
        "The workbook could not be read: reading stopped ({detail}); nothing was changed. Please "
        "open the file in Excel or LibreOffice, save it as an Excel workbook (.xlsx) and upload "
        "it again.",
    ),
    "no_sheets": (
        "Die Arbeitsmappe enthält keines der Blätter des Datenaustauschs ({expected}). Bitte "
        "eine aus dem Portfolio exportierte Arbeitsmappe verwenden.",
        "The workbook contains none of the exchange sheets ({expected}). Please use a workbook "
        "exported from the portfolio.",
    ),
    "no_header": (
        "Das Blatt „{sheet}“ hat keine Spalte „Schlüssel“ in der ersten Zeile.",
        "Sheet “{sheet}” has no “Key” column in its first row.",
    ),
    "format_version": (
        "Die Arbeitsmappe hat das Format {found}; dieses Portfolio liest Format {expected}. "
        "Bitte neu exportieren.",
        "The workbook has format {found}; this portfolio reads format {expected}. Please export again.",
    ),
    "meta_tampered": (
        "Die Metadaten der Arbeitsmappe (Blatt „_meta“: Umfang, Format, Exportzeit) wurden "
        "verändert; ihre Signatur passt nicht mehr. Die Datei wird nicht eingelesen. Bitte neu "
        "exportieren und die Änderungen in die neue Arbeitsmappe übertragen.",
        "The workbook's metadata (sheet “_meta”: scope, format, export time) was changed; its "
        "signature no longer matches. The file is not imported. Please export again and carry "
        "the changes over into the new workbook.",
    ),
    "meta_unsigned": (
        "Die Arbeitsmappe stammt aus der Zeit vor der Signatur der Metadaten (Blatt „_meta“ mit "
        "einer Prüfsumme statt einer Signatur) und wird nicht mehr eingelesen. Bitte neu "
        "exportieren und die Änderungen in die neue Arbeitsmappe übertragen.",
        "The workbook dates from before its metadata was signed (sheet “_meta” with a checksum "
        "instead of a signature) and is no longer imported. Please export again and carry the "
        "changes over into the new workbook.",
    ),
    "meta_other_key": (
        "Die Arbeitsmappe wurde von einer anderen Installation des Portfolios oder mit einem "
        "früheren Schlüssel signiert und kann hier nicht eingelesen werden. Bitte hier neu "
        "exportieren und die Änderungen in die neue Arbeitsmappe übertragen.",
        "The workbook was signed by another installation of the portfolio or with an earlier "
        "key and cannot be imported here. Please export it here again and carry the changes "
        "over into the new workbook.",
    ),
    "too_many_rows": (
        "Das Blatt „{sheet}“ hat mehr als {limit} Zeilen und wird nicht gelesen.",
        "Sheet “{sheet}” has more than {limit} rows and is not read.",
    ),
    "no_defusedxml": (
        "Der Server ist falsch eingerichtet (defusedxml fehlt); Importe sind gesperrt.",
        "The server is misconfigured (defusedxml is missing); imports are disabled.",
    ),
}


def _shown(value: object, lang: str) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return fmt_int(value, lang)
    if isinstance(value, float):
        return fmt_number(value, lang, digits=1)
    return str(value)


class UnreadableFile(PortfolioError):
    """A file that can't or mustn't be read: CLI exit code 2, nothing written.

    Numbers among ``params`` are shown in the message's language (``300.000``, ``60,5``).
    """

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(self.message("de"))

    def message(self, lang: str = "de") -> str:
        de, en = MESSAGES[self.code]
        shown = {k: _shown(v, lang) for k, v in self.params.items()}
        return (en if lang == "en" else de).format(**shown)
