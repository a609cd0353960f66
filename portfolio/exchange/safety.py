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

The pieces: :mod:`portfolio.exchange.refusals` (the codes and messages of
:class:`UnreadableFile`), :mod:`portfolio.exchange.zip_parts` (the entries inflated under the
running bound, the sheets' parts), :mod:`portfolio.exchange.cell_scan` (one part's cells); this
module holds the limits and runs the checks in order (:func:`prescan`).
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass, field

import openpyxl.xml

from portfolio.exchange.cell_scan import (
    FarCell,
    PartScan,
    ScanLimits,
    cell_ref,
    column_letters,
    simulate,
)
from portfolio.exchange.refusals import MESSAGES, UnreadableFile
from portfolio.exchange.zip_parts import (
    IN_CHUNK,
    OUT_CHUNK,
    ZIP_MAGIC,
    Budget,
    InflateLimits,
    inflate,
    norm,
    sheet_parts,
)

__all__ = [
    "IN_CHUNK",
    "MAX_COLUMNS",
    "MAX_ENTRIES",
    "MAX_FILE_BYTES",
    "MAX_FILE_MB",
    "MAX_RATIO",
    "MAX_ROWS",
    "MAX_SPAN_BYTES",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_UNCOMPRESSED_MB",
    "MESSAGES",
    "OLE_MAGIC",
    "OUT_CHUNK",
    "RATIO_FROM_BYTES",
    "ZIP_MAGIC",
    "FarCell",
    "ScanReport",
    "UnreadableFile",
    "cell_ref",
    "check_file_size",
    "column_letters",
    "prescan",
    "require_defusedxml",
]

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
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


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


def prescan(data: bytes, *, max_bytes: int | None = None) -> ScanReport:
    """Reject what must not be parsed; inflate and scan every entry with a running bound."""
    require_defusedxml()
    check_file_size(len(data), limit=MAX_FILE_BYTES if max_bytes is None else max_bytes)
    # the limits as they are now (a test may lower them)
    budget = Budget(InflateLimits(MAX_UNCOMPRESSED_BYTES, MAX_RATIO, RATIO_FROM_BYTES))
    limits = ScanLimits(MAX_ROWS, MAX_COLUMNS, MAX_SPAN_BYTES)
    with _open_zip(data) as archive:
        infos = archive.infolist()
        _check_entries(infos)
        far, formulas = _scan_parts(data, infos, budget, limits)
        _check_content_types(archive, data, budget)
        parts = sheet_parts(archive, data, budget.limits) or {}
    if far is not None:
        raise _far_cell(far, parts)
    return ScanReport(
        entries=len(infos),
        uncompressed=budget.total,
        formulas=_formulas_by_sheet(formulas, parts),
        sheet_parts=parts,
    )


def _open_zip(data: bytes) -> zipfile.ZipFile:
    """``data`` as a zip; an encrypted file (an OLE compound file), an old .xls, a renamed CSV
    or a broken zip is refused."""
    if data.startswith(OLE_MAGIC):
        raise UnreadableFile("encrypted")
    if not data.startswith(ZIP_MAGIC):
        raise UnreadableFile("not_xlsx")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise UnreadableFile("broken") from None


def _check_entries(infos: list[zipfile.ZipInfo]) -> None:
    """What the zip's directory shows: too many entries, macros, no workbook part, more
    declared uncompressed bytes than allowed."""
    if len(infos) > MAX_ENTRIES:
        raise UnreadableFile("too_many_entries", count=len(infos))
    names = {norm(i.filename) for i in infos}
    if any(n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in names):
        raise UnreadableFile("macro")
    if "xl/workbook.xml" not in names and not any(n.endswith("/workbook.xml") for n in names):
        raise UnreadableFile("not_workbook")
    if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableFile("bomb", limit=MAX_UNCOMPRESSED_BYTES // 1_000_000)


def _scan_parts(
    data: bytes, infos: list[zipfile.ZipInfo], budget: Budget, limits: ScanLimits
) -> tuple[FarCell | None, dict[str, list[tuple[int, int]]]]:
    """Every entry inflated and scanned, in order, until the first far cell: that cell (None if
    there is none) and part → the formula cells of each worksheet part."""
    formulas: dict[str, list[tuple[int, int]]] = {}
    for info in infos:
        if info.flag_bits & 0x1:
            raise UnreadableFile("encrypted")
        found, cells, sheet_data = _scan_part(data, info, budget, limits)
        if found is not None:
            return found, formulas
        if cells and sheet_data:
            formulas[info.filename] = cells
    return None, formulas


def _scan_part(
    data: bytes, info: zipfile.ZipInfo, budget: Budget, limits: ScanLimits
) -> tuple[FarCell | None, list[tuple[int, int]], bool]:
    """One entry's first far cell, its formula cells and whether it holds sheet data; a
    worksheet with cells without ``r`` is replayed as calamine counts them."""
    scan = PartScan(info.filename, limits)
    for piece in inflate(data, info, budget):
        scan.feed(piece)
        if scan.far is not None:
            break
    else:
        scan.close()
    found, cells = scan.far, scan.formulas
    if found is None and scan.sheet_data and scan.noncanonical:
        sim = simulate(data, info, limits, budget.fresh())
        found, cells = sim.far, sim.formulas
    return found, cells, scan.sheet_data


def _check_content_types(archive: zipfile.ZipFile, data: bytes, budget: Budget) -> None:
    """A macro-enabled workbook, as ``[Content_Types].xml`` declares it, is refused."""
    names = {norm(n) for n in archive.namelist()}
    content_types = (
        b"".join(inflate(data, archive.getinfo("[Content_Types].xml"), budget.fresh()))
        if "[content_types].xml" in names and "[Content_Types].xml" in archive.namelist()
        else b""
    )
    if b"macroEnabled" in content_types or b"macrosheet" in content_types:
        raise UnreadableFile("macro")


def _far_cell(cell: FarCell, parts: dict[str, str]) -> UnreadableFile:
    """The refusal of a cell beyond the limits, naming its sheet (or its part)."""
    sheet_of = {norm(part): name for name, part in parts.items()}
    return UnreadableFile(
        "far_cell",
        sheet=sheet_of.get(norm(cell.part), cell.part),
        cell=cell_ref(cell.row, cell.col),
        rows=MAX_ROWS,
        columns=MAX_COLUMNS,
        last=cell_ref(MAX_ROWS, MAX_COLUMNS),
    )


def _formulas_by_sheet(
    formulas: dict[str, list[tuple[int, int]]], parts: dict[str, str]
) -> dict[str, list[tuple[int, int]]]:
    """Part → formula cells as sheet → formula cells (sorted, once each); a worksheet no sheet
    of the workbook names is refused rather than guessed."""
    by_sheet: dict[str, list[tuple[int, int]]] = {}
    for part, cells in formulas.items():
        titles = [name for name, p in parts.items() if norm(p) == norm(part)]
        if not titles:
            row, col = min(cells)
            raise UnreadableFile(
                "formula", sheet=part, cell=cell_ref(row, col), field=column_letters(col)
            )
        for title in titles:
            by_sheet[title] = sorted(set(cells))
    return by_sheet
