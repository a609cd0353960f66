"""Fristen: the deadline radar of the signed-in account, and its calendar feeds (Kalender-Abos).

The list is :func:`portfolio.queries.agenda.agenda` for the signed-in principal, the same rows a
calendar feed of that account holds and the digest counts: milestones, payment requests, proofs
of use, status reports due and the ends of funding periods of the projects the principal may see
(a partner: its organisation's). Filters: the kind, the organisation (for the unit), and the
window (overdue, the next 30 or 90 days with what is overdue, everything). Each row links to the
page where the deadline is worked on (:func:`portfolio.links.project_page`).

Kalender-Abos: make a feed of everything one may see, of one organisation or of one project; its
address is shown once (the secret is not kept), with a hint how to subscribe; the own feeds are
listed with when they were made and last fetched, and can be revoked
(:mod:`portfolio.services.feeds`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from db.enums import DeadlineKind, FeedScope
from portfolio import links
from portfolio.errors import PortfolioError
from portfolio.i18n import fmt_int
from portfolio.policy import Principal
from portfolio.queries import agenda
from portfolio.services import accounts, feeds
from portfolio.ui import data, runtime
from portfolio.ui.components.forms import flash
from portfolio.ui.components.safe_text import md
from portfolio.ui.components.texts import option_labels
from portfolio.ui.components.widgets import fmt_stamp, table
from portfolio.ui.runtime import Catalogue
from portfolio.vocab import label

TEXTS = {
    "de": {
        "title": "Fristen",
        "caption": "Alle offenen Fristen der Projekte, die Sie sehen dürfen: Meilensteine, Mittelabrufe, Verwendungs- und Zwischennachweise, fällige Statusberichte und das Ende von Bewilligungszeiträumen. Dieselben Einträge enthält ein Kalender-Abo.",
        "kind": "Art",
        "all_kinds": "Alle Arten",
        "organisation": "Organisation",
        "all_organisations": "Alle Organisationen",
        "window": "Zeitraum",
        "w_overdue": "überfällig",
        "w_30": "30 Tage",
        "w_90": "90 Tage",
        "w_all": "alle",
        "window_help": "30 und 90 Tage: was bis dahin fällig ist, Überfälliges eingeschlossen.",
        "open": "Fristen",
        "overdue": "davon überfällig",
        "none": "Keine offenen Fristen für diese Auswahl.",
        "due": "Fällig am",
        "late": "überfällig",
        "what": "Was",
        "project": "Projekt",
        "responsible": "Verantwortlich",
        "reminder": "Erinnerung (Tage vorher)",
        "link": "Seite",
        "link_text": "öffnen",
        "yes": "ja",
        "feeds": "Kalender-Abos",
        "feeds_intro": "Ein Kalender-Abo bringt diese Fristen in Outlook, Thunderbird oder den Kalender des Telefons, mit einer Erinnerung vor jeder Frist. Die Adresse enthält einen geheimen Schlüssel: Wer sie kennt, liest die Fristen. Geben Sie sie nicht weiter und widerrufen Sie das Abo, wenn sie in falsche Hände geraten ist.",
        "no_account": "Kalender-Abos gehören zu einem Konto. Im Demo-Modus legt die Administration ein Konto an (z. B. „portfolio user add stw.partner --role partner --organisation STW“); danach mit diesem Konto anmelden.",
        "scope": "Umfang",
        "choose_org": "Organisation wählen …",
        "choose_project": "Projekt wählen …",
        "label": "Bezeichnung (Name im Kalender)",
        "label_help": "Leer lassen für „Smart-City-Fristen“ und den Umfang.",
        "create": "Abo anlegen",
        "created": "Das Abo „{label}“ ist angelegt. Die Adresse wird nur jetzt angezeigt – bitte jetzt kopieren:",
        "subscribe": "**So abonnieren Sie:**\n\n- **Outlook:** Kalender → Kalender hinzufügen → Aus dem Internet abonnieren → Adresse einfügen.\n- **Thunderbird:** Termine und Aufgaben → Neuer Kalender → Im Netzwerk → Adresse einfügen.\n- **iPhone/iPad:** Einstellungen → Kalender → Accounts → Account hinzufügen → Andere → Kalenderabo hinzufügen → Adresse einfügen.\n\nDer Kalender lädt die Fristen etwa stündlich neu.",
        "mine": "Meine Abos",
        "no_feeds": "Noch keine Abos.",
        "digest": "Fristen-Übersicht per E-Mail",
        "digest_toggle": "Wöchentlich eine E-Mail mit dem, was überfällig, bald fällig oder als Statusbericht veraltet ist",
        "digest_to": "Sie geht an {email}.",
        "digest_no_email": "Ihr Konto hat keine E-Mail-Adresse; die Administration kann sie eintragen.",
        "digest_on": "Sie erhalten die Fristen-Übersicht jetzt per E-Mail.",
        "digest_off": "Sie erhalten die Fristen-Übersicht nicht mehr.",
        "created_at": "angelegt",
        "last_used": "zuletzt abgerufen",
        "never": "noch nie",
        "revoke": "Widerrufen",
        "revoked": "Das Abo „{label}“ ist widerrufen; seine Adresse liefert nichts mehr.",
    },
    "en": {
        "title": "Deadlines",
        "caption": "Every open deadline of the projects you may see: milestones, payment requests, proofs of use, status reports due and the ends of funding periods. A calendar feed holds the same entries.",
        "kind": "Kind",
        "all_kinds": "All kinds",
        "organisation": "Organisation",
        "all_organisations": "All organisations",
        "window": "Window",
        "w_overdue": "overdue",
        "w_30": "30 days",
        "w_90": "90 days",
        "w_all": "all",
        "window_help": "30 and 90 days: what is due by then, overdue ones included.",
        "open": "Deadlines",
        "overdue": "of them overdue",
        "none": "No open deadlines for this selection.",
        "due": "Due on",
        "late": "overdue",
        "what": "What",
        "project": "Project",
        "responsible": "Responsible",
        "reminder": "Reminder (days before)",
        "link": "Page",
        "link_text": "open",
        "yes": "yes",
        "feeds": "Calendar feeds",
        "feeds_intro": "A calendar feed brings these deadlines into Outlook, Thunderbird or your phone's calendar, with a reminder before each one. Its address holds a secret key: whoever knows it reads the deadlines. Do not pass it on, and revoke the feed if it got into the wrong hands.",
        "no_account": "Calendar feeds belong to an account. In demo mode the administrators create one (e.g. “portfolio user add stw.partner --role partner --organisation STW”); then sign in with it.",
        "scope": "Scope",
        "choose_org": "Choose an organisation …",
        "choose_project": "Choose a project …",
        "label": "Name (shown in the calendar)",
        "label_help": "Leave empty for “Smart-City-Fristen” and the scope.",
        "create": "Create feed",
        "created": "The feed “{label}” is created. Its address is shown only now – please copy it now:",
        "subscribe": "**How to subscribe:**\n\n- **Outlook:** Calendar → Add calendar → Subscribe from web → paste the address.\n- **Thunderbird:** Events and Tasks → New Calendar → On the Network → paste the address.\n- **iPhone/iPad:** Settings → Calendar → Accounts → Add Account → Other → Add Subscribed Calendar → paste the address.\n\nThe calendar reloads the deadlines about every hour.",
        "mine": "My feeds",
        "no_feeds": "No feeds yet.",
        "digest": "Deadline digest by e-mail",
        "digest_toggle": "A weekly e-mail with what is overdue, due soon, or a stale status report",
        "digest_to": "It goes to {email}.",
        "digest_no_email": "Your account has no e-mail address; the administrators can add one.",
        "digest_on": "You now get the deadline digest by e-mail.",
        "digest_off": "You no longer get the deadline digest.",
        "created_at": "created",
        "last_used": "last fetched",
        "never": "never",
        "revoke": "Revoke",
        "revoked": "The feed “{label}” is revoked; its address returns nothing any more.",
    },
}
WINDOWS = ("overdue", "30", "90", "all")
DEFAULT_WINDOW = "90"


tx = Catalogue(TEXTS)


def _until(window: str, today: dt.date) -> dt.date | None:
    return today + dt.timedelta(days=int(window)) if window in ("30", "90") else None


def _filters(who: Principal, choices: feeds.FeedChoices) -> tuple[list[str], str | None, str]:
    language = runtime.lang()
    cols = st.columns([2, 2, 3] if not who.is_scoped else [2, 3])
    kinds = cols[0].multiselect(
        tx("kind"),
        [k.value for k in DeadlineKind],
        format_func=lambda code: label(DeadlineKind, code, language),
        placeholder=tx("all_kinds"),
        key="dl_kinds",
    )
    organisation = None
    if not who.is_scoped:
        names = dict(choices.organisations)
        organisation = cols[1].selectbox(
            tx("organisation"),
            list(names),
            index=None,
            format_func=option_labels(names),
            placeholder=tx("all_organisations"),
            key="dl_org",
        )
    window = cols[-1].segmented_control(
        tx("window"),
        list(WINDOWS),
        default=DEFAULT_WINDOW,
        format_func=lambda w: tx(f"w_{w}"),
        help=tx("window_help"),
        key="dl_window",
    )
    return kinds, organisation, window or DEFAULT_WINDOW


def _radar(who: Principal, choices: feeds.FeedChoices) -> None:
    language = runtime.lang()
    kinds, organisation, window = _filters(who, choices)
    stamp = data.stamp()
    items = data.agenda(stamp, organisation=organisation, until=_until(window, stamp.today))
    if window == "overdue":
        items = [i for i in items if i.overdue]
    if kinds:
        items = [i for i in items if i.kind in kinds]
    cols = st.columns(2)
    cols[0].metric(tx("open"), fmt_int(len(items), language), border=True)
    cols[1].metric(tx("overdue"), fmt_int(sum(i.overdue for i in items), language), border=True)
    if not items:
        st.info(tx("none"))
        return
    frame = pd.DataFrame(
        [
            {
                tx("due"): i.due,
                tx("late"): tx("yes") if i.overdue else "",
                tx("what"): agenda.what(i, language),
                tx("project"): f"{i.project_key} · {i.project_title}",
                tx("responsible"): i.responsible or "–",
                tx("reminder"): i.reminder_days,
                tx("link"): links.project_page(i.project_key, principal=who, section=i.section),
            }
            for i in items
        ]
    )
    table(
        frame,
        dates=[tx("due")],
        column_config={
            tx("link"): st.column_config.LinkColumn(tx("link"), display_text=tx("link_text"))
        },
        key="dl_table",
    )


def _create(choices: feeds.FeedChoices) -> None:
    language = runtime.lang()
    scope = st.radio(
        tx("scope"),
        [s.value for s in FeedScope],
        format_func=lambda code: label(FeedScope, code, language),
        horizontal=True,
        key="feed_scope",
    )
    organisation = project = None
    if scope == FeedScope.ORGANISATION:
        names = dict(choices.organisations)
        organisation = st.selectbox(
            tx("organisation"),
            list(names),
            index=0 if len(names) == 1 else None,
            format_func=option_labels(names),
            placeholder=tx("choose_org"),
            key="feed_org",
        )
    elif scope == FeedScope.PROJECT:
        titles = {k: f"{k} · {t}" for k, t in choices.projects}
        project = st.selectbox(
            tx("project"),
            list(titles),
            index=None,
            format_func=option_labels(titles),
            placeholder=tx("choose_project"),
            key="feed_project",
        )
    name = st.text_input(
        tx("label"), max_chars=feeds.LABEL_MAX, help=tx("label_help"), key="feed_label"
    )
    if not st.button(tx("create"), type="primary", icon=":material/add:", key="feed_create"):
        return
    try:
        with runtime.write_session() as session:
            made = feeds.create(
                session,
                scope=scope,
                organisation_key=organisation,
                project_key=project,
                label=name,
            )
    except PortfolioError as exc:
        st.error(md(exc.message(language), lines=True))
        return
    st.success(md(tx("created", label=made.feed.label)), icon=":material/event_available:")
    st.code(links.feed(made.secret), language=None)
    st.markdown(tx("subscribe"))


def _scope_text(row: feeds.FeedRow, lang: str) -> str:
    if row.scope is FeedScope.ORGANISATION:
        return row.organisation_name or row.organisation_key or ""
    if row.scope is FeedScope.PROJECT:
        return f"{row.project_key} · {row.project_title}"
    return label(FeedScope, row.scope, lang)


def _own_feeds() -> None:
    language = runtime.lang()
    st.markdown(f"**{tx('mine')}**")
    with runtime.read_session() as session:
        rows = feeds.get_all(session)
    if not rows:
        st.caption(tx("no_feeds"))
        return
    for row in rows:
        with st.container(border=True):
            line = st.columns([4, 3, 3, 2], vertical_alignment="center")
            line[0].markdown(f"**{md(row.label)}**  \n{md(_scope_text(row, language))}")
            line[1].caption(f"{tx('created_at')}: {fmt_stamp(row.created_at)}")
            line[2].caption(
                f"{tx('last_used')}: "
                + (fmt_stamp(row.last_used_at) if row.last_used_at else tx("never"))
            )
            if line[3].button(tx("revoke"), key=f"feed_revoke_{row.id}", icon=":material/block:"):
                _revoke(row)


def _revoke(row: feeds.FeedRow) -> None:
    try:
        with runtime.write_session() as session:
            feeds.revoke(session, row.id)
    except PortfolioError as exc:
        st.error(md(exc.message(runtime.lang()), lines=True))
        return
    st.session_state["__flash"] = tx("revoked", label=row.label)
    st.rerun()


def _feeds(who: Principal, choices: feeds.FeedChoices) -> None:
    st.subheader(tx("feeds"))
    st.caption(tx("feeds_intro"))
    if who.account_id is None:
        st.info(tx("no_account"), icon=":material/person:")
        return
    _create(choices)
    _own_feeds()
    _digest()


def _digest() -> None:
    """Subscribe to (or leave) the e-mail digest of the same deadlines."""
    with runtime.read_session() as session:
        current = accounts.digest_subscription(session)
    if current is None:
        return
    st.subheader(tx("digest"))
    if not current.email:
        st.caption(tx("digest_no_email"))
        return
    wanted = st.toggle(tx("digest_toggle"), value=current.wanted, key="dl_digest")
    st.caption(md(tx("digest_to", email=current.email)))
    if wanted == current.wanted:
        return
    try:
        with runtime.write_session() as session:
            accounts.set_digest_subscription(session, wanted=wanted)
    except PortfolioError as exc:
        st.error(md(exc.message(runtime.lang()), lines=True))
        return
    st.session_state["__flash"] = tx("digest_on" if wanted else "digest_off")
    st.rerun()


def render() -> None:
    who = runtime.require_principal()
    flash()
    st.title(tx("title"))
    st.caption(tx("caption"))
    with runtime.read_session() as session:
        choices = feeds.choices(session)
    _radar(who, choices)
    st.divider()
    runtime.guarded(lambda: _feeds(who, choices))()
