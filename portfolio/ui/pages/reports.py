"""Berichte: the CDO brief — preview of key figures and changes, scope and dates, downloads,
publishing, and the list of published briefs (downloadable again, unchanged)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from portfolio.changes import KINDS, Kind
from portfolio.i18n import fmt_date, fmt_eur, fmt_eur_short, fmt_int
from portfolio.policy import Action
from portfolio.ui import runtime
from portfolio.ui.components.safe_text import md
from portfolio.ui.runtime import tr
from reports.brief import Brief, build_brief, resolve_dates
from reports.pdf import render_pdf
from reports.publish import (
    MEDIA_TYPES,
    data_stamp,
    file_name,
    list_published,
    publish,
    published_file,
    theme_choices,
)
from reports.texts import signed, tx
from reports.xlsx import render_xlsx

TEXTS = {
    "de": {
        "title": "Berichte",
        "intro": "Der Bericht für den Chief Digital Officer: Kennzahlen mit Veränderung, Förderung, Meilensteine, was sich geändert hat, Risiken und alle Projekte – als PDF und Excel.",
        "intro_published": "Die veröffentlichten Berichte für den Chief Digital Officer, unverändert so, wie sie veröffentlicht wurden – als PDF und Excel.",
        "scope": "Umfang",
        "all": "Gesamtportfolio",
        "as_of": "Stichtag",
        "own_since": "Vergleichsdatum selbst wählen",
        "since": "Vergleichen mit",
        "since_default": "Verglichen wird mit {day} ({why}).",
        "why_brief": "zuletzt veröffentlichter Bericht",
        "why_none": "noch kein Bericht veröffentlicht: 90 Tage zuvor",
        "building": "Bericht wird zusammengestellt …",
        "preview": "Vorschau",
        "key": "Kennzahlen",
        "changes": "Was hat sich geändert?",
        "no_changes": "Keine Änderungen im Zeitraum.",
        "risks": "Risiken: {red} rot, {yellow} gelb",
        "downloads": "Herunterladen",
        "pdf": "PDF herunterladen",
        "xlsx": "Excel herunterladen",
        "publish": "Veröffentlichen",
        "publish_help": "Veröffentlichen friert PDF, Excel und Kennzahlen ein. Spätere Berichte vergleichen mit diesen Zahlen, auch wenn sich die Daten ändern.",
        "publish_confirm": "Ich möchte diesen Bericht (Stand {day}) veröffentlichen.",
        "publishing": "PDF und Excel werden erstellt und gespeichert …",
        "published_ok": "Bericht Nr. {id} veröffentlicht.",
        "published": "Veröffentlichte Berichte",
        "none_published": "Noch keine Berichte veröffentlicht.",
        "choose": "Bericht",
        "row": "Nr. {id} · Stand {as_of} · {scope} · veröffentlicht {at} von {actor}",
        "more": "… und {count} {count|weitere Änderung|weitere Änderungen} (vollständig im PDF/Excel).",
        "date": "Datum",
        "project": "Projekt",
        "change": "Änderung",
        "kind": "Art",
        "by": "durch",
    },
    "en": {
        "title": "Reports",
        "intro": "The brief for the Chief Digital Officer: key figures with their change, funding, milestones, what changed, risks and every project — as PDF and Excel.",
        "intro_published": "The published briefs for the Chief Digital Officer, exactly as they were published — as PDF and Excel.",
        "scope": "Scope",
        "all": "Whole portfolio",
        "as_of": "As of",
        "own_since": "Choose the reference date",
        "since": "Compare with",
        "since_default": "Compared with {day} ({why}).",
        "why_brief": "last published brief",
        "why_none": "no brief published yet: 90 days before",
        "building": "Putting the brief together …",
        "preview": "Preview",
        "key": "Key figures",
        "changes": "What changed?",
        "no_changes": "No changes in this period.",
        "risks": "Risks: {red} red, {yellow} yellow",
        "downloads": "Download",
        "pdf": "Download PDF",
        "xlsx": "Download Excel",
        "publish": "Publish",
        "publish_help": "Publishing freezes the PDF, the workbook and the figures. Later briefs compare with these numbers, even after the data changed.",
        "publish_confirm": "I want to publish this brief (as of {day}).",
        "publishing": "Building and storing PDF and Excel …",
        "published_ok": "Brief no. {id} published.",
        "published": "Published briefs",
        "none_published": "No briefs published yet.",
        "choose": "Brief",
        "row": "No. {id} · as of {as_of} · {scope} · published {at} by {actor}",
        "more": "… and {count} more {count|change|changes} (all of them in the PDF/Excel).",
        "date": "Date",
        "project": "Project",
        "change": "Change",
        "kind": "Kind",
        "by": "by",
    },
}
PREVIEW_ROWS = 200


@st.cache_data(show_spinner=False, max_entries=8, ttl=3600)
def _brief(
    database: str,
    stamp: tuple[int, int],
    theme: str | None,
    as_of: dt.date,
    since: dt.date | None,
    lang: str,
    actor: str,
    today: dt.date,
    access: str,
) -> Brief:
    """Cached per database, data state (journal, publications), scope, dates, language and the
    reader's access (:func:`runtime.access_key`)."""
    del database, stamp, access  # part of the cache key only
    with runtime.read_session() as session:
        return build_brief(
            session,
            theme_key=theme,
            as_of=as_of,
            since=since,
            lang=lang,
            actor=actor,
            today=today,
        )


def render() -> None:
    lang = runtime.lang()
    st.title(tr(TEXTS, "title"))
    if not runtime.may(Action.PUBLISH_BRIEF):  # readers of what is published, e.g. the council
        st.caption(tr(TEXTS, "intro_published"))
        with runtime.read_session() as session:
            published = list_published(session)
        _published_list(published)
        return
    st.caption(tr(TEXTS, "intro"))
    today = runtime.today()
    with runtime.read_session() as session:
        themes = theme_choices(session, lang)
        stamp = data_stamp(session)
        published = list_published(session)

    theme, as_of, since = _controls(themes, today)
    with runtime.read_session() as session:
        _as_of, shown_since, how = resolve_dates(
            session, theme_key=theme, as_of=as_of, since=since, today=today
        )
    if how is not None:
        why = tr(TEXTS, "why_brief" if how == "brief" else "why_none")
        st.caption(tr(TEXTS, "since_default", day=fmt_date(shown_since, lang), why=why))

    with st.spinner(tr(TEXTS, "building")):
        brief = _brief(
            runtime.database_key(),
            stamp,
            theme,
            as_of,
            since,
            lang,
            runtime.user_name(),
            today,
            runtime.access_key(),
        )
    _preview(brief)
    _downloads(brief)
    _publish(brief)
    _published_list(published)


def _controls(
    themes: list[tuple[str, str]], today: dt.date
) -> tuple[str | None, dt.date, dt.date | None]:
    lang = runtime.lang()
    names = {key: f"{key} {name}" for key, name in themes}
    options: list[str] = ["", *names]
    cols = st.columns([2, 1, 1])
    choice = cols[0].selectbox(
        tr(TEXTS, "scope"),
        options,
        format_func=lambda k: tr(TEXTS, "all") if k == "" else names[k],
        key="rep_scope",
    )
    as_of = cols[1].date_input(
        tr(TEXTS, "as_of"),
        value=today,
        max_value=today,
        format="DD.MM.YYYY" if lang == "de" else "DD/MM/YYYY",
        key="rep_as_of",
    )
    own = cols[2].toggle(tr(TEXTS, "own_since"), key="rep_own_since")
    since = None
    if own:
        since = cols[2].date_input(
            tr(TEXTS, "since"),
            value=as_of - dt.timedelta(days=30),
            max_value=as_of - dt.timedelta(days=1),
            format="DD.MM.YYYY" if lang == "de" else "DD/MM/YYYY",
            key="rep_since",
        )
    return (choice or None), as_of, since


def _preview(brief: Brief) -> None:
    lang = brief.lang
    st.subheader(tr(TEXTS, "preview"))
    st.markdown(
        f"**{md(brief.scope_label())}** · {tx('as_of', lang)} {fmt_date(brief.as_of, lang)} · "
        f"{tx('since', lang)} {fmt_date(brief.since, lang)}"
    )
    figures = brief.key_figures()
    main = [f for f in figures if f.status is None]
    # Three tiles a row: four cut labels such as "Städtische Haushaltsmittel" at 1280 px.
    cols = st.columns(3)
    for i, f in enumerate(main):
        # Tiles are narrow: millions compact ("32,2 Mio. €"), the exact amount on hover.
        value = fmt_eur_short(f.now, lang) if f.kind == "eur" else fmt_int(int(f.now), lang)
        delta = signed(f.delta, f.kind, lang) if f.delta is not None else None
        if i and i % 3 == 0:
            cols = st.columns(3)
        cols[i % 3].metric(
            md(f.label(lang)),
            value,
            delta=delta if f.delta else None,
            delta_color="inverse" if f.key == "overdue_milestones" else "normal",
            border=True,
            help=fmt_eur(f.now, lang) if f.kind == "eur" else None,
        )
    statuses = [f for f in figures if f.status is not None]
    st.caption(
        " · ".join(
            f"{md(f.label(lang))}: {fmt_int(int(f.now), lang)} ({signed(f.delta, 'int', lang)})"
            for f in statuses
        )
    )
    st.subheader(tr(TEXTS, "changes"))
    counts = brief.changes.counts() if brief.changes else dict.fromkeys(KINDS, 0)
    st.caption(
        tx(
            "change_counts",
            lang,
            new=fmt_int(counts[Kind.NEW_PROJECT], lang),
            archived=fmt_int(counts[Kind.ARCHIVED_PROJECT], lang),
            status=fmt_int(counts[Kind.STATUS], lang),
            slipped=fmt_int(counts[Kind.MILESTONE_SLIPPED], lang),
            lights=fmt_int(counts[Kind.LIGHT], lang),
            decisions=fmt_int(counts[Kind.DECISION], lang),
            notices=fmt_int(counts[Kind.NOTICE], lang),
            refunds=fmt_int(counts[Kind.REFUND], lang),
        )
    )
    # the brief's own sentences, grouped by kind and project, with the authors' names
    lines = [line for group in brief.change_groups(lang) for line in group.lines]
    if not lines:
        st.info(tr(TEXTS, "no_changes"))
    else:
        kinds = {g.kind: g.label for g in brief.change_groups(lang)}
        rows = [
            {
                tr(TEXTS, "kind"): kinds[line.kind],
                tr(TEXTS, "date"): fmt_date(line.day, lang),
                tr(TEXTS, "project"): f"{line.project_key} {line.project_title}",
                tr(TEXTS, "change"): line.text,
                tr(TEXTS, "by"): line.author,
            }
            for line in lines[:PREVIEW_ROWS]
        ]
        st.dataframe(rows, hide_index=True, use_container_width=True)
        if len(lines) > PREVIEW_ROWS:
            st.caption(tr(TEXTS, "more", count=fmt_int(len(lines) - PREVIEW_ROWS, lang)))
    red = sum(1 for r in brief.risks if r.light == "red")
    st.caption(
        tr(TEXTS, "risks", red=fmt_int(red, lang), yellow=fmt_int(len(brief.risks) - red, lang))
    )


def _downloads(brief: Brief) -> None:
    st.subheader(tr(TEXTS, "downloads"))
    cols = st.columns(2)
    cols[0].download_button(
        tr(TEXTS, "pdf"),
        data=lambda: render_pdf(brief),
        file_name=file_name(brief.scope, brief.as_of, "pdf"),
        mime=MEDIA_TYPES["pdf"],
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key="rep_pdf",
    )
    cols[1].download_button(
        tr(TEXTS, "xlsx"),
        data=lambda: render_xlsx(brief),
        file_name=file_name(brief.scope, brief.as_of, "xlsx"),
        mime=MEDIA_TYPES["xlsx"],
        icon=":material/table_view:",
        on_click="ignore",
        key="rep_xlsx",
    )


def _publish(brief: Brief) -> None:
    lang = brief.lang
    st.subheader(tr(TEXTS, "publish"))
    st.caption(tr(TEXTS, "publish_help"))
    sure = st.checkbox(
        tr(TEXTS, "publish_confirm", day=fmt_date(brief.as_of, lang)), key="rep_confirm"
    )
    if st.button(tr(TEXTS, "publish"), type="primary", disabled=not sure, key="rep_publish"):
        with st.spinner(tr(TEXTS, "publishing")):
            pdf, xlsx = render_pdf(brief), render_xlsx(brief)
            with runtime.write_session() as session:
                record = publish(
                    session,
                    brief,
                    actor=runtime.user_name(),
                    pdf=pdf,
                    xlsx=xlsx,
                    ip=st.context.ip_address,
                )
                new_id = record.id
        _brief.clear()
        st.session_state["rep_published_id"] = new_id
        st.rerun()
    if "rep_published_id" in st.session_state:
        st.success(tr(TEXTS, "published_ok", id=md(st.session_state["rep_published_id"])))


def _published_list(published: Any) -> None:
    lang = runtime.lang()
    st.subheader(tr(TEXTS, "published"))
    if not published:
        st.info(tr(TEXTS, "none_published"))
        return
    by_id = {p.id: p for p in published}

    def describe(brief_id: int) -> str:
        p = by_id[brief_id]
        scope = (
            tr(TEXTS, "all")
            if p.scope == "all"
            else p.scope.replace("theme:", tx("theme", lang) + " ")
        )
        return tr(
            TEXTS,
            "row",
            id=p.id,
            as_of=fmt_date(p.as_of, lang),
            scope=scope,
            at=fmt_date(p.published_at, lang),
            actor=p.actor,
        )

    chosen = st.selectbox(tr(TEXTS, "choose"), list(by_id), format_func=describe, key="rep_chosen")
    if chosen is None:
        return
    with runtime.read_session() as session:
        pdf_name, pdf = published_file(session, chosen, "pdf")
        xlsx_name, xlsx = published_file(session, chosen, "xlsx")
    cols = st.columns(2)
    cols[0].download_button(
        tr(TEXTS, "pdf"),
        data=pdf,
        file_name=pdf_name,
        mime=MEDIA_TYPES["pdf"],
        key="rep_old_pdf",
        on_click="ignore",
    )
    cols[1].download_button(
        tr(TEXTS, "xlsx"),
        data=xlsx,
        file_name=xlsx_name,
        mime=MEDIA_TYPES["xlsx"],
        key="rep_old_xlsx",
        on_click="ignore",
    )
