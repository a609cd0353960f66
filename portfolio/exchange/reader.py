"""Reads an uploaded workbook with python-calamine: raw cell values, no interpretation.

pandas is not involved: it would turn a text ``01067`` into 1067 and empty cells into NaN.
Row numbers are the ones Excel shows (1-based, leading empty rows kept); column indexes count
from column A. The bytes are checked first (:func:`safety.prescan`: zip bombs, far cells,
formulas, …), then calamine reads them in a child process (:mod:`isolation`), so that a
workbook that makes calamine abort takes only the child down. The child reads ``_meta`` first
and then the exchange sheets in dependency order; each sheet of :attr:`RawWorkbook.sheets` is
ready when it is asked for, so the import checks one sheet while the child reads the next.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from portfolio.exchange import isolation
from portfolio.exchange.safety import MAX_ROWS, ScanReport, UnreadableFile, prescan
from portfolio.exchange.schema import META_SHEET, SHEETS, Sheet

__all__ = ["MAX_ROWS", "RawSheet", "RawWorkbook", "read_workbook"]

META_ROWS = 1000


@dataclass
class RawSheet:
    title: str
    sheet: Sheet
    rows: list[list[Any]]
    first_row: int = 1  # Excel number of rows[0]
    #: Excel row → 0-based column indexes of the cells that hold a formula (refused)
    formulas: dict[int, list[int]] = field(default_factory=dict)


class _Sheets(Sequence[RawSheet]):
    """The exchange sheets of a workbook, each read (and waited for) when first asked for."""

    def __init__(
        self, book: isolation.ParsedBook, found: list[tuple[int, Sheet]], scan: ScanReport
    ) -> None:
        self._book = book
        self._found = found
        self._scan = scan
        self._ready: dict[int, RawSheet] = {}
        self._finalizer = weakref.finalize(self, book.close)

    def __len__(self) -> int:
        return len(self._found)

    @overload
    def __getitem__(self, i: int) -> RawSheet: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[RawSheet]: ...

    def __getitem__(self, i: int | slice) -> RawSheet | Sequence[RawSheet]:
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self._found):
            raise IndexError(i)
        if i not in self._ready:
            index, sheet = self._found[i]
            try:
                parsed = self._book.sheet(index)
            except UnreadableFile:
                self._finalizer()
                raise
            formulas: dict[int, list[int]] = {}
            for row, col in self._scan.formulas.get(parsed.name, ()):
                formulas.setdefault(row, []).append(col - 1)
            self._ready[i] = RawSheet(parsed.name, sheet, parsed.rows, parsed.first_row, formulas)
            if len(self._ready) == len(self._found):
                self._finalizer()  # all read: the child is done
        return self._ready[i]

    def __iter__(self) -> Iterator[RawSheet]:
        for i in range(len(self)):
            yield self[i]


@dataclass
class RawWorkbook:
    sheets: Sequence[RawSheet] = field(default_factory=list)
    meta: dict[str, str] | None = None
    other_titles: list[str] = field(default_factory=list)


def read_workbook(
    data: bytes, *, max_rows: int = MAX_ROWS, scan: ScanReport | None = None
) -> RawWorkbook:
    """The exchange sheets of ``data`` (and ``_meta``), in dependency order.

    ``scan`` is the result of :func:`prescan` on the same bytes (run here when not given). The
    sheets are read in a child process while the caller works on the first ones; an
    :class:`UnreadableFile` of the child is raised here or when its sheet is asked for.
    """
    scan = prescan(data) if scan is None else scan
    book = isolation.ParsedBook(
        data,
        {title: s.id for s in SHEETS for title in s.titles()},
        {META_SHEET: META_ROWS, "*": max_rows},
        order=[META_SHEET, *(s.id for s in SHEETS)],
    )
    try:
        out = RawWorkbook()
        by_id = {s.id: s for s in SHEETS}
        found: list[tuple[int, Sheet]] = []
        for index, (name, key) in enumerate(book.names()):
            if key is None:
                out.other_titles.append(name)
            elif key == META_SHEET:
                if scan.formulas.get(name):
                    raise UnreadableFile("meta_tampered")
                out.meta = {
                    str(r[0]): str(r[1])
                    for r in book.sheet(index).rows[1:]
                    if len(r) >= 2 and r[0] not in ("", None)
                }
            else:
                found.append((index, by_id[key]))
        if not found:
            raise UnreadableFile("no_sheets", expected=", ".join(s.title_de for s in SHEETS))
        order = {s.id: i for i, s in enumerate(SHEETS)}
        found.sort(key=lambda item: order[item[1].id])
    except BaseException:
        book.close()
        raise
    out.sheets = _Sheets(book, found, scan)
    return out
