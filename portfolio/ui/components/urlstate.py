"""Widget state mirrored in the URL with stable codes, so a link reproduces a view.

On the first render of a page (its widgets are not in ``session_state`` yet) the values come
from ``st.query_params``; after the widgets ran, the non-default values go back to the URL.
Values are codes (theme "2", status "implementation"), never translated labels, so a link works
in both languages. Invalid values in a URL are ignored.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import streamlit as st

Kind = Literal["str", "list", "bool", "int"]
REGISTER_VIEW = "register_view"
"""Session key of the register's last view, (RegisterFilter, row count): the Datenaustausch page
offers it as an export scope (pages share it here, never by importing each other)."""
LANG_PARAM = "lang"
LANGUAGES = ("de", "en")
"""The first is the default, which the address leaves out; any other is ``?lang=en``."""


@dataclass(frozen=True)
class Param:
    name: str  # in the URL
    key: str  # widget key in session_state
    kind: Kind = "str"
    default: Any = None
    allowed: Collection[Any] | None = None


def _parse(p: Param, raw: list[str]) -> Any:
    if not raw:
        return None
    if p.kind == "list":
        items = [item for value in raw for item in value.split(",") if item]
        if p.allowed is not None:
            items = [i for i in items if i in p.allowed]
        return items
    value = raw[-1]
    if p.kind == "bool":
        return value.lower() in ("1", "true", "ja", "yes")
    if p.kind == "int":
        try:
            number = int(value)
        except ValueError:
            return None
        if p.allowed is not None and number not in p.allowed:
            return None
        return number if number > 0 else None
    if p.allowed is not None and value not in p.allowed:
        return None
    return value


def _dump(p: Param, value: Any) -> str | None:
    if value is None or value == p.default or value == [] or value == "":
        return None
    if p.kind == "list":
        return ",".join(str(v) for v in value)
    if p.kind == "bool":
        return "1" if value else None
    return str(value)


def restore(params: Sequence[Param]) -> None:
    """Fill the widgets' state from the URL, once per visit of the page."""
    if any(p.key in st.session_state for p in params):
        return
    for p in params:
        value = _parse(p, st.query_params.get_all(p.name))
        if value is not None:
            st.session_state[p.key] = value


def apply(params: Sequence[Param], query: Mapping[str, Sequence[str]]) -> None:
    """Put the values of a URL query (a saved view) into the widgets, as opening that link
    would: a parameter the query lacks goes back to its default (a widget callback)."""
    for p in params:
        value = _parse(p, list(query.get(p.name, ())))
        if value is None:
            value = p.default if p.default is not None else ([] if p.kind == "list" else None)
        st.session_state[p.key] = value


def publish(params: Sequence[Param], *, keep: Sequence[str] = ()) -> None:
    """Write the widgets' non-default values to the URL (codes only)."""
    wanted: dict[str, str] = {}
    for name in keep:
        if name in st.query_params:
            wanted[name] = st.query_params[name]
    language = _language()
    if language:
        wanted[LANG_PARAM] = language
    for p in params:
        text = _dump(p, st.session_state.get(p.key))
        if text is not None:
            wanted[p.name] = text
    current = {k: st.query_params[k] for k in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


def _language() -> str | None:
    """The session's language as the address carries it (None for the default language)."""
    language = st.session_state.get("lang")
    return str(language) if language in LANGUAGES[1:] else None


def keep_language_in_url() -> None:
    """``?lang=en`` in the address while the session is English, so a reload or a shared link
    opens in the same language; removed again for German."""
    language = _language()
    if language and st.query_params.get(LANG_PARAM) != language:
        st.query_params[LANG_PARAM] = language
    elif not language and LANG_PARAM in st.query_params:
        del st.query_params[LANG_PARAM]
