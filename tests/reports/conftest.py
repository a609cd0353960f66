"""A small portfolio with a history: generated, then moved into the past, then edited today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from db.models import JournalEntry
from portfolio import clock
from portfolio.demo.synthetic import generate
from portfolio.figures import Summary, summary

BASE_DAYS_AGO = 20
SINCE_DAYS_AGO = 10


def move_journal_to(session: Session, day: dt.date) -> None:
    """Pretend every change so far was made at noon (UTC) on ``day``."""
    at = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    session.execute(update(JournalEntry).values(at=at))
    session.flush()


@dataclass
class History:
    today: dt.date
    base: dt.date  # when the generated portfolio was entered
    since: dt.date  # a reference date between base and today
    before: Summary  # the service layer's figures for ``since``, taken before today's edits
    before_theme: Callable[[str], Summary]
    at_base: Summary  # the service layer's figures for ``base``


@pytest.fixture
def history(session: Session) -> History:
    today = clock.today()
    base = today - dt.timedelta(days=BASE_DAYS_AGO)
    since = today - dt.timedelta(days=SINCE_DAYS_AGO)
    generate(session, 40, seed=11, today=base)
    move_journal_to(session, base)
    session.commit()
    before = summary(session, today=since)
    themes = {key: summary(session, today=since, theme_key=key) for key in ("1", "2", "3")}
    at_base = summary(session, today=base)
    return History(today, base, since, before, themes.__getitem__, at_base)
