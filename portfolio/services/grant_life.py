"""What follows from a grant, kept in step whenever its amount, period or status changes
(a notice, a direct edit, the import): the duties it owes (proofs of use with their
deadlines, :func:`portfolio.services.proofs.sync_duties`) and its budget years
(:func:`portfolio.services.budget_years.follow_grant`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.models import FundingApplication
from portfolio.policy import Action, requires
from portfolio.services import budget_years, proofs


@requires(Action.EDIT_PORTFOLIO)
def follow(session: Session, application: FundingApplication) -> None:
    """Bring the application's duties and budget years in line with its stored state."""
    proofs.sync_duties(session, application)
    budget_years.follow_grant(session, application)
