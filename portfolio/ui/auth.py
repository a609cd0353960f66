"""The login gate: every script run passes here before a page renders.

Returns the signed-in :class:`~portfolio.policy.Principal` (kept in ``st.session_state``), or
renders the login page and stops the run, so an anonymous browser gets nothing but the login.

Demo mode: a server on a loopback address, without OpenID configuration and with no account in
its database, signs in a local demo administrator and says so in a banner (``make run`` on a
fresh checkout). Every other deployment requires a login.
"""

from __future__ import annotations

import ipaddress

import streamlit as st

from db.enums import Role
from portfolio.policy import Principal
from portfolio.ui import runtime

DEMO_ADMIN = Principal("demo-admin", Role.ADMIN, display_name="Demo-Administration")
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


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
    from portfolio.services import accounts

    if not _is_loopback(st.get_option("server.address")):
        return False
    with runtime.read_session() as session:
        return not accounts.sign_in_configured(session)


def gate() -> Principal:
    who = runtime.principal()
    if who is not None:
        return who
    if demo_mode():
        st.session_state[runtime.PRINCIPAL_KEY] = DEMO_ADMIN
        return DEMO_ADMIN
    st.title("Smart-City Portfolio")
    st.info("Bitte melden Sie sich an." if runtime.lang() == "de" else "Please sign in.")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() ends the script run


def demo_banner() -> None:
    if runtime.principal() is DEMO_ADMIN or runtime.principal() == DEMO_ADMIN:
        st.warning(
            "Demo-Modus: ohne Anmeldung als lokale Demo-Administration angemeldet. "
            "Sobald Konten angelegt sind, ist eine Anmeldung nötig."
            if runtime.lang() == "de"
            else "Demo mode: signed in as the local demo administrator without a login. "
            "Once accounts exist, a login is required.",
            icon=":material/info:",
        )
