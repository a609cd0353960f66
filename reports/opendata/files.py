"""The distributions as bytes: CSV (UTF-8 without byte-order mark, ``;``, CRLF, no cell a
spreadsheet reads as a formula) and JSON (UTF-8, indented)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from reports.opendata.records import as_text

CSV_SEPARATOR = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A cell's text; text that a spreadsheet would read as a formula gets an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    text = str(as_text(value))
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in columns])
    return buffer.getvalue().encode("utf-8")


def to_json(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
