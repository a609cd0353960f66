"""Published briefs: frozen with their files and figures, listed and downloaded again.

A published brief is never recomputed: its PDF, workbook and figures are stored as they were
(``published_brief``), so an old brief still shows the old numbers after the data changed, and a
later brief compares with exactly the figures this one showed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.enums import AuditKind
from db.models import PublishedBrief
from portfolio import audit
from portfolio.errors import NotFound
from portfolio.i18n import pick
from portfolio.policy import Action, principal_of, requires
from reports.brief import Brief
from reports.pdf import render_pdf
from reports.xlsx import render_xlsx

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class PublishedInfo:
    """A published brief without its files (for lists)."""

    id: int
    published_at: dt.datetime
    actor: str
    scope: str
    as_of: dt.date
    since: dt.date | None
    title: str
    pdf_size: int
    xlsx_size: int


def file_name(scope: str, as_of: dt.date, ext: str, *, brief_id: int | None = None) -> str:
    """``portfolio-bericht_gesamt_2026-11-26.pdf`` or ``…_leitthema-3_…`` (ASCII only)."""
    part = "gesamt" if scope == "all" else "leitthema-" + scope.split(":", 1)[1]
    number = f"_nr{brief_id}" if brief_id is not None else ""
    return f"portfolio-bericht_{part}_{as_of.isoformat()}{number}.{ext}"


@requires(Action.PUBLISH_BRIEF)
def publish(
    session: Session,
    brief: Brief,
    *,
    actor: str | None = None,
    pdf: bytes | None = None,
    xlsx: bytes | None = None,
    ip: str | None = None,
) -> PublishedBrief:
    """Freeze ``brief``: both files and its figures, and record the publication in the audit
    log (who: the session's principal; from where: ``ip``, as Streamlit reports it). ``actor``,
    the publisher the brief names, defaults to the principal's name. The caller commits."""
    who = principal_of(session)
    record = PublishedBrief(
        actor=actor or who.name,
        scope=brief.scope,
        as_of=brief.as_of,
        since=brief.since,
        title=f"{brief.title()} – {brief.scope_label()}"[:300],
        figures=brief.figures_json(),
        pdf=pdf if pdf is not None else render_pdf(brief),
        xlsx=xlsx if xlsx is not None else render_xlsx(brief),
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        AuditKind.BRIEF_PUBLISHED,
        actor=who.name,
        subject=f"{record.scope} {record.as_of.isoformat()}",
        ip=ip,
        detail={"brief_id": record.id, "scope": record.scope, "as_of": record.as_of.isoformat()}
        | ({"publisher": record.actor} if record.actor != who.name else {}),
    )
    return record


@requires(Action.READ_PUBLISHED)
def list_published(session: Session, *, scope: str | None = None) -> Sequence[PublishedInfo]:
    """Newest first, without loading the files."""
    stmt = select(
        PublishedBrief.id,
        PublishedBrief.published_at,
        PublishedBrief.actor,
        PublishedBrief.scope,
        PublishedBrief.as_of,
        PublishedBrief.since,
        PublishedBrief.title,
        func.coalesce(func.length(PublishedBrief.pdf), 0),
        func.coalesce(func.length(PublishedBrief.xlsx), 0),
    ).order_by(PublishedBrief.as_of.desc(), PublishedBrief.id.desc())
    if scope is not None:
        stmt = stmt.where(PublishedBrief.scope == scope)
    return [PublishedInfo(*row) for row in session.execute(stmt)]


@requires(Action.READ_PUBLISHED)
def published_file(session: Session, brief_id: int, kind: str) -> tuple[str, bytes]:
    """(file name, bytes) of a published brief's ``kind`` ("pdf" or "xlsx")."""
    if kind not in MEDIA_TYPES:
        raise ValueError(kind)
    record = session.get(PublishedBrief, brief_id)
    data = getattr(record, kind) if record is not None else None
    if record is None or data is None:
        raise NotFound("published_brief", brief_id)
    return file_name(record.scope, record.as_of, kind, brief_id=record.id), bytes(data)


@requires(Action.SIGNED_IN)
def data_stamp(session: Session) -> tuple[int, int]:
    """(last journal entry, last published brief): changes whenever a brief would change."""
    from db.models import JournalEntry

    journal = session.execute(select(func.max(JournalEntry.id))).scalar_one()
    published = session.execute(select(func.max(PublishedBrief.id))).scalar_one()
    return int(journal or 0), int(published or 0)


@requires(Action.READ_PORTFOLIO)
def theme_choices(session: Session, lang: str) -> list[tuple[str, str]]:
    """(key, name) of every Leitthema, in the concept's order."""
    from db.models import Theme

    return [
        (key, pick(name, name_en, lang))
        for key, name, name_en in session.execute(
            select(Theme.key, Theme.name, Theme.name_en).order_by(Theme.position, Theme.key)
        )
    ]
