"""Fristen: the deadline radar and the Kalender-Abos on the page, as the unit and as a partner
(AppTest on the Bochum demo): the rows are the agenda of the signed-in principal, a feed is
made (its address shown once) and revoked."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from db.enums import Role
from db.models import Account, FeedToken
from portfolio.policy import Principal, set_principal
from portfolio.queries import agenda
from portfolio.services import accounts
from tests.fixtures.base import TESTER, TODAY
from tests.fixtures.ui import Query, no_errors, open_page

PAGE = "deadlines"


def _account(q: Query, name: str, role: Role, organisation: str | None = None) -> Principal:
    def make(s: Session) -> Principal:
        set_principal(s, TESTER)
        made = accounts.create(s, name=name, role=role, organisation_key=organisation)
        account = s.get(Account, made.account.id)
        assert account is not None
        account.must_change_password = False
        return accounts.principal_for_account(s, account)

    return q(make)


def _agenda(q: Query, who: Principal) -> list[agenda.AgendaItem]:
    def read(s: Session) -> list[agenda.AgendaItem]:
        set_principal(s, who)
        return agenda.agenda(s, today=TODAY)

    return q(read)


def _rows(at: AppTest) -> list[str]:
    frame = next(f.value for f in at.dataframe if "Fällig am" in f.value.columns)
    return list(frame["Projekt"])


def test_the_unit_sees_every_deadline_and_filters_them(q: Query) -> None:
    staff = _account(q, "m.muster", Role.STAFF)
    at = open_page(PAGE, principal=staff)
    no_errors(at)
    assert [t.value for t in at.title] == ["Fristen"]
    at.segmented_control(key="dl_window").set_value("all").run()
    no_errors(at)
    items = _agenda(q, staff)
    assert _rows(at) == [f"{i.project_key} · {i.project_title}" for i in items]
    links = next(f.value for f in at.dataframe if "Seite" in f.value.columns)["Seite"]
    assert all("/projekt?projekt=" in link for link in links)
    at.segmented_control(key="dl_window").set_value("overdue").run()
    no_errors(at)
    assert _rows(at) == [f"{i.project_key} · {i.project_title}" for i in items if i.overdue]
    at.selectbox(key="dl_org").set_value("STW").run()
    no_errors(at)
    assert len(_rows(at)) <= len([i for i in items if i.overdue])


def test_a_partner_makes_and_revokes_a_feed_of_its_organisation(q: Query) -> None:
    stw = _account(q, "stw.partner", Role.PARTNER, "STW")
    at = open_page(PAGE, principal=stw)
    no_errors(at)
    assert "dl_org" not in [s.key for s in at.selectbox]  # a partner has its own only
    at.segmented_control(key="dl_window").set_value("all").run()
    own = {f"{i.project_key} · {i.project_title}" for i in _agenda(q, stw)}
    assert set(_rows(at)) == own
    links = next(f.value for f in at.dataframe if "Seite" in f.value.columns)["Seite"]
    assert all("/meine-projekte?projekt=" in link for link in links)
    at.radio(key="feed_scope").set_value("organisation").run()
    no_errors(at)
    assert at.selectbox(key="feed_org").options == ["Stadtwerke"]
    at.text_input(key="feed_label").input("Stadtwerke-Fristen")
    at.button(key="feed_create").click().run()
    no_errors(at)
    [address] = [c.value for c in at.code]
    assert "/feeds/" in address and address.endswith(".ics")
    tokens = q(lambda s: list(s.execute(select(FeedToken)).scalars()))
    [token] = tokens
    assert token.label == "Stadtwerke-Fristen" and token.scope == "organisation"
    assert address.rpartition("/")[2].removesuffix(".ics") != token.token_hash
    at.button(key=f"feed_revoke_{token.id}").click().run()
    no_errors(at)
    assert not at.code  # the address was shown once
    assert q(lambda s: s.get(FeedToken, token.id).revoked_at) is not None
    assert f"feed_revoke_{token.id}" not in [b.key for b in at.button]


def test_without_an_account_the_page_says_how_to_get_a_feed(q: Query) -> None:
    at = open_page(PAGE, lang="en", principal=Principal("tester", Role.ADMIN))
    no_errors(at)
    assert [t.value for t in at.title] == ["Deadlines"]
    assert any("portfolio user add" in i.value for i in at.info)
    assert "feed_create" not in [b.key for b in at.button]


def test_an_account_subscribes_to_the_digest_and_leaves_it_again(q: Query) -> None:
    from db.enums import AuditKind
    from db.models import AuditEvent
    from portfolio.services.accounts import AccountRefused

    def make(s: Session) -> Principal:
        set_principal(s, TESTER)
        made = accounts.create(
            s, name="p.stw", role=Role.PARTNER, organisation_key="STW", email="P.Stw@Example.org"
        )
        account = s.get(Account, made.account.id)
        assert account is not None
        account.must_change_password = False
        return accounts.principal_for_account(s, account)

    partner = q(make)

    def wanted(s: Session) -> bool:
        return bool(s.scalar(select(Account.wants_digest).where(Account.name == "p.stw")))

    at = open_page(PAGE, principal=partner)
    no_errors(at)
    assert not wanted_toggle(at).value and not q(wanted)
    assert any("p.stw@example.org" in _plain(c.value) for c in at.caption)
    wanted_toggle(at).set_value(True).run()
    no_errors(at)
    assert q(wanted)
    assert any("jetzt per E-Mail" in _plain(t.value) for t in at.toast)
    assert wanted_toggle(at).value
    wanted_toggle(at).set_value(False).run()
    assert not q(wanted)
    kinds = q(
        lambda s: list(
            s.scalars(
                select(AuditEvent.detail).where(
                    AuditEvent.kind == AuditKind.DIGEST_SUBSCRIPTION, AuditEvent.actor == "p.stw"
                )
            )
        )
    )
    assert kinds == [{"wanted": True}, {"wanted": False}]

    # an account without an address gets the hint, no switch; the service refuses it too
    staff = _account(q, "o.adresse", Role.STAFF)
    at = open_page(PAGE, principal=staff)
    no_errors(at)
    assert not [t for t in at.toggle if t.key == "dl_digest"]
    assert any("keine E-Mail-Adresse" in c.value for c in at.caption)

    def refuse(s: Session) -> str:
        set_principal(s, staff)
        try:
            accounts.set_digest_subscription(s, wanted=True)
        except AccountRefused as exc:
            return exc.message("de")
        return ""

    assert "keine E-Mail-Adresse" in q(refuse)


def wanted_toggle(at: AppTest) -> Any:
    return next(t for t in at.toggle if t.key == "dl_digest")


def _plain(markdown: str) -> str:
    """The text a reader sees of an escaped markdown string (backslashes and word joiners)."""
    return markdown.replace("\\", "").replace("\u2060", "")
