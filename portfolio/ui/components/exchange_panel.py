"""The exchange's import panel (upload, check, preview, apply, annotated errors), the import
history and the signing key, shared by Datenaustausch and the partner portal (Meine Projekte).

"Eingelesen als" starts at the scope the uploaded workbook's signed ``_meta`` sheet states;
another scope needs an explicit confirmation (the importer refuses a mismatch without it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from portfolio.changes import account_names, author_label
from portfolio.exchange import signing
from portfolio.exchange.importer import (
    ImportResult,
    import_workbook,
    past_imports,
    workbook_scope,
)
from portfolio.exchange.safety import UnreadableFile, check_file_size
from portfolio.exchange.state import Scope
from portfolio.i18n import fmt_int, fmt_stamp
from portfolio.policy import Action, Principal
from portfolio.services import organisations
from portfolio.ui import runtime
from portfolio.ui.components.exchange_preview import XLSX_MIME, resolve_conflicts, show_result
from portfolio.ui.components.exchange_texts import TEXTS
from portfolio.ui.components.safe_text import md
from portfolio.ui.runtime import tr

__all__ = [  # what the pages use, also of the modules the panel is made of
    "STATE",
    "TEXTS",
    "XLSX_MIME",
    "configure_signing",
    "history",
    "import_panel",
    "ip_address",
    "partners_by_key",
    "resolve_conflicts",
    "show_result",
]
STATE = "exchange_state"


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


@dataclass(frozen=True)
class Upload:
    """The uploaded workbook: its name, its bytes and what identifies this very upload."""

    name: str
    data: bytes
    ident: tuple[Any, ...]


@dataclass(frozen=True)
class ImportRun:
    """An upload read in one scope (``confirm``: another than the one it was exported for)."""

    upload: Upload
    scope: Scope | None
    lang: str
    confirm: bool

    def __call__(
        self, dry_run: bool, resolutions: dict[tuple[str, str, str], str] | None = None
    ) -> ImportResult | None:
        """Check (``dry_run``) or apply, with a progress bar; None when the file is unreadable."""
        upload = self.upload
        return _run(
            upload.data,
            upload.name,
            self.scope,
            dry_run,
            self.lang,
            confirm=self.confirm,
            resolutions=resolutions,
        )


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
    uploaded = st.file_uploader(tr(TEXTS, "upload"), type=["xlsx"], key=f"{key}_upload")
    state: dict[str, Any] = st.session_state.setdefault(f"{key}_state", {})
    if uploaded is None:
        state.clear()
        return
    upload = _read_upload(uploaded, lang)
    if upload is None:
        return
    unreadable = False
    try:
        file_scope = _file_scope(upload.data, state, upload.ident)
    except UnreadableFile as exc:
        # said here at once; "check" still runs the import, which says it again
        st.error(md(exc.message(lang), lines=True))
        file_scope, unreadable = None, True
    partners = partners_by_key() if not who.is_scoped else {}
    scope: Scope | None
    confirm = False
    if unreadable:
        scope = None
    elif who.is_scoped or fixed is not None or not choose:
        scope = _own_scope(who, fixed, fixed_name, partners)
    else:
        scope, confirm = _chosen_scope(upload, file_scope, partners, state, key=key)
    needs_confirmation = (
        scope is not None and not who.is_scoped and fixed is None and choose and not unreadable
    ) and _scope_key(scope) != _scope_key(file_scope)
    run = ImportRun(upload, scope, lang, confirm)
    ident = (*upload.ident, _scope_key(scope), confirm)
    if st.button(
        tr(TEXTS, "check"),
        type="primary",
        icon=":material/fact_check:",
        key=f"{key}_check",
        disabled=needs_confirmation and not confirm,
    ):
        _check(run, state, ident)
    _preview(run, state, ident, key=key)


def _read_upload(uploaded: Any, lang: str) -> Upload | None:
    """The upload's bytes, unless it is too large (the same check and message as the command
    line)."""
    try:
        check_file_size(uploaded.size)
    except UnreadableFile as exc:
        st.error(md(exc.message(lang)))
        return None
    data = uploaded.getvalue()
    return Upload(uploaded.name, data, (uploaded.name, len(data), hashlib.sha256(data).hexdigest()))


def scope_name(scope_key: str | None, partners: Mapping[str, str]) -> str:
    """A scope as users read it: the whole portfolio, a partner's name, or unknown."""
    if scope_key is None:
        return tr(TEXTS, "scope_unknown")
    if scope_key == "all":
        return tr(TEXTS, "scope_all")
    partner = scope_key.split(":", 1)[1]
    return partners.get(partner, partner)


def _own_scope(
    who: Principal, fixed: Scope | None, fixed_name: str | None, partners: Mapping[str, str]
) -> Scope | None:
    """The one scope the upload is read in (a partner's own: the importer takes it from the
    principal), said in a caption."""
    own = fixed.partner if fixed is not None and fixed.partner else who.organisation_key
    shown = fixed_name or scope_name(f"partner:{own}" if own else "all", partners)
    st.caption(md(tr(TEXTS, "own_scope", scope=shown)))
    return fixed if not who.is_scoped else None


def _chosen_scope(
    upload: Upload,
    file_scope: Scope | None,
    partners: Mapping[str, str],
    state: dict[str, Any],
    *,
    key: str,
) -> tuple[Scope, bool]:
    """The scope the user reads the upload in, starting at the file's own, and whether another
    one is confirmed."""

    def name_of(scope_key: str | None) -> str:
        return scope_name(scope_key, partners)

    if file_scope is None:
        st.warning(tr(TEXTS, "file_scope_unknown"))
    else:
        st.caption(md(tr(TEXTS, "file_scope", scope=name_of(_scope_key(file_scope)))))
    options = ["all", *(f"partner:{k}" for k in partners)]
    default = _scope_key(file_scope) or "all"
    if default not in options:
        options.append(default)
    select_key = f"{key}_import_scope"
    if state.get("scope_for") != upload.ident:  # a new file: start at its own scope
        st.session_state[select_key] = default
        st.session_state.pop(f"{key}_confirm_scope", None)
        state["scope_for"] = upload.ident
    chosen = st.selectbox(tr(TEXTS, "import_scope"), options, format_func=name_of, key=select_key)
    scope = Scope.parse(chosen)
    if chosen == _scope_key(file_scope):
        return scope, False
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
    return scope, confirm


def _check(run: ImportRun, state: dict[str, Any], ident: tuple[Any, ...]) -> None:
    """A new preview: the earlier one, its decisions and its outcome are forgotten."""
    state.pop("result", None)
    state.pop("applied", None)
    state.pop("resolutions", None)
    result = run(True)
    if result is not None:
        state.update(ident=ident, result=result, applied=None)


def _preview(run: ImportRun, state: dict[str, Any], ident: tuple[Any, ...], *, key: str) -> None:
    """The preview of this upload in this scope (or what applying it did), the decisions on its
    conflicts and the button that applies it."""
    result: ImportResult | None = state.get("result")
    if result is None:
        return
    if state.get("ident") != ident:
        st.warning(tr(TEXTS, "stale"))
        return
    data, lang = run.upload.data, run.lang
    if state.get("applied") is not None:
        _show_applied(state["applied"], data, lang, key=key)
        return
    show_result(result, data, lang, key=key)
    if result.conflicts and not result.errors:
        decided = resolve_conflicts(result, key=key)
        if decided is not None:
            again = run(True, decided)
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
        final = run(False, state.get("resolutions"))
        if final is not None:
            state["applied"] = final
            runtime.clear_caches()
            st.rerun()


def _show_applied(applied: ImportResult, data: bytes, lang: str, *, key: str) -> None:
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
