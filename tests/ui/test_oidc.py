"""The OpenID login without a browser (portfolio/ui/oidc.py): when it counts as configured, how
the ID token's claims map to a principal or are refused (on both databases), and the refusal in
a script run. The whole round trip through a provider: tests/ui/test_oidc_browser.py."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from streamlit.errors import StreamlitSecretNotFoundError
from streamlit.testing.v1 import AppTest

from db.enums import AuditKind, Role
from db.models import Account, AuditEvent, Organisation
from portfolio.policy import set_principal
from portfolio.services.accounts import SignInRefused
from portfolio.ui import oidc
from tests.fixtures.base import TESTER
from tests.fixtures.ui import Query

AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-long-random-cookie-secret-for-tests",
    "client_id": "portfolio",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:9400/.well-known/openid-configuration",
}


class _NoSecretsFile:
    def get(self, key: str, default: object = None) -> object:
        raise StreamlitSecretNotFoundError("No secrets found.", error_id="no-secrets-found")


@pytest.mark.parametrize(
    ("secrets", "expected"),
    [
        (_NoSecretsFile(), False),
        ({}, False),
        ({"portfolio": {"x": "y"}}, False),
        ({"auth": AUTH}, True),
        *(({"auth": {**AUTH, key: ""}}, False) for key in oidc.REQUIRED_KEYS),
        *(
            ({"auth": {k: v for k, v in AUTH.items() if k != key}}, False)
            for key in oidc.REQUIRED_KEYS
        ),
    ],
)
def test_configured_needs_the_complete_auth_section(
    monkeypatch: pytest.MonkeyPatch, secrets: Any, expected: bool
) -> None:
    monkeypatch.setattr(st, "secrets", secrets)
    assert oidc.configured() is expected


def _add_accounts(factory: sessionmaker[Session]) -> None:
    with factory() as s, s.begin():
        set_principal(s, TESTER)
        org = s.scalars(select(Organisation).limit(1)).first()
        s.add(Account(name="anna", email="anna@stadt.example", role=Role.STAFF))
        s.add(Account(name="alt", email="alt@stadt.example", role=Role.STAFF, disabled=True))
        if org is not None:
            s.add(
                Account(
                    name="stw",
                    email="partner@stw.example",
                    role=Role.PARTNER,
                    organisation_id=org.id,
                )
            )


def _audit(factory: sessionmaker[Session]) -> list[tuple[str, str, dict[str, Any]]]:
    with factory() as s:
        return [(e.kind, e.actor, e.detail) for e in s.scalars(select(AuditEvent))]


@pytest.mark.parametrize("verified", [True, "true", None])
def test_a_known_email_signs_in_as_its_account(
    factory: sessionmaker[Session], verified: object
) -> None:
    _add_accounts(factory)
    claims: dict[str, object] = {"sub": "x1", "email": " Anna@Stadt.Example "}
    if verified is not None:
        claims["email_verified"] = verified
    who = oidc.sign_in_with_claims(factory, claims, ip="10.0.0.7")
    assert (who.name, who.role, who.organisation_id) == ("anna", Role.STAFF, None)
    assert _audit(factory) == [(AuditKind.LOGIN, "anna", {"method": "oidc"})]


def test_a_partner_signs_in_scoped_to_its_organisation(factory: sessionmaker[Session]) -> None:
    _add_accounts(factory)
    who = oidc.sign_in_with_claims(factory, {"email": "partner@stw.example"}, ip=None)
    assert who.role is Role.PARTNER and who.organisation_id is not None
    assert who.organisation_key


@pytest.mark.parametrize(
    ("claims", "reason", "kind"),
    [
        ({"sub": "s", "email": "fremd@extern.example"}, "unknown_email", "unknown_identity"),
        ({"sub": "s", "email": "alt@stadt.example"}, "disabled", "login_failed"),
        (
            {"sub": "s", "email": "anna@stadt.example", "email_verified": False},
            "email_unverified",
            "login_failed",
        ),
        (
            {"sub": "s", "email": "anna@stadt.example", "email_verified": "false"},
            "email_unverified",
            "login_failed",
        ),
        ({"sub": "s"}, "no_email", "unknown_identity"),
        ({"sub": "s", "email": "  "}, "no_email", "unknown_identity"),
    ],
)
def test_a_refused_login_gives_no_principal_and_is_audited(
    factory: sessionmaker[Session], claims: Mapping[str, object], reason: str, kind: str
) -> None:
    _add_accounts(factory)
    with pytest.raises(SignInRefused) as refused:
        oidc.sign_in_with_claims(factory, claims, ip="10.0.0.7")
    assert refused.value.reason == reason
    assert [(k, detail["reason"]) for k, _, detail in _audit(factory)] == [(kind, reason)]
    for lang in ("de", "en"):  # a sentence, not a code
        text = refused.value.message(lang)
        assert text != reason and len(text.split()) > 5
    with factory() as s:
        assert s.scalar(select(Account.last_login_at).where(Account.name == "anna")) is None


@pytest.fixture
def q(empty_db: str) -> Iterator[Query]:
    """The app's database (no portfolio needed here), for the test's own reads and writes."""
    query = Query(empty_db)
    yield query
    query.engine.dispose()


def _script() -> None:
    import streamlit as st

    from portfolio.ui import oidc

    who = oidc.principal_from_user()
    if who is None:
        oidc.login_button()
    else:
        st.write("angemeldet als " + who.name)


def _app(user: dict[str, Any]) -> AppTest:
    at = AppTest.from_function(_script, default_timeout=30)
    at.secrets["auth"] = AUTH
    at.user = user
    return at


def test_a_script_run_turns_the_streamlit_user_into_the_principal(q: Query) -> None:
    q(lambda s: s.add(Account(name="anna", email="anna@stadt.example", role=Role.STAFF)))
    at = _app({"is_logged_in": True, "email": "anna@stadt.example", "email_verified": True})
    at.run()
    assert not at.exception
    assert [m.value for m in at.markdown] == ["angemeldet als anna"]

    at = _app({"is_logged_in": False})
    at.run()
    assert [b.label for b in at.button] == ["Mit dem Konto der Stadt anmelden"]


def test_a_refused_script_run_stops_with_the_reason_and_audits_once(q: Query) -> None:
    at = _app({"is_logged_in": True, "email": "fremd@extern.example"})
    at.run()
    assert not at.exception
    assert "kein Konto im Portfolio" in at.error[0].value
    assert not [m.value for m in at.markdown if "angemeldet als" in m.value]
    at.run()  # a rerun (a click, the language switch) shows the refusal again
    assert "kein Konto im Portfolio" in at.error[0].value
    events = q(lambda s: list(s.scalars(select(AuditEvent.kind))))
    assert events == [AuditKind.UNKNOWN_IDENTITY]

    at.button(key="oidc_refused_sign_out").click().run()
    assert oidc.REFUSED_KEY not in at.session_state
    assert at.user.get("is_logged_in") is False


def test_a_database_failure_at_the_login_shows_a_message_not_a_traceback(
    q: Query, monkeypatch: pytest.MonkeyPatch
) -> None:
    def away() -> Any:
        raise OSError("database is away")

    monkeypatch.setattr(oidc, "_session_factory", away)
    at = _app({"is_logged_in": True, "email": "anna@stadt.example"})
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [oidc.TEXTS["de"]["unavailable"]]
    assert oidc.REFUSED_KEY not in at.session_state  # the next run tries again


def test_an_expired_city_login_ends_at_the_provider_too(q: Query) -> None:
    """Streamlit's identity cookie would sign the account in again on the next load: an OpenID
    session that timed out is logged out (cookie deleted), not only forgotten."""
    import datetime as dt

    from portfolio import clock
    from portfolio.ui import auth
    from tests.fixtures.ui import APP

    q(lambda s: s.add(Account(name="anna", email="anna@stadt.example", role=Role.STAFF)))
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "anna@stadt.example", "email_verified": True}
    at.run()
    assert not at.exception
    assert at.session_state[auth.METHOD_KEY] == "oidc"
    assert at.user.get("is_logged_in") is True

    idle = auth.session_timeout() + dt.timedelta(minutes=1)
    at.session_state[auth.LAST_SEEN_KEY] = clock.utcnow() - idle
    at.run()
    assert not at.exception
    assert at.user.get("is_logged_in") is False  # st.logout(): the cookie is gone
    assert "principal" not in at.session_state
    kinds = q(lambda s: list(s.scalars(select(AuditEvent.kind).order_by(AuditEvent.id))))
    assert kinds == [AuditKind.LOGIN, AuditKind.SESSION_EXPIRED]
