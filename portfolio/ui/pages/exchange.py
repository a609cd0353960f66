"""Datenaustausch: export workbooks for partners, check and apply returned ones, past imports.

The register page remembers its current view (filter and row count); this page then offers
"current view" as an export scope, built at download time from exactly that filter.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from db.engine import make_session_factory
from portfolio.exchange.annotate import annotate_errors
from portfolio.exchange.export import export_workbook
from portfolio.exchange.importer import ImportResult, import_workbook, past_imports
from portfolio.exchange.safety import UnreadableFile, check_file_size
from portfolio.exchange.state import Scope
from portfolio.i18n import fmt_date, fmt_int
from portfolio.queries.register_export import exchange_view
from portfolio.services import organisations
from portfolio.ui import runtime
from portfolio.ui.components.safe_text import md
from portfolio.ui.components.texts import option_labels
from portfolio.ui.pages.register import VIEW_FILTER
from portfolio.ui.runtime import tr

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATE = "exchange_state"

TEXTS = {
    "de": {
        "title": "Datenaustausch",
        "intro": "Arbeitsmappen für Partner exportieren, zurückgesandte Arbeitsmappen prüfen und übernehmen.",
        "tab_export": "Export",
        "tab_import": "Import",
        "tab_history": "Bisherige Importe",
        "scope": "Umfang",
        "scope_all": "Gesamtes Portfolio",
        "scope_partner": "Ein Partner",
        "scope_view": "Aktuelle Auswahl im Projektregister ({count} Projekte)",
        "partner": "Partner",
        "export_help": "Partner-Arbeitsmappen enthalten nur die Projekte, an denen der Partner beteiligt ist; änderbar sind nur die Felder, die Partner pflegen.",
        "download": "Arbeitsmappe herunterladen",
        "upload": "Zurückgesandte Arbeitsmappe (.xlsx)",
        "import_scope": "Eingelesen als",
        "check": "Prüfen (Vorschau)",
        "checking": "Arbeitsmappe wird geprüft …",
        "applying": "Änderungen werden übernommen …",
        "new": "neu",
        "changed": "geändert",
        "unchanged": "unverändert",
        "conflicting": "Konflikte",
        "invalid": "ungültig",
        "sheet": "Blatt",
        "preview_ok": "Die Arbeitsmappe ist in Ordnung. Bitte die Änderungen prüfen und dann übernehmen.",
        "preview_nothing": "Die Arbeitsmappe enthält keine Änderungen.",
        "preview_bad": "Die Arbeitsmappe wird so nicht übernommen: {errors} Fehler, {conflicts} Konflikte. Es wurde nichts geändert.",
        "diff": "Änderungen",
        "errors": "Fehler",
        "conflicts": "Konflikte",
        "apply": "Änderungen übernehmen",
        "applied": "Übernommen: {created} neu, {updated} geändert (Import {id}).",
        "rejected": "Nicht übernommen – es wurde nichts geändert.",
        "annotated": "Arbeitsmappe mit markierten Fehlern herunterladen",
        "row": "Zeile",
        "column": "Spalte",
        "key": "Schlüssel",
        "old": "bisher",
        "new_value": "neu",
        "message": "Meldung",
        "action": "Aktion",
        "create": "anlegen",
        "update": "ändern",
        "no_imports": "Noch keine Importe.",
        "at": "Zeitpunkt",
        "by": "von",
        "file": "Datei",
        "outcome": "Ergebnis",
        "stale": "Die Vorschau gehört zu einer anderen Datei. Bitte erneut prüfen.",
        "more": "… und {count} weitere",
    },
    "en": {
        "title": "Data exchange",
        "intro": "Export workbooks for partners, check returned workbooks and apply them.",
        "tab_export": "Export",
        "tab_import": "Import",
        "tab_history": "Past imports",
        "scope": "Scope",
        "scope_all": "Whole portfolio",
        "scope_partner": "One partner",
        "scope_view": "Current selection in the project register ({count} projects)",
        "partner": "Partner",
        "export_help": "Partner workbooks hold only the projects the partner takes part in; only the fields partners maintain are editable.",
        "download": "Download workbook",
        "upload": "Returned workbook (.xlsx)",
        "import_scope": "Import as",
        "check": "Check (preview)",
        "checking": "Checking the workbook …",
        "applying": "Applying the changes …",
        "new": "new",
        "changed": "changed",
        "unchanged": "unchanged",
        "conflicting": "conflicts",
        "invalid": "invalid",
        "sheet": "Sheet",
        "preview_ok": "The workbook is fine. Please review the changes, then apply them.",
        "preview_nothing": "The workbook contains no changes.",
        "preview_bad": "The workbook is not applied as it is: {errors} errors, {conflicts} conflicts. Nothing was changed.",
        "diff": "Changes",
        "errors": "Errors",
        "conflicts": "Conflicts",
        "apply": "Apply changes",
        "applied": "Applied: {created} new, {updated} changed (import {id}).",
        "rejected": "Not applied – nothing was changed.",
        "annotated": "Download the workbook with the errors marked",
        "row": "Row",
        "column": "Column",
        "key": "Key",
        "old": "before",
        "new_value": "after",
        "message": "Message",
        "action": "Action",
        "create": "create",
        "update": "change",
        "no_imports": "No imports yet.",
        "at": "When",
        "by": "By",
        "file": "File",
        "outcome": "Outcome",
        "stale": "The preview belongs to another file. Please check again.",
        "more": "… and {count} more",
    },
}
MAX_TABLE_ROWS = 2000


def _export_builder(engine: Any, scope: Scope, lang: str) -> Callable[[], bytes]:
    def build() -> bytes:
        with make_session_factory(engine, read_only=True)() as session:
            return export_workbook(session, scope=scope, lang=lang).data

    return build


def _partners() -> dict[str, str]:
    with runtime.read_session() as session:
        return {o.key: f"{o.short_name} ({o.key})" for o in organisations.get_all(session)}


def _export_section(lang: str) -> None:
    st.caption(tr(TEXTS, "export_help"))
    view = st.session_state.get(VIEW_FILTER)
    options = ["all", "partner"] + (["view"] if view else [])
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
    scope = Scope()
    suffix = "gesamt" if lang == "de" else "all"
    builder = _export_builder(runtime.engine(), scope, lang)
    if choice == "partner":
        partners = _partners()
        key = st.selectbox(
            tr(TEXTS, "partner"),
            list(partners),
            format_func=option_labels(partners),
            key="exchange_export_partner",
        )
        if key:
            suffix = key
            builder = _export_builder(runtime.engine(), Scope(partner=key), lang)
    elif choice == "view" and view:
        suffix = "auswahl" if lang == "de" else "selection"
        builder = partial(
            exchange_view, runtime.engine(), view[0], today=runtime.today(), lang=lang
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


def _progress_callback(bar: Any, text: str) -> Callable[[float, str], None]:
    def update(fraction: float, what: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=md(f"{text} {what}"))

    return update


def _run(data: bytes, name: str, scope: Scope, dry_run: bool, lang: str) -> ImportResult | None:
    bar = st.progress(0.0, text=tr(TEXTS, "checking" if dry_run else "applying"))
    try:
        return import_workbook(
            make_session_factory(runtime.engine()),
            data,
            file_name=name,
            actor=runtime.user_name(),
            scope=scope,
            dry_run=dry_run,
            lang=lang,
            progress=_progress_callback(bar, tr(TEXTS, "checking" if dry_run else "applying")),
        )
    except UnreadableFile as exc:
        st.error(md(exc.message(lang), lines=True))
        return None
    finally:
        bar.empty()


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


def _show_result(result: ImportResult, data: bytes, lang: str) -> None:
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
    for notice in result.notices:
        st.info(md(notice, lines=True))
    if result.ok:
        if result.created or result.updated:
            st.success(tr(TEXTS, "preview_ok"))
        else:
            st.info(tr(TEXTS, "preview_nothing"))
    else:
        st.error(
            tr(
                TEXTS,
                "preview_bad",
                errors=fmt_int(len(result.errors), lang),
                conflicts=fmt_int(len(result.conflicts), lang),
            )
        )
    if result.conflicts:
        st.subheader(tr(TEXTS, "conflicts"))
        st.dataframe(_issue_frame(result.conflicts, lang), hide_index=True, width="stretch")
    if result.errors:
        st.subheader(tr(TEXTS, "errors"))
        st.dataframe(_issue_frame(result.errors, lang), hide_index=True, width="stretch")
        if len(result.errors) > MAX_TABLE_ROWS:
            st.caption(tr(TEXTS, "more", count=fmt_int(len(result.errors) - MAX_TABLE_ROWS, lang)))
    if not result.ok:
        st.download_button(
            tr(TEXTS, "annotated"),
            data=lambda: annotate_errors(data, result, lang=lang),
            file_name=result.file_name.rsplit(".", 1)[0]
            + ("-fehler.xlsx" if lang == "de" else "-errors.xlsx"),
            mime=XLSX_MIME,
            icon=":material/error:",
            on_click="ignore",
            key="exchange_annotated",
        )
    if result.diffs:
        st.subheader(tr(TEXTS, "diff"))
        diff = pd.DataFrame(
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
        st.dataframe(diff, hide_index=True, width="stretch")
        if len(result.diffs) > MAX_TABLE_ROWS:
            st.caption(tr(TEXTS, "more", count=fmt_int(len(result.diffs) - MAX_TABLE_ROWS, lang)))


def _import_section(lang: str) -> None:
    upload = st.file_uploader(tr(TEXTS, "upload"), type=["xlsx"], key="exchange_upload")
    partners = _partners()
    scope_options = ["all", *partners]
    scope_key = st.selectbox(
        tr(TEXTS, "import_scope"),
        scope_options,
        format_func=lambda k: tr(TEXTS, "scope_all") if k == "all" else partners.get(k, k),
        key="exchange_import_scope",
    )
    scope = Scope() if scope_key == "all" else Scope(partner=scope_key)
    state: dict[str, Any] = st.session_state.setdefault(STATE, {})
    if upload is None:
        state.clear()
        return
    try:
        check_file_size(upload.size)  # the same check and message as the command line
    except UnreadableFile as exc:
        st.error(md(exc.message(lang)))
        return
    data = upload.getvalue()
    ident = (upload.name, len(data), scope.label)
    if st.button(
        tr(TEXTS, "check"), type="primary", icon=":material/fact_check:", key="exchange_check"
    ):
        state.clear()
        result = _run(data, upload.name, scope, True, lang)
        if result is not None:
            state.update(ident=ident, result=result, applied=None)
    result = state.get("result")
    if result is None:
        return
    if state.get("ident") != ident:
        st.warning(tr(TEXTS, "stale"))
        return
    if state.get("applied") is not None:
        applied: ImportResult = state["applied"]
        if applied.applied:
            st.success(
                tr(
                    TEXTS,
                    "applied",
                    created=fmt_int(applied.created, lang),
                    updated=fmt_int(applied.updated, lang),
                    id=md(applied.import_id),
                )
            )
        else:
            st.error(tr(TEXTS, "rejected"))
            _show_result(applied, data, lang)
        return
    _show_result(result, data, lang)
    if (
        result.ok
        and (result.created or result.updated)
        and st.button(
            tr(TEXTS, "apply"), type="primary", icon=":material/done_all:", key="exchange_apply"
        )
    ):
        final = _run(data, upload.name, scope, False, lang)
        if final is not None:
            state["applied"] = final
            st.rerun()


def _history_section(lang: str) -> None:
    with runtime.read_session() as session:
        rows = past_imports(session)
    if not rows:
        st.info(tr(TEXTS, "no_imports"))
        return
    frame = pd.DataFrame(
        [
            {
                "Nr.": r["id"],
                tr(TEXTS, "at"): f"{fmt_date(r['at'], lang)} {r['at']:%H:%M}",
                tr(TEXTS, "by"): r["actor"],
                tr(TEXTS, "file"): r["file_name"],
                tr(TEXTS, "scope"): r["scope"],
                tr(TEXTS, "new"): sum(c.get("new", 0) for c in (r["counts"] or {}).values()),
                tr(TEXTS, "changed"): sum(
                    c.get("changed", 0) for c in (r["counts"] or {}).values()
                ),
                "SHA-256": r["sha256"][:12] + "…",
            }
            for r in rows
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def render() -> None:
    lang = runtime.lang()
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
