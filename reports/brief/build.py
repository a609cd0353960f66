"""How the brief is put together: its dates, the state of a day it reads, and its reference
figures (frozen in a published brief, else rebuilt); :func:`reports.brief.build_brief` uses them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import PublishedBrief, Theme
from portfolio import clock
from portfolio.figures import (
    SUMMARY_TABLES,
    PartnerFigures,
    ProgrammeFigures,
    Summary,
    ThemeFigures,
    state_at,
    summary_of_state,
)
from portfolio.i18n import pick
from portfolio.policy import Action, requires
from reports.brief.model import DEFAULT_SINCE_DAYS, BriefError, scope_of

# What the reference figures (a whole Summary) read: everything but the status reports.
SINCE_TABLES = SUMMARY_TABLES


def summary_from_json(data: dict[str, Any]) -> Summary:
    """A :class:`Summary` back from :meth:`Summary.to_json` (the frozen figures of a brief).

    Figures a newer version added and an old brief lacks come back as zero.
    """

    def dec(value: Any) -> Decimal:
        return Decimal(str(value if value is not None else 0)).quantize(Decimal("0.01"))

    def made(cls: Any, values: dict[str, Any], **special: Any) -> Any:
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name in special:
                kwargs[f.name] = special[f.name]
                continue
            value = values.get(f.name)
            kind = str(f.type)
            if kind.startswith("Decimal"):
                kwargs[f.name] = dec(value)
            elif kind == "int":
                kwargs[f.name] = int(value or 0)
            elif kind.startswith("dict"):
                kwargs[f.name] = {k: int(v) for k, v in (value or {}).items()}
            else:
                kwargs[f.name] = value
        return cls(**kwargs)

    result: Summary = made(
        Summary,
        data,
        as_of=dt.date.fromisoformat(data["as_of"]),
        themes=[made(ThemeFigures, t) for t in data.get("themes", [])],
        programmes=[made(ProgrammeFigures, p) for p in data.get("programmes", [])],
        partners=[made(PartnerFigures, p) for p in data.get("partners", [])],
    )
    return result


# ---- the state of a day -----------------------------------------------------------------------


@requires(Action.READ_PORTFOLIO)
@contextmanager
def state_session(
    session: Session, day: dt.date, today: dt.date, tables: tuple[Any, ...] | None = None
) -> Iterator[tuple[Session, str]]:
    """A session on the portfolio as it was at the end of ``day``: the live one if nothing has
    changed since, else a session on a rebuilt snapshot. Yields (session, "live"|"journal").
    The same state :func:`portfolio.figures.summary` reads for a past day."""
    with state_at(session, day, today=today, tables=tables) as state:
        yield state


@requires(Action.READ_PUBLISHED)
def published_for(session: Session, scope: str, as_of: dt.date) -> PublishedBrief | None:
    return session.execute(
        select(PublishedBrief)
        .where(PublishedBrief.scope == scope, PublishedBrief.as_of == as_of)
        .order_by(PublishedBrief.id.desc())
        .limit(1)
    ).scalar_one_or_none()


@requires(Action.READ_PUBLISHED)
def last_published_before(session: Session, scope: str, as_of: dt.date) -> PublishedBrief | None:
    return session.execute(
        select(PublishedBrief)
        .where(PublishedBrief.scope == scope, PublishedBrief.as_of < as_of)
        .order_by(PublishedBrief.as_of.desc(), PublishedBrief.id.desc())
        .limit(1)
    ).scalar_one_or_none()


@requires(Action.PUBLISH_BRIEF)
def resolve_dates(
    session: Session,
    *,
    theme_key: str | None,
    as_of: dt.date | None,
    since: dt.date | None,
    today: dt.date | None = None,
) -> tuple[dt.date, dt.date, str | None]:
    """(as_of, since, how since was chosen) with the defaults: today; the last published brief of
    the same scope before the as-of date, else 90 days before it."""
    today = today or clock.today()
    as_of = as_of or today
    if as_of > today:
        raise BriefError("future", as_of=as_of.strftime("%d.%m.%Y"))
    how: str | None = None
    if since is None:
        last = last_published_before(session, scope_of(theme_key), as_of)
        if last is not None:
            since, how = last.as_of, "brief"
        else:
            since, how = as_of - dt.timedelta(days=DEFAULT_SINCE_DAYS), "none"
    if since >= as_of:
        raise BriefError(
            "since_not_before",
            since=since.strftime("%d.%m.%Y"),
            as_of=as_of.strftime("%d.%m.%Y"),
        )
    return as_of, since, how


@requires(Action.READ_PORTFOLIO)
def theme_name_of(session: Session, theme_id: int | None, lang: str) -> str | None:
    """The Leitthema's name in ``lang`` (the German one where there is no English one)."""
    if theme_id is None:
        return None
    row = session.execute(select(Theme.name, Theme.name_en).where(Theme.id == theme_id)).one()
    return pick(row.name, row.name_en, lang)


@requires(Action.READ_PORTFOLIO)
def reference_figures(
    session: Session, theme_key: str | None, since: dt.date, today: dt.date
) -> tuple[Summary, str, int | None]:
    """(figures, source, published brief id) for ``since``: frozen where a brief was published
    for exactly that date, else rebuilt for the day ("journal" or "live")."""
    frozen = published_for(session, scope_of(theme_key), since)
    if frozen is not None and "summary" in (frozen.figures or {}):
        return summary_from_json(frozen.figures["summary"]), "published", frozen.id
    with state_session(session, since, today, SINCE_TABLES) as (s, source):
        before = summary_of_state(s, day=since, theme_key=theme_key)
    return before, source, None
