"""Forms built from the services' field specs, with messages at the field and conflict handling.

A form remembers the version of the record it was filled from (in ``session_state``) for as long
as its widgets live; a save sends that version, so a change made meanwhile by someone else is
reported as a conflict — who, when, which fields — with a reload, never silently overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import streamlit as st
from babel.numbers import NumberFormatError, parse_decimal

from db.enums import TrafficLight
from portfolio import palette
from portfolio.errors import ConflictError, NotFound, PortfolioError, ValidationFailed
from portfolio.i18n import fmt_number, locale_of
from portfolio.journal import to_text
from portfolio.notices import notices_for
from portfolio.notices import pick as pick_notice
from portfolio.services.fields import FieldSpec
from portfolio.ui.components.safe_text import md
from portfolio.ui.components.texts import option_labels
from portfolio.ui.components.widgets import t
from portfolio.ui.runtime import clear_caches, lang, show_error, write_session
from portfolio.vocab import CHARTER_GUIDELINES, field_label, label

Options = Sequence[tuple[Any, str]]
NUMBER_DIGITS = {"money": 2, "rate": 2, "measure": 4, "int": 0}
"""The number kinds of field, each with the digits its value is shown with for editing."""


@dataclass
class FormResult:
    key: str
    submitted: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    parse_errors: dict[str, list[str]] = field(default_factory=dict)
    slots: dict[str, Any] = field(default_factory=dict)
    general: Any = None

    def show_errors(self, by_field: Mapping[str, list[str]]) -> None:
        """Each message under its field; messages for fields not on the form above the form.

        Messages quote what the user typed (plain text): shown literally, one paragraph each.
        """
        rest: list[str] = []
        for name, messages in by_field.items():
            slot = self.slots.get(name)
            if slot is None:
                rest.extend(messages)
            else:
                slot.error(paragraphs(messages))
        if rest and self.general is not None:
            self.general.error(paragraphs(rest))
        elif rest:
            st.error(paragraphs(rest))


def paragraphs(messages: Sequence[str]) -> str:
    """Plain-text messages as markdown paragraphs that show literally."""
    return "\n\n".join(md(m, lines=True) for m in messages)


def widget_key(form_key: str, name: str) -> str:
    return f"{form_key}:{name}"


def _version_key(form_key: str) -> str:
    return f"{form_key}:__version"


def reset_form(form_key: str) -> None:
    """Forget the form's inputs and version, so it is filled afresh from the database."""
    prefix = f"{form_key}:"
    for name in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[name]


def loaded_version(form_key: str, current: int, first_field: str) -> int:
    """The version the form's inputs were filled from.

    Set when the widgets are created (first render, after a page switch, after a reset) and kept
    while they live, so a save can tell whether the record changed since.
    """
    vkey = _version_key(form_key)
    if widget_key(form_key, first_field) not in st.session_state or vkey not in st.session_state:
        st.session_state[vkey] = current
    return int(st.session_state[vkey])


def parse_number(text: str, language: str) -> Decimal:
    """A number as users type it: "1.234,56" in German, "1,234.56" in English; "12" too."""
    cleaned = text.replace("€", "").replace("%", "").replace("\u00a0", " ").strip()
    cleaned = cleaned.replace(" ", "")
    try:
        return Decimal(parse_decimal(cleaned, locale=locale_of(language), strict=True))
    except (NumberFormatError, ValueError, ArithmeticError) as exc:
        raise ValueError(text) from exc


def _number_text(value: Any, digits: int) -> str:
    if value is None:
        return ""
    return fmt_number(Decimal(str(value)), lang(), digits=digits)


def _date_format() -> str:
    return "DD.MM.YYYY" if lang() == "de" else "DD/MM/YYYY"


def _tag_label(name: str, code: str) -> str:
    if name == "charter_guidelines":
        pair = CHARTER_GUIDELINES.get(code)
        text = (pair[1] if lang() == "en" else pair[0]) if pair else code
        return f"{code} · {text}"
    if name == "sdgs":
        return f"SDG {code}"
    if name == "eligible_cost_types":
        from db.enums import CostType
        from portfolio.vocab import label

        return label(CostType, code, lang())
    return code


def entity_form(
    form_key: str,
    specs: Mapping[str, FieldSpec],
    values: Mapping[str, Any],
    *,
    fields: Sequence[str],
    refs: Mapping[str, Options] | None = None,
    disabled: Sequence[str] = (),
    submit_label: str | None = None,
    columns: int = 2,
    clear_on_submit: bool = False,
    only_changes: bool = False,
    help_texts: Mapping[str, str] | None = None,
) -> FormResult:
    """Render a form for ``fields`` of ``specs`` filled with ``values``; return what was sent.

    ``only_changes``: the result holds only the fields whose value differs from ``values``
    (an update sends exactly what the user changed).
    """
    refs = refs or {}
    result = FormResult(form_key)
    raw: dict[str, Any] = {}
    with st.form(form_key, clear_on_submit=clear_on_submit, border=True):
        result.general = st.empty()
        cols = st.columns(columns) if columns > 1 else [st.container()]
        for index, name in enumerate(fields):
            spec = specs[name]
            target = cols[index % len(cols)] if spec.kind not in ("text",) else cols[0]
            if spec.kind == "text" and columns > 1:
                target = st.container()
            with target:
                raw[name] = _widget(
                    form_key,
                    name,
                    spec,
                    values.get(name),
                    refs.get(name),
                    disabled=name in disabled,
                    help_text=(help_texts or {}).get(name),
                )
                result.slots[name] = st.empty()
        result.submitted = st.form_submit_button(submit_label or t("save"), type="primary")
    if not result.submitted:
        return result
    for name in fields:
        if name not in disabled:
            _collect(result, name, specs[name], raw[name], values, only_changes=only_changes)
    if result.parse_errors:
        result.show_errors(result.parse_errors)
    return result


def _collect(
    result: FormResult,
    name: str,
    spec: FieldSpec,
    value: Any,
    values: Mapping[str, Any],
    *,
    only_changes: bool,
) -> None:
    """One field's input into ``result``: a number parsed (or its message), an unchanged value
    left out when only the changes are wanted."""
    if spec.kind in NUMBER_DIGITS and isinstance(value, str):
        text = value.strip()
        if text == "":
            value = None
        else:
            try:
                number = parse_number(text, lang())
                value = int(number) if spec.kind == "int" else number
            except ValueError:
                result.parse_errors.setdefault(name, []).append(
                    t("bad_number", field=field_label(name, lang()), value=text)
                )
                return
    if only_changes and to_text(value) == to_text(values.get(name)):
        return
    result.data[name] = value


def _widget(
    form_key: str,
    name: str,
    spec: FieldSpec,
    value: Any,
    options: Options | None,
    *,
    disabled: bool,
    help_text: str | None,
) -> Any:
    """The input of one field, by its kind; returns what the user entered (numbers as text)."""
    key = widget_key(form_key, name)
    text = field_label(name, lang()) + (" *" if spec.required else "")
    kind = spec.kind
    if kind in ("str", "url", "email", "key", "text"):
        return _text_widget(text, spec, value, key=key, disabled=disabled, help_text=help_text)
    if kind == "date":
        return _date_widget(text, value, key=key, disabled=disabled, help_text=help_text)
    if kind in NUMBER_DIGITS:
        return _number_widget(text, kind, value, key=key, disabled=disabled, help_text=help_text)
    if kind == "bool":
        return st.checkbox(text, value=bool(value), key=key, disabled=disabled, help=help_text)
    if kind == "enum" and spec.enum is TrafficLight:
        return _light_widget(text, spec, value, key=key, disabled=disabled, help_text=help_text)
    if kind in ("enum", "ref"):
        choices, shown, fallback = _choices(spec, options)
        return _select_widget(
            text,
            choices,
            value,
            shown,
            fallback=fallback,
            key=key,
            disabled=disabled,
            help_text=help_text,
        )
    if kind == "tags":
        return _tags_widget(
            text, name, spec, value, key=key, disabled=disabled, help_text=help_text
        )
    raise AssertionError(kind)  # pragma: no cover


def _text_widget(
    text: str, spec: FieldSpec, value: Any, *, key: str, disabled: bool, help_text: str | None
) -> Any:
    """A line of text (a long text: a box of lines, without help)."""
    if spec.kind == "text":
        return st.text_area(
            text,
            value=value or "",
            max_chars=spec.max_length,
            key=key,
            disabled=disabled,
            height=100,
        )
    return st.text_input(
        text,
        value=value or "",
        max_chars=spec.max_length,
        key=key,
        disabled=disabled,
        help=help_text,
    )


def _date_widget(text: str, value: Any, *, key: str, disabled: bool, help_text: str | None) -> Any:
    return st.date_input(
        text,
        value=value,
        min_value=dt.date(1990, 1, 1),
        max_value=dt.date(2100, 12, 31),
        format=_date_format(),
        key=key,
        disabled=disabled,
        help=help_text,
    )


def _number_widget(
    text: str, kind: str, value: Any, *, key: str, disabled: bool, help_text: str | None
) -> Any:
    """A number typed as text in the reader's format (entity_form parses it)."""
    suffix = {"money": " (€)", "rate": " (%)"}.get(kind, "")
    return st.text_input(
        text + suffix,
        value=_number_text(value, NUMBER_DIGITS[kind]),
        key=key,
        disabled=disabled,
        help=help_text,
        placeholder="1.234,56" if lang() == "de" and kind == "money" else None,
    )


def _light_widget(
    text: str, spec: FieldSpec, value: Any, *, key: str, disabled: bool, help_text: str | None
) -> Any:
    """A light, chosen by its colour and mark in one click."""
    codes = list(label_map(spec.enum))
    return st.segmented_control(
        text,
        codes,
        default=value if value in codes else (codes[0] if spec.required else None),
        format_func=light_choice,
        required=spec.required,
        key=key,
        disabled=disabled,
        help=help_text,
    )


def _choices(
    spec: FieldSpec, options: Options | None
) -> tuple[list[Any], Callable[[Any], str], int | None]:
    """What a select box of an enum or a reference offers, how it names each choice and where it
    stands without a value: an enum by its codes' labels (a required one at the first), a
    reference by the names of the records ``options`` offers."""
    if spec.kind == "enum":
        enum = spec.enum
        assert enum is not None
        language = lang()
        return (
            list(label_map(enum)),
            lambda c: label(enum, c, language),
            0 if spec.required else None,
        )
    opts = list(options or [])
    names = dict(opts)
    return [o[0] for o in opts], lambda i: names.get(i, str(i)), None


def _select_widget(
    text: str,
    choices: list[Any],
    value: Any,
    shown: Callable[[Any], str],
    *,
    fallback: int | None,
    key: str,
    disabled: bool,
    help_text: str | None,
) -> Any:
    """A select box at ``value`` (else at ``fallback``: none, or the first choice)."""
    return st.selectbox(
        text,
        choices,
        index=choices.index(value) if value in choices else fallback,
        format_func=shown,
        key=key,
        disabled=disabled,
        placeholder=t("none_option"),
        help=help_text,
    )


def _tags_widget(
    text: str,
    name: str,
    spec: FieldSpec,
    value: Any,
    *,
    key: str,
    disabled: bool,
    help_text: str | None,
) -> Any:
    """Any of the codes the field allows."""
    allowed = list(spec.allowed or ())
    return st.multiselect(
        text,
        allowed,
        default=[v for v in (value or []) if v in allowed],
        format_func=option_labels({c: _tag_label(name, c) for c in allowed}),
        key=key,
        disabled=disabled,
        help=help_text,
    )


LIGHT_MARKDOWN = {"green": "green", "yellow": "yellow", "red": "red"}
"""Streamlit's markdown colour of each light: the theme's greenColor, yellowColor and redColor,
which .streamlit/config.toml sets to the palette's light colours (a test compares them)."""


def light_choice(code: str) -> str:
    """A light as a coloured mark and its label (markdown: Streamlit colours the mark)."""
    mark = palette.mark(palette.LIGHT_MARKS, code)
    return f":{LIGHT_MARKDOWN.get(code, 'gray')}[{mark}] {label(TrafficLight, code, lang())}"


def label_map(enum: Any) -> dict[str, str]:
    from portfolio.vocab import labels

    return labels(enum, lang())


def run_save(
    form: FormResult,
    action: Callable[[Any], Any],
    *,
    on_success: Callable[[Any], None] | None = None,
) -> bool:
    """Apply ``action`` in one transaction; show problems at the fields, a conflict with a reload.

    On success the form is reset, the data caches are cleared and the page reruns (so it shows
    the saved state); otherwise returns False.
    """
    if form.parse_errors:
        form.general.error(t("check_fields"))
        return False
    language = lang()
    try:
        with write_session() as session:
            outcome = action(session)
            notices = notices_for(session, outcome)
    except ValidationFailed as exc:
        form.general.error(t("check_fields"))
        form.show_errors(exc.by_field(language))
        return False
    except ConflictError as exc:
        show_conflict(form.key, exc)
        return False
    except NotFound as exc:
        st.error(md(exc.message(language), lines=True))
        return False
    except PortfolioError as exc:
        st.error(md(exc.message(language), lines=True))
        return False
    except Exception as exc:
        show_error(exc)
        return False
    clear_caches()
    reset_form(form.key)
    st.session_state["__flash"] = t("saved")
    st.session_state["__notices"] = notices
    if on_success is not None:
        on_success(outcome)
    st.rerun()


def show_conflict(form_key: str, exc: ConflictError) -> None:
    """Who changed the record meanwhile, which fields, and a button to reload it."""
    language = lang()
    with st.container(border=True):
        st.warning(md(exc.message(language), lines=True), icon=":material/sync_problem:")
        fields = [field_label(f, language) for f in exc.info.changed_fields if f != "version"]
        if fields:
            st.markdown(t("conflict_fields", fields=md(", ".join(fields))))
        st.caption(t("conflict_hint"))
        st.button(
            t("reload"),
            key=f"reload:{form_key}",
            on_click=reset_form,
            args=(form_key,),
            icon=":material/refresh:",
        )


def flash() -> None:
    """Show (once) the confirmation of the last save, after the rerun that followed it.

    ``session_state["__flash"]`` holds plain text (it may name what was saved): shown literally.
    """
    message = st.session_state.pop("__flash", None)
    if message:
        st.toast(md(message), icon=":material/check_circle:")
    # Saved, but the rules warn about the record (as the Förderung page would list it).
    for notice in st.session_state.pop("__notices", None) or ():
        st.warning(md(pick_notice(notice, lang())), icon=":material/warning:")
