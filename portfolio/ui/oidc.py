"""Login through the city's identity provider: OpenID Connect with Streamlit's ``st.login``.

Configuration is Streamlit's own (``.streamlit/secrets.toml``, see docs/operations.md and
``.streamlit/secrets.example.toml``): an ``[auth]`` section with ``redirect_uri`` (the app's
address plus ``/oauth2callback``), ``cookie_secret``, ``client_id``, ``client_secret`` and
``server_metadata_url`` (the provider's ``/.well-known/openid-configuration``).

How a login runs (Streamlit 1.67, ``streamlit/web/server/starlette/starlette_auth_routes.py``):
the button calls ``st.login()``, which sends the browser to ``/auth/login``; Streamlit (Authlib)
redirects to the provider, the user signs in there, the provider redirects back to
``/oauth2callback``; Streamlit exchanges the code, checks the ID token and keeps its claims in a
signed, HTTP-only cookie; the page reloads as a new session in which ``st.user`` holds the claims.
Then :func:`principal_from_user` maps the ``email`` claim to an account of our database
(:func:`portfolio.services.accounts.principal_for_email`): the same principal a built-in login
ends in. Streamlit knows nothing of our accounts, so an e-mail without an account gets a clear
message and no access, and so does an address the provider says it has not verified.

The login gate (:mod:`portfolio.ui.auth`) calls :func:`configured`, :func:`login_button`,
:func:`principal_from_user`, :func:`signed_in` and :func:`logout`; nothing else in the dashboard
touches ``st.login`` or ``st.user``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAuthError, StreamlitSecretNotFoundError

from portfolio.policy import Principal
from portfolio.services import accounts
from portfolio.services.accounts import SignInRefused
from portfolio.ui import runtime
from portfolio.ui.components.safe_text import md
from portfolio.ui.runtime import SessionFactory

log = logging.getLogger("portfolio.ui.oidc")

REQUIRED_KEYS = (
    "redirect_uri",
    "cookie_secret",
    "client_id",
    "client_secret",
    "server_metadata_url",
)
"""The keys of the ``[auth]`` section without which there is no OpenID login."""
CALLBACK_PATH = "/oauth2callback"
"""The path Streamlit answers the provider's redirect on: ``redirect_uri`` must end in it."""
REFUSED_KEY = "oidc_refused"
"""Where a refused OpenID login of this browser session is kept (shown again on every rerun,
audited once)."""

TEXTS: Mapping[str, Mapping[str, str]] = {
    "de": {
        "button": "Mit dem Konto der Stadt anmelden",
        "button_help": "Anmeldung über den Anmeldedienst der Stadt (OpenID Connect)",
        "unavailable": (
            "Die Anmeldung über den Anmeldedienst der Stadt ist gerade nicht möglich. "
            "Bitte später erneut versuchen oder die Administration informieren."
        ),
        "title": "Smart-City Portfolio",
        "refused_heading": "Kein Zugang",
        "refused_hint": (
            "Beim Anmeldedienst der Stadt sind Sie weiterhin angemeldet. Um es mit einem "
            "anderen Konto zu versuchen, melden Sie sich zuerst ab."
        ),
        "sign_out": "Abmelden",
    },
    "en": {
        "button": "Sign in with the city account",
        "button_help": "Sign in through the city's identity provider (OpenID Connect)",
        "unavailable": (
            "Signing in through the city's identity provider is not possible right now. "
            "Please try again later or tell the administrators."
        ),
        "title": "Smart-City Portfolio",
        "refused_heading": "No access",
        "refused_hint": (
            "You are still signed in at the city's identity provider. To try another account, "
            "sign out first."
        ),
        "sign_out": "Sign out",
    },
}


# ---- configuration ----------------------------------------------------------------------------


def _auth_section() -> Mapping[str, Any]:
    """Streamlit's ``[auth]`` secrets section, or an empty mapping (no secrets file, no section,
    or a file Streamlit cannot read)."""
    try:
        section = st.secrets.get("auth")
    except StreamlitSecretNotFoundError as exc:
        if getattr(exc, "error_id", None) != "no-secrets-found":
            _warn_once(f"secrets.toml cannot be read, OpenID login is off: {exc}")
        return {}
    return section if isinstance(section, Mapping) else {}


def configured() -> bool:
    """Whether the ``[auth]`` section holds every key the OpenID login needs (never raises)."""
    section = _auth_section()
    missing = tuple(k for k in REQUIRED_KEYS if not _filled(section.get(k)))
    if missing:
        if section:
            _warn_once("OpenID login is off: the [auth] secrets lack " + ", ".join(missing))
        return False
    if not str(section["redirect_uri"]).endswith(CALLBACK_PATH):
        _warn_once(f"the [auth] redirect_uri does not end in {CALLBACK_PATH}: login will fail")
    return True


def _filled(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


@functools.cache
def _warn_once(message: str) -> None:
    """A configuration problem, logged once per process (the gate asks on every run)."""
    log.warning(message)


# ---- the login ----------------------------------------------------------------------------------


def login_button() -> None:
    """The button that starts the OpenID login (``st.login()`` redirects the browser)."""
    if st.button(
        tr("button"), key="oidc_login", type="primary", help=tr("button_help"), width="stretch"
    ):
        try:
            st.login()
        except StreamlitAuthError:
            log.exception("st.login refused the [auth] configuration")
            st.error(tr("unavailable"))


def sign_in_with_claims(
    factory: SessionFactory, claims: Mapping[str, object], *, ip: str | None
) -> Principal:
    """The principal for the ID token's ``claims`` (:func:`accounts.principal_for_claims`), in a
    login transaction of its own that keeps the audit trail of a refusal."""
    return accounts.sign_in(factory, lambda s: accounts.principal_for_claims(s, claims, ip=ip))


def _session_factory() -> SessionFactory:
    return runtime.session_factory()


def _client_ip() -> str | None:
    """The browser's address as Streamlit reports it (None on a loopback connection)."""
    ip = st.context.ip_address
    return ip if isinstance(ip, str) else None


def principal_from_user() -> Principal | None:
    """The principal of the user Streamlit's OpenID login signed in, or None (no OpenID login
    configured, or nobody signed in through it).

    A refused login (no account for the e-mail, a disabled account, an unverified or missing
    e-mail) renders the reason and a sign-out button and stops the script run: no page, no
    portfolio data. The refusal is audited once per browser session.
    """
    if not signed_in():
        return None
    refused = st.session_state.get(REFUSED_KEY)
    if not isinstance(refused, SignInRefused):
        try:
            return sign_in_with_claims(_session_factory(), dict(st.user.to_dict()), ip=_client_ip())
        except SignInRefused as exc:
            refused = exc
            st.session_state[REFUSED_KEY] = exc
        except Exception:  # the database is away: say so, show nothing, try again next run
            log.exception("mapping the OpenID login to an account failed")
            st.title(tr("title"))
            st.error(tr("unavailable"))
            st.stop()
    _show_refusal(refused)
    st.stop()
    raise AssertionError("unreachable")  # st.stop() ends the script run


def _show_refusal(refused: SignInRefused) -> None:
    st.title(tr("title"))
    st.subheader(tr("refused_heading"))
    st.error(md(refused.message(runtime.lang()), lines=True))  # quotes the e-mail claim
    st.caption(tr("refused_hint"))
    if st.button(tr("sign_out"), key="oidc_refused_sign_out"):
        logout()


def signed_in() -> bool:
    """Whether Streamlit's OpenID login holds a user in this browser session (then a sign-out
    or a session timeout must call :func:`logout`, or the identity cookie signs the user in
    again on the next run)."""
    return configured() and bool(st.user.get("is_logged_in"))


def logout() -> None:
    """End the OpenID login: forget the principal of this session, delete Streamlit's identity
    cookie and send the browser to the provider's logout (``end_session_endpoint``), which
    returns it to the app, signed out."""
    st.session_state.pop(runtime.PRINCIPAL_KEY, None)
    st.session_state.pop(REFUSED_KEY, None)
    st.logout()


def tr(key: str) -> str:
    return runtime.tr(TEXTS, key)
