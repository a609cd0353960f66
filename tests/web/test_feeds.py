"""Calendar feeds (Kalender-Abos) on the Bochum demo, on both databases: the tokens
(:mod:`portfolio.services.feeds`) and ``GET /feeds/{secret}.ics`` parsed back with icalendar.

Every event of a feed is an agenda item of its owner in its scope (the Fristen page's read
model), each exactly once, with stable UIDs, an alarm at the lead time and a link back; a
partner's feed holds only its organisation's projects; a revoked or unknown token and a
disabled owner all get the same 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.testclient import TestClient

from db.enums import AuditKind, FeedScope, Role
from db.models import Account, AuditEvent, FeedToken, Organisation, Participation, Project
from portfolio import links, web
from portfolio.errors import NotFound, ValidationFailed
from portfolio.policy import AccessDenied, Principal, set_principal
from portfolio.queries import agenda
from portfolio.services import accounts, feeds
from portfolio.services.base import unit_of_work
from tests.fixtures.base import TESTER, TODAY
from tests.queries.test_agenda import bochum_sqlite, load_demo

__all__ = ["bochum_sqlite"]  # the fixture, shared with the agenda tests


@dataclass
class Demo:
    factory: sessionmaker[Session]
    client: TestClient

    def principal(self, name: str, role: Role, organisation: str | None = None) -> Principal:
        with unit_of_work(self.factory, TESTER) as session:
            made = accounts.create(session, name=name, role=role, organisation_key=organisation)
            account = session.get(Account, made.account.id)
            assert account is not None
            return accounts.principal_for_account(session, account)

    def create(self, who: Principal, scope: FeedScope, **kwargs: str) -> feeds.CreatedFeed:
        with unit_of_work(self.factory, who) as session:
            return feeds.create(session, scope=scope, **kwargs)

    def agenda(self, who: Principal, **scope: str | None) -> list[agenda.AgendaItem]:
        with self.factory() as session:
            set_principal(session, who)
            return agenda.agenda(session, today=TODAY, **scope)

    def get(self, secret: str) -> tuple[int, bytes, dict[str, str]]:
        answer = self.client.get(f"/feeds/{secret}.ics")
        return answer.status_code, answer.content, dict(answer.headers)

    def calendar(self, secret: str) -> icalendar.Calendar:
        status, body, headers = self.get(secret)
        assert status == 200, body
        assert headers["content-type"] == "text/calendar; charset=utf-8"
        assert headers["cache-control"] == "private, no-store"
        return icalendar.Calendar.from_ical(body)


@pytest.fixture
def demo(
    engine: Engine,
    factory: sessionmaker[Session],
    bochum_sqlite: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Demo]:
    load_demo(engine, factory, bochum_sqlite)
    monkeypatch.setenv("PORTFOLIO_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("PORTFOLIO_BASE_URL", raising=False)
    with TestClient(Starlette(routes=web.routes())) as client:
        yield Demo(factory, client)


def _events(cal: icalendar.Calendar) -> list[icalendar.Event]:
    return list(cal.walk("VEVENT"))


def _uids(cal: icalendar.Calendar) -> list[str]:
    return [str(e["UID"]) for e in _events(cal)]


def _projects_of(demo: Demo, key: str) -> set[str]:
    with demo.factory() as session:
        return set(
            session.execute(
                select(Project.key)
                .join(Participation, Participation.project_id == Project.id)
                .join(Organisation, Organisation.id == Participation.organisation_id)
                .where(Organisation.key == key, Project.archived.is_(False))
            ).scalars()
        )


def test_a_feed_lists_exactly_the_accounts_agenda_once_each_with_alarms(demo: Demo) -> None:
    staff = demo.principal("m.muster", Role.STAFF)
    made = demo.create(staff, FeedScope.ACCOUNT, label="Alle Fristen")
    cal = demo.calendar(made.secret)
    items = demo.agenda(staff)
    assert items
    uids = _uids(cal)
    assert sorted(uids) == sorted(i.uid for i in items)
    assert len(uids) == len(set(uids))
    assert str(cal["X-WR-CALNAME"]) == "Alle Fristen"
    assert str(cal["METHOD"]) == "PUBLISH" and str(cal["VERSION"]) == "2.0"
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Berlin"
    assert cal["REFRESH-INTERVAL"].dt == dt.timedelta(hours=1)
    by_uid = {str(e["UID"]): e for e in _events(cal)}
    for item in items:
        event = by_uid[item.uid]
        assert event.decoded("DTSTART") == item.due
        assert event.decoded("DTEND") == item.due + dt.timedelta(days=1)
        assert str(event["SUMMARY"]) == agenda.title(item)
        link = links.project_page(item.project_key, principal=staff, section=item.section)
        assert str(event["URL"]) == link
        assert str(event["DESCRIPTION"]) == f"{agenda.description(item)}\n\n{link}"
        [alarm] = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm.decoded("TRIGGER") == -dt.timedelta(days=item.reminder_days)
    # a second export: the same events under the same UIDs
    assert _uids(demo.calendar(made.secret)) == uids


def test_the_feed_of_stadtwerke_holds_only_its_projects(demo: Demo) -> None:
    stw = demo.principal("stw.partner", Role.PARTNER, "STW")
    own = _projects_of(demo, "STW")
    every = demo.create(stw, FeedScope.ACCOUNT)
    organisation = demo.create(stw, FeedScope.ORGANISATION, organisation_key="STW")
    for made in (every, organisation):
        cal = demo.calendar(made.secret)
        events = _events(cal)
        assert events
        keys = {str(e["URL"]).rpartition("projekt=")[2] for e in events}
        assert keys <= own
        # the partner's links lead to its own portal
        assert all("/meine-projekte?projekt=" in str(e["URL"]) for e in events)
    expected = sorted(i.uid for i in demo.agenda(stw, organisation_key="STW"))
    assert sorted(_uids(demo.calendar(organisation.secret))) == expected
    assert str(demo.calendar(organisation.secret)["X-WR-CALNAME"]) == "Smart-City-Fristen STW"
    # the unit's feed of the same organisation lists the same deadlines
    staff = demo.principal("m.muster", Role.STAFF)
    unit = demo.create(staff, FeedScope.ORGANISATION, organisation_key="STW")
    assert sorted(_uids(demo.calendar(unit.secret))) == expected


def test_a_project_feed_holds_that_project_only(demo: Demo) -> None:
    staff = demo.principal("m.muster", Role.STAFF)
    key = demo.agenda(staff)[0].project_key
    made = demo.create(staff, FeedScope.PROJECT, project_key=key)
    cal = demo.calendar(made.secret)
    assert sorted(_uids(cal)) == sorted(i.uid for i in demo.agenda(staff, project_key=key))
    assert all(f" · {key} " in str(e["SUMMARY"]) for e in _events(cal))
    assert all(f"projekt={key}" in str(e["URL"]) for e in _events(cal))


def test_revoked_unknown_and_disabled_all_get_the_same_404(demo: Demo) -> None:
    staff = demo.principal("m.muster", Role.STAFF)
    other = demo.principal("e.beispiel", Role.STAFF)
    kept = demo.create(staff, FeedScope.ACCOUNT)
    revoked = demo.create(staff, FeedScope.ACCOUNT)
    of_disabled = demo.create(other, FeedScope.ACCOUNT)
    assert demo.get(revoked.secret)[0] == 200
    with unit_of_work(demo.factory, staff) as session:
        feeds.revoke(session, revoked.feed.id)
    with unit_of_work(demo.factory, TESTER) as session:
        account = session.get(Account, other.account_id)
        assert account is not None
        accounts.disable(session, account.id, expected_version=account.version)
    missing = feeds.SECRET_BYTES * "A"
    answers = [demo.get(s) for s in (revoked.secret, of_disabled.secret, missing, "x", "a.b")]
    assert {status for status, _, _ in answers} == {404}
    assert {body for _, body, _ in answers} == {b"Nicht gefunden."}
    assert demo.get(kept.secret)[0] == 200


def test_only_the_secrets_hash_is_stored_and_the_use_is_noted(demo: Demo) -> None:
    staff = demo.principal("m.muster", Role.STAFF)
    made = demo.create(staff, FeedScope.ACCOUNT)
    assert len(made.secret) >= 43
    assert links.feed(made.secret).endswith(f"/feeds/{made.secret}.ics")
    with demo.factory() as session:
        token = session.get(FeedToken, made.feed.id)
        assert token is not None
        assert token.token_hash == feeds.hash_secret(made.secret) != made.secret
        assert token.last_used_at is None
    demo.get(made.secret)
    with demo.factory() as session:
        token = session.get(FeedToken, made.feed.id)
        assert token is not None and token.last_used_at is not None
        kinds = session.execute(
            select(AuditEvent.kind, AuditEvent.actor).where(
                AuditEvent.kind == AuditKind.FEED_CREATED.value
            )
        ).all()
    assert [tuple(k) for k in kinds] == [(AuditKind.FEED_CREATED.value, "m.muster")]


def test_a_partner_subscribes_only_to_its_own_and_revokes_only_its_own(demo: Demo) -> None:
    stw = demo.principal("stw.partner", Role.PARTNER, "STW")
    staff = demo.principal("m.muster", Role.STAFF)
    foreign = next(iter(set(_project_keys(demo)) - _projects_of(demo, "STW")))
    with pytest.raises(AccessDenied):
        demo.create(stw, FeedScope.ORGANISATION, organisation_key="BOG")
    with pytest.raises(AccessDenied):
        demo.create(stw, FeedScope.PROJECT, project_key=foreign)
    with pytest.raises(ValidationFailed):
        demo.create(stw, FeedScope.PROJECT)
    with pytest.raises(ValidationFailed):
        demo.create(staff, FeedScope.ORGANISATION, organisation_key="NOPE")
    theirs = demo.create(staff, FeedScope.ACCOUNT)
    mine = demo.create(stw, FeedScope.ACCOUNT)
    own = _projects_of(demo, "STW")
    with unit_of_work(demo.factory, stw) as session:
        with pytest.raises(NotFound):
            feeds.revoke(session, theirs.feed.id)
        assert [f.id for f in feeds.get_all(session)] == [mine.feed.id]
        choices = feeds.choices(session)
        assert [k for k, _ in choices.organisations] == ["STW"]
        assert {k for k, _ in choices.projects} == own
        feeds.revoke(session, mine.feed.id)
        assert feeds.get_all(session) == []
        assert [f.id for f in feeds.get_all(session, include_revoked=True)] == [mine.feed.id]
    admin = demo.principal("root.admin", Role.ADMIN)
    with unit_of_work(demo.factory, admin) as session:
        assert feeds.revoke(session, theirs.feed.id).revoked_at is not None
    assert demo.get(theirs.secret)[0] == 404
    with demo.factory() as session:
        revoked = session.execute(
            select(AuditEvent.actor, AuditEvent.subject).where(
                AuditEvent.kind == AuditKind.FEED_REVOKED.value
            )
        ).all()
    assert sorted(tuple(r) for r in revoked) == [
        ("root.admin", "m.muster"),
        ("stw.partner", "stw.partner"),
    ]


def test_a_principal_without_an_account_cannot_make_a_feed(
    factory: sessionmaker[Session],
) -> None:
    with pytest.raises(feeds.FeedRefused) as exc, unit_of_work(factory, TESTER) as session:
        feeds.create(session, scope=FeedScope.ACCOUNT)
    assert "Konto" in exc.value.message("de") and "account" in exc.value.message("en")


def _project_keys(demo: Demo) -> list[str]:
    with demo.factory() as session:
        return list(
            session.execute(select(Project.key).where(Project.archived.is_(False))).scalars()
        )


def test_the_command_line_makes_lists_and_revokes_a_feed_of_the_operators_account(
    demo: Demo, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    from portfolio.cli import main

    partner = demo.principal("stw.partner", Role.PARTNER, "STW")
    db = ["--db", engine.url.render_as_string(hide_password=False), "--user", partner.name]
    assert main([*db, "feed", "add", "--organisation", "STW"]) == 0
    out = capsys.readouterr().out
    address = next(line.strip() for line in out.splitlines() if "/feeds/" in line)
    secret = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert address == links.feed(secret)
    wanted = [i.uid for i in demo.agenda(partner, organisation_key="STW")]
    assert sorted(_uids(demo.calendar(secret))) == sorted(wanted) and wanted

    assert main([*db, "feed", "list"]) == 0
    listed = capsys.readouterr().out
    feed_id = int(listed.split()[0])
    assert secret not in listed and "eine Organisation" in listed

    assert main([*db, "feed", "revoke", str(feed_id)]) == 0
    assert "widerrufen" in capsys.readouterr().out
    assert demo.get(secret)[0] == 404
    # another organisation's projects are refused for a partner's account, nothing is written
    assert main([*db, "feed", "add", "--organisation", "BOG"]) == 1
    assert "Organisation" in capsys.readouterr().err
    assert main([*db, "feed", "list"]) == 0
    assert "Keine aktiven Kalender-Abos" in capsys.readouterr().out
