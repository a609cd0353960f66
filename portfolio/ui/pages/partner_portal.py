"""Meine Projekte: the partner portal.

A partner user sees its organisation's projects, their open milestones and what is due (status
reports, proofs of use, payment requests), downloads its workbook, uploads it back, sees the
preview with every error and conflict at its cell, and applies it; and it edits the fields the
workbook opens to partners directly here (a project's texts, its own contributions, milestone
done dates, actual spending, measurements). Everything is read and written through
:mod:`portfolio.queries.partner_portal` and :mod:`portfolio.services.partner_edits`, which keep
it to the partner's organisation whatever the page is asked: a project key of another
organisation in the URL (``?projekt=``) shows nothing of that project and says so.

Members of the unit and the leadership open the same page "as a partner": they choose the
organisation ("Sicht als Partner") and see exactly what that partner sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd
import streamlit as st

from db.enums import CostType, ParticipationRole, ProjectStatus, ProofKind
from portfolio.errors import ConflictError, PortfolioError, ValidationFailed
from portfolio.exchange.state import Scope
from portfolio.i18n import fmt_int
from portfolio.policy import Action
from portfolio.queries import partner_portal
from portfolio.services import partner_edits, projects
from portfolio.ui import runtime
from portfolio.ui.components import exchange_panel as exchange
from portfolio.ui.components.forms import entity_form, flash, loaded_version, run_save
from portfolio.ui.components.safe_text import md
from portfolio.ui.components.texts import option_labels
from portfolio.ui.components.widgets import light_text, table
from portfolio.ui.components.workbooks import workbook_download
from portfolio.ui.runtime import tr
from portfolio.vocab import field_label, label

TEXTS = {
    "de": {
        "title": "Meine Projekte",
        "intro": "Die Projekte von {org}: offene Meilensteine, was fällig ist, die Arbeitsmappe zum Herunterladen und Zurücksenden, und die Angaben, die Partner selbst pflegen.",
        "view_as": "Sicht als Partner",
        "view_as_help": "Zeigt die Seite so, wie die gewählte Organisation sie sieht.",
        "choose_org": "Bitte eine Organisation wählen.",
        "tab_projects": "Projekte",
        "tab_workbook": "Arbeitsmappe",
        "tab_history": "Bisherige Importe",
        "projects": "Projekte",
        "open_milestones": "Offene Meilensteine",
        "overdue": "davon überfällig",
        "duties": "Fällig",
        "no_projects": "{org} ist an keinem aktiven Projekt beteiligt.",
        "no_milestones": "Keine offenen Meilensteine.",
        "no_duties": "Nichts fällig.",
        "key": "Schlüssel",
        "project": "Projekt",
        "project_title": "Titel",
        "status": "Status",
        "roles": "Rolle",
        "lead": "Federführung",
        "end": "Ende",
        "light": "Ampel",
        "milestone": "Meilenstein",
        "due": "Fällig am",
        "responsible": "Verantwortlich",
        "late": "überfällig",
        "duty": "Was",
        "reference": "Förderantrag",
        "amount": "Betrag",
        "duty_status_report": "Statusbericht",
        "duty_status_report_never": "Statusbericht (noch keiner)",
        "duty_proof": "Nachweis: {kind}",
        "duty_payment": "Mittelabruf",
        "yes": "ja",
        "open_project": "Projekt öffnen",
        "pick_project": "Projekt wählen …",
        "not_yours": "Das Projekt „{key}“ gehört nicht zu den Projekten von {org}. Davon wird hier nichts gezeigt.",
        "edit_intro": "Hier ändern Sie die Angaben, die Partner pflegen – dieselben Felder wie in den weißen Zellen der Arbeitsmappe. Alles andere pflegt die Smart-City Innovation Unit.",
        "texts": "Beschreibung",
        "own_share": "Beteiligung von {org}",
        "milestones": "Meilensteine",
        "costs": "Kostenplan (Ist-Ausgaben)",
        "measurements": "Messwerte",
        "add_measurement": "Messwert hinzufügen",
        "indicator": "Wirkungsindikator",
        "save": "Änderungen speichern",
        "saved": "Gespeichert: {count} {count|Zeile|Zeilen}.",
        "nothing_changed": "Nichts geändert.",
        "bad_value": "„{value}“ in „{column}“ ist kein gültiger Wert.",
        "none_here": "Keine Einträge.",
        "download": "Arbeitsmappe herunterladen",
        "download_help": "Die Arbeitsmappe enthält genau diese Projekte; änderbar sind die weißen Zellen. Nach dem Bearbeiten hier hochladen: Sie sehen zuerst eine Vorschau mit jeder Änderung, jedem Fehler und jedem Konflikt.",
        "history_intro": "Die Importe der Arbeitsmappe von {org} – eigene und die der Innovation Unit.",
    },
    "en": {
        "title": "My projects",
        "intro": "The projects of {org}: open milestones, what is due, the workbook to download and send back, and the entries partners keep themselves.",
        "view_as": "View as partner",
        "view_as_help": "Shows the page as the chosen organisation sees it.",
        "choose_org": "Please choose an organisation.",
        "tab_projects": "Projects",
        "tab_workbook": "Workbook",
        "tab_history": "Past imports",
        "projects": "Projects",
        "open_milestones": "Open milestones",
        "overdue": "of them overdue",
        "duties": "Due",
        "no_projects": "{org} takes part in no active project.",
        "no_milestones": "No open milestones.",
        "no_duties": "Nothing due.",
        "key": "Key",
        "project": "Project",
        "project_title": "Title",
        "status": "Status",
        "roles": "Role",
        "lead": "Lead",
        "end": "End",
        "light": "Traffic light",
        "milestone": "Milestone",
        "due": "Due on",
        "responsible": "Responsible",
        "late": "overdue",
        "duty": "What",
        "reference": "Funding application",
        "amount": "Amount",
        "duty_status_report": "Status report",
        "duty_status_report_never": "Status report (none yet)",
        "duty_proof": "Proof: {kind}",
        "duty_payment": "Payment request",
        "yes": "yes",
        "open_project": "Open project",
        "pick_project": "Choose a project …",
        "not_yours": "The project “{key}” is not one of the projects of {org}. Nothing of it is shown here.",
        "edit_intro": "Here you change the entries partners keep – the same fields as the white cells of the workbook. Everything else is kept by the Smart-City Innovation Unit.",
        "texts": "Description",
        "own_share": "Participation of {org}",
        "milestones": "Milestones",
        "costs": "Cost plan (actual spending)",
        "measurements": "Measurements",
        "add_measurement": "Add a measurement",
        "indicator": "Impact indicator",
        "save": "Save changes",
        "saved": "Saved: {count} {count|row|rows}.",
        "nothing_changed": "Nothing changed.",
        "bad_value": "“{value}” in “{column}” is not a valid value.",
        "none_here": "No entries.",
        "download": "Download workbook",
        "download_help": "The workbook holds exactly these projects; the white cells are editable. Upload it here after editing: you first see a preview with every change, every error and every conflict.",
        "history_intro": "The imports of the workbook of {org} – its own and the Innovation Unit's.",
    },
}
PROJECT_PARAM = "projekt"
ORG_KEY = "portal_org"
PROJECT_TEXT_FIELDS = ("spatial_note", "summary", "goals", "repository_url")


def _organisation(who: Any) -> str | None:
    """The organisation shown: a partner's own; for the unit the one chosen."""
    if who.is_scoped:
        return str(who.organisation_key) if who.organisation_key else None
    with runtime.read_session() as session:
        orgs = partner_portal.organisations(session)
    names = {o.key: f"{o.short_name} ({o.key})" for o in orgs}
    return st.selectbox(
        tr(TEXTS, "view_as"),
        list(names),
        index=None,
        format_func=option_labels(names),
        placeholder=tr(TEXTS, "choose_org"),
        help=tr(TEXTS, "view_as_help"),
        key=ORG_KEY,
    )


def _roles(codes: Sequence[str], lang: str) -> str:
    return ", ".join(label(ParticipationRole, c, lang) for c in codes)


def _overview(portal: partner_portal.Portal, lang: str) -> None:
    org = portal.organisation
    late = sum(1 for m in portal.milestones if m.overdue)
    cols = st.columns(4)
    cols[0].metric(tr(TEXTS, "projects"), fmt_int(len(portal.projects), lang))
    cols[1].metric(tr(TEXTS, "open_milestones"), fmt_int(len(portal.milestones), lang))
    cols[2].metric(tr(TEXTS, "overdue"), fmt_int(late, lang))
    cols[3].metric(tr(TEXTS, "duties"), fmt_int(len(portal.duties), lang))
    if not portal.projects:
        st.info(md(tr(TEXTS, "no_projects", org=org.name)))
        return
    table(
        pd.DataFrame(
            [
                {
                    tr(TEXTS, "key"): p.key,
                    tr(TEXTS, "project_title"): p.title,
                    tr(TEXTS, "status"): label(ProjectStatus, p.status, lang),
                    tr(TEXTS, "roles"): _roles(p.roles, lang),
                    tr(TEXTS, "lead"): p.lead or "–",
                    tr(TEXTS, "end"): p.end_date,
                    tr(TEXTS, "light"): light_text(p.light),
                }
                for p in portal.projects
            ]
        ),
        dates=[tr(TEXTS, "end")],
        key="portal_projects",
    )
    st.subheader(tr(TEXTS, "open_milestones"))
    if portal.milestones:
        table(
            pd.DataFrame(
                [
                    {
                        tr(TEXTS, "project"): m.project_key,
                        tr(TEXTS, "milestone"): m.title,
                        tr(TEXTS, "due"): m.due_date,
                        tr(TEXTS, "late"): tr(TEXTS, "yes") if m.overdue else "",
                        tr(TEXTS, "responsible"): m.responsible or "–",
                    }
                    for m in portal.milestones
                ]
            ),
            dates=[tr(TEXTS, "due")],
            key="portal_milestones",
        )
    else:
        st.caption(tr(TEXTS, "no_milestones"))
    st.subheader(tr(TEXTS, "duties"))
    if portal.duties:
        table(
            pd.DataFrame(
                [
                    {
                        tr(TEXTS, "due"): d.due_on,
                        tr(TEXTS, "late"): tr(TEXTS, "yes") if d.overdue else "",
                        tr(TEXTS, "duty"): _duty(d, lang),
                        tr(TEXTS, "project"): d.project_key,
                        tr(TEXTS, "reference"): d.reference,
                        tr(TEXTS, "amount"): d.amount,
                    }
                    for d in portal.duties
                ]
            ),
            dates=[tr(TEXTS, "due")],
            money=[tr(TEXTS, "amount")],
            key="portal_duties",
        )
    else:
        st.caption(tr(TEXTS, "no_duties"))


def _duty(d: partner_portal.PortalDuty, lang: str) -> str:
    if d.kind == "proof":
        return tr(TEXTS, "duty_proof", kind=label(ProofKind, d.what, lang))
    if d.kind == "payment":
        return tr(TEXTS, "duty_payment")
    return tr(TEXTS, "duty_status_report" if d.due_on else "duty_status_report_never")


# ---- one project: the partner's own fields ---------------------------------------------------


def _parse(kind: str, value: Any) -> Any:
    """A cell of the data editor as the service takes it (raises ValueError)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        return dt.date.fromisoformat(text[:10]) if text else None
    if kind == "number":
        try:
            return Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError(value) from exc
    text = str(value).strip()
    return text or None


def _rows_editor(
    key: str,
    entity: str,
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[tuple[str, str, str, Callable[[Mapping[str, Any]], Any] | None]],
    lang: str,
) -> None:
    """A data editor over ``rows``: ``columns`` are (field, header, kind, shown); the fields a
    partner may change (:data:`partner_edits.OPEN_FIELDS`) are editable, the rest context. A
    save sends the changed cells of every row in one transaction."""
    if not rows:
        st.caption(tr(TEXTS, "none_here"))
        return
    open_fields = partner_edits.OPEN_FIELDS[entity]
    records = []
    for row in rows:
        record: dict[str, Any] = {}
        for name, header, kind, shown in columns:
            value = shown(row) if shown is not None else row.get(name)
            if kind == "number" and value is not None:
                value = float(value)
            record[header] = value
        records.append(record)
    frame = pd.DataFrame(records)
    config: dict[str, Any] = {}
    for _name, header, kind, _shown in columns:
        if kind == "date":
            config[header] = st.column_config.DateColumn(
                header, format="DD.MM.YYYY" if lang == "de" else "DD/MM/YYYY"
            )
        elif kind == "number":
            config[header] = st.column_config.NumberColumn(header, format="localized")
        else:
            config[header] = st.column_config.TextColumn(header)
    disabled = [header for name, header, _k, _s in columns if name not in open_fields]
    editor_key = f"{key}_editor"
    st.data_editor(
        frame,
        column_config=config,
        disabled=disabled,
        hide_index=True,
        num_rows="fixed",
        key=editor_key,
        width="stretch",
    )
    if not st.button(tr(TEXTS, "save"), key=f"{key}_save", icon=":material/save:"):
        return
    edited: dict[int, dict[str, Any]] = dict(
        (st.session_state.get(editor_key) or {}).get("edited_rows", {})
    )
    by_header = {header: (name, kind) for name, header, kind, _s in columns}
    edits: list[partner_edits.Edit] = []
    for index, cells in edited.items():
        row = rows[int(index)]
        changes: dict[str, Any] = {}
        for header, value in cells.items():
            name, kind = by_header[header]
            try:
                changes[name] = _parse(kind, value)
            except ValueError:
                st.error(md(tr(TEXTS, "bad_value", value=value, column=header)))
                return
        edits.append(partner_edits.Edit(entity, int(row["id"]), int(row["version"]), changes))
    _save(lambda session: partner_edits.apply(session, edits, today=runtime.today()), editor_key)


def _save(action: Callable[[Any], int], editor_key: str | None = None) -> None:
    language = runtime.lang()
    try:
        with runtime.write_session() as session:
            count = action(session)
    except ValidationFailed as exc:
        st.error(md(exc.message(language), lines=True))
        return
    except ConflictError as exc:
        st.warning(md(exc.message(language), lines=True), icon=":material/sync_problem:")
        if editor_key:
            st.session_state.pop(editor_key, None)
        return
    except PortfolioError as exc:
        st.error(md(exc.message(language), lines=True))
        return
    runtime.clear_caches()
    if editor_key:
        st.session_state.pop(editor_key, None)
    st.session_state["__flash"] = (
        tr(TEXTS, "saved", count=fmt_int(count, language))
        if count
        else tr(TEXTS, "nothing_changed")
    )
    st.rerun()


def _project_texts(rows: partner_portal.PortalProjectRows) -> None:
    project = rows.project
    form_key = f"portal_texts:{project['id']}"
    version = loaded_version(form_key, int(project["version"]), PROJECT_TEXT_FIELDS[0])
    form = entity_form(
        form_key,
        projects.FIELDS,
        project,
        fields=PROJECT_TEXT_FIELDS,
        only_changes=True,
        columns=1,
    )
    if form.submitted:
        changes = dict(form.data)
        run_save(
            form,
            lambda s: partner_edits.update(
                s, "project", int(project["id"]), changes, expected_version=version
            ),
        )


def _add_measurement(rows: partner_portal.PortalProjectRows, lang: str) -> None:
    if not rows.kpis:
        return
    with st.expander(tr(TEXTS, "add_measurement"), icon=":material/add:"):
        names = {k["id"]: f"{k['name']} ({k['unit']})" for k in rows.kpis}
        form_key = f"portal_measure:{rows.project['id']}"
        with st.form(form_key, clear_on_submit=True):
            kpi_id = st.selectbox(
                tr(TEXTS, "indicator"), list(names), format_func=option_labels(names)
            )
            day = st.date_input(
                field_label("measured_on", lang),
                value=runtime.today(),
                format="DD.MM.YYYY" if lang == "de" else "DD/MM/YYYY",
            )
            value = st.number_input(field_label("value", lang), value=None, format="%.4f")
            note = st.text_input(field_label("note", lang))
            sent = st.form_submit_button(tr(TEXTS, "save"), type="primary")
        if sent:
            data = {
                "kpi_id": kpi_id,
                "measured_on": day,
                "value": Decimal(str(value)) if value is not None else None,
                "note": note.strip() or None,
            }
            _save(lambda s: 1 if partner_edits.create_measurement(s, data) else 0)


def _project(rows: partner_portal.PortalProjectRows, lang: str) -> None:
    project = rows.project
    st.subheader(md(f"{project['_key']} · {project.get('title') or ''}"))
    st.caption(tr(TEXTS, "edit_intro"))
    st.markdown(f"**{tr(TEXTS, 'texts')}**")
    _project_texts(rows)
    org = rows.organisation
    st.markdown(f"**{md(tr(TEXTS, 'own_share', org=org.short_name))}**")
    _rows_editor(
        "portal_participations",
        "participation",
        rows.participations,
        [
            (
                "role",
                field_label("role", lang),
                "text",
                lambda r: label(ParticipationRole, r["role"], lang),
            ),
            ("contribution_cash", field_label("contribution_cash", lang), "number", None),
            ("contribution_in_kind", field_label("contribution_in_kind", lang), "number", None),
            ("note", field_label("note", lang), "text", None),
        ],
        lang,
    )
    st.markdown(f"**{tr(TEXTS, 'milestones')}**")
    _rows_editor(
        "portal_milestones_edit",
        "milestone",
        rows.milestones,
        [
            ("key", tr(TEXTS, "key"), "text", lambda r: r["_key"]),
            ("title", field_label("title", lang), "text", None),
            ("due_date", field_label("due_date", lang), "date", None),
            ("done_date", field_label("done_date", lang), "date", None),
        ],
        lang,
    )
    st.markdown(f"**{tr(TEXTS, 'costs')}**")
    _rows_editor(
        "portal_costs",
        "cost_item",
        rows.cost_items,
        [
            ("key", tr(TEXTS, "key"), "text", lambda r: r["_key"]),
            (
                "application_id",
                tr(TEXTS, "reference"),
                "text",
                lambda r: rows.applications.get(r["application_id"], ""),
            ),
            (
                "cost_type",
                field_label("cost_type", lang),
                "text",
                lambda r: label(CostType, r["cost_type"], lang),
            ),
            ("label", field_label("label", lang), "text", None),
            ("approved", field_label("approved", lang), "number", None),
            ("actual", field_label("actual", lang), "number", None),
        ],
        lang,
    )
    st.markdown(f"**{tr(TEXTS, 'measurements')}**")
    kpi_names = {k["id"]: f"{k['name']} ({k['unit']})" for k in rows.kpis}
    _rows_editor(
        "portal_measurements",
        "kpi_measurement",
        rows.measurements,
        [
            ("kpi_id", tr(TEXTS, "indicator"), "text", lambda r: kpi_names.get(r["kpi_id"], "")),
            ("measured_on", field_label("measured_on", lang), "date", None),
            ("value", field_label("value", lang), "number", None),
            ("note", field_label("note", lang), "text", None),
        ],
        lang,
    )
    _add_measurement(rows, lang)


def _projects_tab(portal: partner_portal.Portal, lang: str) -> None:
    org = portal.organisation
    _overview(portal, lang)
    asked = st.query_params.get(PROJECT_PARAM)
    keys = [p.key for p in portal.projects]
    rows = None
    if asked:
        with runtime.read_session() as session:
            rows = partner_portal.project_rows(session, asked, organisation_key=org.key)
        if rows is None:
            st.warning(md(tr(TEXTS, "not_yours", key=asked, org=org.name)), icon=":material/block:")
    if not keys:
        return
    st.divider()
    names = {p.key: f"{p.key} · {p.title}" for p in portal.projects}
    current = rows.project["_key"] if rows is not None else None
    chosen = st.selectbox(
        tr(TEXTS, "open_project"),
        keys,
        index=keys.index(current) if current in keys else None,
        format_func=option_labels(names),
        placeholder=tr(TEXTS, "pick_project"),
        key=f"portal_pick:{org.key}:{current or ''}",
    )
    if chosen is None:
        return
    if chosen != current:
        st.query_params[PROJECT_PARAM] = chosen
        st.rerun()
    if rows is not None:
        _project(rows, lang)


def _workbook_tab(portal: partner_portal.Portal, lang: str) -> None:
    who = runtime.require_principal()
    org = portal.organisation
    st.caption(tr(TEXTS, "download_help"))
    if who.may(Action.PARTNER_EXCHANGE):
        st.download_button(
            tr(TEXTS, "download"),
            data=workbook_download(who, Scope(partner=org.key), lang, exchange.ip_address()),
            file_name=f"portfolio-{org.key}-{runtime.today():%Y-%m-%d}.xlsx",
            mime=exchange.XLSX_MIME,
            type="primary",
            icon=":material/download:",
            on_click="ignore",
            key="portal_download",
        )
        exchange.import_panel(
            lang, key="portal", fixed=Scope(partner=org.key), fixed_name=f"{org.name} ({org.key})"
        )


def _history_tab(portal: partner_portal.Portal, lang: str) -> None:
    st.caption(md(tr(TEXTS, "history_intro", org=portal.organisation.name)))
    exchange.history(lang, scope_label=Scope(partner=portal.organisation.key).label)


def render() -> None:
    lang = runtime.lang()
    who = runtime.require_principal()
    exchange.configure_signing()
    st.title(tr(TEXTS, "title"))
    flash()
    org_key = _organisation(who)
    if org_key is None:
        st.info(tr(TEXTS, "choose_org"))
        return
    with runtime.read_session() as session:
        portal = partner_portal.portal(session, organisation_key=org_key, today=runtime.today())
    st.caption(md(tr(TEXTS, "intro", org=portal.organisation.name)))
    tabs = st.tabs([tr(TEXTS, "tab_projects"), tr(TEXTS, "tab_workbook"), tr(TEXTS, "tab_history")])
    with tabs[0]:
        runtime.guarded(lambda: _projects_tab(portal, lang))()
    with tabs[1]:
        runtime.guarded(lambda: _workbook_tab(portal, lang))()
    with tabs[2]:
        runtime.guarded(lambda: _history_tab(portal, lang))()
