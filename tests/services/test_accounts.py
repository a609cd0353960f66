"""Accounts and the built-in login, on SQLite and PostgreSQL: creating and managing accounts
(guarded by manage_accounts, audited, never deleted, stale edits are conflicts), the login with
throttling and lockout (also for unknown names, with the same message), the forced change of an
initial password, the OpenID path by e-mail, and the audit log's reader."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from argon2 import PasswordHasher, profiles
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db.engine import make_session_factory
from db.enums import AuditKind, ChangeSource, Role
from db.models import Account, AuditEvent
from portfolio import audit, passwords
from portfolio.errors import ConflictError
from portfolio.passwords import PasswordRejected
from portfolio.policy import AccessDenied, Principal
from portfolio.services import accounts
from portfolio.services.accounts import AccountRefused, SignInRefused
from portfolio.services.base import unit_of_work
from tests.fixtures.base import TESTER

START = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)  # the pinned day, 10:00 in Bochum
GOOD = "Rathaus-Bochum-2026"


def stored(session: Session, name: str) -> Account | None:
    """The stored account of a login name, read without a principal."""
    return session.execute(accounts.named(name)).scalar_one_or_none()


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with the cheapest parameters: the suite stays fast (the rules are the same)."""
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher.from_parameters(profiles.CHEAPEST))
    monkeypatch.setattr(passwords, "_DUMMY_HASH", [])


@pytest.fixture
def clock_at() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def make(
    factory: sessionmaker[Session], name: str, role: Role = Role.STAFF, **kw: object
) -> tuple[int, str]:
    """Create an account as the tester (an administrator); returns its id and initial password."""
    with unit_of_work(factory, TESTER) as session:
        created = accounts.create(session, name=name, role=role, **kw)  # type: ignore[arg-type]
    return created.account.id, created.initial_password or ""


def set_password(factory: sessionmaker[Session], name: str, password: str) -> None:
    with unit_of_work(factory, TESTER) as session:
        account = accounts.get_by_name(session, name)
        account.password_hash = passwords.hash_password(password)
        account.must_change_password = False


def login(
    factory: sessionmaker[Session], name: str, password: str, ip: str | None = "10.0.0.7"
) -> Principal:
    return accounts.sign_in(factory, lambda s: accounts.authenticate(s, name, password, ip=ip))


def events(factory: sessionmaker[Session], kind: AuditKind, actor: str | None = None) -> int:
    with factory() as session:
        stmt = select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == kind)
        if actor is not None:
            stmt = stmt.where(AuditEvent.actor == actor)
        return int(session.scalar(stmt) or 0)


def refused(factory: sessionmaker[Session], name: str, password: str) -> SignInRefused:
    with pytest.raises(SignInRefused) as caught:
        login(factory, name, password)
    return caught.value


# ---- creating and reading --------------------------------------------------------------------


def test_create_gives_an_initial_password_to_change(factory: sessionmaker[Session]) -> None:
    account_id, initial = make(
        factory, " J.Berg ", display_name="Jutta Berg", email="Jutta.Berg@Bochum.de"
    )
    assert passwords.problems(initial) == ()
    with factory() as session:
        account = session.get(Account, account_id)
        assert account is not None
        assert account.name == "j.berg"  # login names are lower case
        assert account.email == "jutta.berg@bochum.de"
        assert account.must_change_password
        assert account.password_hash and account.password_hash.startswith("$argon2id$")
        assert initial not in account.password_hash
    assert events(factory, AuditKind.ACCOUNT_CREATED, TESTER.name) == 1


def test_a_partner_belongs_to_one_organisation(factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory, TESTER) as session:
        with pytest.raises(AccountRefused) as caught:
            accounts.create(session, name="p1", role=Role.PARTNER)
        assert caught.value.reason == "organisation_required"
        with pytest.raises(AccountRefused) as caught:
            accounts.create(session, name="p1", role=Role.PARTNER, organisation_key="NOPE")
        assert caught.value.reason == "organisation_unknown"
        with pytest.raises(AccountRefused) as caught:
            accounts.create(session, name="s1", role=Role.STAFF, organisation_key="STW")
        assert caught.value.reason == "organisation_only_partner"
        created = accounts.create(session, name="p1", role=Role.PARTNER, organisation_key="stw")
        assert created.account.organisation_key == "STW"
    who = login(factory, "p1", created.initial_password or "")
    assert who.role is Role.PARTNER and who.organisation_key == "STW" and who.is_scoped
    assert who.organisation_id is not None and who.account_id == created.account.id


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"name": "Has Space"}, "bad_name"),
        ({"name": "x"}, "bad_name"),
        ({"name": "-dash"}, "bad_name"),
        ({"name": "ok", "email": "no-address"}, "bad_email"),
        ({"name": "ok", "oidc_only": True}, "email_required"),
        ({"name": "ok", "role": "boss"}, "bad_role"),
    ],
)
def test_create_refuses_bad_input_with_a_message(
    factory: sessionmaker[Session], kwargs: dict[str, object], reason: str
) -> None:
    data: dict[str, object] = {"role": Role.STAFF, **kwargs}
    with unit_of_work(factory, TESTER) as session, pytest.raises(AccountRefused) as caught:
        accounts.create(session, **data)  # type: ignore[arg-type]
    assert caught.value.reason == reason
    assert caught.value.message("de") != caught.value.message("en")


def test_names_and_addresses_are_unique_also_against_disabled_accounts(
    factory: sessionmaker[Session],
) -> None:
    account_id, _ = make(factory, "m.muster", email="m.muster@bochum.de")
    make(factory, "other-admin", Role.ADMIN)
    with unit_of_work(factory, TESTER) as session:
        accounts.disable(session, account_id, expected_version=None)
    with unit_of_work(factory, TESTER) as session:
        with pytest.raises(AccountRefused) as caught:
            accounts.create(session, name="M.Muster", role=Role.STAFF)
        assert caught.value.reason == "name_taken"
        with pytest.raises(AccountRefused) as caught:
            accounts.create(session, name="mm2", role=Role.STAFF, email="M.Muster@bochum.de")
        assert caught.value.reason == "email_taken"


def test_oidc_only_accounts_have_no_password(factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory, TESTER) as session:
        created = accounts.create(
            session, name="cdo", role=Role.LEADERSHIP, email="cdo@bochum.de", oidc_only=True
        )
    assert created.initial_password is None
    assert not created.account.has_password and not created.account.must_change_password
    # no password: the built-in login refuses it like any wrong password
    assert refused(factory, "cdo", "").reason == "credentials"


def test_only_administrators_manage_accounts(factory: sessionmaker[Session]) -> None:
    for role in (Role.STAFF, Role.LEADERSHIP, Role.PARTNER, Role.VIEWER):
        who = Principal("x", role, organisation_id=1 if role is Role.PARTNER else None)
        with unit_of_work(factory, who) as session:
            with pytest.raises(AccessDenied):
                accounts.create(session, name="y1", role=Role.VIEWER)
            with pytest.raises(AccessDenied):
                accounts.get_all(session)
            with pytest.raises(AccessDenied):
                audit.events(session)
    anonymous = make_session_factory(factory.kw["bind"])
    with anonymous() as session, pytest.raises(AccessDenied):
        accounts.get_all(session)  # no principal at all


def test_get_all_lists_roles_organisations_and_state(factory: sessionmaker[Session]) -> None:
    make(factory, "b.staff")
    make(factory, "a.partner", Role.PARTNER, organisation_key="BOG")
    with factory() as session:
        from portfolio.policy import set_principal

        set_principal(session, TESTER)
        rows = accounts.get_all(session)
    assert [r.name for r in rows] == ["a.partner", "b.staff"]
    assert rows[0].organisation_key == "BOG" and rows[0].organisation_name == "BOGESTRA"
    assert rows[0].role_label("de") == "Partner"
    assert rows[1].role_label("en") == "Innovation Unit staff"
    assert all(r.must_change_password and r.has_password and not r.disabled for r in rows)


# ---- the built-in login ----------------------------------------------------------------------


def test_a_login_with_the_right_password(
    factory: sessionmaker[Session], clock_at: time_machine.Traveller
) -> None:
    account_id, initial = make(factory, "j.berg", display_name="Jutta Berg")
    who = login(factory, "J.Berg", initial, ip="192.0.2.10")
    assert who == Principal("j.berg", Role.STAFF, account_id=account_id, display_name="Jutta Berg")
    assert who.source is ChangeSource.UI
    with factory() as session:
        account = session.get(Account, account_id)
        assert account is not None and account.last_login_at is not None
        event = session.execute(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.LOGIN)
        ).scalar_one()
        assert (event.actor, event.ip, event.detail) == (
            "j.berg",
            "192.0.2.10",
            {"method": "password"},
        )
        from portfolio.policy import set_principal

        set_principal(session, who)
        assert accounts.password_change_due(session)


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(
    factory: sessionmaker[Session],
) -> None:
    make(factory, "j.berg")
    wrong = refused(factory, "j.berg", "Falsch-Passwort-1")
    unknown = refused(factory, "niemand", "Falsch-Passwort-1")
    assert wrong.reason == unknown.reason == "credentials"
    assert wrong.message("de") == unknown.message("de")
    assert "Name oder Passwort ist falsch" in wrong.message("de")
    assert "name or the password is wrong" in wrong.message("en")
    # both are audited under the tried name, and kept although the login was refused
    assert events(factory, AuditKind.LOGIN_FAILED, "j.berg") == 1
    assert events(factory, AuditKind.LOGIN_FAILED, "niemand") == 1


def test_five_failures_lock_the_name_for_fifteen_minutes(
    factory: sessionmaker[Session], clock_at: time_machine.Traveller
) -> None:
    make(factory, "j.berg")
    set_password(factory, "j.berg", GOOD)
    for _ in range(4):
        assert refused(factory, "j.berg", "nope").reason == "credentials"
    fifth = refused(factory, "j.berg", "nope")
    assert fifth.reason == "locked" and fifth.minutes == 15
    assert "15 Minuten gesperrt" in fifth.message("de")
    assert events(factory, AuditKind.LOCKOUT, "j.berg") == 1
    # locked: even the right password is refused, and not checked
    clock_at.shift(dt.timedelta(minutes=10))
    still = refused(factory, "j.berg", GOOD)
    assert still.reason == "locked" and still.minutes == 5
    assert events(factory, AuditKind.ACCESS_DENIED, "j.berg") == 1
    # after the lock the count starts afresh, and the right password works
    clock_at.shift(dt.timedelta(minutes=6))
    assert refused(factory, "j.berg", "nope").reason == "credentials"
    assert login(factory, "j.berg", GOOD).name == "j.berg"


def test_unknown_names_lock_the_same_way(
    factory: sessionmaker[Session], clock_at: time_machine.Traveller
) -> None:
    answers = [refused(factory, "admin", f"guess-{n}").reason for n in range(6)]
    assert answers == ["credentials"] * 4 + ["locked", "locked"]
    assert events(factory, AuditKind.LOCKOUT, "admin") == 1
    clock_at.shift(dt.timedelta(minutes=16))
    assert refused(factory, "admin", "guess").reason == "credentials"


def test_failures_count_within_the_window_and_a_success_resets_them(
    factory: sessionmaker[Session], clock_at: time_machine.Traveller
) -> None:
    make(factory, "j.berg")
    set_password(factory, "j.berg", GOOD)
    for _ in range(4):
        refused(factory, "j.berg", "nope")
    login(factory, "j.berg", GOOD)  # resets
    for _ in range(4):
        assert refused(factory, "j.berg", "nope").reason == "credentials"
    clock_at.shift(dt.timedelta(minutes=16))  # the four are out of the window
    for _ in range(4):
        assert refused(factory, "j.berg", "nope").reason == "credentials"
    with factory() as session:
        account = stored(session, "j.berg")
        assert account is not None and account.failed_logins == 4


def test_a_disabled_account_is_refused(factory: sessionmaker[Session]) -> None:
    account_id, _ = make(factory, "j.berg")
    set_password(factory, "j.berg", GOOD)
    with unit_of_work(factory, TESTER) as session:
        accounts.disable(session, account_id, expected_version=None)
    assert refused(factory, "j.berg", GOOD).reason == "disabled"
    assert refused(factory, "j.berg", "nope").reason == "credentials"  # tells nothing more
    with unit_of_work(factory, TESTER) as session:
        accounts.enable(session, account_id, expected_version=None)
    assert login(factory, "j.berg", GOOD).name == "j.berg"
    with factory() as session:
        assert session.get(Account, account_id) is not None  # never deleted
    assert not hasattr(accounts, "delete")


def test_a_hash_with_old_parameters_is_replaced_at_login(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    make(factory, "j.berg")
    set_password(factory, "j.berg", GOOD)
    with factory() as session:
        old = stored(session, "j.berg").password_hash  # type: ignore[union-attr]
    stronger = PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "HASHER", stronger)
    login(factory, "j.berg", GOOD)
    with factory() as session:
        new = stored(session, "j.berg").password_hash  # type: ignore[union-attr]
    assert new != old and new is not None and "m=1024,t=2,p=1" in new
    assert login(factory, "j.berg", GOOD).name == "j.berg"


# ---- changing and resetting passwords ----------------------------------------------------------


def test_change_password_checks_the_current_one_and_the_rules(
    factory: sessionmaker[Session],
) -> None:
    account_id, initial = make(factory, "j.berg", email="jutta.berg@bochum.de")
    who = login(factory, "j.berg", initial)
    with unit_of_work(factory, who) as session, pytest.raises(AccountRefused) as caught:
        accounts.change_password(session, current="falsch", new=GOOD)
    assert caught.value.reason == "wrong_password"
    for new, reason in (
        ("kurz", "too_short"),
        ("Jutta.Berg-1234", "contains_email"),
        (initial, "same_as_old"),
    ):
        with unit_of_work(factory, who) as session, pytest.raises(PasswordRejected) as rejected:
            accounts.change_password(session, current=initial, new=new)
        assert reason in rejected.value.reasons
    with unit_of_work(factory, who) as session:
        accounts.change_password(session, current=initial, new=GOOD, ip="10.1.1.1")
    with factory() as session:
        account = session.get(Account, account_id)
        assert account is not None
        assert not account.must_change_password and account.password_changed_at is not None
    assert events(factory, AuditKind.PASSWORD_CHANGED, "j.berg") == 1
    assert refused(factory, "j.berg", initial).reason == "credentials"
    assert login(factory, "j.berg", GOOD).name == "j.berg"


def test_reset_password_gives_a_new_initial_one_and_lifts_a_lock(
    factory: sessionmaker[Session], clock_at: time_machine.Traveller
) -> None:
    account_id, _ = make(factory, "j.berg")
    set_password(factory, "j.berg", GOOD)
    for _ in range(5):
        refused(factory, "j.berg", "nope")
    assert refused(factory, "j.berg", GOOD).reason == "locked"
    with unit_of_work(factory, TESTER) as session:
        fresh = accounts.reset_password(session, account_id, expected_version=None)
    assert passwords.problems(fresh) == ()
    who = login(factory, "j.berg", fresh)
    with factory() as session:
        from portfolio.policy import set_principal

        set_principal(session, who)
        assert accounts.password_change_due(session)
    assert events(factory, AuditKind.PASSWORD_RESET) == 1


# ---- roles, disabling, conflicts ----------------------------------------------------------------


def test_set_role_is_audited_with_old_and_new(factory: sessionmaker[Session]) -> None:
    account_id, initial = make(factory, "j.berg")
    with unit_of_work(factory, TESTER) as session:
        with pytest.raises(AccountRefused):
            accounts.set_role(session, account_id, Role.PARTNER, expected_version=None)
        accounts.set_role(
            session, account_id, Role.PARTNER, organisation_key="STW", expected_version=None
        )
    with factory() as session:
        event = session.execute(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.ROLE_CHANGED)
        ).scalar_one()
        assert event.actor == "tester" and event.subject == "j.berg"
        assert event.detail["old"] == "staff" and event.detail["new"] == "partner"
        assert event.detail["new_organisation"] == "STW"
    who = login(factory, "j.berg", initial)
    assert who.role is Role.PARTNER and who.organisation_key == "STW"


def test_a_stale_edit_is_a_conflict(factory: sessionmaker[Session]) -> None:
    account_id, _ = make(factory, "j.berg")
    with unit_of_work(factory, TESTER) as session:
        version = accounts.get(session, account_id).version
    with unit_of_work(factory, TESTER) as session:
        accounts.set_role(session, account_id, Role.VIEWER, expected_version=version)
    for change in (
        lambda s: accounts.set_role(s, account_id, Role.ADMIN, expected_version=version),
        lambda s: accounts.disable(s, account_id, expected_version=version),
        lambda s: accounts.reset_password(s, account_id, expected_version=version),
    ):
        with pytest.raises(ConflictError), unit_of_work(factory, TESTER) as session:
            change(session)


def test_the_own_and_the_last_administrator_account_stay(
    factory: sessionmaker[Session],
) -> None:
    boss_id, _ = make(factory, "boss", Role.ADMIN)
    boss = Principal("boss", Role.ADMIN, account_id=boss_id)
    with unit_of_work(factory, boss) as session:
        with pytest.raises(AccountRefused) as caught:
            accounts.disable(session, boss_id, expected_version=None)
        assert caught.value.reason == "own_account"
    # the CLI's bootstrap operator has no account: the last administrator still stays
    with unit_of_work(factory, TESTER) as session:
        with pytest.raises(AccountRefused) as caught:
            accounts.set_role(session, boss_id, Role.STAFF, expected_version=None)
        assert caught.value.reason == "last_admin"
    make(factory, "deputy", Role.ADMIN)
    with unit_of_work(factory, TESTER) as session:
        accounts.set_role(session, boss_id, Role.STAFF, expected_version=None)


def test_refresh_follows_the_account(factory: sessionmaker[Session]) -> None:
    account_id, initial = make(factory, "j.berg")
    who = login(factory, "j.berg", initial)
    with unit_of_work(factory, TESTER) as session:
        accounts.set_role(session, account_id, Role.VIEWER, expected_version=None)
    with unit_of_work(factory, who) as session:
        fresh = accounts.refresh(session)
    assert fresh is not None and fresh.role is Role.VIEWER
    with unit_of_work(factory, TESTER) as session:
        accounts.disable(session, account_id, expected_version=None)
    with unit_of_work(factory, who) as session:
        assert accounts.refresh(session) is None
    with unit_of_work(factory, TESTER) as session:
        assert accounts.refresh(session) == TESTER  # no account: stays as it is


# ---- OpenID Connect: the e-mail names the account ---------------------------------------------


def test_principal_for_email_is_case_insensitive(factory: sessionmaker[Session]) -> None:
    make(factory, "p.stw", Role.PARTNER, organisation_key="STW", email="clerk@stadtwerke.de")
    who = accounts.sign_in(
        factory,
        lambda s: accounts.principal_for_email(s, " Clerk@Stadtwerke.DE ", ip="198.51.100.4"),
    )
    assert (who.name, who.role, who.organisation_key) == ("p.stw", Role.PARTNER, "STW")
    with factory() as session:
        event = session.execute(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.LOGIN)
        ).scalar_one()
        assert event.detail == {"method": "oidc"} and event.ip == "198.51.100.4"


def test_an_unknown_or_disabled_email_gets_no_access(factory: sessionmaker[Session]) -> None:
    account_id, _ = make(factory, "j.berg", email="jutta.berg@bochum.de")
    with pytest.raises(SignInRefused) as caught:
        accounts.sign_in(
            factory, lambda s: accounts.principal_for_email(s, "who@example.org", ip=None)
        )
    assert caught.value.reason == "unknown_email"
    assert "who@example.org" in caught.value.message("de")
    assert "no portfolio account" in caught.value.message("en")
    assert events(factory, AuditKind.UNKNOWN_IDENTITY, "who@example.org") == 1
    with unit_of_work(factory, TESTER) as session:
        accounts.disable(session, account_id, expected_version=None)
    with pytest.raises(SignInRefused) as caught:
        accounts.sign_in(
            factory, lambda s: accounts.principal_for_email(s, "jutta.berg@bochum.de", ip=None)
        )
    assert caught.value.reason == "disabled"


# ---- the audit log ----------------------------------------------------------------------------


def test_audit_events_newest_first_with_filters(factory: sessionmaker[Session]) -> None:
    make(factory, "j.berg")
    refused(factory, "j.berg", "nope")
    refused(factory, "someone", "nope")
    with unit_of_work(factory, TESTER) as session:
        rows, total = audit.events(session)
        assert total == 3 and rows[0].kind == AuditKind.LOGIN_FAILED
        assert rows[-1].kind == AuditKind.ACCOUNT_CREATED
        rows, total = audit.events(session, kinds=[AuditKind.LOGIN_FAILED])
        assert total == 2
        rows, total = audit.events(session, name="BERG")
        assert {r.kind for r in rows} == {AuditKind.LOGIN_FAILED, AuditKind.ACCOUNT_CREATED}
        rows, total = audit.events(session, limit=1)
        assert len(rows) == 1 and total == 3
    assert audit.kind_label(AuditKind.LOCKOUT, "de") == "Anmeldung gesperrt"
    assert audit.kind_label(AuditKind.LOCKOUT, "en") == "Sign-in locked"
