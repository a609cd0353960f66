"""The import: validate every cell, compare by key and version, preview, apply all or nothing.

Pipeline: :func:`safety.prescan` → :func:`reader.read_workbook` → in ONE database transaction:
load the current state (one query per sheet) → parse and check each row (types, partner scope,
versions and conflicts, and the services' prepare-and-check step — defaults, keys of new rows,
field specs, derived fields, business and funding rules — on new and changed rows only, the
same step the dashboard's single edits take) → write the valid changes with Core executemany
under a version guard and journal them with :func:`portfolio.journal.record` → keep what follows
from every application the file created or changed in step (its duties and budget years,
:func:`portfolio.services.grant_life.follow`, as after a single edit) → check the rules
across rows (public funding of a project, payment requests of an application) in SQL → commit
only when the file is clean, else (and for a dry run) roll back. The preview is therefore
exactly what applying would do.

This module runs the pipeline; its steps: :mod:`.scope` (the scope the file is read in),
:mod:`.plan` with :mod:`.plan_update` and :mod:`.plan_create` (each row, read by
:mod:`.cells`), :mod:`.write`, :mod:`.follow`, :mod:`.totals`, :mod:`.history` (the import's
record); :mod:`.result` is what it reports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from db.enums import ChangeSource
from portfolio import clock
from portfolio.exchange import signing
from portfolio.exchange.importer.context import FILLED_IN, PREPARE, ImportContext, Progress
from portfolio.exchange.importer.follow import ensure_leads, follow_grants
from portfolio.exchange.importer.history import (
    audit_import,
    count_record,
    open_record,
    past_imports,
    same_file_notice,
)
from portfolio.exchange.importer.plan import plan_sheet
from portfolio.exchange.importer.result import (
    KEEP_CURRENT,
    KEEP_FILE,
    Conflict,
    FieldDiff,
    ImportResult,
    Issue,
    SheetCounts,
    cell_name,
    entity_title,
)
from portfolio.exchange.importer.scope import META_TITLE, open_context, scope_name, verify_meta

# steps called through these names here: tests replace them to make the import fail midway
from portfolio.exchange.importer.totals import check_totals as _check_totals
from portfolio.exchange.importer.write import write_stage as _write_stage
from portfolio.exchange.reader import RawWorkbook, read_workbook
from portfolio.exchange.safety import prescan
from portfolio.exchange.state import Scope
from portfolio.i18n import t
from portfolio.journal import Actor
from portfolio.policy import Action, Principal, requires, set_principal
from portfolio.services import grant_life, projects  # noqa: F401  (tests patch them here)
from portfolio.services.base import is_race

__all__ = [
    "FILLED_IN",
    "KEEP_CURRENT",
    "KEEP_FILE",
    "META_TITLE",
    "PREPARE",
    "Conflict",
    "FieldDiff",
    "ImportResult",
    "Issue",
    "Progress",
    "SheetCounts",
    "cell_name",
    "entity_title",
    "import_workbook",
    "past_imports",
    "scope_name",
    "workbook_scope",
]


def _bind_of(factory: sessionmaker[Session]) -> Any:
    with factory() as session:
        return session.get_bind()


@requires(Action.PARTNER_EXCHANGE)
def workbook_scope(
    factory: sessionmaker[Session], data: bytes, *, principal: Principal
) -> Scope | None:
    """The scope a workbook's ``_meta`` sheet states (None: it has none), its signature checked;
    for the dashboard to preselect it. Raises :class:`UnreadableFile` like the import."""
    book = read_workbook(data)
    return verify_meta(book, signing.key_of(_bind_of(factory)))


@requires(Action.PARTNER_EXCHANGE)
def import_workbook(
    factory: sessionmaker[Session],
    data: bytes,
    *,
    principal: Principal,
    file_name: str,
    scope: Scope | None = None,
    confirm_scope: bool = False,
    dry_run: bool = False,
    lang: str = "de",
    today: dt.date | None = None,
    progress: Progress | None = None,
    ip: str | None = None,
    resolutions: Mapping[tuple[str, str, str], str] | None = None,
) -> ImportResult:
    """Check ``data`` and, unless ``dry_run`` or anything is wrong, apply it in one transaction,
    as ``principal`` (the journal's and the import record's name).

    ``resolutions``: the user's decisions on conflicts, field by field — a
    :attr:`Conflict.decision_key` → :data:`KEEP_FILE` ("keep mine") or :data:`KEEP_CURRENT`
    ("take theirs"). A stale row whose conflicts are all decided is written against the current
    version with the file's values where chosen and the portfolio's elsewhere.

    The scope: see :func:`.scope.open_context` (``scope``: the one asked for; None: the file's;
    ``confirm_scope``: a scope other than the file's is meant). An applied import into a
    partner's scope is recorded in the audit log (from ``ip``).

    Raises :class:`UnreadableFile` for files that can't or mustn't be read (nothing written).
    """
    sha = hashlib.sha256(data).hexdigest()
    key = signing.key_of(_bind_of(factory))
    if progress:
        progress(0.0, "prescan")
    scan = prescan(data)
    if progress:
        progress(0.05, "read")
    book = read_workbook(data, scan=scan)
    file_scope = verify_meta(book, key)
    shown = scope if scope is not None and not principal.is_scoped else file_scope
    result = ImportResult(
        file_name=file_name, sha256=sha, scope=(shown or Scope()).label, dry_run=dry_run
    )
    with factory() as session:
        set_principal(session, principal)
        _apply(
            session,
            book,
            result,
            principal=principal,
            scope=scope,
            file_scope=file_scope,
            confirm_scope=confirm_scope,
            lang=lang,
            today=today or clock.today(),
            progress=progress,
            ip=ip,
            resolutions=resolutions or {},
        )
    if progress:
        progress(1.0, "")
    return result


@requires(Action.PARTNER_EXCHANGE)
def _apply(
    session: Session,
    book: RawWorkbook,
    result: ImportResult,
    *,
    principal: Principal,
    scope: Scope | None,
    file_scope: Scope | None,
    confirm_scope: bool,
    lang: str,
    today: dt.date,
    progress: Progress | None,
    ip: str | None,
    resolutions: Mapping[tuple[str, str, str], str],
) -> None:
    """The import's one transaction in ``session`` (whose principal :func:`import_workbook`'s
    guard allowed: the services' guarded steps inside pass as nested calls)."""
    trans = session.begin()
    try:
        ctx = open_context(
            session,
            result,
            principal=principal,
            asked=scope,
            file_scope=file_scope,
            confirm_scope=confirm_scope,
            lang=lang,
            today=today,
            resolutions=resolutions,
        )
        notice = same_file_notice(ctx)
        if notice is not None:
            result.notices.append(notice)
        record_id = open_record(ctx, principal.name)
        import_actor = Actor(principal.name, ChangeSource.IMPORT, f"import:{record_id}")
        _plan_and_write(ctx, book, import_actor, progress)
        if progress:
            progress(0.85, "write")
        _follow_and_check(ctx, import_actor)
        if progress:
            progress(0.95, "check")
        if result.ok and not result.dry_run:
            count_record(ctx, record_id)
            if ctx.scope.partner:
                audit_import(ctx, principal.name, ip, import_id=record_id)
            trans.commit()
            result.applied = True
            result.import_id = record_id
        else:
            session.rollback()
    except (StaleDataError, DBAPIError) as exc:
        # PostgreSQL: a deadlock or serialization failure with another writer (SQLSTATE
        # 40P01 / 40001). Nothing was applied; the file can simply be imported again.
        session.rollback()
        if not is_race(exc):
            raise
        result.errors.append(Issue("", None, None, t("concurrent_import", lang)))
    except BaseException:
        session.rollback()
        raise


def _plan_and_write(
    ctx: ImportContext, book: RawWorkbook, actor: Actor, progress: Progress | None
) -> None:
    """Sheets in dependency order (the reader sorts them): projects, then the rows that refer
    to projects, payment requests after applications. Each sheet's rows are written before the
    next sheet is read, so rows may refer to new records of earlier sheets; the transaction
    still commits only a clean file."""
    n = len(book.sheets)
    for i, raw in enumerate(book.sheets):
        if progress:
            progress(0.1 + 0.75 * i / n, raw.title)
        planned_before = len(ctx.planned)
        plan_sheet(ctx, raw, progress, 0.1 + 0.75 * i / n, 0.75 / n)
        _write_stage(ctx, actor, ctx.planned[planned_before:])
    if ctx.outdated:
        ctx.result.notices.append(t("outdated_rows", ctx.lang, count=str(ctx.outdated)))
    if ctx.repeated:
        ctx.result.notices.append(t("repeated_rows", ctx.lang, count=str(ctx.repeated)))


def _follow_and_check(ctx: ImportContext, actor: Actor) -> None:
    """What follows from the writes (lead participations, grants), then the rules across rows;
    each only while nothing has failed."""
    if ctx.leads and not ctx.write_failed:
        ensure_leads(ctx, actor)
    if not ctx.write_failed:
        follow_grants(ctx, actor)
    if not ctx.write_failed:
        _check_totals(ctx)
