"""Stammdaten: partner organisations and funding programmes (list, create, edit, archive,
restore), Leitthemen and Handlungsfelder as a reference list."""

from __future__ import annotations

from typing import Any

import streamlit as st

from db.enums import FundingLevel, OrganisationKind, ProofOfUseBasis
from portfolio.i18n import fmt_eur, fmt_int
from portfolio.policy import Action
from portfolio.queries import masterdata as md_q
from portfolio.queries.common import pick
from portfolio.queries.detail import Row
from portfolio.services import organisations, programmes
from portfolio.ui import data
from portfolio.ui.components.editor import facts
from portfolio.ui.components.forms import (
    FormResult,
    entity_form,
    flash,
    loaded_version,
    run_save,
)
from portfolio.ui.components.safe_text import md
from portfolio.ui.components.texts import option_labels
from portfolio.ui.components.urlstate import Param, publish, restore
from portfolio.ui.components.widgets import frame, page_header, table
from portfolio.ui.navigation import page
from portfolio.ui.runtime import data_cache, lang, may, read_session, tr
from portfolio.vocab import field_label, label

TEXTS = {
    "de": {
        "title": "Stammdaten",
        "caption": "Partnerorganisationen und Förderprogramme pflegen; Leitthemen und Handlungsfelder nachschlagen.",
        "sec_organisationen": "Organisationen",
        "sec_programme": "Förderprogramme",
        "sec_themen": "Leitthemen & Handlungsfelder",
        "show_archived": "Archivierte anzeigen",
        "status": "Stand",
        "active": "aktiv",
        "archived": "archiviert",
        "projects": "Projekte",
        "lead_projects": "Federführung",
        "applications": "Förderlinien",
        "phases": "Phasen",
        "proof_of_use": "Verwendungsnachweis",
        "proof_after": "{months} Monate nach {basis}",
        "none_yet": "Noch keine Einträge.",
        "new_org": "Neue Organisation anlegen",
        "new_programme": "Neues Förderprogramm anlegen",
        "new_hint": "Pflichtfelder sind mit * markiert. Der Schlüssel ist das Kürzel, unter dem der Eintrag in Austauschdateien und Links erscheint; er lässt sich später nicht ändern.",
        "create": "Anlegen",
        "created": "„{name}“ angelegt.",
        "choose_org": "Organisation bearbeiten",
        "choose_programme": "Förderprogramm bearbeiten",
        "choose": "Eintrag wählen",
        "usage_org": "Beteiligt an {projects} aktiven Projekten, federführend in {lead}.",
        "usage_programme": "{count} {count|Förderlinie|Förderlinien} aktiver Projekte {count|läuft|laufen} über dieses Programm.",
        "archived_banner": "Dieser Eintrag ist archiviert: Er erscheint in keiner Auswahl und keiner Übersicht. Zum Ändern bitte wiederherstellen.",
        "archive": "Archivieren",
        "restore": "Wiederherstellen",
        "archive_confirm": "Ja, „{name}“ archivieren",
        "restore_confirm": "Ja, „{name}“ wiederherstellen",
        "archive_hint_used": "Bestehende Projekte behalten die Zuordnung; für neue Einträge steht „{name}“ dann nicht mehr zur Auswahl.",
        "confirm_first": "Bitte zuerst das Häkchen zur Bestätigung setzen.",
        "to_partner": "Im Partner-Überblick öffnen",
        "to_register_partner": "Projekte dieses Partners im Register",
        "to_register_programme": "Projekte mit diesem Programm im Register",
        "to_register_theme": "Projekte dieses Leitthemas im Register",
        "phase_key": "Phase",
        "phase_name": "Bezeichnung",
        "phase_cap": "Obergrenze",
        "phase_duration": "Laufzeit (Monate)",
        "phase_proof": "Verwendungsnachweis (Monate)",
        "no_phases": "Keine Phasen: Quote und Obergrenze gelten für die ganze Förderung.",
        "phases_hint": "Phasen werden bei der Einrichtung des Programms hinterlegt; für Änderungen bitte das Team der Innovation Unit ansprechen.",
        "themes_hint": "Leitthemen und Handlungsfelder folgen dem Smart-City-Konzept der Stadt Bochum und werden nur mit einer Fortschreibung des Konzepts geändert. Hier stehen sie zum Nachschlagen.",
        "field": "Handlungsfeld",
        "field_key": "Nr.",
        "active_projects": "Aktive Projekte",
        "goal": "Ziel",
    },
    "en": {
        "title": "Master data",
        "caption": "Maintain partner organisations and funding programmes; look up themes and action fields.",
        "sec_organisationen": "Organisations",
        "sec_programme": "Funding programmes",
        "sec_themen": "Themes & action fields",
        "show_archived": "Show archived",
        "status": "State",
        "active": "active",
        "archived": "archived",
        "projects": "Projects",
        "lead_projects": "Lead",
        "applications": "Funding lines",
        "phases": "Phases",
        "proof_of_use": "Proof of use",
        "proof_after": "{months} months after {basis}",
        "none_yet": "No entries yet.",
        "new_org": "Add an organisation",
        "new_programme": "Add a funding programme",
        "new_hint": "Required fields are marked *. The key is the short code used in exchange files and links; it cannot be changed later.",
        "create": "Create",
        "created": "“{name}” created.",
        "choose_org": "Edit an organisation",
        "choose_programme": "Edit a funding programme",
        "choose": "Choose an entry",
        "usage_org": "Takes part in {projects} active projects, leads {lead}.",
        "usage_programme": "{count} {count|funding line|funding lines} of active projects {count|runs|run} under this programme.",
        "archived_banner": "This entry is archived: it appears in no choice and no overview. Restore it to change it.",
        "archive": "Archive",
        "restore": "Restore",
        "archive_confirm": "Yes, archive “{name}”",
        "restore_confirm": "Yes, restore “{name}”",
        "archive_hint_used": "Existing projects keep the link; “{name}” will no longer be offered for new entries.",
        "confirm_first": "Please tick the confirmation first.",
        "to_partner": "Open in the partner overview",
        "to_register_partner": "This partner's projects in the register",
        "to_register_programme": "Projects under this programme in the register",
        "to_register_theme": "This theme's projects in the register",
        "phase_key": "Phase",
        "phase_name": "Name",
        "phase_cap": "Cap",
        "phase_duration": "Duration (months)",
        "phase_proof": "Proof of use (months)",
        "no_phases": "No phases: rate and cap apply to the whole funding.",
        "phases_hint": "Phases are set up with the programme; to change them, please contact the Innovation Unit team.",
        "themes_hint": "Themes and action fields follow Bochum's smart-city concept and change only with an update of the concept. They are listed here for reference.",
        "field": "Action field",
        "field_key": "No.",
        "active_projects": "Active projects",
        "goal": "Goal",
    },
}
SECTIONS = ("organisationen", "programme", "themen")  # codes, also in the URL (?bereich=…)
ORG_FIELDS = list(organisations.FIELDS)
PROGRAMME_FIELDS = list(programmes.FIELDS)


def tx(key: str, /, **params: object) -> str:
    return tr(TEXTS, key, **params)


# ---- cached reads (keyed by database, data stamp and access, like portfolio/ui/data.py) --------


@data_cache
def _organisations(db: str, stamp: int, access: str, archived: bool) -> list[Row]:
    with read_session() as session:
        return md_q.organisation_rows(session, include_archived=archived)


@data_cache
def _programmes(db: str, stamp: int, access: str, archived: bool) -> list[Row]:
    with read_session() as session:
        return md_q.programme_rows(session, include_archived=archived)


@data_cache
def _themes(db: str, stamp: int, access: str) -> list[md_q.ThemeLine]:
    with read_session() as session:
        return md_q.themes(session)


# ---- page -------------------------------------------------------------------------------------


def render() -> None:
    flash()
    stamp = data.stamp()
    page_header(tx("title"), tx("caption"))
    url = [
        Param("bereich", "md_section", default=SECTIONS[0], allowed=set(SECTIONS)),
        Param("archiv", "md_archived", "bool", default=False),
        Param("eintrag", "md_pick"),
    ]
    restore(url)
    if st.session_state.get("md_section") not in SECTIONS:
        # back from another page (widget state is gone): the section the user last worked in
        remembered = st.session_state.get("md_last_section")
        st.session_state["md_section"] = remembered if remembered in SECTIONS else SECTIONS[0]
    section = st.segmented_control(
        tx("title"),
        list(SECTIONS),
        format_func=option_labels({s: tx(f"sec_{s}") for s in SECTIONS}),
        key="md_section",
        required=True,
        label_visibility="collapsed",
        on_change=_forget_pick,
    )
    chosen = section or SECTIONS[0]
    st.session_state["md_last_section"] = chosen
    if chosen == "organisationen":
        organisations_section(stamp)
    elif chosen == "programme":
        programmes_section(stamp)
    else:
        themes_section(stamp)
    publish(url)


def _forget_pick() -> None:
    st.session_state.pop("md_pick", None)


def _archive_toggle() -> bool:
    return bool(st.toggle(tx("show_archived"), key="md_archived"))


def _height(rows: int) -> int:
    """Tall enough for every row up to 20 (a short reference list needs no scrolling)."""
    return 38 + 35 * min(max(rows, 1), 20)


def _state(row: Row) -> str:
    return tx("archived") if row.extra["archived"] else tx("active")


def _chooser(rows: list[Row], title: str, name_of: Any) -> Row | None:
    st.subheader(title)
    by_key = {r.values["key"]: r for r in rows}
    if st.session_state.get("md_pick") not in by_key:
        st.session_state.pop("md_pick", None)
    key = st.selectbox(
        tx("choose"),
        list(by_key),
        format_func=lambda k: name_of(by_key[k]),
        key="md_pick",
        index=None,
        placeholder=tx("choose"),
    )
    return by_key.get(key) if key else None


def _create_block(
    form_key: str,
    specs: Any,
    fields: list[str],
    defaults: dict[str, Any],
    create: Any,
    title: str,
    name_field: str,
) -> None:
    with st.expander(title, icon=":material/add:"):
        st.caption(tx("new_hint"))
        form = entity_form(
            form_key, specs, defaults, fields=fields, submit_label=tx("create"), columns=2
        )
        if form.submitted:
            created: dict[str, str] = {}

            def action(session: Any) -> Any:
                obj = create(session, form.data)
                created.update(key=obj.key, name=getattr(obj, name_field))
                return obj

            def select_it(_: Any) -> None:
                st.session_state["__flash"] = tx("created", name=created["name"])
                st.session_state["md_pick"] = created["key"]

            run_save(form, action, on_success=select_it)


def _edit_form(
    form_key: str, specs: Any, row: Row, fields: list[str], update: Any, first_field: str
) -> None:
    version = loaded_version(form_key, row.version, first_field)
    form = entity_form(
        form_key, specs, row.values, fields=fields, disabled=["key"], only_changes=True
    )
    if form.submitted:
        changes = dict(form.data)
        run_save(form, lambda s: update(s, row.id, changes, expected_version=version))


def _archive_block(prefix: str, row: Row, name: str, archive: Any, restore_: Any) -> None:
    form_key = f"{prefix}_archive:{row.id}"
    version = loaded_version(form_key, row.version, "confirm")
    restoring = bool(row.extra["archived"])
    with st.form(form_key, border=True):
        general = st.empty()
        confirm = st.checkbox(
            tx("restore_confirm" if restoring else "archive_confirm", name=name),
            key=f"{form_key}:confirm",
        )
        submitted = st.form_submit_button(
            tx("restore" if restoring else "archive"),
            icon=":material/unarchive:" if restoring else ":material/archive:",
        )
    if submitted and not confirm:
        general.warning(tx("confirm_first"))
    if submitted and confirm:
        action = restore_ if restoring else archive
        run_save(
            FormResult(form_key, submitted=True, general=general),
            lambda s: action(s, row.id, expected_version=version),
        )


# ---- Organisationen ---------------------------------------------------------------------------


def organisations_section(stamp: data.Stamp) -> None:
    language = lang()
    archived = _archive_toggle()
    rows = _organisations(stamp.db, stamp.stamp, stamp.access, archived)
    if rows:
        df = frame(
            [
                {
                    "key": r.values["key"],
                    "short_name": r.values["short_name"],
                    "name": r.values["name"],
                    "kind": label(OrganisationKind, r.values["kind"], language),
                    "contact_role": r.values["contact_role"] or "",
                    "contact_email": r.values["contact_email"] or "",
                    "address": r.values["address"] or "",
                    "projects": r.extra["projects"],
                    "lead_projects": r.extra["lead_projects"],
                    "status": _state(r),
                }
                for r in rows
            ],
            [
                "short_name",
                "key",
                "name",
                "kind",
                "projects",
                "lead_projects",
                "contact_role",
                "contact_email",
                "address",
                "status",
            ],
        )
        col = st.column_config
        config = {
            name: col.Column(field_label(name, language))
            for name in ("key", "short_name", "kind", "contact_role", "address")
        }
        config["short_name"] = col.Column(field_label("short_name", language), pinned=True)
        config["name"] = col.Column(field_label("name", language), width="medium")
        config["contact_email"] = col.LinkColumn(
            field_label("contact_email", language), display_text=r"mailto:(.*)"
        )
        df["contact_email"] = [f"mailto:{e}" if e else None for e in df["contact_email"]]
        config["projects"] = col.Column(tx("projects"))
        config["lead_projects"] = col.Column(tx("lead_projects"))
        config["status"] = col.Column(tx("status"))
        if not archived:
            df = df.drop(columns=["status"])
        table(
            df,
            ints=["projects", "lead_projects"],
            column_config=config,
            key="md_org_table",
            height=_height(len(df)),
        )
    else:
        st.info(tx("none_yet"))
    editable = may(Action.EDIT_MASTERDATA)  # the services refuse the others anyway
    if editable:
        _create_block(
            "md_org_new",
            organisations.FIELDS,
            ORG_FIELDS,
            {"kind": OrganisationKind.COMPANY.value},
            organisations.create,
            tx("new_org"),
            "short_name",
        )
    row = _chooser(
        rows,
        tx("choose_org"),
        lambda r: (
            f"{r.values['short_name']} · {r.values['name']}"
            + (f" ({tx('archived')})" if r.extra["archived"] else "")
        ),
    )
    if row is None:
        return
    name = row.values["short_name"]
    if row.extra["archived"]:
        st.warning(tx("archived_banner"), icon=":material/archive:")
        facts(organisations.FIELDS, row.values, ORG_FIELDS)
    else:
        st.caption(
            tx(
                "usage_org",
                projects=fmt_int(row.extra["projects"], language),
                lead=fmt_int(row.extra["lead_projects"], language),
            )
        )
        links = st.columns(2)
        links[0].page_link(
            page("partners"),
            label=tx("to_partner"),
            query_params={"partner": row.values["key"]},
            icon=":material/handshake:",
        )
        links[1].page_link(
            page("register"),
            label=tx("to_register_partner"),
            query_params={"partner": row.values["key"]},
            icon=":material/table_rows:",
        )
        if not editable:
            facts(organisations.FIELDS, row.values, ORG_FIELDS)
            return
        _edit_form(
            f"md_org_form:{row.id}",
            organisations.FIELDS,
            row,
            ORG_FIELDS,
            organisations.update,
            "name",
        )
        if row.extra["projects"]:
            st.caption(tx("archive_hint_used", name=md(name)))
    if editable:
        _archive_block("md_org", row, md(name), organisations.archive, organisations.restore)


# ---- Förderprogramme --------------------------------------------------------------------------


def _proof_text(values: dict[str, Any]) -> str:
    months = values.get("proof_of_use_months")
    if months is None:
        return ""
    basis = values.get("proof_of_use_basis") or ProofOfUseBasis.END.value
    return tx(
        "proof_after",
        months=fmt_int(int(months), lang()),
        basis=label(ProofOfUseBasis, basis, lang()),
    )


def programmes_section(stamp: data.Stamp) -> None:
    language = lang()
    archived = _archive_toggle()
    rows = _programmes(stamp.db, stamp.stamp, stamp.access, archived)
    if rows:
        df = frame(
            [
                {
                    "key": r.values["key"],
                    "name": r.values["name"],
                    "funder": r.values["funder"],
                    "programme_number": r.values["programme_number"] or "",
                    "level": label(FundingLevel, r.values["level"], language),
                    "standard_rate": r.values["standard_rate"],
                    "raised_rate": r.values["raised_rate"],
                    "requires_own_share": bool(r.values["requires_own_share"]),
                    "cap": r.values["cap"],
                    "proof": _proof_text(r.values),
                    "phases": ", ".join(
                        f"{p.key}: {fmt_eur(p.cap, language, cents=False)}"
                        if p.cap is not None
                        else p.key
                        for p in r.extra["phases"]
                    ),
                    "applications": r.extra["applications"],
                    "status": _state(r),
                }
                for r in rows
            ],
            [
                "key",
                "name",
                "level",
                "standard_rate",
                "raised_rate",
                "requires_own_share",
                "cap",
                "phases",
                "proof",
                "applications",
                "funder",
                "programme_number",
                "status",
            ],
        )
        col = st.column_config
        config: dict[str, Any] = {
            name: col.Column(field_label(name, language))
            for name in (
                "key",
                "funder",
                "programme_number",
                "level",
                "standard_rate",
                "raised_rate",
                "cap",
            )
        }
        config["key"] = col.Column(field_label("key", language), pinned=True)
        config["name"] = col.Column(field_label("name", language), width="medium")
        config["requires_own_share"] = col.CheckboxColumn(
            field_label("requires_own_share", language)
        )
        config["proof"] = col.Column(tx("proof_of_use"))
        config["phases"] = col.Column(tx("phases"))
        config["applications"] = col.Column(tx("applications"))
        config["status"] = col.Column(tx("status"))
        if not archived:
            df = df.drop(columns=["status"])
        table(
            df,
            money=["cap"],
            percents=["standard_rate", "raised_rate"],
            ints=["applications"],
            column_config=config,
            key="md_prog_table",
            height=_height(len(df)),
        )
    else:
        st.info(tx("none_yet"))
    editable = may(Action.EDIT_MASTERDATA)  # the services refuse the others anyway
    if editable:
        _create_block(
            "md_prog_new",
            programmes.FIELDS,
            PROGRAMME_FIELDS,
            {
                "level": FundingLevel.FEDERAL.value,
                "requires_own_share": True,
                "proof_of_use_basis": ProofOfUseBasis.END.value,
            },
            programmes.create,
            tx("new_programme"),
            "name",
        )
    row = _chooser(
        rows,
        tx("choose_programme"),
        lambda r: (
            f"{r.values['key']} · {r.values['name']}"
            + (f" ({tx('archived')})" if r.extra["archived"] else "")
        ),
    )
    if row is None:
        return
    name = row.values["name"]
    if row.extra["archived"]:
        st.warning(tx("archived_banner"), icon=":material/archive:")
        facts(programmes.FIELDS, row.values, PROGRAMME_FIELDS)
    else:
        st.caption(tx("usage_programme", count=fmt_int(row.extra["applications"], language)))
        st.page_link(
            page("register"),
            label=tx("to_register_programme"),
            query_params={"programm": row.values["key"]},
            icon=":material/table_rows:",
        )
    phases_table(row.extra["phases"])
    if not editable:
        if not row.extra["archived"]:
            facts(programmes.FIELDS, row.values, PROGRAMME_FIELDS)
        return
    if not row.extra["archived"]:
        _edit_form(
            f"md_prog_form:{row.id}",
            programmes.FIELDS,
            row,
            PROGRAMME_FIELDS,
            programmes.update,
            "name",
        )
        if row.extra["applications"]:
            st.caption(tx("archive_hint_used", name=md(name)))
    _archive_block("md_prog", row, md(name), programmes.archive, programmes.restore)


def phases_table(phases: list[md_q.Phase]) -> None:
    st.markdown(f"**{tx('phases')}**")
    if not phases:
        st.caption(tx("no_phases"))
        return
    df = frame(
        [
            {
                "key": p.key,
                "name": p.name,
                "cap": p.cap,
                "duration": p.duration_months,
                "proof": p.proof_of_use_months,
            }
            for p in phases
        ],
        ["key", "name", "cap", "duration", "proof"],
    )
    col = st.column_config
    table(
        df,
        money=["cap"],
        ints=["duration", "proof"],
        column_config={
            "key": col.Column(tx("phase_key")),
            "name": col.Column(tx("phase_name"), width="large"),
            "cap": col.Column(tx("phase_cap")),
            "duration": col.Column(tx("phase_duration")),
            "proof": col.Column(tx("phase_proof")),
        },
    )
    st.caption(tx("phases_hint"))


# ---- Leitthemen & Handlungsfelder -------------------------------------------------------------


def themes_section(stamp: data.Stamp) -> None:
    language = lang()
    st.caption(tx("themes_hint"))
    for theme in _themes(stamp.db, stamp.stamp, stamp.access):
        with st.container(border=True):
            st.markdown(f"#### {md(theme.key)} · {md(pick(theme.name, theme.name_en, language))}")
            if theme.goal:
                st.markdown(f"*{tx('goal')}:* {md(theme.goal, lines=True)}")
            df = frame(
                [
                    {
                        "key": f.key,
                        "name": pick(f.name, f.name_en, language),
                        "projects": f.projects,
                    }
                    for f in theme.fields
                ],
                ["key", "name", "projects"],
            )
            col = st.column_config
            table(
                df,
                ints=["projects"],
                column_config={
                    "key": col.Column(tx("field_key")),
                    "name": col.Column(tx("field"), width="large"),
                    "projects": col.Column(tx("active_projects")),
                },
            )
            st.page_link(
                page("register"),
                label=tx("to_register_theme"),
                query_params={"thema": theme.key},
                icon=":material/table_rows:",
            )
