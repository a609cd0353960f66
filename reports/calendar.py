"""The calendar feed (iCalendar, RFC 5545) of agenda items, built with the icalendar library.

One all-day event per deadline (:class:`portfolio.queries.agenda.AgendaItem`): DTSTART the due
day, DTEND the next day, the item's stable UID (a client updates the event instead of adding a
second one), a German title and description (English with ``lang="en"``) with the link back to
the page where the deadline is worked on, the kind as CATEGORIES, and an alarm at the kind's lead
time (:data:`portfolio.queries.agenda.REMINDER_DAYS`). The events are free time (TRANSP
TRANSPARENT): a deadline does not block the day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import icalendar

from db.enums import DeadlineKind
from portfolio import clock, links
from portfolio.i18n import DEFAULT_LANG
from portfolio.policy import Action, Principal, requires
from portfolio.queries import agenda
from portfolio.vocab import label

PRODID = "-//Stadt Bochum//Smart-City Portfolio//DE"
REFRESH = dt.timedelta(hours=1)
TIMEZONE = "Europe/Berlin"


@requires(Action.READ_DEADLINES)
def build_calendar(
    items: Iterable[agenda.AgendaItem],
    *,
    principal: Principal,
    name: str,
    lang: str = DEFAULT_LANG,
    stamp: dt.datetime | None = None,
) -> icalendar.Calendar:
    """The VCALENDAR of ``items`` as ``principal`` (whose pages the links lead to) reads them;
    ``name`` is the calendar's name, ``stamp`` the DTSTAMP (default: now, from the one clock)."""
    moment = (stamp or clock.utcnow()).astimezone(dt.UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", TIMEZONE)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(REFRESH))
    for item in items:
        cal.add_component(_event(item, principal, lang, moment))
    return cal


def _event(
    item: agenda.AgendaItem, principal: Principal, lang: str, moment: dt.datetime
) -> icalendar.Event:
    link = links.project_page(item.project_key, principal=principal, section=item.section)
    summary = agenda.title(item, lang)
    event = icalendar.Event()
    event.add("uid", item.uid)
    event.add("dtstamp", moment)
    event.add("dtstart", item.due)
    event.add("dtend", item.due + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", f"{agenda.description(item, lang)}\n\n{link}")
    event.add("url", link)
    event.add("categories", [label(DeadlineKind, item.kind, lang)])
    event.add("transp", "TRANSPARENT")
    event.add("class", "PRIVATE")
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", dt.timedelta(days=-item.reminder_days))
    event.add_component(alarm)
    return event


@requires(Action.READ_DEADLINES)
def to_ics(
    items: Iterable[agenda.AgendaItem],
    *,
    principal: Principal,
    name: str,
    lang: str = DEFAULT_LANG,
    stamp: dt.datetime | None = None,
) -> bytes:
    """:func:`build_calendar` as the bytes of a ``text/calendar`` answer (CRLF line ends,
    folded lines, UTF-8)."""
    return build_calendar(items, principal=principal, name=name, lang=lang, stamp=stamp).to_ical()
