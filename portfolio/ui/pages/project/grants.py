"""Zuwendungen: each grant's notices, cost plan, budget years, proofs and refunds (the
component :mod:`portfolio.ui.components.grant_section` shows them)."""

from __future__ import annotations

from portfolio.queries import detail as detail_q
from portfolio.queries import grant as grant_q
from portfolio.ui import data
from portfolio.ui.components.grant_section import grant_section
from portfolio.ui.runtime import read_session


def grants_section(d: detail_q.ProjectDetail, choices: detail_q.Choices) -> None:
    """Zuwendungen: each grant's notices, cost plan, budget years, proofs and refunds."""
    with read_session() as session:
        grants = grant_q.grants_of_project(session, d.project.id, today=data.stamp().today)
    grant_section(grants, d.project.values["key"])
