"""What the two editable lists of the Stammdaten page (organisations, funding programmes) share:
the list, the form for a new entry, the chooser, and the chosen entry with its edit and
archive forms."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import streamlit as st

from portfolio.policy import Action
from portfolio.queries.detail import Row
from portfolio.services.fields import FieldSpec
from portfolio.ui import data
from portfolio.ui.components.editor import facts
from portfolio.ui.components.forms import (
    FormResult,
    entity_form,
    loaded_version,
    run_save,
)
from portfolio.ui.components.safe_text import md
from portfolio.ui.pages.masterdata.texts import tx
from portfolio.ui.runtime import may


class Service(Protocol):
    """What the service of an editable kind offers (:mod:`portfolio.services.organisations`,
    :mod:`portfolio.services.programmes`: the modules themselves)."""

    FIELDS: dict[str, FieldSpec]

    def create(self, session: Any, data: Mapping[str, Any]) -> Any: ...

    def update(
        self, session: Any, id_: int, data: Mapping[str, Any], *, expected_version: int | None
    ) -> Any: ...

    def archive(self, session: Any, id_: int, *, expected_version: int | None) -> Any: ...

    def restore(self, session: Any, id_: int, *, expected_version: int | None) -> Any: ...


@dataclass(frozen=True)
class Entries:
    """One kind of editable master data: its service, widget keys, texts and views."""

    service: Service
    prefix: str
    """Of the widget keys: ``{prefix}_table``, ``_new``, ``_form:{id}``, ``_archive:{id}``."""
    name_field: str
    """The field a message calls the entry by."""
    code_field: str
    """The field the chooser shows before the name."""
    in_use: str
    """The row's count of uses: archiving a used entry comes with a hint."""
    defaults: Mapping[str, Any]
    """The new-entry form's first values."""
    new_text: str
    choose_text: str
    read: Callable[[str, int, str, bool], list[Row]]
    """The cached read of the rows (database, stamp, access, archived ones too)."""
    table: Callable[[list[Row], bool], None]
    """Shows the list (rows, archived ones too)."""
    usage: Callable[[Row], None]
    """What an active entry is used for, with links to the pages that show it."""
    more: Callable[[Row], None] | None = None
    """Shown after the usage (or the archived banner) of any entry."""

    @property
    def specs(self) -> dict[str, FieldSpec]:
        return self.service.FIELDS

    @property
    def fields(self) -> list[str]:
        """The form's fields, in the service's order."""
        return list(self.service.FIELDS)


def archive_toggle() -> bool:
    return bool(st.toggle(tx("show_archived"), key="md_archived"))


def table_height(rows: int) -> int:
    """Tall enough for every row up to 20 (a short reference list needs no scrolling)."""
    return 38 + 35 * min(max(rows, 1), 20)


def state(row: Row) -> str:
    return tx("archived") if row.extra["archived"] else tx("active")


def entries_section(kind: Entries, stamp: data.Stamp) -> None:
    """The list, the new-entry form (for editors) and the chosen entry."""
    archived = archive_toggle()
    rows = kind.read(stamp.db, stamp.stamp, stamp.access, archived)
    if rows:
        kind.table(rows, archived)
    else:
        st.info(tx("none_yet"))
    editable = may(Action.EDIT_MASTERDATA)  # the services refuse the others anyway
    if editable:
        create_block(kind)
    row = chooser(kind, rows)
    if row is not None:
        entry_detail(kind, row, editable=editable)


def chooser(kind: Entries, rows: list[Row]) -> Row | None:
    st.subheader(tx(kind.choose_text))
    by_key = {r.values["key"]: r for r in rows}
    if st.session_state.get("md_pick") not in by_key:
        st.session_state.pop("md_pick", None)
    key = st.selectbox(
        tx("choose"),
        list(by_key),
        format_func=lambda k: (
            f"{by_key[k].values[kind.code_field]} · {by_key[k].values['name']}"
            + (f" ({tx('archived')})" if by_key[k].extra["archived"] else "")
        ),
        key="md_pick",
        index=None,
        placeholder=tx("choose"),
    )
    return by_key.get(key) if key else None


def create_block(kind: Entries) -> None:
    form_key = f"{kind.prefix}_new"
    with st.expander(tx(kind.new_text), icon=":material/add:"):
        st.caption(tx("new_hint"))
        form = entity_form(
            form_key,
            kind.specs,
            kind.defaults,
            fields=kind.fields,
            submit_label=tx("create"),
            columns=2,
        )
        if form.submitted:
            created: dict[str, str] = {}

            def action(session: Any) -> Any:
                obj = kind.service.create(session, form.data)
                created.update(key=obj.key, name=getattr(obj, kind.name_field))
                return obj

            def select_it(_: Any) -> None:
                st.session_state["__flash"] = tx("created", name=created["name"])
                st.session_state["md_pick"] = created["key"]

            run_save(form, action, on_success=select_it)


def entry_detail(kind: Entries, row: Row, *, editable: bool) -> None:
    """The chosen entry: archived (banner, facts) or its usage; then what editors may do."""
    archived = bool(row.extra["archived"])
    if archived:
        st.warning(tx("archived_banner"), icon=":material/archive:")
        facts(kind.specs, row.values, kind.fields)
    else:
        kind.usage(row)
    if kind.more is not None:
        kind.more(row)
    name = md(row.values[kind.name_field])
    if not archived and not editable:
        facts(kind.specs, row.values, kind.fields)
    elif not archived:
        edit_form(kind, row)
        if row.extra[kind.in_use]:
            st.caption(tx("archive_hint_used", name=name))
    if editable:
        archive_block(kind, row, name)


def edit_form(kind: Entries, row: Row) -> None:
    form_key = f"{kind.prefix}_form:{row.id}"
    version = loaded_version(form_key, row.version, "name")
    form = entity_form(
        form_key, kind.specs, row.values, fields=kind.fields, disabled=["key"], only_changes=True
    )
    if form.submitted:
        changes = dict(form.data)
        run_save(form, lambda s: kind.service.update(s, row.id, changes, expected_version=version))


def archive_block(kind: Entries, row: Row, name: str) -> None:
    """Archive (or restore) the entry, after a tick to confirm; ``name`` is markdown."""
    form_key = f"{kind.prefix}_archive:{row.id}"
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
        action = kind.service.restore if restoring else kind.service.archive
        run_save(
            FormResult(form_key, submitted=True, general=general),
            lambda s: action(s, row.id, expected_version=version),
        )
