"""The publish flag and field groups: set through the service, journaled under the user,
audited, refused on a stale version and for unknown groups or partners (both databases)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.enums import AuditKind, Role
from db.models import AuditEvent, JournalChange, JournalEntry, Project
from portfolio.errors import ConflictError, ValidationFailed
from portfolio.policy import AccessDenied, Principal, set_principal
from portfolio.services import organisations, publication
from tests.factories import make_project


def _project(factory: sessionmaker[Session]) -> tuple[int, int]:
    with factory() as s, s.begin():
        p = make_project(s)
        return p.id, p.version


def test_publish_sets_flag_and_groups_journaled_under_the_user_and_audited(
    factory: sessionmaker[Session],
) -> None:
    pid, version = _project(factory)
    with factory() as s, s.begin():
        set_principal(s, Principal("anna.staff", Role.STAFF))
        p = publication.set_publication(
            s, pid, published=True, groups=["funding", "description"], expected_version=version
        )
        assert p.published is True
        assert p.publish_groups == ["description", "funding"]  # the vocabulary's order
    with factory() as s:
        p2 = s.get(Project, pid)
        assert p2 is not None and p2.published and p2.version == version + 1
        entry = (
            s.execute(
                select(JournalEntry)
                .where(JournalEntry.entity == "project", JournalEntry.entity_id == pid)
                .order_by(JournalEntry.id.desc())
            )
            .scalars()
            .first()
        )
        assert entry is not None and entry.actor == "anna.staff"
        fields = set(
            s.execute(select(JournalChange.field).where(JournalChange.entry_id == entry.id))
            .scalars()
            .all()
        )
        assert {"published", "publish_groups"} <= fields
        event = s.execute(
            select(AuditEvent).where(AuditEvent.kind == str(AuditKind.PUBLICATION_CHANGED))
        ).scalar_one()
        assert event.actor == "anna.staff"
        assert event.subject == p2.key
        assert event.detail["after"] == {"published": True, "groups": ["description", "funding"]}
        rows = {r.key: r for r in publication.publication_rows(s)}
        assert rows[p2.key].published and rows[p2.key].groups == ("description", "funding")


def test_a_save_that_changes_nothing_writes_nothing(factory: sessionmaker[Session]) -> None:
    pid, version = _project(factory)
    with factory() as s, s.begin():
        publication.set_publication(s, pid, published=False, groups=[], expected_version=version)
    with factory() as s:
        assert s.get(Project, pid).version == version  # type: ignore[union-attr]
        assert not s.execute(select(AuditEvent)).scalars().all()


def test_stale_version_is_a_conflict(factory: sessionmaker[Session]) -> None:
    pid, version = _project(factory)
    with factory() as s, s.begin():
        set_principal(s, Principal("bernd.staff", Role.STAFF))
        publication.set_publication(
            s, pid, published=True, groups=["kpis"], expected_version=version
        )
    with factory() as s, pytest.raises(ConflictError) as caught:
        publication.set_publication(s, pid, published=False, groups=[], expected_version=version)
    assert "bernd.staff" in caught.value.message("de")
    with factory() as s:
        p = s.get(Project, pid)
        assert p is not None and p.published and p.publish_groups == ["kpis"]


def test_unknown_groups_are_refused_in_the_users_language(factory: sessionmaker[Session]) -> None:
    pid, version = _project(factory)
    with factory() as s, pytest.raises(ValidationFailed) as caught:
        publication.set_publication(
            s, pid, published=True, groups=["funding", "e-mails"], expected_version=version
        )
    de, en = caught.value.message("de"), caught.value.message("en")
    assert "e-mails" in de and "Veröffentlichte Angaben" in de and "Kosten und Förderung" in de
    assert "e-mails" in en and "Published field groups" in en
    with factory() as s:
        assert s.get(Project, pid).published is False  # type: ignore[union-attr]


def test_a_partner_may_not_publish(factory: sessionmaker[Session]) -> None:
    pid, version = _project(factory)
    with factory() as s:
        org = organisations.get_by_key(s, "STW")  # the project's lead
        set_principal(
            s,
            Principal("stw.partner", Role.PARTNER, organisation_id=org.id, organisation_key="STW"),
        )
        with pytest.raises(AccessDenied):
            publication.set_publication(s, pid, published=True, groups=[], expected_version=version)
