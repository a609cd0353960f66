"""Jahresscheiben: a grant's budget years (stub; being built)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.models import FundingApplication


def follow_grant(session: Session, application: FundingApplication) -> None:
    """Re-plan the budget years after the grant's amount or period changed."""
