"""The Stammdaten page's cached reads, keyed by database, data stamp and access like
:mod:`portfolio.ui.data`."""

from __future__ import annotations

from portfolio.queries import masterdata as md_q
from portfolio.queries.detail import Row
from portfolio.ui.runtime import data_cache, read_session


@data_cache
def organisation_rows(db: str, stamp: int, access: str, archived: bool) -> list[Row]:
    with read_session() as session:
        return md_q.organisation_rows(session, include_archived=archived)


@data_cache
def programme_rows(db: str, stamp: int, access: str, archived: bool) -> list[Row]:
    with read_session() as session:
        return md_q.programme_rows(session, include_archived=archived)


@data_cache
def theme_lines(db: str, stamp: int, access: str) -> list[md_q.ThemeLine]:
    with read_session() as session:
        return md_q.themes(session)
