"""Small reusable pieces: texts, labels, pager, tables with German formats, empty states."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

from portfolio import i18n, palette
from portfolio.i18n import fmt_date, fmt_eur, fmt_int, fmt_number, fmt_percent
from portfolio.queries.common import pick
from portfolio.ui.components.texts import COMMON
from portfolio.ui.runtime import lang, tr


def t(key: str, /, **params: Any) -> str:
    return tr(COMMON, key, **params)


def theme_title(key: str, name: str, name_en: str | None) -> str:
    return f"{key} · {pick(name, name_en, lang())}"


def light_text(light: str | None) -> str:
    return t(f"light_{light or 'none'}")


def light_badge(light: str | None) -> str:
    """Markdown badge of a traffic light."""
    colour = {"green": "green", "yellow": "orange", "red": "red"}.get(light or "", "gray")
    return f":{colour}-badge[{light_text(light)}]"


def light_dot(light: str | None) -> str:
    """The light's mark (a shape of its own; :func:`table` colours it with ``tinted``)."""
    return palette.mark(palette.LIGHT_MARKS, light)


def late_mark(text: str) -> str:
    """An "overdue" cell: the overdue mark and the word."""
    return f"{palette.mark(palette.MILESTONE_MARKS, 'overdue')} {text}"


def money_tile(
    where: Any, title: str, amount: Decimal | None, help_text: str | None = None
) -> None:
    """A key-figure tile with a compact amount ("32,2 Mio. €") that fits at 1280 px; the exact
    sum to the euro is in its help, after the tile's own explanation."""
    exact = t("exact", value=fmt_eur(amount, lang(), cents=False))
    where.metric(
        title,
        i18n.fmt_eur_short(amount, lang()),
        border=True,
        help=f"{help_text}\n\n{exact}" if help_text else exact,
    )


def fmt_stamp(value: dt.datetime | None) -> str:
    return i18n.fmt_stamp(value, lang())


def page_header(title: str, caption: str | None = None, *, as_of: dt.date | None = None) -> None:
    st.title(title)
    parts = [p for p in (caption, t("as_of", date=fmt_date(as_of, lang())) if as_of else None) if p]
    if parts:
        st.caption(" · ".join(parts))


def empty_portfolio() -> None:
    """What to do on a fresh database."""
    with st.container(border=True):
        st.subheader(t("empty_title"))
        st.markdown(t("empty_body"))


def pager(total: int, page_size: int, *, key: str) -> int:
    """A page selector under a list; returns the offset of the chosen page."""
    pages = max(1, math.ceil(total / page_size))
    if pages <= 1:
        return 0
    current = st.session_state.get(key)
    if isinstance(current, int) and current > pages:
        st.session_state[key] = pages
    page = st.pagination(pages, key=key, max_visible_pages=7)
    return (int(page) - 1) * page_size


def range_caption(offset: int, shown: int, total: int) -> None:
    if total:
        st.caption(
            t(
                "rows_of",
                start=fmt_int(offset + 1, lang()),
                end=fmt_int(offset + shown, lang()),
                total=fmt_int(total, lang()),
            )
        )


def table(
    df: pd.DataFrame,
    *,
    money: Iterable[str] = (),
    dates: Iterable[str] = (),
    ints: Iterable[str] = (),
    numbers: Iterable[str] = (),
    percents: Iterable[str] = (),
    column_config: dict[str, Any] | None = None,
    height: int | str = "auto",
    key: str | None = None,
    on_select: str | Callable[..., None] = "ignore",
    selection_mode: str = "single-row",
    tinted: Mapping[str, tuple[Mapping[str, str], Sequence[str | None]]] | None = None,
) -> Any:
    """``st.dataframe`` with German (or English) formats; sorting still uses the raw values.

    ``tinted`` colours a column's text by a status: column → (palette table, the row's codes).
    """
    language = lang()
    formatters: dict[str, Any] = {}  # column → formatter, as Styler.format takes it
    for col in money:
        formatters[col] = lambda v: fmt_eur(_num(v), language) if _present(v) else ""
    for col in dates:
        formatters[col] = lambda v: fmt_date(_date(v), language) if _present(v) else ""
    for col in ints:
        formatters[col] = lambda v: fmt_int(int(v), language) if _present(v) else ""
    for col in numbers:
        formatters[col] = lambda v: fmt_number(_num(v), language) if _present(v) else ""
    for col in percents:
        formatters[col] = lambda v: fmt_percent(_num(v), language) if _present(v) else ""
    for col in list(money) + list(numbers) + list(percents):
        if col in df.columns:
            df[col] = pd.to_numeric(df[col], errors="coerce")
    formatters = {c: f for c, f in formatters.items() if c in df.columns}
    tinted = {c: v for c, v in (tinted or {}).items() if c in df.columns}
    # na_rep: a missing value is an empty cell, never "None" or "nan"
    data: Any = df.style.format(formatters, na_rep="") if (formatters or tinted) and len(df) else df
    for col, (colours, codes) in tinted.items() if len(df) else ():
        css = [f"color: {palette.colour(colours, code)}" for code in codes]
        data = data.apply(lambda _column, css=css: css, subset=[col], axis=0)
    kwargs: dict[str, Any] = {
        "hide_index": True,
        "column_config": column_config,
        "height": height,
        "key": key,
    }
    if on_select != "ignore":
        kwargs.update(on_select=on_select, selection_mode=selection_mode)
    return st.dataframe(data, **kwargs)


def _present(value: Any) -> bool:
    if value is None:
        return False
    try:
        return not pd.isna(value)
    except (TypeError, ValueError):
        return True


def _num(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _date(value: Any) -> dt.date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def frame(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A DataFrame with exactly ``columns`` (also when ``rows`` is empty)."""
    return pd.DataFrame(list(rows), columns=list(columns))
