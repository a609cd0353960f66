"""A table of records (rows of a read model, :class:`portfolio.queries.detail.Row`) whose
columns show their fields: each column takes a field's value and is headed by the field's label,
unless the caller computes the cell or names the heading itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import streamlit as st

from portfolio.ui.components.widgets import frame, table
from portfolio.ui.runtime import lang
from portfolio.vocab import field_label

Cell = Callable[[Any], Any]


def record_table(
    records: Sequence[Any],
    columns: Mapping[str, str],
    *,
    cells: Mapping[str, Cell] | None = None,
    headers: Mapping[str, str] | None = None,
    texts: Iterable[str] = (),
    wide: Iterable[str] = (),
    **formats: Any,
) -> Any:
    """:func:`~portfolio.ui.components.widgets.table` of ``records``, one row each.

    ``columns``: the table's column → the field it shows (``record.values[field]``, headed by
    the field's label), in the order shown; ``cells``: a column's value made otherwise (a label
    of a code, an ``extra`` of the read model); ``headers``: a heading other than the field's
    label; ``texts``: columns of text, where a missing value is an empty text; ``wide``: columns
    shown wide; ``formats``: the rest of table()'s keywords (money, dates, tinted, key …).
    """
    language = lang()
    made = dict(cells or {})
    for name in texts:
        made.setdefault(name, _text_of(columns[name]))
    rows = [
        {name: made[name](r) if name in made else r.values[f] for name, f in columns.items()}
        for r in records
    ]
    named = headers or {}
    wider = set(wide)
    config = {
        name: st.column_config.Column(
            named.get(name) or field_label(f, language), width="large" if name in wider else None
        )
        for name, f in columns.items()
    }
    return table(frame(rows, list(columns)), column_config=config, **formats)


def _text_of(field_name: str) -> Cell:
    return lambda record: record.values.get(field_name) or ""
