"""Reading the cells of a sheet: its header row's columns, a cell's typed value (with fast paths
for what calamine returns), a typed value as the user reads it back, and a cell's error
message."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from portfolio.errors import Problem
from portfolio.exchange import parse
from portfolio.exchange.reader import RawSheet
from portfolio.exchange.schema import NAMED_REFS, Column, Sheet
from portfolio.exchange.state import Lookup, Refs, code_of, ref_label
from portfolio.i18n import Eur, fmt_value, t
from portfolio.vocab import field_label, label, labels


def header_map(raw: RawSheet) -> tuple[dict[int, Column], int | None, list[str]]:
    """Column index -> Column of the first row; the index of the key column; unknown headers."""
    lookup: dict[str, Column] = {}
    for column in raw.sheet.columns:
        for name in column.headers():
            lookup.setdefault(name, column)
    mapping: dict[int, Column] = {}
    unknown: list[str] = []
    header = raw.rows[0] if raw.rows else []
    seen: set[str] = set()
    for i, cell in enumerate(header):
        text = parse.parse_text(cell)
        if text is None:
            continue
        found = lookup.get(" ".join(text.split()).casefold())
        if found is None or found.field in seen:
            if text.casefold() not in ("fehler", "errors"):
                unknown.append(text)
            continue
        seen.add(found.field)
        mapping[i] = found
    key_index = next((i for i, c in mapping.items() if c.kind == "key"), None)
    return mapping, key_index, unknown


def column_for(sheet: Sheet, fld: str | None) -> Column | None:
    """The sheet's column of a field (None: the sheet has none)."""
    return next((c for c in sheet.columns if c.field == fld), None)


def shown(column: Column | None, value: Any, lang: str, refs: Refs) -> str:
    """A typed value as the user reads it in the diff and in messages."""
    if value is None or value == []:
        return "–"
    if column is not None:
        if column.kind == "enum" and column.enum is not None:
            return label(column.enum, value, lang)
        if column.kind == "ref" and column.ref is not None:
            return refs.lookup(column.ref).key_of(value) or str(value)
        if column.kind == "money":
            return fmt_value(Eur(value), lang)
        if column.kind == "rate":
            return fmt_value(value, lang) + " %"
        if column.kind == "tags":
            return ", ".join(value)
    if isinstance(value, str):
        return value
    return fmt_value(value, lang)


def parse_cell(column: Column, raw: Any, refs: Refs) -> Any:
    kind = column.kind
    if kind in ("str", "text"):
        return parse.parse_text(raw)
    if kind == "date":
        return parse.parse_date(raw)
    if kind == "money":
        return parse.parse_number(raw)
    if kind == "measure":
        number = parse.parse_number(raw)
        if number is not None and number.as_tuple().exponent < -4:  # type: ignore[operator]
            number = number.quantize(Decimal("0.0001"))
        return number
    if kind == "rate":
        return parse.parse_rate(raw)
    if kind == "enum":
        assert column.enum is not None
        return parse.parse_enum(column.enum, raw)
    if kind == "bool":
        return bool(parse.parse_bool(raw))  # empty means "no", as the export writes it
    if kind == "tags":
        return parse.parse_tags(raw)
    if kind == "ref":
        assert column.ref is not None
        text = parse.parse_text(raw)
        if text is None:
            return None
        found = _resolve_ref(refs.lookup(column.ref), text.strip())
        if found is None:
            raise parse.CellError("unknown_reference", text)
        return found
    raise AssertionError(kind)  # pragma: no cover


def _resolve_ref(lookup: Lookup, text: str) -> int | None:
    """The id a reference cell names: a key, "CODE – Name" as the export writes it and the
    dropdowns offer it (the code before the first " – " counts; the name after it is not
    compared, so a renamed organisation's old workbook still reads), or a unique name."""
    n = _norm_text(text)
    if n in lookup.keys:
        return lookup.keys[n]
    code = code_of(text)
    if code is not None and (by_code := lookup.keys.get(_norm_text(code))) is not None:
        return by_code
    return lookup.names.get(n)


def _norm_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def parser(column: Column, refs: Refs) -> Callable[[Any], Any]:
    """:func:`parse_cell` for one column, with fast paths for what calamine returns."""
    kind = column.kind
    if kind in ("str", "text"):
        return _text
    if kind == "date":
        return lambda v: v if type(v) is dt.date else parse.parse_date(v)
    if kind == "money":
        return lambda v: Decimal(repr(v)) if type(v) is float else parse.parse_number(v)
    if kind == "enum":
        return _choice_parser(column)
    if kind == "ref":
        return _reference_parser(column, refs)
    return lambda v: parse_cell(column, v, refs)


def _text(v: Any) -> Any:
    if type(v) is str:
        if not v or v.isspace():
            return None
        return v if v.isascii() else unicodedata.normalize("NFC", v)
    return parse.parse_text(v)


def _choice_parser(column: Column) -> Callable[[Any], Any]:
    """An enum cell: its code, German or English label looked up directly."""
    assert column.enum is not None
    enum = column.enum
    table: dict[str, str] = {}
    for code in labels(enum, "de"):
        for name in (code, label(enum, code, "de"), label(enum, code, "en")):
            table[name.casefold()] = code

    def choice(v: Any) -> Any:
        if type(v) is str and (code := table.get(v.casefold())) is not None:
            return code
        return parse.parse_enum(enum, v)

    return choice


def _reference_parser(column: Column, refs: Refs) -> Callable[[Any], Any]:
    """A reference cell: a key, or the label as exported, looked up directly."""
    assert column.ref is not None
    lookup, target = refs.lookup(column.ref), column.ref
    keys = lookup.keys
    if target in NAMED_REFS:  # the cells as exported: "STW – Stadtwerke Bochum GmbH"
        keys = dict(keys)
        for row in lookup.by_id.values():
            for lang in ("de", "en"):
                keys.setdefault(ref_label(target, row, lang).casefold(), row["id"])

    def reference(v: Any) -> Any:
        if type(v) is str and (found := keys.get(v.casefold())) is not None:
            return found
        return parse_cell(column, v, refs)

    return reference


def cell_message(code: str, column: Column, value: Any, lang: str) -> str:
    name = field_label(column.field, lang) if column.kind != "ref" else column.header(lang)
    if code == "bad_enum":
        assert column.enum is not None
        return Problem(
            column.field,
            "not_in_list",
            {"value": value, "allowed": ", ".join(labels(column.enum, lang).values())},
        ).message(lang)
    if code == "unknown_reference":
        return Problem(column.field, "unknown_reference", {"value": value}).message(lang)
    return t(code, lang, field=name, value=parse.display(value))
