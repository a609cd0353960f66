"""Nachweise: the proofs a grant owes its funder (stub; being built)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.models import FundingApplication


def sync_duties(session: Session, application: FundingApplication) -> None:
    """Create, re-date or drop the application's open proofs after its grant changed."""
