"""Sicherheitsprotokoll: the audit log (logins, failed logins, lockouts, account and role
changes, partner exports and imports, published briefs): who, when (local time), what, from
where. Filter by kind and by name. The service checks ``read_audit``."""

from __future__ import annotations

from typing import Any

import streamlit as st

from db.enums import AuditKind
from portfolio import audit, clock
from portfolio.i18n import fmt_date, fmt_int
from portfolio.policy import role_label
from portfolio.ui.components.widgets import frame, page_header, table
from portfolio.ui.runtime import Catalogue, lang, read_session

TEXTS = {
    "de": {
        "title": "Sicherheitsprotokoll",
        "caption": "Anmeldungen, Fehlversuche, Sperren, Änderungen an Konten und Rollen, "
        "heruntergeladene Partnerdaten und veröffentlichte Berichte. Zeiten in Ortszeit "
        "(Bochum); die Adresse ist die, die der Server sieht.",
        "kinds": "Art",
        "kinds_placeholder": "alle Arten",
        "name": "Name enthält",
        "at": "Zeitpunkt",
        "kind": "Ereignis",
        "actor": "Wer",
        "subject": "Betrifft",
        "ip": "Von (IP)",
        "detail": "Einzelheiten",
        "shown": "{shown} von {total} Ereignissen (die neuesten zuerst)",
        "none": "Keine Ereignisse.",
        "method_password": "mit Passwort",
        "method_oidc": "über OpenID Connect",
        "failures": "{failures} Fehlversuche, gesperrt für {minutes} Minuten",
        "reason_locked": "während einer Sperre",
        "reason_disabled": "Konto gesperrt",
        "reason_unknown_email": "E-Mail-Adresse ohne Konto",
        "reason_no_email": "keine E-Mail-Adresse übermittelt",
        "reason_email_unverified": "E-Mail-Adresse nicht bestätigt",
        "reason_wrong_current_password": "bisheriges Passwort falsch",
        "oidc_only": "nur OpenID Connect",
        "organisation": "Organisation {key}",
    },
    "en": {
        "title": "Audit log",
        "caption": "Sign-ins, failed attempts, locks, changes to accounts and roles, downloaded "
        "partner data and published briefs. Times in local time (Bochum); the address is the "
        "one the server sees.",
        "kinds": "Kind",
        "kinds_placeholder": "all kinds",
        "name": "Name contains",
        "at": "When",
        "kind": "Event",
        "actor": "Who",
        "subject": "Concerns",
        "ip": "From (IP)",
        "detail": "Details",
        "shown": "{shown} of {total} events (newest first)",
        "none": "No events.",
        "method_password": "with password",
        "method_oidc": "through OpenID Connect",
        "failures": "{failures} failed attempts, locked for {minutes} minutes",
        "reason_locked": "during a lock",
        "reason_disabled": "account disabled",
        "reason_unknown_email": "e-mail address without an account",
        "reason_no_email": "no e-mail address sent",
        "reason_email_unverified": "e-mail address not verified",
        "reason_wrong_current_password": "current password wrong",
        "oidc_only": "OpenID Connect only",
        "organisation": "organisation {key}",
    },
}

COLUMNS = ["at", "kind", "actor", "subject", "ip", "detail"]


tx = Catalogue(TEXTS)


def _role(code: object) -> str:
    try:
        return role_label(str(code), lang())
    except ValueError:
        return str(code)


def detail_text(kind: str, detail: dict[str, Any]) -> str:
    """The event's details as a reader understands them (plain text for a table cell)."""
    parts: list[str] = []
    method = detail.get("method")
    if method in ("password", "oidc"):
        parts.append(tx(f"method_{method}"))
    reason = detail.get("reason")
    if isinstance(reason, str) and f"reason_{reason}" in TEXTS["de"]:
        parts.append(tx(f"reason_{reason}"))
    if kind == AuditKind.LOCKOUT and "failures" in detail:
        parts.append(tx("failures", failures=detail.get("failures"), minutes=detail.get("minutes")))
    if kind == AuditKind.ROLE_CHANGED:
        old = _role(detail.get("old"))
        new = _role(detail.get("new"))
        if detail.get("old_organisation"):
            old += f" ({detail['old_organisation']})"
        if detail.get("new_organisation"):
            new += f" ({detail['new_organisation']})"
        parts.append(f"{old} → {new}")
    if kind == AuditKind.ACCOUNT_CREATED:
        if detail.get("role"):
            parts.append(_role(detail["role"]))
        if detail.get("organisation"):
            parts.append(tx("organisation", key=detail["organisation"]))
        if detail.get("oidc_only"):
            parts.append(tx("oidc_only"))
    known = {"method", "reason", "failures", "minutes", "old", "new", "role", "organisation"}
    known |= {"old_organisation", "new_organisation", "oidc_only"}
    for name, value in detail.items():
        if name not in known and value not in (None, "", [], {}):
            parts.append(f"{name}: {value}")
    return "; ".join(parts)


def _stamp(moment: Any) -> str:
    local = clock.to_local(moment)
    return f"{fmt_date(local.date(), lang())} {local:%H:%M:%S}"


def render() -> None:
    language = lang()
    page_header(tx("title"), tx("caption"))
    left, right = st.columns([2, 1])
    kinds = left.multiselect(
        tx("kinds"),
        [k.value for k in AuditKind],
        format_func=lambda k: audit.kind_label(k, language),
        placeholder=tx("kinds_placeholder"),
        key="audit_kinds",
    )
    name = right.text_input(tx("name"), key="audit_name", max_chars=200)
    with read_session() as session:
        events, total = audit.events(session, kinds=kinds or None, name=name or None)
    if not events:
        st.info(tx("none"))
        return
    st.caption(tx("shown", shown=fmt_int(len(events), language), total=fmt_int(total, language)))
    data = frame(
        [
            {
                "at": _stamp(e.at),
                "kind": audit.kind_label(e.kind, language),
                "actor": e.actor,
                "subject": e.subject or "",
                "ip": e.ip or "",
                "detail": detail_text(e.kind, e.detail),
            }
            for e in events
        ],
        COLUMNS,
    )
    data.columns = [tx(c) for c in COLUMNS]
    table(data, key="audit_table")
