"""The exchange's import panel (upload, check, preview, apply, annotated errors), the import
history and the signing key, shared by Datenaustausch and the partner portal (Meine Projekte).

"Eingelesen als" starts at the scope the uploaded workbook's signed ``_meta`` sheet states;
another scope needs an explicit confirmation (the importer refuses a mismatch without it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from portfolio.changes import account_names, author_label
from portfolio.exchange import signing
from portfolio.exchange.annotate import annotate_errors
from portfolio.exchange.importer import (
    KEEP_CURRENT,
    KEEP_FILE,
    ImportResult,
    import_workbook,
    past_imports,
    workbook_scope,
)
from portfolio.exchange.safety import UnreadableFile, check_file_size
from portfolio.exchange.state import Scope
from portfolio.i18n import fmt_int, fmt_stamp
from portfolio.policy import Action
from portfolio.services import organisations
from portfolio.ui import runtime
from portfolio.ui.components.safe_text import md
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
        "scope_unknown": "unbekannt",
        "scope_partner": "Ein Partner",
        "scope_view": "Aktuelle Auswahl im Projektregister ({count} {count|Projekt|Projekte})",
        "partner": "Partner",
        "export_help": "Partner-Arbeitsmappen enthalten nur die Projekte, an denen der Partner beteiligt ist; änderbar sind nur die Felder, die Partner pflegen.",
        "download": "Arbeitsmappe herunterladen",
        "upload": "Zurückgesandte Arbeitsmappe (.xlsx)",
        "import_scope": "Eingelesen als",
        "file_scope": "Laut Arbeitsmappe exportiert für: {scope}",
        "file_scope_unknown": "Die Arbeitsmappe hat kein Blatt „_meta“: für welchen Umfang sie exportiert wurde, ist unbekannt.",
        "own_scope": "Eingelesen als Arbeitsmappe von {scope}.",
        "scope_differs": "Sie lesen die Arbeitsmappe in einem anderen Umfang ein als dem, für den sie exportiert wurde. In „Gesamtes Portfolio“ gelten die Sperren der Partner-Arbeitsmappe nicht.",
        "confirm_scope": "Ja, als „{scope}“ einlesen, obwohl die Arbeitsmappe für „{file_scope}“ exportiert wurde",
        "confirm_first": "Bitte zuerst den anderen Umfang bestätigen.",
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
        "preview_bad": "Die Arbeitsmappe wird so nicht übernommen: {errors} Fehler, {conflicts} {conflicts|Konflikt|Konflikte}. Es wurde nichts geändert.",
        "diff": "Änderungen",
        "errors": "Fehler",
        "conflicts": "Konflikte",
        "resolve": "Konflikte Feld für Feld entscheiden",
        "resolve_help": "Für jedes Feld: den Wert aus der Datei übernehmen oder den aktuellen Stand im Portfolio behalten. Danach wird die Datei mit diesen Entscheidungen erneut geprüft; übernommen wird erst mit „Übernehmen“.",
        "keep_file": "Datei: {value}",
        "keep_current": "Portfolio: {value}",
        "recheck": "Mit diesen Entscheidungen prüfen",
        "decide_all": "Bitte zuerst jeden Konflikt entscheiden.",
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
        "scope_unknown": "unknown",
        "scope_partner": "One partner",
        "scope_view": "Current selection in the project register ({count} {count|project|projects})",
        "partner": "Partner",
        "export_help": "Partner workbooks hold only the projects the partner takes part in; only the fields partners maintain are editable.",
        "download": "Download workbook",
        "upload": "Returned workbook (.xlsx)",
        "import_scope": "Import as",
        "file_scope": "Exported for, as the workbook states: {scope}",
        "file_scope_unknown": "The workbook has no “_meta” sheet: which scope it was exported for is unknown.",
        "own_scope": "Imported as the workbook of {scope}.",
        "scope_differs": "You are importing the workbook in another scope than the one it was exported for. In “Whole portfolio” the partner workbook's locks do not apply.",
        "confirm_scope": "Yes, import as “{scope}” although the workbook was exported for “{file_scope}”",
        "confirm_first": "Please confirm the other scope first.",
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
        "preview_bad": "The workbook is not applied as it is: {errors} {errors|error|errors}, {conflicts} {conflicts|conflict|conflicts}. Nothing was changed.",
        "diff": "Changes",
        "errors": "Errors",
        "conflicts": "Conflicts",
        "resolve": "Decide the conflicts field by field",
        "resolve_help": "For each field: take the file's value or keep the portfolio's current one. The file is then checked again with these decisions; nothing is applied before “Apply”.",
        "keep_file": "File: {value}",
        "keep_current": "Portfolio: {value}",
        "recheck": "Check with these decisions",
        "decide_all": "Please decide every conflict first.",
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


def configure_signing() -> None:
    """Hand the exchange the key of Streamlit's secrets (``[portfolio] exchange_key``, also
    from files given with ``--secrets.files``), see :mod:`portfolio.exchange.signing`."""
    try:
        section = st.secrets.get("portfolio")
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        section = None
    value = section.get("exchange_key") if isinstance(section, Mapping) else None
    signing.configure(value if isinstance(value, str) else None)


def ip_address() -> str | None:
    """Where the browser connects from, as Streamlit reports it (for the audit log)."""
    try:
        address = st.context.ip_address
    except Exception:  # outside a browser session
        return None
    return address if isinstance(address, str) else None


def partners_by_key() -> dict[str, str]:
    with runtime.read_session() as session:
        return {o.key: f"{o.short_name} ({o.key})" for o in organisations.get_all(session)}


def _progress_callback(bar: Any, text: str) -> Callable[[float, str], None]:
    def update(fraction: float, what: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=md(f"{text} {what}"))

    return update


def _run(
    data: bytes,
    name: str,
    scope: Scope | None,
    dry_run: bool,
    lang: str,
    *,
    confirm: bool = False,
    resolutions: dict[tuple[str, str, str], str] | None = None,
) -> ImportResult | None:
    bar = st.progress(0.0, text=tr(TEXTS, "checking" if dry_run else "applying"))
    try:
        return import_workbook(
            runtime.session_factory(),
            data,
            principal=runtime.require_principal(),
            file_name=name,
            scope=scope,
            confirm_scope=confirm,
            dry_run=dry_run,
            lang=lang,
            progress=_progress_callback(bar, tr(TEXTS, "checking" if dry_run else "applying")),
            ip=ip_address(),
            resolutions=resolutions,
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


def show_result(result: ImportResult, data: bytes, lang: str, *, key: str = "exchange") -> None:
    """Counts, notices, errors and conflicts per cell, the annotated workbook, the diff."""
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
            key=f"{key}_annotated",
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


def _scope_key(scope: Scope | None) -> str | None:
    if scope is None:
        return None
    return f"partner:{scope.partner}" if scope.partner else "all"


def _file_scope(data: bytes, state: dict[str, Any], ident: tuple[Any, ...]) -> Scope | None:
    """The scope the upload's ``_meta`` states (read once per upload); raises UnreadableFile."""
    if state.get("file_ident") != ident:
        found = workbook_scope(
            runtime.session_factory(), data, principal=runtime.require_principal()
        )
        state.update(file_ident=ident, file_scope=found)
    scope: Scope | None = state.get("file_scope")
    return scope


def import_panel(
    lang: str,
    *,
    key: str = "exchange",
    fixed: Scope | None = None,
    fixed_name: str | None = None,
    choose: bool = True,
) -> None:
    """Upload, scope, check (preview), apply. ``fixed``: the scope is that one (the portal's
    organisation); a partner always imports in its own; else the user chooses, starting at the
    file's scope, and confirms another one."""
    who = runtime.require_principal()
    upload = st.file_uploader(tr(TEXTS, "upload"), type=["xlsx"], key=f"{key}_upload")
    state: dict[str, Any] = st.session_state.setdefault(f"{key}_state", {})
    if upload is None:
        state.clear()
        return
    try:
        check_file_size(upload.size)  # the same check and message as the command line
    except UnreadableFile as exc:
        st.error(md(exc.message(lang)))
        return
    data = upload.getvalue()
    upload_ident = (upload.name, len(data), hashlib.sha256(data).hexdigest())
    unreadable = False
    try:
        file_scope = _file_scope(data, state, upload_ident)
    except UnreadableFile as exc:
        # said here at once; "check" still runs the import, which says it again
        st.error(md(exc.message(lang), lines=True))
        file_scope, unreadable = None, True
    partners = partners_by_key() if not who.is_scoped else {}

    def name_of(scope_key: str | None) -> str:
        if scope_key is None:
            return tr(TEXTS, "scope_unknown")
        if scope_key == "all":
            return tr(TEXTS, "scope_all")
        partner = scope_key.split(":", 1)[1]
        return partners.get(partner, partner)

    scope: Scope | None
    confirm = False
    if unreadable:
        scope = None
    elif who.is_scoped or fixed is not None or not choose:
        scope = fixed if not who.is_scoped else None
        own = fixed.partner if fixed is not None and fixed.partner else who.organisation_key
        shown = fixed_name or name_of(f"partner:{own}" if own else "all")
        st.caption(md(tr(TEXTS, "own_scope", scope=shown)))
    else:
        if file_scope is None:
            st.warning(tr(TEXTS, "file_scope_unknown"))
        else:
            st.caption(md(tr(TEXTS, "file_scope", scope=name_of(_scope_key(file_scope)))))
        options = ["all", *(f"partner:{k}" for k in partners)]
        default = _scope_key(file_scope) or "all"
        if default not in options:
            options.append(default)
        select_key = f"{key}_import_scope"
        if state.get("scope_for") != upload_ident:  # a new file: start at its own scope
            st.session_state[select_key] = default
            st.session_state.pop(f"{key}_confirm_scope", None)
            state["scope_for"] = upload_ident
        chosen = st.selectbox(
            tr(TEXTS, "import_scope"), options, format_func=name_of, key=select_key
        )
        scope = Scope.parse(chosen)
        if chosen != _scope_key(file_scope):
            st.warning(tr(TEXTS, "scope_differs"), icon=":material/warning:")
            confirm = st.checkbox(
                md(
                    tr(
                        TEXTS,
                        "confirm_scope",
                        scope=name_of(chosen),
                        file_scope=name_of(_scope_key(file_scope)),
                    )
                ),
                key=f"{key}_confirm_scope",
            )
            if not confirm:
                st.info(tr(TEXTS, "confirm_first"))
    ident = (*upload_ident, _scope_key(scope), confirm)
    needs_confirmation = (
        scope is not None and not who.is_scoped and fixed is None and choose and not unreadable
    ) and _scope_key(scope) != _scope_key(file_scope)
    if st.button(
        tr(TEXTS, "check"),
        type="primary",
        icon=":material/fact_check:",
        key=f"{key}_check",
        disabled=needs_confirmation and not confirm,
    ):
        state.pop("result", None)
        state.pop("applied", None)
        state.pop("resolutions", None)
        result = _run(data, upload.name, scope, True, lang, confirm=confirm)
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
            show_result(applied, data, lang, key=key)
        return
    show_result(result, data, lang, key=key)
    if result.conflicts and not result.errors:
        decided = resolve_conflicts(result, key=key)
        if decided is not None:
            again = _run(data, upload.name, scope, True, lang, confirm=confirm, resolutions=decided)
            if again is not None:
                state.update(result=again, resolutions=decided)
                st.rerun()
    if (
        result.ok
        and (result.created or result.updated)
        and st.button(
            tr(TEXTS, "apply"), type="primary", icon=":material/done_all:", key=f"{key}_apply"
        )
    ):
        final = _run(
            data,
            upload.name,
            scope,
            False,
            lang,
            confirm=confirm,
            resolutions=state.get("resolutions"),
        )
        if final is not None:
            state["applied"] = final
            runtime.clear_caches()
            st.rerun()


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


def history(lang: str, *, scope_label: str | None = None) -> None:
    """The latest imports (a partner: those into its own scope; ``scope_label``: only those
    into that scope)."""
    with runtime.read_session() as session:
        rows = past_imports(session, scope=scope_label)
        names = (
            account_names(session, [r["actor"] for r in rows])
            if runtime.may(Action.READ_JOURNAL)
            else {}
        )
    if not rows:
        st.info(tr(TEXTS, "no_imports"))
        return
    partners = partners_by_key() if runtime.may(Action.READ_PORTFOLIO) else {}

    def scope_name(label: str) -> str:
        if not label.startswith("partner:"):
            return tr(TEXTS, "scope_all")
        key = label.split(":", 1)[1]
        return partners.get(key, key)

    frame = pd.DataFrame(
        [
            {
                "Nr.": r["id"],
                tr(TEXTS, "at"): fmt_stamp(r["at"], lang),
                tr(TEXTS, "by"): author_label(r["actor"], None, lang, names),
                tr(TEXTS, "file"): r["file_name"],
                tr(TEXTS, "scope"): scope_name(r["scope"]),
                tr(TEXTS, "new"): sum(c.get("new", 0) for c in (r["counts"] or {}).values()),
                tr(TEXTS, "changed"): sum(
                    c.get("changed", 0) for c in (r["counts"] or {}).values()
                ),
            }
            for r in rows
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch")
