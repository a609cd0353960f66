"""Konten: the accounts with role, organisation and state; create an account, disable and enable
it, change its role, reset its password (the initial password is shown once). The services
check ``manage_accounts``; accounts are never deleted."""

from __future__ import annotations

import streamlit as st

from db.enums import Role
from portfolio.errors import ConflictError, PortfolioError
from portfolio.i18n import fmt_int, fmt_stamp
from portfolio.policy import role_label
from portfolio.services import accounts
from portfolio.services.accounts import AccountRow
from portfolio.ui.components.forms import flash, loaded_version, reset_form, widget_key
from portfolio.ui.components.safe_text import md
from portfolio.ui.components.widgets import frame, page_header, table
from portfolio.ui.runtime import Catalogue, lang, read_session, show_error, write_session

TEXTS = {
    "de": {
        "title": "Konten",
        "caption": "Wer sich anmelden darf, mit welcher Rolle. Konten werden nie gelöscht, nur "
        "gesperrt: Das Änderungsjournal behält ihre Namen.",
        "name": "Anmeldename",
        "display_name": "Angezeigter Name",
        "email": "E-Mail",
        "role": "Rolle",
        "organisation": "Organisation",
        "state": "Stand",
        "last_login": "Letzte Anmeldung",
        "count": "{count} {count|Konto|Konten}",
        "none": "Noch keine Konten. Solange es keine gibt, läuft das Dashboard auf diesem "
        "Rechner im Demo-Modus ohne Anmeldung; mit dem ersten Konto ist die Anmeldung Pflicht.",
        "state_disabled": "gesperrt",
        "state_locked": "vorübergehend gesperrt (Fehlversuche)",
        "state_oidc": "aktiv, nur OpenID Connect",
        "state_initial": "aktiv, Erstpasswort noch nicht geändert",
        "state_active": "aktiv",
        "new": "Neues Konto anlegen",
        "new_hint": "Der Anmeldename steht im Änderungsjournal und lässt sich nicht ändern "
        "(Kleinbuchstaben, Ziffern, . _ - @). Ein Partnerkonto gehört zu genau einer "
        "Organisation und sieht nur deren Projekte.",
        "oidc_only": "Nur über OpenID Connect anmelden (ohne Passwort; die E-Mail-Adresse "
        "ordnet die Anmeldung zu)",
        "no_organisation": "– keine –",
        "create": "Anlegen",
        "created": "Konto „{name}“ angelegt.",
        "initial": "Erstpasswort für „{name}“. Es wird nur jetzt angezeigt; bitte sicher "
        "übermitteln. Bei der ersten Anmeldung muss es geändert werden.",
        "edit": "Konto bearbeiten",
        "which": "Welches Konto?",
        "change_role": "Rolle ändern",
        "save_role": "Rolle speichern",
        "role_saved": "Rolle von „{name}“ geändert.",
        "disable": "Konto sperren",
        "enable": "Konto freigeben",
        "enable_locked": "Sperre aufheben",
        "disabled": "Konto „{name}“ gesperrt.",
        "enabled": "Konto „{name}“ freigegeben.",
        "reset": "Passwort zurücksetzen",
        "reset_hint": "Vergibt ein neues Erstpasswort (einmal angezeigt) und hebt eine "
        "Sperre nach Fehlversuchen auf.",
        "was_reset": "Passwort von „{name}“ zurückgesetzt.",
        "conflict": "Das Konto „{name}“ wurde inzwischen geändert. Bitte neu laden und die "
        "Änderung erneut vornehmen.",
        "reload": "Neu laden",
        "audit_link": "Anmeldungen und Änderungen an Konten stehen im Sicherheitsprotokoll.",
    },
    "en": {
        "title": "Accounts",
        "caption": "Who may sign in, with which role. Accounts are never deleted, only "
        "disabled: the change journal keeps their names.",
        "name": "Account name",
        "display_name": "Display name",
        "email": "E-mail",
        "role": "Role",
        "organisation": "Organisation",
        "state": "State",
        "last_login": "Last sign-in",
        "count": "{count} {count|account|accounts}",
        "none": "No accounts yet. As long as there are none, the dashboard runs in demo mode "
        "on this machine without a login; with the first account signing in is required.",
        "state_disabled": "disabled",
        "state_locked": "temporarily locked (failed sign-ins)",
        "state_oidc": "enabled, OpenID Connect only",
        "state_initial": "enabled, initial password not yet changed",
        "state_active": "enabled",
        "new": "Create an account",
        "new_hint": "The account name is written to the change journal and cannot be changed "
        "(lower-case letters, digits, . _ - @). A partner account belongs to exactly one "
        "organisation and sees only its projects.",
        "oidc_only": "Sign in only through OpenID Connect (no password; the e-mail address "
        "matches the login)",
        "no_organisation": "– none –",
        "create": "Create",
        "created": "Account “{name}” created.",
        "initial": "Initial password for “{name}”. It is shown only now; please pass it on "
        "securely. It must be changed at the first sign-in.",
        "edit": "Edit an account",
        "which": "Which account?",
        "change_role": "Change the role",
        "save_role": "Save role",
        "role_saved": "Role of “{name}” changed.",
        "disable": "Disable account",
        "enable": "Enable account",
        "enable_locked": "Lift the lock",
        "disabled": "Account “{name}” disabled.",
        "enabled": "Account “{name}” enabled.",
        "reset": "Reset password",
        "reset_hint": "Gives a new initial password (shown once) and lifts a lock after "
        "failed sign-ins.",
        "was_reset": "Password of “{name}” reset.",
        "conflict": "The account “{name}” has been changed meanwhile. Please reload and make "
        "the change again.",
        "reload": "Reload",
        "audit_link": "Sign-ins and changes to accounts are in the audit log.",
    },
}

INITIAL_KEY = "accounts.initial_password"
NEW_FORM = "account_new"
ROLES = list(Role)


tx = Catalogue(TEXTS)


def state_label(row: AccountRow) -> str:
    if row.disabled:
        return tx("state_disabled")
    if row.is_locked():
        return tx("state_locked")
    if not row.has_password:
        return tx("state_oidc")
    if row.must_change_password:
        return tx("state_initial")
    return tx("state_active")


def _organisations() -> dict[str, str]:
    """Partner organisations (key → short name) for the forms."""
    from portfolio.services import organisations

    with read_session() as session:
        return {o.key: o.short_name for o in organisations.get_all(session)}


def render() -> None:
    page_header(tx("title"), tx("caption"))
    flash()
    _show_initial_password()
    with read_session() as session:
        rows = accounts.get_all(session)
    _list(rows)
    organisations = _organisations()
    _new_form(organisations)
    if rows:
        _edit(rows, organisations)
    st.caption(tx("audit_link"))


def _show_initial_password() -> None:
    shown = st.session_state.pop(INITIAL_KEY, None)
    if not shown:
        return
    name, password = shown
    with st.container(border=True):
        st.warning(tx("initial", name=md(name)), icon=":material/key:")
        st.code(password, language=None)


def _list(rows: list[AccountRow]) -> None:
    if not rows:
        st.info(tx("none"))
        return
    language = lang()
    columns = ["name", "display_name", "email", "role", "organisation", "state", "last_login"]
    data = frame(
        [
            {
                "name": r.name,
                "display_name": r.display_name or "",
                "email": r.email or "",
                "role": r.role_label(language),
                "organisation": r.organisation_name or "",
                "state": state_label(r),
                "last_login": fmt_stamp(r.last_login_at, language) if r.last_login_at else "",
            }
            for r in rows
        ],
        columns,
    )
    data.columns = [tx(c) for c in columns]
    st.caption(tx("count", count=fmt_int(len(rows), language)))
    table(data, key="accounts_table")


def _done(message: str, form_key: str | None = None) -> None:
    if form_key is not None:
        reset_form(form_key)
    st.session_state["__flash"] = message
    st.rerun()


def _role_label(role: Role) -> str:
    return role_label(role, lang())


def _new_form(organisations: dict[str, str]) -> None:
    with st.expander(tx("new"), icon=":material/person_add:"):
        st.caption(tx("new_hint"))
        with st.form(NEW_FORM, clear_on_submit=False):
            left, right = st.columns(2)
            name = left.text_input(tx("name") + " *", key=widget_key(NEW_FORM, "name"))
            display_name = right.text_input(
                tx("display_name"), key=widget_key(NEW_FORM, "display_name")
            )
            email = left.text_input(tx("email"), key=widget_key(NEW_FORM, "email"))
            role = right.selectbox(
                tx("role") + " *",
                ROLES,
                index=ROLES.index(Role.STAFF),
                format_func=_role_label,
                key=widget_key(NEW_FORM, "role"),
            )
            organisation = left.selectbox(
                tx("organisation"),
                ["", *organisations],
                format_func=lambda k: organisations.get(k, tx("no_organisation")),
                key=widget_key(NEW_FORM, "organisation"),
            )
            oidc_only = st.checkbox(tx("oidc_only"), key=widget_key(NEW_FORM, "oidc_only"))
            submitted = st.form_submit_button(tx("create"), type="primary")
        if not submitted:
            return
        try:
            with write_session() as session:
                created = accounts.create(
                    session,
                    name=name,
                    role=role,
                    display_name=display_name,
                    email=email,
                    organisation_key=organisation if role is Role.PARTNER else None,
                    oidc_only=oidc_only,
                    ip=_ip(),
                )
        except PortfolioError as exc:
            st.error(md(exc.message(lang()), lines=True))
            return
        except Exception as exc:
            show_error(exc)
            return
        if created.initial_password:
            st.session_state[INITIAL_KEY] = (created.account.name, created.initial_password)
        _done(tx("created", name=created.account.name), NEW_FORM)


def _ip() -> str | None:
    try:
        address = st.context.ip_address
    except Exception:
        return None
    return address if isinstance(address, str) else None


def _edit(rows: list[AccountRow], organisations: dict[str, str]) -> None:
    st.subheader(tx("edit"))
    by_id = {r.id: r for r in rows}
    chosen = st.selectbox(
        tx("which"),
        list(by_id),
        format_func=lambda i: (
            f"{by_id[i].name} – {by_id[i].display_name or by_id[i].email or ''} "
            f"({by_id[i].role_label(lang())})"
        ),
        key="accounts_which",
    )
    row = by_id[chosen]
    form_key = f"account:{row.id}"
    version = loaded_version(form_key, row.version, "role")
    st.caption(md(f"{row.name} · {row.role_label(lang())} · {state_label(row)}"))
    with st.form(f"{form_key}:role_form"):
        st.markdown(f"**{tx('change_role')}**")
        left, right = st.columns(2)
        role = left.selectbox(
            tx("role"),
            ROLES,
            index=ROLES.index(row.role),
            format_func=_role_label,
            key=widget_key(form_key, "role"),
        )
        keys = ["", *organisations]
        organisation = right.selectbox(
            tx("organisation"),
            keys,
            index=keys.index(row.organisation_key) if row.organisation_key in keys else 0,
            format_func=lambda k: organisations.get(k, tx("no_organisation")),
            key=widget_key(form_key, "organisation"),
        )
        save_role = st.form_submit_button(tx("save_role"))
    left, mid, _right = st.columns([1, 1, 2])
    if row.disabled:
        toggle = left.button(tx("enable"), key=f"{form_key}:enable", width="stretch")
    elif row.is_locked():
        toggle = left.button(tx("enable_locked"), key=f"{form_key}:unlock", width="stretch")
    else:
        toggle = left.button(tx("disable"), key=f"{form_key}:disable", width="stretch")
    reset = mid.button(tx("reset"), key=f"{form_key}:reset", help=tx("reset_hint"), width="stretch")
    try:
        if save_role:
            with write_session() as session:
                accounts.set_role(
                    session,
                    row.id,
                    role,
                    organisation_key=organisation if role is Role.PARTNER else None,
                    expected_version=version,
                    ip=_ip(),
                )
            _done(tx("role_saved", name=row.name), form_key)
        if toggle:
            with write_session() as session:
                if row.disabled or row.is_locked():
                    accounts.enable(session, row.id, expected_version=version, ip=_ip())
                    message = tx("enabled", name=row.name)
                else:
                    accounts.disable(session, row.id, expected_version=version, ip=_ip())
                    message = tx("disabled", name=row.name)
            _done(message, form_key)
        if reset:
            with write_session() as session:
                password = accounts.reset_password(
                    session, row.id, expected_version=version, ip=_ip()
                )
            st.session_state[INITIAL_KEY] = (row.name, password)
            _done(tx("was_reset", name=row.name), form_key)
    except ConflictError:
        st.warning(tx("conflict", name=md(row.name)), icon=":material/sync_problem:")
        st.button(tx("reload"), key=f"{form_key}:reload", on_click=reset_form, args=(form_key,))
    except PortfolioError as exc:
        st.error(md(exc.message(lang()), lines=True))
