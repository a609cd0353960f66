"""Veröffentlichung (AppTest on the Bochum demo): the table of every project with its flag and
groups, the preview of what is public, the links, and a partner does not get the page."""

from __future__ import annotations

from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from portfolio.demo.bochum import DEMO_PUBLISHED
from portfolio.services import projects, publication
from tests.fixtures.ui import Query, no_errors, open_page, seen

PAGE = "publication"


def test_the_page_lists_every_project_and_previews_what_is_public(q: Query) -> None:
    at: AppTest = open_page(PAGE)
    no_errors(at)
    assert [t.value for t in at.title] == ["Veröffentlichung"]
    frame = next(f.value for f in at.dataframe if "published" in f.value.columns)
    assert len(frame) == 25
    published = set(frame.loc[frame["published"], "key"])
    assert published == set(DEMO_PUBLISHED)
    assert at.selectbox[0].options[0].startswith("SC-001")
    assert any("oeffentlich" in m.value and "catalog" in m.value for m in at.markdown)
    at.button(key="publication_save").click().run()
    no_errors(at)
    assert [i.value for i in at.info] == ["Keine Änderungen."]


def _edit(at: AppTest, row: int, **values: bool) -> None:
    at.session_state["publication_editor"] = {
        "edited_rows": {row: values},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="publication_save").click().run()


def _stored(q: Query, key: str) -> tuple[bool, list[str], int]:
    def read(s: Session) -> tuple[bool, list[str], int]:
        p = projects.get_by_key(s, key)
        return p.published, list(p.publish_groups), p.version

    return q(read)


def test_saving_publishes_through_the_service_and_a_stale_row_is_a_conflict(q: Query) -> None:
    at = open_page(PAGE, user="anna")
    assert _stored(q, "SC-003")[0] is False
    _edit(at, 2, published=True, funding=True)  # SC-003 (rows in key order)
    no_errors(at)
    assert [seen(s.value) for s in at.success] == [
        "1 Projekt gespeichert."
    ]  # the plural follows the count
    published, groups, version = _stored(q, "SC-003")
    assert published and groups == ["funding"]

    stale = open_page(PAGE, user="bernd")  # reads SC-003 at this version
    q(
        lambda s: publication.set_publication(
            s,
            projects.get_by_key(s, "SC-003").id,
            published=False,
            groups=[],
            expected_version=version,
        )
    )
    _edit(stale, 2, kpis=True)
    assert not stale.exception
    assert stale.warning and "tester" in stale.warning[0].value
    assert _stored(q, "SC-003")[:2] == (False, [])
