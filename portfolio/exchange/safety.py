"""Checks an uploaded file passes before any parser sees it.

Hostile or broken files are rejected with a clear message and nothing is written:
too large, not a zip (CSV renamed to .xlsx, old .xls), encrypted (an OLE compound file),
truncated or corrupt zips, macro-enabled workbooks, too many entries, too much uncompressed
data (zip bombs: the sizes in the zip headers may lie, so every entry is actually inflated
with a running bound), and XML with a DOCTYPE (entity bombs; OOXML never has one).
openpyxl, used for the annotated error workbook, must run with defusedxml.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

import openpyxl.xml

from portfolio.errors import PortfolioError

MAX_FILE_BYTES = 60 * 1024 * 1024
MAX_ENTRIES = 2_000
MAX_UNCOMPRESSED_BYTES = 800 * 1024 * 1024
MAX_RATIO = 400  # uncompressed : compressed for one large entry
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
CHUNK = 1 << 20

MESSAGES: dict[str, tuple[str, str]] = {
    "empty": ("Die Datei ist leer.", "The file is empty."),
    "too_large": (
        "Die Datei ist mit {size} MB zu groß (höchstens {limit} MB). Bitte nur die geänderten Blätter senden.",
        "The file is too large ({size} MB, at most {limit} MB). Please send only the changed sheets.",
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
    "doctype": (
        "Die Datei enthält unzulässige XML-Deklarationen und wird nicht gelesen.",
        "The file contains XML declarations that are not allowed and is not read.",
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
        "Die Metadaten der Arbeitsmappe (Blatt „_meta“) wurden verändert. Bitte neu exportieren.",
        "The workbook's metadata (sheet “_meta”) was changed. Please export again.",
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


class UnreadableFile(PortfolioError):
    """A file that can't or mustn't be read: CLI exit code 2, nothing written."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(self.message("de"))

    def message(self, lang: str = "de") -> str:
        de, en = MESSAGES[self.code]
        return (en if lang == "en" else de).format(**self.params)


@dataclass(frozen=True)
class ScanReport:
    entries: int
    uncompressed: int


def require_defusedxml() -> None:
    if not getattr(openpyxl.xml, "DEFUSEDXML", False):
        raise UnreadableFile("no_defusedxml")


def _scan_xml(data: bytes, tail: bytes) -> bytes:
    window = (tail + data).upper()
    if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
        raise UnreadableFile("doctype")
    return window[-16:]


def prescan(data: bytes, *, max_bytes: int = MAX_FILE_BYTES) -> ScanReport:
    """Reject what must not be parsed; inflate every entry with a running bound."""
    require_defusedxml()
    if not data:
        raise UnreadableFile("empty")
    if len(data) > max_bytes:
        raise UnreadableFile(
            "too_large", size=f"{len(data) / 1e6:.1f}", limit=f"{max_bytes / 1e6:.0f}"
        )
    if data.startswith(OLE_MAGIC):
        raise UnreadableFile("encrypted")
    if not data.startswith(ZIP_MAGIC):
        raise UnreadableFile("not_xlsx")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise UnreadableFile("broken") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise UnreadableFile("too_many_entries", count=len(infos))
        names = {i.filename.replace("\\", "/").lower() for i in infos}
        if any(n.endswith("vbaproject.bin") for n in names):
            raise UnreadableFile("macro")
        if "xl/workbook.xml" not in names and not any(n.endswith("/workbook.xml") for n in names):
            raise UnreadableFile("not_workbook")
        limit_mb = f"{MAX_UNCOMPRESSED_BYTES / 1e6:.0f}"
        if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
            raise UnreadableFile("bomb", limit=limit_mb)
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise UnreadableFile("encrypted")
            is_xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
            tail = b""
            entry_total = 0
            try:
                with archive.open(info) as stream:
                    while chunk := stream.read(CHUNK):
                        entry_total += len(chunk)
                        total += len(chunk)
                        if total > MAX_UNCOMPRESSED_BYTES:
                            raise UnreadableFile("bomb", limit=limit_mb)
                        if entry_total > 50 * CHUNK and entry_total > MAX_RATIO * max(
                            info.compress_size, 1
                        ):
                            raise UnreadableFile("bomb", limit=limit_mb)
                        if is_xml:
                            tail = _scan_xml(chunk, tail)
            except UnreadableFile:
                raise
            except (
                zipfile.BadZipFile,
                zlib.error,
                EOFError,
                OSError,
                ValueError,
                NotImplementedError,
            ):
                raise UnreadableFile("broken") from None
        content_types = (
            archive.read("[Content_Types].xml") if "[content_types].xml" in names else b""
        )
        if b"macroEnabled" in content_types:
            raise UnreadableFile("macro")
    return ScanReport(entries=len(infos), uncompressed=total)
