"""Saved views: each user's own, replaced by name, deleted for real, checked as text; on both
databases (``factory`` runs on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db.enums import Role
from db.models import JournalEntry, SavedView
from portfolio.errors import NotFound, ValidationFailed
from portfolio.policy import AccessDenied, Principal, set_principal
from portfolio.services import saved_views

ANNA = Principal("anna", Role.STAFF)
BEN = Principal("ben", Role.LEADERSHIP)


def _as(factory: sessionmaker[Session], who: Principal) -> Session:
    session = factory()
    set_principal(session, who)
    return session


def test_views_are_the_owners_replaced_by_name_and_deleted_for_real(
    factory: sessionmaker[Session],
) -> None:
    with _as(factory, ANNA) as s:
        first = saved_views.save(s, page="register", name="Mobilität", query="thema=4")
        saved_views.save(
            s, page="register", name="  Mobilität  ", query="status=implementation&thema=4"
        )
        saved_views.save(s, page="register", name="Alles Rote", query="ampel=red")
        s.commit()
    with _as(factory, BEN) as s:
        assert saved_views.get_all(s, page="register") == []  # nobody else's views
        with pytest.raises(NotFound):
            saved_views.delete(s, first.id)  # nor can he delete them
        s.commit()
    with _as(factory, ANNA) as s:
        views = saved_views.get_all(s, page="register")
        assert [(v.name, v.query) for v in views] == [
            ("Alles Rote", "ampel=red"),
            ("Mobilität", "status=implementation&thema=4"),
        ]
        assert views[1].params() == {"status": ["implementation"], "thema": ["4"]}
        saved_views.delete(s, views[0].id)
        s.commit()
        assert [v.name for v in saved_views.get_all(s, page="register")] == ["Mobilität"]
        assert s.execute(select(func.count()).select_from(SavedView)).scalar_one() == 1
        # a personal setting, not portfolio data: nothing in the journal
        assert (
            s.execute(
                select(func.count())
                .select_from(JournalEntry)
                .where(JournalEntry.entity == "saved_view")
            ).scalar_one()
            == 0
        )


@pytest.mark.parametrize(
    ("name", "query", "field", "code"),
    [
        ("", "thema=1", "view_name", "required"),
        ("x" * 81, "thema=1", "view_name", "too_long"),
        ("a\x07b", "thema=1", "view_name", "control_chars"),
        ("ok", "thema=1&<script>=1", "view_query", "invalid_view"),
        ("ok", "suche=" + "a" * 2000, "view_query", "too_long"),
    ],
)
def test_bad_views_are_refused_at_their_field(
    factory: sessionmaker[Session], name: str, query: str, field: str, code: str
) -> None:
    with _as(factory, ANNA) as s:
        with pytest.raises(ValidationFailed) as caught:
            saved_views.save(s, page="register", name=name, query=query)
        assert [(p.field, p.code) for p in caught.value.problems] == [(field, code)]
        assert caught.value.message("en") and caught.value.message("de")


def test_only_who_may_read_the_register_has_views(factory: sessionmaker[Session]) -> None:
    with _as(factory, Principal("rat", Role.VIEWER)) as s, pytest.raises(AccessDenied):
        saved_views.save(s, page="register", name="Meine", query="thema=1")


def test_normalised_query_is_what_a_link_carries() -> None:
    assert saved_views.normalise_query({"thema": "2", "status": ["planning,implementation"]}) == (
        "status=planning%2Cimplementation&thema=2"
    )
