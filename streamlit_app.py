"""Entry point of the dashboard: `streamlit run streamlit_app.py` (or `make run`).

Two roles in one file. Imported as a module (``__name__ != "__main__"``), it is the ASGI app:
``streamlit run`` finds ``app`` below and serves it with uvicorn, so the dashboard and the HTTP
routes of :mod:`portfolio.web` (calendar feeds, open data, the public page, ``/healthz``) share
one process, one database engine and one policy. Run as the page script (Streamlit runs it as
``__main__`` for every session), it sets the page up, offers the language switch and runs the
page chosen in the navigation. Pages live in portfolio/ui/pages (their logic) and
portfolio/ui/entry (the scripts st.navigation runs).
"""

from __future__ import annotations

import streamlit as st

from portfolio.ui import auth, navigation
from portfolio.ui.components import page_style
from portfolio.ui.components.urlstate import LANG_PARAM, LANGUAGES, keep_language_in_url
from portfolio.ui.components.widgets import t
from portfolio.ui.runtime import engine, guarded


def _sidebar() -> None:
    engine()  # migrate and seed a fresh database before the first page reads from it
    if st.session_state.get("lang") not in LANGUAGES:
        # a new session (or a reload) takes the language from the address: ?lang=en
        asked = st.query_params.get(LANG_PARAM)
        st.session_state["lang"] = asked if asked in LANGUAGES else LANGUAGES[0]
    with st.sidebar:
        st.segmented_control(
            t("language"),
            list(LANGUAGES),
            format_func=lambda code: {"de": "Deutsch", "en": "English"}[code],
            key="lang",
            required=True,
        )
        st.caption(t("app_caption"))
    keep_language_in_url()


def _page() -> None:
    st.set_page_config(
        page_title="Smart-City Portfolio",
        page_icon=navigation.FAVICON,
        layout="wide",
        initial_sidebar_state="expanded",
    )
    guarded(_sidebar)()
    page_style.apply(st.session_state.get("lang", "de"))
    principal = auth.gate()  # the login page, until someone is signed in
    auth.demo_banner()
    st.navigation(navigation.sections(principal), position="sidebar", expanded=True).run()


if __name__ == "__main__":
    _page()
else:
    from portfolio.web import routes

    app = st.App(__file__, routes=routes())
