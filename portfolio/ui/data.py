"""Cached read models. Every cache key holds the database, the data stamp, the reader's access
and the day.

The public functions take only what the page chooses (theme, filter, page); the private cached
ones add :func:`runtime.database_key`, :func:`runtime.data_stamp`, :func:`runtime.access_key` and
:func:`runtime.today`, so a cached result never outlives a change, mixes two databases or reaches
a user the policy would show other data (Streamlit's caches are shared by every session of the
server). The reads themselves run in the user's session and pass the policy's guards. Results are
small dataclasses.
"""

from __future__ import annotations

import datetime as dt

from portfolio import figures
from portfolio.queries import agenda as agenda_q
from portfolio.queries import budget as budget_q
from portfolio.queries import detail as detail_q
from portfolio.queries import funding_overview as funding_q
from portfolio.queries import overview as overview_q
from portfolio.queries import partners as partners_q
from portfolio.queries import quality as quality_q
from portfolio.queries import register as register_q
from portfolio.queries import timeline as timeline_q
from portfolio.queries.common import theme_id_of
from portfolio.services import proofs
from portfolio.ui.runtime import (
    access_key,
    data_cache,
    data_stamp,
    database_key,
    read_session,
    today,
)


class Stamp:
    """The key parts shared by every cached call of one script run."""

    def __init__(self) -> None:
        self.db = database_key()
        self.stamp = data_stamp()
        self.access = access_key()
        self.today = today()


def stamp() -> Stamp:
    return Stamp()


@data_cache
def _project_counts(db: str, stamp: int, access: str) -> tuple[int, int]:
    from portfolio.queries.common import project_counts

    with read_session() as session:
        return project_counts(session)


def has_projects(s: Stamp, *, archived_too: bool = False) -> bool:
    """Whether the portfolio holds any (active, or also archived) project."""
    active, archived = _project_counts(s.db, s.stamp, s.access)
    return bool(active or (archived_too and archived))


@data_cache
def _summary(db: str, stamp: int, access: str, day: dt.date, theme: str | None) -> figures.Summary:
    with read_session() as session:
        return figures.summary(session, today=day, theme_key=theme)


def summary(s: Stamp, theme: str | None = None) -> figures.Summary:
    return _summary(s.db, s.stamp, s.access, s.today, theme)


@data_cache
def _overview(
    db: str, stamp: int, access: str, day: dt.date, theme: str | None
) -> overview_q.OverviewFigures:
    with read_session() as session:
        return overview_q.overview(session, today=day, theme_key=theme)


def overview(s: Stamp, theme: str | None = None) -> overview_q.OverviewFigures:
    return _overview(s.db, s.stamp, s.access, s.today, theme)


@data_cache
def _deadlines(
    db: str, stamp: int, access: str, day: dt.date, theme: str | None, days: int, limit: int
) -> list[figures.Deadline]:
    with read_session() as session:
        return figures.deadlines(session, today=day, days=days, theme_key=theme, limit=limit)


def deadlines(
    s: Stamp, theme: str | None = None, *, days: int = 90, limit: int = 12
) -> list[figures.Deadline]:
    return _deadlines(s.db, s.stamp, s.access, s.today, theme, days, limit)


@data_cache
def _register_page(
    db: str,
    stamp: int,
    access: str,
    day: dt.date,
    f: register_q.RegisterFilter,
    offset: int,
    limit: int,
) -> register_q.RegisterPage:
    with read_session() as session:
        return register_q.page(session, f, today=day, offset=offset, limit=limit)


def register_page(
    s: Stamp, f: register_q.RegisterFilter, *, offset: int, limit: int
) -> register_q.RegisterPage:
    return _register_page(s.db, s.stamp, s.access, s.today, f, offset, limit)


def register_rows(s: Stamp, f: register_q.RegisterFilter) -> list[register_q.RegisterRow]:
    """Not cached: built on demand for a download."""
    with read_session() as session:
        return register_q.rows(session, f, today=s.today)


@data_cache
def _choices(db: str, stamp: int, access: str) -> detail_q.Choices:
    with read_session() as session:
        return detail_q.choices(session)


def choices(s: Stamp) -> detail_q.Choices:
    return _choices(s.db, s.stamp, s.access)


@data_cache
def _partners(db: str, stamp: int, access: str, day: dt.date) -> list[partners_q.PartnerLine]:
    with read_session() as session:
        return partners_q.partner_lines(session, today=day)


def partners(s: Stamp) -> list[partners_q.PartnerLine]:
    return _partners(s.db, s.stamp, s.access, s.today)


@data_cache
def _partner_detail(
    db: str, stamp: int, access: str, day: dt.date, key: str, offset: int, limit: int
) -> partners_q.PartnerDetail:
    with read_session() as session:
        return partners_q.partner_detail(session, key, today=day, offset=offset, limit=limit)


def partner_detail(
    s: Stamp, key: str, *, offset: int = 0, limit: int = 50
) -> partners_q.PartnerDetail:
    return _partner_detail(s.db, s.stamp, s.access, s.today, key, offset, limit)


@data_cache
def _funding(
    db: str, stamp: int, access: str, day: dt.date, theme: str | None, days: int
) -> funding_q.FundingOverview:
    with read_session() as session:
        return funding_q.funding_overview(session, today=day, theme_key=theme, days=days)


def funding(s: Stamp, theme: str | None = None, *, days: int = 90) -> funding_q.FundingOverview:
    return _funding(s.db, s.stamp, s.access, s.today, theme, days)


@data_cache
def _proof_duties(
    db: str, stamp: int, access: str, day: dt.date, theme: str | None
) -> list[proofs.OpenDuty]:
    with read_session() as session:
        return proofs.open_duties(session, today=day, theme_id=theme_id_of(session, theme))


def proof_duties(s: Stamp, theme: str | None) -> list[proofs.OpenDuty]:
    """The proofs still to hand in (interim proofs, factual reports, proofs of use)."""
    return _proof_duties(s.db, s.stamp, s.access, s.today, theme)


@data_cache
def _budget(
    db: str, stamp: int, access: str, day: dt.date, theme: str | None, lang: str
) -> budget_q.MoneyByBudgetYear:
    with read_session() as session:
        return budget_q.money_by_budget_year(session, theme_key=theme, lang=lang)


def budget(s: Stamp, theme: str | None, lang: str) -> budget_q.MoneyByBudgetYear:
    """Money per budget year and source (grant instalments, own share, paid, refunded)."""
    return _budget(s.db, s.stamp, s.access, s.today, theme, lang)


@data_cache
def _gantt(
    db: str,
    stamp: int,
    access: str,
    day: dt.date,
    theme: str | None,
    partner: str | None,
    statuses: tuple[str, ...],
    only_overdue: bool,
    offset: int,
    limit: int,
) -> timeline_q.Gantt:
    with read_session() as session:
        return timeline_q.gantt(
            session,
            today=day,
            theme_key=theme,
            partner_key=partner,
            statuses=statuses,
            only_overdue=only_overdue,
            offset=offset,
            limit=limit,
        )


def gantt(
    s: Stamp,
    *,
    theme: str | None,
    partner: str | None,
    statuses: tuple[str, ...],
    only_overdue: bool,
    offset: int,
    limit: int,
) -> timeline_q.Gantt:
    return _gantt(
        s.db, s.stamp, s.access, s.today, theme, partner, statuses, only_overdue, offset, limit
    )


@data_cache
def _quality(
    db: str,
    stamp: int,
    access: str,
    day: dt.date,
    theme: str | None,
    reason: str | None,
    offset: int,
    limit: int,
) -> quality_q.QualityReport:
    with read_session() as session:
        return quality_q.quality(
            session, today=day, theme_key=theme, reason=reason, offset=offset, limit=limit
        )


def quality(
    s: Stamp, *, theme: str | None, reason: str | None, offset: int, limit: int
) -> quality_q.QualityReport:
    return _quality(s.db, s.stamp, s.access, s.today, theme, reason, offset, limit)


@data_cache
def _project_keys(db: str, stamp: int, access: str, text: str, limit: int) -> list[tuple[str, str]]:
    with read_session() as session:
        return detail_q.find_projects(session, text, limit=limit)


def project_keys(s: Stamp, text: str = "", *, limit: int = 200) -> list[tuple[str, str]]:
    return _project_keys(s.db, s.stamp, s.access, text, limit)


@data_cache
def _agenda(
    db: str,
    stamp: int,
    access: str,
    day: dt.date,
    organisation: str | None,
    until: dt.date | None,
) -> list[agenda_q.AgendaItem]:
    with read_session() as session:
        return agenda_q.agenda(session, today=day, organisation_key=organisation, until=until)


def agenda(
    s: Stamp, *, organisation: str | None = None, until: dt.date | None = None
) -> list[agenda_q.AgendaItem]:
    """The open deadlines of the Fristen page (:func:`portfolio.queries.agenda.agenda`):
    ``until`` bounds the due date (overdue ones included); a list of ``AgendaItem``."""
    return _agenda(s.db, s.stamp, s.access, s.today, organisation, until)
