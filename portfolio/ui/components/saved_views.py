"""Gespeicherte Ansichten of a page: open one, save the current one, delete one, share its link.

A view is the page's URL query (:mod:`portfolio.services.saved_views`); opening it puts its
values into the page's widgets through :func:`urlstate.apply`, as if the link had been opened.
The link of the current view is the page's address, shown to copy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from portfolio.services import saved_views
from portfolio.ui.components import urlstate
from portfolio.ui.components.safe_text import md
from portfolio.ui.runtime import Catalogue, read_session, show_error, write_session

TEXTS = {
    "de": {
        "views": "Ansichten",
        "mine": "Meine Ansichten",
        "none": "Noch keine gespeicherte Ansicht.",
        "open": "Öffnen",
        "delete": "Löschen",
        "name": "Name der Ansicht",
        "name_help": "Speichert Filter, Sortierung und Spalten. Ein vorhandener Name wird überschrieben.",
        "save": "Aktuelle Ansicht speichern",
        "saved": "Ansicht „{name}“ gespeichert.",
        "deleted": "Ansicht „{name}“ gelöscht.",
        "link": "Link zu dieser Ansicht (zum Teilen kopieren)",
    },
    "en": {
        "views": "Views",
        "mine": "My views",
        "none": "No saved view yet.",
        "open": "Open",
        "delete": "Delete",
        "name": "View name",
        "name_help": "Saves filters, sort and columns. An existing name is overwritten.",
        "save": "Save current view",
        "saved": "View “{name}” saved.",
        "deleted": "View “{name}” deleted.",
        "link": "Link to this view (copy to share)",
    },
}
LEFT_OUT = ("seite", urlstate.LANG_PARAM)
"""Not part of a view: the page number, and the reader's language."""


tx = Catalogue(TEXTS)


def current_query() -> str:
    """The page's current view as the stored query (without page number and language)."""
    params = {k: st.query_params.get_all(k) for k in st.query_params if k not in LEFT_OUT}
    return saved_views.normalise_query(params)


def share_link() -> str:
    """The current view's address: the page's URL with the view's query (and the language)."""
    base = urlsplit(st.context.url or "")
    query = current_query()
    language = st.query_params.get(urlstate.LANG_PARAM)
    if language:
        query = "&".join(q for q in (query, f"{urlstate.LANG_PARAM}={language}") if q)
    return urlunsplit((base.scheme, base.netloc, base.path, query, ""))


def views_menu(
    where: st.delta_generator.DeltaGenerator, page: str, params: Sequence[urlstate.Param], key: str
) -> None:
    """The "Ansichten" menu of ``page`` whose widgets are ``params``."""
    with where.popover(tx("views"), icon=":material/bookmarks:"):
        _menu(page, params, key)


@st.fragment
def _menu(page: str, params: Sequence[urlstate.Param], key: str) -> None:
    """The menu's content reruns alone while the user types a name, saves or deletes a view
    (their callbacks run first, so the list is current); opening a view reruns the whole page,
    which then shows that view."""
    if st.session_state.pop(f"{key}_opened", False):
        st.rerun(scope="app")
    note = st.session_state.pop(f"{key}_note", None)
    if isinstance(note, BaseException):
        show_error(note)
    elif note is not None:
        done, name = note
        st.toast(tx(done, name=md(name)), icon=":material/bookmark_added:")
    try:
        with read_session() as session:
            views = saved_views.get_all(session, page=page)
    except Exception as exc:  # shown, never raised into the page
        show_error(exc)
        return
    st.markdown(f"**{tx('mine')}**")
    if not views:
        st.caption(tx("none"))
    for view in views:
        row = st.columns([5, 1], vertical_alignment="center")
        row[0].button(
            md(view.name),
            key=f"{key}_open_{view.id}",
            on_click=_open,
            args=(params, view.params(), key),
            use_container_width=True,
            help=tx("open"),
        )
        row[1].button(
            "",
            key=f"{key}_delete_{view.id}",
            icon=":material/delete:",
            help=tx("delete"),
            on_click=_delete,
            args=(view, key),
        )
    st.divider()
    name = st.text_input(
        tx("name"), key=f"{key}_name", max_chars=saved_views.NAME_MAX, help=tx("name_help")
    )
    st.button(
        tx("save"),
        key=f"{key}_save",
        icon=":material/bookmark_add:",
        disabled=not (name or "").strip(),
        on_click=_save,
        args=(page, key),
    )
    st.caption(tx("link"))
    st.code(share_link(), language=None, wrap_lines=True)


def _open(params: Sequence[urlstate.Param], query: dict[str, list[str]], key: str) -> None:
    urlstate.apply(params, query)
    st.session_state[f"{key}_opened"] = True


def _outcome(key: str, work: Callable[[], tuple[str, str]]) -> None:
    """Run a write of the menu (in a widget callback) and keep what to tell the user."""
    try:
        st.session_state[f"{key}_note"] = work()
    except Exception as exc:  # shown by the menu in the user's language, never a traceback
        st.session_state[f"{key}_note"] = exc


def _save(page: str, key: str) -> None:
    def work() -> tuple[str, str]:
        name = str(st.session_state.get(f"{key}_name") or "")
        with write_session() as session:
            view = saved_views.save(session, page=page, name=name, query=current_query())
        return "saved", view.name

    _outcome(key, work)


def _delete(view: saved_views.View, key: str) -> None:
    def work() -> tuple[str, str]:
        with write_session() as session:
            saved_views.delete(session, view.id)
        return "deleted", view.name

    _outcome(key, work)
