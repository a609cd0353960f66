"""Showing and editing records: values in German formats, and a create / edit / remove block."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import streamlit as st

from portfolio.i18n import fmt_date, fmt_eur, fmt_int, fmt_number, fmt_percent
from portfolio.queries.detail import Row
from portfolio.services.fields import FieldSpec
from portfolio.ui.components.forms import Options, entity_form, loaded_version, run_save
from portfolio.ui.components.safe_text import md, safe_url, url_label
from portfolio.ui.components.texts import option_labels
from portfolio.ui.components.widgets import t
from portfolio.ui.runtime import Catalogue, lang
from portfolio.vocab import CHARTER_GUIDELINES, label

TEXTS = {
    "de": {
        "new": "Neu anlegen",
        "edit": "Ändern",
        "which": "Welcher Eintrag?",
        "remove": "Entfernen",
        "archive": "Archivieren",
        "confirm": "Ja, „{name}“ wirklich {action}",
        "remove_action": "entfernen",
        "archive_action": "archivieren",
        "create": "Anlegen",
        "nothing": "Noch keine Einträge.",
    },
    "en": {
        "new": "Add new",
        "edit": "Change",
        "which": "Which entry?",
        "remove": "Remove",
        "archive": "Archive",
        "confirm": "Yes, really {action} “{name}”",
        "remove_action": "remove",
        "archive_action": "archive",
        "create": "Create",
        "nothing": "No entries yet.",
    },
}


tx = Catalogue(TEXTS)


def display(spec: FieldSpec | None, value: Any, refs: Mapping[Any, str] | None = None) -> str:
    """A field's value as users read it: labels for codes, German numbers and dates."""
    language = lang()
    if value is None or value == [] or value == "":
        return "–"
    kind = spec.kind if spec else "str"
    if kind == "enum" and spec and spec.enum:
        return label(spec.enum, value, language)
    if kind == "ref":
        return (refs or {}).get(value, str(value))
    if kind == "date":
        return fmt_date(value, language)
    if kind == "money":
        return fmt_eur(Decimal(str(value)), language)
    if kind == "rate":
        return fmt_percent(Decimal(str(value)), language)
    if kind == "measure":
        return fmt_number(Decimal(str(value)), language, digits=4)
    if kind == "int":
        return fmt_int(int(value), language)
    if kind == "bool":
        return t("yes") if value else t("no")
    if kind == "tags":
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            pair = CHARTER_GUIDELINES.get(item)
            if spec is not None and spec.enum is not None:
                out.append(label(spec.enum, str(item), language))
            elif pair:
                out.append(f"{item} {pair[1] if language == 'en' else pair[0]}")
            else:
                out.append(f"SDG {item}" if str(item).isdigit() else str(item))
        return ", ".join(out)
    return str(value)


def from_journal(
    spec: FieldSpec | None, text: str | None, refs: Mapping[Any, str] | None = None
) -> str:
    """A journal value (stored as text: ISO dates, plain decimals, JSON lists) for reading."""
    if text is None:
        return "–"
    kind = spec.kind if spec else "str"
    value: Any = text
    try:
        if kind == "date":
            value = dt.date.fromisoformat(text[:10])
        elif kind in ("money", "rate", "measure"):
            value = Decimal(text)
        elif kind in ("int", "ref"):
            value = int(text)
        elif kind == "bool":
            value = text == "true"
        elif kind == "tags":
            value = json.loads(text)
    except (ValueError, InvalidOperation, json.JSONDecodeError):
        return text
    return display(spec, value, refs)


def facts(
    specs: Mapping[str, FieldSpec],
    values: Mapping[str, Any],
    fields: Sequence[str],
    refs: Mapping[str, Mapping[Any, str]] | None = None,
    *,
    columns: int = 2,
) -> None:
    """Label and value of each field, in columns."""
    from portfolio.vocab import field_label

    refs = refs or {}
    cols = st.columns(columns)
    for index, name in enumerate(fields):
        spec = specs.get(name)
        value = values.get(name)
        with cols[index % columns]:
            if spec is not None and spec.kind == "url" and value:
                url_fact(field_label(name, lang()), value, key=f"fact:{name}")
                continue
            text = display(spec, value, refs.get(name))
            st.markdown(f"**{field_label(name, lang())}**  \n{md(text, lines=True)}")


def url_fact(title: str, value: object, *, key: str) -> None:
    """A URL field: a link of our making when the value is an http(s) URL, else just its text.

    The link is a ``st.link_button`` (the URL never passes through markdown; parentheses,
    spaces and brackets are percent-encoded) whose text is the escaped URL without its scheme.
    """
    url = safe_url(value)
    if url is None:
        st.markdown(f"**{md(title)}**  \n{md(value)}")
        return
    st.markdown(f"**{md(title)}**")
    st.link_button(url_label(value), url, type="tertiary", icon=":material/open_in_new:", key=key)


def record_editor(
    prefix: str,
    rows: Sequence[Row],
    specs: Mapping[str, FieldSpec],
    *,
    fields: Sequence[str],
    title_of: Callable[[Row], str],
    refs: Mapping[str, Options] | None = None,
    create: Callable[[Any, dict[str, Any]], Any] | None = None,
    create_fields: Sequence[str] | None = None,
    defaults: Mapping[str, Any] | None = None,
    update: Callable[[Any, int, dict[str, Any], int], Any] | None = None,
    remove: Callable[[Any, int, int], Any] | None = None,
    remove_is_archive: bool = False,
    new_label: str | None = None,
    picked: int | None = None,
) -> None:
    """An "add" form and a "change" form (with remove) for the records ``rows``.

    ``picked``: the id of the row the user clicked in the section's table; the change form
    opens on it at once."""
    if create is not None:
        with st.expander(new_label or tx("new"), icon=":material/add:"):
            form = entity_form(
                f"{prefix}:new",
                specs,
                dict(defaults or {}),
                fields=create_fields or fields,
                refs=refs,
                submit_label=tx("create"),
            )
            if form.submitted:
                data = {k: v for k, v in form.data.items()}
                run_save(form, lambda s: create(s, data))
    if not rows or (update is None and remove is None):
        return
    ids = [r.id for r in rows]
    pick_key = f"{prefix}:pick"
    if picked in ids and st.session_state.get(f"{prefix}:picked") != picked:
        st.session_state[pick_key] = picked  # a new click: the form follows the table
    st.session_state[f"{prefix}:picked"] = picked
    with st.expander(tx("edit"), icon=":material/edit:", expanded=picked in ids):
        by_id = {r.id: r for r in rows}
        chosen = st.selectbox(
            tx("which"),
            ids,
            format_func=option_labels({i: title_of(r) for i, r in by_id.items()}),
            key=pick_key,
        )
        row = by_id.get(chosen) if chosen is not None else None
        if row is None:
            return
        if update is not None:
            form_key = f"{prefix}:edit:{row.id}"
            version = loaded_version(form_key, row.version, fields[0])
            form = entity_form(
                form_key, specs, row.values, fields=fields, refs=refs, only_changes=True
            )
            if form.submitted:
                changes = dict(form.data)
                run_save(form, lambda s: update(s, row.id, changes, version))
        if remove is not None:
            remove_form(prefix, row, md(title_of(row)), remove, archive=remove_is_archive)


def remove_form(
    prefix: str, row: Row, name: str, remove: Callable[[Any, int, int], Any], *, archive: bool
) -> None:
    from portfolio.ui.components.forms import FormResult

    form_key = f"{prefix}:remove:{row.id}"
    version = loaded_version(form_key, row.version, "confirm")
    with st.form(form_key, border=False):
        general = st.empty()
        confirm = st.checkbox(
            tx("confirm", name=name, action=tx("archive_action" if archive else "remove_action")),
            key=f"{form_key}:confirm",
        )
        submitted = st.form_submit_button(
            tx("archive" if archive else "remove"),
            icon=":material/archive:" if archive else ":material/delete:",
        )
    if submitted and confirm:
        result = FormResult(form_key, submitted=True, general=general)
        run_save(result, lambda s: remove(s, row.id, version))
