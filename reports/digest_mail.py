"""One e-mail digest as a message: plain text and HTML alternatives, German by default.

The HTML is rendered by Jinja2 with autoescaping: project titles, milestone titles and names
are data, never markup. It is self-contained (inline styles, no images, fonts or style sheets
from elsewhere); the only links lead to the dashboard's pages. Dates and amounts come from
:mod:`portfolio.i18n`, the deadline wording from :mod:`portfolio.queries.agenda`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage

from jinja2 import Environment, StrictUndefined

from db.enums import DigestSubject
from portfolio.i18n import DEFAULT_LANG, fmt_date, fmt_int
from portfolio.queries.agenda import what
from portfolio.services.digest import Digest, Entry

PRODUCT = "Smart-City Portfolio"


def _plural(n: int, one: str, many: str, lang: str) -> str:
    return f"{fmt_int(n, lang)} {one if n == 1 else many}"


def deadlines(n: int, lang: str = DEFAULT_LANG) -> str:
    """ "1 Frist" / "3 Fristen", "1 deadline" / "3 deadlines"."""
    return (
        _plural(n, "Frist", "Fristen", lang)
        if lang == "de"
        else _plural(n, "deadline", "deadlines", lang)
    )


def stale_reports(n: int, lang: str = DEFAULT_LANG) -> str:
    """ "1 Statusbericht veraltet" / "2 Statusberichte veraltet"."""
    if lang == "de":
        return _plural(n, "Statusbericht", "Statusberichte", lang) + " veraltet"
    return _plural(n, "stale status report", "stale status reports", lang)


def days_overdue(days: int, lang: str = DEFAULT_LANG) -> str:
    """ "seit 1 Tag überfällig" / "seit 18 Tagen überfällig"."""
    if lang == "de":
        return f"seit {_plural(days, 'Tag', 'Tagen', lang)} überfällig"
    return f"{_plural(days, 'day', 'days', lang)} overdue"


def subject(digest: Digest, lang: str = DEFAULT_LANG) -> str:
    """E.g. "Smart-City Portfolio: 3 überfällig, 5 fällig bis 02.01.2027 – Stadtwerke Bochum";
    groups without entries are left out; stale status reports are named on their own."""
    de = lang == "de"
    parts = []
    if digest.overdue:
        parts.append(f"{fmt_int(len(digest.overdue), lang)} {'überfällig' if de else 'overdue'}")
    if digest.due:
        until = fmt_date(digest.until, lang)
        parts.append(f"{fmt_int(len(digest.due), lang)} {'fällig bis' if de else 'due by'} {until}")
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
    de = lang == "de"
    item = entry.item
    notes = []
    if item.overdue:
        notes.append(days_overdue((today - item.due).days, lang))
    if item.application_key:
        ref = f" ({item.reference_number})" if item.reference_number else ""
        notes.append(
            f"{'Förderantrag' if de else 'Funding application'} {item.application_key}{ref}"
        )
    if item.responsible:
        notes.append(f"{'verantwortlich' if de else 'responsible'}: {item.responsible}")
    return Line(
        fmt_date(item.due, lang),
        what(item, lang),
        f"{item.project_key} {item.project_title}",
        " · ".join(notes),
        entry.link,
    )


def groups(digest: Digest, lang: str = DEFAULT_LANG) -> list[Group]:
    """The non-empty groups in their order: overdue, due soon, stale status reports."""
    de = lang == "de"
    until = fmt_date(digest.until, lang)
    spec = [
        (
            digest.overdue,
            f"Überfällig: {deadlines(len(digest.overdue), lang)}"
            if de
            else f"Overdue: {deadlines(len(digest.overdue), lang)}",
        ),
        (
            digest.due,
            f"Fällig bis {until}: {deadlines(len(digest.due), lang)}"
            if de
            else f"Due by {until}: {deadlines(len(digest.due), lang)}",
        ),
        (
            digest.stale,
            f"Veraltete Statusberichte: {_plural(len(digest.stale), 'Projekt', 'Projekte', lang)}"
            if de
            else "Stale status reports: " + _plural(len(digest.stale), "project", "projects", lang),
        ),
    ]
    return [
        Group(heading, tuple(_line(e, digest.today, lang) for e in entries))
        for entries, heading in spec
        if entries
    ]


def _intro(digest: Digest, lang: str) -> tuple[str, str, str]:
    day = fmt_date(digest.today, lang)
    organisation = digest.subject_kind == DigestSubject.ORGANISATION
    if lang == "de":
        why = (
            f"weil diese Adresse als Kontaktadresse von {digest.name} hinterlegt ist"
            if organisation
            else "weil Ihr Konto die Fristen-Übersicht abonniert hat"
        )
        return (
            "Guten Tag,",
            f"hier ist die Fristen-Übersicht des Smart-City-Portfolios für {digest.name}, "
            f"Stand {day} (Zeitraum {digest.period}).",
            f"Diese Nachricht wurde automatisch versandt. Sie erhalten sie, {why}. "
            "Änderungen über die Smart City Innovation Unit.",
        )
    why = (
        f"this address is the contact address of {digest.name}"
        if organisation
        else "your account subscribed to the digest"
    )
    return (
        "Hello,",
        f"here is the {PRODUCT} deadline digest for {digest.name}, as of {day} "
        f"(period {digest.period}).",
        f"This message was sent automatically. You receive it because {why}. "
        "Ask the Smart City Innovation Unit to change it.",
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
