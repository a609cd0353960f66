"""The scope an import runs in — the one the file's signed ``_meta`` sheet states, the one the
user asks for (confirmed when it differs), and a partner's own, whatever either says — and the
import's context opened in it: what the import needs to know of the portfolio before the
first sheet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import ActionField, FundingProgramme, Organisation, Participation
from portfolio.exchange import signing
from portfolio.exchange.importer.context import ImportContext
from portfolio.exchange.importer.result import ImportResult, Issue
from portfolio.exchange.importer.totals import cap_breaches
from portfolio.exchange.reader import RawWorkbook
from portfolio.exchange.safety import UnreadableFile
from portfolio.exchange.schema import FORMAT_VERSION
from portfolio.exchange.state import Refs, Scope, lead_project_ids, load_refs, partner_id
from portfolio.i18n import t
from portfolio.policy import AccessDenied, Action, Principal, requires
from portfolio.policy import check as allow

META_TITLE = "_meta"


@requires(Action.PARTNER_EXCHANGE)
def open_context(
    session: Session,
    result: ImportResult,
    *,
    principal: Principal,
    asked: Scope | None,
    file_scope: Scope | None,
    confirm_scope: bool,
    lang: str,
    today: dt.date,
    resolutions: Mapping[tuple[str, str, str], str],
) -> ImportContext:
    """The import's context in the scope it runs in (see :func:`_resolve_scope`): the
    references, a partner's projects and the ones it leads, the caps exceeded already."""
    conn = session.connection()
    refs = load_refs(conn)
    scope = _resolve_scope(refs, principal, asked, file_scope, confirm_scope, result, lang)
    result.scope = scope.label
    partner_org = partner_id(refs, scope.partner) if scope.partner else None
    partner_projects = None
    if partner_org is not None:
        partner_projects = set(
            conn.execute(
                select(Participation.project_id).where(Participation.organisation_id == partner_org)
            ).scalars()
        )
    _preload(session)
    ctx = ImportContext(
        session, conn, refs, scope, partner_org, partner_projects, lang, today, result
    )
    ctx.cap_breaches_before = cap_breaches(ctx)
    ctx.locked_by_file = file_scope is not None and bool(file_scope.partner)
    ctx.resolutions = resolutions
    ctx.author = (principal.display_name or principal.name)[:200]
    if partner_org is not None:
        ctx.partner_leads = lead_project_ids(conn, partner_org)
    return ctx


def _preload(session: Session) -> None:
    """Reference rows the rule functions look up by id, into the identity map in one go."""
    session.execute(select(ActionField)).scalars().all()
    session.execute(select(Organisation)).scalars().all()
    session.execute(
        select(FundingProgramme).options(selectinload(FundingProgramme.phases))
    ).scalars().all()


def verify_meta(book: RawWorkbook, key: bytes) -> Scope | None:
    """The scope the file's ``_meta`` sheet states, after checking its signature and format
    (None: the file has no ``_meta``). Raises :class:`UnreadableFile` for a changed sheet, one
    signed with another key and one from before the signature (export again)."""
    meta = book.meta
    if meta is None:
        return None
    verdict = signing.verify(meta, key)
    if verdict is signing.Verdict.UNSIGNED:
        raise UnreadableFile("meta_unsigned")
    if verdict is signing.Verdict.OTHER_KEY:
        raise UnreadableFile("meta_other_key")
    if verdict is not signing.Verdict.VALID:
        raise UnreadableFile("meta_tampered")
    try:
        version = int(meta.get("format_version", "0"))
    except ValueError:
        raise UnreadableFile("meta_tampered") from None
    if version != FORMAT_VERSION:
        raise UnreadableFile("format_version", found=str(version), expected=str(FORMAT_VERSION))
    return Scope.parse(meta.get("scope", "all"))


def scope_name(refs: Refs, scope: Scope | None, lang: str) -> str:
    """A scope as users read it: "Gesamtes Portfolio", "Stadtwerke Bochum GmbH (STW)"."""
    if scope is None:
        return t("scope_unknown_name", lang)
    if not scope.partner:
        return t("scope_all_name", lang)
    org_id = refs.organisation.resolve(scope.partner)
    org = refs.organisation.by_id.get(org_id) if org_id is not None else None
    return f"{org['name']} ({org['key']})" if org else scope.partner


def _same_scope(refs: Refs, a: Scope, b: Scope) -> bool:
    if not a.partner or not b.partner:
        return not a.partner and not b.partner
    return refs.organisation.resolve(a.partner) == refs.organisation.resolve(b.partner)


def _resolve_scope(
    refs: Refs,
    principal: Principal,
    asked: Scope | None,
    file_scope: Scope | None,
    confirmed: bool,
    result: ImportResult,
    lang: str,
) -> Scope:
    """The scope the import runs in.

    A partner imports in its own organisation's scope, whatever the file says (a workbook of
    another scope is an error; asking for another scope is refused). Anyone else gets the scope
    the file states (a file without ``_meta``: unknown) unless ``asked`` names another one, which
    needs ``confirmed``; without the confirmation the file is checked but not applied. The whole
    portfolio needs ``import_workbook``."""
    if principal.is_scoped:
        return _partner_scope(refs, principal, asked, file_scope, result, lang)
    chosen = asked if asked is not None else (file_scope or Scope())
    if chosen.partner:
        chosen = Scope(partner=refs.organisation.by_id[partner_id(refs, chosen.partner)]["key"])
    else:
        allow(principal, Action.IMPORT_WORKBOOK)
    if file_scope is not None and _same_scope(refs, file_scope, chosen):
        return chosen
    shown = {
        "file_scope": scope_name(refs, file_scope, lang),
        "scope": scope_name(refs, chosen, lang),
    }
    if confirmed:
        code = "scope_confirmed" if file_scope is not None else "scope_unknown_confirmed"
        result.notices.append(t(code, lang, **shown))
    elif file_scope is None:
        result.errors.append(Issue(META_TITLE, None, None, t("scope_unknown", lang, **shown)))
    else:
        result.errors.append(Issue(META_TITLE, None, None, t("partner_scope", lang, **shown)))
        result.notices.append(t("scope_confirm_hint", lang, **shown))
    return chosen


def _partner_scope(
    refs: Refs,
    principal: Principal,
    asked: Scope | None,
    file_scope: Scope | None,
    result: ImportResult,
    lang: str,
) -> Scope:
    """A partner's own organisation's scope; a file of another scope is an error."""
    own = refs.organisation.by_id.get(principal.organisation_id or -1)
    if own is None:
        raise AccessDenied(Action.PARTNER_EXCHANGE, reason="scope")
    scope = Scope(partner=own["key"])
    if asked is not None and not _same_scope(refs, asked, scope):
        raise AccessDenied(Action.PARTNER_EXCHANGE, reason="scope")
    if file_scope is not None and not _same_scope(refs, file_scope, scope):
        message = t(
            "partner_own_scope",
            lang,
            file_scope=scope_name(refs, file_scope, lang),
            scope=scope_name(refs, scope, lang),
        )
        result.errors.append(Issue(META_TITLE, None, None, message))
    return scope
