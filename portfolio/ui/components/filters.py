"""The filter widgets of the list pages (Projekte, Zeitplan, Datenqualität, Förderung, Partner).

The same choices look the same everywhere: Leitthemen as "2 · Mobilität" with "all themes" as
the empty choice, partners by their short name, "–" for no choice. A filter of a paged list
sends the list back to its first page when it changes (``page_key``: the pager's widget key).
The caller gives each widget its key, which is also what :mod:`urlstate` mirrors in the URL, and
its label from the page's own catalogue.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from types import ModuleType
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from portfolio.queries.detail import Choices
from portfolio.ui.components.texts import option_labels
from portfolio.ui.components.widgets import t, theme_title

Place = DeltaGenerator | ModuleType
"""Where a widget goes: a column or container, or ``st`` itself for the page's main area."""
NONE = "–"
"""The placeholder of a filter that is not set."""


def theme_options(choices: Choices) -> dict[str, str]:
    """Leitthema code → "2 · Mobilität" (in the reader's language)."""
    return {c.key: theme_title(c.key, c.label, c.label_en) for c in choices.themes}


def organisation_options(choices: Choices) -> dict[str, str]:
    """Organisation key → its short name."""
    return {c.key: c.label for c in choices.organisations}


def first_page(page_key: str) -> None:
    """A widget callback: the filtered list starts again at its first page."""
    st.session_state[page_key] = 1


def page_offset(page_key: str, page_size: int) -> int:
    """The first row of the page the pager ``page_key`` shows."""
    value = st.session_state.get(page_key) or 1
    try:
        return max(0, (int(value) - 1) * page_size)
    except (TypeError, ValueError):
        return 0


def keep_offered(key: str, offered: Collection[object], default: object) -> None:
    """A value (from the URL or an earlier visit) that is not offered any more falls back."""
    if st.session_state.get(key) not in offered:
        st.session_state[key] = default


def _callback(page_key: str | None) -> dict[str, Any]:
    """The widget's ``on_change``: back to the list's first page (none outside a paged list)."""
    return {"on_change": first_page, "args": (page_key,)} if page_key else {}


def select_one(
    where: Place,
    label: str,
    options: Mapping[str, str],
    *,
    key: str,
    placeholder: str = NONE,
    page_key: str | None = None,
) -> str | None:
    """One of ``options`` (code → label), or None for no choice."""
    value: str | None = where.selectbox(
        label,
        list(options),
        index=None,
        format_func=option_labels(options),
        key=key,
        placeholder=placeholder,
        **_callback(page_key),
    )
    return value


def select_theme(
    where: Place,
    label: str,
    themes: Mapping[str, str],
    *,
    key: str,
    page_key: str | None = None,
) -> str | None:
    """A Leitthema of :func:`theme_options`, or None for all themes."""
    return select_one(where, label, themes, key=key, placeholder=t("all_themes"), page_key=page_key)


def select_many(
    where: Place,
    label: str,
    options: Mapping[str, str],
    *,
    key: str,
    page_key: str | None = None,
) -> tuple[str, ...]:
    """The chosen ``options``, in the options' order (none chosen: no filter)."""
    chosen = where.multiselect(
        label,
        list(options),
        format_func=option_labels(options),
        key=key,
        placeholder=NONE,
        **_callback(page_key),
    )
    return tuple(o for o in options if o in (chosen or []))


def select_number(
    where: Place,
    label: str,
    numbers: Sequence[int],
    *,
    key: str,
    default: int,
    page_key: str | None = None,
) -> int:
    """One of ``numbers`` (rows per page, days ahead); a value not offered becomes ``default``."""
    keep_offered(key, numbers, default)
    return int(where.selectbox(label, list(numbers), key=key, **_callback(page_key)))
