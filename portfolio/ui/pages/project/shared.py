"""What the project page's sections share: the choices of the reference fields and the tables
whose rows are clicked to open their change form (whether the forms show, and the editor for
those who may change the portfolio: :mod:`portfolio.ui.components.record_actions`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from portfolio.queries import detail as detail_q
from portfolio.queries.common import pick
from portfolio.ui.components.record_actions import editable
from portfolio.ui.runtime import lang


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
