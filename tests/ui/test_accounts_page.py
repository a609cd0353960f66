"""The login gate, the Konten page and the Sicherheitsprotokoll in AppTest: with accounts an
anonymous session gets only the login page; a wrong password, the lockout, the forced change of
an initial password, the idle timeout and the sign-out; the admin pages create, disable, enable,
re-role and reset accounts (the initial password shown once) and list the audit events; other
roles are refused by the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from db.engine import make_session_factory
from db.enums import AuditKind, Role
from db.models import Account, AuditEvent
from portfolio import passwords
from portfolio.policy import Principal, set_principal
from portfolio.services import accounts
from portfolio.ui import auth
from portfolio.ui.runtime import PRINCIPAL_KEY
from tests.fixtures.base import TESTER
from tests.fixtures.ui import APP, ROOT, Query, no_errors, open_page, seen

GOOD = "Rathaus-Bochum-2026"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher.from_parameters(profiles.CHEAPEST))
    monkeypatch.setattr(passwords, "_DUMMY_HASH", [])


def add_account(q: Query, name: str, role: Role = Role.STAFF, **kw: object) -> str:
    """An account with a known, already changed password (``must_change`` to keep it initial)."""
    must_change = bool(kw.pop("must_change", False))

    def create(session: Session) -> str:
        set_principal(session, TESTER)
        created = accounts.create(session, name=name, role=role, **kw)  # type: ignore[arg-type]
        account = session.get(Account, created.account.id)
        assert account is not None
        if not must_change:
            account.password_hash = passwords.hash_password(GOOD)
            account.must_change_password = False
        return created.initial_password or ""

    return q(create)


def audit_count(q: Query, kind: AuditKind, actor: str | None = None) -> int:
    def count(session: Session) -> int:
        stmt = select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == kind)
        if actor is not None:
            stmt = stmt.where(AuditEvent.actor == actor)
        return int(session.scalar(stmt) or 0)

    return q(count)


def anonymous() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    return at


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


@pytest.fixture
def with_accounts(q: Query) -> Iterator[Query]:
    add_account(q, "boss", Role.ADMIN, display_name="Bea Boss")
    yield q


# ---- the gate --------------------------------------------------------------------------------


def test_with_accounts_an_anonymous_session_sees_only_the_login(with_accounts: Query) -> None:
    at = anonymous()
    no_errors(at)
    assert titles(at) == ["Smart-City Portfolio"]
    assert [t.label for t in at.text_input] == ["Anmeldename", "Passwort"]
    assert PRINCIPAL_KEY not in at.session_state
    # nothing of the portfolio: no figures, no tables, no charts, no demo banner
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")
    assert not any("Demo-Modus" in w.value for w in at.warning)


def test_the_login_page_switches_language(with_accounts: Query) -> None:
    at = anonymous()
    at.sidebar.segmented_control(key="lang").set_value("en").run()
    assert [t.label for t in at.text_input] == ["Account name", "Password"]
    assert at.button[0].label == "Sign in"


def test_a_wrong_password_then_the_right_one(with_accounts: Query) -> None:
    at = sign_in(anonymous(), "boss", "falsch")
    assert [e.value for e in at.error] == [
        "Anmeldung fehlgeschlagen\\: Name oder Passwort ist falsch\\."
    ]
    assert at.text_input(key="login_password").value == ""  # emptied after every try
    at = sign_in(at, "BOSS", GOOD)
    no_errors(at)
    assert at.session_state[PRINCIPAL_KEY].name == "boss"
    assert "Übersicht" in titles(at)
    captions = [c.value for c in at.sidebar.caption]
    assert "Angemeldet als **Bea Boss** · Administration" in captions
    assert audit_count(with_accounts, AuditKind.LOGIN_FAILED, "boss") == 1
    assert audit_count(with_accounts, AuditKind.LOGIN, "boss") == 1


def test_the_lockout(with_accounts: Query) -> None:
    at = anonymous()
    for _ in range(5):
        at = sign_in(at, "boss", "falsch")
    assert "15 Minuten gesperrt" in at.error[0].value
    at = sign_in(at, "boss", GOOD)
    assert "gesperrt" in at.error[0].value and PRINCIPAL_KEY not in at.session_state
    assert audit_count(with_accounts, AuditKind.LOCKOUT, "boss") == 1


def test_an_initial_password_must_be_changed_first(q: Query) -> None:
    initial = add_account(q, "j.berg", must_change=True)
    add_account(q, "boss", Role.ADMIN)
    at = sign_in(anonymous(), "j.berg", initial)
    no_errors(at)
    assert titles(at) == ["Passwort ändern"]
    assert "erst dann geht es weiter" in at.warning[0].value
    assert not at.metric and not at.dataframe  # no page before the change
    at.text_input(key="pw_current").input(initial)
    at.text_input(key="pw_new").input("kurz")
    at.text_input(key="pw_repeat").input("kurz")
    at = at.button[0].click().run()
    assert "mindestens 12 Zeichen" in at.error[0].value
    assert titles(at) == ["Passwort ändern"]
    at.text_input(key="pw_current").input(initial)
    at.text_input(key="pw_new").input(GOOD)
    at.text_input(key="pw_repeat").input(GOOD + "x")
    at = at.button[0].click().run()
    assert "stimmen nicht überein" in at.error[0].value
    at.text_input(key="pw_current").input(initial)
    at.text_input(key="pw_new").input(GOOD)
    at.text_input(key="pw_repeat").input(GOOD)
    at = at.button[0].click().run()
    no_errors(at)
    assert "Übersicht" in titles(at)
    assert [s.value for s in at.success] == ["Passwort geändert."]
    assert audit_count(q, AuditKind.PASSWORD_CHANGED, "j.berg") == 1


def test_an_idle_session_expires(with_accounts: Query) -> None:
    at = sign_in(anonymous(), "boss", GOOD)
    assert "Übersicht" in titles(at)
    at.session_state[auth.LAST_SEEN_KEY] = at.session_state[auth.LAST_SEEN_KEY] - dt.timedelta(
        minutes=31
    )
    at.run()
    no_errors(at)
    assert titles(at) == ["Smart-City Portfolio"]
    assert PRINCIPAL_KEY not in at.session_state
    assert "Sitzung ist abgelaufen" in at.info[0].value and "30 Minuten" in at.info[0].value
    assert audit_count(with_accounts, AuditKind.SESSION_EXPIRED, "boss") == 1


def test_the_timeout_comes_from_the_secrets(with_accounts: Query) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["portfolio"] = {"session_timeout_minutes": 5}
    at.run()
    at = sign_in(at, "boss", GOOD)
    at.session_state[auth.LAST_SEEN_KEY] -= dt.timedelta(minutes=4)
    at.run()
    assert "Übersicht" in titles(at)  # 4 minutes idle: still signed in (and touched again)
    at.session_state[auth.LAST_SEEN_KEY] -= dt.timedelta(minutes=6)
    at.run()
    assert "5 Minuten" in at.info[0].value


def test_sign_out(with_accounts: Query) -> None:
    at = sign_in(anonymous(), "boss", GOOD)
    at = at.sidebar.button(key="auth_sign_out").click().run()
    no_errors(at)
    assert titles(at) == ["Smart-City Portfolio"]
    assert [s.value for s in at.success] == ["Sie sind abgemeldet."]
    assert audit_count(with_accounts, AuditKind.LOGOUT, "boss") == 1


def test_a_disabled_account_is_signed_out_at_once(with_accounts: Query) -> None:
    add_account(with_accounts, "j.berg")
    at = sign_in(anonymous(), "j.berg", GOOD)
    assert "Übersicht" in titles(at)

    def disable(session: Session) -> None:
        set_principal(session, TESTER)
        accounts.disable(session, accounts.get_by_name(session, "j.berg").id, expected_version=None)

    with_accounts(disable)
    at.run()
    assert titles(at) == ["Smart-City Portfolio"]
    assert "gesperrt" in at.warning[0].value


def test_without_accounts_the_local_demo_signs_in(demo_db: str) -> None:
    at = anonymous()
    no_errors(at)
    assert at.session_state[PRINCIPAL_KEY] == auth.DEMO_ADMIN
    assert any("Demo-Modus" in w.value for w in at.warning)


def test_no_demo_when_openid_is_configured(demo_db: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "portfolio",
        "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
    }
    at.run()
    assert PRINCIPAL_KEY not in at.session_state
    assert titles(at) == ["Smart-City Portfolio"]
    assert not at.metric and not at.dataframe


# ---- the Konten page -------------------------------------------------------------------------


def test_the_accounts_page_creates_an_account_and_shows_its_password_once(q: Query) -> None:
    add_account(q, "boss", Role.ADMIN)
    at = open_page("accounts")
    no_errors(at)
    assert titles(at) == ["Konten"]
    table = at.dataframe[0].value
    assert list(table["Anmeldename"]) == ["boss"] and list(table["Rolle"]) == ["Administration"]
    at.text_input(key="account_new:name").input("p.stw")
    at.text_input(key="account_new:display_name").input("Stadtwerke *Sachbearbeitung*")
    at.selectbox(key="account_new:role").set_value(Role.PARTNER)
    at.selectbox(key="account_new:organisation").set_value("STW")
    at = at.button(key="FormSubmitter:account_new-Anlegen").click().run()
    no_errors(at)
    initial = at.code[0].value
    assert passwords.problems(initial) == ()
    assert "Erstpasswort für „p.stw“" in seen(at.warning[0].value)
    rows = at.dataframe[0].value
    partner = rows[rows["Anmeldename"] == "p.stw"].iloc[0]
    assert partner["Rolle"] == "Partner" and partner["Organisation"] == "Stadtwerke"
    assert partner["Angezeigter Name"] == "Stadtwerke *Sachbearbeitung*"  # plain text cell
    assert "Erstpasswort" in partner["Stand"]
    at.run()
    assert not at.code  # shown once
    who = accounts.sign_in(
        make_session_factory(q.engine),
        lambda s: accounts.authenticate(s, "p.stw", initial, ip=None),
    )
    assert who.organisation_key == "STW"


def test_the_accounts_page_refuses_bad_input_with_a_message(q: Query) -> None:
    at = open_page("accounts")
    at.text_input(key="account_new:name").input("Mit Leerzeichen")
    at = at.button(key="FormSubmitter:account_new-Anlegen").click().run()
    assert "Kontoname" in at.error[0].value
    assert not at.code


def test_disable_enable_role_and_reset_on_the_page(q: Query) -> None:
    add_account(q, "boss", Role.ADMIN)
    add_account(q, "j.berg")
    at = open_page("accounts")
    account_id = q(lambda s: s.execute(select(Account.id).where(Account.name == "j.berg")).scalar())
    at.selectbox(key="accounts_which").set_value(account_id).run()
    at = at.button(key=f"account:{account_id}:disable").click().run()
    no_errors(at)
    rows = at.dataframe[0].value
    assert rows[rows["Anmeldename"] == "j.berg"].iloc[0]["Stand"] == "gesperrt"
    at = at.button(key=f"account:{account_id}:enable").click().run()
    at.selectbox(key=f"account:{account_id}:role").set_value(Role.LEADERSHIP)
    at = (
        at.button(key=f"FormSubmitter:account:{account_id}:role_form-Rolle speichern").click().run()
    )
    no_errors(at)
    rows = at.dataframe[0].value
    assert rows[rows["Anmeldename"] == "j.berg"].iloc[0]["Rolle"] == "Leitung (CDO)"
    at = at.button(key=f"account:{account_id}:reset").click().run()
    assert passwords.problems(at.code[0].value) == ()
    kinds = q(
        lambda s: list(
            s.execute(
                select(AuditEvent.kind)
                .where(AuditEvent.subject == "j.berg")
                .order_by(AuditEvent.id)
            ).scalars()
        )
    )
    assert kinds == [
        AuditKind.ACCOUNT_CREATED,
        AuditKind.ACCOUNT_DISABLED,
        AuditKind.ACCOUNT_ENABLED,
        AuditKind.ROLE_CHANGED,
        AuditKind.PASSWORD_RESET,
    ]


def test_a_stale_edit_on_the_page_is_a_conflict(q: Query) -> None:
    add_account(q, "boss", Role.ADMIN)
    add_account(q, "j.berg")
    at = open_page("accounts")
    account_id = q(lambda s: s.execute(select(Account.id).where(Account.name == "j.berg")).scalar())
    at.selectbox(key="accounts_which").set_value(account_id).run()

    def meanwhile(session: Session) -> None:
        set_principal(session, TESTER)
        accounts.set_role(session, account_id, Role.VIEWER, expected_version=None)

    q(meanwhile)
    at = at.button(key=f"account:{account_id}:disable").click().run()
    assert "inzwischen geändert" in at.warning[0].value
    assert q(lambda s: s.get(Account, account_id).disabled) is False  # type: ignore[union-attr]


@pytest.mark.parametrize("role", [Role.STAFF, Role.LEADERSHIP, Role.VIEWER])
def test_other_roles_get_no_accounts_and_no_audit(q: Query, role: Role) -> None:
    """Not in their menu, and the page script itself, run without the menu, gets a refusal from
    the services."""
    add_account(q, "boss", Role.ADMIN)
    who = Principal("someone", role)
    for page in ("accounts", "audit"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            open_page(page, principal=who)
        at = AppTest.from_file(str(ROOT / "portfolio/ui/entry" / f"{page}.py"), default_timeout=60)
        at.session_state[PRINCIPAL_KEY] = who
        at.run()
        assert not at.exception and not at.dataframe and not at.code
        assert any("Berechtigung" in e.value for e in at.error), page


# ---- the Sicherheitsprotokoll ----------------------------------------------------------------


def test_the_audit_page_lists_and_filters_events(with_accounts: Query) -> None:
    at = sign_in(anonymous(), "mallory", "falsch")
    at = sign_in(at, "boss", GOOD)
    at = open_page("audit")
    no_errors(at)
    assert titles(at) == ["Sicherheitsprotokoll"]
    rows = at.dataframe[0].value
    assert list(rows["Ereignis"])[:3] == [
        "Anmeldung",
        "Anmeldung fehlgeschlagen",
        "Konto angelegt",
    ]
    assert rows.iloc[0]["Wer"] == "boss" and rows.iloc[0]["Einzelheiten"] == "mit Passwort"
    assert rows.iloc[1]["Wer"] == "mallory"
    assert rows.iloc[0]["Zeitpunkt"].startswith("26.11.2026 ")
    at.multiselect(key="audit_kinds").set_value([AuditKind.LOGIN_FAILED]).run()
    assert list(at.dataframe[0].value["Wer"]) == ["mallory"]
    at.multiselect(key="audit_kinds").set_value([]).run()
    at.text_input(key="audit_name").input("BOS").run()
    assert set(at.dataframe[0].value["Wer"]) == {"boss", "tester"}
