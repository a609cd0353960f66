"""Datenaustausch: export workbooks for partners, check and apply returned ones, past imports.

The register page remembers its current view (filter and row count); this page then offers
"current view" as an export scope, built at download time from exactly that filter. A partner
signed in here exchanges only its own organisation's workbook. The import panel and the history
are :mod:`portfolio.ui.components.exchange_panel` (the partner portal shows them too).
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from portfolio.exchange.state import Scope
from portfolio.i18n import fmt_int
from portfolio.policy import Action
from portfolio.queries.register_export import exchange_view
from portfolio.ui import runtime
from portfolio.ui.components.exchange_panel import (
    TEXTS,
    XLSX_MIME,
    configure_signing,
    history,
    import_panel,
    ip_address,
    partners_by_key,
)
from portfolio.ui.components.texts import option_labels
from portfolio.ui.components.urlstate import REGISTER_VIEW
from portfolio.ui.components.workbooks import workbook_download
from portfolio.ui.runtime import tr


def _export_section(lang: str) -> None:
    who = runtime.require_principal()
    st.caption(tr(TEXTS, "export_help"))
    if who.is_scoped:  # a partner: its own workbook, nothing else
        st.download_button(
            tr(TEXTS, "download"),
            data=workbook_download(who, Scope(), lang, ip_address()),
            file_name=f"portfolio-{who.organisation_key or 'partner'}.xlsx",
            mime=XLSX_MIME,
            type="primary",
            icon=":material/download:",
            on_click="ignore",
            key="exchange_download",
        )
        return
    view = st.session_state.get(REGISTER_VIEW)
    options = ["all"] + (["partner"] if who.may(Action.PARTNER_EXCHANGE) else [])
    options += ["view"] if view else []
    names = {
        "all": tr(TEXTS, "scope_all"),
        "partner": tr(TEXTS, "scope_partner"),
        "view": tr(TEXTS, "scope_view", count=fmt_int(view[1] if view else 0, lang)),
    }
    choice = st.radio(
        tr(TEXTS, "scope"),
        options,
        format_func=option_labels(names),
        horizontal=True,
        key="exchange_export_scope",
    )
    suffix = tr(TEXTS, "file_all")
    builder = workbook_download(who, Scope(), lang, None)
    if choice == "partner":
        partners = partners_by_key()
        key = st.selectbox(
            tr(TEXTS, "partner"),
            list(partners),
            format_func=option_labels(partners),
            key="exchange_export_partner",
        )
        if key:
            suffix = key
            builder = workbook_download(who, Scope(partner=key), lang, ip_address())
    elif choice == "view" and view:
        suffix = tr(TEXTS, "file_view")
        builder = partial(
            exchange_view,
            runtime.engine(),
            view[0],
            today=runtime.today(),
            lang=lang,
            principal=who,
        )
    st.download_button(
        tr(TEXTS, "download"),
        data=builder,
        file_name=f"portfolio-{suffix}.xlsx",
        mime=XLSX_MIME,
        type="primary",
        icon=":material/download:",
        on_click="ignore",
        key="exchange_download",
    )


def _import_section(lang: str) -> None:
    import_panel(lang)


def _history_section(lang: str) -> None:
    history(lang)


def render() -> None:
    lang = runtime.lang()
    configure_signing()
    st.title(tr(TEXTS, "title"))
    st.caption(tr(TEXTS, "intro"))
    tab_export, tab_import, tab_history = st.tabs(
        [tr(TEXTS, "tab_export"), tr(TEXTS, "tab_import"), tr(TEXTS, "tab_history")]
    )
    with tab_export:
        runtime.guarded(lambda: _export_section(lang))()
    with tab_import:
        runtime.guarded(lambda: _import_section(lang))()
    with tab_history:
        runtime.guarded(lambda: _history_section(lang))()
