"""Veröffentlichung: which projects the city publishes, and which field groups of each.

A table of every project with its publish flag and one column per field group
(:class:`db.enums.PublishGroup`), editable; saving goes through
:func:`portfolio.services.publication.set_publication` (a stale row is refused with a conflict
message). Below, a preview of one published project exactly as the open data shows it, and links
to the public page and the open-data catalogue. Personal data is in no group.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from db.enums import PublishGroup
from portfolio import links
from portfolio.errors import ConflictError, PortfolioError
from portfolio.i18n import fmt_int
from portfolio.policy import PUBLIC, set_principal
from portfolio.queries import public
from portfolio.services import publication
from portfolio.ui import runtime
from portfolio.ui.components.safe_text import md
from portfolio.ui.components.widgets import page_header
from portfolio.vocab import labels
from reports import opendata

TEXTS = {
    "de": {
        "title": "Veröffentlichung",
        "caption": "Welche Projekte auf der öffentlichen Seite, als offene Daten (DCAT-AP.de) "
        "und als Steckbrief erscheinen – und mit welchen Angaben. Immer öffentlich sind "
        "Schlüssel, Titel, Leitthema, Handlungsfeld, Phase, räumliche Wirkung, Laufzeit und "
        "Open-Source-Repository; personenbezogene Daten nie.",
        "key": "Schlüssel",
        "project": "Projekt",
        "archived": "archiviert",
        "published": "veröffentlicht",
        "save": "Speichern",
        "saved": "{count} {count|Projekt|Projekte} gespeichert.",
        "unchanged": "Keine Änderungen.",
        "preview": "Vorschau: was öffentlich ist",
        "preview_pick": "Veröffentlichtes Projekt",
        "none_published": "Noch kein Projekt veröffentlicht.",
        "links": "Öffentliche Seite: {page} · Offene Daten: {catalog}",
    },
    "en": {
        "title": "Publication",
        "caption": "Which projects appear on the public page, as open data (DCAT-AP.de) and as "
        "a fact sheet – and with which details. Always public: key, title, theme, field of "
        "action, stage, spatial effect, duration and open-source repository; personal data "
        "never.",
        "key": "Key",
        "project": "Project",
        "archived": "archived",
        "published": "published",
        "save": "Save",
        "saved": "{count} {count|project|projects} saved.",
        "unchanged": "No changes.",
        "preview": "Preview: what is public",
        "preview_pick": "Published project",
        "none_published": "No project published yet.",
        "links": "Public page: {page} · Open data: {catalog}",
    },
}

EDITOR_KEY = "publication_editor"
SNAPSHOT_KEY = "publication_rows"
"""The rows (with their versions) as shown when editing began: a save checks against these,
so a change someone else saved meanwhile is a conflict, not silently overwritten."""
GROUPS = [str(g) for g in PublishGroup]


tx = runtime.Catalogue(TEXTS)


def _frame(rows: list[publication.PublicationRow]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "key": r.key,
                "title": r.title + (f" ({tx('archived')})" if r.archived else ""),
                "published": r.published,
                **{g: g in r.groups for g in GROUPS},
            }
            for r in rows
        ],
        columns=["key", "title", "published", *GROUPS],
    )


def _editing() -> bool:
    state = st.session_state.get(EDITOR_KEY)
    return isinstance(state, dict) and bool(state.get("edited_rows"))


def _rows() -> list[publication.PublicationRow]:
    """The rows to show: the snapshot while edits are pending, else read anew."""
    held = st.session_state.get(SNAPSHOT_KEY)
    if _editing() and isinstance(held, list):
        return held
    with runtime.read_session() as session:
        rows = publication.publication_rows(session)
    st.session_state[SNAPSHOT_KEY] = rows
    return rows


def _forget() -> None:
    st.session_state.pop(EDITOR_KEY, None)
    st.session_state.pop(SNAPSHOT_KEY, None)


def _save(rows: list[publication.PublicationRow], edited: pd.DataFrame) -> None:
    language = runtime.lang()
    changes = []
    for row, (_, new) in zip(rows, edited.iterrows(), strict=True):
        published = bool(new["published"])
        groups = [g for g in GROUPS if bool(new[g])]
        if published != row.published or tuple(groups) != row.groups:
            changes.append((row, published, groups))
    if not changes:
        st.info(tx("unchanged"))
        return
    try:
        with runtime.write_session() as session:
            for row, published, groups in changes:
                publication.set_publication(
                    session,
                    row.id,
                    published=published,
                    groups=groups,
                    expected_version=row.version,
                )
    except ConflictError as exc:
        st.warning(md(exc.message(language), lines=True), icon=":material/sync_problem:")
        _forget()
        return
    except PortfolioError as exc:
        st.error(md(exc.message(language), lines=True))
        return
    runtime.clear_caches()
    _forget()
    st.session_state["__publication_flash"] = tx("saved", count=fmt_int(len(changes), language))
    st.rerun()


def _preview() -> None:
    st.subheader(tx("preview"))
    with runtime.read_session() as session:
        set_principal(session, PUBLIC)  # exactly what the public sees
        sheets = public.projects(session, today=runtime.today())
        records = {s.key: opendata.project_record(s, None) for s in sheets}
        titles = {s.key: f"{s.key} – {s.title}" for s in sheets}
    if not records:
        st.caption(tx("none_published"))
        return
    key = st.selectbox(tx("preview_pick"), list(records), format_func=titles.__getitem__)
    if key:
        st.json(records[key], expanded=True)


SHORT_GROUP_LABELS: dict[str, tuple[str, str]] = {
    "description": ("Ziele", "Goals"),
    "partners": ("Partner", "Partners"),
    "funding": ("Förderung", "Funding"),
    "milestones": ("Meilensteine", "Milestones"),
    "kpis": ("Kennzahlen", "KPIs"),
    "status": ("Ampel", "Light"),
}
"""Column heads narrow enough for the table to fit at 1280 px; the full label is the help."""


def render() -> None:
    page_header(tx("title"), tx("caption"))
    flash = st.session_state.pop("__publication_flash", None)
    if flash:
        st.success(md(str(flash)))
    st.markdown(
        md(
            tx(
                "links",
                page=links.absolute(links.PUBLIC_PAGE),
                catalog=links.absolute(f"{links.OPEN_DATA}/catalog.jsonld"),
            )
        )
    )
    rows = _rows()
    group_labels = labels(PublishGroup, runtime.lang())
    config: dict[str, Any] = {
        "key": st.column_config.TextColumn(tx("key"), disabled=True),
        "title": st.column_config.TextColumn(tx("project"), disabled=True, width="medium"),
        "published": st.column_config.CheckboxColumn(tx("published")),
        **{
            g: st.column_config.CheckboxColumn(
                SHORT_GROUP_LABELS[g][0 if runtime.lang() == "de" else 1],
                help=md(group_labels[g]),
            )
            for g in GROUPS
        },
    }
    edited = st.data_editor(
        _frame(rows),
        column_config=config,
        hide_index=True,
        num_rows="fixed",
        key=EDITOR_KEY,
        use_container_width=True,
    )
    if st.button(tx("save"), type="primary", icon=":material/save:", key="publication_save"):
        _save(rows, edited)
    _preview()
