"""Projekt: every field, partners, funding lines, milestones, status reports, KPIs, journal;
forms to create, edit and archive the project and its parts (for those who may change the
portfolio: the forms follow the policy the services enforce)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, ParamSpec

import plotly.graph_objects as go
import streamlit as st

from db.enums import (
    AWARDED_APPLICATION_STATUSES,
    ApplicationStatus,
    ChangeSource,
    JournalAction,
    MilestoneState,
    ParticipationRole,
    PaymentRequestStatus,
    ProjectStatus,
    TrafficLight,
)
from portfolio import palette
from portfolio.changes import account_names, author_label
from portfolio.i18n import fmt_date, fmt_eur, fmt_int, fmt_number
from portfolio.policy import AccessDenied, Action
from portfolio.queries import detail as detail_q
from portfolio.queries import factsheet as factsheet_q
from portfolio.queries import grant as grant_q
from portfolio.queries import quality as quality_q
from portfolio.queries.common import pick
from portfolio.services import (
    funding,
    kpis,
    milestones,
    participations,
    projects,
    status_reports,
)
from portfolio.ui import data
from portfolio.ui.components import charts
from portfolio.ui.components.editor import facts, from_journal, record_editor
from portfolio.ui.components.forms import (
    entity_form,
    flash,
    loaded_version,
    run_save,
)
from portfolio.ui.components.grant_section import grant_section
from portfolio.ui.components.safe_text import chart_text, md
from portfolio.ui.components.texts import option_labels
from portfolio.ui.components.urlstate import Param, publish, restore
from portfolio.ui.components.widgets import (
    fmt_stamp,
    frame,
    light_badge,
    light_text,
    pager,
    range_caption,
    table,
)
from portfolio.ui.navigation import page
from portfolio.ui.runtime import (
    lang,
    may,
    read_session,
    require_principal,
    session_as,
    session_factory,
    show_error,
    tr,
    user_name,
)
from portfolio.vocab import entity_label, field_label, label
from reports.factsheet import file_name as factsheet_name
from reports.factsheet import render_pdf as factsheet_pdf

TEXTS = {
    "de": {
        "title": "Projekt",
        "choose": "Projekt wählen",
        "search": "Projekt suchen",
        "search_help": "Schlüssel oder Wörter aus dem Titel.",
        "choose_hint": "Bitte ein Projekt wählen – hier, im Projektregister oder über einen Link.",
        "new": "Neues Projekt",
        "new_title": "Neues Projekt anlegen",
        "new_hint": "Pflichtfelder sind mit * markiert. Ohne Schlüssel wird der nächste freie (SC-…) vergeben.",
        "created": "Projekt {key} angelegt.",
        "archived_banner": "Dieses Projekt ist archiviert. Es zählt in keiner Kennzahl mit; zum Ändern bitte wiederherstellen.",
        "sec_stammdaten": "Stammdaten",
        "sec_partner": "Partner",
        "sec_foerderung": "Förderung",
        "sec_zuwendung": "Zuwendungen",
        "sec_meilensteine": "Meilensteine",
        "sec_status": "Statusberichte",
        "sec_kpis": "Wirkung (KPIs)",
        "sec_journal": "Journal",
        "section": "Bereich",
        "edit": "Bearbeiten",
        "archive": "Projekt archivieren",
        "restore": "Projekt wiederherstellen",
        "archive_confirm": "Ja, Projekt {key} archivieren",
        "restore_confirm": "Ja, Projekt {key} wiederherstellen",
        "quality": "Datenqualität: {score} von 100 Punkten",
        "q_no_responsible": "Keine verantwortliche Person eingetragen.",
        "q_no_lead": "Keine federführende Organisation.",
        "q_stale_report": "Neuester Statusbericht fehlt oder ist älter als 90 Tage.",
        "q_open_past_milestones": "Vergangene Meilensteine sind nicht abgeschlossen.",
        "q_milestones_outside_period": "Meilensteine liegen außerhalb der Projektlaufzeit.",
        "overall_better": "Im neuesten Bericht ist die Gesamtampel {overall}, obwohl {worse}. Bitte prüfen, ob die Gesamtampel stimmt.",
        "click_to_edit": "Zeile anklicken, um sie zu ändern.",
        "q_running_past_end": "Das Projekt läuft noch, obwohl sein Enddatum vorbei ist: Status oder Enddatum anpassen.",
        "q_funding_without_amounts": "Förderlinie ohne Beträge.",
        "theme": "Leitthema",
        "action_field": "Handlungsfeld",
        "lead": "Federführung",
        "light": "Ampel",
        "created_at": "Angelegt {at}",
        "updated_at": "zuletzt geändert {at}",
        "organisation": "Organisation",
        "role": "Rolle",
        "cash": "Geld",
        "in_kind": "Sachleistung",
        "note": "Bemerkung",
        "add_partner": "Partner hinzufügen",
        "applications": "Förderlinien",
        "payments": "Mittelabrufe",
        "grants_hint": "Bescheide, Kostenplan, Jahresscheiben, Nachweise und Rückforderungen jeder Zuwendung: Bereich „Zuwendungen“.",
        "add_application": "Förderlinie hinzufügen",
        "add_payment": "Mittelabruf hinzufügen",
        "payments_of": "Mittelabrufe zu {key}",
        "no_awarded": "Mittelabrufe sind erst unter einer bewilligten Förderlinie möglich.",
        "paid": "ausgezahlt",
        "add_milestone": "Meilenstein hinzufügen",
        "state": "Zustand",
        "add_report": "Statusbericht hinzufügen",
        "trend": "Verlauf der Ampeln",
        "add_kpi": "Wirkungsindikator hinzufügen",
        "add_measurement": "Messwert hinzufügen",
        "measurements": "Messwerte",
        "baseline": "Ausgangswert",
        "target": "Zielwert",
        "value": "Wert",
        "no_kpis": "Noch keine Wirkungsindikatoren.",
        "no_reports": "Noch keine Statusberichte.",
        "no_milestones": "Noch keine Meilensteine.",
        "no_partners": "Noch keine Partner eingetragen.",
        "no_applications": "Noch keine Förderlinien.",
        "journal_caption": "{count} {count|Eintrag|Einträge}, neueste zuerst.",
        "journal_line": "**{at}** · {actor} ({source}) · {entity} {key} · {action}",
        "field": "Feld",
        "old": "vorher",
        "new_value": "nachher",
        "total": "Summe",
        "factsheet": "Steckbrief (PDF)",
        "factsheet_help": "Der interne Projektsteckbrief auf ein bis zwei Seiten: Ziele, Partner, Förderung, Meilensteine, Kennzahlen, Status.",
    },
    "en": {
        "title": "Project",
        "choose": "Choose a project",
        "search": "Search a project",
        "search_help": "Key or words from the title.",
        "choose_hint": "Please choose a project – here, in the project register or through a link.",
        "new": "New project",
        "new_title": "Create a new project",
        "new_hint": "Required fields are marked *. Without a key the next free one (SC-…) is used.",
        "created": "Project {key} created.",
        "archived_banner": "This project is archived. It counts in no figure; restore it to change it.",
        "sec_stammdaten": "Master data",
        "sec_partner": "Partners",
        "sec_foerderung": "Funding",
        "sec_zuwendung": "Grants",
        "sec_meilensteine": "Milestones",
        "sec_status": "Status reports",
        "sec_kpis": "Impact (KPIs)",
        "sec_journal": "Journal",
        "section": "Section",
        "edit": "Edit",
        "archive": "Archive project",
        "restore": "Restore project",
        "archive_confirm": "Yes, archive project {key}",
        "restore_confirm": "Yes, restore project {key}",
        "quality": "Data quality: {score} of 100 points",
        "q_no_responsible": "No responsible person.",
        "q_no_lead": "No lead organisation.",
        "q_stale_report": "Newest status report missing or older than 90 days.",
        "q_open_past_milestones": "Past milestones are not closed.",
        "q_milestones_outside_period": "Milestones lie outside the project period.",
        "overall_better": "In the newest report the overall light is {overall} although {worse}. Please check that the overall light is right.",
        "click_to_edit": "Click a row to change it.",
        "q_running_past_end": "The project is still running although its end date has passed: update the status or the end date.",
        "q_funding_without_amounts": "Funding line without amounts.",
        "theme": "Theme",
        "action_field": "Action field",
        "lead": "Lead",
        "light": "Light",
        "created_at": "Created {at}",
        "updated_at": "last changed {at}",
        "organisation": "Organisation",
        "role": "Role",
        "cash": "Cash",
        "in_kind": "In kind",
        "note": "Note",
        "add_partner": "Add a partner",
        "applications": "Funding lines",
        "payments": "Payment requests",
        "grants_hint": "Notices, cost plan, budget years, proofs and refunds of each grant: section “Grants”.",
        "add_application": "Add a funding line",
        "add_payment": "Add a payment request",
        "payments_of": "Payment requests of {key}",
        "no_awarded": "Payment requests need an approved funding line.",
        "paid": "paid out",
        "add_milestone": "Add a milestone",
        "state": "State",
        "add_report": "Add a status report",
        "trend": "Trend of the lights",
        "add_kpi": "Add an impact indicator",
        "add_measurement": "Add a measurement",
        "measurements": "Measurements",
        "baseline": "Baseline",
        "target": "Target",
        "value": "Value",
        "no_kpis": "No impact indicators yet.",
        "no_reports": "No status reports yet.",
        "no_milestones": "No milestones yet.",
        "no_partners": "No partners yet.",
        "no_applications": "No funding lines yet.",
        "journal_caption": "{count} {count|entry|entries}, newest first.",
        "journal_line": "**{at}** · {actor} ({source}) · {entity} {key} · {action}",
        "field": "Field",
        "old": "before",
        "new_value": "after",
        "total": "Total",
        "factsheet": "Fact sheet (PDF)",
        "factsheet_help": "The internal project fact sheet on one or two pages: goals, partners, funding, milestones, KPIs, status.",
    },
}
SECTIONS = (
    "stammdaten",
    "partner",
    "foerderung",
    "zuwendung",
    "meilensteine",
    "status",
    "kpis",
    "journal",
)
PROJECT_FIELDS = [name for name in projects.FIELDS if name != "key"]
JOURNAL_PAGE = 20
ENTITY_FIELDS = {
    "project": projects.FIELDS,
    "participation": participations.FIELDS,
    "funding_application": funding.FIELDS,
    "payment_request": funding.PAYMENT_FIELDS,
    "milestone": milestones.FIELDS,
    "status_report": status_reports.FIELDS,
    "kpi": kpis.FIELDS,
    "kpi_measurement": kpis.MEASUREMENT_FIELDS,
}


P = ParamSpec("P")


def tx(key: str, /, **params: object) -> str:
    return tr(TEXTS, key, **params)


def editable() -> bool:
    """Whether the forms show (leadership reads every project and grant but changes none)."""
    return may(Action.EDIT_PORTFOLIO)


def _when_editable(render: Callable[P, None]) -> Callable[P, None]:
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        if editable():
            render(*args, **kwargs)

    return run


editor = _when_editable(record_editor)
"""A section's add and change forms, for those who may change the portfolio."""


def shown_sections() -> tuple[str, ...]:
    """The sections the user may read (the journal needs the right to read the history)."""
    return tuple(s for s in SECTIONS if s != "journal" or may(Action.READ_JOURNAL))


def render() -> None:
    flash()
    stamp = data.stamp()
    sections = shown_sections()
    url = [
        Param("projekt", "prj_key"),
        Param("bereich", "prj_section", default="stammdaten", allowed=set(sections)),
    ]
    restore(url)
    if st.query_params.get("neu") == "1":
        if not editable():
            show_error(AccessDenied(Action.EDIT_PORTFOLIO))
            return
        new_project(stamp)
        return
    key = chooser(stamp)
    if not key:
        publish(url)
        return
    with read_session() as session:
        detail = detail_q.project_detail(session, key, today=stamp.today)
        problems = quality_q.problems_of(session, key, today=stamp.today)
    header(detail, problems)
    factsheet_download(key, stamp)
    if st.session_state.get("prj_section") not in sections:
        st.session_state["prj_section"] = "stammdaten"
    section = st.segmented_control(
        tx("section"),
        list(sections),
        format_func=option_labels({s: tx(f"sec_{s}") for s in SECTIONS}),
        key="prj_section",
        required=True,
        label_visibility="collapsed",
    )
    publish(url)
    choices = data.choices(stamp)
    {
        "stammdaten": master_data,
        "partner": partners_section,
        "foerderung": funding_section,
        "zuwendung": grants_section,
        "meilensteine": milestones_section,
        "status": reports_section,
        "kpis": kpis_section,
        "journal": journal_section,
    }[section or "stammdaten"](detail, choices)


# ---- choosing and creating --------------------------------------------------------------------


def chooser(stamp: data.Stamp) -> str | None:
    current = st.session_state.get("prj_key") or None
    cols = st.columns([2, 3, 2], vertical_alignment="bottom")
    text = cols[0].text_input(tx("search"), key="prj_search", help=tx("search_help"))
    found = data.project_keys(stamp, text or "")
    titles = dict(found)
    options = [k for k, _ in found]
    if current and current not in titles:
        options.insert(0, current)
    chosen = cols[1].selectbox(
        tx("choose"),
        options,
        index=options.index(current) if current in options else None,
        format_func=lambda k: f"{k} · {titles[k]}" if k in titles else k,
        placeholder=tx("choose"),
    )
    if editable():
        cols[2].page_link(
            page("project"), label=tx("new"), query_params={"neu": "1"}, icon=":material/add:"
        )
    if chosen and chosen != current:
        st.session_state["prj_key"] = chosen
        current = chosen
    if not current:
        st.title(tx("title"))
        st.info(tx("choose_hint"))
        return None
    return str(current)


def ref_options(choices: detail_q.Choices) -> dict[str, list[tuple[Any, str]]]:
    language = lang()
    fields = [
        (c.id, f"{c.key} {pick(c.label, c.label_en, language)}") for c in choices.action_fields
    ]
    orgs = [(c.id, c.label) for c in choices.organisations]
    return {
        "action_field_id": fields,
        "lead_organisation_id": orgs,
        "organisation_id": orgs,
        "responsible_organisation_id": orgs,
        "programme_id": [(c.id, c.label) for c in choices.programmes],
    }


def new_project(stamp: data.Stamp) -> None:
    st.title(tx("new_title"))
    st.caption(tx("new_hint"))
    choices = data.choices(stamp)
    form = entity_form(
        "prj_new",
        projects.FIELDS,
        {"status": ProjectStatus.IDEA.value, "priority": "medium", "responsible_person": ""},
        fields=list(projects.FIELDS),
        refs=ref_options(choices),
        submit_label=tx("new"),
    )
    if form.submitted:
        created: dict[str, str] = {}

        def create(session: Any) -> Any:
            project = projects.create(session, form.data)
            created["key"] = project.key
            return project

        def go_to(_: Any) -> None:
            st.session_state["__flash"] = tx("created", key=created["key"])
            st.switch_page(page("project"), query_params={"projekt": created["key"]})

        run_save(form, create, on_success=go_to)


# ---- header -----------------------------------------------------------------------------------


def header(d: detail_q.ProjectDetail, problems: tuple[str, ...]) -> None:
    language = lang()
    v = d.project.values
    st.title(md(f"{v['key']} · {v['title']}"))
    light = d.reports[0].values["overall"] if d.reports else None
    st.markdown(
        " · ".join(
            [
                f":blue-badge[{label(ProjectStatus, v['status'], language)}]",
                f"{tx('theme')} {md(d.theme_key)} {md(pick(d.theme_name, d.theme_name_en, language))}",
                f"{tx('action_field')} {md(d.action_field_key)} {md(pick(d.action_field_name, d.action_field_name_en, language))}",
                f"{tx('lead')}: {md(d.lead or '–')}",
                f"{tx('light')}: {light_badge(light)}",
            ]
        )
    )
    st.caption(
        f"{tx('created_at', at=fmt_stamp(d.created_at))} · {tx('updated_at', at=fmt_stamp(d.updated_at))} · Version {fmt_int(d.project.version, language)}"
    )
    if d.archived:
        st.warning(tx("archived_banner"), icon=":material/archive:")
    if problems:
        score = fmt_int(quality_q.score_of(len(problems)), language)
        with st.expander(tx("quality", score=score), icon=":material/fact_check:"):
            for code in problems:
                st.markdown(f"- {tx('q_' + code)} → *{tx('sec_' + quality_q.FIX_SECTION[code])}*")


def factsheet_download(key: str, stamp: data.Stamp) -> None:
    """The project's internal fact sheet as a PDF, built when the button is clicked (outside
    the script run: the principal and the session factory go along)."""
    who, reader, language = require_principal(), session_factory(read_only=True), lang()
    today = stamp.today

    def build() -> bytes:
        with session_as(who, reader) as session:
            sheet = factsheet_q.fact_sheet(session, key, today=today)
        return factsheet_pdf(sheet, lang=language)

    st.download_button(
        tx("factsheet"),
        data=build,
        file_name=factsheet_name(key, language),
        mime="application/pdf",
        help=tx("factsheet_help"),
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key="prj_factsheet",
    )


# ---- Stammdaten -------------------------------------------------------------------------------


def master_data(d: detail_q.ProjectDetail, choices: detail_q.Choices) -> None:
    refs = ref_options(choices)
    names = {name: dict(options) for name, options in refs.items()}
    values = d.project.values
    if not editable():
        facts(projects.FIELDS, values, list(projects.FIELDS), names)
        return
    editing = st.toggle(tx("edit"), key="prj_edit", disabled=d.archived)
    if editing and not d.archived:
        form_key = f"prj_form:{d.project.id}"
        version = loaded_version(form_key, d.project.version, PROJECT_FIELDS[0])
        form = entity_form(
            form_key, projects.FIELDS, values, fields=PROJECT_FIELDS, refs=refs, only_changes=True
        )
        if form.submitted:
            changes = dict(form.data)
            run_save(
                form,
                lambda s: projects.update(s, d.project.id, changes, expected_version=version),
            )
    else:
        facts(projects.FIELDS, values, list(projects.FIELDS), names)
    st.divider()
    archive_block(d)


def archive_block(d: detail_q.ProjectDetail) -> None:
    from portfolio.ui.components.forms import FormResult

    key = d.project.values["key"]
    form_key = f"prj_archive:{d.project.id}"
    version = loaded_version(form_key, d.project.version, "confirm")
    restoring = d.archived
    with st.form(form_key, border=True):
        general = st.empty()
        confirm = st.checkbox(
            tx("restore_confirm" if restoring else "archive_confirm", key=md(key)),
            key=f"{form_key}:confirm",
        )
        submitted = st.form_submit_button(
            tx("restore" if restoring else "archive"),
            icon=":material/unarchive:" if restoring else ":material/archive:",
        )
    if submitted and confirm:
        action = projects.restore if restoring else projects.archive
        run_save(
            FormResult(form_key, submitted=True, general=general),
            lambda s: action(s, d.project.id, expected_version=version),
        )


# ---- Partner ----------------------------------------------------------------------------------


def partners_section(d: detail_q.ProjectDetail, choices: detail_q.Choices) -> None:
    language = lang()
    if d.participations:
        df = frame(
            [
                {
                    "organisation": p.extra["organisation"],
                    "role": label(ParticipationRole, p.values["role"], language),
                    "cash": p.values["contribution_cash"],
                    "in_kind": p.values["contribution_in_kind"],
                    "note": p.values["note"] or "",
                }
                for p in d.participations
            ],
            ["organisation", "role", "cash", "in_kind", "note"],
        )
        col = st.column_config
        table(
            df,
            money=["cash", "in_kind"],
            column_config={
                "organisation": col.Column(tx("organisation")),
                "role": col.Column(tx("role")),
                "cash": col.Column(tx("cash")),
                "in_kind": col.Column(tx("in_kind")),
                "note": col.Column(tx("note")),
            },
        )
        cash = sum(
            (p.values["contribution_cash"] or Decimal(0) for p in d.participations), Decimal(0)
        )
        kind = sum(
            (p.values["contribution_in_kind"] or Decimal(0) for p in d.participations), Decimal(0)
        )
        st.caption(
            f"{tx('total')}: {tx('cash')} {fmt_eur(cash, language)} · {tx('in_kind')} {fmt_eur(kind, language)}"
        )
    else:
        st.info(tx("no_partners"))
    fields = ["organisation_id", "role", "contribution_cash", "contribution_in_kind", "note"]
    project_id = d.project.id
    editor(
        f"prt:{project_id}",
        d.participations,
        participations.FIELDS,
        fields=fields,
        title_of=lambda r: (
            f"{r.extra['organisation']} · {label(ParticipationRole, r.values['role'], language)}"
        ),
        refs=ref_options(choices),
        create=lambda s, data_: participations.create(s, {**data_, "project_id": project_id}),
        defaults={"role": ParticipationRole.PARTNER.value},
        update=lambda s, id_, changes, v: participations.update(
            s, id_, changes, expected_version=v
        ),
        remove=lambda s, id_, v: participations.delete(s, id_, expected_version=v),
        new_label=tx("add_partner"),
    )


# ---- Förderung --------------------------------------------------------------------------------


def funding_section(d: detail_q.ProjectDetail, choices: detail_q.Choices) -> None:
    language = lang()
    project_id = d.project.id
    st.subheader(tx("applications"))
    if d.applications:
        df = frame(
            [
                {
                    "key": a.values["key"],
                    "programme": a.extra["programme"],
                    "phase": a.values["phase"] or "",
                    "status": label(ApplicationStatus, a.values["status"], language),
                    "requested": a.values["amount_requested"],
                    "approved": a.values["amount_approved"],
                    "rate": a.values["funding_rate"],
                    "own_share": a.values["own_share"],
                    "paid": a.extra["paid"],
                    "proof": a.values["proof_of_use_due"],
                    "reference": a.values["reference_number"] or "",
                }
                for a in d.applications
                if not a.extra["archived"]
            ],
            [
                "key",
                "programme",
                "phase",
                "status",
                "requested",
                "approved",
                "rate",
                "own_share",
                "paid",
                "proof",
                "reference",
            ],
        )
        col = st.column_config
        table(
            df,
            money=["requested", "approved", "own_share", "paid"],
            percents=["rate"],
            dates=["proof"],
            column_config={
                "key": col.Column(field_label("key", language)),
                "programme": col.Column(field_label("programme", language)),
                "phase": col.Column(field_label("phase", language)),
                "status": col.Column(field_label("status", language)),
                "requested": col.Column(field_label("amount_requested", language)),
                "approved": col.Column(field_label("amount_approved", language)),
                "rate": col.Column(field_label("funding_rate", language)),
                "own_share": col.Column(field_label("own_share", language)),
                "paid": col.Column(tx("paid")),
                "proof": col.Column(field_label("proof_of_use_due", language)),
                "reference": col.Column(field_label("reference_number", language)),
            },
        )
    else:
        st.info(tx("no_applications"))
    st.caption(tx("grants_hint"))
    live = [a for a in d.applications if not a.extra["archived"]]
    refs = {
        **ref_options(choices),
        # a declared alternative: another application of this project on the same cost
        "alternative_to_id": [(a.id, f"{a.values['key']} · {a.extra['programme']}") for a in live],
    }
    app_fields = [name for name in funding.FIELDS if name not in ("key", "project_id")]
    editor(
        f"app:{project_id}",
        [a for a in d.applications if not a.extra["archived"]],
        funding.FIELDS,
        fields=app_fields,
        title_of=lambda r: f"{r.values['key']} · {r.extra['programme']}",
        refs=refs,
        create=lambda s, data_: funding.create(s, {**data_, "project_id": project_id}),
        defaults={"status": ApplicationStatus.IDEA.value},
        update=lambda s, id_, changes, v: funding.update(s, id_, changes, expected_version=v),
        remove=lambda s, id_, v: funding.archive(s, id_, expected_version=v),
        remove_is_archive=True,
        new_label=tx("add_application"),
    )
    st.subheader(tx("payments"))
    apps = {a.id: a for a in d.applications}
    payments = [(apps[app_id], r) for app_id, rows in d.payment_requests.items() for r in rows]
    if payments:
        df = frame(
            [
                {
                    "application": a.values["key"],
                    "key": r.values["key"],
                    "due": r.values["due_on"],
                    "amount": r.values["amount"],
                    "status": label(PaymentRequestStatus, r.values["status"], language),
                    "paid_on": r.values["paid_on"],
                    "note": r.values["note"] or "",
                }
                for a, r in payments
            ],
            ["application", "key", "due", "amount", "status", "paid_on", "note"],
        )
        col = st.column_config
        table(
            df,
            money=["amount"],
            dates=["due", "paid_on"],
            column_config={
                "application": col.Column(field_label("application_id", language)),
                "key": col.Column(field_label("key", language)),
                "due": col.Column(field_label("due_on", language)),
                "amount": col.Column(field_label("amount", language)),
                "status": col.Column(field_label("status", language)),
                "paid_on": col.Column(field_label("paid_on", language)),
                "note": col.Column(tx("note")),
            },
        )
    awarded = [
        a
        for a in d.applications
        if a.values["status"] in AWARDED_APPLICATION_STATUSES and not a.extra["archived"]
    ]
    if not awarded and not payments:
        st.caption(tx("no_awarded"))
        return
    pay_refs = {
        "application_id": [(a.id, f"{a.values['key']} · {a.extra['programme']}") for a in awarded]
    }
    pay_fields = ["application_id", "due_on", "amount", "status", "paid_on", "window_need", "note"]
    editor(
        f"pay:{project_id}",
        [r for _, r in payments],
        funding.PAYMENT_FIELDS,
        fields=pay_fields,
        title_of=lambda r: (
            f"{r.values['key']} · {fmt_date(r.values['due_on'], language)} · {fmt_eur(r.values['amount'], language)}"
        ),
        refs=pay_refs,
        create=funding.create_payment_request if awarded else None,
        defaults={"status": PaymentRequestStatus.PLANNED.value},
        update=lambda s, id_, changes, v: funding.update_payment_request(
            s, id_, changes, expected_version=v
        ),
        remove=lambda s, id_, v: funding.delete_payment_request(s, id_, expected_version=v),
        new_label=tx("add_payment"),
    )


def grants_section(d: detail_q.ProjectDetail, choices: detail_q.Choices) -> None:
    """Zuwendungen: each grant's notices, cost plan, budget years, proofs and refunds."""
    with read_session() as session:
        grants = grant_q.grants_of_project(session, d.project.id, today=data.stamp().today)
    grant_section(grants, d.project.values["key"])


# ---- Meilensteine -----------------------------------------------------------------------------


def milestones_section(d: detail_q.ProjectDetail, choices: detail_q.Choices) -> None:
    language = lang()
    project_id = d.project.id
    if d.milestones:
        df = frame(
            [
                {
                    "key": m.values["key"],
                    "title": m.values["title"],
                    "due": m.values["due_date"],
                    "done": m.values["done_date"],
                    "state": _state_text(m.extra["state"]),
                    "organisation": m.extra["organisation"] or "",
                }
                for m in d.milestones
            ],
            ["key", "title", "due", "done", "state", "organisation"],
        )
        col = st.column_config
        event = table(
            df,
            dates=["due", "done"],
            column_config={
                "key": col.Column(field_label("key", language)),
                "title": col.Column(field_label("title", language), width="large"),
                "due": col.Column(field_label("due_date", language)),
                "done": col.Column(field_label("done_date", language)),
                "state": col.Column(tx("state")),
                "organisation": col.Column(field_label("responsible_organisation_id", language)),
            },
            tinted={
                "state": (palette.MILESTONE_STATE_COLOURS, [m.extra["state"] for m in d.milestones])
            },
            **_clickable(f"ms_table:{project_id}"),
        )
        picked = _picked(event, d.milestones)
        if editable():
            st.caption(tx("click_to_edit"))
    else:
        picked = None
        st.info(tx("no_milestones"))
    fields = ["title", "due_date", "done_date", "responsible_organisation_id"]
    editor(
        f"ms:{project_id}",
        d.milestones,
        milestones.FIELDS,
        fields=fields,
        title_of=lambda r: (
            f"{r.values['key']} · {r.values['title']} · {fmt_date(r.values['due_date'], language)}"
        ),
        refs=ref_options(choices),
        create=lambda s, data_: milestones.create(s, {**data_, "project_id": project_id}),
        update=lambda s, id_, changes, v: milestones.update(s, id_, changes, expected_version=v),
        remove=lambda s, id_, v: milestones.archive(s, id_, expected_version=v),
        remove_is_archive=True,
        new_label=tx("add_milestone"),
        picked=picked,
    )


def _clickable(key: str) -> dict[str, Any]:
    """A section table whose rows open the change form when clicked (for those who may edit)."""
    if not editable():
        return {}
    return {"key": key, "on_select": "rerun", "selection_mode": "single-row"}


def _picked(event: Any, rows: Sequence[Any]) -> int | None:
    """The id of the row clicked in a section table, if any."""
    try:
        chosen = event.selection.rows
    except AttributeError:
        return None
    return int(rows[chosen[0]].id) if chosen and chosen[0] < len(rows) else None


def _state_text(state: str) -> str:
    return f"{palette.mark(palette.MILESTONE_MARKS, state)} {label(MilestoneState, state, lang())}"


# ---- Statusberichte ---------------------------------------------------------------------------


def reports_section(d: detail_q.ProjectDetail, choices: detail_q.Choices) -> None:
    language = lang()
    project_id = d.project.id
    if d.reports:
        st.subheader(tx("trend"))
        charts.show(trend_chart(d), key="chart_trend")
        df = frame(
            [
                {
                    "date": r.values["report_date"],
                    "overall": light_text(r.values["overall"]),
                    "schedule": light_text(r.values["schedule"]),
                    "budget": light_text(r.values["budget"]),
                    "funding": light_text(r.values["funding"]),
                    "summary": r.values["summary"] or "",
                    "risks": r.values["risks"] or "",
                    "decisions": r.values["decisions_needed"] or "",
                    "next_steps": r.values["next_steps"] or "",
                    "author": r.values["author"] or "",
                    "published": r.values["published_on"],
                }
                for r in d.reports
            ],
            # the order of the form below
            [
                "date",
                "overall",
                "schedule",
                "budget",
                "funding",
                "summary",
                "risks",
                "decisions",
                "next_steps",
                "author",
                "published",
            ],
        )
        col = st.column_config
        table(
            df,
            dates=["date", "published"],
            column_config={
                name: col.Column(field_label(field, language))
                for name, field in (
                    ("date", "report_date"),
                    ("overall", "overall"),
                    ("schedule", "schedule"),
                    ("budget", "budget"),
                    ("funding", "funding"),
                    ("summary", "summary"),
                    ("risks", "risks"),
                    ("decisions", "decisions_needed"),
                    ("next_steps", "next_steps"),
                    ("author", "author"),
                    ("published", "published_on"),
                )
            },
        )
        newest = max(d.reports, key=lambda r: r.values["report_date"])
        worse = status_reports.worse_than_overall(newest.values)
        if worse:
            st.warning(
                tx(
                    "overall_better",
                    overall=light_text(newest.values["overall"]),
                    worse=", ".join(
                        f"{field_label(w, language)} {light_text(newest.values[w])}" for w in worse
                    ),
                ),
                icon=":material/rule:",
            )
    else:
        st.info(tx("no_reports"))
    fields = [f for f in status_reports.FIELDS if f != "project_id"]  # the service's order
    editor(
        f"rep:{project_id}",
        d.reports,
        status_reports.FIELDS,
        fields=fields,
        title_of=lambda r: (
            f"{fmt_date(r.values['report_date'], language)} · {light_text(r.values['overall'])}"
        ),
        create=lambda s, data_: status_reports.create(s, {**data_, "project_id": project_id}),
        defaults={
            "report_date": data.stamp().today,
            "overall": TrafficLight.GREEN.value,
            "schedule": TrafficLight.GREEN.value,
            "budget": TrafficLight.GREEN.value,
            "funding": TrafficLight.GREEN.value,
            "author": user_name(),
        },
        update=lambda s, id_, changes, v: status_reports.update(
            s, id_, changes, expected_version=v
        ),
        new_label=tx("add_report"),
    )


def trend_chart(d: detail_q.ProjectDetail) -> go.Figure:
    language = lang()
    level = {"green": 3, "yellow": 2, "red": 1}
    reports = sorted(d.reports, key=lambda r: r.values["report_date"])
    fig = go.Figure()
    for dimension in ("overall", "schedule", "budget", "funding"):
        lights = [r.values[dimension] for r in reports]
        fig.add_scatter(
            x=[r.values["report_date"].isoformat() for r in reports],
            y=[level.get(x, 0) for x in lights],
            mode="lines+markers",
            name=field_label(dimension, language),
            line={"width": 3 if dimension == "overall" else 1.5, "shape": "hv"},
            marker={
                "size": 12 if dimension == "overall" else 8,
                "color": [palette.colour(palette.LIGHT_COLOURS, x) for x in lights],
            },
            customdata=[
                f"{fmt_date(r.values['report_date'], language)} · {field_label(dimension, language)}: {light_text(x)}"
                for r, x in zip(reports, lights, strict=True)
            ],
            hovertemplate="%{customdata}<extra></extra>",
        )
    fig.update_yaxes(
        tickvals=[1, 2, 3],
        ticktext=[light_text("red"), light_text("yellow"), light_text("green")],
        range=[0.5, 3.5],
    )
    charts.date_axis(fig)
    return charts.style(fig, height=300)


# ---- KPIs -------------------------------------------------------------------------------------


def kpis_section(d: detail_q.ProjectDetail, choices: detail_q.Choices) -> None:
    language = lang()
    project_id = d.project.id
    if not d.kpis:
        st.info(tx("no_kpis"))
    for k in d.kpis:
        v = k.values
        st.markdown(
            f"**{md(v['name'])}** ({md(v['unit'])}) · {tx('baseline')} {fmt_number(v['baseline'], language)} → {tx('target')} {fmt_number(v['target'], language)} {('· ' + fmt_date(v['target_date'], language)) if v['target_date'] else ''}"
        )
        rows = d.measurements.get(k.id, [])
        if rows:
            charts.show(kpi_chart(k, rows), key=f"chart_kpi_{k.id}")
    editor(
        f"kpi:{project_id}",
        d.kpis,
        kpis.FIELDS,
        fields=["name", "unit", "baseline", "target", "target_date"],
        title_of=lambda r: f"{r.values['key']} · {r.values['name']}",
        create=lambda s, data_: kpis.create(s, {**data_, "project_id": project_id}),
        update=lambda s, id_, changes, v: kpis.update(s, id_, changes, expected_version=v),
        remove=lambda s, id_, v: kpis.archive(s, id_, expected_version=v),
        remove_is_archive=True,
        new_label=tx("add_kpi"),
    )
    if d.kpis:
        names = [(k.id, f"{k.values['name']} ({k.values['unit']})") for k in d.kpis]
        all_measurements = [m for k in d.kpis for m in d.measurements.get(k.id, [])]
        kpi_names = dict(names)
        editor(
            f"msr:{project_id}",
            all_measurements,
            kpis.MEASUREMENT_FIELDS,
            fields=["kpi_id", "measured_on", "value", "note"],
            title_of=lambda r: (
                f"{kpi_names.get(r.values['kpi_id'], '')} · {fmt_date(r.values['measured_on'], language)}"
            ),
            refs={"kpi_id": names},
            create=kpis.add_measurement,
            defaults={"kpi_id": d.kpis[0].id, "measured_on": data.stamp().today},
            update=lambda s, id_, changes, v: kpis.update_measurement(
                s, id_, changes, expected_version=v
            ),
            new_label=tx("add_measurement"),
        )


def kpi_chart(k: detail_q.Row, rows: list[detail_q.Row]) -> go.Figure:
    language = lang()
    v = k.values
    unit = chart_text(v["unit"])
    xs = [r.values["measured_on"].isoformat() for r in rows]
    fig = go.Figure()
    fig.add_scatter(
        x=xs,
        y=[float(r.values["value"]) for r in rows],
        mode="lines+markers",
        name=tx("value"),
        customdata=[
            f"{fmt_date(r.values['measured_on'], language)}: {fmt_number(r.values['value'], language)} {unit}"
            for r in rows
        ],
        hovertemplate="%{customdata}<extra></extra>",
    )
    for name, value, colour in (
        ("baseline", v["baseline"], palette.LIGHT_COLOURS[palette.NO_LIGHT]),
        ("target", v["target"], palette.LIGHT_COLOURS["green"]),
    ):
        if value is not None:
            fig.add_hline(
                y=float(value),
                line={"dash": "dash", "color": colour},
                annotation_text=f"{tx(name)} {fmt_number(value, language)}",
                annotation_position="top left",
            )
    charts.date_axis(fig)
    fig.update_yaxes(tickformat=",.4~f", title_text=unit)
    return charts.style(fig, height=260, legend=False)


# ---- Journal ----------------------------------------------------------------------------------


def journal_section(d: detail_q.ProjectDetail, choices: detail_q.Choices) -> None:
    language = lang()
    total = d.journal_entries
    st.caption(tx("journal_caption", count=fmt_int(total, language)))
    offset = max(0, (int(st.session_state.get("prj_journal") or 1) - 1) * JOURNAL_PAGE)
    with read_session() as session:
        items = detail_q.journal(session, d.project.id, offset=offset, limit=JOURNAL_PAGE)
        names = account_names(session, [item.actor for item in items])
    refs = {name: dict(options) for name, options in ref_options(choices).items()}
    for item in items:
        with st.container(border=True):
            st.markdown(
                tx(
                    "journal_line",
                    at=fmt_stamp(item.at),
                    actor=md(author_label(item.actor, item.source, language, names)),
                    source=label(ChangeSource, item.source, language)
                    + (f", {md(item.source_ref)}" if item.source_ref else ""),
                    entity=entity_label(item.entity, language),
                    key=md(item.entity_key),
                    action=label(JournalAction, item.action, language),
                )
            )
            if item.changes:
                specs = ENTITY_FIELDS.get(item.entity, {})
                df = frame(
                    [
                        {
                            "field": field_label(c.field, language),
                            "old": from_journal(specs.get(c.field), c.old, refs.get(c.field)),
                            "new": from_journal(specs.get(c.field), c.new, refs.get(c.field)),
                        }
                        for c in item.changes
                    ],
                    ["field", "old", "new"],
                )
                col = st.column_config
                table(
                    df,
                    column_config={
                        "field": col.Column(tx("field")),
                        "old": col.Column(tx("old")),
                        "new": col.Column(tx("new_value")),
                    },
                )
    range_caption(offset, len(items), total)
    pager(total, JOURNAL_PAGE, key="prj_journal")
