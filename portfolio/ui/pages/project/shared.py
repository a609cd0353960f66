"""What the project page's sections share: whether the forms show, the editor for those who may
change the portfolio, the choices of the reference fields and the tables whose rows are clicked
to open their change form."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ParamSpec

from portfolio.policy import Action
from portfolio.queries import detail as detail_q
from portfolio.queries.common import pick
from portfolio.ui.components.editor import record_editor
from portfolio.ui.runtime import lang, may

P = ParamSpec("P")


def editable() -> bool:
    """Whether the forms show (leadership reads every project and grant but changes none)."""
    return may(Action.EDIT_PORTFOLIO)


def when_editable(render: Callable[P, None]) -> Callable[P, None]:
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        if editable():
            render(*args, **kwargs)

    return run


editor = when_editable(record_editor)
"""A section's add and change forms, for those who may change the portfolio."""


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


def clickable(key: str) -> dict[str, Any]:
    """A section table whose rows open the change form when clicked (for those who may edit)."""
    if not editable():
        return {}
    return {"key": key, "on_select": "rerun", "selection_mode": "single-row"}


def picked(event: Any, rows: Sequence[Any]) -> int | None:
    """The id of the row clicked in a section table, if any."""
    try:
        chosen = event.selection.rows
    except AttributeError:
        return None
    return int(rows[chosen[0]].id) if chosen and chosen[0] < len(rows) else None
