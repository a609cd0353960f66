"""The cells of one part of an uploaded workbook, scanned before any reader allocates.

python-calamine allocates a dense range up to the farthest cell it finds, whatever the
``<dimension>`` tag says. :class:`PartScan` reads a part piece by piece (bounded memory) for cell
references beyond the limits, formulas, a DOCTYPE and a declared encoding other than UTF-8; a
worksheet with cells without ``r`` is replayed by :func:`simulate` as calamine counts their
positions. Cell references: :func:`column_letters`, :func:`cell_ref`.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from xml.parsers import expat

from portfolio.exchange.refusals import UnreadableFile
from portfolio.exchange.zip_parts import Budget, inflate


@dataclass(frozen=True)
class ScanLimits:
    """What a part may hold: cells up to row ``rows`` and column ``columns``, and no stretch
    without a ``>`` (or another byte that ends every token) longer than ``span_bytes``."""

    rows: int
    columns: int
    span_bytes: int

    def beyond(self, row: int, col: int) -> bool:
        return row > self.rows or col > self.columns


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


class PartScan:
    """Scans one part piece by piece (bounded memory): pieces end after a ``>`` (or a byte that
    ends every token), so no token the scan looks for is ever split."""

    def __init__(self, name: str, limits: ScanLimits) -> None:
        self.name = name
        self.limits = limits
        self.carry = b""
        self.head = b""
        self.started = False
        self.noncanonical = False
        self.sheet_data = False
        self.far: FarCell | None = None
        self.pending: FarCell | None = None  # a far reference whose element may still be empty
        self.formulas: list[tuple[int, int]] = []
        self.open_cell: tuple[int, int] | None = None
        self.candidates = _ref_candidates(limits.rows, limits.columns)

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
        if cut == 0 or len(buf) - cut > self.limits.span_bytes:
            cut = max(cut, buf.translate(_BREAKING).rfind(b"\x00") + 1)
        if len(buf) - cut > self.limits.span_bytes:
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
        self._check_declarations(piece)
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
            self._find_far(piece)
        if b"<f" in piece or b":f" in piece:
            self._formulas(piece)
        self._track_cell(piece, len(piece))

    def _check_declarations(self, piece: bytes) -> None:
        """A DOCTYPE (entity bombs; OOXML never has one) or an XML declaration of another
        encoding than UTF-8 is refused."""
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

    def _find_far(self, piece: bytes) -> None:
        """The first reference of a cell with content beyond the limits (:attr:`far`); one whose
        element ends this piece empty so far is :attr:`pending` until the next piece shows."""
        for m in self.candidates.finditer(piece):
            start = m.start()
            if start == 0 or piece[start - 1] not in _ATTR_START:
                continue  # not an attribute called r (xr=, x:r=)
            ref = _split_ref(m.group(1))
            if ref is None or ref[1] == 0 or not self.limits.beyond(*ref):
                continue
            empty = _EMPTY_ELEMENT.match(piece, m.end())
            far = FarCell(self.name, *ref)
            if empty is None:
                self.far = far
                break
            if empty.group(2) == b"":  # "…>" at the end of the piece: </c> may follow
                self.pending = far

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


class CellSimulation:
    """Cell positions as calamine counts them, for a worksheet part with cells without ``r``:
    a cell with ``r`` is there, one without is right of the previous cell of the row; a row with
    ``r`` starts there, one without below the previous row. Runs on a well-formed part only
    (expat); a cell or row inside a cell is refused (calamine would read such a file otherwise
    than the XML says)."""

    def __init__(self, name: str, limits: ScanLimits) -> None:
        self.name = name
        self.limits = limits
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
            if self.cell_has_content and self.far is None and self.limits.beyond(*self.cell):
                self.far = FarCell(self.name, *self.cell)
            self.cell = None
            self.col += 1
        elif local == "row" and self.cell is None:
            self.row += 1
            self.col = 0


def simulate(
    data: bytes, info: zipfile.ZipInfo, limits: ScanLimits, budget: Budget
) -> CellSimulation:
    """The cells of the worksheet ``info`` of the zip ``data`` as calamine counts them (a part
    with cells without ``r``); a part that is not well-formed XML is refused."""
    sim = CellSimulation(info.filename, limits)
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = sim.start
    parser.EndElementHandler = sim.end
    try:
        for piece in inflate(data, info, budget):
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
