"""The login gate: every script run passes here before a page renders.

Returns the signed-in :class:`~portfolio.policy.Principal` (kept in ``st.session_state``), or
renders the login page and stops the run, so an anonymous browser gets nothing but the login.

Demo mode: a server on a loopback address, without OpenID configuration (Streamlit's ``[auth]``
secrets) and with no enabled account in its database, signs in a local demo administrator and
says so in a banner (``make run`` on a fresh checkout). Every other deployment requires a login:

- built-in accounts: name and password (:func:`portfolio.services.accounts.authenticate`, with
  its throttling and lockout); an initial password must be replaced before anything else;
- OpenID Connect, when ``[auth]`` is configured (:mod:`portfolio.ui.oidc`): the e-mail claim
  names the account. Both end in the same principal.

On every run the signed-in account is read again: a disabled account is signed out at once, a
changed role takes effect at once. A session idle for longer than the timeout
(``[portfolio] session_timeout_minutes`` in ``.streamlit/secrets.toml``, default 30) is ended
(audit ``session_expired``); a small timer in the sidebar notices it without an interaction, so
an unattended screen does not keep showing portfolio data. The sidebar says who is signed in,
with the role, and has the sign-out button (audit ``logout``).
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import logging
from collections.abc import Mapping
from types import ModuleType
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from db.enums import Role
from portfolio import clock, passwords
from portfolio.errors import PortfolioError
from portfolio.policy import Principal, role_label, set_principal
from portfolio.services import accounts
from portfolio.services.accounts import SignInRefused
from portfolio.ui import runtime
from portfolio.ui.components.safe_text import md

log = logging.getLogger("portfolio.ui.auth")

DEMO_ADMIN = Principal("demo-admin", Role.ADMIN, display_name="Demo-Administration")
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})

DEFAULT_TIMEOUT_MINUTES = 30.0
MAX_TIMEOUT_MINUTES = 24 * 60.0
SECRETS_SECTION = "portfolio"
"""Our own table in ``.streamlit/secrets.toml`` (``[portfolio]``)."""

METHOD_KEY = "auth.method"  # "password", "oidc" or "demo"
LAST_SEEN_KEY = "auth.last_seen"
MUST_CHANGE_KEY = "auth.must_change"
CHANGE_REQUESTED_KEY = "auth.change_requested"
NOTICE_KEY = "auth.notice"  # "expired", "signed_out", "disabled", "changed"
ERROR_KEY = "auth.error"
_LOGIN_FIELDS = ("login_name", "login_password")
_CHANGE_FIELDS = ("pw_current", "pw_new", "pw_repeat")

TEXTS: Mapping[str, Mapping[str, str]] = {
    "de": {
        "title": "Smart-City Portfolio",
        "login_heading": "Anmeldung",
        "login_intro": "Das Portfolio der Smart-City Innovation Unit. Bitte melden Sie sich an.",
        "name": "Anmeldename",
        "password": "Passwort",
        "sign_in": "Anmelden",
        "or_oidc": "Oder mit dem Konto der Stadt:",
        "expired": "Ihre Sitzung ist abgelaufen, weil sie länger als {minutes} Minuten nicht "
        "benutzt wurde. Bitte melden Sie sich erneut an.",
        "signed_out": "Sie sind abgemeldet.",
        "disabled": "Ihr Konto wurde gesperrt. Wenden Sie sich an die Administration.",
        "changed": "Passwort geändert.",
        "missing": "Bitte Anmeldename und Passwort eingeben.",
        "failed": "Die Anmeldung ist gerade nicht möglich. Bitte später erneut versuchen.",
        "signed_in_as": "Angemeldet als **{name}** · {role}",
        "organisation": "für {organisation}",
        "sign_out": "Abmelden",
        "change_password": "Passwort ändern",
        "change_title": "Passwort ändern",
        "change_forced": "Sie haben sich mit einem Erst- oder zurückgesetzten Passwort angemeldet. "
        "Bitte wählen Sie jetzt ein eigenes Passwort; erst dann geht es weiter.",
        "change_intro": "Wählen Sie ein neues Passwort für Ihr Konto.",
        "current": "Bisheriges Passwort",
        "new": "Neues Passwort",
        "repeat": "Neues Passwort wiederholen",
        "save": "Passwort speichern",
        "cancel": "Abbrechen",
        "mismatch": "Die beiden neuen Passwörter stimmen nicht überein.",
    },
    "en": {
        "title": "Smart-City Portfolio",
        "login_heading": "Sign in",
        "login_intro": "The portfolio of the Smart-City Innovation Unit. Please sign in.",
        "name": "Account name",
        "password": "Password",
        "sign_in": "Sign in",
        "or_oidc": "Or with the city account:",
        "expired": "Your session has expired because it was not used for more than {minutes} "
        "minutes. Please sign in again.",
        "signed_out": "You are signed out.",
        "disabled": "Your account has been disabled. Ask the administrators.",
        "changed": "Password changed.",
        "missing": "Please enter the account name and the password.",
        "failed": "Signing in is not possible right now. Please try again later.",
        "signed_in_as": "Signed in as **{name}** · {role}",
        "organisation": "for {organisation}",
        "sign_out": "Sign out",
        "change_password": "Change password",
        "change_title": "Change password",
        "change_forced": "You signed in with an initial or reset password. Please choose your "
        "own password now; only then can you continue.",
        "change_intro": "Choose a new password for your account.",
        "current": "Current password",
        "new": "New password",
        "repeat": "Repeat the new password",
        "save": "Save password",
        "cancel": "Cancel",
        "mismatch": "The two new passwords do not match.",
    },
}


def tr(key: str, /, **params: Any) -> str:
    return runtime.tr(TEXTS, key, **params)


# ---- configuration ---------------------------------------------------------------------------


def _secrets_section(name: str) -> Mapping[str, Any]:
    try:
        section = st.secrets.get(name)
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return {}
    return section if isinstance(section, Mapping) else {}


def session_timeout() -> dt.timedelta:
    """The idle time after which a session ends (``[portfolio] session_timeout_minutes``; a
    fraction of a minute is allowed, e.g. for tests)."""
    raw = _secrets_section(SECRETS_SECTION).get("session_timeout_minutes", DEFAULT_TIMEOUT_MINUTES)
    try:
        minutes = float(raw)
        if not 0 < minutes <= MAX_TIMEOUT_MINUTES:
            raise ValueError(raw)
    except (TypeError, ValueError):
        _warn_once(
            f"[portfolio] session_timeout_minutes = {raw!r} is not a number of minutes from 0 "
            f"to {MAX_TIMEOUT_MINUTES:g}; using {DEFAULT_TIMEOUT_MINUTES:g}"
        )
        minutes = DEFAULT_TIMEOUT_MINUTES
    return dt.timedelta(minutes=minutes)


@functools.cache
def _warn_once(message: str) -> None:
    """A configuration problem, logged once per process (the gate asks on every run)."""
    log.warning(message)


def _oidc() -> ModuleType | None:
    """The OpenID login module when ``[auth]`` is configured, else None."""
    try:
        from portfolio.ui import oidc
    except ImportError:
        return None
    return oidc if oidc.configured() else None


def _is_loopback(address: str | None) -> bool:
    if not address:
        return False  # Streamlit's default binds every interface
    if address in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def demo_mode() -> bool:
    """Whether this server runs the local demo (see the module docstring)."""
    if not _is_loopback(st.get_option("server.address")):
        return False
    if _oidc() is not None:
        return False
    with runtime.read_session() as session:
        return not accounts.sign_in_configured(session)


def _ip() -> str | None:
    try:
        address = st.context.ip_address
    except Exception:  # outside a browser session
        return None
    return address if isinstance(address, str) else None  # AppTest reports a mock


def _factory() -> runtime.SessionFactory:
    return runtime.session_factory()


# ---- the gate --------------------------------------------------------------------------------


def gate() -> Principal:
    """The signed-in principal of this browser session; otherwise the login page (the run
    stops there)."""
    who = runtime.principal()
    if who is not None:
        who = _still_signed_in(who)
    if who is None:
        who = _sign_in()
    _touch()
    _account_box(who)
    if st.session_state.get(MUST_CHANGE_KEY) or st.session_state.get(CHANGE_REQUESTED_KEY):
        _password_page(forced=bool(st.session_state.get(MUST_CHANGE_KEY)))
        st.stop()
    return who


def _drop(notice: str | None) -> None:
    for key in (runtime.PRINCIPAL_KEY, METHOD_KEY, LAST_SEEN_KEY, MUST_CHANGE_KEY):
        st.session_state.pop(key, None)
    st.session_state.pop(CHANGE_REQUESTED_KEY, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice


def _idle_for() -> dt.timedelta | None:
    last = st.session_state.get(LAST_SEEN_KEY)
    if not isinstance(last, dt.datetime):
        return None
    return clock.utcnow() - last


def _expired() -> bool:
    idle = _idle_for()
    return idle is not None and idle > session_timeout()


def _end(who: Principal, *, expired: bool) -> None:
    """Audit the end of the session (``logout`` / ``session_expired``) and forget the user."""
    try:
        with runtime.write_session() as session:
            accounts.sign_out(session, ip=_ip(), expired=expired)
    except PortfolioError:
        log.exception("recording the end of a session failed")
    _drop("expired" if expired else "signed_out")


def _still_signed_in(who: Principal) -> Principal | None:
    """``who`` as the account now is, or None: the demo ended, the session expired, the
    account was disabled."""
    if who == DEMO_ADMIN:
        if demo_mode():
            return who
        _drop(None)
        return None
    if _expired():
        method = st.session_state.get(METHOD_KEY)
        _end(who, expired=True)
        oidc = _oidc() if method == "oidc" else None
        if oidc is not None:
            # Streamlit's identity cookie would sign the same account in again on the next
            # page load: an expired OpenID session ends at the provider too.
            oidc.logout()
            st.stop()
        return None
    with runtime.read_session() as session:
        fresh = accounts.refresh(session)
    if fresh is None:
        _drop("disabled")
        return None
    if fresh != who:
        st.session_state[runtime.PRINCIPAL_KEY] = fresh
    return fresh


def _start(who: Principal, method: str, *, must_change: bool = False) -> None:
    st.session_state[runtime.PRINCIPAL_KEY] = who
    st.session_state[METHOD_KEY] = method
    st.session_state[MUST_CHANGE_KEY] = must_change
    st.session_state.pop(NOTICE_KEY, None)
    st.session_state.pop(ERROR_KEY, None)
    _touch()


def _touch() -> None:
    st.session_state[LAST_SEEN_KEY] = clock.utcnow()


def _sign_in() -> Principal:
    oidc = _oidc()
    if oidc is not None and st.session_state.get(NOTICE_KEY) not in ("expired", "signed_out"):
        who = oidc.principal_from_user()  # a refused OpenID login renders its reason and stops
        if who is not None:
            _start(who, "oidc")
            return who
    if oidc is None and demo_mode():
        st.session_state[runtime.PRINCIPAL_KEY] = DEMO_ADMIN
        st.session_state[METHOD_KEY] = "demo"
        return DEMO_ADMIN
    _login_navigation(oidc)
    st.stop()
    raise AssertionError("unreachable")  # st.stop() ends the script run


LOGIN_PATH = "anmeldung"


def _login_navigation(oidc: ModuleType | None) -> None:
    """The login page as the app's only page, also at every page's address: the menu of an
    earlier session disappears, a deep link shows the login (not "page not found"), and after
    the login the browser is on the page it asked for."""
    from portfolio.ui import navigation

    def render() -> None:
        _login_page(oidc)

    title = tr("login_heading")
    pages = [st.Page(render, title=title, url_path=LOGIN_PATH, default=True)]
    pages += [
        st.Page(render, title=title, url_path=spec.url_path, visibility="hidden")
        for spec in navigation.PAGES
    ]
    st.navigation(pages, position="hidden").run()


# ---- the login page --------------------------------------------------------------------------


def _submit_login() -> None:
    """The login form's callback (runs before the script, so the password field is emptied
    and a successful login shows the first page in the same run)."""
    name = str(st.session_state.get("login_name") or "").strip()
    password = str(st.session_state.get("login_password") or "")
    st.session_state["login_password"] = ""
    st.session_state.pop(ERROR_KEY, None)
    if not name or not password:
        st.session_state[ERROR_KEY] = tr("missing")
        return
    ip = _ip()
    try:
        who = accounts.sign_in(
            _factory(), lambda s: accounts.authenticate(s, name, password, ip=ip)
        )
        with runtime.read_session() as session:
            set_principal(session, who)
            due = accounts.password_change_due(session)
    except SignInRefused as exc:
        st.session_state[ERROR_KEY] = exc.message(runtime.lang())
        return
    except Exception:
        log.exception("the login failed")
        st.session_state[ERROR_KEY] = tr("failed")
        return
    _start(who, "password", must_change=due)
    st.session_state["login_name"] = ""


def _login_page(oidc: ModuleType | None) -> None:
    st.title(tr("title"))
    st.subheader(tr("login_heading"))
    notice = st.session_state.get(NOTICE_KEY)
    if notice == "expired":
        minutes = session_timeout().total_seconds() / 60
        st.info(tr("expired", minutes=f"{minutes:g}"))
    elif notice == "signed_out":
        st.success(tr("signed_out"))
    elif notice == "disabled":
        st.warning(tr("disabled"))
    else:
        st.caption(tr("login_intro"))
    error = st.session_state.get(ERROR_KEY)
    if isinstance(error, str):
        st.error(md(error, lines=True))
    with st.form("login", enter_to_submit=True, width=420):
        st.text_input(tr("name"), key="login_name", autocomplete="username", max_chars=100)
        st.text_input(
            tr("password"),
            key="login_password",
            type="password",
            autocomplete="current-password",
            max_chars=passwords.MAX_LENGTH,
        )
        st.form_submit_button(tr("sign_in"), type="primary", on_click=_submit_login)
    if oidc is not None:
        st.caption(tr("or_oidc"))
        with st.container(width=420):
            oidc.login_button()


# ---- signed in: the sidebar, the password page, the idle timer --------------------------------


def _account_box(who: Principal) -> None:
    method = st.session_state.get(METHOD_KEY)
    if who == DEMO_ADMIN:
        return
    role = role_label(who.role, runtime.lang())
    with st.sidebar:
        with st.container(border=True):
            st.caption(tr("signed_in_as", name=md(who.display_name or who.name), role=md(role)))
            if who.organisation_key:
                st.caption(tr("organisation", organisation=md(who.organisation_key)))
            left, right = st.columns(2)
            if left.button(tr("sign_out"), key="auth_sign_out", width="stretch"):
                _end(who, expired=False)
                oidc = _oidc() if method == "oidc" else None
                if oidc is not None:
                    oidc.logout()  # redirects the browser to the provider's logout
                    st.stop()
                st.rerun()
            if method == "password" and right.button(
                tr("change_password"), key="auth_change_password", width="stretch"
            ):
                st.session_state[CHANGE_REQUESTED_KEY] = True
                st.rerun()
        _idle_timer()


def _idle_timer() -> None:
    """Ends an unattended session without waiting for a click: the fragment reruns on its own
    (without counting as activity) and reloads the app once the timeout has passed."""
    every = max(2.0, min(60.0, session_timeout().total_seconds() / 4))

    @st.fragment(run_every=every)
    def watch() -> None:
        if _expired():
            st.rerun(scope="app")

    watch()


def _submit_change(forced: bool) -> None:
    current = str(st.session_state.get("pw_current") or "")
    new = str(st.session_state.get("pw_new") or "")
    repeat = str(st.session_state.get("pw_repeat") or "")
    for key in _CHANGE_FIELDS:
        st.session_state[key] = ""
    st.session_state.pop(ERROR_KEY, None)
    if new != repeat:
        st.session_state[ERROR_KEY] = tr("mismatch")
        return
    try:
        with runtime.write_session() as session:
            accounts.change_password(session, current=current, new=new, ip=_ip())
    except PortfolioError as exc:
        st.session_state[ERROR_KEY] = exc.message(runtime.lang())
        return
    except Exception:
        log.exception("changing a password failed")
        st.session_state[ERROR_KEY] = tr("failed")
        return
    st.session_state[MUST_CHANGE_KEY] = False
    st.session_state.pop(CHANGE_REQUESTED_KEY, None)
    st.session_state[NOTICE_KEY] = "changed"


def _cancel_change() -> None:
    st.session_state.pop(CHANGE_REQUESTED_KEY, None)
    st.session_state.pop(ERROR_KEY, None)


def _password_page(*, forced: bool) -> None:
    st.title(tr("change_title"))
    if forced:
        st.warning(tr("change_forced"))
    else:
        st.caption(tr("change_intro"))
    st.caption(md(passwords.rules_text(runtime.lang())))
    error = st.session_state.get(ERROR_KEY)
    if isinstance(error, str):
        st.error(md(error, lines=True))
    with st.form("password_change", enter_to_submit=True, width=480):
        st.text_input(
            tr("current"), key="pw_current", type="password", autocomplete="current-password"
        )
        st.text_input(tr("new"), key="pw_new", type="password", autocomplete="new-password")
        st.text_input(tr("repeat"), key="pw_repeat", type="password", autocomplete="new-password")
        st.form_submit_button(tr("save"), type="primary", on_click=_submit_change, args=(forced,))
    if not forced:
        st.button(tr("cancel"), key="pw_cancel", on_click=_cancel_change)


def demo_banner() -> None:
    who = runtime.principal()
    if who == DEMO_ADMIN:
        st.warning(
            "Demo-Modus: ohne Anmeldung als lokale Demo-Administration angemeldet. "
            "Sobald Konten angelegt sind, ist eine Anmeldung nötig."
            if runtime.lang() == "de"
            else "Demo mode: signed in as the local demo administrator without a login. "
            "Once accounts exist, a login is required.",
            icon=":material/info:",
        )
    elif st.session_state.pop(NOTICE_KEY, None) == "changed":
        st.success(tr("changed"))
