"""Projekte: the register with filters in the URL, sorting, pages and an Excel download."""

from __future__ import annotations

import datetime as dt
from functools import partial

import streamlit as st

from db.enums import ProjectStatus, TrafficLight
from portfolio import palette
from portfolio.policy import Action
from portfolio.queries import register as register_q
from portfolio.queries.common import NO_LIGHT, pick
from portfolio.queries.detail import Choices
from portfolio.queries.register_export import export_view
from portfolio.ui import data
from portfolio.ui.components.filters import (
    first_page,
    keep_offered,
    organisation_options,
    page_offset,
    select_many,
    select_number,
    select_one,
    select_theme,
    theme_options,
)
from portfolio.ui.components.page import start as start_page
from portfolio.ui.components.saved_views import views_menu
from portfolio.ui.components.texts import option_labels
from portfolio.ui.components.urlstate import REGISTER_VIEW, Param, publish, restore
from portfolio.ui.components.widgets import (
    frame,
    light_dot,
    light_text,
    pager,
    range_caption,
    t,
    table,
    theme_title,
)
from portfolio.ui.navigation import page
from portfolio.ui.runtime import Catalogue, engine, lang, may, require_principal
from portfolio.vocab import label, labels

TEXTS = {
    "de": {
        "title": "Projekte",
        "caption": "Projektregister: filtern, sortieren, öffnen, herunterladen. Der Link in der Adresszeile gibt genau diese Ansicht wieder.",
        "filters": "Filter",
        "theme": "Leitthema",
        "field": "Handlungsfeld",
        "status": "Status",
        "partner": "Partner",
        "programme": "Förderprogramm",
        "light": "Ampel",
        "search": "Suche",
        "search_help": "Schlüssel, Titel, Beschreibung, Verantwortliche, Ort; mehrere Wörter müssen alle vorkommen.",
        "archived": "Archivierte Projekte zeigen",
        "sort": "Sortieren nach",
        "descending": "absteigend",
        "page_size": "Zeilen je Seite",
        "download": "Excel herunterladen ({count} {count|Zeile|Zeilen})",
        "download_help": "Genau diese Ansicht: dieselben Filter, dieselbe Reihenfolge, alle Spalten, echte Datums- und Zahlenwerte.",
        "reset": "Filter zurücksetzen",
        "found": "{count} {count|Projekt|Projekte}",
        "select_hint": "Zeile anklicken, um das Projekt zu öffnen.",
        "columns": "Spalten",
        "columns_help": "Schlüssel und Titel stehen immer vorn; die Auswahl steht in der Adresse, ein Link zeigt dieselbe Ansicht.",
        "open": "Projekt {key} öffnen",
        "new": "Neues Projekt anlegen",
        "col_key": "Schlüssel",
        "col_title": "Titel",
        "col_status": "Status",
        "col_theme": "Leitthema / Handlungsfeld",
        "col_lead": "Federführung",
        "col_start": "Beginn",
        "col_end": "Ende",
        "col_total": "Gesamtkosten",
        "col_approved": "Förderung bewilligt",
        "col_light": "Ampel",
        "col_next": "Nächster Meilenstein",
        "col_overdue": "Überfällig",
        "sort_key": "Schlüssel",
        "sort_title": "Titel",
        "sort_status": "Status",
        "sort_theme": "Handlungsfeld",
        "sort_lead": "Federführung",
        "sort_start_date": "Beginn",
        "sort_end_date": "Ende",
        "sort_total_cost": "Gesamtkosten",
        "sort_funding_approved": "Förderung bewilligt",
        "sort_light": "Ampel (rot zuerst)",
        "sort_next_milestone": "Nächster Meilenstein",
        "sort_overdue": "Überfällige Meilensteine",
        "view_sort": "Sortierung",
        "view_desc": "absteigend",
        "view_asc": "aufsteigend",
    },
    "en": {
        "title": "Projects",
        "caption": "Project register: filter, sort, open, download. The link in the address bar reproduces exactly this view.",
        "filters": "Filters",
        "theme": "Theme",
        "field": "Action field",
        "status": "Status",
        "partner": "Partner",
        "programme": "Funding programme",
        "light": "Light",
        "search": "Search",
        "search_help": "Key, title, summary, responsible person, place; several words must all occur.",
        "archived": "Show archived projects",
        "sort": "Sort by",
        "descending": "descending",
        "page_size": "Rows per page",
        "download": "Download Excel ({count} {count|row|rows})",
        "download_help": "Exactly this view: same filters, same order, all columns, real date and number values.",
        "reset": "Reset filters",
        "found": "{count} {count|project|projects}",
        "select_hint": "Click a row to open the project.",
        "columns": "Columns",
        "columns_help": "Key and title always lead; the choice is in the address, so a link shows the same view.",
        "open": "Open project {key}",
        "new": "Create a new project",
        "col_key": "Key",
        "col_title": "Title",
        "col_status": "Status",
        "col_theme": "Theme / action field",
        "col_lead": "Lead",
        "col_start": "Start",
        "col_end": "End",
        "col_total": "Total cost",
        "col_approved": "Funding approved",
        "col_light": "Light",
        "col_next": "Next milestone",
        "col_overdue": "Overdue",
        "sort_key": "Key",
        "sort_title": "Title",
        "sort_status": "Status",
        "sort_theme": "Action field",
        "sort_lead": "Lead",
        "sort_start_date": "Start",
        "sort_end_date": "End",
        "sort_total_cost": "Total cost",
        "sort_funding_approved": "Funding approved",
        "sort_light": "Light (red first)",
        "sort_next_milestone": "Next milestone",
        "sort_overdue": "Overdue milestones",
        "view_sort": "Sort order",
        "view_desc": "descending",
        "view_asc": "ascending",
    },
}


tx = Catalogue(TEXTS)


PINNED = ("key", "title")
"""Always shown, first (and pinned while scrolling sideways)."""
OPTIONAL = (
    "status",
    "light",
    "end",
    "approved",
    "next",
    "theme",
    "lead",
    "start",
    "total",
    "overdue",
)
"""The columns a user may choose, in the order they appear."""
DEFAULT_COLUMNS = ("status", "light", "end", "approved", "next")
"""What fits at 1280 px beside key and title; the rest is one click away."""
PAGE_KEY = "reg_page"
"""The pager's widget key (``?seite=``): every filter change goes back to page 1."""


def params() -> list[Param]:
    choices = data.choices(data.stamp())
    return [
        Param(
            "spalten", "reg_columns", "list", default=list(DEFAULT_COLUMNS), allowed=set(OPTIONAL)
        ),
        Param("thema", "reg_theme", allowed={c.key for c in choices.themes}),
        Param("feld", "reg_field", allowed={c.key for c in choices.action_fields}),
        Param("status", "reg_status", "list", allowed=set(labels(ProjectStatus))),
        Param("partner", "reg_partner", allowed={c.key for c in choices.organisations}),
        Param("programm", "reg_programme", allowed={c.key for c in choices.programmes}),
        Param("ampel", "reg_light", allowed={*(str(x) for x in TrafficLight), NO_LIGHT}),
        Param("suche", "reg_text", default=""),
        Param("archiv", "reg_archived", "bool", default=False),
        Param(
            "sortierung",
            "reg_sort",
            default=register_q.DEFAULT_SORT,
            allowed=set(register_q.SORT_KEYS),
        ),
        Param("absteigend", "reg_desc", "bool", default=False),
        Param("zeilen", "reg_rows", "int", default=50, allowed=set(register_q.PAGE_SIZES)),
        Param("seite", PAGE_KEY, "int", default=1),
    ]


def render() -> None:
    stamp = start_page(tx("title"), tx("caption"), archived_too=True)
    if stamp is None:
        if may(Action.EDIT_PORTFOLIO):
            st.page_link(
                page("project"), label=tx("new"), query_params={"neu": "1"}, icon=":material/add:"
            )
        return
    url = params()
    restore(url)
    f, page_size = filters(stamp)
    result = data.register_page(stamp, f, offset=page_offset(PAGE_KEY, page_size), limit=page_size)
    # The Datenaustausch page exports exactly this view as a partner workbook.
    st.session_state[REGISTER_VIEW] = (f, result.total)
    top = st.columns([3, 3, 2, 2, 2])
    top[0].markdown(f"**{tx('found', count=_int(result.total))}**")
    with top[1]:
        download(f, result.total, stamp.today)
    columns = column_chooser(top[2])
    views_menu(top[3], "register", url, key="reg_views")
    if may(Action.EDIT_PORTFOLIO):
        top[4].page_link(
            page("project"), label=tx("new"), query_params={"neu": "1"}, icon=":material/add:"
        )
    if not result.rows:
        st.info(t("empty_filtered"))
        publish(url)
        return
    selection = show_rows(result, columns)
    range_caption(result.offset, len(result.rows), result.total)
    pager(result.total, page_size, key=PAGE_KEY)
    publish(url)
    if selection is not None:
        st.switch_page(page("project"), query_params={"projekt": result.rows[selection].key})
    st.caption(tx("select_hint"))


def _int(value: int) -> str:
    from portfolio.i18n import fmt_int

    return fmt_int(value, lang())


def filters(stamp: data.Stamp) -> tuple[register_q.RegisterFilter, int]:
    """The filter panel; returns the view's filter and the rows per page."""
    choices = data.choices(stamp)
    keep_offered("reg_sort", register_q.SORT_KEYS, register_q.DEFAULT_SORT)
    with st.container(border=True):
        row = st.columns([2, 3, 3, 2])
        theme = select_theme(
            row[0], tx("theme"), theme_options(choices), key="reg_theme", page_key=PAGE_KEY
        )
        fields = _action_fields(choices, theme)
        keep_offered("reg_field", (None, *fields), None)
        field_key = select_one(row[1], tx("field"), fields, key="reg_field", page_key=PAGE_KEY)
        statuses = select_many(
            row[2], tx("status"), labels(ProjectStatus, lang()), key="reg_status", page_key=PAGE_KEY
        )
        text = row[3].text_input(
            tx("search"),
            key="reg_text",
            help=tx("search_help"),
            on_change=first_page,
            args=(PAGE_KEY,),
        )
        row = st.columns([2, 3, 2, 3])
        partner = select_one(
            row[0],
            tx("partner"),
            organisation_options(choices),
            key="reg_partner",
            page_key=PAGE_KEY,
        )
        programmes = {c.key: c.label for c in choices.programmes}
        programme = select_one(
            row[1], tx("programme"), programmes, key="reg_programme", page_key=PAGE_KEY
        )
        light = select_one(row[2], tx("light"), _lights(), key="reg_light", page_key=PAGE_KEY)
        sort = row[3].selectbox(
            tx("sort"),
            list(register_q.SORT_KEYS),
            format_func=option_labels({k: tx(f"sort_{k}") for k in register_q.SORT_KEYS}),
            key="reg_sort",
            on_change=first_page,
            args=(PAGE_KEY,),
        )
        descending, archived, page_size = _view_row()
    f = register_q.RegisterFilter(
        theme=theme,
        action_field=field_key,
        statuses=statuses,
        partner=partner,
        programme=programme,
        light=light,
        text=(text or "").strip() or None,
        archived=archived,
        sort=sort or register_q.DEFAULT_SORT,
        descending=descending,
    )
    return f, page_size


def _action_fields(choices: Choices, theme: str | None) -> dict[str, str]:
    """The Handlungsfelder on offer: those of the chosen Leitthema, else all."""
    return {
        c.key: theme_title(c.key, c.label, c.label_en)
        for c in choices.action_fields
        if theme is None or c.group == theme
    }


def _lights() -> dict[str, str]:
    """The traffic lights (and "none yet") with their marks."""
    return {
        **{str(code): f"{light_dot(code)} {light_text(code)}" for code in TrafficLight},
        NO_LIGHT: f"{light_dot(None)} {light_text(None)}",
    }


def _view_row() -> tuple[bool, bool, int]:
    """Descending, archived too, rows per page; and the reset button."""
    row = st.columns([2, 3, 2, 3], vertical_alignment="bottom")
    descending = row[0].toggle(
        tx("descending"), key="reg_desc", on_change=first_page, args=(PAGE_KEY,)
    )
    archived = row[1].toggle(
        tx("archived"), key="reg_archived", on_change=first_page, args=(PAGE_KEY,)
    )
    page_size = select_number(
        row[2],
        tx("page_size"),
        register_q.PAGE_SIZES,
        key="reg_rows",
        default=50,
        page_key=PAGE_KEY,
    )
    row[3].button(tx("reset"), on_click=_reset, icon=":material/filter_alt_off:")
    return bool(descending), bool(archived), page_size


def _reset() -> None:
    """Clears the filters; the chosen columns are the user's view, not a filter, and stay."""
    for p in params():
        if p.key == "reg_columns":
            continue
        st.session_state[p.key] = (
            [] if p.kind == "list" else ("" if p.key == "reg_text" else p.default)
        )


def column_chooser(where: st.delta_generator.DeltaGenerator) -> list[str]:
    """The register's optional columns the user chose (in the register's order)."""
    if "reg_columns" not in st.session_state:
        st.session_state["reg_columns"] = list(DEFAULT_COLUMNS)
    with where.popover(tx("columns"), icon=":material/view_column:"):
        chosen = st.multiselect(
            tx("columns"),
            list(OPTIONAL),
            format_func=lambda c: tx(f"col_{c}"),
            key="reg_columns",
            help=tx("columns_help"),
        )
    return [c for c in OPTIONAL if c in (chosen or [])]


def show_rows(result: register_q.RegisterPage, columns: list[str]) -> int | None:
    language = lang()
    df = frame(
        [
            {
                "key": r.key,
                "title": r.title,
                "status": label(ProjectStatus, r.status, language),
                "theme": f"{r.action_field_key} {pick(r.action_field_name, r.action_field_name_en, language)}",
                "lead": r.lead or "",
                "start": r.start_date,
                "end": r.end_date,
                "total": r.total_cost,
                "approved": r.funding_approved,
                "light": f"{light_dot(r.light)} {light_text(r.light)}",
                "next": r.next_milestone,
                "overdue": r.overdue_milestones,
            }
            for r in result.rows
        ],
        [*PINNED, *columns],
    )
    col = st.column_config
    cfg = {
        "key": col.Column(tx("col_key"), pinned=True, width="small"),
        "title": col.Column(tx("col_title"), pinned=True, width="large"),
        "status": col.Column(tx("col_status")),
        "theme": col.Column(tx("col_theme")),
        "lead": col.Column(tx("col_lead")),
        "start": col.Column(tx("col_start")),
        "end": col.Column(tx("col_end")),
        "total": col.Column(tx("col_total")),
        "approved": col.Column(tx("col_approved")),
        "light": col.Column(tx("col_light")),
        "next": col.Column(tx("col_next")),
        "overdue": col.Column(tx("col_overdue")),
    }
    event = table(
        df,
        money=["total", "approved"],
        dates=["start", "end", "next"],
        ints=["overdue"],
        column_config={c: cfg[c] for c in df.columns},
        tinted={"light": (palette.LIGHT_COLOURS, [r.light for r in result.rows])},
        key="register_table",
        on_select="rerun",
        selection_mode="single-row",
        height=min(38 + 35 * len(df), 38 + 35 * 25),
    )
    try:
        rows = event.selection.rows
    except AttributeError:
        return None
    return int(rows[0]) if rows else None


def describe(f: register_q.RegisterFilter, language: str) -> list[tuple[str, str]]:
    """The view's filters in words, for the export's second sheet."""
    choices = data.choices(data.stamp())
    names = {c.key: pick(c.label, c.label_en, language) for c in choices.themes}
    fields = {c.key: pick(c.label, c.label_en, language) for c in choices.action_fields}
    orgs = {c.key: c.label for c in choices.organisations}
    programmes = {c.key: c.label for c in choices.programmes}
    lines: list[tuple[str, str]] = []
    if f.theme:
        lines.append((tx("theme"), f"{f.theme} {names.get(f.theme, '')}"))
    if f.action_field:
        lines.append((tx("field"), f"{f.action_field} {fields.get(f.action_field, '')}"))
    if f.statuses:
        lines.append(
            (tx("status"), ", ".join(label(ProjectStatus, s, language) for s in f.statuses))
        )
    if f.partner:
        lines.append((tx("partner"), orgs.get(f.partner, f.partner)))
    if f.programme:
        lines.append((tx("programme"), programmes.get(f.programme, f.programme)))
    if f.light:
        lines.append((tx("light"), light_text(None if f.light == NO_LIGHT else f.light)))
    if f.text:
        lines.append((tx("search"), f.text))
    if f.archived:
        lines.append((tx("archived"), t("yes")))
    lines.append(
        (
            tx("view_sort"),
            f"{tx('sort_' + f.sort)} ({tx('view_desc') if f.descending else tx('view_asc')})",
        )
    )
    return lines


def download(f: register_q.RegisterFilter, total: int, today: dt.date) -> None:
    if not may(Action.EXPORT_DATA):
        return
    language = lang()
    st.download_button(
        tx("download", count=_int(total)),
        data=partial(  # built when clicked, outside the script run: the principal goes along
            export_view,
            engine(),
            f,
            today=today,
            lang=language,
            view=describe(f, language),
            principal=require_principal(),
        ),
        file_name=f"projekte_{today.isoformat()}.xlsx"
        if language == "de"
        else f"projects_{today.isoformat()}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        help=tx("download_help"),
        on_click="ignore",
        icon=":material/download:",
        disabled=total == 0,
    )
