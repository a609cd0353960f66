"""Checks an uploaded file passes before any parser sees it.

Hostile or broken files are rejected with a clear message and nothing is written: too large,
not a zip (CSV renamed to .xlsx, old .xls), encrypted (an OLE compound file), truncated or
corrupt zips, macro-enabled workbooks, too many entries, too much uncompressed data or a part
packed unusually tightly (zip bombs: the sizes in the zip headers may lie, so every entry is
actually inflated, with a running bound on the total and on each part's ratio), XML with a
DOCTYPE (entity bombs; OOXML never has one) or in another encoding than UTF-8.

The cells are bounded before any reader allocates: python-calamine allocates a dense range up
to the farthest cell it finds, whatever the ``<dimension>`` tag says (one value in XFD1048576
asks for 512 GiB). Every part of the zip, whatever its name, is inflated piece by piece and
scanned for cell references (``<c r="...">``, and for cells without ``r`` their position, as
calamine counts it); a cell with content beyond :data:`MAX_ROWS` or :data:`MAX_COLUMNS` is
refused with the sheet and the cell. The same pass finds formulas (``<f>`` in a cell), which
the import refuses cell by cell: a formula's cached value is what a clerk sees, and the file
may not carry it.

openpyxl, used for the annotated error workbook, must run with defusedxml.
"""

from __future__ import annotations

import codecs
import io
import math
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from xml.parsers import expat

import defusedxml.ElementTree
import openpyxl.xml

from portfolio.errors import PortfolioError
from portfolio.i18n import fmt_int, fmt_number

#: The one upload limit, in MB (1 MB = 1,000,000 bytes). ``.streamlit/config.toml`` has the
#: same number as ``server.maxUploadSize`` (a test checks it); the command line and the page
#: both refuse a larger file with the ``too_large`` message.
MAX_FILE_MB = 60
MAX_FILE_BYTES = MAX_FILE_MB * 1_000_000
MAX_ENTRIES = 2_000
MAX_UNCOMPRESSED_MB = 800
MAX_UNCOMPRESSED_BYTES = MAX_UNCOMPRESSED_MB * 1_000_000
#: Inflated : compressed, per part, checked once a part has inflated to RATIO_FROM_BYTES. The
#: export's sheets pack at about 10 : 1; images hardly at all.
MAX_RATIO = 100
RATIO_FROM_BYTES = 1 << 20
#: The cells the product reads: rows 1 to MAX_ROWS, columns A to BL (the widest exchange sheet
#: has 22 columns, an annotated one 23). A cell with content beyond is refused.
MAX_ROWS = 300_000
MAX_COLUMNS = 64
#: Stretches of a part without a ``>`` (or another byte that ends every token) longer than this
#: are refused: nothing a spreadsheet writes looks like that.
MAX_SPAN_BYTES = 8 << 20
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
IN_CHUNK = 1 << 16
OUT_CHUNK = 1 << 20

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


# ---- references ------------------------------------------------------------------------------


def column_letters(col: int) -> str:
    """``1`` → ``A``, ``64`` → ``BL``, ``16384`` → ``XFD`` (1-based)."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_number(letters: bytes) -> int:
    col = 0
    for b in letters.upper():
        col = col * 26 + b - 64
    return col


def cell_ref(row: int, col: int) -> str:
    """``(1, 1)`` → ``A1`` (1-based)."""
    return f"{column_letters(col)}{row}"


def _split_ref(value: bytes) -> tuple[int, int] | None:
    """A cell reference as calamine reads it (letters of either case, then digits), 1-based
    (row, column); None for what calamine refuses anyway (``$A$1``, ``A``, ``1A``)."""
    m = _REF_VALUE.fullmatch(value)
    if m is None:
        return None
    letters, digits = m.groups()
    return int(digits), _column_number(letters)


_REF_VALUE = re.compile(rb"([A-Za-z]*)([0-9]+)")


def _too_far(row: int, col: int) -> bool:
    return row > MAX_ROWS or col > MAX_COLUMNS


@dataclass(frozen=True)
class FarCell:
    part: str
    row: int
    col: int


# ---- scanning one part -----------------------------------------------------------------------

_W = rb"[\t\n\x0b\x0c\r ]"
_DOCTYPE = re.compile(rb"<!(?:[Dd][Oo][Cc][Tt][Yy][Pp][Ee]|[Ee][Nn][Tt][Ii][Tt][Yy])")
_DECL = re.compile(rb"<\?[Xx][Mm][Ll](?=[\t\n\r ?])([^>]*)")
_ENCODING = re.compile(rb"encoding" + _W + rb"*=" + _W + rb"*[\"']([^\"']*)")
# a <c> start tag whose first attribute is not r="…": the cell may be positional
_C_NONCANONICAL = re.compile(rb'<c(?=[\t\n\r />])(?! r=")')
_C_PREFIXED = re.compile(rb"<[^\t\n\r <>/!?]*:c[\t\n\r />]")
_SHEET_DATA = re.compile(rb"<(?:[^\t\n\r <>/!?]*:)?sheetData[\t\n\r />]")
_TAG_NAME = re.compile(rb"<([^\t\n\r <>/!?\"'=]+)")
# what follows a reference whose element holds nothing: more attributes, then /> or ></c>
_EMPTY_ELEMENT = re.compile(
    rb"[\"'](?:"
    + _W
    + rb"+[^\t\n\x0b\x0c\r <>/=\"']+"
    + _W
    + rb"*="
    + _W
    + rb"*(?:\"[^\"<>]*\"|'[^'<>]*'))*"
    + _W
    + rb"*(/>|>"
    + _W
    + rb"*(</c>|\Z))"
)
_LEADING_CLOSE = re.compile(_W + rb"*</c>")
_ATTR_START = frozenset(b"\t\n\x0b\x0c\r \"'")
# bytes that end every token the scan looks for (markup is ASCII; XML whitespace excluded):
# a translation table mapping them to 0 and every other byte to 1
_BREAKING = bytes(0 if (b < 0x09 or 0x0E <= b < 0x20 or b >= 0x7F) else 1 for b in range(256))


@lru_cache(maxsize=8)
def _ref_candidates(max_rows: int, max_columns: int) -> re.Pattern[bytes]:
    """An ``r="…"`` attribute whose value may lie beyond the limits (a superset; the exact check
    follows): more letters than the last column has, as many with a first letter from the last
    column's on; more digits than the last row has, or as many from its first digit on."""
    last_col = column_letters(max(max_columns, 1))
    n, first = len(last_col), last_col[0]
    last_row = str(max(max_rows, 1))
    d, top = len(last_row), last_row[0]
    columns = f"[A-Za-z]{{{n + 1}}}|[{first}-Z{first.lower()}-z][A-Za-z]{{{n - 1}}}"
    rows = f"[A-Za-z]*0*(?:[1-9][0-9]{{{d}}}|[{top}-9][0-9]{{{d - 1}}})"
    return re.compile(
        rb"r"
        + _W
        + rb"*="
        + _W
        + rb"*[\"']((?:"
        + columns.encode()
        + b"|"
        + rows.encode()
        + rb")[A-Za-z0-9]*)"
    )


class _PartScan:
    """Scans one part piece by piece (bounded memory): pieces end after a ``>`` (or a byte that
    ends every token), so no token the scan looks for is ever split."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.carry = b""
        self.head = b""
        self.started = False
        self.noncanonical = False
        self.sheet_data = False
        self.far: FarCell | None = None
        self.pending: FarCell | None = None  # a far reference whose element may still be empty
        self.formulas: list[tuple[int, int]] = []
        self.open_cell: tuple[int, int] | None = None
        self.candidates = _ref_candidates(MAX_ROWS, MAX_COLUMNS)

    def feed(self, chunk: bytes) -> None:
        if not self.started:
            self.head += chunk[:64]
            if len(self.head) < 16:
                self.carry += chunk
                return
            self._sniff()
            self.started = True
        buf = self.carry + chunk if self.carry else chunk
        cut = buf.rfind(b">") + 1
        if cut == 0 or len(buf) - cut > MAX_SPAN_BYTES:
            cut = max(cut, buf.translate(_BREAKING).rfind(b"\x00") + 1)
        if len(buf) - cut > MAX_SPAN_BYTES:
            raise UnreadableFile("structure", part=self.name)
        self.carry = buf[cut:]
        if cut:
            self._scan(buf[:cut])

    def close(self) -> None:
        if not self.started:
            self._sniff()
            self.started = True
        if self.carry:
            self._scan(self.carry)
            self.carry = b""
        if self.pending is not None and self.far is None:
            self.far = self.pending
        self.pending = None

    def _sniff(self) -> None:
        """UTF-16 and UTF-32 parts slip past a byte scan: refuse them."""
        head = self.head[:64]
        if b"\x00" not in head[:16]:
            return
        for codec in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
            text = codecs.decode(head, codec, errors="ignore")
            if text.lstrip("\ufeff \t\r\n").startswith("<"):
                raise UnreadableFile("xml_encoding", part=self.name, encoding=codec.upper())

    def _scan(self, piece: bytes) -> None:
        if self.pending is not None:
            if _LEADING_CLOSE.match(piece) is None and self.far is None:
                self.far = self.pending
            self.pending = None
        if _DOCTYPE.search(piece):
            raise UnreadableFile("doctype")
        if b"<?" in piece:
            for m in _DECL.finditer(piece):
                enc = _ENCODING.search(m.group(1))
                if enc and enc.group(1).strip().lower() not in (b"utf-8", b"utf8"):
                    raise UnreadableFile(
                        "xml_encoding",
                        part=self.name,
                        encoding=enc.group(1).decode("ascii", "replace")[:40],
                    )
        if not self.sheet_data:  # a reader takes cells from a worksheet's sheetData only
            found = _SHEET_DATA.search(piece)
            if found is None:
                return
            self.sheet_data = True
            piece = piece[found.start() :]
        if not self.noncanonical and (
            _C_NONCANONICAL.search(piece) or (b":c" in piece and _C_PREFIXED.search(piece))
        ):
            self.noncanonical = True
        if self.far is None:
            for m in self.candidates.finditer(piece):
                start = m.start()
                if start == 0 or piece[start - 1] not in _ATTR_START:
                    continue  # not an attribute called r (xr=, x:r=)
                ref = _split_ref(m.group(1))
                if ref is None or ref[1] == 0 or not _too_far(*ref):
                    continue
                empty = _EMPTY_ELEMENT.match(piece, m.end())
                far = FarCell(self.name, *ref)
                if empty is None:
                    self.far = far
                    break
                if empty.group(2) == b"":  # "…>" at the end of the piece: </c> may follow
                    self.pending = far
        if b"<f" in piece or b":f" in piece:
            self._formulas(piece)
        self._track_cell(piece, len(piece))

    def _formulas(self, piece: bytes) -> None:
        for needle in (b"<f", b":f"):
            pos = piece.find(needle)
            while pos != -1:
                after = piece[pos + 2 : pos + 3]
                if after and after in b"\t\n\r />":
                    if needle == b":f":
                        lt = piece.rfind(b"<", 0, pos)
                        name = _TAG_NAME.match(piece, lt) if lt != -1 else None
                        ok = name is not None and name.end() == pos + 2
                    else:
                        ok = True
                    if ok:
                        cell = self._cell_at(piece, pos)
                        if cell is not None:
                            self.formulas.append(cell)
                pos = piece.find(needle, pos + 2)

    def _cell_at(self, piece: bytes, pos: int) -> tuple[int, int] | None:
        """The (row, column) of the cell open at ``pos``, for a part whose cells all carry r."""
        start = piece.rfind(b'<c r="', 0, pos)
        if start == -1:
            return self.open_cell
        end = piece.find(b">", start, pos)
        if end == -1 or piece[end - 1] == 0x2F or piece.find(b"</c>", end, pos) != -1:
            return None
        quote = piece.find(b'"', start + 6, end)
        ref = _split_ref(piece[start + 6 : quote]) if quote != -1 else None
        return ref

    def _track_cell(self, piece: bytes, pos: int) -> None:
        if b'<c r="' in piece:
            self.open_cell = self._cell_at(piece, pos)
        elif b"</c>" in piece:
            self.open_cell = None


class _CellSimulation:
    """Cell positions as calamine counts them, for a worksheet part with cells without ``r``:
    a cell with ``r`` is there, one without is right of the previous cell of the row; a row with
    ``r`` starts there, one without below the previous row. Runs on a well-formed part only
    (expat); a cell or row inside a cell is refused (calamine would read such a file otherwise
    than the XML says)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.row = 0  # 0-based, as calamine
        self.col = 0
        self.cell: tuple[int, int] | None = None
        self.cell_has_content = False
        self.far: FarCell | None = None
        self.formulas: list[tuple[int, int]] = []
        self.bad_structure = False

    @staticmethod
    def _local(name: str) -> str:
        return name.partition(":")[2] if ":" in name else name

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = self._local(name)
        if self.cell is not None:
            if local in ("c", "row"):
                self.bad_structure = True
            self.cell_has_content = True
            if local == "f":
                self.formulas.append(self.cell)
            return
        if local == "row":
            r = attrs.get("r")
            if r is not None:
                m = _REF_VALUE.fullmatch(r.encode("utf-8", "replace"))
                if m is not None and int(m.group(2)) > 0:
                    self.row = int(m.group(2)) - 1
        elif local == "c":
            r = attrs.get("r")
            ref = _split_ref(r.encode("utf-8", "replace")) if r is not None else None
            if ref is not None and ref[1] > 0 and ref[0] > 0:
                self.col = ref[1] - 1  # calamine moves the column, not the row, to the cell
                self.cell = ref
            else:
                self.cell = (self.row + 1, self.col + 1)
            self.cell_has_content = False

    def end(self, name: str) -> None:
        local = self._local(name)
        if local == "c" and self.cell is not None:
            if self.cell_has_content and self.far is None and _too_far(*self.cell):
                self.far = FarCell(self.name, *self.cell)
            self.cell = None
            self.col += 1
        elif local == "row" and self.cell is None:
            self.row += 1
            self.col = 0


# ---- the zip ---------------------------------------------------------------------------------


@dataclass
class ScanReport:
    entries: int
    uncompressed: int
    #: sheet name (or part name, when the workbook does not name it) → (row, column), 1-based,
    #: of every cell holding a formula
    formulas: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    #: sheet name → its part in the zip
    sheet_parts: dict[str, str] = field(default_factory=dict)


def require_defusedxml() -> None:
    if not getattr(openpyxl.xml, "DEFUSEDXML", False):
        raise UnreadableFile("no_defusedxml")


def check_file_size(size: int, *, limit: int | None = None) -> None:
    """The one size check of the page and the command line: refuses an empty file and one over
    :data:`MAX_FILE_BYTES` with the message that names both sizes in MB."""
    limit = MAX_FILE_BYTES if limit is None else limit
    if size <= 0:
        raise UnreadableFile("empty")
    if size > limit:
        raise UnreadableFile(
            "too_large",
            size=math.ceil(size / 100_000) / 10,  # 60,000,001 bytes is "60.1", not "60.0"
            limit=math.floor(limit / 1_000_000) if limit >= 1_000_000 else limit / 1_000_000,
        )


class _Budget:
    def __init__(self) -> None:
        self.total = 0


def _inflate(data: bytes, info: zipfile.ZipInfo, budget: _Budget) -> Iterator[bytes]:
    """The bytes of one entry, inflated piece by piece from the raw zip data with a running
    bound: the declared size (header sizes may lie), the total, and the ratio once the part has
    inflated to RATIO_FROM_BYTES (so a tightly packed part is refused after a few pieces)."""
    name = info.filename
    start = info.header_offset
    local = data[start : start + 30]
    if len(local) < 30 or local[:4] != ZIP_MAGIC:
        raise UnreadableFile("broken")
    offset = start + 30 + int.from_bytes(local[26:28], "little")
    offset += int.from_bytes(local[28:30], "little")
    raw = memoryview(data)[offset : offset + info.compress_size]
    if len(raw) != info.compress_size:
        raise UnreadableFile("broken")
    if info.compress_type == zipfile.ZIP_STORED:
        inflater = None
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
    else:  # calamine reads stored and deflated parts only
        raise UnreadableFile("structure", part=name)
    limit_total = MAX_UNCOMPRESSED_BYTES
    crc = 0
    produced = 0
    consumed = 0
    pos = 0
    while True:
        if inflater is None:
            piece = bytes(raw[pos : pos + OUT_CHUNK])
            pos += len(piece)
            consumed = pos
            if not piece:
                break
        else:
            tail = inflater.unconsumed_tail
            try:
                if tail:
                    piece = inflater.decompress(tail, OUT_CHUNK)
                elif pos < len(raw) and not inflater.eof:
                    block = raw[pos : pos + IN_CHUNK]
                    pos += len(block)
                    piece = inflater.decompress(block, OUT_CHUNK)
                elif not inflater.eof:
                    raise UnreadableFile("broken")  # truncated stream
                else:
                    break
            except zlib.error:
                raise UnreadableFile("broken") from None
            consumed = pos - len(inflater.unconsumed_tail)
            if not piece:
                if inflater.eof and not inflater.unconsumed_tail:
                    break
                continue
        produced += len(piece)
        budget.total += len(piece)
        if produced > info.file_size:
            raise UnreadableFile("broken")  # more than the header says: the sizes lie
        if budget.total > limit_total:
            raise UnreadableFile("bomb", limit=MAX_UNCOMPRESSED_BYTES // 1_000_000)
        if produced > RATIO_FROM_BYTES and produced > MAX_RATIO * max(consumed, 1):
            raise UnreadableFile("ratio", part=name, ratio=MAX_RATIO)
        crc = zlib.crc32(piece, crc)
        yield piece
    if produced != info.file_size or crc != info.CRC:
        raise UnreadableFile("broken")


def _simulate(data: bytes, info: zipfile.ZipInfo) -> _CellSimulation:
    sim = _CellSimulation(info.filename)
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = sim.start
    parser.EndElementHandler = sim.end
    try:
        for piece in _inflate(data, info, _Budget()):
            parser.Parse(piece, False)
            if sim.bad_structure:
                break
        else:
            parser.Parse(b"", True)
    except expat.ExpatError:
        raise UnreadableFile("structure", part=info.filename) from None
    if sim.bad_structure:
        raise UnreadableFile("structure", part=info.filename)
    return sim


def _norm(path: str) -> str:
    return path.replace("\\", "/").lower()


def _local_tag(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(archive: zipfile.ZipFile, data: bytes) -> dict[str, str] | None:
    """Sheet name → part, resolved as calamine resolves it (``_rels/.rels`` names the workbook's
    folder; ``workbook.xml`` and its relationships name the sheets; lookups ignore case).
    None when these parts cannot be read."""
    infos = {_norm(i.filename): i for i in archive.infolist()}

    def parse(path: str) -> ET.Element | None:
        info = infos.get(_norm(path))
        if info is None or info.file_size > 16 << 20:
            return None
        try:
            content = b"".join(_inflate(data, info, _Budget()))
            return defusedxml.ElementTree.fromstring(content)
        except (UnreadableFile, ET.ParseError, ValueError):
            return None
        except Exception:  # defusedxml's refusals (DTDForbidden, EntitiesForbidden, …)
            return None

    root_rels = parse("_rels/.rels")
    if root_rels is None:
        return None
    target = next(
        (
            e.get("Target", "")
            for e in root_rels.iter()
            if _local_tag(e.tag) == "Relationship"
            and e.get("Type", "").endswith("/relationships/officeDocument")
        ),
        None,
    )
    if target is None:
        return None
    folder = target[: target.rfind("/") + 1] if "/" in target else ""
    folder = folder.removeprefix("/")
    rels = parse(f"{folder}_rels/workbook.xml.rels")
    workbook = parse(f"{folder}workbook.xml")
    if rels is None or workbook is None:
        return None
    targets = {
        e.get("Id"): e.get("Target", "")
        for e in rels.iter()
        if _local_tag(e.tag) == "Relationship" and e.get("Id") is not None
    }
    out: dict[str, str] = {}
    for e in workbook.iter():
        if _local_tag(e.tag) != "sheet":
            continue
        rel_id = None
        for key, value in e.attrib.items():
            if _local_tag(key).rsplit(":", 1)[-1] == "id":
                rel_id = value
        path = targets.get(rel_id)
        name = e.get("name")
        if path is None or name is None:
            continue
        path = path[1:] if path.startswith("/") else f"{folder}{path}"
        info = infos.get(_norm(path))
        out[name] = info.filename if info is not None else path
    return out


def prescan(data: bytes, *, max_bytes: int | None = None) -> ScanReport:
    """Reject what must not be parsed; inflate and scan every entry with a running bound."""
    require_defusedxml()
    check_file_size(len(data), limit=MAX_FILE_BYTES if max_bytes is None else max_bytes)
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
        names = {_norm(i.filename) for i in infos}
        if any(n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in names):
            raise UnreadableFile("macro")
        if "xl/workbook.xml" not in names and not any(n.endswith("/workbook.xml") for n in names):
            raise UnreadableFile("not_workbook")
        if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
            raise UnreadableFile("bomb", limit=MAX_UNCOMPRESSED_BYTES // 1_000_000)
        budget = _Budget()
        far: list[FarCell] = []
        formulas: dict[str, list[tuple[int, int]]] = {}
        for info in infos:
            if info.flag_bits & 0x1:
                raise UnreadableFile("encrypted")
            scan = _PartScan(info.filename)
            for piece in _inflate(data, info, budget):
                scan.feed(piece)
                if scan.far is not None:
                    break
            else:
                scan.close()
            found = scan.far
            cells = scan.formulas
            if found is None and scan.sheet_data and scan.noncanonical:
                sim = _simulate(data, info)
                found, cells = sim.far, sim.formulas
            if found is not None:
                far.append(found)
                break
            if cells and scan.sheet_data:
                formulas[info.filename] = cells
        content_types = (
            b"".join(_inflate(data, archive.getinfo("[Content_Types].xml"), _Budget()))
            if "[content_types].xml" in names and "[Content_Types].xml" in archive.namelist()
            else b""
        )
        if b"macroEnabled" in content_types or b"macrosheet" in content_types:
            raise UnreadableFile("macro")
        parts = _sheet_parts(archive, data) or {}
    sheet_of = {_norm(part): name for name, part in parts.items()}
    if far:
        cell = far[0]
        raise UnreadableFile(
            "far_cell",
            sheet=sheet_of.get(_norm(cell.part), cell.part),
            cell=cell_ref(cell.row, cell.col),
            rows=MAX_ROWS,
            columns=MAX_COLUMNS,
            last=cell_ref(MAX_ROWS, MAX_COLUMNS),
        )
    by_sheet: dict[str, list[tuple[int, int]]] = {}
    for part, cells in formulas.items():
        titles = [name for name, p in parts.items() if _norm(p) == _norm(part)]
        if not titles:  # a worksheet no sheet of the workbook names: refuse rather than guess
            row, col = min(cells)
            raise UnreadableFile(
                "formula", sheet=part, cell=cell_ref(row, col), field=column_letters(col)
            )
        for title in titles:
            by_sheet[title] = sorted(set(cells))
    return ScanReport(
        entries=len(infos),
        uncompressed=budget.total,
        formulas=by_sheet,
        sheet_parts=parts,
    )
