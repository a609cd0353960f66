"""What checking an uploaded workbook found, as the import panel shows it: the counts per
sheet, the notices, the errors and conflicts per cell with the workbook that marks them, the
changes; and the decisions on conflicting fields, field by field."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from portfolio.exchange.annotate import annotate_errors, annotated_file_name
from portfolio.exchange.importer import KEEP_CURRENT, KEEP_FILE, ImportResult
from portfolio.i18n import fmt_int
from portfolio.ui.components.exchange_texts import TEXTS
from portfolio.ui.components.safe_text import md
from portfolio.ui.runtime import tr

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_TABLE_ROWS = 2000


def _issue_frame(items: list[Any], lang: str) -> pd.DataFrame:
    rows = [
        {
            tr(TEXTS, "sheet"): i.sheet,
            tr(TEXTS, "row"): i.row,
            tr(TEXTS, "column"): i.column or "",
            tr(TEXTS, "key"): i.key or "",
            tr(TEXTS, "message"): i.message,
        }
        for i in items[:MAX_TABLE_ROWS]
    ]
    return pd.DataFrame(rows)


def show_result(result: ImportResult, data: bytes, lang: str, *, key: str = "exchange") -> None:
    """Counts, notices, errors and conflicts per cell, the annotated workbook, the diff."""
    _counts(result, lang)
    for notice in result.notices:
        st.info(md(notice, lines=True))
    _verdict(result, lang)
    if result.conflicts:
        st.subheader(tr(TEXTS, "conflicts"))
        st.dataframe(_issue_frame(result.conflicts, lang), hide_index=True, width="stretch")
    if result.errors:
        st.subheader(tr(TEXTS, "errors"))
        st.dataframe(_issue_frame(result.errors, lang), hide_index=True, width="stretch")
        _more(len(result.errors), lang)
    if not result.ok:
        st.download_button(
            tr(TEXTS, "annotated"),
            data=lambda: annotate_errors(data, result, lang=lang),
            file_name=annotated_file_name(result.file_name, lang),
            mime=XLSX_MIME,
            icon=":material/error:",
            on_click="ignore",
            key=f"{key}_annotated",
        )
    if result.diffs:
        st.subheader(tr(TEXTS, "diff"))
        st.dataframe(_diff_frame(result), hide_index=True, width="stretch")
        _more(len(result.diffs), lang)


def _counts(result: ImportResult, lang: str) -> None:
    """The records new, changed, unchanged, conflicting and invalid: in all, and per sheet."""
    totals = {
        "new": result.created,
        "changed": result.updated,
        "unchanged": result.unchanged,
        "conflicting": len(result.conflicts),
        "invalid": result.invalid,
    }
    for col, (name, value) in zip(st.columns(5), totals.items(), strict=True):
        col.metric(tr(TEXTS, name), fmt_int(value, lang))
    per_sheet = pd.DataFrame(
        [
            {
                tr(TEXTS, "sheet"): result.sheet_titles.get(k, k),
                **{tr(TEXTS, n): getattr(c, n) for n in totals},
            }
            for k, c in result.counts.items()
        ]
    )
    st.dataframe(per_sheet, hide_index=True, width="stretch")


def _verdict(result: ImportResult, lang: str) -> None:
    """Whether the workbook may be applied as it is, and whether it changes anything."""
    if result.ok:
        if result.created or result.updated:
            st.success(tr(TEXTS, "preview_ok"))
        else:
            st.info(tr(TEXTS, "preview_nothing"))
        return
    st.error(
        tr(
            TEXTS,
            "preview_bad",
            errors=fmt_int(len(result.errors), lang),
            conflicts=fmt_int(len(result.conflicts), lang),
        )
    )


def _diff_frame(result: ImportResult) -> pd.DataFrame:
    """The changes the workbook makes, cell by cell (the first MAX_TABLE_ROWS)."""
    return pd.DataFrame(
        [
            {
                tr(TEXTS, "sheet"): d.sheet,
                tr(TEXTS, "row"): d.row,
                tr(TEXTS, "key"): d.key,
                tr(TEXTS, "action"): tr(TEXTS, d.action),
                tr(TEXTS, "column"): d.column,
                tr(TEXTS, "old"): d.old,
                tr(TEXTS, "new_value"): d.new,
            }
            for d in result.diffs[:MAX_TABLE_ROWS]
        ]
    )


def _more(count: int, lang: str) -> None:
    """How many rows a table left out, if any."""
    if count > MAX_TABLE_ROWS:
        st.caption(tr(TEXTS, "more", count=fmt_int(count - MAX_TABLE_ROWS, lang)))


def resolve_conflicts(result: ImportResult, *, key: str) -> dict[tuple[str, str, str], str] | None:
    """Per conflicting field: keep the file's value or take the portfolio's. Returns the
    decisions when the user asks to check again with them (every conflict decided)."""
    st.markdown(f"**{tr(TEXTS, 'resolve')}**")
    st.caption(tr(TEXTS, "resolve_help"))
    decided: dict[tuple[str, str, str], str] = {}
    shown = result.conflicts[:MAX_TABLE_ROWS]
    for c in shown:
        choice = st.segmented_control(
            f"{md(c.key)} · {md(c.column)}",
            [KEEP_FILE, KEEP_CURRENT],
            format_func=lambda option, c=c: (  # type: ignore[misc]
                tr(TEXTS, "keep_file", value=md(c.file_value))
                if option == KEEP_FILE
                else tr(TEXTS, "keep_current", value=md(c.current_value))
            ),
            key=f"{key}_resolve_{c.entity}_{c.key}_{c.field}",
        )
        if choice:
            decided[c.decision_key] = str(choice)
    complete = len(decided) == len(result.conflicts)
    if st.button(
        tr(TEXTS, "recheck"),
        icon=":material/rule:",
        key=f"{key}_recheck",
        disabled=not complete,
        help=None if complete else tr(TEXTS, "decide_all"),
    ):
        return decided
    return None
