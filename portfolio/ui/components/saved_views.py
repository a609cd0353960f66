"""Gespeicherte Ansichten of a page: open one, save the current one, delete one, share its link.

A view is the page's URL query (:mod:`portfolio.services.saved_views`); opening it puts its
values into the page's widgets through :func:`urlstate.apply`, as if the link had been opened.
The link of the current view is the page's address, shown to copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from portfolio.errors import PortfolioError, ValidationFailed
from portfolio.services import saved_views
from portfolio.ui.components import urlstate
from portfolio.ui.components.safe_text import md
from portfolio.ui.runtime import lang, read_session, show_error, tr, write_session

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


def tx(key: str, /, **params: object) -> str:
    return tr(TEXTS, key, **params)


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
                on_click=urlstate.apply,
                args=(params, view.params()),
                use_container_width=True,
                help=tx("open"),
            )
            if row[1].button(
                "",
                key=f"{key}_delete_{view.id}",
                icon=":material/delete:",
                help=tx("delete"),
            ):
                _delete(view)
        st.divider()
        name = st.text_input(
            tx("name"), key=f"{key}_name", max_chars=saved_views.NAME_MAX, help=tx("name_help")
        )
        if st.button(
            tx("save"),
            key=f"{key}_save",
            icon=":material/bookmark_add:",
            disabled=not (name or "").strip(),
        ):
            _save(page, name or "")
        st.caption(tx("link"))
        st.code(share_link(), language=None, wrap_lines=True)


def _save(page: str, name: str) -> None:
    try:
        with write_session() as session:
            view = saved_views.save(session, page=page, name=name, query=current_query())
    except ValidationFailed as exc:
        st.error(md(exc.message(lang()), lines=True))
        return
    except PortfolioError as exc:
        st.error(md(exc.message(lang()), lines=True))
        return
    except Exception as exc:
        show_error(exc)
        return
    st.toast(tx("saved", name=md(view.name)), icon=":material/bookmark_added:")


def _delete(view: saved_views.View) -> None:
    try:
        with write_session() as session:
            saved_views.delete(session, view.id)
    except PortfolioError as exc:
        st.error(md(exc.message(lang()), lines=True))
        return
    except Exception as exc:
        show_error(exc)
        return
    st.toast(tx("deleted", name=md(view.name)), icon=":material/delete:")
    st.rerun()
