"""One e-mail digest as a message: plain text and HTML alternatives, German by default.

The HTML is rendered by Jinja2 with autoescaping: project titles, milestone titles and names
are data, never markup. It is self-contained (inline styles, no images, fonts or style sheets
from elsewhere); the only links lead to the dashboard's pages. Sentences, dates and amounts
come from :mod:`portfolio.i18n` (the ``digest_*`` messages), what each deadline is from
:mod:`portfolio.queries.agenda`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage

from jinja2 import Environment, StrictUndefined

from db.enums import DigestSubject
from portfolio.i18n import DEFAULT_LANG, fmt_date, t
from portfolio.queries.agenda import what
from portfolio.services.digest import Digest, Entry

PRODUCT = "Smart-City Portfolio"


def deadlines(n: int, lang: str = DEFAULT_LANG) -> str:
    """ "1 Frist" / "3 Fristen", "1 deadline" / "3 deadlines"."""
    return t("digest_deadlines", lang, count=n)


def stale_reports(n: int, lang: str = DEFAULT_LANG) -> str:
    """ "1 Statusbericht veraltet" / "2 Statusberichte veraltet"."""
    return t("digest_stale_reports", lang, count=n)


def days_overdue(days: int, lang: str = DEFAULT_LANG) -> str:
    """ "seit 1 Tag überfällig" / "seit 18 Tagen überfällig"."""
    return t("digest_days_overdue", lang, count=days)


def subject(digest: Digest, lang: str = DEFAULT_LANG) -> str:
    """E.g. "Smart-City Portfolio: 3 überfällig, 5 fällig bis 02.01.2027 – Stadtwerke Bochum";
    groups without entries are left out; stale status reports are named on their own."""
    parts = []
    if digest.overdue:
        parts.append(t("digest_subject_overdue", lang, count=len(digest.overdue)))
    if digest.due:
        parts.append(t("digest_subject_due", lang, count=len(digest.due), until=digest.until))
    if digest.stale:
        parts.append(stale_reports(len(digest.stale), lang))
    return f"{PRODUCT}: {', '.join(parts)} – {digest.name}"


@dataclass(frozen=True)
class Line:
    """One entry as both parts show it."""

    due: str
    what: str
    project: str
    note: str  # "seit 3 Tagen überfällig", the application, who is responsible
    link: str


@dataclass(frozen=True)
class Group:
    heading: str
    lines: tuple[Line, ...]


def _line(entry: Entry, today: dt.date, lang: str) -> Line:
    item = entry.item
    notes = []
    if item.overdue:
        notes.append(days_overdue((today - item.due).days, lang))
    if item.application_key:
        ref = f" ({item.reference_number})" if item.reference_number else ""
        notes.append(t("digest_note_application", lang, key=item.application_key, ref=ref))
    if item.responsible:
        notes.append(t("digest_note_responsible", lang, name=item.responsible))
    return Line(
        fmt_date(item.due, lang),
        what(item, lang),
        f"{item.project_key} {item.project_title}",
        " · ".join(notes),
        entry.link,
    )


def groups(digest: Digest, lang: str = DEFAULT_LANG) -> list[Group]:
    """The non-empty groups in their order: overdue, due soon, stale status reports."""
    spec = [
        (digest.overdue, t("digest_group_overdue", lang, count=len(digest.overdue))),
        (
            digest.due,
            t("digest_group_due", lang, count=len(digest.due), until=digest.until),
        ),
        (digest.stale, t("digest_group_stale", lang, count=len(digest.stale))),
    ]
    return [
        Group(heading, tuple(_line(e, digest.today, lang) for e in entries))
        for entries, heading in spec
        if entries
    ]


def _intro(digest: Digest, lang: str) -> tuple[str, str, str]:
    organisation = digest.subject_kind == DigestSubject.ORGANISATION
    return (
        t("digest_greeting", lang),
        t("digest_intro", lang, name=digest.name, day=digest.today, period=digest.period),
        t(
            "digest_footer_organisation" if organisation else "digest_footer_account",
            lang,
            name=digest.name,
        ),
    )


def plain_text(digest: Digest, lang: str = DEFAULT_LANG) -> str:
    greeting, intro, footer = _intro(digest, lang)
    out = [greeting, "", intro, ""]
    for group in groups(digest, lang):
        out += [group.heading, "-" * len(group.heading)]
        for line in group.lines:
            out.append(f"- {line.due}  {line.what}")
            out.append(f"  {line.project}")
            if line.note:
                out.append(f"  {line.note}")
            out.append(f"  {line.link}")
        out.append("")
    out += ["-- ", footer, ""]
    return "\n".join(out)


_ENV = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
_HTML = _ENV.from_string(
    """<!DOCTYPE html>
<html lang="{{ lang }}">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:14px;\
color:#1f2937;background:#ffffff">
<p>{{ greeting }}</p>
<p>{{ intro }}</p>
{% for group in groups %}
<h2 style="font-size:16px;margin:24px 0 8px 0;color:#004e8a">{{ group.heading }}</h2>
<table role="presentation" cellpadding="4" cellspacing="0" style="border-collapse:collapse;\
width:100%">
{% for line in group.lines %}
<tr style="border-top:1px solid #e5e7eb">
<td style="vertical-align:top;white-space:nowrap;width:90px">{{ line.due }}</td>
<td style="vertical-align:top"><a href="{{ line.link }}" style="color:#004e8a">{{ line.what }}</a>\
<br>{{ line.project }}{% if line.note %}<br><span style="color:#6b7280">{{ line.note }}</span>\
{% endif %}</td>
</tr>
{% endfor %}
</table>
{% endfor %}
<p style="margin-top:24px;color:#6b7280;font-size:12px">{{ footer }}</p>
</body>
</html>
"""
)


def html(digest: Digest, lang: str = DEFAULT_LANG) -> str:
    greeting, intro, footer = _intro(digest, lang)
    return _HTML.render(
        lang=lang,
        title=subject(digest, lang),
        greeting=greeting,
        intro=intro,
        footer=footer,
        groups=groups(digest, lang),
    )


def render(digest: Digest, *, lang: str = DEFAULT_LANG) -> EmailMessage:
    """The message without its envelope headers (From, To and Date are the sender's)."""
    message = EmailMessage()
    message["Subject"] = subject(digest, lang)
    message["Content-Language"] = "de" if lang == "de" else "en"
    message.set_content(plain_text(digest, lang))
    message.add_alternative(html(digest, lang), subtype="html")
    return message
