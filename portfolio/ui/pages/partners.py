"""Partner: per organisation its projects and roles, contributions, funding share, open milestones."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import streamlit as st

from db.enums import OrganisationKind, ParticipationRole, ProjectStatus
from portfolio.i18n import fmt_eur, fmt_int
from portfolio.queries.partners import (
    PartnerDetail,
    PartnerLine,
    PartnerMilestone,
    PartnerProject,
)
from portfolio.ui import data
from portfolio.ui.components import charts
from portfolio.ui.components.filters import page_offset, select_one
from portfolio.ui.components.page import start as start_page
from portfolio.ui.components.safe_text import chart_text, md
from portfolio.ui.components.urlstate import Param, publish, restore
from portfolio.ui.components.widgets import (
    frame,
    late_mark,
    pager,
    range_caption,
    table,
)
from portfolio.ui.navigation import page
from portfolio.ui.runtime import Catalogue, lang
from portfolio.vocab import label

TEXTS = {
    "de": {
        "title": "Partner",
        "caption": "Was jede Organisation im Portfolio trägt: Projekte, Rollen, Beiträge, Förderanteil, offene Meilensteine.",
        "all": "Alle Partner",
        "contributions": "Beiträge nach Partner",
        "cash": "Geld",
        "in_kind": "Sachleistung",
        "organisation": "Organisation",
        "kind": "Art",
        "projects": "Projekte",
        "lead": "Federführung",
        "funding_led": "Bewilligte Förderung (Federführung)",
        "share": "Anteil an der Förderung",
        "open": "Offene Meilensteine",
        "overdue": "davon überfällig",
        "choose": "Partner im Detail",
        "roles": "Rollen",
        "their_projects": "Projekte von {name}",
        "their_milestones": "Offene Meilensteine in Verantwortung von {name}",
        "status": "Status",
        "theme": "Leitthema",
        "approved": "Bewilligte Förderung",
        "due": "Fällig am",
        "milestone": "Meilenstein",
        "project": "Projekt",
        "late": "überfällig",
        "none_open": "Keine offenen Meilensteine.",
        "contact": "Kontakt",
        "share_help": "Bewilligte Förderung der Projekte, die die Organisation federführend leitet, im Verhältnis zur bewilligten Förderung aller federführend geleiteten Projekte.",
        "shown_milestones": "Die {shown} nächsten von {total}.",
        "to_register": "Projekte dieses Partners im Register",
    },
    "en": {
        "title": "Partners",
        "caption": "What each organisation carries in the portfolio: projects, roles, contributions, funding share, open milestones.",
        "all": "All partners",
        "contributions": "Contributions by partner",
        "cash": "Cash",
        "in_kind": "In kind",
        "organisation": "Organisation",
        "kind": "Kind",
        "projects": "Projects",
        "lead": "Lead",
        "funding_led": "Approved funding (as lead)",
        "share": "Share of funding",
        "open": "Open milestones",
        "overdue": "of which overdue",
        "choose": "Partner in detail",
        "roles": "Roles",
        "their_projects": "Projects of {name}",
        "their_milestones": "Open milestones {name} is responsible for",
        "status": "Status",
        "theme": "Theme",
        "approved": "Approved funding",
        "due": "Due",
        "milestone": "Milestone",
        "project": "Project",
        "late": "overdue",
        "none_open": "No open milestones.",
        "contact": "Contact",
        "share_help": "Approved funding of the projects the organisation leads, relative to the approved funding of all led projects.",
        "shown_milestones": "The next {shown} of {total}.",
        "to_register": "This partner's projects in the register",
    },
}
PAGE = 50
PAGE_KEY = "par_page"
"""The pager of the partner's projects."""


tx = Catalogue(TEXTS)


def render() -> None:
    stamp = start_page(tx("title"), tx("caption"))
    if stamp is None:
        return
    lines = data.partners(stamp)
    overview_table(lines)
    st.markdown(f"**{tx('contributions')}**")
    charts.show(contributions_chart(lines), key="chart_partners")
    url = [Param("partner", "par_key", allowed={p.key for p in lines})]
    restore(url)
    key = select_one(st, tx("choose"), {p.key: p.short_name for p in lines}, key="par_key")
    publish(url)
    if key:
        detail(stamp, key)


def overview_table(lines: list[PartnerLine]) -> None:
    language = lang()
    df = frame(
        [
            {
                "organisation": p.short_name,
                "kind": label(OrganisationKind, p.kind, language),
                "projects": p.projects,
                "lead": p.lead_projects,
                "cash": p.contribution_cash,
                "in_kind": p.contribution_in_kind,
                "funding_led": p.funding_led,
                "share": p.funding_share,
                "open": p.open_milestones,
                "overdue": p.overdue_milestones,
            }
            for p in lines
        ],
        [
            "organisation",
            "kind",
            "projects",
            "lead",
            "cash",
            "in_kind",
            "funding_led",
            "share",
            "open",
            "overdue",
        ],
    )
    col = st.column_config
    table(
        df,
        money=["cash", "in_kind", "funding_led"],
        ints=["projects", "lead", "open", "overdue"],
        percents=["share"],
        column_config={
            "organisation": col.Column(tx("organisation"), pinned=True),
            "kind": col.Column(tx("kind")),
            "projects": col.Column(tx("projects")),
            "lead": col.Column(tx("lead")),
            "cash": col.Column(tx("cash")),
            "in_kind": col.Column(tx("in_kind")),
            "funding_led": col.Column(tx("funding_led")),
            "share": col.Column(tx("share"), help=tx("share_help")),
            "open": col.Column(tx("open")),
            "overdue": col.Column(tx("overdue")),
        },
    )


def contributions_chart(lines: list[PartnerLine]) -> go.Figure:
    language = lang()
    names = [chart_text(p.short_name) for p in lines]
    fig = go.Figure()
    for attr, name in (("contribution_cash", tx("cash")), ("contribution_in_kind", tx("in_kind"))):
        values = [getattr(p, attr) for p in lines]
        fig.add_bar(
            x=names,
            y=[float(v) for v in values],
            name=name,
            customdata=[
                f"<b>{n}</b><br>{name}: {fmt_eur(v, language, cents=False)}"
                for n, v in zip(names, values, strict=True)
            ],
            hovertemplate="%{customdata}<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    charts.money_axis(fig, "y")
    fig = charts.style(fig, height=340)
    # the legend below the bars: above them it ran into the chart's heading
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0})
    return fig


def detail(stamp: data.Stamp, key: str) -> None:
    offset = page_offset(PAGE_KEY, PAGE)
    d = data.partner_detail(stamp, key, offset=offset, limit=PAGE)
    header(d)
    st.page_link(
        page("register"),
        label=tx("to_register"),
        query_params={"partner": key},
        icon=":material/table_rows:",
    )
    st.markdown(f"**{tx('their_projects', name=md(d.short_name))}**")
    projects_table(d.projects)
    range_caption(offset, len(d.projects), d.projects_total)
    pager(d.projects_total, PAGE, key=PAGE_KEY)
    st.markdown(f"**{tx('their_milestones', name=md(d.short_name))}**")
    if not d.milestones:
        st.info(tx("none_open"))
        return
    milestones_table(d.milestones)
    if d.milestones_total > len(d.milestones):
        st.caption(
            tx(
                "shown_milestones",
                shown=fmt_int(len(d.milestones), lang()),
                total=fmt_int(d.milestones_total, lang()),
            )
        )


def header(d: PartnerDetail) -> None:
    """Name, kind, contact and address; the projects by role."""
    language = lang()
    st.subheader(md(d.name))
    facts = [label(OrganisationKind, d.kind, language)]
    if d.contact_role or d.contact_email:
        facts.append(
            f"{tx('contact')}: {' · '.join(md(x) for x in (d.contact_role, d.contact_email) if x)}"
        )
    if d.address:
        facts.append(md(d.address))
    st.caption(" · ".join(facts))
    if d.by_role:
        st.markdown(
            f"**{tx('roles')}:** "
            + " · ".join(
                f"{label(ParticipationRole, role, language)} {fmt_int(n, language)}"
                for role, n in sorted(d.by_role.items(), key=lambda x: -x[1])
            )
        )


def projects_table(projects: Sequence[PartnerProject]) -> None:
    language = lang()
    df = frame(
        [
            {
                "key": p.key,
                "title": p.title,
                "status": label(ProjectStatus, p.status, language),
                "theme": p.theme_key,
                "roles": ", ".join(label(ParticipationRole, r, language) for r in p.roles),
                "cash": p.contribution_cash,
                "in_kind": p.contribution_in_kind,
                "approved": p.approved_funding,
            }
            for p in projects
        ],
        ["key", "title", "status", "theme", "roles", "cash", "in_kind", "approved"],
    )
    col = st.column_config
    table(
        df,
        money=["cash", "in_kind", "approved"],
        column_config={
            "key": col.Column(tx("project"), pinned=True),
            "title": col.Column("Titel" if language == "de" else "Title", width="large"),
            "status": col.Column(tx("status")),
            "theme": col.Column(tx("theme")),
            "roles": col.Column(tx("roles")),
            "cash": col.Column(tx("cash")),
            "in_kind": col.Column(tx("in_kind")),
            "approved": col.Column(tx("approved")),
        },
    )


def milestones_table(milestones: Sequence[PartnerMilestone]) -> None:
    df = frame(
        [
            {
                "due": m.due_date,
                "late": late_mark(tx("late")) if m.overdue else "",
                "project": f"{m.project_key} · {m.project_title}",
                "milestone": m.title,
            }
            for m in milestones
        ],
        ["due", "late", "project", "milestone"],
    )
    col = st.column_config
    table(
        df,
        dates=["due"],
        column_config={
            "due": col.Column(tx("due")),
            "late": col.Column(""),
            "project": col.Column(tx("project")),
            "milestone": col.Column(tx("milestone")),
        },
    )
