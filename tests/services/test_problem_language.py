"""A refused value's message names what is allowed in the reader's language: the services hand
over codes and bilingual labels, never German words inside an English message."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from db.enums import ProjectStatus
from portfolio.errors import ValidationFailed
from portfolio.vocab import labels
from tests.factories import make_project


def _refusal(session: Session, **data: object) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as refused:
        make_project(session, **data)
    return refused.value


def test_an_unknown_status_lists_the_statuses_in_each_language(session: Session) -> None:
    refused = _refusal(session, status="done")
    german, english = refused.message("de"), refused.message("en")
    for label in labels(ProjectStatus, "de").values():
        assert label in german
    for label in labels(ProjectStatus, "en").values():
        assert label in english
    assert labels(ProjectStatus, "de")["idea"] not in english


def test_a_date_that_is_no_date_shows_the_format_of_the_language(session: Session) -> None:
    refused = _refusal(session, start_date="31/12/2026")
    assert "TT.MM.JJJJ" in refused.message("de")
    english = refused.message("en")
    assert "DD.MM.YYYY" in english and "TT.MM.JJJJ" not in english
