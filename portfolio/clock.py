"""The one clock of the product: "today" and "now" come from here and nowhere else.

- Local time is Europe/Berlin (:data:`LOCAL_TZ`): the day a figure, a deadline or a brief refers
  to is the day in Bochum, whatever time zone the host runs in.
- ``PORTFOLIO_TODAY`` (an ISO date, ``2026-11-26``) pins the reference day for demos, screenshots
  and tests. :func:`now` then keeps the wall clock's time of day on that day, so journal entries
  written under a pinned day still sort in the order they were made and fall on that day.
- Timestamps are timezone-aware. :func:`utcnow` is what the database stores; :func:`to_local`
  is what a user sees.

Callers that take a ``today`` argument pass it on instead of asking again, so one action sees one
day even across midnight.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

from db.models.base import use_clock

LOCAL_TZ = ZoneInfo("Europe/Berlin")
ENV_TODAY = "PORTFOLIO_TODAY"


class ClockConfigError(ValueError):
    """``PORTFOLIO_TODAY`` is set but is not an ISO date (shown to users like a PortfolioError).

    The clock imports nothing of the domain when loaded, so every module may use it; the
    message comes from the catalogue of :mod:`portfolio.i18n` when it is said.
    """

    def __init__(self, raw: str) -> None:
        self.raw = raw
        super().__init__(self.message())

    def message(self, lang: str = "de") -> str:
        from portfolio.i18n import t  # at call time: the texts import the clock, not the reverse

        return t("clock_bad_today", lang, variable=ENV_TODAY, value=repr(self.raw))


def pinned_day() -> dt.date | None:
    """The day ``PORTFOLIO_TODAY`` pins, or None when it is not set."""
    raw = os.environ.get(ENV_TODAY, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ClockConfigError(raw) from None


def _wall_local() -> dt.datetime:
    return dt.datetime.now(LOCAL_TZ)


def now() -> dt.datetime:
    """The current moment, timezone-aware in local time (on the pinned day, if one is set)."""
    wall = _wall_local()
    day = pinned_day()
    if day is None:
        return wall
    return dt.datetime.combine(day, wall.timetz().replace(tzinfo=None), tzinfo=LOCAL_TZ)


def utcnow() -> dt.datetime:
    """:func:`now` in UTC: what timestamps in the database hold."""
    return now().astimezone(dt.UTC)


def today() -> dt.date:
    """The reference day of every rule, figure and report: the local day, or the pinned one."""
    day = pinned_day()
    return day if day is not None else _wall_local().date()


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A stored timestamp as an aware UTC instant; naive values (SQLite hands them back so)
    are read as UTC. The one place that says how a stored time is read."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def to_local(moment: dt.datetime) -> dt.datetime:
    """A stored timestamp in local time; naive values (SQLite) are read as UTC."""
    return as_utc(moment).astimezone(LOCAL_TZ)


use_clock(utcnow)
