"""The export itself: who may export which workbook (:func:`export_workbook`,
:func:`export_partner_workbook`, a partner's export recorded in the audit log), and the order
the workbook is written in: the instruction sheet, the data sheets, the reference sheets, the
signed ``_meta`` sheet."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from db.enums import AuditKind
from db.models import Organisation
from db.models.base import utcnow
from portfolio import audit
from portfolio.errors import NotFound
from portfolio.exchange import signing
from portfolio.exchange.export.book import Book, Formats
from portfolio.exchange.export.data_sheet import write_data_sheet
from portfolio.exchange.export.instructions import write_instructions
from portfolio.exchange.export.reference_sheets import reference_ranges, write_reference_sheets
from portfolio.exchange.schema import FORMAT_VERSION, META_SHEET, SHEETS, Sheet
from portfolio.exchange.state import (
    Refs,
    Scope,
    load_refs,
    load_rows,
    partner_id,
    scope_project_ids,
)
from portfolio.i18n import t
from portfolio.policy import (
    Action,
    Principal,
    check,
    principal_of,
    require_organisation,
    requires,
)
from portfolio.xlsx import workbook_options

Progress = Callable[[float, str], None]
Loaded = list[tuple[Sheet, list[dict[str, Any]]]]
"""Each data sheet with its rows, as loaded."""


@dataclass
class ExportResult:
    data: bytes
    scope: str
    rows: dict[str, int]
    file_name: str


@requires(Action.EXPORT_DATA)
def export_workbook(
    session: Session,
    *,
    scope: Scope | None = None,
    lang: str = "de",
    now: dt.datetime | None = None,
    progress: Progress | None = None,
    ip: str | None = None,
) -> ExportResult:
    """The exchange workbook for ``scope`` as bytes: the whole portfolio or a list of projects
    (``export_data``); a partner's workbook needs ``partner_exchange`` too and is recorded in the
    audit log like :func:`export_partner_workbook` (in the session's transaction: the caller
    commits)."""
    scope = scope or Scope()
    if scope.partner:
        check(principal_of(session), Action.PARTNER_EXCHANGE)
        return export_partner_workbook(
            session,
            partner=scope.partner,
            project_keys=scope.project_keys,
            lang=lang,
            now=now,
            progress=progress,
            ip=ip,
        )
    return _export(session, scope, lang=lang, now=now, progress=progress)


@requires(Action.PARTNER_EXCHANGE)
def export_partner_workbook(
    session: Session,
    *,
    partner: str | None = None,
    project_keys: tuple[str, ...] | None = None,
    lang: str = "de",
    now: dt.datetime | None = None,
    progress: Progress | None = None,
    ip: str | None = None,
) -> ExportResult:
    """The workbook of one partner organisation (``partner``: its key; a partner's own by
    default, and a partner may export only its own), recorded in the audit log as a partner
    export (who, from where ``ip``; in the session's transaction: the caller commits)."""
    who = principal_of(session)
    org = _organisation_of(session, who, partner)
    require_organisation(who, org.id)
    result = _export(
        session,
        Scope(partner=org.key, project_keys=project_keys),
        lang=lang,
        now=now,
        progress=progress,
    )
    audit.record(
        session,
        AuditKind.PARTNER_EXPORT,
        actor=who.name,
        subject=org.key,
        ip=ip,
        detail={"scope": result.scope, "rows": result.rows, "file": result.file_name}
        | ({"filtered": True} if project_keys is not None else {}),
    )
    return result


def _organisation_of(session: Session, who: Principal, key: str | None) -> Organisation:
    """The organisation a partner export is for: ``key`` (key or name, as the import reads
    it), else the principal's own."""
    if key is None:
        if who.organisation_id is None:
            raise NotFound("organisation", "–")
        found = session.get(Organisation, who.organisation_id)
        if found is None:
            raise NotFound("organisation", str(who.organisation_id))
        return found
    refs = load_refs(session.connection())
    org_id = partner_id(refs, key)
    found = session.get(Organisation, org_id)
    assert found is not None
    return found


PROTECTION = "sheet_password"
"""The ``_meta`` entry holding the password the sheets are protected with."""


def sheet_password(key: bytes, stamp: dt.datetime, scope: Scope) -> str:
    """The sheets' protection password of one export: derived from the server's key, the export
    time and the scope (16 characters; not guessable without the key, the same for the same
    export). Sheet protection guards against slips, not against a determined user; the
    importer's checks of locked cells are what counts."""
    text = f"protect|{stamp.isoformat(timespec='seconds')}|{scope.label}".encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()[:16]


def _export(
    session: Session,
    scope: Scope,
    *,
    lang: str,
    now: dt.datetime | None,
    progress: Progress | None,
) -> ExportResult:
    """The workbook itself (nothing is written to the database)."""
    key = signing.key_of(session.get_bind())
    conn = session.connection()
    refs = load_refs(conn)
    partner_org = partner_id(refs, scope.partner) if scope.partner else None
    if partner_org is not None:
        scope = Scope(
            partner=refs.organisation.by_id[partner_org]["key"], project_keys=scope.project_keys
        )
    project_ids = scope_project_ids(conn, refs, scope)
    stamp = now or utcnow()
    partner_name = refs.organisation.by_id[partner_org]["name"] if partner_org else None
    buffer = io.BytesIO()
    book = _new_book(buffer, lang, stamp, sheet_password(key, stamp, scope), partner_name)
    info = write_instructions(book, scope.label, partner_name)
    loaded = _load_sheets(conn, refs, project_ids, partner_org, lang, progress)
    _write_data_sheets(book, loaded, refs, conn, partner_org is not None, progress)
    counts = {sheet.id: len(rows) for sheet, rows in loaded}
    _write_meta(book, scope, counts, key)
    info.activate()
    book.wb.close()
    if progress:
        progress(1.0, "")
    suffix = scope.partner or t("xlsx_file_scope_all", lang)
    file_name = f"portfolio-{suffix}-{stamp:%Y-%m-%d}.xlsx"
    return ExportResult(buffer.getvalue(), scope.label, counts, file_name)


def _new_book(
    buffer: io.BytesIO, lang: str, stamp: dt.datetime, password: str, partner_name: str | None
) -> Book:
    """An empty workbook writing into ``buffer``, with its properties and formats."""
    wb = xlsxwriter.Workbook(
        buffer, workbook_options(constant_memory=True, default_date_format="DD.MM.YYYY")
    )
    wb.set_properties(
        {
            "title": t("xlsx_properties_title", lang),
            "author": "Smart-City Innovation Unit Bochum",
            "company": "Stadt Bochum",
        }
    )
    fm = Formats(wb)
    heading = t("xlsx_heading", lang) + (f" – {partner_name}" if partner_name else "")
    return Book(wb, fm, lang, heading, stamp, password)


def _load_sheets(
    conn: Connection,
    refs: Refs,
    project_ids: set[int] | None,
    partner_org: int | None,
    lang: str,
    progress: Progress | None,
) -> Loaded:
    """The rows of every data sheet in the scope (the first 30 % of the progress)."""
    loaded: Loaded = []
    for i, sheet in enumerate(SHEETS):
        rows = load_rows(
            conn,
            sheet,
            refs,
            project_ids=project_ids,
            partner_org=partner_org,
            include_archived=False,
        )
        loaded.append((sheet, rows))
        if progress:
            progress(0.3 * (i + 1) / len(SHEETS), sheet.title(lang))
    return loaded


def _write_data_sheets(
    book: Book,
    loaded: Loaded,
    refs: Refs,
    conn: Connection,
    partner: bool,
    progress: Progress | None,
) -> None:
    """The data sheets (the next 60 % of the progress), then the reference sheets their
    dropdowns refer to."""
    # Reference sheets are written after the data sheets but their ranges are needed first:
    # XlsxWriter resolves sheet names only when the formula is written, so compute the names.
    dropdowns = reference_ranges(refs, book.lang)
    total = sum(len(rows) for _, rows in loaded) or 1
    done = 0
    for sheet, rows in loaded:
        write_data_sheet(book, sheet, rows, refs, partner, dropdowns)
        done += len(rows)
        if progress:
            progress(0.3 + 0.6 * done / total, sheet.title(book.lang))
    written = write_reference_sheets(book, refs, conn)
    assert written == dropdowns


def _write_meta(book: Book, scope: Scope, counts: dict[str, int], key: bytes) -> None:
    """The hidden ``_meta`` sheet: format version, export time, scope, language, protection
    password and rows per sheet, signed with the server's ``key``."""
    meta = {
        "format_version": str(FORMAT_VERSION),
        "exported_at": book.stamp.isoformat(timespec="seconds"),
        "scope": scope.label,
        "lang": book.lang,
        # the sheets' protection password: in the signed entries, so the Innovation Unit can lift
        # the protection in an office program and the file still proves where it came from
        PROTECTION: book.password,
        **{f"rows:{k}": str(v) for k, v in counts.items()},
    }
    if scope.project_keys is not None:
        meta["filtered"] = "true"
    meta = signing.sign(meta, key)
    ms = book.wb.add_worksheet(META_SHEET)
    ms.write_string(0, 0, "name")
    ms.write_string(0, 1, "value")
    for r, (k, v) in enumerate(meta.items(), start=1):
        ms.write_string(r, 0, k)
        ms.write_string(r, 1, v)
    ms.hide()
