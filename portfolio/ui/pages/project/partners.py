"""Partner: the organisations taking part, their role and contributions, and their forms."""

from __future__ import annotations

from decimal import Decimal

import streamlit as st

from db.enums import ParticipationRole
from portfolio.i18n import fmt_eur
from portfolio.queries import detail as detail_q
from portfolio.services import participations
from portfolio.ui.components.record_actions import actions, editor
from portfolio.ui.components.record_table import record_table
from portfolio.ui.pages.project.shared import ref_options
from portfolio.ui.pages.project.texts import tx
from portfolio.ui.runtime import lang
from portfolio.vocab import label

COLUMNS = {
    "organisation": "organisation",
    "role": "role",
    "cash": "contribution_cash",
    "in_kind": "contribution_in_kind",
    "note": "note",
}


def partners_section(d: detail_q.ProjectDetail, choices: detail_q.Choices) -> None:
    if d.participations:
        partners_table(d.participations)
    else:
        st.info(tx("no_partners"))
    language = lang()
    editor(
        f"prt:{d.project.id}",
        d.participations,
        participations.FIELDS,
        fields=["organisation_id", "role", "contribution_cash", "contribution_in_kind", "note"],
        title_of=lambda r: (
            f"{r.extra['organisation']} · {label(ParticipationRole, r.values['role'], language)}"
        ),
        refs=ref_options(choices),
        defaults={"role": ParticipationRole.PARTNER.value},
        new_label=tx("add_partner"),
        **actions(
            create=participations.create,
            parent={"project_id": d.project.id},
            update=participations.update,
            remove=participations.delete,
        ),
    )


def partners_table(rows: list[detail_q.Row]) -> None:
    """The partners with their contributions, and the sums."""
    language = lang()
    record_table(
        rows,
        COLUMNS,
        cells={
            "organisation": lambda p: p.extra["organisation"],
            "role": lambda p: label(ParticipationRole, p.values["role"], language),
        },
        headers={name: tx(name) for name in COLUMNS},
        texts=["note"],
        money=["cash", "in_kind"],
    )
    cash = sum((p.values["contribution_cash"] or Decimal(0) for p in rows), Decimal(0))
    kind = sum((p.values["contribution_in_kind"] or Decimal(0) for p in rows), Decimal(0))
    st.caption(
        f"{tx('total')}: {tx('cash')} {fmt_eur(cash, language)} · {tx('in_kind')} {fmt_eur(kind, language)}"
    )
